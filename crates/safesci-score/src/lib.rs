//! Answer extraction, refusal detection, metrics and statistics.
//!
//! Stages: extraction (per format) → refusal detection → per-response [`types::ItemScore`] →
//! metrics with intervals ([`types::RunSummary`]) and paired comparisons.

pub mod types;
