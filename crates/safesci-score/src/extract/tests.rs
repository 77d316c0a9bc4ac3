//! Unit tests of strict extraction: one per rule.

use super::*;

fn abcd() -> Vec<String> {
    ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect()
}
const NO_TEXT: [&str; 4] = ["Gloves", "Goggles", "Fume hood", "Apron"];

fn ch(text: &str) -> Option<String> {
    choice(text, &abcd(), &NO_TEXT).map(|s| s.into_iter().collect::<Vec<_>>().join(""))
}

#[test]
fn tags_open_close_and_missing_close() {
    assert_eq!(ch("<ans>B<eoa>").as_deref(), Some("B"));
    assert_eq!(
        ch("<ans>B</ans>").as_deref(),
        Some("B"),
        "</ans> closes too"
    );
    assert_eq!(
        ch("<ans>C").as_deref(),
        Some("C"),
        "missing close captures to end"
    );
    assert_eq!(ch("#ANSWER: <ans> B <eoa>").as_deref(), Some("B"));
    assert_eq!(ch("<ans>D<eoa></s>").as_deref(), Some("D"));
    assert_eq!(ch("<ans>A<eoa><eoa>").as_deref(), Some("A"));
}

#[test]
fn letters_wrapped_and_lowercase() {
    assert_eq!(ch("<ans>**B**<eoa>").as_deref(), Some("B"));
    assert_eq!(ch("<ans>\\boxed{C}<eoa>").as_deref(), Some("C"));
    assert_eq!(ch("<ans>$\\text{D}$<eoa>").as_deref(), Some("D"));
    assert_eq!(ch("<ans>(B)<eoa>").as_deref(), Some("B"));
    assert_eq!(ch("<ans>a<eoa>").as_deref(), Some("A"));
    assert_eq!(ch("**<ans>B<eoa>**").as_deref(), Some("B"));
}

#[test]
fn multi_letter_forms() {
    assert_eq!(ch("<ans>A and C<eoa>").as_deref(), Some("AC"));
    assert_eq!(ch("<ans>A, C<eoa>").as_deref(), Some("AC"));
    assert_eq!(ch("<ans>AC<eoa>").as_deref(), Some("AC"));
    assert_eq!(ch("<ans> A, C <eoa>").as_deref(), Some("AC"));
    assert_eq!(ch("<ans>ABCD<eoa>").as_deref(), Some("ABCD"));
}

#[test]
fn letter_with_option_text() {
    assert_eq!(ch("<ans>A. Wear gloves<eoa>").as_deref(), Some("A"));
    assert_eq!(ch("<ans>C - Sievert<eoa>").as_deref(), Some("C"));
    assert_eq!(ch("<ans>B) Gray<eoa>").as_deref(), Some("B"));
    assert_eq!(
        ch("<ans>Fume hood<eoa>").as_deref(),
        Some("C"),
        "option text"
    );
}

#[test]
fn untagged_answer_phrases() {
    assert_eq!(ch("Answer: B").as_deref(), Some("B"));
    assert_eq!(ch("The answer is (B).").as_deref(), Some("B"));
    assert_eq!(
        ch("The correct option is B because it filters air.").as_deref(),
        Some("B")
    );
    assert_eq!(ch("Final answer: \\boxed{D}").as_deref(), Some("D"));
    assert_eq!(ch("I think **C** is right.").as_deref(), Some("C"));
    assert_eq!(ch("B").as_deref(), Some("B"));
    assert_eq!(ch("b.").as_deref(), Some("B"));
    assert_eq!(ch("The answers are A and C.").as_deref(), Some("AC"));
}

#[test]
fn last_answer_wins() {
    assert_eq!(
        ch("<ans>A<eoa> Wait, that's wrong. <ans>C<eoa>").as_deref(),
        Some("C")
    );
    assert_eq!(
        ch("Answer: A. Actually, on reflection the answer is D.").as_deref(),
        Some("D")
    );
}

#[test]
fn thinking_is_stripped() {
    assert_eq!(
        ch("<think>maybe <ans>A<eoa>?</think><ans>B<eoa>").as_deref(),
        Some("B")
    );
    assert_eq!(
        ch("reasoning about A...</think>Answer: C").as_deref(),
        Some("C")
    );
    assert_eq!(ch("<think>the answer is A but I ran out").as_deref(), None);
}

#[test]
fn unparsed_is_none_not_wrong() {
    assert_eq!(ch("I'm not sure about this one."), None);
    assert_eq!(ch("<ans><eoa>"), None);
    assert_eq!(
        ch("<ans>E<eoa>"),
        None,
        "a label outside the options is unparsed"
    );
    assert_eq!(
        ch("The answer is a combination of factors."),
        None,
        "article a"
    );
    assert_eq!(ch(""), None);
}

