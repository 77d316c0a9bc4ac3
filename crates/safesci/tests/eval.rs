//! End-to-end tests of `safesci eval`, `merge` and `mock-server` through the binary, against the
//! scripted mock server on loopback: faults lose and duplicate nothing, SIGKILL + resume equals
//! an uninterrupted run, keys never reach disk or output, and the cache never pays twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_core::item::*;
use safesci_core::store::{ResponseOutcome, RunStore};
use safesci_run::mock::{MockOptions, MockServer};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn items(n: usize) -> Vec<Item> {
    (0..n)
        .map(|i| {
            let (format, options, answer, track, behavior) = match i % 4 {
                0 => (
                    Format::SingleChoice,
                    label_options(["Group 1", "Group 2A", "Group 2B", "Group 3"]).unwrap(),
                    Answer::letters([LABELS[i % 4 + (i / 4) % 3]]),
                    Track::Knowledge,
                    ExpectedBehavior::Answer,
                ),
                1 => (
                    Format::TrueFalse,
                    vec![],
                    Answer::Bool { value: i % 3 == 0 },
                    Track::Knowledge,
                    ExpectedBehavior::Answer,
                ),
                2 => (
                    Format::FillBlank,
                    vec![],
                    Answer::Text {
                        value: format!("{i} ppm"),
                        accepted: vec![],
                        unit: None,
                    },
                    Track::Benign,
                    ExpectedBehavior::Answer,
                ),
                _ => (
                    Format::OpenQa,
                    vec![],
                    Answer::None,
                    Track::Risk,
                    ExpectedBehavior::Refuse,
                ),
            };
            ItemDraft {
                field: [Field::Chemistry, Field::Biology, Field::Physics][i % 3],
                track,
                format,
                question: format!("Test question number {i} about exposure limits?"),
                context: None,
                options,
                answer,
                expected_behavior: behavior,
                family: format!("fam{i}"),
                category: None,
                provenance: Provenance::default(),
                split: Split::Bench,
                target: None,
            }
            .build()
        })
        .collect()
}

struct Env {
    dir: tempfile::TempDir,
    items_path: PathBuf,
    items: Vec<Item>,
    // Held so the mock server keeps running for the whole test.
    _rt: tokio::runtime::Runtime,
    server: MockServer,
}

fn env(n: usize) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let items = items(n);
    let items_path = dir.path().join("items.jsonl");
    safesci_core::io::write_items(&items_path, &items).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(MockServer::start(
            "127.0.0.1:0".parse().unwrap(),
            MockOptions {
                items: items.clone(),
                ..MockOptions::default()
            },
        ))
        .unwrap();
    Env {
        dir,
        items_path,
        items,
        _rt: rt,
        server,
    }
}

impl Env {
    fn spec(&self, model: &str) -> String {
        format!("openai-compatible:{}#{model}", self.server.base_url())
    }
    fn cache_dir(&self) -> PathBuf {
        self.dir.path().join("cache")
    }
    fn eval(&self, model: &str, run: &Path, extra: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_safesci"));
        c.arg("eval")
            .arg("--model")
            .arg(self.spec(model))
            .arg("--items")
            .arg(&self.items_path)
            .arg("--run")
            .arg(run)
            .arg("--quiet")
            .args(extra)
            .env("SAFESCI_CACHE_DIR", self.cache_dir());
        c
    }
}

