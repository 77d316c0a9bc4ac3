//! The real model: loading, chat template, generation, stop handling, choice scoring, the KV
//! cache, and the provider wrapper.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use safesci_core::provider::{
    ChoiceRequest, CompletionRequest, GenerationParams, Message, Provider,
};
use safesci_local::{Engine, LoadOptions, ScorePlan, WeightMode};

const BOILING: &str = "What is the boiling point of water?";

fn greedy(max_tokens: u32) -> GenerationParams {
    GenerationParams {
        temperature: 0.0,
        top_p: None,
        max_tokens,
        seed: Some(0),
        stop: Vec::new(),
    }
}

fn request(text: &str, params: GenerationParams) -> CompletionRequest {
    CompletionRequest {
        messages: vec![Message::user(text)],
        params,
    }
}

#[test]
fn loads_the_shipped_model() {
    let e = common::engine();
    let c = &e.model.config;
    assert_eq!(
        (c.n_layer, c.n_embd, c.n_head, c.n_kv_head, c.n_ff),
        (30, 576, 9, 3, 1536),
        "SmolLM2-135M shape"
    );
    assert_eq!(c.context_length, 8192, "context length");
    assert_eq!(e.sha256, safesci_local::paths::MODEL_SHA256, "pinned GGUF");
    assert_eq!(
        e.revision(),
        "b179c9523d0e+e2",
        "revision is the short sha256 and the engine version"
    );
}

