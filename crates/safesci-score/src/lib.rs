//! Answer extraction, refusal detection, metrics and statistics.
//!
//! Stages: extraction (per format) → refusal detection → per-response [`types::ItemScore`] →
//! metrics with intervals ([`types::RunSummary`]) and paired comparisons.
//!
//! The entry points other crates use: [`score_run`] (compute), [`save_scores`] (persist to the
//! run store), [`load_scores`] (read back what `safesci score` stored) and [`compare`].

pub mod align;
pub mod chem;
pub mod compat;
pub mod extract;
pub mod metrics;
pub mod refusal;
pub mod scoring;
pub mod stats;
pub mod types;

use rayon::prelude::*;
use safesci_core::item::Item;
use safesci_core::store::{RunStore, StoreError};
use std::collections::HashMap;
use types::{Group, ItemScore, PairedDifference, RunSummary, ScoringMode, summary_meta_key};

pub use scoring::score_record;

/// Errors of the scoring stage.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("run store holds no items; was `safesci eval` run into it?")]
    NoItems,
    #[error("score JSON for `{key}` is malformed")]
    Json {
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("response for item `{0}` has no item in the run store")]
    UnknownItem(String),
}

/// The model label of a run: `kind:model` from its manifest, or `unknown`.
pub fn model_label(store: &RunStore) -> Result<String, ScoreError> {
    Ok(store
        .manifest()?
        .map(|m| format!("{}:{}", m.provider.kind, m.provider.model))
        .unwrap_or_else(|| "unknown".to_string()))
}

/// Score every response of a run (reads only; see [`save_scores`]).
pub fn score_run(
    store: &RunStore,
    mode: ScoringMode,
) -> Result<(Vec<ItemScore>, RunSummary), ScoreError> {
    let items = store.items()?;
    if items.is_empty() {
        return Err(ScoreError::NoItems);
    }
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.id.0.as_str(), i)).collect();
    let responses = store.responses()?;
    // Every response's item first, in order, so an unknown item is reported as the first one
    // the store holds; then the scoring itself, spread over rayon's threads (the order of the
    // scores is the responses' order, and each score depends on its response alone).
    let pairs = responses
        .iter()
        .map(|rec| {
            by_id
                .get(rec.key.item_id.0.as_str())
                .map(|&item| (item, rec))
                .ok_or_else(|| ScoreError::UnknownItem(rec.key.item_id.0.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scores: Vec<ItemScore> = pairs
        .par_iter()
        .map(|&(item, rec)| score_record(item, rec, mode))
        .collect();
    let summary = metrics::summarize(&scores, mode, &model_label(store)?);
    Ok((scores, summary))
}

/// Store scores (replacing those of the same mode) and the summary under
/// [`summary_meta_key`].
pub fn save_scores(
    store: &mut RunStore,
    mode: ScoringMode,
    scores: &[ItemScore],
    summary: &RunSummary,
) -> Result<(), ScoreError> {
    let rows = scores
        .par_iter()
        .map(|s| {
            serde_json::to_string(s)
                .map(|j| (s.key.clone(), j))
                .map_err(|source| ScoreError::Json {
                    key: s.key.item_id.0.clone(),
                    source,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    store.replace_scores(mode.as_str(), &rows)?;
    let json = serde_json::to_string(summary).map_err(|source| ScoreError::Json {
        key: "summary".into(),
        source,
    })?;
    store.set_meta(&summary_meta_key(mode), &json)?;
    Ok(())
}

/// Read back the scores and summary `safesci score` stored for `mode` (the summary is `None`
/// when the run was never scored in that mode).
pub fn load_scores(
    store: &RunStore,
    mode: ScoringMode,
) -> Result<(Vec<ItemScore>, Option<RunSummary>), ScoreError> {
    let scores = store
        .scores(mode.as_str())?
        .into_iter()
        .map(|(key, json)| {
            serde_json::from_str(&json).map_err(|source| ScoreError::Json {
                key: key.item_id.0,
                source,
            })
        })
        .collect::<Result<Vec<ItemScore>, _>>()?;
    let summary = match store.meta(&summary_meta_key(mode))? {
        Some(j) => Some(serde_json::from_str(&j).map_err(|source| ScoreError::Json {
            key: "summary".into(),
            source,
        })?),
        None => None,
    };
    Ok((scores, summary))
}

/// Paired comparison of two runs' scores on the responses they share (same item, repeat, mode):
/// for each metric of [`metrics::PAIRED_METRICS`], overall and per field, the rates, b − a with a
/// family-clustered paired bootstrap interval, discordant counts and the exact McNemar p.
/// `labels` are the two runs' model labels.
pub fn compare(a: &[ItemScore], b: &[ItemScore], labels: (&str, &str)) -> Vec<PairedDifference> {
    let bk = metrics::by_key(b);
    let pairs: Vec<(&ItemScore, &ItemScore)> = a
        .iter()
        .filter_map(|x| bk.get(&x.key).map(|y| (x, *y)))
        .collect();
    let mut groups: Vec<Group> = vec![Group {
        by: "overall".into(),
        value: "all".into(),
    }];
    let mut fields: Vec<&str> = pairs.iter().map(|(x, _)| x.field.as_str()).collect();
    fields.sort_unstable();
    fields.dedup();
    groups.extend(fields.iter().map(|f| Group {
        by: "field".into(),
        value: (*f).into(),
    }));
    let mut out = Vec::new();
    for metric in metrics::PAIRED_METRICS {
        for g in &groups {
            let trials: Vec<stats::PairedTrial> = pairs
                .iter()
                .filter(|(x, _)| g.by == "overall" || x.field.as_str() == g.value)
                .filter_map(|(x, y)| {
                    Some(stats::PairedTrial {
                        family: x.family.as_str(),
                        a: metrics::item_success(metric, x)?,
                        b: metrics::item_success(metric, y)?,
                    })
                })
                .collect();
            if trials.is_empty() {
                continue;
            }
            let p = stats::paired(&trials, stats::BOOTSTRAP_REPS, stats::BOOTSTRAP_SEED);
            out.push(PairedDifference {
                metric: (*metric).to_string(),
                group: g.clone(),
                model_a: labels.0.to_string(),
                model_b: labels.1.to_string(),
                n: p.n,
                value_a: p.value_a,
                value_b: p.value_b,
                difference: p.difference,
                low: p.low,
                high: p.high,
                a_only: p.a_only,
                b_only: p.b_only,
                mcnemar_p: p.mcnemar_p,
            });
        }
    }
    out
}
