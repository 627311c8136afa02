#!/usr/bin/env bash
# Drives a fresh keygate with OpenAlgo's real Python SDK (PyPI `openalgo`, pinned below) through a
# whole trading session: REST endpoints and the WebSocket feed. See sdk_session.py for the steps.
#
# - A venv under target/ is created once and reused; the pinned SDK is installed into it.
# - keygate is the debug binary, on a temporary data directory (SQLite), on free ports for HTTP
#   and WebSocket (port 0; the real ports are read from its log).
# - The user and a trade-scope key are made with the CLI, the password on stdin.
# - Then the session runs a second time (KEYGATE_SDK_MARKET=spot) with a key bound to a Binance
#   spot connection on the mock exchange (crates/keygate-binance/examples/mock_exchange.rs, on a
#   free port), added with `keygate broker add` (a random key pair on stdin, given to the mock
#   the same way) and `keygate key create --broker`.
# Prints `N passed, M failed` per run and exits non-zero when a step of either failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

SDK_VERSION=1.0.47
VENV=$ROOT/target/sdk-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if [ "$("$VENV/bin/python" -c 'import openalgo; print(openalgo.__version__)' 2>/dev/null)" != "$SDK_VERSION" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "openalgo==$SDK_VERSION"
fi

cargo build --quiet --locked -p keygate
cargo build --quiet --locked -p keygate-binance --features mock --example mock_exchange
BIN=$ROOT/target/debug/keygate
MOCK_BIN=$ROOT/target/debug/examples/mock_exchange

DATA=$(mktemp -d)
LOG=$DATA/keygate.log
SERVER_PID=
MOCK_PID=
cleanup() {
  for pid in "$SERVER_PID" "$MOCK_PID"; do
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$DATA"
}
trap cleanup EXIT

# Only this test's settings: nothing from the caller's environment or a .env file (keygate runs
# inside the temporary directory, where there is none).
cd "$DATA"
KEYGATE_ENV_VARS=(PATH="$PATH" HOME="$DATA" KEYGATE_ENV=development KEYGATE_DATA_DIR="$DATA"
  KEYGATE_STATIC_DIR="$DATA/no-spa" KEYGATE_BIND=127.0.0.1:0 KEYGATE_WS_BIND=127.0.0.1:0 KEYGATE_METRICS_BIND=127.0.0.1:0)
run_keygate() {
  env -i "${KEYGATE_ENV_VARS[@]}" RUST_LOG=warn "$BIN" "$@"
}

# `env` execs keygate, so $! is keygate itself.
env -i "${KEYGATE_ENV_VARS[@]}" RUST_LOG=info "$BIN" serve >"$LOG" 2>&1 &
SERVER_PID=$!

HTTP=
WS_PORT=
for _ in $(seq 1 300); do
  HTTP=$(sed -n 's/.*keygate listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$LOG" | head -n1)
  WS_PORT=$(sed -n 's/.*WebSocket feed at ws:\/\/[0-9.]*:\([0-9]*\)\/.*/\1/p' "$LOG" | head -n1)
  if [ -n "$HTTP" ] && [ -n "$WS_PORT" ]; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "keygate exited during start-up:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$HTTP" ] || [ -z "$WS_PORT" ]; then
  echo "keygate did not start in 30 s:" >&2
  cat "$LOG" >&2
  exit 1
fi

PASSWORD="sdk-session-password-$RANDOM$RANDOM"
printf '%s\n' "$PASSWORD" | run_keygate user create --username sdk >/dev/null
KEY=$(run_keygate key create --user sdk --name sdk-session --scopes read,trade 2>/dev/null)
# The running server learns of a key made by the CLI from its change follower (every 250 ms).
wait_for_key() {
  for _ in $(seq 1 50); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' -d "{\"apikey\":\"$1\"}" \
      "$HTTP/api/v1/ping" && return 0
    sleep 0.1
  done
}
wait_for_key "$KEY"

status=0
echo "--- paper session (an unbound key) ---"
KEYGATE_HOST="$HTTP" KEYGATE_WS_PORT="$WS_PORT" KEYGATE_API_KEY="$KEY" \
  "$VENV/bin/python" "$ROOT/tests/sdk/sdk_session.py" || status=$?

# The mock exchange, with an exchange key pair made here (never printed, never an argument).
EXCHANGE_KEY="sdk-exchange-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
EXCHANGE_SECRET="sdk-exchange-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
MOCK_OUT=$DATA/mock.out
printf '%s\n%s\n' "$EXCHANGE_KEY" "$EXCHANGE_SECRET" | "$MOCK_BIN" 0 >"$MOCK_OUT" 2>&1 &
MOCK_PID=$!
MOCK_URL=
for _ in $(seq 1 100); do
  MOCK_URL=$(sed -n 's/^BINANCE_MOCK_URL=//p' "$MOCK_OUT" | head -n1)
  [ -n "$MOCK_URL" ] && break
  sleep 0.1
done
if [ -z "$MOCK_URL" ]; then
  echo "the mock exchange did not start:" >&2
  cat "$MOCK_OUT" >&2
  exit 1
fi
printf '%s\n%s\n' "$EXCHANGE_KEY" "$EXCHANGE_SECRET" |
  run_keygate broker add --user sdk --kind binance_spot --label mock --base-url "$MOCK_URL" >/dev/null
SPOT_KEY=$(run_keygate key create --user sdk --name sdk-spot --scopes read,trade --broker mock 2>/dev/null)
wait_for_key "$SPOT_KEY"

echo "--- spot session (a key bound to a Binance spot connection on the mock exchange) ---"
spot_status=0
KEYGATE_SDK_MARKET=spot KEYGATE_HOST="$HTTP" KEYGATE_WS_PORT="$WS_PORT" KEYGATE_API_KEY="$SPOT_KEY" \
  "$VENV/bin/python" "$ROOT/tests/sdk/sdk_session.py" || spot_status=$?
if [ "$status" -ne 0 ] || [ "$spot_status" -ne 0 ]; then
  echo "--- keygate log (last 40 lines) ---" >&2
  tail -n 40 "$LOG" >&2
  [ "$status" -ne 0 ] || status=$spot_status
fi
exit "$status"
