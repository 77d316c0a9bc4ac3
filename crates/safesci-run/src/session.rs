//! One evaluation: an item file × a provider → a run directory. Reads the items twice, streaming
//! (pass 1 keeps only ids and strata to select, hash and count; pass 2 renders prompts as the
//! runner asks for them), checks the run manifest so a resumed run never mixes settings, and skips
//! every finished response key whatever shard produced it.

use crate::RunError;
use crate::cache::ResponseCache;
use crate::prompt::{PromptStyle, Prompter, TEMPLATE_VERSION, supports_loglik};
use crate::runner::{
    EventSink, Feed, FeedFn, RunTotals, Runner, RunnerOptions, UnitRequest, WorkUnit,
};
use crate::sample::{Shard, stratified_sample};
use safesci_core::io::{
    BadItemPolicy, IoError, for_each_item, for_each_item_line, parse_item_line,
};
use safesci_core::item::{Field, Format, ItemId, Track};
use safesci_core::provider::{GenerationParams, Provider};
use safesci_core::store::{ResponseKey, ResponseMode, RunManifest, RunStore, STORE_SCHEMA_VERSION};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What to evaluate and how.
#[derive(Debug, Clone)]
pub struct EvalSettings {
    pub items_path: PathBuf,
    pub run_dir: PathBuf,
    /// First N items (after sampling).
    pub limit: Option<usize>,
    /// Stratified sample size and seed.
    pub sample: Option<(usize, u64)>,
    pub shard: Option<Shard>,
    pub modes: Vec<ResponseMode>,
    pub repeats: u32,
    pub params: GenerationParams,
    /// `None`: default system prompt; `Some("")`: none.
    pub system_prompt: Option<String>,
    pub prompt_style: PromptStyle,
    pub runner: RunnerOptions,
    /// Response cache file; `None` bypasses the cache.
    pub cache_path: Option<PathBuf>,
    /// Recorded in the manifest's `extra` (config name, …).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Parameters of repeat `repeat`: the seed moves with the repeat index, so repeats at a
/// temperature above zero are independent draws even on backends that honour the seed.
pub fn params_for(params: &GenerationParams, repeat: u32) -> GenerationParams {
    let mut p = params.clone();
    p.seed = p.seed.map(|s| s.wrapping_add(u64::from(repeat)));
    p
}

/// Pass-1 view of one item.
#[derive(Debug, Clone)]
struct Entry {
    id: ItemId,
    format: Format,
    selected: bool,
}

/// Items chosen for the run.
#[derive(Debug)]
pub struct Selection {
    entries: Vec<Entry>,
    /// Hash of the selected ids (all shards).
    pub items_hash: String,
    /// Selected items (all shards).
    pub selected: u64,
    /// Selected items in this shard.
    pub in_shard: u64,
}

/// Lines parsed per round of [`read_strata`].
const PASS1_CHUNK: usize = 8192;

type Strata = (ItemId, Field, Track, Format);

/// One chunk of the items file: its text and, per line, (line number, start, end) in `text`.
#[derive(Default)]
struct Chunk {
    text: Vec<u8>,
    lines: Vec<(usize, usize, usize)>,
}

/// Read up to `max` lines into `chunk` (reusing its buffers); `true` at the end of the file.
fn read_chunk(
    reader: &mut impl std::io::BufRead,
    path: &Path,
    chunk: &mut Chunk,
    line: &mut usize,
    max: usize,
) -> Result<bool, IoError> {
    chunk.text.clear();
    chunk.lines.clear();
    while chunk.lines.len() < max {
        *line += 1;
        let start = chunk.text.len();
        let n = reader
            .read_until(b'\n', &mut chunk.text)
            .map_err(|source| IoError::Read {
                path: path.to_path_buf(),
                line: *line,
                source,
            })?;
        if n == 0 {
            return Ok(true);
        }
        chunk.lines.push((*line, start, chunk.text.len()));
    }
    Ok(false)
}

/// Parse some lines of `text` as [`for_each_item`] would (blank lines skipped).
fn parse_lines(
    path: &Path,
    text: &[u8],
    lines: &[(usize, usize, usize)],
) -> Result<Vec<Strata>, IoError> {
    let mut parsed = Vec::with_capacity(lines.len());
    for &(line, start, end) in lines {
        // `read_line` (the sequential reader) fails on the same lines, the same way.
        let s = std::str::from_utf8(&text[start..end]).map_err(|_| IoError::Read {
            path: path.to_path_buf(),
            line,
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ),
        })?;
        let s = s.trim();
        if !s.is_empty() {
            let item = parse_item_line(path, line, s)?;
            parsed.push((item.id, item.field, item.track, item.format));
        }
    }
    Ok(parsed)
}

