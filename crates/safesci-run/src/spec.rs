//! Model specs (`openai:gpt-4o-mini`, `openai-compatible:URL[,URL…]#MODEL`, `anthropic:…`,
//! `ollama:…`, `embedded[:PATH]`) and the TOML config that lists several models.
//!
//! This module only parses and resolves; it never opens a connection. API keys are read here
//! into [`ApiKey`], whose `Debug` hides the value, and whose value never enters an error message.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Default base URL of the OpenAI API.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
/// Default base URL of the Anthropic API.
pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com/v1";
/// Where a local Ollama serves its OpenAI-compatible API.
pub const OLLAMA_BASE_URL: &str = "http://127.0.0.1:11434/v1";
/// Environment variable read for `openai:` specs unless the config names another.
pub const OPENAI_KEY_ENV: &str = "OPENAI_API_KEY";
/// Environment variable read for `anthropic:` specs unless the config names another.
pub const ANTHROPIC_KEY_ENV: &str = "ANTHROPIC_API_KEY";

/// Errors of spec and config parsing. Never carry a key's value.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error(
        "unknown model spec `{0}` (expected openai:MODEL, openai-compatible:URL#MODEL, anthropic:MODEL, ollama:MODEL or embedded[:PATH])"
    )]
    Unknown(String),
    #[error("model spec `{0}` names no model")]
    NoModel(String),
    #[error("model spec `{spec}` has a bad base URL `{url}` (expected http:// or https://)")]
    BadUrl { spec: String, url: String },
    #[error("environment variable `{0}` holding the API key is not set or empty")]
    MissingKeyEnv(String),
    #[error("failed to read API key file `{path}`")]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("API key file `{0}` is empty")]
    EmptyKeyFile(PathBuf),
    #[error("failed to read model config `{path}`")]
    ConfigRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse model config `{path}`: {message}")]
    ConfigParse { path: PathBuf, message: String },
    #[error("model config `{path}` lists no `[[model]]`")]
    ConfigEmpty { path: PathBuf },
    #[error("model config `{path}`: model `{name}`: {source}")]
    ConfigModel {
        path: PathBuf,
        name: String,
        #[source]
        source: Box<SpecError>,
    },
}

/// Which API a spec talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    OpenAi,
    OpenAiCompatible,
    Anthropic,
    Ollama,
    Embedded,
}

impl ProviderKind {
    /// Name recorded in [`safesci_core::provider::ProviderInfo::kind`].
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::OpenAiCompatible => "openai-compatible",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Ollama => "ollama",
            ProviderKind::Embedded => "embedded",
        }
    }
}

/// A parsed model spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    pub kind: ProviderKind,
    /// Model name as the backend knows it (empty for `embedded` without a path).
    pub model: String,
    /// One or more replicas serving the same model (HTTP kinds only).
    pub base_urls: Vec<String>,
    /// GGUF file of `embedded:PATH`.
    pub model_path: Option<PathBuf>,
}

