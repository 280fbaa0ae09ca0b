#!/usr/bin/env bash
# compactd (the long-running daemon, built binary) meeting state store faults, inside a private
# mount namespace so the test can mount a small tmpfs for the state and remount it. Run as root:
#   unshare -m --propagation private bash Tests/System/storage-faults-test.sh SCENARIO BIN_DIR
# SCENARIO is one of:
#   read-only  the state directory is read-only when compactd starts, writable later
#   disk-full  the state's file system fills up while reminders fall due, then frees
#   locked     another process holds the database's write lock past the busy timeout
# Each: compactd stays up (one process, one start: no crash loop), says "degraded" in its status,
# retries, and once the fault is gone delivers every reminder, each under one webhook-id; the
# store passes PRAGMA integrity_check; the channel's secret appears nowhere compactd or
# compactctl printed. Prints "PASS: ..." per check and exits 1 at the first failure.
set -uo pipefail
SCENARIO=$1
BIN=$(cd "$2" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/compactd-storage-XXXXXX)
STATE=$WORK/state
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
pass() { echo "PASS [$(date +%s)]: $*"; }
fail() { echo "FAIL: $*"; sed 's/^/  compactd: /' "$WORK/compactd.log" 2>/dev/null | tail -30; exit 1; }
cleanup() {
  for pid in ${DAEMON:-} ${RECEIVER:-} ${LOCKER:-}; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  umount "$STATE" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# The state on its own small file system, so it can be made read-only or full.
mkdir -p "$STATE" "$WORK/compacts"
mount -t tmpfs -o size=8m tmpfs "$STATE" || fail "cannot mount a tmpfs (run under unshare -m as root)"

python3 "$ROOT/Tests/Fixtures/http_receiver.py" --record "$WORK/received.jsonl" > "$WORK/port" 2> "$WORK/receiver.log" < /dev/null & RECEIVER=$!
for i in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(head -1 "$WORK/port")
echo "$SECRET" > "$WORK/hook-secret"
ln -s "$ROOT/Config/templates" "$WORK/templates"
cat > "$WORK/compactd.toml" <<TOML
time_zone = "UTC"
state_path = "$STATE/state.sqlite"
[policy]
reminders = ["0"]
overdue_every = "0"
shift = "keep"
[delivery]
retry_schedule = ["1s", "2s", "5s"]
[channels.hook]
type = "webhook"
url = "http://127.0.0.1:$PORT/hook"
secret_files = ["$WORK/hook-secret"]
TOML
# COUNT deadlines, due to the second from DUE_IN seconds ahead, PER_SECOND each second.
case "$SCENARIO" in
  disk-full) COUNT=400; DUE_IN=6; PER_SECOND=100 ;;  # more than the write-ahead log has room for
  read-only) COUNT=30; DUE_IN=2; PER_SECOND=10 ;;    # due while the store cannot be opened
  *) COUNT=30; DUE_IN=6; PER_SECOND=10 ;;
esac
{
  echo 'id = "carson"'; echo 'partner = "City of Carson"'; echo 'status = "active"'; echo 'notify = ["hook"]'
  start=$(date -u +%s)
  for i in $(seq 1 "$COUNT"); do
    echo "[[deadlines]]"; echo "id = \"d$i\""; echo "title = \"Deadline $i\""
    echo "due = $(date -u -d "@$((start + DUE_IN + i / PER_SECOND))" +%Y-%m-%dT%H:%M:%S)"
  done
} > "$WORK/compacts/carson.toml"

