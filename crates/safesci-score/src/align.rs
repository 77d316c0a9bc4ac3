//! Sequence scores. Strict mode: gapped global alignment — proteins with BLOSUM62 (gap open
//! −10, extend −1 in Biopython's convention), DNA with +1/−1 and gaps −2/−1 — giving identity
//! over aligned columns, a length-normalised alignment score and the edit distance.
//! Compat mode: the reference's ungapped positional identity, ungapped BLOSUM45 sum and LCS
//! "alignment" for proteins, and its gene metrics.
//!
//! The global aligner is a compact Gotoh dynamic programme ([`global`]): the same recurrence,
//! boundary conditions and tie-breaking as rust-bio's `Aligner::global` (so the one optimal
//! alignment it reports, and hence identity, is the same), but with i32 rows reused across the
//! matrix, one traceback byte per cell instead of rust-bio's three layers, and no clipping
//! bookkeeping. The scorers run it in a diagonal band proved to hold every optimal alignment,
//! evaluated anti-diagonal by anti-diagonal (cells of one anti-diagonal are independent, so the
//! loop is vector code: `i16` lanes when the pair's scores provably fit, an AVX2 build chosen at
//! run time) with the same values and traceback bytes as the row-by-row programme. The edit
//! distance is the bit-parallel/SIMD Levenshtein of rust-bio (`distance::simd`, exact).
//! Differential tests pin the anti-diagonal programme to the row one and both to rust-bio.

use crate::extract::PROTEIN_ALPHABET;
use bio::alignment::distance::simd::levenshtein;
use bio::scores::blosum62;
use std::sync::LazyLock;

/// Scores of one aligned pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScores {
    /// Identical aligned columns / alignment length.
    pub identity: f64,
    /// Alignment score × 2 / (len a + len b).
    pub score: f64,
    /// Levenshtein distance.
    pub edit_distance: u64,
}

/// One optimal global alignment, summarised: its score, its number of columns and how many of
/// them pair identical residues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalAlignment {
    pub score: i32,
    pub columns: usize,
    pub matches: usize,
}

impl GlobalAlignment {
    /// Identical columns / columns (0 for an empty alignment).
    pub fn identity(&self) -> f64 {
        if self.columns == 0 {
            0.0
        } else {
            self.matches as f64 / self.columns as f64
        }
    }
}

const NEG: i32 = i32::MIN / 4;
// Traceback byte: bits 0–1 the best state's source (0 diagonal, 1 gap consuming `x`, 2 gap
// consuming `y`); bit 2 the `x`-gap state extends (else it opens from the best state above);
// bit 3 the `y`-gap state extends (else it opens from the best state to the left).
const SRC_X: u8 = 1;
const SRC_Y: u8 = 2;
const EXT_X: u8 = 4;
const EXT_Y: u8 = 8;

/// Global alignment of `x` against `y` with affine gaps, a gap of length k costing
/// `open + (k − 1)·extend` (Biopython's convention; rust-bio's too). `score(i, j)` scores
/// `x[i]` against `y[j]`. Ties prefer the diagonal, then a gap in `y` (consuming `x`), then a
/// gap in `x`, and a gap state opens rather than extends unless extending is strictly better —
/// rust-bio's order, so both report the same alignment. Full matrix.
pub fn global(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    score: impl Fn(u8, u8) -> i32,
) -> GlobalAlignment {
    let profile = Profile::new(x, y, score);
    band_dp(
        x,
        y,
        open,
        extend,
        &profile,
        -(x.len() as isize),
        y.len() as isize,
    )
}

/// Substitution scores laid out for the inner loop: one row of `score(c, y[j])` over `j` for each
/// distinct byte `c` of `x`, so a matrix row reads its scores sequentially.
struct Profile {
    row_of: [u32; 256],
    rows: Vec<i32>,
    n: usize,
}

impl Profile {
    fn new(x: &[u8], y: &[u8], score: impl Fn(u8, u8) -> i32) -> Profile {
        let n = y.len();
        let mut row_of = [u32::MAX; 256];
        let mut rows = Vec::new();
        let mut count = 0u32;
        for &c in x {
            if row_of[c as usize] == u32::MAX {
                row_of[c as usize] = count;
                count += 1;
                rows.extend(y.iter().map(|&b| score(c, b)));
            }
        }
        Profile { row_of, rows, n }
    }

    fn row(&self, c: u8) -> &[i32] {
        let r = self.row_of[c as usize] as usize;
        self.rows.get(r * self.n..(r + 1) * self.n).unwrap_or(&[])
    }
}

/// The dynamic programme restricted to the diagonals `kmin ..= kmax` (k = j − i; cells outside
/// are unreachable). With the full range it is the plain global alignment.
fn band_dp(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    profile: &Profile,
    kmin: isize,
    kmax: isize,
) -> GlobalAlignment {
    let (m, n) = (x.len(), y.len());
    let kmin = kmin.max(-(m as isize));
    let kmax = kmax.min(n as isize);
    let w = (kmax - kmin + 1) as usize;
    let lo = |i: usize| (i as isize + kmin).max(0) as usize;
    let hi = |i: usize| (i as isize + kmax).min(n as isize) as usize;
    let at = |i: usize, j: usize| i * w + (j as isize - i as isize - kmin) as usize;
    let mut tb = vec![0u8; (m + 1) * w];
    // Best score (s) and x-gap state (gx) of the previous row, updated in place; never-written
    // cells (outside the band) stay unreachable.
    let mut s = vec![NEG; n + 1];
    let mut gx = vec![NEG; n + 1];
    s[0] = 0;
    for j in 1..=hi(0) {
        s[j] = open + extend * (j as i32 - 1);
        tb[at(0, j)] = SRC_Y | if j > 1 { EXT_Y } else { 0 };
    }
    for i in 1..=m {
        let (jl, jh) = (lo(i), hi(i));
        let base = i * w;
        let off = i as isize + kmin;
        let mut left = NEG;
        let mut gy = NEG;
        let mut diag = if jl > 0 { s[jl - 1] } else { NEG };
        let mut j0 = jl;
        if jl == 0 {
            let col0 = open + extend * (i as i32 - 1);
            tb[at(i, 0)] = SRC_X | if i > 1 { EXT_X } else { 0 };
            diag = s[0];
            s[0] = col0;
            gx[0] = col0;
            left = col0;
            j0 = 1;
        }
        if j0 > jh {
            continue;
        }
        // Zipped slices: no index checks in the inner loop.
        let prow = &profile.row(x[i - 1])[j0 - 1..jh];
        let t0 = base + (j0 as isize - off) as usize;
        let cells = s[j0..=jh]
            .iter_mut()
            .zip(gx[j0..=jh].iter_mut())
            .zip(prow)
            .zip(tb[t0..=t0 + (jh - j0)].iter_mut());
        for (((sj, gxj), &sub), tj) in cells {
            let up = *sj;
            let (gxv, bx) = {
                let e = *gxj + extend;
                let o = up + open;
                if e > o { (e, EXT_X) } else { (o, 0) }
            };
            let (gyv, by) = {
                let e = gy + extend;
                let o = left + open;
                if e > o { (e, EXT_Y) } else { (o, 0) }
            };
            let mut best = diag + sub;
            let mut src = 0u8;
            if gxv > best {
                best = gxv;
                src = SRC_X;
            }
            if gyv > best {
                best = gyv;
                src = SRC_Y;
            }
            *tj = src | bx | by;
            *gxj = gxv;
            gy = gyv;
            diag = up;
            *sj = best;
            left = best;
        }
    }
    let total = s[n];
    // Walk back through the three states.
    walk_back(x, y, total, |i, j| tb[at(i, j)])
}

