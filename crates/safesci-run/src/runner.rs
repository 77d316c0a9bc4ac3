//! The runner: work units → provider → run store, with bounded, adaptive concurrency.
//!
//! Shape (no task per item, so 250,000 items cost no more memory than 250):
//!
//! ```text
//! producer (blocking thread) --bounded channel--> N worker tasks (JoinSet) --channel--> writer thread
//!                                                  | limiter (AIMD on 429)          | RunStore + cache
//! ```
//!
//! * The producer streams units (and item snapshots) from the caller's feed; the bounded channel
//!   makes it wait while workers are busy.
//! * Workers take a slot from the [`Limiter`] per attempt: the limit halves on a rate-limit error
//!   (at most once a second) and grows by one after `limit` successes, up to the cap.
//! * Retryable errors back off exponentially with jitter (capped), honouring `retry-after`;
//!   fatal errors and exhausted retries become `ResponseOutcome::Failed` rows, retried next run.
//! * The writer commits whatever has arrived in one transaction, then (only then) emits the
//!   `Response`/`Failed` events: an event means the response is durable.
//!
//! The runner never prints; callers render [`RunEvent`]s.

use crate::cache::{CacheWriter, CachedResponse, ResponseCache, cache_key};
use crate::{RunError, now_secs};
use rand::Rng;
use safesci_core::item::{Item, ItemId};
use safesci_core::provider::{ChoiceRequest, CompletionRequest, Provider, ProviderError, Usage};
use safesci_core::store::{ResponseKey, ResponseMode, ResponseOutcome, ResponseRecord, RunStore};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// What to send for one response key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UnitRequest {
    Generate(CompletionRequest),
    Loglik(ChoiceRequest),
}

/// One request to make.
#[derive(Debug, Clone)]
pub struct WorkUnit {
    pub key: ResponseKey,
    pub request: UnitRequest,
}

/// Runner knobs.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Most requests in flight (also capped by the provider's `max_concurrency`).
    pub concurrency: usize,
    /// Attempts per request before it is recorded as failed.
    pub max_attempts: u32,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// First backoff delay; doubles per attempt.
    pub backoff_base: Duration,
    /// Longest backoff delay.
    pub backoff_cap: Duration,
    /// Extra cache-key material that the provider info lacks (e.g. extra body fields).
    pub cache_salt: String,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            concurrency: 32,
            max_attempts: 6,
            timeout: Duration::from_secs(300),
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(30),
            cache_salt: String::new(),
        }
    }
}

/// Totals of one run (this invocation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RunTotals {
    /// Units of the plan (done before + to do now).
    pub total: u64,
    /// Already finished before this invocation.
    pub skipped: u64,
    /// Answered now (including cache hits).
    pub completed: u64,
    /// Failed now (recorded, retried next run).
    pub failed: u64,
    pub cache_hits: u64,
    pub retries: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub elapsed_ms: u64,
}

/// What the runner reports.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Started {
        total: u64,
        skipped: u64,
        concurrency: usize,
    },
    /// A response is committed.
    Response {
        key: ResponseKey,
        usage: Usage,
        latency_ms: u64,
        cache_hit: bool,
    },
    /// A failure is committed (after retries, or fatal).
    Failed {
        key: ResponseKey,
        error: String,
        retryable: bool,
    },
    /// An attempt failed and will be retried after `delay`.
    Retry {
        key: ResponseKey,
        attempt: u32,
        error: String,
        delay: Duration,
    },
    /// The adaptive concurrency limit changed.
    Concurrency {
        limit: usize,
    },
    Finished(RunTotals),
}

/// Callback receiving events (from several threads).
pub type EventSink = Arc<dyn Fn(&RunEvent) + Send + Sync>;

/// Where the feed puts its output.
pub struct Feed<'a> {
    work: &'a tokio::sync::mpsc::Sender<WorkUnit>,
    writer: &'a tokio::sync::mpsc::Sender<WriterMsg>,
    /// Units rendered but not yet queued: they go out `batch` at a time, so the producer thread
    /// wakes once per batch of free slots instead of once per unit the workers take.
    pending: Vec<WorkUnit>,
    batch: usize,
    handle: tokio::runtime::Handle,
}