/// Pass 1's reading: every item parsed and validated exactly as [`for_each_item`] with
/// [`BadItemPolicy::Stop`] does (same line numbers, the first bad line's error), but each chunk of
/// lines is parsed on all cores while this thread reads the next chunk. Parsing (JSON plus the
/// content-id check) is most of the time a run spends before its first request. Two chunk
/// buffers are reused throughout: a `String` per line made the kernel zero fresh pages for every
/// chunk (a third of the pass's time).
fn read_strata(path: &Path, chunk_lines: usize) -> Result<Vec<Strata>, RunError> {
    let file = std::fs::File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk_lines = chunk_lines.max(1);
    let mut out = Vec::new();
    let mut line = 0usize;
    let (mut cur, mut next) = (Chunk::default(), Chunk::default());
    let mut eof = read_chunk(&mut reader, path, &mut cur, &mut line, chunk_lines)?;
    loop {
        let parts = cur.lines.len().div_ceil(128).clamp(1, threads);
        let per = cur.lines.len().div_ceil(parts).max(1);
        let (parsed, next_eof) = std::thread::scope(|scope| {
            let (text, lines) = (&cur.text, &cur.lines);
            let handles: Vec<_> = lines
                .chunks(per)
                .map(|part| scope.spawn(move || parse_lines(path, text, part)))
                .collect();
            let next_eof = if eof {
                Ok(true)
            } else {
                read_chunk(&mut reader, path, &mut next, &mut line, chunk_lines)
            };
            let parsed: Vec<Result<Vec<Strata>, IoError>> = handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(IoError::Read {
                            path: path.to_path_buf(),
                            line: 0,
                            source: std::io::Error::other("an item-parsing thread panicked"),
                        })
                    })
                })
                .collect();
            (parsed, next_eof)
        });
        // Parts are contiguous and in order, and this chunk's lines precede the next chunk's, so
        // the first error seen is the first bad line's.
        for part in parsed {
            out.extend(part?);
        }
        if eof {
            return Ok(out);
        }
        eof = next_eof?;
        std::mem::swap(&mut cur, &mut next);
    }
}

