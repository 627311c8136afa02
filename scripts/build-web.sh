#!/usr/bin/env bash
# Builds the single-page app into dist/ (installing the web toolchain first if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/web-tools.sh
cargo fetch --locked
trunk build --release
