//! Providers, runner and batch APIs against the in-process mock server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_core::item::*;
use safesci_core::provider::{CompletionRequest, GenerationParams, Message, ProviderError};
use safesci_core::store::{ResponseMode, ResponseOutcome, RunStore};
use safesci_run::batch::{BatchApi, BatchClient};
use safesci_run::mock::{MockOptions, MockServer};
use safesci_run::openai::HttpSettings;
use safesci_run::runner::{EventSink, RunEvent, RunnerOptions};
use safesci_run::session::{EvalSettings, evaluate, pending_units};
use safesci_run::spec::{ModelSpec, ProviderKind};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn item(i: usize) -> Item {
    ItemDraft {
        field: Field::Chemistry,
        track: Track::Knowledge,
        format: Format::SingleChoice,
        question: format!("Which class fits compound {i}?"),
        context: None,
        options: label_options(["One", "Two", "Three"]).unwrap(),
        answer: Answer::letters([LABELS[i % 3]]),
        expected_behavior: ExpectedBehavior::Answer,
        family: format!("f{i}"),
        category: None,
        provenance: Provenance::default(),
        split: Split::Bench,
        target: None,
    }
    .build()
}

fn settings(kind: ProviderKind, urls: Vec<String>, model: &str) -> HttpSettings {
    HttpSettings {
        spec: ModelSpec {
            kind,
            model: model.into(),
            base_urls: urls,
            model_path: None,
        },
        key: None,
        extra_body: Default::default(),
        concurrency: 8,
        timeout: Duration::from_secs(5),
    }
}

async fn server(items: Vec<Item>) -> MockServer {
    MockServer::start(
        "127.0.0.1:0".parse().unwrap(),
        MockOptions {
            items,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn request(text: &str) -> CompletionRequest {
    CompletionRequest {
        messages: vec![Message::user(text)],
        params: GenerationParams::default(),
    }
}

#[tokio::test]
async fn anthropic_and_openai_providers_talk_to_the_mock() {
    let s = server(vec![item(1)]).await;
    let a = safesci_run::build_provider(settings(
        ProviderKind::Anthropic,
        vec![s.base_url()],
        "mock-correct",
    ))
    .unwrap();
    let c = a
        .complete(&request(
            "Question: Which class fits compound 1?\nA. One\nB. Two\nC. Three",
        ))
        .await
        .unwrap();
    assert_eq!(c.text, "<ans>B<eoa>");
    assert!(c.usage.prompt_tokens > 0);
    let o = safesci_run::build_provider(settings(
        ProviderKind::OpenAiCompatible,
        vec![s.base_url()],
        "mock-markup",
    ))
    .unwrap();
    let c = o.complete(&request("hello")).await.unwrap();
    assert!(
        c.text.contains("<script>alert(1)</script>"),
        "markup passes through verbatim"
    );
    let bad = safesci_run::build_provider(settings(
        ProviderKind::OpenAiCompatible,
        vec![s.base_url()],
        "nope",
    ))
    .unwrap();
    let err = bad.complete(&request("x")).await.unwrap_err();
    assert!(matches!(err, ProviderError::Rejected { status: 404, .. }) && !err.is_retryable());
    let e = safesci_run::build_provider(settings(
        ProviderKind::OpenAiCompatible,
        vec![s.base_url()],
        "mock-flaky-429",
    ))
    .unwrap();
    match e.complete(&request("flaky")).await {
        Err(ProviderError::RateLimited { retry_after, .. }) => {
            assert_eq!(retry_after, Some(Duration::from_millis(20)))
        }
        other => panic!("expected a 429, got {other:?}"),
    }
    for (model, want) in [
        ("mock-malformed-always", "malformed"),
        ("mock-truncated-always", "malformed"),
    ] {
        let p = safesci_run::build_provider(settings(
            ProviderKind::OpenAiCompatible,
            vec![s.base_url()],
            model,
        ))
        .unwrap();
        let err = p.complete(&request("x")).await.unwrap_err();
        assert!(
            err.to_string().contains(want) && err.is_retryable(),
            "{model}: {err}"
        );
    }
}

#[tokio::test]
async fn replicas_share_the_load() {
    let a = server(vec![]).await;
    let b = server(vec![]).await;
    let p = safesci_run::build_provider(settings(
        ProviderKind::OpenAiCompatible,
        vec![a.base_url(), b.base_url()],
        "mock-correct",
    ))
    .unwrap();
    for i in 0..20 {
        p.complete(&request(&format!("r{i}"))).await.unwrap();
    }
    assert_eq!(
        (a.requests(), b.requests()),
        (10, 10),
        "sequential requests alternate"
    );
}

fn eval_settings(dir: &std::path::Path, items: &std::path::Path) -> EvalSettings {
    EvalSettings {
        items_path: items.to_path_buf(),
        run_dir: dir.join("run"),
        limit: None,
        sample: None,
        shard: None,
        modes: vec![ResponseMode::Generate, ResponseMode::Loglik],
        repeats: 2,
        params: GenerationParams::default(),
        system_prompt: None,
        prompt_style: Default::default(),
        runner: RunnerOptions {
            concurrency: 4,
            backoff_base: Duration::from_millis(5),
            ..Default::default()
        },
        cache_path: None,
        extra: Default::default(),
    }
}

#[tokio::test]
async fn runner_events_and_unsupported_loglik() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<Item> = (0..10).map(item).collect();
    let path = dir.path().join("items.jsonl");
    safesci_core::io::write_items(&path, &items).unwrap();
    let s = server(items).await;
    let p = safesci_run::build_provider(settings(
        ProviderKind::OpenAiCompatible,
        vec![s.base_url()],
        "mock-flaky-429",
    ))
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    let sink: EventSink = Arc::new(move |e: &RunEvent| sink_seen.lock().unwrap().push(e.clone()));
    let out = evaluate(p, &eval_settings(dir.path(), &path), sink)
        .await
        .unwrap();
    // 10 items × 2 repeats × (generate + loglik); HTTP providers cannot score log-likelihoods.
    assert_eq!(out.totals.total, 40);
    assert_eq!((out.totals.completed, out.totals.failed), (20, 20));
    assert!(out.totals.retries >= 20, "every generation saw one 429");
    let events = seen.lock().unwrap();
    assert!(matches!(
        events.first(),
        Some(RunEvent::Started {
            total: 40,
            skipped: 0,
            ..
        })
    ));
    assert!(matches!(events.last(), Some(RunEvent::Finished(_))));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RunEvent::Concurrency { .. })),
        "429s shrink the limit"
    );
    let store = RunStore::open(&dir.path().join("run")).unwrap();
    let failures: Vec<_> = store
        .responses()
        .unwrap()
        .into_iter()
        .filter(|r| !r.is_ok())
        .collect();
    assert!(failures.iter().all(|r| r.key.mode == ResponseMode::Loglik
        && matches!(&r.outcome, ResponseOutcome::Failed { retryable: false, error } if error.contains("not supported"))));
    assert_eq!(store.items().unwrap().len(), 10, "items are snapshotted");
}

