//! `safesci stats` and `safesci validate`: inspect item files.

use crate::exit::Exit;
use clap::Args;

#[derive(Debug, Args)]
pub struct StatsArgs {}

#[derive(Debug, Args)]
pub struct ValidateArgs {}

pub fn run_stats(_args: StatsArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`stats` is being written")
}

pub fn run_validate(_args: ValidateArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`validate` is being written")
}
