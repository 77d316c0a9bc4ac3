//! Benchmark (not a timed test): generate synthetic official-format items in a temp dir, then
//! time `import safesci` (parse, route, build, write JSONL) and `stats` on the result, in-process,
//! and report peak RSS (VmHWM).
//!
//! `cargo bench -p safesci-import --bench import_stats` runs 250,000 items;
//! `SAFESCI_BENCH_ITEMS=N` changes the count. Under `cargo test` it runs 2,000 items as a smoke test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_core::io::BadItemPolicy;
use safesci_import::safesci::{SafesciOptions, import_path};
use safesci_import::stats::stats_of_file;
use serde_json::{Value, json};
use std::time::Instant;

fn record(i: usize) -> Value {
    let q = format!(
        "Synthetic safety question number {i}: which practice is safe for substance {}?",
        i % 977
    );
    match i % 8 {
        0..=2 => json!({
            "source_file": "data/chem/PubChem/CAMEO_toxicity_query_scq_sampled.json",
            "question": q,
            "answer": format!("Safe practice {i}"),
            "options": [format!("Unsafe a {i}"), format!("Unsafe b {i}"), format!("Unsafe c {i}")],
        }),
        3 => json!({
            "source_file": "data/med/Haz-Map/HazMap_jobtask_hazard_predict_mcq_sampled.json",
            "question": q,
            "answer": [format!("Hazard a {i}"), format!("Hazard b {i}")],
            "options": [format!("Not a hazard {i}"), format!("Also not {i}")],
        }),
        4 => json!({
            "source_file": "data/physics/SciKnowEval_physics_laboratory_safety_scq_sampled.json",
            "question": q,
            "options": ["one", "two", "three", "four", "five"],
            "gt": "C",
        }),
        5 => json!({
            "source_file": "data/chem/SciKnowEval/SciKnowEval_chemical_laboratory_safety_tf_sampled.json",
            "question": q,
            "answer": if i.is_multiple_of(2) { "True" } else { "False" },
        }),
        6 => json!({
            "source_file": "data/chem/ord-data/method_to_cause_harm_of_compound_sampled.json",
            "question": format!("[REDACTED request {i}]"),
        }),
        _ => json!({
            "source_file": "data/med/DailyMed/DailyMed_overdose_query.json",
            "question": q,
            "answer": ["nausea", "vomiting"],
        }),
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SAFESCI_BENCH_ITEMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench { 250_000 } else { 2_000 });
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("test_set.json");
    let records: Vec<Value> = (0..n).map(record).collect();
    std::fs::write(&input, serde_json::to_vec(&records).unwrap()).unwrap();
    drop(records);
    let input_mib = std::fs::metadata(&input).unwrap().len() as f64 / (1 << 20) as f64;
    let rss_before = peak_rss_kib().unwrap_or(0);

    let out = dir.path().join("items.jsonl");
    let t0 = Instant::now();
    let imported = import_path(&input, &SafesciOptions::default()).unwrap();
    let t_import = t0.elapsed();
    safesci_import::write_any(&out, &imported.items).unwrap();
    let t_write = t0.elapsed() - t_import;
    let count = imported.items.len();
    drop(imported);
    let t1 = Instant::now();
    let (stats, _) = stats_of_file(&out, BadItemPolicy::Stop).unwrap();
    let t_stats = t1.elapsed();
    assert_eq!(
        stats.total as usize, count,
        "stats must count every imported item"
    );

    let total = t0.elapsed();
    println!("items            {n} ({count} imported, {input_mib:.1} MiB input)");
    println!("threads          {}", rayon::current_num_threads());
    println!(
        "import (parse+route+build)  {:.3} s",
        t_import.as_secs_f64()
    );
    println!("write JSONL      {:.3} s", t_write.as_secs_f64());
    println!(
        "stats (read+validate+count)  {:.3} s",
        t_stats.as_secs_f64()
    );
    println!("total            {:.3} s", total.as_secs_f64());
    println!(
        "peak RSS         {:.0} MiB (after generating input: {:.0} MiB)",
        peak_rss_kib().unwrap_or(0) as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
}
