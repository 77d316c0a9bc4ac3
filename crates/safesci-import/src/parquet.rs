//! Items as Parquet: the JSONL item model in flat columns, written and read via arrow.
//!
//! Columns: `schema_version` (u32); `id`, `field`, `track`, `format`, `question`, `context`?;
//! `options` as `List<Struct{label, text}>`; the answer as `answer_kind` (`letters`, `bool`, `text`,
//! `sequence`, `none`) plus typed columns `answer_letters` (list), `answer_bool`, `answer_value`
//! (text or sequence), `answer_accepted` (list), `answer_unit`, `answer_alphabet`; then
//! `expected_behavior`, `family`, `category`?, `provenance_source`, `provenance_version`,
//! `provenance_record`, `provenance_citation`?, `split`, `target`?. Round trips are lossless.

use arrow::array::{
    Array, ArrayBuilder, ArrayRef, AsArray, BooleanArray, BooleanBuilder, GenericListArray,
    ListArray, ListBuilder, RecordBatch, StringArray, StringBuilder, StructArray, UInt32Array,
};
use arrow::buffer::{OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use safesci_core::io::BadItemPolicy;
use safesci_core::item::{Answer, ChoiceOption, Item, ItemError, ItemId, Provenance, SequenceKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per record batch (and so per row group slice) when writing.
const BATCH_ROWS: usize = 32 * 1024;

/// Errors reading or writing Parquet item files.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("failed to open `{path}`: {error}")]
    Open {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("failed to write `{path}`: {message}")]
    Write { path: PathBuf, message: String },
    #[error("failed to read `{path}`: {message}")]
    Read { path: PathBuf, message: String },
    #[error("failed to read `{path}`: column `{column}` is missing or not {expected}")]
    Column {
        path: PathBuf,
        column: &'static str,
        expected: &'static str,
    },
    #[error("failed to read `{path}` row {row}: `{column}` {message}")]
    Value {
        path: PathBuf,
        row: usize,
        column: &'static str,
        message: String,
    },
    #[error("failed to read `{path}` row {row}: {error}")]
    Invalid {
        path: PathBuf,
        row: usize,
        error: ItemError,
    },
}

impl ParquetError {
    /// 1-based row the error points at, when it points at one.
    pub fn row(&self) -> Option<usize> {
        match self {
            ParquetError::Value { row, .. } | ParquetError::Invalid { row, .. } => Some(*row),
            _ => None,
        }
    }
}

fn utf8_list(nullable: bool, name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))),
        nullable,
    )
}

fn option_fields() -> Fields {
    Fields::from(vec![
        Field::new("label", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
    ])
}

fn option_item_field() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(option_fields()), false))
}

/// The Arrow schema of an item file.
pub fn item_schema() -> SchemaRef {
    let s = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("schema_version", DataType::UInt32, false),
        s("id", false),
        s("field", false),
        s("track", false),
        s("format", false),
        s("question", false),
        s("context", true),
        Field::new("options", DataType::List(option_item_field()), false),
        s("answer_kind", false),
        utf8_list(true, "answer_letters"),
        Field::new("answer_bool", DataType::Boolean, true),
        s("answer_value", true),
        utf8_list(true, "answer_accepted"),
        s("answer_unit", true),
        s("answer_alphabet", true),
        s("expected_behavior", false),
        s("family", false),
        s("category", true),
        s("provenance_source", false),
        s("provenance_version", false),
        s("provenance_record", false),
        s("provenance_citation", true),
        s("split", false),
        s("target", true),
    ]))
}

fn string_list_builder() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "item",
        DataType::Utf8,
        false,
    )))
}

