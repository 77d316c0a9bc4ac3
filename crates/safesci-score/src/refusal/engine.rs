//! The matching engine of the refusal detector: which cues match a response, and where.
//!
//! One Aho–Corasick DFA walk over the text, with whitespace runs collapsed to one space, finds
//! which of the cues' necessary literals occur ([`anchors`]); only cues whose literal condition
//! holds run their regex, so a compliant response with no cue costs one scan. Collapsing
//! whitespace lets literals span `\s+` ("can help", "shall not"), which keeps the candidate cues
//! few (typically none to four on a short answer). Each literal's last occurrence is kept, so a
//! cue that has matched is searched again only if its literals occur past the match.
//!
//! On ASCII text a faster path comes first: every cue's twin in one reverse lazy DFA, walked
//! once backwards over the text, lists where each cue's matches start; one anchored search per
//! match finds its end ([`union_hits`], exact: each cue's `find_iter` matches). Its cache is
//! never cleared, and a thread whose texts keep needing new states (varied text, where building
//! them costs more than the prefilter path) drops it ([`starts_then_anchored`]); recurring
//! response shapes — one model's refusals, templated answers — run on it at a few instructions
//! per byte.
//!
//! Speed: most responses are ASCII. For them the cues run as *ASCII twins* — the same syntax
//! trees with Unicode word boundaries replaced by ASCII ones and every class cut down to its
//! ASCII members ([`ascii_twin`]). On ASCII text the two match at exactly the same places (an
//! ASCII character is a Unicode word character iff it is an ASCII one, and a class member above
//! U+007F can never match an ASCII byte), but the twins need no Unicode tables, so the lazy DFA
//! runs them at memory speed; each candidate twin is searched as a bare lazy DFA with a
//! per-thread cache (on a text of a few dozen bytes the meta regex's pool, dispatch and iterator
//! cost as much as the search itself). Other text is rewritten to ASCII one character per byte
//! — typographic punctuation by a map proved exact for every cue ([`typo_map`]), any other
//! character by a proxy byte for the cues it is proved exact for ([`proxy_byte`]) — and only the
//! cues a character of the text can tell apart run as written, on the original text.

use super::anchors;
use super::cues::CUES;
use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind};
use regex::RegexSet;
use regex_automata::meta::Regex as MetaRegex;
use std::sync::LazyLock;

/// One cue match: `(cue, start, end)`, byte offsets into the text searched.
pub(super) type Hit = (usize, usize, usize);

pub(super) struct Engine {
    pats: Vec<String>,
    /// All patterns in one set, for the reference path only: built on first use (a quarter of
    /// the detector's start-up otherwise).
    set: std::sync::OnceLock<Option<RegexSet>>,
    pub(super) each: Vec<MetaRegex>,
}

