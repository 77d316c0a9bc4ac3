//! Sequence scores. Strict mode: gapped global alignment with rust-bio — proteins with BLOSUM62
//! (gap open −10, extend −1 in Biopython's convention), DNA with +1/−1 and gaps −2/−1 — giving
//! identity over aligned columns, a length-normalised alignment score and the edit distance.
//! Compat mode: the reference's ungapped positional identity, ungapped BLOSUM45 sum and LCS
//! "alignment" for proteins, and its gene metrics.

use bio::alignment::distance::levenshtein;
use bio::alignment::pairwise::Aligner;
use bio::alignment::{Alignment, AlignmentOperation};
use bio::scores::blosum62;
use std::sync::LazyLock;

/// Scores of one aligned pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScores {
    /// Identical aligned columns / alignment length.
    pub identity: f64,
    /// Alignment score × 2 / (len a + len b).
    pub score: f64,
    /// Levenshtein distance.
    pub edit_distance: u64,
}

fn identity_of(aln: &Alignment) -> f64 {
    let cols = aln.operations.len();
    if cols == 0 {
        return 0.0;
    }
    let same = aln
        .operations
        .iter()
        .filter(|o| matches!(o, AlignmentOperation::Match))
        .count();
    same as f64 / cols as f64
}

/// Protein pair: global alignment with BLOSUM62.
pub fn protein(pred: &[u8], key: &[u8]) -> PairScores {
    if pred.is_empty() || key.is_empty() {
        return PairScores {
            identity: 0.0,
            score: 0.0,
            edit_distance: pred.len().max(key.len()) as u64,
        };
    }
    // Measured: rust-bio 4 charges open + (k−1)·extend for a gap of k (a 3-gap with −1/−1 costs
    // −3; see the gene test), which is Biopython's convention, so the parameters carry over as is.
    let mut aligner = Aligner::with_capacity(pred.len(), key.len(), -10, -1, &blosum62);
    let aln = aligner.global(pred, key);
    PairScores {
        identity: identity_of(&aln),
        score: aln.score as f64 * 2.0 / (pred.len() + key.len()) as f64,
        edit_distance: u64::from(levenshtein(pred, key)),
    }
}

fn dna_score(a: u8, b: u8) -> i32 {
    if a == b { 1 } else { -1 }
}

/// DNA pair: global alignment +1/−1, gap −2 then −1 per extra base (Biopython convention).
pub fn gene(pred: &[u8], key: &[u8]) -> PairScores {
    if pred.is_empty() || key.is_empty() {
        return PairScores {
            identity: 0.0,
            score: 0.0,
            edit_distance: pred.len().max(key.len()) as u64,
        };
    }
    let mut aligner = Aligner::with_capacity(pred.len(), key.len(), -2, -1, &dna_score);
    let aln = aligner.global(pred, key);
    PairScores {
        identity: identity_of(&aln),
        score: aln.score as f64 / aln.operations.len().max(1) as f64,
        edit_distance: u64::from(levenshtein(pred, key)),
    }
}

/// The BLOSUM45 matrix (Biopython's data file, embedded).
static BLOSUM45: LazyLock<[[i8; 256]; 256]> = LazyLock::new(|| {
    let text = include_str!("../data/BLOSUM45.txt");
    let mut m = [[0i8; 256]; 256];
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<u8> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|t| t.bytes().next())
        .collect();
    for line in lines {
        let mut parts = line.split_whitespace();
        let Some(row) = parts.next().and_then(|t| t.bytes().next()) else {
            continue;
        };
        for (col, v) in header.iter().zip(parts) {
            m[row as usize][*col as usize] = v.parse().unwrap_or(0);
        }
    }
    m
});

/// BLOSUM45 score of two residues.
pub fn blosum45(a: u8, b: u8) -> i32 {
    i32::from(BLOSUM45[a as usize][b as usize])
}

/// The reference's protein metrics for one valid pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompatProtein {
    pub identity: f64,
    pub blosum: f64,
    pub align: f64,
}

/// Reference validity: non-empty and only the 20 upper-case standard residues.
pub fn compat_protein_valid(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| crate::extract::PROTEIN_ALPHABET.contains(&b))
}

