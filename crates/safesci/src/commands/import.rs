//! `safesci import …`: external data → items.jsonl.

use crate::exit::Exit;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {}

pub fn run(command: ImportCommand) -> anyhow::Result<Exit> {
    match command {}
}
