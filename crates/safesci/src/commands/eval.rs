//! `safesci eval`, `merge`, `batch`, `mock-server`: running models. Resolves model specs, config
//! files and keys into providers, then calls `safesci_run`; renders the runner's events as a
//! progress bar on stderr and the summary on stdout.

use crate::commands::embedded::{self, EmbeddedOptions};
use crate::exit::{Exit, Hint};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use safesci_core::provider::{GenerationParams, Provider};
use safesci_core::store::{ResponseMode, RunStore};
use safesci_run::batch::{BatchApi, BatchClient};
use safesci_run::openai::HttpSettings;
use safesci_run::prompt::PromptStyle;
use safesci_run::runner::{EventSink, RunEvent, RunTotals, RunnerOptions};
use safesci_run::sample::Shard;
use safesci_run::session::{self, CostEstimate, EvalSettings};
use safesci_run::spec::{
    ApiKey, ModelConfig, ModelSpec, ModelsConfig, ParamsConfig, PriceTable, ProviderKind,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Generate,
    Loglik,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StyleArg {
    Chat,
    Completion,
}

/// Run items against a model.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model spec: embedded[:PATH.gguf], openai:MODEL, anthropic:MODEL, ollama:MODEL,
    /// openai-compatible:URL[,URL…]#MODEL.
    #[arg(long, default_value = "embedded", conflicts_with = "config")]
    pub model: String,
    /// TOML file listing several `[[model]]`s; each runs into RUN/<name>.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Items file (JSONL).
    #[arg(long)]
    pub items: PathBuf,
    /// Run directory (created; rerun the same command to resume).
    #[arg(long)]
    pub run: PathBuf,
    /// Evaluate the first N items (after sampling).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Stratified sample of N items over field × track.
    #[arg(long)]
    pub sample: Option<usize>,
    /// Seed of the sample and of the requests.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Requests in flight at most.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Evaluate only shard K of N (by item-id hash), e.g. 2/4.
    #[arg(long)]
    pub shard: Option<Shard>,
    #[arg(long, value_enum, default_value = "generate")]
    pub mode: ModeArg,
    /// Responses per item (repeat index is part of the key and the cache key).
    #[arg(long, default_value_t = 1)]
    pub repeats: u32,
    #[arg(long)]
    pub max_tokens: Option<u32>,
    #[arg(long)]
    pub temperature: Option<f32>,
    #[arg(long)]
    pub top_p: Option<f32>,
    /// Stop sequence (repeatable).
    #[arg(long)]
    pub stop: Vec<String>,
    /// System prompt ("" for none).
    #[arg(long)]
    pub system_prompt: Option<String>,
    #[arg(long, value_enum, default_value = "chat")]
    pub prompt_style: StyleArg,
    /// CPU threads of the embedded model.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Attempts per request before it is recorded as failed.
    #[arg(long, default_value_t = 6)]
    pub max_attempts: u32,
    /// Environment variable holding the API key.
    #[arg(long)]
    pub api_key_env: Option<String>,
    /// File holding the API key.
    #[arg(long)]
    pub api_key_file: Option<PathBuf>,
    /// JSON object merged into every request body, e.g. '{"chat_template_kwargs":{"enable_thinking":false}}'.
    #[arg(long)]
    pub extra_body: Option<String>,
    /// Bypass the response cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print the cost estimate and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Price table (TOML) for --dry-run; default: the shipped prices.toml.
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Run directories to merge.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Output run directory.
    #[arg(short, long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct BatchRunArgs {
    #[arg(long)]
    pub run: PathBuf,
    #[arg(long)]
    pub api_key_env: Option<String>,
    #[arg(long)]
    pub api_key_file: Option<PathBuf>,
}

// Parsed once per process: the size difference between variants costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Write the JSONL of every pending request and submit it (already-submitted requests are skipped).
    Submit(EvalArgs),
    /// Poll the recorded batches.
    Status(BatchRunArgs),
    /// Ingest the results of finished batches into the run store.
    Collect(BatchRunArgs),
}

