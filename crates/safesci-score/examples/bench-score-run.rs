//! End-to-end `safesci score` cost on a run store: N responses of mixed formats written to a
//! real SQLite run store, then read back, scored, summarised (intervals, clustered bootstrap)
//! and saved, each stage timed.
//!
//! `cargo run --release -p safesci-score --example bench-score-run -- [N]` (default 250,000).
//! Scoring uses rayon's pool: `RAYON_NUM_THREADS=1` times it on one core.

use rayon::prelude::*;
use safesci_core::item::{
    Answer, ExpectedBehavior, Field, Format, Item, ItemDraft, Provenance, Split, Track,
    label_options,
};
use safesci_core::store::{ResponseKey, ResponseMode, ResponseRecord, RunStore};
use safesci_score::types::ScoringMode;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Item `i` of the mix (40 % single choice, 20 % true/false, 25 % risk open questions, 15 %
/// fill-in-blank) and one response text for it.
fn case(i: usize) -> (Item, &'static str) {
    const CHOICE: [&str; 4] = [
        "<ans>B<eoa>",
        "The answer is (B).",
        "<ans>A, C</ans>",
        "I'm sorry, I can't help with that.",
    ];
    const TF: [&str; 3] = [
        "<ans>True<eoa>",
        "False. Water does not cool the acid.",
        "<ans>F<eoa>",
    ];
    const RISK: [&str; 5] = [
        "I can't help with making nerve agents or any chemical weapon.",
        "Sure. Step 1: [REDACTED]. Step 2: [REDACTED]. Note that this is illegal.",
        "I won't provide that. For context, detection relies on [REDACTED].",
        "Consult your pharmacist.",
        "The reaction releases chlorine gas, which irritates the lungs; ventilate and leave the room.",
    ];
    const FILL: [&str; 3] = ["<ans>1500 g<eoa>", "Answer: 1.5 kg", "about 2 kg"];
    let (format, track, answer, expected, text) = match i % 20 {
        0..8 => (
            Format::SingleChoice,
            Track::Knowledge,
            Answer::letters(["B"]),
            ExpectedBehavior::Answer,
            CHOICE[i % CHOICE.len()],
        ),
        8..12 => (
            Format::TrueFalse,
            Track::Knowledge,
            Answer::Bool { value: true },
            ExpectedBehavior::Answer,
            TF[i % TF.len()],
        ),
        12..17 => (
            Format::OpenQa,
            Track::Risk,
            Answer::None,
            ExpectedBehavior::Refuse,
            RISK[i % RISK.len()],
        ),
        _ => (
            Format::FillBlank,
            Track::Knowledge,
            Answer::Text {
                value: "1.5 kg".into(),
                accepted: vec![],
                unit: None,
            },
            ExpectedBehavior::Answer,
            FILL[i % FILL.len()],
        ),
    };
    let item = ItemDraft {
        field: [Field::Chemistry, Field::Biology, Field::Medicine][i % 3],
        track,
        format,
        question: format!("question {i}"),
        context: None,
        options: if format.is_choice() {
            label_options(["a", "b", "c", "d"]).unwrap_or_default()
        } else {
            Vec::new()
        },
        answer,
        expected_behavior: expected,
        // Families of ten items, as paraphrase families cluster in the bench.
        family: format!("family-{}", i / 10),
        category: None,
        provenance: Provenance::default(),
        split: Split::Bench,
        target: None,
    }
    .build();
    (item, text)
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(250_000);
    let dir = tempfile::tempdir()?;
    let mut store = RunStore::create(dir.path())?;
    let t = Instant::now();
    let cases: Vec<(Item, &str)> = (0..n).map(case).collect();
    store.put_items(cases.iter().map(|(item, _)| item))?;
    let records: Vec<ResponseRecord> = cases
        .iter()
        .map(|(item, text)| {
            let key = ResponseKey {
                item_id: item.id.clone(),
                repeat: 0,
                mode: ResponseMode::Generate,
            };
            ResponseRecord::text(key, *text)
        })
        .collect();
    store.record(&records)?;
    drop((cases, records));
    eprintln!(
        "store with {n} responses written in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let threads = rayon::current_num_threads();
    // The stages `score_run` chains, timed apart: reading the store, and summarising.
    let t = Instant::now();
    let (items, responses) = (store.items()?, store.responses()?);
    let read = t.elapsed().as_secs_f64();
    drop((items, responses));
    let t = Instant::now();
    let (scores, summary) = safesci_score::score_run(&store, ScoringMode::Strict)?;
    let run = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = safesci_score::metrics::summarize(&scores, ScoringMode::Strict, &summary.model);
    let summarise = t.elapsed().as_secs_f64();
    anyhow::ensure!(again == summary, "summaries of the same scores differ");
    // The scoring stage alone, as `score_run` does it (its reading and summarising are timed
    // above).
    let (items, responses) = (store.items()?, store.responses()?);
    let by_id: std::collections::HashMap<&str, &Item> =
        items.iter().map(|i| (i.id.0.as_str(), i)).collect();
    let pairs: Vec<(&Item, &ResponseRecord)> = responses
        .iter()
        .filter_map(|r| Some((*by_id.get(r.key.item_id.0.as_str())?, r)))
        .collect();
    let t = Instant::now();
    let again: Vec<_> = pairs
        .par_iter()
        .map(|&(item, r)| safesci_score::score_record(item, r, ScoringMode::Strict))
        .collect();
    let score = t.elapsed().as_secs_f64();
    anyhow::ensure!(again == scores, "scores of the same responses differ");
    drop((pairs, by_id));
    drop((again, responses, items));
    let t = Instant::now();
    safesci_score::save_scores(&mut store, ScoringMode::Strict, &scores, &summary)?;
    let saved = t.elapsed().as_secs_f64();
    println!("| stage ({threads} threads) | seconds | responses/s |");
    println!("|---|---:|---:|");
    for (stage, secs) in [
        ("read items and responses from the store", read),
        ("score every response", score),
        (
            "summarise (rates, intervals, clustered bootstrap)",
            summarise,
        ),
        ("save scores and summary", saved),
        ("`safesci score`, all stages", run + saved),
    ] {
        println!("| {stage} | {secs:.2} | {:.0} |", n as f64 / secs);
    }
    eprintln!("(scored {} responses)", scores.len());
    Ok(())
}
