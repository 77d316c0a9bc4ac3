//! `safesci eval`, `merge`, `batch`, `mock-server`: running models.

use crate::exit::Exit;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct EvalArgs {}

#[derive(Debug, Args)]
pub struct MergeArgs {}

#[derive(Debug, Subcommand)]
pub enum BatchCommand {}

#[derive(Debug, Args)]
pub struct MockServerArgs {}

pub fn run_eval(_args: EvalArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`eval` is being written")
}

pub fn run_merge(_args: MergeArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`merge` is being written")
}

pub fn run_batch(command: BatchCommand) -> anyhow::Result<Exit> {
    match command {}
}

pub fn run_mock_server(_args: MockServerArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`mock-server` is being written")
}
