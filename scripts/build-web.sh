#!/usr/bin/env bash
# Builds the single-page app into dist/ (installing the web toolchain first if needed), then
# checks the wasm size budget: issue 16 caps the release wasm at 400 KiB gzipped (gzip -9).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/web-tools.sh
cargo fetch --locked
# wasm-opt from npm's binaryen (installed by web-tools.sh), found by trunk through PATH.
PATH="$PWD/target/binaryen/node_modules/.bin:$PATH" trunk build --release

BUDGET=409600
wasm=(dist/*.wasm)
if [ ${#wasm[@]} != 1 ] || [ ! -f "${wasm[0]}" ]; then
  echo "error: expected exactly one .wasm in dist/, found: ${wasm[*]}" >&2
  exit 1
fi
wasm=${wasm[0]}
raw=$(wc -c <"$wasm")
gzipped=$(gzip -9 -c "$wasm" | wc -c)
echo "wasm size: $raw B raw, $gzipped B gzipped (budget: $BUDGET B = 400 KiB gzipped)"
if [ "$gzipped" -gt "$BUDGET" ]; then
  echo "error: $wasm is $gzipped B gzipped, over the $BUDGET B budget by $((gzipped - BUDGET)) B." >&2
  echo "       See 'The release SPA's wasm' in docs/ARCHITECTURE.md for what keeps it small." >&2
  exit 1
fi
