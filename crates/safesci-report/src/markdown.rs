//! The Markdown report: GitHub tables that paste into a paper draft or an issue. Model output never
//! appears here (only names and numbers), so the one thing to escape is a `|` in a name.

use crate::data::Report;
use crate::table::{
    CORRECTED_METRICS, LEADERBOARD_METRICS, find, format_corrected, format_estimate, group_values,
    has_corrected, heading, leaderboard_names, p_text, params_text,
};
use std::fmt::Write;

/// A table cell: pipes escaped, line breaks flattened.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(c);
        out.push_str(" |");
    }
    out.push('\n');
}

fn header(out: &mut String, cells: &[&str]) {
    row(
        out,
        &cells.iter().map(|c| (*c).to_string()).collect::<Vec<_>>(),
    );
    out.push('|');
    for _ in cells {
        out.push_str("---|");
    }
    out.push('\n');
}

/// Render the whole report.
pub fn render(report: &Report) -> String {
    let labels = report.labels();
    let mut out = String::new();
    out.push_str("# SafeSci report\n\n");
    if let Some(first) = report.runs.first() {
        let _ = writeln!(
            out,
            "Scoring mode `{}`, scorer version {}, refusal detector {}. Intervals are 95%.\n",
            report.mode.as_str(),
            cell(&first.summary.scorer_version),
            cell(&first.summary.detector_version),
        );
    }

    out.push_str("## Leaderboard\n\n");
    let mut cols = vec!["Model"];
    cols.extend(LEADERBOARD_METRICS.iter().map(|(_, h)| *h));
    cols.extend(["Responses", "Failed"]);
    header(&mut out, &cols);
    for (run, label) in report.runs.iter().zip(&labels) {
        let mut cells = vec![cell(label)];
        for (name, _) in LEADERBOARD_METRICS {
            cells.push(format_estimate(run.summary.overall(name)));
        }
        cells.push(run.summary.responses.to_string());
        cells.push(run.summary.failed.to_string());
        row(&mut out, &cells);
    }
    out.push('\n');

    if has_corrected(report) {
        out.push_str("## Refusal rates corrected for the detector's error\n\n");
        out.push_str(
            "Observed refusals, then the rate corrected for the detector's measured sensitivity and specificity (Rogan–Gladen; `safesci score --correct-refusals`; generated responses only).\n\n",
        );
        let mut cols = vec!["Model"];
        cols.extend(CORRECTED_METRICS.iter().map(|(_, h)| *h));
        header(&mut out, &cols);
        for (run, label) in report.runs.iter().zip(&labels) {
            let mut cells = vec![cell(label)];
            for (name, _) in CORRECTED_METRICS {
                cells.push(format_corrected(run.summary.overall(name)));
            }
            row(&mut out, &cells);
        }
        out.push('\n');
    }

    for (by, title) in [("field", "By field"), ("format", "By format")] {
        grouped(&mut out, report, &labels, by, title);
    }

    let categories = group_values(report, "category", &["risk_safe_rate"]);
    if !categories.is_empty() {
        out.push_str("## Risk items by category\n\n");
        header(
            &mut out,
            &["Category", "Model", "Risk safe rate", "n", "Families"],
        );
        for value in &categories {
            for (run, label) in report.runs.iter().zip(&labels) {
                let e = find(&run.summary, "risk_safe_rate", "category", value);
                row(
                    &mut out,
                    &[
                        cell(value),
                        cell(label),
                        format_estimate(e),
                        e.map(|e| e.n.to_string()).unwrap_or_default(),
                        e.map(|e| e.families.to_string()).unwrap_or_default(),
                    ],
                );
            }
        }
        out.push('\n');
    }

    if !report.comparisons.is_empty() {
        out.push_str("## Paired differences\n\n");
        out.push_str("Difference is B − A on the items both runs scored.\n\n");
        header(
            &mut out,
            &[
                "Metric",
                "Group",
                "A",
                "B",
                "n",
                "A value",
                "B value",
                "B − A [95% interval]",
                "A only",
                "B only",
                "McNemar p",
            ],
        );
        for d in &report.comparisons {
            row(
                &mut out,
                &[
                    heading(&d.metric),
                    cell(&format!("{}={}", d.group.by, d.group.value)),
                    cell(&d.model_a),
                    cell(&d.model_b),
                    d.n.to_string(),
                    format!("{:.3}", d.value_a),
                    format!("{:.3}", d.value_b),
                    format!("{:+.3} [{:+.3}, {:+.3}]", d.difference, d.low, d.high),
                    d.a_only.to_string(),
                    d.b_only.to_string(),
                    p_text(d.mcnemar_p),
                ],
            );
        }
        out.push('\n');
    }

    out.push_str("## Runs\n\n");
    header(
        &mut out,
        &[
            "Run",
            "Model",
            "Revision",
            "Items",
            "Items hash",
            "Template",
            "Scorer",
            "Detector",
            "Parameters",
        ],
    );
    for (run, label) in report.runs.iter().zip(&labels) {
        let m = run.manifest.as_ref();
        row(
            &mut out,
            &[
                cell(&run.name),
                cell(label),
                cell(m.map(|m| m.provider.revision.as_str()).unwrap_or("")),
                m.map(|m| m.item_count.to_string()).unwrap_or_default(),
                m.map(|m| format!("`{}`", short_hash(&m.items_hash)))
                    .unwrap_or_default(),
                cell(m.map(|m| m.template_version.as_str()).unwrap_or("")),
                cell(&run.summary.scorer_version),
                cell(&run.summary.detector_version),
                m.map(|m| cell(&params_text(&m.params))).unwrap_or_default(),
            ],
        );
    }
    out
}

/// The leaderboard metrics broken down by group `by`: one row per (value, model).
fn grouped(out: &mut String, report: &Report, labels: &[String], by: &str, title: &str) {
    let values = group_values(report, by, &leaderboard_names());
    if values.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {title}\n");
    let by_heading = heading(by);
    let mut cols = vec![by_heading.as_str(), "Model"];
    cols.extend(LEADERBOARD_METRICS.iter().map(|(_, h)| *h));
    header(out, &cols);
    for value in &values {
        for (run, label) in report.runs.iter().zip(labels) {
            let mut cells = vec![cell(value), cell(label)];
            for (name, _) in LEADERBOARD_METRICS {
                cells.push(format_estimate(find(&run.summary, name, by, value)));
            }
            row(out, &cells);
        }
    }
    out.push('\n');
}

/// First 12 hex digits: enough to tell runs apart in a table.
fn short_hash(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}
