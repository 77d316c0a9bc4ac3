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
        if continues(h, at + 1, rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Below this length a plain byte loop finds a byte faster than `memchr`, whose dispatch and
/// vector set-up cost more than the few compares (most responses scored are this short).
const SHORT: usize = 16;

/// `memchr::memchr`, with a plain loop on short haystacks.
#[inline]
fn byte_find(b: u8, h: &[u8]) -> Option<usize> {
    if h.len() < SHORT {
        h.iter().position(|&x| x == b)
    } else {
        memchr::memchr(b, h)
    }
}

/// `memchr::memrchr`, with a plain loop on short haystacks.
#[inline]
fn byte_rfind(b: u8, h: &[u8]) -> Option<usize> {
    if h.len() < SHORT {
        h.iter().rposition(|&x| x == b)
    } else {
        memchr::memrchr(b, h)
    }
}

/// Does `h[at..]` start with `rest`? (An inlined byte loop: the needles are a few bytes long,
/// where a `memcmp` call cost more than the comparison.)
#[inline]
fn continues(h: &[u8], at: usize, rest: &[u8]) -> bool {
    h.get(at..at + rest.len())
        .is_some_and(|w| w.iter().zip(rest).all(|(a, b)| a == b))
}

/// Last byte offset of `needle` in `hay` (same answer as `str::rfind`).
pub(crate) fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let (&first, rest) = n.split_first()?;
    let mut end = h.len();
    while let Some(at) = byte_rfind(first, &h[..end]) {
        if continues(h, at + 1, rest) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// Remove reasoning blocks: `<think>…</think>` (any number), text before a lone `</think>`, and
/// everything after an unclosed `<think>` (a model cut off mid-thought gave no answer).
pub fn strip_thinking(text: &str) -> Cow<'_, str> {
    // Without a `<think>` or `</think>` tag nothing is removed; one scan over the (few) `<`
    // bytes rules both out.
    let h = text.as_bytes();
    let mut from = 0;
    let mut tag = false;
    while let Some(p) = byte_find(b'<', &h[from..]) {
        let at = from + p;
        if continues(h, at + 1, b"think>") || continues(h, at + 1, b"/think>") {
            tag = true;
            break;
        }
        from = at + 1;
    }
    if !tag {
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
    Some(&rest[..first_of(rest, closes).unwrap_or(rest.len())])
}

/// The first offset in `hay` where any of `needles` starts (the least of their `find`s), in
/// one scan when they share a first byte (the closing tags all start with `<`).
fn first_of(hay: &str, needles: &[&str]) -> Option<usize> {
    let first = needles.first()?.as_bytes().first().copied();
    if needles
        .iter()
        .any(|n| n.as_bytes().first().copied() != first)
    {
        return needles.iter().filter_map(|c| find(hay, c)).min();
    }
    let (h, first) = (hay.as_bytes(), first?);
    let mut from = 0;
    while let Some(p) = byte_find(first, h.get(from..)?) {
        let at = from + p;
        if needles
            .iter()
            .any(|n| continues(h, at + 1, &n.as_bytes()[1..]))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The tags that close an answer (what [`tag_content`] looks for; tests compare the two).
#[cfg(test)]
const ANS_CLOSES: &[&str] = &["<eoa>", "</ans>", "<EOA>", "<ans>"];

/// The content of the last `<ans>` tag (closing `<eoa>` or `</ans>`, or none).
pub fn answer_tag(text: &str) -> Option<&str> {
    // One backward scan over the `<` bytes: the first `<ans>` from the end wins; the last
    // `<ANS>` only counts when there is no `<ans>` at all.
    let h = text.as_bytes();
    let mut upper = None;
    let mut end = h.len();
    while let Some(at) = byte_rfind(b'<', &h[..end]) {
        if continues(h, at + 1, b"ans>") {
            return Some(tag_content(text, at + "<ans>".len()));
        }
        if upper.is_none() && continues(h, at + 1, b"ANS>") {
            upper = Some(at + "<ANS>".len());
        }
        end = at;
    }
    upper.map(|start| tag_content(text, start))
}

/// The text from `start` up to the first answer-closing tag (or the end): `first_of(rest,
/// ANS_CLOSES)` with the four tags compared inline (they all open with `<`).
fn tag_content(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let h = rest.as_bytes();
    let mut from = 0;
    while let Some(p) = byte_find(b'<', &h[from..]) {
        let at = from + p;
        let r = &h[at + 1..];
        if r.starts_with(b"eoa>")
            || r.starts_with(b"/ans>")
            || r.starts_with(b"EOA>")
            || r.starts_with(b"ans>")
        {
            return &rest[..at];
        }
        from = at + 1;
    }
    rest
}

/// First bytes of every wrapper [`unwrap_answer`] peels.
const WRAPPER_OPENERS: &[u8] = b"\\*_`$([{\"'\xE2";

/// The paired wrappers [`unwrap_answer`] peels, in the order it tries them.
const WRAPPER_PAIRS: [(&str, &str); 12] = [
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
];

/// For each byte, the set of [`WRAPPER_PAIRS`] (bit `i` = pair `i`) whose opener starts with it.
const PAIRS_BY_FIRST: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < WRAPPER_PAIRS.len() {
        t[WRAPPER_PAIRS[i].0.as_bytes()[0] as usize] |= 1 << i;
        i += 1;
    }
    t
};

/// Peel markdown and LaTeX wrappers and surrounding punctuation: `**B**`, `\boxed{B}`,
/// `\text{B}`, `$B$`, `(B)`, `[B]`, `"B"`, `B.`.
pub fn unwrap_answer(s: &str) -> &str {
    // Every step only shrinks `s` (a subslice of the input), so "unchanged" is "same length".
    let mut s = trim(s);
    loop {
        // No wrapper can open unless the text starts with one of the openers below (`\\`,
        // `*`, `_`, `` ` ``, `$`, `(`, `[`, `{`, quotes, `“` = 0xE2…); trimming the end never
        // changes the first byte, so without one (at the start or after a peel) only the
        // trailing-punctuation trim can apply.
        if !s
            .as_bytes()
            .first()
            .is_some_and(|b| WRAPPER_OPENERS.contains(b))
        {
            loop {
                let t = trim_end_punct(s);
                if t.len() == s.len() {
                    return s;
                }
                s = t;
            }
        }
        let before = s.len();
        // The LaTeX wrappers all open with `\\`.
        if s.starts_with('\\') {
            for prefix in ["\\boxed{", "\\text{", "\\mathrm{", "\\textbf{", "\\mathbf{"] {
                if let Some(inner) = peel(s, prefix, "}") {
                    s = trim(inner);
                }
            }
        }
        // The pairs in table order, visiting only those whose opener starts `s` now (a peel
        // changes `s` for the pairs after it, as in a plain walk over the table).
        let mut next = 0;
        while let Some(&f) = s.as_bytes().first() {
            let left = PAIRS_BY_FIRST[usize::from(f)] >> next;
            if left == 0 {
                break;
            }
            let i = next + left.trailing_zeros() as usize;
            let (l, r) = WRAPPER_PAIRS[i];
            if let Some(inner) = peel(s, l, r) {
                s = trim(inner);
            }
            next = i + 1;
        }
        s = trim_end_punct(s);
        if s.len() == before {
            return s;
        }
    }
}

/// An ASCII byte that `str::trim` keeps at an edge (Unicode `White_Space` in ASCII is
/// U+0009–U+000D and the space).
fn keeps_edge(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ')
}

/// `s.trim()`, returning at once when both edges are ASCII non-space (most snippets).
#[inline]
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if keeps_edge(f) && keeps_edge(l) => s,
        _ => s.trim(),
    }
}

/// `s.trim_end_matches(['.', ':', ';', '!', ',']).trim()`, returning at once when neither
/// applies.
#[inline]
fn trim_end_punct(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l))
            if keeps_edge(f) && keeps_edge(l) && !matches!(l, b'.' | b':' | b';' | b'!' | b',') =>
        {
            s
        }
        _ => s.trim_end_matches(['.', ':', ';', '!', ',']).trim(),
    }
}

