//! Matrix-vector kernels for single-token decode over the GGUF's own quantised blocks (Q4_1 and
//! Q8_0 weights) times an activation quantised to 8 bits per 32-value block.
//!
//! Hand-rolled on purpose: candle 0.11's Q4_1 `vec_dot` is scalar code (its Q8_0 has AVX2, but
//! Q8_0 moves 1.7× the bytes of Q4_1, and decode is bound by memory traffic). This module is
//! the one place of the crate with `unsafe`: the AVX2 loads, each behind a length check made once
//! per row and a runtime CPU feature test. Other CPUs take the scalar code, which computes the same
//! integer sums.
#![allow(unsafe_code)]

use rayon::prelude::*;

/// Values per quantisation block (both formats and the activation).
pub const QK: usize = 32;

/// An activation vector quantised in blocks of 32: `x[32b + j] ≈ d[b] · q[32b + j]`, with
/// `s[b] = d[b] · Σ_j q[32b + j]` (the block sum Q4_1's offset term needs).
#[derive(Debug, Default, Clone)]
pub struct QuantVec {
    pub q: Vec<i8>,
    pub d: Vec<f32>,
    pub s: Vec<f32>,
}

impl QuantVec {
    /// Quantise `x` (length a multiple of [`QK`]) in place of the previous contents.
    pub fn quantize(&mut self, x: &[f32]) {
        let nb = x.len() / QK;
        self.q.resize(nb * QK, 0);
        self.d.resize(nb, 0.0);
        self.s.resize(nb, 0.0);
        for (b, block) in x.chunks_exact(QK).enumerate() {
            let amax = block.iter().fold(0.0f32, |a, v| a.max(v.abs()));
            let d = amax / 127.0;
            let id = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut sum = 0i32;
            for (q, v) in self.q[b * QK..(b + 1) * QK].iter_mut().zip(block) {
                // `round` is half away from zero, as in the reference quantiser.
                let r = (v * id).round() as i8;
                *q = r;
                sum += i32::from(r);
            }
            self.d[b] = d;
            self.s[b] = d * sum as f32;
        }
    }

    fn blocks(&self) -> usize {
        self.d.len()
    }
}

/// A weight matrix `[rows, cols]` kept in its GGUF block format, with the f16 block scales
/// widened to f32 at load so the inner loop does no conversion.
#[derive(Debug, Clone)]
pub enum QMatrix {
    /// 32 weights per block: `w = d·q + m`, `q` in 0..16, 16 bytes of nibbles (low nibbles are
    /// weights 0..16, high nibbles 16..32).
    Q4_1 {
        rows: usize,
        cols: usize,
        qs: Vec<u8>,
        d: Vec<f32>,
        m: Vec<f32>,
    },
    /// 32 weights per block: `w = d·q`, `q` a signed byte.
    Q8_0 {
        rows: usize,
        cols: usize,
        qs: Vec<i8>,
        d: Vec<f32>,
    },
}

/// Which block format raw GGUF bytes are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockFormat {
    Q4_1,
    Q8_0,
}

impl BlockFormat {
    /// Bytes per block of 32 weights.
    pub fn block_bytes(self) -> usize {
        match self {
            BlockFormat::Q4_1 => 20,
            BlockFormat::Q8_0 => 34,
        }
    }
}

/// IEEE half to single precision (the GGUF block scales); exact for every f16 value.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: value = man · 2^-24, exactly representable in f32.
            let v = man as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

impl QMatrix {
    /// Parse `rows × cols` weights from raw GGUF block bytes; `None` when the sizes disagree or
    /// `cols` is not a whole number of blocks.
    pub fn from_blocks(
        format: BlockFormat,
        rows: usize,
        cols: usize,
        bytes: &[u8],
    ) -> Option<QMatrix> {
        if cols == 0 || !cols.is_multiple_of(QK) {
            return None;
        }
        let nb = rows * cols / QK;
        if bytes.len() != nb * format.block_bytes() {
            return None;
        }
        let half = |b: &[u8], i: usize| f16_to_f32(u16::from_le_bytes([b[i], b[i + 1]]));
        Some(match format {
            BlockFormat::Q4_1 => {
                let mut qs = Vec::with_capacity(nb * 16);
                let mut d = Vec::with_capacity(nb);
                let mut m = Vec::with_capacity(nb);
                for block in bytes.chunks_exact(20) {
                    d.push(half(block, 0));
                    m.push(half(block, 2));
                    qs.extend_from_slice(&block[4..20]);
                }
                QMatrix::Q4_1 {
                    rows,
                    cols,
                    qs,
                    d,
                    m,
                }
            }
            BlockFormat::Q8_0 => {
                let mut qs = Vec::with_capacity(nb * QK);
                let mut d = Vec::with_capacity(nb);
                for block in bytes.chunks_exact(34) {
                    d.push(half(block, 0));
                    qs.extend(block[2..34].iter().map(|&b| b as i8));
                }
                QMatrix::Q8_0 { rows, cols, qs, d }
            }
        })
    }

