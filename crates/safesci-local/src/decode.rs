//! Single-token decode over plain f32 buffers and the GGUF's own quantised blocks: RMSNorm, the
//! interleaved RoPE, GQA attention over the model's KV cache, SwiGLU and the output head, with
//! every matrix product through [`crate::kernels`].
//!
//! Why a second forward pass: one decode step through candle is ~20 small tensor ops per layer
//! (each allocating and dispatching) plus Q8_0 matmuls, where the weights could be read as the
//! smaller Q4_1 they ship in. The candle path in [`crate::model`] stays for prompts and scoring
//! (many rows, where f32 gemm wins); this one runs when exactly one token follows the cache.

use crate::error::{LocalError, Result};
use crate::kernels::{BlockFormat, QK, QMatrix, QuantVec};
use crate::model::Config;
use candle_core::quantized::GgmlDType;
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Storage, Tensor};
use std::io::{Read, Seek, SeekFrom};

#[derive(Debug)]
struct Layer {
    attn_norm: Vec<f32>,
    /// q, k and v rows stacked.
    qkv: QMatrix,
    wo: QMatrix,
    ffn_norm: Vec<f32>,
    /// gate and up rows stacked.
    gate_up: QMatrix,
    down: QMatrix,
}

/// Weights in block form plus scratch buffers reused across steps.
#[derive(Debug)]
pub struct Decoder {
    layers: Vec<Layer>,
    /// Embedding rows (looked up) — also the output head when the model ties them.
    embed: QMatrix,
    /// A separate output head, when the GGUF has one.
    output: Option<QMatrix>,
    norm: Vec<f32>,
    /// `cos`/`sin` of position × frequency, `[context, head_dim/2]`.
    cos: Vec<f32>,
    sin: Vec<f32>,
    x: Vec<f32>,
    h: Vec<f32>,
    qkv: Vec<f32>,
    y: Vec<f32>,
    att: Vec<f32>,
    gu: Vec<f32>,
    act: Vec<f32>,
    out: Vec<f32>,
    xq: QuantVec,
}

fn block_format(dtype: GgmlDType) -> Option<BlockFormat> {
    match dtype {
        GgmlDType::Q4_1 => Some(BlockFormat::Q4_1),
        GgmlDType::Q8_0 => Some(BlockFormat::Q8_0),
        _ => None,
    }
}

/// Raw bytes and `[rows, cols]` of the named tensors stacked by rows; `None` when one is missing,
/// not Q4_1/Q8_0, or they differ in format or width.
fn stacked<R: Read + Seek>(
    content: &Content,
    reader: &mut R,
    names: &[String],
) -> Result<Option<QMatrix>> {
    let mut bytes = Vec::new();
    let mut rows = 0;
    let mut shape: Option<(BlockFormat, usize)> = None;
    for name in names {
        let Some(info) = content.tensor_infos.get(name) else {
            return Ok(None);
        };
        let Some(format) = block_format(info.ggml_dtype) else {
            return Ok(None);
        };
        // GGUF dims are `[cols, rows]`; candle reverses them to `[rows, cols]`.
        let dims = info.shape.dims();
        let [r, c] = dims else { return Ok(None) };
        if shape.is_some_and(|s| s != (format, *c)) {
            return Ok(None);
        }
        shape = Some((format, *c));
        let len = r * c / QK * format.block_bytes();
        let start = bytes.len();
        bytes.resize(start + len, 0);
        reader
            .seek(SeekFrom::Start(content.tensor_data_offset + info.offset))
            .map_err(candle_core::Error::from)?;
        reader
            .read_exact(&mut bytes[start..])
            .map_err(candle_core::Error::from)?;
        rows += r;
    }
    Ok(shape.and_then(|(format, cols)| QMatrix::from_blocks(format, rows, cols, &bytes)))
}

fn vector<R: Read + Seek>(content: &Content, reader: &mut R, name: &str) -> Result<Vec<f32>> {
    Ok(content
        .tensor(reader, name, &Device::Cpu)?
        .dequantize(&Device::Cpu)?
        .flatten_all()?
        .to_vec1::<f32>()?)
}