#[tokio::test]
async fn batches_submit_once_poll_and_collect() {
    for api in [BatchApi::OpenAi, BatchApi::Anthropic] {
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<Item> = (0..6).map(item).collect();
        let path = dir.path().join("items.jsonl");
        safesci_core::io::write_items(&path, &items).unwrap();
        let s = server(items).await;
        let mut es = eval_settings(dir.path(), &path);
        es.modes = vec![ResponseMode::Generate];
        es.repeats = 1;
        let info = safesci_core::provider::ProviderInfo {
            kind: if api == BatchApi::OpenAi {
                "openai-compatible"
            } else {
                "anthropic"
            }
            .into(),
            model: "mock-correct".into(),
            base_url: s.base_url(),
            revision: String::new(),
        };
        let client =
            BatchClient::new(api, &s.base_url(), "mock-correct", None, Default::default()).unwrap();
        let (store, units) = pending_units(&es, info.clone()).unwrap();
        assert_eq!(units.len(), 6);
        let ids = client
            .submit(&store, units, &dir.path().join("batches"))
            .await
            .unwrap();
        assert_eq!(ids.len(), 1);
        drop(store);
        // A restart submits nothing new.
        let (store, units) = pending_units(&es, info.clone()).unwrap();
        assert!(
            client
                .submit(&store, units, &dir.path().join("batches"))
                .await
                .unwrap()
                .is_empty()
        );
        let rows = client.refresh(&store).await.unwrap();
        assert_ne!(
            rows[0].status, "ended",
            "{api:?}: first poll is still running"
        );
        let mut store = store;
        let (ok, failed) = client.collect(&mut store).await.unwrap();
        assert_eq!((ok, failed), (6, 0), "{api:?}");
        let responses = store.responses().unwrap();
        assert_eq!(responses.len(), 6);
        for r in &responses {
            let ResponseOutcome::Text { text } = &r.outcome else {
                panic!("{r:?}")
            };
            assert!(
                text.starts_with("<ans>") && text.ends_with("<eoa>"),
                "{text}"
            );
        }
        assert_eq!(
            client.collect(&mut store).await.unwrap(),
            (0, 0),
            "collected once"
        );
        assert!(dir.path().join("batches/batch-0001.jsonl").is_file());
    }
}
