//! Tencent IoT Explorer file management, the family added as definitions and examples only:
//! its topics and messages are listed, and `iotxfer check` gives the documented verdicts on its
//! traffic, valid and not.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

const UP: &str = "$thing/up/service/ABCDEFGHIJ/dev001";
const DOWN: &str = "$thing/down/service/ABCDEFGHIJ/dev001";

fn iotxfer(args: &[&str]) -> (String, Option<i32>) {
    let output = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(args)
        .output()
        .expect("iotxfer runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    (stdout, output.status.code())
}

/// The verdicts of `check --format json` on the payloads, one record per (topic, payload).
fn check(records: &[(&str, Value)]) -> Vec<Value> {
    static CAPTURES: AtomicUsize = AtomicUsize::new(0);
    let lines: String = records
        .iter()
        .map(|(topic, payload)| {
            json!({"topic": topic, "payload": payload.to_string()}).to_string() + "\n"
        })
        .collect();
    let n = CAPTURES.fetch_add(1, Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!("iotxfer-files-{}-{n}.jsonl", std::process::id()));
    std::fs::write(&file, lines).expect("capture");
    // Messages alone: these are no conversation.
    let (out, _) = iotxfer(&[
        "check",
        "--no-flows",
        "--format",
        "json",
        file.to_str().expect("UTF-8"),
    ]);
    let _ = std::fs::remove_file(&file);
    out.lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect()
}

fn progress(percent: Value) -> Value {
    json!({"method": "report_progress", "report": {"progress": {"resource_name": "a.mp3",
        "state": "downloading", "percent": percent, "result_code": "0", "result_msg": ""},
        "version": "1.0.1"}})
}

#[test]
fn topics_lists_both_service_topics_with_their_ten_messages() {
    let (out, code) = iotxfer(&["topics"]);
    assert_eq!(code, Some(0));
    let messages: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("$thing/up/service/"))
        .take(4)
        .flat_map(|l| l.split([',', ' ']))
        .filter(|w| w.starts_with("tencent/file_management/"))
        .collect();
    assert_eq!(messages.len(), 10, "{out}");
    let (filters, _) = iotxfer(&["topics", "--filters"]);
    assert!(filters.lines().any(|f| f == "$thing/up/service/+/+"));
    assert!(filters.lines().any(|f| f == "$thing/down/service/+/+"));
}

#[test]
fn valid_messages_of_each_kind_are_ok() {
    let records = [
        (UP, json!({"method": "report_version", "report": {"resource_list": []}})),
        (UP, progress(json!("0"))),
        (UP, progress(json!("100"))),
        // As the SDK writes it: spaces after the colons, the strings it sends.
        (UP, serde_json::from_str(r#"{"method": "report_result", "report": {"progress": {"resource_name":"a.mp3","state":"done", "result_code":"-4", "result_msg":"md5 check fail"}, "version": "1.0.1"}}"#).unwrap()),
        (DOWN, json!({"method": "del_resource", "resource_name": "a.mp3", "resource_type": "AUDIO", "version": "1"})),
        (DOWN, json!({"method": "request_url_resp", "result_code": 0, "result_msg": "", "resource_url": "https://x", "resource_token": "t", "request_id": "7"})),
    ];
    for v in check(&records) {
        assert_eq!(v["verdict"], "ok", "{v}");
    }
}

#[test]
fn faulty_messages_are_violations_at_their_field() {
    let cases = [
        (UP, progress(json!("101")), "/report/progress/percent"),
        (UP, progress(json!("-5")), "/report/progress/percent"),
        (UP, progress(json!("50\n")), "/report/progress/percent"),
        (UP, progress(json!(50)), "/report/progress/percent"),
        (
            UP,
            json!({"method": "report_result", "report": {"version": "1"}}),
            "/report/progress",
        ),
        (
            DOWN,
            json!({"method": "update_resource", "resource_name": "a", "resource_type": "AUDIO", "version": "1", "url": "u", "md5sum": "6d0bb00954ceb7fbee436bb55a8397a9", "file_size": "big"}),
            "/file_size",
        ),
        (
            DOWN,
            json!({"method": "del_resource", "resource_name": "a", "resource_type": "fw", "version": "1"}),
            "/resource_type",
        ),
    ];
    let records: Vec<(&str, Value)> = cases.iter().map(|(t, p, _)| (*t, p.clone())).collect();
    for (v, (_, payload, path)) in check(&records).iter().zip(&cases) {
        assert_eq!(v["verdict"], "violation", "{payload}: {v}");
        assert_eq!(v["errors"][0]["path"], *path, "{payload}: {v}");
    }
}

#[test]
fn a_message_on_the_wrong_topic_or_envelope_is_named() {
    let records = [
        // A platform message published on the device's topic.
        (
            UP,
            json!({"method": "update_resource", "resource_name": "a", "resource_type": "FILE", "version": "1", "url": "u", "md5sum": "6d0bb00954ceb7fbee436bb55a8397a9", "file_size": 1}),
        ),
        // The `$ota` envelope's `type` instead of `method`: the discriminator is missing.
        (
            UP,
            json!({"type": "report_version", "report": {"version": "1"}}),
        ),
        // A typo of a method of this topic.
        (UP, json!({"method": "report_progres", "report": {}})),
    ];
    let verdicts = check(&records);
    assert_eq!(verdicts[0]["verdict"], "violation");
    let reason = verdicts[0]["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("$thing/down/service/"), "{reason}");
    assert_eq!(verdicts[1]["verdict"], "violation", "{}", verdicts[1]);
    assert_eq!(verdicts[2]["verdict"], "violation");
    let reason = verdicts[2]["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("`report_progress`"), "{reason}");
}
