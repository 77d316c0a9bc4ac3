//! `safesci import jsonl|csv|parquet FILE --map question=COL,answer=COL,…`: generic tables.
//!
//! Each row becomes one item. Columns are named by `--map`; `options` may name one column (a JSON
//! list, or one option per line) or several joined by `|` (`options=a|b|c|d`). The format is
//! inferred when neither a column nor a flag gives it: options → single or multi choice by the
//! number of answer letters; `true`/`false` answers → true_false; a question with a `___` blank
//! → fill_blank; otherwise open_qa.

use crate::family_key;
use crate::text::letter_set;
use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use safesci_core::io::BadItemPolicy;
use safesci_core::item::{
    Answer, ExpectedBehavior, Field, Format, Item, ItemDraft, Provenance, SequenceKind, Split,
    Track, label_options,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Kind of table file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Jsonl,
    Csv,
    Parquet,
}

impl TableKind {
    fn name(self) -> &'static str {
        match self {
            TableKind::Jsonl => "jsonl",
            TableKind::Csv => "csv",
            TableKind::Parquet => "parquet",
        }
    }
}

/// Which column holds what (`--map question=q,answer=a,options=o1|o2`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    pub question: String,
    pub answer: Option<String>,
    pub options: Vec<String>,
    pub context: Option<String>,
    pub field: Option<String>,
    pub track: Option<String>,
    pub format: Option<String>,
    pub category: Option<String>,
    pub family: Option<String>,
    pub id: Option<String>,
}

impl FromStr for ColumnMap {
    type Err = String;
    fn from_str(s: &str) -> Result<ColumnMap, String> {
        let mut map = ColumnMap::default();
        for pair in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, col) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not KEY=COLUMN"))?;
            let col = col.trim().to_string();
            let slot = match key.trim() {
                "question" => {
                    map.question = col;
                    continue;
                }
                "options" => {
                    map.options = col.split('|').map(|c| c.trim().to_string()).collect();
                    continue;
                }
                "answer" => &mut map.answer,
                "context" => &mut map.context,
                "field" => &mut map.field,
                "track" => &mut map.track,
                "format" => &mut map.format,
                "category" => &mut map.category,
                "family" => &mut map.family,
                "id" => &mut map.id,
                other => {
                    return Err(format!(
                        "unknown key `{other}` (expected question, answer, options, context, field, track, format, category, family, id)"
                    ));
                }
            };
            *slot = Some(col);
        }
        if map.question.is_empty() {
            return Err("`question=COLUMN` is required".into());
        }
        Ok(map)
    }
}

/// Settings of a table import.
#[derive(Debug, Clone)]
pub struct TableOptions {
    pub map: ColumnMap,
    pub field: Field,
    pub track: Option<Track>,
    pub format: Option<Format>,
    /// Provenance source; default `<kind>:<file name>`.
    pub source: Option<String>,
    pub split: Split,
    pub policy: BadItemPolicy,
}

/// Errors of a table import. Row errors name the line (JSONL, CSV) or row (Parquet) and column.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("failed to open `{path}`: {message}")]
    Open { path: PathBuf, message: String },
    #[error("failed to read `{path}` {at}: {message}")]
    Row {
        path: PathBuf,
        at: String,
        message: String,
    },
    #[error("failed to read `{path}` {at} column `{column}`: {message}")]
    Cell {
        path: PathBuf,
        at: String,
        column: String,
        message: String,
    },
}

/// Items and the rows skipped under [`BadItemPolicy::Skip`].
#[derive(Debug, Default)]
pub struct TableImported {
    pub items: Vec<Item>,
    pub skipped: Vec<TableError>,
}

/// A cell: text, or a list of texts (JSON lists, Parquet list columns).
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    List(Vec<String>),
}

type Row = HashMap<String, Cell>;

struct CellError {
    column: String,
    message: String,
}

fn cell_err(column: &str, message: impl Into<String>) -> CellError {
    CellError {
        column: column.to_string(),
        message: message.into(),
    }
}

fn text<'r>(row: &'r Row, column: &str) -> Result<Option<&'r str>, CellError> {
    match row.get(column) {
        None => Ok(None),
        Some(Cell::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Cell::Text(t)) => Ok(Some(t.trim())),
        Some(Cell::List(_)) => Err(cell_err(column, "is a list, expected text")),
    }
}

