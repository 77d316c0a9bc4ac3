//! Model providers (OpenAI-compatible, Anthropic), prompting, the runner, the response cache,
//! sampling and sharding, run merging, batch APIs and the scripted mock server.
//!
//! Entry points: [`spec::ModelSpec`] → a provider ([`build_provider`]); [`session::evaluate`]
//! runs an item file against it into a run directory; [`merge::merge_runs`], [`batch`] and
//! [`mock::MockServer`] back the other commands. Nothing here prints: progress is reported
//! through [`runner::RunEvent`]s.

pub mod anthropic;
pub mod batch;
pub mod cache;
pub mod http;
pub mod merge;
pub mod mock;
pub mod openai;
pub mod prompt;
pub mod runner;
pub mod sample;
pub mod session;
pub mod spec;

use safesci_core::provider::{Provider, ProviderError};
use std::sync::Arc;

/// Errors of running.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] safesci_core::store::StoreError),
    #[error(transparent)]
    Cache(#[from] cache::CacheError),
    #[error(transparent)]
    Items(#[from] safesci_core::io::IoError),
    #[error(transparent)]
    Prompt(#[from] prompt::PromptError),
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    #[error("failed to start the provider: {0}")]
    Provider(ProviderError),
    #[error("failed to start a thread")]
    Thread(#[source] std::io::Error),
    #[error("a runner task failed: {0}")]
    Task(String),
    #[error("items file `{path}` changed while it was being read (line {line})")]
    ItemsChanged {
        path: std::path::PathBuf,
        line: usize,
    },
    #[error("run directory `{dir}` holds a different run: {differences}")]
    ManifestMismatch {
        dir: std::path::PathBuf,
        differences: String,
    },
    #[error("`{0}` holds no run manifest")]
    NoManifest(std::path::PathBuf),
    #[error(transparent)]
    Batch(#[from] batch::BatchError),
    #[error("`{0}` is resolved by the command line, not by this library")]
    Embedded(String),
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Build an HTTP provider from resolved settings (`embedded` is resolved by the binary).
pub fn build_provider(settings: openai::HttpSettings) -> Result<Arc<dyn Provider>, RunError> {
    use spec::ProviderKind;
    match settings.spec.kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible | ProviderKind::Ollama => Ok(
            Arc::new(openai::OpenAiProvider::new(settings).map_err(RunError::Provider)?),
        ),
        ProviderKind::Anthropic => Ok(Arc::new(
            anthropic::AnthropicProvider::new(settings).map_err(RunError::Provider)?,
        )),
        ProviderKind::Embedded => Err(RunError::Embedded("embedded".into())),
    }
}
