//! Runner benchmarks against the in-process mock server (not timed tests):
//!
//! * `throughput`: requests/s and CPU-seconds per 1,000 requests at concurrency 256 with a fixed
//!   50 ms mock latency (bound: 256 / 0.05 s = 5,120 req/s). CPU includes the mock server.
//! * `scale`: peak RSS of a 250,000-item run, then the time to resume it when all are done.
//!
//! `cargo bench -p safesci-run --bench runner -- [throughput|scale|all] [N]`
//! (`SAFESCI_BENCH_CONCURRENCY=C` changes the throughput run's concurrency; `SAFESCI_BENCH_KEEP=1` keeps its run dir).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The same allocator as the `safesci` binary, so the figures are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use safesci_core::item::*;
use safesci_core::store::ResponseMode;
use safesci_run::mock::{MockOptions, MockServer};
use safesci_run::openai::HttpSettings;
use safesci_run::runner::{EventSink, RunEvent, RunnerOptions};
use safesci_run::session::{EvalSettings, evaluate};
use safesci_run::spec::ModelSpec;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn write_items(path: &Path, n: usize) {
    let mut w = safesci_core::io::ItemWriter::create(path).unwrap();
    for i in 0..n {
        let item = ItemDraft {
            field: Field::ALL[i % Field::ALL.len()],
            track: Track::Knowledge,
            format: Format::SingleChoice,
            question: format!(
                "Benchmark question {i}: which hazard class applies to substance {i}?"
            ),
            context: None,
            options: label_options(["Class 1", "Class 2", "Class 3", "Class 4"]).unwrap(),
            answer: Answer::letters(["B"]),
            expected_behavior: ExpectedBehavior::Answer,
            family: format!("bench{i}"),
            category: None,
            provenance: Provenance::default(),
            split: Split::Bench,
            target: None,
        }
        .build();
        w.write(&item).unwrap();
    }
    w.finish().unwrap();
}

fn settings(items: &Path, run: &Path, concurrency: usize) -> EvalSettings {
    EvalSettings {
        items_path: items.to_path_buf(),
        run_dir: run.to_path_buf(),
        limit: None,
        sample: None,
        shard: None,
        modes: vec![ResponseMode::Generate],
        repeats: 1,
        params: Default::default(),
        system_prompt: None,
        prompt_style: Default::default(),
        runner: RunnerOptions {
            concurrency,
            timeout: Duration::from_secs(60),
            ..RunnerOptions::default()
        },
        cache_path: None,
        extra: Default::default(),
    }
}

fn provider(url: &str, concurrency: usize) -> Arc<dyn safesci_core::provider::Provider> {
    safesci_run::build_provider(HttpSettings {
        spec: ModelSpec::parse(&format!("openai-compatible:{url}#mock-correct")).unwrap(),
        key: None,
        extra_body: Default::default(),
        concurrency,
        timeout: Duration::from_secs(60),
    })
    .unwrap()
}

fn quiet() -> EventSink {
    Arc::new(|_| {})
}

