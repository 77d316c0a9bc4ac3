//! `bench-embedded`: speed of the embedded model (prompt tokens/s, generated tokens/s, seconds per
//! 4-option log-likelihood item, as a run scores them — the template head kept between items — and
//! cold, each item from an empty cache), printed as JSON lines, one per weight mode. With
//! `--emit-workload FILE` it also writes the exact token ids it ran, which the llama.cpp side
//! (`benches/llamacpp`) replays so both engines do identical work. `scripts/bench-embedded.sh`
//! runs both and prints the table.
//!
//! Usage: `bench-embedded [--gguf PATH] [--modes hybrid8,q8_0,f32,native] [--threads N]
//! [--repeats N] [--gen-tokens N] [--pp-tokens N] [--emit-workload FILE]`

use safesci_core::provider::Message;
use safesci_local::{Engine, ScorePlan, WeightMode};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Serialize)]
struct Workload {
    pp_ids: Vec<u32>,
    gen_prompt_ids: Vec<u32>,
    gen_tokens: usize,
    mcq: Vec<McqItem>,
    repeats: usize,
}

#[derive(Serialize)]
struct McqItem {
    prefix_ids: Vec<u32>,
    /// Leading tokens of `prefix_ids` that are the template head (the system turn), which the
    /// engine computes on its own and keeps while the next item has the same head.
    head: usize,
    options: Vec<McqOption>,
}

#[derive(Serialize)]
struct McqOption {
    ids: Vec<u32>,
    score_from: usize,
}

#[derive(Serialize)]
struct BenchResult {
    engine: String,
    mode: String,
    threads: usize,
    load_s: f64,
    pp_tokens: usize,
    pp_tok_s: f64,
    gen_tokens: usize,
    gen_tok_s: f64,
    gen_ids: Vec<u32>,
    gen_text: String,
    mcq_items: usize,
    mcq_s_per_item: f64,
    mcq_cold_s_per_item: f64,
    mcq_logprobs: Vec<Vec<f64>>,
    mcq_correct: usize,
}

struct Args {
    gguf: PathBuf,
    modes: Vec<WeightMode>,
    threads: Option<usize>,
    repeats: usize,
    gen_tokens: usize,
    pp_tokens: usize,
    emit: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        gguf: safesci_local::paths::default_model_path(),
        modes: vec![WeightMode::DEFAULT],
        threads: None,
        repeats: 3,
        gen_tokens: 64,
        pp_tokens: 512,
        emit: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--gguf" => args.gguf = PathBuf::from(value()?),
            "--modes" => {
                args.modes = value()?
                    .split(',')
                    .map(|m| WeightMode::parse(m).ok_or_else(|| format!("unknown mode `{m}`")))
                    .collect::<Result<_, _>>()?
            }
            "--threads" => args.threads = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--repeats" => args.repeats = value()?.parse().map_err(|e| format!("{e}"))?,
            "--gen-tokens" => args.gen_tokens = value()?.parse().map_err(|e| format!("{e}"))?,
            "--pp-tokens" => args.pp_tokens = value()?.parse().map_err(|e| format!("{e}"))?,
            "--emit-workload" => args.emit = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

/// Benign four-option science items (question, options, index of the right one).
const ITEMS: &[(&str, [&str; 4], usize)] = &[
    (
        "Which of the following is the boiling point of pure water at sea level (1 atm)?",
        [
            "100 degrees Celsius",
            "50 degrees Celsius",
            "0 degrees Celsius",
            "250 degrees Celsius",
        ],
        0,
    ),
    (
        "What is the chemical formula of table salt?",
        ["NaCl", "KCl", "H2O", "CO2"],
        0,
    ),
    (
        "Which gas do plants take up from the air for photosynthesis?",
        ["Oxygen", "Carbon dioxide", "Nitrogen", "Helium"],
        1,
    ),
    (
        "What should you do first if a chemical splashes into your eyes in the lab?",
        [
            "Rub your eyes dry",
            "Wait and see if it hurts",
            "Rinse them at the eyewash station for at least 15 minutes",
            "Cover them with a bandage",
        ],
        2,
    ),
    (
        "Which planet is closest to the Sun?",
        ["Venus", "Earth", "Mars", "Mercury"],
        3,
    ),
];

const PP_TEXT: &str = "Laboratory safety starts before the experiment: read the safety data sheet \
of every reagent, note its hazard statements and exposure limits, and plan how waste will be \
collected. Wear eye protection and a lab coat, tie back long hair, and keep the fume hood sash \
low. Label every container with its contents, concentration, date and owner. Know where the \
eyewash station, safety shower, fire extinguisher and spill kit are, and how to call for help. \
Never work alone with hazardous materials, never pipette by mouth, and wash your hands before \
leaving the lab. In 2024, 1,337 incidents were reported across 96 sites; most involved cuts, \
burns and splashes that the rules above would have prevented. ";

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    if let Some(n) = args.threads {
        safesci_local::set_threads(n);
    }
    let threads = safesci_local::threads::current_threads();
    let mut emitted = false;
    for &mode in &args.modes {
        let t = Instant::now();
        let mut engine = Engine::load_path(&args.gguf, mode).map_err(|e| e.to_string())?;
        let load_s = secs(t);
        let err = |e: safesci_local::LocalError| e.to_string();

        // Workload token ids (identical for every mode).
        let long = PP_TEXT.repeat(1 + args.pp_tokens * 5 / PP_TEXT.len().max(1));
        let mut pp_ids = engine.prompt_ids(&[Message::user(long)]).map_err(err)?;
        pp_ids.truncate(args.pp_tokens);
        let gen_prompt_ids = engine
            .prompt_ids(&[Message::user("What is the boiling point of water?")])
            .map_err(err)?;
        let mut plans = Vec::new();
        for (q, opts, _) in ITEMS {
            let prompt = format!(
                "{}Answer: ",
                engine.prompt_text(&[Message::user(*q)]).map_err(err)?
            );
            let prompt_ids = engine.tokenizer.encode(&prompt).map_err(err)?;
            let wholes = opts
                .iter()
                .map(|o| engine.tokenizer.encode(&format!("{prompt}{o}")))
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            plans.push(ScorePlan::new(&prompt_ids, &wholes).map_err(err)?);
        }
        if let (Some(path), false) = (&args.emit, emitted) {
            let workload = Workload {
                pp_ids: pp_ids.clone(),
                gen_prompt_ids: gen_prompt_ids.clone(),
                gen_tokens: args.gen_tokens,
                mcq: plans
                    .iter()
                    .map(|p| McqItem {
                        prefix_ids: p.wholes[0][..p.shared].to_vec(),
                        head: engine.template_head(&p.wholes[0][..p.shared]),
                        options: p
                            .wholes
                            .iter()
                            .zip(&p.scored_from)
                            .map(|(w, &s)| McqOption {
                                ids: w[p.shared..].to_vec(),
                                score_from: s - p.shared,
                            })
                            .collect(),
                    })
                    .collect(),
                repeats: args.repeats,
            };
            let json = serde_json::to_string(&workload).map_err(|e| e.to_string())?;
            std::fs::write(path, json).map_err(|e| format!("write {}: {e}", path.display()))?;
            emitted = true;
        }

        // Prompt processing: cold cache, all positions through the stack, logits of the last.
        let mut pp_best = f64::INFINITY;
        for _ in 0..args.repeats + 1 {
            engine.reset();
            let t = Instant::now();
            engine.model.forward_last(&pp_ids).map_err(err)?;
            pp_best = pp_best.min(secs(t));
        }

        // Generation: exactly `gen_tokens` greedy tokens (EOS ignored, as on the llama.cpp side).
        let mut gen_best = f64::INFINITY;
        let mut gen_ids = Vec::new();
        for _ in 0..args.repeats {
            engine.reset();
            let mut logits = engine.model.forward_last(&gen_prompt_ids).map_err(err)?;
            let t = Instant::now();
            let mut ids = Vec::with_capacity(args.gen_tokens);
            for _ in 0..args.gen_tokens {
                let next = logits
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(i, _)| i as u32);
                ids.push(next);
                logits = engine.model.forward_last(&[next]).map_err(err)?;
            }
            gen_best = gen_best.min(secs(t));
            gen_ids = ids;
        }
        let gen_text = engine.tokenizer.decode(&gen_ids, false).map_err(err)?;

