#!/usr/bin/env python3
"""Checks the committed JSON Schemas with an independent validator (Python `jsonschema`).

Both flavours are judged, each under its own dialect: schema/json/ with Draft202012Validator,
schema/draft-07/ with Draft7Validator. The cases and their recorded verdicts:

- every example of the corpus (conformance/corpus/corpus.toml, raw bytes in examples/), against
  the schema of its message and the schema of its topic: valid examples accepted, invalid ones
  (including those that are not JSON at all) refused;
- every case of conformance/tests/data/schema_edges.jsonl, the payloads where validators tend to
  differ (a trailing line feed, which Python's `$` lets through; integers just outside 64 bits),
  against the same two schemas;
- every case that the agreement tests wrote (`--agreement DIR`, the *.jsonl files of
  `cargo test -p iotxfer-conformance --test agreement`, in target/tmp/agreement/), random
  mutations of valid payloads, against the schema of their topic only, as those tests judge them.

The verdicts are those of the Rust strict checker, so a failure here means the exported schemas
and `iotxfer check` disagree. Each schema is compiled once, each payload judged once by each
schema, and the two dialects judge in two processes: some 54,000 verdicts in 20 to 30 seconds on
two cores. Run from the repository root, after the agreement tests:

    python3 -m pip install -r conformance/tools/requirements.txt
    python3 conformance/tools/validate_corpus.py --agreement target/tmp/agreement

The cases, the topic lookup and the tally of verdicts are shared with check_jsonschema.py and
python_models.py.
"""

import argparse
import concurrent.futures
import dataclasses
import functools
import json
import pathlib
import sys
import tomllib

