#!/usr/bin/env bash
# Builds the single-page app into dist/ (installing the web toolchain first if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/web-tools.sh
cargo fetch --locked
# wasm-opt from npm's binaryen (installed by web-tools.sh), found by trunk through PATH.
PATH="$PWD/target/binaryen/node_modules/.bin:$PATH" trunk build --release
