#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the conformance corpus.

Run from the repository root: python3 fuzz/make_seeds.py
"""

import json
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = ROOT / "conformance" / "corpus"
SEEDS = ROOT / "fuzz" / "seeds"

examples = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["example"]
for target in ("decode", "topic", "check_line"):
    (SEEDS / target).mkdir(parents=True, exist_ok=True)
for example in examples:
    payload = (CORPUS / "examples" / f"{example['id']}.json").read_bytes()
    topic = example["topic"].encode()
    (SEEDS / "decode" / example["id"]).write_bytes(topic + b"\n" + payload)
    (SEEDS / "topic" / example["id"]).write_bytes(topic)
    record = {"tst": "2026-11-22T00:57:22.205616Z+0000", "topic": example["topic"], "qos": 0,
              "retain": 0, "payloadlen": len(payload), "payload": payload.decode("utf-8")}
    (SEEDS / "check_line" / example["id"]).write_bytes(json.dumps(record).encode() + b"\n")

# Whole conversations, for the monitor: the captures of the conversation tests.
for capture in sorted((ROOT / "conformance" / "tests" / "data" / "captures").glob("*.jsonl")):
    (SEEDS / "check_line" / f"flows-{capture.stem}").write_bytes(capture.read_bytes())
