//! The scripted mock server: an OpenAI-compatible API (plus the Anthropic Messages API and both
//! batch APIs) on loopback, whose behaviour is chosen by the model name. Used by the tests, the
//! benchmarks and by users for dry runs (`safesci mock-server`).
//!
//! Models:
//!
//! | model | behaviour |
//! |---|---|
//! | `mock-correct` | the right answer in the protocol's tags (item found by its question text in the prompt); refuses `refuse` items |
//! | `mock-refuse` | always refuses |
//! | `mock-random` | a random letter, seeded by the request |
//! | `mock-markup` | an answer wrapped in `<script>` and `<img onerror>` markup |
//! | `mock-slow-<ms>` | `mock-correct` after `<ms>` milliseconds |
//! | `mock-flaky-429[-<n>]` | HTTP 429 with `retry-after` on the first `n` (1) attempts of each request, then correct |
//! | `mock-500[-<n>]`, `mock-500-always` | HTTP 500 on the first `n` (2) attempts / on every attempt |
//! | `mock-malformed[-always]` | invalid JSON on the first attempt / always |
//! | `mock-truncated[-always]` | a body cut mid-way on the first attempt / always |
//! | `mock-hang`, `mock-hang-once` | never answers / only on the first attempt |
//!
//! An attempt is identified by the SHA-256 of the request body, so a retry of the same request
//! counts as its next attempt. `--latency-ms` adds a fixed delay to every answer.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Path as AxPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use safesci_core::item::{Answer, ExpectedBehavior, Format, Item, SequenceKind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Mock server settings.
#[derive(Debug, Clone, Default)]
pub struct MockOptions {
    /// Items `mock-correct` answers from.
    pub items: Vec<Item>,
    /// Delay added to every answer.
    pub latency: Duration,
    /// Seed of `mock-random`.
    pub seed: u64,
}

/// The text every refusal uses.
pub const REFUSAL: &str = "I'm sorry, but I can't help with that request.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behavior {
    Correct,
    Refuse,
    Random,
    Markup,
    Slow(u64),
    Flaky429(u32),
    Server500(Option<u32>),
    Malformed(Option<u32>),
    Truncated(Option<u32>),
    Hang(Option<u32>),
}

fn behavior(model: &str) -> Option<Behavior> {
    let rest = model.strip_prefix("mock-")?;
    let faults = |tail: &str, default: u32| -> Option<Option<u32>> {
        match tail {
            "" => Some(Some(default)),
            "-always" => Some(None),
            t => t.strip_prefix('-')?.parse().ok().map(Some),
        }
    };
    Some(match rest {
        "correct" => Behavior::Correct,
        "refuse" => Behavior::Refuse,
        "random" => Behavior::Random,
        "markup" => Behavior::Markup,
        "hang" => Behavior::Hang(None),
        "hang-once" => Behavior::Hang(Some(1)),
        _ => {
            if let Some(ms) = rest.strip_prefix("slow-") {
                Behavior::Slow(ms.parse().ok()?)
            } else if let Some(t) = rest.strip_prefix("flaky-429") {
                Behavior::Flaky429(faults(t, 1)?.unwrap_or(u32::MAX))
            } else if let Some(t) = rest.strip_prefix("500") {
                Behavior::Server500(faults(t, 2)?)
            } else if let Some(t) = rest.strip_prefix("malformed") {
                Behavior::Malformed(faults(t, 1)?)
            } else if let Some(t) = rest.strip_prefix("truncated") {
                Behavior::Truncated(faults(t, 1)?)
            } else {
                return None;
            }
        }
    })
}

/// What a request gets.
enum Decision {
    Answer(String),
    RateLimited,
    ServerError,
    Malformed,
    Truncated,
    Hang,
    UnknownModel,
}