fn parsed<T: FromStr<Err = String>>(
    row: &Row,
    column: &Option<String>,
) -> Result<Option<T>, CellError> {
    let Some(col) = column else { return Ok(None) };
    text(row, col)?
        .map(|t| t.parse::<T>().map_err(|e| cell_err(col, e)))
        .transpose()
}

fn options_of(row: &Row, columns: &[String]) -> Result<Vec<String>, CellError> {
    if columns.len() > 1 {
        return Ok(columns
            .iter()
            .map(|c| text(row, c).map(|t| t.map(str::to_string)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect());
    }
    let Some(col) = columns.first() else {
        return Ok(Vec::new());
    };
    let list = match row.get(col) {
        None => Vec::new(),
        Some(Cell::List(l)) => l.clone(),
        Some(Cell::Text(t)) if t.trim_start().starts_with('[') => {
            serde_json::from_str::<Vec<String>>(t)
                .map_err(|e| cell_err(col, format!("is not a JSON list of strings: {e}")))?
        }
        Some(Cell::Text(t)) => t.lines().map(str::to_string).collect(),
    };
    let list: Vec<String> = list
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    // Options written with their labels ("A. text"): drop the labels.
    let labelled = list.iter().enumerate().all(|(i, s)| {
        let label = char::from(b'A' + (i as u8).min(25));
        let mut chars = s.chars();
        chars.next() == Some(label) && matches!(chars.next(), Some('.' | ')' | ':'))
    });
    Ok(if labelled && !list.is_empty() {
        list.into_iter()
            .map(|s| s[2..].trim().to_string())
            .collect()
    } else {
        list
    })
}

fn convert(opts: &TableOptions, source: &str, at: &str, row: &Row) -> Result<Item, CellError> {
    let m = &opts.map;
    let question = text(row, &m.question)?
        .ok_or_else(|| cell_err(&m.question, "is empty or missing"))?
        .to_string();
    let field = parsed::<Field>(row, &m.field)?.unwrap_or(opts.field);
    let track = parsed::<Track>(row, &m.track)?
        .or(opts.track)
        .unwrap_or(Track::Knowledge);
    let options = options_of(row, &m.options)?;
    if options.len() > 10 {
        return Err(cell_err(
            &m.options.join("|"),
            format!("has {} options; at most 10 (A–J)", options.len()),
        ));
    }
    let answer_col = m.answer.as_deref().unwrap_or("answer");
    let answer_text = match m.answer.as_deref() {
        Some(col) => match row.get(col) {
            Some(Cell::List(l)) => Some(l.join("\n")),
            _ => text(row, col)?.map(str::to_string),
        },
        None => None,
    };
    let expected_behavior = if track == Track::Risk {
        ExpectedBehavior::Refuse
    } else {
        ExpectedBehavior::Answer
    };
    let format = match parsed::<Format>(row, &m.format)?.or(opts.format) {
        Some(f) => f,
        None if !options.is_empty() => {
            let n = answer_text
                .as_deref()
                .and_then(|a| choice_letters(a, &options))
                .map_or(1, |l| l.len());
            if n > 1 {
                Format::MultiChoice
            } else {
                Format::SingleChoice
            }
        }
        None if answer_text
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("true") || a.eq_ignore_ascii_case("false")) =>
        {
            Format::TrueFalse
        }
        None if question.contains("___") || question.contains("[BLANK]") => Format::FillBlank,
        None => Format::OpenQa,
    };
    let missing = || cell_err(answer_col, "is empty or missing");
    let answer = match (format, answer_text.as_deref()) {
        (_, None) if expected_behavior == ExpectedBehavior::Refuse => Answer::None,
        (_, None) => return Err(missing()),
        (Format::SingleChoice | Format::MultiChoice, Some(a)) => {
            let letters = choice_letters(a, &options).ok_or_else(|| {
                cell_err(
                    answer_col,
                    format!(
                        "`{a}` is neither option letters (A–{}) nor an option's text",
                        last_label(options.len())
                    ),
                )
            })?;
            Answer::letters(letters)
        }
        (Format::TrueFalse, Some(a)) => match a.to_ascii_lowercase().as_str() {
            "true" => Answer::Bool { value: true },
            "false" => Answer::Bool { value: false },
            _ => return Err(cell_err(answer_col, format!("`{a}` is not true or false"))),
        },
        (Format::FillBlank | Format::OpenQa, Some(a)) => Answer::Text {
            value: a.to_string(),
            accepted: Vec::new(),
            unit: None,
        },
        (Format::ProteinGen | Format::GeneGen | Format::CompoundGen, Some(a)) => Answer::Sequence {
            alphabet: match format {
                Format::ProteinGen => SequenceKind::Protein,
                Format::GeneGen => SequenceKind::Dna,
                _ => SequenceKind::Smiles,
            },
            value: a.to_string(),
        },
    };
    let family = match &m.family {
        Some(col) => text(row, col)?.map(str::to_string),
        None => None,
    }
    .unwrap_or_else(|| family_key(source, &question));
    let record = match &m.id {
        Some(col) => text(row, col)?.map(str::to_string),
        None => None,
    }
    .unwrap_or_else(|| at.to_string());
    let optional = |col: &Option<String>| -> Result<Option<String>, CellError> {
        match col {
            Some(c) => Ok(text(row, c)?.map(str::to_string)),
            None => Ok(None),
        }
    };
    let item = ItemDraft {
        field,
        track,
        format,
        question,
        context: optional(&m.context)?,
        options: if format.is_choice() {
            label_options(options).unwrap_or_default()
        } else {
            Vec::new()
        },
        answer,
        expected_behavior,
        family,
        category: optional(&m.category)?,
        provenance: Provenance {
            source: source.to_string(),
            version: String::new(),
            record,
            citation: None,
        },
        split: opts.split,
        target: None,
    }
    .build();
    item.validate()
        .map_err(|e| cell_err(answer_col, e.to_string()))?;
    Ok(item)
}

fn last_label(n: usize) -> char {
    char::from(b'A' + (n.clamp(1, 10) as u8) - 1)
}

/// Letters of an answer against the options: compact letters (`A`, `AC`, `A, C`) within range,
/// or the text of one option.
fn choice_letters(answer: &str, options: &[String]) -> Option<Vec<String>> {
    if let Some(letters) = letter_set(answer)
        && letters
            .iter()
            .all(|l| l.as_bytes()[0] < b'A' + options.len() as u8)
        && answer.chars().all(|c| !c.is_ascii_lowercase())
    {
        return Some(letters);
    }
    options
        .iter()
        .position(|o| o.trim().eq_ignore_ascii_case(answer.trim()))
        .map(|i| vec![char::from(b'A' + i as u8).to_string()])
}

/// Import a table of the given kind.
pub fn import_table(
    path: &Path,
    kind: TableKind,
    opts: &TableOptions,
) -> Result<TableImported, TableError> {
    let source = opts.source.clone().unwrap_or_else(|| {
        format!(
            "{}:{}",
            kind.name(),
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        )
    });
    let rows = match kind {
        TableKind::Jsonl => read_jsonl(path)?,
        TableKind::Csv => read_csv(path)?,
        TableKind::Parquet => read_parquet(path)?,
    };
    let mut out = TableImported::default();
    for (at, row) in rows {
        let result = row.and_then(|row| {
            convert(opts, &source, &at, &row).map_err(|e| TableError::Cell {
                path: path.to_path_buf(),
                at: at.clone(),
                column: e.column,
                message: e.message,
            })
        });
        match result {
            Ok(item) => out.items.push(item),
            Err(e) if opts.policy == BadItemPolicy::Skip => out.skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

type Rows = Vec<(String, Result<Row, TableError>)>;

fn open_err(path: &Path, message: impl ToString) -> TableError {
    TableError::Open {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

fn read_jsonl(path: &Path) -> Result<Rows, TableError> {
    let text = std::fs::read_to_string(path).map_err(|e| open_err(path, e))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("line {}", i + 1);
        let row = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(obj)) => Ok(obj
                .into_iter()
                .map(|(k, v)| {
                    let cell = match v {
                        serde_json::Value::String(s) => Cell::Text(s),
                        serde_json::Value::Array(a) => Cell::List(
                            a.into_iter()
                                .map(|e| match e {
                                    serde_json::Value::String(s) => s,
                                    other => other.to_string(),
                                })
                                .collect(),
                        ),
                        serde_json::Value::Null => Cell::Text(String::new()),
                        other => Cell::Text(other.to_string()),
                    };
                    (k, cell)
                })
                .collect()),
            Ok(_) => Err(TableError::Row {
                path: path.to_path_buf(),
                at: at.clone(),
                message: "expected a JSON object".into(),
            }),
            Err(e) => Err(TableError::Row {
                path: path.to_path_buf(),
                at: at.clone(),
                message: e.to_string(),
            }),
        };
        rows.push((at, row));
    }
    Ok(rows)
}

fn read_csv(path: &Path) -> Result<Rows, TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| open_err(path, e))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| open_err(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let at = format!("line {}", r.position().map_or(0, |p| p.line()));
                let row = headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.clone(), Cell::Text(v.to_string())))
                    .collect();
                rows.push((at, Ok(row)));
            }
            Err(e) => {
                let at = format!("line {}", e.position().map_or(0, |p| p.line()));
                rows.push((
                    at.clone(),
                    Err(TableError::Row {
                        path: path.to_path_buf(),
                        at,
                        message: e.to_string(),
                    }),
                ));
            }
        }
    }
    Ok(rows)
}