#[derive(Debug, Args)]
pub struct MockServerArgs {
    /// Port on 127.0.0.1 (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8089)]
    pub port: u16,
    /// Items `mock-correct` answers from.
    #[arg(long)]
    pub items: Option<PathBuf>,
    /// Fixed delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// One model to run, resolved from `--model` or a config entry.
struct Target {
    name: Option<String>,
    spec: ModelSpec,
    config: Option<ModelConfig>,
}

fn targets(args: &EvalArgs) -> anyhow::Result<Vec<Target>> {
    if let Some(path) = &args.config {
        let config = ModelsConfig::load(path)?;
        return config
            .models
            .into_iter()
            .map(|m| {
                Ok(Target {
                    name: Some(m.name.clone()),
                    spec: ModelSpec::parse(&m.spec)?,
                    config: Some(m),
                })
            })
            .collect();
    }
    let spec = ModelSpec::parse(&args.model).map_err(|e| {
        anyhow::Error::new(Hint(
            "e.g. --model openai-compatible:http://127.0.0.1:8000/v1#Qwen3-8B".into(),
        ))
        .context(e.to_string())
    })?;
    Ok(vec![Target {
        name: None,
        spec,
        config: None,
    }])
}

fn resolve_key(
    spec: &ModelSpec,
    key_env: Option<&str>,
    key_file: Option<&Path>,
) -> anyhow::Result<Option<ApiKey>> {
    if let Some(f) = key_file {
        return Ok(Some(ApiKey::from_file(f)?));
    }
    if let Some(env) = key_env {
        return Ok(Some(ApiKey::from_env(env)?));
    }
    match spec.default_key_env() {
        Some(env) => ApiKey::from_env(env).map(Some).map_err(|e| {
            anyhow::Error::new(Hint(format!(
                "export {env}=… or pass --api-key-env NAME / --api-key-file PATH"
            )))
            .context(e.to_string())
        }),
        None => Ok(None),
    }
}

fn default_concurrency(kind: ProviderKind) -> usize {
    match kind {
        ProviderKind::OpenAi | ProviderKind::Anthropic => 32,
        ProviderKind::OpenAiCompatible => 64,
        ProviderKind::Ollama => 4,
        ProviderKind::Embedded => 1,
    }
}

fn extra_body(
    args: &EvalArgs,
    config: Option<&ModelConfig>,
) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let mut extra = config.map(|c| c.extra_body.clone()).unwrap_or_default();
    if let Some(text) = &args.extra_body {
        let v: serde_json::Value =
            serde_json::from_str(text).context("failed to parse `--extra-body` as JSON")?;
        let serde_json::Value::Object(map) = v else {
            anyhow::bail!("`--extra-body` must be a JSON object");
        };
        extra.extend(map);
    }
    Ok(extra)
}

fn provider(args: &EvalArgs, target: &Target, dry_run: bool) -> anyhow::Result<Arc<dyn Provider>> {
    let config = target.config.as_ref();
    if target.spec.kind == ProviderKind::Embedded {
        return embedded::provider(&EmbeddedOptions {
            model_path: target.spec.model_path.clone(),
            threads: args.threads,
        });
    }
    let key = if dry_run {
        None
    } else {
        resolve_key(
            &target.spec,
            config
                .and_then(|c| c.key_env.as_deref())
                .or(args.api_key_env.as_deref()),
            config
                .and_then(|c| c.key_file.as_deref())
                .or(args.api_key_file.as_deref()),
        )?
    };
    let concurrency = args
        .concurrency
        .or(config.and_then(|c| c.concurrency))
        .unwrap_or(default_concurrency(target.spec.kind));
    let timeout = Duration::from_secs(config.and_then(|c| c.timeout_secs).unwrap_or(args.timeout));
    Ok(safesci_run::build_provider(HttpSettings {
        spec: target.spec.clone(),
        key,
        extra_body: extra_body(args, config)?,
        concurrency,
        timeout,
    })?)
}

