#!/usr/bin/env bash
# The throughput harness's entry points on a small capture, as .ci/run runs them: make_capture.py
# writes it, ajv_check.js and `iotxfer check` judge it, and every line gets the same verdict from
# both. Times nothing.
#
# Usage: conformance/benches/throughput/smoke.sh IOTXFER   (the binary to run; after `npm ci
# --prefix conformance/tools`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
iotxfer="${1:?usage: smoke.sh IOTXFER}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$here/make_capture.py" 2000 "$work/capture.jsonl"
NODE_PATH="$root/conformance/tools/node_modules" node "$here/ajv_check.js" "$work/capture.jsonl" "$work/ajv.verdicts"
# The capture holds the corpus's invalid examples: `check` exits 1.
"$iotxfer" check --format json "$work/capture.jsonl" > "$work/iotxfer.out" || [[ $? -eq 1 ]]
python3 "$here/same_verdicts.py" "$work/iotxfer.out" "$work/ajv.verdicts"
