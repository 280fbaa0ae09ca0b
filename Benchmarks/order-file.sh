#!/usr/bin/env bash
# Writes Benchmarks/compactd.order: the functions compactd runs when it starts, idles, reloads
# and delivers, for the linker to place side by side (lld --symbol-ordering-file; the Makefile's
# release flags use it).
#
# Why: the kernel maps program text in 64 KiB runs around each page a process touches. The
# ~4,000 functions a started compactd has run are 1.3 MB of code, but unordered they lie in
# ~170 of those runs across a 20 MB text segment, and all of it stays resident while the daemon
# idles. Side by side they fill a few runs. Functions not listed keep their usual place; a
# stale list costs memory, never correctness.
#
# Records with valgrind's callgrind (every function executed, not a sample): compactd on the
# shipped configuration (start, READY, a reload, idle), and `compactd --once` delivering signed
# webhooks to a local receiver. Run after changes to what compactd does at start or per
# delivery:  make order-file   (needs valgrind; a release build is made first).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.build/release/compactd"
OUT="$ROOT/Benchmarks/compactd.order"
WORK=$(mktemp -d /tmp/compactd-order-XXXXXX)
RECEIVER=""
trap '[ -n "$RECEIVER" ] && kill "$RECEIVER" 2>/dev/null; rm -rf "$WORK"' EXIT
command -v valgrind >/dev/null || { echo "order-file: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

# valgrind cannot read the DWARF of these binaries: run a copy without it (symbols kept).
strip --strip-debug -o "$WORK/compactd" "$BIN"

# 1. Start on the shipped configuration, READY, a reload (SIGHUP), idle; then SIGTERM.
mkdir -p "$WORK/state"
STATE_DIRECTORY="$WORK/state" COMPACTD_CONTROL_SOCKET="$WORK/control.sock" \
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/daemon.cg" \
  "$WORK/compactd" --config "$ROOT/Config/compactd.toml" 2> "$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 300); do [ -S "$WORK/control.sock" ] && break; sleep 0.1; done
sleep 2; kill -HUP "$DAEMON"; sleep 3; kill -TERM "$DAEMON"; wait "$DAEMON" || true

# 2. `compactd --once` delivering 50 signed webhooks to a receiver answering 204.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$PORT" <<'PY' &
import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY
RECEIVER=$!
"$ROOT/Benchmarks/due-webhooks.py" "$WORK/cfg" 50 "$PORT" --templates "$ROOT/Config/templates"
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT))" 2>/dev/null && break; sleep 0.1; done
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/once.cg" \
  "$WORK/compactd" --config "$WORK/cfg/compactd.toml" --once > "$WORK/once.log" 2>&1 || { cat "$WORK/once.log" >&2; exit 1; }
grep -q "delivered 50" "$WORK/once.log" || { echo "order-file: the delivery run did not deliver 50 webhooks" >&2; tail "$WORK/once.log" >&2; exit 1; }

# Every function either run executed that the binary defines, in the binary's current order.
python3 - "$BIN" "$OUT" "$WORK/daemon.cg" "$WORK/once.cg" <<'PY'
import re, subprocess, sys
binary, out, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
names = set()
for run in runs:
    for line in open(run, errors="replace"):
        m = re.match(r"c?fn=\(\d+\) (\S+)", line)
        if m: names.add(m.group(1))
defined, copies = {}, {}
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        defined[parts[2]] = int(parts[0], 16)
        copies[parts[2]] = copies.get(parts[2], 0) + 1
# A name the binary defines more than once is a file-local helper (an outlined copy, a value
# witness) present in many objects: listing it would pull every one of those objects' code to
# the front, which is what ordering is meant to avoid.
hot = sorted((defined[n], n) for n in names if copies.get(n) == 1)
with open(out, "w") as f:
    f.write("".join(f"{n}\n" for _, n in hot))
print(f"order-file: {len(hot)} functions written to {out}")
PY