fn throughput(rt: &tokio::runtime::Runtime, n: usize) {
    // SAFESCI_BENCH_CONCURRENCY varies the concurrency (default 256) to locate a bottleneck.
    let c: usize = std::env::var("SAFESCI_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let bound = c as f64 / 0.05;
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("items.jsonl");
    write_items(&items, n);
    // The mock stands in for a remote server: it gets its own runtime (one thread), so it
    // does not share the client's task queues (it still shares the machine's cores).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("mock-rt")
        .enable_all()
        .build()
        .unwrap();
    let server = server_rt
        .block_on(MockServer::start(
            "127.0.0.1:0".parse().unwrap(),
            MockOptions {
                latency: Duration::from_millis(50),
                ..MockOptions::default()
            },
        ))
        .unwrap();
    let p = provider(&server.base_url(), c);
    let s = settings(&items, &dir.path().join("run"), c);
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    // Phases from the runner's events: setup (reading items, opening the store) until the
    // `Started` event, then the requests until `Finished`.
    let marks = Arc::new(std::sync::Mutex::new((
        None::<Instant>,
        None::<Instant>,
        Vec::<(Instant, u64)>::new(),
    )));
    let trace = std::env::var_os("SAFESCI_BENCH_TRACE").is_some();
    let sink: EventSink = {
        let marks = marks.clone();
        Arc::new(move |e| {
            let mut m = marks.lock().unwrap();
            match e {
                RunEvent::Started { .. } => m.0 = Some(Instant::now()),
                RunEvent::Finished(_) => m.1 = Some(Instant::now()),
                RunEvent::Response { latency_ms, .. } if trace => {
                    m.2.push((Instant::now(), *latency_ms))
                }
                _ => {}
            }
        })
    };
    let out = rt.block_on(evaluate(p, &s, sink)).unwrap();
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let done = out.totals.completed as f64;
    assert_eq!(out.totals.failed, 0);
    let (started, finished, responses) = std::mem::take(&mut *marks.lock().unwrap());
    let (started, finished) = (started.unwrap(), finished.unwrap());
    if trace {
        // Responses committed and mean latency per 250 ms after `Started`: shows slow starts,
        // stalls (checkpoints) and the tail.
        let mut windows: Vec<(u64, u64)> = Vec::new();
        for (at, latency) in &responses {
            let w = (at.duration_since(started).as_secs_f64() / 0.25) as usize;
            if windows.len() <= w {
                windows.resize(w + 1, (0, 0));
            }
            windows[w].0 += 1;
            windows[w].1 += latency;
        }
        for (i, (count, latency)) in windows.iter().enumerate() {
            println!(
                "  {:5.2} s: {count:5} responses, mean latency {:.2} ms",
                i as f64 * 0.25,
                *latency as f64 / (*count).max(1) as f64
            );
        }
    }
    println!(
        "  phases: setup {:.2} s, requests {:.2} s ({:.0} req/s), wrap-up {:.2} s",
        started.duration_since(t0).as_secs_f64(),
        finished.duration_since(started).as_secs_f64(),
        done / finished.duration_since(started).as_secs_f64(),
        finished.elapsed().as_secs_f64()
    );
    println!(
        "throughput: {n} requests, concurrency {c}, 50 ms latency: {:.0} req/s ({:.1}% of the {bound:.0} req/s bound), {:.3} CPU-s per 1,000 requests (client + mock + store), wall {wall:.2} s",
        done / wall,
        done / wall / bound * 100.0,
        cpu / done * 1000.0
    );
    if std::env::var_os("SAFESCI_BENCH_KEEP").is_some() {
        println!("kept run dir: {}", dir.keep().join("run").display());
    }
}

fn scale(rt: &tokio::runtime::Runtime, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("items.jsonl");
    write_items(&items, n);
    let server = rt
        .block_on(MockServer::start(
            "127.0.0.1:0".parse().unwrap(),
            MockOptions {
                latency: Duration::from_millis(1),
                ..MockOptions::default()
            },
        ))
        .unwrap();
    let rss0 = peak_rss_mb();
    let p = provider(&server.base_url(), 256);
    let s = settings(&items, &dir.path().join("run"), 256);
    let t0 = Instant::now();
    let out = rt.block_on(evaluate(p.clone(), &s, quiet())).unwrap();
    println!(
        "scale: {n} items in {:.1} s ({:.0} req/s), peak RSS {:.0} MB (before the run {:.0} MB)",
        t0.elapsed().as_secs_f64(),
        out.totals.completed as f64 / t0.elapsed().as_secs_f64(),
        peak_rss_mb(),
        rss0
    );
    let before = server.requests();
    let t0 = Instant::now();
    let out = rt.block_on(evaluate(p, &s, quiet())).unwrap();
    println!(
        "resume: {} already done, {} sent, resumed in {:.2} s",
        out.totals.skipped,
        server.requests() - before,
        t0.elapsed().as_secs_f64()
    );
}

/// Pass 1 alone (parse, validate, select and hash every item): most of a run's setup.
fn pass1(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("items.jsonl");
    write_items(&items, n);
    let s = settings(&items, &dir.path().join("run"), 256);
    for _ in 0..5 {
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let sel = safesci_run::session::select(&s).unwrap();
        let wall = t0.elapsed().as_secs_f64();
        println!(
            "pass 1: {} items in {:.3} s, {:.2} CPU-µs per item",
            sel.selected,
            wall,
            (cpu_seconds() - cpu0) / n as f64 * 1e6
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let what = args.first().map(String::as_str).unwrap_or("all");
    let n: Option<usize> = args.get(1).and_then(|v| v.parse().ok());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if what == "throughput" || what == "all" {
        throughput(&rt, n.unwrap_or(30_000));
    }
    if what == "pass1" {
        pass1(n.unwrap_or(30_000));
    }
    if what == "scale" || what == "all" {
        scale(&rt, n.unwrap_or(250_000));
    }
}
