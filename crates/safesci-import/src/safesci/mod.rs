//! `safesci import safesci`: the official SafeSci release (JSON arrays such as `test_set.json`,
//! `mini_test_set.json`, `train_set.json`, or per-source files) → items.
//!
//! Reading is two passes per file: a syntax pass that only finds where each record starts and
//! ends (so a malformed file is reported with line and column before any work), then records are
//! converted in parallel. How records map to items is in `record.rs` and `docs/import.md`.

mod answer;
pub mod error;
pub mod manifests;
pub mod paths;
mod record;

pub use error::{RecordError, SafesciError};
pub use manifests::{Manifests, REJECT_CATEGORIES};

use crate::json::Json;
use rayon::prelude::*;
use record::FileContext;
use safesci_core::io::BadItemPolicy;
use safesci_core::item::{Item, ItemId, Split};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The release's combined files; when a directory holds any of them, only they are read.
pub const SET_FILES: [&str; 3] = ["test_set.json", "mini_test_set.json", "train_set.json"];

/// Settings of one import.
#[derive(Debug, Clone)]
pub struct SafesciOptions {
    /// Seed of the option shuffle, mixed with each item's content.
    pub seed: u64,
    pub policy: BadItemPolicy,
    pub manifests: Manifests,
}

impl Default for SafesciOptions {
    fn default() -> Self {
        SafesciOptions {
            seed: 0,
            policy: BadItemPolicy::Stop,
            manifests: Manifests::builtin(),
        }
    }
}

/// One input file's share of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub path: PathBuf,
    pub items: usize,
    pub skipped: usize,
}

/// Result of an import: items in input order, the bad items skipped under
/// [`BadItemPolicy::Skip`], and exact duplicates dropped (same id and split).
#[derive(Debug, Default)]
pub struct Imported {
    pub items: Vec<Item>,
    pub skipped: Vec<SafesciError>,
    pub duplicates: usize,
    pub files: Vec<FileSummary>,
}

