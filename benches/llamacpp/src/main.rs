//! llama.cpp reference for the embedded model: token ids for the tokenizer fixture, and the
//! llama.cpp side of the speed benchmark on the same GGUF and the same token ids.
//!
//! `safesci-llamacpp-ref tokenize GGUF FIXTURE.jsonl`  reads `{"text": …}` lines, prints
//! `{"text": …, "ids": […]}` lines (no BOS added, special tokens parsed, as the chat prompts are).
//! `safesci-llamacpp-ref bench GGUF WORKLOAD.json THREADS` runs the workload that
//! `bench-embedded --emit-workload` wrote and prints one JSON object.

use anyhow::{Context, Result, anyhow, bail};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::token::LlamaToken;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::num::NonZeroU32;
use std::time::Instant;

#[derive(Deserialize)]
struct FixtureLine {
    text: String,
}

#[derive(Serialize)]
struct TokenLine<'a> {
    text: &'a str,
    ids: Vec<i32>,
}

/// Same shape as `Workload` in `crates/safesci-local/src/bin/bench_embedded.rs`.
#[derive(Deserialize)]
struct Workload {
    pp_ids: Vec<u32>,
    gen_prompt_ids: Vec<u32>,
    gen_tokens: usize,
    mcq: Vec<McqItem>,
    repeats: usize,
}

#[derive(Deserialize)]
struct McqItem {
    prefix_ids: Vec<u32>,
    /// Leading tokens of `prefix_ids` forming the template head, kept in the KV cache between
    /// items that share it (as the embedded engine does).
    #[serde(default)]
    head: usize,
    options: Vec<McqOption>,
}

#[derive(Deserialize)]
struct McqOption {
    /// Tokens after the shared prefix.
    ids: Vec<u32>,
    /// Index in `ids` of the first scored token (earlier ones belong to the prompt).
    score_from: usize,
}

#[derive(Serialize)]
struct BenchResult {
    engine: &'static str,
    threads: i32,
    pp_tokens: usize,
    pp_tok_s: f64,
    gen_tokens: usize,
    gen_tok_s: f64,
    gen_ids: Vec<u32>,
    mcq_items: usize,
    mcq_s_per_item: f64,
    mcq_cold_s_per_item: f64,
    mcq_logprobs: Vec<Vec<f64>>,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mut backend = LlamaBackend::init()?;
    backend.void_logs();
    match args.get(1).map(String::as_str) {
        Some("tokenize") if args.len() == 4 => tokenize(&backend, &args[2], &args[3]),
        Some("bench") if args.len() == 5 => {
            let threads: i32 = args[4].parse().context("THREADS must be a number")?;
            bench(&backend, &args[2], &args[3], threads)
        }
        _ => bail!("usage: tokenize GGUF FIXTURE.jsonl | bench GGUF WORKLOAD.json THREADS"),
    }
}

fn tokenize(backend: &LlamaBackend, gguf: &str, fixture: &str) -> Result<()> {
    let model = LlamaModel::load_from_file(backend, gguf, &LlamaModelParams::default())?;
    let vocab = model.vocab();
    let file = std::fs::File::open(fixture).with_context(|| format!("open {fixture}"))?;
    let mut out = std::io::stdout().lock();
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let item: FixtureLine = serde_json::from_str(&line)?;
        let ids = vocab
            .tokenize(item.text.as_bytes(), false, true)
            .into_iter()
            .map(|t| t.0)
            .collect();
        serde_json::to_writer(
            &mut out,
            &TokenLine {
                text: &item.text,
                ids,
            },
        )?;
        writeln!(out)?;
    }
    Ok(())
}

fn tok(ids: &[u32]) -> Vec<LlamaToken> {
    ids.iter().map(|&i| LlamaToken(i as i32)).collect()
}

/// Decode `ids` at positions `start..`, logits for the rows in `want` (indices into `ids`).
fn decode(ctx: &mut LlamaContext, ids: &[u32], start: usize, want: &[usize]) -> Result<()> {
    let mut batch = LlamaBatch::new(ids.len().max(1), 1);
    for (i, t) in tok(ids).into_iter().enumerate() {
        batch.add(t, (start + i) as i32, &[0], want.contains(&i))?;
    }
    ctx.decode(&mut batch).map_err(|e| anyhow!("decode: {e}"))
}

fn log_softmax_at(logits: &[f32], id: u32) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&l| (l as f64 - max).exp()).sum();
    logits[id as usize] as f64 - max - sum.ln()
}

