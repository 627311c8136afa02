#!/usr/bin/env bash
# keygate's load benchmark, on loopback, release build, every figure from the same run:
#   (1) a bare actix-web hello-world (crates/keygate-bench, bin `hello`): the ceiling;
#   (2) keygate's authenticated, rate-limited (limits raised), logged POST /api/v1/ping;
#   (3) POST /api/v1/funds, when that route exists;
#   (4) random unknown keys (at least 10,000 requests), bans off: the Argon2 counter must not move;
# then the stats query and filtered log pages over 1,000,000 stored traffic rows.
# DB=postgres runs it all on PostgreSQL (fresh databases keygate_bench and keygate_bench_stats
# on PG_URL, default postgres://postgres@127.0.0.1:5432; needs psql) instead of SQLite files.
# (1), (2) and (4) alternate for ROUNDS short rounds. This machine's speed drifts by a third over
# minutes (hello-world alone: 77k to 119k req/s), so the ratios that count are the medians of each
# round's own ratios (ping against the hello-world run just before it, unknown keys against the
# ping run just before them, seconds apart); the ratio of the best round of each is printed too.
# The server's resident memory is read idle (after start-up), at its peak (VmHWM) after a first
# unknown-key flood alone (the key-flood figure), and at its peak after all the runs.
# Each wrk run also reports the server's CPU time per request (user + system, from /proc), which
# other work on the machine disturbs less than requests per second.
# Needs wrk (Debian: apt-get install wrk) and curl. Knobs: DURATION (5s), THREADS (2),
# CONNECTIONS (64), ROUNDS (6), ROWS (1000000; 0 skips the stats part), KEYS (0: extra stored keys,
# seeded in seconds by crates/keygate-bench's `seed-keys`, e.g. 100000 for the memory figure),
# SKIP_BUILD (use the binaries already in target/release), DB (sqlite or postgres), PG_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
ROWS=${ROWS:-1000000}
ROUNDS=${ROUNDS:-6}
KEYS=${KEYS:-0}
DB=${DB:-sqlite}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
WORK=target/bench
HELLO_ADDR=127.0.0.1:5901
KEYGATE_ADDR=127.0.0.1:5902
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building (release)"
  cargo build --release -q -p keygate -p keygate-bench
fi
BIN=target/release

rm -rf "$WORK/data"
mkdir -p "$WORK/data"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

export KEYGATE_DATA_DIR="$WORK/data"
fresh_pg() { # a new, empty PostgreSQL database; prints its URL
  psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >&2
  echo "$PG_URL/$1"
}
case "$DB" in
  sqlite) export DATABASE_URL="sqlite://$WORK/data/keygate.db?mode=rwc" ;;
  postgres) DATABASE_URL=$(fresh_pg keygate_bench); export DATABASE_URL ;;
  *) echo "DB must be sqlite or postgres" >&2; exit 1 ;;
esac
export KEYGATE_STATIC_DIR="$WORK/no-static"
export KEYGATE_BIND="$KEYGATE_ADDR"
export KEYGATE_RATE_DATA="100000000/s"
export KEYGATE_RATE_ORDERS="100000000/s"
export KEYGATE_RATE_DEFAULT="off"
# Raised, not off: the per-address check before key work is part of what a ping costs.
export KEYGATE_RATE_API_PER_IP="100000000/s"
export KEYGATE_BAN_THRESHOLD=0
export RUST_LOG=warn

echo "== user and key (CLI)"
printf 'bench-password-0123\n' | "$BIN/keygate" user create --username bench --admin >/dev/null
KEY=$("$BIN/keygate" key create --user bench --name bench --scopes read,trade 2>/dev/null)
if [ "$KEYS" -gt 0 ]; then
  echo "== $KEYS more stored keys (seed-keys)"
  "$BIN/seed-keys" bench "$KEYS"
fi

wait_up() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
"$BIN/hello" "$HELLO_ADDR" 2>/dev/null & PIDS+=($!)
HELLO_PID=$!
"$BIN/keygate" serve & PIDS+=($!)
KEYGATE_PID=$!
wait_up "http://$HELLO_ADDR/"
wait_up "http://$KEYGATE_ADDR/health"
rss_mb() { # VmRSS or VmHWM of a process, in MB
  awk -v f="$2:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$1/status"
}
sleep 1
IDLE_RSS=$(rss_mb "$KEYGATE_PID" VmRSS)
echo "    keygate idle: $IDLE_RSS MB resident"

