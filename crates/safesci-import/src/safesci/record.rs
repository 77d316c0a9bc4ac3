//! One official record → one [`Item`]: routing, answer variant, field, track, format, family and
//! provenance. The mapping is documented in `docs/import.md`.

use super::answer::{
    choice_answers, gt_letters, option_texts, qa_text, raw_answer, sequence, shuffle_seed,
    shuffled_options, true_false,
};
use super::error::RecordError;
use super::manifests::{Manifests, QaReason, Route};
use super::paths::{family_stem, field_of};
use crate::family_key;
use crate::json::Json;
use safesci_core::item::{
    Answer, ExpectedBehavior, Format, Item, ItemDraft, LABELS, Provenance, SequenceKind, Split,
    Track, label_options,
};

/// What every record of one input file shares.
#[derive(Debug)]
pub struct FileContext<'a> {
    pub manifests: &'a Manifests,
    pub seed: u64,
    pub split: Split,
    /// Source of records without `source_file` (a per-source file read directly).
    pub default_source: Option<&'a str>,
    /// Provenance version: short hash of the input file and the seed.
    pub version: &'a str,
    /// Input file name, the first half of the record key (`test_set.json#41`).
    pub file_name: &'a str,
}

fn string_field<'j>(record: &'j Json, field: &'static str) -> Result<Option<&'j str>, RecordError> {
    match record.get_present(field) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(RecordError::WrongType {
            field,
            found: other.kind(),
            expected: "a string",
        }),
    }
}

/// Format of a choice file: `_mcq` is tested before `_scq`, as in the reference; a name with
/// neither (possible with user manifests) is decided by the number of correct letters.
fn choice_format(source: &str, n_correct: usize) -> Format {
    if source.contains("_mcq") {
        Format::MultiChoice
    } else if source.contains("_scq") || n_correct <= 1 {
        Format::SingleChoice
    } else {
        Format::MultiChoice
    }
}

/// Convert one record. `index` is its position in the file (0-based array index or line).
pub fn convert(ctx: &FileContext<'_>, index: usize, record: &Json) -> Result<Item, RecordError> {
    if !matches!(record, Json::Object(_)) {
        return Err(RecordError::NotObject(record.kind()));
    }
    let raw_source = match string_field(record, "source_file")? {
        Some(s) => s,
        None => ctx
            .default_source
            .ok_or(RecordError::Missing("source_file"))?,
    };
    let source = super::manifests::normalise_path(raw_source);
    let question = string_field(record, "question")?.ok_or(RecordError::Missing("question"))?;
    let category = string_field(record, "category")?;
    let gt = record.get_present("gt");
    let route = ctx.manifests.route(&source, category, gt.is_some());
    let answer = raw_answer(record);

    let mut draft = ItemDraft {
        field: field_of(&source),
        track: Track::Knowledge,
        format: Format::OpenQa,
        question: question.to_string(),
        context: None,
        options: Vec::new(),
        answer: Answer::None,
        expected_behavior: ExpectedBehavior::Answer,
        family: family_key(&family_stem(&source), question),
        category: category.map(str::to_string),
        provenance: Provenance {
            source: format!("safesci:{source}"),
            version: ctx.version.to_string(),
            record: format!("{}#{index}", ctx.file_name),
            citation: None,
        },
        split: ctx.split,
        target: None,
    };

    match route {
        Route::PresetChoice => {
            let texts = option_texts(record)?;
            if texts.len() > LABELS.len() {
                return Err(RecordError::TooManyOptions(texts.len()));
            }
            let letters = match gt {
                Some(Json::String(s)) => gt_letters(s)?,
                Some(other) => {
                    return Err(RecordError::WrongType {
                        field: "gt",
                        found: other.kind(),
                        expected: "a string",
                    });
                }
                None => return Err(RecordError::Missing("gt")),
            };
            draft.format = choice_format(&source, letters.len());
            draft.options = label_options(texts).unwrap_or_default();
            draft.answer = Answer::letters(letters);
        }
        Route::ShuffledChoice => {
            let (field, value) = answer.ok_or(RecordError::Missing("answer"))?;
            let answers = choice_answers(field, value)?;
            let distractors = if answers.len() >= 4 {
                Vec::new()
            } else {
                option_texts(record)?
            };
            let parts: Vec<&str> = answers
                .iter()
                .chain(distractors.iter())
                .map(String::as_str)
                .collect();
            let seed = shuffle_seed(ctx.seed, &source, question, &parts);
            let (texts, correct) = shuffled_options(answers, &distractors, seed);
            draft.format = choice_format(&source, correct.len());
            draft.options = label_options(texts).unwrap_or_default();
            draft.answer = Answer::letters(correct.iter().filter_map(|&i| LABELS.get(i).copied()));
        }
        Route::TrueFalse => {
            let (field, value) = answer.ok_or(RecordError::Missing("answer"))?;
            draft.format = Format::TrueFalse;
            draft.answer = Answer::Bool {
                value: true_false(field, value)?,
            };
        }
        Route::ProteinGen | Route::GeneGen | Route::CompoundGen => {
            let (field, value) = answer.ok_or(RecordError::Missing("answer"))?;
            let (format, alphabet) = match route {
                Route::ProteinGen => (Format::ProteinGen, SequenceKind::Protein),
                Route::GeneGen => (Format::GeneGen, SequenceKind::Dna),
                _ if source.contains("selfies") => (Format::CompoundGen, SequenceKind::Selfies),
                _ => (Format::CompoundGen, SequenceKind::Smiles),
            };
            draft.format = format;
            draft.answer = Answer::Sequence {
                alphabet,
                value: sequence(field, value)?,
            };
        }
        Route::Qa(reason) => {
            let text = answer
                .map(|(_, v)| qa_text(v))
                .filter(|t| !t.trim().is_empty());
            let risky = match reason {
                QaReason::RejectCategory | QaReason::BadIntent | QaReason::Automated => true,
                // The reference trains a fixed refusal on QA items with no answer.
                QaReason::Other => text.is_none(),
            };
            if risky {
                draft.track = Track::Risk;
                draft.expected_behavior = ExpectedBehavior::Refuse;
                // Keep the reference's training target (the safe text) when the record has one.
                draft.target = text;
            } else if let Some(value) = text {
                draft.answer = Answer::Text {
                    value,
                    accepted: Vec::new(),
                    unit: None,
                };
            }
        }
    }
    let item = draft.build();
    item.validate()?;
    Ok(item)
}
