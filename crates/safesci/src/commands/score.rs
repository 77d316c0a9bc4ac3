//! `safesci score`, `compare`, `refusal`: scoring runs.

use crate::exit::Exit;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct ScoreArgs {}

#[derive(Debug, Args)]
pub struct CompareArgs {}

#[derive(Debug, Subcommand)]
pub enum RefusalCommand {}

pub fn run_score(_args: ScoreArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`score` is being written")
}

pub fn run_compare(_args: CompareArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`compare` is being written")
}

pub fn run_refusal(command: RefusalCommand) -> anyhow::Result<Exit> {
    match command {}
}
