#!/usr/bin/env bash
# What one planning pass of the running daemon costs at scale, when the look-back holds many
# notices and the outbox a long history: 10,000 shipped-shaped compacts whose summer cycle
# starts a month ago (so the catch-up look-back holds 60,000 notices, all already written),
# then HISTORY delivered rows and their attempts added to the state file (a year or two of
# history), then the daemon poked POKES times on its control socket; it prints the daemon's CPU
# per pass and its resident set before and after. Then what reads the history on a person's
# request: the status overview and /metrics (the daemon's listener), and `compactctl check`,
# `agenda --days 30` and `status`, each timed (wall seconds; RSS for the commands).
#
# Usage: Benchmarks/pass-bench.sh [COMPACTS] [HISTORY] [POKES]   (defaults 10000 1000000 10)
# Needs a release build of compactd (make bench-pass does both).
set -euo pipefail
COMPACTS=${1:-10000}; HISTORY=${2:-1000000}; POKES=${3:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release/compactd}
WORK=$(mktemp -d /tmp/compactd-pass-XXXXXX)
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

python3 "$ROOT/Benchmarks/scale-bench.py" --sizes "$COMPACTS" --generate "$WORK" > /dev/null
mv "$WORK/config" "$WORK/cfg"
# The cycle started a month ago: its kickoff's reminders, overdue notices and escalations are
# in the look-back, older than the catch-up window (written as missed).
MONTH=$(date -u -d '-31 days' +%m-%d)
sed -i "s/^calendar = \"\*-05-01 09:00\"/calendar = \"*-$MONTH 09:00\"/" "$WORK"/cfg/compacts/*.toml
sed -i "s|^state_path = .*|state_path = \"$WORK/state.sqlite\"|" "$WORK/cfg/compactd.toml"
# The listener, on a free port, its status pages open (no token to read back).
HTTP_PORT=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
printf '\n[http]\nlisten = "127.0.0.1:%s"\npublic_url = "http://127.0.0.1:%s"\nstatus_access = "open"\n' "$HTTP_PORT" "$HTTP_PORT" >> "$WORK/cfg/compactd.toml"
"$BIN" --config "$WORK/cfg/compactd.toml" --once > /dev/null 2>&1
python3 - "$WORK/state.sqlite" "$HISTORY" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
snapshot = db.execute("SELECT snapshot FROM deliveries LIMIT 1").fetchone()[0]
base = 1_700_000_000_000_000
def rows():
    for i in range(n):
        compact = f"city-{i % 10000}"
        # Every other one an email that reached a contact (the status pages' "last contact").
        channel, contact = ("district-email", "liaison@example.org") if i % 2 else ("district-log", None)
        yield (f"{compact}/history/{i}/remind-0/{channel}", f"{compact}/history/{i}", compact, channel, contact, base + i, "delivered", 1, base, base + i, snapshot)
db.executemany("INSERT INTO deliveries (id, step_key, compact_id, channel, contact, send_at, status, attempts, created_at, updated_at, snapshot) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows())
# One in a hundred went out at the second attempt, after a 503 (compactctl status's last failure).
db.execute(f"INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, latency_ms) SELECT id, CASE WHEN rowid % 100 = 0 THEN 2 ELSE 1 END, created_at, send_at, 'delivered', 5 FROM deliveries WHERE status = 'delivered'")
db.execute(f"INSERT INTO attempts (delivery_id, number, started_at, finished_at, outcome, http_status, latency_ms, detail) SELECT id, 1, created_at, send_at - 60000000, 'retry', 503, 5, 'HTTP 503' FROM deliveries WHERE status = 'delivered' AND rowid % 100 = 0")
# Rows written here by hand, not through compactd's store, which keeps the outbox's counts as
# it writes (delivery_counts): added to them as its writes would have.
db.execute("""INSERT INTO delivery_counts (channel, status, tried, rows, latest)
    SELECT channel, status, attempts > 0, COUNT(*), MAX(updated_at) FROM deliveries WHERE step_key LIKE '%/history/%' GROUP BY channel, status, attempts > 0
    ON CONFLICT (channel, status, tried) DO UPDATE SET rows = rows + excluded.rows, latest = MAX(IFNULL(latest, excluded.latest), excluded.latest)""")
# And each channel's last failure (channel_failures), from the failed attempts written here.
db.execute("""INSERT INTO channel_failures (channel, at, detail)
    SELECT d.channel, MAX(a.finished_at), a.detail FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.outcome <> 'delivered' GROUP BY d.channel
    ON CONFLICT (channel) DO UPDATE SET at = excluded.at, detail = excluded.detail WHERE excluded.at >= channel_failures.at""")
db.commit()
print(f"state: {db.execute('SELECT COUNT(*) FROM deliveries').fetchone()[0]} deliveries, {db.execute('SELECT COUNT(*) FROM attempts').fetchone()[0]} attempts")
PY

SOCK="$WORK/control.sock"
COMPACTD_CONTROL_SOCKET="$SOCK" "$BIN" --config "$WORK/cfg/compactd.toml" > /dev/null 2> "$WORK/err" & PID=$!
for _ in $(seq 600); do grep -q "ready" "$WORK/err" 2>/dev/null && break; sleep 0.1; done
sleep 1
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$PID/stat"; }
rss() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$PID/status"; }
C0=$(cpu); R0=$(rss)
for _ in $(seq "$POKES"); do
  python3 -c "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'poke\n'); s.recv(100)" "$SOCK"
  sleep 0.5
done
C1=$(cpu); R1=$(rss)
echo "$COMPACTS compacts, $HISTORY delivered rows of history: $(python3 -c "print(f'{($C1 - $C0) / $POKES * 1000:.0f}')") ms of CPU a pass ($POKES pokes); RSS $R0 -> $R1 MiB, peak $(awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$PID/status") MiB"
# What a person's requests read, with that history in the state file (three of each).
for _ in 1 2 3; do
  curl -s -o /dev/null -w "status overview: %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:$HTTP_PORT/status"
  curl -s -o /dev/null -w "/metrics: %{time_total} s\n" "http://127.0.0.1:$HTTP_PORT/metrics"
done
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
CTL=$(dirname "$BIN")/compactctl
for _ in 1 2 3; do
  /usr/bin/time -f "compactctl check: %e s, %M KB" "$CTL" check --config "$WORK/cfg/compactd.toml" > /dev/null
  /usr/bin/time -f "compactctl agenda --days 30: %e s, %M KB" "$CTL" agenda --config "$WORK/cfg/compactd.toml" --days 30 -o json > /dev/null
  /usr/bin/time -f "compactctl status: %e s, %M KB" "$CTL" status --config "$WORK/cfg/compactd.toml" > /dev/null || true
done
# The counts compactd keeps are the rows' (the same query the reads used before).
python3 - "$WORK/state.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
kept = sorted(db.execute("SELECT channel, status, SUM(rows) FROM delivery_counts GROUP BY channel, status HAVING SUM(rows) <> 0").fetchall())
counted = sorted(db.execute("SELECT channel, status, COUNT(*) FROM deliveries GROUP BY channel, status").fetchall())
print("outbox counts kept:", "the rows'" if kept == counted else f"DIFFERENT: kept {kept}, counted {counted}")
PY
