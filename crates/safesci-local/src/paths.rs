//! Where the GGUF lives: `SAFESCI_MODEL_GGUF`, else the safesci cache that `scripts/fetch-model.sh`
//! fills (`$SAFESCI_CACHE_DIR` or the XDG cache dir, then `models/`).

use std::path::PathBuf;

/// Environment variable naming the GGUF file explicitly.
pub const MODEL_ENV: &str = "SAFESCI_MODEL_GGUF";
/// Environment variable overriding the safesci cache directory.
pub const CACHE_ENV: &str = "SAFESCI_CACHE_DIR";
/// File name of the shipped model inside `<cache>/models/`.
pub const MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
/// sha256 of the GGUF that `scripts/fetch-model.sh` pins.
pub const MODEL_SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

/// The default GGUF path: the env override first, then the cache (whether or not the file exists).
pub fn default_model_path() -> PathBuf {
    if let Some(p) = std::env::var_os(MODEL_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    cache_dir().join("models").join(MODEL_FILE)
}

/// The safesci cache directory, mirroring `scripts/fetch-model.sh`.
pub fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os(CACHE_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p).join("safesci");
    }
    dirs::home_dir()
        .map(|h| h.join(".cache"))
        .or_else(dirs::cache_dir)
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("safesci")
}