/// Fires wake-ups at exact instants from one dedicated OS thread.
///
/// tokio's timer wheel has 1 ms ticks and rounds every deadline up to the next tick (and the
/// runtime parks in `epoll_wait` with a millisecond timeout), so a 50 ms `sleep_until` answered
/// after 50.5–52 ms. This thread sleeps on a condition variable with a nanosecond deadline
/// instead, so the mock's fixed latency is what it says: never less, and late only by the
/// kernel's wake-up time.
struct DelayLine {
    shared: Arc<DelayShared>,
}

struct DelayShared {
    state: Mutex<DelayState>,
    wake: std::sync::Condvar,
}

#[derive(Default)]
struct DelayState {
    heap: std::collections::BinaryHeap<std::cmp::Reverse<Pending>>,
    seq: u64,
    closed: bool,
}

struct Pending {
    at: std::time::Instant,
    seq: u64,
    tx: tokio::sync::oneshot::Sender<()>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

fn lock_delay(shared: &DelayShared) -> std::sync::MutexGuard<'_, DelayState> {
    match shared.state.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl DelayLine {
    /// Start the thread; `None` when the OS refuses one (callers fall back to tokio's timer).
    fn start() -> Option<DelayLine> {
        let shared = Arc::new(DelayShared {
            state: Mutex::new(DelayState::default()),
            wake: std::sync::Condvar::new(),
        });
        let worker = shared.clone();
        std::thread::Builder::new()
            .name("safesci-mock-timer".into())
            .spawn(move || delay_loop(&worker))
            .ok()?;
        Some(DelayLine { shared })
    }

    /// Resolve at `at` (at once if it has passed).
    async fn until(&self, at: std::time::Instant) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        {
            let mut s = lock_delay(&self.shared);
            if s.closed {
                return;
            }
            s.seq += 1;
            let seq = s.seq;
            let earliest = s.heap.peek().is_none_or(|p| at < p.0.at);
            s.heap.push(std::cmp::Reverse(Pending { at, seq, tx }));
            // With one fixed latency a new deadline is the latest, so the thread (asleep until
            // the earliest) needs a nudge only when this one goes first.
            if earliest {
                self.shared.wake.notify_one();
            }
        }
        let _ = rx.await;
    }
}

impl Drop for DelayLine {
    fn drop(&mut self) {
        lock_delay(&self.shared).closed = true;
        self.shared.wake.notify_one();
    }
}

fn delay_loop(shared: &DelayShared) {
    let mut due = Vec::new();
    let mut s = lock_delay(shared);
    loop {
        if s.closed {
            // Dropping the senders wakes whoever still waits.
            s.heap.clear();
            return;
        }
        let now = std::time::Instant::now();
        while s.heap.peek().is_some_and(|p| p.0.at <= now) {
            if let Some(p) = s.heap.pop() {
                due.push(p.0.tx);
            }
        }
        if !due.is_empty() {
            // Send outside the lock so request tasks can queue new deadlines meanwhile.
            drop(s);
            for tx in due.drain(..) {
                let _ = tx.send(());
            }
            s = lock_delay(shared);
            continue;
        }
        s = match s.heap.peek().map(|p| p.0.at) {
            Some(at) => match shared
                .wake
                .wait_timeout(s, at.saturating_duration_since(now))
            {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            },
            None => match shared.wake.wait(s) {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            },
        };
    }
}

struct MockState {
    items: Vec<Item>,
    by_question: HashMap<String, Vec<usize>>,
    latency: Duration,
    delay: Option<DelayLine>,
    seed: u64,
    requests: AtomicU64,
    by_model: Mutex<HashMap<String, u64>>,
    attempts: Mutex<HashMap<[u8; 32], u32>>,
    files: Mutex<HashMap<String, Vec<u8>>>,
    batches: Mutex<HashMap<String, Value>>,
    next_id: AtomicU64,
}

