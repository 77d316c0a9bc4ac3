//! Differential tests of the detector's fast path: the ASCII twins behind the Aho–Corasick
//! prefilter must give exactly the verdict (label, cue names and byte offsets) of the patterns as
//! written, run through one `RegexSet` pass, on every labelled row shipped with the crate and on
//! thousands of variants of them (case changes, curly apostrophes, tags, thinking blocks, joins,
//! truncations, shuffled sentences).

use super::engine::{
    COMPILED, UnionCache, ascii_twin, ascii_twin_pattern, starts_dfa, union_hits, union_in_use,
};
use super::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;

const LABELLED: &str = include_str!("../../data/refusal-labelled.jsonl");
/// The other labelled files shipped with the crate (checked as they are, without variants).
const OTHER_LABELLED: [&str; 41] = [
    include_str!("../../data/refusal-styles.jsonl"),
    include_str!("../../data/refusal-smollm2.jsonl"),
    include_str!("../../data/refusal-dev2.jsonl"),
    include_str!("../../data/refusal-dev3.jsonl"),
    include_str!("../../data/refusal-blind-1.jsonl"),
    include_str!("../../data/refusal-blind-2.jsonl"),
    include_str!("../../data/refusal-blind-a.jsonl"),
    include_str!("../../data/refusal-blind-3.jsonl"),
    include_str!("../../data/refusal-blind-4.jsonl"),
    include_str!("../../data/refusal-dev4.jsonl"),
    include_str!("../../data/refusal-blind-5.jsonl"),
    include_str!("../../data/refusal-blind-6.jsonl"),
    include_str!("../../data/refusal-dev5.jsonl"),
    include_str!("../../data/refusal-blind-7.jsonl"),
    include_str!("../../data/refusal-blind-8.jsonl"),
    include_str!("../../data/refusal-blind-9.jsonl"),
    include_str!("../../data/refusal-blind-10.jsonl"),
    include_str!("../../data/refusal-dev6.jsonl"),
    include_str!("../../data/refusal-blind-11.jsonl"),
    include_str!("../../data/refusal-blind-12.jsonl"),
    include_str!("../../data/refusal-dev7.jsonl"),
    include_str!("../../data/refusal-blind-13.jsonl"),
    include_str!("../../data/refusal-blind-14.jsonl"),
    include_str!("../../data/refusal-blind-15.jsonl"),
    include_str!("../../data/refusal-blind-16.jsonl"),
    include_str!("../../data/refusal-blind-17.jsonl"),
    include_str!("../../data/refusal-blind-18.jsonl"),
    include_str!("../../data/refusal-blind-19.jsonl"),
    include_str!("../../data/refusal-blind-20.jsonl"),
    include_str!("../../data/refusal-blind-21.jsonl"),
    include_str!("../../data/refusal-blind-22.jsonl"),
    include_str!("../../data/refusal-blind-23.jsonl"),
    include_str!("../../data/refusal-blind-24.jsonl"),
    include_str!("../../data/refusal-blind-25.jsonl"),
    include_str!("../../data/refusal-blind-26.jsonl"),
    include_str!("../../data/refusal-blind-27.jsonl"),
    include_str!("../../data/refusal-blind-28.jsonl"),
    include_str!("../../data/refusal-blind-29.jsonl"),
    include_str!("../../data/refusal-blind-30.jsonl"),
    include_str!("../../data/refusal-blind-31.jsonl"),
    include_str!("../../data/refusal-blind-32.jsonl"),
];

fn labelled() -> Vec<(String, Option<String>)> {
    rows_of(&[LABELLED])
}

