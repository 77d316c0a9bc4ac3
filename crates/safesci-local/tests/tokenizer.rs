//! The tokenizer rebuilt from GGUF metadata against llama.cpp's token ids
//! (`tests/fixtures/tokenizer/reference.jsonl`, made by `benches/llamacpp`; see docs/embedded.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use candle_core::quantized::gguf_file::Content;
use safesci_local::tokenizer::Tokenizer;
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    text: String,
    ids: Vec<u32>,
}

fn tokenizer() -> Tokenizer {
    let path = common::gguf_path();
    let mut file = std::fs::File::open(&path).unwrap();
    let content = Content::read(&mut file).unwrap();
    Tokenizer::from_gguf(&content).unwrap()
}

fn references() -> Vec<Reference> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/tokenizer/reference.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn matches_llama_cpp_on_the_fixture() {
    let tok = tokenizer();
    let refs = references();
    assert!(refs.len() >= 100, "fixture has only {} strings", refs.len());
    let mut mismatches = Vec::new();
    for r in &refs {
        let ids = tok.encode(&r.text).unwrap();
        if ids != r.ids {
            mismatches.push(format!(
                "{:?}: ours {:?} llama.cpp {:?}",
                r.text, ids, r.ids
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} strings tokenize differently:\n{}",
        mismatches.len(),
        refs.len(),
        mismatches.join("\n")
    );
}

#[test]
fn decoding_round_trips() {
    let tok = tokenizer();
    for r in references() {
        let text = tok.decode(&r.ids, false).unwrap();
        assert_eq!(text, r.text, "decode(encode(s)) != s");
    }
}

#[test]
fn special_tokens_and_digits() {
    let tok = tokenizer();
    assert_eq!(tok.vocab_size(), 49152, "SmolLM2 vocabulary size");
    assert_eq!(tok.token_id("<|im_start|>"), Some(1), "<|im_start|> id");
    assert_eq!(tok.token_id("<|im_end|>"), Some(2), "<|im_end|> id");
    assert_eq!(
        tok.stop_ids,
        vec![2, 0],
        "stop tokens: <|im_end|>, <|endoftext|>"
    );
    assert_eq!(
        tok.encode("<|im_end|>").unwrap(),
        vec![2],
        "special token in text"
    );
    // Digits are split one by one (the `smollm` pre-tokenizer); candle's GGUF tokenizer is not.
    assert_eq!(tok.encode("2026").unwrap().len(), 4, "one token per digit");
    // "What" at the start has no prefix space (the GPT-2 default would give `ĠWhat`).
    assert_eq!(tok.encode("What").unwrap(), vec![1780], "no prefix space");
}
