//! Embedded CPU model (SmolLM2-135M-Instruct GGUF) for offline evaluation.
