//! The Llama forward pass over candle tensor ops: GQA attention, RoPE, RMSNorm, SwiGLU, output
//! head tied to the token embedding, and a KV cache that can be truncated (so a shared prompt is
//! computed once and continuations are scored on top of it).
//!
//! Weights: the shipped Q4_1 has only a scalar kernel in candle, so matrices are requantised at
//! load (see [`WeightMode`]; docs/embedded.md has the measurements behind the default).

use crate::decode::Decoder;
use crate::error::{LocalError, Result};
use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{D, DType, Device, Module, Tensor};
use std::io::{Read, Seek};
use std::sync::Arc;

/// How the matrices are stored and multiplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightMode {
    /// As shipped (Q4_1: candle has no SIMD kernel for it, slow).
    Native,
    /// Requantised to Q8_0 (AVX2 kernel).
    Q8,
    /// Dequantised to f32 (gemm).
    F32,
    /// Q8_0 for matmuls with fewer than `min_rows` rows (decode), f32 for larger ones (prompts,
    /// scoring).
    Hybrid { min_rows: usize },
}

impl WeightMode {
    /// The default: hybrid with f32 from 8 rows on.
    pub const DEFAULT: WeightMode = WeightMode::Hybrid { min_rows: 8 };

    /// Short label (`q4_1`, `q8_0`, `f32`, `hybrid8`).
    pub fn label(&self) -> String {
        match self {
            WeightMode::Native => "native".into(),
            WeightMode::Q8 => "q8_0".into(),
            WeightMode::F32 => "f32".into(),
            WeightMode::Hybrid { min_rows } => format!("hybrid{min_rows}"),
        }
    }

    /// Parse a label written by [`WeightMode::label`].
    pub fn parse(s: &str) -> Option<WeightMode> {
        match s {
            "native" => Some(WeightMode::Native),
            "q8_0" | "q8" => Some(WeightMode::Q8),
            "f32" => Some(WeightMode::F32),
            "hybrid" => Some(WeightMode::DEFAULT),
            _ => s
                .strip_prefix("hybrid")
                .and_then(|n| n.parse().ok())
                .map(|min_rows| WeightMode::Hybrid { min_rows }),
        }
    }
}

/// Model hyper-parameters read from `llama.*` metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub n_layer: usize,
    pub n_embd: usize,
    pub n_ff: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub context_length: usize,
    pub rope_base: f32,
    pub rms_eps: f64,
    pub vocab_size: usize,
}

impl Config {
    fn from_gguf(content: &Content) -> Result<Config> {
        let get = |key: &str| -> Result<u32> {
            content
                .metadata
                .get(key)
                .and_then(|v| v.to_u32().ok())
                .ok_or_else(|| LocalError::Metadata { key: key.into() })
        };
        let getf = |key: &str| -> Result<f32> {
            content
                .metadata
                .get(key)
                .and_then(|v| v.to_f32().ok())
                .ok_or_else(|| LocalError::Metadata { key: key.into() })
        };
        let arch = content
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        if arch != "llama" {
            return Err(LocalError::Unsupported(format!("architecture `{arch}`")));
        }
        let n_embd = get("llama.embedding_length")? as usize;
        let n_head = get("llama.attention.head_count")? as usize;
        let head_dim = n_embd / n_head.max(1);
        let rope_dim = get("llama.rope.dimension_count").map_or(head_dim, |d| d as usize);
        if rope_dim != head_dim || head_dim * n_head != n_embd {
            return Err(LocalError::Unsupported(format!(
                "partial rotary ({rope_dim} of {head_dim}) or uneven heads"
            )));
        }
        let n_kv_head = get("llama.attention.head_count_kv").map_or(n_head, |d| d as usize);
        if n_kv_head == 0 || !n_head.is_multiple_of(n_kv_head) {
            return Err(LocalError::Unsupported(format!(
                "{n_head} heads over {n_kv_head} KV heads"
            )));
        }
        let vocab_size = content
            .metadata
            .get("tokenizer.ggml.tokens")
            .and_then(|v| v.to_vec().ok())
            .map(|v| v.len())
            .ok_or_else(|| LocalError::Metadata {
                key: "tokenizer.ggml.tokens".into(),
            })?;
        Ok(Config {
            n_layer: get("llama.block_count")? as usize,
            n_embd,
            n_ff: get("llama.feed_forward_length")? as usize,
            n_head,
            n_kv_head,
            head_dim,
            context_length: get("llama.context_length").map_or(2048, |d| d as usize),
            rope_base: getf("llama.rope.freq_base").unwrap_or(10_000.0),
            rms_eps: getf("llama.attention.layer_norm_rms_epsilon").unwrap_or(1e-5) as f64,
            vocab_size,
        })
    }
}

