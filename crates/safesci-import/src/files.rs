//! Item files of either kind, chosen by extension: `.parquet` (or `.pq`) is Parquet, anything else
//! JSONL. JSONL is read with `safesci_core::io`'s line parser, in parallel batches.

use crate::parquet::{self as pq, ParquetError};
use rayon::prelude::*;
use safesci_core::io::{BadItemPolicy, IoError, parse_item_line, write_items};
use safesci_core::item::Item;
use std::io::BufRead;
use std::path::Path;

/// Errors reading or writing an item file of either kind.
#[derive(Debug, thiserror::Error)]
pub enum ItemFileError {
    #[error(transparent)]
    Jsonl(#[from] IoError),
    #[error(transparent)]
    Parquet(#[from] ParquetError),
}

impl ItemFileError {
    /// Line (JSONL) or 1-based row (Parquet) the error points at.
    pub fn line(&self) -> Option<usize> {
        match self {
            ItemFileError::Jsonl(e) => e.line(),
            ItemFileError::Parquet(e) => e.row(),
        }
    }
}

/// Whether a path names a Parquet file.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

/// Items of a file plus the bad ones skipped under [`BadItemPolicy::Skip`].
#[derive(Debug, Default)]
pub struct ItemsRead {
    pub items: Vec<Item>,
    pub skipped: Vec<ItemFileError>,
}

const BATCH_LINES: usize = 8192;

/// Call `f` with batches of items, in file order, without holding the whole file.
pub fn for_each_batch(
    path: &Path,
    policy: BadItemPolicy,
    mut f: impl FnMut(Vec<Item>),
) -> Result<Vec<ItemFileError>, ItemFileError> {
    if is_parquet(path) {
        let skipped = pq::for_each_batch(path, policy, f)?;
        return Ok(skipped.into_iter().map(ItemFileError::from).collect());
    }
    let file = std::fs::File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut skipped = Vec::new();
    let mut line = 0usize;
    loop {
        let mut batch: Vec<(usize, String)> = Vec::with_capacity(BATCH_LINES);
        while batch.len() < BATCH_LINES {
            let mut buf = String::new();
            line += 1;
            let n = reader.read_line(&mut buf).map_err(|source| IoError::Read {
                path: path.to_path_buf(),
                line,
                source,
            })?;
            if n == 0 {
                break;
            }
            if !buf.trim().is_empty() {
                batch.push((line, buf));
            }
        }
        if batch.is_empty() {
            break;
        }
        let parsed: Vec<Result<Item, IoError>> = batch
            .par_iter()
            .map(|(n, text)| parse_item_line(path, *n, text.trim()))
            .collect();
        let mut items = Vec::with_capacity(parsed.len());
        for r in parsed {
            match r {
                Ok(item) => items.push(item),
                Err(e) if policy == BadItemPolicy::Skip => skipped.push(e.into()),
                Err(e) => return Err(e.into()),
            }
        }
        f(items);
    }
    Ok(skipped)
}

/// Read every item of a JSONL or Parquet file (by extension).
pub fn read_any(path: &Path, policy: BadItemPolicy) -> Result<ItemsRead, ItemFileError> {
    let mut items = Vec::new();
    let skipped = for_each_batch(path, policy, |batch| items.extend(batch))?;
    Ok(ItemsRead { items, skipped })
}

/// Write items as JSONL or Parquet (by extension). Returns the count written.
pub fn write_any(path: &Path, items: &[Item]) -> Result<u64, ItemFileError> {
    if is_parquet(path) {
        Ok(pq::write_parquet(path, items)?)
    } else {
        Ok(write_items(path, items)?)
    }
}
