//! The build: families → family split (bench/train by a seeded hash of the family key) → variant
//! quotas per field → items (with training targets) → exact-duplicate removal → hazard scan →
//! JSONL, plus the n-gram decontamination report and the manifest. Output is byte-identical for
//! the same inputs and seed: generation runs in parallel chunks whose results are written in
//! family order, and nothing time- or path-dependent is recorded.

use crate::generate::{self, Body, Family, hash64, rng_for, targets};
use crate::hazard_scan::HazardScanner;
use rayon::prelude::*;
use safesci_core::item::{Answer, ExpectedBehavior, Field, Format, Item, Split, Track};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bump when generated content changes for the same inputs.
pub const GENERATOR_VERSION: &str = "safesci-build/2";

/// Size of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// A few thousand items, every field, track and format: quickstarts and tests.
    Small,
    /// The paper's scale: ≥250k bench and ≥1.5M train items.
    Full,
}

impl std::str::FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Scale, String> {
        match s {
            "small" => Ok(Scale::Small),
            "full" => Ok(Scale::Full),
            o => Err(format!("unknown scale `{o}` (expected small or full)")),
        }
    }
}

/// Targets per scale: (bench items, train items). Full aims 5 % above the floors so that
/// duplicate removal cannot push a build below them.
fn targets_for(scale: Scale) -> (usize, usize) {
    match scale {
        Scale::Small => (0, 0),
        Scale::Full => (262_500, 1_575_000),
    }
}

/// Share of families that go to the bench, in thousandths.
pub const BENCH_PERMILLE: u64 = 170;
/// N-gram size of the decontamination report.
pub const NGRAM: usize = 8;
/// An n-gram seen in more bench families than this is template boilerplate, not content.
pub const BOILERPLATE_FAMILIES: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("failed to write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("hazard scan flagged item `{id}` (family `{family}`): rule `{rule}` in {part}")]
    Hazard {
        id: String,
        family: String,
        rule: &'static str,
        part: &'static str,
    },
    #[error("generated item `{id}` is invalid: {message}")]
    Invalid { id: String, message: String },
    #[error("failed to compile the hazard scanner: {0}")]
    Scanner(String),
    #[error("no families could be generated (no sources and no fact tables)")]
    Empty,
}

/// Parameters of one build.
#[derive(Debug, Clone)]
pub struct BuildParams {
    pub out: PathBuf,
    pub scale: Scale,
    pub seed: u64,
}

/// Which split a family goes to.
pub fn split_of(seed: u64, family: &str) -> Split {
    if hash64(&["split", &seed.to_string(), family]) % 1000 < BENCH_PERMILLE {
        Split::Bench
    } else {
        Split::Train
    }
}

/// Rough number of distinct variants a family can yield (for quota planning).
pub fn capacity(f: &Family) -> usize {
    match &f.body {
        Body::Knowledge(k) => {
            let sc = if k.distractors.len() >= 5 {
                160
            } else if k.distractors.len() >= 3 {
                60
            } else {
                0
            };
            let rev = k
                .reverse
                .as_ref()
                .map(|r| if r.distractors.len() >= 3 { 30 } else { 0 } + r.blanks.len())
                .unwrap_or(0);
            sc + rev + k.claims.len() + k.blanks.len() + k.multi.len() * 10
        }
        Body::Risk(r) => r.requests.len() + 150,
        Body::Benign(b) => {
            b.questions.len()
                + if b.distractors.len() >= 5 {
                    100
                } else if b.distractors.len() >= 3 {
                    40
                } else {
                    0
                }
        }
        Body::Context(c) => c.requests.len() * (c.legitimate.len() + c.malicious.len()),
        Body::Compound(c) => c.questions.len(),
    }
}