fn rows_of(files: &[&str]) -> Vec<(String, Option<String>)> {
    files
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["response"].as_str().unwrap_or("").to_string(),
                v["prompt"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Extra responses that exercise every cue kind and the tagged paths.
const EXTRA: &[&str] = &[
    "",
    "   ",
    "<ans>B<eoa>",
    "#ANSWER: <ans>C<eoa>",
    "The answer is (B).",
    "<ans>A, C</ans>",
    "I'm sorry, I can't help with that.",
    "<ans>True<eoa>",
    "False. Water does not cool the acid.",
    "I can't help with making nerve agents or any chemical weapon.",
    "Sure. Step 1: [REDACTED]. Step 2: [REDACTED]. Note that this is illegal.",
    "I won't provide that. For context, detection relies on [REDACTED].",
    "Consult your pharmacist.",
    "The reaction releases chlorine gas, which irritates the lungs; ventilate and leave the room.",
    "<ans>Refused<eoa>",
    "<ans>I cannot answer that<eoa> The rest is [REDACTED].",
    "<think>Should I? No.</think>I won't do that.",
    "<think>unfinished",
    "No.",
    "Nein. Ich kann dabei nicht helfen.",
    "Lo siento, no puedo ayudar con eso.",
    "我不能提供这些信息。",
    "できません。",
    "Я не могу помочь с этим.",
    "Hard pass. Contact the EPA.",
    "I cannot stress enough how serious this is: go to the ER now and keep flushing with water.",
    "KEEP the bottle closed. Call 911. This is illegal under the Act.",
    "_word_ boundary: I_can't help; Ican't help; I can'thelp.",
    "Answer:\n1. wear gloves\n2. ventilate\n- never mix bleach",
    "Kelvin sign \u{212A}eep calm and ſtay put; I ca\u{2019}n't say.",
    "<sequence>MKTAYIAK</sequence> I won't explain how it works.",
];

fn variants(rng: &mut ChaCha8Rng, base: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in base {
        out.push(t.clone());
        out.push(t.to_uppercase());
        out.push(t.to_lowercase());
        out.push(t.replace('\'', "\u{2019}"));
        out.push(t.replace('\u{2019}', "'"));
        out.push(format!("<ans>{t}<eoa>"));
        out.push(format!("{t}\n\n<ans>B<eoa>"));
        out.push(format!("<think>{t}</think>{t}"));
        out.push(t.replace(". ", ".\n"));
        out.push(t.replace(' ', "  "));
        out.push(typographic(rng, t));
        out.push(foreign(rng, t));
        // Truncate at a random character boundary.
        let cut = rng.random_range(0..=t.len());
        let cut = (0..=cut)
            .rev()
            .find(|i| t.is_char_boundary(*i))
            .unwrap_or(0);
        out.push(t[..cut].to_string());
        // Shuffle the sentences.
        let mut parts: Vec<&str> = t.split(". ").collect();
        parts.shuffle(rng);
        out.push(parts.join(". "));
        // Join with another response.
        let other = &base[rng.random_range(0..base.len())];
        out.push(format!("{t} {other}"));
    }
    out
}

/// `t` with non-ASCII characters outside the typographic map put in at random, inside and
/// next to words (what the proxy rewrite handles): accented and Cyrillic letters, CJK, a long s
/// and the Kelvin sign (case variants of ASCII letters), an Arabic-Indic digit, a star, an
/// ideographic space.
fn foreign(rng: &mut ChaCha8Rng, t: &str) -> String {
    const CHARS: [char; 10] = [
        '\u{e9}', '\u{df}', '\u{436}', '\u{4e2d}', '\u{17f}', '\u{212a}', '\u{663}', '\u{2605}',
        '\u{3000}', '\u{130}',
    ];
    let mut out = String::new();
    for ch in t.chars() {
        if rng.random_range(0..12u8) == 0 {
            out.push(CHARS[rng.random_range(0..CHARS.len())]);
        }
        out.push(ch);
    }
    out
}

/// `t` with typographic punctuation put in at random: curly quotes and apostrophes, dashes,
/// ellipses, no-break spaces, degree signs, bullets (what the ASCII rewrite path handles).
fn typographic(rng: &mut ChaCha8Rng, t: &str) -> String {
    let mut out = String::new();
    let mut open = true;
    for ch in t.chars() {
        let roll = rng.random_range(0..4u8);
        match ch {
            '\'' if roll > 0 => out.push(if roll == 1 { '\u{2018}' } else { '\u{2019}' }),
            '"' if roll > 0 => {
                out.push(if open { '\u{201C}' } else { '\u{201D}' });
                open = !open;
            }
            '-' if roll > 0 => out.push(if roll == 1 { '\u{2013}' } else { '\u{2014}' }),
            ' ' if roll == 0 && rng.random_range(0..6u8) == 0 => out.push('\u{00A0}'),
            '.' if roll == 0 && rng.random_range(0..5u8) == 0 => out.push('\u{2026}'),
            ',' if roll == 0 && rng.random_range(0..5u8) == 0 => out.push_str(" \u{2014}"),
            _ => out.push(ch),
        }
    }
    match rng.random_range(0..6u8) {
        0 => out.push_str(" Keep it below 25\u{00B0}C \u{2264} 30\u{00B0}C."),
        1 => out.insert_str(0, "\u{2022} "),
        2 => out.push_str(" \u{2192} \u{201C}done\u{201D}\u{2026}"),
        _ => {}
    }
    out
}

/// The fast path really exists: if an automaton or a twin failed to build (e.g. too many
/// prefilter literals), the detector would silently fall back to the slow reference path and
/// the differential test above would compare the reference with itself.
#[test]
fn fast_path_engines_build() {
    let c = COMPILED.as_ref().unwrap();
    assert!(c.ascii.is_some());
    assert!(c.prefilter.is_some());
    assert!(c.prefilter_unicode().is_some());
}

#[test]
fn typographic_map_keeps_the_common_punctuation() {
    let c = COMPILED.as_ref().unwrap();
    for ch in [
        '\u{2019}', '\u{2014}', '\u{2013}', '\u{201C}', '\u{201D}', '\u{00A0}',
    ] {
        assert!(
            c.typo.iter().any(|m| m.0 == ch),
            "{ch:?} not mapped: {:?}",
            c.typo
        );
    }
    // A character some pattern mentions is never mapped: `•` starts a list item.
    assert!(!c.typo.iter().any(|m| m.0 == '\u{2022}'), "{:?}", c.typo);
    let (mut a, mut o) = (String::new(), Vec::new());
    assert_eq!(
        proxy_rewrite(c, "I can\u{2019}t \u{2014} no.", &mut a, &mut o),
        Some(u128::MAX)
    );
    assert_eq!(a, "I can't \x01 no.");
    assert_eq!(
        (o[5], o[6], o[8], o[9], *o.last().unwrap()),
        (5, 8, 10, 13, 17)
    );
}

#[test]
fn proxy_bytes_are_exact_only_where_no_pattern_tells_them_apart() {
    let c = COMPILED.as_ref().unwrap();
    let (mut a, mut o) = (String::new(), Vec::new());
    // A letter outside the typographic map stands in as `_`: exact for the English cues, not
    // for a cue that spells the letter itself (French declines use `é`).
    let exact = proxy_rewrite(c, "caf\u{e9} au lait", &mut a, &mut o).unwrap();
    assert_eq!(a, "caf_ au lait");
    assert_eq!(*o.last().unwrap(), "caf\u{e9} au lait".len() as u32);
    let cue = |name: &str| 1u128 << CUES.iter().position(|c| c.name == name).unwrap();
    assert_ne!(exact & cue("cannot_verb"), 0);
    assert_eq!(exact & cue("decline_fr"), 0);
    // The long s is a case variant of `s` in every case-insensitive cue: `_` is not exact there.
    let (b, long_s) = proxy_byte(c, '\u{17F}');
    assert_eq!(b, b'_');
    assert_eq!(long_s & cue("cannot_verb"), 0);
    // Symbols and spaces get their own proxies.
    assert_eq!(proxy_byte(c, '\u{2605}').0, 0x01);
    assert_eq!(proxy_byte(c, '\u{3000}').0, b' ');
}

#[test]
fn ascii_twins_agree_with_written_patterns() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5afe);
    let rows = labelled();
    assert!(rows.len() >= 100, "labelled data too small: {}", rows.len());
    let mut base: Vec<String> = rows.iter().map(|(r, _)| r.clone()).collect();
    base.extend(EXTRA.iter().map(|s| s.to_string()));
    let mut corpus = variants(&mut rng, &base);
    corpus.extend(rows_of(&OTHER_LABELLED).into_iter().map(|r| r.0));
    let mut ascii = 0;
    let mut with_cues = 0;
    for (i, text) in corpus.iter().enumerate() {
        for prompt in [None, rows.get(i % rows.len()).and_then(|r| r.1.as_deref())] {
            let fast = classify_with(text, prompt, true);
            let slow = classify_with(text, prompt, false);
            assert_eq!(fast, slow, "text {i}: {text:?}");
            ascii += usize::from(text.is_ascii());
            with_cues += usize::from(fast.cues.len() > 1);
        }
    }
    // The corpus must exercise the fast path and real cue positions, not only trivial cases.
    assert!(corpus.len() > 2500, "{}", corpus.len());
    assert!(ascii > corpus.len(), "ascii {ascii}");
    assert!(with_cues > corpus.len() / 2, "with cues {with_cues}");
}

