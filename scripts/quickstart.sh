#!/usr/bin/env bash
# Set up everything and run the main job on the embedded default model, offline once fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
SAFESCI_MODEL_GGUF="$(bash scripts/fetch-model.sh)"
export SAFESCI_MODEL_GGUF
cargo build --release --locked
./target/release/safesci --help