impl Engine {
    fn new<S: AsRef<str>>(pats: &[S]) -> Option<Engine> {
        // The texts are short (a response of a few hundred bytes) and the Aho–Corasick pass has
        // already found the cue's literals: a regex-level literal prefilter only adds set-up per
        // search, and small patterns run fastest as a fully compiled DFA.
        let cfg = regex_automata::meta::Config::new()
            .auto_prefilter(false)
            .dfa(true);
        let each = pats
            .iter()
            .map(|p| {
                MetaRegex::builder()
                    .configure(cfg.clone())
                    .build(p.as_ref())
                    .ok()
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Engine {
            pats: pats.iter().map(|p| p.as_ref().to_string()).collect(),
            set: std::sync::OnceLock::new(),
            each,
        })
    }
    /// The cues that match `text` somewhere (every cue if the set failed to build).
    fn matching(&self, text: &str) -> Vec<usize> {
        match self
            .set
            .get_or_init(|| RegexSet::new(&self.pats).ok())
            .as_ref()
        {
            Some(set) => set.matches(text).into_iter().collect(),
            None => (0..self.each.len()).collect(),
        }
    }
}

pub(super) struct Compiled {
    /// The cue patterns as written (any text).
    unicode: Engine,
    /// Their ASCII twins (ASCII-only text); `None` if a twin failed to build.
    pub(super) ascii: Option<Engine>,
    /// The twins as bare lazy DFAs (no meta-regex dispatch), for ASCII text; `None` if one
    /// failed to build.
    pub(super) ascii_lazy: Option<Vec<regex_automata::hybrid::regex::Regex>>,
    /// Every twin in one reverse lazy DFA that reports each match start of each cue
    /// ([`starts_then_anchored`]); `None` if it failed to build.
    pub(super) starts: Option<regex_automata::hybrid::dfa::DFA>,
    /// One automaton over the twins' necessary literals, for ASCII text (`None` if it failed
    /// to build).
    pub(super) prefilter: Option<Prefilter>,
    /// The same over the patterns as written, for any text (conditions derived from the
    /// Unicode syntax trees hold on any text: small classes, non-ASCII case variants included,
    /// are enumerated literally). Built on first use (ASCII workloads never need it) from
    /// `unicode_hirs`.
    prefilter_unicode: std::sync::OnceLock<Option<Prefilter>>,
    /// The patterns as written, parsed.
    unicode_hirs: Vec<regex_syntax::hir::Hir>,
    /// Non-ASCII characters that behave exactly like one ASCII byte in every cue pattern
    /// ([`typo_map`]): text whose only non-ASCII characters are these is matched by the ASCII
    /// path on a rewritten copy.
    pub(super) typo: Vec<(char, u8)>,
    /// Non-ASCII characters in the cues' literals, with the cues that spell them (a proxy
    /// rewrite of such a character is not exact for those cues, [`proxy_byte`]).
    lit_chars: Vec<(char, u128)>,
    /// Cues with a literal that is not whole UTF-8 (never run on a proxy rewrite).
    odd_literals: u128,
    /// Per proxy byte (`_`, space, `\x01`), the cues with a literal holding it.
    proxy_lits: [(u8, u128); 3],
    /// Every distinct class of the cues as written, with the cues that use it.
    proxy_classes: Vec<(regex_syntax::hir::ClassUnicode, u128)>,
}

/// Which cues can match a text: one Aho–Corasick pass finds which of the cues' necessary
/// literals occur ([`anchors::condition`]); a cue whose condition fails cannot match.
pub(super) struct Prefilter {
    /// A DFA over the conditions' literals, each cut to [`MAX_PREFILTER_LIT`] bytes,
    /// fed the text lower-cased with whitespace runs collapsed ([`anchors::norm`]); overlapping
    /// matches.
    dfa: aho_corasick::dfa::DFA,
    /// The automaton's unanchored start state.
    start: aho_corasick::automaton::StateID,
    /// Per cue, its condition over automaton pattern ids.
    conds: Vec<Cix>,
    /// Per automaton pattern, the cues whose first clause mentions it (a cue holds only if a
    /// literal of every clause occurs, so one of these must have).
    cues_of: Vec<u128>,
    /// Cues whose condition holds with no literal at all (always candidates).
    always: u128,
}

/// [`anchors::clauses`] with literals replaced by bits of [`Hits`]: each clause is a list of
/// `(word, mask)`, and holds if any of its bits is set; `None` never holds.
struct Cix(Option<Vec<Vec<(u16, u64)>>>);

/// Most distinct literals the prefilter tracks (bits of [`Hits`]).
const MAX_LITERALS: usize = 64 * 64;
type Hits = [u64; MAX_LITERALS / 64];

/// Longest literal the prefilter automaton holds: longer ones are cut to their first this
/// many bytes (a prefix of a necessary literal is still necessary, so this only weakens a
/// condition). Short literals keep the automaton small (few states), so it runs as a
/// table-lookup DFA that stays in cache.
const MAX_PREFILTER_LIT: usize = 16;

impl Cix {
    fn new(
        c: &Option<Vec<Vec<Vec<u8>>>>,
        ids: &std::collections::HashMap<&[u8], u32>,
    ) -> Option<Cix> {
        let Some(cl) = c else {
            return Some(Cix(None));
        };
        let mut out = Vec::new();
        for clause in cl {
            let mut words: Vec<(u16, u64)> = Vec::new();
            for l in clause {
                let i = *ids.get(l.as_slice())? as usize;
                let (w, bit) = ((i / 64) as u16, 1u64 << (i % 64));
                match words.iter_mut().find(|x| x.0 == w) {
                    Some(x) => x.1 |= bit,
                    None => words.push((w, bit)),
                }
            }
            out.push(words);
        }
        Some(Cix(Some(out)))
    }
    fn eval(&self, hits: &Hits) -> bool {
        self.0.as_ref().is_some_and(|cl| {
            cl.iter()
                .all(|c| c.iter().any(|&(w, m)| hits[w as usize] & m != 0))
        })
    }
    /// Whether the condition holds on literals whose last occurrence ends after byte `after`
    /// (a match starting at or after `after` contains its literals there).
    fn holds_after(&self, hits: &Hits, last_end: &[u32], after: usize) -> bool {
        self.0.as_ref().is_some_and(|cl| {
            cl.iter().all(|c| {
                c.iter().any(|&(w, m)| {
                    let mut m = hits[w as usize] & m;
                    while m != 0 {
                        let i = w as usize * 64 + m.trailing_zeros() as usize;
                        m &= m - 1;
                        if last_end.get(i).is_some_and(|&e| e as usize > after) {
                            return true;
                        }
                    }
                    false
                })
            })
        })
    }
}

/// Each byte as the prefilter automaton reads it ([`anchors::norm`]): ASCII whitespace as a
/// space, ASCII letters lower-cased, every other byte as it is.
static FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if anchors::is_space(b) {
            b' '
        } else {
            b.to_ascii_lowercase()
        };
        i += 1;
    }
    t
};

/// One text's prefilter result: which literals occur ([`Hits`]) and where each last ends.
struct Scan {
    hits: Hits,
    /// Per literal, the end offset (exclusive, in the text as given) of its last occurrence;
    /// meaningful only where its bit in `hits` is set (never cleared between texts).
    last_end: Vec<u32>,
}

impl Prefilter {
    /// The prefilter of `hirs`; with `ascii_text`, for ASCII text only (the ASCII twins), so
    /// literals with a non-ASCII byte, which cannot occur there, are left out.
    fn new(hirs: &[regex_syntax::hir::Hir], ascii_text: bool) -> Option<Prefilter> {
        if hirs.len() > 128 {
            return None;
        }
        let conds: Vec<Option<Vec<Vec<Vec<u8>>>>> = hirs
            .iter()
            .map(|h| {
                let cl = anchors::clauses(&anchors::condition(h))?;
                let mut out = Vec::new();
                for clause in cl {
                    let mut w: Vec<Vec<u8>> = clause
                        .iter()
                        .filter(|l| !ascii_text || l.is_ascii())
                        .map(|l| l[..l.len().min(MAX_PREFILTER_LIT)].to_vec())
                        .collect();
                    // No literal of the clause can occur: the cue never matches.
                    if w.is_empty() {
                        return None;
                    }
                    w.sort_unstable();
                    w.dedup();
                    out.push(w);
                }
                Some(out)
            })
            .collect();
        let mut lits: Vec<&[u8]> = conds
            .iter()
            .flatten()
            .flatten()
            .flatten()
            .map(Vec::as_slice)
            .collect();
        lits.sort_unstable();
        lits.dedup();
        if lits.len() > MAX_LITERALS {
            return None;
        }
        let ids: std::collections::HashMap<&[u8], u32> = lits
            .iter()
            .enumerate()
            .map(|(i, l)| (*l, i as u32))
            .collect();
        // Literals are lower-case (`anchors::norm`) and the walk lower-cases ASCII text, so
        // the automaton needs no case-insensitive transitions (half the alphabet).
        let dfa = aho_corasick::dfa::DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .byte_classes(true)
            .build(&lits)
            .ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        // A cue can hold only if every clause has a hit, so only the literals of one clause
        // need to point at it: the first, the most selective (`anchors::clauses` sorts them),
        // which keeps common short literals from waking cues up.
        let mut cues_of = vec![0u128; lits.len()];
        for (i, c) in conds.iter().enumerate() {
            for l in c.iter().flat_map(|cl| cl.first()).flatten() {
                if let Some(&id) = ids.get(l.as_slice()) {
                    cues_of[id as usize] |= 1 << i;
                }
            }
        }
        let conds = conds
            .iter()
            .map(|c| Cix::new(c, &ids))
            .collect::<Option<Vec<_>>>()?;
        let none: Hits = [0; MAX_LITERALS / 64];
        let always = conds
            .iter()
            .enumerate()
            .filter(|(_, c)| c.eval(&none))
            .fold(0u128, |m, (i, _)| m | 1 << i);
        Some(Prefilter {
            dfa,
            start,
            conds,
            cues_of,
            always,
        })
    }

