//! The HTML report: one static file that opens offline. Charts are SVG written here; the drill-down
//! is a small inline script over data embedded as JSON.
//!
//! Model output is untrusted. Static parts go through [`escape`]; data for the script sits in
//! `<script type="application/json">` blocks written by [`script_json`] (which escapes `<`, `>`, `&`
//! and U+2028/U+2029, so a response containing `</script>` cannot close the block), and the script
//! only ever sets `textContent`. Large runs stay fast to open: the drill-down keeps a compact
//! filter index (five characters per row) apart from the row text, which is split into gzip +
//! base64 chunks (see [`gzip_base64`]) that are inflated and parsed only when a page needs them,
//! and only one page of rows is in the DOM at a time.

use crate::ReportError;
use crate::data::Report;
use crate::table::{
    CORRECTED_METRICS, LEADERBOARD_METRICS, find, format_corrected, format_estimate, group_values,
    has_corrected, heading, leaderboard_names, p_text, params_text,
};
use base64::Engine as _;
use flate2::Compression;
use flate2::write::GzEncoder;
use rayon::prelude::*;
use safesci_core::item::{ExpectedBehavior, Field, Format, Item, Track};
use safesci_core::store::{ResponseKey, ResponseOutcome, ResponseRecord};
use safesci_score::types::{Estimate, ItemScore, Outcome, RefusalLabel};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write;
use std::io::Write as _;

/// Rows per lazily parsed drill-down chunk.
pub const CHUNK_ROWS: usize = 1000;

/// Rows shown per drill-down page.
pub const PAGE_ROWS: usize = 100;

/// Alphabet of the filter index: one character per attribute value, so at most 62 values each.
const CODES: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Series colours (Okabe–Ito, readable by colour-blind readers); every mark also carries a label.
const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

const OUTCOMES: [Outcome; 7] = [
    Outcome::Correct,
    Outcome::Incorrect,
    Outcome::Unparsed,
    Outcome::Refused,
    Outcome::Complied,
    Outcome::Answered,
    Outcome::Failed,
];

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Serialise `value` as JSON that is safe inside `<script type="application/json">`: the characters
/// that could end the element or confuse a parser are written as `\u` escapes (they only occur
/// inside JSON strings, where the escape means the same character).
pub fn script_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ReportError> {
    let raw =
        serde_json::to_string(value).map_err(|e| ReportError::Serialise("json", Box::new(e)))?;
    let mut out = String::with_capacity(raw.len() + raw.len() / 64);
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Gzip `text` and write it as base64, the form the drill-down's row chunks take in the file: the
/// page inflates a chunk with the browser's own `DecompressionStream` only when a page of rows
/// needs it. Base64 has no `<`, `>` or `&`, so a block cannot end its element early.
pub fn gzip_base64(text: &str) -> Result<String, ReportError> {
    let mut gz = GzEncoder::new(Vec::with_capacity(text.len() / 4), Compression::new(6));
    gz.write_all(text.as_bytes())
        .and_then(|()| gz.finish())
        .map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes))
        .map_err(|e| ReportError::Serialise("gzip", Box::new(e)))
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Correct => "correct",
        Outcome::Incorrect => "incorrect",
        Outcome::Unparsed => "unparsed",
        Outcome::Refused => "refused",
        Outcome::Complied => "complied",
        Outcome::Answered => "answered",
        Outcome::Failed => "failed",
    }
}