/// Substitution scores for the anti-diagonal programme: each byte of `x` and `y` replaced by a
/// code below 32, `y` reversed (so that along an anti-diagonal both are read forwards), and a
/// 32 × 32 table of `score` (a fixed size, so the lookup needs no bounds check).
struct Codes {
    x: Vec<u8>,
    y_rev: Vec<u8>,
    table: Box<[i32; 1024]>,
    /// The same in `i16` (only used when [`fits_i16`] holds, so every entry fits).
    table16: Box<[i16; 1024]>,
    /// The least and greatest substitution score between the codes in use.
    min: i32,
    max: i32,
    /// `(same, different)` when the score only depends on whether the two bytes are equal
    /// (DNA's +1/−1): then no table lookup is needed.
    uniform: Option<(i32, i32)>,
}

impl Codes {
    /// `None` when the pair uses more than 32 distinct bytes.
    fn new(x: &[u8], y: &[u8], score: impl Fn(u8, u8) -> i32) -> Option<Codes> {
        let mut code = [u8::MAX; 256];
        let mut bytes = Vec::new();
        for &c in x.iter().chain(y) {
            if code[c as usize] == u8::MAX {
                if bytes.len() == 32 {
                    return None;
                }
                code[c as usize] = bytes.len() as u8;
                bytes.push(c);
            }
        }
        let mut table = Box::new([0; 1024]);
        let (mut min, mut max) = (0, 0);
        for (a, &ca) in bytes.iter().enumerate() {
            for (b, &cb) in bytes.iter().enumerate() {
                let v = score(ca, cb);
                table[a * 32 + b] = v;
                min = min.min(v);
                max = max.max(v);
            }
        }
        let same = bytes.first().map(|&c| score(c, c));
        let diff = bytes.get(1).map(|&c| score(bytes[0], c));
        let uniform = bytes
            .iter()
            .enumerate()
            .all(|(a, &ca)| {
                bytes.iter().enumerate().all(|(b, &cb)| {
                    Some(score(ca, cb)) == if a == b { same } else { diff.or(same) }
                })
            })
            .then(|| same.map(|s| (s, diff.unwrap_or(s))))
            .flatten();
        // Padded with code 0 so that whole chunks can be read past either end.
        let pad = std::iter::repeat_n(0, CHUNK);
        Some(Codes {
            x: x.iter()
                .map(|&c| code[c as usize])
                .chain(pad.clone())
                .collect(),
            y_rev: y
                .iter()
                .rev()
                .map(|&c| code[c as usize])
                .chain(pad)
                .collect(),
            table16: Box::new(table.map(|v| v as i16)),
            table,
            min,
            max,
            uniform,
        })
    }
}

/// A score lane of the anti-diagonal programme: `i32`, or `i16` when every reachable value of
/// the pair provably fits (twice as many cells per vector).
trait Lane: Copy + PartialOrd + Default {
    /// Unreachable. Reachable values are all above `NEG` + 64 and a few gap penalties added to
    /// `NEG` stay in range, so every comparison comes out as with `i32` and [`NEG`].
    const NEG: Self;
    fn from_i32(v: i32) -> Self;
    fn to_i32(self) -> i32;
    /// Wrapping: only the throw-away padding cells can overflow.
    fn add(self, other: Self) -> Self;
    /// The substitution table of `codes` in this lane type.
    fn table(codes: &Codes) -> &[Self; 1024];
}
impl Lane for i32 {
    const NEG: i32 = NEG;
    fn table(codes: &Codes) -> &[i32; 1024] {
        &codes.table
    }
    fn add(self, other: i32) -> i32 {
        self.wrapping_add(other)
    }
    fn from_i32(v: i32) -> i32 {
        v
    }
    fn to_i32(self) -> i32 {
        self
    }
}
impl Lane for i16 {
    const NEG: i16 = i16::MIN / 2;
    fn table(codes: &Codes) -> &[i16; 1024] {
        &codes.table16
    }
    fn add(self, other: i16) -> i16 {
        self.wrapping_add(other)
    }
    fn from_i32(v: i32) -> i16 {
        v as i16
    }
    fn to_i32(self) -> i32 {
        i32::from(self)
    }
}

/// Do all reachable values of an `m` × `n` programme fit `i16` lanes with room for [`Lane::NEG`]?
/// Every reachable cell is reached by a path of at most `m + n` steps, each changing the score by
/// at most the largest of |substitution|, |open|, |extend| (and one more gap penalty for the
/// gap states); the bound leaves half of the `i16` range spare.
fn fits_i16(m: usize, n: usize, codes: &Codes, open: i32, extend: i32) -> bool {
    let step = i64::from(codes.min.abs().max(codes.max.abs()))
        + i64::from(open.abs())
        + i64::from(extend.abs());
    (m as i64 + n as i64 + 2) * step < 16_000
        && (-200..=0).contains(&open)
        && (-200..=0).contains(&extend)
}

/// Cells computed per step of the anti-diagonal loop: anti-diagonals are padded to a multiple
/// of this (the extra cells compute throw-away values past the band), so the loop is all whole
/// vectors.
const CHUNK: usize = 16;

