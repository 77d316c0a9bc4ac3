//! `safesci import …`: external data → items (JSONL, or Parquet when `-o` ends in `.parquet`).
//! One subcommand per input kind; the conversion lives in `safesci-import`.

use crate::exit::{Exit, Hint};
use anyhow::Context;
use clap::{Args, Subcommand};
use safesci_core::io::BadItemPolicy;
use safesci_core::item::{Field, Format, Item, Split, Track};
use safesci_import::alpaca::{AlpacaOptions, import_alpaca};
use safesci_import::safesci::{Manifests, SafesciOptions, import_path};
use safesci_import::table::{ColumnMap, TableKind, TableOptions, import_table};
use std::fmt::Display;
use std::path::{Path, PathBuf};

/// How many skipped records to list on stderr before only counting them.
const SHOW_SKIPPED: usize = 20;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The official SafeSci release: `test_set.json`, `mini_test_set.json`, `train_set.json`
    /// (train split) or per-source files, routed by the reference's manifests.
    ///
    /// Choice options without a preset `gt` are shuffled with a per-item seed derived from
    /// `--seed` and the item's content, so the same import always gives the same letters.
    Safesci(SafesciArgs),
    /// LLaMA-Factory alpaca or sharegpt records whose output states a final answer letter
    /// ("Answer: B", "<ans>B<eoa>", "The correct answer is (C)").
    Alpaca(AlpacaArgs),
    /// A JSONL table, one object per line, columns named by `--map`.
    Jsonl(TableArgs),
    /// A CSV table with a header row, columns named by `--map`.
    Csv(TableArgs),
    /// A Parquet table, columns named by `--map`.
    Parquet(TableArgs),
}

#[derive(Debug, Args)]
pub struct SafesciArgs {
    /// A release directory, or one JSON / JSONL file.
    pub path: PathBuf,
    /// Output item file (`.jsonl`, or `.parquet`).
    #[arg(short, long)]
    pub out: PathBuf,
    /// Seed of the option shuffle (recorded in each item's provenance version).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Skip and count bad items instead of stopping at the first.
    #[arg(long)]
    pub lenient: bool,
    /// Directory of routing manifests (mcq.csv, tf_q.csv, protein_gen.csv, gene_gen.csv,
    /// compound_gen.csv, bad_intent.csv) replacing the built-in ones; absent files keep theirs.
    #[arg(long, value_name = "DIR")]
    pub manifests: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AlpacaArgs {
    /// A JSON array of records (or `.jsonl`, one per line).
    pub file: PathBuf,
    #[arg(short, long)]
    pub out: PathBuf,
    /// Field of every item.
    #[arg(long, default_value = "general")]
    pub field: Field,
    /// Provenance source name (default `alpaca:<file name>`).
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long, default_value = "bench")]
    pub split: Split,
    /// Skip and count records without a parseable letter instead of stopping.
    #[arg(long)]
    pub lenient: bool,
}

#[derive(Debug, Args)]
pub struct TableArgs {
    pub file: PathBuf,
    /// Columns: `question=COL,answer=COL[,options=COL or COL1|COL2|…,context=COL,field=COL,
    /// track=COL,format=COL,category=COL,family=COL,id=COL]`.
    #[arg(long)]
    pub map: ColumnMap,
    #[arg(short, long)]
    pub out: PathBuf,
    /// Field when no `field` column is mapped (or its cell is empty).
    #[arg(long, default_value = "general")]
    pub field: Field,
    /// Track when no `track` column is mapped (default knowledge; risk expects a refusal).
    #[arg(long)]
    pub track: Option<Track>,
    /// Format when no `format` column is mapped (default: inferred per row).
    #[arg(long)]
    pub format: Option<Format>,
    /// Provenance source name (default `<kind>:<file name>`).
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long, default_value = "bench")]
    pub split: Split,
    #[arg(long)]
    pub lenient: bool,
}

fn policy(lenient: bool) -> BadItemPolicy {
    if lenient {
        BadItemPolicy::Skip
    } else {
        BadItemPolicy::Stop
    }
}

pub fn run(command: ImportCommand) -> anyhow::Result<Exit> {
    match command {
        ImportCommand::Safesci(a) => run_safesci(a),
        ImportCommand::Alpaca(a) => run_alpaca(a),
        ImportCommand::Jsonl(a) => run_table(a, TableKind::Jsonl),
        ImportCommand::Csv(a) => run_table(a, TableKind::Csv),
        ImportCommand::Parquet(a) => run_table(a, TableKind::Parquet),
    }
}

fn lenient_hint(e: impl std::error::Error + Send + Sync + 'static) -> anyhow::Error {
    anyhow::Error::new(Hint(
        "fix the record, or pass --lenient to skip bad records and count them".into(),
    ))
    .context(e.to_string())
}

fn finish(
    out: &Path,
    items: &[Item],
    skipped: &[impl Display],
    extra: &str,
) -> anyhow::Result<Exit> {
    let n = safesci_import::write_any(out, items)
        .with_context(|| format!("failed to write `{}`", out.display()))?;
    for e in skipped.iter().take(SHOW_SKIPPED) {
        eprintln!("skipped: {e}");
    }
    if skipped.len() > SHOW_SKIPPED {
        eprintln!("skipped: … and {} more", skipped.len() - SHOW_SKIPPED);
    }
    eprintln!(
        "wrote {n} items to `{}` ({} skipped{extra})",
        out.display(),
        skipped.len()
    );
    Ok(Exit::Success)
}

fn run_safesci(a: SafesciArgs) -> anyhow::Result<Exit> {
    let manifests = match &a.manifests {
        Some(dir) => Manifests::from_dir(dir)?,
        None => Manifests::builtin(),
    };
    let options = SafesciOptions {
        seed: a.seed,
        policy: policy(a.lenient),
        manifests,
    };
    let imported = import_path(&a.path, &options).map_err(lenient_hint)?;
    let extra = format!(
        ", {} duplicates dropped, {} files read, seed {}",
        imported.duplicates,
        imported.files.len(),
        a.seed
    );
    finish(&a.out, &imported.items, &imported.skipped, &extra)
}

fn run_alpaca(a: AlpacaArgs) -> anyhow::Result<Exit> {
    let options = AlpacaOptions {
        field: a.field,
        source: a.source,
        split: a.split,
        policy: policy(a.lenient),
    };
    let imported = import_alpaca(&a.file, &options).map_err(lenient_hint)?;
    finish(&a.out, &imported.items, &imported.skipped, "")
}

fn run_table(a: TableArgs, kind: TableKind) -> anyhow::Result<Exit> {
    let options = TableOptions {
        map: a.map,
        field: a.field,
        track: a.track,
        format: a.format,
        source: a.source,
        split: a.split,
        policy: policy(a.lenient),
    };
    let imported = import_table(&a.file, kind, &options).map_err(lenient_hint)?;
    finish(&a.out, &imported.items, &imported.skipped, "")
}