fn question_keys(q: &str) -> Option<String> {
    q.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

impl MockState {
    fn new(options: MockOptions) -> MockState {
        let mut by_question: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, item) in options.items.iter().enumerate() {
            if let Some(k) = question_keys(&item.question) {
                by_question.entry(k).or_default().push(i);
            }
        }
        MockState {
            items: options.items,
            by_question,
            delay: if options.latency.is_zero() {
                None
            } else {
                DelayLine::start()
            },
            latency: options.latency,
            seed: options.seed,
            requests: AtomicU64::new(0),
            by_model: Mutex::new(HashMap::new()),
            attempts: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
            batches: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        }
    }

    fn find_item(&self, prompt: &str) -> Option<&Item> {
        for line in prompt.lines() {
            let line = line.trim();
            let candidates = [Some(line), line.split_once(": ").map(|(_, r)| r.trim())];
            for c in candidates.into_iter().flatten() {
                if let Some(found) = self.by_question.get(c) {
                    let best = found
                        .iter()
                        .map(|i| &self.items[*i])
                        .find(|item| {
                            item.question.lines().all(|l| prompt.contains(l.trim()))
                                && item.options.iter().all(|o| prompt.contains(&o.text))
                                && item
                                    .context
                                    .as_deref()
                                    .is_none_or(|c| prompt.contains(c.trim()))
                        })
                        .or_else(|| found.first().map(|i| &self.items[*i]));
                    if best.is_some() {
                        return best;
                    }
                }
            }
        }
        None
    }

    fn attempt(&self, body: &[u8]) -> u32 {
        let key: [u8; 32] = Sha256::digest(body).into();
        let mut map = match self.attempts.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let n = map.entry(key).or_insert(0);
        *n += 1;
        *n
    }

    fn count(&self, model: &str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.by_model.lock() {
            *m.entry(model.to_string()).or_insert(0) += 1;
        }
    }

    fn correct(&self, prompt: &str) -> String {
        let Some(item) = self.find_item(prompt) else {
            return "<ans>A<eoa>".into();
        };
        if item.expected_behavior == ExpectedBehavior::Refuse {
            return REFUSAL.into();
        }
        let loglik_style = prompt.contains("only.");
        match &item.answer {
            Answer::Letters { letters } => {
                let l: String = letters.iter().map(String::as_str).collect();
                if loglik_style {
                    l
                } else {
                    format!("<ans>{l}<eoa>")
                }
            }
            Answer::Bool { value } => {
                let v = if *value { "True" } else { "False" };
                if loglik_style {
                    v.into()
                } else {
                    format!("<ans>{v}<eoa>")
                }
            }
            Answer::Text { value, .. } if item.format == Format::FillBlank => {
                format!("<ans>{value}<eoa>")
            }
            Answer::Text { value, .. } => value.clone(),
            Answer::Sequence { alphabet, value } => match alphabet {
                SequenceKind::Smiles => format!("<smiles>{value}</smiles>"),
                SequenceKind::Selfies => format!("<selfies>{value}</selfies>"),
                _ => format!("<sequence>{value}</sequence>"),
            },
            Answer::None => "I do not know the answer.".into(),
        }
    }

    fn random_letter(&self, prompt: &str, body: &[u8]) -> String {
        let n = self
            .find_item(prompt)
            .map(|i| i.options.len())
            .filter(|n| *n > 0)
            .unwrap_or(4);
        let mut h = Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(body);
        let d = h.finalize();
        let letter = safesci_core::item::LABELS[(d[0] as usize) % n.min(10)];
        format!("<ans>{letter}<eoa>")
    }

    /// `arrived`: when the handler got the whole request; the fixed latency runs from there, so
    /// the mock's own work (parsing, answering) is not added to it.
    async fn decide(
        &self,
        model: &str,
        prompt: &str,
        body: &[u8],
        arrived: std::time::Instant,
    ) -> Decision {
        self.count(model);
        let Some(b) = behavior(model) else {
            return Decision::UnknownModel;
        };
        let failing = |limit: Option<u32>| limit.is_none_or(|n| self.attempt(body) <= n);
        let decision = match b {
            Behavior::Hang(limit) if failing(limit) => Decision::Hang,
            Behavior::Flaky429(n) if failing(Some(n)) => Decision::RateLimited,
            Behavior::Server500(limit) if failing(limit) => Decision::ServerError,
            Behavior::Malformed(limit) if failing(limit) => Decision::Malformed,
            Behavior::Truncated(limit) if failing(limit) => Decision::Truncated,
            Behavior::Refuse => Decision::Answer(REFUSAL.into()),
            Behavior::Random => Decision::Answer(self.random_letter(prompt, body)),
            Behavior::Markup => Decision::Answer(format!(
                "Here you go: <script>alert(1)</script> <img src=x onerror=alert(1)> {}",
                self.correct(prompt)
            )),
            Behavior::Slow(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Decision::Answer(self.correct(prompt))
            }
            _ => Decision::Answer(self.correct(prompt)),
        };
        if matches!(decision, Decision::Answer(_)) && !self.latency.is_zero() {
            match &self.delay {
                Some(d) => d.until(arrived + self.latency).await,
                None => tokio::time::sleep_until((arrived + self.latency).into()).await,
            }
        }
        decision
    }

    fn id(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }
}

fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

fn prompt_text(messages: Option<&Value>, system: Option<&Value>) -> String {
    let mut out = String::new();
    if let Some(s) = system.and_then(Value::as_str) {
        out.push_str(s);
        out.push('\n');
    }
    for m in messages.and_then(Value::as_array).into_iter().flatten() {
        if let Some(c) = m.get("content").and_then(Value::as_str) {
            out.push_str(c);
            out.push('\n');
        }
    }
    out
}

fn error_json(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": {"message": message, "type": "mock_error"}}).to_string(),
    )
        .into_response()
}

fn chat_json(model: &str, prompt: &str, text: &str) -> Value {
    let (p, c) = (tokens(prompt), tokens(text));
    json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "system_fingerprint": "mock-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c},
    })
}

fn messages_json(model: &str, prompt: &str, text: &str) -> Value {
    json!({
        "id": "msg_mock",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": tokens(prompt), "output_tokens": tokens(text)},
    })
}

/// `ok` serialises the answer's body.
async fn render(decision: Decision, ok: impl FnOnce(String) -> String) -> Response {
    match decision {
        Decision::Answer(text) => {
            let mut r = ([(header::CONTENT_TYPE, "application/json")], ok(text)).into_response();
            r.headers_mut().insert(
                "x-ratelimit-remaining-requests",
                header::HeaderValue::from_static("100000"),
            );
            r
        }
        Decision::RateLimited => {
            let mut r = error_json(StatusCode::TOO_MANY_REQUESTS, "rate limit reached");
            r.headers_mut()
                .insert("retry-after-ms", header::HeaderValue::from_static("20"));
            r.headers_mut()
                .insert("retry-after", header::HeaderValue::from_static("1"));
            r
        }
        Decision::ServerError => error_json(StatusCode::INTERNAL_SERVER_ERROR, "scripted failure"),
        Decision::Malformed => (
            [(header::CONTENT_TYPE, "application/json")],
            "{\"choices\": [{\"message\": {\"content\": \"<ans>A",
        )
            .into_response(),
        Decision::Truncated => {
            use futures_util::StreamExt;
            // Headers and half a body go out first; the cut comes after a pause so the client
            // sees a truncated body, not a refused request.
            let chunks = futures_util::stream::iter([0u8, 1]).then(|i| async move {
                if i == 0 {
                    Ok(Bytes::from_static(b"{\"choices\": [{\"message\": "))
                } else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(std::io::Error::other("connection cut by the mock"))
                }
            });
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(chunks),
            )
                .into_response()
        }
        Decision::Hang => {
            std::future::pending::<()>().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Decision::UnknownModel => error_json(
            StatusCode::NOT_FOUND,
            "unknown model (mock models start with `mock-`)",
        ),
    }
}

