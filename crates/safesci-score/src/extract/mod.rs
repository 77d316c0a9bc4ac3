//! Strict answer extraction: answer tags (with tolerant closing), `Answer: X`, markdown/LaTeX
//! wrappers, letter lists, true/false words, fill-in-blank normalisation with units, and
//! sequences/structures from their tags. A response whose answer cannot be found yields `None`
//! (scored as [`crate::types::Outcome::Unparsed`]), never a silent wrong answer.
//!
//! The hot path (a tagged answer) is hand-scanned; the few fallback patterns are compiled once.

pub mod units;

use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// First byte offset of `needle` in `hay` (same answer as `str::find`; `memchr` skips to the
/// needle's first byte instead of building a two-way searcher per call, which dominated short
/// responses).
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let (&first, rest) = n.split_first()?;
    let mut from = 0;
    while let Some(p) = memchr::memchr(first, h.get(from..)?) {
        let at = from + p;
        if h[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Last byte offset of `needle` in `hay` (same answer as `str::rfind`).
pub(crate) fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let (&first, rest) = n.split_first()?;
    let mut end = h.len();
    while let Some(at) = memchr::memrchr(first, &h[..end]) {
        if h[at + 1..].starts_with(rest) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// Remove reasoning blocks: `<think>…</think>` (any number), text before a lone `</think>`, and
/// everything after an unclosed `<think>` (a model cut off mid-thought gave no answer).
pub fn strip_thinking(text: &str) -> Cow<'_, str> {
    if find(text, "think>").is_none() {
        return Cow::Borrowed(text);
    }
    let mut rest = text;
    // A lone closing tag: the model's template opened the block in the prompt.
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

/// The content of the last `open` tag, up to the first of `closes` after it, or to the end when
/// the closing tag is missing (the model stopped or forgot it).
pub fn last_tag<'a>(text: &'a str, open: &str, closes: &[&str]) -> Option<&'a str> {
    let start = rfind(text, open)? + open.len();
    let rest = &text[start..];
    let end = closes
        .iter()
        .filter_map(|c| find(rest, c))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

const ANS_CLOSES: &[&str] = &["<eoa>", "</ans>", "<EOA>", "<ans>"];

/// The content of the last `<ans>` tag (closing `<eoa>` or `</ans>`, or none).
pub fn answer_tag(text: &str) -> Option<&str> {
    last_tag(text, "<ans>", ANS_CLOSES).or_else(|| last_tag(text, "<ANS>", ANS_CLOSES))
}

/// Peel markdown and LaTeX wrappers and surrounding punctuation: `**B**`, `\boxed{B}`,
/// `\text{B}`, `$B$`, `(B)`, `[B]`, `"B"`, `B.`.
pub fn unwrap_answer(s: &str) -> &str {
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

fn is_label_char<L: AsRef<str>>(c: char, labels: &[L]) -> bool {
    let up = c.to_ascii_uppercase();
    labels.iter().any(|l| {
        let l = l.as_ref();
        l.len() == 1 && l.starts_with(up)
    })
}

/// Parse a whole snippet as a set of option letters: `B`, `b`, `A, C`, `A and C`, `AC`,
/// `A. Wear gloves`, `B) Gray`, or the exact text of an option. `None` when it is not one.
pub fn parse_letters<L: AsRef<str>>(
    snippet: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    let s = unwrap_answer(snippet);
    if s.is_empty() {
        return None;
    }
    // A list of single letters with separators.
    if let Some(set) = letter_list(s, labels, true) {
        return Some(set);
    }
    // Contiguous capitals (`AC`), no repeats.
    if s.len() <= labels.len()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() && is_label_char(c, labels))
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
        && is_label_char(c, labels)
        && (c.is_ascii_uppercase() || matches!(sep, '.' | ')'))
        && matches!(sep, '.' | ')' | ':' | ' ' | '-')
    {
        let tail = t[i..].trim_start_matches(['.', ')', ':', ' ', '-']);
        // `A and C` is handled above; a text tail must not itself start a letter list.
        if letter_list(tail, labels, false).is_none() || tail.is_empty() {
            return Some(BTreeSet::from([c.to_ascii_uppercase().to_string()]));
        }
    }
    // The text of an option.
    if option_texts.iter().all(|t| t.is_empty()) {
        return None;
    }
    let lower = s.to_lowercase();
    for (label, text) in labels.iter().zip(option_texts) {
        if !text.is_empty() && text.trim().to_lowercase() == lower {
            return Some(BTreeSet::from([label.as_ref().to_string()]));
        }
    }
    None
}

/// A separator-joined list of single letters making up the whole of `s` (when `whole`) or its
/// start. Lowercase letters only count when they stand alone (not the article `a`).
fn letter_list<L: AsRef<str>>(s: &str, labels: &[L], whole: bool) -> Option<BTreeSet<String>> {
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
        if !c.is_ascii_alphabetic() || !is_label_char(c, labels) {
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

static ANSWER_PHRASE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:final\s+answer|correct\s+(?:answer|option|choice)s?|answers?|options?|choices?)(?:\s+(?:is|are|would\s+be|will\s+be|should\s+be))?\s*(?:[:=\-]|\bis\b)?\s*",
    )
    .ok()
});
static BOXED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\\boxed\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}").ok());
static BOLD: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\*\*([^*\n]{1,60})\*\*").ok());