ctl() { "$BIN/compactctl" "$@" --config "$WORK/compactd.toml"; }
status() { COMPACTD_CONTROL_SOCKET="$WORK/control.sock" ctl status --socket "$WORK/control.sock" 2>&1; }
received() { python3 -c "
import json, sys
ids = [json.loads(l)['headers'].get('webhook-id') for l in open('$WORK/received.jsonl')]
print(len(set(ids)))" 2>/dev/null || echo 0; }
wait_until() { # SECONDS COMMAND...: true once COMMAND succeeds within SECONDS
  local limit=$(( $(date +%s) + $1 )); shift
  while [ "$(date +%s)" -le "$limit" ]; do "$@" && return 0; sleep 0.3; done
  return 1
}
# (status exits non-zero while the store cannot be opened: read its output, not its pipe.)
is_degraded() { status > "$WORK/status.out"; grep -q "degraded" "$WORK/status.out"; }
not_degraded() { status > "$WORK/status.out"; grep -q "^status: " "$WORK/status.out" && ! grep -q "degraded" "$WORK/status.out"; }
all_received() { [ "$(received)" -ge "$COUNT" ]; }
start_daemon() {
  COMPACTD_CONTROL_SOCKET="$WORK/control.sock" "$BIN/compactd" --config "$WORK/compactd.toml" > "$WORK/compactd.log" 2>&1 < /dev/null & DAEMON=$!
}
still_same_process() {
  kill -0 "$DAEMON" 2>/dev/null || fail "compactd exited: $(tail -3 "$WORK/compactd.log")"
  [ "$(grep -c '"started"\|started config=' "$WORK/compactd.log")" -le 1 ] || fail "compactd started more than once"
}

case "$SCENARIO" in
  read-only)
    mount -o remount,ro "$STATE"
    start_daemon
    wait_until 15 is_degraded || fail "status never said degraded: $(status)"
    pass "state directory read-only at start: compactd up and degraded: $(status | grep -m1 status: | cut -c1-160)"
    grep -q "state store unavailable" "$WORK/compactd.log" || fail "no 'state store unavailable' in the log"
    sleep 3
    still_same_process
    pass "still the same process after retries"
    mount -o remount,rw "$STATE"
    ;;
  disk-full)
    start_daemon
    wait_until 10 test -S "$WORK/control.sock" || fail "compactd did not become ready"
    dd if=/dev/zero of="$STATE/filler" bs=64k > /dev/null 2>&1
    pass "state file system full ($(df -k "$STATE" | awk 'NR==2 {print $4}') KiB free) before the reminders fall due"
    wait_until 30 is_degraded || fail "status never said degraded: $(status)"
    pass "disk full: compactd degraded: $(status | grep -m1 status: | cut -c1-160)"
    sleep 2
    still_same_process
    pass "still the same process while the disk is full"
    rm -f "$STATE/filler"
    ;;
  locked)
    start_daemon
    wait_until 10 test -S "$WORK/control.sock" || fail "compactd did not become ready"
    # Another process takes the write lock and holds it past compactd's busy timeout (5 s).
    python3 -c "
import sqlite3, sys, time
db = sqlite3.connect('$STATE/state.sqlite', isolation_level=None)
db.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
time.sleep(float(sys.argv[1]))
db.execute('COMMIT')" 16 > "$WORK/locker.log" 2>&1 < /dev/null & LOCKER=$!
    wait_until 5 grep -q locked "$WORK/locker.log" || fail "could not lock the database"
    pass "another process holds the database's write lock"
    wait_until 25 is_degraded || fail "status never said degraded: $(status)"
    pass "locked: compactd degraded: $(status | grep -m1 status: | cut -c1-160)"
    grep -q "another process holds the database" "$WORK/compactd.log" || fail "the log does not say the database is held by another process"
    still_same_process
    pass "still the same process while locked"
    wait "$LOCKER" 2>/dev/null
    ;;
  *) fail "unknown scenario $SCENARIO" ;;
esac

wait_until 90 all_received || fail "only $(received) of $COUNT reminders arrived after the fault was gone"
pass "fault gone: all $COUNT reminders delivered"
still_same_process
wait_until 40 not_degraded || fail "still degraded: $(status)"
pass "no longer degraded: $(status | grep -m1 status: | cut -c1-160)"
sleep 1
python3 - "$WORK/received.jsonl" "$COUNT" <<'PY' || fail "duplicates or missing"
import base64, json, sys
by_notice = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    notice = json.loads(base64.b64decode(r["body"]))["data"]["notice_id"]
    by_notice.setdefault(notice, set()).add(r["headers"]["webhook-id"])
assert len(by_notice) == int(sys.argv[2]), f"{len(by_notice)} reminders"
two = [n for n, ids in by_notice.items() if len(ids) > 1]
assert not two, f"under two ids: {two[:5]}"
PY
pass "each reminder under exactly one webhook-id"
kill -TERM "$DAEMON"; wait "$DAEMON"; code=$?
[ "$code" = 0 ] || fail "graceful stop exited $code"
DAEMON=
[ "$(python3 -c "import sqlite3; print(sqlite3.connect('$STATE/state.sqlite').execute('PRAGMA integrity_check').fetchone()[0])")" = ok ] || fail "integrity_check"
delivered=$(python3 -c "import sqlite3; print(sqlite3.connect('$STATE/state.sqlite').execute(\"SELECT count(*) FROM deliveries WHERE status = 'delivered'\").fetchone()[0])")
[ "$delivered" = "$COUNT" ] || fail "the store records $delivered delivered, expected $COUNT"
pass "store intact (integrity_check ok), $delivered delivered"
{ cat "$WORK/compactd.log"; status; ctl history --limit 100000; } > "$WORK/everything-printed" 2>&1
if grep -q -e "$SECRET" -e "${SECRET#whsec_}" "$WORK/everything-printed"; then fail "the secret appears in compactd's or compactctl's output"; fi
pass "the secret appears nowhere in compactd's log, compactctl status or history"
echo "ALL PASSED ($SCENARIO)"