fn params(args: &EvalArgs, config: Option<&ParamsConfig>) -> GenerationParams {
    let d = GenerationParams::default();
    let c = config.cloned().unwrap_or_default();
    GenerationParams {
        temperature: args.temperature.or(c.temperature).unwrap_or(d.temperature),
        top_p: args.top_p.or(c.top_p),
        max_tokens: args.max_tokens.or(c.max_tokens).unwrap_or(d.max_tokens),
        seed: Some(c.seed.unwrap_or(args.seed)),
        stop: if args.stop.is_empty() {
            c.stop.unwrap_or_default()
        } else {
            args.stop.clone()
        },
    }
}

fn settings(args: &EvalArgs, target: &Target, concurrency: usize) -> anyhow::Result<EvalSettings> {
    let config = target.config.as_ref();
    let run_dir = match &target.name {
        Some(name) => args.run.join(name),
        None => args.run.clone(),
    };
    let modes = match args.mode {
        ModeArg::Generate => vec![ResponseMode::Generate],
        ModeArg::Loglik => vec![ResponseMode::Loglik],
        ModeArg::Both => vec![ResponseMode::Generate, ResponseMode::Loglik],
    };
    let extra_body = extra_body(args, config)?;
    let mut extra = serde_json::Map::new();
    if let Some(name) = &target.name {
        extra.insert("config_name".into(), name.clone().into());
    }
    if !extra_body.is_empty() {
        extra.insert(
            "extra_body".into(),
            serde_json::Value::Object(extra_body.clone()),
        );
    }
    Ok(EvalSettings {
        items_path: args.items.clone(),
        run_dir,
        limit: args.limit,
        sample: args.sample.map(|n| (n, args.seed)),
        shard: args.shard,
        modes,
        repeats: args.repeats.max(1),
        params: params(args, config.map(|c| &c.params)),
        system_prompt: args.system_prompt.clone(),
        prompt_style: match args.prompt_style {
            StyleArg::Chat => PromptStyle::Chat,
            StyleArg::Completion => PromptStyle::Completion,
        },
        runner: RunnerOptions {
            concurrency,
            max_attempts: args.max_attempts.max(1),
            timeout: Duration::from_secs(
                config
                    .and_then(|c| c.timeout_secs)
                    .unwrap_or(args.timeout)
                    .max(1),
            ),
            cache_salt: serde_json::Value::Object(extra_body).to_string(),
            ..RunnerOptions::default()
        },
        cache_path: session::cache_path(args.no_cache)?,
        extra,
    })
}

/// Progress on stderr: done/total, rate, ETA, tokens, failures.
struct Progress {
    bar: ProgressBar,
    tokens: AtomicU64,
    failed: AtomicU64,
    cached: AtomicU64,
    first_errors: AtomicU64,
}

fn progress_sink(quiet: bool, label: String) -> (EventSink, Arc<Progress>) {
    let bar = ProgressBar::with_draw_target(
        None,
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {per_sec} ETA {eta} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label);
    let p = Arc::new(Progress {
        bar,
        tokens: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        cached: AtomicU64::new(0),
        first_errors: AtomicU64::new(0),
    });
    let q = p.clone();
    let sink: EventSink = Arc::new(move |e: &RunEvent| {
        let update = |q: &Progress| {
            q.bar.set_message(format!(
                "tokens {} cached {} failed {}",
                q.tokens.load(Ordering::Relaxed),
                q.cached.load(Ordering::Relaxed),
                q.failed.load(Ordering::Relaxed)
            ));
        };
        match e {
            RunEvent::Started { total, skipped, .. } => {
                q.bar.set_length(*total);
                q.bar.set_position(*skipped);
                q.bar.reset_eta();
            }
            RunEvent::Response {
                usage, cache_hit, ..
            } => {
                if *cache_hit {
                    q.cached.fetch_add(1, Ordering::Relaxed);
                } else {
                    q.tokens.fetch_add(
                        usage.prompt_tokens + usage.completion_tokens,
                        Ordering::Relaxed,
                    );
                }
                q.bar.inc(1);
                update(q.as_ref());
            }
            RunEvent::Failed { key, error, .. } => {
                q.failed.fetch_add(1, Ordering::Relaxed);
                if q.first_errors.fetch_add(1, Ordering::Relaxed) < 5 {
                    q.bar
                        .suspend(|| eprintln!("warning: item `{}` failed: {error}", key.item_id));
                }
                q.bar.inc(1);
                update(q.as_ref());
            }
            RunEvent::Finished(_) => q.bar.finish_and_clear(),
            _ => {}
        }
    });
    (sink, p)
}

