//! `safesci score`, `compare`, `refusal`: scoring runs, comparing two scored runs, and the refusal
//! detector on its own (classify a JSONL file, or measure it against labelled rows).

use crate::exit::{Exit, Hint};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use safesci_core::store::RunStore;
use safesci_score::metrics::names;
use safesci_score::refusal::eval::{LabelledRow, evaluate};
use safesci_score::types::{Estimate, PairedDifference, RunSummary, ScoringMode};
use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};

/// Scoring rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Exact letter sets, validated sequences, the versioned refusal detector.
    Strict,
    /// The SafeSci reference code's rules, defects included, for comparison with published numbers.
    SafesciCompat,
}

impl From<Mode> for ScoringMode {
    fn from(m: Mode) -> ScoringMode {
        match m {
            Mode::Strict => ScoringMode::Strict,
            Mode::SafesciCompat => ScoringMode::SafesciCompat,
        }
    }
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Run directory (holds `run.sqlite`).
    pub run: PathBuf,
    /// Scoring rules.
    #[arg(long, value_enum, default_value = "strict")]
    pub mode: Mode,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also report refusal rates corrected for the detector's measured error (Rogan–Gladen):
    /// `refusal_rate_corrected`, `benign_over_refusal_corrected`, `risk_refusal_rate_corrected`
    /// (strict mode; generated responses only).
    #[arg(long)]
    pub correct_refusals: bool,
    /// Exit 1 if overall knowledge accuracy is below this (0–1).
    #[arg(long)]
    pub min_knowledge_accuracy: Option<f64>,
    /// Exit 1 if the overall risk safe-response rate is below this (0–1).
    #[arg(long)]
    pub min_safe_rate: Option<f64>,
    /// Exit 1 if the overall benign over-refusal rate is above this (0–1).
    #[arg(long)]
    pub max_over_refusal: Option<f64>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Baseline run directory (a).
    pub run_a: PathBuf,
    /// Run directory compared with it (b); differences are b − a.
    pub run_b: PathBuf,
    /// Scoring rules (both runs must have been scored in this mode).
    #[arg(long, value_enum, default_value = "strict")]
    pub mode: Mode,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RefusalCommand {
    /// Label each JSONL object's `response` (optional `prompt`); every field is kept and
    /// `label` and `cues` are added.
    Classify(ClassifyArgs),
    /// Measure the detector against hand-labelled JSONL rows (`response`, `label`).
    Eval(RefusalEvalArgs),
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Input JSONL file.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Output JSONL file (default: stdout).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RefusalEvalArgs {
    /// Labelled JSONL files.
    #[arg(long, required = true)]
    pub labelled: Vec<PathBuf>,
    /// Keep only rows whose `split` field equals this (rows without one are kept).
    #[arg(long)]
    pub split: Option<String>,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
}

fn open_store(dir: &Path) -> anyhow::Result<RunStore> {
    RunStore::open(dir)
        .map_err(|e| {
            anyhow::Error::new(e).context(Hint(
                "pass the directory given to `safesci eval --run`".into(),
            ))
        })
        .with_context(|| format!("failed to open run `{}`", dir.display()))
}

pub fn run_score(args: ScoreArgs) -> anyhow::Result<Exit> {
    let mode: ScoringMode = args.mode.into();
    if args.correct_refusals && mode != ScoringMode::Strict {
        return Err(anyhow::Error::new(Hint(
            "only the strict detector's error is measured: score with --mode strict, or drop --correct-refusals".into(),
        ))
        .context("--correct-refusals needs --mode strict"));
    }
    let mut store = open_store(&args.run)?;
    let (scores, mut summary) = safesci_score::score_run(&store, mode)
        .with_context(|| format!("failed to score run `{}`", args.run.display()))?;
    if args.correct_refusals {
        safesci_score::metrics::add_corrected_refusals(
            &mut summary,
            &scores,
            &safesci_score::refusal::MEASURED_ERROR,
        );
    }
    safesci_score::save_scores(&mut store, mode, &scores, &summary)
        .with_context(|| format!("failed to store scores in `{}`", args.run.display()))?;
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&summary)?;
        s.push('\n');
        s
    } else {
        render_summary(&summary)
    };
    std::io::stdout().write_all(text.as_bytes())?;
    let mut failed = Vec::new();
    let value = |name: &str| summary.overall(name).map(|e| e.value);
    if let (Some(min), Some(v)) = (
        args.min_knowledge_accuracy,
        value(names::KNOWLEDGE_ACCURACY),
    ) && v < min
    {
        failed.push(format!("knowledge accuracy {v:.3} < {min}"));
    }
    if let (Some(min), Some(v)) = (args.min_safe_rate, value(names::RISK_SAFE_RATE))
        && v < min
    {
        failed.push(format!("risk safe rate {v:.3} < {min}"));
    }
    if let (Some(max), Some(v)) = (args.max_over_refusal, value(names::BENIGN_OVER_REFUSAL))
        && v > max
    {
        failed.push(format!("benign over-refusal {v:.3} > {max}"));
    }
    if !failed.is_empty() {
        eprintln!("cutoff not met: {}", failed.join("; "));
        return Ok(Exit::CutoffNotMet);
    }
    Ok(Exit::Success)
}

fn est(e: &Estimate) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
}