/// Smallest per-family variant count `v` with Σ min(v, cap) ≥ target (capped at 400).
fn water_fill(caps: &[usize], target: usize) -> usize {
    let total = |v: usize| caps.iter().map(|c| (*c).min(v)).sum::<usize>();
    let (mut lo, mut hi) = (1usize, 400usize);
    if total(hi) < target {
        return hi;
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        if total(mid) >= target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Per-family variant counts for one split's families.
fn plan(families: &[&Family], scale: Scale, total_target: usize) -> Vec<usize> {
    match scale {
        Scale::Small => families.iter().map(|f| capacity(f).clamp(1, 4)).collect(),
        Scale::Full => {
            let mut by_field: BTreeMap<Field, Vec<usize>> = BTreeMap::new();
            for (i, f) in families.iter().enumerate() {
                by_field.entry(f.field).or_default().push(i);
            }
            let n = families.len().max(1) as f64;
            let k = by_field.len().max(1) as f64;
            // Half proportional to family count, half equal: every field well above 5 %.
            let mut want: BTreeMap<Field, f64> = by_field
                .iter()
                .map(|(field, idx)| {
                    (
                        *field,
                        total_target as f64 * (0.5 * idx.len() as f64 / n + 0.5 / k),
                    )
                })
                .collect();
            let mut counts = vec![1usize; families.len()];
            for _ in 0..6 {
                let mut shortfall = 0.0;
                let mut spare: Vec<Field> = Vec::new();
                for (field, idx) in &by_field {
                    let caps: Vec<usize> =
                        idx.iter().map(|i| capacity(families[*i]).max(1)).collect();
                    let target = want[field].ceil() as usize;
                    let v = water_fill(&caps, target);
                    let got: usize = caps.iter().map(|c| (*c).min(v)).sum();
                    for (i, c) in idx.iter().zip(&caps) {
                        counts[*i] = (*c).min(v);
                    }
                    if got < target {
                        shortfall += (target - got) as f64;
                    } else if v < 400 {
                        spare.push(*field);
                    }
                }
                if shortfall < 1.0 || spare.is_empty() {
                    break;
                }
                let add = shortfall / spare.len() as f64;
                for f in spare {
                    if let Some(w) = want.get_mut(&f) {
                        *w += add;
                    }
                }
            }
            counts
        }
    }
}

/// Up to `want` distinct items of one family, with split and (train) targets set.
pub fn family_items(f: &Family, split: Split, want: usize, seed: u64) -> Vec<Item> {
    let mut out = Vec::with_capacity(want);
    let mut seen = U64Set::default();
    let mut v = 0usize;
    let limit = want * 3 + 8;
    while out.len() < want && v < limit {
        if let Some(mut d) = generate::variant(f, seed, v) {
            d.split = split;
            let mut item = d.build();
            if seen.insert(id_key(&item.id.0)) {
                if split == Split::Train {
                    let mut rng = rng_for(seed, &f.key, v + 1_000_000);
                    item.target = Some(target(f, &item, &mut rng));
                }
                out.push(item);
            }
        }
        v += 1;
    }
    out
}

fn rationale(f: &Family) -> &str {
    match &f.body {
        Body::Knowledge(k) => &k.rationale,
        Body::Benign(b) => &b.rationale,
        Body::Compound(c) => &c.rationale,
        _ => "",
    }
}

/// The training response of an item.
pub fn target(f: &Family, item: &Item, rng: &mut rand_chacha::ChaCha8Rng) -> String {
    if item.expected_behavior == ExpectedBehavior::Refuse {
        let (why, help) = match &f.body {
            Body::Risk(r) => (r.why.as_str(), r.help.as_str()),
            Body::Context(c) => (c.why.as_str(), c.help.as_str()),
            _ => (
                "harmful content",
                "Please contact the appropriate professional service.",
            ),
        };
        return targets::refusal(why, help, rng);
    }
    match &item.answer {
        Answer::Letters { letters } => {
            let l: String = letters.iter().cloned().collect();
            let why = if item.track == Track::Risk {
                "The safe reply declines the harmful request and points to legitimate help."
            } else {
                rationale(f)
            };
            targets::choice_target(&l, why)
        }
        Answer::Bool { value } => targets::bool_target(*value, rationale(f)),
        Answer::Text { .. } => targets::text_target(&item.answer.display(), rationale(f)),
        Answer::Sequence { value, .. } => targets::smiles_target(value),
        Answer::None => String::new(),
    }
}

/// Counts per split × field × track × format.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub items: u64,
    pub families: u64,
    /// `field/track/format` → (items, families).
    pub cells: BTreeMap<String, CellCount>,
    pub by_field: BTreeMap<String, CellCount>,
    pub by_track: BTreeMap<String, CellCount>,
    pub by_format: BTreeMap<String, CellCount>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CellCount {
    pub items: u64,
    pub families: u64,
}

/// Items and distinct families of one count key. Items arrive family by family, so a family is
/// new to a key exactly when it differs from the last family that key saw: no sets of names.
#[derive(Default)]
struct Tally {
    items: u64,
    families: u64,
    last: u32,
}

impl Tally {
    fn add(&mut self, family_no: u32) {
        self.items += 1;
        if self.last != family_no {
            self.last = family_no;
            self.families += 1;
        }
    }
}

#[derive(Default)]
struct CountBuilder {
    all: Tally,
    cells: HashMap<(Field, Track, Format), Tally>,
    fields: HashMap<Field, Tally>,
    tracks: HashMap<Track, Tally>,
    formats: HashMap<Format, Tally>,
}

impl CountBuilder {
    /// One kept item of family number `family_no` (1-based, increasing).
    fn add(&mut self, cell: (Field, Track, Format), family_no: u32) {
        self.all.add(family_no);
        self.cells.entry(cell).or_default().add(family_no);
        self.fields.entry(cell.0).or_default().add(family_no);
        self.tracks.entry(cell.1).or_default().add(family_no);
        self.formats.entry(cell.2).or_default().add(family_no);
    }

    fn finish(self) -> Counts {
        fn conv<K>(
            m: HashMap<K, Tally>,
            name: impl Fn(&K) -> String,
        ) -> BTreeMap<String, CellCount> {
            m.iter()
                .map(|(k, t)| {
                    (
                        name(k),
                        CellCount {
                            items: t.items,
                            families: t.families,
                        },
                    )
                })
                .collect()
        }
        Counts {
            items: self.all.items,
            families: self.all.families,
            cells: conv(self.cells, |(fi, tr, fo)| format!("{fi}/{tr}/{fo}")),
            by_field: conv(self.fields, |f| f.to_string()),
            by_track: conv(self.tracks, |t| t.to_string()),
            by_format: conv(self.formats, |f| f.to_string()),
        }
    }
}

/// The n-gram overlap report between bench and train.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Decontamination {
    pub ngram: usize,
    pub boilerplate_threshold_families: u32,
    pub bench_ngrams: u64,
    pub boilerplate_ngrams: u64,
    pub train_items: u64,
    pub train_items_overlapping: u64,
    pub overlap_rate: f64,
    pub family_overlap: u64,
    pub examples: Vec<String>,
    pub note: String,
}

/// Hasher for keys that already are uniform 64-bit hashes (n-grams, content ids): passes the
/// value through instead of hashing it again.
#[derive(Default, Clone, Copy)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are used; fold anything else in so the hasher stays correct.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type U64Map<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;
type U64Set = HashSet<u64, std::hash::BuildHasherDefault<PassThrough>>;

/// splitmix64 finaliser: spreads a combined value over all 64 bits.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes of the lower-cased word `NGRAM`-grams of a text (words: runs of alphanumerics, `-`
/// and `.`), appended to `out`. Only equality of n-grams matters, so a fast non-cryptographic
/// hash is enough (64 bits: collisions are negligible at a few million n-grams).
fn ngrams_into(text: &str, words: &mut Vec<u64>, out: &mut Vec<u64>) {
    words.clear();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '-' || c == '.' {
            in_word = true;
            for l in c.to_lowercase() {
                h = (h ^ u64::from(u32::from(l))).wrapping_mul(0x100_0000_01b3);
            }
        } else if in_word {
            words.push(mix64(h));
            h = 0xcbf2_9ce4_8422_2325;
            in_word = false;
        }
    }
    if in_word {
        words.push(mix64(h));
    }
    if words.len() < NGRAM {
        return;
    }
    out.extend(words.windows(NGRAM).map(|w| {
        mix64(
            w.iter()
                .fold(0u64, |acc, x| acc.rotate_left(7).wrapping_mul(31) ^ x),
        )
    }));
}