/// [`band_dp`] evaluated anti-diagonal by anti-diagonal: every cell gets the same values and the
/// same traceback byte (the same comparisons in the same order), but the cells of one
/// anti-diagonal do not depend on each other, so the inner loop has no carried dependency and
/// compiles to vector code. Cell `(i, j)` lives at index `i + 1` of the arrays of
/// anti-diagonal `d = i + j`; unreachable neighbours just outside the band read `NEG`, as the
/// never-written cells of [`band_dp`] do. `UNIFORM`: the scoring is match/mismatch
/// (`codes.uniform`), computed by comparison instead of a table lookup.
///
/// One loop step computes one [`CHUNK`] of cells, substitution scores included, straight from
/// the previous anti-diagonals: the per-anti-diagonal bookkeeping is a few integer operations,
/// which matters because a certified band is only two to six chunks wide.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn band_dp_diag<T: Lane, const UNIFORM: bool>(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    codes: &Codes,
    kmin: isize,
    kmax: isize,
    bufs: &mut DiagBuffers<T>,
) -> GlobalAlignment {
    let (m, n) = (x.len(), y.len());
    let kmin = kmin.max(-(m as isize));
    let kmax = kmax.min(n as isize);
    let lo_of = |d: usize| {
        let from_band = (d as isize - kmax + 1).div_euclid(2).max(0) as usize;
        from_band.max(d.saturating_sub(n))
    };
    let hi_of = |d: usize| {
        let from_band = (d as isize - kmin).div_euclid(2).max(0) as usize;
        from_band.min(m).min(d)
    };
    let DiagBuffers {
        h,
        e,
        f,
        tb,
        tb_start,
    } = bufs;
    // Three anti-diagonals of `h`, two of `e` and `f`, each `width` long (padding included).
    let width = m + 2 + CHUNK;
    for (v, k) in [(&mut *h, 3), (&mut *e, 2), (&mut *f, 2)] {
        v.clear();
        v.resize(k * width, T::NEG);
    }
    let table = T::table(codes);
    let (same, diff) = codes.uniform.unwrap_or((0, 0));
    let (same, diff) = (T::from_i32(same), T::from_i32(diff));
    let (open_t, extend_t) = (T::from_i32(open), T::from_i32(extend));
    // The traceback of every anti-diagonal, one after the other. The band holds at most
    // `band` cells of each row; only grown, never cleared: every cell the walk reads is
    // written first.
    let band = (kmax - kmin + 1) as usize;
    let room = (m + 1) * band + 1 + CHUNK;
    if tb.len() < room {
        tb.resize(room, 0);
    }
    tb_start.clear();
    tb_start.resize(m + n + 1, 0);
    // Anti-diagonal 0: the origin.
    h[1] = T::from_i32(0);
    let mut pos: usize = 1;
    for d in 1..=m + n {
        let (lo, hi) = (lo_of(d), hi_of(d));
        // Index of cell `i` of this anti-diagonal in `tb`: `start + i` (wrapping: `start` may
        // lie "below" zero when `lo` exceeds the cells stored so far).
        let start = pos.wrapping_sub(lo);
        tb_start[d] = start;
        if lo > hi {
            continue;
        }
        pos += hi - lo + 1;
        let (hc, hp, hp2) = three(h, width, d % 3);
        let (ec, ep) = two(e, width, d % 2);
        let (fc, fp) = two(f, width, d % 2);
        // Interior cells a..=b in whole chunks (the padding lands past `hi + 1` in the state
        // arrays, which nothing reads, and past this anti-diagonal's traceback segment, which
        // the next one overwrites). Substitution scores of cell (i, d − i): x forwards from
        // `i − 1`, y backwards (`y_rev` from `n + i − d`).
        let mut i = lo.max(1);
        let b = hi.min(d - 1);
        while i <= b {
            let xs: [u8; CHUNK] = chunk(&codes.x, i - 1, 0);
            let ys: [u8; CHUNK] = chunk(&codes.y_rev, n + i - d, 0);
            let sb: [T; CHUNK] = if UNIFORM {
                std::array::from_fn(|c| if xs[c] == ys[c] { same } else { diff })
            } else {
                std::array::from_fn(|c| {
                    table[((usize::from(xs[c]) << 5) | usize::from(ys[c])) & 1023]
                })
            };
            let uh: [T; CHUNK] = chunk(hp, i, T::NEG);
            let ue: [T; CHUNK] = chunk(ep, i, T::NEG);
            let lh: [T; CHUNK] = chunk(hp, i + 1, T::NEG);
            let lf: [T; CHUNK] = chunk(fp, i + 1, T::NEG);
            let dg: [T; CHUNK] = chunk(hp2, i, T::NEG);
            let mut hv = [T::NEG; CHUNK];
            let mut ev = [T::NEG; CHUNK];
            let mut fv = [T::NEG; CHUNK];
            let mut tv = [0u8; CHUNK];
            for c in 0..CHUNK {
                let ex = ue[c].add(extend_t);
                let ox = uh[c].add(open_t);
                let cx = ex > ox;
                let gx = if cx { ex } else { ox };
                let ey = lf[c].add(extend_t);
                let oy = lh[c].add(open_t);
                let cy = ey > oy;
                let gy = if cy { ey } else { oy };
                let d0 = dg[c].add(sb[c]);
                let take_x = gx > d0;
                let b1 = if take_x { gx } else { d0 };
                let take_y = gy > b1;
                hv[c] = if take_y { gy } else { b1 };
                ev[c] = gx;
                fv[c] = gy;
                let src = u8::from(take_y) * SRC_Y + u8::from(take_x & !take_y) * SRC_X;
                tv[c] = src | (u8::from(cx) * EXT_X) | (u8::from(cy) * EXT_Y);
            }
            hc[i + 1..i + 1 + CHUNK].copy_from_slice(&hv);
            ec[i + 1..i + 1 + CHUNK].copy_from_slice(&ev);
            fc[i + 1..i + 1 + CHUNK].copy_from_slice(&fv);
            let t0 = start.wrapping_add(i);
            tb[t0..t0 + CHUNK].copy_from_slice(&tv);
            i += CHUNK;
        }
        if lo == 0 {
            // Row 0: a gap consuming `y` only.
            let j = d as i32;
            hc[1] = T::from_i32(open + extend * (j - 1));
            ec[1] = T::NEG;
            fc[1] = T::NEG;
            tb[start] = SRC_Y | if j > 1 { EXT_Y } else { 0 };
        }
        if hi == d {
            // Column 0: a gap consuming `x` only.
            let i = d as i32;
            let col0 = T::from_i32(open + extend * (i - 1));
            hc[d + 1] = col0;
            ec[d + 1] = col0;
            fc[d + 1] = T::NEG;
            tb[start.wrapping_add(d)] = SRC_X | if i > 1 { EXT_X } else { 0 };
        }
        // Guards: the cells just outside this anti-diagonal's band are unreachable (written
        // last: the padding above may have run over them).
        for c in [lo, hi + 2] {
            hc[c] = T::NEG;
            ec[c] = T::NEG;
            fc[c] = T::NEG;
        }
    }
    let total = h[(m + n) % 3 * width + m + 1].to_i32();
    // Walk back through the three states, as in `band_dp`.
    walk_back(x, y, total, |i, j| tb[tb_start[i + j].wrapping_add(i)])
}

/// `CHUNK` values of `v` from `at` (the caller keeps `at + CHUNK` within `v`).
#[inline(always)]
fn chunk<T: Copy>(v: &[T], at: usize, fallback: T) -> [T; CHUNK] {
    v[at..at + CHUNK].try_into().unwrap_or([fallback; CHUNK])
}

/// The rows of a buffer of three `width`-long rows for anti-diagonal `d` with `cur = d % 3`:
/// row `cur` (anti-diagonal d, mutable), then the rows of d − 1 and d − 2.
fn three<T>(v: &mut [T], width: usize, cur: usize) -> (&mut [T], &[T], &[T]) {
    let (r0, rest) = v.split_at_mut(width);
    let (r1, r2) = rest.split_at_mut(width);
    match cur {
        0 => (r0, r2, r1),
        1 => (r1, r0, r2),
        _ => (r2, r1, r0),
    }
}

/// Slot `cur` (0 or 1) of a buffer of two `width`-long rows, mutable, and the other one.
fn two<T>(v: &mut [T], width: usize, cur: usize) -> (&mut [T], &[T]) {
    let (r0, r1) = v.split_at_mut(width);
    if cur == 0 { (r0, r1) } else { (r1, r0) }
}

/// Reused scratch space of [`band_dp_diag`] (three anti-diagonals of `h`, two of the gap states,
/// the traceback and where each anti-diagonal's starts).
#[derive(Default)]
struct DiagBuffers<T> {
    h: Vec<T>,
    e: Vec<T>,
    f: Vec<T>,
    tb: Vec<u8>,
    tb_start: Vec<usize>,
}

/// The global alignment of [`global`], computed in a diagonal band that is *proved* to hold every
/// optimal alignment, widening it when the proof fails — so the result is exactly the full
/// matrix's (same score, same alignment, same tie-breaking).
///
/// The proof: with `self_x[i] = score(x_i, x_i)`, `self_y[j]` likewise, and every substitution
/// scoring at most the mean of the two self-scores, the "cost" Σself_x + Σself_y − 2·score of
/// an alignment is a sum of non-negative column costs, and each gap column costs at least
/// `gap_unit = min self + 2·|extend|`. A path that leaves the band of diagonals
/// `min(0, δ) − w ..= max(0, δ) + w` (δ = len y − len x) has at least |δ| + 2w + 2 gap columns
/// in at least two gap runs (out and back), each run paying `2·(extend − open)` more. If the best in-band cost is below that
/// bound, no optimal path leaves the band; every traceback decision then sees the same
/// tied candidates as in the full matrix (a candidate that ties lies on an optimal path, hence
/// in the band, where banded and full values agree), so it makes the same choice.
fn global_certified(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    score: impl Fn(u8, u8) -> i32,
    self_total: i64,
    gap_unit: i64,
) -> GlobalAlignment {
    let Some(codes) = Codes::new(x, y, &score) else {
        // More than 32 distinct bytes: the row-by-row programme (no code table).
        let profile = Profile::new(x, y, score);
        return certify(x, y, open, extend, self_total, gap_unit, |kmin, kmax| {
            band_dp(x, y, open, extend, &profile, kmin, kmax)
        });
    };
    let avx2 = has_avx2();
    if fits_i16(x.len(), y.len(), &codes, open, extend) {
        let mut bufs = DiagBuffers::<i16>::default();
        let mut fresh = LaneBuffers::default();
        LANE_BUFFERS.with(|shared| {
            let mut shared = shared.try_borrow_mut();
            let lane_bufs = shared.as_deref_mut().unwrap_or(&mut fresh);
            certify(x, y, open, extend, self_total, gap_unit, |kmin, kmax| {
                let chunks = ((kmax - kmin + 1) as usize).div_ceil(2 * CHUNK);
                lanes_dispatch(avx2, chunks, x, y, open, extend, &codes, kmax, lane_bufs)
                    .unwrap_or_else(|| {
                        diag_dispatch(avx2, x, y, open, extend, &codes, kmin, kmax, &mut bufs)
                    })
            })
        })
    } else {
        let mut bufs = DiagBuffers::<i32>::default();
        certify(x, y, open, extend, self_total, gap_unit, |kmin, kmax| {
            diag_dispatch(avx2, x, y, open, extend, &codes, kmin, kmax, &mut bufs)
        })
    }
}

