//! `safesci sources`, `safesci build`, `safesci export`: the offline builder. Argument parsing and
//! rendering only; the work is in `safesci-build`.

use crate::exit::{Exit, Hint};
use anyhow::Context as _;
use clap::{Args, Subcommand};
use safesci_build::assemble::{BuildParams, Scale};
use safesci_build::export::{ExportFormat, export};
use safesci_build::facts::Facts;
use safesci_build::sources::{self, SourceSet, SyncParams, Verification};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Download the pinned packages (pip download --no-deps, apt-get download) and verify sha256.
    Sync {
        /// Cache directory (default: $SAFESCI_CACHE_DIR, else the platform cache dir + /safesci).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Copy files with the pinned names from this folder first (offline mirror).
        #[arg(long)]
        from: Option<PathBuf>,
        /// Never call pip or apt-get.
        #[arg(long)]
        offline: bool,
    },
    /// Show what is cached: versions, hashes, licences.
    List {
        #[arg(long)]
        cache: Option<PathBuf>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run the information-hazard scanner over an item file (exit 1 on findings).
    HazardScan {
        /// JSONL item file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Output directory: bench.jsonl, train.jsonl, manifest.json, decontamination.json.
    #[arg(long)]
    out: PathBuf,
    /// small: a few thousand items in seconds; full: ≥250k bench and ≥1.5M train items.
    #[arg(long, default_value = "full")]
    scale: Scale,
    /// Seed of the split, the variants and the training targets.
    #[arg(long, default_value_t = 20260301)]
    seed: u64,
    /// Source cache directory (default: as for `sources sync`).
    #[arg(long)]
    sources: Option<PathBuf>,
    /// Use cached files whose sha256 differs from the pins (fixtures, experiments; recorded).
    #[arg(long)]
    allow_unpinned: bool,
    /// Build from the curated fact tables only when sources are not synced (fewer items).
    #[arg(long)]
    facts_only: bool,
    /// Read fact tables from this folder instead of the ones compiled in.
    #[arg(long)]
    facts: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write train items (with targets) for a fine-tuning tool.
    Train {
        /// train.jsonl from `safesci build`.
        input: PathBuf,
        /// llamafactory (alpaca + dataset_info.json), sharegpt, or openai-chat (JSONL).
        #[arg(long)]
        format: ExportFormat,
        /// Output directory.
        #[arg(short = 'o', long)]
        out: PathBuf,
    },
}

fn cache_dir(arg: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match arg {
        Some(p) => Ok(p),
        None => sources::default_cache_dir().context("failed to find the cache directory"),
    }
}

pub fn run_sources(command: SourcesCommand) -> anyhow::Result<Exit> {
    match command {
        SourcesCommand::Sync {
            cache,
            from,
            offline,
        } => {
            let cache = cache_dir(cache)?;
            let outcomes = sources::sync(&SyncParams {
                cache: cache.clone(),
                from,
                offline,
            });
            let mut failed_required = false;
            for o in &outcomes {
                match &o.error {
                    None => eprintln!("{:<18} {:<16} {}", o.name, o.version, o.status),
                    Some(e) => {
                        failed_required |= o.required;
                        eprintln!(
                            "{:<18} {:<16} failed{}: {e}",
                            o.name,
                            o.version,
                            if o.required { "" } else { " (optional)" }
                        );
                    }
                }
            }
            eprintln!("cache: {}", cache.display());
            if failed_required {
                return Err(anyhow::Error::new(Hint(
                    "check network access to the package index (pip) and apt sources, or pass --from DIR with the pinned files".into(),
                ))
                .context("failed to sync required sources"));
            }
            Ok(Exit::Success)
        }
        SourcesCommand::List { cache, json } => {
            let cache = cache_dir(cache)?;
            let list = sources::list(&cache);
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!("cache: {}", cache.display());
                for s in &list {
                    let state = match (s.present, s.verified) {
                        (false, _) => "missing",
                        (true, true) => "verified",
                        (true, false) => "HASH MISMATCH",
                    };
                    println!(
                        "{:<18} {:<16} {:<13} {}\n    licence: {}",
                        s.name,
                        s.version,
                        state,
                        s.sha256.as_deref().unwrap_or("-"),
                        s.licence
                    );
                }
            }
            Ok(Exit::Success)
        }
        SourcesCommand::HazardScan { file } => {
            let scanner = safesci_build::hazard_scan::HazardScanner::new()
                .context("failed to compile the hazard scanner")?;
            let findings = safesci_build::hazard_scan::scan_file(&scanner, &file)
                .with_context(|| format!("failed to scan `{}`", file.display()))?;
            for (line, id, f) in &findings {
                println!("{}:{line}: {id}: {} ({})", file.display(), f.rule, f.part);
            }
            eprintln!("{} finding(s)", findings.len());
            Ok(if findings.is_empty() {
                Exit::Success
            } else {
                Exit::CutoffNotMet
            })
        }
    }
}