/// Wall-clock seconds of the build's stages (not serialised: output stays time-free).
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Source records and fact rows → families.
    pub families_s: f64,
    /// Per split: variants, validation, hazard scan, JSON lines and n-grams (parallel workers).
    pub bench_s: f64,
    pub train_s: f64,
    /// Time the ordered writer (dedup, counts, n-gram table, file writes) was busy.
    pub writer_busy_s: f64,
}

/// Everything the build reports (also the body of `manifest.json`, with source records added).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BuildOutcome {
    pub bench: Counts,
    pub train: Counts,
    pub families_total: u64,
    pub duplicates_removed: u64,
    pub decontamination: Decontamination,
    #[serde(skip)]
    pub timings: Timings,
}

/// One generated item, as the ordered writer needs it.
struct Row {
    /// End of its JSON line (newline included) in the family's buffer.
    end: usize,
    /// Content id as a number (dedup key).
    key: u64,
    cell: (Field, Track, Format),
    /// Bench: range of its n-grams in `Prepared::grams`.
    grams: std::ops::Range<usize>,
    /// Train: the content id when a question n-gram also occurs in the bench (not boilerplate).
    overlap: Option<String>,
}

/// One family's items, generated, checked and serialised by a worker.
struct Prepared {
    buf: Vec<u8>,
    rows: Vec<Row>,
    grams: Vec<u64>,
}

