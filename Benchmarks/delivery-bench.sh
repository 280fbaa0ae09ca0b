#!/usr/bin/env bash
# Delivery benchmark: `compactd --once` delivering N due webhooks to a local receiver
# (nginx answering 204 on 127.0.0.1), against `curl --parallel --parallel-max 64` posting the
# same bodies to the same receiver in the same run, and against one curl process per request.
#
# Usage: Benchmarks/delivery-bench.sh [N]   (default 20000; run from the repository root)
# Needs a release build of compactd (make bench-delivery does both).
# TIMES=1 adds the CPU time of compactd, of curl --parallel and of nginx's worker in each, and
# compactd's CPU over curl's. RUNS=N repeats the compactd and curl runs alternately (the
# machine's noise moves one binary's CPU by a tenth from run to run) and gives the median ratio.
# PER_FILE=N puts N deadlines in each compact file (default 200); PER_FILE=1 spreads the
# notices over N compacts, one each, which measures finding each notice's compact.
# PROFILE=FILE records the compactd run with `perf record -g` into FILE (timings then include perf).
# THREADS=1 adds the CPU each of compactd's threads used, by name (perf's sched_stat_runtime
# tracepoint; the timings then include perf): compactd-curl is the transfer engine, the
# dispatch queue threads (named by libdispatch, "-qos.overcommit") run the state store, the
# cooperative pool's ("oot.default-qos") planning, building requests and logging.
# SAME_HEADERS=1 has curl send the three Standard Webhooks headers compactd signs each request
# with (fixed values of the same lengths: curl computes no signature), so both programs format
# and send the same header bytes; without it curl sends only its own.
# INSTRUCTIONS=1 adds both programs' instructions, counted by valgrind's callgrind on a fresh copy
# of the same N webhooks: user space only (the kernel's TCP path is left out, so the ratio is
# above the CPU one), but the same count whatever else the machine is doing, where the CPU time
# of one binary moves by a tenth between runs and by a fifth between hours. 20000 takes about
# two minutes under valgrind, 5000 half a minute.
set -euo pipefail
N=${1:-20000}
ONE_PER_PROCESS=${ONE_PER_PROCESS:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/compactd-bench-XXXXXX)
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. "$ROOT/Benchmarks/nginx-204.sh"
# N deadlines due one minute ago, 200 per compact file (PER_FILE), one webhook channel; each run
# starts from a copy of it, with an empty state file.
"$ROOT/Benchmarks/due-webhooks.py" "$WORK/pristine" "$N" "$PORT" --per-file "${PER_FILE:-200}" --max-concurrent "${MAXC:-64}" --templates "${TEMPLATES:-$ROOT/Config/templates}"

# The same bodies for curl --parallel.
python3 - "$WORK" "$N" "$PORT" <<'PY'
import sys
work, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
open(f"{work}/body.json", "w").write('{"data":{"commitments":[],"compact":{"id":"city-0","partner":"City 0"},"cycle":{"id":"deadline","title":"Deadline"},"days_until_due":0,"due_at":"2026-11-29T00:00:00Z","due_at_local":"2026-11-29 00:00 UTC","kind":"reminder","label":"due","notice_id":"city-0/deadline/2026-11-29/d0/remind-0/hook","occurrence":"2026-11-29","step":{"id":"d0","title":"Deadline 0"},"time_zone":"UTC"},"event_id":"msg_00000000000000000000000000000000","timestamp":"2026-11-29T00:00:00Z","type":"compact.step.reminder","version":1}')
with open(f"{work}/urls.txt", "w") as f:
    for i in range(n):
        f.write(f'url = "http://127.0.0.1:{port}/hook"\n')
PY

# curl's request headers: the content type, and with SAME_HEADERS=1 the webhook headers.
CURL_HEADERS=(-H 'Content-Type: application/json')
[ -n "${SAME_HEADERS:-}" ] && CURL_HEADERS+=(
  -H 'webhook-id: msg_00000000000000000000000000000000'
  -H 'webhook-timestamp: 1796218470'
  -H 'webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
)