    /// Bit mask of the cues whose conditions hold on `text`; `scan` is left holding which
    /// literals occur and where.
    fn candidates(&self, text: &str, scan: &mut Scan) -> u128 {
        // Only the words that can hold this automaton's literals.
        let words = self.cues_of.len().div_ceil(64);
        scan.hits[..words].fill(0);
        if scan.last_end.len() != self.cues_of.len() {
            scan.last_end = vec![0; self.cues_of.len()];
        }
        let mut touched = 0u128;
        // One byte-at-a-time walk of the DFA over the collapsed, lower-cased text: every
        // match state lists all literals ending there (overlapping semantics).
        let d = &self.dfa;
        let mut sid = self.start;
        let mut space = false;
        for (at, &b) in text.as_bytes().iter().enumerate() {
            let b = FOLD[usize::from(b)];
            if b == b' ' {
                if space {
                    continue;
                }
                space = true;
            } else {
                space = false;
            }
            sid = d.next_state(Anchored::No, sid, b);
            if d.is_special(sid) && d.is_match(sid) {
                for k in 0..d.match_len(sid) {
                    let i = d.match_pattern(sid, k).as_usize();
                    scan.hits[i / 64] |= 1 << (i % 64);
                    if let Some(e) = scan.last_end.get_mut(i) {
                        *e = (at + 1) as u32;
                    }
                    touched |= self.cues_of[i];
                }
            }
        }
        // Only cues some found literal belongs to can newly hold; the rest hold iff they hold
        // with no literal at all (`always`).
        let mut mask = self.always;
        let mut todo = touched & !self.always;
        while todo != 0 {
            let i = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            if self.conds[i].eval(&scan.hits) {
                mask |= 1 << i;
            }
        }
        mask
    }

    /// Whether cue `i` can match again at or after byte `after` of the text `scan` was made
    /// from: its condition must hold on literals ending after it. Cues that hold with no
    /// literal always can.
    fn may_match_after(&self, i: usize, scan: &Scan, after: usize) -> bool {
        self.always & (1 << i) != 0 || self.conds[i].holds_after(&scan.hits, &scan.last_end, after)
    }
}

/// Every match of every cue in `text`, `(cue, start, end)`, in no set order.
/// With `twins` on (the production path), an Aho–Corasick prefilter picks the candidate cues
/// and only those run their regex: the ASCII twins on ASCII text, the patterns as written
/// otherwise. With `twins` off (the reference the differential tests compare against), one
/// `RegexSet` pass over the patterns as written picks the cues.
pub(super) fn cue_hits(c: &Compiled, text: &str, twins: bool, hits: &mut Vec<Hit>) {
    hits.clear();
    if twins && !text.is_ascii() && c.ascii.is_some() && c.prefilter.is_some() {
        // Non-ASCII text, rewritten to ASCII one character per byte and matched by the ASCII
        // twins, offsets mapped back: typographic punctuation (curly quotes, dashes, ellipses,
        // no-break spaces) for every cue; any other character through a proxy byte, for the
        // cues the proxy is exact for (the rest run as written on the original text).
        let done = TYPO_BUF.with(|b| {
            let Ok(mut b) = b.try_borrow_mut() else {
                return false;
            };
            let (ascii, orig) = &mut *b;
            let Some(english) = proxy_rewrite(c, text, ascii, orig) else {
                return false;
            };
            if !prefiltered_hits(c, ascii, true, english, hits) {
                hits.clear();
                return false;
            }
            for h in hits.iter_mut() {
                h.1 = orig[h.1] as usize;
                h.2 = orig[h.2] as usize;
            }
            if english != u128::MAX && !prefiltered_hits(c, text, false, !english, hits) {
                hits.clear();
                return false;
            }
            true
        });
        if done {
            return;
        }
    }
    if twins && prefiltered_hits(c, text, text.is_ascii(), u128::MAX, hits) {
        return;
    }
    // The reference path (and the fallback if an automaton failed to build): one `RegexSet`
    // pass picks the cues that occur.
    let engine = c.engine(text, twins);
    for i in engine.matching(text) {
        hits.extend(
            engine.each[i]
                .find_iter(text)
                .map(|m| (i, m.start(), m.end())),
        );
    }
}

