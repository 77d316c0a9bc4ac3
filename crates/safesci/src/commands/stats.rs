//! `safesci stats` and `safesci validate`: inspect item files (JSONL or Parquet, by extension).

use crate::exit::Exit;
use anyhow::Context;
use clap::Args;
use safesci_core::io::BadItemPolicy;
use safesci_import::Stats;
use safesci_import::stats::stats_of_file;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Item file (`.jsonl` or `.parquet`).
    pub items: PathBuf,
    /// Print JSON (`total`, `by_field`, `by_track`, `by_format`, `by_split`, `by_source`,
    /// `families`) instead of tables.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Item file (`.jsonl` or `.parquet`).
    pub items: PathBuf,
}

pub fn run_stats(args: StatsArgs) -> anyhow::Result<Exit> {
    let (stats, _) = stats_of_file(&args.items, BadItemPolicy::Stop)
        .with_context(|| format!("failed to compute stats of `{}`", args.items.display()))?;
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&stats)?;
        s.push('\n');
        s
    } else {
        render(&stats)
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Exit::Success)
}

fn table(out: &mut String, title: &str, counts: &BTreeMap<String, u64>, total: u64) {
    let width = counts
        .keys()
        .map(|k| k.chars().count())
        .chain([title.len()])
        .max()
        .unwrap_or(0);
    let _ = writeln!(out, "{title:<width$}  {:>9}  {:>6}", "items", "share");
    for (key, n) in counts {
        let share = if total == 0 {
            0.0
        } else {
            100.0 * *n as f64 / total as f64
        };
        let _ = writeln!(out, "{key:<width$}  {n:>9}  {share:>5.1}%");
    }
    out.push('\n');
}

/// Human-readable tables, one per dimension.
pub fn render(stats: &Stats) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "items     {:>9}", stats.total);
    let _ = writeln!(out, "families  {:>9}\n", stats.families);
    table(&mut out, "field", &stats.by_field, stats.total);
    table(&mut out, "track", &stats.by_track, stats.total);
    table(&mut out, "format", &stats.by_format, stats.total);
    table(&mut out, "split", &stats.by_split, stats.total);
    table(&mut out, "source", &stats.by_source, stats.total);
    out.pop();
    out
}

pub fn run_validate(args: ValidateArgs) -> anyhow::Result<Exit> {
    let mut good = 0u64;
    let skipped = safesci_import::files::for_each_batch(&args.items, BadItemPolicy::Skip, |b| {
        good += b.len() as u64
    })
    .with_context(|| format!("failed to validate `{}`", args.items.display()))?;
    let mut stdout = std::io::stdout().lock();
    for e in &skipped {
        writeln!(stdout, "{e}")?;
    }
    writeln!(
        stdout,
        "{} items checked: {good} good, {} bad",
        good + skipped.len() as u64,
        skipped.len()
    )?;
    Ok(if skipped.is_empty() {
        Exit::Success
    } else {
        Exit::Error
    })
}
