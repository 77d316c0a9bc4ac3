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

/// [`unwrap_answer`] as it was before its no-opener shortcut: the reference the fast version
/// must equal.
fn unwrap_answer_reference(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let before = s;
        for prefix in ["\\boxed{", "\\text{", "\\mathrm{", "\\textbf{", "\\mathbf{"] {
            if let Some(inner) = s.strip_prefix(prefix).and_then(|r| r.strip_suffix('}')) {
                s = inner.trim();
            }
        }
        for (l, r) in [
            ("**", "**"),
            ("__", "__"),
            ("*", "*"),
            ("`", "`"),
            ("$", "$"),
            ("(", ")"),
            ("[", "]"),
            ("{", "}"),
            ("\"", "\""),
            ("'", "'"),
            ("“", "”"),
            ("\\(", "\\)"),
        ] {
            if s.len() > l.len() + r.len() - 1
                && let Some(inner) = s.strip_prefix(l).and_then(|x| x.strip_suffix(r))
            {
                s = inner.trim();
            }
        }
        s = s.trim_end_matches(['.', ':', ';', '!', ',']).trim();
        if s == before {
            return s;
        }
    }
}

/// [`untagged_candidates`] without the literal prefilters: every pattern on every text.
fn untagged_candidates_reference(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for m in ANSWER_PHRASE.as_ref().unwrap().find_iter(text) {
        let rest = &text[m.end()..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        out.push((m.start(), &rest[..line_end]));
    }
    for re in [BOXED.as_ref().unwrap(), BOLD.as_ref().unwrap()] {
        for c in re.captures_iter(text) {
            let g = c.get(1).unwrap();
            out.push((g.start(), g.as_str()));
        }
    }
    out.sort_by_key(|(p, _)| *p);
    out
}

fn is_label_char_reference<L: AsRef<str>>(c: char, labels: &[L]) -> bool {
    let up = c.to_ascii_uppercase();
    labels.iter().any(|l| {
        let l = l.as_ref();
        l.len() == 1 && l.starts_with(up)
    })
}

/// Parse a whole snippet as a set of option letters: `B`, `b`, `A, C`, `A and C`, `AC`,
/// `A. Wear gloves`, `B) Gray`, or the exact text of an option. `None` when it is not one.
fn parse_letters_reference<L: AsRef<str>>(
    snippet: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    let s = unwrap_answer_reference(snippet);
    if s.is_empty() {
        return None;
    }
    // A list of single letters with separators.
    if let Some(set) = letter_list_reference(s, labels, true) {
        return Some(set);
    }
    // Contiguous capitals (`AC`), no repeats.
    if s.len() <= labels.len()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() && is_label_char_reference(c, labels))
    {
        let set: BTreeSet<String> = s.chars().map(|c| c.to_string()).collect();
        if set.len() == s.len() {
            return Some(set);
        }
    }
    // `A. text`, `B) text`, `C - text`, `(B) text`, `C: text`.
    let t = s.strip_prefix('(').unwrap_or(s);
    let mut chars = t.char_indices();
    if let (Some((_, c)), Some((i, sep))) = (chars.next(), chars.next())
        && is_label_char_reference(c, labels)
        && (c.is_ascii_uppercase() || matches!(sep, '.' | ')'))
        && matches!(sep, '.' | ')' | ':' | ' ' | '-')
    {
        let tail = t[i..].trim_start_matches(['.', ')', ':', ' ', '-']);
        // `A and C` is handled above; a text tail must not itself start a letter list.
        if letter_list_reference(tail, labels, false).is_none() || tail.is_empty() {
            return Some(BTreeSet::from([c.to_ascii_uppercase().to_string()]));
        }
    }
    // The text of an option.
    if option_texts.iter().all(|t| t.is_empty()) {
        return None;
    }
    for (label, text) in labels.iter().zip(option_texts) {
        if !text.is_empty() && same_lowercase_reference(text.trim(), s) {
            return Some(BTreeSet::from([label.as_ref().to_string()]));
        }
    }
    None
}