/// The summary printed on stdout.
pub fn render_summary(label: &str, run_dir: &Path, totals: &RunTotals) -> String {
    let secs = totals.elapsed_ms as f64 / 1000.0;
    let fresh = totals.completed.saturating_sub(totals.cache_hits);
    let rate = if secs > 0.0 {
        (totals.completed + totals.failed) as f64 / secs
    } else {
        0.0
    };
    let mut s = String::new();
    s.push_str(&format!("run `{}`: {label}\n", run_dir.display()));
    s.push_str(&format!(
        "  responses: {} planned, {} already done, {} new ({} answered, {} from cache), {} failed\n",
        totals.total,
        totals.skipped,
        totals.completed + totals.failed,
        fresh,
        totals.cache_hits,
        totals.failed
    ));
    s.push_str(&format!(
        "  tokens:    {} prompt, {} completion (cache hits excluded)\n",
        totals.prompt_tokens, totals.completion_tokens
    ));
    s.push_str(&format!("  retries:   {}\n", totals.retries));
    s.push_str(&format!(
        "  time:      {secs:.1} s ({rate:.1} responses/s)\n"
    ));
    if totals.failed > 0 {
        s.push_str(&format!(
            "  {} failed responses are recorded; rerun the same command to retry them\n",
            totals.failed
        ));
    }
    s
}

/// The dry-run estimate printed on stdout.
pub fn render_estimate(
    label: &str,
    est: &CostEstimate,
    price: Option<safesci_run::spec::Price>,
    max_tokens: u32,
) -> String {
    let mut s = format!("dry run for {label} (nothing sent)\n");
    s.push_str(&format!(
        "  requests:          {} to send, {} already done\n",
        est.requests, est.already_done
    ));
    s.push_str(&format!(
        "  prompt tokens:     ~{} (characters / 4)\n",
        est.prompt_tokens
    ));
    s.push_str(&format!(
        "  completion tokens: ~{} typical, at most {} (max_tokens {max_tokens})\n",
        est.typical_completion_tokens, est.max_completion_tokens
    ));
    match (price, est.cost_typical, est.cost_max) {
        (Some(p), Some(t), Some(m)) => {
            s.push_str(&format!(
                "  price:             ${:.2} input, ${:.2} output per million tokens\n",
                p.input_per_mtok, p.output_per_mtok
            ));
            s.push_str(&format!(
                "  estimated cost:    ${t:.2} typical, ${m:.2} at most\n"
            ));
            if let Some(d) = p.batch_discount {
                s.push_str(&format!(
                    "  with batch API:    ${:.2} typical, ${:.2} at most\n",
                    t * d,
                    m * d
                ));
            }
        }
        _ => s.push_str(
            "  estimated cost:    unknown (model not in the price table; see --prices)\n",
        ),
    }
    s
}

