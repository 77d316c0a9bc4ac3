//! `safesci report`: render scored runs as Markdown, CSV, JSON or one self-contained HTML file.
//! Loading, comparing and rendering live in `safesci-report`; this module resolves arguments and
//! writes the result (data on stdout or to `-o`, the "written to" line on stderr).

use crate::exit::{Exit, Hint};
use anyhow::Context;
use clap::{Args, ValueEnum};
use safesci_report::{Report, ReportError, ReportFormat, load_run, render};
use safesci_score::types::ScoringMode;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directories scored with `safesci score` (several runs: one leaderboard, paired
    /// differences of each run against the first).
    #[arg(required = true, value_name = "RUN")]
    pub runs: Vec<PathBuf>,
    /// Output format; default: from the `-o` extension, else Markdown.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which stored scores to report.
    #[arg(long, value_enum, default_value_t = ModeArg::Strict)]
    pub mode: ModeArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Md,
    Csv,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Strict,
    SafesciCompat,
}

impl From<FormatArg> for ReportFormat {
    fn from(f: FormatArg) -> ReportFormat {
        match f {
            FormatArg::Md => ReportFormat::Markdown,
            FormatArg::Csv => ReportFormat::Csv,
            FormatArg::Json => ReportFormat::Json,
            FormatArg::Html => ReportFormat::Html,
        }
    }
}

impl From<ModeArg> for ScoringMode {
    fn from(m: ModeArg) -> ScoringMode {
        match m {
            ModeArg::Strict => ScoringMode::Strict,
            ModeArg::SafesciCompat => ScoringMode::SafesciCompat,
        }
    }
}

pub fn run_report(args: ReportArgs) -> anyhow::Result<Exit> {
    let mode: ScoringMode = args.mode.into();
    let format = match (args.format, &args.output) {
        (Some(f), _) => f.into(),
        (None, Some(path)) => ReportFormat::from_path(path).unwrap_or(ReportFormat::Markdown),
        (None, None) => ReportFormat::Markdown,
    };
    let mut runs = Vec::with_capacity(args.runs.len());
    for dir in &args.runs {
        let run = load_run(dir, mode).map_err(|e| {
            let hint = match &e {
                ReportError::NoScores { .. } | ReportError::NoSummary { .. } => Some(format!(
                    "run `safesci score {}{}` first",
                    dir.display(),
                    if mode == ScoringMode::Strict {
                        ""
                    } else {
                        " --mode safesci-compat"
                    }
                )),
                _ => None,
            };
            let err = match hint {
                Some(h) => anyhow::Error::new(Hint(h)).context(e.to_string()),
                None => anyhow::Error::new(e),
            };
            err.context(format!("failed to load run `{}`", dir.display()))
        })?;
        runs.push(run);
    }
    let report = Report::new(mode, runs).with_paired_differences();
    let text = render(&report, format).context("failed to render the report")?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("failed to write `{}`", path.display()))?;
            eprintln!(
                "report written to {} ({} bytes)",
                path.display(),
                text.len()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .context("failed to write the report to stdout")?;
            out.flush()
                .context("failed to write the report to stdout")?;
        }
    }
    Ok(Exit::Success)
}
