//! Conversations across captured messages: each kind of rule of `iotxfer rules`, kept and
//! broken, through the `iotxfer check` binary as a user runs it, and the monitor's memory
//! through the library.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use iotxfer::conversation::{Facts, Monitor, Options};
use serde_json::{Value, json};

mod run;

// ---------------------------------------------------------------------------------------------
// Messages, from the vendor examples of the corpus.

const OTA_CREATE: &str = include_str!("../corpus/examples/003-ota_create.json");
const OTA_CREATE_REPLY: &str = include_str!("../corpus/examples/003-ota_create_reply.json");
const OTA_PROGRESS: &str = include_str!("../corpus/examples/003-ota_progress.json");
const OTA_PROGRESS_REPLY: &str = include_str!("../corpus/examples/con-dji-ota_progress_reply.json");
const REPORT_UPLOAD_PROGRESS: &str =
    include_str!("../corpus/examples/000-report_upload_progress.json");
const REPORT_UPLOAD_PROGRESS_RSP: &str =
    include_str!("../corpus/examples/000-report_upload_progress_rsp.json");
const GET_DOWNLOAD_TASK: &str = include_str!("../corpus/examples/000-get_download_task.json");
const GET_UPLOAD_URL: &str = include_str!("../corpus/examples/con-huawei-get_upload_url.json");
const GET_UPLOAD_URL_RESPONSE: &str =
    include_str!("../corpus/examples/con-huawei-get_upload_url_response.json");
const UPLOAD_RESULT_REPORT: &str =
    include_str!("../corpus/examples/con-huawei-upload_result_report.json");

const UPDATE_FIRMWARE: &str = include_str!("../corpus/examples/con-tencent-update_firmware.json");
const OTA_REPORT_PROGRESS: &str =
    include_str!("../corpus/examples/con-tencent-report_progress-numbers.json");

/// Receive times are milliseconds after this instant (2026-11-18).
const T0: i64 = 1_795_000_000_000;

/// `ms` milliseconds into the capture.
fn t(ms: i64) -> i64 {
    T0 + ms
}

/// One captured message: when the subscriber received it (if the capture says), its topic and
/// its payload.
#[derive(Debug, Clone)]
struct Msg {
    /// In microseconds since the Unix epoch.
    at: Option<i64>,
    topic: String,
    payload: Value,
}

impl Msg {
    fn new(topic: impl Into<String>, example: &str) -> Self {
        Msg {
            at: None,
            topic: topic.into(),
            payload: serde_json::from_str(example).expect("a corpus example is JSON"),
        }
    }

    /// Received `ms` milliseconds into the capture.
    fn at(self, ms: i64) -> Self {
        self.at_us(ms * 1000)
    }

    /// Received `us` microseconds into the capture.
    fn at_us(mut self, us: i64) -> Self {
        self.at = Some(t(0) * 1000 + us);
        self
    }

    /// Sets (or adds) the member at `pointer`.
    fn set(mut self, pointer: &str, value: Value) -> Self {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        let object = self
            .payload
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("no object at {parent}"));
        object.insert(key.to_owned(), value);
        self
    }

    /// Removes the member at `pointer`.
    fn remove(mut self, pointer: &str) -> Self {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        if let Some(object) = self
            .payload
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
        {
            object.remove(key);
        }
        self
    }

    /// A DJI message sent (its envelope's `timestamp`) `ms` milliseconds into the capture.
    fn sent(self, ms: i64) -> Self {
        self.set("/timestamp", json!(t(ms)))
    }

    /// The line `mosquitto_sub -F %J` writes for it.
    fn line(&self) -> String {
        let mut record = serde_json::Map::new();
        if let Some(at) = self.at {
            let time = UNIX_EPOCH + Duration::from_micros(u64::try_from(at).expect("after 1970"));
            let tst = format!("{}+0000", humantime::format_rfc3339_micros(time));
            record.insert("tst".into(), json!(tst));
        }
        record.insert("topic".into(), json!(self.topic));
        record.insert("qos".into(), json!(0));
        record.insert("retain".into(), json!(0));
        record.insert("payload".into(), self.payload.clone());
        Value::Object(record).to_string()
    }
}

/// A DJI message on `thing/product/{gw}/{topic}` with the envelope's `tid` and `bid`.
fn dji(gw: &str, topic: &str, example: &str, tid: &str, bid: &str) -> Msg {
    Msg::new(format!("thing/product/{gw}/{topic}"), example)
        .set("/tid", json!(tid))
        .set("/bid", json!(bid))
        .sent(0)
}

/// The cloud's `ota_create` to gateway `gw`.
fn ota_create(gw: &str, tid: &str, bid: &str) -> Msg {
    dji(gw, "services", OTA_CREATE, tid, bid)
}

/// The gateway's answer to `ota_create`: the corpus example with its erratum fixed.
fn ota_create_reply(gw: &str, tid: &str, bid: &str) -> Msg {
    dji(gw, "services_reply", OTA_CREATE_REPLY, tid, bid)
        .remove("/data/output/progress/step_key")
        .remove("/data/output/sub_status")
}

/// An `ota_progress` event of job `bid` that asks for no acknowledgement.
fn ota_progress(gw: &str, tid: &str, bid: &str, status: &str, step: &str, percent: u32) -> Msg {
    dji(gw, "events", OTA_PROGRESS, tid, bid)
        .remove("/data/output/sub_status")
        .remove("/data/output/progress/step")
        .set("/data/output/status", json!(status))
        .set("/data/output/progress/step_key", json!(step))
        .set("/data/output/progress/percent", json!(percent))
}

/// An `ota_progress` event of job `bid`, in progress, downloading.
fn downloading(gw: &str, tid: &str, bid: &str, percent: u32) -> Msg {
    ota_progress(gw, tid, bid, "in_progress", "download_firmware", percent)
}

/// An `ota_progress` event of job `bid` with `status`, in the `upgrade_firmware` step.
fn upgrading(gw: &str, tid: &str, bid: &str, status: &str, percent: u32) -> Msg {
    ota_progress(gw, tid, bid, status, "upgrade_firmware", percent)
}

/// The cloud's acknowledgement of an `ota_progress` event.
fn ota_progress_ack(gw: &str, tid: &str, bid: &str) -> Msg {
    dji(gw, "events_reply", OTA_PROGRESS_REPLY, tid, bid)
}

/// A DJI message that settles nothing: an event of a job of its own that asks for nothing.
fn dji_tick(gw: &str) -> Msg {
    downloading(gw, "tick", "tick", 0)
}

/// Tencent's `report_upload_progress` of resource `name`, from device `product/device`.
fn upload_progress(device: &str, name: &str, state: &str, percent: u32) -> Msg {
    Msg::new(
        format!("$resource/up/service/{device}"),
        REPORT_UPLOAD_PROGRESS,
    )
    .set("/name", json!(name))
    .set("/progress/state", json!(state))
    .set("/progress/percent", json!(percent))
}

/// Tencent's answer to `report_upload_progress`.
fn upload_progress_rsp(device: &str) -> Msg {
    Msg::new(
        format!("$resource/down/service/{device}"),
        REPORT_UPLOAD_PROGRESS_RSP,
    )
}

