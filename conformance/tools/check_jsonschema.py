#!/usr/bin/env python3
"""Holds the check-jsonschema command line to the checker's verdicts, as users run it.

validate_corpus.py calls Python's `jsonschema` library directly; this runs the CLI that the
schema README recommends (https://check-jsonschema.readthedocs.io) with its default options:
format checking on, ECMAScript regular expressions (via `regress`) for `pattern`, and its own
JSON reader, which is orjson when orjson is installed (requirements.txt pins it, so the reader
does not depend on what else the machine has) and the standard library's otherwise. The same
cases as validate_corpus.py (corpus examples as their raw bytes, schema_edges.jsonl, the
agreement tests' mutations), the same schemas (message and topic; topic only for the agreement
cases), in both dialects (schema/json and schema/draft-07).

Each distinct payload is written once to a temporary file, and the CLI runs once per schema
with all the files that schema judges (`-v -o json` lists each file as a success, a validation
error or a parse error; a payload that is not JSON is a parse error, which counts as invalid).
The runs go in parallel, one per core: about a minute for some 27,000 agreement cases on two
cores. Run from the repository root:

    python3 -m pip install -r conformance/tools/requirements.txt
    python3 conformance/tools/check_jsonschema.py --agreement target/tmp/agreement
"""

import argparse
import collections
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile

# Not used here: imported to stop at once where it is missing, as check-jsonschema then reads the
# payloads with another reader and the known differences below no longer hold.
import orjson  # noqa: F401

from validate_corpus import DIALECTS, ROOT, Tally, all_cases

# orjson reads an integer below -2^63 (or above 2^64 - 1) as a double, and a literal just below
# -2^63 rounds to the double -2^63, which meets the schemas' minimum. The checker refuses such a
# number: a reader of doubles cannot tell it from -2^63 (schema/json/README.md lists this).
ROUNDED_TO_MINIMUM = "orjson reads it as the double -2^63, which the schema's minimum admits"
KNOWN = {
    "schema_edges.jsonl (one below the 64-bit minimum)": ROUNDED_TO_MINIMUM,
    "schema_edges.jsonl (the last literal a double rounds to -2^63)": ROUNDED_TO_MINIMUM,
}

# At most this many instance files per run, which keeps a command line far below ARG_MAX.
BATCH = 4000


def run(schema, files):
    """The schema and the files of `files` it accepts, from one run of the CLI."""
    command = [sys.executable, "-m", "check_jsonschema", "--schemafile", str(ROOT / schema),
               "-v", "-o", "json", *files]
    process = subprocess.run(command, capture_output=True, text=True)
    try:
        report = json.loads(process.stdout)
    except ValueError:
        sys.exit(f"check-jsonschema gave no report on {schema} (exit {process.returncode}):\n"
                 f"{process.stdout}{process.stderr}")
    # `-v` lists the accepted files as "checked_paths" when all pass, else as "successes".
    accepted = set(report.get("successes", report.get("checked_paths", [])))
    refused = {e["filename"] for e in report.get("errors", []) + report.get("parse_errors", [])}
    if accepted & refused or accepted | refused != set(files):
        sys.exit(f"check-jsonschema did not judge each file of {schema} once:\n{process.stdout}")
    return schema, accepted


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreement", required=True, metavar="DIR",
                        help="the folder of the agreement tests' *.jsonl (target/tmp/agreement)")
    cases = all_cases(parser.parse_args().agreement)

    with tempfile.TemporaryDirectory() as tmp:
        files = {}  # payload -> its file
        judged = collections.defaultdict(set)  # schema -> the files it judges
        for case in cases:
            if case.raw not in files:
                files[case.raw] = os.path.join(tmp, f"{len(files)}.json")
                pathlib.Path(files[case.raw]).write_bytes(case.raw)
            for folder in DIALECTS:
                for schema in case.schemas(folder):
                    if schema is not None:
                        judged[schema].add(files[case.raw])
        batches = []
        for schema, paths in sorted(judged.items()):
            paths = sorted(paths)
            batches += [(schema, paths[i:i + BATCH]) for i in range(0, len(paths), BATCH)]
        accepted = collections.defaultdict(set)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            for schema, ok in pool.map(lambda batch: run(*batch), batches):
                accepted[schema] |= ok

    tally = Tally(KNOWN)
    for case in cases:
        for folder in DIALECTS:
            for schema in case.schemas(folder):
                if schema is None:
                    tally.missing(case, f"no topic schema in {folder} for {case.topic}")
                else:
                    tally.verdict(case, files[case.raw] in accepted[schema],
                                  f"check-jsonschema --schemafile {schema}")
    return tally.close("check_jsonschema")


if __name__ == "__main__":
    sys.exit(main())