JAR=$WORK/cookies.txt
curl -sf -c "$JAR" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-password-0123"}' "http://$KEYGATE_ADDR/api/auth/login" >/dev/null
stat_field() { # security.<field> or <field> of the admin's stats
  curl -sf -b "$JAR" "http://$KEYGATE_ADDR/api/traffic/stats" | python3 -c "
import json,sys; d=json.load(sys.stdin); f='$1'.split('.')
for k in f: d=d[k]
print(d)"
}

# CPU time (user + system, clock ticks) a process has used: the server's CPU per request is
# steadier than requests per second when other work shares the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

declare -A RPS P99 ALL CPU
run() { # name url lua-body server-pid [lua-script]
  local name=$1 url=$2 out before after
  before=$(cpu_ticks "$4")
  out=$(WRK_BODY=$3 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "${5:-bench/post.lua}" "$url")
  after=$(cpu_ticks "$4")
  echo "$out" | sed 's/^/    /'
  local rps p99 reqs cpu
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu=$(python3 -c "print(f'{($after - $before) / $TICKS * 1e6 / $reqs:.1f}')")
  echo "    server CPU: $cpu µs per request"
  ALL[$name]="${ALL[$name]:-}$rps "
  if [ -z "${RPS[$name]:-}" ] || python3 -c "import sys; sys.exit(0 if $rps > ${RPS[$name]} else 1)"; then
    RPS[$name]=$rps
    P99[$name]=$p99
    CPU[$name]=$cpu
  fi
  REQS[$name]=$(( ${REQS[$name]:-0} + reqs ))
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -z "$non2xx" ] || [ "$name" = unknown ] || echo "    !! $name: $non2xx non-2xx answers"
}
declare -A REQS

# One ping first, so the valid key's one Argon2 run is not counted against (4).
curl -sf -o /dev/null -H 'Content-Type: application/json' -d "{\"apikey\":\"$KEY\"}" \
  "http://$KEYGATE_ADDR/api/v1/ping"
ARGON_BEFORE=$(stat_field security.argon2_runs)
# The key-flood memory figure on its own, before any valid-key load fills the traffic pipeline.
echo "== (0) random unknown keys alone (memory under a key flood)"
run flood "http://$KEYGATE_ADDR" '' "$KEYGATE_PID" bench/unknown_keys.lua
FLOOD_ONLY_PEAK=$(rss_mb "$KEYGATE_PID" VmHWM)
echo "    keygate peak after the flood alone: $FLOOD_ONLY_PEAK MB resident"
for round in $(seq 1 "$ROUNDS"); do
  echo "== (1) hello-world ceiling, round $round"
  run hello "http://$HELLO_ADDR/ping" '{}' "$HELLO_PID"
  echo "== (2) keygate POST /api/v1/ping, round $round"
  run ping "http://$KEYGATE_ADDR/api/v1/ping" "{\"apikey\":\"$KEY\"}" "$KEYGATE_PID"
  echo "== (4) random unknown keys, bans off, round $round"
  run unknown "http://$KEYGATE_ADDR" '' "$KEYGATE_PID" bench/unknown_keys.lua
done
sleep 0.5
ARGON_AFTER=$(stat_field security.argon2_runs)
INVALID=$(stat_field security.invalid_key_attempts)
UNKNOWN_REQS=${REQS[unknown]}
[ "$UNKNOWN_REQS" -ge 10000 ] || echo "    !! only $UNKNOWN_REQS requests with unknown keys (wanted 10000)"
FLOOD_RSS=$(rss_mb "$KEYGATE_PID" VmRSS)
PEAK_RSS=$(rss_mb "$KEYGATE_PID" VmHWM)
echo "== (3) keygate POST /api/v1/funds"
FUNDS=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"apikey\":\"$KEY\"}" "http://$KEYGATE_ADDR/api/v1/funds")
if [ "$FUNDS" = 200 ]; then
  run funds "http://$KEYGATE_ADDR/api/v1/funds" "{\"apikey\":\"$KEY\"}" "$KEYGATE_PID"
else
  echo "    skipped: /api/v1/funds answers $FUNDS (the route does not exist yet)"
fi

sleep 0.5
DROPPED=$(stat_field dropped_rows)
logged() {
  curl -sf -b "$JAR" "http://$KEYGATE_ADDR/api/traffic/stats?from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'
}
# Let the writer catch up: wait until the logged count stops growing (at most 60 s).
LOGGED=-1
for _ in $(seq 1 60); do
  now=$(logged); [ "$now" = "$LOGGED" ] && break; LOGGED=$now; sleep 1
