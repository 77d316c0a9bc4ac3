//! OpenAI-compatible chat completions (OpenAI, vLLM, SGLang, llama.cpp server, Ollama, LM Studio,
//! TGI, the mock server). Several base URLs may serve one model: each request goes to the replica
//! with the fewest requests in flight, ties broken round-robin.

use crate::http::{self, RateGate};
use crate::spec::{ApiKey, ModelSpec};
use async_trait::async_trait;
use safesci_core::provider::{
    Completion, CompletionRequest, Provider, ProviderError, ProviderInfo, Usage,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Settings of an HTTP provider, resolved from a spec, a config entry and the command line.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub spec: ModelSpec,
    pub key: Option<ApiKey>,
    /// Fields merged into every request body (they win over the generated ones).
    pub extra_body: Map<String, Value>,
    pub concurrency: usize,
    pub timeout: Duration,
}

#[derive(Debug)]
struct Replica {
    /// Parsed once: reqwest would otherwise parse (and IDNA-map) the string on every request.
    url: reqwest::Url,
    in_flight: AtomicUsize,
}

/// An OpenAI-compatible chat-completions backend.
#[derive(Debug)]
pub struct OpenAiProvider {
    settings: HttpSettings,
    replicas: Vec<Replica>,
    next: AtomicUsize,
    client: reqwest::Client,
    gate: RateGate,
}

