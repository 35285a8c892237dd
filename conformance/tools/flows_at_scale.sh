#!/usr/bin/env bash
# Conversations at scale: `iotxfer check` (release build) on a million messages across 5,000
# DJI docks, every conversation keeping every rule, in memory that does not grow with the
# capture: its peak is held to that of a capture a third the size. Needs Python 3 and GNU time
# (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --release -p iotxfer-conformance --bin iotxfer
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

peak_kb() { # LINES: the peak memory of `iotxfer check` on a capture of LINES messages
  python3 conformance/tools/conversations_at_scale.py "$1" 5000 "$work/capture.jsonl"
  /usr/bin/time -f '%M %e' -o "$work/time" \
    target/release/iotxfer check --format json "$work/capture.jsonl" > "$work/out.jsonl"
  if grep -q '"verdict":"violation"' "$work/out.jsonl"; then
    grep -m 3 '"verdict":"violation"' "$work/out.jsonl" >&2
    echo "flows at scale: a violation in a capture that keeps every rule" >&2
    exit 1
  fi
  read -r kb seconds < "$work/time"
  echo "flows at scale: $1 messages in $seconds s, peak $((kb / 1024)) MiB" >&2
  echo "$kb"
}

small="$(peak_kb 300000)"
large="$(peak_kb 1000000)"
# Flat: once the traffic spans more than the memory of a job (2 minutes of receive time, at
# 1,000 messages a second), three times the messages may not take a quarter more memory.
if (( large > small * 5 / 4 )); then
  echo "flows at scale: peak memory grew from $((small / 1024)) MiB to $((large / 1024)) MiB" >&2
  exit 1
fi
echo "flows at scale: memory flat ($((small / 1024)) MiB for 300000 messages, $((large / 1024)) MiB for 1000000)"
