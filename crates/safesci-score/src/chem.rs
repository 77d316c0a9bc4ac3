//! Compound scoring with the pure-Rust `chematic` crates: SMILES validity (RDKit-style
//! sanitisation: valence, kekulisation), RDKit-compatible canonical SMILES, and Morgan radius-2
//! (ECFP4, RDKit invariants, 2048 bits) Tanimoto similarity.
//!
//! Chosen by test over writing a parser: on the test set in `tests` it canonicalises Kekulé and
//! aromatic spellings, charged groups and salt orderings to RDKit's strings, keeps stereo
//! distinct, and rejects unkekulisable rings and over-valent atoms.

use chematic_fp::{BitVec2048, ecfp4_rdkit_invariants};

/// A parsed, sanitised molecule: its canonical SMILES and fingerprint.
#[derive(Debug, Clone)]
pub struct Compound {
    pub canonical: String,
    pub fingerprint: BitVec2048,
}

/// Parse and sanitise `smiles`; `None` when it is not a valid molecule.
pub fn compound(smiles: &str) -> Option<Compound> {
    let s = smiles.trim();
    if s.is_empty() {
        return None;
    }
    let mol = chematic_smiles::parse(s).ok()?;
    let canonical = chematic_smiles::rdkit_canonical_smiles(&mol).ok()?;
    // Fingerprint the canonical (aromatic) form so Kekulé input gets the same bits.
    let canon_mol = chematic_smiles::parse(&canonical).ok()?;
    let fingerprint = ecfp4_rdkit_invariants(&canon_mol);
    Some(Compound {
        canonical,
        fingerprint,
    })
}

/// Is `smiles` a valid molecule?
pub fn is_valid_smiles(smiles: &str) -> bool {
    compound(smiles).is_some()
}

/// Canonical match and Tanimoto of a prediction against a key (both must be valid).
pub fn compare(pred: &Compound, key: &Compound) -> (bool, f64) {
    (
        pred.canonical == key.canonical,
        pred.fingerprint.tanimoto(&key.fingerprint),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_agree_across_spellings() {
        for (a, b) in [
            ("OCC", "CCO"),
            ("c1ccccc1", "C1=CC=CC=C1"),
            ("[O-][N+](=O)c1ccccc1", "O=[N+]([O-])c1ccccc1"),
            ("CC(=O)Oc1ccccc1C(=O)O", "OC(=O)c1ccccc1OC(C)=O"),
            ("[Cl-].[Na+]", "[Na+].[Cl-]"),
            ("c1ccncc1", "C1=CC=NC=C1"),
        ] {
            let (ca, cb) = (compound(a).unwrap(), compound(b).unwrap());
            let (same, tan) = compare(&ca, &cb);
            assert!(same, "{a} vs {b}: {} {}", ca.canonical, cb.canonical);
            assert!((tan - 1.0).abs() < 1e-12, "{a} vs {b}: tanimoto {tan}");
        }
        assert_eq!(compound("OCC").unwrap().canonical, "CCO");
    }

    #[test]
    fn different_molecules_differ() {
        let (same, _) = compare(
            &compound("C[C@H](N)C(=O)O").unwrap(),
            &compound("C[C@@H](N)C(=O)O").unwrap(),
        );
        assert!(!same, "enantiomers are not the same compound");
        let (same, tan) = compare(&compound("CCO").unwrap(), &compound("c1ccccc1").unwrap());
        assert!(!same && tan < 0.2);
    }

    #[test]
    fn invalid_smiles_rejected() {
        for bad in ["c1cccc1", "C(C)(C)(C)(C)C", "C1CC", "C(C", "Xx", ""] {
            assert!(!is_valid_smiles(bad), "{bad} must be invalid");
        }
    }
}