/// A Tencent message that settles nothing: a request no rule asks an answer for.
fn tencent_tick(device: &str) -> Msg {
    Msg::new(format!("$resource/up/service/{device}"), GET_DOWNLOAD_TASK)
}

/// Huawei's `get_upload_url` from `device`, for `object` (the device itself or a child).
fn get_upload_url(device: &str, object: &str) -> Msg {
    Msg::new(
        format!("$oc/devices/{device}/sys/events/up"),
        GET_UPLOAD_URL,
    )
    .set("/object_device_id", json!(object))
}

/// The platform's `get_upload_url_response` to `device`, for `object`.
fn get_upload_url_response(device: &str, object: &str) -> Msg {
    Msg::new(
        format!("$oc/devices/{device}/sys/events/down"),
        GET_UPLOAD_URL_RESPONSE,
    )
    .set("/object_device_id", json!(object))
}

/// A Huawei message that settles nothing: a report no rule follows.
fn huawei_tick(device: &str) -> Msg {
    Msg::new(
        format!("$oc/devices/{device}/sys/events/up"),
        UPLOAD_RESULT_REPORT,
    )
    .set("/object_device_id", json!(device))
}

/// Tencent's `update_firmware` of `version` on `$ota/update/{device}`.
fn update_firmware(device: &str, version: &str) -> Msg {
    Msg::new(format!("$ota/update/{device}"), UPDATE_FIRMWARE).set("/version", json!(version))
}

/// Tencent's OTA `report_progress` of `version` on `$ota/report/{device}`, with its numbers in
/// strings as the documents write them.
fn ota_report(device: &str, version: &str, state: &str, percent: u32, code: &str) -> Msg {
    let progress = match state {
        "done" | "fail" => json!({"state": state, "result_code": code, "result_msg": ""}),
        _ => json!({
            "state": state,
            "percent": percent.to_string(),
            "result_code": code,
            "result_msg": "",
        }),
    };
    Msg::new(format!("$ota/report/{device}"), OTA_REPORT_PROGRESS)
        .set("/report/progress", progress)
        .set("/report/version", json!(version))
}

fn capture(msgs: &[Msg]) -> String {
    msgs.iter().map(|m| m.line() + "\n").collect()
}

// ---------------------------------------------------------------------------------------------
// Running the binary.

/// A conversation finding as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    rule: String,
    verdict: String,
    lines: Vec<u64>,
    reason: String,
    device: String,
    file: Option<String>,
}

struct Run {
    code: Option<i32>,
    /// The per-line verdicts.
    verdicts: Vec<Value>,
    findings: Vec<Finding>,
    stdout: String,
}

impl Run {
    fn of(&self, rule: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.rule == rule).collect()
    }

    fn violations(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.verdict == "violation")
            .collect()
    }
}

fn iotxfer(args: &[&str], stdin: &[u8]) -> Run {
    let output = run::iotxfer(args, stdin);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let (mut verdicts, mut findings) = (Vec::new(), Vec::new());
    if args.contains(&"json") {
        for line in stdout.lines() {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if value.get("rule").is_some() {
                findings.push(finding(&value));
            } else {
                assert!(
                    value.get("line").is_some(),
                    "neither verdict nor finding: {line}"
                );
                verdicts.push(value);
            }
        }
    }
    Run {
        code: output.status.code(),
        verdicts,
        findings,
        stdout,
    }
}

fn finding(value: &Value) -> Finding {
    let text = |key: &str| {
        value[key]
            .as_str()
            .unwrap_or_else(|| panic!("`{key}` in {value}"))
            .to_owned()
    };
    let verdict = text("verdict");
    assert!(verdict == "violation" || verdict == "not_judged", "{value}");
    Finding {
        rule: text("rule"),
        verdict,
        lines: value["lines"]
            .as_array()
            .unwrap_or_else(|| panic!("`lines` in {value}"))
            .iter()
            .map(|n| n.as_u64().expect("a line number"))
            .collect(),
        reason: text("reason"),
        device: text("device"),
        file: value.get("file").map(|_| text("file")),
    }
}

/// `iotxfer check --format json` of `msgs` (with `args` too). Every message keeps its own
/// contract, so the exit status is the conversations' alone: 1 exactly when one is a violation.
fn check_with(msgs: &[Msg], args: &[&str]) -> Run {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    all.push("-");
    let run = iotxfer(&all, capture(msgs).as_bytes());
    assert_eq!(run.verdicts.len(), msgs.len(), "{}", run.stdout);
    for v in &run.verdicts {
        assert_eq!(v["verdict"], "ok", "every message keeps its contract: {v}");
    }
    let want = if run.violations().is_empty() { 0 } else { 1 };
    assert_eq!(run.code, Some(want), "{}", run.stdout);
    run
}

/// `iotxfer check --format json` of `msgs`, with no other argument.
fn check(msgs: &[Msg]) -> Run {
    check_with(msgs, &[])
}

fn assert_none(run: &Run) {
    assert!(run.findings.is_empty(), "{:#?}", run.findings);
    assert_eq!(run.code, Some(0));
}

/// The only finding of `run`.
fn only(run: &Run) -> &Finding {
    assert_eq!(run.findings.len(), 1, "{:#?}", run.findings);
    &run.findings[0]
}

/// The only finding of `run`, asserted to be of `rule` with `verdict`.
fn expect_verdict<'r>(run: &'r Run, rule: &str, verdict: &str) -> &'r Finding {
    let f = only(run);
    assert_eq!(
        (f.rule.as_str(), f.verdict.as_str()),
        (rule, verdict),
        "{f:#?}"
    );
    f
}

/// The only finding of `run`, asserted to be of `rule` with `verdict` on `lines`; returned for
/// further checks.
fn expect_one<'r>(run: &'r Run, rule: &str, verdict: &str, lines: &[u64]) -> &'r Finding {
    let f = expect_verdict(run, rule, verdict);
    assert_eq!(f.lines, lines, "{f:#?}");
    f
}

/// [`expect_one`], and asserted to be the finding of `device`.
fn expect_one_of<'r>(
    run: &'r Run,
    rule: &str,
    verdict: &str,
    lines: &[u64],
    device: &str,
) -> &'r Finding {
    let f = expect_one(run, rule, verdict, lines);
    assert_eq!(f.device, device, "{f:#?}");
    f
}

/// Asserts that `f`'s reason says `text`.
fn assert_reason(f: &Finding, text: &str) {
    assert!(f.reason.contains(text), "{}", f.reason);
}

/// Every finding of `run` as (rule, verdict, lines), sorted.
fn sorted_findings(run: &Run) -> Vec<(&str, &str, Vec<u64>)> {
    let mut got: Vec<(&str, &str, Vec<u64>)> = run
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.verdict.as_str(), f.lines.clone()))
        .collect();
    got.sort();
    got
}

