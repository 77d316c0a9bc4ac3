#!/usr/bin/env bash
# Protein/gene alignment: safesci (rust-bio) vs Biopython's PairwiseAligner on the same seeded
# random pairs, single thread, global alignment with traceback of one optimal alignment.
#   scripts/bench-align.sh [PAIRS_PER_KIND] [LENGTH]
# Creates a venv under target/bench-align-venv and installs biopython into it.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200}"
LEN="${2:-300}"
WORK="${CARGO_TARGET_DIR:-target}/bench-align"
mkdir -p "$WORK"
VENV="$WORK/venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q biopython
fi
PAIRS="$WORK/pairs.tsv"
"$VENV/bin/python" - "$N" "$LEN" "$PAIRS" <<'PY'
import random, sys
n, length, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(20260601)
def mutate(s, alphabet):
    s = list(s)
    for _ in range(len(s) // 10):           # ~10% substitutions
        s[rng.randrange(len(s))] = rng.choice(alphabet)
    for _ in range(len(s) // 50):           # a few indels
        i = rng.randrange(len(s))
        if rng.random() < 0.5: del s[i]
        else: s.insert(i, rng.choice(alphabet))
    return "".join(s)
with open(out, "w") as f:
    for kind, alphabet in (("protein", "ACDEFGHIKLMNPQRSTVWY"), ("gene", "ACGT")):
        for _ in range(n):
            key = "".join(rng.choice(alphabet) for _ in range(length))
            f.write(f"{kind}\t{mutate(key, alphabet)}\t{key}\n")
PY
cargo build -q --release -p safesci-score --example align-bench
RUST_OUT=$("${CARGO_TARGET_DIR:-target}/release/examples/align-bench" "$PAIRS")
PY_OUT=$("$VENV/bin/python" - "$PAIRS" <<'PY'
import sys, time
from Bio import Align
from Bio.Align import substitution_matrices
pairs = {"protein": [], "gene": []}
for line in open(sys.argv[1]):
    k, a, b = line.rstrip("\n").split("\t")
    pairs[k].append((a, b))
prot = Align.PairwiseAligner(mode="global", substitution_matrix=substitution_matrices.load("BLOSUM62"),
                             open_gap_score=-10, extend_gap_score=-1)
gene = Align.PairwiseAligner(mode="global", match_score=1, mismatch_score=-1,
                             open_gap_score=-2, extend_gap_score=-1)
for kind, aligner in (("protein", prot), ("gene", gene)):
    t = time.perf_counter()
    for a, b in pairs[kind]:
        aln = aligner.align(a, b)[0]
        ident = sum(1 for x, y in zip(aln[0], aln[1]) if x == y and x != "-")
    print(kind, len(pairs[kind]), f"{time.perf_counter() - t:.4f}")
PY
)
echo "| kind | pairs | length | safesci (rust-bio) s | Biopython s | speed-up |"
echo "|---|---:|---:|---:|---:|---:|"
for kind in protein gene; do
  r=$(echo "$RUST_OUT" | awk -v k="$kind" '$1==k {print $3}')
  p=$(echo "$PY_OUT" | awk -v k="$kind" '$1==k {print $3}')
  n=$(echo "$RUST_OUT" | awk -v k="$kind" '$1==k {print $2}')
  echo "| $kind | $n | $LEN | $r | $p | $(python3 -c "print(f'{$p/$r:.1f}x')") |"
done
