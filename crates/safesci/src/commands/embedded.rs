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

/// Load the embedded model as a provider.
pub fn provider(_options: &EmbeddedOptions) -> anyhow::Result<Arc<dyn Provider>> {
    anyhow::bail!("the embedded model is being written")
}
