//! Model providers (OpenAI-compatible, Anthropic, mock server), the runner, response cache and batch APIs.
