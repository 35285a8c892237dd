#!/usr/bin/env python3
"""Writes a capture of LINES messages across DEVICES DJI docks, in mosquitto_sub -F %J form,
each conversation keeping every rule: `ota_create` answered at once, progress forward to a
final `ok`, each event that asks for it acknowledged. Receive times advance 1 ms a line.

Usage: conversations_at_scale.py LINES DEVICES OUT
"""
import json
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 22, tzinfo=timezone.utc)
CREATE = {"devices": [{"sn": "SN", "product_version": "1.2.0.69", "file_url": "https://example.com/f.zip",
          "md5": "0" * 32, "file_size": 1, "file_name": "f.zip", "firmware_upgrade_type": 3}]}


def job(round_, device):
    """The lines of one device's upgrade job: (topic suffix, method, data, need_reply)."""
    tid = f"{round_}-{device}"
    progress = lambda status, percent, step: {
        "result": 0, "output": {"status": status, "progress": {"percent": percent, "step_key": step}}}
    yield "services", "ota_create", CREATE, None, tid + "-c"
    yield "services_reply", "ota_create", {"result": 0, "output": {"status": "in_progress"}}, None, tid + "-c"
    yield "events", "ota_progress", progress("in_progress", 40, "download_firmware"), 1, tid + "-p"
    yield "events_reply", "ota_progress", {"result": 0}, None, tid + "-p"
    yield "events", "ota_progress", progress("ok", 100, "upgrade_firmware"), 0, tid + "-f"


def main():
    lines, devices, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    written = 0
    with open(out, "w") as f:
        round_ = 0
        while written < lines:
            for device in range(devices):
                gateway = f"DOCK{device:05}"
                for suffix, method, data, need_reply, tid in job(round_, device):
                    if written == lines:
                        return
                    payload = {"tid": tid, "bid": f"job-{round_}-{device}", "timestamp": 1_790_000_000_000 + written,
                               "method": method, "data": data}
                    if need_reply is not None:
                        payload["need_reply"] = need_reply
                    tst = (START + timedelta(milliseconds=written)).strftime("%Y-%m-%dT%H:%M:%S.%fZ+0000")
                    record = {"tst": tst, "topic": f"thing/product/{gateway}/{suffix}", "payload": payload}
                    f.write(json.dumps(record, separators=(",", ":")) + "\n")
                    written += 1
            round_ += 1


main()