/// One weight matrix `[out, in]` in the chosen storage.
#[derive(Debug, Clone)]
enum Linear {
    Quant(QMatMul),
    Dense(Tensor),
    Hybrid {
        quant: QMatMul,
        dense: Tensor,
        min_rows: usize,
    },
}

impl Linear {
    /// Build from a matrix as stored in the GGUF.
    fn new(native: QTensor, mode: WeightMode) -> Result<Linear> {
        match (mode, native.dtype()) {
            (WeightMode::Native, _) => native_linear(native),
            (WeightMode::Q8, GgmlDType::Q8_0) => {
                Ok(Linear::Quant(QMatMul::QTensor(Arc::new(native))))
            }
            _ => {
                let dtype = native.dtype();
                Linear::from_dense(native.dequantize(&Device::Cpu)?, mode, dtype)
            }
        }
    }

    /// Build from an f32 matrix `[out, in]`; `native` is the dtype it was stored in.
    fn from_dense(dense: Tensor, mode: WeightMode, native: GgmlDType) -> Result<Linear> {
        let q8 = |f: &Tensor| -> Result<QMatMul> {
            Ok(QMatMul::QTensor(Arc::new(QTensor::quantize(
                f,
                GgmlDType::Q8_0,
            )?)))
        };
        Ok(match mode {
            WeightMode::Native => native_linear(QTensor::quantize(&dense, native)?)?,
            WeightMode::Q8 => Linear::Quant(q8(&dense)?),
            WeightMode::F32 => Linear::Dense(dense),
            WeightMode::Hybrid { min_rows } => Linear::Hybrid {
                quant: q8(&dense)?,
                dense,
                min_rows,
            },
        })
    }

    /// `x [rows, in] → [rows, out]`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Linear::Quant(q) => q.forward(x)?,
            Linear::Dense(w) => x.matmul(&w.t()?)?,
            Linear::Hybrid {
                quant,
                dense,
                min_rows,
            } => {
                if x.dim(0)? >= *min_rows {
                    x.matmul(&dense.t()?)?
                } else {
                    quant.forward(x)?
                }
            }
        })
    }
}

/// Native storage: quantised types through `QMatMul`, float ones dense.
fn native_linear(native: QTensor) -> Result<Linear> {
    Ok(match native.dtype() {
        GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => {
            Linear::Dense(native.dequantize(&Device::Cpu)?)
        }
        _ => Linear::Quant(QMatMul::QTensor(Arc::new(native))),
    })
}

#[derive(Debug, Clone)]
struct Layer {
    attn_norm: Tensor,
    /// q, k and v stacked: one matmul instead of three.
    qkv: Linear,
    wo: Linear,
    ffn_norm: Tensor,
    /// gate and up stacked.
    gate_up: Linear,
    down: Linear,
}

/// Keys and values of one layer: `[1, n_kv_head, capacity, head_dim]`, the first `len` used.
#[derive(Debug, Clone)]
struct KvLayer {
    k: Tensor,
    v: Tensor,
}

/// The model weights plus one KV cache.
#[derive(Debug)]
pub struct Llama {
    pub config: Config,
    embed: Tensor,
    layers: Vec<Layer>,
    norm: Tensor,
    output: Linear,
    cos: Tensor,
    sin: Tensor,
    cache: Vec<KvLayer>,
    capacity: usize,
    len: usize,
    /// The single-token path over the shipped blocks (`None`: a matrix format it lacks).
    fast: Option<Decoder>,
    /// Whether [`Llama::decode_next`] uses `fast`.
    fast_on: bool,
}

fn read_tensor<R: Read + Seek>(content: &Content, reader: &mut R, name: &str) -> Result<QTensor> {
    if !content.tensor_infos.contains_key(name) {
        return Err(LocalError::Unsupported(format!(
            "tensor `{name}` is missing"
        )));
    }
    Ok(content.tensor(reader, name, &Device::Cpu)?)
}

