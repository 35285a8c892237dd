#!/usr/bin/env bash
# The performance targets, each as a ratio against its baseline measured in the same run, on an
# otherwise idle machine: prints every ratio with its target and exits 1 when one is past it.
# Not run by .ci/run: timings on a shared machine are too noisy to fail a build on.
#
#   decode          iotxfer::decode / a hand-written serde struct read from the payload's
#                   bytes (unit enums where the documents list values), per benchmarked
#                   message; the median of 41 paired rounds             at most 1.3
#   check           lines per second of `iotxfer check` (conversation rules included) /
#                   node + ajv on the same capture, both on one core    at least 2
#   build           a clean debug build of `iotxfer` / serde + serde_json + schemars
#                                                                        at most 1.5
#
# Usage: conformance/benches/guard.sh [LINES]   (capture lines for `check`, default 300000)
# Needs what the harnesses need: node with the npm tools of conformance/tools (npm ci), Python 3,
# GNU time and taskset.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lines="${1:-300000}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0

# verdict NAME RATIO at-most|at-least TARGET
verdict() {
  if python3 -c "import sys; r, t = float(sys.argv[1]), float(sys.argv[3]); sys.exit(0 if (r <= t if sys.argv[2] == 'at-most' else r >= t) else 1)" "$2" "$3" "$4"; then
    printf '%-62s %6.2fx  (target: %s %s)  ok\n' "$1" "$2" "$3" "$4"
  else
    printf '%-62s %6.2fx  (target: %s %s)  MISSED\n' "$1" "$2" "$3" "$4"
    failed=1
  fi
}

# Decode: `decode_paired` on one core, which times both functions in paired rounds and gives the
# median of the rounds' ratios (a drift of the VM's speed between two long runs does not count).
taskset -c 0 cargo bench --quiet --manifest-path "$root/Cargo.toml" -p iotxfer --bench decode_paired \
  > "$work/decode.txt"
grep '^decode/' "$work/decode.txt" > "$work/decode.lines"
while read -r name ratio _; do
  verdict "${name%:} (iotxfer / hand-written)" "${ratio%x}" at-most 1.3
done < "$work/decode.lines"
# Every benchmarked message has its ratio, or the guard says so.
[[ "$(wc -l < "$work/decode.lines")" -eq 4 ]] || { echo "decode_paired printed no ratio for some message" >&2; failed=1; }

# Check: one core each, the same capture, the rules on.
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p iotxfer-conformance
python3 "$here/throughput/make_capture.py" "$lines" "$work/capture.jsonl"
# `iotxfer check` exits 1 on the capture's violations; GNU time then writes a line before the time.
seconds() { /usr/bin/time -f "%e" -o "$work/time" "$@" > /dev/null 2>&1 || true; tail -n 1 "$work/time"; }
ours="$(seconds taskset -c 0 "$target_dir/release/iotxfer" check --format json "$work/capture.jsonl")"
theirs="$(NODE_PATH="$root/conformance/tools/node_modules" seconds taskset -c 0 node "$here/throughput/ajv_check.js" "$work/capture.jsonl" "$work/ajv.verdicts")"
verdict "check, one core (iotxfer / node + ajv lines/s)" "$(python3 -c "import sys; print(float(sys.argv[2]) / float(sys.argv[1]))" "$ours" "$theirs")" at-least 2

# Build: the line build_time.sh prints for iotxfer alone.
build="$("$here/build_time.sh" | sed -nE 's/^iotxfer: .*\(([0-9.]+)x the baseline\)$/\1/p')"
verdict "build (iotxfer / serde + serde_json + schemars)" "$build" at-most 1.5

exit "$failed"
