//! Necessary literal conditions of the cue patterns, for a one-pass Aho–Corasick prefilter.
//!
//! For an ASCII twin pattern (see `ascii_twin` in `engine.rs`) this derives a boolean condition
//! over literals — `And`/`Or` of "one of these literals occurs" — that **every** text the
//! pattern matches satisfies (literals compared ASCII-case-insensitively). One automaton over all
//! cues' literals then tells, in one scan, which cues can possibly match a text; only those run
//! their regex. The condition is only ever weakened (a part that cannot be proved becomes
//! `True`), so a cue is never skipped on a text it matches: correctness depends on the
//! conditions being necessary, not on them being selective.
//!
//! Derivation on the syntax tree: a literal (or a small class such as `[Cc]`) requires itself;
//! a concatenation requires all of its parts and also the cross products of runs of parts with a
//! small finite language (`[Cc]an['’]t` → `can't`); an alternation requires one of its branches;
//! a repetition with a minimum of one requires its body; anything optional requires nothing.
//! Literals shorter than [`MIN_LIT`] bytes are dropped (they occur in nearly every text).
//! Literals and text are compared after [`norm`] (lower case, whitespace runs as one space), so a
//! whitespace class or run inside a concatenation joins its neighbours into one literal.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// Largest finite language kept while crossing literals.
const MAX_EXACT: usize = 64;
/// Longest literal kept in a finite language.
const MAX_LEN: usize = 24;
/// Shortest literal worth searching for.
const MIN_LIT: usize = 2;

type Set = BTreeSet<Vec<u8>>;

/// A necessary condition on a text, over "one of these literals occurs" atoms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    True,
    /// Never satisfied: the pattern cannot match ASCII text at all.
    False,
    Any(Vec<Vec<u8>>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    fn and(parts: Vec<Cond>) -> Cond {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Cond::True => {}
                Cond::False => return Cond::False,
                Cond::And(v) => out.extend(v),
                other => {
                    if !out.contains(&other) {
                        out.push(other);
                    }
                }
            }
        }
        match out.len() {
            0 => Cond::True,
            1 => out.pop().unwrap_or(Cond::True),
            _ => Cond::And(out),
        }
    }
    fn or(parts: Vec<Cond>) -> Cond {
        let mut out = Vec::new();
        let mut lits = Set::new();
        for p in parts {
            match p {
                Cond::True => return Cond::True,
                Cond::False => {}
                Cond::Any(v) => lits.extend(v),
                Cond::Or(v) => {
                    for q in v {
                        match q {
                            Cond::Any(l) => lits.extend(l),
                            other => out.push(other),
                        }
                    }
                }
                other => out.push(other),
            }
        }
        if !lits.is_empty() {
            out.push(Cond::Any(lits.into_iter().collect()));
        }
        match out.len() {
            0 => Cond::False,
            1 => out.pop().unwrap_or(Cond::False),
            _ => Cond::Or(out),
        }
    }
    /// An atom from a set of literals: `True` if any is too short to be worth searching.
    fn any(s: &Set) -> Cond {
        if s.is_empty() {
            Cond::False
        } else if s.iter().any(|l| l.len() < MIN_LIT) {
            Cond::True
        } else {
            Cond::Any(s.iter().cloned().collect())
        }
    }
    /// Whether the condition holds, given which literals occur.
    #[cfg(test)]
    pub(crate) fn eval(&self, occurs: &dyn Fn(&[u8]) -> bool) -> bool {
        match self {
            Cond::True => true,
            Cond::False => false,
            Cond::Any(v) => v.iter().any(|l| occurs(l)),
            Cond::And(v) => v.iter().all(|c| c.eval(occurs)),
            Cond::Or(v) => v.iter().any(|c| c.eval(occurs)),
        }
    }
}

struct Info {
    /// The finite language the node matches (lower-cased), if small.
    exact: Option<Set>,
    /// For a node without a small exact language: strings one of which every match starts
    /// with / ends with, if known (for `x+`, those of `x`). See [`Info::first`].
    prefix: Option<Set>,
    suffix: Option<Set>,
    cond: Cond,
}

impl Info {
    /// A node whose language is `exact` (or unknown), with `cond`.
    fn of(exact: Option<Set>, cond: Cond) -> Info {
        Info {
            exact,
            prefix: None,
            suffix: None,
            cond,
        }
    }
    /// What every match starts with: the exact language if there is one.
    fn first(&self) -> Option<&Set> {
        self.exact.as_ref().or(self.prefix.as_ref())
    }
    /// What every match ends with: the exact language if there is one.
    fn last(&self) -> Option<&Set> {
        self.exact.as_ref().or(self.suffix.as_ref())
    }
}

