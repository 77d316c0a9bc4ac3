//! Resolves the `embedded` model spec to the in-process SmolLM2 provider (cargo feature `embedded`).

use safesci_core::provider::Provider;
use std::path::PathBuf;
use std::sync::Arc;

/// Options of the embedded model that the command line can set.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedOptions {
    /// GGUF file; default: `$SAFESCI_MODEL_GGUF`, then the safesci cache.
    pub model_path: Option<PathBuf>,
    /// CPU threads; default: all cores.
    pub threads: Option<usize>,
}

/// Load the embedded model as a provider. The weight storage follows `SAFESCI_EMBEDDED_WEIGHTS`
/// (default `hybrid8`, see docs/embedded.md). Call it before other threads start reading the
/// environment: `threads` is applied through candle's thread-count variables.
#[cfg(feature = "embedded")]
pub fn provider(options: &EmbeddedOptions) -> anyhow::Result<Arc<dyn Provider>> {
    use crate::exit::Hint;
    use anyhow::Context;
    if let Some(n) = options.threads {
        safesci_local::set_threads(n);
    }
    let mut load = safesci_local::LoadOptions::from_env()
        .context("failed to read the embedded model options")?;
    load.model_path = options.model_path.clone();
    let provider = match safesci_local::EmbeddedProvider::load(&load) {
        Ok(p) => p,
        Err(e @ safesci_local::LocalError::ModelMissing { .. }) => {
            return Err(anyhow::Error::new(Hint(
                "run `bash scripts/fetch-model.sh` to fetch the model (about 94 MB), or pass `--model` with an HTTP backend"
                    .into(),
            ))
            .context(e.to_string())
            .context("failed to load the embedded model"));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("failed to load the embedded model")),
    };
    Ok(Arc::new(provider))
}

/// Without the `embedded` feature there is no in-process model.
#[cfg(not(feature = "embedded"))]
pub fn provider(_options: &EmbeddedOptions) -> anyhow::Result<Arc<dyn Provider>> {
    anyhow::bail!("this safesci was built without the `embedded` feature; use an HTTP `--model`")
}
