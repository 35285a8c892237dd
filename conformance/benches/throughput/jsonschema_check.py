#!/usr/bin/env python3
"""What a team would otherwise write in Python: the same as ajv_check.js, with `jsonschema`.

Usage: jsonschema_check.py CAPTURE [VERDICTS_OUT]
"""

import json
import pathlib
import sys

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[3]
TOPICS = []
for path in sorted((ROOT / "schema" / "json").glob("*/topics/*.schema.json")):
    schema = json.loads(path.read_text(encoding="utf-8"))
    levels = schema["description"].split("`")[1].split("/")
    TOPICS.append((levels, Draft202012Validator(schema)))


def route(topic):
    parts = topic.split("/")
    for levels, validator in TOPICS:
        if len(levels) == len(parts) and all(
            l == p or (l.startswith("{") and p) for l, p in zip(levels, parts)
        ):
            return validator
    return None


def main():
    counts = {"ok": 0, "violation": 0, "not_covered": 0}
    out = open(sys.argv[2], "w") if len(sys.argv) > 2 else None
    with open(sys.argv[1], encoding="utf-8", errors="replace") as capture:
        for line in capture:
            try:
                record = json.loads(line)
                validator = route(record["topic"])
                if validator is None:
                    verdict = "not_covered"
                else:
                    payload = record["payload"]
                    payload = json.loads(payload) if isinstance(payload, str) else payload
                    verdict = "ok" if validator.is_valid(payload) else "violation"
            except (ValueError, KeyError, TypeError):
                verdict = "violation"
            counts[verdict] += 1
            if out:
                out.write(verdict + "\n")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