/// The union of some sets, if each is known and the union small.
fn union<'a>(sets: impl IntoIterator<Item = Option<&'a Set>>) -> Option<Set> {
    let mut out = Set::new();
    for s in sets {
        out.extend(s?.iter().cloned());
        if out.len() > MAX_EXACT {
            return None;
        }
    }
    Some(out)
}

fn cross(a: &Set, b: &Set) -> Option<Set> {
    if a.len() * b.len() > MAX_EXACT {
        return None;
    }
    let mut out = Set::new();
    for x in a {
        for y in b {
            if x.len() + y.len() > MAX_LEN {
                return None;
            }
            let mut v = x.clone();
            v.extend_from_slice(y);
            out.insert(norm(&v));
        }
    }
    Some(out)
}

fn single(s: &[u8]) -> Set {
    let mut out = Set::new();
    out.insert(norm(s));
    out
}

/// ASCII whitespace, the members of the twins' `\s`.
pub(crate) const fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// A literal as the prefilter sees text: lower-cased, every run of ASCII whitespace one space.
/// The prefilter feeds its automaton the text collapsed the same way, so a run such as `\s+`
/// is the one-byte literal `" "` and `can\s+help` yields the selective literal `"can help"`.
/// Collapsing is local (a substring's collapse is a substring of the text's collapse), so a
/// literal the pattern's match contains still occurs in the collapsed text.
pub(crate) fn norm(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        if is_space(b) {
            if out.last() != Some(&b' ') {
                out.push(b' ');
            }
        } else {
            out.push(b.to_ascii_lowercase());
        }
    }
    out
}

/// The lower-cased members of a class, if there are at most ten (an empty class, the twin of
/// an all-non-ASCII class, has the empty language).
fn class_members(c: &Class) -> Option<Set> {
    let mut out = Set::new();
    match c {
        Class::Unicode(c) => {
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    let mut buf = [0u8; 4];
                    out.insert(norm(ch.encode_utf8(&mut buf).as_bytes()));
                    if out.len() > 10 {
                        return None;
                    }
                }
            }
        }
        Class::Bytes(c) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    out.insert(norm(&[b]));
                    if out.len() > 10 {
                        return None;
                    }
                }
            }
        }
    }
    Some(out)
}

/// The condition a set of literals (a finite language) gives, if none is empty.
fn exact_cond(e: &Set) -> Cond {
    if e.iter().any(Vec::is_empty) {
        Cond::True
    } else {
        Cond::any(e)
    }
}

fn info(h: &Hir) -> Info {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::of(Some(single(b"")), Cond::True),
        HirKind::Literal(l) => {
            let s = single(&l.0);
            Info::of(Some(s.clone()), exact_cond(&s))
        }
        HirKind::Class(c) => match class_members(c) {
            Some(s) => {
                let cond = exact_cond(&s);
                Info::of(Some(s), cond)
            }
            None => Info::of(None, Cond::True),
        },
        HirKind::Capture(c) => info(&c.sub),
        HirKind::Repetition(r) => {
            let sub = info(&r.sub);
            let space = sub
                .exact
                .as_ref()
                .is_some_and(|e| e.len() == 1 && e.contains(&b" "[..]));
            let exact = match (r.min, r.max) {
                // Any run of whitespace is one space in the collapsed text.
                (0, _) if space => Some([Vec::new(), b" ".to_vec()].into_iter().collect()),
                (_, _) if space => sub.exact.clone(),
                (0, Some(1)) => sub.exact.clone().map(|mut e| {
                    e.insert(Vec::new());
                    e
                }),
                (1, Some(1)) => sub.exact.clone(),
                _ => None,
            };
            // At least one repetition: a match starts and ends with one of the body's.
            let (prefix, suffix) = if r.min >= 1 && exact.is_none() {
                (sub.first().cloned(), sub.last().cloned())
            } else {
                (None, None)
            };
            let cond = if r.min >= 1 { sub.cond } else { Cond::True };
            Info {
                exact,
                prefix,
                suffix,
                cond,
            }
        }
        HirKind::Alternation(alts) => {
            let infos: Vec<Info> = alts.iter().map(info).collect();
            let exact = union(infos.iter().map(|i| i.exact.as_ref()));
            // Only needed when there is no exact language.
            let (prefix, suffix) = if exact.is_some() {
                (None, None)
            } else {
                (
                    union(infos.iter().map(Info::first)),
                    union(infos.iter().map(Info::last)),
                )
            };
            Info {
                exact,
                prefix,
                suffix,
                cond: Cond::or(infos.into_iter().map(|i| i.cond).collect()),
            }
        }
        HirKind::Concat(parts) => {
            let infos: Vec<Info> = parts.iter().map(info).collect();
            let (prefix, suffix) = if infos.iter().all(|i| i.exact.is_some()) {
                (None, None)
            } else {
                (concat_prefix(&infos), concat_suffix(&infos))
            };
            let mut conds = Vec::new();
            let mut run: Option<Set> = None;
            let mut all_exact: Option<Set> = Some(single(b""));
            for mut i in infos {
                all_exact = match (&all_exact, &i.exact) {
                    (Some(a), Some(b)) => cross(a, b),
                    _ => None,
                };
                // An exact part's language moves into the run; an inexact one has none, and
                // its first and last strings are read below.
                match (run.take(), i.exact.take()) {
                    (Some(a), Some(b)) => match cross(&a, &b) {
                        Some(c) => run = Some(c),
                        None => {
                            conds.push(exact_cond(&a));
                            run = Some(b);
                        }
                    },
                    (None, Some(b)) => run = Some(b),
                    (Some(a), None) => {
                        conds.push(exact_cond(&a));
                        // The run is followed by one of this part's prefixes.
                        if let Some(x) = i.first().and_then(|p| cross(&a, p)) {
                            conds.push(exact_cond(&x));
                        }
                        run = i.last().cloned();
                    }
                    // A new run starts with one of this part's suffixes.
                    (None, None) => run = i.last().cloned(),
                }
                conds.push(i.cond);
            }
            if let Some(a) = run {
                conds.push(exact_cond(&a));
            }
            Info {
                prefix: prefix.filter(|_| all_exact.is_none()),
                suffix: suffix.filter(|_| all_exact.is_none()),
                exact: all_exact,
                cond: Cond::and(conds),
            }
        }
    }
}

