#!/usr/bin/env bash
# Rewrites everything that is generated and committed: the JSON Schemas (schema/json/ and
# schema/draft-07/), the AsyncAPI documents (schema/asyncapi/), the
# snapshots of the generated Rust and of the generator's diagnostics (codegen/tests/snapshots/)
# and of the catalog (protocol/tests/snapshots/), and the vendor tables of README.md and
# schema/json/README.md. Review the diff it lists before committing. With --check it rewrites nothing and fails when anything committed is stale;
# .ci/run runs that.
set -euo pipefail
cd "$(dirname "$0")/../.."
generated=(schema/json schema/draft-07 schema/asyncapi codegen/tests/snapshots protocol/tests/snapshots README.md conformance/check-output.schema.json)
if [[ "${1:-}" == "--check" ]]; then
  # Whatever the environment says, nothing is rewritten: insta fails on a stale snapshot, and
  # the schema and table tests compare only.
  unset IOTXFER_BLESS
  export CI=true INSTA_UPDATE=no
  cargo test --quiet -p iotxfer-conformance --test schemas --test asyncapi --test docs --test output
  cargo test --quiet -p iotxfer-codegen --test snapshots --test diagnostics
  cargo test --quiet -p iotxfer --test catalog
else
  IOTXFER_BLESS=1 cargo test --quiet -p iotxfer-conformance --test schemas --test asyncapi --test docs --test output
  INSTA_UPDATE=always cargo test --quiet -p iotxfer-codegen --test snapshots --test diagnostics
  INSTA_UPDATE=always cargo test --quiet -p iotxfer --test catalog
  git status --short -- "${generated[@]}"
  git diff --stat -- "${generated[@]}"
fi
