//! Browser test: headless Chromium opens the HTML report from disk, the script renders the
//! drill-down, the frontier and tables are in the live DOM, a screenshot is taken, and a response
//! carrying `<script>` / `<img onerror>` is shown as text and never runs. Chromium is required:
//! the test fails (it does not skip) when the browser is missing. `SAFESCI_CHROMIUM` overrides
//! the binary (default `chromium`, installed by `scripts/install-deps.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_core::store::ResponseOutcome;
use safesci_report::fixture::{self, Profile};
use safesci_report::{Report, ReportFormat, render};
use safesci_score::types::ScoringMode;
use std::path::Path;
use std::process::Command;

const PAYLOAD: &str = "<script>document.title='pwned';document.body.setAttribute('data-pwned','script')</script><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">";

fn chromium(profile: &Path, extra: &[String], page: &Path) -> std::process::Output {
    let bin = std::env::var("SAFESCI_CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    let mut cmd = Command::new("timeout");
    cmd.arg("120").arg(&bin).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=5000",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd.args(extra);
    cmd.arg(format!("file://{}", page.display()));
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("failed to start `{bin}` (install it with scripts/install-deps.sh): {e}")
    });
    assert!(
        out.status.success(),
        "`{bin}` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn chromium_renders_the_report_and_never_runs_model_output() {
    let items = fixture::items(160);
    let mut a = fixture::run("run-a", &Profile::new("model-a", 0.7, 0.9, 0.3), &items);
    let b = fixture::run("run-b", &Profile::new("model-b", 0.55, 0.6, 0.05), &items);
    // The first drill-down row (smallest key, first run) carries the payload.
    let first = a.scores.iter().map(|s| s.key.clone()).min().unwrap();
    for r in &mut a.responses {
        if r.key == first {
            r.outcome = ResponseOutcome::Text {
                text: PAYLOAD.into(),
            };
        }
    }
    let report = Report::new(ScoringMode::Strict, vec![a, b]);
    let html = render(&report, ReportFormat::Html).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).unwrap();

    let dom = chromium(
        &dir.path().join("profile-dom"),
        &["--dump-dom".into()],
        &page,
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(
        dom.contains("<svg id=\"frontier\""),
        "frontier is in the DOM"
    );
    assert_eq!(
        dom.matches("<g class=\"point").count(),
        2,
        "one frontier point per model"
    );
    assert!(
        dom.contains("<table id=\"leaderboard\""),
        "leaderboard table"
    );
    assert!(dom.contains("mock:model-b"), "model names shown");
    assert!(
        dom.contains("data-first-render-ms="),
        "the drill-down script ran:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert_eq!(
        dom.matches("class=\"dd-row\"").count(),
        100,
        "one page of 100 rows rendered"
    );
    assert!(
        dom.contains("page 1 of 4 (320 of 320 rows)"),
        "pager status"
    );
    // The payload did not run…
    let body_tag = &dom[dom.find("<body").unwrap()..];
    let body_tag = &body_tag[..body_tag.find('>').unwrap()];
    assert!(
        !body_tag.contains("data-pwned"),
        "model output executed: {body_tag}"
    );
    assert!(
        !dom.contains("data-pwned=\""),
        "model output set an attribute"
    );
    assert!(
        dom.contains("<title>SafeSci report</title>"),
        "title untouched"
    );
    // …and is on the page as text.
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned';"),
        "payload shown as escaped text"
    );
    assert!(
        dom.contains("&lt;img src=x onerror="),
        "img payload shown as text"
    );

    let shot = dir.path().join("shot.png");
    chromium(
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
        ],
        &page,
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");
    assert!(
        png.len() > 20_000,
        "a non-trivial screenshot ({} bytes)",
        png.len()
    );
    if let Ok(keep) = std::env::var("SAFESCI_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
