#!/usr/bin/env bash
# Side-by-side speed of the embedded model (candle, crates/safesci-local) and llama.cpp
# (benches/llamacpp) on the same GGUF, the same token ids, the same machine, one run.
# Prints both JSON lines and a table. Seconds per multiple-choice item are measured as a run scores
# items (the template head, i.e. the system turn, kept in the KV cache between items, on both
# engines) and cold (every item from an empty cache). llama.cpp is built from the source vendored in the
# llama-cpp-sys-2 crate (~3.5 min on 2 cores) and needs cmake, clang and libclang-dev (installed
# here with apt when missing).
#   THREADS=2 REPEATS=3 MODES=hybrid8 bash scripts/bench-embedded.sh
set -euo pipefail
cd "$(dirname "$0")/.."
gguf="${SAFESCI_MODEL_GGUF:-$(bash scripts/fetch-model.sh)}"
threads="${THREADS:-$(nproc)}"
repeats="${REPEATS:-3}"
modes="${MODES:-hybrid8}"
out="${BENCH_OUT:-target/bench-embedded}"
mkdir -p "$out"

if ! command -v cmake >/dev/null || ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq cmake clang libclang-dev >&2
fi
candle_target="${CARGO_TARGET_DIR:-target}"
llama_target="${LLAMACPP_TARGET_DIR:-$PWD/benches/llamacpp/target}"
cargo build --release -p safesci-local --bin bench-embedded >&2
(cd benches/llamacpp && CARGO_TARGET_DIR="$llama_target" cargo build --release >&2)
candle_bin="$candle_target/release/bench-embedded"
llama_bin="$llama_target/release/safesci-llamacpp-ref"

"$candle_bin" --gguf "$gguf" --modes "$modes" --threads "$threads" --repeats "$repeats" \
  --emit-workload "$out/workload.json" > "$out/candle.jsonl"
"$llama_bin" bench "$gguf" "$out/workload.json" "$threads" > "$out/llamacpp.jsonl"

python3 - "$out/candle.jsonl" "$out/llamacpp.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
ref = rows[-1]
for r in rows:
    print(json.dumps(r))
print()
print(f"{'engine':<34} {'mode':<8} {'thr':>3} {'prompt tok/s':>13} {'gen tok/s':>10} {'s / 4-opt item':>15} {'cold':>6}")
for r in rows:
    print(f"{r['engine']:<34} {r.get('mode','q4_1'):<8} {r['threads']:>3} {r['pp_tok_s']:>13.1f} "
          f"{r['gen_tok_s']:>10.1f} {r['mcq_s_per_item']:>15.3f} {r['mcq_cold_s_per_item']:>6.3f}")
for r in rows[:-1]:
    print(f"\n{r['engine']} {r['mode']} vs llama.cpp: prompt {r['pp_tok_s']/ref['pp_tok_s']:.2f}x "
          f"(target >= 1), generation {r['gen_tok_s']/ref['gen_tok_s']:.2f}x (target >= 0.8), "
          f"MCQ {r['mcq_s_per_item']:.3f} s/item (target <= 0.25; {r['mcq_s_per_item']/ref['mcq_s_per_item']:.2f}x llama.cpp's time; "
          f"cold, every item from an empty cache: {r['mcq_cold_s_per_item']:.3f} vs {ref['mcq_cold_s_per_item']:.3f})")
    same = r['gen_ids'] == ref['gen_ids']
    print(f"greedy tokens identical to llama.cpp: {same}")
    picks = lambda lp: [max(range(len(x)), key=x.__getitem__) for x in lp]
    print(f"MCQ picks candle {picks(r['mcq_logprobs'])} llama.cpp {picks(ref['mcq_logprobs'])}")
PY
