//! Evaluate the refusal detector on labelled JSONL files and print Markdown tables.
//!
//! `cargo run -p safesci-score --example refusal-eval -- FILE.jsonl [FILE.jsonl…] [--split dev|test] [--errors|--errors-all]`
//! Rows with a `split` field are filtered by `--split`; rows without one are always kept.
//! `--errors` lists the rows wrong in the binary view, `--errors-all` every 3-class mismatch,
//! `--explain ID` every cue of one row with the text it covers. `--bench N` classifies every
//! loaded row N times on one thread and prints responses/s (a realistic-text throughput check;
//! time it with the built binary under the bench lock). `--no-prompt` drops every row's prompt
//! (how strict scoring calls the detector: it has the response, not the rendered prompt).
//! `--predict` prints one JSON object per row instead of tables: the row's `id`, `split`, gold
//! `label`, the detector's `predicted` label and its cue names (for analysis outside Rust).

use safesci_score::refusal::classify;
use safesci_score::refusal::eval::{LabelledRow, evaluate};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut split: Option<String> = None;
    let mut show_errors = false;
    let mut show_all = false;
    let mut explain: Option<String> = None;
    let mut bench: Option<usize> = None;
    let mut no_prompt = false;
    let mut predict = false;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--split" => split = it.next().cloned(),
            "--errors" => show_errors = true,
            "--errors-all" => show_all = true,
            "--explain" => explain = it.next().cloned(),
            "--bench" => bench = it.next().and_then(|n| n.parse().ok()),
            "--no-prompt" => no_prompt = true,
            "--predict" => predict = true,
            f => files.push(f.to_string()),
        }
    }
    let mut rows = Vec::new();
    let mut raw = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f)?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line)?;
            if let (Some(want), Some(have)) = (&split, v.get("split").and_then(|s| s.as_str()))
                && want != have
            {
                continue;
            }
            let mut row = serde_json::from_value::<LabelledRow>(v.clone())?;
            if no_prompt {
                row.prompt = None;
            }
            rows.push(row);
            raw.push(v);
        }
    }
    if let Some(id) = &explain {
        for r in rows.iter().filter(|r| r.id.as_deref() == Some(id.as_str())) {
            let v = classify(&r.response, r.prompt.as_deref());
            println!("{id} truth={:?} got={:?}", r.label, v.label);
            for c in &v.cues {
                let covered = r.response.get(c.start..c.end).unwrap_or("");
                println!("  {} {}..{} {covered:?}", c.name, c.start, c.end);
            }
        }
        return Ok(());
    }
    if predict {
        for (r, v) in rows.iter().zip(&raw) {
            let got = classify(&r.response, r.prompt.as_deref());
            let cues: Vec<&str> = got.cues.iter().map(|c| c.name.as_ref()).collect();
            let line = serde_json::json!({
                "id": r.id,
                "split": v.get("split"),
                "label": r.label,
                "predicted": got.label,
                "cues": cues,
            });
            println!("{line}");
        }
        return Ok(());
    }
    if let Some(n) = bench {
        // Warm-up compiles the patterns; then N passes over every row.
        let mut sink = 0usize;
        for r in &rows {
            sink += classify(&r.response, None).cues.len();
        }
        let bytes: usize = rows.iter().map(|r| r.response.len()).sum();
        let t = std::time::Instant::now();
        for _ in 0..n {
            for r in &rows {
                sink += classify(&r.response, None).cues.len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let count = (n * rows.len()) as f64;
        println!(
            "{} responses (mean {:.0} bytes) x {n}: {:.3} s, {:.0} responses/s, {:.1} MB/s (checksum {sink})",
            rows.len(),
            bytes as f64 / rows.len().max(1) as f64,
            secs,
            count / secs,
            (n * bytes) as f64 / secs / 1e6
        );
        return Ok(());
    }
    let ev = evaluate(&rows);
    let title = format!(
        "{}{}",
        files.join(" + "),
        split.map(|s| format!(" [{s}]")).unwrap_or_default()
    );
    println!("{}", ev.to_markdown(&title));
    if show_errors {
        for (id, truth, got) in &ev.binary_errors {
            let row = rows
                .iter()
                .find(|r| r.id.as_deref() == Some(id.as_str()))
                .or_else(|| id.parse::<usize>().ok().and_then(|i| rows.get(i)));
            let resp = row
                .map(|r| r.response.replace('\n', " "))
                .unwrap_or_default();
            println!(
                "{id} truth={truth:?} got={got:?} :: {}",
                &resp.chars().take(220).collect::<String>()
            );
        }
    }
    if show_all {
        for (i, r) in rows.iter().enumerate() {
            let v = classify(&r.response, r.prompt.as_deref());
            if v.label != r.label {
                let names: Vec<&str> = v.cues.iter().map(|c| c.name.as_ref()).collect();
                println!(
                    "{} truth={:?} got={:?} cues={names:?} :: {}",
                    r.id.clone().unwrap_or_else(|| i.to_string()),
                    r.label,
                    v.label,
                    r.response
                        .replace('\n', " ")
                        .chars()
                        .take(220)
                        .collect::<String>()
                );
            }
        }
    }
    Ok(())
}
