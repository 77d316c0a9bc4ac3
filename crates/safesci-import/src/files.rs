//! Item files of either kind, chosen by extension: `.parquet` (or `.pq`) is Parquet, anything else
//! JSONL. JSONL is read in chunks whose lines `safesci_core::io`'s line parser takes in parallel,
//! and written with items encoded in parallel and written in order.

use crate::parquet::{self as pq, ParquetError};
use rayon::prelude::*;
use safesci_core::io::{BadItemPolicy, IoError, ItemWriter, encode_item, parse_item_line};
use safesci_core::item::Item;
use std::io::Read;
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

/// Bytes of JSONL taken per parallel step: enough lines to keep every core busy, little enough
/// that streaming a large file stays within a few MiB of buffers.
const CHUNK_BYTES: usize = 4 << 20;

/// Rayon splits a chunk's lines no finer than this, so scheduling stays small next to parsing.
const MIN_LINES_PER_TASK: usize = 64;

/// Parse the non-blank lines of a JSONL file in parallel, chunk by chunk, and call `sink` with
/// each chunk's values in file order. `parse` gets the 1-based line number and the trimmed line.
///
/// Errors are the ones `safesci_core::io::for_each_item`'s line-by-line read gives, in file
/// order: invalid UTF-8 stops the read with [`IoError::Read`] naming its line (under either
/// policy); a line `parse` rejects stops the read under [`BadItemPolicy::Stop`] and is collected
/// under [`BadItemPolicy::Skip`].
pub fn par_map_lines<T: Send>(
    path: &Path,
    policy: BadItemPolicy,
    parse: impl Fn(usize, &str) -> Result<T, IoError> + Sync,
    sink: impl FnMut(Vec<T>),
) -> Result<Vec<IoError>, IoError> {
    par_map_chunked(path, policy, CHUNK_BYTES, parse, sink)
}

/// [`par_map_lines`] with a chosen chunk size (tests use tiny ones to cross every boundary case).
fn par_map_chunked<T: Send>(
    path: &Path,
    policy: BadItemPolicy,
    chunk_bytes: usize,
    parse: impl Fn(usize, &str) -> Result<T, IoError> + Sync,
    mut sink: impl FnMut(Vec<T>),
) -> Result<Vec<IoError>, IoError> {
    let mut file = std::fs::File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut buf: Vec<u8> = Vec::with_capacity(chunk_bytes + (64 << 10));
    // Line number of the first byte of `buf`.
    let mut first_line = 1usize;
    let mut eof = false;
    let mut skipped = Vec::new();
    loop {
        // Fill up to CHUNK_BYTES and cut after the last newline; a line longer than the chunk
        // makes the chunk grow until the line ends.
        let mut want = chunk_bytes.max(1);
        let end = loop {
            if !eof && buf.len() < want {
                let missing = (want - buf.len()) as u64;
                let n = (&mut file)
                    .take(missing)
                    .read_to_end(&mut buf)
                    .map_err(|source| IoError::Read {
                        path: path.to_path_buf(),
                        line: first_line + count_newlines(&buf),
                        source,
                    })?;
                eof = (n as u64) < missing;
                continue;
            }
            if eof {
                break buf.len();
            }
            match buf.iter().rposition(|b| *b == b'\n') {
                Some(i) => break i + 1,
                None => want *= 2,
            }
        };
        if end == 0 {
            break;
        }
        let chunk = &buf[..end];
        // Invalid UTF-8 ends the read at its line, after the lines before it are taken as usual,
        // so the first error in file order is the one reported.
        let (text, utf8_error) = match std::str::from_utf8(chunk) {
            Ok(text) => (text, None),
            Err(e) => {
                let valid = &chunk[..e.valid_up_to()];
                let whole_lines = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                let error = IoError::Read {
                    path: path.to_path_buf(),
                    line: first_line + count_newlines(valid),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    ),
                };
                let text = std::str::from_utf8(&valid[..whole_lines]).unwrap_or_default();
                (text, Some(error))
            }
        };
        let mut lines: Vec<(usize, &str)> = Vec::with_capacity(end / 256);
        let mut n = first_line;
        for line in text.split_terminator('\n') {
            let line = line.trim();
            if !line.is_empty() {
                lines.push((n, line));
            }
            n += 1;
        }
        let parsed: Vec<Result<T, IoError>> = lines
            .par_iter()
            .with_min_len(MIN_LINES_PER_TASK)
            .map(|(n, text)| parse(*n, text))
            .collect();
        let mut values = Vec::with_capacity(parsed.len());
        for r in parsed {
            match r {
                Ok(v) => values.push(v),
                Err(e) if policy == BadItemPolicy::Skip => skipped.push(e),
                Err(e) => return Err(e),
            }
        }
        sink(values);
        if let Some(e) = utf8_error {
            return Err(e);
        }
        first_line = n;
        buf.drain(..end);
    }
    Ok(skipped)
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Call `f` with batches of items, in file order, without holding the whole file.
pub fn for_each_batch(
    path: &Path,
    policy: BadItemPolicy,
    f: impl FnMut(Vec<Item>),
) -> Result<Vec<ItemFileError>, ItemFileError> {
    if is_parquet(path) {
        let skipped = pq::for_each_batch(path, policy, f)?;
        return Ok(skipped.into_iter().map(ItemFileError::from).collect());
    }
    let skipped = par_map_lines(path, policy, |n, text| parse_item_line(path, n, text), f)?;
    Ok(skipped.into_iter().map(ItemFileError::from).collect())
}

