//! Time the strict alignment scorers on pairs from a file (one `kind<TAB>pred<TAB>key` per line,
//! kind `protein` or `gene`), as written by `scripts/bench-align.sh`, which runs Biopython's
//! `PairwiseAligner` on the same pairs.
//!
//! `align-bench PAIRS.tsv [RESULTS.tsv [REPS]]` prints, per kind, `kind pairs seconds_alignment
//! seconds_full median_alignment slowest_alignment`: the first two are the fastest of REPS passes
//! (default 5) over all pairs, the last two the median and slowest alignment pass (the spread
//! within one run). "Alignment" is score + one optimal alignment's identity (what Biopython's
//! `align(a, b)[0]` plus `counts()` computes), "full" the whole strict metric (that plus the
//! edit distance). RESULTS.tsv gets `kind score columns matches` per pair for the cross-check.

use safesci_score::align;
use std::fmt::Write as _;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: align-bench PAIRS.tsv [RESULTS.tsv]"))?;
    let out = args.next();
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let text = std::fs::read_to_string(&path)?;
    let mut protein = Vec::new();
    let mut gene = Vec::new();
    for line in text.lines() {
        let mut p = line.split('\t');
        let (Some(kind), Some(a), Some(b)) = (p.next(), p.next(), p.next()) else {
            continue;
        };
        match kind {
            "protein" => protein.push((a.as_bytes().to_vec(), b.as_bytes().to_vec())),
            _ => gene.push((a.as_bytes().to_vec(), b.as_bytes().to_vec())),
        }
    }
    let mut results = String::new();
    for (kind, pairs) in [("protein", &protein), ("gene", &gene)] {
        let is_protein = kind == "protein";
        // Score + one optimal alignment (identity).
        let mut alns = Vec::with_capacity(pairs.len());
        let mut passes = Vec::with_capacity(reps);
        for _ in 0..reps {
            alns.clear();
            let t = Instant::now();
            for (a, b) in pairs.iter() {
                alns.push(if is_protein {
                    align::protein_alignment(a, b)
                } else {
                    align::gene_alignment(a, b)
                });
            }
            passes.push(t.elapsed().as_secs_f64());
        }
        passes.sort_by(f64::total_cmp);
        let secs_aln = passes.first().copied().unwrap_or(0.0);
        let median = passes.get(passes.len() / 2).copied().unwrap_or(0.0);
        let slowest = passes.last().copied().unwrap_or(0.0);
        // The full strict metric: alignment + edit distance.
        let mut sink = 0.0;
        let mut secs_full = f64::INFINITY;
        for _ in 0..reps {
            let t = Instant::now();
            for (a, b) in pairs.iter() {
                let s = if is_protein {
                    align::protein(a, b)
                } else {
                    align::gene(a, b)
                };
                sink += s.identity + s.score + s.edit_distance as f64;
            }
            secs_full = secs_full.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{kind} {} {secs_aln:.5} {secs_full:.5} {median:.5} {slowest:.5}",
            pairs.len()
        );
        eprintln!("({kind} checksum {sink:.3})");
        for a in &alns {
            let _ = writeln!(results, "{kind}\t{}\t{}\t{}", a.score, a.columns, a.matches);
        }
    }
    if let Some(out) = out {
        std::fs::write(out, results)?;
    }
    Ok(())
}
