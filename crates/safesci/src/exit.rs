//! Named exit codes (an API: scripts and CI branch on them) and the `hint:` error wrapper.

use std::process::ExitCode;

/// How `safesci` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Success = 0,
    /// 1: finished, but a `--min-*` cutoff was not met.
    CutoffNotMet = 1,
    /// 2: usage, configuration, input or I/O error.
    Error = 2,
    /// 3: finished, but some items failed (they are recorded and retried on the next run).
    ItemFailures = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A suggestion printed after the error as `hint: …`: build the error as
/// `anyhow::Error::new(Hint(..)).context("failed to …")` so the hint sits below the message.
#[derive(Debug)]
pub struct Hint(pub String);

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Hint {}
