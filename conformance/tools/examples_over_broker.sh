#!/usr/bin/env bash
# The `platform` and `device` examples (protocol/examples/) play their flows through a real
# broker while mosquitto_sub captures every message they exchange; then `iotxfer check
# --strict` must find every captured message conforming, and the capture must hold exactly the
# messages the two sent.
#
# Needs mosquitto and mosquitto-clients (.ci/run installs them) and python3. The broker listens
# on a free loopback port only. Exits non-zero, with the logs, on any fault.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { echo "examples_over_broker: $*" >&2; }

work="$(mktemp -d)"
pids=()
# However the run ends: stop what still runs, show the logs if it failed, remove the files.
finish() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
    if ((status != 0)); then
        for log in "$work"/*.log; do
            if [[ -s "$log" ]]; then
                say "--- $(basename "$log")"
                cat "$log" >&2
            fi
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap finish EXIT

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_for() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        if ((SECONDS >= deadline)); then
            say "timed out waiting for $what"
            return 1
        fi
        sleep 0.1
    done
}

# alive PID NAME: ends the run at once if the process has ended.
alive() {
    if ! kill -0 "$1" 2> /dev/null; then
        say "$2 exited early"
        exit 1
    fi
}

# The examples and the iotxfer command, built as `cargo test --workspace` builds them: after it
# (as in .ci/run) nothing is built again, where `cargo build` would build the crate anew with
# other features and settings. Their paths come from Cargo's messages.
cargo test -q --workspace --no-run --message-format json-render-diagnostics > "$work/build.json"
python3 - "$work/build.json" > "$work/executables" << 'PYTHON'
import json, sys
wanted = {("example", "platform"), ("example", "device"), ("bin", "iotxfer")}
for line in open(sys.argv[1]):
    m = json.loads(line)
    # Not the test harnesses: `cargo test` also builds the binary as a test.
    if m.get("reason") == "compiler-artifact" and m.get("executable") and not m["profile"]["test"]:
        if (m["target"]["kind"][0], m["target"]["name"]) in wanted:
            print(m["target"]["name"], m["executable"])
PYTHON
declare -A bin
while read -r name path; do bin[$name]=$path; done < "$work/executables"
for name in platform device iotxfer; do
    [[ -x "${bin[$name]:-}" ]] || { say "cargo built no $name"; exit 1; }
done

# The broker, on a free loopback port. Its log shows when it listens and each subscription.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$work/mosquitto.conf" << EOF
listener $port 127.0.0.1
allow_anonymous true
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
log_type subscribe
EOF
mosquitto -c "$work/mosquitto.conf" 2> "$work/broker.log" &
broker=$!
pids+=("$broker")
broker_up() { alive "$broker" "mosquitto"; grep -q ' running$' "$work/broker.log"; }
wait_for 10 "the broker" broker_up

# The capture: one -t per filter, since `#` does not match `$` topics; QoS 1, so the broker
# drops nothing on the way; -R leaves out retained messages.
filters=()
"${bin[iotxfer]}" topics --filters > "$work/filters"
while read -r filter; do filters+=(-t "$filter"); done < "$work/filters"
((${#filters[@]} > 0)) || { say "iotxfer topics --filters printed no filter"; exit 1; }
mosquitto_sub -i iotxfer-capture -h 127.0.0.1 -p "$port" -q 1 -R -F %j "${filters[@]}" \
    > "$work/capture.jsonl" 2> "$work/capture.log" &
capture=$!
pids+=("$capture")
# The broker logs `<client> <qos> <filter>` for each subscription it has taken.
subscribed() {
    alive "$capture" "mosquitto_sub"
    (($(grep -c '^[0-9]*: iotxfer-capture 1 ' "$work/broker.log") == ${#filters[@]} / 2))
}
wait_for 10 "the capture's subscriptions" subscribed

# The platform first, the device once the platform has subscribed. Each ends on its own within
# 50 s; `timeout` is the backstop.
url="mqtt://127.0.0.1:$port"
timeout 60 "${bin[platform]}" --broker "$url" > "$work/platform.log" 2>&1 &
platform=$!
pids+=("$platform")
platform_ready() { alive "$platform" "the platform"; grep -q 'waiting for the device' "$work/platform.log"; }
wait_for 20 "the platform's subscriptions" platform_ready
timeout 60 "${bin[device]}" --broker "$url" > "$work/device.log" 2>&1 &
device=$!
pids+=("$device")
# Whichever fails first ends the run at once.
names=()
names[$platform]=platform
names[$device]=device
status=0
wait -n -p ended "$platform" "$device" || status=$?
((status == 0)) || { say "the ${names[$ended]} exited with $status"; exit 1; }
other=$((ended == platform ? device : platform))
wait "$other" || { say "the ${names[$other]} exited with $?"; exit 1; }

# Every message sent (each example logs a ` -> ` line per publish) reaches the capture; then the
# capture and the broker stop.
sent=$(cat "$work/platform.log" "$work/device.log" | grep -c -- ' -> ')
captured() { (($(wc -l < "$work/capture.jsonl") >= sent)); }
wait_for 10 "$sent messages in the capture" captured
kill "$capture" "$broker"
wait "$capture" "$broker" || true
pids=()
lines=$(wc -l < "$work/capture.jsonl")
if ((lines != sent)); then
    say "the examples sent $sent messages, the capture holds $lines"
    exit 1
fi

# Every captured message conforms, with no field the documents do not define.
if ! "${bin[iotxfer]}" check --strict --format json "$work/capture.jsonl" > "$work/verdicts.log"; then
    say "iotxfer check found violations"
    exit 1
fi
ok=$(grep -c '"verdict":"ok"' "$work/verdicts.log" || true)
if ((ok != sent)); then
    say "$ok of $sent captured messages conform"
    exit 1
fi
say "the examples exchanged $sent messages through mosquitto, all conforming"
