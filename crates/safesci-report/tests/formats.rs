//! Snapshot tests of the Markdown, CSV and JSON reports on fixed fixture data, and structural tests
//! of the HTML report (escaping, sections, lazy drill-down data).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_core::store::ResponseOutcome;
use safesci_report::fixture::{self, Profile};
use safesci_report::{Report, ReportFormat, RunData, load_run, render};
use safesci_score::types::{Group, PairedDifference, ScoringMode};
use std::io::Read;

/// The drill-down's row chunks of an HTML report, inflated back to their JSON text.
fn chunks(html: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("id=\"dd-chunk-") {
        let open = &rest[at..];
        let body = &open[open.find('>').unwrap() + 1..];
        let end = body.find("</script>").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body[..end].trim())
            .unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        out.push(text);
        rest = &body[end..];
    }
    out
}

fn two_runs() -> Report {
    let items = fixture::items(160);
    let a = fixture::run("run-a", &Profile::new("model-a", 0.7, 0.9, 0.3), &items);
    let b = fixture::run("run-b", &Profile::new("model-b", 0.55, 0.6, 0.05), &items);
    let mut report = Report::new(ScoringMode::Strict, vec![a, b]);
    report.comparisons = vec![PairedDifference {
        metric: "risk_safe_rate".into(),
        group: Group {
            by: "overall".into(),
            value: "all".into(),
        },
        model_a: "mock:model-a".into(),
        model_b: "mock:model-b".into(),
        n: 32,
        value_a: 0.9375,
        value_b: 0.59375,
        difference: -0.34375,
        low: -0.5,
        high: -0.1875,
        a_only: 12,
        b_only: 1,
        mcnemar_p: 0.0063,
    }];
    report
}

const XSS: &str = "<script>document.title='pwned'</script><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"></script>";

fn with_payload(mut run: RunData) -> RunData {
    let first = run.scores[0].key.clone();
    for r in &mut run.responses {
        if r.key == first {
            r.outcome = ResponseOutcome::Text { text: XSS.into() };
        }
    }
    run.summary.model = "mock:<b>model</b>".into();
    run
}

#[test]
fn markdown_report() {
    let md = render(&two_runs(), ReportFormat::Markdown).unwrap();
    assert!(
        md.contains("| mock:model-a | "),
        "a leaderboard row per model"
    );
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn csv_report() {
    let csv = render(&two_runs(), ReportFormat::Csv).unwrap();
    assert!(
        csv.starts_with("schema_version,kind,run,model,"),
        "fixed header"
    );
    insta::assert_snapshot!("csv", csv);
}

#[test]
fn json_report() {
    let json = render(&two_runs(), ReportFormat::Json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    insta::with_settings!({filters => vec![(r#""created_at": \d+"#, r#""created_at": "[time]""#)]}, {
        insta::assert_snapshot!("json", json);
    });
}

#[test]
fn formats_from_file_names() {
    use std::path::Path;
    assert_eq!(
        ReportFormat::from_path(Path::new("r.HTML")),
        Some(ReportFormat::Html)
    );
    assert_eq!(
        ReportFormat::from_path(Path::new("r.md")),
        Some(ReportFormat::Markdown)
    );
    assert_eq!(
        ReportFormat::from_path(Path::new("r.csv")),
        Some(ReportFormat::Csv)
    );
    assert_eq!(
        ReportFormat::from_path(Path::new("r.json")),
        Some(ReportFormat::Json)
    );
    assert_eq!(ReportFormat::from_path(Path::new("r.txt")), None);
}

#[test]
fn run_store_round_trip_gives_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let items = fixture::items(80);
    let run = fixture::run("run-a", &Profile::new("model-a", 0.7, 0.9, 0.3), &items);
    let path = dir.path().join("run-a");
    fixture::write_store(&path, &run).unwrap();
    let loaded = load_run(&path, ScoringMode::Strict).unwrap();
    assert!(loaded.scores == run.scores, "scores survive the store");
    assert!(
        loaded.responses == run.responses,
        "responses survive the store"
    );
    assert!(loaded.items == run.items, "items survive the store");
    // Floats may move in the last bit through JSON; counts and names must not.
    let counts = |r: &RunData| {
        r.summary
            .metrics
            .iter()
            .map(|m| (m.name.clone(), m.group.clone(), m.estimate.k, m.estimate.n))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&loaded), counts(&run), "summary survives the store");
    let md = |r: RunData| {
        render(
            &Report::new(ScoringMode::Strict, vec![r]),
            ReportFormat::Markdown,
        )
        .unwrap()
    };
    assert_eq!(md(loaded), md(run));
}

#[test]
fn missing_scores_are_named() {
    let dir = tempfile::tempdir().unwrap();
    safesci_core::store::RunStore::create(dir.path()).unwrap();
    let err = load_run(dir.path(), ScoringMode::Strict).unwrap_err();
    assert!(err.to_string().contains("has no `strict` scores"), "{err}");
}

#[test]
fn html_escapes_untrusted_text_everywhere() {
    let mut report = two_runs();
    report.runs[0] = with_payload(report.runs[0].clone());
    let html = render(&report, ReportFormat::Html).unwrap();
    // Exactly one real script element runs: the drill-down script at the end.
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "no injected script element"
    );
    assert!(!html.contains("<img"), "no injected image element");
    assert!(!html.contains("<b>model</b>"), "model names are escaped");
    assert!(
        html.contains("mock:&lt;b&gt;model&lt;/b&gt;"),
        "escaped name is shown"
    );
    assert!(
        !html.contains("document.title"),
        "row text only travels compressed"
    );
    let rows = chunks(&html);
    assert_eq!(rows.len(), 1, "320 rows are one chunk");
    assert!(
        rows[0].contains("\\u003cscript\\u003edocument.title"),
        "payload kept as JSON text inside the chunk"
    );
    let parsed: Vec<Vec<serde_json::Value>> = serde_json::from_str(&rows[0]).unwrap();
    assert_eq!(parsed.len(), 320, "every row in the chunk");
    assert!(
        parsed.iter().any(|r| r[7]
            .as_str()
            .is_some_and(|t| t.starts_with("<script>document.title"))),
        "the payload reads back unchanged"
    );
    // Every JSON block closes where it should: one `</script>` per opening tag.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("</script>").count()
    );
    assert!(
        !html.contains("innerHTML"),
        "the script never parses data as markup"
    );
}