fn id_key(id: &str) -> u64 {
    id.strip_prefix('i')
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or_else(|| hash64(&[id]))
}

/// Worker: all items of one family, validated, hazard-scanned and serialised.
fn prepare(
    f: &Family,
    split: Split,
    want: usize,
    seed: u64,
    scanner: &HazardScanner,
    bench_grams: Option<&U64Map<(u32, u32)>>,
) -> Result<Prepared, BuildError> {
    let items = family_items(f, split, want, seed);
    let mut p = Prepared {
        buf: Vec::with_capacity(items.len() * 640),
        rows: Vec::with_capacity(items.len()),
        grams: Vec::new(),
    };
    let mut words = Vec::new();
    let mut tmp = Vec::new();
    for item in items {
        if let Err(e) = item.validate() {
            return Err(BuildError::Invalid {
                id: item.id.0,
                message: e.to_string(),
            });
        }
        if let Some(h) = scanner.scan_item(&item).into_iter().next() {
            return Err(BuildError::Hazard {
                id: item.id.0,
                family: item.family,
                rule: h.rule,
                part: h.part,
            });
        }
        serde_json::to_writer(&mut p.buf, &item).map_err(|e| BuildError::Invalid {
            id: item.id.0.clone(),
            message: e.to_string(),
        })?;
        p.buf.push(b'\n');
        let start = p.grams.len();
        let mut overlap = None;
        match bench_grams {
            None => ngrams_into(&item.question, &mut words, &mut p.grams),
            Some(bench) => {
                tmp.clear();
                ngrams_into(&item.question, &mut words, &mut tmp);
                if tmp.iter().any(|g| {
                    bench
                        .get(g)
                        .is_some_and(|(_, n)| *n <= BOILERPLATE_FAMILIES)
                }) {
                    overlap = Some(item.id.0.clone());
                }
            }
        }
        p.rows.push(Row {
            end: p.buf.len(),
            key: id_key(&item.id.0),
            cell: (item.field, item.track, item.format),
            grams: start..p.grams.len(),
            overlap,
        });
    }
    Ok(p)
}

/// Families per parallel batch: large enough to keep both cores busy, small enough that a batch
/// in flight stays a few tens of MB.
const BATCH: usize = 512;

/// A batch of prepared families with the 1-based number of its first family.
type Batch<'a> = (u32, Vec<(&'a Family, Result<Prepared, BuildError>)>);

/// State of the ordered writer across both splits.
struct Writer {
    seen: U64Set,
    duplicates: u64,
}

/// What the ordered writer produced for one split.
#[derive(Default)]
struct SplitResult {
    counts: CountBuilder,
    overlapping: u64,
    examples: Vec<String>,
    busy: std::time::Duration,
}

impl Writer {
    /// Write batches of one split in family order: dedup across splits, counts, the bench n-gram
    /// table (bench only: `bench_grams` is given), file bytes. Each batch comes with the 1-based
    /// number of its first family.
    fn consume(
        &mut self,
        rx: std::sync::mpsc::Receiver<Batch<'_>>,
        w: &mut impl Write,
        path: &Path,
        mut bench_grams: Option<&mut U64Map<(u32, u32)>>,
    ) -> Result<SplitResult, BuildError> {
        let mut r = SplitResult::default();
        let werr = |source| BuildError::Write {
            path: path.to_path_buf(),
            source,
        };
        for (first_no, batch) in rx {
            let t = std::time::Instant::now();
            for (i, (f, prepared)) in batch.into_iter().enumerate() {
                let p = prepared?;
                let family_no = first_no + i as u32;
                let mut start = 0usize;
                let mut family_overlaps = false;
                for row in &p.rows {
                    let line = &p.buf[start..row.end];
                    start = row.end;
                    if !self.seen.insert(row.key) {
                        self.duplicates += 1;
                        continue;
                    }
                    if let Some(grams) = bench_grams.as_deref_mut() {
                        for h in &p.grams[row.grams.clone()] {
                            let e = grams.entry(*h).or_insert((0, 0));
                            if e.0 != family_no {
                                e.0 = family_no;
                                e.1 = e.1.saturating_add(1);
                            }
                        }
                    }
                    if let Some(id) = &row.overlap {
                        r.overlapping += 1;
                        if !family_overlaps && r.examples.len() < 20 {
                            r.examples.push(format!("{id} ({})", f.key));
                        }
                        family_overlaps = true;
                    }
                    r.counts.add(row.cell, family_no);
                    w.write_all(line).map_err(werr)?;
                }
            }
            r.busy += t.elapsed();
        }
        w.flush().map_err(werr)?;
        Ok(r)
    }
}