/// Appends every match in `text` of the cues in `allowed` whose prefilter condition holds: the
/// ASCII twins on ASCII text (`on_ascii`), the patterns as written otherwise. False (nothing
/// appended) if the needed automaton or twins failed to build.
fn prefiltered_hits(
    c: &Compiled,
    text: &str,
    on_ascii: bool,
    allowed: u128,
    hits: &mut Vec<Hit>,
) -> bool {
    let (engine, p, twins) = match (&c.ascii, &c.prefilter) {
        (Some(a), Some(p)) if on_ascii => (a, p, true),
        _ => match c.prefilter_unicode() {
            Some(p) => (&c.unicode, p, false),
            None => return false,
        },
    };
    let before = hits.len();
    if twins && starts_then_anchored(c, text, allowed, hits) {
        return true;
    }
    hits.truncate(before);
    // `(candidates, whether their matches are already in hits)`; `None` if this
    // thread's scan buffer is in use (re-entered).
    let scanned = SCAN.with(|scan| {
        let Ok(mut scan) = scan.try_borrow_mut() else {
            return None;
        };
        let mask = p.candidates(text, &mut scan) & allowed;
        // ASCII text: the twins' lazy DFAs searched directly with this thread's caches
        // (the meta regex's cache pool, strategy dispatch and iterator cost more than a
        // short text's search itself). After a match, a cue is searched again only if its
        // literals occur past the match's end.
        let Some(lazy) = c.ascii_lazy.as_deref().filter(|_| twins) else {
            return Some((mask, false));
        };
        let scan = &*scan;
        let searched = LAZY_CACHES.with(|caches| {
            let Ok(mut caches) = caches.try_borrow_mut() else {
                return false;
            };
            if caches.len() != lazy.len() {
                *caches = lazy.iter().map(|r| r.create_cache()).collect();
            }
            let mut m = mask;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                let again = |after: usize| {
                    text.len() >= u32::MAX as usize || p.may_match_after(i, scan, after)
                };
                if !lazy_find_all(&lazy[i], &mut caches[i], text, i, hits, again) {
                    return false;
                }
            }
            true
        });
        Some((mask, searched))
    });
    let mut mask = match scanned {
        Some((_, true)) => return true,
        // Not the lazy path, or a search that gave up: every candidate with the meta
        // regexes.
        Some((mask, false)) => {
            hits.truncate(before);
            mask
        }
        None => {
            let mut scan = Scan {
                hits: [0; MAX_LITERALS / 64],
                last_end: Vec::new(),
            };
            p.candidates(text, &mut scan) & allowed
        }
    };
    while mask != 0 {
        let i = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        hits.extend(
            engine.each[i]
                .find_iter(text)
                .map(|m| (i, m.start(), m.end())),
        );
    }
    true
}

