#!/usr/bin/env python3
"""Whether `iotxfer check --format json` and ajv_check.js gave every line the same verdict.

Conversation findings (objects with a "rule") are not line verdicts; ajv has none to compare.
Usage: same_verdicts.py IOTXFER_JSON_OUTPUT AJV_VERDICTS"""

import json
import sys

objects = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
ours = [o["verdict"] for o in objects if "rule" not in o]
theirs = [line.strip() for line in open(sys.argv[2], encoding="utf-8")]
differ = sum(a != b for a, b in zip(ours, theirs))
print(f"verdicts: {len(ours)} lines, {differ} differ between iotxfer and ajv")
sys.exit(1 if differ or len(ours) != len(theirs) else 0)