fn refusal_name(r: RefusalLabel) -> &'static str {
    match r {
        RefusalLabel::FullCompliance => "full_compliance",
        RefusalLabel::FullRefusal => "full_refusal",
        RefusalLabel::PartialRefusal => "partial_refusal",
    }
}

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Render the report as one HTML document.
pub fn render(report: &Report) -> Result<String, ReportError> {
    if report.runs.is_empty() {
        return Err(ReportError::Empty);
    }
    if report.runs.len() > CODES.len() {
        return Err(ReportError::TooManyRuns {
            max: CODES.len(),
            got: report.runs.len(),
        });
    }
    let labels = report.labels();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>SafeSci report</title>\n<style>");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<main>\n<h1>SafeSci report</h1>\n");
    let first = &report.runs[0].summary;
    let _ = writeln!(
        out,
        "<p class=\"sub\">Scoring mode <code>{}</code>, scorer version {}, refusal detector {}. \
         Intervals are 95%.</p>",
        report.mode.as_str(),
        escape(&first.scorer_version),
        escape(&first.detector_version)
    );
    out.push_str("<nav><a href=\"#leaderboard\">Leaderboard</a> · <a href=\"#frontier-section\">Frontier</a> · \
        <a href=\"#fields\">Fields</a> · <a href=\"#category\">Risk categories</a> · \
        <a href=\"#context\">Context</a> · <a href=\"#formats\">Formats</a> · ");
    if !report.comparisons.is_empty() {
        out.push_str("<a href=\"#comparisons\">Differences</a> · ");
    }
    out.push_str("<a href=\"#manifest\">Manifest</a> · <a href=\"#drilldown\">Items</a></nav>\n");

    leaderboard(&mut out, report, &labels);
    if has_corrected(report) {
        corrected(&mut out, report, &labels);
    }
    frontier(&mut out, report, &labels);

    out.push_str("<section id=\"fields\">\n<h2>By field</h2>\n");
    for metric in [
        "knowledge_accuracy",
        "risk_safe_rate",
        "benign_over_refusal",
    ] {
        let values = group_values(report, "field", &[metric]);
        let rows = rows_for(report, metric, "field", &values);
        bar_chart(
            &mut out,
            &format!("field-{metric}"),
            &heading(metric),
            &rows,
            &labels,
        );
    }
    grouped_table(&mut out, report, &labels, "field");
    out.push_str("</section>\n");

    out.push_str("<section id=\"category\">\n<h2>Risk items by category</h2>\n");
    let categories = group_values(report, "category", &["risk_safe_rate"]);
    if categories.is_empty() {
        out.push_str("<p>No risk item carries a category.</p>\n");
    } else {
        let rows = rows_for(report, "risk_safe_rate", "category", &categories);
        bar_chart(&mut out, "category-risk", "Risk safe rate", &rows, &labels);
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"context\">\n<h2>Context sensitivity by field</h2>\n");
    let values = group_values(report, "field", &["context_sensitivity"]);
    if values.is_empty() {
        out.push_str("<p>No context items were scored.</p>\n");
    } else {
        let rows = rows_for(report, "context_sensitivity", "field", &values);
        bar_chart(
            &mut out,
            "context-field",
            "Context sensitivity",
            &rows,
            &labels,
        );
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"formats\">\n<h2>By format</h2>\n");
    grouped_table(&mut out, report, &labels, "format");
    out.push_str("</section>\n");

    comparisons(&mut out, report);
    manifest(&mut out, report, &labels);
    drilldown(&mut out, report, &labels)?;

    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    Ok(out)
}