/// `i` + 16 lowercase hex digits (a content id) as the number the digits spell.
fn id_key(id: &str) -> Option<u64> {
    let hex = id.strip_prefix('i')?;
    if hex.len() != 16 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// Pass 1: read ids and strata, apply sampling and limit.
pub fn select(settings: &EvalSettings) -> Result<Selection, RunError> {
    let raw = read_strata(&settings.items_path, PASS1_CHUNK)?;
    let mut chosen: Vec<usize> = match settings.sample {
        Some((n, seed)) => {
            let view: Vec<(&str, Field, Track)> = raw
                .iter()
                .map(|(id, f, t, _)| (id.0.as_str(), *f, *t))
                .collect();
            stratified_sample(&view, n, seed)
        }
        None => (0..raw.len()).collect(),
    };
    if let Some(limit) = settings.limit {
        chosen.truncate(limit);
    }
    let mut selected = vec![false; raw.len()];
    for i in &chosen {
        selected[*i] = true;
    }
    let mut h = Sha256::new();
    let mut count = 0u64;
    let mut in_shard = 0u64;
    let mut take = |id: &str, h: &mut Sha256| {
        h.update(id.as_bytes());
        h.update(b"\n");
        count += 1;
        if settings.shard.is_none_or(|s| s.contains(id)) {
            in_shard += 1;
        }
    };
    // Duplicate ids in a file are one item: the first occurrence wins. The hash covers the
    // selected ids in sorted order. A valid item's id is `i` and 16 lowercase hex digits (its
    // content hash), whose order is that of the number they spell, so sorting (number, line)
    // pairs both orders the ids and puts each id's first occurrence first, several times
    // faster than hashing every id into a set and sorting strings (this part of pass 1 runs
    // on one core).
    let keys: Option<Vec<(u64, u32)>> = chosen
        .iter()
        .map(|&i| Some((id_key(&raw[i].0.0)?, u32::try_from(i).ok()?)))
        .collect();
    match keys {
        Some(mut keys) => {
            keys.sort_unstable();
            let mut last = None;
            for (key, i) in keys {
                let i = i as usize;
                if last == Some(key) {
                    selected[i] = false;
                    continue;
                }
                last = Some(key);
                take(&raw[i].0.0, &mut h);
            }
        }
        None => {
            // Ids of another shape (never from a validated file; kept for safety).
            let mut seen = HashSet::new();
            let mut ids: Vec<&str> = Vec::with_capacity(chosen.len());
            for (i, (id, ..)) in raw.iter().enumerate() {
                if selected[i] && !seen.insert(id.0.as_str()) {
                    selected[i] = false;
                }
                if selected[i] {
                    ids.push(id.0.as_str());
                }
            }
            ids.sort_unstable();
            for id in ids {
                take(id, &mut h);
            }
        }
    }
    let items_hash = hex::encode(h.finalize());
    let entries = raw
        .into_iter()
        .zip(selected)
        .map(|((id, _, _, format), selected)| Entry {
            id,
            format,
            selected,
        })
        .collect();
    Ok(Selection {
        entries,
        items_hash,
        selected: count,
        in_shard,
    })
}

fn modes_for(format: Format, modes: &[ResponseMode]) -> impl Iterator<Item = ResponseMode> + '_ {
    modes
        .iter()
        .copied()
        .filter(move |m| *m == ResponseMode::Generate || supports_loglik(format))
}

/// The manifest this evaluation writes.
pub fn manifest(
    settings: &EvalSettings,
    selection: &Selection,
    provider: safesci_core::provider::ProviderInfo,
) -> RunManifest {
    let mut extra = settings.extra.clone();
    if let Some(shard) = settings.shard {
        extra.insert("shard".into(), serde_json::Value::String(shard.to_string()));
    }
    extra.insert(
        "prompt_style".into(),
        serde_json::to_value(settings.prompt_style).unwrap_or_default(),
    );
    RunManifest {
        schema_version: STORE_SCHEMA_VERSION,
        safesci_version: env!("CARGO_PKG_VERSION").to_string(),
        items_hash: selection.items_hash.clone(),
        item_count: selection.selected,
        items_path: settings.items_path.display().to_string(),
        template_version: TEMPLATE_VERSION.to_string(),
        provider,
        params: settings.params.clone(),
        modes: settings.modes.clone(),
        repeats: settings.repeats,
        sample_seed: settings.sample.map(|(_, s)| s),
        system_prompt: settings.system_prompt.clone(),
        created_at: crate::now_secs(),
        extra,
    }
}

/// Fields that may differ between runs that are one run (resumed, sharded, moved).
fn comparable(m: &RunManifest) -> serde_json::Value {
    let mut v = serde_json::to_value(m).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        for k in ["created_at", "items_path", "safesci_version"] {
            o.remove(k);
        }
        if let Some(extra) = o.get_mut("extra").and_then(|e| e.as_object_mut()) {
            extra.remove("shard");
            extra.remove("merged_from");
        }
    }
    v
}

/// Names of the top-level fields where two manifests differ (ignoring run-local fields).
pub fn manifest_differences(a: &RunManifest, b: &RunManifest) -> Vec<String> {
    let (a, b) = (comparable(a), comparable(b));
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["manifest".into()];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("`{k}`"))
        .collect()
}

