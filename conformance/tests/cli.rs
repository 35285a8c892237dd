//! The `iotxfer` binary, run as a user runs it.

use std::process::Output;

use iotxfer_conformance::corpus::{self, Expected};
use serde_json::{Value, json};

mod run;

use run::iotxfer;

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// A line as `mosquitto_sub -F %j` writes it: the payload as a JSON string.
fn line_j(topic: &str, payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    json!({"tst": "2026-11-22T00:57:22.205616Z+0000", "topic": topic, "qos": 0, "retain": 0,
        "payloadlen": payload.len(), "payload": text})
    .to_string()
}

/// A line as `mosquitto_sub -F %J` writes it: the payload parsed and embedded as compact JSON.
fn line_big_j(topic: &str, payload: &[u8]) -> String {
    let payload: Value = serde_json::from_slice(payload).expect("a %J payload is JSON");
    let payload = payload.to_string();
    format!(
        r#"{{"tst":"2026-11-22T00:57:22.205616Z+0000","topic":"{topic}","qos":1,"retain":0,"payloadlen":{},"payload":{payload}}}"#,
        payload.len()
    )
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

const OK_TOPIC: &str = "$resource/up/service/ABCDEFGHIJ/dev001";
const OK_PAYLOAD: &[u8] = br#"{"type":"get_download_task"}"#;

#[test]
fn every_corpus_example_in_both_capture_forms_gets_its_verdict() {
    let corpus = corpus::load().expect("corpus");
    for form in ["%j", "%J"] {
        let mut input = String::new();
        let mut expected = Vec::new();
        for example in &corpus.examples {
            let line = match form {
                "%j" => line_j(&example.topic, &example.bytes),
                // `-F %J` drops a payload that is not JSON.
                _ if serde_json::from_slice::<Value>(&example.bytes).is_err() => continue,
                _ => line_big_j(&example.topic, &example.bytes),
            };
            input.push_str(&line);
            input.push('\n');
            expected.push(example);
        }
        // Messages alone: the examples one after another are no coherent conversation.
        let output = iotxfer(
            &["check", "--no-flows", "--format", "json", "-"],
            input.as_bytes(),
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{form}: the corpus holds violations"
        );
        let verdicts = json_lines(&output);
        assert_eq!(
            verdicts.len(),
            expected.len(),
            "{form}: one object per line"
        );
        for (i, (verdict, example)) in verdicts.iter().zip(&expected).enumerate() {
            assert_eq!(verdict["line"], i + 1);
            assert_eq!(verdict["topic"], example.topic.as_str());
            let want = if example.verdict == Expected::Valid {
                "ok"
            } else {
                "violation"
            };
            assert_eq!(verdict["verdict"], want, "{form} {}: {verdict}", example.id);
            if verdict["message"] != Value::Null {
                assert_eq!(
                    verdict["message"],
                    example.message.as_str(),
                    "{}",
                    example.id
                );
            }
            let errors = verdict["errors"].as_array().expect("errors");
            assert_eq!(errors.is_empty(), want == "ok", "{}: {verdict}", example.id);
            for e in errors {
                assert!(e["path"].is_string() && e["reason"].is_string(), "{e}");
            }
        }
    }
}

#[test]
fn json_output_names_the_message_even_when_the_payload_violates() {
    let line = line_j("thing/product/GW/events", br#"{"tid":"t","bid":"b","timestamp":1,"method":"ota_progress","data":{"result":0,"output":{"status":"ok","progress":{"percent":101}}}}"#);
    let output = iotxfer(&["check", "--format", "json", "-"], line.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        json_lines(&output),
        [
            json!({"line": 1, "topic": "thing/product/GW/events", "verdict": "violation",
            "message": "dji/firmware/ota_progress",
            "errors": [{"path": "/data/output/progress/percent", "reason": "101 is above the maximum 100"}]})
        ]
    );
}

/// A topic of the catalog that carries no message defined here, its parameters set: taken
/// from the catalog, so that a family defined on a topic breaks no test.
fn uncovered_topic() -> String {
    let topic = iotxfer::catalog::topics()
        .iter()
        .find(|t| t.messages.is_empty());
    let levels = topic.map_or("iotxfer/other", |t| t.pattern).split('/');
    let levels = levels.map(|l| if l.starts_with('{') { "GW" } else { l });
    levels.collect::<Vec<_>>().join("/")
}

#[test]
fn not_covered_lines_are_not_failures() {
    // A method on DJI's open `events` topic that no definition has, and no near miss of one.
    let undefined =
        br#"{"tid":"t","bid":"b","timestamp":1,"method":"iotxfer_undefined","data":{}}"#;
    let input = [
        line_j(&uncovered_topic(), br#"{"data":{}}"#),
        line_j("thing/product/GW/events", undefined),
        line_j("some/other/topic", b"hello"),
        line_j(OK_TOPIC, OK_PAYLOAD),
    ]
    .join("\n");
    let output = iotxfer(&["check", "--format", "json", "-"], input.as_bytes());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let verdicts: Vec<Value> = json_lines(&output)
        .iter()
        .map(|v| v["verdict"].clone())
        .collect();
    assert_eq!(
        verdicts,
        ["not_covered", "not_covered", "not_covered", "ok"]
    );
}

#[test]
fn strict_makes_undocumented_fields_violations() {
    let line = line_j(
        OK_TOPIC,
        br#"{"type":"get_download_task","firmware_extra":1}"#,
    );
    let relaxed = iotxfer(&["check", "--format", "json", "-"], line.as_bytes());
    assert_eq!(relaxed.status.code(), Some(0));
    assert_eq!(json_lines(&relaxed)[0]["verdict"], "ok");

    let strict = iotxfer(
        &["check", "--strict", "--format", "json", "-"],
        line.as_bytes(),
    );
    assert_eq!(strict.status.code(), Some(1));
    let verdict = &json_lines(&strict)[0];
    assert_eq!(verdict["verdict"], "violation");
    assert_eq!(
        verdict["errors"],
        json!([{"path": "/firmware_extra", "reason": "a field the documents do not define"}])
    );
}

#[test]
fn text_output_has_a_line_per_finding_and_a_summary() {
    let input = [
        line_j(OK_TOPIC, OK_PAYLOAD),
        line_j(OK_TOPIC, br#"{"type":"no_such_type"}"#),
        line_j(&uncovered_topic(), b"{}"),
    ]
    .join("\n");
    let output = iotxfer(&["check", "--no-flows", "-"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "line 2: violation: $resource/up/service/ABCDEFGHIJ/dev001 at /type: unknown discriminator `no_such_type`\n\
             line 3: not covered: {}\n\
             3 lines: 1 ok, 1 violation, 1 not covered\n",
            uncovered_topic()
        )
    );
}

/// A payload that cannot be checked (too large, cut at a NUL byte, not UTF-8) is a violation
/// on a topic of the definitions and traffic they do not cover elsewhere, as `watch` judges it.
#[test]
fn an_unusable_payload_outside_the_definitions_is_not_covered() {
    let cut = |topic: &str| {
        format!(r#"{{"topic":"{topic}","qos":0,"retain":0,"payloadlen":3,"payload":"a"}}"#)
    };
    let not_utf8 = |topic: &str| {
        let mut line = format!(r#"{{"topic":"{topic}","payload":"x"#).into_bytes();
        line.extend_from_slice(b"\xff\"}");
        line
    };
    let large = |topic: &str| line_j(topic, &[b'x'; 2000]);
    for (topic, verdict) in [("iotxfer/other", "not_covered"), (OK_TOPIC, "violation")] {
        let mut input = [cut(topic), large(topic)].join("\n").into_bytes();
        input.push(b'\n');
        input.extend(not_utf8(topic));
        let output = iotxfer(
            &["check", "--max-payload", "1000", "--format", "json", "-"],
            &input,
        );
        let verdicts = json_lines(&output);
        assert_eq!(verdicts.len(), 3, "{}", stdout(&output));
        for v in &verdicts {
            assert_eq!(v["verdict"], verdict, "{v}");
            assert_eq!(v["topic"], topic, "{v}");
        }
    }
}

/// Every line `ok`, and still exit 1: the summary says it is a conversation, in text and on
/// standard error with `--format json`.
#[test]
fn the_summary_counts_the_conversations() {
    let examples = corpus::load().expect("corpus").examples;
    let example = |id: &str| {
        let e = examples.iter().find(|e| e.id == id).expect("the example");
        String::from_utf8(e.bytes.clone()).expect("UTF-8")
    };
    let at = |tst: &str, topic: &str, payload: &str| {
        json!({"tst": tst, "topic": topic, "qos": 0, "retain": 0,
            "payloadlen": payload.len(), "payload": payload})
        .to_string()
    };
    // DOCK1 does not answer the request within its 3 s deadline: by the receive time of its
    // next message, 10 s later, that is a violation, though each message keeps its contract.
    let progress =
        example("con-dji-ota_progress-current_step_int").replace("NM1923221021", "DOCK1");
    let input = [
        at(
            "2026-11-28T13:00:00.000100Z+0000",
            "thing/product/DOCK1/services",
            &example("003-ota_create"),
        ),
        at(
            "2026-11-28T13:00:10.000000Z+0000",
            "thing/product/DOCK1/events",
            &progress,
        ),
    ]
    .join("\n");
    let summary = "2 lines: 2 ok, 0 violation, 0 not covered; \
                   conversations: 4 passed, 1 violation, 0 not judged\n";
    let text = iotxfer(&["check", "-"], input.as_bytes());
    assert_eq!(text.status.code(), Some(1), "{}", stdout(&text));
    assert!(stdout(&text).contains(summary), "{}", stdout(&text));
    let json = iotxfer(&["check", "--format", "json", "-"], input.as_bytes());
    assert_eq!(json.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&json.stderr), summary);
    // Without the rules, there are no conversations to count.
    let alone = iotxfer(&["check", "--no-flows", "-"], input.as_bytes());
    assert_eq!(
        stdout(&alone),
        "2 lines: 2 ok, 0 violation, 0 not covered\n"
    );
}

#[test]
fn files_are_read_in_order_and_usage_errors_exit_2() {
    let dir = std::env::temp_dir().join(format!("iotxfer-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let a = dir.join("a.jsonl");
    let b = dir.join("b.jsonl");
    std::fs::write(&a, line_j(OK_TOPIC, OK_PAYLOAD) + "\n").expect("write");
    std::fs::write(&b, line_big_j(OK_TOPIC, OK_PAYLOAD) + "\r\n").expect("write");
    let output = iotxfer(
        &[
            "check",
            "--no-flows",
            a.to_str().expect("path"),
            b.to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "2 lines: 2 ok, 0 violation, 0 not covered\n"
    );

    let missing = iotxfer(
        &["check", dir.join("missing.jsonl").to_str().expect("path")],
        b"",
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    assert_eq!(
        iotxfer(&["check"], b"").status.code(),
        Some(2),
        "no file named"
    );
    assert_eq!(
        iotxfer(&["check", "--format", "xml", "-"], b"")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(iotxfer(&["frobnicate"], b"").status.code(), Some(2));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// Hostile lines each get a violation, and the run goes on to the next line.
#[test]
fn hostile_lines_are_violations_and_the_run_goes_on() {
    let mut input: Vec<u8> = Vec::new();
    let mut push = |line: &[u8]| {
        input.extend_from_slice(line);
        input.push(b'\n');
    };
    push(b"\xff\xfe not UTF-8");
    push(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes());
    push(
        line_j(
            OK_TOPIC,
            format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
        )
        .as_bytes(),
    );
    push(b"{\"topic\":\"t\0\",\"payload\":\"x\"}");
    push(line_j(OK_TOPIC, b"{\"type\":\"get_download_task\x00\"}").as_bytes());
    push(b"not json at all");
    push(b"");
    push(br#"{"topic":"$resource/up/service/P/D"}"#);
    push(br#"{"payload":"{}"}"#);
    push(line_j(OK_TOPIC, OK_PAYLOAD).as_bytes());
    let output = iotxfer(&["check", "--format", "json", "-"], &input);
    assert_eq!(output.status.code(), Some(1));
    let verdicts = json_lines(&output);
    assert_eq!(verdicts.len(), 10, "one verdict per line");
    for v in &verdicts[..9] {
        assert_eq!(v["verdict"], "violation", "{v}");
        assert!(!v["errors"].as_array().expect("errors").is_empty(), "{v}");
    }
    assert_eq!(verdicts[9]["verdict"], "ok");
}

/// A 100 MB line is skipped to its end without being held, and reported.
#[test]
fn an_enormous_line_is_refused_and_the_next_is_read() {
    let mut input = Vec::with_capacity(100 << 20);
    input.extend_from_slice(br#"{"topic":"t","payload":""#);
    input.resize(100 << 20, b'a');
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(line_j(OK_TOPIC, OK_PAYLOAD).as_bytes());
    let output = iotxfer(&["check", "--format", "json", "-"], &input);
    let verdicts = json_lines(&output);
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0]["verdict"], "violation");
    assert!(
        verdicts[0]["errors"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("over the limit"),
        "{}",
        verdicts[0]
    );
    assert_eq!(verdicts[1]["verdict"], "ok");

    // Under the line limit, the payload limit still holds.
    let line = line_j(
        OK_TOPIC,
        format!(
            "{{\"type\":\"get_download_task\",\"pad\":\"{}\"}}",
            "x".repeat(2000)
        )
        .as_bytes(),
    );
    let output = iotxfer(
        &["check", "--max-payload", "1000", "--format", "json", "-"],
        line.as_bytes(),
    );
    let verdict = &json_lines(&output)[0];
    assert_eq!(verdict["verdict"], "violation");
    assert!(
        verdict["errors"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("over --max-payload (1000)"),
        "{verdict}"
    );
}

#[test]
fn report_passes_and_lists_every_example() {
    let text = iotxfer(&["report"], b"");
    assert_eq!(text.status.code(), Some(0), "{}", stdout(&text));
    let corpus = corpus::load().expect("corpus");
    let out = stdout(&text);
    for example in &corpus.examples {
        assert!(out.contains(&example.id), "{}", example.id);
    }
    assert!(
        out.ends_with(&format!(
            "{n} examples: {n} passed, 0 failed\n",
            n = corpus.examples.len()
        )),
        "{out}"
    );

    let json = iotxfer(&["report", "--format", "json"], b"");
    assert_eq!(json.status.code(), Some(0));
    let rows: Vec<Value> = serde_json::from_slice(&json.stdout).expect("a JSON array");
    assert_eq!(rows.len(), corpus.examples.len());
    for (row, example) in rows.iter().zip(&corpus.examples) {
        let keys: Vec<&str> = row
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["id", "source", "topic", "message", "verdict", "errata"]
        );
        assert_eq!(row["id"], example.id.as_str());
        let want = if example.verdict == Expected::Valid {
            "valid"
        } else {
            "invalid"
        };
        assert_eq!(row["verdict"], want);
        assert_eq!(
            row["errata"].as_array().expect("errata").len(),
            example.errata.len()
        );
    }
}

#[test]
fn schema_export_equals_the_committed_files() {
    use iotxfer::catalog::Dialect;
    for (dialect, name) in [
        (Dialect::Draft2020_12, "2020-12"),
        (Dialect::Draft07, "draft-07"),
    ] {
        let dir = std::env::temp_dir().join(format!("iotxfer-{name}-{}", std::process::id()));
        let out = dir.to_str().expect("path");
        let output = iotxfer(&["schema", "--dialect", name, "--out", out], b"");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let exported = iotxfer_conformance::schemas::read_dir(&dir).expect("exported");
        let committed = iotxfer_conformance::schemas::committed_dir(dialect);
        let committed = iotxfer_conformance::schemas::read_dir(&committed).expect("committed");
        assert_eq!(exported, committed, "{name}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}

/// `iotxfer asyncapi` writes the committed documents, and removes a stale document of its own
/// but no other file of the directory it writes into.
#[test]
fn asyncapi_export_equals_the_committed_files_and_spares_other_files() {
    let dir = std::env::temp_dir().join(format!("iotxfer-asyncapi-{}", std::process::id()));
    let foreign = [
        ("package.json", r#"{"name": "x"}"#),
        ("nested/other.json", r#"{"asyncapi": "3.0.0"}"#),
        ("old.schema.json", r#"{"title": "something else"}"#),
    ];
    for (path, text) in foreign {
        std::fs::create_dir_all(dir.join(path).parent().expect("a parent")).expect("dir");
        std::fs::write(dir.join(path), text).expect("write");
    }
    std::fs::write(dir.join("gone.json"), r#"{"asyncapi": "3.0.0"}"#).expect("write");
    let output = iotxfer(&["asyncapi", "--out", dir.to_str().expect("path")], b"");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!dir.join("gone.json").exists(), "a stale document stays");
    for (path, text) in foreign {
        assert_eq!(std::fs::read_to_string(dir.join(path)).expect(path), text);
    }
    let committed = iotxfer_conformance::export::committed(iotxfer_conformance::asyncapi::HOME);
    for (name, text) in
        iotxfer_conformance::export::read_dir(&committed, ".json").expect("committed")
    {
        assert_eq!(std::fs::read_to_string(dir.join(&name)).expect(&name), text);
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn topics_lists_patterns_and_filters() {
    let output = iotxfer(&["topics"], b"");
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    for t in iotxfer::catalog::topics() {
        assert!(
            out.contains(t.pattern) && out.contains(t.filter),
            "{}",
            t.pattern
        );
    }
    let filters = stdout(&iotxfer(&["topics", "--filters"], b""));
    let filters: Vec<&str> = filters.lines().collect();
    // `#` does not match `$` topics, so those need filters of their own.
    assert!(
        filters.contains(&"$resource/up/service/+/+")
            && filters.contains(&"$oc/devices/+/sys/events/up")
    );
    for m in iotxfer::catalog::messages() {
        let topic = iotxfer_conformance::topic_of(m.topic, "X");
        assert!(
            filters.iter().any(|f| matches(f, &topic)),
            "no filter captures {topic}"
        );
    }
}

/// MQTT filter matching for filters with `+` levels only.
fn matches(filter: &str, topic: &str) -> bool {
    let (f, t): (Vec<&str>, Vec<&str>) = (filter.split('/').collect(), topic.split('/').collect());
    f.len() == t.len() && f.iter().zip(&t).all(|(f, t)| *f == "+" || f == t)
}

/// The verdicts of `check --format json` on `input`, with its exit code.
fn check_json(input: &str, extra: &[&str]) -> (Vec<Value>, Option<i32>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend(extra);
    args.push("-");
    let output = iotxfer(&args, input.as_bytes());
    (json_lines(&output), output.status.code())
}

fn only_reason(verdicts: &[Value]) -> String {
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    assert_eq!(verdicts[0]["verdict"], "violation", "{verdicts:?}");
    verdicts[0]["errors"][0]["reason"]
        .as_str()
        .expect("a reason")
        .to_owned()
}

#[test]
fn a_record_is_a_json_object() {
    for line in [
        r#"["$resource/up/service/P/D","{\"type\":\"get_download_task\"}"]"#,
        r#""{\"topic\":\"$resource/up/service/P/D\"}""#,
        "42",
    ] {
        let (verdicts, code) = check_json(&format!("{line}\n"), &[]);
        assert!(
            only_reason(&verdicts).contains("not a JSON object"),
            "{line}"
        );
        assert_eq!(code, Some(1));
    }
}

#[test]
fn payloadlen_holds_a_string_payload_to_what_the_device_sent() {
    let record = |payloadlen: usize, payload: &str| {
        json!({"topic": OK_TOPIC, "payloadlen": payloadlen, "payload": payload}).to_string() + "\n"
    };
    let text = std::str::from_utf8(OK_PAYLOAD).expect("UTF-8");
    // Cut at a NUL by %j: 28 bytes shown, 33 sent.
    let (verdicts, _) = check_json(&record(text.len() + 5, text), &[]);
    let reason = only_reason(&verdicts);
    assert!(reason.contains("first NUL byte"), "{reason}");
    assert_eq!(verdicts[0]["topic"], OK_TOPIC);
    // Double-encoded JSON, written as that string by %J.
    let double = serde_json::to_string(text).expect("JSON");
    let (verdicts, _) = check_json(&record(double.len(), text), &[]);
    assert!(only_reason(&verdicts).contains("double-encoded"));
    // More bytes than sent.
    let (verdicts, _) = check_json(&record(3, text), &[]);
    assert!(only_reason(&verdicts).contains("more than"));
    // Exact, or absent: ok. An embedded payload is re-serialised, so its length is not compared.
    let (verdicts, code) = check_json(&record(text.len(), text), &[]);
    assert_eq!(
        (verdicts[0]["verdict"].as_str(), code),
        (Some("ok"), Some(0))
    );
    let padded = format!(
        r#"{{"topic":"{OK_TOPIC}","payloadlen":99,"payload":{{ "type" : "get_download_task" }}}}"#
    );
    let (verdicts, code) = check_json(&format!("{padded}\n"), &[]);
    assert_eq!(
        (verdicts[0]["verdict"].as_str(), code),
        (Some("ok"), Some(0))
    );
    // Multi-byte text counts in UTF-8 bytes.
    let utf8 = r#"{"type":"create_upload_task","size":1,"name":"日志","md5sum":"6d0bb00954ceb7fbee436bb55a8397a9"}"#;
    let (verdicts, _) = check_json(&record(utf8.len(), utf8), &[]);
    assert_eq!(verdicts[0]["verdict"], "ok", "{verdicts:?}");
}

#[test]
fn a_record_with_an_unusable_payload_keeps_its_topic() {
    let mut non_utf8 = format!(r#"{{"topic":"{OK_TOPIC}","payload":"{{\"type\":\""#).into_bytes();
    non_utf8.extend(b"\xff\\\"}\"}\n");
    for (line, says) in [
        (
            format!(r#"{{"topic":"{OK_TOPIC}","payload":null}}"#).into_bytes(),
            "empty",
        ),
        (
            format!(r#"{{"topic":"{OK_TOPIC}","payload":""}}"#).into_bytes(),
            "JSON",
        ),
        (non_utf8, "not UTF-8"),
    ] {
        let mut input = line.clone();
        if input.last() != Some(&b'\n') {
            input.push(b'\n');
        }
        let output = iotxfer(&["check", "--format", "json", "-"], &input);
        let verdicts = json_lines(&output);
        assert_eq!(verdicts[0]["topic"], OK_TOPIC, "{verdicts:?}");
        assert!(only_reason(&verdicts).contains(says), "{verdicts:?}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped_and_a_blank_line_is_a_lost_payload() {
    let ok = line_j(OK_TOPIC, OK_PAYLOAD);
    let (verdicts, code) = check_json(&format!("\u{feff}{ok}\n"), &[]);
    assert_eq!(
        (verdicts[0]["verdict"].as_str(), code),
        (Some("ok"), Some(0))
    );
    let (verdicts, code) = check_json(&format!("{ok}\n\n"), &[]);
    assert_eq!(verdicts.len(), 2);
    assert!(
        verdicts[1]["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("-F %J")
    );
    assert_eq!(code, Some(1));
}

#[test]
fn an_empty_capture_is_an_error_unless_allowed() {
    let output = iotxfer(&["check", "-"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no messages (did the subscriber connect")
    );
    let output = iotxfer(&["check", "--allow-empty", "-"], b"");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn several_files_name_theirs_and_json_keeps_its_summary_on_stderr() {
    let dir = std::env::temp_dir().join(format!("iotxfer-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
    std::fs::write(&a, line_j(OK_TOPIC, OK_PAYLOAD) + "\n").expect("a");
    std::fs::write(&b, line_j(OK_TOPIC, b"{}") + "\n").expect("b");
    let (a, b) = (a.to_str().expect("UTF-8"), b.to_str().expect("UTF-8"));
    let output = iotxfer(&["check", "--format", "json", a, b], b"");
    let verdicts = json_lines(&output);
    assert_eq!(verdicts[0]["file"], a);
    assert_eq!(verdicts[1]["file"], b);
    assert!(String::from_utf8_lossy(&output.stderr).contains("2 lines: 1 ok, 1 violation"));
    let text = stdout(&iotxfer(&["check", a, b], b""));
    assert!(text.contains(&format!("{b}:1: violation")), "{text}");
    let single = iotxfer(&["check", "--format", "json", a], b"");
    assert!(json_lines(&single)[0].get("file").is_none());
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn text_output_escapes_what_could_disguise_a_line() {
    let topic = "$resource/up/service/P\u{202e}x/D\u{2028}";
    let output = iotxfer(&["check", "-"], (line_j(topic, b"{}") + "\n").as_bytes());
    let text = stdout(&output);
    assert!(
        text.contains("\\u{202e}") && text.contains("\\u{2028}"),
        "{text}"
    );
    assert!(!text.contains('\u{202e}') && !text.contains('\u{2028}'));
}

#[test]
fn a_null_payload_of_four_bytes_is_the_json_null() {
    let line = format!(r#"{{"topic":"{OK_TOPIC}","payloadlen":4,"payload":null}}"#);
    let (verdicts, _) = check_json(&format!("{line}\n"), &[]);
    let reason = only_reason(&verdicts);
    assert!(reason.contains("not a JSON object"), "{reason}");
}

#[test]
fn a_missing_file_stops_check_before_any_verdict() {
    let dir = std::env::temp_dir().join(format!("iotxfer-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let present = dir.join("present.jsonl");
    std::fs::write(&present, line_j(OK_TOPIC, OK_PAYLOAD) + "\n").expect("capture");
    let missing = dir.join("missing.jsonl");
    let args = [
        "check",
        present.to_str().unwrap(),
        missing.to_str().unwrap(),
    ];
    let output = iotxfer(&args, b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    std::fs::remove_dir_all(&dir).expect("clean up");
}
