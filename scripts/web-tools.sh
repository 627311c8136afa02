#!/usr/bin/env bash
# Installs what building the web app needs, skipping every step that is already done:
# the wasm32 target, trunk and wasm-bindgen-cli (versions pinned to Trunk.toml / Cargo.lock), and
# wasm-opt from npm's binaryen into target/binaryen (Debian's binaryen 108 cannot read this output).
# Nothing is downloaded from outside crates.io (see ../shared/STACK.md).
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' "$(dirname "$0")/../Cargo.lock")

need_trunk=1
if command -v trunk >/dev/null && trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then need_trunk=0; fi
need_bindgen=1
if command -v wasm-bindgen >/dev/null && wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then need_bindgen=0; fi

if [ $need_trunk = 1 ] || [ $need_bindgen = 1 ]; then
  echo ">>> First run on this machine: building the web toolchain (trunk, wasm-bindgen-cli) from"
  echo ">>> crates.io. This takes about 25 minutes on 2 cores; later runs skip it."
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if [ $need_trunk = 1 ]; then
  # --locked: an unlocked resolve picks a cssparser that does not build with trunk's lightningcss.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if [ $need_bindgen = 1 ]; then
  # Not --locked: its lock file names a webpki-roots version the registry lacks.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
# wasm-opt -Oz takes the app from ~1.5 MB to ~0.95 MB (gzip: ~465 KiB to ~366 KiB). Trunk uses the
# wasm-opt on PATH when its version matches Trunk.toml's `wasm_opt`; build-web.sh puts this one first.
BINARYEN_VERSION=132
BINARYEN_DIR="$(cd "$(dirname "$0")/.." && pwd)/target/binaryen"
if ! "$BINARYEN_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version_$BINARYEN_VERSION"; then
  mkdir -p "$BINARYEN_DIR"
  npm install --prefix "$BINARYEN_DIR" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
fi