/// Every leftmost-first, non-overlapping match of `re` in `text`, pushed as `(cue, start,
/// end)`; the same matches as the meta regex's `find_iter` (no cue pattern matches the empty
/// string, so no empty-match handling is needed; one that did makes this return false). After
/// a match ending at `e` the search goes on only if `again(e)` (false only where no further
/// match can exist). False if a search failed.
fn lazy_find_all(
    re: &regex_automata::hybrid::regex::Regex,
    cache: &mut regex_automata::hybrid::regex::Cache,
    text: &str,
    cue: usize,
    hits: &mut Vec<Hit>,
    again: impl Fn(usize) -> bool,
) -> bool {
    let mut at = 0;
    while at <= text.len() {
        let input = regex_automata::Input::new(text).range(at..);
        match re.try_search(cache, &input) {
            Ok(Some(m)) => {
                if m.is_empty() {
                    return false;
                }
                hits.push((cue, m.start(), m.end()));
                at = m.end();
                if !again(at) {
                    return true;
                }
            }
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
    true
}

/// The union DFA of [`Compiled::starts`]: every twin reversed, all matches reported
/// (overlapping), so one backward pass over a text lists where each cue's matches can start.
///
/// Its lazy cache is never cleared: once full, a text that needs a state the cache lacks gives
/// up and takes the prefilter path. The union of all cues has far more states than any one cue
/// (their word gaps multiply), so on varied text a cleared-and-refilled cache would spend its
/// time building states (measured: 27× slower than the prefilter path on the labelled sets).
pub(super) fn starts_dfa(
    hirs: &[regex_syntax::hir::Hir],
    cache_bytes: usize,
) -> Option<regex_automata::hybrid::dfa::DFA> {
    use regex_automata::hybrid::dfa::DFA;
    use regex_automata::nfa::thompson;
    // Cue sets are `u128` masks.
    if hirs.len() > 128 {
        return None;
    }
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .reverse(true)
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_many_from_hir(hirs)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(regex_automata::MatchKind::All)
                .cache_capacity(cache_bytes)
                .skip_cache_capacity_check(true)
                .minimum_cache_clear_count(Some(0)),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// Lazy-DFA cache of [`starts_dfa`] per thread.
pub(super) const STARTS_CACHE_BYTES: usize = 16 << 20;

/// ASCII text: every match of the cues in `allowed` by the union DFA ([`union_hits`]) while it
/// pays on this thread's workload: after each [`ADAPT_WINDOW`] texts but the first, if more
/// than half of them needed new transitions, the thread drops it for good and the prefilter
/// path takes every text. False (hits to be discarded) if it is not used or gave up.
fn starts_then_anchored(c: &Compiled, text: &str, allowed: u128, hits: &mut Vec<Hit>) -> bool {
    let (Some(rev), Some(lazy)) = (&c.starts, c.ascii_lazy.as_deref()) else {
        return false;
    };
    STARTS.with(|st| {
        let Ok(mut st) = st.try_borrow_mut() else {
            return false;
        };
        let st = &mut *st;
        if st.off {
            return false;
        }
        let mut built = 0;
        let union = st.cache.get_or_insert_with(|| UnionCache::new(rev));
        let found = union_hits(rev, union, lazy, text, allowed, hits, &mut built);
        st.texts += 1;
        st.learning += u32::from(built > 0);
        if st.texts == ADAPT_WINDOW {
            // The first window fills the cache with the workload's common shapes; judged
            // from the second on.
            if st.warm && st.learning * 2 > ADAPT_WINDOW {
                st.off = true;
                st.cache = None;
            }
            (st.texts, st.learning, st.warm) = (0, 0, true);
        }
        found
    })
}

/// Whether this thread still uses the union DFA ([`starts_then_anchored`]).
#[cfg(test)]
pub(super) fn union_in_use() -> bool {
    !STARTS.with(|st| st.borrow().off)
}

type StateMasks = rustc_hash::FxHashMap<regex_automata::hybrid::LazyStateID, u128>;

/// Per-thread search state of the union DFA ([`starts_dfa`]): its lazy cache and buffers.
pub(super) struct UnionCache {
    cache: regex_automata::hybrid::dfa::Cache,
    /// Per match state of the cache, the cues its matches belong to (as a mask).
    masks: StateMasks,
    /// `(cue, start)` pairs of the text being searched, by descending start.
    starts: Vec<(u32, u32)>,
    /// Per cue, the end of its last match in the text being searched (0 between texts).
    after: Vec<u32>,
}

impl UnionCache {
    pub(super) fn new(rev: &regex_automata::hybrid::dfa::DFA) -> UnionCache {
        UnionCache {
            cache: rev.create_cache(),
            masks: StateMasks::default(),
            starts: Vec::new(),
            after: vec![0; rev.pattern_len()],
        }
    }
}

/// Every match of the cues in `allowed` in ASCII `text`, from one backward pass of the union DFA
/// `rev` ([`starts_dfa`]), which lists each position where a match of a cue starts
/// ([`all_starts`]), and one anchored forward search per match with the cue's own lazy DFA
/// (`lazy`). A cue's leftmost-first match begins at its leftmost possible start, and an
/// anchored leftmost-first search from there ends where the unanchored one would; the next
/// match of `find_iter` begins at the first possible start at or after that end. So this
/// appends exactly each cue's `find_iter` matches, in order of start (the starts are read in
/// that order, each cue skipping those inside its last match), without one scan per candidate
/// cue. `built` counts the transitions the union DFA had to compute. False (hits to
/// be discarded) if the union DFA gave up (a full cache) or a search failed.
pub(super) fn union_hits(
    rev: &regex_automata::hybrid::dfa::DFA,
    union: &mut UnionCache,
    lazy: &[regex_automata::hybrid::regex::Regex],
    text: &str,
    allowed: u128,
    hits: &mut Vec<Hit>,
    built: &mut u32,
) -> bool {
    if text.len() >= u32::MAX as usize {
        return false;
    }
    union.starts.clear();
    if !all_starts(rev, union, text, allowed, built) {
        return false;
    }
    if union.starts.is_empty() {
        return true;
    }
    let UnionCache { starts, after, .. } = union;
    let found = LAZY_CACHES.with(|caches| {
        let Ok(mut caches) = caches.try_borrow_mut() else {
            return false;
        };
        if caches.len() != lazy.len() {
            *caches = lazy.iter().map(|r| r.create_cache()).collect();
        }
        for &(i, s) in starts.iter().rev() {
            let i = i as usize;
            let Some(after) = after.get_mut(i) else {
                return false;
            };
            if s < *after {
                continue;
            }
            match anchored_end(lazy[i].forward(), caches[i].forward_mut(), text, s as usize) {
                Some(e) if e > s as usize => {
                    hits.push((i, s as usize, e));
                    *after = e as u32;
                }
                // A start the backward pass reported begins a non-empty match.
                _ => return false,
            }
        }
        true
    });
    for &(i, _) in starts.iter() {
        if let Some(a) = after.get_mut(i as usize) {
            *a = 0;
        }
    }
    found
}

/// The end of the leftmost-first match of `dfa` anchored at `start` in `text`: the library's
/// forward search as a plain loop (its setup and per-search bookkeeping cost more than the few
/// bytes a cue's match spans). `None` if there is none or the search failed.
fn anchored_end(
    dfa: &regex_automata::hybrid::dfa::DFA,
    cache: &mut regex_automata::hybrid::dfa::Cache,
    text: &str,
    start: usize,
) -> Option<usize> {
    use regex_automata::{Anchored, Input};
    let input = Input::new(text).range(start..).anchored(Anchored::Yes);
    let mut sid = dfa.start_state_forward(cache, &input).ok()?;
    let b = text.as_bytes();
    let (mut at, mut end) = (start, None);
    while at < b.len() {
        let mut next = sid;
        if sid.is_tagged() {
            next = dfa.next_state(cache, sid, b[at]).ok()?;
        } else {
            // Plain table lookups until a tagged transition.
            let tagged = b[at..].iter().position(|&x| {
                next = dfa.next_state_untagged(cache, sid, x);
                if next.is_tagged() {
                    return true;
                }
                sid = next;
                false
            });
            let Some(i) = tagged else {
                break;
            };
            at += i;
            if next.is_unknown() {
                next = dfa.next_state(cache, sid, b[at]).ok()?;
            }
        }
        // Matches are reported one byte late: a match state entered on the byte at `at` ends
        // a match at `at`.
        if next.is_match() {
            end = Some(at);
        } else if next.is_dead() {
            return end;
        } else if next.is_quit() {
            return None;
        }
        sid = next;
        at += 1;
    }
    match dfa.next_eoi_state(cache, sid) {
        Ok(s) if s.is_match() => Some(b.len()),
        Ok(_) => end,
        Err(_) => None,
    }
}

/// Every `(cue, start)` of a match of a cue in `allowed`, by one backward walk of the union
/// DFA over `text`: the library's overlapping reverse search written as a plain loop (that
/// search re-enters once per reported match and keeps per-byte bookkeeping, which costs more
/// than the transitions on a short text). A match state reached after reading the byte at `at`
/// reports matches starting at `at + 1`; the end-of-input transition, those starting at 0.
/// False if the lazy DFA gave up (a full cache) or the text needed more than
/// [`MAX_NEW_TRANSITIONS`] new transitions.
fn all_starts(
    rev: &regex_automata::hybrid::dfa::DFA,
    union: &mut UnionCache,
    text: &str,
    allowed: u128,
    built: &mut u32,
) -> bool {
    let UnionCache {
        cache,
        masks,
        starts,
        ..
    } = union;
    // The memo is keyed by state ids, which a cleared cache would reuse (never done here).
    if cache.clear_count() != 0 {
        return false;
    }
    let input = regex_automata::Input::new(text);
    let mut sid = match rev.start_state_reverse(cache, &input) {
        Ok(s) if !s.is_tagged() => s,
        _ => return false,
    };
    // A match state's cues, from the memo (filled on first sight: reading them from the state
    // costs several times a lookup).
    let report =
        |sid, at: usize, starts: &mut Vec<(u32, u32)>, masks: &mut StateMasks, cache: &_| {
            let all = *masks.entry(sid).or_insert_with(|| {
                (0..rev.match_len(cache, sid)).fold(0, |m, k| {
                    m | 1 << rev.match_pattern(cache, sid, k).as_usize()
                })
            });
            let mut m = all & allowed;
            while m != 0 {
                let cue = m.trailing_zeros();
                m &= m - 1;
                starts.push((cue, at as u32));
            }
        };
    let b = text.as_bytes();
    let mut at = b.len();
    'walk: loop {
        // The plain table lookups (`sid` stays untagged) until a tagged transition, on the
        // byte at `at`: the special cases below.
        let mut next = sid;
        let tagged = b[..at].iter().rposition(|&x| {
            next = rev.next_state_untagged(cache, sid, x);
            if next.is_tagged() {
                return true;
            }
            sid = next;
            false
        });
        let Some(i) = tagged else {
            break;
        };
        at = i;
        if next.is_unknown() {
            // A transition not computed yet (to an existing state or a new one).
            *built += 1;
            if *built > MAX_NEW_TRANSITIONS {
                return false;
            }
            next = match rev.next_state(cache, sid, b[at]) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
        // Out of a match state (tagged) with the checked transition, until untagged.
        while next.is_match() {
            report(next, at + 1, starts, masks, cache);
            if at == 0 {
                sid = next;
                break 'walk;
            }
            at -= 1;
            next = match rev.next_state(cache, next, b[at]) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
        if next.is_dead() {
            return true;
        }
        // A quit state, or a tag this loop does not expect: the prefilter path instead.
        if next.is_tagged() {
            return false;
        }
        sid = next;
    }
    match rev.next_eoi_state(cache, sid) {
        Ok(s) => {
            if s.is_match() {
                report(s, 0, starts, masks, cache);
            }
            true
        }
        Err(_) => false,
    }
}

/// Texts over which [`starts_then_anchored`] judges whether the union DFA pays on this
/// thread's workload: a workload of recurring response shapes (one model's refusals, templated
/// answers) soon needs no new transitions; in varied text nearly every response does, and
/// each new state costs more than the prefilter path's whole search.
const ADAPT_WINDOW: u32 = 32;
/// Most transitions the union DFA may add for one text before the text takes the prefilter
/// path: bounds what a varied text costs while the thread is still judging (~1 ms), and a
/// recurring long text still completes its states over a few repeats.
const MAX_NEW_TRANSITIONS: u32 = 32;

/// Per-thread state of the union path ([`starts_then_anchored`]).
struct StartsState {
    cache: Option<UnionCache>,
    /// Texts in the current window, and how many of them needed new transitions.
    texts: u32,
    learning: u32,
    /// Past the first window.
    warm: bool,
    /// The union DFA did not pay on this thread: the prefilter path only, from now on.
    off: bool,
}

thread_local! {
    /// This thread's union DFA state ([`starts_then_anchored`]).
    static STARTS: std::cell::RefCell<StartsState> = const {
        std::cell::RefCell::new(StartsState {
            cache: None,
            texts: 0,
            learning: 0,
            warm: false,
            off: false,
        })
    };
    /// This thread's prefilter result for the text being classified.
    static SCAN: std::cell::RefCell<Scan> = const {
        std::cell::RefCell::new(Scan {
            hits: [0; MAX_LITERALS / 64],
            last_end: Vec::new(),
        })
    };
    /// This thread's caches for the twins' lazy DFAs ([`Compiled::ascii_lazy`]).
    static LAZY_CACHES: std::cell::RefCell<Vec<regex_automata::hybrid::regex::Cache>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// This thread's [`proxy_byte`] decisions, by character.
    static PROXIES: std::cell::RefCell<std::collections::HashMap<char, (u8, u128)>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
    /// Reused buffers for [`typo_rewrite`]: the ASCII copy and its byte-offset map.
    static TYPO_BUF: std::cell::RefCell<(String, Vec<u32>)> =
        const { std::cell::RefCell::new((String::new(), Vec::new())) };
}

/// [`rewrite_ascii`] with the typographic map ([`typo_map`]) and every other non-ASCII character
/// replaced by its proxy byte
/// ([`proxy_byte`]); returns the cues for which the rewrite is exact (all of them if only the
/// typographic map was needed), `None` if a buffer is in use.
pub(super) fn proxy_rewrite(
    c: &Compiled,
    text: &str,
    ascii: &mut String,
    orig: &mut Vec<u32>,
) -> Option<u128> {
    PROXIES.with(|cache| {
        let mut cache = cache.try_borrow_mut().ok()?;
        let mut exact = u128::MAX;
        let done = rewrite_ascii(text, ascii, orig, |ch| {
            if let Some(m) = c.typo.iter().find(|m| m.0 == ch) {
                return Some(m.1);
            }
            let (b, cues) = *cache.entry(ch).or_insert_with(|| proxy_byte(c, ch));
            exact &= cues;
            Some(b)
        });
        done.then_some(exact)
    })
}

/// The ASCII byte that stands for non-ASCII character `ch` in a proxy rewrite — `_` for a word
/// character, a space for whitespace, `\x01` otherwise — and the cues for which it is exact:
/// those with no literal holding `ch` or the byte, and no class that holds one of
/// `ch` and the byte but not the other. For them a literal cannot match either (it lacks
/// both `ch` and the byte), `\b` sees the same word-ness, a class the same membership, and one
/// character is one byte, so repetition counts agree: the twin matches the rewrite exactly
/// where the pattern as written matches the text.
pub(super) fn proxy_byte(c: &Compiled, ch: char) -> (u8, u128) {
    let Ok(word) = regex_syntax::try_is_word_character(ch) else {
        return (0x01, 0);
    };
    let b = if word {
        b'_'
    } else if ch.is_whitespace() {
        b' '
    } else {
        0x01
    };
    let holds = |k: &regex_syntax::hir::ClassUnicode, x: char| {
        k.ranges().iter().any(|r| r.start() <= x && x <= r.end())
    };
    let mut inexact = c.odd_literals;
    for &(x, cues) in &c.lit_chars {
        if x == ch {
            inexact |= cues;
        }
    }
    for &(x, cues) in &c.proxy_lits {
        if x == b {
            inexact |= cues;
        }
    }
    for (k, cues) in &c.proxy_classes {
        if holds(k, ch) != holds(k, char::from(b)) {
            inexact |= cues;
        }
    }
    (b, !inexact)
}

/// Rewrite `text` into `ascii`, every non-ASCII character replaced by the byte `map` gives it;
/// `orig[i]` is the offset in `text` of `ascii`'s byte `i` (and `orig[ascii.len()]` is
/// `text.len()`). False if some non-ASCII character has no mapping.
fn rewrite_ascii(
    text: &str,
    ascii: &mut String,
    orig: &mut Vec<u32>,
    mut map: impl FnMut(char) -> Option<u8>,
) -> bool {
    ascii.clear();
    orig.clear();
    let Ok(len) = u32::try_from(text.len()) else {
        return false;
    };
    let mut buf = std::mem::take(ascii).into_bytes();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            buf.push(b);
            orig.push(i as u32);
            i += 1;
            continue;
        }
        let Some(ch) = text[i..].chars().next() else {
            return false;
        };
        let Some(a) = map(ch) else {
            *ascii = String::from_utf8(buf).unwrap_or_default();
            return false;
        };
        buf.push(a);
        orig.push(i as u32);
        i += ch.len_utf8();
    }
    orig.push(len);
    // Every byte pushed is ASCII.
    *ascii = String::from_utf8(buf).unwrap_or_default();
    ascii.len() + 1 == orig.len()
}

/// Candidate rewrites of typographic characters to ASCII: right single quote to an apostrophe
/// (the cues accept both), no-break spaces to a space, and other punctuation to `\x01`, a byte
/// no cue mentions. Each is kept only if [`typo_equivalent`] proves it changes no match.
const TYPO_CANDIDATES: &[(char, u8)] = &[
    ('\u{2019}', b'\''),
    ('\u{00A0}', b' '),
    ('\u{202F}', b' '),
    ('\u{2009}', b' '),
    ('\u{2018}', 0x01),
    ('\u{201C}', 0x01),
    ('\u{201D}', 0x01),
    ('\u{2014}', 0x01),
    ('\u{2013}', 0x01),
    ('\u{2026}', 0x01),
    ('\u{00B0}', 0x01),
    ('\u{00D7}', 0x01),
    ('\u{2192}', 0x01),
    ('\u{2264}', 0x01),
    ('\u{2265}', 0x01),
    ('\u{00B1}', 0x01),
    ('\u{00B7}', 0x01),
    ('\u{2022}', 0x01),
];

/// The candidates of [`TYPO_CANDIDATES`] that are interchangeable with their ASCII byte in every
/// pattern (see [`typo_equivalent`]).
fn typo_map(hirs: &[regex_syntax::hir::Hir]) -> Vec<(char, u8)> {
    let mut lits = Vec::new();
    let mut classes = Vec::new();
    for h in hirs {
        collect_atoms(h, &mut lits, &mut classes);
    }
    TYPO_CANDIDATES
        .iter()
        .copied()
        .filter(|&(c, a)| typo_equivalent(c, a, &lits, &classes))
        .collect()
}

/// Whether character `c` and ASCII byte `a` are indistinguishable to patterns whose literals
/// and classes are `lits` and `classes`: neither occurs in any literal, every class holds both
/// or neither, both are non-word characters (word boundaries), and neither is a line
/// terminator (line anchors). Case-insensitive patterns are already expanded into classes in
/// the syntax trees, so this covers case folding too.
fn typo_equivalent(
    c: char,
    a: u8,
    lits: &[Vec<u8>],
    classes: &[regex_syntax::hir::ClassUnicode],
) -> bool {
    let ac = char::from(a);
    if !a.is_ascii() || c.is_ascii() || matches!(ac, '\n' | '\r') {
        return false;
    }
    let mut enc = [0u8; 4];
    let enc = c.encode_utf8(&mut enc).as_bytes();
    let in_lit = |l: &Vec<u8>| l.contains(&a) || l.windows(enc.len()).any(|w| w == enc);
    if lits.iter().any(in_lit) {
        return false;
    }
    let holds = |k: &regex_syntax::hir::ClassUnicode, x: char| {
        k.ranges().iter().any(|r| r.start() <= x && x <= r.end())
    };
    let word = match regex_syntax::parse(r"\w").map(|h| h.kind().clone()) {
        Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(w))) => w,
        _ => return false,
    };
    !holds(&word, c) && !holds(&word, ac) && classes.iter().all(|k| holds(k, c) == holds(k, ac))
}