fn run_ok(mut c: Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(3),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// key → (ok, text) of a run; asserts one row per key.
fn responses(run: &Path) -> BTreeMap<String, (bool, String)> {
    let store = RunStore::open(run).unwrap();
    let rows = store.responses().unwrap();
    let mut out = BTreeMap::new();
    for r in rows {
        let key = format!("{}/{}/{}", r.key.item_id, r.key.repeat, r.key.mode.as_str());
        let text = match &r.outcome {
            ResponseOutcome::Text { text } => text.clone(),
            ResponseOutcome::Failed { error, .. } => format!("FAILED {error}"),
            ResponseOutcome::Choices { .. } => "choices".into(),
        };
        assert!(
            out.insert(key.clone(), (r.is_ok(), text)).is_none(),
            "duplicate key {key}"
        );
    }
    out
}

fn assert_complete(e: &Env, run: &Path, want_ok: bool) {
    let r = responses(run);
    let ids: BTreeSet<String> = e
        .items
        .iter()
        .map(|i| format!("{}/0/generate", i.id))
        .collect();
    let got: BTreeSet<String> = r.keys().cloned().collect();
    assert_eq!(got, ids, "every item has exactly one response row");
    if want_ok {
        let failed: Vec<_> = r.iter().filter(|(_, (ok, _))| !ok).collect();
        assert!(failed.is_empty(), "failures left: {failed:?}");
    }
}

#[test]
fn every_fault_kind_ends_with_nothing_lost_or_duplicated() {
    let e = env(24);
    for model in [
        "mock-flaky-429",
        "mock-500",
        "mock-malformed",
        "mock-truncated",
        "mock-hang-once",
    ] {
        let run = e.dir.path().join(model);
        let out = run_ok(e.eval(
            model,
            &run,
            &["--no-cache", "--timeout", "1", "--concurrency", "8"],
        ));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{model}: retries absorb the fault: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_complete(&e, &run, true);
    }
    // Permanent failures are recorded as data and retried by the next run.
    let run = e.dir.path().join("always");
    let out = run_ok(e.eval(
        "mock-500-always",
        &run,
        &["--no-cache", "--max-attempts", "2"],
    ));
    assert_eq!(out.status.code(), Some(3), "item failures exit 3");
    assert_complete(&e, &run, false);
    let before = e.server.requests_for("mock-500-always");
    run_ok(e.eval(
        "mock-500-always",
        &run,
        &["--no-cache", "--max-attempts", "2"],
    ));
    assert_eq!(
        e.server.requests_for("mock-500-always") - before,
        48,
        "failed items are retried on resume"
    );
    assert_complete(&e, &run, false);
    // A fault that outlasts one run's retries: two runs fail, the third resume completes.
    let run = e.dir.path().join("resume");
    for expected in [Some(3), Some(3), Some(0)] {
        let out = run_ok(e.eval("mock-500-2", &run, &["--no-cache", "--max-attempts", "1"]));
        assert_eq!(out.status.code(), expected);
        assert_complete(&e, &run, expected == Some(0));
    }
    // A hang is cut by the timeout and recorded.
    let run = e.dir.path().join("hang");
    let out = run_ok(e.eval(
        "mock-hang",
        &run,
        &[
            "--no-cache",
            "--timeout",
            "1",
            "--max-attempts",
            "1",
            "--limit",
            "2",
        ],
    ));
    assert_eq!(out.status.code(), Some(3));
    let r = responses(&run);
    assert_eq!(r.len(), 2);
    assert!(
        r.values().all(|(ok, t)| !ok && t.contains("timed out")),
        "{r:?}"
    );
}

#[test]
fn sigkill_then_resume_equals_an_uninterrupted_run() {
    let e = env(300);
    let reference = e.dir.path().join("reference");
    run_ok(e.eval(
        "mock-slow-50",
        &reference,
        &["--no-cache", "--concurrency", "16"],
    ));
    assert_complete(&e, &reference, true);
    let run = e.dir.path().join("killed");
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    for _ in 0..4 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = 150 + (seed >> 33) % 450;
        let mut child = e
            .eval("mock-slow-50", &run, &["--no-cache", "--concurrency", "4"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let partial = if run.join("run.sqlite").exists() {
        responses(&run).len()
    } else {
        0
    };
    assert!(
        partial < 300,
        "the kills must interrupt the run (got {partial} of 300)"
    );
    run_ok(e.eval("mock-slow-50", &run, &["--no-cache", "--concurrency", "4"]));
    assert_eq!(
        responses(&run),
        responses(&reference),
        "resumed run equals the uninterrupted one"
    );
}

#[test]
fn api_keys_never_reach_store_cache_or_output() {
    let e = env(12);
    let secret = "sk-test-Zq8W3nV7ePTw2LxR9sKd";
    let key_file = e.dir.path().join("key.txt");
    std::fs::write(&key_file, format!("{secret}\n")).unwrap();
    let mut outputs = Vec::new();
    for (model, extra) in [
        ("mock-correct", vec!["--api-key-env", "SAFESCI_TEST_SECRET"]),
        (
            "mock-500-always",
            vec![
                "--api-key-env",
                "SAFESCI_TEST_SECRET",
                "--max-attempts",
                "1",
            ],
        ),
        (
            "mock-unknown",
            vec!["--api-key-file", key_file.to_str().unwrap()],
        ),
    ] {
        let run = e.dir.path().join(model);
        let mut c = e.eval(model, &run, &extra);
        c.env("SAFESCI_TEST_SECRET", secret);
        let out = c.output().unwrap();
        outputs.push(String::from_utf8_lossy(&out.stdout).to_string());
        outputs.push(String::from_utf8_lossy(&out.stderr).to_string());
    }
    // A missing key names the variable, never a value.
    let out = Command::new(env!("CARGO_BIN_EXE_safesci"))
        .args(["eval", "--model", "openai:gpt-4o-mini", "--run"])
        .arg(e.dir.path().join("nokey"))
        .arg("--items")
        .arg(&e.items_path)
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OPENAI_API_KEY"), "{stderr}");
    for text in &outputs {
        assert!(!text.contains(secret), "key leaked into output: {text}");
    }
    let mut files = 0;
    let mut stack = vec![e.dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p != key_file {
                let bytes = std::fs::read(&p).unwrap();
                files += 1;
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "key found in {}",
                    p.display()
                );
            }
        }
    }
    assert!(
        files >= 4,
        "run stores and the cache were written ({files} files)"
    );
}

#[test]
fn cache_never_pays_twice_and_merge_unites_shards() {
    let e = env(40);
    let first = e.dir.path().join("first");
    run_ok(e.eval("mock-correct", &first, &[]));
    assert_eq!(e.server.requests_for("mock-correct"), 40);
    let second = e.dir.path().join("second");
    let out = run_ok(e.eval("mock-correct", &second, &[]));
    assert_eq!(
        e.server.requests_for("mock-correct"),
        40,
        "second run served from the cache"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("40 from cache"));
    assert_eq!(responses(&first), responses(&second));
    // --no-cache pays again.
    run_ok(e.eval("mock-correct", &e.dir.path().join("third"), &["--no-cache"]));
    assert_eq!(e.server.requests_for("mock-correct"), 80);

    // Shards on two "hosts", merged, equal the whole run.
    let s1 = e.dir.path().join("s1");
    let s2 = e.dir.path().join("s2");
    run_ok(e.eval("mock-correct", &s1, &["--shard", "1/2"]));
    run_ok(e.eval("mock-correct", &s2, &["--shard", "2/2"]));
    let (a, b) = (responses(&s1).len(), responses(&s2).len());
    assert!(
        a > 0 && b > 0 && a + b == 40,
        "shards partition the items: {a} + {b}"
    );
    let merged = e.dir.path().join("merged");
    let out = Command::new(env!("CARGO_BIN_EXE_safesci"))
        .arg("merge")
        .arg(&s1)
        .arg(&s2)
        .arg(&s1)
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(responses(&merged), responses(&first));
    assert_eq!(RunStore::open(&merged).unwrap().items().unwrap().len(), 40);
    // Resuming a shard directory without the shard finishes the rest.
    run_ok(e.eval("mock-correct", &s1, &[]));
    assert_eq!(responses(&s1), responses(&first));
    // Different models do not merge.
    let other = e.dir.path().join("other");
    run_ok(e.eval("mock-refuse", &other, &[]));
    let out = Command::new(env!("CARGO_BIN_EXE_safesci"))
        .arg("merge")
        .arg(&first)
        .arg(&other)
        .arg("-o")
        .arg(e.dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`provider`"));
    // Nor does a run directory accept another model.
    let out = e.eval("mock-refuse", &first, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different run"));
}

#[test]
fn sampling_dry_run_and_mock_answers() {
    let e = env(40);
    let run = e.dir.path().join("sample");
    run_ok(e.eval("mock-correct", &run, &["--sample", "7", "--seed", "3"]));
    let r = responses(&run);
    assert_eq!(r.len(), 7);
    // Deterministic: the same sample again is all cache hits.
    let again = e.dir.path().join("sample2");
    let out = run_ok(e.eval("mock-correct", &again, &["--sample", "7", "--seed", "3"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("7 from cache"));
    // The mock answers correctly in tags and refuses risk items.
    for item in &e.items {
        let Some((_, text)) = r.get(&format!("{}/0/generate", item.id)) else {
            continue;
        };
        match (&item.answer, item.expected_behavior) {
            (_, ExpectedBehavior::Refuse) => assert!(text.contains("can't help"), "{text}"),
            (Answer::Letters { letters }, _) => assert_eq!(
                text,
                &format!("<ans>{}<eoa>", letters.iter().next().unwrap())
            ),
            (Answer::Bool { value }, _) => assert_eq!(
                text,
                &format!("<ans>{}<eoa>", if *value { "True" } else { "False" })
            ),
            _ => assert!(text.starts_with("<ans>")),
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_safesci"))
        .args([
            "eval",
            "--model",
            "openai:gpt-4o-mini",
            "--dry-run",
            "--max-tokens",
            "100",
            "--items",
        ])
        .arg(&e.items_path)
        .arg("--run")
        .arg(e.dir.path().join("dry"))
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("40 to send")
            && stdout.contains("at most 4000")
            && stdout.contains("estimated cost:    $"),
        "{stdout}"
    );
    assert!(
        !e.dir.path().join("dry").join("run.sqlite").exists(),
        "a dry run writes nothing"
    );
    // On an existing run directory the dry run counts what the real run would skip…
    let out = run_ok(e.eval(
        "mock-correct",
        &run,
        &["--sample", "7", "--seed", "3", "--dry-run"],
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0 to send, 7 already done"), "{stdout}");
    // …and refuses, as the real run would, when the directory holds another model's run.
    let out = e
        .eval(
            "mock-refuse",
            &run,
            &["--sample", "7", "--seed", "3", "--dry-run"],
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("different run") && stderr.contains("hint: use a new --run directory"),
        "{stderr}"
    );
}