fn to_batch(items: &[Item]) -> Result<RecordBatch, arrow::error::ArrowError> {
    let strings = |f: &dyn Fn(&Item) -> Option<&str>| -> ArrayRef {
        Arc::new(items.iter().map(f).collect::<StringArray>())
    };
    let mut labels = StringBuilder::new();
    let mut texts = StringBuilder::new();
    let mut offsets = Vec::with_capacity(items.len() + 1);
    offsets.push(0i32);
    let mut letters = string_list_builder();
    let mut accepted = string_list_builder();
    let mut bools = BooleanBuilder::new();
    for item in items {
        for o in &item.options {
            labels.append_value(&o.label);
            texts.append_value(&o.text);
        }
        offsets.push(labels.len() as i32);
        match &item.answer {
            Answer::Letters { letters: set } => {
                for l in set {
                    letters.values().append_value(l);
                }
                letters.append(true);
            }
            _ => letters.append(false),
        }
        match &item.answer {
            Answer::Text { accepted: acc, .. } => {
                for a in acc {
                    accepted.values().append_value(a);
                }
                accepted.append(true);
            }
            _ => accepted.append(false),
        }
        match &item.answer {
            Answer::Bool { value } => bools.append_value(*value),
            _ => bools.append_null(),
        }
    }
    let option_values = StructArray::try_new(
        option_fields(),
        vec![Arc::new(labels.finish()), Arc::new(texts.finish())],
        None,
    )?;
    let options = ListArray::try_new(
        option_item_field(),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Arc::new(option_values),
        None,
    )?;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            items
                .iter()
                .map(|i| i.schema_version)
                .collect::<UInt32Array>(),
        ),
        strings(&|i| Some(&i.id.0)),
        strings(&|i| Some(i.field.as_str())),
        strings(&|i| Some(i.track.as_str())),
        strings(&|i| Some(i.format.as_str())),
        strings(&|i| Some(&i.question)),
        strings(&|i| i.context.as_deref()),
        Arc::new(options),
        strings(&|i| Some(answer_kind(&i.answer))),
        Arc::new(letters.finish()),
        Arc::new(bools.finish()),
        strings(&|i| match &i.answer {
            Answer::Text { value, .. } | Answer::Sequence { value, .. } => Some(value),
            _ => None,
        }),
        Arc::new(accepted.finish()),
        strings(&|i| match &i.answer {
            Answer::Text { unit, .. } => unit.as_deref(),
            _ => None,
        }),
        strings(&|i| match &i.answer {
            Answer::Sequence { alphabet, .. } => Some(alphabet.as_str()),
            _ => None,
        }),
        strings(&|i| Some(i.expected_behavior.as_str())),
        strings(&|i| Some(&i.family)),
        strings(&|i| i.category.as_deref()),
        strings(&|i| Some(&i.provenance.source)),
        strings(&|i| Some(&i.provenance.version)),
        strings(&|i| Some(&i.provenance.record)),
        strings(&|i| i.provenance.citation.as_deref()),
        strings(&|i| Some(i.split.as_str())),
        strings(&|i| i.target.as_deref()),
    ];
    RecordBatch::try_new(item_schema(), columns)
}

fn answer_kind(a: &Answer) -> &'static str {
    match a {
        Answer::Letters { .. } => "letters",
        Answer::Bool { .. } => "bool",
        Answer::Text { .. } => "text",
        Answer::Sequence { .. } => "sequence",
        Answer::None => "none",
    }
}

/// Write items to a Parquet file (snappy-compressed).
pub fn write_parquet(path: &Path, items: &[Item]) -> Result<u64, ParquetError> {
    let werr = |message: String| ParquetError::Write {
        path: path.to_path_buf(),
        message,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| werr(e.to_string()))?;
    }
    let file = std::fs::File::create(path).map_err(|error| ParquetError::Open {
        path: path.to_path_buf(),
        error,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer =
        ArrowWriter::try_new(file, item_schema(), Some(props)).map_err(|e| werr(e.to_string()))?;
    for chunk in items.chunks(BATCH_ROWS) {
        let batch = to_batch(chunk).map_err(|e| werr(e.to_string()))?;
        writer.write(&batch).map_err(|e| werr(e.to_string()))?;
    }
    writer.close().map_err(|e| werr(e.to_string()))?;
    Ok(items.len() as u64)
}

/// Typed access to the columns of one record batch.
struct Columns<'a> {
    path: &'a Path,
    batch: &'a RecordBatch,
}

/// A list column and its string values.
type StringLists<'a> = (&'a GenericListArray<i32>, &'a StringArray);

