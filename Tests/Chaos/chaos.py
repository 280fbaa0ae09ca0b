#!/usr/bin/env python3
"""compactd's chaos run: break the receiver, kill the daemon, then count.

A receiver on 127.0.0.1 answers 503 to ~30% of requests, stalls past compactd's timeout on ~10%
and resets the connection on ~5% (Tests/Fixtures/http_receiver.py --random); a configuration
holds N deadlines falling due over the run, one signed webhook reminder each; the built
`compactd` runs as the long-running daemon and is killed with SIGKILL at random moments K
times, and restarted after a short random downtime. When every reminder has been accepted (or
the time bound is reached) the daemon is stopped gracefully and the harness counts:

  expected        reminders the configuration plans (N)
  accepted        distinct reminders the receiver answered 200 to
  dup by id       reminders accepted under two or more different webhook-ids (must be 0)
  dup in flight   reminders accepted twice under the same id, with a kill between the two
                  acceptances: sent, accepted, then killed before the outcome was recorded
  dup unexplained the same, with no kill between (must be 0)
  lost            expected - accepted (must be 0)

plus `PRAGMA integrity_check`, the store's own count of delivered rows, and a search for the
channel's secret in everything compactd and compactctl printed. Prints a summary table, writes
it as JSON with --json, and exits non-zero if a promise was broken. Everything is on loopback;
it stops by itself within --bound seconds.

Usage: chaos.py --bin .build/debug [--reminders 5000] [--kills 20] [--span 60] [--seed 1]
"""
import argparse
import base64
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Fixtures")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True, help="folder holding the built compactd and compactctl")
    p.add_argument("--reminders", type=int, default=5000)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--span", type=float, default=60.0, help="seconds over which the reminders fall due")
    p.add_argument("--lead", type=float, default=8.0, help="seconds before the first falls due")
    p.add_argument("--bound", type=float, default=600.0, help="the whole run stops after this many seconds")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rates", default="0.3,0.1,0.05", help="receiver's 503, stall and reset rates")
    p.add_argument("--json", help="write the summary here")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    return p.parse_args()


def write_config(work, port, reminders, first_due, span):
    """N deadlines in ten compact files, due to the second between first_due and first_due+span."""
    os.makedirs(os.path.join(work, "compacts"))
    os.symlink(os.path.abspath(os.path.join(HERE, "..", "..", "Config", "templates")), os.path.join(work, "templates"))
    with open(os.path.join(work, "secret"), "w") as f:
        f.write(SECRET)
    retries = ", ".join(['"1s"'] * 30)
    with open(os.path.join(work, "compactd.toml"), "w") as f:
        f.write(f"""time_zone = "UTC"
state_path = "state.sqlite"
catch_up = "1h"
[policy]
reminders = ["0"]
overdue_every = "0"
shift = "keep"
[delivery]
retry_schedule = [{retries}]
connect_timeout = "1s"
timeout = "1s"
max_concurrent = 16
[channels.hook]
type = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret_files = ["{os.path.join(work, 'secret')}"]
""")
    files = 10
    for c in range(files):
        lines = [f'id = "chaos{c}"', f'partner = "Chaos partner {c}"', 'status = "active"', 'notify = ["hook"]', ""]
        for i in range(c, reminders, files):
            due = first_due + timedelta(seconds=span * i / max(reminders, 1))
            lines += ["[[deadlines]]", f'id = "r{i:05d}"', f'title = "Reminder {i}"', f"due = {due.strftime('%Y-%m-%dT%H:%M:%S')}", ""]
        with open(os.path.join(work, "compacts", f"chaos{c}.toml"), "w") as f:
            f.write("\n".join(lines))


def load_records(path):
    records = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass  # a line cut short by the receiver's own death at the end
    except FileNotFoundError:
        pass
    return records


def accepted(records):
    """(webhook-id, notice id, time) of every request the receiver answered 200 to."""
    out = []
    for r in records:
        if r["action"] != "200":
            continue
        body = json.loads(base64.b64decode(r["body"]))
        out.append((r["headers"].get("webhook-id"), body["data"]["notice_id"], r["at"]))
    return out