    pub fn rows(&self) -> usize {
        match self {
            QMatrix::Q4_1 { rows, .. } | QMatrix::Q8_0 { rows, .. } => *rows,
        }
    }

    pub fn cols(&self) -> usize {
        match self {
            QMatrix::Q4_1 { cols, .. } | QMatrix::Q8_0 { cols, .. } => *cols,
        }
    }

    /// Row `r` as f32 (embedding lookups and the tests' reference).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        let nb = self.cols() / QK;
        match self {
            QMatrix::Q4_1 { qs, d, m, .. } => {
                for b in 0..nb {
                    let blk = r * nb + b;
                    let q = &qs[blk * 16..blk * 16 + 16];
                    let o = &mut out[b * QK..(b + 1) * QK];
                    for j in 0..16 {
                        o[j] = d[blk] * f32::from(q[j] & 0x0f) + m[blk];
                        o[j + 16] = d[blk] * f32::from(q[j] >> 4) + m[blk];
                    }
                }
            }
            QMatrix::Q8_0 { qs, d, .. } => {
                for b in 0..nb {
                    let blk = r * nb + b;
                    for j in 0..QK {
                        out[b * QK + j] = d[blk] * f32::from(qs[blk * QK + j]);
                    }
                }
            }
        }
    }

    /// `out[r] = row_r · x` for every row, rows split over the rayon pool (sized by
    /// `--threads`). `x` must have `cols / 32` blocks and `out` `rows` entries.
    pub fn matvec(&self, x: &QuantVec, out: &mut [f32]) {
        let nb = self.cols() / QK;
        if x.blocks() != nb || out.len() != self.rows() {
            // Shapes are fixed at load; a mismatch is a bug in the caller, not input data.
            out.fill(f32::NAN);
            return;
        }
        let simd = has_avx2();
        // A few chunks per thread so a thread delayed by other load does not hold up the step.
        let chunk = self
            .rows()
            .div_ceil(rayon::current_num_threads() * 4)
            .max(16);
        out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| {
            let first = c * chunk;
            for (i, y) in o.iter_mut().enumerate() {
                *y = self.row_dot(first + i, nb, x, simd);
            }
        });
    }

    fn row_dot(&self, r: usize, nb: usize, x: &QuantVec, simd: bool) -> f32 {
        match self {
            QMatrix::Q4_1 { qs, d, m, .. } => {
                let qs = &qs[r * nb * 16..(r + 1) * nb * 16];
                let (d, m) = (&d[r * nb..(r + 1) * nb], &m[r * nb..(r + 1) * nb]);
                #[cfg(target_arch = "x86_64")]
                if simd {
                    // SAFETY: `has_avx2` confirmed AVX2 and FMA at run time; the slices were
                    // cut to `nb` blocks here and `x` was checked to hold `nb` blocks.
                    return unsafe { x86::dot_q4_1(qs, d, m, x) };
                }
                let _ = simd;
                dot_q4_1_scalar(qs, d, m, x)
            }
            QMatrix::Q8_0 { qs, d, .. } => {
                let qs = &qs[r * nb * QK..(r + 1) * nb * QK];
                let d = &d[r * nb..(r + 1) * nb];
                #[cfg(target_arch = "x86_64")]
                if simd {
                    // SAFETY: as above.
                    return unsafe { x86::dot_q8_0(qs, d, x) };
                }
                let _ = simd;
                dot_q8_0_scalar(qs, d, x)
            }
        }
    }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn dot_q4_1_scalar(qs: &[u8], d: &[f32], m: &[f32], x: &QuantVec) -> f32 {
    let mut acc = 0.0f32;
    for (b, q) in qs.chunks_exact(16).enumerate() {
        let xq = &x.q[b * QK..(b + 1) * QK];
        let mut isum = 0i32;
        for j in 0..16 {
            isum += i32::from(q[j] & 0x0f) * i32::from(xq[j]);
            isum += i32::from(q[j] >> 4) * i32::from(xq[j + 16]);
        }
        acc += d[b] * x.d[b] * isum as f32 + m[b] * x.s[b];
    }
    acc
}