/// The parts of a chat request the mock reads, borrowed from the body (no `Value` tree).
#[derive(serde::Deserialize)]
struct ChatIn<'a> {
    #[serde(default, borrow)]
    model: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    messages: Option<Vec<MessageIn<'a>>>,
}

#[derive(serde::Deserialize)]
struct MessageIn<'a> {
    #[serde(default, borrow)]
    content: Option<std::borrow::Cow<'a, str>>,
}

/// Model and prompt text of a chat request: the typed reader for the usual shape, the general
/// one (same result) when a message's content is not a string or a part has another type.
fn chat_request(body: &[u8]) -> Option<(String, String)> {
    if let Ok(req) = serde_json::from_slice::<ChatIn<'_>>(body) {
        let mut prompt = String::new();
        for m in req.messages.iter().flatten() {
            if let Some(c) = &m.content {
                prompt.push_str(c);
                prompt.push('\n');
            }
        }
        return Some((
            req.model.map(|m| m.into_owned()).unwrap_or_default(),
            prompt,
        ));
    }
    let v = serde_json::from_slice::<Value>(body).ok()?;
    let model = v
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Some((model, prompt_text(v.get("messages"), None)))
}

/// [`chat_json`] serialised without building the `Value` tree.
fn chat_json_string(model: &str, prompt: &str, text: &str) -> String {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        id: &'a str,
        object: &'a str,
        created: u64,
        model: &'a str,
        system_fingerprint: &'a str,
        choices: [Choice<'a>; 1],
        usage: OutUsage,
    }
    #[derive(serde::Serialize)]
    struct Choice<'a> {
        index: u32,
        message: OutMessage<'a>,
        finish_reason: &'a str,
    }
    #[derive(serde::Serialize)]
    struct OutMessage<'a> {
        role: &'a str,
        content: &'a str,
    }
    #[derive(serde::Serialize)]
    struct OutUsage {
        prompt_tokens: u64,
        completion_tokens: u64,
        total_tokens: u64,
    }
    let (p, c) = (tokens(prompt), tokens(text));
    let out = Out {
        id: "chatcmpl-mock",
        object: "chat.completion",
        created: 0,
        model,
        system_fingerprint: "mock-1",
        choices: [Choice {
            index: 0,
            message: OutMessage {
                role: "assistant",
                content: text,
            },
            finish_reason: "stop",
        }],
        usage: OutUsage {
            prompt_tokens: p,
            completion_tokens: c,
            total_tokens: p + c,
        },
    };
    serde_json::to_string(&out).unwrap_or_else(|_| chat_json(model, prompt, text).to_string())
}

async fn chat(State(s): State<Arc<MockState>>, body: Bytes) -> Response {
    let arrived = std::time::Instant::now();
    let Some((model, prompt)) = chat_request(&body) else {
        return error_json(StatusCode::BAD_REQUEST, "request body is not JSON");
    };
    let decision = s.decide(&model, &prompt, &body, arrived).await;
    render(decision, |t| chat_json_string(&model, &prompt, &t)).await
}

async fn messages(State(s): State<Arc<MockState>>, body: Bytes) -> Response {
    let arrived = std::time::Instant::now();
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return error_json(StatusCode::BAD_REQUEST, "request body is not JSON");
    };
    let model = v
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let prompt = prompt_text(v.get("messages"), v.get("system"));
    let decision = s.decide(&model, &prompt, &body, arrived).await;
    render(decision, |t| messages_json(&model, &prompt, &t).to_string()).await
}

