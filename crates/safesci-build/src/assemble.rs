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
pub const GENERATOR_VERSION: &str = "safesci-build/1";

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
    let mut seen = HashSet::new();
    let mut v = 0usize;
    let limit = want * 3 + 8;
    while out.len() < want && v < limit {
        if let Some(mut d) = generate::variant(f, seed, v) {
            d.split = split;
            let mut item = d.build();
            if seen.insert(item.id.clone()) {
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

#[derive(Default)]
struct CountBuilder {
    items: u64,
    families: HashSet<String>,
    cells: BTreeMap<String, (u64, HashSet<String>)>,
    fields: BTreeMap<String, (u64, HashSet<String>)>,
    tracks: BTreeMap<String, (u64, HashSet<String>)>,
    formats: BTreeMap<String, (u64, HashSet<String>)>,
}

impl CountBuilder {
    fn add(&mut self, item: &Item) {
        self.items += 1;
        self.families.insert(item.family.clone());
        let bump = |m: &mut BTreeMap<String, (u64, HashSet<String>)>, k: String| {
            let e = m.entry(k).or_default();
            e.0 += 1;
            e.1.insert(item.family.clone());
        };
        bump(
            &mut self.cells,
            format!("{}/{}/{}", item.field, item.track, item.format),
        );
        bump(&mut self.fields, item.field.to_string());
        bump(&mut self.tracks, item.track.to_string());
        bump(&mut self.formats, item.format.to_string());
    }

    fn finish(self) -> Counts {
        let conv = |m: BTreeMap<String, (u64, HashSet<String>)>| {
            m.into_iter()
                .map(|(k, (n, f))| {
                    (
                        k,
                        CellCount {
                            items: n,
                            families: f.len() as u64,
                        },
                    )
                })
                .collect()
        };
        Counts {
            items: self.items,
            families: self.families.len() as u64,
            cells: conv(self.cells),
            by_field: conv(self.fields),
            by_track: conv(self.tracks),
            by_format: conv(self.formats),
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

fn ngrams(text: &str) -> Vec<u64> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '.')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    if words.len() < NGRAM {
        return Vec::new();
    }
    words
        .windows(NGRAM)
        .map(|w| {
            let refs: Vec<&str> = w.iter().map(String::as_str).collect();
            hash64(&refs)
        })
        .collect()
}

/// Everything the build reports (also the body of `manifest.json`, with source records added).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BuildOutcome {
    pub bench: Counts,
    pub train: Counts,
    pub families_total: u64,
    pub duplicates_removed: u64,
    pub decontamination: Decontamination,
}

/// Run the build for already-generated families and write `bench.jsonl`, `train.jsonl` and
/// `decontamination.json` into `params.out`.
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
    let mut global_seen: HashSet<u64> = HashSet::new();
    let mut bench_grams: HashMap<u64, (u32, u32)> = HashMap::new();
    for split in [Split::Bench, Split::Train] {
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
        let mut w = std::io::BufWriter::with_capacity(1 << 22, file);
        let mut cb = CountBuilder::default();
        let mut overlapping = 0u64;
        let mut overlap_families: HashSet<String> = HashSet::new();
        let mut examples = Vec::new();
        let boiler = |g: &u64, grams: &HashMap<u64, (u32, u32)>| {
            grams
                .get(g)
                .is_some_and(|(_, n)| *n <= BOILERPLATE_FAMILIES)
        };
        let indexed: Vec<(usize, &Family)> = chosen.iter().copied().enumerate().collect();
        for chunk in indexed.chunks(2048) {
            type Gen = (Vec<(Item, u64, String)>, Option<BuildError>, Vec<Vec<u64>>);
            let results: Vec<Gen> = chunk
                .par_iter()
                .map(|(i, f)| {
                    let items = family_items(f, split, counts[*i], params.seed);
                    let mut lines = Vec::with_capacity(items.len());
                    let mut grams = Vec::with_capacity(items.len());
                    for item in items {
                        if let Err(e) = item.validate() {
                            return (
                                Vec::new(),
                                Some(BuildError::Invalid {
                                    id: item.id.0.clone(),
                                    message: e.to_string(),
                                }),
                                Vec::new(),
                            );
                        }
                        if let Some(h) = scanner.scan_item(&item).into_iter().next() {
                            return (
                                Vec::new(),
                                Some(BuildError::Hazard {
                                    id: item.id.0.clone(),
                                    family: item.family.clone(),
                                    rule: h.rule,
                                    part: h.part,
                                }),
                                Vec::new(),
                            );
                        }
                        let key = hash64(&[&item.id.0]);
                        let line = serde_json::to_string(&item).unwrap_or_default();
                        grams.push(ngrams(&item.question));
                        lines.push((item, key, line));
                    }
                    (lines, None, grams)
                })
                .collect();
            for (fam_idx, (lines, err, grams)) in results.into_iter().enumerate() {
                if let Some(e) = err {
                    return Err(e);
                }
                let family_no = (chunk[fam_idx].0 + 1) as u32;
                for ((item, key, line), g) in lines.into_iter().zip(grams) {
                    if !global_seen.insert(key) {
                        outcome.duplicates_removed += 1;
                        continue;
                    }
                    match split {
                        Split::Bench => {
                            for h in g {
                                let e = bench_grams.entry(h).or_insert((0, 0));
                                if e.0 != family_no {
                                    e.0 = family_no;
                                    e.1 = e.1.saturating_add(1);
                                }
                            }
                        }
                        Split::Train => {
                            if g.iter().any(|h| boiler(h, &bench_grams)) {
                                overlapping += 1;
                                if overlap_families.insert(item.family.clone())
                                    && examples.len() < 20
                                {
                                    examples.push(format!("{} ({})", item.id, item.family));
                                }
                            }
                        }
                    }
                    cb.add(&item);
                    w.write_all(line.as_bytes()).map_err(werr(&path))?;
                    w.write_all(b"\n").map_err(werr(&path))?;
                }
            }
        }
        w.flush().map_err(werr(&path))?;
        match split {
            Split::Bench => outcome.bench = cb.finish(),
            Split::Train => {
                outcome.train = cb.finish();
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
                    train_items_overlapping: overlapping,
                    overlap_rate: if outcome.train.items == 0 {
                        0.0
                    } else {
                        overlapping as f64 / outcome.train.items as f64
                    },
                    family_overlap: 0,
                    examples,
                    note: format!(
                        "Word {NGRAM}-grams of train questions checked against bench questions. N-grams that occur in more than {BOILERPLATE_FAMILIES} bench families are question templates and are ignored. Families never cross splits (family_overlap = 0 by construction); remaining overlaps are shared entity names inside different facts (e.g. the same chemical asked about a different property)."
                    ),
                };
            }
        }
    }
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