/// `a.to_lowercase() == b.to_lowercase()`, without allocating when both are ASCII (where
/// lowercasing is byte-wise; Unicode text keeps the exact comparison, final sigma included).
fn same_lowercase_reference(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// A separator-joined list of single letters making up the whole of `s` (when `whole`) or its
/// start. Lowercase letters only count when they stand alone (not the article `a`).
fn letter_list_reference<L: AsRef<str>>(
    s: &str,
    labels: &[L],
    whole: bool,
) -> Option<BTreeSet<String>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut set = BTreeSet::new();
    loop {
        // Skip wrappers around one letter: `(A)`, `**A**`.
        while i < b.len() && matches!(b[i], b'(' | b'*' | b'[' | b'`') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let c = b[i] as char;
        if !c.is_ascii_alphabetic() || !is_label_char_reference(c, labels) {
            break;
        }
        let next = b.get(i + 1).copied();
        if next.is_some_and(|n| n.is_ascii_alphanumeric()) {
            break;
        }
        if c.is_ascii_lowercase() {
            // "a" followed by a word is an article, not an option.
            let rest = s[i + 1..].trim_start();
            let ok = rest.is_empty()
                || rest.starts_with([',', ')', '.', '/', '&', ';', '*', ']'])
                || rest.starts_with("and ");
            if !ok {
                break;
            }
        }
        set.insert(c.to_ascii_uppercase().to_string());
        i += 1;
        while i < b.len() && matches!(b[i], b')' | b'*' | b']' | b'`' | b'.') {
            i += 1;
        }
        // Separator.
        let rest = &s[i..];
        let trimmed = rest.trim_start();
        let sep_len = if let Some(r) = trimmed.strip_prefix("and ") {
            rest.len() - r.len()
        } else if let Some(r) = trimmed.strip_prefix(['&', ',', '/', ';', '+']) {
            rest.len() - r.len()
        } else if whole && !trimmed.is_empty() && trimmed.len() < rest.len() {
            // Plain spaces between letters: `A C`.
            rest.len() - trimmed.len()
        } else {
            break;
        };
        i += sep_len;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    if set.is_empty() {
        return None;
    }
    if whole
        && s[i.min(s.len())..]
            .trim()
            .trim_end_matches(['.', ')'])
            .is_empty()
    {
        return Some(set);
    }
    if !whole {
        return Some(set);
    }
    None
}

/// [`choice`] as it was before picks became byte and label masks (sets of strings all the
/// way): the reference the mask-based extraction must equal.
fn choice_reference<L: AsRef<str>>(
    text: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    let text = strip_thinking_reference(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag_reference(text) {
        return parse_letters_reference(tag, labels, option_texts);
    }
    choice_untagged_reference(text, labels, option_texts)
}

/// [`choice`] on a response without an answer tag (thinking already stripped).
fn choice_untagged_reference<L: AsRef<str>>(
    text: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    // Last answer wins: scan candidates from the end.
    for (_, snippet) in untagged_candidates_reference(text).into_iter().rev() {
        if let Some(set) = parse_letters_reference(snippet, labels, option_texts) {
            return Some(set);
        }
        let s = unwrap_answer_reference(snippet);
        if let Some(set) = letter_list_reference(s.trim_start_matches(['*', '(']), labels, false) {
            // A leading uppercase letter list ("B because…"); lowercase needs to stand alone.
            return Some(set);
        }
    }
    let trimmed = text.trim();
    // A short bare answer: `B`, `(B)`, `b.`, `A, C`.
    if trimmed.len() <= 64
        && let Some(set) = parse_letters_reference(trimmed, labels, option_texts)
    {
        return Some(set);
    }
    // First line as a bare answer ("B\n\nExplanation: …").
    let first = trimmed.lines().next().unwrap_or("");
    if first.len() < trimmed.len()
        && first.len() <= 64
        && let Some(set) = parse_letters_reference(first, labels, option_texts)
    {
        return Some(set);
    }
    None
}

/// [`strip_thinking`] as it was before its `<` shortcut, with `str` searches.
fn strip_thinking_reference(text: &str) -> Cow<'_, str> {
    if !text.contains("think>") {
        return Cow::Borrowed(text);
    }
    let mut rest = text;
    if let (Some(close), None) = (rest.find("</think>"), rest.find("<think>")) {
        rest = &rest[close + "</think>".len()..];
    }
    let mut out = String::with_capacity(rest.len());
    while let Some(open) = rest.find("<think>") {
        out.push_str(&rest[..open]);
        match rest[open..].find("</think>") {
            Some(close) => rest = &rest[open + close + "</think>".len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// [`answer_tag`] with `str` searches: the last `<ans>` (else the last `<ANS>`), up to the
/// first closing tag after it.
fn answer_tag_reference(text: &str) -> Option<&str> {
    let tag = |open: &str| {
        let start = text.rfind(open)? + open.len();
        let rest = &text[start..];
        let end = ["<eoa>", "</ans>", "<EOA>", "<ans>"]
            .iter()
            .filter_map(|c| rest.find(c))
            .min()
            .unwrap_or(rest.len());
        Some(&rest[..end])
    };
    tag("<ans>").or_else(|| tag("<ANS>"))
}

/// [`normalize_text`] as first written (a char loop and a copy of the trimmed result).
fn normalize_text_reference(s: &str) -> String {
    let s = unwrap_answer_reference(s);
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        let c = match c {
            '\u{2212}' | '\u{2013}' | '\u{2014}' | '\u{2010}' | '\u{2011}' => '-',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{00A0}' | '\u{2009}' | '\u{202F}' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    let t = out
        .trim()
        .trim_end_matches(['.', ',', ';', '!', '?'])
        .trim();
    let t = t
        .strip_prefix("the ")
        .or_else(|| t.strip_prefix("an "))
        .or_else(|| t.strip_prefix("a "))
        .unwrap_or(t);
    t.to_string()
}

/// [`true_false`] and [`fill_blank`] (and [`parse_bool`]) as first written: every pattern on
/// every text, lowercase copies.
fn parse_bool_reference(snippet: &str) -> Option<bool> {
    let s = unwrap_answer_reference(snippet);
    let word = s
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())?;
    let whole_is_word = s.trim_end_matches(|c: char| !c.is_alphanumeric()).len() == word.len();
    let lower = word.to_lowercase();
    let v = match lower.as_str() {
        "true" | "yes" | "correct" | "right" | "vrai" | "verdadero" | "wahr" | "vero" => true,
        "false" | "no" | "incorrect" | "wrong" | "faux" | "falso" | "falsch" => false,
        // Single letters only as the whole answer.
        "t" | "y" if whole_is_word => true,
        "f" | "n" if whole_is_word => false,
        _ => return None,
    };
    Some(v)
}

fn true_false_reference(text: &str) -> Option<bool> {
    let text = strip_thinking_reference(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag_reference(text) {
        return parse_bool_reference(tag);
    }
    if let Some(re) = TF_PHRASE.as_ref()
        && let Some(c) = re.captures_iter(text).last()
    {
        return c.get(1).and_then(|g| parse_bool_reference(g.as_str()));
    }
    if let Some(re) = BOXED.as_ref()
        && let Some(c) = re.captures_iter(text).last()
        && let Some(v) = c.get(1).and_then(|g| parse_bool_reference(g.as_str()))
    {
        return Some(v);
    }
    // The response opens with the verdict: "True.", "**False** — because …".
    let first = text.trim_start().trim_start_matches(['*', '_', '#', ' ']);
    let word_end = first
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(first.len());
    let w = &first[..word_end];
    if matches!(
        w.to_lowercase().as_str(),
        "true" | "false" | "correct" | "incorrect"
    ) || (w.len() == 1 && first.trim().len() == 1)
    {
        return parse_bool_reference(w);
    }
    None
}

fn fill_blank_reference(text: &str) -> Option<String> {
    let text = strip_thinking_reference(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag_reference(text) {
        let t = unwrap_answer_reference(tag);
        return (!t.is_empty()).then(|| t.to_string());
    }
    if let Some(re) = BOXED.as_ref()
        && let Some(c) = re.captures_iter(text).last()
        && let Some(g) = c.get(1)
    {
        return Some(unwrap_answer_reference(g.as_str()).to_string());
    }
    if let Some(re) = FILL_PHRASE.as_ref()
        && let Some(m) = re.find_iter(text).last()
    {
        let rest = &text[m.end()..];
        let line = rest.lines().next().unwrap_or("");
        let t = unwrap_answer_reference(line);
        if !t.is_empty() {
            return Some(t.to_string());
        }
    }
    let t = text.trim();
    if !t.is_empty() && !t.contains('\n') && t.chars().count() <= 80 {
        return Some(unwrap_answer_reference(t).to_string());
    }
    None
}

/// Pieces that generated choice responses are glued from: tags (well formed or not), letters in
/// both cases, wrappers, answer phrases (also with the long s `ſ` that Unicode case folding maps
/// to `s`), option texts, thinking blocks, separators and unrelated words.
const PIECES: &[&str] = &[
    "<ans>",
    "<eoa>",
    "</ans>",
    "<ANS>",
    "<EOA>",
    "<think>",
    "</think>",
    "A",
    "B",
    "C",
    "D",
    "E",
    "a",
    "b",
    "c",
    "e",
    "I",
    "AC",
    "ABD",
    " ",
    "  ",
    "\n",
    ", ",
    " and ",
    "&",
    "/",
    ".",
    ")",
    "(",
    "**",
    "*",
    "__",
    "`",
    "$",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "“",
    "”",
    "\\boxed{",
    "\\text{",
    "\\(",
    "\\)",
    ":",
    "-",
    "The answer is ",
    "Answer: ",
    "answer",
    "ANSWER",
    "anſwer",
    "Final answer: ",
    "correct option is ",
    "Options",
    "choices are ",
    "CHOICE",
    "option",
    "Gloves",
    "gloves",
    "Fume hood",
    "FUME HOOD",
    "Σ",
    "ς",
    "σ",
    "OΣ",
    "oς",
    "because",
    "I'm sorry, I can't help with that.",
    "is",
    "would be",
    "#",
    "K",
    "é",
    "x",
];

fn response() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop::collection::vec(prop::sample::select(PIECES), 0..14).prop_map(|v| v.concat())
}

fn label_sets() -> Vec<(Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (
            vec!["A", "B", "C", "D"],
            vec!["Gloves", "Goggles", "Fume hood", "Apron"],
        ),
        (vec!["A", "B", "C", "D"], vec!["a", "b", "c", "d"]),
        (vec!["A", "B", "C", "D"], vec!["", "", "", ""]),
        (
            vec!["A", "B", "C", "D", "E", "F"],
            vec!["e", "Σ", "oσ", "gloves", "x", ""],
        ),
        (vec!["C", "A", "B"], vec!["ſ", "K", "I"]),
        (vec!["A", "A", "B"], vec!["b", "a", "answer"]),
        (vec!["AB", "C", "D"], vec!["Gloves", "ac", "d"]),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

    /// The mask-based choice extraction (`choice`, and `choice_labels` with its fast path)
    /// gives exactly the answer of the rules as first written, with sets of strings (and the
    /// recorded string and correctness follow from it), on generated responses.
    #[test]
    fn choice_fast_path_equals_general(text in response(), key in 0usize..16) {
        for (labels, texts) in label_sets() {
            let general = choice_reference(&text, &labels, &texts);
            proptest::prop_assert_eq!(&choice(&text, &labels, &texts), &general);
            proptest::prop_assert_eq!(
                parse_letters(&text, &labels, &texts),
                parse_letters_reference(&text, &labels, &texts)
            );
            let fast = choice_labels(&text, &labels, &texts);
            proptest::prop_assert_eq!(
                fast.as_ref().map(|c| c.to_set(&labels)),
                general.clone(),
                "labels {:?} text {:?}", labels, text
            );
            if let (Some(f), Some(g)) = (&fast, &general) {
                proptest::prop_assert_eq!(f.joined(&labels), g.iter().map(String::as_str).collect::<String>());
                let key: BTreeSet<String> = labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| key & (1 << i) != 0)
                    .map(|(_, l)| l.to_string())
                    .collect();
                proptest::prop_assert_eq!(f.equals(&key, &labels), g == &key);
                proptest::prop_assert_eq!(f.equals(g, &labels), true);
            }
        }
    }

    /// The prefiltered candidate search finds exactly what running every pattern finds, and the
    /// shortcuts in `unwrap_answer`, `strip_thinking` and `answer_tag` change nothing.
    #[test]
    fn prefilters_change_nothing(text in response()) {
        proptest::prop_assert_eq!(strip_thinking(&text), strip_thinking_reference(&text));
        proptest::prop_assert_eq!(answer_tag(&text), answer_tag_reference(&text));
        proptest::prop_assert_eq!(
            tag_content(&text, 0).len(),
            first_of(&text, ANS_CLOSES).unwrap_or(text.len())
        );
        proptest::prop_assert_eq!(untagged_candidates(&text), untagged_candidates_reference(&text));
        // Long texts take the answer-word prefilter.
        let long = format!("{}{text}", "filler, ".repeat(PREFILTER_FROM / 8));
        proptest::prop_assert_eq!(untagged_candidates(&long), untagged_candidates_reference(&long));
        proptest::prop_assert_eq!(unwrap_answer(&text), unwrap_answer_reference(&text));
        for (_, s) in untagged_candidates_reference(&text) {
            proptest::prop_assert_eq!(unwrap_answer(s), unwrap_answer_reference(s));
        }
    }
}

/// More labels than a 64-bit mask holds: picks come back as label strings (`Chosen::Other`),
/// still equal to the general rules' set, and option-text picks name the first equal label.
#[test]
fn many_labels_fall_back_to_strings() {
    let labels: Vec<String> = (0..70)
        .map(|i| format!("L{i}"))
        .chain(["B".into()])
        .collect();
    let texts: Vec<&str> = (0..71)
        .map(|i| if i == 3 { "Fume hood" } else { "" })
        .collect();
    let got = choice_labels("<ans>b<eoa>", &labels, &texts).unwrap();
    assert_eq!(got, Chosen::Other(BTreeSet::from(["B".to_string()])));
    assert_eq!(got.joined(&labels), "B");
    let got = choice_labels("The answer is fume hood.", &labels, &texts).unwrap();
    assert_eq!(got.to_set(&labels), BTreeSet::from(["L3".to_string()]));
    assert!(got.equals(&BTreeSet::from(["L3".to_string()]), &labels));
    let few = ["A", "B", "A", "C"];
    let got = choice_labels("<ans>Gloves<eoa>", &few, &["x", "y", "Gloves", "z"]).unwrap();
    assert_eq!(got, Chosen::Labels(0b1), "the first of equal labels");
}

#[test]
fn fast_path_shapes() {
    let labels = ["A", "B", "C", "D"];
    let texts = ["Gloves", "Goggles", "Fume hood", "Apron"];
    let got = |t: &str| choice_labels(t, &labels, &texts);
    assert_eq!(got("<ans>B<eoa>"), Some(Chosen::Labels(0b10)));
    assert_eq!(got("<ans> c </ans>"), Some(Chosen::Labels(0b100)));
    assert_eq!(got("<ans>A and C<eoa>"), Some(Chosen::Labels(0b101)));
    assert_eq!(got("<ans>E<eoa>"), None, "not an option");
    assert_eq!(got("The answer is (D)."), Some(Chosen::Labels(0b1000)));
    assert_eq!(got("<ans>fume HOOD<eoa>"), Some(Chosen::Labels(0b100)));
    assert_eq!(got("I'm sorry, I can't help with that."), None);
    let unsorted = ["C", "A", "B"];
    let c = choice_labels("<ans>C, A<eoa>", &unsorted, &["", "", ""]).unwrap();
    assert_eq!(
        c.joined(&unsorted),
        "AC",
        "recorded in sorted order, as the set was"
    );
    assert!(unwrap_answer("**B**.") == "B" && unwrap_answer("B. .") == "B");
    assert!(
        may_have_answer_phrase("the anſwer is B"),
        "non-ASCII text is never ruled out"
    );
    assert!(!may_have_answer_phrase(
        "I'm sorry, I can't help with that."
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The one-scan search for the first closing tag equals the least `str::find` of each, and
    /// the byte searches equal `str::find`/`rfind`.
    #[test]
    fn first_of_equals_min_of_finds(
        hay in "[<>a-eA/ ]{0,24}",
        needles in proptest::collection::vec("[<>a-e/]{1,4}", 1..5),
        same_first in proptest::bool::ANY,
    ) {
        let needles: Vec<String> = if same_first {
            needles.iter().map(|n| format!("<{n}")).collect()
        } else {
            needles
        };
        let refs: Vec<&str> = needles.iter().map(String::as_str).collect();
        let expect = refs.iter().filter_map(|n| hay.find(n)).min();
        proptest::prop_assert_eq!(first_of(&hay, &refs), expect);
        for n in &refs {
            proptest::prop_assert_eq!(find(&hay, n), hay.find(n));
            proptest::prop_assert_eq!(rfind(&hay, n), hay.rfind(n));
        }
    }
}

/// Pieces for the answer-phrase matcher: every word of the pattern in several cases, words that
/// extend them (`answers`, `isotope`, `_answer`), every ASCII whitespace byte, the separators.
const PHRASE_PIECES: &[&str] = &[
    "answer", "Answer", "ANSWER", "answers", "answerS", "final", "Final ", "FINAL", "correct",
    "Correct", "option", "Options", "choice", "CHOICES", "is", "IS", "isotope", "are", "ARE",
    "would", "will", "should", "be", "BE", " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", ":", "=",
    "-", "_", "x", "1", "(", "B", ".", "s", "an", "swer", "fin", "al", "is:", "'", " is ", "is ",
    " isotope", " be",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

    /// The hand-written matcher finds exactly the pattern's matches (start and end) on ASCII text.
    #[test]
    fn answer_phrase_matcher_equals_pattern(
        pieces in proptest::collection::vec(proptest::sample::select(PHRASE_PIECES), 0..16)
    ) {
        let text = pieces.concat();
        let expect: Vec<(usize, usize)> = ANSWER_PHRASE
            .as_ref()
            .unwrap()
            .find_iter(&text)
            .map(|m| (m.start(), m.end()))
            .collect();
        proptest::prop_assert_eq!(answer_phrases(&text), expect, "{:?}", text);
    }
}

#[test]
fn answer_phrase_matcher_cases() {
    let ends = |t: &str| answer_phrases(t);
    assert_eq!(ends("The answer is (B)."), vec![(4, 14)]);
    assert_eq!(ends("Final  answer would be: C"), vec![(0, 24)]);
    assert_eq!(ends("the correct options are A"), vec![(4, 24)]);
    assert_eq!(
        ends("answer isotope"),
        vec![(0, 9)],
        "`is` needs no boundary after it"
    );
    assert_eq!(ends("_answer xanswer"), vec![], "no word boundary before");
    assert_eq!(ends("answer is is B"), vec![(0, 13)]);
    assert_eq!(
        ends("answer is isotope"),
        vec![(0, 10)],
        "`\\bis\\b` needs both boundaries"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

    /// The ASCII byte loop and the in-place trim of `normalize_text` change nothing.
    #[test]
    fn normalize_text_equals_reference(
        pieces in proptest::collection::vec(proptest::sample::select(vec![
            "The ", "the ", "An ", "a ", "A", "Sodium", "CHLORIDE", " ", "  ", "\t", "\n", "\u{b}",
            "\u{a0}", "\u{2009}", "\u{3000}", "\u{2212}", "\u{2014}", "\u{2019}", "\u{201C}",
            ".", ",", ";", "!", "?", "**", "(", ")", "\\boxed{", "}", "1.5", "kg", "É", "Σ", "ς",
            "İ", "x",
        ]), 0..10)
    ) {
        let text = pieces.concat();
        proptest::prop_assert_eq!(normalize_text(&text), normalize_text_reference(&text));
    }
}

/// Pieces of generated true/false and fill-in-blank responses.
const TF_FILL_PIECES: &[&str] = &[
    "<ans>",
    "<eoa>",
    "</ans>",
    "<think>",
    "</think>",
    "True",
    "FALSE",
    "false",
    "T",
    "f",
    "Yes",
    "no",
    "Correct",
    "incorrect",
    "Right",
    "wrong",
    "vrai",
    "Falsch",
    "verdadero",
    "VERDADERO",
    "Verdaderos",
    "Y",
    "N",
    "The answer is ",
    "answer: ",
    "ANSWER",
    "anſwer",
    "Final answer: ",
    "statement is ",
    "The claim is",
    "this is ",
    "This",
    "\\boxed{",
    "}",
    "{",
    "**",
    "*",
    "_",
    "#",
    " ",
    "\n",
    ".",
    ":",
    "=",
    "-",
    "1.5 kg",
    "1500 g",
    "about 2 kg",
    "water",
    "é",
    "K",
    "İ",
    "because",
    "not",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

    /// The literal gates and stack lowercasing of the true/false and fill-in-blank extraction
    /// change nothing.
    #[test]
    fn tf_and_fill_equal_reference(
        pieces in proptest::collection::vec(proptest::sample::select(TF_FILL_PIECES), 0..12)
    ) {
        let text = pieces.concat();
        proptest::prop_assert_eq!(true_false(&text), true_false_reference(&text), "{:?}", text);
        proptest::prop_assert_eq!(fill_blank(&text), fill_blank_reference(&text), "{:?}", text);
        proptest::prop_assert_eq!(parse_bool(&text), parse_bool_reference(&text), "{:?}", text);
    }
}
