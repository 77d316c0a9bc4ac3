//! The JSON report: the leaderboard, every metric of every run, the run manifests and the paired
//! differences, under a `schema_version`. Keys are documented in `docs/report.md`; per-item rows
//! are not included (they live in the run store and the HTML drill-down).

use crate::data::Report;
use crate::table::LEADERBOARD_METRICS;
use crate::{REPORT_SCHEMA_VERSION, ReportError};
use safesci_core::store::RunManifest;
use safesci_score::types::{Estimate, Metric, PairedDifference};
use serde::Serialize;
use std::collections::BTreeMap;

/// Top-level object.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub schema_version: u32,
    pub mode: &'static str,
    pub runs: Vec<JsonRun<'a>>,
    pub comparisons: &'a [PairedDifference],
}

/// One run.
#[derive(Debug, Serialize)]
pub struct JsonRun<'a> {
    pub run: &'a str,
    pub model: String,
    pub scorer_version: &'a str,
    pub detector_version: &'a str,
    pub responses: u64,
    pub failed: u64,
    /// The five leaderboard metrics on the overall group (`null` when the run has none).
    pub leaderboard: BTreeMap<&'static str, Option<&'a Estimate>>,
    /// Every metric the scorer wrote, as it wrote them.
    pub metrics: &'a [Metric],
    /// The run manifest minus the local items path (`null` for runs without one).
    pub manifest: Option<RunManifest>,
}

/// Render as pretty JSON.
pub fn render(report: &Report) -> Result<String, ReportError> {
    let labels = report.labels();
    let runs = report
        .runs
        .iter()
        .zip(labels)
        .map(|(r, model)| JsonRun {
            run: &r.name,
            model,
            scorer_version: &r.summary.scorer_version,
            detector_version: &r.summary.detector_version,
            responses: r.summary.responses,
            failed: r.summary.failed,
            leaderboard: LEADERBOARD_METRICS
                .iter()
                .map(|(n, _)| (*n, r.summary.overall(n)))
                .collect(),
            metrics: &r.summary.metrics,
            manifest: r.manifest.clone().map(|mut m| {
                // The path is where the items sat on one machine: noise in a shared artifact.
                m.items_path = String::new();
                m
            }),
        })
        .collect();
    let doc = JsonReport {
        schema_version: REPORT_SCHEMA_VERSION,
        mode: report.mode.as_str(),
        runs,
        comparisons: &report.comparisons,
    };
    let mut s = serde_json::to_string_pretty(&doc)
        .map_err(|e| ReportError::Serialise("json", Box::new(e)))?;
    s.push('\n');
    Ok(s)
}