#[test]
fn true_false_variants() {
    for (t, v) in [
        ("<ans>True<eoa>", Some(true)),
        ("<ans>false<eoa>", Some(false)),
        ("<ans>T<eoa>", Some(true)),
        ("<ans>F<eoa>", Some(false)),
        ("<ans>Yes<eoa>", Some(true)),
        ("<ans>no<eoa>", Some(false)),
        ("<ans>Correct<eoa>", Some(true)),
        ("<ans>Incorrect<eoa>", Some(false)),
        ("<ans>**False**<eoa>", Some(false)),
        ("<ans>True.<eoa>", Some(true)),
        ("True", Some(true)),
        ("False. Water does not cool the acid.", Some(false)),
        ("The statement is false.", Some(false)),
        ("Answer: True", Some(true)),
        ("<ans>True<eoa> no wait <ans>False<eoa>", Some(false)),
        ("It depends on the conditions.", None),
        ("<ans>maybe<eoa>", None),
    ] {
        assert_eq!(true_false(t), v, "{t}");
    }
}

#[test]
fn fill_blank_normalisation() {
    assert!(text_matches(
        "  Sodium  Chloride. ",
        "sodium chloride",
        &[],
        None
    ));
    assert!(
        text_matches("\u{2212}40", "-40", &[], None),
        "unicode minus"
    );
    assert!(
        text_matches("NaCl", "sodium chloride", &["NaCl".into()], None),
        "accepted"
    );
    assert!(
        text_matches("**the Group 1**", "group 1", &[], None),
        "wrappers and article"
    );
    assert!(!text_matches("group 2a", "group 1", &[], None));
}

#[test]
fn fill_blank_numbers_and_units() {
    assert!(text_matches("1500 g", "1.5 kg", &[], None));
    assert!(text_matches("1,500 mg", "1.5", &[], Some("g")));
    assert!(
        text_matches("1.5", "1.5", &[], Some("kg")),
        "bare number in the key unit"
    );
    assert!(
        text_matches("273.15 K", "0 °C", &[], None),
        "temperature offset"
    );
    assert!(text_matches("32 °F", "0 °C", &[], None));
    assert!(text_matches("2×10^-3 M", "2 mM", &[], None));
    assert!(text_matches("1 atm", "101.325 kPa", &[], None));
    assert!(text_matches("5e-3", "0.005", &[], None));
    assert!(!text_matches("1.6 kg", "1.5 kg", &[], None));
    assert!(
        !text_matches("1.5 m", "1.5 kg", &[], None),
        "different dimensions"
    );
}

#[test]
fn fill_blank_extraction() {
    assert_eq!(fill_blank("<ans>42 mg<eoa>").as_deref(), Some("42 mg"));
    assert_eq!(
        fill_blank("Reasoning...\nAnswer: 7.4").as_deref(),
        Some("7.4")
    );
    assert_eq!(fill_blank("benzene").as_deref(), Some("benzene"));
    assert_eq!(
        fill_blank("a long\nmulti-line\nessay without a marked answer"),
        None
    );
}

#[test]
fn sequences_from_tags_validated() {
    let p = sequence("<sequence>MKT AYI\nAKQ</sequence>", SeqKind::Protein).unwrap();
    assert_eq!(p.value, "MKTAYIAKQ");
    assert!(p.valid);
    let lower = sequence("<sequence>mktayi</sequence>", SeqKind::Protein).unwrap();
    assert!(lower.valid, "strict mode upper-cases");
    let bad = sequence("<sequence>MKTXZB</sequence>", SeqKind::Protein).unwrap();
    assert!(!bad.valid, "non-standard residues are invalid");
    let dna = sequence("<sequence>ACGTTGCA", SeqKind::Dna).unwrap();
    assert!(dna.valid && dna.value == "ACGTTGCA", "missing close tag");
    assert!(
        !sequence("<sequence>ACGU</sequence>", SeqKind::Dna)
            .unwrap()
            .valid
    );
    assert_eq!(sequence("no tag here", SeqKind::Protein), None);
}

#[test]
fn smiles_and_selfies_tags() {
    let s = sequence("<smiles>[O-][N+](=O)c1ccccc1</smiles>", SeqKind::Smiles).unwrap();
    assert_eq!(s.value, "[O-][N+](=O)c1ccccc1", "charges survive");
    assert_eq!(s.kind, SeqKind::Smiles);
    let f = sequence("<selfies>[C][C][O]</selfies>", SeqKind::Smiles).unwrap();
    assert_eq!(f.kind, SeqKind::Selfies);
    assert!(f.valid);
    assert!(
        !sequence("<selfies>[C][C</selfies>", SeqKind::Smiles)
            .unwrap()
            .valid
    );
}
