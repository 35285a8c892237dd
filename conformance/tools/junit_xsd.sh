#!/usr/bin/env bash
# The JUnit reports of `iotxfer check --format junit`, validated against the schema Jenkins
# reads (junit-10.xsd, MIT, which pytest's source distribution carries for its own tests)
# with xmllint. Needs the `iotxfer` binary built (cargo test builds it), Debian's
# libxml2-utils and PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
iotxfer="${IOTXFER:-target/debug/iotxfer}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
  -d "$work" pytest==9.2.0
tar -xzf "$work/pytest-9.2.0.tar.gz" -C "$work" pytest-9.2.0/testing/example_scripts/junit-10.xsd
xsd="$work/pytest-9.2.0/testing/example_scripts/junit-10.xsd"
echo "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6  $xsd" | sha256sum -c --quiet

checked=0
for capture in conformance/tests/data/captures/*.jsonl; do
  for profile in "" "--profile device" "--profile platform"; do
    # Exit 1 (violations) is a report like any other; 2 would be a usage fault.
    status=0
    # shellcheck disable=SC2086
    "$iotxfer" check --format junit $profile "$capture" > "$work/report.xml" || status=$?
    if [[ $status -gt 1 ]]; then
      echo "iotxfer check failed on $capture" >&2
      exit 1
    fi
    xmllint --noout --schema "$xsd" "$work/report.xml"
    checked=$((checked + 1))
  done
done
echo "junit: $checked reports valid against junit-10.xsd"