fn dot_q8_0_scalar(qs: &[i8], d: &[f32], x: &QuantVec) -> f32 {
    let mut acc = 0.0f32;
    for (b, q) in qs.chunks_exact(QK).enumerate() {
        let xq = &x.q[b * QK..(b + 1) * QK];
        let isum: i32 = q
            .iter()
            .zip(xq)
            .map(|(&a, &b)| i32::from(a) * i32::from(b))
            .sum();
        acc += d[b] * x.d[b] * isum as f32;
    }
    acc
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{QK, QuantVec};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
        _mm_cvtss_f32(s)
    }

    /// Σ_b d_w·d_x·(q_w · q_x) + m·s_x over the blocks of one Q4_1 row.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA; `qs` holds `16·nb` bytes, `d`/`m` `nb` scales and `x` at
    /// least `nb` blocks, where `nb = d.len()`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q4_1(qs: &[u8], d: &[f32], m: &[f32], x: &QuantVec) -> f32 {
        let nb = d.len();
        debug_assert!(qs.len() == nb * 16 && m.len() == nb && x.q.len() >= nb * QK);
        let low = _mm256_set1_epi8(0x0f);
        let ones = _mm256_set1_epi16(1);
        let mut acc = _mm256_setzero_ps();
        let mut offset = 0.0f32;
        for b in 0..nb {
            // SAFETY: block `b < nb` lies inside `qs` (16 bytes) and `x.q` (32 bytes) by the
            // caller's contract; unaligned loads.
            let (raw, xv) = unsafe {
                (
                    _mm_loadu_si128(qs.as_ptr().add(b * 16).cast()),
                    _mm256_loadu_si256(x.q.as_ptr().add(b * QK).cast()),
                )
            };
            // Low nibbles are weights 0..16 (lower lane), high nibbles 16..32 (upper lane).
            let w = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), low);
            // u8 × i8 pairs summed to i16: at most 2·15·127, no saturation.
            let p = _mm256_madd_epi16(_mm256_maddubs_epi16(w, xv), ones);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b] * x.d[b]), _mm256_cvtepi32_ps(p), acc);
            offset += m[b] * x.s[b];
        }
        hsum(acc) + offset
    }

    /// Σ_b d_w·d_x·(q_w · q_x) over the blocks of one Q8_0 row.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA; `qs` holds `32·nb` bytes and `x` at least `nb` blocks,
    /// where `nb = d.len()`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_q8_0(qs: &[i8], d: &[f32], x: &QuantVec) -> f32 {
        let nb = d.len();
        debug_assert!(qs.len() == nb * QK && x.q.len() >= nb * QK);
        let ones = _mm256_set1_epi16(1);
        let mut acc = _mm256_setzero_ps();
        for (b, &db) in d.iter().enumerate() {
            // SAFETY: block `b < nb` lies inside `qs` and `x.q` by the caller's contract.
            let (w, xv) = unsafe {
                (
                    _mm256_loadu_si256(qs.as_ptr().add(b * QK).cast()),
                    _mm256_loadu_si256(x.q.as_ptr().add(b * QK).cast()),
                )
            };
            // maddubs wants one unsigned operand: |w| times x carrying w's sign. |w| ≤ 128
            // and |x| ≤ 127 keep each pair sum inside i16.
            let p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xv, w));
            let p = _mm256_madd_epi16(p, ones);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(db * x.d[b]), _mm256_cvtepi32_ps(p), acc);
        }
        hsum(acc)
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    // The reference code spells the block layout out byte by byte and row by row on purpose.
    clippy::identity_op,
    clippy::needless_range_loop
)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn random_blocks(format: BlockFormat, rows: usize, cols: usize, seed: u64) -> Vec<u8> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let nb = rows * cols / QK;
        let mut out = Vec::new();
        for _ in 0..nb {
            // Scales as f16 bits in a normal range (exponent 5..20), random sign for m.
            let mut scale = || -> [u8; 2] {
                let exp: u16 = rng.random_range(5..20);
                let man: u16 = rng.random_range(0..1024);
                let sign: u16 = rng.random_range(0..2);
                ((sign << 15) | (exp << 10) | man).to_le_bytes()
            };
            match format {
                BlockFormat::Q4_1 => {
                    let d = scale();
                    let m = scale();
                    out.extend_from_slice(&[d[0] & 0xff, d[1] & 0x7f]);
                    out.extend_from_slice(&m);
                    out.extend((0..16).map(|_| rng.random::<u8>()));
                }
                BlockFormat::Q8_0 => {
                    let d = scale();
                    out.extend_from_slice(&[d[0], d[1] & 0x7f]);
                    out.extend((0..32).map(|_| rng.random_range(-127i32..=127) as i8 as u8));
                }
            }
        }
        out
    }

    fn check(format: BlockFormat, seed: u64) {
        let (rows, cols) = (37, 576);
        let bytes = random_blocks(format, rows, cols, seed);
        let w = QMatrix::from_blocks(format, rows, cols, &bytes).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed + 1);
        let x: Vec<f32> = (0..cols).map(|_| rng.random_range(-3.0f32..3.0)).collect();
        let mut xq = QuantVec::default();
        xq.quantize(&x);
        let mut out = vec![0.0; rows];
        w.matvec(&xq, &mut out);
        let mut row = vec![0.0; cols];
        for r in 0..rows {
            w.dequantize_row(r, &mut row);
            // Exact reference for what the kernel computes: the dequantised row times the
            // dequantised activation, in f64.
            let exact: f64 = (0..cols)
                .map(|i| f64::from(row[i]) * f64::from(xq.d[i / QK]) * f64::from(xq.q[i]))
                .sum();
            let scale: f64 = (0..cols)
                .map(|i| (f64::from(row[i]) * f64::from(x[i])).abs())
                .sum();
            let nb = cols / QK;
            let scalar = w.row_dot(r, nb, &xq, false);
            assert!(
                (f64::from(out[r]) - exact).abs() <= 1e-4 * scale.max(1e-6),
                "row {r}: kernel {} vs exact {exact}",
                out[r]
            );
            assert!(
                (f64::from(scalar) - exact).abs() <= 1e-4 * scale.max(1e-6),
                "row {r}: scalar {scalar} vs exact {exact}"
            );
            // And the activation quantisation costs little against the f32 product.
            let float: f64 = (0..cols).map(|i| f64::from(row[i]) * f64::from(x[i])).sum();
            assert!((f64::from(out[r]) - float).abs() <= 0.02 * scale.max(1e-6));
        }
    }

    #[test]
    fn q4_1_kernel_matches_dequantised_reference() {
        for seed in 0..4 {
            check(BlockFormat::Q4_1, seed);
        }
    }

    #[test]
    fn q8_0_kernel_matches_dequantised_reference() {
        for seed in 10..14 {
            check(BlockFormat::Q8_0, seed);
        }
    }

    #[test]
    fn f16_conversion_is_exact_on_known_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert_eq!(f16_to_f32(0x8000).to_bits(), 0x8000_0000);
    }

    #[test]
    fn quantize_rounds_to_block_scale() {
        let x: Vec<f32> = (0..64).map(|i| (i as f32 - 20.0) * 0.1).collect();
        let mut q = QuantVec::default();
        q.quantize(&x);
        assert_eq!(q.d.len(), 2);
        assert_eq!(q.q[0], -127); // the block's largest magnitude maps to ±127
        for (i, v) in x.iter().enumerate() {
            assert!((q.d[i / QK] * f32::from(q.q[i]) - v).abs() <= q.d[i / QK] * 0.5 + 1e-6);
        }
        let s0: i32 = q.q[..32].iter().map(|&v| i32::from(v)).sum();
        assert!((q.s[0] - q.d[0] * s0 as f32).abs() < 1e-5);
    }
}