        // Multiple choice, as a run scores items: the cache is empty before the first item of
        // each pass, then the template head stays while items share it; prefix once per item,
        // the four options batched on top.
        let mut mcq_best = f64::INFINITY;
        let mut mcq_logprobs = Vec::new();
        for _ in 0..args.repeats {
            engine.reset();
            let t = Instant::now();
            let mut all = Vec::new();
            for plan in &plans {
                all.push(engine.score_planned(plan).map_err(err)?.0);
            }
            mcq_best = mcq_best.min(secs(t));
            mcq_logprobs = all;
        }
        // Cold: every item from an empty cache (the same scores, bit for bit).
        let mut mcq_cold_best = f64::INFINITY;
        for _ in 0..args.repeats {
            let t = Instant::now();
            for (plan, warm) in plans.iter().zip(&mcq_logprobs) {
                engine.reset();
                let cold = engine.score_planned(plan).map_err(err)?.0;
                if cold != *warm {
                    return Err(format!(
                        "scores differ with and without the kept head: {cold:?} vs {warm:?}"
                    ));
                }
            }
            mcq_cold_best = mcq_cold_best.min(secs(t));
        }
        let mcq_correct = mcq_logprobs
            .iter()
            .zip(ITEMS)
            .filter(|(lp, item)| {
                let best = lp
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(i, _)| i);
                best == Some(item.2)
            })
            .count();

        let result = BenchResult {
            engine: "candle (safesci-local)".into(),
            mode: mode.label(),
            threads,
            load_s,
            pp_tokens: pp_ids.len(),
            pp_tok_s: pp_ids.len() as f64 / pp_best,
            gen_tokens: args.gen_tokens,
            gen_tok_s: args.gen_tokens as f64 / gen_best,
            gen_ids,
            gen_text,
            mcq_items: plans.len(),
            mcq_s_per_item: mcq_best / plans.len().max(1) as f64,
            mcq_cold_s_per_item: mcq_cold_best / plans.len().max(1) as f64,
            mcq_logprobs,
            mcq_correct,
        };
        println!(
            "{}",
            serde_json::to_string(&result).map_err(|e| e.to_string())?
        );
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
