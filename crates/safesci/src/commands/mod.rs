//! One module per command group. Each exposes clap argument types and `run` functions that
//! resolve arguments, call the library, and render results (data on stdout, progress on stderr).

pub mod build;
pub mod embedded;
pub mod eval;
pub mod import;
pub mod report;
pub mod score;
pub mod stats;

use crate::cli::Command;
use crate::exit::Exit;

pub fn dispatch(command: Command) -> anyhow::Result<Exit> {
    match command {
        Command::Import(c) => import::run(c),
        Command::Stats(a) => stats::run_stats(a),
        Command::Validate(a) => stats::run_validate(a),
        Command::Sources(c) => build::run_sources(c),
        Command::Build(a) => build::run_build(a),
        Command::Export(c) => build::run_export(c),
        Command::Eval(a) => eval::run_eval(a),
        Command::Merge(a) => eval::run_merge(a),
        Command::Batch(c) => eval::run_batch(c),
        Command::MockServer(a) => eval::run_mock_server(a),
        Command::Score(a) => score::run_score(a),
        Command::Compare(a) => score::run_compare(a),
        Command::Refusal(c) => score::run_refusal(c),
        Command::Report(a) => report::run_report(a),
    }
}
