#!/usr/bin/env python3
"""compactd at scale: N compacts shaped like the shipped ones (one summer cycle of three steps,
four commitments, one contact; notified through the district log), written as TOML files
beside the shipped main configuration. For each size, with the release build:

  READY       exec to READY=1 (a real NOTIFY_SOCKET), fresh state
  idle RSS    10 s after READY (the idle page release on, as shipped)
  peak RSS    VmHWM of the daemon after READY and a reload
  reload      `compactctl reload --wait`, wall time
  check       `compactctl check`: wall time and max RSS
  agenda 30   `compactctl agenda --days 30 -o json`: wall time and max RSS
  agenda 400  `compactctl agenda --days 400 -o json`: wall time and max RSS
  report      `compactctl report -o json` and `-o table` (the text a coordinator reads): wall
              time and max RSS

and then the daemon's pages, from a second start with the HTTP listener on (open access):
the status overview (`/status`), the all-compacts calendar (`/calendar/all.ics`, a year), and
six of each at once: each one's wall time and the daemon's peak RSS (VmHWM) after it, and
its RSS a second after the last.

Usage: Benchmarks/scale-bench.py [--sizes 1000,10000,100000] [--runs N] [--bin .build/release] [--generate DIR]

--runs N measures each size N times, each from a fresh configuration and state, and gives each
cell as the median and, in brackets, the lowest and highest: on a shared 2-core machine one
run of a command can take half again as long as the next.
"""
import argparse
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

parser = argparse.ArgumentParser()
parser.add_argument("--sizes", default="1000,10000,100000")
parser.add_argument("--runs", type=int, default=1, help="runs of each size; cells give the median and the range")
parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
parser.add_argument("--generate", metavar="DIR", help="only write the configuration of the first size into DIR (for profiling by hand)")
args = parser.parse_args()

COMPACT = """id = "city-{n}"
partner = "City {n}"
status = "active"
approved = 2024-06-04
notify = ["district-log"]

[[commitments]]
id = "crossing-guards-traffic-safety"
title = "Crossing guards and other traffic safety improvements"

[[commitments]]
id = "school-facilities"
title = "School facilities"

[[commitments]]
id = "parent-family-engagement"
title = "Parent and family engagement"

[[commitments]]
id = "safety-collaboratives"
title = "Engagement and participation in the District's Safety Collaboratives"

[[contacts]]
id = "liaison-{n}"
name = "City {n} liaison"
email = "liaison@city-{n}.example.org"
language = "en"

[[cycles]]
id = "summer-reengagement"
title = "Summer re-engagement"
calendar = "*-05-01 09:00"
since = 2025-05-01

[[cycles.steps]]
id = "kickoff"
title = "Re-engage the city on the compact"
due = "+14d"

[[cycles.steps]]
id = "implementation-review"
title = "Review implementation of current commitments"
due = "+45d"

[[cycles.steps]]
id = "next-year-goals"
title = "Set goals for the next school year"
due = "+75d"
"""


def make_config(work, size):
    config = os.path.join(work, "config")
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "Config"), config)
    shutil.rmtree(os.path.join(config, "compacts"))
    os.makedirs(os.path.join(config, "compacts"))
    for n in range(size):
        with open(os.path.join(config, "compacts", f"city-{n:06d}.toml"), "w") as f:
            f.write(COMPACT.format(n=n))
    main = os.path.join(config, "compactd.toml")
    text = open(main).read()
    # No listener: this measures the scheduler; the HTTP benchmark measures the listener.
    start = text.index("[http]")
    end = text.index("\n[", start + 1)
    open(main, "w").write(text[:start] + text[end + 1:])
    return main


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    """Bytes of one GET, read to the end."""
    with urllib.request.urlopen(url, timeout=600) as response:
        return len(response.read())


