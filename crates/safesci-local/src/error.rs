//! Errors of the embedded model: loading the GGUF, tokenizing, templating, running.

use std::path::PathBuf;

/// Why the embedded model failed.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(
        "model file `{path}` not found (run `bash scripts/fetch-model.sh` to fetch and verify it, or set `SAFESCI_MODEL_GGUF`)"
    )]
    ModelMissing { path: PathBuf },
    #[error("failed to read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse GGUF `{path}`: {message}")]
    Gguf { path: PathBuf, message: String },
    #[error("GGUF metadata key `{key}` is missing or has the wrong type")]
    Metadata { key: String },
    #[error("unsupported model: {0}")]
    Unsupported(String),
    #[error("failed to build the tokenizer: {0}")]
    Tokenizer(String),
    #[error("failed to render the chat template: {0}")]
    Template(String),
    #[error("prompt of {tokens} tokens does not fit the context of {context} tokens")]
    ContextOverflow { tokens: usize, context: usize },
    #[error("tensor computation failed: {0}")]
    Compute(#[from] candle_core::Error),
    #[error("invalid request: {0}")]
    Request(String),
}

pub type Result<T, E = LocalError> = std::result::Result<T, E>;
