//! The official answer variants, turned into option texts or answer text, and the seeded option
//! construction of choice items without `gt` (answer first, then distractors, then shuffled).

use super::error::RecordError;
use crate::json::Json;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// The item's answer: `answers` takes precedence over `answer`, as in the reference.
/// Returns the field name it came from, for messages.
pub fn raw_answer(record: &Json) -> Option<(&'static str, &Json)> {
    record
        .get_present("answers")
        .map(|v| ("answers", v))
        .or_else(|| record.get_present("answer").map(|v| ("answer", v)))
}

/// A dict answer or option as the reference renders it: `k: v.` per pair, joined by `,`.
/// Values must be strings.
pub fn dict_to_text(field: &'static str, pairs: &[(String, Json)]) -> Result<String, RecordError> {
    let mut parts = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let Json::String(v) = v else {
            return Err(RecordError::DictValue {
                field,
                key: k.clone(),
                found: v.kind(),
            });
        };
        parts.push(format!("{k}: {v}."));
    }
    Ok(parts.join(","))
}

/// One option text: a string, a scalar printed as Python would, or a dict rendered as text.
fn option_text(field: &'static str, index: usize, v: &Json) -> Result<String, RecordError> {
    match v {
        Json::Object(pairs) => dict_to_text(field, pairs),
        other => other.scalar_text().ok_or(RecordError::WrongEntry {
            field,
            index,
            found: other.kind(),
        }),
    }
}

/// The correct option texts of a choice item, from its answer value.
pub fn choice_answers(field: &'static str, v: &Json) -> Result<Vec<String>, RecordError> {
    let texts = match v {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, e)| option_text(field, i, e))
            .collect::<Result<Vec<_>, _>>()?,
        Json::Object(pairs) => vec![dict_to_text(field, pairs)?],
        other => vec![other.scalar_text().ok_or(RecordError::WrongType {
            field,
            found: other.kind(),
            expected: "a string, a list or an object",
        })?],
    };
    if texts.is_empty() {
        return Err(RecordError::Empty(field));
    }
    Ok(texts)
}

/// The `options` list as texts (distractors, or the full preset list when the item has `gt`).
pub fn option_texts(record: &Json) -> Result<Vec<String>, RecordError> {
    match record.get_present("options") {
        None => Err(RecordError::Missing("options")),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, e)| option_text("options", i, e))
            .collect(),
        Some(other) => Err(RecordError::WrongType {
            field: "options",
            found: other.kind(),
            expected: "a list",
        }),
    }
}

/// Options of a choice item without `gt`, as the reference builds them, with a seeded shuffle:
/// answers first (`answer[:4]` when there are four or more), then 3/2/1/0 distractors for
/// 1/2/3/4+ answers. Returns the texts in final order and the positions of the correct ones.
pub fn shuffled_options(
    answers: Vec<String>,
    distractors: &[String],
    seed: [u8; 32],
) -> (Vec<String>, Vec<usize>) {
    let n_answers = answers.len().min(4);
    let n_distractors = 4 - n_answers;
    let mut slots: Vec<(String, bool)> = answers
        .into_iter()
        .take(n_answers)
        .map(|t| (t, true))
        .chain(
            distractors
                .iter()
                .take(n_distractors)
                .map(|t| (t.clone(), false)),
        )
        .collect();
    slots.shuffle(&mut ChaCha8Rng::from_seed(seed));
    let correct = slots
        .iter()
        .enumerate()
        .filter(|(_, (_, ok))| *ok)
        .map(|(i, _)| i)
        .collect();
    (slots.into_iter().map(|(t, _)| t).collect(), correct)
}

/// Per-item shuffle seed: the import seed plus everything that makes up the item's options, so
/// the same record always gets the same letters whatever its position in the file.
pub fn shuffle_seed(seed: u64, source: &str, question: &str, texts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"safesci-options-v1\0");
    h.update(seed.to_le_bytes());
    for part in [source, question].into_iter().chain(texts.iter().copied()) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// Letters of a `gt` string such as `"C"`, `"AC"` or `"A, C"`; upper-cased, A–J only.
pub fn gt_letters(gt: &str) -> Result<Vec<String>, RecordError> {
    let mut out = Vec::new();
    for c in gt.chars().filter(|c| !c.is_whitespace() && *c != ',') {
        let c = c.to_ascii_uppercase();
        if !('A'..='J').contains(&c) {
            return Err(RecordError::BadGt(gt.to_string()));
        }
        out.push(c.to_string());
    }
    if out.is_empty() {
        return Err(RecordError::BadGt(gt.to_string()));
    }
    Ok(out)
}

/// A true/false answer: a boolean, or `True`/`False` in any case.
pub fn true_false(field: &'static str, v: &Json) -> Result<bool, RecordError> {
    match v {
        Json::Bool(b) => Ok(*b),
        Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(RecordError::BadTrueFalse(s.clone())),
        },
        other => Err(RecordError::WrongType {
            field,
            found: other.kind(),
            expected: "True or False",
        }),
    }
}