/// Stack the f32 forms of several `[out_i, in]` matrices into one `[Σ out_i, in]`.
fn stacked<R: Read + Seek>(
    content: &Content,
    reader: &mut R,
    names: &[String],
    mode: WeightMode,
) -> Result<Linear> {
    let parts: Vec<QTensor> = names
        .iter()
        .map(|n| read_tensor(content, reader, n))
        .collect::<Result<_>>()?;
    let native = parts.first().map_or(GgmlDType::F32, |p| p.dtype());
    let dense: Vec<Tensor> = parts
        .iter()
        .map(|p| p.dequantize(&Device::Cpu))
        .collect::<candle_core::Result<_>>()?;
    // In `Native` mode the stack is requantised to the shipped type: blocks lie within rows, so
    // this reproduces the parts up to rounding of the block scales.
    Linear::from_dense(Tensor::cat(&dense, 0)?, mode, native)
}

impl Llama {
    /// Load the weights of a `llama` GGUF.
    pub fn load<R: Read + Seek>(
        content: &Content,
        reader: &mut R,
        mode: WeightMode,
    ) -> Result<Llama> {
        let config = Config::from_gguf(content)?;
        let device = Device::Cpu;
        let embed_q = read_tensor(content, reader, "token_embd.weight")?;
        let embed = embed_q.dequantize(&device)?;
        let output = if content.tensor_infos.contains_key("output.weight") {
            Linear::new(read_tensor(content, reader, "output.weight")?, mode)?
        } else {
            // Tied head: the embedding matrix doubles as the output projection.
            match mode {
                WeightMode::F32 => Linear::Dense(embed.clone()),
                WeightMode::Hybrid { min_rows } => Linear::Hybrid {
                    quant: q8_or_keep(embed_q, &embed)?,
                    dense: embed.clone(),
                    min_rows,
                },
                WeightMode::Q8 => Linear::Quant(q8_or_keep(embed_q, &embed)?),
                WeightMode::Native => native_linear(embed_q)?,
            }
        };
        let mut layers = Vec::with_capacity(config.n_layer);
        for i in 0..config.n_layer {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let attn_norm = read_tensor(content, reader, &p("attn_norm"))?.dequantize(&device)?;
            let ffn_norm = read_tensor(content, reader, &p("ffn_norm"))?.dequantize(&device)?;
            let qkv = stacked(
                content,
                reader,
                &[p("attn_q"), p("attn_k"), p("attn_v")],
                mode,
            )?;
            let gate_up = stacked(content, reader, &[p("ffn_gate"), p("ffn_up")], mode)?;
            let wo = Linear::new(read_tensor(content, reader, &p("attn_output"))?, mode)?;
            let down = Linear::new(read_tensor(content, reader, &p("ffn_down"))?, mode)?;
            layers.push(Layer {
                attn_norm,
                qkv,
                wo,
                ffn_norm,
                gate_up,
                down,
            });
        }
        let norm = read_tensor(content, reader, "output_norm.weight")?.dequantize(&device)?;
        let (cos, sin) = rope_tables(&config)?;
        // Decode reads the shipped blocks in the modes whose decode was quantised anyway; `F32`
        // and `Q8` keep their own arithmetic for every step.
        let fast_on = matches!(mode, WeightMode::Hybrid { .. } | WeightMode::Native);
        let fast = if fast_on {
            Decoder::load(content, reader, &config)?
        } else {
            None
        };
        Ok(Llama {
            config,
            embed,
            layers,
            norm,
            output,
            cos,
            sin,
            cache: Vec::new(),
            capacity: 0,
            len: 0,
            fast,
            fast_on,
        })
    }

    /// Tokens held in the KV cache.
    pub fn cache_len(&self) -> usize {
        self.len
    }

    /// Forget everything after the first `len` cached tokens (a snapshot is just a length).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Empty the KV cache.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Make room for `extra` more tokens, growing the buffers geometrically.
    fn reserve(&mut self, extra: usize) -> Result<()> {
        let need = self.len + extra;
        if need > self.config.context_length {
            return Err(LocalError::ContextOverflow {
                tokens: need,
                context: self.config.context_length,
            });
        }
        if need <= self.capacity && self.cache.len() == self.config.n_layer {
            return Ok(());
        }
        let capacity = need
            .max(self.capacity * 2)
            .max(256)
            .min(self.config.context_length);
        let shape = (1, self.config.n_kv_head, capacity, self.config.head_dim);
        let mut cache = Vec::with_capacity(self.config.n_layer);
        for i in 0..self.config.n_layer {
            let k = Tensor::zeros(shape, DType::F32, &Device::Cpu)?;
            let v = Tensor::zeros(shape, DType::F32, &Device::Cpu)?;
            if let Some(old) = self.cache.get(i)
                && self.len > 0
            {
                k.slice_set(&old.k.narrow(2, 0, self.len)?.contiguous()?, 2, 0)?;
                v.slice_set(&old.v.narrow(2, 0, self.len)?.contiguous()?, 2, 0)?;
            }
            cache.push(KvLayer { k, v });
        }
        self.cache = cache;
        self.capacity = capacity;
        Ok(())
    }

