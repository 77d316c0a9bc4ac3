//! What a report is made of: each run's manifest, summary, items, responses and scores, loaded from
//! its run store exactly as `safesci score` left them. Nothing here computes a metric.

use crate::ReportError;
use safesci_core::item::Item;
use safesci_core::store::{ResponseRecord, RunManifest, RunStore};
use safesci_score::types::{
    ItemScore, PairedDifference, RunSummary, ScoringMode, summary_meta_key,
};
use std::path::Path;

/// One scored run.
#[derive(Debug, Clone)]
pub struct RunData {
    /// Short name of the run (its directory name); never a full path, so outputs stay portable.
    pub name: String,
    pub manifest: Option<RunManifest>,
    pub summary: RunSummary,
    pub items: Vec<Item>,
    pub responses: Vec<ResponseRecord>,
    pub scores: Vec<ItemScore>,
}

/// Everything one report shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub mode: ScoringMode,
    pub runs: Vec<RunData>,
    /// Paired differences between runs (from `safesci_score::compare`), in display order.
    pub comparisons: Vec<PairedDifference>,
}

impl Report {
    pub fn new(mode: ScoringMode, runs: Vec<RunData>) -> Report {
        Report {
            mode,
            runs,
            comparisons: Vec::new(),
        }
    }

    /// Add the paired differences of every later run against the first (the baseline), computed by
    /// `safesci_score::compare` on the responses both runs share.
    pub fn with_paired_differences(mut self) -> Report {
        let labels = self.labels();
        let mut out = Vec::new();
        if let Some((base, rest)) = self.runs.split_first() {
            for (run, label) in rest.iter().zip(labels.iter().skip(1)) {
                out.extend(safesci_score::compare(
                    &base.scores,
                    &run.scores,
                    (labels[0].as_str(), label.as_str()),
                ));
            }
        }
        self.comparisons = out;
        self
    }

    /// The name each run is shown under: its model label, or `model (run)` when two runs share a
    /// model label (e.g. the same model with two templates).
    pub fn labels(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|r| {
                let shared = self
                    .runs
                    .iter()
                    .filter(|o| o.summary.model == r.summary.model)
                    .count()
                    > 1;
                if shared {
                    format!("{} ({})", r.summary.model, r.name)
                } else {
                    r.summary.model.clone()
                }
            })
            .collect()
    }
}

/// Load run directory `dir` scored in `mode`.
pub fn load_run(dir: &Path, mode: ScoringMode) -> Result<RunData, ReportError> {
    let store_err = |source| ReportError::Store {
        path: dir.to_path_buf(),
        source,
    };
    let store = RunStore::open(dir).map_err(store_err)?;
    let raw_scores = store.scores(mode.as_str()).map_err(store_err)?;
    if raw_scores.is_empty() {
        return Err(ReportError::NoScores {
            path: dir.to_path_buf(),
            mode: mode.as_str().to_string(),
        });
    }
    let key = summary_meta_key(mode);
    let summary_json =
        store
            .meta(&key)
            .map_err(store_err)?
            .ok_or_else(|| ReportError::NoSummary {
                path: dir.to_path_buf(),
                key: key.clone(),
            })?;
    let summary: RunSummary =
        serde_json::from_str(&summary_json).map_err(|source| ReportError::Json {
            path: dir.to_path_buf(),
            what: "summary",
            key: key.clone(),
            source,
        })?;
    let mut scores = Vec::with_capacity(raw_scores.len());
    for (key, json) in raw_scores {
        let score: ItemScore = serde_json::from_str(&json).map_err(|source| ReportError::Json {
            path: dir.to_path_buf(),
            what: "score",
            key: key.item_id.0.clone(),
            source,
        })?;
        scores.push(score);
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".to_string());
    Ok(RunData {
        name,
        manifest: store.manifest().map_err(store_err)?,
        summary,
        items: store.items().map_err(store_err)?,
        responses: store.responses().map_err(store_err)?,
        scores,
    })
}
