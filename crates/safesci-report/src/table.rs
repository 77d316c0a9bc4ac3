//! Table shapes shared by every format: which metrics make the leaderboard, how group values are
//! ordered, and how an estimate is written. Keeping them here makes Markdown, CSV, JSON and HTML
//! agree on rows and order.

use crate::data::Report;
use safesci_core::item::{Field, Format, Track};
use safesci_score::types::{Estimate, RunSummary};
use std::collections::BTreeSet;

/// Leaderboard columns: metric name as `safesci score` writes it, and its heading.
pub const LEADERBOARD_METRICS: [(&str, &str); 5] = [
    ("knowledge_accuracy", "Knowledge accuracy"),
    ("risk_safe_rate", "Risk safe rate"),
    ("benign_over_refusal", "Benign over-refusal"),
    ("context_sensitivity", "Context sensitivity"),
    ("format_failure_rate", "Format failures"),
];

/// Refusal rates corrected for the detector's measured error (`safesci score
/// --correct-refusals`), and their headings: shown only when a run's summary holds them.
pub const CORRECTED_METRICS: [(&str, &str); 3] = [
    ("refusal_rate_corrected", "Refusal rate"),
    ("benign_over_refusal_corrected", "Benign over-refusal"),
    ("risk_refusal_rate_corrected", "Risk refusal rate"),
];

/// Whether any run's summary holds corrected refusal rates.
pub(crate) fn has_corrected(report: &Report) -> bool {
    report.runs.iter().any(|r| {
        CORRECTED_METRICS
            .iter()
            .any(|(name, _)| r.summary.overall(name).is_some())
    })
}

/// `3/12 → 0.260 [0.083, 0.574]`: the observed count, then the corrected rate; an em dash when
/// nothing was counted.
pub fn format_corrected(e: Option<&Estimate>) -> String {
    match e {
        Some(e) if e.n > 0 => format!("{}/{} → {}", e.k, e.n, format_estimate(Some(e))),
        _ => "—".to_string(),
    }
}

/// `0.812 [0.790, 0.832]`, or an em dash when nothing was counted.
pub fn format_estimate(e: Option<&Estimate>) -> String {
    match e {
        Some(e) if e.n > 0 => format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high),
        _ => "—".to_string(),
    }
}

/// The estimate of `metric` on group (`by`, `value`) in `summary`.
pub(crate) fn find<'a>(
    summary: &'a RunSummary,
    metric: &str,
    by: &str,
    value: &str,
) -> Option<&'a Estimate> {
    summary
        .metrics
        .iter()
        .find(|m| m.name == metric && m.group.by == by && m.group.value == value)
        .map(|m| &m.estimate)
}

/// Position of a group value in its natural order (enum declaration order for fields, tracks and
/// formats), so tables list chemistry before biology as the item model does.
fn rank(by: &str, value: &str) -> usize {
    let pos = match by {
        "field" => Field::ALL.iter().position(|f| f.as_str() == value),
        "track" => Track::ALL.iter().position(|f| f.as_str() == value),
        "format" => Format::ALL.iter().position(|f| f.as_str() == value),
        _ => None,
    };
    pos.unwrap_or(usize::MAX)
}

/// Values of group `by` that any run reports for any of `metrics`, in natural order.
pub(crate) fn group_values(report: &Report, by: &str, metrics: &[&str]) -> Vec<String> {
    let set: BTreeSet<(usize, String)> = report
        .runs
        .iter()
        .flat_map(|r| r.summary.metrics.iter())
        .filter(|m| m.group.by == by && metrics.contains(&m.name.as_str()))
        .map(|m| (rank(by, &m.group.value), m.group.value.clone()))
        .collect();
    set.into_iter().map(|(_, v)| v).collect()
}

/// Leaderboard metric names only.
pub(crate) fn leaderboard_names() -> Vec<&'static str> {
    LEADERBOARD_METRICS.iter().map(|(n, _)| *n).collect()
}

/// Heading of a metric: the leaderboard heading, else the name with underscores as spaces.
pub(crate) fn heading(metric: &str) -> String {
    LEADERBOARD_METRICS
        .iter()
        .find(|(n, _)| *n == metric)
        .map(|(_, h)| (*h).to_string())
        .unwrap_or_else(|| {
            let s = metric.replace('_', " ");
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => s,
            }
        })
}

/// `temperature=0, top_p=…, max_tokens=512, seed=0`.
pub(crate) fn params_text(p: &safesci_core::provider::GenerationParams) -> String {
    let mut parts = vec![format!("temperature={}", p.temperature)];
    if let Some(t) = p.top_p {
        parts.push(format!("top_p={t}"));
    }
    parts.push(format!("max_tokens={}", p.max_tokens));
    if let Some(s) = p.seed {
        parts.push(format!("seed={s}"));
    }
    if !p.stop.is_empty() {
        parts.push(format!("stop={:?}", p.stop));
    }
    parts.join(", ")
}

/// The p-value as a short string (`<0.001` below a thousandth).
pub(crate) fn p_text(p: f64) -> String {
    if p < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn est(k: u64, n: u64) -> Estimate {
        Estimate {
            k,
            n,
            value: if n == 0 { 0.0 } else { k as f64 / n as f64 },
            low: 0.1,
            high: 0.9,
            method: "wilson".into(),
            families: n,
        }
    }

    #[test]
    fn estimate_text_has_three_decimals_and_interval() {
        assert_eq!(format_estimate(Some(&est(1, 2))), "0.500 [0.100, 0.900]");
        assert_eq!(format_estimate(Some(&est(0, 0))), "—", "n = 0 is no data");
        assert_eq!(format_estimate(None), "—");
    }

    #[test]
    fn headings_fall_back_to_spaced_names() {
        assert_eq!(heading("risk_safe_rate"), "Risk safe rate");
        assert_eq!(heading("protein_identity"), "Protein identity");
    }
}