done

kill "${PIDS[@]}" 2>/dev/null || true
wait 2>/dev/null || true
PIDS=()

STATS_MS=skipped
LIST_MS=skipped
if [ "$ROWS" -gt 0 ]; then
  echo "== stats query over $ROWS traffic rows ($DB)"
  rm -f "$WORK/stats.db"*
  STATS_URL="sqlite://$WORK/stats.db?mode=rwc"
  [ "$DB" = sqlite ] || STATS_URL=$(fresh_pg keygate_bench_stats)
  STATS_OUT=$(DATABASE_URL="$STATS_URL" "$BIN/traffic-stats-bench" "$ROWS")
  echo "$STATS_OUT" | sed 's/^/    /'
  STATS_MS=$(echo "$STATS_OUT" | awk -F= '/^STATS_MS=/ {print $2}')
  LIST_MS=$(echo "$STATS_OUT" | awk -F= '/^LIST_MS=/ {print $2}')
fi

ratio=$(python3 -c "print(f'{${RPS[ping]}/${RPS[hello]}*100:.1f}')")
# Each round's ping against the hello-world run just before it: a steadier view than the best
# rounds when the machine's speed drifts.
paired=$(python3 -c "
import statistics
h = [float(x) for x in '${ALL[hello]}'.split()]
p = [float(x) for x in '${ALL[ping]}'.split()]
r = [b / a * 100 for a, b in zip(h, p)]
print(' '.join(f'{x:.1f}' for x in r), '| median', f'{statistics.median(r):.1f}')")
unknown_paired=$(python3 -c "
import statistics
p = [float(x) for x in '${ALL[ping]}'.split()]
u = [float(x) for x in '${ALL[unknown]}'.split()]
r = [b / a for a, b in zip(p, u)]
print(' '.join(f'{x:.2f}' for x in r), '| median', f'{statistics.median(r):.2f}')")
echo
echo "== summary (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, loopback, release, $DB)"
printf '%-44s %12s %10s %16s\n' scenario 'req/s' p99 'server µs/req'
printf '%-44s %12s %10s %16s\n' '(1) actix-web hello-world' "${RPS[hello]}" "${P99[hello]}" "${CPU[hello]}"
printf '%-44s %12s %10s %16s\n' '(2) keygate POST /api/v1/ping' "${RPS[ping]}" "${P99[ping]}" "${CPU[ping]}"
if [ -n "${RPS[funds]:-}" ]; then
  printf '%-44s %12s %10s %16s\n' '(3) keygate POST /api/v1/funds' "${RPS[funds]}" "${P99[funds]}" "${CPU[funds]}"
else
  printf '%-44s %12s %10s\n' '(3) keygate POST /api/v1/funds' 'skipped' '-'
fi
printf '%-44s %12s %10s %16s\n' "(4) unknown keys ($UNKNOWN_REQS requests)" "${RPS[unknown]}" "${P99[unknown]}" "${CPU[unknown]}"
echo "ping / hello per round (%): $paired"
echo "ping / hello of the best rounds: $ratio % (all rounds req/s: hello ${ALL[hello]}| ping ${ALL[ping]})"
echo "unknown keys / ping per round: $unknown_paired (all rounds req/s: unknown ${ALL[unknown]})"
echo "keygate resident memory ($KEYS extra stored keys): idle $IDLE_RSS MB, peak after the unknown-key flood alone $FLOOD_ONLY_PEAK MB, after all runs $FLOOD_RSS MB, peak $PEAK_RSS MB"
echo "server CPU per request: ping ${CPU[ping]} µs, hello ${CPU[hello]} µs (of the best rounds)"
echo "Argon2 runs during (0) and (4): $((ARGON_AFTER - ARGON_BEFORE)) (invalid-key attempts counted: $INVALID)"
SERVED=0
for name in "${!REQS[@]}"; do [ "$name" = hello ] || SERVED=$((SERVED + REQS[$name])); done
echo "keygate requests served by wrk: $SERVED; traffic rows logged ($DB, the last hour, with the sign-in and stats calls): $LOGGED, dropped (queue full or failed write): $DROPPED"
echo "stats query over $ROWS rows: $STATS_MS ms; slowest filtered log page: $LIST_MS ms"
