#!/usr/bin/env python3
"""A webhook receiver for compactd's tests: records every request, answers per a script.

Prints its port on the first line of stdout, then serves on 127.0.0.1 until killed.
--responses is a comma-separated list used in order (the last one repeats):
  a status code (200, 503, 410, 302 ...), 'S' to stall past the client's timeout then answer
  200, 'R' to reset the connection, or 'B' to answer 200 with --body-bytes of body.
"""
import argparse
import base64
import json
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--record", required=True)
parser.add_argument("--responses", default="200")
parser.add_argument("--retry-after")
parser.add_argument("--stall", type=float, default=5.0)
parser.add_argument("--body-bytes", type=int, default=0)
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--random", help="fail-rate,stall-rate,reset-rate for chaos runs, e.g. 0.3,0.1,0.05")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--listen", default="127.0.0.1", help="the address to listen on")
args = parser.parse_args()

script = args.responses.split(",")
lock = threading.Lock()
counter = [0]
record_file = open(args.record, "a", buffering=1)

import random
rng = random.Random(args.seed)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            n = counter[0]
            counter[0] += 1
            if args.random:
                fail, stall, reset = (float(x) for x in args.random.split(","))
                r = rng.random()
                action = "503" if r < fail else "S" if r < fail + stall else "R" if r < fail + stall + reset else "200"
            else:
                action = script[min(n, len(script) - 1)]
        status = 200 if action in ("S", "B") else (0 if action == "R" else int(action))
        entry = {
            "n": n,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": base64.b64encode(body).decode(),
            "action": action,
            "status": status,
            "at": time.time(),
        }
        # Recorded before answering, so whoever sees the answer finds the record.
        with lock:
            record_file.write(json.dumps(entry) + "\n")
        if action == "S":
            time.sleep(args.stall)
        if action == "R":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        payload = b"x" * args.body_bytes if action == "B" else b'{"ok":true}'
        self.send_response(status)
        if args.retry_after and status in (429, 503):
            self.send_header("Retry-After", args.retry_after)
        if 300 <= status < 400:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:
            return

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer((args.listen, 0), Handler)
server.daemon_threads = True
if args.cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