/// What every match of a concatenation of `parts` starts with: its leading exact parts crossed,
/// then crossed with the first inexact part's prefixes.
fn concat_prefix(parts: &[Info]) -> Option<Set> {
    let mut acc = single(b"");
    for p in parts {
        let next = p.first().and_then(|x| cross(&acc, x));
        match next {
            Some(n) => acc = n,
            None => return Some(acc),
        }
        if p.exact.is_none() {
            return Some(acc);
        }
    }
    Some(acc)
}

/// What every match of a concatenation of `parts` ends with (the mirror of [`concat_prefix`]).
fn concat_suffix(parts: &[Info]) -> Option<Set> {
    let mut acc = single(b"");
    for p in parts.iter().rev() {
        let next = p.last().and_then(|x| cross(x, &acc));
        match next {
            Some(n) => acc = n,
            None => return Some(acc),
        }
        if p.exact.is_none() {
            return Some(acc);
        }
    }
    Some(acc)
}

/// Most clauses kept per cue in [`clauses`].
const MAX_CLAUSES: usize = 4;

/// The condition weakened to a conjunction of "one of these literals occurs" clauses (cheap to
/// test): an `Or` becomes one clause, the union of its branches' most selective clauses; at
/// most [`MAX_CLAUSES`] clauses are kept, the most selective first. `None`: never holds (the
/// pattern cannot match ASCII text); an empty list: always holds.
pub(crate) fn clauses(c: &Cond) -> Option<Vec<Vec<Vec<u8>>>> {
    let mut out = match c {
        Cond::True => Vec::new(),
        Cond::False => return None,
        Cond::Any(v) => vec![v.clone()],
        Cond::And(v) => {
            let mut out = Vec::new();
            for part in v {
                out.extend(clauses(part)?);
            }
            out
        }
        Cond::Or(v) => {
            let mut union = Set::new();
            for branch in v {
                // A branch that can never hold adds nothing; one that always holds makes the
                // whole `Or` always hold.
                let Some(cs) = clauses(branch) else { continue };
                match cs.into_iter().max_by_key(|c| selectivity(c)) {
                    Some(best) => union.extend(best),
                    None => return Some(Vec::new()),
                }
            }
            if union.is_empty() {
                return None;
            }
            vec![union.into_iter().collect()]
        }
    };
    out.sort_by_key(|c| std::cmp::Reverse(selectivity(c)));
    out.dedup();
    out.truncate(MAX_CLAUSES);
    Some(out)
}

/// Higher is more selective: longer shortest literal, then fewer literals.
fn selectivity(c: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    (
        c.iter().map(Vec::len).min().unwrap_or(0),
        std::cmp::Reverse(c.len()),
    )
}

