//! `safesci import alpaca`: LLaMA-Factory alpaca (`instruction`, `input`, `output`, `system`) and
//! sharegpt (`conversations` [{from, value}] or `messages` [{role, content}]) records whose output
//! states a final answer letter. Options are parsed from the prompt's `A. …` / `A) …` / `(A) …`
//! lines, the letter from the output (`<ans>B<eoa>`, `Answer: B`, `The correct answer is (C)`).

use crate::family_key;
use crate::text::{letter_set, split_options};
use rayon::prelude::*;
use regex::Regex;
use safesci_core::io::BadItemPolicy;
use safesci_core::item::{
    Answer, ExpectedBehavior, Field, Format, Item, ItemDraft, ItemError, Provenance, Split, Track,
    label_options,
};
use serde_json::Value;
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Settings of an alpaca/sharegpt import.
#[derive(Debug, Clone)]
pub struct AlpacaOptions {
    pub field: Field,
    /// Provenance source; default `alpaca:<file name>`.
    pub source: Option<String>,
    pub split: Split,
    pub policy: BadItemPolicy,
}

impl Default for AlpacaOptions {
    fn default() -> Self {
        AlpacaOptions {
            field: Field::General,
            source: None,
            split: Split::Bench,
            policy: BadItemPolicy::Stop,
        }
    }
}

/// What is wrong with one record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlpacaRecordError {
    #[error("record is {0}, expected an object")]
    NotObject(&'static str),
    #[error("no prompt: expected `instruction`, or `conversations`/`messages` with a user turn")]
    NoPrompt,
    #[error("no answer: expected `output`, or an assistant turn")]
    NoOutput,
    #[error("found no options (`A. …`, `A) …` or `(A) …` lines) in the prompt")]
    NoOptions,
    #[error("found no final answer letter in the output `{0}`")]
    NoLetter(String),
    #[error("answer letter `{letter}` is not among the options A–{last}")]
    LetterNotInOptions { letter: String, last: String },
    #[error("{0}")]
    Invalid(#[from] ItemError),
}

/// Errors of an alpaca/sharegpt import.
#[derive(Debug, thiserror::Error)]
pub enum AlpacaError {
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
    #[error("failed to read `{path}`: expected a JSON array of records")]
    TopLevel { path: PathBuf },
    #[error("failed to read `{path}` record {index}: {error}")]
    Record {
        path: PathBuf,
        index: usize,
        error: AlpacaRecordError,
    },
}

/// Items and the records skipped under [`BadItemPolicy::Skip`].
#[derive(Debug, Default)]
pub struct AlpacaImported {
    pub items: Vec<Item>,
    pub skipped: Vec<AlpacaError>,
}

/// Patterns that state a final answer, most explicit first; the last match of the first pattern
/// that matches wins. Letters are case-sensitive so "the answer is a solvent" is not `A`.
static ANSWER_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"<ans>\s*([A-Ja-j](?:[\s,;]*[A-Ja-j])*)\s*(?:<eoa>|</ans>)",
        r"(?i:correct|final|right)\s+(?i:answer|option|choice)s?\s*(?i:is|are)?\s*[:：]?\s*\(?([A-J](?:\)?\s*(?:,|and|&)\s*\(?[A-J])*)\)?(?:$|[^A-Za-z0-9])",
        r"(?i:answer)s?\s*(?i:is|are)?\s*[:：]\s*\(?([A-J](?:\)?\s*(?:,|and|&)\s*\(?[A-J])*)\)?(?:$|[^A-Za-z0-9])",
        r"(?i:answer)\s+(?i:is)\s+\(?([A-J])\)?(?:$|[^A-Za-z0-9])",
        r"^\s*\(?([A-J](?:\s*,\s*[A-J])*)\)?\s*(?:[.):]|$)",
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

/// The final answer letters stated in a model output, if any.
pub fn answer_letters(output: &str) -> Option<Vec<String>> {
    for re in ANSWER_PATTERNS.iter() {
        if let Some(c) = re.captures_iter(output).last() {
            let letters: Vec<String> = c
                .get(1)
                .map_or(String::new(), |m| m.as_str().replace("and", ""))
                .chars()
                .filter(|c| c.is_ascii_alphabetic())
                .map(|c| c.to_ascii_uppercase().to_string())
                .collect();
            if !letters.is_empty() {
                return Some(letters);
            }
        }
    }
    // A bare answer such as `B` or `A, C`; upper case only, so prose never reads as letters.
    let bare = output.trim().trim_end_matches('.');
    if bare
        .chars()
        .all(|c| c.is_ascii_uppercase() || matches!(c, ',' | ';' | ' '))
    {
        letter_set(bare)
    } else {
        None
    }
}

fn text_of(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Prompt and output of a record, whichever layout it uses.
fn prompt_and_output(record: &Value) -> Result<(String, String), AlpacaRecordError> {
    if let Some(instruction) = text_of(record.get("instruction")) {
        let prompt = match text_of(record.get("input")) {
            Some(input) => format!("{instruction}\n{input}"),
            None => instruction.to_string(),
        };
        let output = text_of(record.get("output")).ok_or(AlpacaRecordError::NoOutput)?;
        return Ok((prompt, output.to_string()));
    }
    let (turns, role_key, text_key) = if let Some(Value::Array(t)) = record.get("conversations") {
        (t, "from", "value")
    } else if let Some(Value::Array(t)) = record.get("messages") {
        (t, "role", "content")
    } else {
        return Err(AlpacaRecordError::NoPrompt);
    };
    let is_assistant = |r: &str| matches!(r, "gpt" | "assistant" | "model");
    let is_user = |r: &str| matches!(r, "human" | "user");
    fn role_of<'v>(t: &'v Value, key: &str) -> &'v str {
        t.get(key).and_then(Value::as_str).unwrap_or("")
    }
    let role = |t: &Value| -> bool { is_assistant(role_of(t, role_key)) };
    let user = |t: &Value| -> bool { is_user(role_of(t, role_key)) };
    let last_answer = turns.iter().rposition(role);
    let before = &turns[..last_answer.unwrap_or(turns.len())];
    let prompt = before
        .iter()
        .rev()
        .find(|t| user(t))
        .and_then(|t| text_of(t.get(text_key)))
        .ok_or(AlpacaRecordError::NoPrompt)?;
    let output = last_answer
        .and_then(|i| text_of(turns[i].get(text_key)))
        .ok_or(AlpacaRecordError::NoOutput)?;
    Ok((prompt.to_string(), output.to_string()))
}