/// A generation answer: one sequence string.
pub fn sequence(field: &'static str, v: &Json) -> Result<String, RecordError> {
    match v {
        Json::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Json::String(_) => Err(RecordError::Empty(field)),
        other => Err(RecordError::WrongType {
            field,
            found: other.kind(),
            expected: "a string",
        }),
    }
}

/// A QA answer as text, as the reference's training formatter renders it: lists joined by `; `,
/// dicts flattened to `k: v` lines (nested values expanded, falsy values skipped).
pub fn qa_text(v: &Json) -> String {
    match v {
        Json::Array(items) => items.iter().map(qa_text).collect::<Vec<_>>().join("; "),
        Json::Object(pairs) => {
            let mut lines = Vec::new();
            flatten(pairs, &mut lines);
            lines.join("\n")
        }
        other => other.scalar_text().unwrap_or_default(),
    }
}

fn flatten(pairs: &[(String, Json)], lines: &mut Vec<String>) {
    for (k, v) in pairs {
        if !v.is_truthy() {
            continue;
        }
        match v {
            Json::Object(inner) => {
                lines.push(format!("{k}:"));
                flatten(inner, lines);
            }
            Json::Array(items) => {
                for item in items.iter().filter(|i| i.is_truthy()) {
                    match item {
                        Json::Object(inner) => {
                            lines.push(format!("{k}:"));
                            flatten(inner, lines);
                        }
                        other => lines.push(format!("{k}: {}", qa_text(other))),
                    }
                }
            }
            other => lines.push(format!("{k}: {}", qa_text(other))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn json(s: &str) -> Json {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn dict_text_matches_the_reference_shape() {
        let Json::Object(pairs) = json(r#"{"Reactant": "A", "Catalyst": "B", "Solvent": "C"}"#)
        else {
            panic!("object")
        };
        assert_eq!(
            dict_to_text("answer", &pairs).unwrap(),
            "Reactant: A.,Catalyst: B.,Solvent: C."
        );
        let Json::Object(bad) = json(r#"{"Reactant": 3}"#) else {
            panic!("object")
        };
        assert_eq!(
            dict_to_text("answer", &bad).unwrap_err().to_string(),
            "`answer` key `Reactant` has a number value, expected a string"
        );
    }

    #[test]
    fn distractor_counts_follow_the_number_of_answers() {
        let d: Vec<String> = ["w", "x", "y", "z"].map(String::from).to_vec();
        for (n, expected_len) in [(1, 4), (2, 4), (3, 4), (4, 4), (6, 4)] {
            let answers: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
            let (opts, correct) = shuffled_options(answers, &d, [7; 32]);
            assert_eq!(opts.len(), expected_len, "{n} answers");
            assert_eq!(correct.len(), n.min(4), "{n} answers → correct count");
            assert!(correct.iter().all(|&i| opts[i].starts_with('a')));
        }
        // Fewer distractors than needed: the reference slices, so fewer options.
        let (opts, _) = shuffled_options(vec!["a".into()], &d[..1], [7; 32]);
        assert_eq!(opts.len(), 2);
    }

    #[test]
    fn shuffle_is_seeded() {
        let d: Vec<String> = ["w", "x", "y"].map(String::from).to_vec();
        let seed = shuffle_seed(0, "s", "q", &["a"]);
        let a = shuffled_options(vec!["a".into()], &d, seed);
        let b = shuffled_options(vec!["a".into()], &d, seed);
        assert_eq!(a, b, "same seed, same order");
        let orders: std::collections::HashSet<Vec<String>> = (0..20)
            .map(|s| shuffled_options(vec!["a".into()], &d, shuffle_seed(s, "s", "q", &["a"])).0)
            .collect();
        assert!(
            orders.len() > 1,
            "different seeds must give different orders"
        );
    }

    #[test]
    fn gt_and_true_false_parse() {
        assert_eq!(gt_letters("a, C").unwrap(), ["A", "C"]);
        assert!(gt_letters("K").is_err());
        assert!(gt_letters(" ").is_err());
        assert!(true_false("answer", &json(r#"" TRUE ""#)).unwrap());
        assert!(!true_false("answer", &json("false")).unwrap());
        assert!(true_false("answer", &json(r#""maybe""#)).is_err());
    }

    #[test]
    fn qa_text_flattens_lists_and_dicts() {
        assert_eq!(qa_text(&json(r#"["a", "b"]"#)), "a; b");
        assert_eq!(
            qa_text(&json(
                r#"{"Hazard": "flammable", "Skip": "", "Ok": true, "Sub": {"x": "1"}}"#
            )),
            "Hazard: flammable\nOk: True\nSub:\nx: 1"
        );
    }
}