/// `s` without the wrapper `l`…`r` when it starts with `l` and ends with `r` (not
/// overlapping): `s.strip_prefix(l)` then `strip_suffix(r)`, as inlined byte compares that
/// give up on the first byte (a `memcmp` call per wrapper cost more than the compares).
#[inline]
fn peel<'a>(s: &'a str, l: &str, r: &str) -> Option<&'a str> {
    let (b, lb, rb) = (s.as_bytes(), l.as_bytes(), r.as_bytes());
    if b.first() != lb.first() || b.len() < lb.len() + rb.len() {
        return None;
    }
    let same = |x: &[u8], y: &[u8]| x.iter().zip(y).all(|(a, b)| a == b);
    (same(b, lb) && same(&b[b.len() - rb.len()..], rb)).then(|| &s[lb.len()..s.len() - rb.len()])
}

/// The item's one-byte labels as a byte set (bit `b` = some label is exactly the byte `b`),
/// built once per response so that testing a letter is one bit test, not a walk over labels.
/// A one-byte string is ASCII, so 128 bits hold them all.
#[derive(Debug, Clone, Copy)]
struct LabelBytes(u128);

impl LabelBytes {
    fn new<L: AsRef<str>>(labels: &[L]) -> LabelBytes {
        let mut set = 0u128;
        for l in labels {
            if let [b] = l.as_ref().as_bytes()
                && b.is_ascii()
            {
                set |= 1 << b;
            }
        }
        LabelBytes(set)
    }