struct InFlight<'a>(&'a AtomicUsize);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl OpenAiProvider {
    pub fn new(settings: HttpSettings) -> Result<OpenAiProvider, ProviderError> {
        let client = http::client(settings.concurrency)?;
        let replicas = settings
            .spec
            .base_urls
            .iter()
            .map(|u| {
                let url = format!("{}/chat/completions", u.trim_end_matches('/'));
                reqwest::Url::parse(&url)
                    .map(|url| Replica {
                        url,
                        in_flight: AtomicUsize::new(0),
                    })
                    .map_err(|e| ProviderError::Backend(format!("invalid base URL `{u}`: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OpenAiProvider {
            settings,
            replicas,
            next: AtomicUsize::new(0),
            client,
            gate: RateGate::default(),
        })
    }

    /// Least-loaded replica, round-robin among equals.
    fn pick(&self) -> Option<&Replica> {
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.replicas[(start + i) % n])
            .min_by_key(|r| r.in_flight.load(Ordering::Relaxed))
    }

    /// The JSON body of a request (also used for batch files).
    pub fn body(&self, request: &CompletionRequest) -> Value {
        chat_body(
            &self.settings.spec.model,
            request,
            &self.settings.extra_body,
        )
    }
}

/// The body [`chat_body`] builds, serialised straight from borrowed fields (no intermediate
/// `Value` tree, no copy of the messages). The floats go out as `f64` so the bytes equal
/// `chat_body`'s; only used when there are no extra fields, which may override these.
#[derive(Serialize)]
struct ChatBody<'a> {
    max_tokens: u32,
    messages: &'a [safesci_core::provider::Message],
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop: &'a [String],
    temperature: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
}

/// Serialised request body: the same JSON as `chat_body(…)` (equal as values; only the key order
/// inside each message differs).
pub fn chat_body_bytes(
    model: &str,
    request: &CompletionRequest,
    extra: &Map<String, Value>,
) -> Result<Vec<u8>, serde_json::Error> {
    if !extra.is_empty() {
        return serde_json::to_vec(&chat_body(model, request, extra));
    }
    let p = &request.params;
    serde_json::to_vec(&ChatBody {
        max_tokens: p.max_tokens,
        messages: &request.messages,
        model,
        seed: p.seed,
        stop: &p.stop,
        temperature: f64::from(p.temperature),
        top_p: p.top_p.map(f64::from),
    })
}

/// Chat-completions body for `model`.
pub fn chat_body(model: &str, request: &CompletionRequest, extra: &Map<String, Value>) -> Value {
    let p = &request.params;
    let mut body = json!({
        "model": model,
        "messages": request.messages,
        "temperature": p.temperature,
        "max_tokens": p.max_tokens,
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(top_p) = p.top_p {
            obj.insert("top_p".into(), json!(top_p));
        }
        if let Some(seed) = p.seed {
            obj.insert("seed".into(), json!(seed));
        }
        if !p.stop.is_empty() {
            obj.insert("stop".into(), json!(p.stop));
        }
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    body
}

/// The common shape of a chat-completions response, read without building a `Value` tree.
#[derive(Deserialize)]
struct FastResponse {
    choices: Vec<FastChoice>,
    #[serde(default)]
    usage: Option<FastUsage>,
    #[serde(default)]
    system_fingerprint: Option<String>,
}

#[derive(Deserialize)]
struct FastChoice {
    message: FastMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct FastMessage {
    content: String,
}

#[derive(Deserialize)]
struct FastUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

/// Parse a chat-completions response body.
pub fn parse_chat_response(body: &[u8]) -> Result<Completion, ProviderError> {
    // Fast path for the usual shape; anything else (missing parts, other types, `text` instead
    // of `message.content`) goes through the general reader below, which names what is wrong.
    if let Ok(fast) = serde_json::from_slice::<FastResponse>(body)
        && let Some(choice) = fast.choices.into_iter().next()
    {
        let usage = fast.usage.unwrap_or(FastUsage {
            prompt_tokens: None,
            completion_tokens: None,
        });
        return Ok(Completion {
            text: choice.message.content,
            usage: Usage {
                prompt_tokens: usage.prompt_tokens.unwrap_or(0),
                completion_tokens: usage.completion_tokens.unwrap_or(0),
            },
            finish_reason: choice.finish_reason,
            fingerprint: fast.system_fingerprint,
        });
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ProviderError::Malformed(format!("invalid JSON: {e}")))?;
    let choice = v
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| ProviderError::Malformed("no `choices[0]` in response".into()))?;
    let text = choice
        .get("message")
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .or_else(|| choice.get("text").and_then(Value::as_str))
        .ok_or_else(|| ProviderError::Malformed("no `message.content` in `choices[0]`".into()))?;
    let usage = v.get("usage");
    let count = |k: &str| {
        usage
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Completion {
        text: text.to_string(),
        usage: Usage {
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
        },
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        fingerprint: v
            .get("system_fingerprint")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

#[async_trait]
impl Provider for OpenAiProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: self.settings.spec.kind.as_str().to_string(),
            model: self.settings.spec.model.clone(),
            base_url: self.settings.spec.base_urls.join(","),
            revision: String::new(),
        }
    }

    fn max_concurrency(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ProviderError> {
        self.gate.wait().await;
        let replica = self
            .pick()
            .ok_or_else(|| ProviderError::Backend("no base URL configured".into()))?;
        replica.in_flight.fetch_add(1, Ordering::Relaxed);
        let _guard = InFlight(&replica.in_flight);
        let timeout = self.settings.timeout;
        let body = chat_body_bytes(
            &self.settings.spec.model,
            request,
            &self.settings.extra_body,
        )
        .map_err(|e| ProviderError::Backend(format!("failed to serialise the request: {e}")))?;
        let mut builder = self
            .client
            .post(replica.url.clone())
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(key) = &self.settings.key {
            builder = builder.bearer_auth(key.expose());
        }
        let body = http::send(builder, &self.gate, timeout).await?;
        parse_chat_response(&body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use safesci_core::provider::{GenerationParams, Message};

    #[test]
    fn body_carries_params_and_extra_fields() {
        let req = CompletionRequest {
            messages: vec![Message::user("hi")],
            params: GenerationParams {
                top_p: Some(0.9),
                stop: vec!["\n\n".into()],
                ..GenerationParams::default()
            },
        };
        let mut extra = Map::new();
        extra.insert(
            "chat_template_kwargs".into(),
            json!({"enable_thinking": false}),
        );
        let body = chat_body("m", &req, &extra);
        assert_eq!(body["model"], "m");
        assert_eq!(body["messages"][0]["role"], "user");
        assert_eq!(body["seed"], 0);
        assert_eq!(body["stop"][0], "\n\n");
        assert_eq!(body["chat_template_kwargs"]["enable_thinking"], false);
    }

    #[test]
    fn direct_body_equals_the_value_body() {
        let mut req = CompletionRequest {
            messages: vec![Message::system("be \"exact\""), Message::user("hi\nthere")],
            params: GenerationParams {
                temperature: 0.7,
                top_p: Some(0.9),
                max_tokens: 77,
                seed: Some(5),
                stop: vec!["\n\n".into()],
            },
        };
        let none = Map::new();
        let fast: Value =
            serde_json::from_slice(&chat_body_bytes("m", &req, &none).unwrap()).unwrap();
        assert_eq!(fast, chat_body("m", &req, &none));
        req.params = GenerationParams::default();
        req.params.seed = None;
        let fast: Value =
            serde_json::from_slice(&chat_body_bytes("m", &req, &none).unwrap()).unwrap();
        assert_eq!(fast, chat_body("m", &req, &none));
        assert!(fast.get("seed").is_none() && fast.get("stop").is_none());
        let mut extra = Map::new();
        extra.insert("temperature".into(), json!(1));
        let with: Value =
            serde_json::from_slice(&chat_body_bytes("m", &req, &extra).unwrap()).unwrap();
        assert_eq!(with["temperature"], 1, "extra fields still win");
    }

    #[test]
    fn fast_and_general_response_readers_agree() {
        let bodies: [&[u8]; 4] = [
            br#"{"choices":[{"message":{"content":"a\u00e9"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2},"system_fingerprint":"f"}"#,
            br#"{"choices":[{"message":{"content":"x"}}]}"#,
            br#"{"choices":[{"message":{"content":"x"}}],"usage":null,"system_fingerprint":null}"#,
            br#"{"choices":[{"message":{"content":null},"text":"legacy"}],"usage":{"prompt_tokens":1.5}}"#,
        ];
        for b in bodies {
            let got = parse_chat_response(b).unwrap();
            let v: Value = serde_json::from_slice(b).unwrap();
            let choice = &v["choices"][0];
            let text = choice["message"]["content"]
                .as_str()
                .or(choice["text"].as_str())
                .unwrap();
            assert_eq!(got.text, text);
            assert_eq!(
                got.usage.prompt_tokens,
                v["usage"]["prompt_tokens"].as_u64().unwrap_or(0)
            );
            assert_eq!(
                got.usage.completion_tokens,
                v["usage"]["completion_tokens"].as_u64().unwrap_or(0)
            );
            assert_eq!(
                got.finish_reason.as_deref(),
                choice["finish_reason"].as_str()
            );
            assert_eq!(got.fingerprint.as_deref(), v["system_fingerprint"].as_str());
        }
    }

    #[test]
    fn response_parsing_reports_missing_parts() {
        let ok = br#"{"choices":[{"message":{"content":"<ans>A<eoa>"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":12,"completion_tokens":3},"system_fingerprint":"fp1"}"#;
        let c = parse_chat_response(ok).unwrap();
        assert_eq!(
            (c.text.as_str(), c.usage.prompt_tokens),
            ("<ans>A<eoa>", 12)
        );
        assert_eq!(c.fingerprint.as_deref(), Some("fp1"));
        let err = parse_chat_response(b"{\"choices\":[]}").unwrap_err();
        assert!(err.is_retryable() && err.to_string().contains("choices[0]"));
        assert!(matches!(
            parse_chat_response(b"{\"cho"),
            Err(ProviderError::Malformed(_))
        ));
    }
}