/// Does this CPU have AVX2 (checked at run time)?
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// [`band_dp_diag`] compiled for AVX2 when `avx2` (which the caller has detected), else for the
/// baseline instruction set. Same code, same results; AVX2 fits twice the cells per vector.
#[allow(clippy::too_many_arguments)]
fn diag_dispatch<T: Lane>(
    avx2: bool,
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    codes: &Codes,
    kmin: isize,
    kmax: isize,
    bufs: &mut DiagBuffers<T>,
) -> GlobalAlignment {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the only requirement of a `target_feature` function is that the CPU has the
        // feature, and `avx2` is true only when `is_x86_feature_detected!("avx2")` said so.
        #[allow(unsafe_code)]
        return unsafe { band_dp_diag_avx2(x, y, open, extend, codes, kmin, kmax, bufs) };
    }
    let _ = avx2;
    if codes.uniform.is_some() {
        band_dp_diag::<T, true>(x, y, open, extend, codes, kmin, kmax, bufs)
    } else {
        band_dp_diag::<T, false>(x, y, open, extend, codes, kmin, kmax, bufs)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn band_dp_diag_avx2<T: Lane>(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    codes: &Codes,
    kmin: isize,
    kmax: isize,
    bufs: &mut DiagBuffers<T>,
) -> GlobalAlignment {
    if codes.uniform.is_some() {
        band_dp_diag::<T, true>(x, y, open, extend, codes, kmin, kmax, bufs)
    } else {
        band_dp_diag::<T, false>(x, y, open, extend, codes, kmin, kmax, bufs)
    }
}

/// The most chunks per anti-diagonal that [`band_dp_lanes`] keeps in registers (a band of up
/// to `2 · CHUNK · LANE_CHUNKS` diagonals); wider bands take [`band_dp_diag`].
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const LANE_CHUNKS: usize = 4;

/// Reused scratch space of [`band_dp_lanes`]: the padded codes and the traceback.
#[derive(Default)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct LaneBuffers {
    x: Vec<u8>,
    y_rev: Vec<u8>,
    tb: Vec<u8>,
}

thread_local! {
    /// One [`LaneBuffers`] per thread, so that scoring many pairs allocates once.
    static LANE_BUFFERS: std::cell::RefCell<LaneBuffers> =
        std::cell::RefCell::new(LaneBuffers::default());
}

/// The banded programme of [`band_dp`] for the `2 · CHUNK · C` diagonals `kmax − 2·CHUNK·C + 1
/// ..= kmax`, in `i16` lanes (AVX2), with the anti-diagonals held in registers.
///
/// Lane `q` of anti-diagonal `d` is cell `i = base(d) + q`, `base(d) = ⌊(d − kmax + 1) / 2⌋`:
/// lanes sit at fixed places across the band, so the previous anti-diagonals are read in
/// place (the diagonal neighbour `(i − 1, j − 1)` is the same lane two anti-diagonals back) or
/// moved by one lane (`(i − 1, j)` and `(i, j − 1)`, as `base` steps), and nothing goes
/// through memory but the traceback bytes. Neighbours outside the lanes, and cells left of or
/// above the matrix, are unreachable (`NEG`), which also yields the matrix's first row and
/// column. Every in-band cell gets the same values and traceback byte as in [`band_dp`].
/// The caller's band holds both ends: `kmax − 2·CHUNK·C + 1 ≤ min(0, δ)`, `kmax ≥ max(0, δ)`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
#[inline]
fn band_dp_lanes<const C: usize, const UNIFORM: bool>(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    codes: &Codes,
    kmax: isize,
    bufs: &mut LaneBuffers,
) -> GlobalAlignment {
    use std::arch::x86_64::*;
    let (m, n) = (x.len(), y.len());
    let lanes = C * CHUNK;
    let base = |d: usize| (d as isize - kmax + 1).div_euclid(2);
    let (b0, bend) = (base(0), base(m + n));
    // Codes padded so that every lane's `x[i − 1]` and `y[j − 1]` can be read (lanes outside
    // the matrix read code 0 and compute throw-away values).
    let px = (1 - b0).max(0) as usize;
    let py = (m as isize - bend).max(0) as usize;
    let LaneBuffers {
        x: xp,
        y_rev: yp,
        tb,
    } = bufs;
    xp.clear();
    xp.resize(px, 0);
    xp.extend_from_slice(&codes.x[..m]);
    xp.resize(px + m + lanes + 2, 0);
    yp.clear();
    yp.resize(py, 0);
    yp.extend_from_slice(&codes.y_rev[..n]);
    yp.resize(py + n + lanes + 2, 0);
    // One row of `lanes` traceback bytes per anti-diagonal; only grown: every byte the walk
    // reads is written first.
    let room = (m + n + 1) * lanes;
    if tb.len() < room {
        tb.resize(room, 0);
    }
    let (same, diff) = codes.uniform.unwrap_or((0, 0));
    let k = Consts {
        open: _mm256_set1_epi16(open as i16),
        extend: _mm256_set1_epi16(extend as i16),
        same: _mm256_set1_epi16(same as i16),
        diff: _mm256_set1_epi16(diff as i16),
        neg: _mm256_set1_epi16(i16::NEG),
        table: &codes.table16,
    };
    // Lane numbers of each chunk.
    let lane_no: [__m256i; C] = std::array::from_fn(|c| {
        let b = (c * CHUNK) as i16;
        _mm256_setr_epi16(
            b,
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8,
            b + 9,
            b + 10,
            b + 11,
            b + 12,
            b + 13,
            b + 14,
            b + 15,
        )
    });
    // Anti-diagonal 0: the origin, at lane −base(0).
    let q0 = _mm256_set1_epi16((-b0) as i16);
    let mut h1: [__m256i; C] = std::array::from_fn(|c| {
        _mm256_blendv_epi8(
            k.neg,
            _mm256_setzero_si256(),
            _mm256_cmpeq_epi16(lane_no[c], q0),
        )
    });
    let mut h2 = [k.neg; C];
    let mut e1 = [k.neg; C];
    let mut f1 = [k.neg; C];
    for d in 1..=m + n {
        let bd = base(d);
        let xs = &xp[(bd - 1 + px as isize) as usize..];
        let ys = &yp[(n as isize - d as isize + bd + py as isize) as usize..];
        let row = &mut tb[d * lanes..(d + 1) * lanes];
        let (mut h, mut e, mut f) = if bd != base(d - 1) {
            lanes_step::<C, UNIFORM, true>(&h1, &h2, &e1, &f1, xs, ys, &k, row)
        } else {
            lanes_step::<C, UNIFORM, false>(&h1, &h2, &e1, &f1, xs, ys, &k, row)
        };
        if bd < 0 || d as isize - bd < lanes as isize - 1 {
            // Lanes left of (j < 0) or above (i < 0) the matrix are unreachable.
            let lo = _mm256_set1_epi16((-bd).clamp(-1, lanes as isize) as i16);
            let hi = _mm256_set1_epi16((d as isize - bd).min(lanes as isize) as i16);
            for c in 0..C {
                let out = _mm256_or_si256(
                    _mm256_cmpgt_epi16(lo, lane_no[c]),
                    _mm256_cmpgt_epi16(lane_no[c], hi),
                );
                h[c] = _mm256_blendv_epi8(h[c], k.neg, out);
                e[c] = _mm256_blendv_epi8(e[c], k.neg, out);
                f[c] = _mm256_blendv_epi8(f[c], k.neg, out);
            }
        }
        h2 = h1;
        (h1, e1, f1) = (h, e, f);
    }
    let q = (m as isize - bend) as usize;
    let mut last = [0i16; CHUNK];
    store_i16(&mut last, h1.get(q / CHUNK).copied().unwrap_or(k.neg));
    let total = i32::from(last[q % CHUNK]);
    walk_back(x, y, total, |i, j| {
        let d = i + j;
        tb[d * lanes + (i as isize - base(d)) as usize]
    })
}

