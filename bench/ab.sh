#!/usr/bin/env bash
# A/B of two keygate release builds on the hot path (POST /api/v1/ping), with bench/load.sh's
# settings and wrk script: both servers run at once, each on its own SQLite database, and the
# rounds alternate A, B, A, B, ... so that the machine's drift (a third within minutes here)
# falls on both alike. Per round it reports requests per second and the server's CPU time per
# request (user + system from /proc, steadier than req/s on a shared machine); the figures that
# count are the medians of each round's own B/A ratios.
#
#   bench/ab.sh A B     A and B: a directory holding a release `keygate` binary, or a git ref
#                       (built with `cargo build --release -p keygate` in a temporary worktree,
#                       with its own target directory under target/ab/)
# e.g. bench/ab.sh main h-metrics      (before and after the metrics)
# Knobs: DURATION (5s), THREADS (2), CONNECTIONS (64), ROUNDS (8). Needs wrk and curl.
# Run it on a quiet machine: nothing else building or benchmarking.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-8}
WORK=target/ab
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
mkdir -p "$WORK"

binary_dir() { # name spec: prints a directory holding the `keygate` binary of spec
  local name=$1 spec=$2
  if [ -x "$spec/keygate" ]; then echo "$spec"; return; fi
  git rev-parse --verify -q "$spec^{commit}" >/dev/null || { echo "$spec: no keygate binary there, and not a git ref" >&2; exit 1; }
  local tree="$WORK/tree-$name"
  git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git worktree add -q --detach "$tree" "$spec" >&2
  echo "== building $spec (release) for $name" >&2
  (cd "$tree" && CARGO_TARGET_DIR="$PWD/../target-$name" cargo build --release -q -p keygate) >&2
  git worktree remove --force "$tree" >&2
  echo "$WORK/target-$name/release"
}
A_BIN=$(binary_dir a "$1")
B_BIN=$(binary_dir b "$2")

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_up() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# bench/load.sh's settings: limits raised (not off: the per-address check is part of a ping's
# cost), bans off, warnings only.
export KEYGATE_RATE_DATA="100000000/s" KEYGATE_RATE_ORDERS="100000000/s" KEYGATE_RATE_DEFAULT="off"
export KEYGATE_RATE_API_PER_IP="100000000/s" KEYGATE_BAN_THRESHOLD=0 RUST_LOG=warn
export KEYGATE_WS_BIND=off
declare -A ADDR PID KEY METRICS
start() { # name bin port metrics-port
  local name=$1 bin=$2 data="$WORK/data-$1"
  rm -rf "$data"; mkdir -p "$data"
  local env=(KEYGATE_DATA_DIR="$data" DATABASE_URL="sqlite://$data/keygate.db?mode=rwc"
    KEYGATE_STATIC_DIR="$data/no-static" KEYGATE_BIND="127.0.0.1:$3" KEYGATE_METRICS_BIND="127.0.0.1:$4")
  printf 'bench-password-0123\n' | env "${env[@]}" "$bin/keygate" user create --username bench --admin >/dev/null
  KEY[$name]=$(env "${env[@]}" "$bin/keygate" key create --user bench --name bench --scopes read,trade 2>/dev/null)
  env "${env[@]}" "$bin/keygate" serve & PIDS+=($!)
  PID[$name]=$!
  ADDR[$name]="127.0.0.1:$3"
  METRICS[$name]="127.0.0.1:$4"
  wait_up "http://127.0.0.1:$3/health"
  # The key's one Argon2 run, before any measured round.
  curl -sf -o /dev/null -H 'Content-Type: application/json' -d "{\"apikey\":\"${KEY[$name]}\"}" \
    "http://127.0.0.1:$3/api/v1/ping"
}
start a "$A_BIN" 5911 9111
start b "$B_BIN" 5912 9112

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)
declare -A RPS CPU
round() { # name: one wrk run; appends req/s and CPU µs per request
  local name=$1 before after out rps reqs cpu
  before=$(cpu_ticks "${PID[$name]}")
  out=$(WRK_BODY="{\"apikey\":\"${KEY[$name]}\"}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    -s bench/post.lua "http://${ADDR[$name]}/api/v1/ping")
  after=$(cpu_ticks "${PID[$name]}")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu=$(python3 -c "print(f'{($after - $before) / $TICKS * 1e6 / $reqs:.2f}')")
  RPS[$name]="${RPS[$name]:-}$rps "
  CPU[$name]="${CPU[$name]:-}$cpu "
  echo "    $name: $rps req/s, $cpu µs CPU per request"
}
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r"
  # Which goes first alternates too, so neither always follows the other's writer backlog.
  if [ $((r % 2)) -eq 1 ]; then round a; round b; else round b; round a; fi
done

echo
echo "== summary: A=$1 B=$2 (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds each, loopback, release)"
python3 - "${RPS[a]}" "${RPS[b]}" "${CPU[a]}" "${CPU[b]}" <<'PY'
import statistics, sys
ra, rb, ca, cb = ([float(x) for x in s.split()] for s in sys.argv[1:])
med = statistics.median
print(f"req/s      A median {med(ra):10.0f}   B median {med(rb):10.0f}   B/A per round median {med([b / a for a, b in zip(ra, rb)]):.3f}")
print(f"CPU µs/req A median {med(ca):10.2f}   B median {med(cb):10.2f}   B/A per round median {med([b / a for a, b in zip(ca, cb)]):.3f}")
PY
for name in a b; do
  # A build without metrics has no such listener: nothing is printed for it.
  dropped=$(curl -sf "http://${METRICS[$name]}/metrics" 2>/dev/null | awk '/^keygate_traffic_rows_dropped_total/ {print $2}' || true)
  [ -z "$dropped" ] || echo "$name: traffic rows dropped (from its /metrics): $dropped"
done
