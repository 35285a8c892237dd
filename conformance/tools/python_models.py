#!/usr/bin/env python3
"""Generates pydantic v2 models from the message schemas and holds them to the recorded verdicts.

Python teams often validate with models generated from a schema rather than with a validator;
this shows what such models say about the payloads. The message schemas of schema/json (not the
topic schemas: a model reads one message) go through datamodel-code-generator into a temporary
package, one module per message with its root model named `Model`; each corpus example (its raw
bytes) and each case of schema_edges.jsonl that names a message (the three batches of Huawei
events name none: only a topic schema judges them) is then read with
`Model.model_validate_json`: valid when it raises no ValidationError.

The flags, each bringing the models closer to the schemas:

- `--strict-types str int float bool`: in lax mode pydantic takes "5" and true for integers,
  and 1 or "true" for booleans. Strict int also refuses 5.0, which JSON Schema takes as the
  integer 5: no corpus example or edge writes an integer so, but a device that does is refused.
- `--enum-field-as-literal all`: an enum becomes a `Literal`; as an Enum class, pydantic takes
  the string "1" for the integer member 1 (strict types do not reach enums).
- `--use-missing-sentinel`: an absent optional field is pydantic's MISSING (pydantic 2.12 and
  later), not None, so null is taken only where the schema allows it; without it every optional
  field is `T | None = None` (`--strict-nullable` changes only fields with a default). Every
  optional field of the schemas allows null today, so this changes no verdict yet.

What the models cannot say:

- The `not {"type": "string", "pattern": "\\n"}` beside each pattern is dropped; pydantic's
  regular expressions (Rust's engine, which reads these patterns) need no such guard, as their
  `$` matches only at the very end.
- A `Literal` of 0 or 1 takes the booleans false and true (Python's False == 0, True == 1);
  JSON Schema keeps booleans and numbers apart.
- An integer written as 5.0 (above). Unknown members are ignored, as the schemas allow them.
- A field that a sibling's value requires (`required_when`: Tencent's `percent` while
  downloading, DJI's `output` when `result` is 0): datamodel-code-generator makes no validator of
  the schema's `if`/`then`, so the models take the payload without it.

KNOWN lists the cases on which the models differ from the recorded verdict, each with its
reason; the run fails on any other difference, and on a listed case the models get right.
Run from the repository root:

    python3 -m pip install -r conformance/tools/requirements.txt
    python3 conformance/tools/python_models.py
"""

import importlib
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pydantic

from validate_corpus import EDGES, ROOT, Tally, corpus_cases, jsonl_cases

SCHEMAS = ROOT / "schema" / "json"
FLAGS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--strict-types", "str", "int", "float", "bool",
    "--enum-field-as-literal", "all",
    "--use-missing-sentinel",
    "--class-name", "Model",
    "--formatters", "builtin",
    "--disable-timestamp",
]

BOOLEAN_AS_INTEGER = "a Literal of 0 and 1 takes the boolean true as 1 (Python's True == 1)"
CONDITION = "the models leave out the if/then of a field its sibling's value requires"
KNOWN = {
    "schema_edges.jsonl (a boolean: neither form)": BOOLEAN_AS_INTEGER,
    "schema_edges.jsonl (uploading without the percent its state requires)": CONDITION,
    "schema_edges.jsonl (uploading with a null percent: null is absent)": CONDITION,
    "schema_edges.jsonl (downloading without the percent its state requires)": CONDITION,
    "schema_edges.jsonl (a file downloading without the percent its state requires)": CONDITION,
    "schema_edges.jsonl (a success reply without the output its result requires)": CONDITION,
    "schema_edges.jsonl (a success reply whose output is null: null is absent)": CONDITION,
}


def generate(package):
    """Writes the models of every message schema into the folder `package`, as the package
    `models`: the model of `tencent/resource/upload_result` is
    `models.tencent.resource.upload_result.Model`. The schemas are copied without the `.schema`
    of their names first, which would name the module `upload_result_schema`."""
    schemas = package.parent / "schemas"
    for path in SCHEMAS.glob("*/*/*.schema.json"):
        if path.parent.name != "topics":
            message = path.relative_to(SCHEMAS).as_posix().removesuffix(".schema.json")
            target = schemas / f"{message}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    subprocess.run([sys.executable, "-m", "datamodel_code_generator", "--input", str(schemas),
                    "--output", str(package), *FLAGS], check=True)


def main():
    cases = corpus_cases() + [c for c in jsonl_cases(EDGES, EDGES.name) if c.message is not None]
    tally = Tally(KNOWN)
    with tempfile.TemporaryDirectory() as tmp:
        package = pathlib.Path(tmp) / "models"
        generate(package)
        sys.path.insert(0, tmp)
        for case in cases:
            module = f"models.{case.message.replace('/', '.')}"
            try:
                model = importlib.import_module(module).Model
            except (ImportError, AttributeError) as e:
                tally.missing(case, f"no model {module}.Model ({e})")
                continue
            try:
                model.model_validate_json(case.raw)
                accepted = True
            except pydantic.ValidationError:
                accepted = False
            tally.verdict(case, accepted, f"{module}.Model")
    return tally.close("python_models")


if __name__ == "__main__":
    sys.exit(main())
