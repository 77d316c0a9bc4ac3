//! `safesci report`: render scored runs.

use crate::exit::Exit;
use clap::Args;

#[derive(Debug, Args)]
pub struct ReportArgs {}

pub fn run_report(_args: ReportArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`report` is being written")
}
