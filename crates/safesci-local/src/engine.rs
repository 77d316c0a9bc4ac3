//! The engine: model + tokenizer + chat template behind two calls, `complete` (generation with
//! greedy or seeded sampling, stop tokens, stop strings, max tokens) and `score` (log-likelihood
//! of continuations, the prompt computed once and all continuations batched on top of it).
//!
//! An answer never depends on the request before it: every request runs from an empty KV cache
//! except for the template head (the first turn, normally the system prompt), which is always
//! computed on its own and therefore reused as is (see [`Engine::template_head`]).

use crate::chat::ChatTemplate;
use crate::error::{LocalError, Result};
use crate::model::{Llama, WeightMode, log_softmax_rows};
use crate::paths;
use crate::tokenizer::Tokenizer;
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use safesci_core::provider::{
    ChoiceRequest, ChoiceScores, Completion, CompletionRequest, GenerationParams, Message, Usage,
};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Environment variable choosing the weight storage (`hybrid8`, `q8_0`, `f32`, `native`).
pub const WEIGHTS_ENV: &str = "SAFESCI_EMBEDDED_WEIGHTS";

/// Version of the engine's arithmetic. Part of [`Engine::revision`], so the response cache never
/// serves an answer computed by an earlier engine (kernels, prefill split) as if it were current.
pub const ENGINE_VERSION: u32 = 2;

/// Model name reported in `ProviderInfo`.
pub const MODEL_NAME: &str = "SmolLM2-135M-Instruct";

/// What to load and how.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// GGUF file; `None`: [`paths::default_model_path`].
    pub model_path: Option<PathBuf>,
    pub mode: WeightMode,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            model_path: None,
            mode: WeightMode::DEFAULT,
        }
    }
}

impl LoadOptions {
    /// Defaults, with the weight mode taken from `SAFESCI_EMBEDDED_WEIGHTS` when set.
    pub fn from_env() -> Result<LoadOptions> {
        let mode = match std::env::var(WEIGHTS_ENV) {
            Ok(s) if !s.is_empty() => WeightMode::parse(&s).ok_or_else(|| {
                LocalError::Request(format!(
                    "`{WEIGHTS_ENV}={s}` is not one of hybrid<N>, q8_0, f32, native"
                ))
            })?,
            _ => WeightMode::DEFAULT,
        };
        Ok(LoadOptions {
            model_path: None,
            mode,
        })
    }
}

/// Timings of a load, for the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadTimings {
    pub read_s: f64,
    pub hash_s: f64,
    pub tokenizer_s: f64,
    pub weights_s: f64,
}

/// A generation before it becomes a [`Completion`].
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub text: String,
    pub ids: Vec<u32>,
    pub prompt_tokens: usize,
    /// `stop` (stop token or stop string) or `length`.
    pub finish_reason: &'static str,
}

/// The loaded model.
#[derive(Debug)]
pub struct Engine {
    pub model: Llama,
    pub tokenizer: Tokenizer,
    pub template: ChatTemplate,
    /// Full hex sha256 of the GGUF file.
    pub sha256: String,
    pub mode: WeightMode,
    pub path: PathBuf,
    pub timings: LoadTimings,
    /// Tokens whose keys/values are in the model's cache, in order.
    cached: Vec<u32>,
}