impl ModelSpec {
    /// Parse a spec string.
    pub fn parse(spec: &str) -> Result<ModelSpec, SpecError> {
        let spec = spec.trim();
        let (prefix, rest) = match spec.split_once(':') {
            Some((p, r)) => (p, r),
            None if spec == "embedded" => ("embedded", ""),
            None => return Err(SpecError::Unknown(spec.to_string())),
        };
        let named = |kind: ProviderKind, base: &str| {
            if rest.trim().is_empty() {
                return Err(SpecError::NoModel(spec.to_string()));
            }
            Ok(ModelSpec {
                kind,
                model: rest.trim().to_string(),
                base_urls: vec![base.to_string()],
                model_path: None,
            })
        };
        match prefix {
            "openai" => named(ProviderKind::OpenAi, OPENAI_BASE_URL),
            "anthropic" => named(ProviderKind::Anthropic, ANTHROPIC_BASE_URL),
            "ollama" => named(ProviderKind::Ollama, OLLAMA_BASE_URL),
            "embedded" => Ok(ModelSpec {
                kind: ProviderKind::Embedded,
                model: String::new(),
                base_urls: Vec::new(),
                model_path: (!rest.is_empty()).then(|| PathBuf::from(rest)),
            }),
            "openai-compatible" => {
                let (urls, model) = rest
                    .rsplit_once('#')
                    .ok_or_else(|| SpecError::NoModel(spec.to_string()))?;
                if model.trim().is_empty() {
                    return Err(SpecError::NoModel(spec.to_string()));
                }
                let mut base_urls = Vec::new();
                for url in urls.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(SpecError::BadUrl {
                            spec: spec.to_string(),
                            url: url.to_string(),
                        });
                    }
                    base_urls.push(url.trim_end_matches('/').to_string());
                }
                if base_urls.is_empty() {
                    return Err(SpecError::BadUrl {
                        spec: spec.to_string(),
                        url: String::new(),
                    });
                }
                Ok(ModelSpec {
                    kind: ProviderKind::OpenAiCompatible,
                    model: model.trim().to_string(),
                    base_urls,
                    model_path: None,
                })
            }
            _ => Err(SpecError::Unknown(spec.to_string())),
        }
    }

    /// The environment variable a key is read from when nothing else is configured.
    pub fn default_key_env(&self) -> Option<&'static str> {
        match self.kind {
            ProviderKind::OpenAi => Some(OPENAI_KEY_ENV),
            ProviderKind::Anthropic => Some(ANTHROPIC_KEY_ENV),
            _ => None,
        }
    }
}

/// An API key. `Debug` and `Display` print `***`; the value leaves only as an HTTP header.
#[derive(Clone)]
pub struct ApiKey(Arc<str>);

impl ApiKey {
    pub fn new(value: &str) -> ApiKey {
        ApiKey(Arc::from(value.trim()))
    }

    /// Read from an environment variable (error names the variable, never the value).
    pub fn from_env(name: &str) -> Result<ApiKey, SpecError> {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(ApiKey::new(&v)),
            _ => Err(SpecError::MissingKeyEnv(name.to_string())),
        }
    }

    /// Read from a file holding the key (surrounding whitespace ignored).
    pub fn from_file(path: &Path) -> Result<ApiKey, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::KeyFile {
            path: path.to_path_buf(),
            source,
        })?;
        if text.trim().is_empty() {
            return Err(SpecError::EmptyKeyFile(path.to_path_buf()));
        }
        Ok(ApiKey::new(&text))
    }

    /// The secret itself; only HTTP providers call this, to build a header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// Prices in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
    /// Multiplier applied to batch-API requests (typically 0.5).
    #[serde(default)]
    pub batch_discount: Option<f64>,
}

/// Generation parameters a config may override (unset fields keep the command-line values).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsConfig {
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub max_tokens: Option<u32>,
    pub seed: Option<u64>,
    pub stop: Option<Vec<String>>,
}

/// One `[[model]]` entry of a config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Short name: the run of this model goes to `RUN/<name>`.
    pub name: String,
    pub spec: String,
    #[serde(default)]
    pub key_env: Option<String>,
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    #[serde(default)]
    pub params: ParamsConfig,
    /// Extra fields merged into every request body (e.g. `chat_template_kwargs`).
    #[serde(default)]
    pub extra_body: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub price: Option<Price>,
}

/// A config file: `[[model]]` entries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    #[serde(default, rename = "model")]
    pub models: Vec<ModelConfig>,
}

impl ModelsConfig {
    pub fn parse(path: &Path, text: &str) -> Result<ModelsConfig, SpecError> {
        let config: ModelsConfig = toml::from_str(text).map_err(|e| SpecError::ConfigParse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if config.models.is_empty() {
            return Err(SpecError::ConfigEmpty {
                path: path.to_path_buf(),
            });
        }
        for m in &config.models {
            ModelSpec::parse(&m.spec).map_err(|e| SpecError::ConfigModel {
                path: path.to_path_buf(),
                name: m.name.clone(),
                source: Box::new(e),
            })?;
        }
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<ModelsConfig, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }
}

/// A price table file: `[models."NAME"]` entries, matched against the model name (longest
/// prefix wins, so `gpt-4o-mini-2024-07-18` finds `gpt-4o-mini`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PriceTable {
    #[serde(default)]
    pub models: BTreeMap<String, Price>,
}