    /// Is `c`, uppercased, one of the labels? (A label is one byte, so a non-ASCII `c` never is.)
    fn has(self, c: char) -> bool {
        let up = c.to_ascii_uppercase();
        up.is_ascii() && self.0 & (1 << up as u32) != 0
    }
}

/// What a snippet picked, before it becomes label strings: a set of uppercase ASCII letters
/// (bit `b` = the label `b`; every letter rule yields one-byte labels), or the option whose
/// text the snippet is (its index in the label list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Bytes(u128),
    Label(usize),
}

impl Pick {
    /// The picked label strings, as the letter rules name them.
    fn to_set<L: AsRef<str>>(self, labels: &[L]) -> BTreeSet<String> {
        match self {
            Pick::Bytes(bytes) => byte_iter(bytes)
                .map(|b| char::from(b).to_string())
                .collect(),
            Pick::Label(i) => labels
                .get(i)
                .map(|l| l.as_ref().to_string())
                .into_iter()
                .collect(),
        }
    }

    /// The pick as positions in `labels` (the first of equal labels), or as label strings when
    /// they cannot be indexed that way.
    fn to_chosen<L: AsRef<str>>(self, labels: &[L]) -> Chosen {
        if labels.len() > 64 {
            return Chosen::Other(self.to_set(labels));
        }
        let mut mask = 0u64;
        match self {
            Pick::Bytes(bytes) => {
                for b in byte_iter(bytes) {
                    match labels.iter().position(|l| l.as_ref().as_bytes() == [b]) {
                        Some(i) => mask |= 1 << i,
                        None => return Chosen::Other(self.to_set(labels)),
                    }
                }
            }
            Pick::Label(i) => {
                let Some(label) = labels.get(i).map(AsRef::as_ref) else {
                    return Chosen::Other(BTreeSet::new());
                };
                match labels.iter().position(|l| l.as_ref() == label) {
                    Some(first) => mask |= 1 << first,
                    None => return Chosen::Other(self.to_set(labels)),
                }
            }
        }
        Chosen::Labels(mask)
    }
}

/// The bytes of a byte set, ascending.
fn byte_iter(mut bytes: u128) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        (bytes != 0).then(|| {
            let b = bytes.trailing_zeros() as u8;
            bytes &= bytes - 1;
            b
        })
    })
}

/// Parse a whole snippet as a set of option letters: `B`, `b`, `A, C`, `A and C`, `AC`,
/// `A. Wear gloves`, `B) Gray`, or the exact text of an option. `None` when it is not one.
pub fn parse_letters<L: AsRef<str>>(
    snippet: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    parse_pick(snippet, LabelBytes::new(labels), labels, option_texts).map(|p| p.to_set(labels))
}

/// [`parse_letters`] without building strings.
fn parse_pick<L: AsRef<str>>(
    snippet: &str,
    lb: LabelBytes,
    labels: &[L],
    option_texts: &[&str],
) -> Option<Pick> {
    parse_unwrapped(unwrap_answer(snippet), lb, labels, option_texts)
}

