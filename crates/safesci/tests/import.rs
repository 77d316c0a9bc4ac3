//! `safesci import`, `stats` and `validate` through the binary: outputs snapshot-tested, errors
//! checked for file, item and field, exit codes checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn safesci() -> Command {
    let mut cmd = Command::cargo_bin("safesci").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let out = safesci().args(args).output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Import the official fixture release into `dir/items.<ext>`.
fn import_release(dir: &Path, ext: &str) -> PathBuf {
    let out = dir.join(format!("items.{ext}"));
    let release = fixtures().join("safesci/release");
    let r = run(&[
        "import",
        "safesci",
        s(&release),
        "-o",
        s(&out),
        "--seed",
        "7",
    ]);
    assert_eq!(r.code, 0, "import failed: {}", r.stderr);
    assert!(
        r.stderr.contains("wrote 34 items") && r.stderr.contains("2 duplicates dropped"),
        "summary on stderr: {}",
        r.stderr
    );
    out
}

#[test]
fn stats_tables_of_the_official_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let items = import_release(dir.path(), "jsonl");
    let r = run(&["stats", s(&items)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("stats_tables", r.stdout);
}

#[test]
fn stats_json_is_the_same_for_jsonl_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = import_release(dir.path(), "jsonl");
    let parquet = import_release(dir.path(), "parquet");
    let a = run(&["stats", "--json", s(&jsonl)]);
    let b = run(&["stats", "--json", s(&parquet)]);
    assert_eq!((a.code, b.code), (0, 0), "{} {}", a.stderr, b.stderr);
    assert_eq!(
        a.stdout, b.stdout,
        "Parquet output must hold the same items"
    );
    let v: serde_json::Value = serde_json::from_str(&a.stdout).unwrap();
    for key in [
        "total",
        "by_field",
        "by_track",
        "by_format",
        "by_split",
        "by_source",
        "families",
    ] {
        assert!(v.get(key).is_some(), "stats JSON has `{key}`");
    }
    insta::assert_snapshot!("stats_json", a.stdout);
}

#[test]
fn same_seed_same_file() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let x = std::fs::read(import_release(a.path(), "jsonl")).unwrap();
    let y = std::fs::read(import_release(b.path(), "jsonl")).unwrap();
    assert!(
        x == y,
        "two imports with the same seed must be byte-identical"
    );
}

#[test]
fn validate_reports_every_bad_item() {
    let dir = tempfile::tempdir().unwrap();
    let items = import_release(dir.path(), "jsonl");
    let good = run(&["validate", s(&items)]);
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert_eq!(good.stdout, "34 items checked: 34 good, 0 bad\n");

    let text = std::fs::read_to_string(&items).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1].replace("\"question\":", "\"questio\":");
    lines[4] = lines[4].replace("\"field\":\"chemistry\"", "\"field\":\"alchemy\"");
    lines[12] = lines[12].replace("\"value\":true", "\"value\":false");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let r = run(&["validate", s(&bad)]);
    assert_eq!(r.code, 2, "bad items exit 2: {}", r.stdout);
    let shown = r.stdout.replace(s(&bad), "bad.jsonl");
    insta::assert_snapshot!("validate_bad", shown);
}

#[test]
fn bad_official_input_names_file_item_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("items.jsonl");
    let file = fixtures().join("safesci/bad/gt_beyond_options.json");
    let r = run(&["import", "safesci", s(&file), "-o", s(&out)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("gt_beyond_options.json` item 1: `answer` is not in `options` (label `D`)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: "),
        "a hint to use --lenient: {}",
        r.stderr
    );
    assert!(!out.exists(), "no output on failure");

    let r = run(&["import", "safesci", s(&file), "-o", s(&out), "--lenient"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("wrote 1 items") && r.stderr.contains("(1 skipped"),
        "{}",
        r.stderr
    );
}

#[test]
fn alpaca_and_sharegpt_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lab.jsonl");
    let alpaca = fixtures().join("import/lab_alpaca.json");
    let r = run(&[
        "import",
        "alpaca",
        s(&alpaca),
        "--field",
        "chemistry",
        "-o",
        s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items = std::fs::read_to_string(&out).unwrap();
    let answers: Vec<String> = items
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {}",
                v["format"],
                v["answer"]["letters"],
                v["options"].as_array().unwrap().len()
            )
        })
        .collect();
    assert_eq!(
        answers,
        [
            "\"single_choice\" [\"B\"] 4",
            "\"single_choice\" [\"B\"] 4",
            "\"multi_choice\" [\"A\",\"C\"] 4"
        ]
    );

    let sharegpt = fixtures().join("import/lab_sharegpt.json");
    let r = run(&["import", "alpaca", s(&sharegpt), "-o", s(&out)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("lab_sharegpt.json` record 2: found no final answer letter in the output `I would rather not say.`"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "import",
        "alpaca",
        s(&sharegpt),
        "-o",
        s(&out),
        "--lenient",
        "--source",
        "lab:v1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("wrote 2 items"), "{}", r.stderr);
}

#[test]
fn generic_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    let csv = fixtures().join("import/table.csv");
    let map = "question=q,answer=ans,options=opts,field=topic,id=key";
    let r = run(&["import", "csv", s(&csv), "--map", map, "-o", s(&out)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("table.csv` line 9 column `ans`: `Z` is neither option letters (A–B) nor an option's text"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "import",
        "csv",
        s(&csv),
        "--map",
        map,
        "-o",
        s(&out),
        "--lenient",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let formats: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {}",
                v["provenance"]["record"], v["field"], v["format"]
            )
        })
        .collect();
    assert_eq!(
        formats,
        [
            "\"r1\" \"physics\" \"single_choice\"",
            "\"r2\" \"chemistry\" \"true_false\"",
            "\"r3\" \"chemistry\" \"fill_blank\"",
            "\"r4\" \"general\" \"open_qa\"",
            "\"r5\" \"chemistry\" \"multi_choice\"",
        ]
    );

    let jsonl = fixtures().join("import/table.jsonl");
    let out = dir.path().join("t.parquet");
    let map = "question=question,answer=label,options=choices,field=field,track=track";
    let r = run(&["import", "jsonl", s(&jsonl), "--map", map, "-o", s(&out)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stats = run(&["stats", "--json", s(&out)]);
    let v: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    assert_eq!(
        v["by_track"],
        serde_json::json!({"knowledge": 1, "risk": 1})
    );
    assert_eq!(
        v["by_format"],
        serde_json::json!({"open_qa": 1, "single_choice": 1})
    );

    // The Parquet items import back as a table too.
    let back = dir.path().join("back.jsonl");
    let r = run(&[
        "import",
        "parquet",
        s(&out),
        "--map",
        "question=question,answer=family,field=field",
        "-o",
        s(&back),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("wrote 2 items"), "{}", r.stderr);
}