/// The constants of [`lanes_step`].
#[cfg(target_arch = "x86_64")]
struct Consts<'a> {
    open: std::arch::x86_64::__m256i,
    extend: std::arch::x86_64::__m256i,
    same: std::arch::x86_64::__m256i,
    diff: std::arch::x86_64::__m256i,
    neg: std::arch::x86_64::__m256i,
    table: &'a [i16; 1024],
}

/// 16 bytes from `v[at..]` (`None` past the end).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn load_u8(v: &[u8], at: usize) -> Option<std::arch::x86_64::__m128i> {
    let a: &[u8; CHUNK] = v.get(at..at + CHUNK)?.try_into().ok()?;
    // SAFETY: `a` is 16 readable bytes; `loadu` has no alignment requirement.
    #[allow(unsafe_code)]
    Some(unsafe { std::arch::x86_64::_mm_loadu_si128(a.as_ptr().cast()) })
}

/// Store 16 `i16` lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn store_i16(out: &mut [i16; CHUNK], v: std::arch::x86_64::__m256i) {
    // SAFETY: `out` is 32 writable bytes; `storeu` has no alignment requirement.
    #[allow(unsafe_code)]
    unsafe {
        std::arch::x86_64::_mm256_storeu_si256(out.as_mut_ptr().cast(), v)
    }
}

/// Store 16 bytes at `out[at..]` (nothing past the end).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn store_u8(out: &mut [u8], at: usize, v: std::arch::x86_64::__m128i) {
    if let Some(o) = out.get_mut(at..at + CHUNK) {
        // SAFETY: `o` is 16 writable bytes; `storeu` has no alignment requirement.
        #[allow(unsafe_code)]
        unsafe {
            std::arch::x86_64::_mm_storeu_si128(o.as_mut_ptr().cast(), v)
        }
    }
}

/// One anti-diagonal of [`band_dp_lanes`] from the two before it. `STEP`: `base` went up by one
/// from the previous anti-diagonal, so `(i − 1, j)` is the same lane there and `(i, j − 1)` the
/// next one; else `(i − 1, j)` is the lane before and `(i, j − 1)` the same lane. Returns the
/// new `h`, `e` (gap consuming `x`) and `f` (gap consuming `y`); writes the traceback bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
#[inline]
fn lanes_step<const C: usize, const UNIFORM: bool, const STEP: bool>(
    h1: &[std::arch::x86_64::__m256i; C],
    h2: &[std::arch::x86_64::__m256i; C],
    e1: &[std::arch::x86_64::__m256i; C],
    f1: &[std::arch::x86_64::__m256i; C],
    xs: &[u8],
    ys: &[u8],
    k: &Consts<'_>,
    tb: &mut [u8],
) -> (
    [std::arch::x86_64::__m256i; C],
    [std::arch::x86_64::__m256i; C],
    [std::arch::x86_64::__m256i; C],
) {
    use std::arch::x86_64::*;
    // Lane q reading lane q − 1 (`up`) or q + 1 (`down`) of `v`, `NEG` past either end.
    let up = |v: &[__m256i; C], c: usize| {
        let prev = if c > 0 { v[c - 1] } else { k.neg };
        _mm256_alignr_epi8::<14>(v[c], _mm256_permute2x128_si256::<0x21>(prev, v[c]))
    };
    let down = |v: &[__m256i; C], c: usize| {
        let next = if c + 1 < C { v[c + 1] } else { k.neg };
        _mm256_alignr_epi8::<2>(_mm256_permute2x128_si256::<0x21>(v[c], next), v[c])
    };
    let mut hn = [k.neg; C];
    let mut en = [k.neg; C];
    let mut fn_ = [k.neg; C];
    let zero = _mm_setzero_si128();
    for c in 0..C {
        let (uh, ue, lh, lf) = if STEP {
            (h1[c], e1[c], down(h1, c), down(f1, c))
        } else {
            (up(h1, c), up(e1, c), h1[c], f1[c])
        };
        let xc = load_u8(xs, c * CHUNK).unwrap_or(zero);
        let yc = load_u8(ys, c * CHUNK).unwrap_or(zero);
        let sb = if UNIFORM {
            let eq = _mm256_cvtepi8_epi16(_mm_cmpeq_epi8(xc, yc));
            _mm256_blendv_epi8(k.diff, k.same, eq)
        } else {
            let idx = _mm256_or_si256(
                _mm256_slli_epi16::<5>(_mm256_cvtepu8_epi16(xc)),
                _mm256_cvtepu8_epi16(yc),
            );
            let mut ix = [0i16; CHUNK];
            store_i16(&mut ix, idx);
            let t = k.table;
            let g = |l: usize| t[(ix[l] as usize) & 1023];
            _mm256_setr_epi16(
                g(0),
                g(1),
                g(2),
                g(3),
                g(4),
                g(5),
                g(6),
                g(7),
                g(8),
                g(9),
                g(10),
                g(11),
                g(12),
                g(13),
                g(14),
                g(15),
            )
        };
        let ex = _mm256_add_epi16(ue, k.extend);
        let ox = _mm256_add_epi16(uh, k.open);
        let cx = _mm256_cmpgt_epi16(ex, ox);
        let gx = _mm256_max_epi16(ex, ox);
        let ey = _mm256_add_epi16(lf, k.extend);
        let oy = _mm256_add_epi16(lh, k.open);
        let cy = _mm256_cmpgt_epi16(ey, oy);
        let gy = _mm256_max_epi16(ey, oy);
        let d0 = _mm256_add_epi16(h2[c], sb);
        let take_x = _mm256_cmpgt_epi16(gx, d0);
        let b1 = _mm256_max_epi16(gx, d0);
        let take_y = _mm256_cmpgt_epi16(gy, b1);
        hn[c] = _mm256_max_epi16(gy, b1);
        en[c] = gx;
        fn_[c] = gy;
        // Traceback byte: SRC_Y, else SRC_X, plus the two extension bits.
        let bits = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_and_si256(take_y, _mm256_set1_epi16(i16::from(SRC_Y))),
                _mm256_andnot_si256(
                    take_y,
                    _mm256_and_si256(take_x, _mm256_set1_epi16(i16::from(SRC_X))),
                ),
            ),
            _mm256_or_si256(
                _mm256_and_si256(cx, _mm256_set1_epi16(i16::from(EXT_X))),
                _mm256_and_si256(cy, _mm256_set1_epi16(i16::from(EXT_Y))),
            ),
        );
        let bytes = _mm_packus_epi16(
            _mm256_castsi256_si128(bits),
            _mm256_extracti128_si256::<1>(bits),
        );
        store_u8(tb, c * CHUNK, bytes);
    }
    (hn, en, fn_)
}