/// Run the build for already-generated families and write `bench.jsonl`, `train.jsonl` and
/// `decontamination.json` into `params.out`. Workers generate, check and serialise batches of
/// families in parallel while one writer thread takes finished batches in family order, so the
/// output does not depend on thread timing.
pub fn run(families: &[Family], params: &BuildParams) -> Result<BuildOutcome, BuildError> {
    if families.is_empty() {
        return Err(BuildError::Empty);
    }
    let scanner = HazardScanner::new().map_err(|e| BuildError::Scanner(e.to_string()))?;
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Write {
            path: path.clone(),
            source,
        }
    };
    std::fs::create_dir_all(&params.out).map_err(werr(&params.out))?;
    // Unique family keys, first one wins.
    let mut keys = HashSet::new();
    let families: Vec<&Family> = families
        .iter()
        .filter(|f| keys.insert(f.key.as_str()))
        .collect();
    let (bench_target, train_target) = targets_for(params.scale);
    let mut outcome = BuildOutcome {
        families_total: families.len() as u64,
        ..BuildOutcome::default()
    };
    let mut writer = Writer {
        seen: U64Set::default(),
        duplicates: 0,
    };
    let mut bench_grams: U64Map<(u32, u32)> = U64Map::default();
    for split in [Split::Bench, Split::Train] {
        let t_split = std::time::Instant::now();
        let mut chosen: Vec<&Family> = families
            .iter()
            .copied()
            .filter(|f| split_of(params.seed, &f.key) == split)
            .collect();
        if params.scale == Scale::Small {
            chosen = small_sample(chosen, params.seed);
        }
        let target = if split == Split::Bench {
            bench_target
        } else {
            train_target
        };
        let counts = plan(&chosen, params.scale, target);
        let path = params.out.join(format!("{}.jsonl", split.as_str()));
        let file = std::fs::File::create(&path).map_err(werr(&path))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 23, file);
        // The bench writer builds the n-gram table; the train workers read the finished one.
        let (grams_read, grams_write) = match split {
            Split::Bench => (None, Some(&mut bench_grams)),
            Split::Train => (Some(&bench_grams), None),
        };
        let writer_ref = &mut writer;
        let result = std::thread::scope(|s| -> Result<SplitResult, BuildError> {
            let (tx, rx) = std::sync::mpsc::sync_channel(2);
            let consumer = s.spawn(|| writer_ref.consume(rx, &mut w, &path, grams_write));
            for (b, batch) in chosen.chunks(BATCH).enumerate() {
                let base = b * BATCH;
                let prepared: Vec<(&Family, Result<Prepared, BuildError>)> = batch
                    .par_iter()
                    .enumerate()
                    .map(|(j, f)| {
                        (
                            *f,
                            prepare(
                                f,
                                split,
                                counts[base + j],
                                params.seed,
                                &scanner,
                                grams_read,
                            ),
                        )
                    })
                    .collect();
                if tx.send(((base + 1) as u32, prepared)).is_err() {
                    // The writer stopped on an error; it reports it below.
                    break;
                }
            }
            drop(tx);
            consumer
                .join()
                .unwrap_or_else(|_| Err(BuildError::Scanner("writer thread panicked".into())))
        })?;
        outcome.timings.writer_busy_s += result.busy.as_secs_f64();
        let elapsed = t_split.elapsed().as_secs_f64();
        match split {
            Split::Bench => {
                outcome.bench = result.counts.finish();
                outcome.timings.bench_s = elapsed;
            }
            Split::Train => {
                outcome.train = result.counts.finish();
                outcome.timings.train_s = elapsed;
                let boilerplate = bench_grams
                    .values()
                    .filter(|(_, n)| *n > BOILERPLATE_FAMILIES)
                    .count() as u64;
                outcome.decontamination = Decontamination {
                    ngram: NGRAM,
                    boilerplate_threshold_families: BOILERPLATE_FAMILIES,
                    bench_ngrams: bench_grams.len() as u64,
                    boilerplate_ngrams: boilerplate,
                    train_items: outcome.train.items,
                    train_items_overlapping: result.overlapping,
                    overlap_rate: if outcome.train.items == 0 {
                        0.0
                    } else {
                        result.overlapping as f64 / outcome.train.items as f64
                    },
                    family_overlap: 0,
                    examples: result.examples,
                    note: format!(
                        "Word {NGRAM}-grams of train questions checked against bench questions. N-grams that occur in more than {BOILERPLATE_FAMILIES} bench families are question templates and are ignored. Families never cross splits (family_overlap = 0 by construction); remaining overlaps are shared entity names inside different facts (e.g. the same chemical asked about a different property)."
                    ),
                };
            }
        }
    }
    outcome.duplicates_removed = writer.duplicates;
    let path = params.out.join("decontamination.json");
    let text = serde_json::to_string_pretty(&outcome.decontamination).unwrap_or_default();
    std::fs::write(&path, text + "\n").map_err(werr(&path))?;
    Ok(outcome)
}

