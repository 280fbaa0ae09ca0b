#!/usr/bin/env bash
# Replica benchmark (#15): N deliveries with SQLite, with PostgreSQL and one replica, and with
# PostgreSQL and three replicas.
#
#  1. The stores alone (compactd-store-bench): write N to the outbox, then claim in batches of 64
#     and record each delivered, with no network between: deliveries/s and claim latency.
#  2. End to end: `compactd --once` delivering N due webhooks to nginx answering 204 on
#     127.0.0.1 (as make bench-delivery), on SQLite, on PostgreSQL, and three `compactd --once`
#     at once on PostgreSQL; wall time until all have exited, deliveries/s, and the CPU seconds of
#     compactd and of PostgreSQL's processes.
#
# PostgreSQL is the test fixture's own server (Tests/Fixtures/pg_server.py) with fsync on, as a
# real one runs. Usage: Benchmarks/replica-bench.sh [N]  (default 20000; make bench-replicas).
set -euo pipefail
N=${1:-20000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/compactd-replica-bench-XXXXXX)
chmod 755 "$WORK"
PG="$WORK/pg"
cleanup() {
  kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true
  python3 "$ROOT/Tests/Fixtures/pg_server.py" stop "$PG" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PG_DURABLE=1 python3 "$ROOT/Tests/Fixtures/pg_server.py" start "$PG" > "$WORK/pg.port"
PGPORT=$(cat "$WORK/pg.port")
db() { python3 "$ROOT/Tests/Fixtures/pg_server.py" createdb "$PG" "$1"; echo "postgres://compactd@127.0.0.1:$PGPORT/$1?sslmode=disable"; }
# CPU seconds (user + system) PostgreSQL has used so far: the postmaster's own and its reaped
# children's (a backend's time moves there when its connection closes), and its live children's.
pg_cpu() {
  local master; master=$(head -1 "$PG/data/postmaster.pid")
  {
    awk '{print $14 + $15 + $16 + $17}' "/proc/$master/stat"
    for pid in $(pgrep -P "$master"); do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true; done
  } | awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {printf "%.2f", s / hz}'
}
now() { date +%s.%N; }
calc() { python3 -c "print(f'{$1:.2f}')"; }

echo "compactd replica benchmark: $N deliveries ($(nproc) cores, PostgreSQL 15 with fsync on, release build)"
echo "1. the stores alone (claim 64 at a time, record delivered; no network):"
"$ROOT/.build/release/compactd-store-bench" sqlite "$WORK/store.sqlite" --deliveries "$N"
"$ROOT/.build/release/compactd-store-bench" postgresql "$(db store1)" --deliveries "$N" --replicas 1 2>/dev/null
"$ROOT/.build/release/compactd-store-bench" postgresql "$(db store3)" --deliveries "$N" --replicas 3 2>/dev/null

echo "2. end to end, compactd --once to nginx (204):"
. "$ROOT/Benchmarks/nginx-204.sh"
run() { # name, replicas, [state] table
  local name=$1 replicas=$2 state=$3 dir="$WORK/$1"
  mkdir -p "$dir"
  "$ROOT/Benchmarks/due-webhooks.py" "$dir" "$N" "$PORT" --max-concurrent 64 --templates "$ROOT/Config/templates"
  printf '%s\n' "$state" >> "$dir/compactd.toml"
  # The outbox written first (one run that plans and enqueues, delivering nothing yet is not
  # possible with --once; so the first replica plans, the others find the rows written).
  local p0 t0 t1 c0 c1 i
  p0=$(pg_cpu); t0=$(now)
  for i in $(seq "$replicas"); do
    /usr/bin/time -f "%U %S" -o "$dir/times.$i" "$ROOT/.build/release/compactd" --config "$dir/compactd.toml" --once > "$dir/out.$i" 2>/dev/null &
  done
  wait
  t1=$(now); c1=$(pg_cpu)
  local cpu; cpu=$(cat "$dir"/times.* | awk '{s += $1 + $2} END {printf "%.2f", s}')
  echo "  $name: $(calc "$t1-$t0") s, $(python3 -c "print(f'{$N/($t1-$t0):.0f}')") deliveries/s; compactd CPU $cpu s, PostgreSQL CPU $(calc "$c1-$p0") s; $(cat "$dir"/out.* | tr '\n' ' ')"
}
run "SQLite, 1 process" 1 ""
run "PostgreSQL, 1 replica" 1 "$(printf '[state]\nbackend = "postgresql"\nurl = "%s"' "$(db e2e1)")"
run "PostgreSQL, 3 replicas" 3 "$(printf '[state]\nbackend = "postgresql"\nurl = "%s"' "$(db e2e3)")"