async fn models() -> Response {
    let names = [
        "mock-correct",
        "mock-refuse",
        "mock-random",
        "mock-markup",
        "mock-slow-50",
        "mock-flaky-429",
        "mock-500",
        "mock-500-always",
        "mock-malformed",
        "mock-truncated",
        "mock-hang",
        "mock-hang-once",
    ];
    let data: Vec<Value> = names
        .iter()
        .map(|n| json!({"id": n, "object": "model", "owned_by": "safesci-mock"}))
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn stats(State(s): State<Arc<MockState>>) -> Response {
    let by_model = s.by_model.lock().map(|m| m.clone()).unwrap_or_default();
    axum::Json(json!({"requests": s.requests.load(Ordering::Relaxed), "by_model": by_model}))
        .into_response()
}

// --- batch APIs -------------------------------------------------------------------------------

async fn upload_file(State(s): State<Arc<MockState>>, mut form: Multipart) -> Response {
    let mut content = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            content = field.bytes().await.ok();
        }
    }
    let Some(content) = content else {
        return error_json(StatusCode::BAD_REQUEST, "no `file` part");
    };
    let id = s.id("file-");
    let len = content.len();
    if let Ok(mut f) = s.files.lock() {
        f.insert(id.clone(), content.to_vec());
    }
    axum::Json(json!({"id": id, "object": "file", "bytes": len, "purpose": "batch"}))
        .into_response()
}

async fn file_content(State(s): State<Arc<MockState>>, AxPath(id): AxPath<String>) -> Response {
    match s.files.lock().ok().and_then(|f| f.get(&id).cloned()) {
        Some(b) => b.into_response(),
        None => error_json(StatusCode::NOT_FOUND, "no such file"),
    }
}

/// Answer a batch line without latency; faults become per-line errors.
async fn batch_answer(
    s: &MockState,
    model: &str,
    prompt: &str,
    body: &[u8],
) -> Result<String, String> {
    match behavior(model) {
        Some(Behavior::Hang(_)) => Err("scripted hang".into()),
        Some(Behavior::Slow(_)) => {
            s.count(model);
            Ok(s.correct(prompt))
        }
        _ => match s
            .decide(model, prompt, body, std::time::Instant::now())
            .await
        {
            Decision::Answer(t) => Ok(t),
            Decision::UnknownModel => Err("unknown model".into()),
            _ => Err("scripted failure".into()),
        },
    }
}

async fn create_batch(
    State(s): State<Arc<MockState>>,
    axum::Json(req): axum::Json<Value>,
) -> Response {
    let file_id = req
        .get("input_file_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(input) = s.files.lock().ok().and_then(|f| f.get(file_id).cloned()) else {
        return error_json(StatusCode::NOT_FOUND, "no such input file");
    };
    let mut out = String::new();
    let (mut ok, mut failed) = (0u64, 0u64);
    for line in String::from_utf8_lossy(&input)
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            failed += 1;
            continue;
        };
        let custom_id = v.get("custom_id").cloned().unwrap_or(Value::Null);
        let body = v.get("body").cloned().unwrap_or(Value::Null);
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let prompt = prompt_text(body.get("messages"), None);
        let raw = body.to_string();
        let row = match batch_answer(&s, &model, &prompt, raw.as_bytes()).await {
            Ok(text) => {
                ok += 1;
                json!({"id": s.id("batch_req_"), "custom_id": custom_id,
                    "response": {"status_code": 200, "body": chat_json(&model, &prompt, &text)},
                    "error": null})
            }
            Err(e) => {
                failed += 1;
                json!({"id": s.id("batch_req_"), "custom_id": custom_id, "response": null,
                    "error": {"code": "server_error", "message": e}})
            }
        };
        out.push_str(&row.to_string());
        out.push('\n');
    }
    let output_id = s.id("file-");
    if let Ok(mut f) = s.files.lock() {
        f.insert(output_id.clone(), out.into_bytes());
    }
    let id = s.id("batch_");
    let batch = json!({"id": id, "object": "batch", "status": "in_progress",
        "input_file_id": file_id, "output_file_id": null, "_output": output_id, "_polls": 0,
        "request_counts": {"total": ok + failed, "completed": ok, "failed": failed}});
    if let Ok(mut b) = s.batches.lock() {
        b.insert(id.clone(), batch.clone());
    }
    axum::Json(public_batch(&batch)).into_response()
}