/// [`band_dp_lanes`] with `chunks` chunks (1 ..= [`LANE_CHUNKS`]) for the codes' scoring kind;
/// `None` for more chunks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn lanes_avx2(
    chunks: usize,
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    codes: &Codes,
    kmax: isize,
    bufs: &mut LaneBuffers,
) -> Option<GlobalAlignment> {
    let u = codes.uniform.is_some();
    Some(match (chunks, u) {
        (1, true) => band_dp_lanes::<1, true>(x, y, open, extend, codes, kmax, bufs),
        (2, true) => band_dp_lanes::<2, true>(x, y, open, extend, codes, kmax, bufs),
        (3, true) => band_dp_lanes::<3, true>(x, y, open, extend, codes, kmax, bufs),
        (4, true) => band_dp_lanes::<4, true>(x, y, open, extend, codes, kmax, bufs),
        (1, false) => band_dp_lanes::<1, false>(x, y, open, extend, codes, kmax, bufs),
        (2, false) => band_dp_lanes::<2, false>(x, y, open, extend, codes, kmax, bufs),
        (3, false) => band_dp_lanes::<3, false>(x, y, open, extend, codes, kmax, bufs),
        (4, false) => band_dp_lanes::<4, false>(x, y, open, extend, codes, kmax, bufs),
        _ => return None,
    })
}

/// [`band_dp_lanes`] when the CPU has AVX2 (`avx2`, detected by the caller), the band fits
/// [`LANE_CHUNKS`] and `open ≤ extend`; else `None`.
#[allow(clippy::too_many_arguments)]
fn lanes_dispatch(
    avx2: bool,
    chunks: usize,
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    codes: &Codes,
    kmax: isize,
    bufs: &mut LaneBuffers,
) -> Option<GlobalAlignment> {
    // The lanes derive the first row and column from the recurrence, which gives one gap run
    // (rust-bio's boundary) only when opening costs at least as much as extending.
    #[cfg(target_arch = "x86_64")]
    if avx2 && chunks <= LANE_CHUNKS && open <= extend {
        // SAFETY: as in `diag_dispatch`: `avx2` is true only when the CPU has AVX2.
        #[allow(unsafe_code)]
        return unsafe { lanes_avx2(chunks, x, y, open, extend, codes, kmax, bufs) };
    }
    let _ = (avx2, chunks, x, y, open, extend, codes, kmax, bufs);
    None
}

/// The band-widening loop of [`global_certified`], over a banded programme `dp(kmin, kmax)`.
fn certify(
    x: &[u8],
    y: &[u8],
    open: i32,
    extend: i32,
    self_total: i64,
    gap_unit: i64,
    mut dp: impl FnMut(isize, isize) -> GlobalAlignment,
) -> GlobalAlignment {
    let (m, n) = (x.len() as isize, y.len() as isize);
    if extend > 0 || open > extend {
        // The cost argument needs every gap column to cost at least |extend|.
        return dp(-m, n);
    }
    let delta = n - m;
    // Leaving the band also takes two gap runs (one out, one back), each paying the opening
    // premium once.
    let opens = 4 * i64::from(extend - open);
    // Widths that fill whole chunks: a band of |δ| + 2w + 1 diagonals has at most
    // `CHUNK` cells on an anti-diagonal per `2 · CHUNK` diagonals, and the programmes' cost
    // goes by chunks, so each pass takes the widest band of its chunk count.
    let ad = delta.unsigned_abs() as isize;
    let w_for = |c: isize| (2 * CHUNK as isize * c - 1 - ad) / 2;
    let mut c: isize = 1;
    while w_for(c) < 8 {
        c += 1;
    }
    let mut w = w_for(c);
    loop {
        let kmin = delta.min(0) - w;
        let kmax = delta.max(0) + w;
        let a = dp(kmin, kmax);
        if kmin <= -m && kmax >= n {
            return a; // the band is the whole matrix
        }
        let cost = self_total - 2 * i64::from(a.score);
        let bound = gap_unit * (delta.unsigned_abs() as i64 + 2 * w as i64 + 2) + opens;
        if cost < bound {
            return a;
        }
        // The cost of the widened band is at most this one's, so this width certifies.
        let need = ((cost - opens) / gap_unit - delta.unsigned_abs() as i64 - 2) / 2 + 1;
        while (w_for(c) as i64) < need {
            c += 1;
        }
        w = w_for(c);
    }
}

/// rust-bio's BLOSUM62 indexed by byte (bytes it does not know score as `X`).
static BLOSUM62_INDEX: LazyLock<[u8; 256]> = LazyLock::new(|| {
    let mut idx = [25u8; 256];
    for c in b'A'..=b'Z' {
        idx[c as usize] = match c {
            b'Y' => 23,
            b'Z' => 24,
            b'X' => 25,
            _ => c - b'A',
        };
    }
    idx[b'*' as usize] = 26;
    idx
});
static BLOSUM62_TABLE: LazyLock<[[i32; 27]; 27]> = LazyLock::new(|| {
    let mut letters = [b'X'; 27];
    for c in b'A'..=b'Z' {
        letters[BLOSUM62_INDEX[c as usize] as usize] = c;
    }
    letters[26] = b'*';
    let mut t = [[0i32; 27]; 27];
    for (a, row) in t.iter_mut().enumerate() {
        for (b, v) in row.iter_mut().enumerate() {
            *v = blosum62(letters[a], letters[b]);
        }
    }
    t
});

/// Protein pair: global alignment with BLOSUM62.
pub fn protein(pred: &[u8], key: &[u8]) -> PairScores {
    if pred.is_empty() || key.is_empty() {
        return PairScores {
            identity: 0.0,
            score: 0.0,
            edit_distance: pred.len().max(key.len()) as u64,
        };
    }
    let a = protein_alignment(pred, key);
    PairScores {
        identity: a.identity(),
        score: f64::from(a.score) * 2.0 / (pred.len() + key.len()) as f64,
        edit_distance: u64::from(levenshtein(pred, key)),
    }
}

/// The 20 standard residues' BLOSUM62 indices, if every substitution among them scores at most
/// the mean of the two self-scores (it does; checked rather than assumed), else none: the
/// condition [`global_certified`] needs.
static BLOSUM62_BANDABLE: LazyLock<[bool; 27]> = LazyLock::new(|| {
    let t = &*BLOSUM62_TABLE;
    let std: Vec<usize> = PROTEIN_ALPHABET
        .iter()
        .map(|&c| BLOSUM62_INDEX[c as usize] as usize)
        .collect();
    let ok = std
        .iter()
        .all(|&a| std.iter().all(|&b| 2 * t[a][b] <= t[a][a] + t[b][b]));
    let mut out = [false; 27];
    if ok {
        for a in std {
            out[a] = true;
        }
    }
    out
});

/// The optimal BLOSUM62 global alignment (open −10, extend −1) of a protein pair.
pub fn protein_alignment(pred: &[u8], key: &[u8]) -> GlobalAlignment {
    let idx = &*BLOSUM62_INDEX;
    let table = &*BLOSUM62_TABLE;
    let score = |a: u8, b: u8| table[idx[a as usize] as usize][idx[b as usize] as usize];
    let bandable = &*BLOSUM62_BANDABLE;
    if !pred
        .iter()
        .chain(key)
        .all(|&c| bandable[idx[c as usize] as usize])
    {
        return global(pred, key, -10, -1, score);
    }
    let selfs = pred.iter().chain(key).map(|&c| i64::from(score(c, c)));
    let self_total: i64 = selfs.clone().sum();
    let min_self = selfs.min().unwrap_or(0);
    global_certified(pred, key, -10, -1, score, self_total, min_self + 2)
}

fn dna_score(a: u8, b: u8) -> i32 {
    if a == b { 1 } else { -1 }
}

/// The optimal global alignment (+1/−1, gap −2 then −1 per extra base) of a DNA pair.
pub fn gene_alignment(pred: &[u8], key: &[u8]) -> GlobalAlignment {
    // Self-score 1 for every base and no substitution above 1: the band proof applies.
    let self_total = (pred.len() + key.len()) as i64;
    global_certified(pred, key, -2, -1, dna_score, self_total, 1 + 2)
}