/// [`parse_pick`] on a snippet already through [`unwrap_answer`].
fn parse_unwrapped<L: AsRef<str>>(
    s: &str,
    lb: LabelBytes,
    labels: &[L],
    option_texts: &[&str],
) -> Option<Pick> {
    if s.is_empty() {
        return None;
    }
    // A list of single letters with separators.
    if let Some(set) = letter_list(s, lb, true) {
        return Some(Pick::Bytes(set));
    }
    // Contiguous capitals (`AC`), no repeats.
    if s.len() <= labels.len()
        && s.bytes()
            .all(|c| c.is_ascii_uppercase() && lb.has(c.into()))
    {
        let set = s.bytes().fold(0u128, |m, c| m | 1 << c);
        if set.count_ones() as usize == s.len() {
            return Some(Pick::Bytes(set));
        }
    }
    // `A. text`, `B) text`, `C - text`, `(B) text`, `C: text`.
    let t = s.strip_prefix('(').unwrap_or(s);
    let mut chars = t.char_indices();
    if let (Some((_, c)), Some((i, sep))) = (chars.next(), chars.next())
        && lb.has(c)
        && (c.is_ascii_uppercase() || matches!(sep, '.' | ')'))
        && matches!(sep, '.' | ')' | ':' | ' ' | '-')
    {
        let tail = t[i..].trim_start_matches(['.', ')', ':', ' ', '-']);
        // `A and C` is handled above; a text tail must not itself start a letter list.
        if letter_list(tail, lb, false).is_none() || tail.is_empty() {
            return Some(Pick::Bytes(1 << c.to_ascii_uppercase() as u32));
        }
    }
    // The text of an option.
    if option_texts.iter().all(|t| t.is_empty()) {
        return None;
    }
    let s_ascii = s.is_ascii();
    for (i, text) in option_texts.iter().enumerate().take(labels.len()) {
        if !text.is_empty() && same_lowercase(text.trim(), s, s_ascii) {
            return Some(Pick::Label(i));
        }
    }
    None
}

