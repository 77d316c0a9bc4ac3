//! The embedded model as a [`Provider`]: one engine behind a mutex, every call on tokio's
//! blocking pool so the runner's async tasks keep moving while the CPU works.

use crate::engine::{Engine, LoadOptions, MODEL_NAME};
use crate::error::LocalError;
use async_trait::async_trait;
use safesci_core::provider::{
    ChoiceRequest, ChoiceScores, Completion, CompletionRequest, Provider, ProviderError,
    ProviderInfo,
};
use std::sync::{Arc, Mutex};

/// SmolLM2-135M-Instruct running in-process.
#[derive(Debug, Clone)]
pub struct EmbeddedProvider {
    engine: Arc<Mutex<Engine>>,
    info: ProviderInfo,
}

impl EmbeddedProvider {
    /// Load the model (see [`LoadOptions`]).
    pub fn load(options: &LoadOptions) -> Result<EmbeddedProvider, LocalError> {
        Ok(EmbeddedProvider::from_engine(Engine::load(options)?))
    }

    /// Wrap an engine that is already loaded.
    pub fn from_engine(engine: Engine) -> EmbeddedProvider {
        let info = ProviderInfo {
            kind: "embedded".into(),
            model: MODEL_NAME.into(),
            base_url: String::new(),
            revision: engine.revision(),
        };
        EmbeddedProvider {
            engine: Arc::new(Mutex::new(engine)),
            info,
        }
    }

    /// The engine, for callers that also want direct access (tests, benchmarks).
    pub fn engine(&self) -> &Arc<Mutex<Engine>> {
        &self.engine
    }

    /// Run `f` on the engine on the blocking pool.
    async fn with_engine<T, F>(&self, f: F) -> Result<T, ProviderError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Engine) -> Result<T, LocalError> + Send + 'static,
    {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || {
            let mut guard = engine
                .lock()
                .map_err(|_| ProviderError::Backend("embedded model lock poisoned".into()))?;
            f(&mut guard).map_err(to_provider_error)
        })
        .await
        .map_err(|e| ProviderError::Backend(format!("embedded model task failed: {e}")))?
    }
}

fn to_provider_error(e: LocalError) -> ProviderError {
    match e {
        LocalError::ContextOverflow { .. } | LocalError::Request(_) => ProviderError::Rejected {
            status: 400,
            message: e.to_string(),
        },
        other => ProviderError::Backend(other.to_string()),
    }
}

#[async_trait]
impl Provider for EmbeddedProvider {
    fn info(&self) -> ProviderInfo {
        self.info.clone()
    }

    /// One engine, one request at a time (the matmuls already use every thread).
    fn max_concurrency(&self) -> usize {
        1
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ProviderError> {
        let request = request.clone();
        self.with_engine(move |e| e.complete(&request)).await
    }

    async fn score_choices(&self, request: &ChoiceRequest) -> Result<ChoiceScores, ProviderError> {
        let request = request.clone();
        self.with_engine(move |e| e.score(&request)).await
    }
}