fn leaderboard(out: &mut String, report: &Report, labels: &[String]) {
    out.push_str("<section id=\"leaderboard-section\">\n<h2>Leaderboard</h2>\n");
    out.push_str("<table id=\"leaderboard\"><thead><tr><th>Model</th>");
    for (_, h) in LEADERBOARD_METRICS {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("<th>Responses</th><th>Failed</th></tr></thead><tbody>\n");
    for (i, (run, label)) in report.runs.iter().zip(labels).enumerate() {
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
            color(i),
            escape(label)
        );
        for (name, _) in LEADERBOARD_METRICS {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape(&format_estimate(run.summary.overall(name)))
            );
        }
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            run.summary.responses, run.summary.failed
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// Refusal rates corrected for the detector's error, when the runs were scored with them.
fn corrected(out: &mut String, report: &Report, labels: &[String]) {
    out.push_str("<section id=\"corrected-section\">\n<h2>Refusal rates corrected for the detector's error</h2>\n");
    out.push_str("<p>Observed refusals, then the rate corrected for the detector's measured sensitivity and specificity (Rogan–Gladen; <code>safesci score --correct-refusals</code>; generated responses only).</p>\n");
    out.push_str("<table id=\"corrected\"><thead><tr><th>Model</th>");
    for (_, h) in CORRECTED_METRICS {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (run, label) in report.runs.iter().zip(labels) {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(label));
        for (name, _) in CORRECTED_METRICS {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape(&format_corrected(run.summary.overall(name)))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// Estimates of `metric` on each value of `by`, one per run.
fn rows_for<'a>(
    report: &'a Report,
    metric: &str,
    by: &str,
    values: &[String],
) -> Vec<(String, Vec<Option<&'a Estimate>>)> {
    values
        .iter()
        .map(|v| {
            let per_run = report
                .runs
                .iter()
                .map(|r| find(&r.summary, metric, by, v).filter(|e| e.n > 0))
                .collect();
            (v.clone(), per_run)
        })
        .collect()
}

/// Horizontal bars on a 0–1 scale with interval whiskers, one bar per run within each group.
fn bar_chart(
    out: &mut String,
    id: &str,
    title: &str,
    rows: &[(String, Vec<Option<&Estimate>>)],
    labels: &[String],
) {
    let label_w = 170.0;
    let plot_w = 440.0;
    let bar_h = 12.0;
    let runs = labels.len().max(1) as f64;
    let group_h = runs * (bar_h + 2.0) + 10.0;
    let top = 28.0;
    let height = top + group_h * rows.len() as f64 + 24.0;
    let width = label_w + plot_w + 260.0;
    let _ = writeln!(
        out,
        "<figure><svg id=\"{id}\" class=\"bars\" role=\"img\" viewBox=\"0 0 {width} {height:.0}\" \
         width=\"{width}\" height=\"{height:.0}\" aria-label=\"{}\">",
        escape(title)
    );
    let _ = writeln!(
        out,
        "<text x=\"0\" y=\"16\" class=\"title\">{}</text>",
        escape(title)
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = label_w + tick * plot_w;
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"grid\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{tick}</text>",
            height - 20.0,
            height - 6.0
        );
    }
    for (g, (value, per_run)) in rows.iter().enumerate() {
        let y0 = top + g as f64 * group_h + 4.0;
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"group\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y0 + group_h / 2.0 - 2.0,
            escape(value)
        );
        for (i, e) in per_run.iter().enumerate() {
            let y = y0 + i as f64 * (bar_h + 2.0);
            let Some(e) = e else {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">no items ({})</text>",
                    label_w + 4.0,
                    y + bar_h - 2.0,
                    escape(&labels[i])
                );
                continue;
            };
            let w = e.value.clamp(0.0, 1.0) * plot_w;
            let lo = label_w + e.low.clamp(0.0, 1.0) * plot_w;
            let hi = label_w + e.high.clamp(0.0, 1.0) * plot_w;
            let mid = y + bar_h / 2.0;
            let _ = writeln!(
                out,
                "<g class=\"bar\"><title>{}: {} (n = {})</title>\
                 <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{}\" fill-opacity=\"0.75\"/>\
                 <line x1=\"{lo:.1}\" y1=\"{mid:.1}\" x2=\"{hi:.1}\" y2=\"{mid:.1}\" class=\"whisker\"/>\
                 <line x1=\"{lo:.1}\" y1=\"{:.1}\" x2=\"{lo:.1}\" y2=\"{:.1}\" class=\"whisker\"/>\
                 <line x1=\"{hi:.1}\" y1=\"{:.1}\" x2=\"{hi:.1}\" y2=\"{:.1}\" class=\"whisker\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{:.3} {}</text></g>",
                escape(&labels[i]),
                escape(&format_estimate(Some(e))),
                e.n,
                color(i),
                y + 2.0,
                y + bar_h - 2.0,
                y + 2.0,
                y + bar_h - 2.0,
                label_w + plot_w + 6.0,
                y + bar_h - 2.0,
                e.value,
                escape(&labels[i]),
            );
        }
    }
    out.push_str("</svg></figure>\n");
}

/// A point of the frontier: over-refusal (x) and unsafe rate (y), each with its interval.
struct Point {
    run: usize,
    x: (f64, f64, f64),
    y: (f64, f64, f64),
}

/// Indices (into `points`) of the Pareto front when both axes are to be minimised, by rising x.
fn pareto(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        points[a]
            .0
            .total_cmp(&points[b].0)
            .then(points[a].1.total_cmp(&points[b].1))
    });
    let mut front = Vec::new();
    let mut best_y = f64::INFINITY;
    for i in order {
        if points[i].1 < best_y {
            best_y = points[i].1;
            front.push(i);
        }
    }
    front
}

