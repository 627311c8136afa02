#!/usr/bin/env bash
# Drives a fresh keygate with OpenAlgo's real Python SDK (PyPI `openalgo`, pinned below) through a
# whole trading session: REST endpoints and the WebSocket feed. See sdk_session.py for the steps.
#
# - A venv under target/ is created once and reused; the pinned SDK is installed into it.
# - keygate is the debug binary, on a temporary data directory (SQLite), on free ports for HTTP
#   and WebSocket (port 0; the real ports are read from its log).
# - The user and a trade-scope key are made with the CLI, the password on stdin.
# Prints `N passed, M failed` and exits non-zero when a step failed.
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
BIN=$ROOT/target/debug/keygate

DATA=$(mktemp -d)
LOG=$DATA/keygate.log
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
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
for _ in $(seq 1 50); do
  curl -sf -o /dev/null -H 'Content-Type: application/json' -d "{\"apikey\":\"$KEY\"}" \
    "$HTTP/api/v1/ping" && break
  sleep 0.1
done

status=0
KEYGATE_HOST="$HTTP" KEYGATE_WS_PORT="$WS_PORT" KEYGATE_API_KEY="$KEY" \
  "$VENV/bin/python" "$ROOT/tests/sdk/sdk_session.py" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- keygate log (last 40 lines) ---" >&2
  tail -n 40 "$LOG" >&2
fi
exit "$status"
