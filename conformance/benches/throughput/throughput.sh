#!/usr/bin/env bash
# `iotxfer check` on a generated capture, side by side with what a team would otherwise write:
# a Node.js script with ajv 8, and a Python script with `jsonschema`, on the exported schemas.
# Prints lines per second and peak memory of each, and checks that the verdicts agree.
#
# Usage: conformance/benches/throughput/throughput.sh [LINES]   (default 1000000)
# Needs node and npm (for ajv), Python 3.11+ with `jsonschema`, and GNU time (/usr/bin/time).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
lines="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release -p iotxfer-conformance --manifest-path "$root/Cargo.toml"
# ajv as pinned in conformance/tools/package.json.
[[ -d "$root/conformance/tools/node_modules/ajv" ]] ||
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$root/conformance/tools" --no-audit --no-fund --loglevel=error
python3 "$here/make_capture.py" "$lines" "$work/capture.jsonl"
python3 "$here/make_capture.py" "$((lines / 10))" "$work/capture-small.jsonl"
# Python is ~20x slower: it gets a tenth of the lines, and its rate is per line all the same.

measure() { # name, lines, command...
  local name="$1" count="$2"; shift 2
  # `iotxfer check` exits 1 when the capture holds violations, as this one does.
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/$name.out" || true
  read -r seconds kib < <(tail -n 1 "$work/time")
  python3 -c "import sys; s, k, n, name = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]; print(f'{name:<22} {n:>9} lines {s:7.2f} s {n / s:12,.0f} lines/s {k / 1024:8.1f} MiB peak')" "$seconds" "$kib" "$count" "$name"
}

echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
measure iotxfer "$lines" "$root/target/release/iotxfer" check --format json "$work/capture.jsonl"
# Messages alone, without the conversation rules: what the rules cost.
measure iotxfer_no_flows "$lines" "$root/target/release/iotxfer" check --no-flows --format json "$work/capture.jsonl"
measure node_ajv "$lines" env NODE_PATH="$root/conformance/tools/node_modules" node "$here/ajv_check.js" "$work/capture.jsonl" "$work/ajv.verdicts"
measure python_jsonschema "$((lines / 10))" python3 "$here/jsonschema_check.py" "$work/capture-small.jsonl"

# The same verdict on every line.
python3 "$here/same_verdicts.py" "$work/iotxfer.out" "$work/ajv.verdicts"