/// DNA pair: global alignment +1/−1, gap −2 then −1 per extra base (Biopython convention).
pub fn gene(pred: &[u8], key: &[u8]) -> PairScores {
    if pred.is_empty() || key.is_empty() {
        return PairScores {
            identity: 0.0,
            score: 0.0,
            edit_distance: pred.len().max(key.len()) as u64,
        };
    }
    let a = gene_alignment(pred, key);
    PairScores {
        identity: a.identity(),
        score: f64::from(a.score) / a.columns.max(1) as f64,
        edit_distance: u64::from(levenshtein(pred, key)),
    }
}

/// The BLOSUM45 matrix (Biopython's data file, embedded).
static BLOSUM45: LazyLock<[[i8; 256]; 256]> = LazyLock::new(|| {
    let text = include_str!("../data/BLOSUM45.txt");
    let mut m = [[0i8; 256]; 256];
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<u8> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|t| t.bytes().next())
        .collect();
    for line in lines {
        let mut parts = line.split_whitespace();
        let Some(row) = parts.next().and_then(|t| t.bytes().next()) else {
            continue;
        };
        for (col, v) in header.iter().zip(parts) {
            m[row as usize][*col as usize] = v.parse().unwrap_or(0);
        }
    }
    m
});

/// BLOSUM45 score of two residues.
pub fn blosum45(a: u8, b: u8) -> i32 {
    i32::from(BLOSUM45[a as usize][b as usize])
}

/// The reference's protein metrics for one valid pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompatProtein {
    pub identity: f64,
    pub blosum: f64,
    pub align: f64,
}

/// Reference validity: non-empty and only the 20 upper-case standard residues.
pub fn compat_protein_valid(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| PROTEIN_ALPHABET.contains(&b))
}

/// Longest common subsequence length (what `pairwise2.align.localxx(score_only=True)` returns).
pub fn lcs(a: &[u8], b: &[u8]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The reference's ungapped identity, ungapped BLOSUM45 and LCS, each × 2 / (len a + len b).
pub fn compat_protein(pred: &[u8], key: &[u8]) -> CompatProtein {
    let denom = (pred.len() + key.len()).max(1) as f64;
    let same = pred.iter().zip(key).filter(|(a, b)| a == b).count();
    let blosum: i32 = pred.iter().zip(key).map(|(a, b)| blosum45(*a, *b)).sum();
    CompatProtein {
        identity: same as f64 * 2.0 / denom,
        blosum: f64::from(blosum) * 2.0 / denom,
        align: lcs(pred, key) as f64 * 2.0 / denom,
    }
}

/// The reference's gene metrics for one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompatGene {
    pub identity: f64,
    pub coverage: f64,
    pub levenshtein: f64,
    pub similarity: f64,
}

/// The reference's gene metrics: upper-case and trim both, global alignment 1/−1/−2/−1,
/// identity and similarity over the aligned length, coverage (always 1 for non-empty input),
/// Levenshtein / max length. Ties between optimal alignments are broken by rust-bio, not
/// Biopython, so identity can differ from the reference on tied pairs.
pub fn compat_gene(pred: &str, key: &str) -> CompatGene {
    let p = pred.trim().to_uppercase();
    let k = key.trim().to_uppercase();
    if p.is_empty() || k.is_empty() {
        return CompatGene {
            identity: 0.0,
            coverage: 0.0,
            levenshtein: 1.0,
            similarity: 0.0,
        };
    }
    let aln = gene_alignment(p.as_bytes(), k.as_bytes());
    let cols = aln.columns.max(1) as f64;
    CompatGene {
        identity: aln.identity(),
        coverage: 1.0,
        levenshtein: f64::from(levenshtein(p.as_bytes(), k.as_bytes()))
            / p.len().max(k.len()) as f64,
        similarity: f64::from(aln.score) / cols,
    }
}