const OTA_CREATE_ANSWERED: &str = "dji/firmware/ota_create_answered";
const OTA_PROGRESS_ACKNOWLEDGED: &str = "dji/firmware/ota_progress_acknowledged";
const OTA_PROGRESS_FORWARD: &str = "dji/firmware/ota_progress_forward";
const OTA_PROGRESS_FINAL: &str = "dji/firmware/ota_progress_final";
const GATEWAY_MATCHES_TOPIC: &str = "dji/gateway_matches_topic";
const TENCENT_ANSWERED: &str = "tencent/resource/requests_answered";
const TENCENT_FORWARD: &str = "tencent/resource/transfer_forward";
const TENCENT_FINAL: &str = "tencent/resource/transfer_final";
const HUAWEI_ANSWERED: &str = "huawei/file_manager/url_requests_answered";

const TENCENT: &str = "ABCDEFGHIJ/dev001";

// ---------------------------------------------------------------------------------------------
// answered

/// An `ota_create` answered with its `tid` and `bid` within 3 s (even at exactly 3 s) passes.
#[test]
fn ota_create_answered_in_time_passes() {
    for after in [500, 3000] {
        let run = check(&[
            ota_create("DOCK1", "t1", "b1").at(0),
            ota_create_reply("DOCK1", "t1", "b1").at(after),
            dji_tick("DOCK1").at(20_000),
        ]);
        assert_none(&run);
    }
}

/// An `ota_create` answered after its 3 s deadline is a violation naming both messages.
#[test]
fn ota_create_answered_late_is_a_violation() {
    let run = check(&[
        ota_create("DOCK1", "t1", "b1").at(0),
        ota_create_reply("DOCK1", "t1", "b1").at(4000),
    ]);
    let f = expect_one_of(&run, OTA_CREATE_ANSWERED, "violation", &[1, 2], "DOCK1");
    assert_reason(f, "after 4 s");
}

/// An `ota_create` never answered, in a capture that goes on past its deadline, is a violation.
#[test]
fn ota_create_never_answered_is_a_violation() {
    let run = check(&[
        ota_create("DOCK1", "t1", "b1").at(0),
        dji_tick("DOCK1").at(3001),
    ]);
    let f = expect_one(&run, OTA_CREATE_ANSWERED, "violation", &[1]);
    assert_reason(f, "no `ota_create_reply`");
}

/// A reply with another `tid` answers nothing: the request is a violation, the reply not judged.
#[test]
fn a_reply_with_another_tid_answers_nothing() {
    let run = check(&[
        ota_create("DOCK1", "t1", "b1").at(0),
        ota_create_reply("DOCK1", "t2", "b1").at(1000),
        dji_tick("DOCK1").at(5000),
    ]);
    assert_eq!(
        sorted_findings(&run),
        [
            (OTA_CREATE_ANSWERED, "not_judged", vec![2]),
            (OTA_CREATE_ANSWERED, "violation", vec![1]),
        ]
    );
}

/// A reply to another gateway's request answers nothing either.
#[test]
fn a_reply_from_another_gateway_answers_nothing() {
    let run = check(&[
        ota_create("DOCK1", "t1", "b1").at(0),
        ota_create_reply("DOCK2", "t1", "b1").at(1000),
        dji_tick("DOCK1").at(5000),
    ]);
    let mut got: Vec<(&str, &str, &str)> = run
        .findings
        .iter()
        .map(|f| (f.verdict.as_str(), f.device.as_str(), f.rule.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("not_judged", "DOCK2", OTA_CREATE_ANSWERED),
            ("violation", "DOCK1", OTA_CREATE_ANSWERED),
        ]
    );
}

