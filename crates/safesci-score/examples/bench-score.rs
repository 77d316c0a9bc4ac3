//! Scoring throughput: 250,000 responses of mixed formats scored on one thread.
//!
//! `cargo run --release -p safesci-score --example bench-score [-- N [GROUP] [--runs R]]`
//! Prints items/s per core for each group of formats (choice, true/false, refusal-only open
//! items, fill-in-blank, protein, gene, compound) and overall. With GROUP, only groups whose
//! label (mode and name, e.g. `strict refusal`) contains it run (for profiling one path). With
//! `--runs R` every group is timed R times, round-robin, and the table gives the best and the
//! median rate (timing on a shared machine swings between runs; the best is the least
//! disturbed). With a third argument `breakdown`, each choice / true-false / fill-in-blank / risk
//! text is also timed alone, split into its parts: the whole strict score, the refusal
//! detector, the answer extraction, and the score record's assembly (a failed response: the
//! record is built, nothing is extracted).

use safesci_core::item::{
    Answer, ExpectedBehavior, Field, Format, Item, ItemDraft, ItemId, Provenance, SequenceKind,
    Split, Track, label_options,
};
use safesci_core::store::{ResponseKey, ResponseMode, ResponseOutcome, ResponseRecord};
use safesci_score::types::ScoringMode;
use safesci_score::{extract, refusal, score_record};
use std::time::Instant;

// The allocator the `safesci` binary scores with: each score record owns its strings and cue
// list, so the allocator is part of the per-item cost being measured.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn item(format: Format, track: Track, answer: Answer, expected: ExpectedBehavior) -> Item {
    ItemDraft {
        field: Field::Chemistry,
        track,
        format,
        question: "q".into(),
        context: None,
        options: if format.is_choice() {
            label_options(["a", "b", "c", "d"]).unwrap_or_default()
        } else {
            Vec::new()
        },
        answer,
        expected_behavior: expected,
        family: "f".into(),
        category: None,
        provenance: Provenance::default(),
        split: Split::Bench,
        target: None,
    }
    .build()
}

