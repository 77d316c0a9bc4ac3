//! The SmolLM2 tokenizer, rebuilt from the GGUF metadata.
//!
//! llama.cpp tokenizes `tokenizer.ggml.pre = "smollm"` with two regexes: every digit on its own
//! (`\p{N}`), then the GPT-2 split, with no prefix space. In `tokenizers` terms that is a
//! byte-level BPE with the pre-tokenizer `Sequence[Digits(individual), ByteLevel(no prefix
//! space, GPT-2 regex)]`. candle's `TokenizerFromGguf` falls back to plain GPT-2 (prefix space,
//! no digit split) for this `pre` and gets most strings wrong, hence this module.

use crate::error::{LocalError, Result};
use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, PreTokenizerWrapper};

/// GGUF token type of control tokens (`<|im_start|>` and friends).
const TOKEN_TYPE_CONTROL: i32 = 3;

/// Byte-level BPE tokenizer plus the ids the generator needs.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    /// Tokens that end a generation (`<|im_end|>`, `<|endoftext|>`).
    pub stop_ids: Vec<u32>,
    vocab_size: usize,
}

fn meta<'a>(content: &'a Content, key: &str) -> Result<&'a Value> {
    content
        .metadata
        .get(key)
        .ok_or_else(|| LocalError::Metadata { key: key.into() })
}

fn string_list(content: &Content, key: &str) -> Result<Vec<String>> {
    let bad = || LocalError::Metadata { key: key.into() };
    meta(content, key)?
        .to_vec()
        .map_err(|_| bad())?
        .iter()
        .map(|v| v.to_string().cloned().map_err(|_| bad()))
        .collect()
}

impl Tokenizer {
    /// Build the tokenizer from `tokenizer.ggml.*` metadata.
    pub fn from_gguf(content: &Content) -> Result<Tokenizer> {
        let model = meta(content, "tokenizer.ggml.model")?
            .to_string()
            .map_err(|_| LocalError::Metadata {
                key: "tokenizer.ggml.model".into(),
            })?;
        if model != "gpt2" {
            return Err(LocalError::Unsupported(format!(
                "tokenizer model `{model}` (only byte-level BPE `gpt2` is supported)"
            )));
        }
        if let Ok(pre) = meta(content, "tokenizer.ggml.pre").and_then(|v| {
            v.to_string().map_err(|_| LocalError::Metadata {
                key: "tokenizer.ggml.pre".into(),
            })
        }) && pre != "smollm"
        {
            return Err(LocalError::Unsupported(format!(
                "pre-tokenizer `{pre}` (only `smollm` is reproduced)"
            )));
        }
        let tokens = string_list(content, "tokenizer.ggml.tokens")?;
        let merges = string_list(content, "tokenizer.ggml.merges")?;
        let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
            Some(v) => v
                .to_vec()
                .map_err(|_| LocalError::Metadata {
                    key: "tokenizer.ggml.token_type".into(),
                })?
                .iter()
                .map(|t| t.to_i32().unwrap_or(1))
                .collect(),
            None => Vec::new(),
        };
        Self::from_parts(&tokens, &merges, &types)
    }

    /// Build from the vocabulary (`tokens[id]`), the merges (`"a b"` lines) and token types.
    pub fn from_parts(tokens: &[String], merges: &[String], types: &[i32]) -> Result<Tokenizer> {
        let vocab: tokenizers::models::bpe::Vocab = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let merges: Vec<(String, String)> = merges
            .iter()
            .map(|m| {
                m.split_once(' ')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| LocalError::Tokenizer(format!("merge `{m}` has no space")))
            })
            .collect::<Result<_>>()?;
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(|e| LocalError::Tokenizer(e.to_string()))?;
        let mut inner = tokenizers::Tokenizer::new(bpe);
        let pre = Sequence::new(vec![
            PreTokenizerWrapper::Digits(Digits::new(true)),
            PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, true, true)),
        ]);
        inner.with_pre_tokenizer(Some(pre));
        inner.with_decoder(Some(ByteLevelDecoder::default()));
        let specials: Vec<AddedToken> = tokens
            .iter()
            .zip(types.iter())
            .filter(|(_, t)| **t == TOKEN_TYPE_CONTROL)
            .map(|(s, _)| AddedToken::from(s.clone(), true))
            .collect();
        inner
            .add_special_tokens(specials)
            .map_err(|e| LocalError::Tokenizer(e.to_string()))?;
        let stop_ids = ["<|im_end|>", "<|endoftext|>"]
            .iter()
            .filter_map(|s| inner.token_to_id(s))
            .collect();
        Ok(Tokenizer {
            inner,
            stop_ids,
            vocab_size: tokens.len(),
        })
    }

    /// Token ids of `text`; special tokens written in the text (`<|im_start|>`) become their ids.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let enc = self
            .inner
            .encode_fast(text, false)
            .map_err(|e| LocalError::Tokenizer(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// Text of `ids`; special tokens are dropped when `skip_special`.
    pub fn decode(&self, ids: &[u32], skip_special: bool) -> Result<String> {
        self.inner
            .decode(ids, skip_special)
            .map_err(|e| LocalError::Tokenizer(e.to_string()))
    }

    /// Id of a token string, e.g. `<|im_end|>`.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// Number of tokens in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The underlying `tokenizers` tokenizer (e.g. to save it as `tokenizer.json`).
    pub fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }
}
