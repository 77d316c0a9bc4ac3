//! Shared by the integration tests: the GGUF path (failing loudly when it is missing) and one
//! engine loaded once per test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use safesci_local::{EmbeddedProvider, Engine, WeightMode};
use std::path::PathBuf;
use std::sync::{MutexGuard, OnceLock};

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

static PROVIDER: OnceLock<EmbeddedProvider> = OnceLock::new();

/// One provider per test binary (one model in memory, tests take turns on its engine).
pub fn provider() -> &'static EmbeddedProvider {
    PROVIDER.get_or_init(|| {
        EmbeddedProvider::from_engine(Engine::load_path(&gguf_path(), WeightMode::DEFAULT).unwrap())
    })
}

/// The shared engine, locked.
pub fn engine() -> MutexGuard<'static, Engine> {
    provider()
        .engine()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
