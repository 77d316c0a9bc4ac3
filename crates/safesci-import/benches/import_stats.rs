//! Benchmark (not a timed test): generate synthetic official-format items in a temp dir, then
//! time `import safesci` (read, parse, route, build, write JSONL, free) and `stats` on the result,
//! each in a child process of its own as the two commands run, and report each step's wall and
//! CPU time and each process's peak RSS (VmHWM).
//!
//! `cargo bench -p safesci-import --bench import_stats` runs 250,000 items;
//! `SAFESCI_BENCH_ITEMS=N` changes the count. Under `cargo test` it runs 2,000 items as a smoke test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_core::io::BadItemPolicy;
use safesci_import::safesci::{SafesciOptions, import_path};
use safesci_import::stats::stats_of_file;
use serde_json::{Value, json};
use std::path::Path;
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

/// `VmHWM` (peak resident set) of this process, in KiB.
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

/// CPU time (user + system, all threads) this process has used, in seconds.
fn cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`: utime and stime are the 12th and 13th, in clock ticks (100/s).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The input file (one compact JSON array), written record by record so that generating it
/// does not hold every record in memory.
fn write_input(path: &Path, n: usize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"[").unwrap();
    for i in 0..n {
        if i > 0 {
            out.write_all(b",").unwrap();
        }
        serde_json::to_writer(&mut out, &record(i)).unwrap();
    }
    out.write_all(b"]").unwrap();
    out.flush().unwrap();
}

/// One timed step inside a phase process.
struct Step {
    name: String,
    wall_s: f64,
    cpu_s: f64,
}

fn timed<T>(steps: &mut Vec<Step>, name: &'static str, f: impl FnOnce() -> T) -> T {
    let (t, c) = (Instant::now(), cpu_s().unwrap_or(0.0));
    let out = f();
    steps.push(Step {
        name: name.to_string(),
        wall_s: t.elapsed().as_secs_f64(),
        cpu_s: cpu_s().unwrap_or(0.0) - c,
    });
    out
}

/// Child process: run one phase as the CLI would (`import` = `safesci import safesci IN -o OUT`,
/// `stats` = `safesci stats OUT`) and print its steps and peak RSS as `step NAME WALL CPU` and
/// `peak KIB` lines.
fn run_phase(phase: &str, input: &Path, output: &Path) {
    let mut steps = Vec::new();
    match phase {
        "import" => {
            let imported = timed(&mut steps, "import (read+parse+route+build)", || {
                import_path(input, &SafesciOptions::default()).unwrap()
            });
            timed(&mut steps, "write JSONL", || {
                safesci_import::write_any(output, &imported.items).unwrap()
            });
            println!("count {}", imported.items.len());
            timed(&mut steps, "free items", || drop(imported));
        }
        _ => {
            let (stats, _) = timed(&mut steps, "stats (read+validate+count)", || {
                stats_of_file(output, BadItemPolicy::Stop).unwrap()
            });
            println!("count {}", stats.total);
        }
    }
    for s in steps {
        println!("step {} {} {}", s.name.replace(' ', "_"), s.wall_s, s.cpu_s);
    }
    println!("peak {}", peak_rss_kib().unwrap_or(0));
}

/// Output of one phase child: its steps, item count and peak RSS.
struct PhaseReport {
    steps: Vec<Step>,
    count: usize,
    peak_kib: u64,
}

fn spawn_phase(phase: &str, input: &Path, output: &Path) -> PhaseReport {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--phase", phase])
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "phase {phase} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut report = PhaseReport {
        steps: Vec::new(),
        count: 0,
        peak_kib: 0,
    };
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["step", name, wall, cpu] => report.steps.push(Step {
                name: name.replace('_', " "),
                wall_s: wall.parse().unwrap(),
                cpu_s: cpu.parse().unwrap(),
            }),
            ["count", n] => report.count = n.parse().unwrap(),
            ["peak", kib] => report.peak_kib = kib.parse().unwrap(),
            _ => {}
        }
    }
    report
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        run_phase(
            &args[i + 1],
            Path::new(&args[i + 2]),
            Path::new(&args[i + 3]),
        );
        return;
    }
    let bench = args.iter().any(|a| a == "--bench");
    let n: usize = std::env::var("SAFESCI_BENCH_ITEMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench { 250_000 } else { 2_000 });
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("test_set.json");
    let output = dir.path().join("items.jsonl");
    write_input(&input, n);
    let input_mib = std::fs::metadata(&input).unwrap().len() as f64 / (1 << 20) as f64;

    // Each phase runs in its own process, as the two commands do, so its peak RSS is its own
    // and generating the input is in neither.
    let import = spawn_phase("import", &input, &output);
    let stats = spawn_phase("stats", &input, &output);
    assert_eq!(
        stats.count, import.count,
        "stats must count every imported item"
    );
    let output_mib = std::fs::metadata(&output).unwrap().len() as f64 / (1 << 20) as f64;

    println!(
        "items {n} ({} imported; {input_mib:.1} MiB JSON in, {output_mib:.1} MiB JSONL out), threads {}",
        import.count,
        rayon::current_num_threads()
    );
    println!("{:<32} {:>8} {:>8}", "step", "wall s", "CPU s");
    let steps: Vec<&Step> = import.steps.iter().chain(&stats.steps).collect();
    for s in &steps {
        println!("{:<32} {:>8.3} {:>8.2}", s.name, s.wall_s, s.cpu_s);
    }
    println!(
        "{:<32} {:>8.3} {:>8.2}",
        "total",
        steps.iter().map(|s| s.wall_s).sum::<f64>(),
        steps.iter().map(|s| s.cpu_s).sum::<f64>()
    );
    println!(
        "peak RSS: import process {:.0} MiB, stats process {:.0} MiB",
        import.peak_kib as f64 / 1024.0,
        stats.peak_kib as f64 / 1024.0
    );
}