    /// Run `tokens` after the cached ones and return the final hidden states `[T, n_embd]`
    /// (after the output norm). Causal attention within `tokens`.
    pub fn forward_hidden(&mut self, tokens: &[u32]) -> Result<Tensor> {
        let start = self.len;
        let positions: Vec<u32> = (start..start + tokens.len()).map(|p| p as u32).collect();
        let t = tokens.len();
        let mask = if t > 1 {
            Some(causal_mask(start, t)?)
        } else {
            None
        };
        self.forward_with(tokens, &positions, mask.as_ref())
    }

    /// Run `tokens` at `positions` with an additive attention `mask` `[T, cached + T]`
    /// (`None`: every token sees everything). The tokens are appended to the cache.
    pub fn forward_with(
        &mut self,
        tokens: &[u32],
        positions: &[u32],
        mask: Option<&Tensor>,
    ) -> Result<Tensor> {
        let t = tokens.len();
        if t == 0 || positions.len() != t {
            return Err(LocalError::Request(
                "forward needs one position per token and at least one token".into(),
            ));
        }
        if let Some(&bad) = tokens
            .iter()
            .find(|&&id| id as usize >= self.config.vocab_size)
        {
            return Err(LocalError::Request(format!(
                "token id `{bad}` out of range"
            )));
        }
        self.reserve(t)?;
        let cfg = &self.config;
        let (nh, nkv, hd) = (cfg.n_head, cfg.n_kv_head, cfg.head_dim);
        let group = nh / nkv;
        let device = Device::Cpu;
        let ids = Tensor::new(tokens, &device)?;
        let pos = Tensor::new(positions, &device)?;
        let cos = self.cos.index_select(&pos, 0)?;
        let sin = self.sin.index_select(&pos, 0)?;
        let scale = 1.0 / (hd as f64).sqrt();
        let start = self.len;
        let total = start + t;
        let mut x = self.embed.index_select(&ids, 0)?;
        for (layer, kv) in self.layers.iter().zip(self.cache.iter()) {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, cfg.rms_eps as f32)?;
            let qkv = layer.qkv.forward(&h)?;
            let heads = |offset: usize, n: usize| -> candle_core::Result<Tensor> {
                qkv.narrow(1, offset * hd, n * hd)?
                    .reshape((t, n, hd))?
                    .transpose(0, 1)?
                    .contiguous()?
                    .unsqueeze(0)
            };
            let q = candle_nn::rotary_emb::rope_i(&heads(0, nh)?, &cos, &sin)?;
            let k = candle_nn::rotary_emb::rope_i(&heads(nh, nkv)?, &cos, &sin)?;
            let v = heads(nh + nkv, nkv)?;
            kv.k.slice_set(&k, 2, start)?;
            kv.v.slice_set(&v, 2, start)?;
            let k_all = kv.k.narrow(2, 0, total)?;
            let v_all = kv.v.narrow(2, 0, total)?;
            // GQA without copying keys: the `group` query heads sharing a KV head are stacked
            // along the sequence axis, `[1, nkv, group*T, hd]`.
            let qg = q.reshape((1, nkv, group * t, hd))?;
            let mut att = (qg.matmul(&k_all.t()?)? * scale)?;
            if let Some(mask) = mask {
                att = att
                    .reshape((1, nkv, group, t, total))?
                    .broadcast_add(mask)?
                    .reshape((1, nkv, group * t, total))?;
            }
            let att = candle_nn::ops::softmax_last_dim(&att)?;
            let y = att
                .matmul(&v_all)?
                .reshape((nh, t, hd))?
                .transpose(0, 1)?
                .reshape((t, nh * hd))?;
            x = (x + layer.wo.forward(&y)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, cfg.rms_eps as f32)?;
            let gu = layer.gate_up.forward(&h)?;
            let gate = gu.narrow(1, 0, cfg.n_ff)?;
            let up = gu.narrow(1, cfg.n_ff, cfg.n_ff)?;
            let act = (candle_nn::ops::silu(&gate)? * up)?;
            x = (x + layer.down.forward(&act)?)?;
        }
        self.len = total;
        Ok(candle_nn::ops::rms_norm(
            &x,
            &self.norm,
            self.config.rms_eps as f32,
        )?)
    }

    /// Whether single-token steps take the block-kernel path ([`crate::decode`]).
    pub fn fast_decode(&self) -> bool {
        self.fast_on && self.fast.is_some()
    }

    /// Turn the block-kernel path for single-token steps on or off (tests compare the two).
    pub fn set_fast_decode(&mut self, on: bool) {
        self.fast_on = on;
    }

    /// Run one token after the cache and return its logits (see [`Llama::forward_last`]).
    pub fn decode_next(&mut self, token: u32) -> Result<Vec<f32>> {
        self.forward_last(&[token])
    }

    /// One token through the block-kernel path.
    fn fast_step(&mut self, token: u32) -> Result<Vec<f32>> {
        if token as usize >= self.config.vocab_size {
            return Err(LocalError::Request(format!(
                "token id `{token}` out of range"
            )));
        }
        self.reserve(1)?;
        let cache: Vec<(&Tensor, &Tensor)> = self.cache.iter().map(|kv| (&kv.k, &kv.v)).collect();
        let Some(fast) = self.fast.as_mut() else {
            return Err(LocalError::Unsupported("no block-kernel decoder".into()));
        };
        let logits = fast.step(&self.config, &cache, self.capacity, token, self.len)?;
        self.len += 1;
        Ok(logits)
    }

    /// Logits `[rows, vocab]` of hidden states `[rows, n_embd]`.
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        self.output.forward(hidden)
    }

    /// Logits for every position of `tokens` (appended to the cache): `[T, vocab]`.
    pub fn forward_all(&mut self, tokens: &[u32]) -> Result<Tensor> {
        let h = self.forward_hidden(tokens)?;
        self.logits(&h)
    }

    /// Logits of the last position of `tokens` as a vector. A single token goes through the
    /// block-kernel path when [`Llama::fast_decode`].
    pub fn forward_last(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        if let [token] = tokens
            && self.fast_decode()
        {
            return self.fast_step(*token);
        }
        let h = self.forward_hidden(tokens)?;
        let last = h.narrow(0, tokens.len() - 1, 1)?;
        Ok(self.logits(&last)?.squeeze(0)?.to_vec1::<f32>()?)
    }
}

