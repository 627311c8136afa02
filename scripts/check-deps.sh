#!/usr/bin/env bash
# Fails when a workspace crate declares a dependency its code never uses, or when the modules of
# keygate-api or keygate-core import each other in a cycle (scripts/module-cycles.py).
#
# Unused dependencies: every name under
# [dependencies], [dev-dependencies], [build-dependencies] and [target.*.dependencies] of each
# member's Cargo.toml must appear in that crate's Rust sources as a path (`name::`) or in a
# `use name` / `extern crate name` (a dash in the name becomes an underscore).
#
# A dependency needed for something other than its items (a feature switched on, a link-time
# effect) goes in ALLOWED below, as `crate-dir:dependency`, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

ALLOWED=(
)

members=$(find crates migration tests frontend -maxdepth 2 -name Cargo.toml 2>/dev/null | sort)
status=0
for manifest in $members; do
  dir=$(dirname "$manifest")
  # Dependency names: `name = ...` or `name.workspace = true` lines inside dependency sections.
  deps=$(awk '
    /^\[/ { in_deps = ($0 ~ /^\[(dev-|build-)?dependencies\]$/ || $0 ~ /^\[target\..*dependencies\]$/); next }
    in_deps && match($0, /^[A-Za-z0-9_-]+/) { print substr($0, RSTART, RLENGTH) }
  ' "$manifest")
  sources=$(find "$dir" -name '*.rs' -not -path '*/target/*')
  for dep in $deps; do
    for allowed in "${ALLOWED[@]+"${ALLOWED[@]}"}"; do
      [[ "$allowed" == "$dir:$dep" ]] && continue 2
    done
    name=${dep//-/_}
    if ! grep -qE "(^|[^A-Za-z0-9_])${name}::|\buse ${name}\b|extern crate ${name}\b" $sources; then
      echo "$manifest: \`$dep\` is declared but never used" >&2
      status=1
    fi
  done
done
if [[ $status -eq 0 ]]; then
  echo "check-deps: every declared dependency is used"
fi

# No import cycles between the modules of the crates that hold the server's code (the rule:
# scripts/module-cycles.py). sea-orm's entities declare each relation on both ends by design.
python3 scripts/module-cycles.py crates/keygate-api || status=1
python3 scripts/module-cycles.py --allow-within entities crates/keygate-core || status=1
# docs/ARCHITECTURE.md's "Which module uses which" is the script's map.
python3 scripts/module-cycles.py --check-map docs/ARCHITECTURE.md crates/keygate-api || status=1
python3 scripts/module-cycles.py --check-map docs/ARCHITECTURE.md crates/keygate-core || status=1
if [[ $status -eq 0 ]]; then
  echo "check-deps: no module import cycles in keygate-api and keygate-core; the module map is current"
fi
exit $status
