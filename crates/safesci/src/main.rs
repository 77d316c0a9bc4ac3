//! The `safesci` binary: parses the command line, dispatches to one command module, and turns
//! errors into `error:` / `hint:` lines and a named exit code. All work happens in the library crates.

mod cli;
mod commands;
mod exit;

use clap::Parser;
use std::process::ExitCode;

// glibc's allocator was ~14 % of the runner's CPU at concurrency 256 (perf, benches/runner.rs);
// mimalloc cuts that and keeps the runner's memory flat.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli.command) {
        Ok(code) => code.into(),
        Err(err) => {
            // A closed pipe (`safesci stats … | head`) is not an error worth reporting.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return exit::Exit::Success.into();
            }
            eprintln!("error: {err}");
            let mut hints = Vec::new();
            for cause in err.chain().skip(1) {
                match cause.downcast_ref::<exit::Hint>() {
                    Some(hint) => hints.push(hint.0.clone()),
                    None => eprintln!("  caused by: {cause}"),
                }
            }
            for hint in hints {
                eprintln!("hint: {hint}");
            }
            exit::Exit::Error.into()
        }
    }
}
