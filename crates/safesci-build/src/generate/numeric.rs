//! Numbers in questions: fixed formatting and well-separated distractors.
//!
//! Separation rules (checked on the *formatted* values, so rounding cannot break them):
//! - ratio quantities (limits, half-lives, GWP, percentages): every pair of options differs by at
//!   least 2× (`max/min ≥ 2`);
//! - temperatures: every pair differs by at least 20 % of the larger value in kelvin.

/// Format with three significant figures, no trailing zeros, no exponent for everyday magnitudes.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 12) as usize;
    let factor = 10f64.powi(2 - mag);
    let rounded = (x * factor).round() / factor;
    let s = format!("{rounded:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Format a temperature in °C (whole degrees).
pub fn fmt_celsius(c: f64) -> String {
    format!("{}", c.round() as i64)
}

/// Whether two ratio-scale values are at least 2× apart.
pub fn ratio_separated(a: f64, b: f64) -> bool {
    let (lo, hi) = if a.abs() < b.abs() {
        (a.abs(), b.abs())
    } else {
        (b.abs(), a.abs())
    };
    lo > 0.0 && hi / lo >= 2.0 - 1e-9
}

/// Whether two temperatures (°C) are at least 20 % apart in kelvin.
pub fn kelvin_separated(a_c: f64, b_c: f64) -> bool {
    let (a, b) = (a_c + 273.15, b_c + 273.15);
    (a - b).abs() >= 0.2 * a.max(b) - 1e-9
}

/// Up to six ratio distractors (×1/10, ×1/4, ×1/2, ×2, ×4, ×10), formatted, each ≥2× from the
/// answer and from each other after formatting.
pub fn ratio_distractors(v: f64) -> Vec<String> {
    if v <= 0.0 || !v.is_finite() {
        return Vec::new();
    }
    let answer = fmt_num(v);
    let mut kept: Vec<(f64, String)> = Vec::new();
    let Ok(av) = answer.parse::<f64>() else {
        return Vec::new();
    };
    for f in [0.5, 2.0, 0.25, 4.0, 0.1, 10.0] {
        let s = fmt_num(v * f);
        let Ok(x) = s.parse::<f64>() else { continue };
        if ratio_separated(x, av) && kept.iter().all(|(k, _)| ratio_separated(*k, x)) {
            kept.push((x, s));
        }
    }
    kept.into_iter().map(|(_, s)| s).collect()
}

/// Up to four temperature distractors (kelvin ×1/1.69, ×1/1.3, ×1.3, ×1.69), whole °C, each ≥20 %
/// apart (in K) from the answer and from each other. Values below −200 °C are dropped.
pub fn celsius_distractors(c: f64) -> Vec<String> {
    let k = c + 273.15;
    let answer = c.round();
    let mut kept: Vec<f64> = Vec::new();
    for f in [1.3, 1.0 / 1.3, 1.69, 1.0 / 1.69] {
        let x = (k * f - 273.15).round();
        if x < -200.0 {
            continue;
        }
        if kelvin_separated(x, answer) && kept.iter().all(|y| kelvin_separated(*y, x)) {
            kept.push(x);
        }
    }
    kept.into_iter().map(fmt_celsius).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_three_significant_figures() {
        assert_eq!(fmt_num(30.1671), "30.2");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(1234.0), "1230");
        assert_eq!(fmt_num(0.001234), "0.00123");
    }

    proptest! {
        #[test]
        fn ratio_options_are_pairwise_two_fold_apart(v in 1e-4f64..1e6) {
            let a: f64 = fmt_num(v).parse().unwrap();
            let d: Vec<f64> = ratio_distractors(v).iter().map(|s| s.parse().unwrap()).collect();
            prop_assert!(d.len() >= 3, "at least three distractors for {v}: {d:?}");
            let all: Vec<f64> = std::iter::once(a).chain(d).collect();
            for i in 0..all.len() { for j in 0..i {
                prop_assert!(ratio_separated(all[i], all[j]), "{} vs {}", all[i], all[j]);
            }}
        }

        #[test]
        fn temperature_options_are_twenty_percent_apart(c in -150f64..900.0) {
            let a = c.round();
            let d: Vec<f64> = celsius_distractors(c).iter().map(|s| s.parse().unwrap()).collect();
            prop_assert!(d.len() >= 3, "at least three distractors for {c}: {d:?}");
            let all: Vec<f64> = std::iter::once(a).chain(d).collect();
            for i in 0..all.len() { for j in 0..i {
                prop_assert!(kelvin_separated(all[i], all[j]), "{} vs {}", all[i], all[j]);
            }}
        }
    }
}
