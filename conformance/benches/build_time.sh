#!/usr/bin/env bash
# The build-time budget: a clean debug build of `iotxfer` alone (what a user pays), the same with
# its `schemars` feature, the same for a crate with only serde + serde_json + schemars (the
# baseline), and a no-op rebuild.
# Each build gets its own empty target directory; dependencies are fetched first, so only
# compiling is timed.
#
# Usage: conformance/benches/build_time.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/baseline/src"
cat > "$work/baseline/Cargo.toml" <<'TOML'
[package]
name = "baseline"
version = "0.0.0"
edition = "2024"

[dependencies]
serde = { version = "1.0.229", features = ["derive"] }
serde_json = "1.0.154"
schemars = { version = "1.2.3", default-features = false, features = ["derive", "std"] }

[workspace]
TOML
cat > "$work/baseline/src/lib.rs" <<'RS'
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Message {
    pub tid: String,
    pub timestamp: i64,
}
RS

seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1; }

cargo fetch --quiet --manifest-path "$work/baseline/Cargo.toml"
cargo fetch --quiet --manifest-path "$root/Cargo.toml"
baseline=$(seconds cargo build --quiet --manifest-path "$work/baseline/Cargo.toml" --target-dir "$work/target-baseline")
iotxfer=$(seconds cargo build --quiet --manifest-path "$root/Cargo.toml" -p iotxfer --target-dir "$work/target-iotxfer")
noop=$(seconds cargo build --quiet --manifest-path "$root/Cargo.toml" -p iotxfer --target-dir "$work/target-iotxfer")
schemars=$(seconds cargo build --quiet --manifest-path "$root/Cargo.toml" -p iotxfer --features schemars --target-dir "$work/target-schemars")
python3 -c "import sys; b, i, n, s = map(float, sys.argv[1:]); print(f'baseline (serde + serde_json + schemars): {b:6.1f} s\niotxfer:                                  {i:6.1f} s  ({i / b:.2f}x the baseline)\niotxfer --features schemars:              {s:6.1f} s  ({s / b:.2f}x the baseline)\nno-op rebuild of iotxfer:                 {n:6.2f} s')" "$baseline" "$iotxfer" "$noop" "$schemars"