fn q8_or_keep(q: QTensor, dense: &Tensor) -> Result<QMatMul> {
    Ok(if q.dtype() == GgmlDType::Q8_0 {
        QMatMul::QTensor(Arc::new(q))
    } else {
        QMatMul::QTensor(Arc::new(QTensor::quantize(dense, GgmlDType::Q8_0)?))
    })
}

/// `cos`/`sin` tables `[context, head_dim/2]` for the interleaved (GPT-J pair) rotation that
/// llama GGUFs use (the converter permutes q/k so adjacent pairs rotate together).
fn rope_tables(cfg: &Config) -> Result<(Tensor, Tensor)> {
    let half = cfg.head_dim / 2;
    let inv: Vec<f32> = (0..half)
        .map(|i| 1.0 / cfg.rope_base.powf(2.0 * i as f32 / cfg.head_dim as f32))
        .collect();
    let inv = Tensor::from_vec(inv, (1, half), &Device::Cpu)?;
    let pos = Tensor::arange(0u32, cfg.context_length as u32, &Device::Cpu)?
        .to_dtype(DType::F32)?
        .reshape((cfg.context_length, 1))?;
    let freqs = pos.broadcast_mul(&inv)?;
    Ok((freqs.cos()?, freqs.sin()?))
}

/// Additive mask `[T, start + T]`: row `i` sees cached tokens and new tokens `0..=i`.
fn causal_mask(start: usize, t: usize) -> Result<Tensor> {
    let total = start + t;
    let data: Vec<f32> = (0..t)
        .flat_map(|i| {
            (0..total).map(move |j| {
                if j <= start + i {
                    0.0
                } else {
                    f32::NEG_INFINITY
                }
            })
        })
        .collect();
    Ok(Tensor::from_vec(data, (t, total), &Device::Cpu)?)
}

/// Log-softmax over the last dimension, as f64 for stable sums.
pub fn log_softmax_rows(logits: &Tensor) -> Result<Tensor> {
    let logits = logits.to_dtype(DType::F64)?;
    let max = logits.max_keepdim(D::Minus1)?;
    let shifted = logits.broadcast_sub(&max)?;
    let lse = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    Ok(shifted.broadcast_sub(&lse)?)
}