/// `a.to_lowercase() == b.to_lowercase()` (`b_ascii` = `b.is_ascii()`), without allocating
/// when both are ASCII (where lowercasing is byte-wise and keeps the length; Unicode text keeps
/// the exact comparison, final sigma included).
fn same_lowercase(a: &str, b: &str, b_ascii: bool) -> bool {
    if b_ascii && a.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// A separator-joined list of single letters making up the whole of `s` (when `whole`) or its
/// start, as a byte set of the uppercased letters. Lowercase letters only count when they stand
/// alone (not the article `a`).
fn letter_list(s: &str, lb: LabelBytes, whole: bool) -> Option<u128> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut set = 0u128;
    loop {
        // Skip wrappers around one letter: `(A)`, `**A**`.
        while i < b.len() && matches!(b[i], b'(' | b'*' | b'[' | b'`') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let c = b[i] as char;
        if !c.is_ascii_alphabetic() || !lb.has(c) {
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
        set |= 1 << c.to_ascii_uppercase() as u32;
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
    if set == 0 {
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

/// Words one of which every match of [`ANSWER_PHRASE`] contains (each alternative does), matched
/// ASCII-case-insensitively: on ASCII text their absence proves the phrase cannot match. (Only
/// on ASCII text: Unicode case folding also maps `ſ` to `s`.)
static ANSWER_WORDS: LazyLock<Option<aho_corasick::AhoCorasick>> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["answer", "option", "choice"])
        .ok()
});

/// Can [`ANSWER_PHRASE`] match `text`? `false` only when it provably cannot.
#[cfg(test)]
fn may_have_answer_phrase(text: &str) -> bool {
    may_have_answer_phrase_ascii(text, text.is_ascii())
}

/// [`may_have_answer_phrase`] with `text.is_ascii()` already known.
fn may_have_answer_phrase_ascii(text: &str, ascii: bool) -> bool {
    match ANSWER_WORDS.as_ref() {
        Some(ac) if ascii => ac.is_match(text),
        _ => true,
    }
}

/// Texts shorter than this skip [`may_have_answer_phrase`] and go straight to the phrase
/// matcher: on a short text the automaton's set-up costs more than the byte scan it saves.
const PREFILTER_FROM: usize = 256;

/// The `(start, end)` of every match of [`ANSWER_PHRASE`] in `text`, as `find_iter` gives
/// them.
#[cfg(test)]
fn answer_phrases(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for_each_answer_phrase(text, text.is_ascii(), |s, e| out.push((s, e)));
    out
}

/// Call `f(start, end)` on every match of [`ANSWER_PHRASE`] in `text` (`ascii` =
/// `text.is_ascii()`), in order, as `find_iter` finds them: on ASCII text by a hand-written
/// matcher (a proptest checks it against the pattern; it mirrors the pattern's leftmost-first
/// choices, see the comments), otherwise by the pattern.
fn for_each_answer_phrase(text: &str, ascii: bool, mut f: impl FnMut(usize, usize)) {
    if !ascii {
        if let Some(re) = ANSWER_PHRASE.as_ref() {
            for m in re.find_iter(text) {
                f(m.start(), m.end());
            }
        }
        return;
    }
    let t = text.as_bytes();
    let mut p = 0;
    while p < t.len() {
        // Every alternative starts with `a`, `c`, `f` or `o` (either case): skip other bytes
        // without a call.
        if !matches!(t[p] | 0x20, b'a' | b'c' | b'f' | b'o') {
            p += 1;
            continue;
        }
        match answer_phrase_at(t, p) {
            Some(end) => {
                f(p, end);
                p = end; // matches are never empty
            }
            None => p += 1,
        }
    }
}

/// ASCII `\w` and `\s` (the Unicode classes restricted to ASCII).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}
/// `\b` at `i`: a word byte on exactly one side.
fn boundary(t: &[u8], i: usize) -> bool {
    let before = i > 0 && is_word(t[i - 1]);
    let after = t.get(i).is_some_and(|&b| is_word(b));
    before != after
}
fn word_at(t: &[u8], i: usize, w: &str) -> bool {
    t.get(i..i + w.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()))
}
fn spaces_from(t: &[u8], mut i: usize) -> usize {
    while t.get(i).is_some_and(|&b| is_space(b)) {
        i += 1;
    }
    i
}

/// The end of the [`ANSWER_PHRASE`] match starting at `p` of ASCII text `t`, if one starts
/// there. Every part after the leading alternation is optional, so once an alternative matches
/// the match cannot fail, and leftmost-first semantics take each optional part greedily, in the
/// pattern's order.
fn answer_phrase_at(t: &[u8], p: usize) -> Option<usize> {
    if !matches!(t[p] | 0x20, b'a' | b'c' | b'f' | b'o') || !boundary(t, p) {
        return None;
    }
    let plural = |e: usize| e + usize::from(t.get(e).is_some_and(|&b| b | 0x20 == b's'));
    // The alternation, first alternative that matches wins.
    let after_spaces_word = |i: usize, words: &[&str]| {
        let r = spaces_from(t, i);
        (r > i)
            .then(|| words.iter().find(|w| word_at(t, r, w)).map(|w| r + w.len()))
            .flatten()
    };
    let mut e = if word_at(t, p, "final")
        && let Some(e) = after_spaces_word(p + 5, &["answer"])
    {
        e
    } else if word_at(t, p, "correct")
        && let Some(e) = after_spaces_word(p + 7, &["answer", "option", "choice"])
    {
        plural(e)
    } else if let Some(w) = ["answer", "option", "choice"]
        .iter()
        .find(|w| word_at(t, p, w))
    {
        plural(p + w.len())
    } else {
        return None;
    };
    // `(?:\s+(?:is|are|would\s+be|will\s+be|should\s+be))?`
    let r = spaces_from(t, e);
    if r > e {
        if word_at(t, r, "is") {
            e = r + 2;
        } else if word_at(t, r, "are") {
            e = r + 3;
        } else if let Some(x) = ["would", "will", "should"]
            .iter()
            .find(|w| word_at(t, r, w))
            .and_then(|w| after_spaces_word(r + w.len(), &["be"]))
        {
            e = x;
        }
    }
    // `\s*(?:[:=\-]|\bis\b)?\s*`
    e = spaces_from(t, e);
    if t.get(e).is_some_and(|b| matches!(b, b':' | b'=' | b'-')) {
        e += 1;
    } else if boundary(t, e) && word_at(t, e, "is") && boundary(t, e + 2) {
        e += 2;
    }
    Some(spaces_from(t, e))
}

