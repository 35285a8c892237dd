#!/usr/bin/env python3
"""Checks the committed JSON Schemas with an independent validator (Python `jsonschema`).

Every example of the corpus must get its recorded verdict from the schema of its message and
from the schema of its topic: valid examples accepted, invalid ones (including those that are not
JSON at all) refused. So must every case of conformance/tests/data/schema_edges.jsonl, the
payloads where validators tend to differ (a trailing line feed, which Python's `$` lets through;
integers just outside 64 bits); the Rust tests hold `iotxfer check` to the same verdicts.
Run from the repository root:

    python3 -m pip install 'jsonschema>=4.18'
    python3 conformance/tools/validate_corpus.py
"""

import json
import pathlib
import sys
import tomllib

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schema" / "json"
CORPUS = ROOT / "conformance" / "corpus"
EDGES = ROOT / "conformance" / "tests" / "data" / "schema_edges.jsonl"


def validator(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def topic_schema(topic):
    """The topic schema whose title names the example's topic pattern."""
    for path in SCHEMAS.glob("*/topics/*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        pattern = schema["description"].split("`")[1]
        levels = pattern.split("/")
        parts = topic.split("/")
        if len(levels) == len(parts) and all(
            l == p or (l.startswith("{") and l.endswith("}")) for l, p in zip(levels, parts)
        ):
            return path
    return None


def judge(name, raw, message, topic, verdict):
    """How many of the two schemas (message, topic) give `raw` a verdict other than `verdict`.
    A payload of several messages (a Huawei list of events of several kinds) has only a topic."""
    try:
        instance = json.loads(raw)
        parsed = True
    except ValueError:
        parsed = False
    failures = 0
    schemas = [topic_schema(topic)] if message is None else [SCHEMAS / f"{message}.schema.json", topic_schema(topic)]
    for path in schemas:
        if path is None:
            print(f"FAIL {name}: no topic schema for {topic}")
            failures += 1
            continue
        accepted = parsed and validator(path).is_valid(instance)
        if accepted != (verdict == "valid"):
            print(f"FAIL {name}: {path.relative_to(ROOT)} says {'valid' if accepted else 'invalid'}, "
                  f"expected {verdict}")
            failures += 1
    return failures


def main():
    corpus = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))
    failures = 0
    for example in corpus["example"]:
        raw = (CORPUS / "examples" / f"{example['id']}.json").read_bytes()
        failures += judge(example["id"], raw, example["message"], example["topic"], example["verdict"])
    edges = [json.loads(line) for line in EDGES.read_text(encoding="utf-8").splitlines()]
    for number, case in enumerate(edges, 1):
        name = f"schema_edges.jsonl:{number} ({case['why']})"
        failures += judge(name, case["payload"], case["message"], case["topic"], case["verdict"])
    checks = 2 * len(corpus["example"]) + sum(1 if c["message"] is None else 2 for c in edges)
    print(f"validate_corpus: {checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