impl Feed<'_> {
    /// Queue a unit; `false` once the run is shutting down (stop feeding).
    pub fn unit(&mut self, unit: WorkUnit) -> bool {
        self.pending.push(unit);
        self.pending.len() < self.batch || self.flush()
    }

    /// Queue the pending units (waits for room for all of them).
    fn flush(&mut self) -> bool {
        if self.pending.is_empty() {
            return true;
        }
        match self
            .handle
            .block_on(self.work.reserve_many(self.pending.len()))
        {
            Ok(permits) => {
                for (permit, unit) in permits.zip(self.pending.drain(..)) {
                    permit.send(unit);
                }
                true
            }
            Err(_) => {
                self.pending.clear();
                false
            }
        }
    }
    /// Snapshot items into the run store.
    pub fn items(&mut self, items: Vec<Item>) -> bool {
        self.writer.blocking_send(WriterMsg::Items(items)).is_ok()
    }
    /// Snapshot items into the run store as `(id, line)`: each line as read from the items
    /// file, already parsed and validated by the caller (stored without re-encoding).
    pub fn item_lines(&mut self, lines: Vec<(ItemId, String)>) -> bool {
        self.writer
            .blocking_send(WriterMsg::ItemLines(lines))
            .is_ok()
    }
    /// Set a meta key once everything sent before it is committed.
    pub fn meta(&mut self, key: String, value: String) -> bool {
        self.writer
            .blocking_send(WriterMsg::Meta(key, value))
            .is_ok()
    }
}

/// The producer: runs on a blocking thread.
pub type FeedFn = Box<dyn FnOnce(&mut Feed<'_>) -> Result<(), RunError> + Send>;

pub enum WriterMsg {
    Items(Vec<Item>),
    ItemLines(Vec<(ItemId, String)>),
    Meta(String, String),
    Done(Box<Done>),
}

pub struct Done {
    record: ResponseRecord,
    cache: Option<(String, CachedResponse)>,
}

/// Why an attempt ended, for the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Success,
    RateLimited,
    Other,
}

/// Additive-increase / multiplicative-decrease concurrency limit.
#[derive(Debug)]
struct Limiter {
    state: Mutex<LimitState>,
    notify: Notify,
}

#[derive(Debug)]
struct LimitState {
    limit: usize,
    max: usize,
    in_flight: usize,
    successes: usize,
    last_cut: Option<Instant>,
}

impl Limiter {
    fn new(max: usize) -> Limiter {
        Limiter {
            state: Mutex::new(LimitState {
                limit: max,
                max,
                in_flight: 0,
                successes: 0,
                last_cut: None,
            }),
            notify: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimitState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    async fn acquire(&self) {
        loop {
            let notified = self.notify.notified();
            {
                let mut s = self.lock();
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    if s.in_flight < s.limit {
                        // Pass the wake-up on: more slots may be free.
                        self.notify.notify_one();
                    }
                    return;
                }
            }
            notified.await;
        }
    }

    /// Release a slot; returns the new limit when it changed.
    fn release(&self, signal: Signal) -> Option<usize> {
        let mut s = self.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        let before = s.limit;
        match signal {
            Signal::Success => {
                s.successes += 1;
                if s.successes >= s.limit && s.limit < s.max {
                    s.limit += 1;
                    s.successes = 0;
                }
            }
            Signal::RateLimited => {
                let now = Instant::now();
                if s.last_cut
                    .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1))
                {
                    s.limit = (s.limit / 2).max(1);
                    s.last_cut = Some(now);
                    s.successes = 0;
                }
            }
            Signal::Other => {}
        }
        let after = s.limit;
        drop(s);
        self.notify.notify_one();
        (after != before).then_some(after)
    }
}