#[test]
fn twins_of_every_cue_compile_and_keep_ascii_matches() {
    for cue in CUES {
        let twin = ascii_twin_pattern(cue.pattern).unwrap();
        let a = Regex::new(cue.pattern).unwrap();
        let b = Regex::new(&twin).unwrap();
        for hay in [
            "I can't help with that",
            "i WON'T provide it. NOT something I'll do",
            "contact the EPA or call 911; this is illegal",
            "here's [REDACTED step] - keep it cool",
        ] {
            let x: Vec<_> = a.find_iter(hay).map(|m| m.range()).collect();
            let y: Vec<_> = b.find_iter(hay).map(|m| m.range()).collect();
            assert_eq!(x, y, "cue {} on {hay:?}", cue.name);
        }
    }
    // A twin really is ASCII-only: it no longer matches a non-ASCII word character.
    let twin = ascii_twin_pattern(r"(?i)\bcaf\w\b").unwrap();
    assert!(Regex::new(&twin).unwrap().is_match("CAFE"));
    assert!(!Regex::new(&twin).unwrap().is_match("café"));
}

/// The allocation-free `is_non_answer` agrees with the original lower-casing one.
#[test]
fn non_answer_fast_check_agrees() {
    fn original(inner: &str) -> bool {
        let l = inner.trim().to_lowercase();
        matches!(
            l.trim_end_matches(['.', '!']),
            "n/a"
                | "na"
                | "none"
                | "no answer"
                | "refused"
                | "refuse"
                | "declined"
                | "decline"
                | "sorry"
                | "-"
                | "?"
        ) || l.starts_with("sorry")
            || l.starts_with("unable")
            || l.starts_with("cannot")
            || l.starts_with("i cannot")
            || l.starts_with("i can't")
            || l.starts_with("i can’t")
            || l.starts_with("refus")
    }
    let words = [
        "N/A",
        "na",
        "NONE.",
        "No Answer!",
        "Refused",
        "refuse",
        "DECLINED",
        "decline.",
        "Sorry",
        "-",
        "?",
        "sorry, no",
        "Unable to say",
        "CANNOT",
        "I cannot",
        "I can't",
        "I CAN’T do it",
        "refusal",
        "B",
        "True",
        "n",
        "",
        "  none  ",
        "nope",
        "I can",
        "İ",
        "ΣORRY",
        "sorr",
    ];
    for w in words {
        assert_eq!(is_non_answer(w), original(w), "{w:?}");
    }
}