pub fn run_build(args: BuildArgs) -> anyhow::Result<Exit> {
    let facts = match &args.facts {
        Some(dir) => {
            let mut files = Vec::new();
            for (name, _) in safesci_build::facts::TABLES {
                let p = dir.join(name);
                if p.is_file() {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("failed to read `{}`", p.display()))?;
                    files.push((name.to_string(), text));
                }
            }
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Facts::from_files(&refs)
        }
        None => Facts::embedded(),
    }
    .context("failed to load the fact tables")?;
    for name in facts.missing.keys() {
        eprintln!("warning: fact table `{name}` is missing; its items are absent");
    }
    let cache = cache_dir(args.sources.clone())?;
    let verification = if args.allow_unpinned {
        Verification::Unverified
    } else {
        Verification::Pinned
    };
    let set = match SourceSet::open(&cache, verification) {
        Ok(set) => set,
        Err(e) if args.facts_only => {
            eprintln!("warning: {e}; building from the curated fact tables only (--facts-only)");
            SourceSet::default()
        }
        Err(e) => {
            return Err(anyhow::Error::new(Hint(format!(
                "run `safesci sources sync{}` first (or pass --facts-only for a smaller build from the curated facts)",
                args.sources.as_ref().map(|p| format!(" --cache {}", p.display())).unwrap_or_default()
            )))
            .context(e.to_string())
            .context("failed to open the sources"));
        }
    };
    for s in set.sources.values().filter(|s| !s.verified) {
        eprintln!(
            "warning: `{}` does not match its pinned sha256 (used because of --allow-unpinned)",
            s.file
        );
    }
    let inputs = safesci_build::load_inputs(&set, facts).context("failed to read the sources")?;
    let params = BuildParams {
        out: args.out.clone(),
        scale: args.scale,
        seed: args.seed,
    };
    let started = std::time::Instant::now();
    let manifest = safesci_build::build(&set, &inputs, &params).context("failed to build")?;
    eprintln!(
        "bench: {} items, {} families; train: {} items, {} families; {} duplicates removed; {:.1}s",
        manifest.outcome.bench.items,
        manifest.outcome.bench.families,
        manifest.outcome.train.items,
        manifest.outcome.train.families,
        manifest.outcome.duplicates_removed,
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "wrote {}/{{bench.jsonl,train.jsonl,manifest.json,decontamination.json}}",
        args.out.display()
    );
    Ok(Exit::Success)
}

pub fn run_export(command: ExportCommand) -> anyhow::Result<Exit> {
    match command {
        ExportCommand::Train { input, format, out } => {
            let summary = export(&input, format, &out)
                .with_context(|| format!("failed to export `{}`", input.display()))?;
            for f in &summary.files {
                eprintln!("wrote {}", f.display());
            }
            eprintln!(
                "{} items exported, {} without a target skipped",
                summary.written, summary.skipped_without_target
            );
            Ok(Exit::Success)
        }
    }
}
