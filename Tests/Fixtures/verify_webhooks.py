#!/usr/bin/env python3
"""Verifies recorded webhook requests with the Standard Webhooks reference implementation.

Usage: verify_webhooks.py RECORD.jsonl SECRET. Prints one line per request: 'ok <webhook-id>'
or 'bad <webhook-id> <reason>'; exits 1 if any is bad.
"""
import base64
import json
import sys
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

record, secret = sys.argv[1], sys.argv[2]
hook = Webhook(secret)
bad = 0
for line in open(record):
    entry = json.loads(line)
    headers = entry["headers"]
    body = base64.b64decode(entry["body"])
    # Tests run compactd on a virtual clock, so timestamps may be far from now and fail the
    # library's 5-minute tolerance; the signature itself is recomputed with the library's own
    # sign() over the recorded id, timestamp and body, and must be one of those sent.
    msg_id = headers.get("webhook-id", "")
    stamp = datetime.fromtimestamp(int(headers.get("webhook-timestamp", "0")), tz=timezone.utc)
    expected = hook.sign(msg_id, stamp, body.decode())
    sent = headers.get("webhook-signature", "").split(" ")
    if expected in sent:
        print("ok", msg_id)
    else:
        bad += 1
        print("bad", msg_id, "expected", expected, "got", sent)
sys.exit(1 if bad else 0)