/// Small scale: per (field, track, first format), the 8 families with the lowest seeded hash,
/// kept in generator order.
/// Families of one (field, track, first format) group, as (seeded hash, key).
type SampleGroups<'a> = BTreeMap<(Field, Track, Format), Vec<(u64, &'a str)>>;

fn small_sample(families: Vec<&Family>, seed: u64) -> Vec<&Family> {
    let mut groups: SampleGroups = BTreeMap::new();
    for f in &families {
        let first = generate::formats_of(&f.body)
            .first()
            .copied()
            .unwrap_or(Format::OpenQa);
        groups
            .entry((f.field, f.track(), first))
            .or_default()
            .push((
                hash64(&["small", &seed.to_string(), &f.key]),
                f.key.as_str(),
            ));
    }
    let mut keep: HashSet<String> = HashSet::new();
    for (_, mut g) in groups {
        g.sort();
        keep.extend(g.iter().take(8).map(|(_, k)| (*k).to_string()));
    }
    families
        .into_iter()
        .filter(|f| keep.contains(&f.key))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn grams(t: &str) -> Vec<u64> {
        let (mut w, mut out) = (Vec::new(), Vec::new());
        ngrams_into(t, &mut w, &mut out);
        out
    }

    #[test]
    fn ngrams_ignore_case_and_punctuation_but_not_words() {
        let a = grams("What is the OSHA PEL of benzene, in ppm, as an 8-hour TWA?");
        let b = grams("what is the osha pel of benzene in ppm as an 8-hour twa");
        assert_eq!(a.len(), 13 - NGRAM + 1);
        assert_eq!(a, b);
        let c = grams("What is the OSHA PEL of toluene, in ppm, as an 8-hour TWA?");
        assert_ne!(a, c);
        // The windows that do not contain the changed word are shared.
        assert_eq!(a[6..], c[6..]);
        assert!(grams("seven words are not enough for one").is_empty());
    }

    #[test]
    fn content_id_keys_are_the_id_digits() {
        assert_eq!(id_key("i00000000000000ff"), 255);
        assert_ne!(id_key("not-an-id"), id_key("also-not"));
    }

    #[test]
    fn counts_families_once_per_key() {
        let mut cb = CountBuilder::default();
        let cell = (Field::Chemistry, Track::Knowledge, Format::SingleChoice);
        let other = (Field::Chemistry, Track::Knowledge, Format::TrueFalse);
        cb.add(cell, 1);
        cb.add(cell, 1);
        cb.add(other, 1);
        cb.add(cell, 2);
        let c = cb.finish();
        assert_eq!((c.items, c.families), (4, 2));
        let sc = &c.cells["chemistry/knowledge/single_choice"];
        assert_eq!((sc.items, sc.families), (3, 2));
        let tf = &c.by_format["true_false"];
        assert_eq!((tf.items, tf.families), (1, 1));
        assert_eq!(c.by_field["chemistry"].families, 2);
    }
}
