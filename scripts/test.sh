#!/usr/bin/env bash
# Runs keygate's whole test suite, or the parts named (`./scripts/test.sh browser sdk`):
#   rust          unit and integration tests on SQLite, then the integration tests again on
#                 PostgreSQL when TEST_DATABASE_URL is set
#                 (e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)
#   schemathesis  the served OpenAPI document against the server (schemathesis from PyPI)
#   browser       the web app in headless Chromium (Debian's chromium; trunk and wasm-bindgen
#                 are built from crates.io on the first run)
#   sdk           a trading session through OpenAlgo's Python SDK (PyPI `openalgo`)
#   collections   the generated Bruno and Postman collections run by `bru` and `newman` (npm),
#                 on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
#   fleet         two instances behind nginx on PostgreSQL and Redis (deploy/'s topology): sessions,
#                 revocation, the traffic log, X-Forwarded-For, shared limits, metrics; needs
#                 TEST_DATABASE_URL and fails without it (Debian's nginx and redis-server installed
#                 when missing)
# Every part installs what it needs. All parts run even when one fails; the exit status is
# non-zero when any failed, and the last line names them.
set -uo pipefail
cd "$(dirname "$0")/.."

ALL_PARTS=(rust schemathesis browser sdk collections fleet)
pg_url=${TEST_DATABASE_URL:-}

part_rust() {
  echo ">>> unit and integration tests (SQLite)"
  env -u TEST_DATABASE_URL cargo test --locked --workspace || return 1
  [ -n "$pg_url" ] || return 0
  # Each test makes its own database (kgt_<uuid>, keygate-testdb) and drops it when it ends;
  # drop those an interrupted run left behind.
  if command -v psql >/dev/null; then
    psql "$pg_url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'kgt\_%'" 2>/dev/null |
      while read -r name; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$name\"" >/dev/null 2>&1 || true; done
  fi
  echo ">>> integration tests (PostgreSQL at ${pg_url%%\?*})"
  TEST_DATABASE_URL="$pg_url" cargo test --locked -p keygate-tests -p keygate-core --tests
}

part_schemathesis() { ./scripts/schemathesis.sh; }
part_browser() { ./scripts/browser-test.sh; }
part_sdk() { ./tests/sdk/run.sh; }

part_collections() {
  echo ">>> Bruno and Postman collections (SQLite)"
  env -u TEST_DATABASE_URL ./scripts/collections-test.sh || return 1
  [ -n "$pg_url" ] || return 0
  echo ">>> Bruno and Postman collections (PostgreSQL)"
  TEST_DATABASE_URL="$pg_url" ./scripts/collections-test.sh
}

part_fleet() { TEST_DATABASE_URL="$pg_url" ./scripts/fleet-test.sh; }

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=("${ALL_PARTS[@]}")
passed=()
failed=()
for part in "${parts[@]}"; do
  if ! declare -F "part_$part" >/dev/null; then
    echo "unknown part '$part' (parts: ${ALL_PARTS[*]})" >&2
    exit 2
  fi
  started=$SECONDS
  if "part_$part"; then passed+=("$part"); else failed+=("$part"); fi
  echo ">>> part $part took $((SECONDS - started)) s"
done
echo ">>> passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
[ ${#failed[@]} -eq 0 ]
