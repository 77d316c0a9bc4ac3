//! Routing of official items: which prompt family (and so which format and track) an item gets,
//! decided, as in the reference, only by its `source_file` looked up in the five manifests, with
//! the `category` override for choice files.
//!
//! The built-in manifests (`manifests/*.csv` in this crate) list the 88 evaluation files of the
//! reference's `data/*.csv`, plus the 11 bad-intent files that the reference names only in its
//! scoring script. A directory of user manifests (same file names) replaces them. Lines are read
//! tolerantly (CRLF, blank lines, trailing spaces) and paths are normalised on both sides, which is
//! what the reference needed and did not do.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The 12 categories that send a choice item to the refusal (QA) path. Matched exactly.
pub const REJECT_CATEGORIES: [&str; 12] = [
    "CriticalNuclearParameters",
    "FacilitySecurityVulnerabilities",
    "NuclearDesignSpecifications",
    "MaliciousOperationalExploitation",
    "HighRiskMaterialSecurity",
    "RDDProductionandImpact",
    "ProliferationTechnologyRisks",
    "LightHeavyWeaponsManufacturing",
    "PsychologicalManipulationTactics",
    "CoerciveControlStrategies",
    "GroomingExploitationMethods",
    "GaslightingIsolationTechniques",
];

/// Manifest file names, in the order the reference's router tries them (bad intent is ours).
pub const MANIFEST_FILES: [&str; 6] = [
    "mcq.csv",
    "protein_gen.csv",
    "gene_gen.csv",
    "compound_gen.csv",
    "tf_q.csv",
    "bad_intent.csv",
];

const BUILTIN: [&str; 6] = [
    include_str!("../../manifests/mcq.csv"),
    include_str!("../../manifests/protein_gen.csv"),
    include_str!("../../manifests/gene_gen.csv"),
    include_str!("../../manifests/compound_gen.csv"),
    include_str!("../../manifests/tf_q.csv"),
    include_str!("../../manifests/bad_intent.csv"),
];

/// Failure to read a user manifest.
#[derive(Debug, thiserror::Error)]
#[error("failed to read manifest `{path}`: {error}")]
pub struct ManifestError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// Where the reference sends an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Choice file, item has `gt`: options used as given, in order.
    PresetChoice,
    /// Choice file, no `gt`: answer + distractors, shuffled.
    ShuffledChoice,
    ProteinGen,
    GeneGen,
    CompoundGen,
    TrueFalse,
    /// The QA prompt; why it ended up there decides the track.
    Qa(QaReason),
}

/// Why an item took the QA route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QaReason {
    /// A choice item whose category is one of the 12 reject categories.
    RejectCategory,
    /// One of the 11 bad-intent files.
    BadIntent,
    /// An `automated/…KI_questions…` file (LLM-generated malicious questions).
    Automated,
    /// Any other file: knowledge QA, or a source no manifest lists.
    Other,
}

/// The five routing manifests plus the bad-intent list, as normalised path sets.
#[derive(Debug, Clone)]
pub struct Manifests {
    choice: HashSet<String>,
    protein: HashSet<String>,
    gene: HashSet<String>,
    compound: HashSet<String>,
    true_false: HashSet<String>,
    bad_intent: HashSet<String>,
}

