#!/usr/bin/env python3
"""compactd's multi-replica chaos run: several daemons on one PostgreSQL, everything broken.

A real PostgreSQL 15 (Tests/Fixtures/pg_server.py, its own folder and port) holds the state of
R compactd replicas (the built daemon, `[state] backend = "postgresql"`). A receiver on
127.0.0.1 answers 503 to ~30% of requests. N deadlines fall due over the run, one signed webhook
each. Meanwhile:

  - K SIGKILLs spread over the replicas, each restarted after a short random downtime;
  - PostgreSQL restarted once (pg_ctl restart -m fast: a failover, as a client sees it);
  - one replica's clock runs --skew seconds ahead (COMPACTD_TEST_CLOCK_OFFSET_SECONDS);
  - one replica cut off from the database for longer than a lease: it runs in its own network
    namespace (`ip netns`) with one veth pair to the receiver and another to the database, and
    the database's link goes down, then up again (without root or `ip`, the process is paused
    instead);
  - another replica paused with SIGSTOP for longer than a lease (a frozen VM) while requests it
    sent are in flight, then resumed: its outcomes for rows taken over meanwhile are fenced out;
  - a probe compact whose steps send a notice every second is acknowledged with compactctl
    mid-run: no request for those steps may reach the receiver more than 1 s after.

Then every replica is stopped gracefully and the harness counts:

  lost              deadlines never accepted (must be 0)
  dup by id         accepted under two different webhook-ids (must be 0)
  dup explained     accepted twice under the same id with a kill, the cut or the database
                    restart between the two (sent, then the outcome could not be recorded)
  dup unexplained   the same with none of those between (must be 0)
  early             requests that reached the receiver before their notice was due (must be 0;
                    the skewed replica would send them two minutes early by its own clock)
  fencing broken    rows whose recorded outcome is not the current claim's (an attempt numbered
                    above the row's claims, or a delivered row whose delivered attempt is not its
                    last claim) (must be 0); "fenced" counts outcomes refused for a lost lease
  probe late        probe requests more than 1 s after the acknowledgment (must be 0)

Usage: chaos_replicas.py --bin .build/debug [--reminders 3000] [--replicas 3] [--kills 15]
"""
import argparse
import base64
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from chaos import Daemon, load_records  # noqa: E402  (the single-daemon run's process handling and record reading)
FIXTURES = os.path.join(HERE, "..", "Fixtures")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NETNS = "compactd-chaos"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--reminders", type=int, default=3000)
    p.add_argument("--replicas", type=int, default=3)
    p.add_argument("--kills", type=int, default=15)
    p.add_argument("--span", type=float, default=40.0, help="seconds over which the deadlines fall due")
    p.add_argument("--lead", type=float, default=10.0, help="seconds before the first falls due")
    p.add_argument("--lease", type=int, default=3, help="[state] lease, seconds")
    p.add_argument("--skew", type=int, default=120, help="seconds the last replica's clock runs ahead")
    p.add_argument("--cut", choices=["netns", "pause"], default="netns")
    p.add_argument("--bound", type=float, default=300.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json")
    p.add_argument("--keep", action="store_true")
    return p.parse_args()


def run(args, **kw):
    return subprocess.run(args, check=True, **kw)


def psql(pg, database, sql):
    r = subprocess.run([sys.executable, os.path.join(FIXTURES, "pg_server.py"), "psql", pg, database, sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stdout + r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


class Network:
    """A namespace for the replica to cut off, with two veth pairs: 10.231.0.1 (host) <->
    10.231.0.2 for the receiver, 10.232.0.1 <-> 10.232.0.2 for the database. The cut takes the
    database's link down: the replica still reaches the receiver (it goes on sending what it
    holds), but can record nothing, and its leases lapse."""

    def create(self):
        self.destroy()
        run(["ip", "netns", "add", NETNS])
        self.veth("cchaos", "10.231.0")
        run(["ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up"])
        self.veth("cchaosdb", "10.232.0")

    @staticmethod
    def veth(name, subnet):
        """A veth pair NAME-h (host, SUBNET.1) <-> NAME-n (in the namespace, SUBNET.2), both up."""
        run(["ip", "link", "add", f"{name}-h", "type", "veth", "peer", "name", f"{name}-n"])
        run(["ip", "link", "set", f"{name}-n", "netns", NETNS])
        run(["ip", "addr", "add", f"{subnet}.1/24", "dev", f"{name}-h"])
        run(["ip", "link", "set", f"{name}-h", "up"])
        run(["ip", "netns", "exec", NETNS, "ip", "addr", "add", f"{subnet}.2/24", "dev", f"{name}-n"])
        run(["ip", "netns", "exec", NETNS, "ip", "link", "set", f"{name}-n", "up"])

    def cut(self):
        run(["ip", "link", "set", "cchaosdb-h", "down"])

    def restore(self):
        run(["ip", "link", "set", "cchaosdb-h", "up"])

    def destroy(self):
        subprocess.run(["ip", "link", "del", "cchaos-h"], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "del", "cchaosdb-h"], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", NETNS], stderr=subprocess.DEVNULL)


def write_config(work, name, host, db_host, pg_port, receiver_port, database, lease):
    """One configuration per replica (they differ only in the addresses they reach)."""
    folder = os.path.join(work, name)
    os.makedirs(folder, exist_ok=True)
    retries = ", ".join(['"1s"'] * 40)
    with open(os.path.join(folder, "compactd.toml"), "w") as f:
        f.write(f"""time_zone = "UTC"
state_path = "unused.sqlite"
templates = "{os.path.abspath(os.path.join(HERE, '..', '..', 'Config', 'templates'))}"
compacts = ["{os.path.join(work, 'compacts')}/*.toml"]
catch_up = "1h"
[state]
backend = "postgresql"
url = "postgres://compactd@{db_host}:{pg_port}/{database}?sslmode=disable"
lease = "{lease}s"
timeout = "3s"
[policy]
reminders = ["0"]
overdue_every = "0"
shift = "keep"
[delivery]
retry_schedule = [{retries}]
connect_timeout = "1s"
timeout = "2s"
max_concurrent = 16
[channels.hook]
type = "webhook"
url = "http://{host}:{receiver_port}/hook"
allow_insecure_http = true
secret_files = ["{os.path.join(work, 'secret')}"]
""")
    return os.path.join(folder, "compactd.toml")


def write_compacts(work, reminders, first_due, span, probe_due):
    os.makedirs(os.path.join(work, "compacts"), exist_ok=True)
    with open(os.path.join(work, "secret"), "w") as f:
        f.write(SECRET)
    files = 10
    for c in range(files):
        lines = [f'id = "chaos{c}"', f'partner = "Chaos partner {c}"', 'status = "active"', 'notify = ["hook"]', ""]
        for i in range(c, reminders, files):
            due = first_due + timedelta(seconds=span * i / max(reminders, 1))
            lines += ["[[deadlines]]", f'id = "r{i:05d}"', f'title = "Reminder {i}"', f"due = {due.strftime('%Y-%m-%dT%H:%M:%S')}", ""]
        with open(os.path.join(work, "compacts", f"chaos{c}.toml"), "w") as f:
            f.write("\n".join(lines))
    # The probe: five steps with a notice every second for 12 s before their due time.
    offsets = ", ".join(f'"{s}s"' for s in range(12, 0, -1)) + ', "0"'
    lines = ['id = "probe"', 'partner = "Probe partner"', 'status = "active"', 'notify = ["hook"]', ""]
    for p in range(5):
        lines += ["[[deadlines]]", f'id = "p{p}"', f'title = "Probe {p}"', f"due = {probe_due.strftime('%Y-%m-%dT%H:%M:%S')}", f"reminders = [{offsets}]", ""]
    with open(os.path.join(work, "compacts", "probe.toml"), "w") as f:
        f.write("\n".join(lines))


def decoded(records):
    out = []
    for r in records:
        body = json.loads(base64.b64decode(r["body"]))
        out.append((r, r["headers"].get("webhook-id"), body["data"]))
    return out


class Replica(Daemon):
    """chaos.py's daemon with a name, a configuration of its own, extra environment, and
    perhaps its own network namespace; it may be paused (SIGSTOP) when stopped."""

    def __init__(self, binary, work, name, config, env, netns=False):
        super().__init__(binary, work, open(os.path.join(work, f"{name}.log"), "ab"))
        self.name, self.config, self.env, self.netns = name, config, env, netns
        self.paused = False
        self.cut = False

    def start(self):
        env = dict(os.environ, COMPACTD_CONTROL_SOCKET=os.path.join(self.work, f"{self.name}.sock"), **self.env)
        env.pop("NOTIFY_SOCKET", None)
        env.pop("JOURNAL_STREAM", None)
        argv = [os.path.join(self.binary, "compactd"), "--config", self.config]
        if self.netns:
            argv = ["ip", "netns", "exec", NETNS] + argv
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=self.log, env=env, cwd=self.work)

    def stop(self):
        if self.paused:
            self.process.send_signal(signal.SIGCONT)
        return super().stop()


def main():
    a = parse_args()
    a.bin = os.path.abspath(a.bin)
    rng = random.Random(a.seed)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="compactd-replicas-")
    os.chmod(work, 0o755)
    pg = os.path.join(work, "pg")
    network = Network()
    use_netns = a.cut == "netns" and os.geteuid() == 0 and shutil.which("ip")
    if a.cut == "netns" and not use_netns:
        print("  (no root or no ip: the cut is a pause instead)")
        a.cut = "pause"
    if use_netns:
        network.create()
    # PostgreSQL listens on loopback, and on the veth's host side for the cut-off replica.
    env_pg = dict(os.environ, PG_EXTRA_LISTEN="10.232.0.1" if use_netns else "")
    port = int(subprocess.run([sys.executable, os.path.join(FIXTURES, "pg_server.py"), "start", pg], capture_output=True, text=True, check=True, env=env_pg).stdout.split()[-1])
    subprocess.run([sys.executable, os.path.join(FIXTURES, "pg_server.py"), "createdb", pg, "compactd"], check=True)
    record = os.path.join(work, "received.jsonl")
    receiver = subprocess.Popen([sys.executable, os.path.join(FIXTURES, "http_receiver.py"), "--record", record, "--random", "0.3,0.05,0",
                                 "--stall", "1.5", "--seed", str(a.seed), "--listen", "0.0.0.0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    receiver_port = int(receiver.stdout.readline())
    first_due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=a.lead)
    probe_due = first_due + timedelta(seconds=int(a.span * 0.5) + 12)
    write_compacts(work, a.reminders, first_due, a.span, probe_due)

    replicas = []
    cut_index = 1 if a.replicas > 2 else 0
    skew_index = a.replicas - 1
    for i in range(a.replicas):
        in_ns = use_netns and i == cut_index
        host = "10.231.0.1" if in_ns else "127.0.0.1"
        db_host = "10.232.0.1" if in_ns else "127.0.0.1"
        config = write_config(work, f"replica{i}", host, db_host, port, receiver_port, "compactd", a.lease)
        env = {"COMPACTD_TEST_CLOCK_OFFSET_SECONDS": str(a.skew)} if i == skew_index and a.skew else {}
        replicas.append(Replica(a.bin, work, f"replica{i}", config, env, netns=in_ns))
    ctl_config = os.path.join(work, "replica0", "compactd.toml")

    events = []  # (time, kind, replica)
    ack_at = None
    try:
        for r in replicas:
            r.start()
        window = a.lead + a.span + 5
        plan = [(rng.uniform(2.0, window), "kill", rng.randrange(a.replicas)) for _ in range(a.kills)]
        plan.append((a.lead + a.span * 0.35, "pg-restart", None))
        cut_start = a.lead + a.span * 0.6
        plan.append((cut_start, "cut", cut_index))
        plan.append((cut_start + a.lease * 2 + 3, "uncut", cut_index))
        pause_index = 0
        plan.append((a.lead + a.span * 0.25, "pause", pause_index))
        plan.append((a.lead + a.span * 0.25 + a.lease * 2 + 3, "resume", pause_index))
        probe_ack = (probe_due - timedelta(seconds=8) - datetime.now(timezone.utc)).total_seconds() + (time.monotonic() - started)
        plan.append((probe_ack, "ack", None))
        plan.sort(key=lambda e: e[0])
        for moment, kind, index in plan:
            delay = moment - (time.monotonic() - started)
            if delay > 0:
                time.sleep(delay)
            if kind == "kill":
                # A replica paused or cut off is not killed meanwhile (its return is the point):
                # the next one that runs is.
                candidates = [r for r in replicas[index:] + replicas[:index] if not r.paused and not r.cut]
                if not candidates:
                    continue
                r = candidates[0]
                r.kill()
                events.append((time.time(), "kill", r.name))
                time.sleep(rng.uniform(0.0, 1.5))
                r.start()
            elif kind == "pg-restart":
                events.append((time.time(), "pg-restart", None))
                subprocess.run([sys.executable, os.path.join(FIXTURES, "pg_server.py"), "restart", pg], check=True)
                events.append((time.time(), "pg-restart-done", None))
            elif kind in ("cut", "pause"):
                r = replicas[index]
                events.append((time.time(), "cut", r.name))
                if kind == "cut" and a.cut == "netns":
                    network.cut()
                    r.cut = True
                else:
                    r.process.send_signal(signal.SIGSTOP)
                    r.paused = True
            elif kind in ("uncut", "resume"):
                r = replicas[index]
                if r.cut:
                    network.restore()
                    r.cut = False
                if r.paused:
                    r.process.send_signal(signal.SIGCONT)
                    r.paused = False
                events.append((time.time(), "uncut", r.name))
            elif kind == "ack":
                ack_at = time.time()
                result = subprocess.run([os.path.join(a.bin, "compactctl"), "ack", "--compact", "probe", "--through", probe_due.strftime("%Y-%m-%d"),
                                         "--note", "chaos probe", "--config", ctl_config], capture_output=True, text=True, cwd=work,
                                        env=dict(os.environ, COMPACTD_CONTROL_SOCKET=os.path.join(work, "none.sock")))
                ack_done = time.time()
                events.append((ack_at, "ack", result.stdout.strip() + result.stderr.strip()))
        while time.monotonic() - started < a.bound:
            got = {d["notice_id"] for rec, _, d in decoded(load_records(record)) if rec["status"] == 200 and d["compact"]["id"] != "probe"}
            if len(got) >= a.reminders:
                break
            time.sleep(1)
        # A notice the receiver took whose outcome was fenced out (its replica lost the lease
        # while sending) is still owed a record: it is sent again under the same id and then
        # recorded. Wait for the store to say every one delivered before stopping, within
        # the bound, or the summary would count one in flight as not delivered.
        while time.monotonic() - started < a.bound:
            delivered = psql(pg, "compactd", "SELECT count(*) FROM deliveries WHERE compact_id <> 'probe' AND status = 'delivered'")
            if delivered and int(delivered[0][0]) >= a.reminders:
                break
            time.sleep(1)
        time.sleep(2)
        stops, stop_seconds = [], []
        for r in replicas:
            t = time.monotonic()
            stops.append(r.stop())
            stop_seconds.append(round(time.monotonic() - t, 1))
    finally:
        for r in replicas:
            if r.process and r.process.poll() is None:
                if r.paused:
                    r.process.send_signal(signal.SIGCONT)
                r.process.kill()
        receiver.kill()
        receiver.wait()
        if use_netns:
            network.destroy()

    records = decoded(load_records(record))
    interruptions = [t for t, kind, _ in events if kind in ("kill", "pg-restart", "pg-restart-done", "cut", "uncut")]
    ids_by_notice, times_by_id = {}, {}
    early = []
    probe_late = []
    for rec, wid, data in records:
        if data["compact"]["id"] == "probe":
            if ack_at is not None and rec["at"] > ack_done + 1.0:
                probe_late.append((wid, rec["at"] - ack_at))
            continue
        due = datetime.strptime(data["due_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
        if rec["at"] < due - 0.01:
            early.append((wid, due - rec["at"]))
        # Stalled requests (1.5 s, within the 2 s timeout) are answered 200 too.
        if rec["status"] != 200:
            continue
        ids_by_notice.setdefault(data["notice_id"], set()).add(wid)
        times_by_id.setdefault(wid, []).append(rec["at"])
    dup_by_id = sorted(n for n, ids in ids_by_notice.items() if len(ids) > 1)
    explained, unexplained = [], []
    for wid, times in times_by_id.items():
        times.sort()
        for earlier, later in zip(times, times[1:]):
            # An interruption between the two, or one the first send overlapped (a lease runs
            # on for a lease after its replica died or was cut off).
            (explained if any(earlier - a.lease - 3 <= k <= later for k in interruptions) else unexplained).append(wid)

    rows = psql(pg, "compactd", "SELECT status, count(*) FROM deliveries WHERE compact_id <> 'probe' GROUP BY status")
    by_status = {s: int(n) for s, n in rows}
    fencing = int(psql(pg, "compactd", """
        SELECT count(*) FROM deliveries d WHERE
          EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND a.number > d.attempts)
          OR (d.status = 'delivered' AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND a.outcome = 'delivered' AND a.number = d.attempts))
        """)[0][0])
    probe_rows = {s: int(n) for s, n in psql(pg, "compactd", "SELECT status, count(*) FROM deliveries WHERE compact_id = 'probe' GROUP BY status")}
    replica_rows = psql(pg, "compactd", "SELECT id, stopped_at IS NOT NULL FROM replicas")
    logs = {r.name: open(os.path.join(work, f"{r.name}.log"), errors="replace").read() for r in replicas}
    fenced = sum(text.count("outcome not recorded: lease lost") for text in logs.values())
    degraded = sum(text.count("state store unavailable") for text in logs.values())
    leaked = [name for name, text in logs.items() if SECRET in text or SECRET[6:] in text]
    status = subprocess.run([os.path.join(a.bin, "compactctl"), "status", "-o", "json", "--config", ctl_config], capture_output=True, text=True,
                            env=dict(os.environ, COMPACTD_CONTROL_SOCKET=os.path.join(work, "none.sock")))
    try:
        listed = json.loads(status.stdout).get("replicas", [])
        # Every replica that ran is listed: those stopped at the end as stopped, those killed
        # as silent (their heartbeat stopped), none as running.
        status_replicas = sum(1 for r in listed if r["state"] == "stopped")
        status_running = sum(1 for r in listed if r["state"] == "running")
    except ValueError:
        status_replicas, status_running = -1, -1
    # Claims (attempts) per replica, from the store.
    per_replica = {rid: int(n) for rid, n in psql(pg, "compactd", "SELECT coalesce(replica, '?'), count(*) FROM attempts GROUP BY 1")}

    summary = {
        "deadlines expected": a.reminders,
        "accepted": len(ids_by_notice),
        "lost": a.reminders - len(ids_by_notice),
        "duplicates by id": len(dup_by_id),
        "duplicates explained": len(explained),
        "duplicates unexplained": len(unexplained),
        "early": len(early),
        "fencing broken": fencing,
        "fenced outcomes": fenced,
        "probe late": len(probe_late),
        "probe cancelled": probe_rows.get("cancelled", 0),
        "probe delivered": probe_rows.get("delivered", 0),
        "replicas": a.replicas,
        "kills": sum(1 for _, k, _ in events if k == "kill"),
        "database restarts": sum(1 for _, k, _ in events if k == "pg-restart"),
        "cut": a.cut,
        "skew seconds": a.skew,
        "degraded log lines": degraded,
        "requests": len(records),
        "answered 503": sum(1 for rec, _, _ in records if rec["action"] == "503"),
        "store delivered": by_status.get("delivered", 0),
        "store other": {k: v for k, v in by_status.items() if k != "delivered"},
        "attempts by replica": len(per_replica),
        "replicas listed stopped": status_replicas,
        "replicas listed running": status_running,
        "replicas stopped cleanly": sum(1 for _, stopped in replica_rows if stopped == "t"),
        "graceful stop exits": stops,
        "graceful stop seconds": stop_seconds,
        "secret leaked in": leaked,
        "seconds": round(time.monotonic() - started, 1),
    }
    width = max(len(k) for k in summary)
    print("compactd multi-replica chaos run (seed %d)" % a.seed)
    for k, v in summary.items():
        print(f"  {k:<{width}}  {v}")
    for t, kind, what in events:
        if kind == "ack":
            print("  ack:", what)
    if unexplained:
        print("  unexplained duplicates:", sorted(set(unexplained))[:20])
    if early:
        print("  early:", early[:10])
    if probe_late:
        print("  probe late:", probe_late[:10])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=1)
    broken = (summary["lost"] != 0 or dup_by_id or unexplained or early or fencing or probe_late or leaked
              or any(s != 0 for s in stops) or status_replicas != a.replicas or status_running != 0)
    subprocess.run([sys.executable, os.path.join(FIXTURES, "pg_server.py"), "stop", pg])
    if a.keep or broken:
        print("  work folder kept:", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