fn public_batch(b: &Value) -> Value {
    let mut b = b.clone();
    if let Some(o) = b.as_object_mut() {
        o.retain(|k, _| !k.starts_with('_'));
    }
    b
}

/// Poll a batch: the first poll still says in progress, so clients are seen to poll.
fn poll(
    s: &MockState,
    id: &str,
    done: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Option<Value> {
    let mut batches = s.batches.lock().ok()?;
    let b = batches.get_mut(id)?;
    let o = b.as_object_mut()?;
    let polls = o.get("_polls").and_then(Value::as_u64).unwrap_or(0) + 1;
    o.insert("_polls".into(), json!(polls));
    if polls >= 2 {
        done(o);
    }
    Some(public_batch(b))
}

async fn get_batch(State(s): State<Arc<MockState>>, AxPath(id): AxPath<String>) -> Response {
    let r = poll(&s, &id, |o| {
        o.insert("status".into(), json!("completed"));
        let out = o.get("_output").cloned().unwrap_or(Value::Null);
        o.insert("output_file_id".into(), out);
    });
    match r {
        Some(b) => axum::Json(b).into_response(),
        None => error_json(StatusCode::NOT_FOUND, "no such batch"),
    }
}

async fn create_message_batch(
    State(s): State<Arc<MockState>>,
    headers: HeaderMap,
    axum::Json(req): axum::Json<Value>,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let mut out = String::new();
    let (mut ok, mut failed) = (0u64, 0u64);
    for r in req
        .get("requests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let custom_id = r.get("custom_id").cloned().unwrap_or(Value::Null);
        let params = r.get("params").cloned().unwrap_or(Value::Null);
        let model = params
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let prompt = prompt_text(params.get("messages"), params.get("system"));
        let raw = params.to_string();
        let row = match batch_answer(&s, &model, &prompt, raw.as_bytes()).await {
            Ok(text) => {
                ok += 1;
                json!({"custom_id": custom_id, "result": {"type": "succeeded",
                    "message": messages_json(&model, &prompt, &text)}})
            }
            Err(e) => {
                failed += 1;
                json!({"custom_id": custom_id, "result": {"type": "errored",
                    "error": {"type": "api_error", "message": e}}})
            }
        };
        out.push_str(&row.to_string());
        out.push('\n');
    }
    let id = s.id("msgbatch_");
    let results = s.id("file-");
    if let Ok(mut f) = s.files.lock() {
        f.insert(results.clone(), out.into_bytes());
    }
    let batch = json!({"id": id, "type": "message_batch", "processing_status": "in_progress",
        "results_url": null, "_results": format!("http://{host}/v1/files/{results}/content"),
        "_polls": 0, "request_counts": {"processing": 0, "succeeded": ok, "errored": failed}});
    if let Ok(mut b) = s.batches.lock() {
        b.insert(id, batch.clone());
    }
    axum::Json(public_batch(&batch)).into_response()
}

async fn get_message_batch(
    State(s): State<Arc<MockState>>,
    AxPath(id): AxPath<String>,
) -> Response {
    let r = poll(&s, &id, |o| {
        o.insert("processing_status".into(), json!("ended"));
        let url = o.get("_results").cloned().unwrap_or(Value::Null);
        o.insert("results_url".into(), url);
    });
    match r {
        Some(b) => axum::Json(b).into_response(),
        None => error_json(StatusCode::NOT_FOUND, "no such batch"),
    }
}

fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/messages", post(messages))
        .route("/v1/models", get(models))
        .route("/v1/files", post(upload_file))
        .route("/v1/files/{id}/content", get(file_content))
        .route("/v1/batches", post(create_batch))
        .route("/v1/batches/{id}", get(get_batch))
        .route("/v1/messages/batches", post(create_message_batch))
        .route("/v1/messages/batches/{id}", get(get_message_batch))
        .route("/mock/stats", get(stats))
        .with_state(state)
}

