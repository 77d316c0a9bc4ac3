//! `safesci report` through the binary: run stores written by the report crate's fixture (as
//! `eval` + `score` would leave them), rendered in each format, compared, and the error for an
//! unscored run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use safesci_report::fixture::{self, Profile};
use std::path::{Path, PathBuf};

fn runs(dir: &Path) -> (PathBuf, PathBuf) {
    let items = fixture::items(160);
    let a = dir.join("run-a");
    let b = dir.join("run-b");
    fixture::write_store(
        &a,
        &fixture::run("run-a", &Profile::new("model-a", 0.7, 0.9, 0.3), &items),
    )
    .unwrap();
    fixture::write_store(
        &b,
        &fixture::run("run-b", &Profile::new("model-b", 0.55, 0.6, 0.05), &items),
    )
    .unwrap();
    (a, b)
}

fn safesci() -> Command {
    Command::cargo_bin("safesci").unwrap()
}

#[test]
fn markdown_on_stdout_with_paired_differences() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = runs(dir.path());
    let out = safesci().arg("report").arg(&a).arg(&b).assert().success();
    let md = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(md.starts_with("# SafeSci report"), "{md}");
    assert!(md.contains("| mock:model-a | "), "leaderboard row for a");
    assert!(md.contains("| mock:model-b | "), "leaderboard row for b");
    assert!(
        md.contains("## Paired differences"),
        "two runs on the same items are compared"
    );
    assert!(
        md.contains("| Risk safe rate | overall=all | mock:model-a | mock:model-b | 32 |"),
        "{md}"
    );
}

#[test]
fn format_follows_the_output_extension() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = runs(dir.path());
    let html = dir.path().join("report.html");
    safesci()
        .arg("report")
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(&html)
        .assert()
        .success()
        .stderr(predicates::str::contains("report written to"));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(
        text.contains("id=\"differences\""),
        "HTML shows paired differences"
    );

    let json = dir.path().join("report.json");
    safesci()
        .arg("report")
        .arg(&a)
        .arg("-o")
        .arg(&json)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 1);

    let out = safesci()
        .arg("report")
        .arg(&a)
        .args(["--format", "csv"])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        csv.starts_with("schema_version,kind,run,model,model_b,metric"),
        "{csv}"
    );
}

#[test]
fn unscored_run_fails_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("fresh");
    safesci_core::store::RunStore::create(&run).unwrap();
    let out = safesci().arg("report").arg(&run).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("has no `strict` scores"), "{err}");
    assert!(err.contains("hint: run `safesci score"), "{err}");
}