/// Longest common subsequence length (what `pairwise2.align.localxx(score_only=True)` returns).
pub fn lcs(a: &[u8], b: &[u8]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The reference's ungapped identity, ungapped BLOSUM45 and LCS, each × 2 / (len a + len b).
pub fn compat_protein(pred: &[u8], key: &[u8]) -> CompatProtein {
    let denom = (pred.len() + key.len()).max(1) as f64;
    let same = pred.iter().zip(key).filter(|(a, b)| a == b).count();
    let blosum: i32 = pred.iter().zip(key).map(|(a, b)| blosum45(*a, *b)).sum();
    CompatProtein {
        identity: same as f64 * 2.0 / denom,
        blosum: f64::from(blosum) * 2.0 / denom,
        align: lcs(pred, key) as f64 * 2.0 / denom,
    }
}

/// The reference's gene metrics for one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompatGene {
    pub identity: f64,
    pub coverage: f64,
    pub levenshtein: f64,
    pub similarity: f64,
}

/// The reference's gene metrics: upper-case and trim both, global alignment 1/−1/−2/−1,
/// identity and similarity over the aligned length, coverage (always 1 for non-empty input),
/// Levenshtein / max length. Ties between optimal alignments are broken by rust-bio, not
/// Biopython, so identity can differ from the reference on tied pairs.
pub fn compat_gene(pred: &str, key: &str) -> CompatGene {
    let p = pred.trim().to_uppercase();
    let k = key.trim().to_uppercase();
    if p.is_empty() || k.is_empty() {
        return CompatGene {
            identity: 0.0,
            coverage: 0.0,
            levenshtein: 1.0,
            similarity: 0.0,
        };
    }
    let mut aligner = Aligner::with_capacity(p.len(), k.len(), -2, -1, &dna_score);
    let aln = aligner.global(p.as_bytes(), k.as_bytes());
    let cols = aln.operations.len().max(1) as f64;
    CompatGene {
        identity: identity_of(&aln),
        coverage: 1.0,
        levenshtein: f64::from(levenshtein(p.as_bytes(), k.as_bytes()))
            / p.len().max(k.len()) as f64,
        similarity: aln.score as f64 / cols,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn blosum45_embedded_correctly() {
        assert_eq!(blosum45(b'A', b'A'), 5);
        assert_eq!(blosum45(b'W', b'W'), 15);
        assert_eq!(blosum45(b'C', b'C'), 12);
        assert_eq!(blosum45(b'R', b'K'), 3);
        assert_eq!(blosum45(b'W', b'C'), -5);
    }

    #[test]
    fn gapped_identity_survives_a_shift_ungapped_does_not() {
        let key = b"MKTAYIAKQRQISFVKSHFSRQ";
        let pred = b"AMKTAYIAKQRQISFVKSHFSRQ"; // one residue inserted at the front
        let strict = protein(pred, key);
        assert!(strict.identity > 0.9, "gapped identity {}", strict.identity);
        let compat = compat_protein(pred, key);
        assert!(
            compat.identity < 0.3,
            "ungapped identity {}",
            compat.identity
        );
        assert_eq!(strict.edit_distance, 1);
        // LCS of the shifted pair is the whole key.
        assert!((compat.align - 2.0 * 22.0 / 45.0).abs() < 1e-12);
    }

    #[test]
    fn identical_sequences_score_one() {
        let s = b"ACGTACGTAA";
        let g = gene(s, s);
        assert_eq!(g.identity, 1.0);
        assert_eq!(g.edit_distance, 0);
        assert_eq!(g.score, 1.0);
        let c = compat_gene("acgtacgtaa ", "ACGTACGTAA");
        assert_eq!(c.identity, 1.0);
        assert_eq!(c.coverage, 1.0);
        assert_eq!(c.levenshtein, 0.0);
    }

    #[test]
    fn gene_gap_costs_follow_biopython_convention() {
        // ACGTTT vs ACG: one gap of 3 costs −2 −1 −1 = −4; three matches +3 → score −1 over 6 cols.
        let c = compat_gene("ACGTTT", "ACG");
        assert!((c.similarity - (-1.0 / 6.0)).abs() < 1e-12, "{c:?}");
        assert!((c.identity - 0.5).abs() < 1e-12);
    }

    #[test]
    fn compat_validity_is_uppercase_twenty() {
        assert!(compat_protein_valid("MKT"));
        assert!(!compat_protein_valid("mkt"));
        assert!(!compat_protein_valid("MKX"));
        assert!(!compat_protein_valid(""));
        assert_eq!(lcs(b"ABCBDAB", b"BDCABA"), 4);
    }
}
