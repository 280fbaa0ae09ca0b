#!/usr/bin/env python3
"""Writes a compactd configuration with COUNT deadlines that fell due a minute ago, each
notifying one signed webhook channel to http://127.0.0.1:PORT/hook: what the delivery benchmark
and the order-file recording deliver.

Usage: due-webhooks.py DIR COUNT PORT [--per-file N] [--max-concurrent N] [--templates PATH]
Writes DIR/compactd.toml, DIR/secret and DIR/compacts/city-*.toml (N deadlines per file).
"""
import argparse
import datetime
import os

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("count", type=int)
parser.add_argument("port")
parser.add_argument("--per-file", type=int, default=200)
parser.add_argument("--max-concurrent", type=int, default=64)
parser.add_argument("--templates", default="templates")
args = parser.parse_args()

os.makedirs(os.path.join(args.dir, "compacts"), exist_ok=True)
due = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:00")
secret = os.path.join(args.dir, "secret")
with open(secret, "w") as f:
    f.write("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
with open(os.path.join(args.dir, "compactd.toml"), "w") as f:
    f.write(f'''time_zone = "UTC"
state_path = "state.sqlite"
templates = "{args.templates}"
[policy]
reminders = ["0"]
overdue_every = "0"
shift = "keep"
[delivery]
max_concurrent = {args.max_concurrent}
max_per_host = {args.max_concurrent}
[channels.hook]
type = "webhook"
url = "http://127.0.0.1:{args.port}/hook"
secret_files = ["{secret}"]
''')
per = args.per_file
for c in range((args.count + per - 1) // per):
    lines = [f'id = "city-{c}"', f'partner = "City {c}"', 'status = "active"', 'notify = ["hook"]', '']
    for d in range(min(per, args.count - c * per)):
        lines += ['[[deadlines]]', f'id = "d{d}"', f'title = "Deadline {d}"', f'due = {due}', '']
    with open(os.path.join(args.dir, "compacts", f"city-{c}.toml"), "w") as f:
        f.write("\n".join(lines))