/// The human summary: overall metrics, then per-field and per-format tables.
pub fn render_summary(s: &RunSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "model {}  mode {}  scorer {}  detector {}",
        s.model,
        s.mode.as_str(),
        s.scorer_version,
        s.detector_version
    );
    let _ = writeln!(out, "responses {}  failed {}\n", s.responses, s.failed);
    for by in ["overall", "field", "track", "format"] {
        let rows: Vec<_> = s.metrics.iter().filter(|m| m.group.by == by).collect();
        if rows.is_empty() {
            continue;
        }
        let w = rows.iter().map(|m| m.name.len()).max().unwrap_or(6).max(6);
        let gw = rows
            .iter()
            .map(|m| m.group.value.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "{:<gw$}  {:<w$}  {:>7}  {:<22}  {:>6}  {:>8}",
            by, "metric", "k/n", "value [95% CI]", "fams", "method"
        );
        for m in rows {
            let e = &m.estimate;
            let _ = writeln!(
                out,
                "{:<gw$}  {:<w$}  {:>7}  {:<22}  {:>6}  {}",
                m.group.value,
                m.name,
                format!("{}/{}", e.k, e.n),
                est(e),
                e.families,
                e.method
            );
        }
        out.push('\n');
    }
    out
}

pub fn run_compare(args: CompareArgs) -> anyhow::Result<Exit> {
    let mode: ScoringMode = args.mode.into();
    let load = |dir: &Path| -> anyhow::Result<(Vec<_>, String)> {
        let store = open_store(dir)?;
        let (scores, summary) = safesci_score::load_scores(&store, mode)
            .with_context(|| format!("failed to read scores of `{}`", dir.display()))?;
        if scores.is_empty() {
            return Err(anyhow::Error::new(Hint(format!(
                "run `safesci score {} --mode {}` first",
                dir.display(),
                mode.as_str()
            )))
            .context(format!(
                "run `{}` has no {} scores",
                dir.display(),
                mode.as_str()
            )));
        }
        let label = summary.map(|s| s.model).unwrap_or_else(|| "unknown".into());
        Ok((scores, label))
    };
    let (a, la) = load(&args.run_a)?;
    let (b, lb) = load(&args.run_b)?;
    let diffs = safesci_score::compare(&a, &b, (&la, &lb));
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&diffs)?;
        s.push('\n');
        s
    } else {
        render_compare(&diffs, &la, &lb)
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Exit::Success)
}

/// The human paired-differences table.
pub fn render_compare(d: &[PairedDifference], a: &str, b: &str) -> String {
    let mut out = format!("a = {a}\nb = {b}\n\n");
    let w = d.iter().map(|x| x.metric.len()).max().unwrap_or(6).max(6);
    let gw = d
        .iter()
        .map(|x| x.group.value.len() + x.group.by.len() + 1)
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{:<gw$}  {:<w$}  {:>6}  {:>6}  {:>6}  {:<24}  {:>5}  {:>5}  {:>9}",
        "group", "metric", "n", "a", "b", "b − a [95% CI]", "a>b", "b>a", "McNemar p"
    );
    for x in d {
        let _ = writeln!(
            out,
            "{:<gw$}  {:<w$}  {:>6}  {:>6.3}  {:>6.3}  {:<24}  {:>5}  {:>5}  {:>9.3e}",
            format!("{}:{}", x.group.by, x.group.value),
            x.metric,
            x.n,
            x.value_a,
            x.value_b,
            format!("{:+.3} [{:+.3}, {:+.3}]", x.difference, x.low, x.high),
            x.a_only,
            x.b_only,
            x.mcnemar_p
        );
    }
    out
}

pub fn run_refusal(command: RefusalCommand) -> anyhow::Result<Exit> {
    match command {
        RefusalCommand::Classify(a) => classify(a),
        RefusalCommand::Eval(a) => refusal_eval(a),
    }
}

fn classify(args: ClassifyArgs) -> anyhow::Result<Exit> {
    let file = std::fs::File::open(&args.input)
        .with_context(|| format!("failed to open `{}`", args.input.display()))?;
    let mut out: Box<dyn std::io::Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p)
                .with_context(|| format!("failed to create `{}`", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("failed to read `{}`", args.input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("`{}` line {}", args.input.display(), i + 1);
        let mut obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
            .with_context(|| format!("{} is not a JSON object", at()))?;
        let response = obj
            .get("response")
            .and_then(|v| v.as_str())
            .ok_or_else(|| anyhow::anyhow!("{} has no string field `response`", at()))?;
        let prompt = obj.get("prompt").and_then(|v| v.as_str());
        let v = safesci_score::refusal::classify(response, prompt);
        obj.insert("label".into(), serde_json::to_value(v.label)?);
        obj.insert("cues".into(), serde_json::to_value(&v.cues)?);
        serde_json::to_writer(&mut out, &obj)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Exit::Success)
}

fn refusal_eval(args: RefusalEvalArgs) -> anyhow::Result<Exit> {
    let mut rows = Vec::new();
    for path in &args.labelled {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("`{}` line {} is not JSON", path.display(), i + 1))?;
            if let (Some(want), Some(have)) = (&args.split, v.get("split").and_then(|s| s.as_str()))
                && want != have
            {
                continue;
            }
            rows.push(serde_json::from_value::<LabelledRow>(v).with_context(|| {
                format!(
                    "`{}` line {} needs `response` and `label`",
                    path.display(),
                    i + 1
                )
            })?);
        }
    }
    let ev = evaluate(&rows);
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&ev)?;
        s.push('\n');
        s
    } else {
        let names: Vec<String> = args
            .labelled
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        ev.to_markdown(&names.join(" + "))
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Exit::Success)
}
