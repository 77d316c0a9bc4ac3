//! `safesci sources`, `safesci build`, `safesci export` through the binary, on fixture archives
//! (no network): a small build, its counts, the hazard scan, the export, and the missing-sources hint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

fn safesci() -> Command {
    Command::cargo_bin("safesci").unwrap()
}

fn fixture_dirs(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let cache = root.join("cache");
    safesci_build::fixtures::write_sources(&cache).unwrap();
    let facts = root.join("facts");
    std::fs::create_dir_all(&facts).unwrap();
    for (name, text) in safesci_build::fixtures::FACTS {
        std::fs::write(facts.join(name), text).unwrap();
    }
    (cache, facts)
}

#[test]
fn small_build_then_counts_scan_and_export() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, facts) = fixture_dirs(tmp.path());
    let out = tmp.path().join("out");
    safesci()
        .args([
            "build",
            "--scale",
            "small",
            "--seed",
            "3",
            "--allow-unpinned",
        ])
        .arg("--out")
        .arg(&out)
        .arg("--sources")
        .arg(&cache)
        .arg("--facts")
        .arg(&facts)
        .assert()
        .success()
        .stderr(predicates::str::contains("bench:"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for split in ["bench", "train"] {
        let text = std::fs::read_to_string(out.join(format!("{split}.jsonl"))).unwrap();
        let mut fields: BTreeMap<String, u64> = BTreeMap::new();
        let mut n = 0u64;
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            *fields
                .entry(v["field"].as_str().unwrap().to_string())
                .or_default() += 1;
            n += 1;
        }
        assert_eq!(
            manifest[split]["items"].as_u64(),
            Some(n),
            "manifest counts the {split} lines"
        );
        for (f, c) in &fields {
            assert_eq!(
                manifest[split]["by_field"][f]["items"].as_u64(),
                Some(*c),
                "{split} {f}"
            );
        }
        assert!(fields.len() >= 6, "{split} spans the fields: {fields:?}");
    }
    assert!(
        manifest["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap().contains("protein_gen")),
        "the manifest says what is missing"
    );
    assert!(out.join("decontamination.json").is_file());
    safesci()
        .args(["sources", "hazard-scan"])
        .arg(out.join("train.jsonl"))
        .assert()
        .success();
    let exp = tmp.path().join("export");
    safesci()
        .args(["export", "train"])
        .arg(out.join("train.jsonl"))
        .args(["--format", "llamafactory", "-o"])
        .arg(&exp)
        .assert()
        .success();
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(exp.join("dataset_info.json")).unwrap())
            .unwrap();
    assert_eq!(
        info["safesci_train"]["file_name"],
        "safesci_train_alpaca.json"
    );
}

#[test]
fn build_without_sources_hints_at_sync() {
    let tmp = tempfile::tempdir().unwrap();
    safesci()
        .args(["build", "--scale", "small"])
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("--sources")
        .arg(tmp.path().join("empty"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("hint: run `safesci sources sync"));
}

#[test]
fn facts_only_build_warns_and_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, facts) = fixture_dirs(tmp.path());
    safesci()
        .args(["build", "--scale", "small", "--facts-only"])
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("--sources")
        .arg(tmp.path().join("empty"))
        .arg("--facts")
        .arg(&facts)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "building from the curated fact tables only",
        ));
}

#[test]
fn unpinned_files_are_refused_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, _) = fixture_dirs(tmp.path());
    safesci()
        .args(["build", "--scale", "small"])
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("--sources")
        .arg(&cache)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("sha256"));
}

#[test]
fn sources_list_reports_missing_and_licences() {
    let tmp = tempfile::tempdir().unwrap();
    let out = safesci()
        .args(["sources", "list", "--json", "--cache"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let icrp = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "icrp107-database")
        .unwrap();
    assert_eq!(icrp["present"], false);
    assert!(icrp["licence"].as_str().unwrap().contains("not-for-profit"));
}
