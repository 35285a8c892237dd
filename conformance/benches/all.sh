#!/usr/bin/env bash
# Every figure of BENCHMARKS.md in one run, on an otherwise idle machine: the criterion bench
# (decode, strict check and routing, each against its baseline), the paired decode ratios on
# one core (the ones `guard.sh` holds to their target), `iotxfer check` throughput
# against node + ajv and Python + jsonschema, and the build-time budget.
#
# Usage: conformance/benches/all.sh [LINES]   (capture lines for the throughput, default 1000000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cargo bench --manifest-path "$root/Cargo.toml" -p iotxfer --bench decode -- --warm-up-time 2 --measurement-time 5
taskset -c 0 cargo bench --manifest-path "$root/Cargo.toml" -p iotxfer --bench decode_paired
taskset -c 0 cargo bench --manifest-path "$root/Cargo.toml" -p iotxfer --bench engine_paired
"$root/conformance/benches/throughput/throughput.sh" "${1:-1000000}"
"$root/conformance/benches/build_time.sh"