/// An untagged answer candidate: the position it sorts by (where its match starts), and the
/// snippet's byte range.
type Cand = (usize, usize, usize);

thread_local! {
    /// Reused candidate buffer: a response's candidates cost no allocation.
    static CANDS: std::cell::RefCell<Vec<Cand>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Candidate answer snippets outside tags, each with its position, so the last one can win.
#[cfg(test)]
fn untagged_candidates(text: &str) -> Vec<(usize, &str)> {
    with_untagged_candidates(text, |c| {
        c.iter().map(|&(p, s, e)| (p, &text[s..e])).collect()
    })
}

/// Run `f` on the untagged candidates of `text`, in position order (ties in the order answer
/// phrase, `\boxed{}`, bold), held in a reused per-thread buffer.
fn with_untagged_candidates<R>(text: &str, f: impl FnOnce(&[Cand]) -> R) -> R {
    CANDS.with(|b| match b.try_borrow_mut() {
        Ok(mut v) => {
            collect_candidates(text, &mut v);
            f(&v)
        }
        Err(_) => {
            let mut v = Vec::new();
            collect_candidates(text, &mut v);
            f(&v)
        }
    })
}

/// Fill `out` with the candidates of [`with_untagged_candidates`]. Each pattern runs only when
/// its required literal is present (`\boxed{`, `**`, an answer word): the same candidates as
/// running all three, checked by a test.
fn collect_candidates(text: &str, out: &mut Vec<Cand>) {
    out.clear();
    let ascii = text.is_ascii();
    if text.len() < PREFILTER_FROM || may_have_answer_phrase_ascii(text, ascii) {
        for_each_answer_phrase(text, ascii, |start, end| {
            let line_end =
                memchr::memchr(b'\n', &text.as_bytes()[end..]).map_or(text.len(), |p| end + p);
            out.push((start, end, line_end));
        });
    }
    let phrases = out.len();
    // Both other patterns need a `\\` or a `*`: one scan rules both out.
    if memchr::memchr2(b'\\', b'*', text.as_bytes()).is_none() {
        return;
    }
    if find(text, "\\boxed{").is_some()
        && let Some(re) = BOXED.as_ref()
    {
        for c in re.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push((g.start(), g.start(), g.end()));
            }
        }
    }
    if find(text, "**").is_some()
        && let Some(re) = BOLD.as_ref()
    {
        for c in re.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push((g.start(), g.start(), g.end()));
            }
        }
    }
    // Phrase matches come in order; only a mix of sources needs sorting (stable: ties keep
    // the source order).
    if out.len() > phrases {
        out.sort_by_key(|c| c.0);
    }
}