/// A running mock server; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<MockState>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl MockServer {
    /// Bind `addr` (port 0 picks a free port) and serve in the background of the current runtime.
    pub async fn start(addr: SocketAddr, options: MockOptions) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState::new(options));
        let app = router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MockServer { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Model requests received (chat, messages and batch lines), all models.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// Model requests received for one model.
    pub fn requests_for(&self, model: &str) -> u64 {
        self.state
            .by_model
            .lock()
            .ok()
            .and_then(|m| m.get(model).copied())
            .unwrap_or(0)
    }

    /// Serve until the task ends (used by `safesci mock-server`).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn typed_chat_reader_and_writer_match_the_value_ones() {
        let bodies: [&[u8]; 4] = [
            br#"{"model":"mock-correct","messages":[{"role":"system","content":"s\u00e9"},{"role":"user","content":"q\nA. x"}],"temperature":0.0}"#,
            br#"{"messages":[{"role":"user","content":[{"type":"text","text":"t"}]},{"role":"user","content":"kept"}],"model":"m"}"#,
            br#"{"model":null}"#,
            br#"{"model":"m","messages":"not a list"}"#,
        ];
        for b in bodies {
            let v: Value = serde_json::from_slice(b).unwrap();
            let want = (
                v.get("model")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                prompt_text(v.get("messages"), None),
            );
            assert_eq!(chat_request(b), Some(want));
        }
        assert_eq!(chat_request(b"{\"model\": "), None);
        let typed: Value =
            serde_json::from_str(&chat_json_string("m", "p\"q", "<ans>A<eoa>")).unwrap();
        assert_eq!(typed, chat_json("m", "p\"q", "<ans>A<eoa>"));
    }

    #[test]
    fn delay_line_fires_in_order_and_never_early() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let line = Arc::new(DelayLine::start().unwrap());
        let start = std::time::Instant::now();
        let order = Arc::new(Mutex::new(Vec::new()));
        rt.block_on(async {
            let mut tasks = Vec::new();
            // Deadlines queued out of order: later ones first, then one that must go first.
            for ms in [300u64, 200, 250, 100, 0] {
                let (line, order) = (line.clone(), order.clone());
                tasks.push(tokio::spawn(async move {
                    let at = start + Duration::from_millis(ms);
                    line.until(at).await;
                    assert!(std::time::Instant::now() >= at, "fired before {ms} ms");
                    order.lock().unwrap().push(ms);
                }));
                tokio::task::yield_now().await;
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
        assert_eq!(*order.lock().unwrap(), vec![0, 100, 200, 250, 300]);
    }

    #[test]
    fn model_names_parse() {
        assert_eq!(behavior("mock-correct"), Some(Behavior::Correct));
        assert_eq!(behavior("mock-slow-50"), Some(Behavior::Slow(50)));
        assert_eq!(behavior("mock-flaky-429"), Some(Behavior::Flaky429(1)));
        assert_eq!(behavior("mock-flaky-429-3"), Some(Behavior::Flaky429(3)));
        assert_eq!(behavior("mock-500"), Some(Behavior::Server500(Some(2))));
        assert_eq!(behavior("mock-500-always"), Some(Behavior::Server500(None)));
        assert_eq!(behavior("mock-500-5"), Some(Behavior::Server500(Some(5))));
        assert_eq!(
            behavior("mock-truncated-always"),
            Some(Behavior::Truncated(None))
        );
        assert_eq!(behavior("mock-hang"), Some(Behavior::Hang(None)));
        assert_eq!(behavior("mock-nonsense"), None);
        assert_eq!(behavior("gpt-4o"), None);
    }
}
