#!/usr/bin/env python3
"""Writes a capture of N lines (`mosquitto_sub -F %j` form) cycling through every corpus example
and one topic no family covers. Usage: make_capture.py N OUT"""

import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "conformance" / "corpus"
lines = []
for example in tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["example"]:
    payload = (CORPUS / "examples" / f"{example['id']}.json").read_text(encoding="utf-8")
    lines.append(json.dumps({"tst": "2026-11-22T00:57:22.205616Z+0000", "topic": example["topic"],
                             "qos": 0, "retain": 0, "payloadlen": len(payload.encode("utf-8")), "payload": payload},
                            separators=(",", ":")))
lines.append(json.dumps({"tst": "2026-11-22T00:57:22.205616Z+0000", "topic": "thing/product/GW/osd",
                         "qos": 0, "retain": 0, "payloadlen": 2, "payload": "{}"}, separators=(",", ":")))
count = int(sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for i in range(count):
        out.write(lines[i % len(lines)] + "\n")
