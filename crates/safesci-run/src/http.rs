//! What the HTTP providers share: the reqwest client, mapping HTTP failures onto
//! [`ProviderError`], and the [`RateGate`] that reads rate-limit headers (`retry-after`,
//! `retry-after-ms`, `x-ratelimit-remaining-*`/`x-ratelimit-reset-*`, `anthropic-ratelimit-*`)
//! so every request to a throttled backend waits, not only the one that got the 429.

use reqwest::header::HeaderMap;
use safesci_core::provider::ProviderError;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest pause a header can impose (a bogus `retry-after: 86400` must not stall a run for a day).
pub const MAX_HEADER_PAUSE: Duration = Duration::from_secs(120);

/// Build the shared client: connection pool sized for the concurrency, no global timeout (each
/// request sets its own), keep-alive on.
pub fn client(concurrency: usize) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency.max(1))
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ProviderError::Backend(format!("failed to build HTTP client: {e}")))
}

/// Parse Go-style durations as OpenAI writes them (`1s`, `6m0s`, `20ms`, `1h2m3.5s`), or a bare
/// number of seconds.
pub fn parse_reset(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let mut total = 0.0f64;
    let mut num = String::new();
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let value: f64 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            'h' => 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0.001
            }
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += value * unit;
        any = true;
    }
    if !num.is_empty() || !any {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

/// How long the server asks us to wait, from `retry-after-ms` or `retry-after` (seconds).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return Some(Duration::from_secs_f64((ms / 1000.0).max(0.0)).min(MAX_HEADER_PAUSE));
    }
    get("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s).min(MAX_HEADER_PAUSE))
}

/// When the quota headers say a budget is exhausted, how long until it resets.
pub fn exhausted_for(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut pause: Option<Duration> = None;
    for what in ["requests", "tokens"] {
        let openai = (
            format!("x-ratelimit-remaining-{what}"),
            format!("x-ratelimit-reset-{what}"),
        );
        if get(&openai.0).and_then(|v| v.trim().parse::<u64>().ok()) == Some(0) {
            let wait = get(&openai.1)
                .and_then(parse_reset)
                .unwrap_or(Duration::from_secs(1));
            pause = Some(pause.map_or(wait, |p| p.max(wait)));
        }
        let anthropic = format!("anthropic-ratelimit-{what}-remaining");
        if get(&anthropic).and_then(|v| v.trim().parse::<u64>().ok()) == Some(0) {
            // The reset is an RFC 3339 instant; without a date parser a conservative second
            // (doubled by the runner's backoff if the 429s continue) is enough.
            let wait = retry_after(headers).unwrap_or(Duration::from_secs(1));
            pause = Some(pause.map_or(wait, |p| p.max(wait)));
        }
    }
    pause.map(|p| p.min(MAX_HEADER_PAUSE))
}

/// A shared "do not send before" instant, set from rate-limit headers.
#[derive(Debug, Default)]
pub struct RateGate {
    until: Mutex<Option<Instant>>,
}

impl RateGate {
    /// Wait until the gate opens.
    pub async fn wait(&self) {
        let until = self.until.lock().ok().and_then(|g| *g);
        if let Some(until) = until
            && until > Instant::now()
        {
            tokio::time::sleep_until(until.into()).await;
        }
    }

    /// Close the gate for `pause` from now (extends, never shortens, a pause in force).
    pub fn pause(&self, pause: Duration) {
        let until = Instant::now() + pause;
        if let Ok(mut g) = self.until.lock()
            && g.is_none_or(|cur| cur < until)
        {
            *g = Some(until);
        }
    }

    /// Read the headers of any response.
    pub fn observe(&self, headers: &HeaderMap) {
        if let Some(p) = exhausted_for(headers) {
            self.pause(p);
        }
    }
}

/// Send a request and return its body, feeding the rate gate from the response headers; a non-2xx
/// status becomes a [`ProviderError`] (and pauses the gate when the server said how long to wait).
pub async fn send(
    builder: reqwest::RequestBuilder,
    gate: &RateGate,
    timeout: Duration,
) -> Result<bytes::Bytes, ProviderError> {
    let response = builder
        .send()
        .await
        .map_err(|e| transport_error(&e, timeout))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    gate.observe(&headers);
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(&e, timeout))?;
    if !(200..300).contains(&status) {
        let err = status_error(status, &headers, &String::from_utf8_lossy(&body));
        if let Some(wait) = err.retry_after() {
            gate.pause(wait);
        }
        return Err(err);
    }
    Ok(body)
}

/// Map a reqwest transport error (never containing headers, so never the key).
pub fn transport_error(e: &reqwest::Error, timeout: Duration) -> ProviderError {
    if e.is_timeout() {
        ProviderError::Timeout(timeout)
    } else if e.is_body() || e.is_decode() {
        ProviderError::Malformed(format!("truncated or unreadable body: {}", error_chain(e)))
    } else {
        // Connect, request and any other transport failure: retryable as a connection problem.
        ProviderError::Connection(error_chain(e))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

/// Map a non-success status and its (possibly partial) body.
pub fn status_error(status: u16, headers: &HeaderMap, body: &str) -> ProviderError {
    let message = snippet(body);
    match status {
        429 => ProviderError::RateLimited {
            status,
            retry_after: retry_after(headers),
        },
        401 | 403 => ProviderError::Auth { status },
        408 => ProviderError::Timeout(Duration::ZERO),
        // 529 is Anthropic's "overloaded".
        500..=599 => ProviderError::Server { status, message },
        _ => ProviderError::Rejected { status, message },
    }
}

/// First 300 characters of an error body, on one line.
pub fn snippet(body: &str) -> String {
    let one_line: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    one_line.trim().to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_reset("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_reset("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_reset("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(
            parse_reset("1h2m3.5s"),
            Some(Duration::from_secs_f64(3723.5))
        );
        assert_eq!(parse_reset("2.5"), Some(Duration::from_secs_f64(2.5)));
        assert_eq!(parse_reset("soon"), None);
        assert_eq!(parse_reset("5"), Some(Duration::from_secs(5)));
    }

    #[test]
    fn headers_map_to_pauses() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("40"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(40)), "ms wins");
        let mut h = HeaderMap::new();
        h.insert(
            "x-ratelimit-remaining-requests",
            HeaderValue::from_static("0"),
        );
        h.insert(
            "x-ratelimit-reset-requests",
            HeaderValue::from_static("250ms"),
        );
        assert_eq!(exhausted_for(&h), Some(Duration::from_millis(250)));
        h.insert(
            "x-ratelimit-remaining-requests",
            HeaderValue::from_static("7"),
        );
        assert_eq!(exhausted_for(&h), None, "budget left: no pause");
        let mut h = HeaderMap::new();
        h.insert(
            "anthropic-ratelimit-requests-remaining",
            HeaderValue::from_static("0"),
        );
        assert_eq!(exhausted_for(&h), Some(Duration::from_secs(1)));
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("999999"));
        assert_eq!(retry_after(&h), Some(MAX_HEADER_PAUSE), "capped");
    }

    #[test]
    fn statuses_map_to_retryability() {
        let h = HeaderMap::new();
        assert!(status_error(429, &h, "").is_retryable());
        assert!(status_error(503, &h, "busy").is_retryable());
        assert!(status_error(529, &h, "overloaded").is_retryable());
        assert!(!status_error(400, &h, "bad").is_retryable());
        assert!(!status_error(401, &h, "").is_retryable());
    }
}