/// Every literal and class of a syntax tree, appended to `lits` and `classes`.
fn collect_atoms(
    h: &regex_syntax::hir::Hir,
    lits: &mut Vec<Vec<u8>>,
    classes: &mut Vec<regex_syntax::hir::ClassUnicode>,
) {
    use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => lits.push(l.0.to_vec()),
        HirKind::Class(Class::Unicode(k)) => classes.push(k.clone()),
        HirKind::Class(Class::Bytes(_)) => {
            // Byte classes never occur in these (Unicode) patterns; if one did, refuse every
            // mapping with a class that only the ASCII side can satisfy.
            classes.push(ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
        }
        HirKind::Repetition(r) => collect_atoms(&r.sub, lits, classes),
        HirKind::Capture(c) => collect_atoms(&c.sub, lits, classes),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            for x in v {
                collect_atoms(x, lits, classes);
            }
        }
    }
}

impl Compiled {
    /// [`Compiled::prefilter_unicode`], built on first use (`None` if the patterns did not
    /// parse or the automaton failed to build).
    pub(super) fn prefilter_unicode(&self) -> Option<&Prefilter> {
        self.prefilter_unicode
            .get_or_init(|| {
                (self.unicode_hirs.len() == CUES.len())
                    .then(|| Prefilter::new(&self.unicode_hirs, false))
                    .flatten()
            })
            .as_ref()
    }
    pub(super) fn engine(&self, text: &str, twins: bool) -> &Engine {
        match &self.ascii {
            Some(a) if twins && text.is_ascii() => a,
            _ => &self.unicode,
        }
    }
}