fn bench(backend: &LlamaBackend, gguf: &str, workload: &str, threads: i32) -> Result<()> {
    let w: Workload = serde_json::from_str(&std::fs::read_to_string(workload)?)?;
    let model = LlamaModel::load_from_file(backend, gguf, &LlamaModelParams::default())?;
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(2048))
        .with_n_batch(512)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
    let mut ctx = model.new_context(backend, params)?;
    let repeats = w.repeats.max(1);

    // Prompt processing: best of `repeats` (the VM is shared; the best run is the least disturbed).
    let mut pp_best = f64::INFINITY;
    for _ in 0..repeats + 1 {
        ctx.clear_kv_cache();
        let t = Instant::now();
        decode(&mut ctx, &w.pp_ids, 0, &[w.pp_ids.len() - 1])?;
        pp_best = pp_best.min(t.elapsed().as_secs_f64());
    }

    // Greedy generation of exactly `gen_tokens` tokens (EOS ignored so both engines do equal work).
    let mut gen_best = f64::INFINITY;
    let mut gen_ids = Vec::new();
    for _ in 0..repeats {
        ctx.clear_kv_cache();
        let n = w.gen_prompt_ids.len();
        decode(&mut ctx, &w.gen_prompt_ids, 0, &[n - 1])?;
        let t = Instant::now();
        let mut ids = Vec::new();
        let mut last = n as i32 - 1;
        for step in 0..w.gen_tokens {
            let logits = ctx.get_logits_ith(last);
            let next = logits
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i as u32)
                .unwrap_or(0);
            ids.push(next);
            decode(&mut ctx, &[next], n + step, &[0])?;
            last = 0;
        }
        gen_best = gen_best.min(t.elapsed().as_secs_f64());
        gen_ids = ids;
    }

    // MCQ: prefix once, each option on top, the prefix kept with kv_cache_seq_rm. Warm: the
    // template head stays in the cache while the next item shares it (the cache is emptied
    // before each pass); cold: every item from an empty cache.
    let mut mcq_best = f64::INFINITY;
    let mut mcq_cold_best = f64::INFINITY;
    let mut mcq_logprobs = Vec::new();
    for warm in [true, false] {
        for _ in 0..repeats {
            ctx.clear_kv_cache();
            let mut kept: &[u32] = &[];
            let t = Instant::now();
            let mut all = Vec::new();
            for item in &w.mcq {
                let head = if warm { item.head } else { 0 };
                let p = item.prefix_ids.len();
                if head > 0 && kept == &item.prefix_ids[..head] {
                    ctx.clear_kv_cache_seq(Some(0), Some(head as u32), None)?;
                } else {
                    ctx.clear_kv_cache();
                    if head > 0 {
                        decode(&mut ctx, &item.prefix_ids[..head], 0, &[])?;
                    }
                    kept = &item.prefix_ids[..head];
                }
                decode(&mut ctx, &item.prefix_ids[head..], head, &[p - head - 1])?;
                let last_prefix: Vec<f32> = ctx.get_logits_ith((p - head) as i32 - 1).to_vec();
                let mut scores = Vec::new();
                for opt in &item.options {
                    ctx.clear_kv_cache_seq(Some(0), Some(p as u32), None)?;
                    let want: Vec<usize> = (0..opt.ids.len()).collect();
                    decode(&mut ctx, &opt.ids, p, &want)?;
                    let mut lp = 0.0;
                    for j in opt.score_from..opt.ids.len() {
                        let row = if j == 0 {
                            last_prefix.clone()
                        } else {
                            ctx.get_logits_ith(j as i32 - 1).to_vec()
                        };
                        lp += log_softmax_at(&row, opt.ids[j]);
                    }
                    scores.push(lp);
                }
                all.push(scores);
            }
            let s = t.elapsed().as_secs_f64();
            if warm {
                mcq_best = mcq_best.min(s);
                mcq_logprobs = all;
            } else {
                mcq_cold_best = mcq_cold_best.min(s);
            }
        }
    }

    let result = BenchResult {
        engine: "llama.cpp (llama-cpp-2 0.1.160)",
        threads,
        pp_tokens: w.pp_ids.len(),
        pp_tok_s: w.pp_ids.len() as f64 / pp_best,
        gen_tokens: w.gen_tokens,
        gen_tok_s: w.gen_tokens as f64 / gen_best,
        gen_ids,
        mcq_items: w.mcq.len(),
        mcq_s_per_item: mcq_best / w.mcq.len().max(1) as f64,
        mcq_cold_s_per_item: mcq_cold_best / w.mcq.len().max(1) as f64,
        mcq_logprobs,
    };
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}