#[test]
fn missing_model_names_the_fetch_script() {
    let err = Engine::load(&LoadOptions {
        model_path: Some("/nonexistent/model.gguf".into()),
        ..LoadOptions::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("/nonexistent/model.gguf") && err.contains("scripts/fetch-model.sh"),
        "error should name the path and the fix: {err}"
    );
}

#[test]
fn chat_template_renders_like_hugging_face() {
    let e = common::engine();
    let user_only = e.prompt_text(&[Message::user(BOILING)]).unwrap();
    let with_system = e
        .prompt_text(&[
            Message::system("Answer briefly."),
            Message::user("Hi"),
            Message::assistant("Hello!"),
            Message::user(BOILING),
        ])
        .unwrap();
    // Hugging Face `apply_chat_template(add_generation_prompt=True)` output for these messages.
    assert_eq!(
        user_only,
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging \
         Face<|im_end|>\n<|im_start|>user\nWhat is the boiling point of water?<|im_end|>\n\
         <|im_start|>assistant\n",
        "default system prompt added when none is given"
    );
    assert_eq!(
        with_system,
        "<|im_start|>system\nAnswer briefly.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n\
         <|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nWhat is the boiling point \
         of water?<|im_end|>\n<|im_start|>assistant\n",
        "explicit system prompt replaces the default"
    );
    let ids = e.prompt_ids(&[Message::user(BOILING)]).unwrap();
    assert_eq!(
        ids.len(),
        38,
        "prompt length measured with llama.cpp's tokenizer"
    );
    assert_eq!(
        &ids[..4],
        &[1, 9690, 198, 2683],
        "prompt starts <|im_start|>system\\nYou"
    );
}

#[test]
fn greedy_generation_is_deterministic_and_sensible() {
    let mut e = common::engine();
    let a = e.complete(&request(BOILING, greedy(24))).unwrap();
    e.reset();
    let b = e.complete(&request(BOILING, greedy(24))).unwrap();
    assert_eq!(
        a.text, b.text,
        "greedy decoding must not depend on the cache state"
    );
    assert!(a.text.contains("100"), "boiling point answer: {:?}", a.text);
    assert_eq!(a.usage.prompt_tokens, 38, "prompt tokens counted");
    assert_eq!(a.usage.completion_tokens, 24, "max_tokens reached");
    assert_eq!(
        a.finish_reason.as_deref(),
        Some("length"),
        "cut by max_tokens"
    );
    assert_eq!(
        a.fingerprint.as_deref(),
        Some("b179c9523d0e+e2"),
        "fingerprint = weights + engine version"
    );
}

#[test]
fn seeded_sampling_repeats_per_seed() {
    let mut e = common::engine();
    let params = |seed| GenerationParams {
        temperature: 0.9,
        top_p: Some(0.95),
        max_tokens: 16,
        seed: Some(seed),
        stop: Vec::new(),
    };
    let a = e
        .complete(&request("Name a chemical element.", params(7)))
        .unwrap();
    let b = e
        .complete(&request("Name a chemical element.", params(7)))
        .unwrap();
    assert_eq!(a.text, b.text, "same seed, same text");
    let others: Vec<String> = (8..12)
        .map(|s| {
            e.complete(&request("Name a chemical element.", params(s)))
                .unwrap()
                .text
        })
        .collect();
    assert!(
        others.iter().any(|t| *t != a.text),
        "different seeds should not all give {:?}",
        a.text
    );
}

#[test]
fn stop_token_and_stop_string() {
    let mut e = common::engine();
    let done = e.complete(&request("Say hello.", greedy(64))).unwrap();
    assert_eq!(
        done.finish_reason.as_deref(),
        Some("stop"),
        "ended by <|im_end|>: {done:?}"
    );
    assert!(done.usage.completion_tokens < 64, "stopped early: {done:?}");
    assert!(
        !done.text.contains("<|im_end|>"),
        "stop token not in the text"
    );

    let mut params = greedy(48);
    params.stop = vec!["water".into()];
    let cut = e.complete(&request(BOILING, params)).unwrap();
    assert_eq!(
        cut.finish_reason.as_deref(),
        Some("stop"),
        "stop string hit: {cut:?}"
    );
    assert!(
        !cut.text.contains("water"),
        "text cut before the stop string: {cut:?}"
    );
    assert!(
        cut.text.starts_with("The boiling point of"),
        "kept text: {:?}",
        cut.text
    );
}

fn boiling_item() -> ChoiceRequest {
    ChoiceRequest {
        messages: vec![Message::user(
            "Which of the following is the boiling point of pure water at sea level (1 atm)?",
        )],
        assistant_prefix: "Answer: ".into(),
        continuations: vec![
            "100 degrees Celsius".into(),
            "50 degrees Celsius".into(),
            "0 degrees Celsius".into(),
            "250 degrees Celsius".into(),
        ],
    }
}

#[test]
fn choice_scoring_picks_the_boiling_point() {
    let mut e = common::engine();
    let scores = e.score(&boiling_item()).unwrap();
    assert_eq!(scores.best(), Some(0), "100 °C should win: {scores:?}");
    assert!(
        scores.logprobs.iter().all(|l| *l < 0.0),
        "log-probabilities: {scores:?}"
    );
    assert!(
        scores.token_counts.iter().all(|&n| n >= 3),
        "each option has its tokens: {scores:?}"
    );
}

#[test]
fn batched_scoring_equals_one_full_pass_per_option() {
    let mut e = common::engine();
    let item = boiling_item();
    let batched = e.score(&item).unwrap();
    let prompt = format!(
        "{}{}",
        e.prompt_text(&item.messages).unwrap(),
        item.assistant_prefix
    );
    let prompt_ids = e.tokenizer.encode(&prompt).unwrap();
    let wholes: Vec<Vec<u32>> = item
        .continuations
        .iter()
        .map(|c| e.tokenizer.encode(&format!("{prompt}{c}")).unwrap())
        .collect();
    let plan = ScorePlan::new(&prompt_ids, &wholes).unwrap();
    for (i, whole) in wholes.iter().enumerate() {
        e.reset();
        let logits = e.model.forward_all(whole).unwrap();
        let lp = safesci_local::model::log_softmax_rows(&logits).unwrap();
        let lp: Vec<Vec<f64>> = lp.to_vec2().unwrap();
        let full: f64 = (plan.scored_from[i]..whole.len())
            .map(|p| lp[p - 1][whole[p] as usize])
            .sum();
        assert!(
            (full - batched.logprobs[i]).abs() < 2e-2,
            "option {i}: full pass {full} vs batched {}",
            batched.logprobs[i]
        );
    }
}

#[test]
fn kept_template_head_changes_no_answer() {
    let mut e = common::engine();
    let item = boiling_item();
    let ids = e.prompt_ids(&item.messages).unwrap();
    let head = e.template_head(&ids);
    let head_text = e.tokenizer.decode(&ids[..head], false).unwrap();
    assert!(
        head_text.starts_with("<|im_start|>system") && head_text.ends_with("<|im_end|>"),
        "the head is the system turn: {head_text:?}"
    );
    e.reset();
    let cold = e.score(&item).unwrap();
    let cold_text = {
        e.reset();
        e.complete(&request(BOILING, greedy(12))).unwrap().text
    };
    // Another request with the same head runs in between; the head is then kept, not recomputed.
    let other = ChoiceRequest {
        messages: vec![Message::user("Which planet is closest to the Sun?")],
        assistant_prefix: "Answer: ".into(),
        continuations: vec!["Mercury".into(), "Mars".into()],
    };
    e.score(&other).unwrap();
    let warm = e.score(&item).unwrap();
    assert_eq!(
        cold.logprobs, warm.logprobs,
        "scores with the head kept equal scores from an empty cache, bit for bit"
    );
    e.score(&other).unwrap();
    let warm_text = e.complete(&request(BOILING, greedy(12))).unwrap().text;
    assert_eq!(cold_text, warm_text, "generation too");
}

#[test]
fn kv_cache_decode_matches_full_sequence() {
    // f32 weights on both paths: the default hybrid mode decodes with Q8_0 and prefills with f32,
    // so only a single weight format isolates the KV cache from quantisation error.
    let mut e = safesci_local::Engine::load_path(&common::gguf_path(), WeightMode::F32).unwrap();
    let ids = e.prompt_ids(&[Message::user(BOILING)]).unwrap();
    e.reset();
    let full = e.model.forward_all(&ids).unwrap().to_vec2::<f32>().unwrap();
    e.reset();
    let split = 30;
    e.model.forward_last(&ids[..split]).unwrap();
    let mut max_diff = 0f32;
    for (p, &id) in ids.iter().enumerate().skip(split) {
        let step = e.model.forward_last(&[id]).unwrap();
        for (a, b) in step.iter().zip(&full[p]) {
            max_diff = max_diff.max((a - b).abs());
        }
    }
    assert!(
        max_diff < 0.05,
        "incremental logits drift from the full pass by {max_diff}"
    );
    // Truncating and re-running reproduces the same logits exactly.
    e.model.truncate(split);
    let again = e.model.forward_last(&ids[split..split + 1]).unwrap();
    e.model.truncate(split);
    let once_more = e.model.forward_last(&ids[split..split + 1]).unwrap();
    assert_eq!(again, once_more, "truncate restores the cache state");
}

#[test]
fn weight_modes_parse() {
    for m in [
        WeightMode::Native,
        WeightMode::Q8,
        WeightMode::F32,
        WeightMode::Hybrid { min_rows: 8 },
    ] {
        assert_eq!(WeightMode::parse(&m.label()), Some(m), "label round-trip");
    }
    assert_eq!(WeightMode::parse("bogus"), None, "unknown label");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_serves_completions_and_scores() {
    let provider = common::provider();
    let info = provider.info();
    assert_eq!(
        (
            info.kind.as_str(),
            info.model.as_str(),
            info.base_url.as_str()
        ),
        ("embedded", "SmolLM2-135M-Instruct", ""),
        "provider identity"
    );
    assert_eq!(info.revision, "b179c9523d0e+e2", "revision");
    assert_eq!(provider.max_concurrency(), 1, "one engine");
    let c = provider
        .complete(&request(BOILING, greedy(12)))
        .await
        .unwrap();
    assert!(
        c.text.contains("100"),
        "completion through the provider: {c:?}"
    );
    let s = provider.score_choices(&boiling_item()).await.unwrap();
    assert_eq!(s.best(), Some(0), "scores through the provider: {s:?}");
}
