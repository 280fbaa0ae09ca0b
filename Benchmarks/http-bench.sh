#!/usr/bin/env bash
# The HTTP listener under load, and what it costs at rest. Release build, shipped configuration.
#  1. READY time and idle RSS with [http] on (as shipped) and off (the table removed), RUNS
#     times each, alternating.
#  2. wrk against compactd's status page and /metrics, and against nginx serving a static copy
#     of the same status page, in the same run: requests per second and latency percentiles.
# Usage: Benchmarks/http-bench.sh [RUNS] [SECONDS]   (from the repository root; make bench-http)
set -euo pipefail
RUNS=${1:-3}
DURATION=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/compactd-http-XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
BIN="$ROOT/.build/release/compactd"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The shipped configuration on a free port, and the same without [http].
cp -r "$ROOT/Config" "$WORK/on"
PORT=$(free_port)
sed -i "s|127.0.0.1:8787|127.0.0.1:$PORT|g" "$WORK/on/compactd.toml"
cp -r "$ROOT/Config" "$WORK/off"
python3 - "$WORK/off/compactd.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# Drop the [http] table: from its header to the next table header.
text = re.sub(r"\n\[http\]\n(?:(?!\n\[)[\s\S])*?(?=\n\[)", "\n", text)
assert "[http]" not in text
open(sys.argv[1], "w").write(text)
PY

python3 - "$WORK/notify.sock" > "$WORK/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    data = s.recv(4096).decode()
    print(f"{time.time():.6f} {data!r}", flush=True)
PY
PIDS+=($!)
for i in $(seq 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done

# start MODE N: one daemon; prints "READY_MS RSS_KIB" 10 s after READY.
start() {
  local mode=$1 n=$2 state="$WORK/state-$1-$2"
  mkdir -p "$state"
  local before
  before=$(grep -c "READY=1" "$WORK/notify.log" || true)
  local t0
  t0=$(python3 -c 'import time; print(f"{time.time():.6f}")')
  NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=60000000 STATE_DIRECTORY="$state" COMPACTD_CONTROL_SOCKET="$state/control.sock" \
    "$BIN" --config "$WORK/$mode/compactd.toml" 2> "$state/log" &
  local pid=$!
  for i in $(seq 200); do [ "$(grep -c "READY=1" "$WORK/notify.log" || true)" -gt "$before" ] && break; sleep 0.02; done
  local ready
  ready=$(grep "READY=1" "$WORK/notify.log" | tail -1 | cut -d' ' -f1)
  sleep 10
  echo "$(python3 -c "print(f'{($ready-$t0)*1000:.0f}')") $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "== at rest: exec to READY=1, and RSS 10 s after READY (release build, shipped configuration, fresh state)"
for n in $(seq "$RUNS"); do
  for mode in on off; do
    read -r ms kib < <(start "$mode" "$n")
    echo "http $mode  run $n: READY $ms ms, RSS $((kib / 1024)) MiB ($kib KiB)"
  done
done

echo "== under load: wrk -t2 -c32 -d${DURATION}s --latency"
mkdir -p "$WORK/state-load"
STATE_DIRECTORY="$WORK/state-load" COMPACTD_CONTROL_SOCKET="$WORK/state-load/control.sock" "$BIN" --config "$WORK/on/compactd.toml" 2> "$WORK/load.log" &
PIDS+=($!)
for i in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.05; done
TOKEN=$(cat "$WORK/state-load/http-status.token")
STATUS="http://127.0.0.1:$PORT/status/$TOKEN"
mkdir -p "$WORK/www/status"
chmod 755 "$WORK"   # nginx's worker reads as nobody
curl -sf "$STATUS" > "$WORK/www/status/index.html"
curl -sf "http://127.0.0.1:$PORT/style.css" > "$WORK/www/style.css"
NGINX_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; location / { default_type text/html; } }
}
NGINX
chmod -R a+rX "$WORK/www"
nginx -c "$WORK/nginx.conf" &
PIDS+=($!)
for i in $(seq 100); do curl -sf "http://127.0.0.1:$NGINX_PORT/status/" > /dev/null && break; sleep 0.05; done
echo "status page: $(wc -c < "$WORK/www/status/index.html") bytes"
for target in "compactd status page|$STATUS" "compactd /metrics|http://127.0.0.1:$PORT/metrics" "nginx, static copy of the status page|http://127.0.0.1:$NGINX_PORT/status/"; do
  name=${target%%|*}; url=${target#*|}
  echo "-- $name"
  wrk -t2 -c32 -d"${DURATION}s" --latency "$url" | grep -E "Requests/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors"
done
