#!/usr/bin/env bash
# Runs keygate's whole test suite: unit and integration tests on SQLite, then the integration
# tests again on PostgreSQL when TEST_DATABASE_URL is set
# (e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url=${TEST_DATABASE_URL:-}
echo ">>> unit and integration tests (SQLite)"
env -u TEST_DATABASE_URL cargo test --locked --workspace

if [ -n "$pg_url" ]; then
  # Each test makes its own database (kgt_<uuid>); drop those earlier runs left behind.
  if command -v psql >/dev/null; then
    psql "$pg_url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'kgt\_%'" 2>/dev/null |
      while read -r name; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$name\"" >/dev/null 2>&1 || true; done
  fi
  echo ">>> integration tests (PostgreSQL at ${pg_url%%\?*})"
  TEST_DATABASE_URL="$pg_url" cargo test --locked -p keygate-tests -p keygate-core --tests
fi

echo ">>> Bruno and Postman collections (SQLite${pg_url:+, then PostgreSQL})"; env -u TEST_DATABASE_URL ./scripts/collections-test.sh; [ -z "$pg_url" ] || TEST_DATABASE_URL="$pg_url" ./scripts/collections-test.sh
