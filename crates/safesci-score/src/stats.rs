//! Interval estimates and paired tests: Wilson intervals, family-clustered bootstrap, exact
//! McNemar, paired clustered bootstrap of a difference, and the Rogan–Gladen correction of a
//! refusal rate for the detector's measured error.
//!
//! Every random draw comes from a ChaCha generator seeded by the caller, so the same inputs give
//! the same interval on every machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Default number of bootstrap resamples.
pub const BOOTSTRAP_REPS: usize = 1000;

/// Default bootstrap seed (recorded in the docs; change it and intervals move slightly).
pub const BOOTSTRAP_SEED: u64 = 0x05af_e5c1;

/// Wilson score interval for k successes in n trials; `(0, 0)`-free: n = 0 gives `(0, 1)`.
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * ((p * (1.0 - p) / n_f) + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    // The exact endpoints at p = 0 or 1 are 0 or 1; rounding can leave them a hair off.
    let low = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if k == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// Wilson score interval for an observed proportion `p` over an effective sample of `n_eff`
/// trials (fractional allowed). Used for clustered rates whose bootstrap cannot measure spread
/// (every family at the same rate, k = 0, k = n, or a single family): the number of families is
/// then the honest sample size, not the number of items.
pub fn wilson_effective(p: f64, n_eff: f64, z: f64) -> (f64, f64) {
    if n_eff <= 0.0 || !p.is_finite() {
        return (0.0, 1.0);
    }
    let p = p.clamp(0.0, 1.0);
    let z2 = z * z;
    let denom = 1.0 + z2 / n_eff;
    let centre = (p + z2 / (2.0 * n_eff)) / denom;
    let half = z * ((p * (1.0 - p) / n_eff) + z2 / (4.0 * n_eff * n_eff)).sqrt() / denom;
    let low = if p == 0.0 {
        0.0
    } else {
        (centre - half).clamp(0.0, p)
    };
    let high = if p == 1.0 {
        1.0
    } else {
        (centre + half).clamp(p, 1.0)
    };
    (low, high)
}

/// One cluster's contribution: the sum of values and the number of trials.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cluster {
    pub sum: f64,
    pub n: f64,
}

/// Group per-trial values by cluster key (a family), keeping a deterministic order.
pub fn clusters<'a>(trials: impl IntoIterator<Item = (&'a str, f64)>) -> Vec<Cluster> {
    let mut map: BTreeMap<&str, Cluster> = BTreeMap::new();
    for (key, v) in trials {
        let c = map.entry(key).or_default();
        c.sum += v;
        c.n += 1.0;
    }
    map.into_values().collect()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] * (1.0 - frac) + sorted[hi.min(sorted.len() - 1)] * frac
}

