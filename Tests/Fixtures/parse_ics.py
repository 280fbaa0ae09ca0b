#!/usr/bin/env python3
"""Parses an .ics file with the icalendar package and prints its events as JSON."""
import json
import sys

import icalendar

raw = open(sys.argv[1], "rb").read()
calendar = icalendar.Calendar.from_ical(raw)
events = [
    {"uid": str(e.get("UID")), "summary": str(e.get("SUMMARY")), "description": str(e.get("DESCRIPTION")),
     "start": e.decoded("DTSTART").isoformat(), "stamp": e.decoded("DTSTAMP").isoformat()}
    for e in calendar.walk("VEVENT")
]
lines = raw.split(b"\r\n")
print(json.dumps({
    "events": events,
    "longest_line_octets": max(len(l) for l in lines),
    "all_crlf": b"\n" not in raw.replace(b"\r\n", b""),
}))
