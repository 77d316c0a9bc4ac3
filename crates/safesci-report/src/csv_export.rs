//! The CSV report: one long table, one row per (run, metric, group) estimate, then one row per paired
//! difference. Columns are fixed ([`COLUMNS`]) and documented in `docs/report.md`; cells that do not
//! apply to a row kind are empty.

use crate::data::Report;
use crate::{REPORT_SCHEMA_VERSION, ReportError};

/// Header row, in order.
pub const COLUMNS: [&str; 20] = [
    "schema_version",
    "kind",
    "run",
    "model",
    "model_b",
    "metric",
    "group_by",
    "group_value",
    "k",
    "n",
    "value",
    "low",
    "high",
    "method",
    "families",
    "value_a",
    "value_b",
    "a_only",
    "b_only",
    "mcnemar_p",
];

fn num(x: f64) -> String {
    format!("{x:.6}")
}

/// Render the long table.
pub fn render(report: &Report) -> Result<String, ReportError> {
    let err = |e: csv::Error| ReportError::Serialise("csv", Box::new(e));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(err)?;
    let version = REPORT_SCHEMA_VERSION.to_string();
    let labels = report.labels();
    for (run, label) in report.runs.iter().zip(&labels) {
        for m in &run.summary.metrics {
            let e = &m.estimate;
            w.write_record([
                version.as_str(),
                "estimate",
                &run.name,
                label,
                "",
                &m.name,
                &m.group.by,
                &m.group.value,
                &e.k.to_string(),
                &e.n.to_string(),
                &num(e.value),
                &num(e.low),
                &num(e.high),
                &e.method,
                &e.families.to_string(),
                "",
                "",
                "",
                "",
                "",
            ])
            .map_err(err)?;
        }
    }
    for d in &report.comparisons {
        w.write_record([
            version.as_str(),
            "difference",
            "",
            &d.model_a,
            &d.model_b,
            &d.metric,
            &d.group.by,
            &d.group.value,
            "",
            &d.n.to_string(),
            &num(d.difference),
            &num(d.low),
            &num(d.high),
            "paired-bootstrap",
            "",
            &num(d.value_a),
            &num(d.value_b),
            &d.a_only.to_string(),
            &d.b_only.to_string(),
            &num(d.mcnemar_p),
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ReportError::Serialise("csv", Box::new(e.into_error())))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Serialise("csv", Box::new(e)))
}
