//! Item files: streaming JSONL read and write (one [`Item`] per line), with errors that name the
//! file, the line and the field. Parquet lives in `safesci-import` to keep arrow out of this crate.

use crate::item::{Item, ItemError};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors reading or writing item files.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("failed to open `{path}`")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read `{path}` line {line}")]
    Read {
        path: PathBuf,
        line: usize,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read `{path}` line {line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("failed to read `{path}` line {line}: {source}")]
    Invalid {
        path: PathBuf,
        line: usize,
        #[source]
        source: ItemError,
    },
    #[error("failed to write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl IoError {
    /// Line number the error points at, when it points at one.
    pub fn line(&self) -> Option<usize> {
        match self {
            IoError::Read { line, .. }
            | IoError::Parse { line, .. }
            | IoError::Invalid { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Whether a bad line stops the read or is skipped and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadItemPolicy {
    #[default]
    Stop,
    Skip,
}

/// Items read from a file, plus the errors of skipped lines under [`BadItemPolicy::Skip`].
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub items: Vec<Item>,
    pub skipped: Vec<IoError>,
}

/// Parse one JSONL line into a validated item. `line` is 1-based.
pub fn parse_item_line(path: &Path, line: usize, text: &str) -> Result<Item, IoError> {
    let item: Item = serde_json::from_str(text).map_err(|e| IoError::Parse {
        path: path.to_path_buf(),
        line,
        // serde_json names the field (`missing field `answer``) and the column; keep both.
        message: e.to_string(),
    })?;
    item.validate().map_err(|source| IoError::Invalid {
        path: path.to_path_buf(),
        line,
        source,
    })?;
    Ok(item)
}

/// Call `f` for every item of a JSONL file, in order, without holding the file in memory.
/// Blank lines are ignored.
pub fn for_each_item(
    path: &Path,
    policy: BadItemPolicy,
    mut f: impl FnMut(Item),
) -> Result<Vec<IoError>, IoError> {
    for_each_item_line(path, policy, |item, _| f(item))
}

/// [`for_each_item`], also handing `f` the (trimmed) line each item was parsed from, so a caller
/// can keep the item as read instead of encoding it again.
pub fn for_each_item_line(
    path: &Path,
    policy: BadItemPolicy,
    mut f: impl FnMut(Item, &str),
) -> Result<Vec<IoError>, IoError> {
    let file = File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buf = String::new();
    let mut line = 0usize;
    let mut skipped = Vec::new();
    loop {
        buf.clear();
        line += 1;
        let n = reader.read_line(&mut buf).map_err(|source| IoError::Read {
            path: path.to_path_buf(),
            line,
            source,
        })?;
        if n == 0 {
            break;
        }
        let text = buf.trim();
        if text.is_empty() {
            continue;
        }
        match parse_item_line(path, line, text) {
            Ok(item) => f(item, text),
            Err(e) if policy == BadItemPolicy::Skip => skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok(skipped)
}

/// Read every item of a JSONL file.
pub fn read_items(path: &Path, policy: BadItemPolicy) -> Result<ReadOutcome, IoError> {
    let mut items = Vec::new();
    let skipped = for_each_item(path, policy, |i| items.push(i))?;
    Ok(ReadOutcome { items, skipped })
}

/// Buffered JSONL writer; `finish` flushes and reports the count.
#[derive(Debug)]
pub struct ItemWriter {
    out: BufWriter<File>,
    path: PathBuf,
    count: u64,
}

impl ItemWriter {
    pub fn create(path: &Path) -> Result<ItemWriter, IoError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| IoError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let file = File::create(path).map_err(|source| IoError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(ItemWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            path: path.to_path_buf(),
            count: 0,
        })
    }

    pub fn write(&mut self, item: &Item) -> Result<(), IoError> {
        let err = |source| IoError::Write {
            path: self.path.clone(),
            source,
        };
        serde_json::to_writer(&mut self.out, item).map_err(|e| err(std::io::Error::other(e)))?;
        self.out.write_all(b"\n").map_err(err)?;
        self.count += 1;
        Ok(())
    }

    /// Write lines already encoded with [`encode_item`] (`count` items), e.g. encoded in parallel
    /// by the caller; the bytes are the same as writing each item with [`ItemWriter::write`].
    pub fn write_encoded(&mut self, lines: &[u8], count: u64) -> Result<(), IoError> {
        self.out.write_all(lines).map_err(|source| IoError::Write {
            path: self.path.clone(),
            source,
        })?;
        self.count += count;
        Ok(())
    }

    pub fn finish(mut self) -> Result<u64, IoError> {
        self.out.flush().map_err(|source| IoError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.count)
    }
}

/// Append one item as a JSONL line (JSON plus `\n`) to `out`: exactly what [`ItemWriter::write`]
/// writes for it.
pub fn encode_item(out: &mut Vec<u8>, item: &Item) -> Result<(), serde_json::Error> {
    serde_json::to_writer(&mut *out, item)?;
    out.push(b'\n');
    Ok(())
}

/// Write items to a JSONL file.
pub fn write_items<'a>(
    path: &Path,
    items: impl IntoIterator<Item = &'a Item>,
) -> Result<u64, IoError> {
    let mut w = ItemWriter::create(path)?;
    for item in items {
        w.write(item)?;
    }
    w.finish()
}

/// Order-independent hash of a set of items (sorted ids), hex. Recorded in run manifests.
pub fn items_hash<'a>(items: impl IntoIterator<Item = &'a Item>) -> String {
    let mut ids: Vec<&str> = items.into_iter().map(|i| i.id.0.as_str()).collect();
    ids.sort_unstable();
    let mut h = Sha256::new();
    for id in ids {
        h.update(id.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::item::*;

    fn item(q: &str) -> Item {
        ItemDraft {
            field: Field::Physics,
            track: Track::Knowledge,
            format: Format::TrueFalse,
            question: q.into(),
            context: None,
            options: vec![],
            answer: Answer::Bool { value: true },
            expected_behavior: ExpectedBehavior::Answer,
            family: "f".into(),
            category: None,
            provenance: Provenance::default(),
            split: Split::Bench,
            target: None,
        }
        .build()
    }

    #[test]
    fn write_then_read_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.jsonl");
        let items = vec![item("a"), item("b")];
        assert_eq!(write_items(&path, &items).unwrap(), 2);
        let back = read_items(&path, BadItemPolicy::Stop).unwrap();
        assert_eq!(back.items, items, "JSONL round trip must be lossless");
    }

    #[test]
    fn bad_line_names_file_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let good = serde_json::to_string(&item("a")).unwrap();
        let bad = good.replace("\"question\":\"a\",", "");
        std::fs::write(&path, format!("{good}\n\n{bad}\n")).unwrap();
        let err = read_items(&path, BadItemPolicy::Stop).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("x.jsonl` line 3"),
            "names file and line: {msg}"
        );
        assert!(
            msg.contains("missing field `question`"),
            "names the field: {msg}"
        );
        let skipped = read_items(&path, BadItemPolicy::Skip).unwrap();
        assert_eq!((skipped.items.len(), skipped.skipped.len()), (1, 1));
    }
}
