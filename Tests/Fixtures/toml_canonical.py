#!/usr/bin/env python3
"""Reads a JSON array of TOML documents (strings) from the file named by argv[1]; prints a JSON
array with, per document, {"error": message} or {"value": canonical} as Python's tomllib reads
it. The canonical form tags every value so that the Swift side can build the same:
  table {"t": {key: ...}}, array {"a": [...]}, string {"s": ...}, integer {"i": "decimal"},
  float {"f": "16 hex digits of the IEEE bits" or "nan"}, boolean {"b": true},
  offset date-time {"odt": "YYYY-MM-DDTHH:MM:SS.ffffff+MINUTES"}, local date-time {"ldt": ...},
  local date {"ld": "YYYY-MM-DD"}, local time {"lt": "HH:MM:SS.ffffff"}."""
import datetime
import json
import math
import struct
import sys
import tomllib


def canon(value):
    if isinstance(value, dict):
        return {"t": {k: canon(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"a": [canon(v) for v in value]}
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, float):
        return {"f": "nan" if math.isnan(value) else struct.pack(">d", value).hex()}
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, datetime.datetime):
        text = f"{value.year:04}-{value.month:02}-{value.day:02}T{value.hour:02}:{value.minute:02}:{value.second:02}.{value.microsecond:06}"
        if value.tzinfo is None:
            return {"ldt": text}
        minutes = int(value.utcoffset().total_seconds() // 60)
        return {"odt": f"{text}{'+' if minutes >= 0 else '-'}{abs(minutes)}"}
    if isinstance(value, datetime.date):
        return {"ld": f"{value.year:04}-{value.month:02}-{value.day:02}"}
    if isinstance(value, datetime.time):
        return {"lt": f"{value.hour:02}:{value.minute:02}:{value.second:02}.{value.microsecond:06}"}
    raise TypeError(type(value))


documents = json.load(open(sys.argv[1], encoding="utf-8"))
results = []
for document in documents:
    try:
        results.append({"value": canon(tomllib.loads(document))})
    except Exception as error:  # tomllib.TOMLDecodeError, RecursionError, ...
        results.append({"error": f"{type(error).__name__}: {error}"})
json.dump(results, sys.stdout)