fn convert(
    opts: &AlpacaOptions,
    source: &str,
    index: usize,
    record: &Value,
) -> Result<Item, AlpacaRecordError> {
    if !record.is_object() {
        return Err(AlpacaRecordError::NotObject(match record {
            Value::Array(_) => "a list",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        }));
    }
    let (prompt, output) = prompt_and_output(record)?;
    let (question, options) = split_options(&prompt).ok_or(AlpacaRecordError::NoOptions)?;
    let mut letters =
        answer_letters(&output).ok_or_else(|| AlpacaRecordError::NoLetter(shorten(&output)))?;
    letters.sort();
    letters.dedup();
    let last = char::from(b'A' + (options.len() as u8).saturating_sub(1)).to_string();
    if let Some(bad) = letters.iter().find(|l| l.as_str() > last.as_str()) {
        return Err(AlpacaRecordError::LetterNotInOptions {
            letter: bad.clone(),
            last,
        });
    }
    let format = if letters.len() > 1 {
        Format::MultiChoice
    } else {
        Format::SingleChoice
    };
    let item = ItemDraft {
        field: opts.field,
        track: Track::Knowledge,
        format,
        family: family_key(source, &question),
        question,
        context: text_of(record.get("system")).map(str::to_string),
        options: label_options(options).unwrap_or_default(),
        answer: Answer::letters(letters),
        expected_behavior: ExpectedBehavior::Answer,
        category: None,
        provenance: Provenance {
            source: source.to_string(),
            version: String::new(),
            record: index.to_string(),
            citation: None,
        },
        split: opts.split,
        target: None,
    }
    .build();
    item.validate()?;
    Ok(item)
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Import a JSON array (or, for `.jsonl`, one record per line) of alpaca/sharegpt records.
pub fn import_alpaca(path: &Path, opts: &AlpacaOptions) -> Result<AlpacaImported, AlpacaError> {
    let bytes = std::fs::read(path).map_err(|error| AlpacaError::Open {
        path: path.to_path_buf(),
        error,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let syntax = |e: serde_json::Error, offset: usize| AlpacaError::Syntax {
        path: path.to_path_buf(),
        line: e.line() + offset,
        column: e.column(),
        message: e.to_string(),
    };
    let records: Vec<(usize, &RawValue)> = if path.extension().is_some_and(|e| e == "jsonl") {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if !line.trim().is_empty() {
                out.push((i + 1, serde_json::from_str(line).map_err(|e| syntax(e, i))?));
            }
        }
        out
    } else {
        match serde_json::from_str::<Vec<&RawValue>>(&text) {
            Ok(r) => r.into_iter().enumerate().collect(),
            Err(e) if e.is_data() => {
                return Err(AlpacaError::TopLevel {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(syntax(e, 0)),
        }
    };
    let source = opts.source.clone().unwrap_or_else(|| {
        format!(
            "alpaca:{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        )
    });
    let results: Vec<Result<Item, AlpacaError>> = records
        .par_iter()
        .map(|(index, raw)| {
            let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            convert(opts, &source, *index, &value).map_err(|error| AlpacaError::Record {
                path: path.to_path_buf(),
                index: *index,
                error,
            })
        })
        .collect();
    let mut out = AlpacaImported::default();
    for r in results {
        match r {
            Ok(item) => out.items.push(item),
            Err(e) if opts.policy == BadItemPolicy::Skip => out.skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn final_letters_in_common_phrasings() {
        let cases = [
            ("Reasoning… <ans>B<eoa>", vec!["B"]),
            ("Answer: B", vec!["B"]),
            ("The correct answer is (C).", vec!["C"]),
            ("So the final answer is A and C", vec!["A", "C"]),
            ("D", vec!["D"]),
            ("B. Nitrile gloves", vec!["B"]),
            ("First I thought A. The correct answer is B.", vec!["B"]),
        ];
        for (output, expected) in cases {
            assert_eq!(answer_letters(output).unwrap(), expected, "{output}");
        }
        for output in [
            "The answer is a solvent.",
            "Answer: Because it is flammable.",
            "I am not sure.",
            "Bad idea",
        ] {
            assert_eq!(answer_letters(output), None, "{output}");
        }
    }
}