/// Extract the chosen option letters of a choice response. `labels` are the item's option
/// labels, `option_texts` their texts (same order).
pub fn choice<L: AsRef<str>>(
    text: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<BTreeSet<String>> {
    choice_pick(text, labels, option_texts).map(|p| p.to_set(labels))
}

/// [`choice`] up to the pick (no strings built).
fn choice_pick<L: AsRef<str>>(text: &str, labels: &[L], option_texts: &[&str]) -> Option<Pick> {
    let lb = LabelBytes::new(labels);
    let text = strip_thinking(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag(text) {
        return parse_pick(tag, lb, labels, option_texts);
    }
    choice_untagged(text, lb, labels, option_texts)
}

/// [`choice`] on a response without an answer tag (thinking already stripped).
fn choice_untagged<L: AsRef<str>>(
    text: &str,
    lb: LabelBytes,
    labels: &[L],
    option_texts: &[&str],
) -> Option<Pick> {
    // Last answer wins: scan candidates from the end.
    let found = with_untagged_candidates(text, |cands| {
        cands.iter().rev().find_map(|&(_, start, end)| {
            let s = unwrap_answer(&text[start..end]);
            parse_unwrapped(s, lb, labels, option_texts).or_else(|| {
                // A leading uppercase letter list ("B because…"); lowercase needs to stand
                // alone.
                letter_list(s.trim_start_matches(['*', '(']), lb, false).map(Pick::Bytes)
            })
        })
    });
    if found.is_some() {
        return found;
    }
    let trimmed = text.trim();
    // A short bare answer: `B`, `(B)`, `b.`, `A, C`.
    if trimmed.len() <= 64
        && let Some(set) = parse_pick(trimmed, lb, labels, option_texts)
    {
        return Some(set);
    }
    // First line as a bare answer ("B\n\nExplanation: …").
    let first = trimmed.lines().next().unwrap_or("");
    if first.len() < trimmed.len()
        && first.len() <= 64
        && let Some(set) = parse_pick(first, lb, labels, option_texts)
    {
        return Some(set);
    }
    None
}

/// The options a choice response picked, as [`choice_labels`] returns them: a set of positions
/// in the item's label list (what scoring needs, without allocating), or — only when the labels
/// cannot be indexed that way (more than 64, or a picked string that is not a label) — the set
/// [`choice`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// Bit `i` set = `labels[i]` picked (always the first of equal labels).
    Labels(u64),
    Other(BTreeSet<String>),
}

impl Chosen {
    /// The picked label strings (sorted, distinct), as [`choice`] returns them.
    pub fn to_set<L: AsRef<str>>(&self, labels: &[L]) -> BTreeSet<String> {
        match self {
            Chosen::Other(set) => set.clone(),
            Chosen::Labels(mask) => picked(*mask, labels)
                .map(|l| l.as_ref().to_string())
                .collect(),
        }
    }

    /// Does the pick equal `key` (a set of labels)?
    pub fn equals<L: AsRef<str>>(&self, key: &BTreeSet<String>, labels: &[L]) -> bool {
        match self {
            Chosen::Other(set) => set == key,
            // Picked labels are distinct strings (first of equal labels), so equal sizes plus
            // inclusion is set equality.
            // One pick (the usual case): compare with the key's only label, no tree search.
            Chosen::Labels(mask) if mask.count_ones() == 1 => {
                key.len() == 1
                    && labels
                        .get(mask.trailing_zeros() as usize)
                        .is_some_and(|l| key.first().is_some_and(|k| k == l.as_ref()))
            }
            Chosen::Labels(mask) => {
                mask.count_ones() as usize == key.len()
                    && picked(*mask, labels).all(|l| key.contains(l.as_ref()))
            }
        }
    }

    /// The picked labels in sorted order, concatenated (`"AC"`), as scoring records them.
    pub fn joined<L: AsRef<str>>(&self, labels: &[L]) -> String {
        match self {
            Chosen::Other(set) => set.iter().map(String::as_str).collect(),
            Chosen::Labels(mask) if mask.count_ones() == 1 => labels
                .get(mask.trailing_zeros() as usize)
                .map_or_else(String::new, |l| l.as_ref().to_string()),
            Chosen::Labels(mask) => {
                let mut v: Vec<&str> = picked(*mask, labels).map(|l| l.as_ref()).collect();
                v.sort_unstable();
                v.concat()
            }
        }
    }
}

fn picked<L: AsRef<str>>(mask: u64, labels: &[L]) -> impl Iterator<Item = &L> {
    labels
        .iter()
        .enumerate()
        .filter(move |(i, _)| *i < 64 && mask & (1 << i) != 0)
        .map(|(_, l)| l)
}

/// [`choice`] without allocating: the same answer (a test checks it against the rules as
/// first written, on generated responses), as positions in `labels`. Fast path: a tagged
/// answer that is one letter (`<ans>B<eoa>`, `<ans> b </ans>`).
pub fn choice_labels<L: AsRef<str>>(
    text: &str,
    labels: &[L],
    option_texts: &[&str],
) -> Option<Chosen> {
    // Without a `<` there is neither a thinking block nor an answer tag: one scan instead of
    // the two that would find so.
    let tagged = memchr::memchr(b'<', text.as_bytes()).is_some();
    let text = if tagged {
        strip_thinking(text)
    } else {
        Cow::Borrowed(text)
    };
    let text = text.as_ref();
    let lb = LabelBytes::new(labels);
    let tag = if tagged { answer_tag(text) } else { None };
    let pick = if let Some(tag) = tag {
        // `parse_letters` on one trimmed byte that is a label letter: `unwrap_answer` leaves it
        // as is and `letter_list` returns exactly that label (uppercased).
        let t = tag.trim().as_bytes();
        if let [c] = t
            && c.is_ascii_alphabetic()
            && labels.len() <= 64
        {
            let up = c.to_ascii_uppercase();
            if let Some(i) = labels.iter().position(|l| l.as_ref().as_bytes() == [up]) {
                return Some(Chosen::Labels(1 << i));
            }
        }
        parse_pick(tag, lb, labels, option_texts)
    } else {
        choice_untagged(text, lb, labels, option_texts)
    }?;
    Some(pick.to_chosen(labels))
}

/// A true/false word: True/False, T/F, yes/no, correct/incorrect, right/wrong.
pub fn parse_bool(snippet: &str) -> Option<bool> {
    let s = unwrap_answer(snippet);
    let word = s
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())?;
    let whole_is_word = s.trim_end_matches(|c: char| !c.is_alphanumeric()).len() == word.len();
    let mut buf = [0u8; 9];
    let lower: Cow<'_, str> = if word.is_ascii() {
        // Every word below is ASCII and at most 9 bytes: lowercase into a stack buffer.
        let b = buf.get_mut(..word.len())?;
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        Cow::Borrowed(std::str::from_utf8(b).ok()?)
    } else {
        Cow::Owned(word.to_lowercase())
    };
    let v = match lower.as_ref() {
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

/// Does `text` contain one of `words` (lowercase ASCII), ignoring ASCII case?
fn contains_ascii_ci(text: &str, words: &[&str]) -> bool {
    let t = text.as_bytes();
    (0..t.len()).any(|p| {
        let lower = t[p] | 0x20;
        words.iter().any(|w| {
            w.as_bytes().first() == Some(&lower)
                && t.get(p..p + w.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()))
        })
    })
}