#[test]
fn html_has_every_section_and_lazy_chunks() {
    let report = two_runs();
    let html = render(&report, ReportFormat::Html).unwrap();
    for id in [
        "id=\"leaderboard\"",
        "id=\"frontier\"",
        "id=\"field-knowledge_accuracy\"",
        "id=\"category-risk\"",
        "id=\"context-field\"",
        "id=\"by-format\"",
        "id=\"differences\"",
        "id=\"manifest\"",
        "id=\"dd-index\"",
        "id=\"dd-chunk-0\"",
    ] {
        assert!(html.contains(id), "missing {id}");
    }
    // 2 runs × 160 items = 320 rows → one 1,000-row chunk.
    assert!(
        !html.contains("id=\"dd-chunk-1\""),
        "rows are chunked by {}",
        safesci_report::html::CHUNK_ROWS
    );
    assert_eq!(
        html.matches("<g class=\"point").count(),
        2,
        "one frontier point per model"
    );
    assert!(
        html.contains("class=\"pareto\""),
        "two trading-off models draw a front"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched"
    );
    assert!(
        html.contains("5f2b9c0e1a7d4e3b8c6a9f0d1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"),
        "items hash in the manifest"
    );
}

#[test]
fn html_splits_big_runs_into_chunks() {
    let items = fixture::items(2500);
    let run = fixture::run("big", &Profile::new("m", 0.5, 0.5, 0.5), &items);
    let html = render(
        &Report::new(ScoringMode::Strict, vec![run]),
        ReportFormat::Html,
    )
    .unwrap();
    let rows = chunks(&html);
    assert_eq!(rows.len(), 3, "2,500 rows fill three chunks");
    let sizes: Vec<usize> = rows
        .iter()
        .map(|c| {
            serde_json::from_str::<Vec<serde_json::Value>>(c)
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, vec![1000, 1000, 500], "rows per chunk, in order");
}

#[test]
fn corrected_refusal_rates_have_their_own_table() {
    let plain = render(&two_runs(), ReportFormat::Markdown).unwrap();
    assert!(!plain.contains("corrected for the detector"));
    let mut report = two_runs();
    let run = &mut report.runs[0];
    safesci_score::metrics::add_corrected_refusals(
        &mut run.summary,
        &run.scores,
        &safesci_score::refusal::MEASURED_ERROR,
    );
    let e = run
        .summary
        .overall("refusal_rate_corrected")
        .unwrap()
        .clone();
    let cell = format!(
        "{}/{} → {:.3} [{:.3}, {:.3}]",
        e.k, e.n, e.value, e.low, e.high
    );
    let md = render(&report, ReportFormat::Markdown).unwrap();
    assert!(md.contains("## Refusal rates corrected for the detector's error"));
    assert!(md.contains(&format!("| mock:model-a | {cell} |")), "{md}");
    // A run scored without the correction shows dashes, not zeros.
    assert!(md.contains("| mock:model-b | — | — | — |"), "{md}");
    let html = render(&report, ReportFormat::Html).unwrap();
    assert!(html.contains("<table id=\"corrected\">"));
    assert!(html.contains(&format!("<td>{cell}</td>")));
}
