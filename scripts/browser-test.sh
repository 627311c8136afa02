#!/usr/bin/env bash
# Browser tests (smoke.mjs, then playground.mjs): the built web app in headless Chromium (Debian's package) driven by
# playwright-core, against a fresh keygate on a free port. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq chromium || apt-get install -y -qq chromium
  else
    echo "chromium is missing: install Debian's chromium package" >&2
    exit 1
  fi
fi
./scripts/build-web.sh
cargo build --locked -p keygate
(cd tests/browser && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEYGATE_BIND=127.0.0.1:$port KEYGATE_WS_BIND=127.0.0.1:0 KEYGATE_DATA_DIR="$work" KEYGATE_STATIC_DIR="$PWD/dist" \
  ./target/debug/keygate serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
KEYGATE_URL="http://127.0.0.1:$port" SCREENSHOT="${SCREENSHOT:-$work/smoke.png}" \
  node tests/browser/smoke.mjs
# The Playground test signs in as the account smoke.mjs created; screenshots go to target/browser/.
KEYGATE_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/target/browser}" \
  node tests/browser/playground.mjs