/// A late reply after other traffic passed its deadline still answers its (seen) request.
#[test]
fn a_late_reply_after_other_traffic_is_still_its_requests() {
    // Line 2 moves the clock past the deadline of line 1, so the request is a violation before
    // its reply (line 3) arrives; that reply answers a request the capture shows, not one sent
    // before it started. Without line 2 the pair is one violation, "answered after 4 s".
    let run = check(&[
        ota_create("DOCK1", "t1", "b1").at(0),
        dji_tick("DOCK1").at(3500),
        ota_create_reply("DOCK1", "t1", "b1").at(4000),
    ]);
    let found = run.of(OTA_CREATE_ANSWERED);
    assert!(
        found
            .iter()
            .all(|f| f.verdict == "violation" && f.lines.contains(&1)),
        "the reply (line 3) answers the request of line 1, which the capture shows: {found:#?}"
    );
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// An `ota_progress` asking for an acknowledgement (`need_reply: 1`) gets it on `events_reply`.
#[test]
fn an_acknowledged_event_passes() {
    let run = check(&[
        downloading("DOCK1", "t1", "b1", 10)
            .set("/need_reply", json!(1))
            .at(0),
        ota_progress_ack("DOCK1", "t1", "b1").at(500),
        dji_tick("DOCK1").at(60_000),
    ]);
    assert_none(&run);
}

/// An unacknowledged `need_reply: 1` event is a violation once 30 s (or `--deadline`) pass.
#[test]
fn an_unacknowledged_event_is_a_violation() {
    let capture = [
        downloading("DOCK1", "t1", "b1", 10)
            .set("/need_reply", json!(1))
            .at(0),
        dji_tick("DOCK1").at(12_000),
    ];
    let within = check(&capture);
    expect_verdict(&within, OTA_PROGRESS_ACKNOWLEDGED, "not_judged");

    let shorter = check_with(&capture, &["--deadline", "10s"]);
    let f = expect_one(&shorter, OTA_PROGRESS_ACKNOWLEDGED, "violation", &[1]);
    assert_reason(f, "no `ota_progress_reply`");

    let past = check(&[capture[0].clone(), dji_tick("DOCK1").at(31_000)]);
    expect_verdict(&past, OTA_PROGRESS_ACKNOWLEDGED, "violation");
}

/// `--deadline` sets only the deadlines the vendor does not document: `ota_create` keeps 3 s.
#[test]
fn a_documented_deadline_stays() {
    let run = check_with(
        &[
            ota_create("DOCK1", "t1", "b1").at(0),
            ota_create_reply("DOCK1", "t1", "b1").at(5000),
        ],
        &["--deadline", "10s"],
    );
    assert_eq!(only(&run).verdict, "violation");
}

/// An event with `need_reply: 0`, or without it, asks for nothing: nothing is owed.
#[test]
fn an_event_that_asks_nothing_is_owed_nothing() {
    let run = check(&[
        downloading("DOCK1", "t1", "b1", 10)
            .set("/need_reply", json!(0))
            .at(0),
        downloading("DOCK1", "t2", "b1", 20).at(1000),
        dji_tick("DOCK1").at(120_000),
    ]);
    assert_none(&run);
}

/// Tencent's `report_upload_progress` is answered by its `_rsp` on `$resource/down`.
#[test]
fn tencent_upload_progress_is_answered() {
    let answered = check(&[
        upload_progress(TENCENT, "f", "uploading", 10).at(0),
        upload_progress_rsp(TENCENT).at(200),
        tencent_tick(TENCENT).at(60_000),
    ]);
    assert_none(&answered);

    let unanswered = check(&[
        upload_progress(TENCENT, "f", "uploading", 10).at(0),
        tencent_tick(TENCENT).at(31_000),
    ]);
    let f = expect_one_of(&unanswered, TENCENT_ANSWERED, "violation", &[1], TENCENT);
    assert_reason(f, "report_upload_progress_rsp");
}

/// Huawei's `get_upload_url` is answered by its response for the same `object_device_id`.
#[test]
fn huawei_upload_url_is_answered() {
    let answered = check(&[
        get_upload_url("d1", "d1").at(0),
        get_upload_url_response("d1", "d1").at(800),
        huawei_tick("d1").at(60_000),
    ]);
    assert_none(&answered);

    let unanswered = check(&[
        get_upload_url("d1", "d1").at(0),
        get_upload_url_response("d1", "child").at(800),
        huawei_tick("d1").at(31_000),
    ]);
    assert_eq!(
        sorted_findings(&unanswered),
        [
            (HUAWEI_ANSWERED, "not_judged", vec![2]),
            (HUAWEI_ANSWERED, "violation", vec![1]),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Not judged, at either end of the capture

/// A reply whose request came before the capture started is not judged, and fails nothing.
#[test]
fn a_reply_before_its_request_is_not_judged() {
    let run = check(&[
        ota_create_reply("DOCK1", "t1", "b1").at(0),
        dji_tick("DOCK1").at(60_000),
    ]);
    let f = expect_one(&run, OTA_CREATE_ANSWERED, "not_judged", &[1]);
    assert_reason(f, "before the capture started");
}

/// A request whose deadline has not passed when the capture ends is not judged.
#[test]
fn a_request_pending_at_the_end_is_not_judged() {
    let run = check(&[
        dji_tick("DOCK1").at(0),
        ota_create("DOCK1", "t1", "b1").at(1000),
        dji_tick("DOCK1").at(3000),
    ]);
    let f = expect_one(&run, OTA_CREATE_ANSWERED, "not_judged", &[2]);
    assert_reason(f, "ended 2 s after it");
}

/// A request without `tst` is not judged, never a violation, however long the capture goes on.
#[test]
fn a_request_without_a_receive_time_is_never_a_violation() {
    let run = check(&[
        ota_create("DOCK1", "t1", "b1"),
        dji_tick("DOCK1").at(0),
        dji_tick("DOCK1").at(600_000),
    ]);
    let f = expect_one(&run, OTA_CREATE_ANSWERED, "not_judged", &[1]);
    assert_reason(f, "no receive time");
}

/// Requests for the same reply without receive times are followed 256 times over, not without
/// bound: the oldest leave as not judged, and nothing is a violation.
#[test]
fn repeated_requests_without_times_are_bounded() {
    let msgs: Vec<Msg> = (0..300)
        .map(|i| upload_progress("P/D", &format!("{i}.log"), "uploading", 10))
        .collect();
    let run = check(&msgs);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let dropped = run
        .findings
        .iter()
        .filter(|f| f.reason.contains("more than 256 requests wait"))
        .count();
    assert_eq!(dropped, 44, "{:#?}", run.findings);
    assert_eq!(run.findings.len(), 300);
    assert!(run.findings.iter().all(|f| f.verdict == "not_judged"));
}

// ---------------------------------------------------------------------------------------------
// progress

/// The percentage going up within a step passes.
#[test]
fn progress_going_up_passes() {
    let run = check(&[
        downloading("DOCK1", "t1", "b1", 20).sent(1000).at(0),
        downloading("DOCK1", "t2", "b1", 50).sent(2000).at(1000),
    ]);
    assert_none(&run);
}

/// The percentage going back within a step is a violation naming both reports.
#[test]
fn progress_going_back_is_a_violation() {
    let run = check(&[
        downloading("DOCK1", "t1", "b1", 50).sent(1000).at(0),
        downloading("DOCK1", "t2", "b1", 40).sent(2000).at(1000),
    ]);
    let f = expect_one_of(&run, OTA_PROGRESS_FORWARD, "violation", &[1, 2], "DOCK1");
    assert_reason(f, "from 50 to 40");
}

/// Each job (`bid`) has its own percentage.
#[test]
fn progress_of_another_job_is_not_compared() {
    let run = check(&[
        downloading("DOCK1", "t1", "b1", 50).sent(1000).at(0),
        downloading("DOCK1", "t2", "b2", 10).sent(2000).at(1000),
    ]);
    assert_none(&run);
}

/// A new step starts its percentage again: download 100 then upgrade 10 passes.
#[test]
fn progress_of_a_new_step_starts_again() {
    let run = check(&[
        downloading("DOCK1", "t1", "b1", 100).sent(1000).at(0),
        upgrading("DOCK1", "t2", "b1", "in_progress", 10)
            .sent(2000)
            .at(1000),
    ]);
    assert_none(&run);
}

/// Reports are ordered by the sender's `timestamp`, not by arrival order.
#[test]
fn progress_is_ordered_by_the_senders_time() {
    let in_order = check(&[
        downloading("DOCK1", "t1", "b1", 20).sent(1000).at(0),
        downloading("DOCK1", "t3", "b1", 60).sent(3000).at(1000),
        downloading("DOCK1", "t2", "b1", 40).sent(2000).at(1200),
    ]);
    assert_none(&in_order);

    // Sent at 2 s with 70 %, before the 60 % of 3 s: the late one went back after it.
    let back = check(&[
        downloading("DOCK1", "t1", "b1", 20).sent(1000).at(0),
        downloading("DOCK1", "t3", "b1", 60).sent(3000).at(1000),
        downloading("DOCK1", "t2", "b1", 70).sent(2000).at(1200),
    ]);
    let f = expect_one(&back, OTA_PROGRESS_FORWARD, "violation", &[2, 3]);
    assert_reason(f, "from 70 to 60");
}

/// Two reports sent at the same time are unordered: neither is blamed for the other.
#[test]
fn reports_sent_at_the_same_time_are_not_compared() {
    for (a, b) in [(50, 40), (40, 50)] {
        let run = check(&[
            downloading("DOCK1", "t1", "b1", a).sent(1000).at(0),
            downloading("DOCK1", "t2", "b1", b).sent(1000).at(100),
        ]);
        assert_none(&run);
    }
}

/// A step back next to two simultaneous reports is caught whichever of them arrived first.
#[test]
fn reports_at_the_same_time_do_not_hide_a_step_back() {
    for (a, b) in [(50, 40), (40, 50)] {
        // The late report is sent after the two: 50 % at 1 s, 45 % at 2 s.
        let later = check(&[
            downloading("DOCK1", "t1", "b1", a).sent(1000).at(0),
            downloading("DOCK1", "t2", "b1", b).sent(1000).at(100),
            downloading("DOCK1", "t3", "b1", 45).sent(2000).at(200),
        ]);
        // The late report is sent before the two, arriving last: 45 % at 0.5 s, 40 % at 1 s.
        let earlier = check(&[
            downloading("DOCK1", "t1", "b1", a).sent(1000).at(0),
            downloading("DOCK1", "t2", "b1", b).sent(1000).at(100),
            downloading("DOCK1", "t3", "b1", 45).sent(500).at(200),
        ]);
        for (what, run) in [("sent after", later), ("sent before", earlier)] {
            let found = run.of(OTA_PROGRESS_FORWARD);
            assert_eq!(
                found.len(),
                1,
                "45 % {what} {a} % and {b} % (in this arrival order): {found:#?}"
            );
            assert_eq!(found[0].verdict, "violation");
            assert!(found[0].lines.contains(&3), "{found:#?}");
        }
    }
}

/// Tencent's transfer percentage going back (by receive time) is a violation.
#[test]
fn tencent_progress_going_back_is_a_violation() {
    let run = check(&[
        upload_progress(TENCENT, "f", "uploading", 60).at(0),
        upload_progress_rsp(TENCENT).at(100),
        upload_progress(TENCENT, "g", "uploading", 10).at(200),
        upload_progress_rsp(TENCENT).at(300),
        upload_progress(TENCENT, "f", "uploading", 30).at(400),
        upload_progress_rsp(TENCENT).at(500),
    ]);
    expect_one_of(&run, TENCENT_FORWARD, "violation", &[1, 5], TENCENT);
}

// ---------------------------------------------------------------------------------------------
// final

/// A report sent after the job's final status is a violation.
#[test]
fn a_report_after_the_final_status_is_a_violation() {
    let run = check(&[
        upgrading("DOCK1", "t1", "b1", "ok", 100).sent(1000).at(0),
        upgrading("DOCK1", "t2", "b1", "in_progress", 100)
            .sent(2000)
            .at(1000),
    ]);
    let f = expect_one_of(&run, OTA_PROGRESS_FINAL, "violation", &[1, 2], "DOCK1");
    assert_reason(f, "\"ok\"");
}

/// A second final status after the first is a report after it too.
#[test]
fn a_second_final_status_is_a_violation() {
    let run = check(&[
        upgrading("DOCK1", "t1", "b1", "ok", 100).sent(1000).at(0),
        upgrading("DOCK1", "t2", "b1", "failed", 100)
            .sent(2000)
            .at(1000),
    ]);
    expect_one(&run, OTA_PROGRESS_FINAL, "violation", &[1, 2]);
}

/// A report sent before the final status but arriving after it is no violation.
#[test]
fn a_report_sent_before_the_final_status_passes_whenever_it_arrives() {
    let run = check(&[
        upgrading("DOCK1", "t2", "b1", "ok", 100).sent(2000).at(0),
        upgrading("DOCK1", "t1", "b1", "in_progress", 50)
            .sent(1000)
            .at(1000),
    ]);
    assert_none(&run);
}

/// A final status arriving after a report sent later than it is blamed ("whichever arrived").
#[test]
fn a_final_status_arriving_after_a_later_report_is_a_violation() {
    // `Final::add` in protocol/src/conversation/jobs.rs: "Blames a report after the earliest
    // final one, whichever arrived first".
    let run = check(&[
        upgrading("DOCK1", "t2", "b1", "in_progress", 100)
            .sent(3000)
            .at(0),
        upgrading("DOCK1", "t1", "b1", "ok", 100)
            .sent(2000)
            .at(1000),
    ]);
    let f = expect_one(&run, OTA_PROGRESS_FINAL, "violation", &[1, 2]);
    assert_reason(f, "\"ok\"");
}

/// Tencent's transfers stop at `done` too.
#[test]
fn tencent_report_after_done_is_a_violation() {
    let run = check(&[
        upload_progress(TENCENT, "f", "done", 100).at(0),
        upload_progress_rsp(TENCENT).at(100),
        upload_progress(TENCENT, "f", "uploading", 100).at(200),
        upload_progress_rsp(TENCENT).at(300),
    ]);
    expect_one(&run, TENCENT_FINAL, "violation", &[1, 3]);
}

// ---------------------------------------------------------------------------------------------
// same_device

/// A DJI `gateway` other than the topic's is a violation; the same or an empty one is nothing.
#[test]
fn the_gateway_must_be_the_topics() {
    let other = check(&[dji_tick("DOCK1").set("/gateway", json!("DOCK2")).at(0)]);
    let f = expect_one_of(&other, GATEWAY_MATCHES_TOPIC, "violation", &[1], "DOCK1");
    assert_reason(f, "DOCK2");

    for gateway in ["DOCK1", ""] {
        let run = check(&[dji_tick("DOCK1").set("/gateway", json!(gateway)).at(0)]);
        assert_none(&run);
    }
}

// ---------------------------------------------------------------------------------------------
// Options and files

/// A capture that breaks rules of each side: an unanswered `ota_create` and a reply naming
/// another gateway (the device's), an unacknowledged event (the platform's).
fn both_sides_break() -> Vec<Msg> {
    vec![
        ota_create("DOCK1", "t1", "b1").at(0),
        downloading("DOCK1", "t2", "b2", 10)
            .set("/need_reply", json!(1))
            .at(100),
        ota_create_reply("DOCK1", "t9", "b9")
            .set("/gateway", json!("DOCK2"))
            .at(200),
        dji_tick("DOCK1").at(40_000),
    ]
}

/// `--no-flows` judges messages alone: no conversation finding, whatever the conversations.
#[test]
fn no_flows_prints_no_finding() {
    let run = check_with(&both_sides_break(), &["--no-flows"]);
    assert_none(&run);
    let flows = check(&both_sides_break());
    assert_eq!(flows.violations().len(), 3, "{:#?}", flows.findings);
}

/// `--profile device` reports only the device's duties, `--profile platform` the platform's.
#[test]
fn profiles_split_the_duties() {
    let rules = |run: &Run| {
        let mut rules: Vec<(String, String)> = run
            .findings
            .iter()
            .map(|f| (f.rule.clone(), f.verdict.clone()))
            .collect();
        rules.sort();
        rules
    };
    let device = check_with(&both_sides_break(), &["--profile", "device"]);
    assert_eq!(
        rules(&device),
        [
            (OTA_CREATE_ANSWERED.to_owned(), "not_judged".to_owned()),
            (OTA_CREATE_ANSWERED.to_owned(), "violation".to_owned()),
            (GATEWAY_MATCHES_TOPIC.to_owned(), "violation".to_owned()),
        ]
    );
    let platform = check_with(&both_sides_break(), &["--profile", "platform"]);
    assert_eq!(
        rules(&platform),
        [(OTA_PROGRESS_ACKNOWLEDGED.to_owned(), "violation".to_owned())]
    );
    let both = check(&both_sides_break());
    let mut union = rules(&device);
    union.extend(rules(&platform));
    union.sort();
    assert_eq!(rules(&both), union);
}

static FILES: AtomicUsize = AtomicUsize::new(0);

/// A capture written to a file of its own.
fn file(msgs: &[Msg]) -> std::path::PathBuf {
    let n = FILES.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("iotxfer-flows-{}-{n}.jsonl", std::process::id()));
    std::fs::write(&path, capture(msgs)).expect("temp file");
    path
}

/// Conversations do not cross files, and each finding names its file.
#[test]
fn conversations_do_not_cross_files() {
    let a = file(&[ota_create("DOCK1", "t1", "b1").at(0)]);
    let b = file(&[ota_create_reply("DOCK1", "t1", "b1").at(1000)]);
    let (a_name, b_name) = (a.to_str().expect("UTF-8"), b.to_str().expect("UTF-8"));
    let run = iotxfer(&["check", "--format", "json", a_name, b_name], b"");
    std::fs::remove_file(&a).ok();
    std::fs::remove_file(&b).ok();
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let got: Vec<(Option<&str>, &str, &[u64])> = run
        .findings
        .iter()
        .map(|f| (f.file.as_deref(), f.verdict.as_str(), &f.lines[..]))
        .collect();
    assert_eq!(
        got,
        [
            (Some(a_name), "not_judged", &[1][..]),
            (Some(b_name), "not_judged", &[1][..]),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Scale

/// Milliseconds at which every device's capture ends.
const END: i64 = 120_000;

/// Device `i`'s traffic (vendor 0 DJI, 1 Tencent, 2 Huawei): a mix by `i % 4`, ending at `END`.
fn device_traffic(vendor: usize, i: usize) -> Vec<Msg> {
    let v = i % 4;
    let mut msgs = Vec::new();
    match vendor {
        0 => {
            let gw = format!("DOCK{i:03}");
            let gw = gw.as_str();
            msgs.push(ota_create(gw, "c1", "j1").at(1000));
            if v != 1 {
                msgs.push(ota_create_reply(gw, "c1", "j1").at(2000));
            }
            let mut event = downloading(gw, "e1", "j1", 20)
                .set("/need_reply", json!(1))
                .sent(5000)
                .at(5000);
            if v == 2 {
                event = event.set("/gateway", json!("ELSEWHERE"));
            }
            msgs.push(event);
            if v != 2 {
                msgs.push(ota_progress_ack(gw, "e1", "j1").at(5500));
            }
            let percent = if v == 3 { 10 } else { 50 };
            msgs.push(downloading(gw, "e2", "j1", percent).sent(10_000).at(10_000));
            msgs.push(upgrading(gw, "e3", "j1", "ok", 100).sent(20_000).at(20_000));
            if v == 0 {
                msgs.push(
                    upgrading(gw, "e4", "j1", "in_progress", 100)
                        .sent(25_000)
                        .at(25_000),
                );
                msgs.push(ota_create(gw, "c2", "j2").at(END - 1000));
            }
            if v == 3 {
                msgs.push(ota_create_reply(gw, "c0", "j0").at(30_000));
            }
            msgs.push(dji_tick(gw).at(END));
        }
        1 => {
            let device = format!("ABCDEFGHIJ/dev{i:03}");
            let device = device.as_str();
            msgs.push(upload_progress(device, "f1", "uploading", 10).at(1000));
            if v != 1 {
                msgs.push(upload_progress_rsp(device).at(1500));
            }
            let percent = if v == 2 { 5 } else { 50 };
            msgs.push(upload_progress(device, "f1", "uploading", percent).at(3000));
            msgs.push(upload_progress_rsp(device).at(3500));
            msgs.push(upload_progress(device, "f1", "done", 100).at(6000));
            msgs.push(upload_progress_rsp(device).at(6500));
            if v == 0 {
                msgs.push(upload_progress(device, "f1", "uploading", 100).at(8000));
                msgs.push(upload_progress_rsp(device).at(8500));
            }
            if v == 3 {
                // Before any request: it answers nothing seen. (After the answered ones, the
                // same bytes again would be a redelivery of their replies.)
                msgs.insert(0, upload_progress_rsp(device).at(500));
            }
            msgs.push(tencent_tick(device).at(END));
        }
        _ => {
            let device = format!("hw{i:03}");
            let device = device.as_str();
            msgs.push(get_upload_url(device, device).at(1000));
            if v != 1 {
                msgs.push(get_upload_url_response(device, device).at(2000));
            }
            if v == 2 {
                msgs.push(get_upload_url(device, device).at(3000));
                msgs.push(get_upload_url_response(device, "child").at(4000));
            }
            if v == 3 {
                msgs.push(get_upload_url(device, device).at(END - 5000));
            }
            msgs.push(huawei_tick(device).at(END));
        }
    }
    msgs
}

type Key = (String, String, String, String);

fn keys(run: &Run) -> Vec<Key> {
    let mut keys: Vec<Key> = run
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.verdict.clone(),
                f.device.clone(),
                f.reason.clone(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// Many devices in one capture give the findings each device's own capture gives alone.
#[test]
fn many_devices_give_the_findings_of_each_alone() {
    // Every device's capture ends at `END`, so each ends as the whole one does. Line numbers
    // differ once split, so findings compare without them. No reply comes after its deadline:
    // other devices' traffic would expire the request first (see
    // `a_late_reply_after_other_traffic_is_still_its_requests`).
    let devices: Vec<Vec<Msg>> = (0..3)
        .flat_map(|vendor| (0..8).map(move |i| device_traffic(vendor, i)))
        .collect();
    let mut all: Vec<Msg> = devices.iter().flatten().cloned().collect();
    all.sort_by_key(|m| m.at);
    let together = check(&all);

    let mut alone: Vec<Key> = devices.iter().flat_map(|msgs| keys(&check(msgs))).collect();
    alone.sort();
    assert_eq!(keys(&together), alone);

    // The mix is worth comparing: every kind of rule, of every vendor, and both verdicts.
    let counts = together.findings.iter().fold(BTreeMap::new(), |mut m, f| {
        *m.entry((f.rule.as_str(), f.verdict.as_str())).or_insert(0) += 1;
        m
    });
    for rule in [
        OTA_CREATE_ANSWERED,
        OTA_PROGRESS_ACKNOWLEDGED,
        OTA_PROGRESS_FORWARD,
        OTA_PROGRESS_FINAL,
        GATEWAY_MATCHES_TOPIC,
        TENCENT_ANSWERED,
        TENCENT_FORWARD,
        TENCENT_FINAL,
        HUAWEI_ANSWERED,
    ] {
        assert!(
            counts.contains_key(&(rule, "violation")),
            "{rule}: {counts:#?}"
        );
    }
    for rule in [OTA_CREATE_ANSWERED, TENCENT_ANSWERED, HUAWEI_ANSWERED] {
        assert!(
            counts.contains_key(&(rule, "not_judged")),
            "{rule}: {counts:#?}"
        );
    }
}

/// Gateways in the memory test.
const GATEWAYS: usize = 2000;
/// Jobs of each gateway, one after the other.
const ROUNDS: usize = 20;
/// Receive (and send) time between two messages: the traffic spans 50 minutes, five times the
/// monitor's job memory.
const STEP_MS: i64 = 15;

/// One round of the memory test: a job of each gateway, as (topic, payload) in receive order,
/// the `n`-th message sent and received at `first + n * STEP_MS`. A job is an `ota_create`
/// answered at once, a progress event asking for an acknowledgement and acknowledged at once,
/// and the final status.
fn round(round: usize, first: i64) -> Vec<(String, String)> {
    let mut msgs = Vec::with_capacity(GATEWAYS * 5);
    let mut push = |topic: String, payload: &dyn Fn(i64) -> String| {
        let ts = first + msgs.len() as i64 * STEP_MS;
        msgs.push((topic, payload(ts)));
    };
    for g in 0..GATEWAYS {
        let gw = format!("GW{g:04}");
        let bid = format!("{round:08}-{g:04}-4000-8000-000000000000");
        let envelope = |tid: &str, ts: i64, method: &str| {
            format!(r#""tid":"{tid}","bid":"{bid}","timestamp":{ts},"method":"{method}""#)
        };
        let create = format!("{bid}-create");
        push(format!("thing/product/{gw}/services"), &|ts| {
            format!(
                r#"{{{},"data":{{"devices":[{{"sn":"{gw}","product_version":"1.0"}}]}}}}"#,
                envelope(&create, ts, "ota_create")
            )
        });
        push(format!("thing/product/{gw}/services_reply"), &|ts| {
            format!(
                r#"{{{},"data":{{"result":0,"output":{{"status":"in_progress"}}}}}}"#,
                envelope(&create, ts, "ota_create")
            )
        });
        let event = format!("{bid}-event");
        push(format!("thing/product/{gw}/events"), &|ts| {
            format!(
                r#"{{{},"need_reply":1,"data":{{"result":0,"output":{{"status":"in_progress","progress":{{"percent":40,"step_key":"download_firmware"}}}}}}}}"#,
                envelope(&event, ts, "ota_progress")
            )
        });
        push(format!("thing/product/{gw}/events_reply"), &|ts| {
            format!(
                r#"{{{},"data":{{"result":0}}}}"#,
                envelope(&event, ts, "ota_progress")
            )
        });
        let done = format!("{bid}-done");
        push(format!("thing/product/{gw}/events"), &|ts| {
            format!(
                r#"{{{},"data":{{"result":0,"output":{{"status":"ok","progress":{{"percent":100,"step_key":"upgrade_firmware"}}}}}}}}"#,
                envelope(&done, ts, "ota_progress")
            )
        });
    }
    msgs
}

/// Reads `msgs` for the rules on every core, in order.
fn read_all(msgs: &[(String, String)]) -> Vec<Facts> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let part = msgs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = msgs
            .chunks(part)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(topic, payload)| {
                            Facts::read(topic, payload.as_bytes()).unwrap_or_else(|| {
                                panic!("a message of the definitions: {topic} {payload}")
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("read"))
            .collect()
    })
}

/// 200,000 well-behaved messages of 2,000 gateways: no finding, and the monitor's memory flat.
#[test]
fn memory_is_bounded_by_the_open_conversations() {
    // Each job: an `ota_create` answered at once, an event asking for an acknowledgement and
    // acknowledged at once, and the final status; over 50 minutes of receive time, many times
    // the job memory.
    let mut monitor = Monitor::new(Options::default());
    let mut findings = Vec::new();
    let (mut line, mut now) = (0u64, T0);
    // What the monitor holds after each round.
    let mut held = Vec::new();
    for r in 0..ROUNDS {
        let msgs = round(r, now + STEP_MS);
        // A few at a time, as `iotxfer check` reads a capture.
        for batch in msgs.chunks(1024) {
            for facts in read_all(batch) {
                line += 1;
                now += STEP_MS;
                // The monitor reads microseconds.
                findings.extend(monitor.observe(line, Some(now * 1000), &facts));
            }
        }
        held.push(monitor.held());
    }
    findings.extend(monitor.finish(Some(now * 1000)));
    eprintln!(
        "{line} messages over {} min: entries held after each round {held:?}",
        (now - T0) / 60_000
    );

    assert!(line >= 200_000, "{line} messages");
    assert!(
        now - T0 >= 5 * iotxfer::conversation::JOB_MEMORY_MS,
        "the traffic spans five times the job memory"
    );
    assert!(
        findings.is_empty(),
        "{} findings, the first: {:#?}",
        findings.len(),
        findings.first()
    );
    let passed = |rule: &str| -> u64 {
        monitor
            .counts()
            .iter()
            .filter(|((r, _), _)| *r == rule)
            .map(|(_, c)| c.passed)
            .sum()
    };
    let jobs = (GATEWAYS * ROUNDS) as u64;
    assert_eq!(passed(OTA_CREATE_ANSWERED), jobs);
    assert_eq!(passed(OTA_PROGRESS_ACKNOWLEDGED), jobs);
    assert_eq!(passed(OTA_PROGRESS_FORWARD), 2 * jobs);
    assert_eq!(passed(OTA_PROGRESS_FINAL), 2 * jobs);

    // Half-way, the traffic has spanned 2.5 times the job memory: the monitor holds what it
    // will hold from then on, and far less than the traffic.
    let halfway = held[ROUNDS / 2 - 1];
    let most = held[ROUNDS / 2..].iter().copied().max().unwrap_or(0);
    assert!(
        most <= halfway + halfway / 4,
        "the monitor held {halfway} entries half-way and up to {most} later: {held:?}"
    );
    assert!(
        most < (line / 10) as usize,
        "{most} entries for {line} messages"
    );
}

// ---------------------------------------------------------------------------------------------
// What the protocols allow is no fault: retries, restarted jobs, redeliveries, repeated final
// reports; and the faults beside them, each one violation of the right rule.

const OTA_CREATE_TID_FRESH: &str = "dji/firmware/ota_create_tid_fresh";
const TENCENT_OTA_FORWARD: &str = "tencent/ota/upgrade_forward";
const TENCENT_OTA_FINAL: &str = "tencent/ota/upgrade_final";

/// Asserts the violations of `msgs`, as (rule, lines), with no profile and with each: a
/// profile keeps those of the rules its side keeps.
fn violations_by_profile(msgs: &[Msg], want: &[(&str, &[u64])]) {
    let duty = |rule: &str| {
        let info = iotxfer::catalog::rules().iter().find(|r| r.id == rule);
        info.and_then(|r| r.duty)
    };
    for (args, side) in [
        (&[][..], None),
        (&["--profile", "device"][..], Some(iotxfer::Direction::Up)),
        (
            &["--profile", "platform"][..],
            Some(iotxfer::Direction::Down),
        ),
    ] {
        let run = check_with(msgs, args);
        let mut got: Vec<(&str, Vec<u64>)> = run
            .violations()
            .iter()
            .map(|f| (f.rule.as_str(), f.lines.clone()))
            .collect();
        got.sort();
        let mut expected: Vec<(&str, Vec<u64>)> = want
            .iter()
            .filter(|(rule, _)| side.is_none() || duty(rule) == side)
            .map(|(rule, lines)| (*rule, lines.to_vec()))
            .collect();
        expected.sort();
        assert_eq!(got, expected, "{args:?}: {:#?}", run.findings);
    }
}

/// DJI's cloud sends `ota_create` again after 3 s without a reply, with a fresh `tid` (and the
/// caller's `bid`, or a fresh one): an exchange answered on its second attempt passes, and so
/// does a late reply to the first attempt after that.
#[test]
fn a_dji_retry_answered_on_the_second_attempt_passes() {
    for second_bid in ["b1", "b2"] {
        let msgs = [
            ota_create("DOCK1", "t1", "b1").sent(0).at(0),
            ota_create("DOCK1", "t2", second_bid).sent(0).at(3_010),
            ota_create_reply("DOCK1", "t2", second_bid).at(3_400),
            // The dock answers the first attempt too, late: no fault once one was in time.
            ota_create_reply("DOCK1", "t1", "b1").at(4_000),
            dji_tick("DOCK1").at(20_000),
        ];
        violations_by_profile(&msgs, &[]);
        let run = check(&msgs);
        assert_eq!(run.of(OTA_CREATE_ANSWERED).len(), 0, "{:#?}", run.findings);
    }
}

/// An exchange none of whose attempts is answered is one violation naming every attempt.
#[test]
fn a_dji_exchange_unanswered_after_every_attempt_is_one_violation() {
    let msgs = [
        ota_create("DOCK1", "t1", "b1").sent(0).at(0),
        ota_create("DOCK1", "t2", "b1").sent(0).at(3_010),
        ota_create("DOCK1", "t3", "b1").sent(0).at(6_020),
        dji_tick("DOCK1").at(20_000),
    ];
    violations_by_profile(&msgs, &[(OTA_CREATE_ANSWERED, &[1, 2, 3])]);
    let run = check(&msgs);
    let f = expect_one(&run, OTA_CREATE_ANSWERED, "violation", &[1, 2, 3]);
    assert_reason(f, "any of its 3 attempts");
}

/// A resend that reuses the `tid` is the sender's fault, naming both lines; the reply within
/// 3 s of the resend answers the exchange.
#[test]
fn a_dji_resend_with_the_same_tid_is_the_senders_violation() {
    let msgs = [
        ota_create("DOCK1", "t1", "b1").sent(0).at(0),
        ota_create("DOCK1", "t1", "b1").sent(3_000).at(3_010),
        ota_create_reply("DOCK1", "t1", "b1").at(3_400),
        dji_tick("DOCK1").at(20_000),
    ];
    violations_by_profile(&msgs, &[(OTA_CREATE_TID_FRESH, &[1, 2])]);
    let run = check(&msgs);
    let f = expect_one(&run, OTA_CREATE_TID_FRESH, "violation", &[1, 2]);
    assert_reason(f, "open request of line 1");
}

/// An acknowledgement with the event's `tid` and another `bid` is a violation naming `bid` and
/// both lines, and the event is not blamed twice.
#[test]
fn a_dji_ack_with_a_wrong_bid_is_a_violation_naming_it() {
    let msgs = [
        downloading("DOCK1", "e1", "j1", 20)
            .set("/need_reply", json!(1))
            .sent(0)
            .at(0),
        ota_progress_ack("DOCK1", "e1", "WRONG").at(200),
        dji_tick("DOCK1").at(120_000),
    ];
    violations_by_profile(&msgs, &[(OTA_PROGRESS_ACKNOWLEDGED, &[1, 2])]);
    let run = check(&msgs);
    let f = expect_one(&run, OTA_PROGRESS_ACKNOWLEDGED, "violation", &[1, 2]);
    assert_reason(
        f,
        "`bid` is \"WRONG\", but the request of line 1 with the same `tid`",
    );
}

/// Tencent's platform retries a failed upgrade with `update_firmware` again: a new job, whose
/// reports are judged from its start.
#[test]
fn a_tencent_upgrade_restarted_after_fail_is_a_new_job() {
    let msgs = [
        update_firmware(TENCENT, "1.1.0").at(0),
        ota_report(TENCENT, "1.1.0", "downloading", 50, "0").at(1_000),
        ota_report(TENCENT, "1.1.0", "fail", 0, "-1").at(2_000),
        update_firmware(TENCENT, "1.1.0").at(3_000),
        ota_report(TENCENT, "1.1.0", "downloading", 10, "0").at(4_000),
        ota_report(TENCENT, "1.1.0", "done", 100, "0").at(5_000),
    ];
    violations_by_profile(&msgs, &[]);
    // Without the restart, the same reports break both rules.
    let mut unstarted = msgs.to_vec();
    unstarted.remove(3);
    violations_by_profile(
        &unstarted,
        &[
            (TENCENT_OTA_FORWARD, &[2, 4]),
            (TENCENT_OTA_FINAL, &[3, 4]),
            (TENCENT_OTA_FINAL, &[3, 5]),
        ],
    );
}

/// Tencent's OTA sample reports `fail` twice on an MD5 mismatch (-4, then -5): the same final
/// status again is no fault; another status after it is.
#[test]
fn a_tencent_repeated_fail_passes_and_another_status_after_it_does_not() {
    let msgs = [
        ota_report(TENCENT, "0.2", "downloading", 100, "0").at(0),
        ota_report(TENCENT, "0.2", "fail", 0, "-4").at(1_000),
        ota_report(TENCENT, "0.2", "fail", 0, "-5").at(1_001),
    ];
    violations_by_profile(&msgs, &[]);
    let mut done_after = msgs.to_vec();
    done_after.push(ota_report(TENCENT, "0.2", "done", 100, "0").at(2_000));
    violations_by_profile(&done_after, &[(TENCENT_OTA_FINAL, &[2, 4])]);
}

/// A QoS 1 redelivery of an older progress report, after a newer one, is not progress going
/// back; a new report with the old percentage is.
#[test]
fn a_redelivered_older_progress_report_is_no_step_back() {
    let older = ota_report(TENCENT, "0.2", "downloading", 10, "0");
    let msgs = [
        older.clone().at(0),
        ota_report(TENCENT, "0.2", "downloading", 50, "0").at(1_000),
        older.clone().at(1_500),
    ];
    violations_by_profile(&msgs, &[]);
    let mut fresh = msgs.to_vec();
    fresh.push(ota_report(TENCENT, "0.2", "downloading", 20, "0").at(2_000));
    violations_by_profile(&fresh, &[(TENCENT_OTA_FORWARD, &[2, 4])]);
}

/// A redelivered request is its first copy's conversation: one reply answers both, and a
/// redelivered reply is no fault.
#[test]
fn a_redelivered_request_and_reply_are_one_exchange() {
    let create = ota_create("DOCK1", "t1", "b1").sent(0);
    let reply = ota_create_reply("DOCK1", "t1", "b1");
    let msgs = [
        create.clone().at(0),
        create.clone().at(40),
        reply.clone().at(500),
        reply.clone().at(520),
        dji_tick("DOCK1").at(20_000),
    ];
    violations_by_profile(&msgs, &[]);
    let run = check(&msgs);
    assert!(run.findings.is_empty(), "{:#?}", run.findings);
}

/// `done` then `fail` within one millisecond is caught: receive times keep their microseconds.
#[test]
fn done_then_fail_within_a_millisecond_is_a_violation() {
    let msgs = [
        ota_report(TENCENT, "0.2", "done", 100, "0").at_us(100),
        ota_report(TENCENT, "0.2", "fail", 0, "-1").at_us(900),
    ];
    violations_by_profile(&msgs, &[(TENCENT_OTA_FINAL, &[1, 2])]);
    // At the very same microsecond the two are unordered, and neither is blamed.
    let same = [
        ota_report(TENCENT, "0.2", "done", 100, "0").at_us(100),
        ota_report(TENCENT, "0.2", "fail", 0, "-1").at_us(100),
    ];
    violations_by_profile(&same, &[]);
}