impl Decoder {
    /// Read the matrices as stored. `None` when a matrix is in a format the kernels lack (the
    /// caller keeps the candle path for every step then).
    pub fn load<R: Read + Seek>(
        content: &Content,
        reader: &mut R,
        cfg: &Config,
    ) -> Result<Option<Decoder>> {
        let one = |n: &str| vec![n.to_string()];
        let Some(embed) = stacked(content, reader, &one("token_embd.weight"))? else {
            return Ok(None);
        };
        let output = if content.tensor_infos.contains_key("output.weight") {
            match stacked(content, reader, &one("output.weight"))? {
                Some(m) => Some(m),
                None => return Ok(None),
            }
        } else {
            None
        };
        let mut layers = Vec::with_capacity(cfg.n_layer);
        for i in 0..cfg.n_layer {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let (Some(qkv), Some(wo), Some(gate_up), Some(down)) = (
                stacked(content, reader, &[p("attn_q"), p("attn_k"), p("attn_v")])?,
                stacked(content, reader, &one(&p("attn_output")))?,
                stacked(content, reader, &[p("ffn_gate"), p("ffn_up")])?,
                stacked(content, reader, &one(&p("ffn_down")))?,
            ) else {
                return Ok(None);
            };
            layers.push(Layer {
                attn_norm: vector(content, reader, &p("attn_norm"))?,
                qkv,
                wo,
                ffn_norm: vector(content, reader, &p("ffn_norm"))?,
                gate_up,
                down,
            });
        }
        let half = cfg.head_dim / 2;
        // Same arithmetic as the candle tables (f32 product, then cos/sin) so both paths rotate
        // identically.
        let inv: Vec<f32> = (0..half)
            .map(|i| 1.0 / cfg.rope_base.powf(2.0 * i as f32 / cfg.head_dim as f32))
            .collect();
        let mut cos = Vec::with_capacity(cfg.context_length * half);
        let mut sin = Vec::with_capacity(cfg.context_length * half);
        for pos in 0..cfg.context_length {
            for f in &inv {
                let a = pos as f32 * f;
                cos.push(a.cos());
                sin.push(a.sin());
            }
        }
        Ok(Some(Decoder {
            layers,
            embed,
            output,
            norm: vector(content, reader, "output_norm.weight")?,
            cos,
            sin,
            x: Vec::new(),
            h: Vec::new(),
            qkv: Vec::new(),
            y: Vec::new(),
            att: Vec::new(),
            gu: Vec::new(),
            act: Vec::new(),
            out: Vec::new(),
            xq: QuantVec::default(),
        }))
    }

