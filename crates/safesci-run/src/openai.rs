//! OpenAI-compatible chat completions (OpenAI, vLLM, SGLang, llama.cpp server, Ollama, LM Studio,
//! TGI, the mock server). Several base URLs may serve one model: each request goes to the replica
//! with the fewest requests in flight, ties broken round-robin.

use crate::http::{self, RateGate};
use crate::spec::{ApiKey, ModelSpec};
use async_trait::async_trait;
use safesci_core::provider::{
    Completion, CompletionRequest, Provider, ProviderError, ProviderInfo, Usage,
};
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
    url: String,
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
            .map(|u| Replica {
                url: format!("{}/chat/completions", u.trim_end_matches('/')),
                in_flight: AtomicUsize::new(0),
            })
            .collect();
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

/// Parse a chat-completions response body.
pub fn parse_chat_response(body: &[u8]) -> Result<Completion, ProviderError> {
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
        let mut builder = self
            .client
            .post(&replica.url)
            .timeout(timeout)
            .json(&self.body(request));
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
