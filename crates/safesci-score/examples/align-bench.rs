//! Time the strict alignment scorers on pairs from a file (one `kind<TAB>pred<TAB>key` per line,
//! kind `protein` or `gene`), as written by `scripts/bench-align.sh`, which runs Biopython's
//! `PairwiseAligner` on the same pairs. Prints `kind pairs seconds` lines.

use safesci_score::align;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: align-bench PAIRS.tsv"))?;
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
    for (kind, pairs) in [("protein", &protein), ("gene", &gene)] {
        let t = Instant::now();
        let mut sink = 0.0;
        for (a, b) in pairs.iter() {
            let s = if kind == "protein" {
                align::protein(a, b)
            } else {
                align::gene(a, b)
            };
            sink += s.identity + s.score;
        }
        let secs = t.elapsed().as_secs_f64();
        println!("{kind} {} {secs:.4} {sink:.3}", pairs.len());
    }
    Ok(())
}