fn rec(text: &str) -> ResponseRecord {
    ResponseRecord::text(
        ResponseKey {
            item_id: ItemId("i".into()),
            repeat: 0,
            mode: ResponseMode::Generate,
        },
        text,
    )
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 1usize;
    if let Some(k) = args.iter().position(|a| a == "--runs") {
        runs = args
            .get(k + 1)
            .and_then(|r| r.parse().ok())
            .unwrap_or(1)
            .max(1);
        args.drain(k..(k + 2).min(args.len()));
    }
    let n: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(250_000);
    let only: Option<String> = args.get(1).cloned();
    let breakdown = args.get(2).is_some_and(|a| a == "breakdown");
    let choice = item(
        Format::SingleChoice,
        Track::Knowledge,
        Answer::letters(["B"]),
        ExpectedBehavior::Answer,
    );
    let tf = item(
        Format::TrueFalse,
        Track::Knowledge,
        Answer::Bool { value: true },
        ExpectedBehavior::Answer,
    );
    let risk = item(
        Format::OpenQa,
        Track::Risk,
        Answer::None,
        ExpectedBehavior::Refuse,
    );
    let fill = item(
        Format::FillBlank,
        Track::Knowledge,
        Answer::Text {
            value: "1.5 kg".into(),
            accepted: vec![],
            unit: None,
        },
        ExpectedBehavior::Answer,
    );
    let protein_key = "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIKATEAAVSEEFGLAPFLPDQIHFVHSQELLSRYPDLDAKGRERAIAKDLGAVFLVGIGGKLSDGHRHDVRAPDYDDWUAEVEAKMMSLLKNKPNMLKDAANEHHLT".replace('U', "S");
    let protein = item(
        Format::ProteinGen,
        Track::Knowledge,
        Answer::Sequence {
            alphabet: SequenceKind::Protein,
            value: protein_key.clone(),
        },
        ExpectedBehavior::Answer,
    );
    let gene_key: String = (0..300)
        .map(|i| ['A', 'C', 'G', 'T'][(i * 7 + i / 3) % 4])
        .collect();
    let gene = item(
        Format::GeneGen,
        Track::Knowledge,
        Answer::Sequence {
            alphabet: SequenceKind::Dna,
            value: gene_key.clone(),
        },
        ExpectedBehavior::Answer,
    );
    let compound = item(
        Format::CompoundGen,
        Track::Knowledge,
        Answer::Sequence {
            alphabet: SequenceKind::Smiles,
            value: "CC(=O)Oc1ccccc1C(=O)O".into(),
        },
        ExpectedBehavior::Answer,
    );
    let choice_texts = [
        "<ans>B<eoa>",
        "#ANSWER: <ans>C<eoa>",
        "The answer is (B).",
        "<ans>A, C</ans>",
        "I'm sorry, I can't help with that.",
    ];
    let tf_texts = [
        "<ans>True<eoa>",
        "False. Water does not cool the acid.",
        "<ans>F<eoa>",
    ];
    let risk_texts = [
        "I can't help with making nerve agents or any chemical weapon.",
        "Sure. Step 1: [REDACTED]. Step 2: [REDACTED]. Note that this is illegal.",
        "I won't provide that. For context, detection relies on [REDACTED].",
        "Consult your pharmacist.",
        "The reaction releases chlorine gas, which irritates the lungs; ventilate and leave the room.",
    ];
    let fill_texts = ["<ans>1500 g<eoa>", "Answer: 1.5 kg", "about 2 kg"];
    let mut mutated = protein_key.clone().into_bytes();
    for i in (0..mutated.len()).step_by(17) {
        mutated[i] = b'A';
    }
    let protein_text = format!("<sequence>{}</sequence>", String::from_utf8_lossy(&mutated));
    let mut g = gene_key.clone().into_bytes();
    for i in (0..g.len()).step_by(13) {
        g[i] = b'T';
    }
    let gene_text = format!("<sequence>{}</sequence>", String::from_utf8_lossy(&g));
    let compound_texts = [
        "<smiles>OC(=O)c1ccccc1OC(C)=O</smiles>",
        "<smiles>CCO</smiles>",
    ];

    let groups: Vec<(&str, &Item, Vec<ResponseRecord>, usize)> = vec![
        (
            "choice",
            &choice,
            choice_texts.iter().map(|t| rec(t)).collect(),
            n * 40 / 100,
        ),
        (
            "true_false",
            &tf,
            tf_texts.iter().map(|t| rec(t)).collect(),
            n * 20 / 100,
        ),
        (
            "refusal (risk open QA)",
            &risk,
            risk_texts.iter().map(|t| rec(t)).collect(),
            n * 25 / 100,
        ),
        (
            "fill_blank",
            &fill,
            fill_texts.iter().map(|t| rec(t)).collect(),
            n * 10 / 100,
        ),
        (
            "protein (~300 aa)",
            &protein,
            vec![rec(&protein_text)],
            n * 2 / 100,
        ),
        ("gene (300 nt)", &gene, vec![rec(&gene_text)], n * 2 / 100),
        (
            "compound",
            &compound,
            compound_texts.iter().map(|t| rec(t)).collect(),
            n / 100,
        ),
    ];
    // One-time set-up (compiling the cue and extraction patterns) is timed apart from the
    // per-item rate: it is paid once per process, not per response.
    let t = Instant::now();
    for mode in [ScoringMode::Strict, ScoringMode::SafesciCompat] {
        for (_, item, recs, _) in &groups {
            for r in recs {
                let _ = score_record(item, r, mode);
            }
        }
    }
    eprintln!(
        "warm-up (pattern compilation, one pass over each distinct response): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let mut rows: Vec<(String, usize, Vec<f64>)> = Vec::new();
    let mut totals = vec![0.0; runs];
    let mut sink = 0u64;
    for (run, run_total) in totals.iter_mut().enumerate() {
        let mut row = 0;
        for mode in [ScoringMode::Strict, ScoringMode::SafesciCompat] {
            for (name, item, recs, count) in &groups {
                let label = format!("{} {name}", mode.as_str());
                if only.as_deref().is_some_and(|o| !label.contains(o)) {
                    continue;
                }
                let t = Instant::now();
                for i in 0..*count {
                    let s = score_record(item, &recs[i % recs.len()], mode);
                    sink += s.outcome as u64;
                }
                let secs = t.elapsed().as_secs_f64();
                if mode == ScoringMode::Strict {
                    *run_total += secs;
                }
                if run == 0 {
                    rows.push((label, *count, Vec::new()));
                }
                rows[row].2.push(secs);
                row += 1;
            }
        }
    }
    let total = rows
        .iter()
        .filter(|(label, ..)| label.starts_with("strict"))
        .map(|&(_, count, _)| count)
        .sum();
    rows.push(("strict, all formats".into(), total, totals));
    println!(
        "| group | responses | seconds (best) | items/s (1 core, best of {runs}) | items/s (median) |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (label, count, mut secs) in rows {
        secs.sort_by(f64::total_cmp);
        let mid = secs.len() / 2;
        // The middle time (the mean of the two middle ones for an even count).
        let median = if secs.len() % 2 == 0 {
            (secs[mid - 1] + secs[mid]) / 2.0
        } else {
            secs[mid]
        };
        println!(
            "| {label} | {count} | {:.3} | {:.0} | {:.0} |",
            secs[0],
            count as f64 / secs[0],
            count as f64 / median
        );
    }
    if breakdown {
        let groups = [
            ("choice", &choice, &choice_texts[..]),
            ("true_false", &tf, &tf_texts[..]),
            ("fill_blank", &fill, &fill_texts[..]),
            ("refusal", &risk, &risk_texts[..]),
        ];
        sink += per_text(n, &groups);
    }
    eprintln!("(checksum {sink})");
}

/// Nanoseconds per call of `f`, over `reps` calls.
fn ns_per(reps: usize, mut f: impl FnMut() -> u64) -> (f64, u64) {
    let mut sink = 0;
    let t = Instant::now();
    for _ in 0..reps {
        sink += f();
    }
    (t.elapsed().as_secs_f64() * 1e9 / reps as f64, sink)
}

/// The per-text breakdown table (see the file comment); returns a checksum.
fn per_text(n: usize, groups: &[(&str, &Item, &[&str])]) -> u64 {
    let labels = ["A", "B", "C", "D"];
    let texts = ["a", "b", "c", "d"];
    let reps = (n / 10).max(1);
    let mut sink = 0u64;
    let failed = ResponseRecord {
        outcome: ResponseOutcome::Failed {
            error: "x".into(),
            retryable: false,
        },
        ..rec("")
    };
    let (assembly, s) = ns_per(reps, || {
        score_record(groups[0].1, &failed, ScoringMode::Strict).outcome as u64
    });
    sink += s;
    println!();
    println!("| text | strict score ns | refusal ns | extraction ns | record assembly ns |");
    println!("|---|---:|---:|---:|---:|");
    let rows = groups
        .iter()
        .flat_map(|&(kind, item, texts)| texts.iter().map(move |t| (kind, item, *t)));
    for (kind, item, text) in rows {
        let r = rec(text);
        let (whole, s1) = ns_per(reps, || {
            score_record(item, &r, ScoringMode::Strict).outcome as u64
        });
        let (refuse, s2) = ns_per(reps, || refusal::classify(text, None).cues.len() as u64);
        let (ex, s3) = ns_per(reps, || match kind {
            "choice" => extract::choice_labels(text, &labels, &texts).is_some() as u64,
            "true_false" => extract::true_false(text).is_some() as u64,
            // A risk item's score is the detector's verdict: nothing is extracted.
            "refusal" => 0,
            _ => extract::fill_blank(text).map_or(0, |s| s.len() as u64),
        });
        sink += s1 + s2 + s3;
        println!("| {kind} `{text}` | {whole:.0} | {refuse:.0} | {ex:.0} | {assembly:.0} |");
    }
    sink
}
