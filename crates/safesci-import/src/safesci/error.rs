//! Errors of the official importer: file-level ones stop the import; item-level ones name the
//! item's index in its array (or line in a JSONL file) and are skipped and counted under
//! `--lenient`.

use safesci_core::item::ItemError;
use std::path::PathBuf;

/// What is wrong with one record. Messages are fragments; [`SafesciError::Item`] adds file and index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("item is {0}, expected an object")]
    NotObject(&'static str),
    #[error("missing `{0}`")]
    Missing(&'static str),
    #[error("`{field}` is {found}, expected {expected}")]
    WrongType {
        field: &'static str,
        found: &'static str,
        expected: &'static str,
    },
    #[error("`{field}` entry {index} is {found}, expected a string or an object")]
    WrongEntry {
        field: &'static str,
        index: usize,
        found: &'static str,
    },
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("`{field}` key `{key}` has {found} value, expected a string")]
    DictValue {
        field: &'static str,
        key: String,
        found: &'static str,
    },
    #[error("`options` has {0} entries; at most 10 (A–J) can be labelled")]
    TooManyOptions(usize),
    #[error("`gt` `{0}` is not a set of option letters A–J")]
    BadGt(String),
    #[error("`answer` `{0}` is not True or False")]
    BadTrueFalse(String),
    #[error("{0}")]
    Invalid(#[from] ItemError),
}

/// Errors of `safesci import safesci`.
#[derive(Debug, thiserror::Error)]
pub enum SafesciError {
    #[error("failed to open `{path}`: {error}")]
    Open {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("failed to parse `{path}` line {line} column {column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("failed to read `{path}`: expected a JSON array of items, found {found}")]
    TopLevel { path: PathBuf, found: &'static str },
    #[error("failed to read `{path}` item {index}: {error}")]
    Item {
        path: PathBuf,
        index: usize,
        error: RecordError,
    },
    #[error("no SafeSci JSON files found under `{0}`")]
    NoInput(PathBuf),
    #[error(transparent)]
    Manifest(#[from] super::manifests::ManifestError),
}