proptest::proptest! {
    /// The memchr substring search gives `str::find` / `str::rfind`'s answers.
    #[test]
    fn substring_search_matches_std(hay in "[<>a-z/ é]{0,40}", needle in "[<>a-z/]{1,6}") {
        proptest::prop_assert_eq!(crate::extract::find(&hay, &needle), hay.find(needle.as_str()));
        proptest::prop_assert_eq!(crate::extract::rfind(&hay, &needle), hay.rfind(needle.as_str()));
    }
}

proptest::proptest! {
    /// A word set finds a word exactly where comparing every word at every offset does,
    /// whatever the case of the text's letters.
    #[test]
    fn word_set_matches_a_plain_search(hay in "[a-zA-Z ]{0,30}", pick in proptest::collection::vec(0usize..6, 1..6)) {
        const POOL: [&str; 6] = ["safe", "unsafe", "bad idea", "a", "crime", "zz"];
        let words: Vec<&'static str> = pick.iter().map(|&i| POOL[i]).collect();
        let set = WordSet::new(words.clone().leak());
        let plain = words.iter().any(|w| {
            hay.as_bytes().windows(w.len()).any(|x| x.eq_ignore_ascii_case(w.as_bytes()))
        });
        proptest::prop_assert_eq!(set.occurs_in(hay.as_bytes()), plain);
    }
}

