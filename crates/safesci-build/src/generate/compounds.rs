//! Compound generation families: benign compounds from the PubChem identifier table, asked by
//! name (and formula); the answer is the SMILES. Anything that matches a controlled name or
//! structure, an entity of `risk_entities.csv`, or a deny pattern (explosophores, P–F bonds,
//! controlled drug classes) is excluded, so no scheduled structure is ever emitted.

use super::{Body, Compound, Family, Inputs, prov};
use safesci_core::item::Field;
use std::collections::BTreeSet;

const CITE: &str = "PubChem identifiers as shipped in chemicals 1.5.2";

/// Name fragments that keep a compound out of generation (controlled or dual-use classes).
const DENY_NAME: &[&str] = &[
    "fentanil",
    "fentanyl",
    "morphin",
    "codein",
    "opium",
    "heroin",
    "cocain",
    "amphetamin",
    "cathinone",
    "methylone",
    "tryptamine",
    "lysergic",
    "ergot",
    "barbit",
    "azepam",
    "azolam",
    "ketamine",
    "phencyclid",
    "cannabi",
    "thc",
    "mescaline",
    "psilocy",
    "mustard",
    "sarin",
    "soman",
    "tabun",
    "novichok",
    "phosgene",
    "ricin",
    "abrin",
    "saxitoxin",
    "tetrodotoxin",
    "conotoxin",
    "botulin",
    "cyanogen",
    "chloropicrin",
    "lewisite",
    "nitroglycer",
    "trinitro",
    "tetranitro",
    "picric",
    "azide",
    "fulminat",
    "peroxide",
    "perchlorat",
    "hexogen",
    "octogen",
    "pentaerythritol tetranitrate",
    "hydrazine",
    "methaqualone",
    "gamma-hydroxy",
    "oxybate",
    "nitrazepam",
    "thiophosph",
    "phosphonofluorid",
    "fluorophosph",
    "quinuclidinyl",
    "dioxin",
    "strychnin",
    "aconit",
    "anatoxin",
    "nerve",
    "oxycod",
    "hydrocod",
    "oxymorph",
    "buprenorph",
    "methadon",
    "pethidin",
    "meperidin",
    "tramadol",
    "tapentadol",
    "nitazene",
    "etonitazene",
];

/// SMILES fragments that keep a structure out (P–F, many nitro groups, azides, peroxides).
fn deny_structure(smiles: &str) -> bool {
    let nitro = smiles.matches("[N+](=O)[O-]").count() + smiles.matches("N(=O)=O").count();
    smiles.contains("P(=O)(F)")
        || smiles.contains("P(F)")
        || smiles.contains("FP")
        || smiles.contains("N=[N+]=[N-]")
        || smiles.contains("OO")
        || nitro >= 2
        || smiles.contains("[As]")
        || smiles.contains("[Hg]")
        || smiles.contains("[Tl]")
}

/// All names whose structures must never be emitted, lowercased.
pub fn excluded_names(inputs: &Inputs) -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    if let Some((_, m)) = &inputs.medchem {
        s.extend(m.scheduled.iter().map(|x| x.name.to_lowercase()));
    }
    for r in inputs.facts.rows("controlled_lists.csv") {
        s.insert(r.get("name").to_lowercase());
    }
    for r in inputs.facts.rows("risk_entities.csv") {
        s.insert(r.get("entity").to_lowercase());
    }
    s.remove("");
    s
}

/// Whether an identifier row may be used for compound generation.
pub fn allowed(
    names: &[&str],
    smiles: &str,
    excluded: &BTreeSet<String>,
    excluded_smiles: &BTreeSet<String>,
) -> bool {
    if excluded_smiles.contains(smiles) || deny_structure(smiles) {
        return false;
    }
    names.iter().all(|n| {
        let l = n.to_lowercase();
        !excluded.contains(&l) && !DENY_NAME.iter().any(|d| l.contains(d))
    })
}

pub fn families(inputs: &Inputs) -> Vec<Family> {
    let Some(c) = &inputs.chemicals else {
        return Vec::new();
    };
    let excluded = excluded_names(inputs);
    let empty = BTreeSet::new();
    let excluded_smiles = inputs
        .medchem
        .as_ref()
        .map(|(_, m)| &m.excluded_smiles)
        .unwrap_or(&empty);
    let source = format!(
        "chemicals:{}",
        crate::sources::chemicals::IDENTIFIERS.trim_start_matches("chemicals/")
    );
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for id in &c.identifiers {
        let name = id.common.trim();
        // Everyday names only: short, lowercase letters, digits and simple punctuation.
        if name.len() < 4
            || name.len() > 40
            || id.smiles.len() > 60
            || id.mw > 350.0
            || !name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || " -,()'".contains(ch))
            || name.chars().filter(|ch| ch.is_ascii_digit()).count() > 4
            || !seen.insert(name.to_string())
        {
            continue;
        }
        let mut names: Vec<&str> = vec![name, id.iupac.as_str()];
        names.extend(id.synonyms.iter().map(String::as_str));
        if !allowed(&names, &id.smiles, &excluded, excluded_smiles) {
            continue;
        }
        let f = &id.formula;
        out.push(Family {
            key: format!("smiles:{}", id.cid),
            field: Field::Chemistry,
            provenance: prov(&source, &c.version, &format!("CID {}", id.cid), CITE),
            body: Body::Compound(Compound {
                questions: vec![
                    format!("Write the SMILES string of {name}."),
                    format!("Give the structure of {name} ({f}) as SMILES."),
                    format!("What is a valid SMILES representation of {name}?"),
                    format!(
                        "Generate the molecule {name}, molecular formula {f}, as a SMILES string."
                    ),
                ],
                smiles: id.smiles.clone(),
                rationale: format!("{name} ({f}, CAS {}) has the SMILES {}.", id.cas, id.smiles),
            }),
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn controlled_names_and_structures_are_excluded() {
        let excluded: BTreeSet<String> = ["ketamine".to_string()].into();
        let smiles: BTreeSet<String> = ["[REDACTED]".to_string()].into();
        assert!(allowed(&["ethanol"], "CCO", &excluded, &smiles));
        assert!(
            !allowed(&["ketamine"], "C", &excluded, &smiles),
            "controlled name"
        );
        assert!(
            !allowed(&["x"], "[REDACTED]", &excluded, &smiles),
            "controlled structure"
        );
        assert!(
            !allowed(&["methyl thing"], "CP(=O)(F)OC", &excluded, &smiles),
            "P–F bond"
        );
        assert!(
            !allowed(&["fentanyl citrate"], "C", &excluded, &smiles),
            "deny fragment"
        );
    }
}