/// Percentile bootstrap interval of a ratio-of-sums mean, resampling whole clusters.
///
/// Clusters stand for item families: variants of one fact are not independent trials, so
/// resampling them together gives an honest (wider) interval than treating items as independent.
pub fn cluster_bootstrap(clusters: &[Cluster], reps: usize, seed: u64) -> (f64, f64) {
    if clusters.is_empty() {
        return (0.0, 0.0);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let m = clusters.len();
    let mut stats = Vec::with_capacity(reps);
    for _ in 0..reps {
        let (mut s, mut n) = (0.0, 0.0);
        for _ in 0..m {
            let c = clusters[below(&mut rng, m)];
            s += c.sum;
            n += c.n;
        }
        stats.push(if n > 0.0 { s / n } else { 0.0 });
    }
    stats.sort_by(f64::total_cmp);
    (percentile(&stats, 0.025), percentile(&stats, 0.975))
}

/// A uniform draw from `0..m` (`m > 0`), the same value `rng.random_range(0..m)` gives from the
/// same generator state, inlined. The bootstrap makes millions of draws per interval, and the
/// library call (not inlined across the crate boundary) was two thirds of its time. For
/// `m < 2^32` the library widens a 32-bit draw by `m` and, when the low half of the product
/// falls in the biased zone, corrects the high half with one more draw; larger ranges go to
/// the library. A test checks the two agree draw for draw.
#[inline]
fn below(rng: &mut ChaCha8Rng, m: usize) -> usize {
    use rand::RngCore;
    let Ok(range) = u32::try_from(m) else {
        return rng.random_range(0..m);
    };
    let wide = |x: u32| u64::from(x) * u64::from(range);
    let p = wide(rng.next_u32());
    let (mut hi, lo) = ((p >> 32) as u32, p as u32);
    if lo > range.wrapping_neg() {
        let carry = (wide(rng.next_u32()) >> 32) as u32;
        hi += u32::from(lo.checked_add(carry).is_none());
    }
    hi as usize
}

/// Exact two-sided McNemar p-value from the discordant counts (binomial test at p = ½).
pub fn mcnemar_exact(a_only: u64, b_only: u64) -> f64 {
    let n = a_only + b_only;
    if n == 0 {
        return 1.0;
    }
    let k = a_only.min(b_only);
    // P(X ≤ k) for X ~ Bin(n, ½), summed in log space so large n does not underflow.
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut total = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (ln_c + ln_half_n).exp();
    }
    (2.0 * total).min(1.0)
}

/// One paired trial: the cluster it belongs to and the success of each run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedTrial<'a> {
    pub family: &'a str,
    pub a: bool,
    pub b: bool,
}

/// Result of a paired comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    pub n: u64,
    pub value_a: f64,
    pub value_b: f64,
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    pub a_only: u64,
    pub b_only: u64,
    pub mcnemar_p: f64,
}