/// The JSON files an input path stands for, sorted.
pub fn input_files(path: &Path) -> Result<Vec<PathBuf>, SafesciError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(SafesciError::Open {
            path: path.to_path_buf(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    for base in [path.to_path_buf(), path.join("data")] {
        let sets: Vec<PathBuf> = SET_FILES
            .iter()
            .map(|n| base.join(n))
            .filter(|p| p.is_file())
            .collect();
        if !sets.is_empty() {
            return Ok(sets);
        }
    }
    let mut files = Vec::new();
    walk(path, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(SafesciError::NoInput(path.to_path_buf()));
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SafesciError> {
    let entries = std::fs::read_dir(dir).map_err(|error| SafesciError::Open {
        path: dir.to_path_buf(),
        error,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|error| SafesciError::Open {
                path: dir.to_path_buf(),
                error,
            })?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "jsonl")
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The (id, split) pairs imported so far. Content ids are `i` and 16 hex digits, kept as the
/// number they spell (no allocation per item); any other id is kept as text.
#[derive(Default)]
struct Seen {
    hex: HashSet<(u64, Split)>,
    other: HashSet<(ItemId, Split)>,
}

impl Seen {
    /// Record the item's (id, split); false when it was already there.
    fn insert(&mut self, item: &Item) -> bool {
        let id = &item.id.0;
        match id
            .strip_prefix('i')
            .filter(|h| h.len() == 16 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        {
            Some(h) => match u64::from_str_radix(h, 16) {
                Ok(n) => self.hex.insert((n, item.split)),
                Err(_) => self.other.insert((item.id.clone(), item.split)),
            },
            None => self.other.insert((item.id.clone(), item.split)),
        }
    }
}

/// Import a file or a directory of the official release.
pub fn import_path(path: &Path, options: &SafesciOptions) -> Result<Imported, SafesciError> {
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut out = Imported::default();
    let mut seen = Seen::default();
    for file in input_files(path)? {
        let bytes = std::fs::read(&file).map_err(|error| SafesciError::Open {
            path: file.clone(),
            error,
        })?;
        let (mut items, skipped) = import_bytes(&file, &root, &bytes, options)?;
        out.files.push(FileSummary {
            path: file.clone(),
            items: items.len(),
            skipped: skipped.len(),
        });
        out.skipped.extend(skipped);
        let before = items.len();
        items.retain(|item| seen.insert(item));
        out.duplicates += before - items.len();
        if out.items.is_empty() {
            out.items = items;
        } else {
            out.items.append(&mut items);
        }
    }
    Ok(out)
}

/// Import the bytes of one file. `root` names per-source files (see [`paths::source_for_file`]).
pub fn import_bytes(
    file: &Path,
    root: &Path,
    bytes: &[u8],
    options: &SafesciOptions,
) -> Result<(Vec<Item>, Vec<SafesciError>), SafesciError> {
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let split = if matches!(file_name.as_str(), "train_set.json" | "train_set.jsonl") {
        Split::Train
    } else {
        Split::Bench
    };
    let jsonl = file.extension().is_some_and(|e| e == "jsonl");
    // Both passes read the whole file on one core each; run them side by side.
    let (digest, records) = rayon::join(
        || Sha256::digest(bytes),
        || {
            if jsonl {
                split_jsonl(file, bytes)
            } else {
                split_array(file, bytes)
            }
        },
    );
    let records = records?;
    let hash = hex::encode(&digest[..6]);
    let version = format!("sha256:{hash};seed:{}", options.seed);
    let default_source = paths::source_for_file(root, file);
    let ctx = FileContext {
        manifests: &options.manifests,
        seed: options.seed,
        split,
        default_source: Some(&default_source),
        version: &version,
        file_name: &file_name,
    };
    let results: Vec<Result<Item, SafesciError>> = records
        .par_iter()
        .map(|(index, raw)| {
            let value: Json =
                serde_json::from_str(raw.get()).map_err(|e| SafesciError::Syntax {
                    path: file.to_path_buf(),
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                })?;
            record::convert(&ctx, *index, &value).map_err(|error| SafesciError::Item {
                path: file.to_path_buf(),
                index: *index,
                error,
            })
        })
        .collect();
    if results.iter().all(Result::is_ok) {
        // The usual case: reuse the results' buffer for the items instead of copying them.
        return Ok((
            results.into_iter().filter_map(Result::ok).collect(),
            Vec::new(),
        ));
    }
    let mut items = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    for r in results {
        match r {
            Ok(item) => items.push(item),
            Err(e @ SafesciError::Item { .. }) if options.policy == BadItemPolicy::Skip => {
                skipped.push(e)
            }
            Err(e) => return Err(e),
        }
    }
    Ok((items, skipped))
}

fn syntax(file: &Path, e: &serde_json::Error, line_offset: usize) -> SafesciError {
    // serde_json's message ends with " at line L column C"; the error fields carry those.
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_string();
    SafesciError::Syntax {
        path: file.to_path_buf(),
        line: e.line() + line_offset,
        column: e.column(),
        message,
    }
}

/// First pass over a JSON array: where each record is, without building values.
fn split_array<'a>(
    file: &Path,
    bytes: &'a [u8],
) -> Result<Vec<(usize, &'a RawValue)>, SafesciError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SafesciError::Syntax {
        path: file.to_path_buf(),
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        column: 0,
        message: "invalid UTF-8".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(records) => Ok(records.into_iter().enumerate().collect()),
        Err(e) if e.is_data() => {
            let found = match text.trim_start().as_bytes().first() {
                Some(b'{') => "an object",
                Some(b'"') => "a string",
                Some(b't' | b'f') => "a boolean",
                Some(b'n') => "null",
                _ => "a number",
            };
            Err(SafesciError::TopLevel {
                path: file.to_path_buf(),
                found,
            })
        }
        Err(e) => Err(syntax(file, &e, 0)),
    }
}

/// First pass over a JSONL file: one record per non-blank line, keyed by 1-based line number.
fn split_jsonl<'a>(
    file: &Path,
    bytes: &'a [u8],
) -> Result<Vec<(usize, &'a RawValue)>, SafesciError> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(line).map_err(|_| SafesciError::Syntax {
            path: file.to_path_buf(),
            line: i + 1,
            column: 0,
            message: "invalid UTF-8".into(),
        })?;
        let raw: &RawValue = serde_json::from_str(text).map_err(|e| syntax(file, &e, i))?;
        out.push((i + 1, raw));
    }
    Ok(out)
}