now() { date +%s.%N; }
# A fresh copy of the configuration and an empty state file for the next compactd run.
fresh_state() { rm -rf "$WORK/cfg"; cp -a "$WORK/pristine" "$WORK/cfg"; }
# The comparison: curl --parallel posting the same bodies to the same receiver (a command
# line, not a function, so /usr/bin/time and valgrind can run it).
CURL_PARALLEL=(curl --parallel --parallel-max 64 -s -o /dev/null -X POST "${CURL_HEADERS[@]}" --data-binary @"$WORK/body.json" --config "$WORK/urls.txt")
# CPU seconds (user + system) nginx's worker has used so far: the receiver's share of the run.
NGINX_WORKER=$(pgrep -P "$(cat "$WORK/nginx.pid")" | head -1)
nginx_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$NGINX_WORKER/stat"; }
rate() { python3 -c "print(f'{$1/($3-$2):.0f}')"; }
# User + system seconds from a /usr/bin/time file written with "%U %S".
cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }

echo "compactd delivery benchmark: $N webhooks to nginx on 127.0.0.1:$PORT ($(nproc) cores), ${RUNS:-1} run(s)"
RATIOS=()
for RUN in $(seq "${RUNS:-1}"); do
  fresh_state
  [ "${RUNS:-1}" -gt 1 ] && echo "run $RUN:"
  T0=$(now)
  NG0=$(nginx_cpu)
  PERF=()
  [ -n "${PROFILE:-}" ] && PERF=(perf record -q -g ${PERF_EVENTS:-} -o "$PROFILE")
  # CPU time of the compactd run (user, system), beside the wall-clock time.
  [ -n "${TIMES:-}" ] && PERF=(/usr/bin/time -f "%U %S %e %P" -o "$WORK/times")
  [ -n "${THREADS:-}" ] && PERF+=(perf record -q -e sched:sched_stat_runtime -o "$WORK/threads.data")
  /usr/bin/time -f "%M" -o "$WORK/rss" "${PERF[@]}" "$ROOT/.build/release/compactd" --config "$WORK/cfg/compactd.toml" --once 2>/dev/null | tail -1
  T1=$(now)
  NG1=$(nginx_cpu)
  COMPACTD_RATE=$(rate "$N" "$T0" "$T1")
  [ -n "${THREADS:-}" ] && perf script -i "$WORK/threads.data" -F trace 2>/dev/null | python3 -c '
import collections, re, sys
cpu, threads = collections.Counter(), collections.defaultdict(set)
for line in sys.stdin:
    m = re.search(r"comm=(.*) pid=(\d+) runtime=(\d+)", line)
    if m and m.group(1) != "perf":
        cpu[m.group(1)] += int(m.group(3))
        threads[m.group(1)].add(m.group(2))