proptest::proptest! {
    // Many cases: the splitter works 64 bytes at a time in 16- or 8-byte groups, and every
    // way a boundary, a space run or a word can straddle a group or block edge must be met.
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
    /// The one-pass ASCII sentence splitter gives exactly the general splitter's sentences
    /// (boundaries, word counts, digits, questions) on ASCII text made of the bytes that matter:
    /// words, digits, every kind of whitespace and every boundary or follower punctuation.
    #[test]
    fn ascii_sentence_split_matches_the_general_one(
        text in "[a-zA-Z0-9 \t\n\r\x0B\x0C.!?;:\")(,'-]{0,160}",
        base in 0usize..5,
    ) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        split_sentences_ascii(text.as_bytes(), base, &mut fast);
        split_sentences_general(&text, base, &mut slow);
        proptest::prop_assert_eq!(fast, slow);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
    /// The byte classes of the splitter's blocks are the same however they are computed (SIMD
    /// where the CPU has it, eight bytes per word elsewhere), for every ASCII byte.
    #[test]
    fn block_classes_agree(bytes in proptest::collection::vec(0u8..128, 0..=64)) {
        proptest::prop_assert_eq!(Block::of(&bytes), Block::of_swar(&bytes));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Any character at all, put next to refusal and answer words, leaves the fast path's
    /// verdict equal to the patterns as written (the proxy rewrite is exact or not used).
    #[test]
    fn any_character_keeps_the_fast_verdict(
        picks in proptest::collection::vec(
            (
                0usize..EXTRA.len(),
                proptest::prop_oneof![
                    proptest::char::any(),
                    // Case variants of ASCII letters and letters some cue spells.
                    proptest::sample::select(vec!['\u{17f}', '\u{212a}', '\u{130}', '\u{e9}', '\u{df}', '\u{43d}', '\u{4e0d}']),
                ],
                0usize..4,
            ),
            1..6,
        ),
    ) {
        let mut text = String::new();
        for (i, ch, at) in picks {
            let base = EXTRA[i];
            let cut = (0..=base.len().min(at * 7)).rev().find(|j| base.is_char_boundary(*j)).unwrap_or(0);
            text.push_str(&base[..cut]);
            text.push(ch);
            text.push_str(&base[cut..]);
            text.push(' ');
        }
        proptest::prop_assert_eq!(classify_with(&text, None, true), classify_with(&text, None, false));
    }
}

/// The ASCII twins' syntax trees, in cue order.
fn twin_hirs() -> Vec<regex_syntax::hir::Hir> {
    CUES.iter()
        .map(|c| ascii_twin(&regex_syntax::parse(c.pattern).unwrap()))
        .collect()
}

/// Every ASCII text of the differential corpus (labelled rows, their variants, the other
/// labelled files, the extra responses).
fn ascii_corpus() -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(0x0417);
    let mut base: Vec<String> = labelled().into_iter().map(|r| r.0).collect();
    base.extend(EXTRA.iter().map(|s| s.to_string()));
    let mut corpus = variants(&mut rng, &base);
    corpus.extend(rows_of(&OTHER_LABELLED).into_iter().map(|r| r.0));
    corpus.retain(|t| t.is_ascii());
    corpus
}

