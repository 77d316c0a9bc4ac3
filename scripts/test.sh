#!/usr/bin/env bash
# The test suite: unit, snapshot, property and integration tests of every crate, including the
# ones that drive the real embedded model and headless Chromium. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
SAFESCI_MODEL_GGUF="$(bash scripts/fetch-model.sh)"
export SAFESCI_MODEL_GGUF
cargo test --workspace --all-targets --locked