/// A necessary condition for `h` to match a text (see the module documentation).
pub(crate) fn condition(h: &Hir) -> Cond {
    info(h).cond
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn cond(p: &str) -> Cond {
        condition(&super::super::engine::ascii_twin(
            &regex_syntax::parse(p).unwrap(),
        ))
    }
    fn any(v: &[&str]) -> Cond {
        Cond::Any(v.iter().map(|s| s.as_bytes().to_vec()).collect())
    }

    #[test]
    fn repetitions_cross_with_their_neighbours() {
        // `\d+` ends with a digit, so a numbered list item needs "<digit>. " or "<digit>) ".
        let c = cond(r"(?:^|\n)\s*\d+[.)]\s+\w");
        fn holds(c: &Cond, t: &str) -> bool {
            let t = norm(t.as_bytes());
            c.eval(&|l: &[u8]| t.windows(l.len()).any(|w| w == l))
        }
        assert!(holds(&c, "steps:\n2. mix"));
        assert!(holds(&c, "10)  go"));
        assert!(!holds(&c, "Step 2: mix. Then 3 more"));
        // `(?:ab)+` starts and ends with "ab": the literal after it is crossed with it.
        let c = cond(r"x(?:ab)+cd");
        assert!(holds(&c, "xababcd"));
        assert!(!holds(&c, "xab ab cd"));
        // An optional repetition tells nothing about its neighbours.
        let c = cond(r"x(?:ab)*cd");
        assert!(holds(&c, "x cd"));
    }

    #[test]
    fn literals_classes_and_alternations() {
        // Case-folded classes and the apostrophe class cross into one literal.
        assert_eq!(cond(r"(?i)\bcan['’]t\b"), any(&["can't"]));
        // A whitespace run is one space in the collapsed text, so it crosses into literals.
        assert_eq!(
            cond(r"(?i)\b(?:won't|shall\s+not)\b"),
            any(&["shall not", "won't"])
        );
        assert_eq!(
            cond(r"(?i)\bsorry\s+but\s+(?:help|assist)"),
            Cond::And(vec![
                any(&["assist", "help"]),
                any(&["sorry but assist", "sorry but help"])
            ])
        );
        assert_eq!(cond(r"(?i)no\s*way"), any(&["no way", "noway"]));
        // Parts that are not a small finite language still split the literal runs.
        assert_eq!(
            cond(r"(?i)\bsorry\s+\w+\s+(?:help|assist)"),
            Cond::And(vec![
                any(&["sorry "]),
                any(&["assist", "help"]),
                any(&[" assist", " help"])
            ])
        );
        // Collapsing is the same on literals and on text.
        assert_eq!(norm(b"Can \t\n Help\r\n"), b"can help ".to_vec());
        // Optional parts and short literals require nothing.
        assert_eq!(
            cond(r"(?i)(?:really\s+)?sorry"),
            any(&["really sorry", "sorry"])
        );
        let digits: Vec<String> = (0..10).map(|d| format!(" {d}")).collect();
        let digits: Vec<&str> = digits.iter().map(String::as_str).collect();
        assert_eq!(cond(r"\w+\s+\d"), any(&digits));
        assert_eq!(cond(r"\w+\d"), Cond::True);
        assert_eq!(cond(r"(?i)(?:sorry)?"), Cond::True);
        assert_eq!(cond(r"(?i)\bo\b"), Cond::True);
        // A branch that requires nothing makes the alternation require nothing.
        assert_eq!(cond(r"(?i)sorry|\w+"), Cond::True);
        // Non-ASCII letters cannot occur in ASCII text: such a branch is impossible.
        assert_eq!(cond(r"(?i)не\s+могу"), Cond::False);
        assert_eq!(cond(r"(?i)не\s+могу|sorry"), any(&["sorry"]));
    }

    /// The condition really is necessary: on every labelled response (ASCII ones) and on
    /// hand-made edge cases, a cue that matches has its condition satisfied.
    #[test]
    fn conditions_hold_wherever_a_cue_matches() {
        let mut texts: Vec<String> = Vec::new();
        for data in [
            include_str!("../../data/refusal-labelled.jsonl"),
            include_str!("../../data/refusal-styles.jsonl"),
            include_str!("../../data/refusal-dev2.jsonl"),
        ] {
            for line in data.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                texts.push(v["response"].as_str().unwrap().to_string());
            }
        }
        texts.extend(
            [
                "I CAN'T HELP WITH THAT.",
                "i won't. NOT something I'll do; call 911",
                "Step 2: [REDACTED]",
                "No.",
            ]
            .map(String::from),
        );
        let mut matched = 0;
        for c in super::super::cues::CUES {
            let h = super::super::engine::ascii_twin(&regex_syntax::parse(c.pattern).unwrap());
            let cond = condition(&h);
            let re = regex::Regex::new(&h.to_string()).unwrap();
            for t in texts.iter().filter(|t| t.is_ascii()) {
                if re.is_match(t) {
                    matched += 1;
                    let lower = norm(t.as_bytes());
                    let occurs =
                        |l: &[u8]| lower.windows(l.len()).any(|w| w.eq_ignore_ascii_case(l));
                    assert!(cond.eval(&occurs), "cue {} on {t:?}: {cond:?}", c.name);
                }
            }
        }
        assert!(matched > 300, "{matched}");
    }
}