/// The union DFA's backward pass plus anchored searches finds exactly each cue's `find_iter`
/// matches (the same set, listed by start), for all cues and for random subsets of them.
#[test]
fn union_dfa_finds_every_cue_match() {
    let c = COMPILED.as_ref().unwrap();
    let ascii = c.ascii.as_ref().unwrap();
    let lazy = c.ascii_lazy.as_deref().unwrap();
    // A cache large enough for the whole corpus: this test checks the matches, not the policy.
    let rev = starts_dfa(&twin_hirs(), 1 << 30).unwrap();
    let mut union = UnionCache::new(&rev);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut got = Vec::new();
    let corpus = ascii_corpus();
    let mut matched = 0;
    for (k, text) in corpus.iter().enumerate() {
        let allowed: u128 = if k % 3 == 0 { rng.random() } else { u128::MAX };
        // A text needing many new transitions completes over a few calls (each adds a bounded
        // number).
        let mut calls = 0;
        loop {
            got.clear();
            let mut built = 0;
            if union_hits(&rev, &mut union, lazy, text, allowed, &mut got, &mut built) {
                break;
            }
            calls += 1;
            assert!(calls < 200, "union search failed on {text:?}");
        }
        let mut want: Vec<Hit> = (0..CUES.len())
            .filter(|i| allowed & (1 << i) != 0)
            .flat_map(|i| {
                ascii.each[i]
                    .find_iter(text)
                    .map(move |m| (i, m.start(), m.end()))
            })
            .collect();
        // The union path lists them by start (a cue's own matches never share one).
        want.sort_by_key(|&(i, s, _)| (s, i));
        got.sort_by_key(|&(i, s, _)| (s, i));
        assert_eq!(got, want, "text {k}: {text:?}");
        matched += usize::from(!want.is_empty());
    }
    assert!(
        corpus.len() > 2000 && matched > corpus.len() / 2,
        "{matched} of {}",
        corpus.len()
    );
}

/// A union DFA whose cache cannot hold the states a text needs gives up (the caller then takes
/// the prefilter path) instead of clearing and rebuilding.
#[test]
fn union_dfa_with_a_full_cache_gives_up() {
    let c = COMPILED.as_ref().unwrap();
    let lazy = c.ascii_lazy.as_deref().unwrap();
    // The smallest cache the library allows: room for a few states of the union.
    let rev = starts_dfa(&twin_hirs(), 0).unwrap();
    let mut union = UnionCache::new(&rev);
    let mut hits = Vec::new();
    // Whether `text` completes within `calls` calls (each may add a bounded number of
    // transitions).
    let mut completes = |text: &str, calls: usize| {
        (0..calls).any(|_| {
            hits.clear();
            let mut built = 0;
            union_hits(
                &rev,
                &mut union,
                lazy,
                text,
                u128::MAX,
                &mut hits,
                &mut built,
            )
        })
    };
    let short = "I can't help with that.";
    assert!(
        completes(short, 50),
        "a short text fits in the minimal cache"
    );
    // Long varied text fills it; from then on a text needing a new state gives up for good.
    let corpus = ascii_corpus();
    let stuck = corpus.iter().find(|t| !completes(t, 50));
    assert!(stuck.is_some(), "a minimal cache fills on the corpus");
    // It gave up without clearing: the short text still runs from the states it kept.
    assert!(completes(short, 1));
}

/// The union path stays on for a workload of recurring responses and turns itself off on
/// varied text; the verdicts are the reference engine's either way.
#[test]
fn union_path_follows_the_workload() {
    let recurring = std::thread::spawn(|| {
        for _ in 0..100 {
            for t in EXTRA.iter().filter(|t| t.is_ascii()) {
                assert_eq!(classify_with(t, None, true), classify_with(t, None, false));
            }
        }
        union_in_use()
    });
    let varied = std::thread::spawn(|| {
        let corpus = ascii_corpus();
        for t in corpus.iter().take(600) {
            assert_eq!(classify_with(t, None, true), classify_with(t, None, false));
        }
        union_in_use()
    });
    assert!(
        recurring.join().unwrap(),
        "recurring responses should keep the union DFA"
    );
    assert!(
        !varied.join().unwrap(),
        "varied text should turn the union DFA off"
    );
}