/// Candidate answer snippets outside tags, each with its position, so the last one can win.
fn untagged_candidates(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    if let Some(re) = ANSWER_PHRASE.as_ref() {
        for m in re.find_iter(text) {
            let rest = &text[m.end()..];
            let line_end = rest.find('\n').unwrap_or(rest.len());
            out.push((m.start(), &rest[..line_end]));
        }
    }
    if let Some(re) = BOXED.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push((g.start(), g.as_str()));
            }
        }
    }
    if let Some(re) = BOLD.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push((g.start(), g.as_str()));
            }
        }
    }
    out.sort_by_key(|(p, _)| *p);
    out
}

/// Extract the chosen option letters of a choice response. `labels` are the item's option
/// labels, `option_texts` their texts (same order).
pub fn choice<L: AsRef<str>>(
    text: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    let text = strip_thinking(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag(text) {
        return parse_letters(tag, labels, option_texts);
    }
    // Last answer wins: scan candidates from the end.
    for (_, snippet) in untagged_candidates(text).into_iter().rev() {
        if let Some(set) = parse_letters(snippet, labels, option_texts) {
            return Some(set);
        }
        let s = unwrap_answer(snippet);
        if let Some(set) = letter_list(s.trim_start_matches(['*', '(']), labels, false) {
            // A leading uppercase letter list ("B because…"); lowercase needs to stand alone.
            return Some(set);
        }
    }
    let trimmed = text.trim();
    // A short bare answer: `B`, `(B)`, `b.`, `A, C`.
    if trimmed.len() <= 64
        && let Some(set) = parse_letters(trimmed, labels, option_texts)
    {
        return Some(set);
    }
    // First line as a bare answer ("B\n\nExplanation: …").
    let first = trimmed.lines().next().unwrap_or("");
    if first.len() < trimmed.len()
        && first.len() <= 64
        && let Some(set) = parse_letters(first, labels, option_texts)
    {
        return Some(set);
    }
    None
}

/// A true/false word: True/False, T/F, yes/no, correct/incorrect, right/wrong.
pub fn parse_bool(snippet: &str) -> Option<bool> {
    let s = unwrap_answer(snippet);
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

static TF_PHRASE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:answer(?:\s+is)?|statement\s+is|claim\s+is|this\s+is)\s*[:=\-]?\s*\**\s*(true|false|correct|incorrect|yes|no)\b",
    )
    .ok()
});

/// Extract a true/false answer.
pub fn true_false(text: &str) -> Option<bool> {
    let text = strip_thinking(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag(text) {
        return parse_bool(tag);
    }
    if let Some(re) = TF_PHRASE.as_ref()
        && let Some(c) = re.captures_iter(text).last()
    {
        return c.get(1).and_then(|g| parse_bool(g.as_str()));
    }
    if let Some(re) = BOXED.as_ref()
        && let Some(c) = re.captures_iter(text).last()
        && let Some(v) = c.get(1).and_then(|g| parse_bool(g.as_str()))
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
        return parse_bool(w);
    }
    None
}

/// Normalise free text for comparison: case, unicode dashes and quotes, whitespace, wrappers,
/// trailing punctuation, a leading article.
pub fn normalize_text(s: &str) -> String {
    let s = unwrap_answer(s);
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

static FILL_PHRASE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:final\s+answer|answer)(?:\s+is)?\s*[:=]?\s*").ok());

