//! Property tests: arbitrary items survive JSONL → Parquet → items unchanged, and no JSON input,
//! however odd, makes the official importer panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use safesci_core::io::{BadItemPolicy, read_items, write_items};
use safesci_core::item::*;
use safesci_import::parquet::{read_parquet, write_parquet};
use safesci_import::safesci::{SafesciOptions, import_bytes};
use std::path::Path;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.?]{1,30}",
        ".{1,20}",
        Just("Reactant: A.,Catalyst: B.".to_string()),
    ]
    .prop_filter("non-blank", |s| !s.trim().is_empty())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

fn item() -> impl Strategy<Value = Item> {
    let head = (
        pick(Field::ALL),
        pick(Track::ALL),
        text(),
        opt_text(),
        1usize..=10,
        pick(ExpectedBehavior::ALL),
        text(),
        opt_text(),
        pick(Split::ALL),
        opt_text(),
    );
    let tail = (
        (text(), text(), text(), opt_text()),
        0u8..6,
        prop::collection::btree_set(0usize..10, 1..4),
        any::<bool>(),
        text(),
        prop::collection::vec(text(), 0..3),
        opt_text(),
        pick(SequenceKind::ALL),
        prop::collection::vec(text(), 10),
    );
    (head, tail).prop_map(
        |(
            (
                field,
                track,
                question,
                context,
                n_options,
                behaviour,
                family,
                category,
                split,
                target,
            ),
            (
                (source, version, record, citation),
                kind,
                letters,
                b,
                value,
                accepted,
                unit,
                alphabet,
                texts,
            ),
        )| {
            let (format, answer, options) = match kind {
                0 => {
                    let letters: Vec<&str> =
                        letters.iter().map(|i| LABELS[i % n_options]).collect();
                    let format = if letters.len() == 1 || letters.iter().all(|l| *l == letters[0]) {
                        Format::SingleChoice
                    } else {
                        Format::MultiChoice
                    };
                    (
                        format,
                        Answer::letters(letters),
                        label_options(texts.into_iter().take(n_options)).unwrap(),
                    )
                }
                1 => (Format::TrueFalse, Answer::Bool { value: b }, vec![]),
                2 => (
                    Format::OpenQa,
                    Answer::Text {
                        value,
                        accepted,
                        unit,
                    },
                    vec![],
                ),
                3 => (
                    Format::ProteinGen,
                    Answer::Sequence { alphabet, value },
                    vec![],
                ),
                4 => (Format::OpenQa, Answer::None, vec![]),
                _ => (
                    Format::FillBlank,
                    Answer::Text {
                        value,
                        accepted: vec![],
                        unit: None,
                    },
                    vec![],
                ),
            };
            ItemDraft {
                field,
                track,
                format,
                question,
                context,
                options,
                answer,
                expected_behavior: behaviour,
                family,
                category,
                provenance: Provenance {
                    source,
                    version,
                    record,
                    citation,
                },
                split,
                target,
            }
            .build()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn jsonl_to_parquet_to_items_is_lossless(items in prop::collection::vec(item(), 0..40)) {
        for i in &items {
            prop_assert_eq!(i.validate(), Ok(()), "generator makes valid items");
        }
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("items.jsonl");
        let parquet = dir.path().join("items.parquet");
        write_items(&jsonl, &items).unwrap();
        let from_jsonl = read_items(&jsonl, BadItemPolicy::Stop).unwrap().items;
        write_parquet(&parquet, &from_jsonl).unwrap();
        let (back, skipped) = read_parquet(&parquet, BadItemPolicy::Stop).unwrap();
        prop_assert!(skipped.is_empty());
        prop_assert_eq!(back, items);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "data/chem/PubChem/CAMEO_toxicity_query_scq_sampled.json",
            "data/chem/PubChem/CAMEO_exposure_query_mcq_sampled.json",
            "data/bio/UniProt/UniProt_protein_design_0.05meta_sampled.json",
            "data/chem/SciKnowEval/SciKnowEval_chemical_laboratory_safety_tf_sampled.json",
            "data/automated/PubChem.KI_questions.json",
            "A",
            "AC",
            "K",
            "True",
            "",
            "x",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        ".{0,8}".prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    // Records shaped like the official schema, with every field drawn from anything.
    let keys = prop::sample::subsequence(
        vec![
            "source_file",
            "question",
            "answer",
            "answers",
            "options",
            "gt",
            "category",
        ],
        0..=7,
    );
    let record = (keys, prop::collection::vec(value.clone(), 7)).prop_map(|(keys, values)| {
        serde_json::Value::Object(
            keys.into_iter()
                .zip(values)
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    });
    prop_oneof![
        prop::collection::vec(record, 0..6).prop_map(serde_json::Value::Array),
        value,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_json_input_panics(value in json_value(), lenient in any::<bool>()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let opts = SafesciOptions {
            policy: if lenient { BadItemPolicy::Skip } else { BadItemPolicy::Stop },
            ..SafesciOptions::default()
        };
        if let Ok((items, _)) = import_bytes(Path::new("x.json"), Path::new(""), &bytes, &opts) {
            for item in items {
                prop_assert_eq!(item.validate(), Ok(()));
            }
        }
    }

    #[test]
    fn no_byte_input_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = import_bytes(Path::new("x.json"), Path::new(""), &bytes, &SafesciOptions::default());
        let _ = import_bytes(Path::new("x.jsonl"), Path::new(""), &bytes, &SafesciOptions::default());
    }
}