impl<'a> Columns<'a> {
    fn missing(&self, column: &'static str, expected: &'static str) -> ParquetError {
        ParquetError::Column {
            path: self.path.to_path_buf(),
            column,
            expected,
        }
    }
    /// Column `name` cast to its arrow type, or an error naming what was `expected`.
    fn typed<T: ?Sized>(
        &self,
        name: &'static str,
        expected: &'static str,
        cast: impl FnOnce(&'a ArrayRef) -> Option<&'a T>,
    ) -> Result<&'a T, ParquetError> {
        self.batch
            .column_by_name(name)
            .and_then(cast)
            .ok_or_else(|| self.missing(name, expected))
    }
    fn str(&self, name: &'static str) -> Result<&'a StringArray, ParquetError> {
        self.typed(name, "a UTF-8 column", |a| a.as_string_opt::<i32>())
    }
    fn list(&self, name: &'static str) -> Result<&'a GenericListArray<i32>, ParquetError> {
        self.typed(name, "a list column", |a| a.as_list_opt::<i32>())
    }
    fn string_lists(&self, name: &'static str) -> Result<StringLists<'a>, ParquetError> {
        let list = self.list(name)?;
        let values = list
            .values()
            .as_string_opt::<i32>()
            .ok_or_else(|| self.missing(name, "a list of strings"))?;
        Ok((list, values))
    }
    /// The `options` column and its `label` and `text` values.
    fn options(&self) -> Result<OptionColumns<'a>, ParquetError> {
        let list = self.list("options")?;
        let fields = list.values().as_struct_opt();
        let field = |name: &str| {
            fields
                .and_then(|f| f.column_by_name(name))
                .and_then(|a| a.as_string_opt::<i32>())
        };
        match (field("label"), field("text")) {
            (Some(labels), Some(texts)) => Ok(OptionColumns {
                list,
                labels,
                texts,
            }),
            _ => Err(self.missing("options", "a list of {label, text}")),
        }
    }
}

fn opt(a: &StringArray, row: usize) -> Option<String> {
    (!a.is_null(row)).then(|| a.value(row).to_string())
}

fn list_strings((list, values): StringLists<'_>, row: usize) -> Vec<String> {
    let offsets = list.value_offsets();
    (offsets[row] as usize..offsets[row + 1] as usize)
        .map(|i| values.value(i).to_string())
        .collect()
}

fn batch_items(
    path: &Path,
    batch: &RecordBatch,
    first_row: usize,
) -> Result<Vec<Result<Item, ParquetError>>, ParquetError> {
    let c = Columns { path, batch };
    // Checked in schema order, so a file missing several columns names the first.
    let cols = RowColumns {
        version: c.typed("schema_version", "a u32 column", |a| {
            a.as_primitive_opt::<arrow::datatypes::UInt32Type>()
        })?,
        id: c.str("id")?,
        field: c.str("field")?,
        track: c.str("track")?,
        format: c.str("format")?,
        question: c.str("question")?,
        context: c.str("context")?,
        kind: c.str("answer_kind")?,
        value: c.str("answer_value")?,
        unit: c.str("answer_unit")?,
        alphabet: c.str("answer_alphabet")?,
        behavior: c.str("expected_behavior")?,
        family: c.str("family")?,
        category: c.str("category")?,
        source: c.str("provenance_source")?,
        pversion: c.str("provenance_version")?,
        record: c.str("provenance_record")?,
        citation: c.str("provenance_citation")?,
        split: c.str("split")?,
        target: c.str("target")?,
        options: c.options()?,
        letters: c.string_lists("answer_letters")?,
        accepted: c.string_lists("answer_accepted")?,
        bools: c.typed("answer_bool", "a boolean column", |a| a.as_boolean_opt())?,
    };
    Ok((0..batch.num_rows())
        .map(|row| row_item(path, &cols, row, first_row + row + 1))
        .collect())
}

/// The `options` list column and the label and text values it points into.
struct OptionColumns<'a> {
    list: &'a GenericListArray<i32>,
    labels: &'a StringArray,
    texts: &'a StringArray,
}

/// The columns of one batch, typed.
struct RowColumns<'a> {
    version: &'a UInt32Array,
    id: &'a StringArray,
    field: &'a StringArray,
    track: &'a StringArray,
    format: &'a StringArray,
    question: &'a StringArray,
    context: &'a StringArray,
    kind: &'a StringArray,
    value: &'a StringArray,
    unit: &'a StringArray,
    alphabet: &'a StringArray,
    behavior: &'a StringArray,
    family: &'a StringArray,
    category: &'a StringArray,
    source: &'a StringArray,
    pversion: &'a StringArray,
    record: &'a StringArray,
    citation: &'a StringArray,
    split: &'a StringArray,
    target: &'a StringArray,
    options: OptionColumns<'a>,
    letters: StringLists<'a>,
    accepted: StringLists<'a>,
    bools: &'a BooleanArray,
}