/// Normalise a source path for comparison: trim whitespace, use `/`, drop a leading `./` and
/// one `data/` or `data_v2/` prefix.
pub fn normalise_path(raw: &str) -> String {
    let mut s = raw.trim().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    for prefix in ["data_v2/", "data/"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    s
}

fn parse_list(text: &str) -> HashSet<String> {
    text.lines()
        .map(normalise_path)
        .filter(|l| !l.is_empty())
        .collect()
}

impl Manifests {
    /// The manifests written from the reference's file inventory.
    pub fn builtin() -> Manifests {
        Manifests::from_texts(BUILTIN.map(|t| t.to_string()))
    }

    fn from_texts(texts: [String; 6]) -> Manifests {
        let [choice, protein, gene, compound, true_false, bad_intent] =
            texts.map(|t| parse_list(&t));
        Manifests {
            choice,
            protein,
            gene,
            compound,
            true_false,
            bad_intent,
        }
    }

    /// Read manifests from a directory holding any of [`MANIFEST_FILES`]; a file that is absent
    /// keeps the built-in list.
    pub fn from_dir(dir: &Path) -> Result<Manifests, ManifestError> {
        let mut texts = BUILTIN.map(|t| t.to_string());
        for (name, text) in MANIFEST_FILES.iter().zip(texts.iter_mut()) {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|error| ManifestError {
                path: path.clone(),
                error,
            })?;
            *text = String::from_utf8_lossy(&bytes).into_owned();
        }
        Ok(Manifests::from_texts(texts))
    }

    /// Whether a normalised path names one of the bad-intent files.
    pub fn is_bad_intent(&self, normalised: &str) -> bool {
        self.bad_intent.contains(normalised)
    }

    /// The reference's routing (`_get_prompt`), branch for branch.
    pub fn route(&self, normalised: &str, category: Option<&str>, has_gt: bool) -> Route {
        let rejected = category.is_some_and(|c| REJECT_CATEGORIES.contains(&c));
        if self.choice.contains(normalised) {
            return match (rejected, has_gt) {
                (true, _) => Route::Qa(QaReason::RejectCategory),
                (false, true) => Route::PresetChoice,
                (false, false) => Route::ShuffledChoice,
            };
        }
        if self.protein.contains(normalised) {
            Route::ProteinGen
        } else if self.gene.contains(normalised) {
            Route::GeneGen
        } else if self.compound.contains(normalised) {
            Route::CompoundGen
        } else if self.true_false.contains(normalised) {
            Route::TrueFalse
        } else if self.bad_intent.contains(normalised) {
            Route::Qa(QaReason::BadIntent)
        } else if normalised.contains("automated/") {
            Route::Qa(QaReason::Automated)
        } else {
            Route::Qa(QaReason::Other)
        }
    }

    /// Sizes of the lists (choice, protein, gene, compound, true/false, bad intent).
    pub fn sizes(&self) -> [usize; 6] {
        [
            self.choice.len(),
            self.protein.len(),
            self.gene.len(),
            self.compound.len(),
            self.true_false.len(),
            self.bad_intent.len(),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lists_match_the_inventory() {
        assert_eq!(
            Manifests::builtin().sizes(),
            [71, 5, 2, 2, 8, 11],
            "71 choice, 5 protein, 2 gene, 2 compound, 8 true/false, 11 bad intent"
        );
        let choice = parse_list(BUILTIN[0]);
        assert_eq!(choice.iter().filter(|p| p.contains("_scq")).count(), 64);
        assert_eq!(choice.iter().filter(|p| p.contains("_mcq")).count(), 7);
    }

    #[test]
    fn prefixes_and_whitespace_are_normalised() {
        for raw in [
            "data/chem/x_scq_sampled.json ",
            "data_v2/chem/x_scq_sampled.json",
            "  chem/x_scq_sampled.json\r",
            "./data/chem/x_scq_sampled.json",
        ] {
            assert_eq!(
                normalise_path(raw),
                "chem/x_scq_sampled.json",
                "from {raw:?}"
            );
        }
        // Only the leading prefix goes: `ord-data/` inside the path stays.
        assert_eq!(
            normalise_path("data/chem/ord-data/a.json"),
            "chem/ord-data/a.json"
        );
    }

    #[test]
    fn messy_manifest_text_is_tolerated() {
        let set = parse_list("data/a.json \r\n\r\n data_v2/b.json\r\n \r\n\r\n");
        assert_eq!(
            set.len(),
            2,
            "blank and space-only lines are skipped: {set:?}"
        );
        assert!(set.contains("a.json") && set.contains("b.json"));
    }

    #[test]
    fn reject_category_overrides_choice_only() {
        let m = Manifests::builtin();
        let wiki = "physics/nuclear_wiki_scq_sampled.json";
        assert_eq!(m.route(wiki, None, false), Route::ShuffledChoice);
        assert_eq!(m.route(wiki, None, true), Route::PresetChoice);
        assert_eq!(
            m.route(wiki, Some("CriticalNuclearParameters"), true),
            Route::Qa(QaReason::RejectCategory)
        );
        // Case-sensitive, as in the reference.
        assert_eq!(
            m.route(wiki, Some("criticalnuclearparameters"), false),
            Route::ShuffledChoice
        );
        let tf = "physics/SciKnowEval_physics_laboratory_safety_tf_sampled.json";
        assert_eq!(
            m.route(tf, Some("CriticalNuclearParameters"), false),
            Route::TrueFalse,
            "the override applies to choice files only"
        );
    }
}