pub(super) static COMPILED: LazyLock<Option<Compiled>> = LazyLock::new(|| {
    let pats: Vec<&str> = CUES.iter().map(|c| c.pattern).collect();
    let unicode = Engine::new(&pats)?;
    let unicode_hirs: Option<Vec<regex_syntax::hir::Hir>> =
        pats.iter().map(|p| regex_syntax::parse(p).ok()).collect();
    let hirs: Option<Vec<regex_syntax::hir::Hir>> = unicode_hirs
        .as_ref()
        .map(|hs| hs.iter().map(ascii_twin).collect());
    let twins: Option<Vec<String>> = hirs
        .as_ref()
        .map(|hs| hs.iter().map(ToString::to_string).collect());
    let ascii_lazy = twins.as_ref().and_then(|t| {
        t.iter()
            .map(|p| regex_automata::hybrid::regex::Regex::new(p).ok())
            .collect::<Option<Vec<_>>>()
    });
    let ascii = twins.and_then(|t| Engine::new(&t));
    let starts = hirs
        .as_deref()
        .and_then(|h| starts_dfa(h, STARTS_CACHE_BYTES));
    let ascii_lazy = ascii_lazy.filter(|_| ascii.is_some());
    let prefilter = hirs.as_deref().and_then(|h| Prefilter::new(h, true));
    let typo = unicode_hirs.as_deref().map(typo_map).unwrap_or_default();
    let (mut lit_chars, mut odd_literals) = (Vec::<(char, u128)>::new(), 0u128);
    let mut proxy_lits = [(b'_', 0u128), (b' ', 0), (0x01, 0)];
    let mut proxy_classes: Vec<(regex_syntax::hir::ClassUnicode, u128)> = Vec::new();
    for (i, h) in unicode_hirs.iter().flatten().enumerate().take(128) {
        let bit = 1u128 << i;
        let (mut lits, mut classes) = (Vec::new(), Vec::new());
        collect_atoms(h, &mut lits, &mut classes);
        for l in lits.iter().filter(|l| !l.is_ascii()) {
            let Ok(l) = std::str::from_utf8(l) else {
                odd_literals |= bit;
                continue;
            };
            for ch in l.chars().filter(|ch| !ch.is_ascii()) {
                match lit_chars.iter_mut().find(|(x, _)| *x == ch) {
                    Some((_, cues)) => *cues |= bit,
                    None => lit_chars.push((ch, bit)),
                }
            }
        }
        for (b, cues) in &mut proxy_lits {
            if lits.iter().any(|l| l.contains(b)) {
                *cues |= bit;
            }
        }
        for k in classes {
            match proxy_classes.iter_mut().find(|(x, _)| *x == k) {
                Some((_, cues)) => *cues |= bit,
                None => proxy_classes.push((k, bit)),
            }
        }
    }
    Some(Compiled {
        unicode,
        ascii,
        ascii_lazy,
        starts,
        prefilter,
        prefilter_unicode: std::sync::OnceLock::new(),
        unicode_hirs: unicode_hirs.unwrap_or_default(),
        typo,
        lit_chars,
        odd_literals,
        proxy_lits,
        proxy_classes,
    })
});

/// The ASCII twin of a pattern, printed back to regex syntax (`None` if it does not parse).
#[cfg(test)]
pub(super) fn ascii_twin_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::parse(pattern).ok()?;
    Some(ascii_twin(&hir).to_string())
}

/// Rewrite a syntax tree so that it matches ASCII-only text exactly where the original does:
/// Unicode word-boundary assertions become their ASCII forms and classes keep only their ASCII
/// members. Literals, repetitions, alternations and anchors are kept as they are, so match
/// priorities and spans are unchanged.
pub(crate) fn ascii_twin(h: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look, Repetition,
    };
    match h.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0.clone()),
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(c)) => Hir::class(Class::Bytes(c.clone())),
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(ascii_twin(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(ascii_twin(&c.sub)),
        }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(ascii_twin).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(ascii_twin).collect()),
    }
}