fn secs(t: std::time::Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

impl Engine {
    /// Load with [`LoadOptions`].
    pub fn load(options: &LoadOptions) -> Result<Engine> {
        let path = options
            .model_path
            .clone()
            .unwrap_or_else(paths::default_model_path);
        Engine::load_path(&path, options.mode)
    }

    /// Load the GGUF at `path`.
    pub fn load_path(path: &Path, mode: WeightMode) -> Result<Engine> {
        if !path.is_file() {
            return Err(LocalError::ModelMissing { path: path.into() });
        }
        let t = std::time::Instant::now();
        let bytes = std::fs::read(path).map_err(|source| LocalError::Io {
            path: path.into(),
            source,
        })?;
        let read_s = secs(t);
        let t = std::time::Instant::now();
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let hash_s = secs(t);
        let t = std::time::Instant::now();
        let mut reader = Cursor::new(bytes);
        let content = Content::read(&mut reader).map_err(|e| LocalError::Gguf {
            path: path.into(),
            message: e.to_string(),
        })?;
        let tokenizer = Tokenizer::from_gguf(&content)?;
        let template = chat_template(&content, &tokenizer)?;
        let tokenizer_s = secs(t);
        let t = std::time::Instant::now();
        let model = Llama::load(&content, &mut reader, mode)?;
        let weights_s = secs(t);
        Ok(Engine {
            model,
            tokenizer,
            template,
            sha256,
            mode,
            path: path.into(),
            timings: LoadTimings {
                read_s,
                hash_s,
                tokenizer_s,
                weights_s,
            },
            cached: Vec::new(),
        })
    }

    /// First 12 hex digits of the GGUF sha256, the engine version, and the weight mode when it is
    /// not the default (answers differ slightly between modes and engine versions, so the response
    /// cache must tell them apart).
    pub fn revision(&self) -> String {
        let short = self.sha256.get(..12).unwrap_or(&self.sha256);
        if self.mode == WeightMode::DEFAULT {
            format!("{short}+e{ENGINE_VERSION}")
        } else {
            format!("{short}+e{ENGINE_VERSION}+{}", self.mode.label())
        }
    }

    /// The chat prompt for `messages` with the assistant turn opened.
    pub fn prompt_text(&self, messages: &[Message]) -> Result<String> {
        self.template.render(messages, true)
    }

    /// Token ids of the chat prompt for `messages`.
    pub fn prompt_ids(&self, messages: &[Message]) -> Result<Vec<u32>> {
        self.tokenizer.encode(&self.prompt_text(messages)?)
    }

    /// Tokens of the template head of `tokens`: up to and including the first end-of-turn token
    /// (the system turn, written by the caller or the template's default), or 0 when there is no
    /// such token before the last one. A function of the prompt alone, so the split never depends
    /// on what ran before.
    pub fn template_head(&self, tokens: &[u32]) -> usize {
        match tokens
            .iter()
            .position(|t| self.tokenizer.stop_ids.contains(t))
        {
            Some(i) if i + 1 < tokens.len() => i + 1,
            _ => 0,
        }
    }

    /// Run `tokens` and return the final hidden state of the last of them `[1, n_embd]`. At
    /// least one token is always run.
    ///
    /// The template head is always computed on its own, from an empty cache, and the rest on top
    /// of it. Its keys and values are therefore the same whether they were just computed or kept
    /// from the previous request with the same head, so keeping them changes no answer: runs share
    /// one system prompt, which is a third of a short prompt's tokens. Nothing else is reused: in
    /// the hybrid weight mode a short tail runs on Q8_0 weights and a long prefill on f32 ones, so
    /// reusing a longest common prefix would make an answer depend on the request before it
    /// (breaking seeded repeats, the response cache and resume equivalence).
    fn prefill(&mut self, tokens: &[u32]) -> Result<Tensor> {
        let head = self.prepare_head(tokens)?;
        let rest = &tokens[head..];
        let hidden = self.model.forward_hidden(rest)?;
        self.cached.extend_from_slice(rest);
        Ok(hidden.narrow(0, rest.len() - 1, 1)?)
    }

    /// Leave exactly the template head of `tokens` in the cache (kept, or computed on its own
    /// from an empty cache) and return its length; the rest of `tokens` is never empty.
    fn prepare_head(&mut self, tokens: &[u32]) -> Result<usize> {
        if tokens.is_empty() {
            return Err(LocalError::Request("empty prompt".into()));
        }
        let head = self.template_head(tokens);
        let kept = head > 0
            && self.model.cache_len() >= head
            && self.cached.get(..head) == Some(&tokens[..head]);
        if kept {
            self.model.truncate(head);
            self.cached.truncate(head);
        } else {
            self.reset();
            if head > 0 {
                self.model.forward_hidden(&tokens[..head])?;
                self.cached.extend_from_slice(&tokens[..head]);
            }
        }
        Ok(head)
    }

    /// Forget the cache (benchmarks measure cold prompts).
    pub fn reset(&mut self) {
        self.model.clear();
        self.cached.clear();
    }

    /// Generate after the prompt `prompt_ids`.
    pub fn generate(&mut self, prompt_ids: &[u32], params: &GenerationParams) -> Result<Generated> {
        let context = self.model.config.context_length;
        if prompt_ids.len() >= context {
            return Err(LocalError::ContextOverflow {
                tokens: prompt_ids.len(),
                context,
            });
        }
        let max_new = (params.max_tokens as usize).min(context - prompt_ids.len());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(params.seed.unwrap_or(0));
        let mut ids: Vec<u32> = Vec::new();
        let mut finish = "length";
        let mut text: Option<String> = None;
        if max_new > 0 {
            let hidden = self.prefill(prompt_ids)?;
            let mut logits = self.model.logits(&hidden)?.squeeze(0)?.to_vec1::<f32>()?;
            loop {
                let next = sample(&logits, params, &mut rng);
                if self.tokenizer.stop_ids.contains(&next) {
                    finish = "stop";
                    break;
                }
                ids.push(next);
                if !params.stop.is_empty() {
                    let so_far = self.tokenizer.decode(&ids, true)?;
                    if let Some(cut) = earliest_stop(&so_far, &params.stop) {
                        text = Some(so_far[..cut].to_string());
                        finish = "stop";
                        break;
                    }
                }
                if ids.len() >= max_new {
                    break;
                }
                logits = self.model.decode_next(next)?;
                self.cached.push(next);
            }
        }
        let text = match text {
            Some(t) => t,
            None => self.tokenizer.decode(&ids, true)?,
        };
        Ok(Generated {
            text,
            ids,
            prompt_tokens: prompt_ids.len(),
            finish_reason: finish,
        })
    }

    /// A chat completion.
    pub fn complete(&mut self, request: &CompletionRequest) -> Result<Completion> {
        let prompt = self.prompt_ids(&request.messages)?;
        let generated = self.generate(&prompt, &request.params)?;
        Ok(Completion {
            text: generated.text,
            usage: Usage {
                prompt_tokens: generated.prompt_tokens as u64,
                completion_tokens: generated.ids.len() as u64,
            },
            finish_reason: Some(generated.finish_reason.to_string()),
            fingerprint: Some(self.revision()),
        })
    }

    /// Log-likelihood of each continuation after the chat prompt and `assistant_prefix`.
    pub fn score(&mut self, request: &ChoiceRequest) -> Result<ChoiceScores> {
        let prompt = format!(
            "{}{}",
            self.prompt_text(&request.messages)?,
            request.assistant_prefix
        );
        let prompt_ids = self.tokenizer.encode(&prompt)?;
        let mut wholes = Vec::with_capacity(request.continuations.len());
        for c in &request.continuations {
            wholes.push(self.tokenizer.encode(&format!("{prompt}{c}"))?);
        }
        let plan = ScorePlan::new(&prompt_ids, &wholes)?;
        let (logprobs, processed) = self.score_planned(&plan)?;
        Ok(ChoiceScores {
            logprobs,
            token_counts: plan.token_counts(),
            usage: Usage {
                prompt_tokens: processed as u64,
                completion_tokens: 0,
            },
        })
    }

    /// Score a plan; returns the log-probabilities and the number of tokens run.
    pub fn score_planned(&mut self, plan: &ScorePlan) -> Result<(Vec<f64>, usize)> {
        let shared = plan.shared;
        let prefix = &plan.wholes[0][..shared];
        let head = self.prepare_head(prefix)?;
        let rest = &prefix[head..];
        let r_len = rest.len();
        // One forward pass (the weights are streamed once): the prompt after the head, then all
        // continuations, each seeing the prompt and its own earlier tokens only.
        let mut batch: Vec<u32> = rest.to_vec();
        let mut positions: Vec<u32> = (head..shared).map(|p| p as u32).collect();
        let mut owner: Vec<usize> = Vec::new();
        let mut offsets = Vec::with_capacity(plan.wholes.len());
        for (i, whole) in plan.wholes.iter().enumerate() {
            offsets.push(batch.len() - r_len);
            for (j, &id) in whole[shared..].iter().enumerate() {
                batch.push(id);
                positions.push((shared + j) as u32);
                owner.push(i);
            }
        }
        let n = batch.len();
        let total = head + n;
        let mut mask = vec![f32::NEG_INFINITY; n * total];
        for r in 0..n {
            let row = &mut mask[r * total..(r + 1) * total];
            if r < r_len {
                row[..=head + r].fill(0.0);
            } else {
                row[..shared].fill(0.0);
                let start = r_len + offsets[owner[r - r_len]];
                row[head + start..=head + r].fill(0.0);
            }
        }
        let mask = Tensor::from_vec(mask, (n, total), &Device::Cpu)?;
        let hidden = self.model.forward_with(&batch, &positions, Some(&mask));
        // Keep the prompt in the cache, never the continuations (they are not a sequence),
        // whatever happened.
        self.model.truncate(shared);
        let hidden = hidden?;
        self.cached.extend_from_slice(rest);
        let processed = shared + n - r_len;
        // Rows of `hidden` that predict each scored token, and the tokens.
        let mut rows: Vec<u32> = Vec::new();
        let mut targets: Vec<(usize, u32)> = Vec::new();
        for (i, whole) in plan.wholes.iter().enumerate() {
            for (p, &token) in whole.iter().enumerate().skip(plan.scored_from[i]) {
                let row = if p == shared {
                    r_len - 1
                } else {
                    r_len + offsets[i] + (p - 1 - shared)
                };
                rows.push(row as u32);
                targets.push((i, token));
            }
        }
        let mut logprobs = vec![0.0; plan.wholes.len()];
        if !rows.is_empty() {
            let idx = Tensor::new(rows.as_slice(), &Device::Cpu)?;
            let picked = hidden.index_select(&idx, 0)?;
            let lp = log_softmax_rows(&self.model.logits(&picked)?)?;
            let ids: Vec<u32> = targets.iter().map(|(_, t)| *t).collect();
            let ids = Tensor::new(ids.as_slice(), &Device::Cpu)?.unsqueeze(1)?;
            let got = lp.gather(&ids, 1)?.squeeze(1)?.to_vec1::<f64>()?;
            for ((i, _), v) in targets.iter().zip(got) {
                logprobs[*i] += v;
            }
        }
        Ok((logprobs, processed))
    }
}

/// How a set of continuations splits into a shared prefix and scored tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePlan {
    /// Token ids of prompt + continuation, per continuation.
    pub wholes: Vec<Vec<u32>>,
    /// Index of the first scored token in each `wholes[i]`: where it stops agreeing with the
    /// prompt's own tokenization (a boundary merge moves the merged token into the scored part).
    pub scored_from: Vec<usize>,
    /// Tokens computed once for all continuations (≥ 1, ≤ every `scored_from`).
    pub shared: usize,
}

