//! The `Provider` trait: one interface over HTTP APIs, the mock server and the embedded model.
//!
//! A provider turns a chat request into a completion. Optional abilities (log-likelihood choice
//! scoring) are trait methods whose default answers [`ProviderError::Unsupported`], so the runner
//! asks the provider instead of consulting flags. Errors know whether a retry can help.
//!
//! To add a backend: implement [`Provider`] in its own file (HTTP backends live in `safesci-run`,
//! the embedded model in `safesci-local`), give it a [`ProviderInfo`] whose fields change whenever
//! the answers could change (they key the response cache), and map its failures onto
//! [`ProviderError`].

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Chat roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Message {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Message {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// Sampling parameters. `temperature == 0` means greedy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationParams {
    pub temperature: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    pub max_tokens: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
}

impl Default for GenerationParams {
    fn default() -> Self {
        GenerationParams {
            temperature: 0.0,
            top_p: None,
            max_tokens: 512,
            seed: Some(0),
            stop: Vec::new(),
        }
    }
}

/// A generation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRequest {
    pub messages: Vec<Message>,
    pub params: GenerationParams,
}

/// Token counts reported by the backend (or counted by the embedded tokenizer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub text: String,
    pub usage: Usage,
    /// `stop`, `length`, … as the backend reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Backend-reported fingerprint (e.g. OpenAI `system_fingerprint`, model revision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// Log-likelihood choice scoring: the prompt is shared, each continuation is scored on top of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceRequest {
    /// Chat messages up to and including the user turn; the assistant turn is opened by the provider.
    pub messages: Vec<Message>,
    /// Text the assistant would write before the option (e.g. `"Answer: "`), may be empty.
    pub assistant_prefix: String,
    /// Continuations to score (option letters or option texts).
    pub continuations: Vec<String>,
}

/// Sum of token log-probabilities of each continuation, and its token count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceScores {
    pub logprobs: Vec<f64>,
    pub token_counts: Vec<u32>,
    pub usage: Usage,
}

impl ChoiceScores {
    /// Index of the highest-scoring continuation (first on ties), `None` when empty.
    pub fn best(&self) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, &lp) in self.logprobs.iter().enumerate() {
            if best.is_none_or(|(_, b)| lp > b) {
                best = Some((i, lp));
            }
        }
        best.map(|(i, _)| i)
    }
}

/// Identity of a backend: everything about it that changes answers. Keys never appear here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// Backend kind: `openai`, `openai-compatible`, `anthropic`, `ollama`, `embedded`, `mock`.
    pub kind: String,
    /// Model name as the backend knows it.
    pub model: String,
    /// Base URL (HTTP backends), empty for in-process backends.
    #[serde(default)]
    pub base_url: String,
    /// Weights revision or file hash when known.
    #[serde(default)]
    pub revision: String,
}

impl ProviderInfo {
    /// Stable printable name, e.g. `openai-compatible:Qwen3-8B`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind, self.model)
    }
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("rate limited (HTTP {status})")]
    RateLimited {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("request rejected (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("authentication failed (HTTP {status})")]
    Auth { status: u16 },
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    #[error("connection failed: {0}")]
    Connection(String),
    #[error("malformed response: {0}")]
    Malformed(String),
    #[error("{0} is not supported by this provider")]
    Unsupported(&'static str),
    #[error("backend failed: {0}")]
    Backend(String),
}

impl ProviderError {
    /// Whether retrying the same request may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Server { .. }
                | ProviderError::Timeout(_)
                | ProviderError::Connection(_)
                | ProviderError::Malformed(_)
        )
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A model backend.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Who answers: recorded in the run manifest and part of the cache key.
    fn info(&self) -> ProviderInfo;

    /// How many requests this backend serves at once (the runner never exceeds it).
    fn max_concurrency(&self) -> usize;

    /// Generate a completion.
    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ProviderError>;

    /// Score continuations by log-likelihood. Backends without token log-probabilities keep the
    /// default.
    async fn score_choices(&self, _request: &ChoiceRequest) -> Result<ChoiceScores, ProviderError> {
        Err(ProviderError::Unsupported("log-likelihood choice scoring"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_prefers_first_on_ties() {
        let s = ChoiceScores {
            logprobs: vec![-2.0, -1.0, -1.0],
            token_counts: vec![1, 1, 1],
            usage: Usage::default(),
        };
        assert_eq!(
            s.best(),
            Some(1),
            "highest log-probability wins, first on ties"
        );
    }

    #[test]
    fn retryability() {
        assert!(ProviderError::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(!ProviderError::Auth { status: 401 }.is_retryable());
        assert!(!ProviderError::Unsupported("x").is_retryable());
    }
}