    /// Run `token` at position `pos`, attending to the `pos` cached tokens in `cache` (per layer
    /// `(k, v)` of shape `[1, n_kv_head, capacity, head_dim]`), store its keys and values there,
    /// and return the logits.
    pub fn step(
        &mut self,
        cfg: &Config,
        cache: &[(&Tensor, &Tensor)],
        capacity: usize,
        token: u32,
        pos: usize,
    ) -> Result<Vec<f32>> {
        let (nh, nkv, hd, ne, nff) = (
            cfg.n_head,
            cfg.n_kv_head,
            cfg.head_dim,
            cfg.n_embd,
            cfg.n_ff,
        );
        let eps = cfg.rms_eps as f32;
        let group = nh / nkv;
        let total = pos + 1;
        let scale = 1.0 / (hd as f32).sqrt();
        self.x.resize(ne, 0.0);
        self.h.resize(ne, 0.0);
        self.y.resize(ne, 0.0);
        self.att.resize(total, 0.0);
        self.embed.dequantize_row(token as usize, &mut self.x);
        let half = hd / 2;
        let cos = &self.cos[pos * half..(pos + 1) * half];
        let sin = &self.sin[pos * half..(pos + 1) * half];
        for (layer, &(kc, vc)) in self.layers.iter().zip(cache) {
            rms_norm(&self.x, &layer.attn_norm, eps, &mut self.h);
            self.xq.quantize(&self.h);
            self.qkv.resize(layer.qkv.rows(), 0.0);
            layer.qkv.matvec(&self.xq, &mut self.qkv);
            let (q, kv) = self.qkv.split_at_mut(nh * hd);
            let (k, v) = kv.split_at_mut(nkv * hd);
            for head in q.chunks_exact_mut(hd).chain(k.chunks_exact_mut(hd)) {
                rope(head, cos, sin);
            }
            kc.slice_set(
                &Tensor::from_slice(k, (1, nkv, 1, hd), &Device::Cpu)?,
                2,
                pos,
            )?;
            vc.slice_set(
                &Tensor::from_slice(v, (1, nkv, 1, hd), &Device::Cpu)?,
                2,
                pos,
            )?;
            {
                let (ks, kl) = kc.storage_and_layout();
                let (vs, vl) = vc.storage_and_layout();
                let kall = &cpu_f32(&ks)?[kl.start_offset()..];
                let vall = &cpu_f32(&vs)?[vl.start_offset()..];
                for (hi, qh) in q.chunks_exact(hd).enumerate() {
                    let g = hi / group;
                    let keys = &kall[g * capacity * hd..];
                    let vals = &vall[g * capacity * hd..];
                    let mut max = f32::NEG_INFINITY;
                    for (p, a) in self.att.iter_mut().enumerate() {
                        *a = dot(qh, &keys[p * hd..(p + 1) * hd]) * scale;
                        max = max.max(*a);
                    }
                    let mut sum = 0.0;
                    for a in self.att.iter_mut() {
                        *a = (*a - max).exp();
                        sum += *a;
                    }
                    let yh = &mut self.y[hi * hd..(hi + 1) * hd];
                    yh.fill(0.0);
                    for (p, a) in self.att.iter().enumerate() {
                        let w = a / sum;
                        for (o, val) in yh.iter_mut().zip(&vals[p * hd..(p + 1) * hd]) {
                            *o += w * val;
                        }
                    }
                }
            }
            self.xq.quantize(&self.y);
            self.h.resize(layer.wo.rows(), 0.0);
            layer.wo.matvec(&self.xq, &mut self.h);
            for (x, o) in self.x.iter_mut().zip(&self.h) {
                *x += o;
            }
            rms_norm(&self.x, &layer.ffn_norm, eps, &mut self.h);
            self.xq.quantize(&self.h);
            self.gu.resize(layer.gate_up.rows(), 0.0);
            layer.gate_up.matvec(&self.xq, &mut self.gu);
            self.act.resize(nff, 0.0);
            let (gate, up) = self.gu.split_at(nff);
            for ((a, g), u) in self.act.iter_mut().zip(gate).zip(up) {
                *a = g / (1.0 + (-g).exp()) * u;
            }
            self.xq.quantize(&self.act);
            layer.down.matvec(&self.xq, &mut self.h);
            for (x, o) in self.x.iter_mut().zip(&self.h) {
                *x += o;
            }
        }
        rms_norm(&self.x, &self.norm, eps, &mut self.h);
        self.xq.quantize(&self.h);
        let head = self.output.as_ref().unwrap_or(&self.embed);
        self.out.resize(head.rows(), 0.0);
        head.matvec(&self.xq, &mut self.out);
        Ok(self.out.clone())
    }
}

fn cpu_f32(storage: &Storage) -> Result<&[f32]> {
    match storage {
        Storage::Cpu(s) => Ok(s.as_slice::<f32>()?),
        _ => Err(LocalError::Unsupported("KV cache off the CPU".into())),
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight partial sums let the compiler vectorise without reassociation flags.
    let mut acc = [0.0f32; 8];
    for (ca, cb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += ca[i] * cb[i];
        }
    }
    let tail: f32 = a
        .chunks_exact(8)
        .remainder()
        .iter()
        .zip(b.chunks_exact(8).remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

fn rms_norm(x: &[f32], w: &[f32], eps: f32, out: &mut [f32]) {
    let ms = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    let r = 1.0 / (ms + eps).sqrt();
    for ((o, v), w) in out.iter_mut().zip(x).zip(w) {
        *o = v * r * w;
    }
}

/// Interleaved rotation: pairs `(2i, 2i+1)` turn by position × frequency `i`.
fn rope(head: &mut [f32], cos: &[f32], sin: &[f32]) {
    for (pair, (c, s)) in head.chunks_exact_mut(2).zip(cos.iter().zip(sin)) {
        let (a, b) = (pair[0], pair[1]);
        pair[0] = a * c - b * s;
        pair[1] = a * s + b * c;
    }
}