/// The price table shipped with safesci (edit a copy and pass `--prices FILE`).
pub const DEFAULT_PRICES: &str = include_str!("../prices.toml");

impl PriceTable {
    pub fn parse(path: &Path, text: &str) -> Result<PriceTable, SpecError> {
        toml::from_str(text).map_err(|e| SpecError::ConfigParse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    pub fn builtin() -> PriceTable {
        Self::parse(Path::new("prices.toml"), DEFAULT_PRICES).unwrap_or_default()
    }

    /// Price of `model`: exact name first, then the longest table name the model starts with.
    pub fn lookup(&self, model: &str) -> Option<Price> {
        if let Some(p) = self.models.get(model) {
            return Some(*p);
        }
        self.models
            .iter()
            .filter(|(name, _)| model.starts_with(name.as_str()))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, p)| *p)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let s = ModelSpec::parse("openai:gpt-4o-mini").unwrap();
        assert_eq!(
            (s.kind, s.model.as_str()),
            (ProviderKind::OpenAi, "gpt-4o-mini")
        );
        let s = ModelSpec::parse(
            "openai-compatible:http://127.0.0.1:8000/v1/,http://h2:8000/v1#Qwen3-8B",
        )
        .unwrap();
        assert_eq!(
            s.base_urls,
            vec!["http://127.0.0.1:8000/v1", "http://h2:8000/v1"]
        );
        assert_eq!(s.model, "Qwen3-8B");
        let s = ModelSpec::parse("ollama:llama3").unwrap();
        assert_eq!(s.base_urls, vec![OLLAMA_BASE_URL]);
        let s = ModelSpec::parse("embedded").unwrap();
        assert_eq!((s.kind, s.model_path), (ProviderKind::Embedded, None));
        let s = ModelSpec::parse("embedded:/m/x.gguf").unwrap();
        assert_eq!(s.model_path, Some(PathBuf::from("/m/x.gguf")));
        assert!(
            ModelSpec::parse("openai-compatible:ftp://x#m").is_err(),
            "bad scheme"
        );
        assert!(
            ModelSpec::parse("openai-compatible:http://x").is_err(),
            "no model"
        );
        assert!(ModelSpec::parse("gemini:x").is_err(), "unknown kind");
    }

    #[test]
    fn key_debug_and_errors_hide_the_value() {
        let key = ApiKey::new("sk-very-secret");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
        let err = ApiKey::from_env("SAFESCI_TEST_SURELY_UNSET_VAR").unwrap_err();
        assert!(err.to_string().contains("SAFESCI_TEST_SURELY_UNSET_VAR"));
    }

    #[test]
    fn config_lists_models() {
        let text = r#"
[[model]]
name = "qwen"
spec = "openai-compatible:http://127.0.0.1:8000/v1#Qwen3-8B"
concurrency = 64
extra_body = { chat_template_kwargs = { enable_thinking = false } }
params = { max_tokens = 256 }

[[model]]
name = "mini"
spec = "openai:gpt-4o-mini"
key_env = "MY_KEY"
price = { input_per_mtok = 0.15, output_per_mtok = 0.6 }
"#;
        let c = ModelsConfig::parse(Path::new("m.toml"), text).unwrap();
        assert_eq!(c.models.len(), 2);
        assert_eq!(c.models[0].params.max_tokens, Some(256));
        assert!(c.models[0].extra_body.contains_key("chat_template_kwargs"));
        let bad = "[[model]]\nname = \"x\"\nspec = \"nope:y\"\n";
        let err = ModelsConfig::parse(Path::new("m.toml"), bad).unwrap_err();
        assert!(err.to_string().contains("model `x`"), "{err}");
    }

    #[test]
    fn builtin_prices_parse_and_match_prefixes() {
        let t = PriceTable::builtin();
        assert!(!t.models.is_empty(), "the shipped table must parse");
        let p = t.lookup("gpt-4o-mini-2024-07-18").unwrap();
        assert!(p.input_per_mtok < t.lookup("gpt-4o").unwrap().input_per_mtok);
    }
}
