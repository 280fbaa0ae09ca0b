#!/usr/bin/env python3
"""Parses a message with Python's email package and prints what the test checks, as JSON."""
import email
import email.header
import email.policy
import email.utils
import json
import sys

raw = open(sys.argv[1], "rb").read()
message = email.message_from_bytes(raw, policy=email.policy.default)
parts = [
    {"type": part.get_content_type(), "charset": part.get_content_charset(), "encoding": part.get("Content-Transfer-Encoding"), "content": part.get_content()}
    for part in message.iter_parts()
] if message.is_multipart() else []
lines = raw.split(b"\n")
# The To: display name decoded by RFC 2047's rules (email.header): whitespace between adjacent
# encoded-words is dropped. Python's address parser (policy.default) keeps it, a known
# departure that turns "Unificado" split over two words into "Uni ficado".
legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
to_raw = legacy["To"]
to_rfc2047 = None
if to_raw is not None:
    name, _ = email.utils.parseaddr(to_raw.replace("\r\n", "").replace("\n", ""))
    to_rfc2047 = str(email.header.make_header(email.header.decode_header(name)))
print(json.dumps({
    "subject": str(message["Subject"]),
    "from": str(message["From"]),
    "to": str(message["To"]),
    "to_display_name": message["To"].addresses[0].display_name if message["To"] else None,
    "to_address": message["To"].addresses[0].addr_spec if message["To"] else None,
    "to_display_name_rfc2047": to_rfc2047,
    "message_id": str(message["Message-ID"]),
    "date": str(message["Date"]),
    "auto_submitted": str(message["Auto-Submitted"]),
    "list_id": str(message["List-Id"]),
    "mime_version": str(message["MIME-Version"]),
    "content_type": message.get_content_type(),
    "parts": parts,
    "defects": [str(d) for d in message.defects],
    "all_crlf": all(line.endswith(b"\r") for line in lines[:-1]),
    "longest_line": max(len(line) for line in lines),
}))
