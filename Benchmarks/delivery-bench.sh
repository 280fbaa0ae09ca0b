#!/usr/bin/env bash
# Delivery benchmark: `compactd --once` delivering N due webhooks to a local receiver
# (nginx answering 204 on 127.0.0.1), against `curl --parallel --parallel-max 64` posting the
# same bodies to the same receiver in the same run, and against one curl process per request.
#
# Usage: Benchmarks/delivery-bench.sh [N]   (default 20000; run from the repository root)
# Needs a release build of compactd (make bench-delivery does both).
# TIMES=1 adds the CPU time of compactd, of curl --parallel and of nginx's worker in each.
# PER_FILE=N puts N deadlines in each compact file (default 200); PER_FILE=1 spreads the
# notices over N compacts, one each, which measures finding each notice's compact.
# PROFILE=FILE records the compactd run with `perf record -g` into FILE (timings then include perf).
set -euo pipefail
N=${1:-20000}
ONE_PER_PROCESS=${ONE_PER_PROCESS:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/compactd-bench-XXXXXX)
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. "$ROOT/Benchmarks/nginx-204.sh"
mkdir -p "$WORK/cfg/compacts"

# N deadlines due one minute ago, 200 per compact file (PER_FILE), one webhook channel.
"$ROOT/Benchmarks/due-webhooks.py" "$WORK/cfg" "$N" "$PORT" --per-file "${PER_FILE:-200}" --max-concurrent "${MAXC:-64}" --templates "${TEMPLATES:-$ROOT/Config/templates}"

now() { date +%s.%N; }
# CPU seconds (user + system) nginx's worker has used so far: the receiver's share of the run.
NGINX_WORKER=$(pgrep -P "$(cat "$WORK/nginx.pid")" | head -1)
nginx_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$NGINX_WORKER/stat"; }
rate() { python3 -c "print(f'{$1/($3-$2):.0f}')"; }

echo "compactd delivery benchmark: $N webhooks to nginx on 127.0.0.1:$PORT ($(nproc) cores)"
T0=$(now)
NG0=$(nginx_cpu)
PERF=()
[ -n "${PROFILE:-}" ] && PERF=(perf record -q -g ${PERF_EVENTS:-} -o "$PROFILE")
# CPU time of the compactd run (user, system), beside the wall-clock time.
[ -n "${TIMES:-}" ] && PERF=(/usr/bin/time -f "user %U s, sys %S s, wall %e s, %P of one core" -o "$WORK/times")
/usr/bin/time -f "%M" -o "$WORK/rss" "${PERF[@]}" "$ROOT/.build/release/compactd" --config "$WORK/cfg/compactd.toml" --once 2>/dev/null | tail -1
T1=$(now)
NG1=$(nginx_cpu)
COMPACTD_RATE=$(rate "$N" "$T0" "$T1")
[ -s "$WORK/times" ] && echo "compactd cpu: $(cat "$WORK/times"); nginx $(python3 -c "print(f'{$NG1-$NG0:.2f}')") s"
DELIVERED=$(sqlite3 "$WORK/cfg/state.sqlite" "select count(*) from deliveries where status='delivered'" 2>/dev/null || echo "?")
echo "compactd --once:             $(python3 -c "print(f'{$T1-$T0:.2f}')") s, $COMPACTD_RATE deliveries/s, $DELIVERED recorded delivered, peak RSS $(($(cat "$WORK/rss")/1024)) MiB"

# The fixed part of that: the same run again, with nothing left to send (loading the
# configuration, planning, reading the outbox).
T2=$(now)
"$ROOT/.build/release/compactd" --config "$WORK/cfg/compactd.toml" --once > /dev/null 2>&1
T3=$(now)
echo "  of which fixed cost:       $(python3 -c "print(f'{$T3-$T2:.2f}')") s (a second run with nothing left to send: config load, plan, outbox check)"

# The same bodies with curl --parallel.
python3 - "$WORK" "$N" "$PORT" <<'PY'
import sys
work, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
open(f"{work}/body.json", "w").write('{"data":{"commitments":[],"compact":{"id":"city-0","partner":"City 0"},"cycle":{"id":"deadline","title":"Deadline"},"days_until_due":0,"due_at":"2026-11-29T00:00:00Z","due_at_local":"2026-11-29 00:00 UTC","kind":"reminder","label":"due","notice_id":"city-0/deadline/2026-11-29/d0/remind-0/hook","occurrence":"2026-11-29","step":{"id":"d0","title":"Deadline 0"},"time_zone":"UTC"},"event_id":"msg_00000000000000000000000000000000","timestamp":"2026-11-29T00:00:00Z","type":"compact.step.reminder","version":1}')
with open(f"{work}/urls.txt", "w") as f:
    for i in range(n):
        f.write(f'url = "http://127.0.0.1:{port}/hook"\n')
PY
T0=$(now)
NG0=$(nginx_cpu)
/usr/bin/time -f "user %U s, sys %S s" -o "$WORK/curl-times" \
  curl --parallel --parallel-max 64 -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" --config "$WORK/urls.txt"
T1=$(now)
NG1=$(nginx_cpu)
CURL_RATE=$(rate "$N" "$T0" "$T1")
echo "curl --parallel (64):        $(python3 -c "print(f'{$T1-$T0:.2f}')") s, $CURL_RATE requests/s"
[ -n "${TIMES:-}" ] && echo "curl cpu: $(cat "$WORK/curl-times"); nginx $(python3 -c "print(f'{$NG1-$NG0:.2f}')") s"

T0=$(now)
for i in $(seq "$ONE_PER_PROCESS"); do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "http://127.0.0.1:$PORT/hook"
done
T1=$(now)
SINGLE_RATE=$(rate "$ONE_PER_PROCESS" "$T0" "$T1")
echo "one curl per request:        $SINGLE_RATE requests/s (measured over $ONE_PER_PROCESS requests)"
python3 -c "print(f'compactd / curl --parallel: {$COMPACTD_RATE/$CURL_RATE:.2f}x   compactd / one-curl-per-request: {$COMPACTD_RATE/$SINGLE_RATE:.1f}x')"