impl ScorePlan {
    /// Plan from the prompt's ids and each prompt+continuation's ids.
    pub fn new(prompt_ids: &[u32], wholes: &[Vec<u32>]) -> Result<ScorePlan> {
        if wholes.is_empty() {
            return Err(LocalError::Request("no continuations to score".into()));
        }
        let scored_from: Vec<usize> = wholes
            .iter()
            .map(|w| {
                let common = w.iter().zip(prompt_ids).take_while(|(a, b)| a == b).count();
                if common == w.len() {
                    // Empty continuation: nothing scored.
                    w.len()
                } else {
                    common
                }
            })
            .collect();
        let shared = scored_from.iter().copied().min().unwrap_or(0);
        if shared == 0 {
            return Err(LocalError::Request(
                "a continuation changes the first prompt token".into(),
            ));
        }
        // Keep at least one prompt token in the shared part so its hidden state predicts the
        // first scored token; an empty continuation scored at `len` needs nothing run after it.
        let shared = shared.min(wholes.iter().map(|w| w.len()).min().unwrap_or(0));
        Ok(ScorePlan {
            wholes: wholes.to_vec(),
            scored_from,
            shared,
        })
    }

    /// Number of scored tokens per continuation.
    pub fn token_counts(&self) -> Vec<u32> {
        self.wholes
            .iter()
            .zip(&self.scored_from)
            .map(|(w, &s)| (w.len() - s) as u32)
            .collect()
    }
}

