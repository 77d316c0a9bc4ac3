//! Leaderboards and reports of scored runs: Markdown, CSV, JSON and one self-contained HTML file.
//!
//! The report stage never re-decides a score: it reads what `safesci score` stored in each run
//! store (per-response [`ItemScore`]s and the [`RunSummary`] with its intervals) and renders it.
//! Paired differences between runs are computed by the scoring crate and handed in
//! ([`Report::comparisons`]), so every number here has exactly one implementation.
//!
//! Layout: [`data`] loads runs into a [`Report`]; [`markdown`], [`csv_export`], [`json_export`] and
//! [`html`] render it. To add a format, add a module with a `render(&Report) -> Result<String, _>`
//! function, a [`ReportFormat`] variant, and a snapshot test.
//!
//! [`ItemScore`]: safesci_score::types::ItemScore
//! [`RunSummary`]: safesci_score::types::RunSummary

pub mod csv_export;
pub mod data;
pub mod fixture;
pub mod html;
pub mod json_export;
pub mod markdown;
mod table;

pub use data::{Report, RunData, load_run};
pub use table::{LEADERBOARD_METRICS, format_estimate};

use std::path::{Path, PathBuf};

/// Version of the CSV and JSON report layouts (columns, keys). Bump when one changes.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// Errors of the report stage.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("failed to read run store `{path}`")]
    Store {
        path: PathBuf,
        #[source]
        source: safesci_core::store::StoreError,
    },
    #[error("run `{path}` has no `{mode}` scores")]
    NoScores { path: PathBuf, mode: String },
    #[error("run `{path}` has no `{key}` summary")]
    NoSummary { path: PathBuf, key: String },
    #[error("run `{path}` holds a malformed `{what}` for `{key}`")]
    Json {
        path: PathBuf,
        what: &'static str,
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("failed to serialise the report as {0}")]
    Serialise(
        &'static str,
        #[source] Box<dyn std::error::Error + Send + Sync>,
    ),
    #[error("a report holds at most {max} runs, got {got}")]
    TooManyRuns { max: usize, got: usize },
    #[error("no runs to report")]
    Empty,
}

/// Output formats of `safesci report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Csv,
    Json,
    Html,
}

impl ReportFormat {
    /// The format a file name implies (`.md`, `.csv`, `.json`, `.html`/`.htm`), if any.
    pub fn from_path(path: &Path) -> Option<ReportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "csv" => Some(ReportFormat::Csv),
            "json" => Some(ReportFormat::Json),
            "html" | "htm" => Some(ReportFormat::Html),
            _ => None,
        }
    }
}

/// Render `report` in `format`.
pub fn render(report: &Report, format: ReportFormat) -> Result<String, ReportError> {
    match format {
        ReportFormat::Markdown => Ok(markdown::render(report)),
        ReportFormat::Csv => csv_export::render(report),
        ReportFormat::Json => json_export::render(report),
        ReportFormat::Html => html::render(report),
    }
}