def measure_pages(work, main, size):
    """The daemon's pages at this size: a second start with the listener on."""
    port = free_port()
    pages_main = os.path.join(os.path.dirname(main), "compactd-http.toml")
    open(pages_main, "w").write(open(main).read() + f'\n[http]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://127.0.0.1:{port}"\nstatus_access = "open"\n')
    state = os.path.join(work, "state-http")
    os.makedirs(state)
    env = dict(os.environ, STATE_DIRECTORY=state, COMPACTD_CONTROL_SOCKET=os.path.join(state, "control.sock"))
    daemon = subprocess.Popen([os.path.join(args.bin, "compactd"), "--config", pages_main], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                fetch(base + "/readyz")
                break
            except OSError:
                if time.monotonic() > deadline or daemon.poll() is not None:
                    raise SystemExit("compactd with the listener did not become ready")
                time.sleep(0.2)
        time.sleep(3)
        before = vm(daemon.pid, "VmRSS")
        result = {"before": before}
        for key, path in [("overview", "/status"), ("feed", "/calendar/all.ics")]:
            t = time.monotonic()
            fetch(base + path)
            result[key] = (time.monotonic() - t, vm(daemon.pid, "VmHWM"))
        t = time.monotonic()
        threads = [threading.Thread(target=fetch, args=(base + path,)) for path in ["/status", "/calendar/all.ics"] * 6]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result["burst"] = (time.monotonic() - t, vm(daemon.pid, "VmHWM"))
        time.sleep(1)
        result["after"] = vm(daemon.pid, "VmRSS")
        return result
    finally:
        daemon.terminate()
        daemon.wait()


def measured(command, env):
    """Wall seconds and max RSS (MiB) of one command run to completion."""
    # A fresh process per measurement: RUSAGE_CHILDREN's maxrss is the largest child so far,
    # so each command runs in a child python that reports its own child's figure.
    out = subprocess.run(["python3", "-c", (
        "import resource, subprocess, sys, time; t = time.monotonic(); "
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
        "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode); "
        "sys.stderr.write(r.stderr.decode()[-500:])")] + command,
        env=env, capture_output=True, text=True)
    seconds, kib, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{command} failed: {out.stderr}")
    return float(seconds), int(kib) / 1024


def vm(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def run_size(size):
    work = tempfile.mkdtemp(prefix=f"compactd-scale-{size}-")
    try:
        main = make_config(work, size)
        state = os.path.join(work, "state")
        os.makedirs(state)
        env = dict(os.environ, STATE_DIRECTORY=state, COMPACTD_CONTROL_SOCKET=os.path.join(state, "control.sock"), COMPACTD_CONFIG=main)
        notify = os.path.join(work, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        ready = threading.Event()
        stamps = {}

        def listen():
            while True:
                data = sock.recv(4096).decode()
                if "READY=1" in data and "ready" not in stamps:
                    stamps["ready"] = time.monotonic()
                    ready.set()

        threading.Thread(target=listen, daemon=True).start()
        t0 = time.monotonic()
        daemon = subprocess.Popen([os.path.join(args.bin, "compactd"), "--config", main], env=dict(env, NOTIFY_SOCKET=notify),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not ready.wait(600):
            raise SystemExit("compactd did not become ready")
        ready_s = stamps["ready"] - t0
        time.sleep(10)
        idle = vm(daemon.pid, "VmRSS")
        t = time.monotonic()
        subprocess.run([os.path.join(args.bin, "compactctl"), "reload", "--wait"], env=env, check=True, stdout=subprocess.DEVNULL)
        reload_s = time.monotonic() - t
        peak = vm(daemon.pid, "VmHWM")
        after_reload = vm(daemon.pid, "VmRSS")
        ctl = os.path.join(args.bin, "compactctl")
        check = measured([ctl, "check", "--config", main], env)
        agenda30 = measured([ctl, "agenda", "--days", "30", "-o", "json", "--config", main], env)
        agenda400 = measured([ctl, "agenda", "--days", "400", "-o", "json", "--config", main], env)
        report_json = measured([ctl, "report", "-o", "json", "--config", main], env)
        report_text = measured([ctl, "report", "-o", "table", "--config", main], env)
        daemon.terminate()
        daemon.wait()
        pages = measure_pages(work, main, size)
        return {"size": size, "ready": ready_s, "idle": idle, "peak": peak, "after_reload": after_reload, "reload": reload_s,
                "check": check, "agenda30": agenda30, "agenda400": agenda400, "report_json": report_json, "report_text": report_text, "pages": pages}
    finally:
        shutil.rmtree(work, ignore_errors=True)


if args.generate:
    print(make_config(args.generate, int(args.sizes.split(",")[0])))
    raise SystemExit(0)

def spread(values, unit, digits):
    """The median of the runs' values, and their range when there is more than one."""
    ordered = sorted(values)
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    text = f"{median:.{digits}f} {unit}"
    if len(ordered) > 1:
        text += f" ({ordered[0]:.{digits}f}-{ordered[-1]:.{digits}f})"
    return text


print("| compacts | READY | idle RSS | peak RSS | reload | check | agenda --days 30 | agenda --days 400 |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
all_runs = []
for size in [int(s) for s in args.sizes.split(",")]:
    runs = [run_size(size) for _ in range(max(1, args.runs))]
    all_runs.append((size, runs))
    column = lambda key: [r[key] for r in runs]
    cell = lambda key: f"{spread([m[0] for m in column(key)], 's', 2)}, {spread([m[1] for m in column(key)], 'MiB', 0)}"
    print(f"| {size:,} | {spread(column('ready'), 's', 2)} | {spread(column('idle'), 'MiB', 0)} | {spread(column('peak'), 'MiB', 0)} | "
          f"{spread(column('reload'), 's', 2)} | {cell('check')} | {cell('agenda30')} | {cell('agenda400')} |", flush=True)
    per = [r["idle"] * 1024 / size for r in runs]
    print(f"|  | idle {spread(per, 'KiB', 1)} per compact; RSS after the reload {spread(column('after_reload'), 'MiB', 0)} |  |  |  |  |  |  |", flush=True)

print()
print("`compactctl report`, every compact's current cycle and deadlines: wall time and max RSS")
print()
print("| compacts | report -o json | report -o table |")
print("|---:|---:|---:|")
for size, runs in all_runs:
    cell = lambda key: f"{spread([r[key][0] for r in runs], 's', 2)}, {spread([r[key][1] for r in runs], 'MiB', 0)}"
    print(f"| {size:,} | {cell('report_json')} | {cell('report_text')} |", flush=True)

print()
print("The daemon's pages (a second start with the listener on): wall time, and the daemon's peak RSS after")
print()
print("| compacts | RSS before | status overview | calendar, a year | six of each at once | RSS 1 s after |")
print("|---:|---:|---:|---:|---:|---:|")
for size, runs in all_runs:
    pages = [r["pages"] for r in runs]
    cell = lambda key: f"{spread([p[key][0] for p in pages], 's', 2)}, {spread([p[key][1] for p in pages], 'MiB', 0)}"
    print(f"| {size:,} | {spread([p['before'] for p in pages], 'MiB', 0)} | {cell('overview')} | {cell('feed')} | {cell('burst')} | {spread([p['after'] for p in pages], 'MiB', 0)} |", flush=True)
