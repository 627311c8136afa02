#!/usr/bin/env bash
# Sets up and runs keygate: builds the web app and the server, then serves on
# http://127.0.0.1:5000 with SQLite under ./data (secrets for development are generated there).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-web.sh
exec cargo run --release --locked -p keygate -- serve "$@"