/// Read every item of a JSONL or Parquet file (by extension).
pub fn read_any(path: &Path, policy: BadItemPolicy) -> Result<ItemsRead, ItemFileError> {
    let mut items = Vec::new();
    let skipped = for_each_batch(path, policy, |batch| items.extend(batch))?;
    Ok(ItemsRead { items, skipped })
}

/// Items encoded per parallel task when writing JSONL.
const WRITE_TASK_ITEMS: usize = 512;
/// Items encoded before the encoded bytes are written out, bounding the buffered output.
const WRITE_ROUND_ITEMS: usize = 16 * 1024;

/// Write items as JSONL or Parquet (by extension). Returns the count written.
///
/// JSONL lines are encoded in parallel and written in item order, byte for byte what
/// [`safesci_core::io::write_items`] writes.
pub fn write_any(path: &Path, items: &[Item]) -> Result<u64, ItemFileError> {
    if is_parquet(path) {
        return Ok(pq::write_parquet(path, items)?);
    }
    let mut writer = ItemWriter::create(path)?;
    for round in items.chunks(WRITE_ROUND_ITEMS) {
        let encoded: Vec<Vec<u8>> = round
            .par_chunks(WRITE_TASK_ITEMS)
            .map(|task| {
                let mut out = Vec::with_capacity(task.len() * 512);
                for item in task {
                    encode_item(&mut out, item).map_err(|e| IoError::Write {
                        path: path.to_path_buf(),
                        source: std::io::Error::other(e),
                    })?;
                }
                Ok(out)
            })
            .collect::<Result<_, IoError>>()?;
        for (bytes, task) in encoded.iter().zip(round.chunks(WRITE_TASK_ITEMS)) {
            writer.write_encoded(bytes, task.len() as u64)?;
        }
    }
    Ok(writer.finish()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use safesci_core::io::{encode_item, read_items};
    use safesci_core::item::{Answer, ExpectedBehavior, Field, Format, ItemDraft, Split, Track};
    use safesci_core::item::{Provenance, label_options};

    fn item(i: usize) -> Item {
        ItemDraft {
            field: Field::Chemistry,
            track: Track::Knowledge,
            format: Format::SingleChoice,
            question: format!("Question {i}: which glove material resists acetone?"),
            context: None,
            options: label_options(["Butyl", "Latex"]).unwrap(),
            answer: Answer::letters(["A"]),
            expected_behavior: ExpectedBehavior::Answer,
            family: format!("f{i}"),
            category: None,
            provenance: Provenance::default(),
            split: Split::Bench,
            target: None,
        }
        .build()
    }

    /// One line of a test file: a good item, a blank line, or a bad one of some kind.
    fn line(kind: u8, i: usize) -> Vec<u8> {
        let mut good = Vec::new();
        encode_item(&mut good, &item(i)).unwrap();
        match kind {
            0..=4 => good,
            5 => b"\n".to_vec(),
            6 => b"  \t\r\n".to_vec(),
            7 => {
                // Valid JSON, invalid item (the id no longer matches the content).
                let text = String::from_utf8(good).unwrap();
                text.replace("Question", "Changed").into_bytes()
            }
            8 => b"{not json\n".to_vec(),
            _ => {
                // Windows line ending.
                good.pop();
                good.extend_from_slice(b"\r\n");
                good
            }
        }
    }

    /// An error as text and line, comparable across readers.
    type Shown = (String, Option<usize>);

    /// What a read gives, comparable across readers: items, or the error text and line.
    fn outcome(
        r: Result<(Vec<Item>, Vec<IoError>), IoError>,
    ) -> Result<(Vec<Item>, Vec<Shown>), Shown> {
        let show = |e: &IoError| (e.to_string(), e.line());
        r.map(|(items, skipped)| (items, skipped.iter().map(show).collect()))
            .map_err(|e| show(&e))
    }

    fn chunked(
        path: &Path,
        policy: BadItemPolicy,
        chunk: usize,
    ) -> Result<(Vec<Item>, Vec<IoError>), IoError> {
        let mut items = Vec::new();
        let skipped = par_map_chunked(
            path,
            policy,
            chunk,
            |n, text| parse_item_line(path, n, text),
            |batch| items.extend(batch),
        )?;
        Ok((items, skipped))
    }

    fn serial(path: &Path, policy: BadItemPolicy) -> Result<(Vec<Item>, Vec<IoError>), IoError> {
        read_items(path, policy).map(|o| (o.items, o.skipped))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Chunked parallel reading gives exactly the serial line reader's items, skipped lines
        /// and first error, whatever the chunk size, blank lines, line endings and final newline.
        #[test]
        fn chunked_read_matches_the_serial_reader(
            kinds in prop::collection::vec(0u8..10, 0..40),
            chunk in 1usize..700,
            final_newline in any::<bool>(),
            bad_utf8_at in prop::option::of(0usize..40),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("items.jsonl");
            let mut bytes = Vec::new();
            for (i, k) in kinds.iter().enumerate() {
                if bad_utf8_at == Some(i) {
                    bytes.extend_from_slice(b"{\"question\": \"\xff\"}\n");
                }
                bytes.extend(line(*k, i));
            }
            if !final_newline && bytes.last() == Some(&b'\n') {
                bytes.pop();
            }
            std::fs::write(&path, &bytes).unwrap();
            for policy in [BadItemPolicy::Stop, BadItemPolicy::Skip] {
                prop_assert_eq!(
                    outcome(chunked(&path, policy, chunk)),
                    outcome(serial(&path, policy)),
                    "policy {:?}", policy
                );
            }
        }
    }

    #[test]
    fn parallel_write_is_byte_identical_to_the_serial_writer() {
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<Item> = (0..(WRITE_TASK_ITEMS * 3 + 17)).map(item).collect();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        assert_eq!(write_any(&a, &items).unwrap(), items.len() as u64);
        assert_eq!(
            safesci_core::io::write_items(&b, &items).unwrap(),
            items.len() as u64
        );
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(read_any(&a, BadItemPolicy::Stop).unwrap().items, items);
    }
}