/// A run error for the command line: a run directory holding another run gets a `hint:` line.
fn run_error(e: safesci_run::RunError) -> anyhow::Error {
    match e {
        safesci_run::RunError::ManifestMismatch { .. } => anyhow::Error::new(Hint(
            "use a new --run directory, or rerun with the original settings".into(),
        ))
        .context(e.to_string()),
        e => anyhow::Error::new(e),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}

pub fn run_eval(args: EvalArgs) -> anyhow::Result<Exit> {
    let targets = targets(&args)?;
    let rt = runtime()?;
    let _guard = rt.enter();
    let mut any_failed = false;
    let mut out = std::io::stdout().lock();
    for target in &targets {
        let provider = provider(&args, target, args.dry_run).with_context(|| {
            format!(
                "failed to set up model `{}`",
                target.name.as_deref().unwrap_or(&args.model)
            )
        })?;
        let info = provider.info();
        let label = info.label();
        let concurrency = args
            .concurrency
            .or(target.config.as_ref().and_then(|c| c.concurrency))
            .unwrap_or_else(|| provider.max_concurrency());
        let settings = settings(&args, target, concurrency)?;
        if args.dry_run {
            let table = match &args.prices {
                Some(p) => {
                    let text = std::fs::read_to_string(p)
                        .with_context(|| format!("failed to read `{}`", p.display()))?;
                    PriceTable::parse(p, &text)?
                }
                None => PriceTable::builtin(),
            };
            let price = target
                .config
                .as_ref()
                .and_then(|c| c.price)
                .or_else(|| table.lookup(&info.model));
            let est = session::estimate(&settings, info.clone(), price)
                .map_err(run_error)
                .context("failed to estimate the run")?;
            write!(
                out,
                "{}",
                render_estimate(&label, &est, price, settings.params.max_tokens)
            )?;
            continue;
        }
        let (sink, _progress) = progress_sink(args.quiet, label.clone());
        let outcome = rt
            .block_on(session::evaluate(provider, &settings, sink))
            .map_err(run_error)
            .with_context(|| format!("failed to evaluate `{}`", settings.run_dir.display()))?;
        any_failed |= outcome.totals.failed > 0;
        write!(
            out,
            "{}",
            render_summary(&label, &outcome.run_dir, &outcome.totals)
        )?;
    }
    Ok(if any_failed {
        Exit::ItemFailures
    } else {
        Exit::Success
    })
}

pub fn run_merge(args: MergeArgs) -> anyhow::Result<Exit> {
    let report = safesci_run::merge::merge_runs(&args.runs, &args.out).map_err(|e| {
        let is_mismatch = matches!(e, safesci_run::RunError::ManifestMismatch { .. });
        let err = anyhow::Error::new(e);
        if is_mismatch {
            err.context(Hint("only runs of the same items, model, parameters and templates can be merged".into()).0)
        } else {
            err
        }
    }).context("failed to merge runs")?;
    println!(
        "merged {} runs into `{}`: {} items, {} responses ({} failed), {} duplicates dropped",
        report.inputs,
        args.out.display(),
        report.items,
        report.responses,
        report.failed,
        report.duplicates
    );
    Ok(if report.failed > 0 {
        Exit::ItemFailures
    } else {
        Exit::Success
    })
}

fn batch_client(store: &RunStore, args: &BatchRunArgs) -> anyhow::Result<BatchClient> {
    let manifest = store
        .manifest()?
        .ok_or_else(|| anyhow::anyhow!("`{}` holds no run manifest", args.run.display()))?;
    let p = &manifest.provider;
    let spec = ModelSpec {
        kind: match p.kind.as_str() {
            "anthropic" => ProviderKind::Anthropic,
            "openai" => ProviderKind::OpenAi,
            _ => ProviderKind::OpenAiCompatible,
        },
        model: p.model.clone(),
        base_urls: p.base_url.split(',').map(str::to_string).collect(),
        model_path: None,
    };
    batch_client_for(
        &spec,
        resolve_key(
            &spec,
            args.api_key_env.as_deref(),
            args.api_key_file.as_deref(),
        )?,
        manifest
            .extra
            .get("extra_body")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default(),
    )
}

fn batch_client_for(
    spec: &ModelSpec,
    key: Option<ApiKey>,
    extra: serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<BatchClient> {
    let api = match spec.kind {
        ProviderKind::Anthropic => BatchApi::Anthropic,
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => BatchApi::OpenAi,
        k => return Err(safesci_run::batch::BatchError::Unsupported(k.as_str().into()).into()),
    };
    let base = spec.base_urls.first().cloned().unwrap_or_default();
    Ok(BatchClient::new(api, &base, &spec.model, key, extra)?)
}

fn print_batches(rows: &[safesci_run::batch::BatchRow]) {
    for b in rows {
        println!(
            "{}\t{}\t{}\t{} requests\t{}",
            b.id,
            b.api,
            b.status,
            b.requests,
            if b.collected {
                "collected"
            } else {
                "not collected"
            }
        );
    }
}

pub fn run_batch(command: BatchCommand) -> anyhow::Result<Exit> {
    let rt = runtime()?;
    match command {
        BatchCommand::Submit(args) => {
            let targets = targets(&args)?;
            for target in &targets {
                let config = target.config.as_ref();
                let key = resolve_key(
                    &target.spec,
                    config
                        .and_then(|c| c.key_env.as_deref())
                        .or(args.api_key_env.as_deref()),
                    config
                        .and_then(|c| c.key_file.as_deref())
                        .or(args.api_key_file.as_deref()),
                )?;
                let client = batch_client_for(&target.spec, key, extra_body(&args, config)?)?;
                let settings = settings(&args, target, 1)?;
                let info = safesci_core::provider::ProviderInfo {
                    kind: target.spec.kind.as_str().into(),
                    model: target.spec.model.clone(),
                    base_url: target.spec.base_urls.join(","),
                    revision: String::new(),
                };
                let (store, units) = session::pending_units(&settings, info)?;
                let n = units.len();
                let ids =
                    rt.block_on(client.submit(&store, units, &settings.run_dir.join("batches")))?;
                println!(
                    "submitted {} batches for {n} pending requests (already submitted ones skipped)",
                    ids.len()
                );
                print_batches(&safesci_run::batch::batches(&store)?);
            }
            Ok(Exit::Success)
        }
        BatchCommand::Status(args) => {
            let store = RunStore::open(&args.run)?;
            let client = batch_client(&store, &args)?;
            let rows = rt.block_on(client.refresh(&store))?;
            print_batches(&rows);
            Ok(Exit::Success)
        }
        BatchCommand::Collect(args) => {
            let mut store = RunStore::open(&args.run)?;
            let client = batch_client(&store, &args)?;
            let (ok, failed) = rt.block_on(client.collect(&mut store))?;
            println!("collected {ok} responses, {failed} failed");
            print_batches(&safesci_run::batch::batches(&store)?);
            Ok(if failed > 0 {
                Exit::ItemFailures
            } else {
                Exit::Success
            })
        }
    }
}

pub fn run_mock_server(args: MockServerArgs) -> anyhow::Result<Exit> {
    let items = match &args.items {
        Some(p) => safesci_core::io::read_items(p, safesci_core::io::BadItemPolicy::Stop)?.items,
        None => Vec::new(),
    };
    let rt = runtime()?;
    rt.block_on(async {
        let server = safesci_run::mock::MockServer::start(
            std::net::SocketAddr::from(([127, 0, 0, 1], args.port)),
            safesci_run::mock::MockOptions {
                items,
                latency: Duration::from_millis(args.latency_ms),
                seed: args.seed,
            },
        )
        .await
        .with_context(|| format!("failed to listen on 127.0.0.1:{}", args.port))?;
        println!("listening on {}", server.base_url());
        std::io::stdout().flush()?;
        tokio::select! {
            _ = server.wait() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        anyhow::Ok(())
    })?;
    Ok(Exit::Success)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn summary_snapshot() {
        let totals = RunTotals {
            total: 240,
            skipped: 40,
            completed: 195,
            failed: 5,
            cache_hits: 20,
            retries: 7,
            prompt_tokens: 51234,
            completion_tokens: 1400,
            elapsed_ms: 2500,
        };
        insta::assert_snapshot!(render_summary(
            "openai-compatible:mock-correct",
            Path::new("runs/m1"),
            &totals
        ));
    }

    #[test]
    fn estimate_snapshot() {
        let est = CostEstimate {
            requests: 1000,
            already_done: 10,
            prompt_tokens: 250_000,
            max_completion_tokens: 512_000,
            typical_completion_tokens: 8_000,
            cost_typical: Some(0.0423),
            cost_max: Some(0.3447),
        };
        let price = safesci_run::spec::Price {
            input_per_mtok: 0.15,
            output_per_mtok: 0.6,
            batch_discount: Some(0.5),
        };
        insta::assert_snapshot!(render_estimate(
            "openai:gpt-4o-mini",
            &est,
            Some(price),
            512
        ));
        insta::assert_snapshot!(
            "estimate_unknown_price",
            render_estimate("ollama:llama3", &est, None, 512)
        );
    }
}
