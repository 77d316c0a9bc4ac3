//! Embedded CPU model (SmolLM2-135M-Instruct GGUF) for offline evaluation: GGUF loading, the
//! tokenizer rebuilt from GGUF metadata, the chat template, a Llama forward pass over candle ops,
//! generation, log-likelihood choice scoring, and the [`Provider`](safesci_core::provider::Provider)
//! the runner uses for `--model embedded`.
//!
//! ```no_run
//! # fn main() -> Result<(), safesci_local::LocalError> {
//! let provider = safesci_local::EmbeddedProvider::load(&safesci_local::LoadOptions::default())?;
//! # Ok(()) }
//! ```

pub mod chat;
pub mod decode;
pub mod engine;
pub mod error;
pub mod kernels;
pub mod model;
pub mod paths;
pub mod provider;
pub mod threads;
pub mod tokenizer;

pub use engine::{Engine, Generated, LoadOptions, MODEL_NAME, ScorePlan, WEIGHTS_ENV};
pub use error::LocalError;
pub use model::WeightMode;
pub use provider::EmbeddedProvider;
pub use threads::set_threads;
