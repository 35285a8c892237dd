#!/usr/bin/env bash
# The `platform` and `device` examples (protocol/examples/) play their flows through a real
# broker, once for each fault the device can play (`--fault`: none, drop-first-reply,
# duplicate, silent), while mosquitto_sub captures every message they exchange, in a fresh
# capture per mode. Every capture must hold exactly the messages the two sent and show no rule
# broken by the platform (`iotxfer check --profile platform`); the fault-free capture must
# also conform whole (`iotxfer check --strict`, both sides' rules). The platform must end 0,
# except in `silent`, where it ends 1 naming the request unanswered after its 3 attempts; the
# device must end 0 (in `silent` it is stopped).
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
broker_up() { alive "$broker" "mosquitto"; grep -qs ' running$' "$work/broker.log"; }
wait_for 10 "the broker" broker_up

# One filter per -t, since `#` does not match `$` topics.
filters=()
"${bin[iotxfer]}" topics --filters > "$work/filters"
while read -r filter; do filters+=(-t "$filter"); done < "$work/filters"
((${#filters[@]} > 0)) || { say "iotxfer topics --filters printed no filter"; exit 1; }
url="mqtt://127.0.0.1:$port"

# play MODE: the examples, the device with `--fault MODE`, through a capture of their own.
play() {
    local mode=$1 log="$work/$1" client="iotxfer-capture-$1"
    # QoS 1, so the broker drops nothing on the way; -R leaves out retained messages.
    mosquitto_sub -i "$client" -h 127.0.0.1 -p "$port" -q 1 -R -F %j "${filters[@]}" \
        > "$log.capture.jsonl" 2> "$log.capture.log" &
    local capture=$!
    pids+=("$capture")
    # The broker logs `<client> <qos> <filter>` for each subscription it has taken.
    subscribed() {
        alive "$capture" "mosquitto_sub"
        (($(grep -sc "^[0-9]*: $client 1 " "$work/broker.log") == ${#filters[@]} / 2))
    }
    wait_for 10 "the $mode capture's subscriptions" subscribed

    # The platform first, the device once the platform has subscribed. Each ends on its own
    # within 50 s; `timeout` is the backstop.
    timeout 60 "${bin[platform]}" --broker "$url" > "$log.platform.log" 2>&1 &
    local platform=$!
    pids+=("$platform")
    platform_ready() { alive "$platform" "the $mode platform"; grep -qs 'waiting for the device' "$log.platform.log"; }
    wait_for 20 "the $mode platform's subscriptions" platform_ready
    timeout 60 "${bin[device]}" --broker "$url" --fault "$mode" > "$log.device.log" 2>&1 &
    local device=$!
    pids+=("$device")
    local status=0
    wait "$platform" || status=$?
    if [[ $mode == silent ]]; then
        local unanswered='platform: dji/firmware/ota_create went unanswered after 3 attempts'
        ((status == 1)) || { say "silent: the platform exited with $status, not 1"; exit 1; }
        grep -qxF "$unanswered" "$log.platform.log" || { say "silent: the platform did not say: $unanswered"; exit 1; }
        kill "$device" 2> /dev/null || true
        wait "$device" || true
    else
        ((status == 0)) || { say "$mode: the platform exited with $status"; exit 1; }
        wait "$device" || { say "$mode: the device exited with $?"; exit 1; }
    fi

    # Every message sent (each example logs a ` -> ` line per publish, each copy of a
    # `duplicate` one too) reaches the capture; then the capture stops.
    local sent lines
    sent=$(cat "$log.platform.log" "$log.device.log" | grep -c -- ' -> ')
    captured() { (($(wc -l < "$log.capture.jsonl") >= sent)); }
    wait_for 10 "$sent $mode messages in the capture" captured
    kill "$capture"
    wait "$capture" || true
    lines=$(wc -l < "$log.capture.jsonl")
    if ((lines != sent)); then
        say "$mode: the examples sent $sent messages, the capture holds $lines"
        exit 1
    fi

    # The platform broke no rule, whatever the device did.
    if ! "${bin[iotxfer]}" check --profile platform --format json "$log.capture.jsonl" > "$log.platform-verdicts.log"; then
        say "$mode: iotxfer check --profile platform found violations"
        grep -v '"verdict":"ok"' "$log.platform-verdicts.log" >&2 || true
        exit 1
    fi
    if [[ $mode == none ]]; then
        # Every captured message conforms, with no field the documents do not define, and
        # neither side broke a rule.
        if ! "${bin[iotxfer]}" check --strict --format json "$log.capture.jsonl" > "$log.verdicts.log"; then
            say "none: iotxfer check --strict found violations"
            grep -v '"verdict":"ok"' "$log.verdicts.log" >&2 || true
            exit 1
        fi
        local ok
        ok=$(grep -c '"verdict":"ok"' "$log.verdicts.log" || true)
        if ((ok != sent)); then
            say "none: $ok of $sent captured messages conform"
            exit 1
        fi
    fi
    say "$mode: the examples exchanged $sent messages through mosquitto; the platform kept every rule"
}

for mode in none drop-first-reply duplicate silent; do
    play "$mode"
done
kill "$broker"
wait "$broker" || true
pids=()
say "every mode played"