/// Paired comparison: rates, b − a with a family-clustered paired bootstrap interval, McNemar.
pub fn paired(trials: &[PairedTrial<'_>], reps: usize, seed: u64) -> Paired {
    let n = trials.len() as u64;
    let ka = trials.iter().filter(|t| t.a).count() as f64;
    let kb = trials.iter().filter(|t| t.b).count() as f64;
    let a_only = trials.iter().filter(|t| t.a && !t.b).count() as u64;
    let b_only = trials.iter().filter(|t| t.b && !t.a).count() as u64;
    let nf = n.max(1) as f64;
    let diffs = clusters(trials.iter().map(|t| {
        (
            t.family,
            f64::from(u8::from(t.b)) - f64::from(u8::from(t.a)),
        )
    }));
    let (low, high) = if n == 0 {
        (0.0, 0.0)
    } else {
        let (low, high) = cluster_bootstrap(&diffs, reps, seed);
        if high - low > 1e-12 {
            (low, high)
        } else {
            // Every resample gives the same difference (typically: no discordant pair). That is
            // not certainty, so fall back to Newcombe's score interval for paired proportions.
            let both = trials.iter().filter(|t| t.a && t.b).count() as u64;
            newcombe_paired(both, a_only, b_only, n - both - a_only - b_only, Z95)
        }
    };
    Paired {
        n,
        value_a: ka / nf,
        value_b: kb / nf,
        difference: (kb - ka) / nf,
        low,
        high,
        a_only,
        b_only,
        mcnemar_p: mcnemar_exact(a_only, b_only),
    }
}

/// Newcombe's hybrid score interval (his method 10) for the paired difference p_b − p_a from
/// the 2×2 table of pairs: `both` succeeded in both runs, `a_only`/`b_only` in one, `neither`.
/// Built from the two marginal Wilson intervals and the pairs' correlation; it stays inside
/// [−1, 1]. With no discordant pair the correlation is 1 and method 10 can collapse to a point,
/// so there the interval is ±(Wilson upper bound of the discordance rate 0/n): |p_b − p_a| can
/// never exceed the share of discordant pairs.
pub fn newcombe_paired(both: u64, a_only: u64, b_only: u64, neither: u64, z: f64) -> (f64, f64) {
    let n = both + a_only + b_only + neither;
    if n == 0 {
        return (-1.0, 1.0);
    }
    if a_only + b_only == 0 {
        let (_, u) = wilson(0, n, z);
        return (-u, u);
    }
    let nf = n as f64;
    let (ka, kb) = (both + a_only, both + b_only);
    let (pa, pb) = (ka as f64 / nf, kb as f64 / nf);
    let (la, ua) = wilson(ka, n, z);
    let (lb, ub) = wilson(kb, n, z);
    let (a, b, c, d) = (both as f64, a_only as f64, b_only as f64, neither as f64);
    let denom = ((a + b) * (c + d) * (a + c) * (b + d)).sqrt();
    let phi = if denom > 0.0 {
        (a * d - b * c) / denom
    } else {
        0.0
    };
    let diff = pb - pa;
    let lower = ((pb - lb).powi(2) - 2.0 * phi * (pb - lb) * (ua - pa) + (ua - pa).powi(2))
        .max(0.0)
        .sqrt();
    let upper = ((ub - pb).powi(2) - 2.0 * phi * (ub - pb) * (pa - la) + (pa - la).powi(2))
        .max(0.0)
        .sqrt();
    ((diff - lower).max(-1.0), (diff + upper).min(1.0))
}

/// A refusal rate corrected for the detector's error (Rogan–Gladen), with an interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corrected {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Rogan–Gladen: true rate = (observed + specificity − 1) / (sensitivity + specificity − 1).
///
/// The interval maps the observed rate's Wilson interval through the same correction and widens
/// each side by the uncertainty of sensitivity and specificity (delta method, Agresti–Coull
/// variances from their own validation counts), added in quadrature. Wilson rather than the delta method for the
/// observed rate keeps the interval honest at 0 or n refusals, where the delta method's variance
/// vanishes. Returns `None` when the detector is no better than chance (Youden J ≤ 0).
pub fn rogan_gladen(
    k: u64,
    n: u64,
    sensitivity: (u64, u64),
    specificity: (u64, u64),
) -> Option<Corrected> {
    if n == 0 {
        return None;
    }
    rogan_gladen_rate(k as f64 / n as f64, n as f64, sensitivity, specificity)
}

/// [`rogan_gladen`] on an observed rate `p` whose sampling variance is that of `n_eff`
/// independent trials: the number of families when trials of one family are correlated, so the
/// interval is no narrower than the clustering allows.
pub fn rogan_gladen_rate(
    p: f64,
    n_eff: f64,
    sensitivity: (u64, u64),
    specificity: (u64, u64),
) -> Option<Corrected> {
    let se = sensitivity.0 as f64 / sensitivity.1.max(1) as f64;
    let sp = specificity.0 as f64 / specificity.1.max(1) as f64;
    let j = se + sp - 1.0;
    if j <= 0.0 || n_eff <= 0.0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let correct = |q: f64| (q + sp - 1.0) / j;
    let raw = correct(p);
    let (wl, wh) = wilson_effective(p, n_eff, Z95);
    // Agresti–Coull variances (two successes and two failures added): a validation set with no
    // error at all (sp = 300/300) still leaves the rate uncertain.
    let var = |(x, m): (u64, u64)| {
        let q = (x as f64 + 2.0) / (m as f64 + 4.0);
        q * (1.0 - q) / (m as f64 + 4.0)
    };
    let (var_se, var_sp) = (var(sensitivity), var(specificity));
    let detector =
        Z95 * ((raw * raw * var_se + (1.0 - raw) * (1.0 - raw) * var_sp) / (j * j)).sqrt();
    let below = (raw - correct(wl)).max(0.0).hypot(detector);
    let above = (correct(wh) - raw).max(0.0).hypot(detector);
    let value = raw.clamp(0.0, 1.0);
    Some(Corrected {
        value,
        low: (raw - below).clamp(0.0, 1.0).min(value),
        high: (raw + above).clamp(0.0, 1.0).max(value),
    })
}

/// Cohen's κ from a square confusion matrix (rows = truth, columns = prediction).
pub fn cohen_kappa(matrix: &[Vec<u64>]) -> f64 {
    let total: u64 = matrix.iter().flatten().sum();
    if total == 0 {
        return 0.0;
    }
    let t = total as f64;
    let po = (0..matrix.len()).map(|i| matrix[i][i]).sum::<u64>() as f64 / t;
    let pe: f64 = (0..matrix.len())
        .map(|i| {
            let row: u64 = matrix[i].iter().sum();
            let col: u64 = matrix.iter().map(|r| r[i]).sum();
            row as f64 * col as f64 / (t * t)
        })
        .sum();
    if (1.0 - pe).abs() < f64::EPSILON {
        return 1.0;
    }
    (po - pe) / (1.0 - pe)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::{any, prop_assert, prop_assume, proptest};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn wilson_matches_textbook_value() {
        // 8 of 10: Wilson 95% interval is (0.4902, 0.9433).
        let (l, h) = wilson(8, 10, Z95);
        assert!((l - 0.4902).abs() < 1e-4, "low {l}");
        assert!((h - 0.9433).abs() < 1e-4, "high {h}");
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
    }

    #[test]
    fn mcnemar_exact_values() {
        // Discordant 1 vs 9: 2·P(X≤1 | n=10) = 2·11/1024.
        assert!((mcnemar_exact(1, 9) - 22.0 / 1024.0).abs() < 1e-12);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        assert!(mcnemar_exact(0, 2000) < 1e-300 || mcnemar_exact(0, 2000) == 0.0);
    }

    #[test]
    fn kappa_perfect_and_chance() {
        assert_eq!(cohen_kappa(&[vec![5, 0], vec![0, 5]]), 1.0);
        assert!(cohen_kappa(&[vec![5, 5], vec![5, 5]]).abs() < 1e-12);
    }

    #[test]
    fn rogan_gladen_inverts_known_error() {
        // True rate 0.5, se 0.9, sp 0.8 → observed 0.5·0.9 + 0.5·0.2 = 0.55.
        let c = rogan_gladen(550, 1000, (900, 1000), (800, 1000)).unwrap();
        assert!((c.value - 0.5).abs() < 1e-9, "{c:?}");
        assert!(c.low < 0.5 && c.high > 0.5);
        assert!(rogan_gladen(5, 10, (1, 2), (1, 2)).is_none());
    }

    #[test]
    fn paired_counts_and_direction() {
        let t: Vec<PairedTrial> = (0..40)
            .map(|i| PairedTrial {
                family: if i % 2 == 0 { "x" } else { "y" },
                a: i % 4 == 0,
                b: true,
            })
            .collect();
        let p = paired(&t, 200, 1);
        assert_eq!(p.n, 40);
        assert_eq!(p.a_only, 0);
        assert_eq!(p.b_only, 30);
        assert!((p.difference - 0.75).abs() < 1e-12);
        assert!(p.mcnemar_p < 1e-6);
    }

    #[test]
    fn paired_with_no_discordant_pair_is_not_certain() {
        let t: Vec<PairedTrial> = (0..30)
            .map(|i| PairedTrial {
                family: if i % 3 == 0 { "x" } else { "y" },
                a: i % 2 == 0,
                b: i % 2 == 0,
            })
            .collect();
        let p = paired(&t, 200, 1);
        assert_eq!(p.difference, 0.0);
        assert!(p.low < -0.05 && p.high > 0.05, "{p:?}");
        // All failures in both runs: still an interval around 0.
        let (l, h) = newcombe_paired(0, 0, 0, 20, Z95);
        assert!(l < -0.1 && h > 0.1 && l >= -1.0 && h <= 1.0, "({l}, {h})");
    }

    #[test]
    fn newcombe_coverage_near_nominal() {
        // Seeded simulation of correlated pairs: the 95% interval must cover the true p_b − p_a
        // at least 93% of the time (Newcombe reports near-nominal coverage for method 10).
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // (P(both), P(a only), P(b only)); the rest is P(neither).
        for &(pab, pa1, pb1) in &[
            (0.5, 0.1, 0.1),
            (0.7, 0.02, 0.15),
            (0.1, 0.05, 0.0),
            (0.3, 0.2, 0.05),
        ] {
            for &n in &[40u64, 200] {
                let truth = pb1 - pa1;
                let reps = 1500;
                let mut covered = 0;
                for _ in 0..reps {
                    let (mut both, mut a_only, mut b_only, mut neither) = (0, 0, 0, 0);
                    for _ in 0..n {
                        let u: f64 = rng.random();
                        if u < pab {
                            both += 1;
                        } else if u < pab + pa1 {
                            a_only += 1;
                        } else if u < pab + pa1 + pb1 {
                            b_only += 1;
                        } else {
                            neither += 1;
                        }
                    }
                    let (l, h) = newcombe_paired(both, a_only, b_only, neither, Z95);
                    if l <= truth && truth <= h {
                        covered += 1;
                    }
                }
                let cov = covered as f64 / reps as f64;
                assert!(cov >= 0.93, "coverage {cov} at {pab}/{pa1}/{pb1}, n = {n}");
            }
        }
    }

    #[test]
    fn wilson_coverage_near_nominal() {
        // Seeded simulation: 95% Wilson must cover the true p at least 93% of the time.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for &p in &[0.05, 0.2, 0.5, 0.8, 0.95] {
            for &n in &[30u64, 100, 400] {
                let reps = 2000;
                let mut covered = 0;
                for _ in 0..reps {
                    let k = (0..n).filter(|_| rng.random::<f64>() < p).count() as u64;
                    let (l, h) = wilson(k, n, Z95);
                    if l <= p && p <= h {
                        covered += 1;
                    }
                }
                let cov = covered as f64 / reps as f64;
                assert!(cov >= 0.93, "coverage {cov} at p={p} n={n}");
            }
        }
    }

    #[test]
    fn rogan_gladen_coverage_near_nominal() {
        // Seeded simulation: a detector with the measured sensitivity and specificity of the
        // shipped one labels n responses whose true refusal rate is t; its sensitivity and
        // specificity are themselves estimated from validation sets of the shipped sizes. The
        // corrected 95% interval must cover t at least 93% of the time, including t = 0.
        let mut rng = ChaCha8Rng::seed_from_u64(19);
        let (se, sp) = (337.0 / 357.0, 300.0 / 302.0);
        for &t in &[0.0, 0.05, 0.3, 0.7] {
            for &n in &[50u64, 400] {
                let reps = 1000;
                let mut covered = 0;
                for _ in 0..reps {
                    let k = (0..n)
                        .filter(|_| {
                            let refused = rng.random::<f64>() < t;
                            let u = rng.random::<f64>();
                            if refused { u < se } else { u >= sp }
                        })
                        .count() as u64;
                    let se_k = (0..357).filter(|_| rng.random::<f64>() < se).count() as u64;
                    let sp_k = (0..302).filter(|_| rng.random::<f64>() < sp).count() as u64;
                    if let Some(c) = rogan_gladen(k, n, (se_k, 357), (sp_k, 302))
                        && c.low <= t
                        && t <= c.high
                    {
                        covered += 1;
                    }
                }
                let cov = covered as f64 / reps as f64;
                assert!(cov >= 0.93, "coverage {cov} at t={t} n={n}");
            }
        }
    }

    #[test]
    fn cluster_bootstrap_coverage_near_nominal() {
        // Families of 4 correlated items: the clustered interval should still cover ~95%.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let p = 0.3;
        let reps = 300;
        let mut covered = 0;
        for r in 0..reps {
            let cl: Vec<Cluster> = (0..80)
                .map(|_| {
                    // Family-level success probability varies around p.
                    let fp = if rng.random::<bool>() {
                        p + 0.2
                    } else {
                        p - 0.2
                    };
                    let s = (0..4).filter(|_| rng.random::<f64>() < fp).count() as f64;
                    Cluster { sum: s, n: 4.0 }
                })
                .collect();
            let (l, h) = cluster_bootstrap(&cl, 400, r);
            if l <= p && p <= h {
                covered += 1;
            }
        }
        let cov = covered as f64 / reps as f64;
        assert!(cov >= 0.90, "clustered coverage {cov}");
    }

    #[test]
    fn clustered_rate_never_degenerate_at_zero_or_all() {
        // 12 trials in 3 families, all failing: the bootstrap alone gives [0, 0].
        let fams = ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c"];
        let none: Vec<(&str, bool)> = fams.iter().map(|f| (*f, false)).collect();
        let cl = clusters(none.iter().map(|(f, s)| (*f, f64::from(u8::from(*s)))));
        assert_eq!(cluster_bootstrap(&cl, 200, 1), (0.0, 0.0));
        let e = crate::metrics::rate(&none);
        assert_eq!((e.k, e.n, e.families), (0, 12, 3));
        assert_eq!(e.low, 0.0);
        // Wilson over 3 families: z² / (3 + z²).
        assert!(
            (e.high - Z95 * Z95 / (3.0 + Z95 * Z95)).abs() < 1e-12,
            "{e:?}"
        );
        assert_eq!(e.method, "wilson-families");
        let all: Vec<(&str, bool)> = fams.iter().map(|f| (*f, true)).collect();
        let e = crate::metrics::rate(&all);
        assert_eq!(e.high, 1.0);
        assert!((e.low - 3.0 / (3.0 + Z95 * Z95)).abs() < 1e-12, "{e:?}");
        // Every family at the same rate: the bootstrap has no spread either.
        let half: Vec<(&str, bool)> = fams
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, i % 2 == 0))
            .collect();
        let e = crate::metrics::rate(&half);
        assert_eq!(e.method, "wilson-families");
        assert!(e.low < 0.5 && e.high > 0.5, "{e:?}");
    }

    #[test]
    fn single_family_uses_family_count_and_single_trial_is_wilson() {
        let one: Vec<(&str, bool)> = (0..10).map(|_| ("only", true)).collect();
        let e = crate::metrics::rate(&one);
        assert_eq!(e.families, 1);
        assert_eq!(e.method, "wilson-families");
        assert_eq!((e.low, e.high), wilson(1, 1, Z95));
        let e = crate::metrics::rate(&[("x", false)]);
        assert_eq!(e.method, "wilson");
        assert_eq!((e.low, e.high), wilson(0, 1, Z95));
        assert!(e.high > 0.7);
        assert_eq!(wilson_effective(0.3, 0.0, Z95), (0.0, 1.0));
    }

    /// The inlined draw gives `random_range`'s values from the same generator, draw for draw
    /// (so the intervals are those of the library call), small ranges and ones near 2^32 alike.
    #[test]
    fn inlined_draw_is_the_library_draw() {
        for (seed, m) in [
            (1u64, 1usize),
            (2, 2),
            (3, 7),
            (4, 1000),
            (5, 25_000),
            (6, 3_000_000_000),
            (7, u32::MAX as usize),
            (8, u32::MAX as usize + 5),
        ] {
            let (mut a, mut b) = (
                ChaCha8Rng::seed_from_u64(seed),
                ChaCha8Rng::seed_from_u64(seed),
            );
            for _ in 0..20_000 {
                assert_eq!(below(&mut a, m), b.random_range(0..m), "seed {seed}, m {m}");
            }
        }
    }

    proptest! {
        #[test]
        fn newcombe_brackets_the_difference(
            both in 0u64..40, a_only in 0u64..40, b_only in 0u64..40, neither in 0u64..40
        ) {
            let n = both + a_only + b_only + neither;
            prop_assume!(n > 0);
            let (l, h) = newcombe_paired(both, a_only, b_only, neither, Z95);
            let d = (b_only as f64 - a_only as f64) / n as f64;
            prop_assert!(l <= d + 1e-12 && d <= h + 1e-12, "({l}, {h}) vs {d}");
            prop_assert!((-1.0..=1.0).contains(&l) && (-1.0..=1.0).contains(&h));
            prop_assert!(h - l > 1e-6, "degenerate ({l}, {h})");
        }
    }

    proptest! {
        #[test]
        fn rate_interval_brackets_value_and_has_width(
            data in proptest::collection::vec((0u8..6, any::<bool>()), 1..120)
        ) {
            let keys: Vec<String> = data.iter().map(|(f, _)| format!("f{f}")).collect();
            let trials: Vec<(&str, bool)> = keys.iter().zip(&data).map(|(k, (_, s))| (k.as_str(), *s)).collect();
            let e = crate::metrics::rate(&trials);
            prop_assert!(0.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 1.0, "{e:?}");
            prop_assert!(e.high - e.low > 1e-6, "degenerate interval {e:?}");
        }

        #[test]
        fn wilson_effective_matches_wilson_on_integers(n in 1u64..500, frac in 0.0f64..=1.0) {
            let k = ((n as f64) * frac).floor() as u64;
            let (a, b) = wilson(k, n, Z95);
            let (c, d) = wilson_effective(k as f64 / n as f64, n as f64, Z95);
            prop_assert!((a - c).abs() < 1e-9 && (b - d).abs() < 1e-9, "{a} {b} {c} {d}");
        }

        #[test]
        fn wilson_contains_estimate_within_unit(n in 1u64..5000, frac in 0.0f64..=1.0) {
            let k = ((n as f64) * frac).floor() as u64;
            let (l, h) = wilson(k, n, Z95);
            let p = k as f64 / n as f64;
            prop_assert!((0.0..=1.0).contains(&l) && (0.0..=1.0).contains(&h));
            prop_assert!(l <= p + 1e-12 && p <= h + 1e-12, "{l} {p} {h}");
        }

        #[test]
        fn bootstrap_within_unit_and_brackets_mean(
            data in proptest::collection::vec((0u8..20, any::<bool>()), 1..200), seed in any::<u64>()
        ) {
            let keys: Vec<String> = data.iter().map(|(f, _)| format!("f{f}")).collect();
            let cl = clusters(keys.iter().zip(&data).map(|(k, (_, s))| (k.as_str(), f64::from(u8::from(*s)))));
            let (l, h) = cluster_bootstrap(&cl, 200, seed);
            prop_assert!((0.0..=1.0).contains(&l) && (0.0..=1.0).contains(&h) && l <= h);
        }

        #[test]
        fn mcnemar_is_a_probability(a in 0u64..500, b in 0u64..500) {
            let p = mcnemar_exact(a, b);
            prop_assert!((0.0..=1.0).contains(&p));
            prop_assert!((p - mcnemar_exact(b, a)).abs() < 1e-12);
        }

        #[test]
        fn rogan_gladen_in_unit(k in 0u64..100, extra in 0u64..100, se in 60u64..=100, sp in 60u64..=100) {
            let n = k + extra + 1;
            if let Some(c) = rogan_gladen(k, n, (se, 100), (sp, 100)) {
                prop_assert!((0.0..=1.0).contains(&c.value));
                prop_assert!(0.0 <= c.low && c.low <= c.value && c.value <= c.high && c.high <= 1.0);
            }
        }
    }
}