/// Extract a true/false answer.
pub fn true_false(text: &str) -> Option<bool> {
    let text = strip_thinking(text);
    let text = text.as_ref();
    if let Some(tag) = answer_tag(text) {
        return parse_bool(tag);
    }
    let ascii = text.is_ascii();
    // Every alternative of the phrase holds one of these words; on ASCII text (where no
    // Unicode case folding applies) their absence rules it out.
    if (!ascii || contains_ascii_ci(text, &["answer", "statement", "claim", "this"]))
        && let Some(re) = TF_PHRASE.as_ref()
        && let Some(c) = re.captures_iter(text).last()
    {
        return c.get(1).and_then(|g| parse_bool(g.as_str()));
    }
    if find(text, "\\boxed{").is_some()
        && let Some(re) = BOXED.as_ref()
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
    let verdict = |w: &str| ["true", "false", "correct", "incorrect"].contains(&w);
    let is_verdict = if w.is_ascii() {
        ["true", "false", "correct", "incorrect"]
            .iter()
            .any(|v| w.eq_ignore_ascii_case(v))
    } else {
        verdict(&w.to_lowercase())
    };
    if is_verdict || (w.len() == 1 && first.trim().len() == 1) {
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
    if s.is_ascii() {
        // ASCII: no character is remapped, Unicode whitespace is U+0009–U+000D and the space,
        // and lowercasing is byte-wise.
        for b in s.bytes() {
            if matches!(b, b'\t'..=b'\r' | b' ') {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
                continue;
            }
            last_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        }
    } else {
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
    // Cut `out` down to `t` in place (no second string).
    let start = t.as_ptr() as usize - out.as_ptr() as usize;
    let end = start + t.len();
    out.truncate(end);
    out.drain(..start);
    out
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
    if find(text, "\\boxed{").is_some()
        && let Some(re) = BOXED.as_ref()
        && let Some(c) = re.captures_iter(text).last()
        && let Some(g) = c.get(1)
    {
        return Some(unwrap_answer(g.as_str()).to_string());
    }
    // The phrase needs the word `answer` (on ASCII text, ASCII letters).
    if (!text.is_ascii() || contains_ascii_ci(text, &["answer"]))
        && let Some(re) = FILL_PHRASE.as_ref()
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