/// Extract a fill-in-blank answer snippet: the tag, an `Answer:` line, a boxed value, or a
/// short one-line response.
pub fn fill_blank(text: &str) -> Option<String> {
    let text = strip_thinking(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag(text) {
        let t = unwrap_answer(tag);
        return (!t.is_empty()).then(|| t.to_string());
    }
    if let Some(re) = BOXED.as_ref()
        && let Some(c) = re.captures_iter(text).last()
        && let Some(g) = c.get(1)
    {
        return Some(unwrap_answer(g.as_str()).to_string());
    }
    if let Some(re) = FILL_PHRASE.as_ref()
        && let Some(m) = re.find_iter(text).last()
    {
        let rest = &text[m.end()..];
        let line = rest.lines().next().unwrap_or("");
        let t = unwrap_answer(line);
        if !t.is_empty() {
            return Some(t.to_string());
        }
    }
    let t = text.trim();
    if !t.is_empty() && !t.contains('\n') && t.chars().count() <= 80 {
        return Some(unwrap_answer(t).to_string());
    }
    None
}

/// Does an extracted fill-in-blank answer match the key (`value` or an `accepted` variant),
/// comparing text after normalisation and numbers after unit conversion?
pub fn text_matches(got: &str, value: &str, accepted: &[String], unit: Option<&str>) -> bool {
    let g = normalize_text(got);
    let candidates = std::iter::once(value).chain(accepted.iter().map(String::as_str));
    for cand in candidates {
        let c = normalize_text(cand);
        if g == c {
            return true;
        }
        if let Some(u) = unit
            && g == normalize_text(&format!("{cand} {u}"))
        {
            return true;
        }
        if units::numbers_match(&g, &c, unit) {
            return true;
        }
    }
    false
}

/// Does `needle` (normalised) occur in `hay` (normalised) on word boundaries? Used for open
/// answers, where the key may sit inside a sentence.
pub fn contains_phrase(hay: &str, needle: &str) -> bool {
    let h = normalize_text(hay);
    let n = normalize_text(needle);
    if n.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = h[from..].find(&n) {
        let s = from + pos;
        let e = s + n.len();
        let before_ok = h[..s]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = h[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = s + n.len().max(1);
        if from >= h.len() {
            break;
        }
    }
    false
}

/// The 20 standard amino acids.
pub const PROTEIN_ALPHABET: &[u8] = b"ACDEFGHIKLMNPQRSTVWY";
/// DNA nucleotides.
pub const DNA_ALPHABET: &[u8] = b"ACGT";

/// Which generated string to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqKind {
    Protein,
    Dna,
    Smiles,
    Selfies,
}

/// A sequence or structure taken from its tag: the cleaned string and whether it is valid for
/// its alphabet (SMILES validity is decided by the chemistry module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqAnswer {
    pub kind: SeqKind,
    pub value: String,
    pub valid: bool,
}

/// Extract a protein/DNA sequence (`<sequence>`), SMILES (`<smiles>`) or SELFIES (`<selfies>`).
/// For compounds either tag is accepted and the kind says which was found.
pub fn sequence(text: &str, kind: SeqKind) -> Option<SeqAnswer> {
    let text = strip_thinking(text);
    let text = text.as_ref();
    match kind {
        SeqKind::Protein | SeqKind::Dna => {
            let raw = last_tag(text, "<sequence>", &["</sequence>", "<sequence>"])
                .or_else(|| bare_token(text))?;
            let mut value: String = raw
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_ascii_digit())
                .collect::<String>()
                .to_ascii_uppercase();
            if kind == SeqKind::Protein && value.ends_with('*') {
                value.pop();
            }
            let alphabet = if kind == SeqKind::Protein {
                PROTEIN_ALPHABET
            } else {
                DNA_ALPHABET
            };
            let valid = !value.is_empty() && value.bytes().all(|b| alphabet.contains(&b));
            Some(SeqAnswer { kind, value, valid })
        }
        SeqKind::Smiles | SeqKind::Selfies => {
            let smiles = last_tag(text, "<smiles>", &["</smiles>", "<smiles>"])
                .map(|s| (text.rfind("<smiles>"), SeqKind::Smiles, s));
            let selfies = last_tag(text, "<selfies>", &["</selfies>", "<selfies>"])
                .map(|s| (text.rfind("<selfies>"), SeqKind::Selfies, s));
            let (_, found, raw) = match (smiles, selfies) {
                (Some(a), Some(b)) => {
                    if a.0 > b.0 {
                        a
                    } else {
                        b
                    }
                }
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return None,
            };
            let value: String = raw.split_whitespace().collect();
            let valid = match found {
                SeqKind::Selfies => selfies_tokens(&value).is_some(),
                _ => !value.is_empty(),
            };
            Some(SeqAnswer {
                kind: found,
                value,
                valid,
            })
        }
    }
}

/// A response that is only one long alphabetic token (a bare sequence, maybe in a code fence).
fn bare_token(text: &str) -> Option<&str> {
    let t = text.trim().trim_matches('`').trim();
    (t.len() >= 8 && t.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\n')).then_some(t)
}

/// Split a SELFIES string into its bracketed tokens; `None` if it is not well formed.
pub fn selfies_tokens(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        if rest.starts_with('.') {
            out.push(".");
            rest = &rest[1..];
            continue;
        }
        let r = rest.strip_prefix('[')?;
        let end = r.find(']')?;
        let tok = &r[..end];
        if tok.is_empty() || tok.contains('[') {
            return None;
        }
        out.push(&rest[..end + 2]);
        rest = &r[end + 1..];
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