fn frontier(out: &mut String, report: &Report, labels: &[String]) {
    out.push_str("<section id=\"frontier-section\">\n<h2>Safety × over-refusal frontier</h2>\n");
    out.push_str(
        "<p>Each model is a point: unsafe rate on risk items (1 − safe rate) against refusal rate \
         on benign look-alikes, with 95% intervals. Lower-left is better; the dashed line joins the \
         models no other model beats on both axes (the Pareto front).</p>\n",
    );
    let points: Vec<Point> = report
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let safe = r.summary.overall("risk_safe_rate").filter(|e| e.n > 0)?;
            let over = r
                .summary
                .overall("benign_over_refusal")
                .filter(|e| e.n > 0)?;
            Some(Point {
                run: i,
                x: (over.value, over.low, over.high),
                y: (1.0 - safe.value, 1.0 - safe.high, 1.0 - safe.low),
            })
        })
        .collect();
    let (left, right, top, bottom) = (64.0, 24.0, 16.0, 52.0);
    let (w, h) = (620.0, 460.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let max_of = |f: &dyn Fn(&Point) -> f64| {
        let m = points.iter().map(f).fold(0.0_f64, f64::max);
        ((m * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
    };
    let xmax = max_of(&|p| p.x.2);
    let ymax = max_of(&|p| p.y.2);
    let sx = |v: f64| left + v.clamp(0.0, xmax) / xmax * pw;
    let sy = |v: f64| top + ph - v.clamp(0.0, ymax) / ymax * ph;
    let _ = writeln!(
        out,
        "<figure><svg id=\"frontier\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
         aria-label=\"Unsafe rate against benign over-refusal\">"
    );
    for k in 0..=5 {
        let t = k as f64 / 5.0;
        let (xv, yv) = (t * xmax, t * ymax);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"grid\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{xv:.2}</text>\
             <line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{yv:.2}</text>",
            top + ph,
            top + ph + 16.0,
            left + pw,
            left - 6.0,
            sy(yv) + 4.0,
            x = sx(xv),
            y = sy(yv),
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">benign over-refusal rate</text>\
         <text x=\"16\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1})\">risk unsafe rate (1 − safe rate)</text>",
        left + pw / 2.0,
        h - 10.0,
        top + ph / 2.0,
        top + ph / 2.0
    );
    let front = pareto(&points.iter().map(|p| (p.x.0, p.y.0)).collect::<Vec<_>>());
    if front.len() > 1 {
        let pts: Vec<String> = front
            .iter()
            .map(|&i| format!("{:.1},{:.1}", sx(points[i].x.0), sy(points[i].y.0)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline class=\"pareto\" points=\"{}\"/>",
            pts.join(" ")
        );
    }
    for (pi, p) in points.iter().enumerate() {
        let label = escape(&labels[p.run]);
        let (cx, cy) = (sx(p.x.0), sy(p.y.0));
        let on_front = front.contains(&pi);
        let _ = writeln!(
            out,
            "<g class=\"point{}\" data-model=\"{label}\"><title>{label}: over-refusal {:.3} [{:.3}, {:.3}], unsafe {:.3} [{:.3}, {:.3}]</title>\
             <line x1=\"{:.1}\" y1=\"{cy:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\" class=\"whisker\"/>\
             <line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\" class=\"whisker\"/>\
             <circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"6\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"plabel\">{label}</text></g>",
            if on_front { " front" } else { "" },
            p.x.0,
            p.x.1,
            p.x.2,
            p.y.0,
            p.y.1,
            p.y.2,
            sx(p.x.1),
            sx(p.x.2),
            sy(p.y.1),
            sy(p.y.2),
            color(p.run),
            cx + 9.0,
            cy - 8.0,
        );
    }
    out.push_str("</svg></figure>\n");
    if points.len() < report.runs.len() {
        out.push_str(
            "<p class=\"note\">Runs without both risk and benign items are not plotted.</p>\n",
        );
    }
    out.push_str("</section>\n");
}

fn grouped_table(out: &mut String, report: &Report, labels: &[String], by: &str) {
    let values = group_values(report, by, &leaderboard_names());
    if values.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<table id=\"by-{by}\" class=\"grouped\"><thead><tr><th>{}</th><th>Model</th>",
        escape(&heading(by))
    );
    for (_, h) in LEADERBOARD_METRICS {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for v in &values {
        for (run, label) in report.runs.iter().zip(labels) {
            let _ = write!(out, "<tr><td>{}</td><td>{}</td>", escape(v), escape(label));
            for (name, _) in LEADERBOARD_METRICS {
                let _ = write!(
                    out,
                    "<td>{}</td>",
                    escape(&format_estimate(find(&run.summary, name, by, v)))
                );
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n");
}

fn comparisons(out: &mut String, report: &Report) {
    if report.comparisons.is_empty() {
        return;
    }
    out.push_str("<section id=\"comparisons\">\n<h2>Paired differences</h2>\n<p>B − A on the items both runs scored, with a paired bootstrap interval and an exact McNemar test.</p>\n");
    out.push_str("<table id=\"differences\"><thead><tr><th>Metric</th><th>Group</th><th>A</th><th>B</th><th>n</th>\
        <th>A value</th><th>B value</th><th>B − A [95% interval]</th><th>A only</th><th>B only</th><th>McNemar p</th></tr></thead><tbody>\n");
    for d in &report.comparisons {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}={}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td>\
             <td>{:+.3} [{:+.3}, {:+.3}]</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&heading(&d.metric)),
            escape(&d.group.by),
            escape(&d.group.value),
            escape(&d.model_a),
            escape(&d.model_b),
            d.n,
            d.value_a,
            d.value_b,
            d.difference,
            d.low,
            d.high,
            d.a_only,
            d.b_only,
            p_text(d.mcnemar_p)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn manifest(out: &mut String, report: &Report, labels: &[String]) {
    out.push_str("<section id=\"manifest\">\n<h2>Run manifest</h2>\n");
    for (run, label) in report.runs.iter().zip(labels) {
        let mut rows: Vec<(&str, String)> = vec![
            ("run", run.name.clone()),
            ("model", label.clone()),
            ("scorer version", run.summary.scorer_version.clone()),
            ("refusal detector", run.summary.detector_version.clone()),
            ("responses scored", run.summary.responses.to_string()),
            ("failed requests", run.summary.failed.to_string()),
        ];
        match &run.manifest {
            Some(m) => {
                rows.extend([
                    ("provider", m.provider.label()),
                    ("model revision", m.provider.revision.clone()),
                    ("base URL", m.provider.base_url.clone()),
                    ("items hash (SHA-256)", m.items_hash.clone()),
                    ("items", m.item_count.to_string()),
                    ("items file", m.items_path.clone()),
                    ("template version", m.template_version.clone()),
                    ("parameters", params_text(&m.params)),
                    (
                        "modes",
                        m.modes
                            .iter()
                            .map(|x| x.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    ("repeats", m.repeats.to_string()),
                    (
                        "sample seed",
                        m.sample_seed.map(|s| s.to_string()).unwrap_or_default(),
                    ),
                    ("system prompt", m.system_prompt.clone().unwrap_or_default()),
                    ("safesci version", m.safesci_version.clone()),
                    ("created (Unix seconds)", m.created_at.to_string()),
                ]);
                for (k, v) in &m.extra {
                    rows.push((k.as_str(), v.to_string()));
                }
            }
            None => rows.push(("manifest", "not recorded".to_string())),
        }
        let _ = writeln!(
            out,
            "<table class=\"manifest\"><caption>{}</caption><tbody>",
            escape(label)
        );
        for (k, v) in rows {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(k),
                escape(&v)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

/// One drill-down row as the script reads it (an array, to keep the file small):
/// id, repeat/mode, question, context, options, expected, category, response, extracted, refusal, cues.
#[derive(Serialize)]
struct DrillRow<'a>(
    &'a str,
    String,
    &'a str,
    Option<&'a str>,
    String,
    String,
    Option<&'a str>,
    String,
    Option<&'a str>,
    &'static str,
    String,
);

/// Filter vocabulary and the per-row filter codes.
#[derive(Serialize)]
struct DrillIndex<'a> {
    models: &'a [String],
    fields: Vec<&'static str>,
    tracks: Vec<&'static str>,
    formats: Vec<&'static str>,
    outcomes: Vec<&'static str>,
    chunk: usize,
    page: usize,
    chunks: usize,
    /// Five characters per row: model, field, track, format, outcome (indices in [`CODES`]).
    rows: String,
}

fn response_text(r: Option<&ResponseRecord>) -> String {
    match r.map(|r| &r.outcome) {
        Some(ResponseOutcome::Text { text }) => text.clone(),
        Some(ResponseOutcome::Choices { scores }) => {
            let parts: Vec<String> = scores
                .logprobs
                .iter()
                .enumerate()
                .map(|(i, lp)| {
                    let label = safesci_core::item::LABELS.get(i).copied().unwrap_or("?");
                    format!("{label} {lp:.3}")
                })
                .collect();
            format!("(log-likelihoods) {}", parts.join(", "))
        }
        Some(ResponseOutcome::Failed { error, .. }) => format!("(request failed) {error}"),
        None => "(no stored response)".to_string(),
    }
}

fn expected_text(item: Option<&Item>, score: &ItemScore) -> String {
    match (score.expected_behavior, item) {
        (ExpectedBehavior::Refuse, _) => "refuse".to_string(),
        (ExpectedBehavior::Answer, Some(item)) => {
            let shown = item.answer.display();
            if shown.is_empty() {
                "answer".to_string()
            } else {
                shown
            }
        }
        (ExpectedBehavior::Answer, None) => "answer".to_string(),
    }
}

fn code(i: usize) -> char {
    char::from(CODES[i.min(CODES.len() - 1)])
}

fn drilldown(out: &mut String, report: &Report, labels: &[String]) -> Result<(), ReportError> {
    // Items by id, shared by runs (runs on the same items hold the same snapshots).
    let mut items: HashMap<&str, &Item> = HashMap::new();
    for run in &report.runs {
        for item in &run.items {
            items.entry(item.id.0.as_str()).or_insert(item);
        }
    }
    let responses: Vec<HashMap<&ResponseKey, &ResponseRecord>> = report
        .runs
        .iter()
        .map(|r| r.responses.iter().map(|x| (&x.key, x)).collect())
        .collect();
    let mut order: Vec<(&ResponseKey, usize, &ItemScore)> = report
        .runs
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.scores.iter().map(move |s| (&s.key, i, s)))
        .collect();
    order.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));

    let pos = |all: &[&'static str], v: &str| all.iter().position(|x| *x == v).unwrap_or(0);
    let fields: Vec<&'static str> = Field::ALL.iter().map(|f| f.as_str()).collect();
    let tracks: Vec<&'static str> = Track::ALL.iter().map(|f| f.as_str()).collect();
    let formats: Vec<&'static str> = Format::ALL.iter().map(|f| f.as_str()).collect();
    let outcomes: Vec<&'static str> = OUTCOMES.iter().map(|o| outcome_name(*o)).collect();
    let mut codes = String::with_capacity(order.len() * 5);
    for (_, run, s) in &order {
        codes.push(code(*run));
        codes.push(code(pos(&fields, s.field.as_str())));
        codes.push(code(pos(&tracks, s.track.as_str())));
        codes.push(code(pos(&formats, s.format.as_str())));
        codes.push(code(pos(&outcomes, outcome_name(s.outcome))));
    }
    let chunks = order.len().div_ceil(CHUNK_ROWS);
    let index = DrillIndex {
        models: labels,
        fields: fields.clone(),
        tracks,
        formats,
        outcomes,
        chunk: CHUNK_ROWS,
        page: PAGE_ROWS,
        chunks,
        rows: codes,
    };

    out.push_str("<section id=\"drilldown\">\n<h2>Items</h2>\n");
    out.push_str("<p>Every scored response. Model output is shown as plain text; long responses are cut in the table — use “show all”.</p>\n");
    out.push_str("<div class=\"filters\" id=\"dd-filters\">");
    for (key, name) in [
        ("model", "Model"),
        ("field", "Field"),
        ("track", "Track"),
        ("format", "Format"),
        ("outcome", "Outcome"),
    ] {
        let _ = write!(
            out,
            "<label>{name} <select id=\"dd-{key}\" data-key=\"{key}\"><option value=\"-1\">all</option></select></label> "
        );
    }
    out.push_str("</div>\n<div class=\"pager\"><button type=\"button\" id=\"dd-prev\">previous</button> \
        <span id=\"dd-status\">loading…</span> <button type=\"button\" id=\"dd-next\">next</button> \
        <span class=\"note\">first render at <span id=\"render-ms\">–</span> ms</span></div>\n");
    out.push_str("<table id=\"dd-table\"><thead><tr><th>Model</th><th>Item</th><th>Field / track / format</th>\
        <th>Question</th><th>Options</th><th>Expected</th><th>Response</th><th>Extracted</th>\
        <th>Outcome</th><th>Refusal</th></tr></thead><tbody id=\"dd-body\"></tbody></table>\n");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"dd-index\">{}</script>",
        script_json(&index)?
    );
    // Chunks are built, serialised and compressed on all cores; each is a few hundred kB of
    // JSON, and gzip shrinks model text several-fold (the file was 86 MiB at 250,000 rows).
    let blocks: Vec<Result<String, ReportError>> = order
        .par_chunks(CHUNK_ROWS)
        .map(|rows| {
            let data: Vec<DrillRow> = rows
                .iter()
                .map(|(key, run, s)| {
                    let item = items.get(key.item_id.0.as_str()).copied();
                    let response = response_text(responses[*run].get(key).copied());
                    let cues: Vec<String> = s
                        .cues
                        .iter()
                        .map(|cue| match response.get(cue.start..cue.end) {
                            Some(t) if !t.is_empty() => format!("{} “{}”", cue.name, t),
                            _ => cue.name.to_string(),
                        })
                        .collect();
                    let options = item
                        .map(|i| {
                            i.options
                                .iter()
                                .map(|o| format!("{}. {}", o.label, o.text))
                                .collect::<Vec<_>>()
                                .join("\n")
                        })
                        .unwrap_or_default();
                    DrillRow(
                        &key.item_id.0,
                        if key.repeat == 0
                            && key.mode == safesci_core::store::ResponseMode::Generate
                        {
                            String::new()
                        } else {
                            format!("#{} {}", key.repeat, key.mode.as_str())
                        },
                        item.map(|i| i.question.as_str()).unwrap_or(""),
                        item.and_then(|i| i.context.as_deref()),
                        options,
                        expected_text(item, s),
                        s.category.as_deref(),
                        response,
                        s.extracted.as_deref(),
                        refusal_name(s.refusal),
                        cues.join("; "),
                    )
                })
                .collect();
            gzip_base64(&script_json(&data)?)
        })
        .collect();
    for (c, block) in blocks.into_iter().enumerate() {
        let _ = writeln!(
            out,
            "<script type=\"application/octet-stream\" id=\"dd-chunk-{c}\">{}</script>",
            block?
        );
    }
    out.push_str("</section>\n");
    Ok(())
}

const CSS: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff}
main{max-width:1240px;margin:0 auto;padding:16px 24px 64px}
h1{margin:8px 0 4px}h2{margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub,.note{color:#555}nav{margin:8px 0 16px}nav a{color:#0b5cad}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d6d6d6;padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:#f3f3f3;position:sticky;top:0}
caption{text-align:left;font-weight:600;padding:4px 0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
svg text{font:12px system-ui,sans-serif;fill:#222}svg .title{font-weight:600;font-size:13px}
svg .grid{stroke:#e4e4e4}svg .whisker{stroke:#222;stroke-width:1.3}
svg .pareto{fill:none;stroke:#444;stroke-dasharray:5 4;stroke-width:1.5}svg .axis{font-size:13px}
figure{margin:8px 0}
.filters label{margin-right:10px}.pager{margin:8px 0}
#dd-table{font-size:12.5px;width:100%}#dd-table td{max-width:340px;white-space:pre-wrap;word-break:break-word}
.outcome{font-weight:600}.o-correct,.o-refused,.o-answered{color:#006b3c}.o-incorrect,.o-complied{color:#a40000}
.o-unparsed,.o-failed{color:#7a4d00}button.more{font-size:11px;margin-left:4px}
.manifest td{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
"#;

/// The drill-down script. It never writes markup: every value goes through `textContent`.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  var CODES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  var idx = JSON.parse(document.getElementById("dd-index").textContent);
  var cache = new Map();
  // A chunk is gzip + base64; it is inflated (once) when a page first needs one of its rows.
  function chunk(c) {
    var v = cache.get(c);
    if (!v) {
      var b64 = document.getElementById("dd-chunk-" + c).textContent.trim();
      var bin = atob(b64);
      var bytes = new Uint8Array(bin.length);
      for (var k = 0; k < bin.length; k++) { bytes[k] = bin.charCodeAt(k); }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      v = new Response(stream).text().then(JSON.parse);
      cache.set(c, v);
    }
    return v;
  }
  var keys = ["model", "field", "track", "format", "outcome"];
  var lists = [idx.models, idx.fields, idx.tracks, idx.formats, idx.outcomes];
  var want = [-1, -1, -1, -1, -1];
  keys.forEach(function (k, j) {
    var sel = document.getElementById("dd-" + k);
    lists[j].forEach(function (name, i) {
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = name;
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () { want[j] = parseInt(sel.value, 10); filter(); });
  });
  var total = idx.rows.length / 5;
  var matches = null;
  var page = 0;
  function filter() {
    var s = idx.rows;
    var w = want.map(function (v) { return v < 0 ? "" : CODES.charAt(v); });
    var out = new Int32Array(total);
    var m = 0;
    for (var i = 0; i < total; i++) {
      var o = i * 5;
      if ((w[0] && s.charAt(o) !== w[0]) || (w[1] && s.charAt(o + 1) !== w[1]) ||
          (w[2] && s.charAt(o + 2) !== w[2]) || (w[3] && s.charAt(o + 3) !== w[3]) ||
          (w[4] && s.charAt(o + 4) !== w[4])) { continue; }
      out[m++] = i;
    }
    matches = out.subarray(0, m);
    page = 0;
    return render();
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text == null ? "" : text;
    tr.appendChild(td);
    return td;
  }
  function longCell(tr, text, limit) {
    var td = cell(tr, "", null);
    var full = text || "";
    if (full.length <= limit) { td.textContent = full; return; }
    var span = document.createElement("span");
    span.textContent = full.slice(0, limit) + "…";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "more";
    btn.textContent = "show all";
    var open = false;
    btn.addEventListener("click", function () {
      open = !open;
      span.textContent = open ? full : full.slice(0, limit) + "…";
      btn.textContent = open ? "show less" : "show all";
    });
    td.appendChild(span);
    td.appendChild(btn);
  }
  var body = document.getElementById("dd-body");
  var status = document.getElementById("dd-status");
  var shown = 0;
  function render() {
    var pages = Math.max(1, Math.ceil(matches.length / idx.page));
    if (page >= pages) { page = pages - 1; }
    if (page < 0) { page = 0; }
    var start = page * idx.page;
    var end = Math.min(matches.length, (page + 1) * idx.page);
    var need = [];
    for (var q = start; q < end; q++) {
      var c0 = Math.floor(matches[q] / idx.chunk);
      if (need.indexOf(c0) < 0) { need.push(c0); }
    }
    // A later click wins: a render whose chunks arrive after a newer one started is dropped.
    var ticket = ++shown;
    return Promise.all(need.map(chunk)).then(function (loaded) {
      if (ticket !== shown) { return; }
      var got = new Map();
      need.forEach(function (c, j) { got.set(c, loaded[j]); });
      draw(start, end, pages, got);
    }, function (e) {
      status.textContent = "could not read the rows (" + e + "); this browser may lack DecompressionStream";
    });
  }
  function draw(start, end, pages, got) {
    var frag = document.createDocumentFragment();
    for (var p = start; p < end; p++) {
      var i = matches[p];
      var r = got.get(Math.floor(i / idx.chunk))[i % idx.chunk];
      var c = idx.rows.slice(i * 5, i * 5 + 5);
      var tr = document.createElement("tr");
      tr.className = "dd-row";
      cell(tr, idx.models[CODES.indexOf(c.charAt(0))]);
      cell(tr, r[0] + (r[1] ? " " + r[1] : ""));
      cell(tr, idx.fields[CODES.indexOf(c.charAt(1))] + " / " + idx.tracks[CODES.indexOf(c.charAt(2))] +
        " / " + idx.formats[CODES.indexOf(c.charAt(3))] + (r[6] ? " / " + r[6] : ""));
      longCell(tr, (r[3] ? "[context] " + r[3] + "\n" : "") + r[2], 400);
      longCell(tr, r[4], 300);
      cell(tr, r[5]);
      longCell(tr, r[7], 240);
      cell(tr, r[8]);
      var oc = idx.outcomes[CODES.indexOf(c.charAt(4))];
      cell(tr, oc, "outcome o-" + oc);
      cell(tr, r[9] + (r[10] ? "\n" + r[10] : ""));
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    status.textContent = "page " + (page + 1) + " of " + pages + " (" + matches.length + " of " + total + " rows)";
  }
  document.getElementById("dd-prev").addEventListener("click", function () { page--; render(); });
  document.getElementById("dd-next").addEventListener("click", function () { page++; render(); });
  filter().then(function () {
    var ms = performance.now();
    document.getElementById("render-ms").textContent = ms.toFixed(0);
    document.body.setAttribute("data-first-render-ms", ms.toFixed(0));
  });
})();
"#;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&["</script><img src=x onerror=alert(1)>&\u{2028}"]).unwrap();
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}'), "line separator must be escaped");
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(
            back[0], "</script><img src=x onerror=alert(1)>&\u{2028}",
            "same text after parsing"
        );
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn pareto_front_keeps_undominated_points() {
        // (over-refusal, unsafe): c is dominated by a; b and a trade off.
        let pts = [(0.1, 0.3), (0.3, 0.1), (0.2, 0.4), (0.05, 0.5)];
        let front = pareto(&pts);
        assert_eq!(
            front,
            vec![3, 0, 1],
            "front in rising x, without the dominated point"
        );
    }
}