/// Result of [`evaluate`].
#[derive(Debug, Clone)]
pub struct EvalOutcome {
    pub totals: RunTotals,
    pub manifest: RunManifest,
    pub run_dir: PathBuf,
}

/// Counts of the plan for this shard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    pub total: u64,
    pub finished: u64,
}

fn plan_counts(
    selection: &Selection,
    settings: &EvalSettings,
    finished: &HashSet<ResponseKey>,
) -> PlanCounts {
    let mut c = PlanCounts::default();
    for e in selection.entries.iter().filter(|e| e.selected) {
        if !settings.shard.is_none_or(|s| s.contains(&e.id.0)) {
            continue;
        }
        for repeat in 0..settings.repeats {
            for mode in modes_for(e.format, &settings.modes) {
                c.total += 1;
                let key = ResponseKey {
                    item_id: e.id.clone(),
                    repeat,
                    mode,
                };
                if finished.contains(&key) {
                    c.finished += 1;
                }
            }
        }
    }
    c
}

/// Open (or create) the run store and check the manifest against it.
pub fn open_run(settings: &EvalSettings, manifest: &RunManifest) -> Result<RunStore, RunError> {
    let store = RunStore::create(&settings.run_dir)?;
    check_manifest(store, settings, manifest)
}

/// The manifest half of [`open_run`]: a new store takes `manifest`, an old one must match it.
fn check_manifest(
    store: RunStore,
    settings: &EvalSettings,
    manifest: &RunManifest,
) -> Result<RunStore, RunError> {
    match store.manifest()? {
        Some(old) => {
            let diff = manifest_differences(&old, manifest);
            if !diff.is_empty() {
                return Err(RunError::ManifestMismatch {
                    dir: settings.run_dir.clone(),
                    differences: format!("differs in {}", diff.join(", ")),
                });
            }
            if old.extra.get("shard") != manifest.extra.get("shard") {
                let mut updated = old;
                match manifest.extra.get("shard") {
                    Some(s) => updated.extra.insert("shard".into(), s.clone()),
                    None => updated.extra.remove("shard"),
                };
                store.set_manifest(&updated)?;
            }
        }
        None => store.set_manifest(manifest)?,
    }
    Ok(store)
}

/// Remove a store [`evaluate`] created for a run that then could not start, and the directories
/// it made (`dir` up to `first_new`, each only if empty). Best effort: a leftover empty store is
/// harmless.
fn discard_new_store(dir: &Path, first_new: Option<&Path>) {
    let file = safesci_core::store::STORE_FILE;
    for name in [
        file.to_string(),
        format!("{file}-wal"),
        format!("{file}-shm"),
    ] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let Some(first_new) = first_new else {
        return;
    };
    for d in dir.ancestors() {
        if std::fs::remove_dir(d).is_err() || d == first_new {
            break;
        }
    }
}

/// Run the evaluation.
pub async fn evaluate(
    provider: Arc<dyn Provider>,
    settings: &EvalSettings,
    events: EventSink,
) -> Result<EvalOutcome, RunError> {
    // SQLite's file creation (several fsyncs: 10–20 ms on a busy disk) runs on its own thread
    // while pass 1 parses the items; the manifest is checked once both are done.
    let dir = settings.run_dir.clone();
    // The highest directory that `RunStore::create` will make (none when the run dir exists).
    let first_new = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .last()
        .map(Path::to_path_buf);
    let store_existed = dir.join(safesci_core::store::STORE_FILE).exists();
    let opening = std::thread::Builder::new()
        .name("safesci-open".into())
        .spawn(move || RunStore::create(&dir))
        .map_err(RunError::Thread)?;
    let selected = select(settings);
    let opened = opening
        .join()
        .map_err(|_| RunError::Task("the store-opening thread panicked".into()))?;
    let selection = match selected {
        Ok(s) => s,
        Err(e) => {
            // As before the overlap: an unreadable items file leaves no new run behind.
            drop(opened);
            if !store_existed {
                discard_new_store(&settings.run_dir, first_new.as_deref());
            }
            return Err(e);
        }
    };
    let manifest = manifest(settings, &selection, provider.info());
    let store = check_manifest(opened?, settings, &manifest)?;
    let finished = store.finished()?;
    let counts = plan_counts(&selection, settings, &finished);
    let shard_tag = settings.shard.map(|s| s.to_string()).unwrap_or_default();
    let snapshot_key = format!("items_snapshot:{}:{shard_tag}", selection.items_hash);
    let snapshot_done = store.meta(&snapshot_key)?.is_some();
    let cache = match &settings.cache_path {
        Some(p) => Some(Arc::new(ResponseCache::open(p)?)),
        None => None,
    };
    let runner = Runner::new(provider, settings.runner.clone(), cache);
    let feed = make_feed(
        settings.clone(),
        selection,
        finished,
        counts,
        snapshot_done,
        snapshot_key,
    );
    let (totals, _store) = runner
        .run(store, feed, counts.total, counts.finished, events)
        .await?;
    Ok(EvalOutcome {
        totals,
        manifest,
        run_dir: settings.run_dir.clone(),
    })
}