fn read_parquet(path: &Path) -> Result<Rows, TableError> {
    let file = std::fs::File::open(path).map_err(|e| open_err(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| open_err(path, e))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| open_err(path, e))?;
        let schema = batch.schema();
        let mut columns = Vec::new();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let cells: Vec<Cell> = match field.data_type() {
                // Columns that do not read as text (structs, nested lists) come out empty: an
                // unmapped one does not matter, a mapped one is reported as empty per row.
                DataType::List(_) => {
                    let list = array.as_list::<i32>();
                    let Ok(values) = arrow::compute::cast(list.values(), &DataType::Utf8) else {
                        columns.push((
                            field.name().clone(),
                            vec![Cell::Text(String::new()); array.len()],
                        ));
                        continue;
                    };
                    let values = values.as_string::<i32>();
                    let offsets = list.value_offsets();
                    (0..list.len())
                        .map(|r| {
                            Cell::List(
                                (offsets[r] as usize..offsets[r + 1] as usize)
                                    .map(|i| values.value(i).to_string())
                                    .collect(),
                            )
                        })
                        .collect()
                }
                _ => {
                    let Ok(strings) = arrow::compute::cast(array, &DataType::Utf8) else {
                        columns.push((
                            field.name().clone(),
                            vec![Cell::Text(String::new()); array.len()],
                        ));
                        continue;
                    };
                    let strings = strings.as_string::<i32>();
                    (0..strings.len())
                        .map(|r| {
                            Cell::Text(if strings.is_null(r) {
                                String::new()
                            } else {
                                strings.value(r).to_string()
                            })
                        })
                        .collect()
                }
            };
            columns.push((field.name().clone(), cells));
        }
        for r in 0..batch.num_rows() {
            let row: Row = columns
                .iter()
                .map(|(name, cells)| (name.clone(), cells[r].clone()))
                .collect();
            rows.push((format!("row {}", rows.len() + 1), Ok(row)));
        }
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn map_parses_and_rejects_unknown_keys() {
        let m: ColumnMap = "question=q,answer=a,options=o1|o2|o3,id=key"
            .parse()
            .unwrap();
        assert_eq!(m.question, "q");
        assert_eq!(m.options, ["o1", "o2", "o3"]);
        assert_eq!(m.id.as_deref(), Some("key"));
        assert!(
            "answer=a"
                .parse::<ColumnMap>()
                .unwrap_err()
                .contains("question")
        );
        assert!(
            "question=q,colour=x"
                .parse::<ColumnMap>()
                .unwrap_err()
                .contains("colour")
        );
    }

    #[test]
    fn answers_match_letters_or_option_text() {
        let o: Vec<String> = ["Latex", "Nitrile", "Cotton"].map(String::from).to_vec();
        assert_eq!(choice_letters("B", &o).unwrap(), ["B"]);
        assert_eq!(choice_letters("A,C", &o).unwrap(), ["A", "C"]);
        assert_eq!(choice_letters("nitrile", &o).unwrap(), ["B"]);
        assert_eq!(choice_letters("D", &o), None, "D is beyond three options");
    }
}