/// One row as a validated item; `n` is the 1-based row number in the file.
fn row_item(path: &Path, c: &RowColumns<'_>, row: usize, n: usize) -> Result<Item, ParquetError> {
    let bad = |column: &'static str, message: String| ParquetError::Value {
        path: path.to_path_buf(),
        row: n,
        column,
        message,
    };
    let answer = match c.kind.value(row) {
        "letters" => Answer::letters(list_strings(c.letters, row)),
        "bool" if !c.bools.is_null(row) => Answer::Bool {
            value: c.bools.value(row),
        },
        "bool" => return Err(bad("answer_bool", "is null".into())),
        "text" => Answer::Text {
            value: c.value.value(row).to_string(),
            accepted: list_strings(c.accepted, row),
            unit: opt(c.unit, row),
        },
        "sequence" => Answer::Sequence {
            alphabet: c
                .alphabet
                .value(row)
                .parse::<SequenceKind>()
                .map_err(|e| bad("answer_alphabet", e))?,
            value: c.value.value(row).to_string(),
        },
        "none" => Answer::None,
        other => return Err(bad("answer_kind", format!("`{other}` is not a known kind"))),
    };
    let offsets = c.options.list.value_offsets();
    let options = (offsets[row] as usize..offsets[row + 1] as usize)
        .map(|i| ChoiceOption {
            label: c.options.labels.value(i).to_string(),
            text: c.options.texts.value(i).to_string(),
        })
        .collect();
    let item = Item {
        schema_version: c.version.value(row),
        id: ItemId(c.id.value(row).to_string()),
        field: c.field.value(row).parse().map_err(|e| bad("field", e))?,
        track: c.track.value(row).parse().map_err(|e| bad("track", e))?,
        format: c.format.value(row).parse().map_err(|e| bad("format", e))?,
        question: c.question.value(row).to_string(),
        context: opt(c.context, row),
        options,
        answer,
        expected_behavior: c
            .behavior
            .value(row)
            .parse()
            .map_err(|e| bad("expected_behavior", e))?,
        family: c.family.value(row).to_string(),
        category: opt(c.category, row),
        provenance: Provenance {
            source: c.source.value(row).to_string(),
            version: c.pversion.value(row).to_string(),
            record: c.record.value(row).to_string(),
            citation: opt(c.citation, row),
        },
        split: c.split.value(row).parse().map_err(|e| bad("split", e))?,
        target: opt(c.target, row),
    };
    item.validate().map_err(|error| ParquetError::Invalid {
        path: path.to_path_buf(),
        row: n,
        error,
    })?;
    Ok(item)
}

/// Call `f` with batches of validated items, in file order.
pub fn for_each_batch(
    path: &Path,
    policy: BadItemPolicy,
    mut f: impl FnMut(Vec<Item>),
) -> Result<Vec<ParquetError>, ParquetError> {
    let rerr = |message: String| ParquetError::Read {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|error| ParquetError::Open {
        path: path.to_path_buf(),
        error,
    })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| rerr(e.to_string()))?
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| rerr(e.to_string()))?;
    let mut skipped = Vec::new();
    let mut row = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| rerr(e.to_string()))?;
        let mut items = Vec::with_capacity(batch.num_rows());
        for r in batch_items(path, &batch, row)? {
            match r {
                Ok(item) => items.push(item),
                Err(e) if policy == BadItemPolicy::Skip => skipped.push(e),
                Err(e) => return Err(e),
            }
        }
        row += batch.num_rows();
        f(items);
    }
    Ok(skipped)
}

/// Read every item of a Parquet file.
pub fn read_parquet(
    path: &Path,
    policy: BadItemPolicy,
) -> Result<(Vec<Item>, Vec<ParquetError>), ParquetError> {
    let mut items = Vec::new();
    let skipped = for_each_batch(path, policy, |b| items.extend(b))?;
    Ok((items, skipped))
}