from jsonschema import Draft7Validator, Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "conformance" / "corpus"
EDGES = ROOT / "conformance" / "tests" / "data" / "schema_edges.jsonl"
# The schema folder of each dialect and the validator class of that dialect.
DIALECTS = {
    "schema/json": Draft202012Validator,
    "schema/draft-07": Draft7Validator,
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One payload with the checker's verdict. `name` says where it is; `key` is what the lists
    of known differences (check_jsonschema.py, python_models.py) name it by: the corpus id, or
    the file and the `why` (unique in schema_edges.jsonl). `message` is None for a payload that
    only a topic schema judges (a Huawei list of events of several kinds); `topic_only` holds the
    agreement cases to their topic schema, as the agreement tests judge them."""

    name: str
    key: str
    raw: bytes
    topic: str
    message: str | None
    verdict: str
    topic_only: bool = False

    def schemas(self, folder):
        """The schema files (relative to the root) that must give this case its verdict; None
        stands for a topic no schema of `folder` covers."""
        topic = topic_schema(folder, self.topic)
        if self.message is None or self.topic_only:
            return [topic]
        return [f"{folder}/{self.message}.schema.json", topic]


def corpus_cases():
    """The examples of the corpus, as their raw bytes."""
    corpus = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))
    return [
        Case(e["id"], e["id"], (CORPUS / "examples" / f"{e['id']}.json").read_bytes(), e["topic"],
             e["message"], e["verdict"])
        for e in corpus["example"]
    ]


def jsonl_cases(path, label, topic_only=False):
    """The cases of a file in the format of schema_edges.jsonl, named by file and line. Lines
    end at line feeds only: `str.splitlines` would also cut at the U+2028 or U+0085 that a
    payload's strings may hold unescaped."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line:
            continue
        case = json.loads(line)
        cases.append(Case(f"{label}:{number} ({case['why']})", f"{label} ({case['why']})",
                          case["payload"].encode("utf-8"), case["topic"], case["message"],
                          case["verdict"], topic_only))
    return cases


def agreement_cases(folder):
    """The cases the agreement tests wrote; an empty or missing folder is an error, as it would
    let this check pass on nothing."""
    folder = pathlib.Path(folder)
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        sys.exit(f"no *.jsonl in {folder}: run "
                 f"`cargo test -p iotxfer-conformance --test agreement` first")
    return [case for path in files for case in jsonl_cases(path, path.name, topic_only=True)]


def all_cases(agreement):
    """The corpus, the edges and the agreement cases in the folder `agreement`."""
    return corpus_cases() + jsonl_cases(EDGES, EDGES.name) + agreement_cases(agreement)


@functools.cache
def topic_patterns(folder):
    """The (levels of the topic pattern, schema file) of every topic schema of `folder`; the
    pattern is the first backticked text of the schema's description."""
    patterns = []
    for path in sorted((ROOT / folder).glob("*/topics/*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        patterns.append((schema["description"].split("`")[1].split("/"),
                         str(path.relative_to(ROOT))))
    return patterns


@functools.cache
def topic_schema(folder, topic):
    """The topic schema of `folder` whose pattern matches `topic` ({name} matches one level)."""
    parts = topic.split("/")
    for levels, path in topic_patterns(folder):
        if len(levels) == len(parts) and all(
            l == p or (l.startswith("{") and l.endswith("}") and p) for l, p in zip(levels, parts)
        ):
            return path
    return None


@functools.cache
def validator(path):
    """The compiled validator of a schema file, in the dialect of its folder."""
    cls = next(cls for folder, cls in DIALECTS.items() if path.startswith(folder + "/"))
    schema = json.loads((ROOT / path).read_text(encoding="utf-8"))
    cls.check_schema(schema)
    return cls(schema)


# What `parse` gives for a payload that is not JSON: every schema refuses it.
NOT_JSON = object()


def parse(raw):
    """The JSON value of `raw`, or NOT_JSON."""
    try:
        return json.loads(raw)
    except ValueError:
        return NOT_JSON


@functools.cache
def accepts(path, raw):
    """Whether the schema file accepts the payload. Cached: many agreement mutations repeat a
    payload (a third of them), and Python's validator takes about a millisecond a case."""
    instance = parse(raw)
    return instance is not NOT_JSON and validator(path).is_valid(instance)


class Tally:
    """Verdicts compared with the recorded ones. `known` maps a case's key to the reason a tool
    differs from the checker on it: such a case passes when the tool differs (a KNOWN line says
    so) and fails when the tool agrees, as the list is then stale; so does a key no case has."""

    def __init__(self, known=None):
        self.known = known or {}
        self.checks = 0
        self.lines = []
        self.failures = 0
        self.differences = 0
        self.seen = set()

    def fail(self, line):
        self.lines.append(f"FAIL {line}")
        self.failures += 1

    def verdict(self, case, accepted, what):
        """Records that `what` (a tool and its schema or model) accepted `case` or not."""
        self.checks += 1
        differs = accepted != (case.verdict == "valid")
        said = "valid" if accepted else "invalid"
        reason = self.known.get(case.key)
        if reason is None:
            if differs:
                self.fail(f"{case.name}: {what} says {said}, expected {case.verdict}")
            return
        self.seen.add(case.key)
        if differs:
            self.lines.append(f"KNOWN {case.name}: {what} says {said}: {reason}")
            self.differences += 1
        else:
            self.fail(f"{case.name}: {what} says {said} as recorded, but it is listed as a known "
                      f"difference; drop it from the list")

    def missing(self, case, what):
        """Records a verdict that could not be asked: no schema or model for the case."""
        self.checks += 1
        self.fail(f"{case.name}: {what}")

    def merge(self, other):
        self.checks += other.checks
        self.lines += other.lines
        self.failures += other.failures
        self.differences += other.differences
        self.seen |= other.seen

    def close(self, tool):
        """Prints the lines and the closing line; the exit code."""
        for key in sorted(self.known.keys() - self.seen):
            self.fail(f"{key}: listed as a known difference, but no case has that key")
        for line in self.lines:
            print(line)
        if self.differences:
            print(f"{tool}: known differences (KNOWN above), counted as passed: {self.differences}")
        print(f"{tool}: {self.checks - self.failures} passed, {self.failures} failed")
        return 1 if self.failures else 0


def judge(folder, cases):
    """The verdicts of the schemas of `folder` on `cases`."""
    tally = Tally()
    for case in cases:
        for path in case.schemas(folder):
            if path is None:
                tally.missing(case, f"no topic schema in {folder} for {case.topic}")
            else:
                tally.verdict(case, accepts(path, case.raw), path)
    return tally


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreement", required=True, metavar="DIR",
                        help="the folder of the agreement tests' *.jsonl (target/tmp/agreement)")
    cases = all_cases(parser.parse_args().agreement)
    tally = Tally()
    # One process per dialect: the two judge the same cases independently.
    with concurrent.futures.ProcessPoolExecutor(max_workers=len(DIALECTS)) as pool:
        for result in pool.map(judge, DIALECTS, [cases] * len(DIALECTS)):
            tally.merge(result)
    return tally.close("validate_corpus")


if __name__ == "__main__":
    sys.exit(main())