/// Byte offset of the earliest stop string in `text`.
fn earliest_stop(text: &str, stops: &[String]) -> Option<usize> {
    stops
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()))
        .min()
}

/// Greedy when `temperature <= 0`, else temperature + nucleus sampling from `rng`.
pub fn sample<R: Rng>(logits: &[f32], params: &GenerationParams, rng: &mut R) -> u32 {
    let argmax = || {
        logits
            .iter()
            .enumerate()
            .fold((0usize, f32::NEG_INFINITY), |best, (i, &l)| {
                if l > best.1 { (i, l) } else { best }
            })
            .0 as u32
    };
    if params.temperature <= 0.0 || !params.temperature.is_finite() {
        return argmax();
    }
    let t = params.temperature as f64;
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let mut probs: Vec<(u32, f64)> = logits
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as u32, ((l as f64 - max) / t).exp()))
        .collect();
    let sum: f64 = probs.iter().map(|p| p.1).sum();
    if !(sum.is_finite() && sum > 0.0) {
        return argmax();
    }
    probs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep = probs.len();
    if let Some(top_p) = params.top_p
        && top_p > 0.0
        && top_p < 1.0
    {
        let mut acc = 0.0;
        for (i, p) in probs.iter().enumerate() {
            acc += p.1 / sum;
            if acc >= top_p as f64 {
                keep = i + 1;
                break;
            }
        }
    }
    let kept = &probs[..keep];
    let total: f64 = kept.iter().map(|p| p.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (id, p) in kept {
        if u < *p {
            return *id;
        }
        u -= p;
    }
    kept.last().map_or_else(argmax, |p| p.0)
}

fn chat_template(content: &Content, tokenizer: &Tokenizer) -> Result<ChatTemplate> {
    let source = content
        .metadata
        .get("tokenizer.chat_template")
        .and_then(|v| v.to_string().ok())
        .ok_or_else(|| LocalError::Metadata {
            key: "tokenizer.chat_template".into(),
        })?;
    let token = |key: &str| -> String {
        content
            .metadata
            .get(key)
            .and_then(|v| v.to_u32().ok())
            .and_then(|id| tokenizer.decode(&[id], false).ok())
            .unwrap_or_default()
    };
    ChatTemplate::new(
        source,
        &token("tokenizer.ggml.bos_token_id"),
        &token("tokenizer.ggml.eos_token_id"),
    )
}
