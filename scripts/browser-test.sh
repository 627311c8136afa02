#!/usr/bin/env bash
# Browser tests (smoke.mjs, then playground.mjs and brokers.mjs): the built web app in headless Chromium (Debian's package) driven by
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
# The Binance mock exchange brokers.mjs adds connections on (its URL and test keys as NAME=value lines).
cargo build --locked -p keygate-binance --features mock --example mock_exchange
mock_out=$(mktemp)
./target/debug/examples/mock_exchange </dev/null >"$mock_out" &
mock=$!
for _ in $(seq 1 100); do grep -q '^BINANCE_MOCK_WITHDRAW_KEY=' "$mock_out" && break; sleep 0.1; done
while IFS= read -r line; do export "${line?}"; done <"$mock_out"
(cd tests/browser && npm ci --no-audit --no-fund --silent)

# Each group of test files gets a fresh keygate (no account yet) on a free port; the files of a
# group run in order against it (playground.mjs signs in as the account smoke.mjs created).
run_fresh() {
  local screenshot=$1 script
  shift
  local work port server status=0
  work=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  KEYGATE_BIND=127.0.0.1:$port KEYGATE_WS_BIND=127.0.0.1:0 KEYGATE_METRICS_BIND=127.0.0.1:0 KEYGATE_DATA_DIR="$work" KEYGATE_STATIC_DIR="$PWD/dist" \
    ./target/debug/keygate serve >"$work/server.log" 2>&1 &
  server=$!
  trap 'kill '"$server"' ${mock:-} 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  for script in "$@"; do
    KEYGATE_URL="http://127.0.0.1:$port" SCREENSHOT="$screenshot" SCREENSHOT_DIR="$PWD/target/browser" \
      node "tests/browser/$script" || status=$?
    if [ "$status" != 0 ]; then
      echo "--- the server's log ($script):" >&2
      tail -n 30 "$work/server.log" >&2 || true
      break
    fi
  done
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
  return $status
}

mkdir -p target/browser
run_fresh "${SCREENSHOT:-$PWD/target/browser/smoke.png}" smoke.mjs playground.mjs brokers.mjs
run_fresh "" traffic.mjs
kill "$mock" 2>/dev/null || true
rm -f "$mock_out"
