#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for compactd's tests.

Prints its port on the first line of stdout. Saves each accepted message as
<messages>/<n>.eml with <n>.json beside it (envelope, whether TLS was on).
--starttls CERT KEY requires STARTTLS. --reject ADDR (repeatable) answers 550 to that
recipient. --tempfail N answers 451 to the first N RCPT commands. --busy N answers
421 (service not available) to the first N MAIL commands.
"""
import argparse
import json
import os
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller

parser = argparse.ArgumentParser()
parser.add_argument("--messages", required=True)
parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--reject", action="append", default=[])
parser.add_argument("--tempfail", type=int, default=0)
parser.add_argument("--busy", type=int, default=0)
args = parser.parse_args()
os.makedirs(args.messages, exist_ok=True)
lock = threading.Lock()
state = {"n": 0, "tempfail": args.tempfail, "busy": args.busy}


class Handler:
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with lock:
            busy = state["busy"] > 0
            if busy:
                state["busy"] -= 1
        if busy:
            # What a server shedding load says (RFC 5321 4.2.3).
            return "421 4.3.2 Service not available, closing transmission channel"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with lock:
            if state["tempfail"] > 0:
                state["tempfail"] -= 1
                return "451 4.3.0 Temporary failure, try again later"
        if address in args.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with lock:
            n = state["n"]
            state["n"] += 1
        path = os.path.join(args.messages, f"{n}.eml")
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(args.messages, f"{n}.json"), "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None}, f)
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


kwargs = {}
if args.starttls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*args.starttls)
    kwargs = {"tls_context": context, "require_starttls": True}
port = free_port()
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print(port, flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
