//! `safesci sources`, `safesci build`, `safesci export`: the offline builder.

use crate::exit::Exit;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {}

#[derive(Debug, Args)]
pub struct BuildArgs {}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {}

pub fn run_sources(command: SourcesCommand) -> anyhow::Result<Exit> {
    match command {}
}

pub fn run_build(_args: BuildArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("`build` is being written")
}

pub fn run_export(command: ExportCommand) -> anyhow::Result<Exit> {
    match command {}
}