/// Backoff before retry number `attempt` (1-based): full jitter in [d/2, d] with
/// d = base·2^(attempt−1) capped; a server's `retry-after` is honoured (plus up to 10% jitter).
pub fn backoff(
    attempt: u32,
    base: Duration,
    cap: Duration,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> Duration {
    if let Some(ra) = retry_after {
        let jitter = ra.mul_f64(rng.random_range(0.0..0.1));
        return ra + jitter;
    }
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let d = exp.min(cap);
    d.mul_f64(rng.random_range(0.5..=1.0))
}

/// Runs units against one provider.
pub struct Runner {
    provider: Arc<dyn Provider>,
    options: RunnerOptions,
    cache: Option<Arc<ResponseCache>>,
}

struct Shared {
    provider: Arc<dyn Provider>,
    options: RunnerOptions,
    cache: Option<Arc<ResponseCache>>,
    limiter: Limiter,
    events: EventSink,
    retries: AtomicU64,
    info: safesci_core::provider::ProviderInfo,
    stop: AtomicBool,
}

impl Runner {
    pub fn new(
        provider: Arc<dyn Provider>,
        options: RunnerOptions,
        cache: Option<Arc<ResponseCache>>,
    ) -> Runner {
        Runner {
            provider,
            options,
            cache,
        }
    }

    /// Effective concurrency cap.
    pub fn concurrency(&self) -> usize {
        self.options
            .concurrency
            .min(self.provider.max_concurrency())
            .max(1)
    }

    /// Run everything `feed` produces. `total`/`skipped` are for the `Started` event and totals.
    pub async fn run(
        &self,
        store: RunStore,
        feed: FeedFn,
        total: u64,
        skipped: u64,
        events: EventSink,
    ) -> Result<(RunTotals, RunStore), RunError> {
        let started = Instant::now();
        let concurrency = self.concurrency();
        events(&RunEvent::Started {
            total,
            skipped,
            concurrency,
        });
        let cache_writer = match &self.cache {
            Some(c) => Some(c.writer()?),
            None => None,
        };
        // Bounded: when the store falls behind, workers wait instead of queueing responses in
        // memory (a 250,000-item run stays flat).
        let (writer_tx, writer_rx) = tokio::sync::mpsc::channel::<WriterMsg>(WRITER_QUEUE);
        let writer_events = events.clone();
        let writer = std::thread::Builder::new()
            .name("safesci-writer".into())
            .spawn(move || write_loop(store, cache_writer, writer_rx, writer_events))
            .map_err(RunError::Thread)?;

        let work_capacity = concurrency * 2;
        let (work_tx, work_rx) = tokio::sync::mpsc::channel::<WorkUnit>(work_capacity);
        let producer_writer = writer_tx.clone();
        let handle = tokio::runtime::Handle::current();
        let producer = tokio::task::spawn_blocking(move || {
            let mut f = Feed {
                work: &work_tx,
                writer: &producer_writer,
                pending: Vec::new(),
                batch: FEED_BATCH.min(work_capacity / 2).max(1),
                handle,
            };
            let fed = feed(&mut f);
            f.flush();
            fed
        });

        let shared = Arc::new(Shared {
            info: self.provider.info(),
            provider: self.provider.clone(),
            options: self.options.clone(),
            cache: self.cache.clone(),
            limiter: Limiter::new(concurrency),
            events: events.clone(),
            retries: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let work_rx = Arc::new(tokio::sync::Mutex::new(work_rx));
        let mut workers = tokio::task::JoinSet::new();
        for worker in 0..concurrency {
            let shared = shared.clone();
            let work_rx = work_rx.clone();
            let writer_tx = writer_tx.clone();
            workers.spawn(async move {
                let mut rng = rand::rngs::SmallRng::seed_from_u64(worker as u64 ^ now_nanos());
                loop {
                    if shared.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let unit = { work_rx.lock().await.recv().await };
                    let Some(unit) = unit else { break };
                    let done = process(&shared, unit, &mut rng).await;
                    if writer_tx
                        .send(WriterMsg::Done(Box::new(done)))
                        .await
                        .is_err()
                    {
                        // The writer stopped (store error): stop taking work.
                        shared.stop.store(true, Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        drop(writer_tx);
        while let Some(joined) = workers.join_next().await {
            joined.map_err(|e| RunError::Task(e.to_string()))?;
        }
        // Workers are gone: dropping the receiver unblocks a producer still feeding.
        drop(work_rx);
        let feed_result = producer.await.map_err(|e| RunError::Task(e.to_string()))?;
        let written = writer
            .join()
            .map_err(|_| RunError::Task("the writer thread panicked".into()))?;
        let (store, mut totals) = written?;
        feed_result?;
        totals.total = total;
        totals.skipped = skipped;
        totals.retries = shared.retries.load(Ordering::Relaxed);
        totals.elapsed_ms = started.elapsed().as_millis() as u64;
        events(&RunEvent::Finished(totals));
        Ok((totals, store))
    }
}

use rand::SeedableRng;

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

async fn call(
    shared: &Shared,
    request: &UnitRequest,
) -> Result<(ResponseOutcome, Usage, Option<String>), ProviderError> {
    let timeout = shared.options.timeout;
    let fut = async {
        match request {
            UnitRequest::Generate(r) => shared.provider.complete(r).await.map(|c| {
                (
                    ResponseOutcome::Text { text: c.text },
                    c.usage,
                    c.fingerprint,
                )
            }),
            UnitRequest::Loglik(r) => shared.provider.score_choices(r).await.map(|s| {
                let usage = s.usage;
                (ResponseOutcome::Choices { scores: s }, usage, None)
            }),
        }
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(ProviderError::Timeout(timeout)),
    }
}

async fn process(shared: &Shared, unit: WorkUnit, rng: &mut impl Rng) -> Done {
    let key = unit.key;
    let cache_key = shared.cache.as_ref().map(|_| {
        let json = serde_json::to_string(&unit.request).unwrap_or_default();
        cache_key(
            &shared.info,
            &shared.options.cache_salt,
            key.mode,
            &json,
            key.repeat,
        )
    });
    if let (Some(cache), Some(ck)) = (&shared.cache, &cache_key) {
        // A cache read failure is a miss, not a run failure.
        if let Ok(Some(hit)) = cache.get(ck) {
            return Done {
                record: ResponseRecord {
                    key,
                    outcome: hit.outcome,
                    usage: hit.usage,
                    latency_ms: 0,
                    attempts: 0,
                    fingerprint: hit.fingerprint,
                    cache_hit: true,
                    created_at: now_secs(),
                },
                cache: None,
            };
        }
    }
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        shared.limiter.acquire().await;
        let started = Instant::now();
        let result = call(shared, &unit.request).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let signal = match &result {
            Ok(_) => Signal::Success,
            Err(ProviderError::RateLimited { .. }) => Signal::RateLimited,
            Err(_) => Signal::Other,
        };
        if let Some(limit) = shared.limiter.release(signal) {
            (shared.events)(&RunEvent::Concurrency { limit });
        }
        match result {
            Ok((outcome, usage, fingerprint)) => {
                let cache = cache_key.map(|k| {
                    (
                        k,
                        CachedResponse {
                            outcome: outcome.clone(),
                            usage,
                            fingerprint: fingerprint.clone(),
                        },
                    )
                });
                return Done {
                    record: ResponseRecord {
                        key,
                        outcome,
                        usage,
                        latency_ms,
                        attempts: attempt,
                        fingerprint,
                        cache_hit: false,
                        created_at: now_secs(),
                    },
                    cache,
                };
            }
            Err(e) if e.is_retryable() && attempt < shared.options.max_attempts => {
                let delay = backoff(
                    attempt,
                    shared.options.backoff_base,
                    shared.options.backoff_cap,
                    e.retry_after(),
                    rng,
                );
                shared.retries.fetch_add(1, Ordering::Relaxed);
                (shared.events)(&RunEvent::Retry {
                    key: key.clone(),
                    attempt,
                    error: e.to_string(),
                    delay,
                });
                tokio::time::sleep(delay).await;
            }
            Err(e) => {
                return Done {
                    record: ResponseRecord {
                        key,
                        outcome: ResponseOutcome::Failed {
                            error: e.to_string(),
                            retryable: e.is_retryable(),
                        },
                        usage: Usage::default(),
                        latency_ms,
                        attempts: attempt,
                        fingerprint: None,
                        cache_hit: false,
                        created_at: now_secs(),
                    },
                    cache: None,
                };
            }
        }
    }
}

/// Most units the producer renders before queueing them (see [`Feed`]).
const FEED_BATCH: usize = 64;

/// Most messages committed in one transaction.
const MAX_BATCH: usize = 2048;

/// Below this many waiting messages the writer waits [`COALESCE`] for more before committing.
const COALESCE_BELOW: usize = 64;

/// Longest wait for company before a commit (see `write_loop`).
const COALESCE: Duration = Duration::from_millis(2);

/// WAL pages between the writer's automatic checkpoints (see `write_loop`).
const WAL_CHECKPOINT_PAGES: i64 = 250;

/// Messages waiting for the writer before senders wait.
const WRITER_QUEUE: usize = 4096;

fn write_loop(
    mut store: RunStore,
    mut cache: Option<CacheWriter>,
    mut rx: tokio::sync::mpsc::Receiver<WriterMsg>,
    events: EventSink,
) -> Result<(RunStore, RunTotals), RunError> {
    // Checkpoint the WAL every 250 pages instead of SQLite's 1,000: the checkpoints during the
    // run happen on this thread, off the requests' path, but the one at close comes after the
    // last response, so a shorter WAL ends the run sooner (0.02–0.05 s → 0.01 s at 30,000).
    let _ = store
        .connection()
        .pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES);
    let mut totals = RunTotals::default();
    let mut records = Vec::new();
    let mut cache_entries = Vec::new();
    let mut items = Vec::new();
    let mut item_lines = Vec::new();
    let mut metas = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        let drain = |batch: &mut Vec<WriterMsg>,
                     rx: &mut tokio::sync::mpsc::Receiver<WriterMsg>| {
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(m) => batch.push(m),
                    Err(_) => break,
                }
            }
        };
        drain(&mut batch, &mut rx);
        if batch.len() < COALESCE_BELOW {
            // A commit costs about the same for one response as for fifty (SQLite rewrites the
            // touched pages either way), so a trickle waits a moment for company. Nothing is
            // reported done before its commit; a kill in this window loses at most
            // `COALESCE` worth of answers, which the next run asks again.
            std::thread::sleep(COALESCE);
            drain(&mut batch, &mut rx);
        }
        for msg in batch {
            match msg {
                WriterMsg::Items(mut i) => items.append(&mut i),
                WriterMsg::ItemLines(mut l) => item_lines.append(&mut l),
                WriterMsg::Meta(k, v) => metas.push((k, v)),
                WriterMsg::Done(done) => {
                    records.push(done.record);
                    if let Some(c) = done.cache {
                        cache_entries.push(c);
                    }
                }
            }
        }
        if !items.is_empty() {
            store.put_items(items.iter())?;
            items.clear();
        }
        if !item_lines.is_empty() {
            store.put_item_json(
                item_lines
                    .iter()
                    .map(|(id, json): &(ItemId, String)| (id.0.as_str(), json.as_str())),
            )?;
            item_lines.clear();
        }
        if !records.is_empty() {
            store.record(&records)?;
        }
        if let Some(cache) = cache.as_mut() {
            // The run store is the source of truth; a cache write failure only costs a re-ask.
            let _ = cache.put_many(&cache_entries);
        }
        cache_entries.clear();
        for (k, v) in metas.drain(..) {
            store.set_meta(&k, &v)?;
        }
        for rec in records.drain(..) {
            match rec.outcome {
                ResponseOutcome::Failed { error, retryable } => {
                    totals.failed += 1;
                    events(&RunEvent::Failed {
                        key: rec.key,
                        error,
                        retryable,
                    });
                }
                _ => {
                    totals.completed += 1;
                    if rec.cache_hit {
                        totals.cache_hits += 1;
                    } else {
                        totals.prompt_tokens += rec.usage.prompt_tokens;
                        totals.completion_tokens += rec.usage.completion_tokens;
                    }
                    events(&RunEvent::Response {
                        key: rec.key,
                        usage: rec.usage,
                        latency_ms: rec.latency_ms,
                        cache_hit: rec.cache_hit,
                    });
                }
            }
        }
    }
    Ok((store, totals))
}

/// Convenience for tests and callers with a ready list of units.
pub fn feed_from(units: Vec<WorkUnit>) -> FeedFn {
    Box::new(move |f: &mut Feed<'_>| {
        for u in units {
            if !f.unit(u) {
                break;
            }
        }
        Ok(())
    })
}

/// Key helper.
pub fn key(item: &Item, repeat: u32, mode: ResponseMode) -> ResponseKey {
    ResponseKey {
        item_id: item.id.clone(),
        repeat,
        mode,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn backoff_grows_caps_and_honours_retry_after() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for attempt in 1..12 {
            let d = backoff(attempt, base, cap, None, &mut rng);
            let full = base.saturating_mul(1 << (attempt - 1)).min(cap);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} vs {full:?}"
            );
        }
        let d = backoff(1, base, cap, Some(Duration::from_secs(5)), &mut rng);
        assert!(d >= Duration::from_secs(5) && d <= Duration::from_millis(5500));
    }

    #[test]
    fn limiter_halves_on_rate_limit_and_regrows() {
        let l = Limiter::new(8);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(l.acquire());
        assert_eq!(l.release(Signal::RateLimited), Some(4));
        rt.block_on(l.acquire());
        assert_eq!(l.release(Signal::RateLimited), None, "one cut per second");
        let mut grew = None;
        for _ in 0..4 {
            rt.block_on(l.acquire());
            grew = grew.or(l.release(Signal::Success));
        }
        assert_eq!(grew, Some(5), "additive increase after `limit` successes");
    }
}