class Daemon:
    def __init__(self, binary, work, log):
        self.binary, self.work, self.log = binary, work, log
        self.process = None

    def start(self):
        env = dict(os.environ, COMPACTD_CONTROL_SOCKET=os.path.join(self.work, "control.sock"))
        env.pop("NOTIFY_SOCKET", None)
        env.pop("JOURNAL_STREAM", None)
        self.process = subprocess.Popen([os.path.join(self.binary, "compactd"), "--config", os.path.join(self.work, "compactd.toml")],
                                        stdout=self.log, stderr=self.log, env=env, cwd=self.work)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def main():
    a = parse_args()
    a.bin = os.path.abspath(a.bin)
    rng = random.Random(a.seed)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="compactd-chaos-")
    record = os.path.join(work, "received.jsonl")
    receiver = subprocess.Popen([sys.executable, os.path.join(FIXTURES, "http_receiver.py"), "--record", record,
                                 "--random", a.rates, "--seed", str(a.seed), "--stall", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(receiver.stdout.readline())
    first_due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=a.lead)
    write_config(work, port, a.reminders, first_due, a.span)
    log = open(os.path.join(work, "compactd.log"), "ab")
    daemon = Daemon(a.bin, work, log)
    kills = []
    try:
        daemon.start()
        # Kill moments: uniformly over the span and a little after, when retries are busiest.
        window = a.lead + a.span + 5
        moments = sorted(rng.uniform(1.0, window) for _ in range(a.kills))
        for moment in moments:
            delay = moment - (time.monotonic() - started)
            if delay > 0:
                time.sleep(delay)
            daemon.kill()
            kills.append(time.time())
            time.sleep(rng.uniform(0.0, 1.5))
            daemon.start()
        # Then wait until every reminder was accepted, or the bound.
        while time.monotonic() - started < a.bound:
            if len({n for _, n, _ in accepted(load_records(record))}) >= a.reminders:
                break
            time.sleep(1)
        time.sleep(1)  # let the last outcomes be recorded
        stop_status = daemon.stop()
    finally:
        if daemon.process and daemon.process.poll() is None:
            daemon.process.kill()
        receiver.kill()
        receiver.wait()
        log.close()

    records = load_records(record)
    got = accepted(records)
    ids_by_notice, times_by_id = {}, {}
    for wid, notice, at in got:
        ids_by_notice.setdefault(notice, set()).add(wid)
        times_by_id.setdefault(wid, []).append(at)
    dup_by_id = sorted(n for n, ids in ids_by_notice.items() if len(ids) > 1)
    in_flight, unexplained = [], []
    for wid, times in times_by_id.items():
        times.sort()
        for earlier, later in zip(times, times[1:]):
            (in_flight if any(earlier <= k <= later for k in kills) else unexplained).append(wid)

    db = sqlite3.connect(os.path.join(work, "state.sqlite"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    by_status = dict(db.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall())
    db.close()

    ctl = os.path.join(a.bin, "compactctl")
    config = os.path.join(work, "compactd.toml")
    outputs = {"compactd log": open(os.path.join(work, "compactd.log"), errors="replace").read()}
    for name, argv in (("compactctl status", ["status"]), ("compactctl history", ["history", "--limit", "200"])):
        r = subprocess.run([ctl, *argv, "--config", config], capture_output=True, text=True, cwd=work)
        outputs[name] = r.stdout + r.stderr
    outputs["state store"] = open(os.path.join(work, "state.sqlite"), "rb").read().decode("latin-1")
    leaked = [name for name, text in outputs.items() if SECRET in text or SECRET[6:] in text]

    summary = {
        "reminders expected": a.reminders,
        "accepted": len(ids_by_notice),
        "duplicates by id": len(dup_by_id),
        "duplicates in flight": len(in_flight),
        "duplicates unexplained": len(unexplained),
        "lost": a.reminders - len(ids_by_notice),
        "kills": len(kills),
        "requests": len(records),
        "answered 503": sum(1 for r in records if r["action"] == "503"),
        "stalled": sum(1 for r in records if r["action"] == "S"),
        "reset": sum(1 for r in records if r["action"] == "R"),
        "store delivered": by_status.get("delivered", 0),
        "store other": {k: v for k, v in by_status.items() if k != "delivered"},
        "integrity_check": integrity,
        "graceful stop exit": stop_status,
        "secret leaked in": leaked,
        "seconds": round(time.monotonic() - started, 1),
    }
    width = max(len(k) for k in summary)
    print("compactd chaos run (seed %d)" % a.seed)
    for k, v in summary.items():
        print(f"  {k:<{width}}  {v}")
    if in_flight:
        print("  resent in flight (same id, a kill between the two acceptances):")
        for wid in sorted(set(in_flight)):
            print("   ", wid)
    if dup_by_id:
        print("  accepted under two ids:", ", ".join(dup_by_id[:20]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=1)
    broken = summary["lost"] != 0 or dup_by_id or unexplained or integrity != "ok" or leaked or stop_status != 0
    if a.keep or broken:
        print("  work folder kept:", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
