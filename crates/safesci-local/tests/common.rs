//! Shared by the integration tests: the GGUF path (failing loudly when it is missing) and one
//! engine loaded once per test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use safesci_local::{Engine, WeightMode};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The model file the tests run: `SAFESCI_MODEL_GGUF` or the default cache path. Panics with a
/// hint when it is missing: these tests must run, not skip.
pub fn gguf_path() -> PathBuf {
    let path = safesci_local::paths::default_model_path();
    assert!(
        path.is_file(),
        "the embedded model is missing at `{}`: run `bash scripts/fetch-model.sh` (or \
         `scripts/test.sh`, which does) or set SAFESCI_MODEL_GGUF",
        path.display()
    );
    path
}

static ENGINE: OnceLock<Mutex<Engine>> = OnceLock::new();

/// The shared engine in the default weight mode.
pub fn engine() -> MutexGuard<'static, Engine> {
    ENGINE
        .get_or_init(|| Mutex::new(Engine::load_path(&gguf_path(), WeightMode::DEFAULT).unwrap()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