/// Walk an optimal alignment back from the end through the three states (best, gap in y, gap in
/// x), reading each cell's traceback byte through `cell(i, j)`; counts columns and matches.
fn walk_back(x: &[u8], y: &[u8], total: i32, cell: impl Fn(usize, usize) -> u8) -> GlobalAlignment {
    let (mut i, mut j) = (x.len(), y.len());
    let (mut columns, mut matches) = (0usize, 0usize);
    let mut state = 0u8; // 0 best, 1 x-gap, 2 y-gap
    while i > 0 || j > 0 {
        let c = cell(i, j);
        match state {
            0 => match c & 3 {
                SRC_X => state = 1,
                SRC_Y => state = 2,
                _ => {
                    columns += 1;
                    matches += usize::from(x[i - 1] == y[j - 1]);
                    i -= 1;
                    j -= 1;
                }
            },
            1 => {
                columns += 1;
                i -= 1;
                if c & EXT_X == 0 {
                    state = 0;
                }
            }
            _ => {
                columns += 1;
                j -= 1;
                if c & EXT_Y == 0 {
                    state = 0;
                }
            }
        }
    }
    GlobalAlignment {
        score: total,
        columns,
        matches,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use bio::alignment::pairwise::Aligner;
    use bio::alignment::{Alignment, AlignmentOperation};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn identity_of(aln: &Alignment) -> f64 {
        let cols = aln.operations.len();
        if cols == 0 {
            return 0.0;
        }
        let same = aln
            .operations
            .iter()
            .filter(|o| matches!(o, AlignmentOperation::Match))
            .count();
        same as f64 / cols as f64
    }

    fn mutate(rng: &mut ChaCha8Rng, key: &[u8], alphabet: &[u8], sub: f64, indel: f64) -> Vec<u8> {
        let mut out = Vec::with_capacity(key.len() + 8);
        for &c in key {
            let r: f64 = rng.random();
            if r < indel / 2.0 {
                continue; // deletion
            }
            if r < indel {
                out.push(alphabet[rng.random_range(0..alphabet.len())]);
            }
            if rng.random::<f64>() < sub {
                out.push(alphabet[rng.random_range(0..alphabet.len())]);
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The fast aligner reports exactly what rust-bio's `Aligner::global` reports (score, columns,
    /// identical columns — the same one of several optimal alignments), and the SIMD edit distance
    /// equals the scalar one, on thousands of seeded pairs: similar, dissimilar, different
    /// lengths, tiny, repetitive (many ties).
    #[test]
    fn fast_global_matches_rust_bio_exactly() {
        let mut rng = ChaCha8Rng::seed_from_u64(20260601);
        for case in 0..3000 {
            let protein = case % 2 == 0;
            let alphabet: &[u8] = if case % 7 == 3 {
                b"AC" // repetitive: many tied optimal alignments
            } else if protein {
                PROTEIN_ALPHABET
            } else {
                b"ACGT"
            };
            let len = match case % 5 {
                0 => rng.random_range(1..6),
                1 => rng.random_range(6..40),
                _ => rng.random_range(40..160),
            };
            let key: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let (sub, indel) = match case % 3 {
                0 => (0.05, 0.01),
                1 => (0.3, 0.1),
                _ => (0.9, 0.3),
            };
            let mut pred = mutate(&mut rng, &key, alphabet, sub, indel);
            if pred.is_empty() {
                pred.push(alphabet[0]);
            }
            let (fast, slow) = if protein {
                let mut al = Aligner::with_capacity(pred.len(), key.len(), -10, -1, &blosum62);
                (protein_alignment(&pred, &key), al.global(&pred, &key))
            } else {
                let mut al = Aligner::with_capacity(pred.len(), key.len(), -2, -1, &dna_score);
                (gene_alignment(&pred, &key), al.global(&pred, &key))
            };
            assert_eq!(fast.score, slow.score, "case {case}");
            assert_eq!(fast.columns, slow.operations.len(), "case {case}");
            assert_eq!(fast.identity(), identity_of(&slow), "case {case}");
            assert_eq!(
                levenshtein(&pred, &key),
                bio::alignment::distance::levenshtein(&pred, &key),
                "case {case}"
            );
        }
    }

    /// The anti-diagonal programme (both lane widths) equals the row-by-row one — score, columns
    /// and identical columns of the reported alignment — on random pairs, scores, gap penalties
    /// and bands (every band holding both end diagonals, as the certified driver uses).
    #[test]
    fn anti_diagonal_programme_equals_row_programme() {
        let mut rng = ChaCha8Rng::seed_from_u64(20261128);
        let mut b16 = DiagBuffers::<i16>::default();
        let mut b32 = DiagBuffers::<i32>::default();
        let mut lb = LaneBuffers::default();
        let mut lanes_checked = 0;
        for case in 0..4000 {
            let alphabet: &[u8] = match case % 4 {
                0 => b"AC",
                1 => b"ACGT",
                _ => PROTEIN_ALPHABET,
            };
            let m = rng.random_range(0..if case % 5 == 0 { 8 } else { 90 });
            let n = rng.random_range(0..if case % 7 == 0 { 8 } else { 90 });
            let x: Vec<u8> = (0..m)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let mut y = mutate(&mut rng, &x, alphabet, 0.2, 0.1);
            y.truncate(n.max(1).min(y.len()));
            if case % 3 == 0 {
                y = (0..n)
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                    .collect();
            }
            let open = -rng.random_range(0..12);
            let extend = -rng.random_range(0..4);
            let table: Vec<i32> = (0..32 * 32).map(|_| rng.random_range(-6..8)).collect();
            let score = |a: u8, b: u8| -> i32 {
                match case % 3 {
                    0 => blosum62(a, b),
                    1 => dna_score(a, b),
                    _ => table[(a as usize % 32) * 32 + b as usize % 32],
                }
            };
            let (mi, ni) = (x.len() as isize, y.len() as isize);
            let delta = ni - mi;
            let w = rng.random_range(0..40i64) as isize;
            let (kmin, kmax) = (
                delta.min(0) - w,
                delta.max(0) + rng.random_range(0..40i64) as isize,
            );
            let profile = Profile::new(&x, &y, score);
            let want = band_dp(&x, &y, open, extend, &profile, kmin, kmax);
            let codes = Codes::new(&x, &y, score).unwrap();
            // Baseline and (where the CPU has it) AVX2 code.
            for avx2 in [false, has_avx2()] {
                let got32 = diag_dispatch(avx2, &x, &y, open, extend, &codes, kmin, kmax, &mut b32);
                assert_eq!(got32, want, "i32 case {case} avx2 {avx2}");
                if fits_i16(x.len(), y.len(), &codes, open, extend) {
                    let got16 =
                        diag_dispatch(avx2, &x, &y, open, extend, &codes, kmin, kmax, &mut b16);
                    assert_eq!(got16, want, "i16 case {case} avx2 {avx2}");
                }
            }
            // The register programme covers whole chunks: `2 · CHUNK · chunks` diagonals
            // ending at `kmax`; the row programme on that band must agree.
            let chunks = ((kmax - kmin + 1) as usize).div_ceil(2 * CHUNK);
            if has_avx2() && fits_i16(x.len(), y.len(), &codes, open, extend) {
                let got = lanes_dispatch(true, chunks, &x, &y, open, extend, &codes, kmax, &mut lb);
                if chunks <= LANE_CHUNKS && open <= extend {
                    let lanes_kmin = kmax - (2 * CHUNK * chunks) as isize + 1;
                    let want = band_dp(&x, &y, open, extend, &profile, lanes_kmin, kmax);
                    assert_eq!(got, Some(want), "lanes case {case} chunks {chunks}");
                    lanes_checked += 1;
                } else {
                    assert_eq!(got, None, "case {case}");
                }
            }
        }
        // Every case but those without AVX2 or with scores too large for `i16` lanes.
        assert!(!has_avx2() || lanes_checked > 1000, "{lanes_checked}");
    }

    /// More than 32 distinct bytes take the row-by-row programme, with the same answer.
    #[test]
    fn many_distinct_bytes_fall_back_exactly() {
        let x: Vec<u8> = (b'!'..=b'~').collect();
        let mut y = x.clone();
        y.reverse();
        y.extend_from_slice(b"ACGT");
        assert!(Codes::new(&x, &y, dna_score).is_none());
        let mut al = Aligner::with_capacity(x.len(), y.len(), -2, -1, &dna_score);
        let slow = al.global(&x, &y);
        let fast = gene_alignment(&x, &y);
        assert_eq!(fast.score, slow.score);
        assert_eq!(fast.columns, slow.operations.len());
        assert_eq!(fast.identity(), identity_of(&slow));
    }

    /// Empty sides: one gap run (or nothing), through every programme.
    #[test]
    fn empty_sequences_align_as_one_gap() {
        let gap = GlobalAlignment {
            score: -4,
            columns: 3,
            matches: 0,
        };
        assert_eq!(gene_alignment(b"", b"ACG"), gap);
        assert_eq!(gene_alignment(b"ACG", b""), gap);
        let none = GlobalAlignment {
            score: 0,
            columns: 0,
            matches: 0,
        };
        assert_eq!(gene_alignment(b"", b""), none);
        assert_eq!(protein_alignment(b"", b""), none);
        let p = protein_alignment(b"", b"MKV");
        assert_eq!((p.score, p.columns, p.matches), (-12, 3, 0));
    }

    #[test]
    fn blosum45_embedded_correctly() {
        assert_eq!(blosum45(b'A', b'A'), 5);
        assert_eq!(blosum45(b'W', b'W'), 15);
        assert_eq!(blosum45(b'C', b'C'), 12);
        assert_eq!(blosum45(b'R', b'K'), 3);
        assert_eq!(blosum45(b'W', b'C'), -5);
    }

    #[test]
    fn gapped_identity_survives_a_shift_ungapped_does_not() {
        let key = b"MKTAYIAKQRQISFVKSHFSRQ";
        let pred = b"AMKTAYIAKQRQISFVKSHFSRQ"; // one residue inserted at the front
        let strict = protein(pred, key);
        assert!(strict.identity > 0.9, "gapped identity {}", strict.identity);
        let compat = compat_protein(pred, key);
        assert!(
            compat.identity < 0.3,
            "ungapped identity {}",
            compat.identity
        );
        assert_eq!(strict.edit_distance, 1);
        // LCS of the shifted pair is the whole key.
        assert!((compat.align - 2.0 * 22.0 / 45.0).abs() < 1e-12);
    }

    #[test]
    fn identical_sequences_score_one() {
        let s = b"ACGTACGTAA";
        let g = gene(s, s);
        assert_eq!(g.identity, 1.0);
        assert_eq!(g.edit_distance, 0);
        assert_eq!(g.score, 1.0);
        let c = compat_gene("acgtacgtaa ", "ACGTACGTAA");
        assert_eq!(c.identity, 1.0);
        assert_eq!(c.coverage, 1.0);
        assert_eq!(c.levenshtein, 0.0);
    }

    #[test]
    fn gene_gap_costs_follow_biopython_convention() {
        // ACGTTT vs ACG: one gap of 3 costs −2 −1 −1 = −4; three matches +3 → score −1 over 6 cols.
        let c = compat_gene("ACGTTT", "ACG");
        assert!((c.similarity - (-1.0 / 6.0)).abs() < 1e-12, "{c:?}");
        assert!((c.identity - 0.5).abs() < 1e-12);
    }

    #[test]
    fn compat_validity_is_uppercase_twenty() {
        assert!(compat_protein_valid("MKT"));
        assert!(!compat_protein_valid("mkt"));
        assert!(!compat_protein_valid("MKX"));
        assert!(!compat_protein_valid(""));
        assert_eq!(lcs(b"ABCBDAB", b"BDCABA"), 4);
    }
}