# (Events from other tasks the tracepoint caught on the way, a few milliseconds, left out.)
print("compactd threads (CPU s, threads of that name): " + ", ".join(f"{name} {ns / 1e9:.2f} ({len(threads[name])})" for name, ns in cpu.most_common() if ns >= 5e6))'
  [ -s "$WORK/times" ] && echo "compactd cpu: $(awk '{printf "user %s s, sys %s s, wall %s s, %s of one core", $1, $2, $3, $4}' "$WORK/times"); nginx $(python3 -c "print(f'{$NG1-$NG0:.2f}')") s"
  DELIVERED=$(sqlite3 "$WORK/cfg/state.sqlite" "select count(*) from deliveries where status='delivered'" 2>/dev/null || echo "?")
  echo "compactd --once:             $(python3 -c "print(f'{$T1-$T0:.2f}')") s, $COMPACTD_RATE deliveries/s, $DELIVERED recorded delivered, peak RSS $(($(cat "$WORK/rss")/1024)) MiB"

  if [ "$RUN" = 1 ]; then
    # The fixed part of that: the same run again, with nothing left to send (loading the
    # configuration, planning, reading the outbox).
    T2=$(now)
    "$ROOT/.build/release/compactd" --config "$WORK/cfg/compactd.toml" --once > /dev/null 2>&1
    T3=$(now)
    echo "  of which fixed cost:       $(python3 -c "print(f'{$T3-$T2:.2f}')") s (a second run with nothing left to send: config load, plan, outbox check)"
  fi

  T0=$(now)
  NG0=$(nginx_cpu)
  /usr/bin/time -f "%U %S" -o "$WORK/curl-times" \
    "${CURL_PARALLEL[@]}"
  T1=$(now)
  NG1=$(nginx_cpu)
  CURL_RATE=$(rate "$N" "$T0" "$T1")
  echo "curl --parallel (64):        $(python3 -c "print(f'{$T1-$T0:.2f}')") s, $CURL_RATE requests/s"
  echo "compactd / curl --parallel, whole run: $(python3 -c "print(f'{$COMPACTD_RATE/$CURL_RATE:.2f}')")x"
  if [ -n "${TIMES:-}" ]; then
    echo "curl cpu: $(awk '{printf "user %s s, sys %s s", $1, $2}' "$WORK/curl-times"); nginx $(python3 -c "print(f'{$NG1-$NG0:.2f}')") s"
    # The issue's measure: compactd's CPU (the whole process: start, loading, planning, the
    # outbox, sending, recording) over curl's for the same requests.
    RATIO=$(python3 -c "print(f'{$(cpu "$WORK/times")/$(cpu "$WORK/curl-times"):.2f}')")
    RATIOS+=("$RATIO")
    echo "CPU, compactd / curl --parallel: $(cpu "$WORK/times") s / $(cpu "$WORK/curl-times") s = ${RATIO}x"
  fi
done
if [ "${#RATIOS[@]}" -gt 1 ]; then
  echo "CPU ratios over ${#RATIOS[@]} runs: $(printf '%s\n' "${RATIOS[@]}" | sort -n | tr '\n' ' ')(median $(printf '%s\n' "${RATIOS[@]}" | python3 -c 'import sys, statistics; print(f"{statistics.median(float(l) for l in sys.stdin):.2f}")')x)"
fi

if [ -n "${INSTRUCTIONS:-}" ]; then
  command -v valgrind >/dev/null || { echo "INSTRUCTIONS=1 needs valgrind (apt-get install valgrind)" >&2; exit 1; }
  # What callgrind counted ("Collected : N"), from its log.
  collected() { sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$1"; }
  fresh_state
  # Without its debug information, which valgrind 3.19's reader gives up on ("Possibly
  # corrupted debuginfo file"); the code and its symbols are the same.
  strip --strip-debug -o "$WORK/compactd" "$ROOT/.build/release/compactd"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$WORK/compactd.cg" \
    "$WORK/compactd" --config "$WORK/cfg/compactd.toml" --once > /dev/null 2>&1 || { tail -3 "$WORK/compactd.cg" >&2; exit 1; }
  DELIVERED=$(sqlite3 "$WORK/cfg/state.sqlite" "select count(*) from deliveries where status='delivered'")
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$WORK/curl.cg" \
    "${CURL_PARALLEL[@]}" || { tail -3 "$WORK/curl.cg" >&2; exit 1; }
  python3 -c '
import sys
compactd, curl, n, delivered = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print(f"instructions (callgrind, user space): compactd {compactd / 1e6:,.1f} million ({compactd / n:,.0f} a delivery, {delivered} recorded delivered), "
      f"curl --parallel {curl / 1e6:,.1f} million ({curl / n:,.0f} a request): {compactd / curl:.2f}x")' \
    "$(collected "$WORK/compactd.cg")" "$(collected "$WORK/curl.cg")" "$N" "$DELIVERED"
fi

T0=$(now)
for i in $(seq "$ONE_PER_PROCESS"); do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "http://127.0.0.1:$PORT/hook"
done
T1=$(now)
SINGLE_RATE=$(rate "$ONE_PER_PROCESS" "$T0" "$T1")
echo "one curl per request:        $SINGLE_RATE requests/s (measured over $ONE_PER_PROCESS requests)"
python3 -c "print(f'compactd / one-curl-per-request (last run): {$COMPACTD_RATE/$SINGLE_RATE:.1f}x')"
