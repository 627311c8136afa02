#!/usr/bin/env bash
# The fleet test: deploy/'s topology on loopback. Two keygate instances (the debug binary,
# KEYGATE_BIN to use another) on a fresh PostgreSQL database made on TEST_DATABASE_URL's server and
# dropped afterwards, a redis-server of its own on a free port (the machine's Redis is untouched:
# the test stops this one mid-run), and Debian's nginx with deploy/nginx.conf in front. The checks
# and their figures: tests/fleet/fleet.py. Needs PostgreSQL, redis-server and nginx: it fails, never
# skips, without them (as root it installs Debian's nginx and redis-server when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  echo "fleet test: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)" >&2
  exit 1
fi
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}"
  else
    echo "fleet test: install Debian's ${missing[*]}" >&2
    exit 1
  fi
fi

if [ -z "${KEYGATE_BIN:-}" ]; then
  cargo build --quiet --locked -p keygate
  KEYGATE_BIN=target/debug/keygate
fi
PATH="$PATH:/usr/sbin" exec python3 tests/fleet/fleet.py --bin "$KEYGATE_BIN" --database-url "$TEST_DATABASE_URL"