/// Items per snapshot message (the writer commits a message at once: small ones keep its
/// bursts of work short).
const SNAPSHOT_CHUNK: usize = 256;

fn make_feed(
    settings: EvalSettings,
    selection: Selection,
    finished: HashSet<ResponseKey>,
    counts: PlanCounts,
    snapshot_done: bool,
    snapshot_key: String,
) -> FeedFn {
    Box::new(move |feed: &mut Feed<'_>| {
        if snapshot_done && counts.finished == counts.total {
            // Nothing to do: do not even read the items again.
            return Ok(());
        }
        let prompter = Prompter::new(settings.system_prompt.clone(), settings.prompt_style);
        let mut snapshot: Vec<(ItemId, String)> = Vec::new();
        let mut index = 0usize;
        let mut failure: Option<RunError> = None;
        let mut stopped = false;
        let path = settings.items_path.clone();
        for_each_item_line(&path, BadItemPolicy::Stop, |item, line| {
            if stopped || failure.is_some() {
                return;
            }
            let entry = selection.entries.get(index);
            index += 1;
            let Some(entry) = entry else {
                failure = Some(RunError::ItemsChanged {
                    path: path.clone(),
                    line: index,
                });
                return;
            };
            if entry.id != item.id {
                failure = Some(RunError::ItemsChanged {
                    path: path.clone(),
                    line: index,
                });
                return;
            }
            if !entry.selected || !settings.shard.is_none_or(|s| s.contains(&item.id.0)) {
                return;
            }
            for repeat in 0..settings.repeats {
                for mode in modes_for(item.format, &settings.modes) {
                    let key = ResponseKey {
                        item_id: item.id.clone(),
                        repeat,
                        mode,
                    };
                    if finished.contains(&key) {
                        continue;
                    }
                    let request = match mode {
                        ResponseMode::Generate => prompter
                            .completion(&item, &params_for(&settings.params, repeat))
                            .map(UnitRequest::Generate),
                        ResponseMode::Loglik => match prompter.choice(&item) {
                            Ok(Some(c)) => Ok(UnitRequest::Loglik(c)),
                            Ok(None) => continue,
                            Err(e) => Err(e),
                        },
                    };
                    match request {
                        Ok(request) => {
                            if !feed.unit(WorkUnit { key, request }) {
                                stopped = true;
                                return;
                            }
                        }
                        Err(e) => {
                            failure = Some(e.into());
                            return;
                        }
                    }
                }
            }
            if !snapshot_done {
                snapshot.push((item.id, line.to_string()));
                if snapshot.len() >= SNAPSHOT_CHUNK
                    && !feed.item_lines(std::mem::take(&mut snapshot))
                {
                    stopped = true;
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if !snapshot_done && !stopped {
            if !snapshot.is_empty() {
                feed.item_lines(snapshot);
            }
            feed.meta(snapshot_key, crate::now_secs().to_string());
        }
        Ok(())
    })
}

/// Dry-run figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct CostEstimate {
    pub requests: u64,
    pub already_done: u64,
    pub prompt_tokens: u64,
    /// Upper bound: `max_tokens` per generation request.
    pub max_completion_tokens: u64,
    /// Typical answer lengths per format (tags and a letter for choice, more for open text).
    pub typical_completion_tokens: u64,
    /// Dollars at the typical and the maximal output, when a price is known.
    pub cost_typical: Option<f64>,
    pub cost_max: Option<f64>,
}

fn typical_answer_tokens(format: Format) -> u64 {
    match format {
        Format::SingleChoice | Format::MultiChoice | Format::TrueFalse => 8,
        Format::FillBlank => 16,
        Format::OpenQa => 200,
        Format::ProteinGen | Format::GeneGen | Format::CompoundGen => 120,
    }
}

/// Estimate tokens (characters / 4) and cost of what a run would still send.
pub fn estimate(
    settings: &EvalSettings,
    provider: safesci_core::provider::ProviderInfo,
    price: Option<crate::spec::Price>,
) -> Result<CostEstimate, RunError> {
    let selection = select(settings)?;
    // An existing run directory counts as "already done" only if the real run would resume it:
    // the same manifest check as `evaluate`, so a dry run never promises a resume that the run
    // then refuses (e.g. a new model revision in an old directory).
    let finished = match RunStore::open(&settings.run_dir) {
        Ok(store) => {
            if let Some(old) = store.manifest()? {
                let diff = manifest_differences(&old, &manifest(settings, &selection, provider));
                if !diff.is_empty() {
                    return Err(RunError::ManifestMismatch {
                        dir: settings.run_dir.clone(),
                        differences: format!("differs in {}", diff.join(", ")),
                    });
                }
            }
            store.finished()?
        }
        Err(_) => HashSet::new(),
    };
    let prompter = Prompter::new(settings.system_prompt.clone(), settings.prompt_style);
    let mut est = CostEstimate::default();
    let mut index = 0usize;
    let mut failure: Option<RunError> = None;
    for_each_item(&settings.items_path, BadItemPolicy::Stop, |item| {
        let selected = selection.entries.get(index).is_some_and(|e| e.selected);
        index += 1;
        if failure.is_some() || !selected || !settings.shard.is_none_or(|s| s.contains(&item.id.0))
        {
            return;
        }
        for repeat in 0..settings.repeats {
            for mode in modes_for(item.format, &settings.modes) {
                let key = ResponseKey {
                    item_id: item.id.clone(),
                    repeat,
                    mode,
                };
                if finished.contains(&key) {
                    est.already_done += 1;
                    continue;
                }
                let chars: usize = match mode {
                    ResponseMode::Generate => {
                        match prompter.completion(&item, &params_for(&settings.params, repeat)) {
                            Ok(r) => r
                                .messages
                                .iter()
                                .map(|m| m.content.chars().count() + 16)
                                .sum(),
                            Err(e) => {
                                failure = Some(e.into());
                                return;
                            }
                        }
                    }
                    ResponseMode::Loglik => match prompter.choice(&item) {
                        Ok(Some(r)) => {
                            let base: usize = r
                                .messages
                                .iter()
                                .map(|m| m.content.chars().count() + 16)
                                .sum();
                            base * r.continuations.len()
                        }
                        Ok(None) => continue,
                        Err(e) => {
                            failure = Some(e.into());
                            return;
                        }
                    },
                };
                est.requests += 1;
                est.prompt_tokens += chars.div_ceil(4) as u64;
                if mode == ResponseMode::Generate {
                    let max = u64::from(settings.params.max_tokens);
                    est.max_completion_tokens += max;
                    est.typical_completion_tokens += typical_answer_tokens(item.format).min(max);
                }
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(p) = price {
        let cost = |out: u64| {
            (est.prompt_tokens as f64 * p.input_per_mtok + out as f64 * p.output_per_mtok) / 1e6
        };
        est.cost_typical = Some(cost(est.typical_completion_tokens));
        est.cost_max = Some(cost(est.max_completion_tokens));
    }
    Ok(est)
}

/// Default cache path unless bypassed.
pub fn cache_path(no_cache: bool) -> Result<Option<PathBuf>, RunError> {
    if no_cache {
        return Ok(None);
    }
    Ok(Some(crate::cache::default_cache_path()?))
}

/// Does `dir` hold a run store?
pub fn is_run_dir(dir: &Path) -> bool {
    dir.join(safesci_core::store::STORE_FILE).is_file()
}

/// Every request still to make, in memory (batch submission; at most a few hundred thousand).
/// Also snapshots the items into the store.
pub fn pending_units(
    settings: &EvalSettings,
    provider: safesci_core::provider::ProviderInfo,
) -> Result<(RunStore, Vec<crate::runner::WorkUnit>), RunError> {
    let selection = select(settings)?;
    let manifest = manifest(settings, &selection, provider);
    let mut store = open_run(settings, &manifest)?;
    let finished = store.finished()?;
    let prompter = Prompter::new(settings.system_prompt.clone(), settings.prompt_style);
    let mut units = Vec::new();
    let mut items = Vec::new();
    let mut index = 0usize;
    let mut failure: Option<RunError> = None;
    for_each_item(&settings.items_path, BadItemPolicy::Stop, |item| {
        let selected = selection.entries.get(index).is_some_and(|e| e.selected);
        index += 1;
        if failure.is_some() || !selected || !settings.shard.is_none_or(|s| s.contains(&item.id.0))
        {
            return;
        }
        for repeat in 0..settings.repeats {
            let key = ResponseKey {
                item_id: item.id.clone(),
                repeat,
                mode: ResponseMode::Generate,
            };
            if finished.contains(&key) {
                continue;
            }
            match prompter.completion(&item, &params_for(&settings.params, repeat)) {
                Ok(r) => units.push(WorkUnit {
                    key,
                    request: UnitRequest::Generate(r),
                }),
                Err(e) => failure = Some(e.into()),
            }
        }
        items.push(item);
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    store.put_items(items.iter())?;
    Ok((store, units))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use safesci_core::item::{
        Answer, ExpectedBehavior, Item, ItemDraft, Provenance, Split, label_options,
    };
    use std::io::Write;

    fn item(i: usize) -> Item {
        ItemDraft {
            field: Field::ALL[i % Field::ALL.len()],
            track: Track::Knowledge,
            format: Format::SingleChoice,
            question: format!("Pass-one question {i}: which class applies?"),
            context: None,
            options: label_options(["Class 1", "Class 2"]).unwrap(),
            answer: Answer::letters(["A"]),
            expected_behavior: ExpectedBehavior::Answer,
            family: format!("p{i}"),
            category: None,
            provenance: Provenance::default(),
            split: Split::Bench,
            target: None,
        }
        .build()
    }

    fn strata_sequential(path: &Path) -> Result<Vec<Strata>, IoError> {
        let mut out = Vec::new();
        for_each_item(path, BadItemPolicy::Stop, |i| {
            out.push((i.id, i.field, i.track, i.format))
        })?;
        Ok(out)
    }

    #[test]
    fn parallel_pass_one_matches_the_sequential_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        for i in 0..1000 {
            if i % 97 == 0 {
                writeln!(f).unwrap();
            }
            writeln!(f, "{}", serde_json::to_string(&item(i)).unwrap()).unwrap();
        }
        drop(f);
        let expected = strata_sequential(&path).unwrap();
        assert_eq!(expected.len(), 1000);
        for chunk in [1, 300, 400, 8192] {
            assert_eq!(
                read_strata(&path, chunk).unwrap(),
                expected,
                "chunk {chunk}"
            );
        }
    }

    fn settings_for(items: &Path) -> EvalSettings {
        EvalSettings {
            items_path: items.to_path_buf(),
            run_dir: items.with_extension("run"),
            limit: None,
            sample: None,
            shard: None,
            modes: vec![ResponseMode::Generate],
            repeats: 1,
            params: GenerationParams::default(),
            system_prompt: None,
            prompt_style: PromptStyle::default(),
            runner: RunnerOptions::default(),
            cache_path: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn selection_keeps_first_occurrences_and_hashes_sorted_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        // 0..300, then items 5, 250 and 17 again, then 300..310.
        let order: Vec<usize> = (0..300).chain([5, 250, 17]).chain(300..310).collect();
        for &i in &order {
            writeln!(f, "{}", serde_json::to_string(&item(i)).unwrap()).unwrap();
        }
        drop(f);
        for limit in [None, Some(302), Some(40)] {
            let mut settings = settings_for(&path);
            settings.limit = limit;
            let sel = select(&settings).unwrap();
            // Reference: a set of seen ids in file order, then the sorted strings.
            let n = limit.unwrap_or(order.len()).min(order.len());
            let mut seen = HashSet::new();
            let mut ids = Vec::new();
            let mut flags = Vec::new();
            for (pos, &i) in order.iter().enumerate() {
                let id = item(i).id.0;
                let first = pos < n && seen.insert(id.clone());
                if first {
                    ids.push(id);
                }
                flags.push(first);
            }
            ids.sort();
            let mut h = Sha256::new();
            for id in &ids {
                h.update(id.as_bytes());
                h.update(b"\n");
            }
            assert_eq!(sel.items_hash, hex::encode(h.finalize()), "limit {limit:?}");
            assert_eq!(sel.selected, ids.len() as u64);
            assert_eq!(sel.in_shard, ids.len() as u64);
            let got: Vec<bool> = sel.entries.iter().map(|e| e.selected).collect();
            assert_eq!(got, flags, "limit {limit:?}");
        }
    }

    #[test]
    fn id_keys_order_like_the_ids() {
        let mut ids: Vec<String> = (0..500).map(|i| item(i).id.0).collect();
        ids.push("i0000000000000000".into());
        ids.push("iffffffffffffffff".into());
        ids.sort();
        let keys: Vec<u64> = ids.iter().map(|i| id_key(i).unwrap()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for bad in [
            "i",
            "x0123456789abcdef",
            "i0123456789ABCDEF",
            "i0123456789abcde",
            "i+123456789abcdef",
        ] {
            assert_eq!(id_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bad_items_file_leaves_no_new_run_behind() {
        let dir = tempfile::tempdir().unwrap();
        let items = dir.path().join("items.jsonl");
        std::fs::write(
            &items,
            format!("{}\n{{not json\n", serde_json::to_string(&item(1)).unwrap()),
        )
        .unwrap();
        let run = dir.path().join("runs").join("new").join("run");
        let settings = EvalSettings {
            run_dir: run.clone(),
            ..settings_for(&items)
        };
        // Never contacted: the items fail first.
        let provider = crate::build_provider(crate::openai::HttpSettings {
            spec: crate::spec::ModelSpec::parse("openai-compatible:http://127.0.0.1:9/v1#m")
                .unwrap(),
            key: None,
            extra_body: Default::default(),
            concurrency: 1,
            timeout: std::time::Duration::from_secs(1),
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt
            .block_on(evaluate(provider, &settings, Arc::new(|_| {})))
            .unwrap_err();
        assert!(matches!(err, RunError::Items(_)), "{err}");
        assert!(
            !dir.path().join("runs").exists(),
            "new run dirs (and the parents made for them) are removed again"
        );
    }

    #[test]
    fn parallel_pass_one_reports_the_first_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        for i in 0..1000 {
            let mut line = serde_json::to_string(&item(i)).unwrap();
            if i == 700 {
                line = line.replace("\"question\":\"Pass", "\"question\":\"Tampered");
            }
            if i == 900 {
                line = "{not json".into();
            }
            writeln!(f, "{line}").unwrap();
        }
        drop(f);
        let want = strata_sequential(&path).unwrap_err();
        assert_eq!(want.line(), Some(701));
        for chunk in [300, 400, 8192] {
            let RunError::Items(got) = read_strata(&path, chunk).unwrap_err() else {
                panic!("not an item error");
            };
            assert_eq!(got.line(), Some(701), "chunk {chunk}");
            assert_eq!(got.to_string(), want.to_string());
        }
    }
}
