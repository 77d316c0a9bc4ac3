//! The Anthropic Messages API. System messages become the top-level `system` field; the rest of
//! the conversation is sent as is.

use crate::http::{self, RateGate};
use crate::openai::HttpSettings;
use async_trait::async_trait;
use safesci_core::provider::{
    Completion, CompletionRequest, Provider, ProviderError, ProviderInfo, Role, Usage,
};
use serde_json::{Map, Value, json};

/// API version header value this client speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// An Anthropic Messages backend.
#[derive(Debug)]
pub struct AnthropicProvider {
    settings: HttpSettings,
    client: reqwest::Client,
    gate: RateGate,
}

impl AnthropicProvider {
    pub fn new(settings: HttpSettings) -> Result<AnthropicProvider, ProviderError> {
        Ok(AnthropicProvider {
            client: http::client(settings.concurrency)?,
            settings,
            gate: RateGate::default(),
        })
    }

    fn base_url(&self) -> &str {
        self.settings
            .spec
            .base_urls
            .first()
            .map(String::as_str)
            .unwrap_or(crate::spec::ANTHROPIC_BASE_URL)
    }
}

/// Messages body for `model` (also used for batch requests' `params`).
pub fn messages_body(
    model: &str,
    request: &CompletionRequest,
    extra: &Map<String, Value>,
) -> Value {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let messages: Vec<&safesci_core::provider::Message> = request
        .messages
        .iter()
        .filter(|m| m.role != Role::System)
        .collect();
    let p = &request.params;
    let mut body = json!({
        "model": model,
        "max_tokens": p.max_tokens,
        "messages": messages,
        "temperature": p.temperature,
    });
    if let Some(obj) = body.as_object_mut() {
        if !system.is_empty() {
            obj.insert("system".into(), json!(system.join("\n\n")));
        }
        if let Some(top_p) = p.top_p {
            obj.insert("top_p".into(), json!(top_p));
        }
        if !p.stop.is_empty() {
            obj.insert("stop_sequences".into(), json!(p.stop));
        }
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    body
}

/// Parse a Messages response body.
pub fn parse_messages_response(body: &[u8]) -> Result<Completion, ProviderError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ProviderError::Malformed(format!("invalid JSON: {e}")))?;
    let content = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("no `content` in response".into()))?;
    let text: String = content
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    let usage = v.get("usage");
    let count = |k: &str| {
        usage
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Completion {
        text,
        usage: Usage {
            prompt_tokens: count("input_tokens"),
            completion_tokens: count("output_tokens"),
        },
        finish_reason: v
            .get("stop_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        fingerprint: v.get("model").and_then(Value::as_str).map(str::to_string),
    })
}

#[async_trait]
impl Provider for AnthropicProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: "anthropic".into(),
            model: self.settings.spec.model.clone(),
            base_url: self.base_url().to_string(),
            revision: String::new(),
        }
    }

    fn max_concurrency(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, ProviderError> {
        self.gate.wait().await;
        let timeout = self.settings.timeout;
        let mut builder = self
            .client
            .post(format!("{}/messages", self.base_url()))
            .timeout(timeout)
            .header("anthropic-version", ANTHROPIC_VERSION)
            .json(&messages_body(
                &self.settings.spec.model,
                request,
                &self.settings.extra_body,
            ));
        if let Some(key) = &self.settings.key {
            builder = builder.header("x-api-key", key.expose());
        }
        let body = http::send(builder, &self.gate, timeout).await?;
        parse_messages_response(&body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use safesci_core::provider::{GenerationParams, Message};

    #[test]
    fn system_moves_to_top_level() {
        let req = CompletionRequest {
            messages: vec![Message::system("be careful"), Message::user("hi")],
            params: GenerationParams::default(),
        };
        let body = messages_body("claude-x", &req, &Map::new());
        assert_eq!(body["system"], "be careful");
        assert_eq!(body["messages"].as_array().unwrap().len(), 1);
        assert_eq!(body["messages"][0]["role"], "user");
    }

    #[test]
    fn parses_text_blocks_and_usage() {
        let b = br#"{"model":"claude-x","content":[{"type":"text","text":"<ans>B"},{"type":"text","text":"<eoa>"}],
            "stop_reason":"end_turn","usage":{"input_tokens":9,"output_tokens":4}}"#;
        let c = parse_messages_response(b).unwrap();
        assert_eq!(c.text, "<ans>B<eoa>");
        assert_eq!(c.usage.completion_tokens, 4);
    }
}
