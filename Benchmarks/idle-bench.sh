#!/usr/bin/env bash
# Idle behaviour: compactd (release) on the shipped configuration, after READY, against
# Debian's prometheus-alertmanager idling beside it in the same run. Reports start-to-READY
# (through a real NOTIFY_SOCKET), RSS, and CPU ticks (utime+stime from /proc) over 60 s, with
# the watchdog at 60 s as in the unit (so two pings); and, first, the RSS as loaded, without
# the idle page release.
# Usage: Benchmarks/idle-bench.sh [SECONDS]   (run from the repository root; make bench-idle)
set -euo pipefail
SECONDS_IDLE=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/compactd-idle-XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

# A notify socket that timestamps what it receives.
python3 - "$WORK/notify.sock" > "$WORK/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    data = s.recv(4096).decode()
    print(f"{time.time():.6f} {data!r}", flush=True)
PY
PIDS+=($!)
for i in $(seq 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done

# First, for comparison, what compactd holds as loaded: the same start with the idle page
# release off, measured 2 s after READY. Not beside the measured run: two processes running
# one binary share its pages, and shared pages are never released.
mkdir -p "$WORK/loaded"
NOTIFY_SOCKET="$WORK/notify.sock" STATE_DIRECTORY="$WORK/loaded" COMPACTD_CONTROL_SOCKET="$WORK/loaded.sock" COMPACTD_IDLE_PAGE_RELEASE=off \
  "$ROOT/.build/release/compactd" --config "$ROOT/Config/compactd.toml" 2> "$WORK/loaded.log" &
LPID=$!
PIDS+=($LPID)
for i in $(seq 100); do grep -q "READY=1" "$WORK/notify.log" && break; sleep 0.05; done
sleep 2
LOADED=$(awk '/VmRSS/ {print $2}' "/proc/$LPID/status")
kill "$LPID"; wait "$LPID" 2>/dev/null || true

mkdir -p "$WORK/state"
START=$(python3 -c 'import time; print(f"{time.time():.6f}")')
NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=60000000 STATE_DIRECTORY="$WORK/state" COMPACTD_CONTROL_SOCKET="$WORK/control.sock" \
  "$ROOT/.build/release/compactd" --config "$ROOT/Config/compactd.toml" 2> "$WORK/compactd.log" &
CPID=$!
PIDS+=($CPID)
# The second READY=1 on the socket is this run's (the first was the as-loaded run's).
for i in $(seq 100); do [ "$(grep -c "READY=1" "$WORK/notify.log")" -ge 2 ] && break; sleep 0.05; done
READY=$(grep "READY=1" "$WORK/notify.log" | tail -1 | cut -d' ' -f1)
echo "compactd start to READY=1: $(python3 -c "print(f'{($READY-$START)*1000:.0f}')") ms (exec to READY, release build, shipped config, fresh state)"

AMPID=""
if command -v prometheus-alertmanager >/dev/null; then
  AMPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' > "$WORK/am.yml"
  prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/am" --web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= > "$WORK/am.log" 2>&1 &
  AMPID=$!
  PIDS+=($AMPID)
  sleep 2
fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
C0=$(ticks $CPID); [ -n "$AMPID" ] && A0=$(ticks $AMPID)
W0=$(grep -c "WATCHDOG=1" "$WORK/notify.log" || true)
sleep "$SECONDS_IDLE"
C1=$(ticks $CPID); W1=$(grep -c "WATCHDOG=1" "$WORK/notify.log" || true)
echo "compactd as loaded, 2 s after READY (COMPACTD_IDLE_PAGE_RELEASE=off): RSS $((LOADED/1024)) MiB ($LOADED KiB)"
echo "compactd idle ${SECONDS_IDLE}s: RSS $(($(rss $CPID)/1024)) MiB ($(rss $CPID) KiB), CPU ticks $((C1-C0)) (clock ticks of $(getconf CLK_TCK)/s), watchdog pings $((W1-W0))"
if [ -n "$AMPID" ]; then
  A1=$(ticks $AMPID)
  echo "alertmanager idle ${SECONDS_IDLE}s: RSS $(($(rss $AMPID)/1024)) MiB ($(rss $AMPID) KiB), CPU ticks $((A1-A0))"
else
  echo "alertmanager: not installed (apt-get install prometheus-alertmanager)"
fi
