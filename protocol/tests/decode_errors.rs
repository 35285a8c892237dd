//! Bad input gets a clear `DecodeError`, never a panic: unknown and invalid topics, unknown,
//! missing and mixed discriminators, messages on the wrong topic, field faults, broken JSON, and
//! hostile payloads. Each test asserts the error's kind, and its JSON path and message id where
//! they mean something.

use iotxfer::{DecodeError, ErrorKind, Forbidden, Message, TopicError};

const DJI_EVENTS: &str = "thing/product/SN0001/events";
const DJI_SERVICES: &str = "thing/product/SN0001/services";
const HUAWEI_EVENTS_UP: &str = "$oc/devices/d/sys/events/up";
const TENCENT_UP: &str = "$resource/up/service/ABCDEFGHIJ/dev001";
const TENCENT_DOWN: &str = "$resource/down/service/ABCDEFGHIJ/dev001";

/// A valid DJI `ota_progress` event; the DJI tests change one thing in it.
const OTA_PROGRESS: &str = r#"{"bid":"b1","tid":"t1","timestamp":1707048089244,"method":"ota_progress","data":{"result":0,"output":{"status":"in_progress","progress":{"percent":42}}}}"#;

/// A valid Huawei `download_result_report` event.
const DOWNLOAD_RESULT: &str = r#"{"services":[{"service_id":"$file_manager","event_type":"download_result_report","paras":{"object_name":"a.bin","result_code":0}}]}"#;

/// A valid Tencent `create_upload_task`.
const CREATE_UPLOAD_TASK: &str =
    r#"{"type":"create_upload_task","size":100,"name":"zxc","md5sum":"m"}"#;

/// Decodes input that must fail, and checks that the error names the topic it arrived on.
fn decode_err(topic: &str, payload: impl AsRef<[u8]>) -> DecodeError {
    match iotxfer::decode(topic, payload.as_ref()) {
        Ok(message) => panic!("expected an error, decoded {}", message.id()),
        Err(err) => {
            assert_eq!(err.topic(), topic);
            err
        }
    }
}

/// Decodes input that must succeed.
fn decode_ok(topic: &str, payload: impl AsRef<[u8]>) -> Message {
    iotxfer::decode(topic, payload.as_ref()).unwrap_or_else(|err| panic!("{err}"))
}

/// `base` with its only occurrence of `from` replaced by `to`: the test changes exactly what it
/// says.
fn with(base: &str, from: &str, to: &str) -> String {
    assert_eq!(base.matches(from).count(), 1, "{from:?} must occur once");
    base.replacen(from, to, 1)
}

/// `base`, a JSON object, with `member` (`"key":value`) added as its last member.
fn with_member(base: &str, member: &str) -> String {
    let body = base.strip_suffix('}').expect("a JSON object");
    format!("{body},{member}}}")
}

fn field_reason(err: &DecodeError) -> &str {
    match err.kind() {
        ErrorKind::Field(reason) => reason,
        other => panic!("expected a field fault, got {other:?} ({err})"),
    }
}

fn json_reason(err: &DecodeError) -> &str {
    match err.kind() {
        ErrorKind::InvalidJson(reason) => reason,
        other => panic!("expected invalid JSON, got {other:?} ({err})"),
    }
}

/// The baselines decode, so every fault below is the fault the test puts in.
#[test]
fn baselines_decode() {
    assert_eq!(
        decode_ok(DJI_EVENTS, OTA_PROGRESS).id(),
        "dji/firmware/ota_progress"
    );
    assert_eq!(
        decode_ok(HUAWEI_EVENTS_UP, DOWNLOAD_RESULT).id(),
        "huawei/file_manager/download_result_report"
    );
    assert_eq!(
        decode_ok(TENCENT_UP, CREATE_UPLOAD_TASK).id(),
        "tencent/resource/create_upload_task"
    );
}

// ---------------------------------------------------------------------------------------------
// Topics.
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_topics() {
    for topic in [
        "foo/bar",
        "",
        "/",
        "thing/product/SN0001/events/",
        "thing/product/#",
    ] {
        let err = decode_err(topic, OTA_PROGRESS);
        assert_eq!(err.kind(), &ErrorKind::UnknownTopic, "{topic:?}");
        assert_eq!(err.path(), None);
        assert_eq!(err.message(), None);
    }
}

/// The topics of the catalog that carry no message defined here, each with its parameters
/// set: taken from the catalog, so that a family defined on one of them breaks no test.
fn uncovered_topics() -> Vec<String> {
    let uncovered = iotxfer::catalog::topics()
        .iter()
        .filter(|t| t.messages.is_empty());
    let name = |pattern: &str| {
        let levels = pattern
            .split('/')
            .map(|l| if l.starts_with('{') { "SN" } else { l });
        levels.collect::<Vec<_>>().join("/")
    };
    uncovered.map(|t| name(t.pattern)).collect()
}

/// A topic of a vendor that no family here covers is refused before its payload is read: even
/// a payload that is not UTF-8 gets `NotCovered`.
#[test]
fn not_covered_topics() {
    for topic in uncovered_topics() {
        let topic = topic.as_str();
        for payload in [OTA_PROGRESS.as_bytes(), b"\xff"] {
            let err = decode_err(topic, payload);
            assert_eq!(err.kind(), &ErrorKind::NotCovered, "{topic:?}");
            assert_eq!(err.path(), None);
            assert_eq!(err.message(), None);
        }
    }
}

#[test]
fn invalid_topic_parameters() {
    let cases: [(&str, TopicError); 7] = [
        (
            "thing/product/+/events",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Plus,
            },
        ),
        (
            "thing/product/#/events",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Hash,
            },
        ),
        (
            "thing/product/SN\0X/events",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Nul,
            },
        ),
        (
            "thing/product//events",
            TopicError::Empty {
                param: "gateway_sn",
            },
        ),
        (
            "$oc/devices/+/sys/events/up",
            TopicError::Forbidden {
                param: "device_id",
                found: Forbidden::Plus,
            },
        ),
        (
            "$resource/up/service//dev001",
            TopicError::Empty {
                param: "product_id",
            },
        ),
        (
            "$resource/down/service/P/#",
            TopicError::Forbidden {
                param: "device_name",
                found: Forbidden::Hash,
            },
        ),
    ];
    for (topic, expected) in cases {
        let err = decode_err(topic, OTA_PROGRESS);
        assert_eq!(err.kind(), &ErrorKind::InvalidTopic(expected), "{topic:?}");
        assert_eq!(err.path(), None);
        assert_eq!(err.message(), None);
    }
}

/// A 70,000-byte topic: over MQTT's 65,535 bytes. One of a known pattern is `InvalidTopic`
/// (`TooLong`, with the length it would have); one of no pattern is `UnknownTopic`.
#[test]
fn topic_longer_than_mqtt_allows() {
    let long = format!("thing/product/{}/events", "A".repeat(70_000));
    let err = decode_err(&long, OTA_PROGRESS);
    assert_eq!(
        err.kind(),
        &ErrorKind::InvalidTopic(TopicError::TooLong { len: long.len() })
    );
    assert_eq!(long.len(), 70_021);
    // The error keeps the whole topic, but its text cuts it short.
    assert_eq!(err.topic(), long);
    let text = err.to_string();
    assert!(text.len() < 1_000, "{} bytes", text.len());
    assert!(text.contains("… (70021 bytes)"), "{text}");

    let unmatched = "a/".repeat(35_000);
    assert_eq!(unmatched.len(), 70_000);
    assert_eq!(
        decode_err(&unmatched, OTA_PROGRESS).kind(),
        &ErrorKind::UnknownTopic
    );

    // The longest parameter that still fits is accepted.
    let fits = format!(
        "thing/product/{}/events",
        "A".repeat(iotxfer::MAX_TOPIC_LEN - "thing/product//events".len())
    );
    assert_eq!(fits.len(), iotxfer::MAX_TOPIC_LEN);
    assert_eq!(
        decode_ok(&fits, OTA_PROGRESS).id(),
        "dji/firmware/ota_progress"
    );
}

// ---------------------------------------------------------------------------------------------
// Discriminators.
// ---------------------------------------------------------------------------------------------

/// DJI `events` also carries families not covered here (flight tasks, ...): an undefined method
/// there is `NotCovered`, not an unknown discriminator.
#[test]
fn dji_undefined_method_is_not_covered() {
    let err = decode_err(
        DJI_EVENTS,
        with(OTA_PROGRESS, "\"ota_progress\"", "\"flighttask_progress\""),
    );
    assert_eq!(err.kind(), &ErrorKind::NotCovered);
    assert_eq!(err.path(), None);
    assert_eq!(err.message(), None);
}

#[test]
fn dji_missing_method() {
    let err = decode_err(
        DJI_EVENTS,
        with(OTA_PROGRESS, "\"method\":\"ota_progress\",", ""),
    );
    assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator);
    assert_eq!(err.path(), Some("/method"));
    assert_eq!(err.message(), None);
}

/// `"method": null` counts as a missing discriminator.
#[test]
fn dji_null_method_is_missing() {
    let err = decode_err(DJI_EVENTS, with(OTA_PROGRESS, "\"ota_progress\"", "null"));
    assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator);
    assert_eq!(err.path(), Some("/method"));
}

#[test]
fn dji_message_on_wrong_topic() {
    let err = decode_err(
        DJI_EVENTS,
        r#"{"bid":"b","tid":"t","timestamp":1,"method":"ota_create","data":{}}"#,
    );
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongTopic {
            expected: "thing/product/{gateway_sn}/services"
        }
    );
    assert_eq!(err.message(), Some("dji/firmware/ota_create"));
    assert_eq!(err.path(), None);

    // And the other way round: an event sent as a command.
    let err = decode_err(DJI_SERVICES, OTA_PROGRESS);
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongTopic {
            expected: "thing/product/{gateway_sn}/events"
        }
    );
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));
}

/// Huawei's events topic carries every service (`$sub_device_manager`, ...): a service of no
/// family here is `NotCovered`; a covered event on the wrong topic is `WrongTopic`.
#[test]
fn huawei_other_service_is_not_covered() {
    let err = decode_err(
        HUAWEI_EVENTS_UP,
        r#"{"services":[{"service_id":"$sub_device_manager","event_type":"add_sub_device_notify","paras":{}}]}"#,
    );
    assert_eq!(err.kind(), &ErrorKind::NotCovered);
    assert_eq!(err.path(), None);
    assert_eq!(err.message(), None);

    let err = decode_err(
        HUAWEI_EVENTS_UP,
        r#"{"services":[{"service_id":"$ota","event_type":"version_query","paras":{}}]}"#,
    );
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongTopic {
            expected: "$oc/devices/{device_id}/sys/events/down"
        }
    );
    assert_eq!(err.message(), Some("huawei/ota/version_query"));
}

/// A `$file_manager` event that the family does not define is an unknown discriminator, at the
/// event type of the first event.
#[test]
fn huawei_unknown_event_type() {
    let err = decode_err(
        HUAWEI_EVENTS_UP,
        with(DOWNLOAD_RESULT, "download_result_report", "unknown_event"),
    );
    assert_eq!(
        err.kind(),
        &ErrorKind::UnknownDiscriminator("unknown_event".into())
    );
    assert_eq!(err.path(), Some("/services/0/event_type"));
    assert_eq!(err.message(), None);
}

#[test]
fn huawei_mixed_event_types() {
    let payload = r#"{"services":[
        {"service_id":"$file_manager","event_type":"download_result_report","paras":{"object_name":"a","result_code":0}},
        {"service_id":"$file_manager","event_type":"upload_result_report","paras":{"object_name":"b","result_code":0}}
    ]}"#;
    let err = decode_err(HUAWEI_EVENTS_UP, payload);
    assert_eq!(err.kind(), &ErrorKind::MixedDiscriminators);
    assert_eq!(err.path(), Some("/services/1/event_type"));
    assert_eq!(err.message(), None);

    let payload = r#"{"services":[
        {"service_id":"$file_manager","event_type":"download_result_report","paras":{"object_name":"a","result_code":0}},
        {"service_id":"$ota","event_type":"download_result_report","paras":{"object_name":"b","result_code":0}}
    ]}"#;
    let err = decode_err(HUAWEI_EVENTS_UP, payload);
    assert_eq!(err.kind(), &ErrorKind::MixedDiscriminators);
    assert_eq!(err.path(), Some("/services/1/service_id"));
}

/// No event at all: an empty list and a missing list both lack the discriminators.
#[test]
fn huawei_no_services() {
    for payload in [r#"{"services":[]}"#, r#"{"object_device_id":"d"}"#] {
        let err = decode_err(HUAWEI_EVENTS_UP, payload);
        assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator, "{payload}");
        assert_eq!(err.path(), Some("/services"));
        assert_eq!(err.message(), None);
    }
}

#[test]
fn huawei_missing_event_type() {
    let err = decode_err(
        HUAWEI_EVENTS_UP,
        with(
            DOWNLOAD_RESULT,
            "\"event_type\":\"download_result_report\",",
            "",
        ),
    );
    assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator);
    assert_eq!(err.path(), Some("/services/0/event_type"));
}

#[test]
fn tencent_unknown_type() {
    let err = decode_err(TENCENT_UP, r#"{"type":"nope","size":1}"#);
    assert_eq!(err.kind(), &ErrorKind::UnknownDiscriminator("nope".into()));
    assert_eq!(err.path(), Some("/type"));
    assert_eq!(err.message(), None);
}

#[test]
fn tencent_missing_type() {
    for payload in [r#"{"size":100,"name":"zxc"}"#, "{}", r#"{"type":null}"#] {
        let err = decode_err(TENCENT_UP, payload);
        assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator, "{payload}");
        assert_eq!(err.path(), Some("/type"));
        assert_eq!(err.message(), None);
    }
}

/// A `type` that is not a string: an error (today a field fault), pointing at `/type`.
#[test]
fn tencent_type_not_a_string() {
    for payload in [r#"{"type":5}"#, r#"{"type":["create_upload_task"]}"#] {
        let result = iotxfer::decode(TENCENT_UP, payload.as_bytes());
        let err = result.expect_err(payload);
        assert_eq!(err.path(), Some("/type"), "{payload}: {err}");
    }
}

/// Tencent's topics are not open: a platform → device message on the device → platform topic
/// is on the wrong topic.
#[test]
fn tencent_message_on_wrong_topic() {
    let err = decode_err(TENCENT_UP, r#"{"type":"get_download_task_rsp"}"#);
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongTopic {
            expected: "$resource/down/service/{product_id}/{device_name}"
        }
    );
    assert_eq!(
        err.message(),
        Some("tencent/resource/get_download_task_rsp")
    );

    let err = decode_err(TENCENT_DOWN, CREATE_UPLOAD_TASK);
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongTopic {
            expected: "$resource/up/service/{product_id}/{device_name}"
        }
    );
    assert_eq!(err.message(), Some("tencent/resource/create_upload_task"));
}

// ---------------------------------------------------------------------------------------------
// Field faults: the message is known, one field is wrong.
// ---------------------------------------------------------------------------------------------

#[test]
fn field_of_wrong_type() {
    let err = decode_err(
        DJI_EVENTS,
        with(OTA_PROGRESS, "\"percent\":42", "\"percent\":\"x\""),
    );
    let reason = field_reason(&err);
    assert!(reason.contains("invalid type: string \"x\""), "{reason}");
    assert_eq!(err.path(), Some("/data/output/progress/percent"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));
}

/// A missing field is reported at the field itself, at any depth; its name is in the reason
/// too.
#[test]
fn missing_required_field() {
    let err = decode_err(DJI_EVENTS, with(OTA_PROGRESS, "\"tid\":\"t1\",", ""));
    assert!(field_reason(&err).contains("missing field `tid`"), "{err}");
    assert_eq!(err.path(), Some("/tid"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));

    let err = decode_err(
        DJI_EVENTS,
        with(
            OTA_PROGRESS,
            "\"progress\":{\"percent\":42}",
            "\"progress\":{}",
        ),
    );
    assert!(
        field_reason(&err).contains("missing field `percent`"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/data/output/progress/percent"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));

    let err = decode_err(
        HUAWEI_EVENTS_UP,
        with(DOWNLOAD_RESULT, "\"object_name\":\"a.bin\",", ""),
    );
    assert!(
        field_reason(&err).contains("missing field `object_name`"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/services/0/paras/object_name"));
    assert_eq!(
        err.message(),
        Some("huawei/file_manager/download_result_report")
    );

    let err = decode_err(
        TENCENT_UP,
        with(CREATE_UPLOAD_TASK, ",\"md5sum\":\"m\"", ""),
    );
    assert!(
        field_reason(&err).contains("missing field `md5sum`"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/md5sum"));
    assert_eq!(err.message(), Some("tencent/resource/create_upload_task"));
}

#[test]
fn null_for_required_field() {
    let err = decode_err(DJI_EVENTS, with(OTA_PROGRESS, "\"t1\"", "null"));
    assert!(field_reason(&err).contains("invalid type: null"), "{err}");
    assert_eq!(err.path(), Some("/tid"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));

    let err = decode_err(
        DJI_EVENTS,
        with(
            OTA_PROGRESS,
            r#"{"result":0,"output":{"status":"in_progress","progress":{"percent":42}}}"#,
            "null",
        ),
    );
    assert!(field_reason(&err).contains("invalid type: null"), "{err}");
    assert_eq!(err.path(), Some("/data"));
}

// ---------------------------------------------------------------------------------------------
// Payloads that are not a JSON object.
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_json() {
    let cases = [
        // Truncated.
        r#"{"type":"create_upload_task","size":100"#,
        // Trailing comma (the seed document's own create_upload_task example).
        r#"{"type":"create_upload_task","size":100,"name":"zxc","md5sum":"m",}"#,
        // Empty, and only white space.
        "",
        "  \n",
        // Not JSON at all.
        "type=create_upload_task",
        "{type:'create_upload_task'}",
        // A broken array.
        "[1,",
    ];
    for payload in cases {
        let err = decode_err(TENCENT_UP, payload);
        json_reason(&err);
        assert_eq!(err.path(), None, "{payload:?}");
        assert_eq!(err.message(), None, "{payload:?}");
    }
}

#[test]
fn trailing_garbage_after_object() {
    for garbage in [" x", "{}", ",", "\0"] {
        let payload = format!("{CREATE_UPLOAD_TASK}{garbage}");
        let err = decode_err(TENCENT_UP, &payload);
        assert!(
            json_reason(&err).contains("trailing characters"),
            "{payload:?}: {err}"
        );
        assert_eq!(err.path(), None);
    }
    // Trailing white space is fine.
    decode_ok(TENCENT_UP, format!("{CREATE_UPLOAD_TASK} \n"));
}

#[test]
fn invalid_utf8() {
    let mut payload = br#"{"type":"create_upload_task","name":""#.to_vec();
    let valid_up_to = payload.len();
    payload.extend_from_slice(b"\xff\xfe\"}");
    let err = decode_err(TENCENT_UP, &payload);
    assert_eq!(err.kind(), &ErrorKind::InvalidUtf8 { valid_up_to });
    assert_eq!(err.path(), None);
    assert_eq!(err.message(), None);

    // A truncated multi-byte character.
    let err = decode_err(
        DJI_EVENTS,
        "{\"tid\":\"é".as_bytes().split_last().unwrap().1,
    );
    assert_eq!(err.kind(), &ErrorKind::InvalidUtf8 { valid_up_to: 8 });
}

/// Valid JSON that is not an object is a fault of the payload as a whole: path `""`.
#[test]
fn payload_not_an_object() {
    for payload in [
        r#"[{"type":"create_upload_task","size":100,"name":"zxc","md5sum":"m"}]"#,
        r#""create_upload_task""#,
        "42",
        "-1.5e3",
        "null",
        "true",
        " [] ",
    ] {
        for topic in [TENCENT_UP, DJI_EVENTS, HUAWEI_EVENTS_UP] {
            let err = decode_err(topic, payload);
            field_reason(&err);
            assert_eq!(err.path(), Some(""), "{payload:?} on {topic}");
            assert_eq!(err.message(), None);
        }
    }
}

/// Every proper prefix of a valid payload is invalid JSON; every byte replaced by 0xFF is
/// invalid UTF-8 at that byte.
#[test]
fn every_truncation_and_every_bad_byte() {
    for end in 0..OTA_PROGRESS.len() {
        let err = decode_err(DJI_EVENTS, &OTA_PROGRESS.as_bytes()[..end]);
        json_reason(&err);
    }
    for at in 0..OTA_PROGRESS.len() {
        let mut payload = OTA_PROGRESS.as_bytes().to_vec();
        payload[at] = 0xff;
        let err = decode_err(DJI_EVENTS, &payload);
        assert_eq!(err.kind(), &ErrorKind::InvalidUtf8 { valid_up_to: at });
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile payloads.
// ---------------------------------------------------------------------------------------------

fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn nested_objects(depth: usize) -> String {
    format!("{}0{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

/// 10,000 levels inside a known field: the typed pass refuses the first `[` where it wants a
/// struct field, so the depth is never reached.
#[test]
fn deep_nesting_in_known_field() {
    let payload = with(
        OTA_PROGRESS,
        r#"{"result":0,"output":{"status":"in_progress","progress":{"percent":42}}}"#,
        &nested_arrays(10_000),
    );
    let err = decode_err(DJI_EVENTS, payload);
    assert!(
        field_reason(&err).contains("invalid type: sequence"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/data/0"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));

    let payload = with(
        DOWNLOAD_RESULT,
        r#"{"object_name":"a.bin","result_code":0}"#,
        &nested_objects(10_000),
    );
    let err = decode_err(HUAWEI_EVENTS_UP, payload);
    assert!(field_reason(&err).contains("missing field"), "{err}");
    assert_eq!(err.path(), Some("/services/0/paras/object_name"));
}

/// 10,000 levels inside a field that no definition names: serde_json skips unknown values
/// without recursing (and without its 128-level limit), so the payload decodes. Documented Ok.
#[test]
fn deep_nesting_in_unknown_field_is_skipped() {
    for deep in [nested_arrays(10_000), nested_objects(10_000)] {
        let message = decode_ok(
            DJI_EVENTS,
            with_member(OTA_PROGRESS, &format!("\"x\":{deep}")),
        );
        assert_eq!(message.id(), "dji/firmware/ota_progress");
        // Unknown fields are not kept.
        let value = message.as_delivery().to_value().unwrap();
        assert_eq!(value.get("x"), None);

        let nested_in_data = with(
            OTA_PROGRESS,
            "\"result\":0,",
            &format!("\"result\":0,\"x\":{deep},"),
        );
        decode_ok(DJI_EVENTS, nested_in_data);

        let tencent = with_member(CREATE_UPLOAD_TASK, &format!("\"x\":{deep}"));
        decode_ok(TENCENT_UP, tencent);
    }
}

/// 10,000 unclosed `[`: invalid JSON (end of input), whether the payload or a field.
#[test]
fn deep_unclosed_nesting() {
    let open = "[".repeat(10_000);
    let err = decode_err(DJI_EVENTS, &open);
    assert!(json_reason(&err).contains("EOF"), "{err}");

    let err = decode_err(
        DJI_EVENTS,
        format!(r#"{{"method":"ota_progress","data":{open}"#),
    );
    assert!(json_reason(&err).contains("EOF"), "{err}");

    let err = decode_err(
        TENCENT_UP,
        format!(r#"{{"x":{}"#, r#"{"a":"#.repeat(10_000)),
    );
    assert!(json_reason(&err).contains("EOF"), "{err}");
}

/// NUL in strings: escaped (`\u0000`) it is valid JSON and kept; a raw 0 byte inside a string is
/// a control character that JSON forbids.
#[test]
fn nul_in_strings() {
    let message = decode_ok(DJI_EVENTS, with(OTA_PROGRESS, "\"t1\"", r#""t\u00001""#));
    let Message::DjiFirmwareOtaProgress(received) = &message else {
        panic!("wrong variant: {message:?}");
    };
    assert_eq!(received.payload.tid, "t\u{0}1");

    // In a discriminator, an escaped NUL makes it another value, one edit from a documented
    // one: a device bug, reported with the value meant.
    let err = decode_err(TENCENT_UP, r#"{"type":"get_download_task\u0000"}"#);
    assert_eq!(
        err.kind(),
        &ErrorKind::MisspeltDiscriminator {
            value: "get_download_task\u{0}".into(),
            documented: "get_download_task",
            message: "tencent/resource/get_download_task",
        }
    );
    assert_eq!(err.path(), Some("/type"));
    // The text escapes it, so a log line stays one printable line.
    let text = err.to_string();
    assert!(
        !text.contains('\0') && text.contains("get_download_task\\u{0}"),
        "{text}"
    );

    for (topic, payload, path) in [
        (
            DJI_EVENTS,
            with(OTA_PROGRESS, "\"t1\"", "\"t\u{0}1\""),
            "/tid",
        ),
        (
            DJI_EVENTS,
            with_member(OTA_PROGRESS, "\"x\":\"\u{0}\""),
            "/x",
        ),
        (
            TENCENT_UP,
            "{\"type\":\"get_download_task\u{0}\"}".to_owned(),
            "/type",
        ),
    ] {
        assert!(payload.contains('\0'));
        let err = decode_err(topic, &payload);
        assert!(json_reason(&err).contains("control character"), "{err}");
        assert_eq!(err.path(), Some(path));
    }
}

/// Integers beyond `i64` in an `int` field.
///
/// - `1e400` is out of any number's range: serde_json classes that as a syntax error, so it is
///   `InvalidJson`, at the field where reading stopped.
/// - `18446744073709551616` (2^64) is read as a float: a field fault at the field.
/// - `9223372036854775808` (2^63) is an unsigned integer that does not fit `i64`: a field fault.
#[test]
fn numbers_beyond_i64() {
    let err = decode_err(DJI_EVENTS, with(OTA_PROGRESS, "1707048089244", "1e400"));
    assert!(json_reason(&err).contains("number out of range"), "{err}");
    assert_eq!(err.path(), Some("/timestamp"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));

    for big in [
        "18446744073709551616",
        "9223372036854775808",
        "1e19",
        "-1e19",
    ] {
        let err = decode_err(DJI_EVENTS, with(OTA_PROGRESS, "1707048089244", big));
        field_reason(&err);
        assert_eq!(err.path(), Some("/timestamp"), "{big}");
        assert_eq!(err.message(), Some("dji/firmware/ota_progress"));
    }

    // Below i64::MIN, serde_json reads a double, and every literal down to
    // -9223372036854776832 rounds to -2^63: none is an i64, and a float written as -2^63 cannot
    // be told from them, so an integer is read exactly or not at all.
    for below in [
        "-9223372036854775809",
        "-9223372036854775900",
        "-9223372036854776832",
        "-9223372036854775808.0",
        "-9.223372036854775808e18",
    ] {
        let err = decode_err(DJI_EVENTS, with(OTA_PROGRESS, "1707048089244", below));
        assert!(
            field_reason(&err).contains("64-bit minimum"),
            "{below}: {err}"
        );
        assert_eq!(err.path(), Some("/timestamp"), "{below}");
    }
    let message = decode_ok(DJI_EVENTS, with(OTA_PROGRESS, "1707048089244", "1.7e12"));
    let Message::DjiFirmwareOtaProgress(received) = message else {
        panic!("{message:?}")
    };
    assert_eq!(received.payload.timestamp, 1_700_000_000_000);

    // A fractional number in an int field.
    let err = decode_err(
        DJI_EVENTS,
        with(OTA_PROGRESS, "\"percent\":42", "\"percent\":4.2"),
    );
    assert_eq!(err.path(), Some("/data/output/progress/percent"));
    field_reason(&err);

    // The limits themselves fit.
    for fits in ["9223372036854775807", "-9223372036854775808"] {
        decode_ok(DJI_EVENTS, with(OTA_PROGRESS, "1707048089244", fits));
    }

    // Out of range in a field no definition names: skipped unread. Documented Ok.
    decode_ok(DJI_EVENTS, with_member(OTA_PROGRESS, "\"x\":1e400"));
}

/// Duplicate keys: serde refuses a struct field given twice, at the repeated key; a duplicate
/// discriminator is caught while reading the discriminators, before the
/// message is known.
#[test]
fn duplicate_keys() {
    let err = decode_err(DJI_EVENTS, with_member(OTA_PROGRESS, "\"tid\":\"t2\""));
    assert!(
        field_reason(&err).contains("the member `tid` occurs more than once"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/tid"));
    assert_eq!(err.message(), Some("dji/firmware/ota_progress"));

    let err = decode_err(
        DJI_EVENTS,
        with_member(OTA_PROGRESS, "\"method\":\"ota_progress\""),
    );
    assert!(
        field_reason(&err).contains("the member `method` occurs more than once"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/method"));
    assert_eq!(err.message(), None);

    let err = decode_err(
        TENCENT_UP,
        with_member(CREATE_UPLOAD_TASK, "\"type\":\"get_download_task\""),
    );
    assert!(
        field_reason(&err).contains("the member `type` occurs more than once"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/type"));

    let err = decode_err(
        DJI_EVENTS,
        with(
            OTA_PROGRESS,
            "\"percent\":42",
            "\"percent\":42,\"percent\":43",
        ),
    );
    assert!(
        field_reason(&err).contains("the member `percent` occurs more than once"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/data/output/progress/percent"));
}

// ---------------------------------------------------------------------------------------------
// Display.
// ---------------------------------------------------------------------------------------------

/// Every error's text names the topic, and the message and path when it has them.
#[test]
fn display_names_topic_message_and_path() {
    let uncovered = uncovered_topics();
    let cases: [(&str, String); 6] = [
        ("foo/bar", OTA_PROGRESS.to_owned()),
        ("thing/product/+/events", OTA_PROGRESS.to_owned()),
        // A topic nothing covers, while the catalog has one.
        (
            uncovered.first().map_or("foo/baz", String::as_str),
            OTA_PROGRESS.to_owned(),
        ),
        (TENCENT_UP, r#"{"type":"nope"}"#.to_owned()),
        (
            HUAWEI_EVENTS_UP,
            with(DOWNLOAD_RESULT, "download_result_report", "unknown_event"),
        ),
        (
            DJI_EVENTS,
            with(OTA_PROGRESS, "\"percent\":42", "\"percent\":\"x\""),
        ),
    ];
    for (topic, payload) in cases {
        let err = decode_err(topic, &payload);
        let text = err.to_string();
        assert!(text.contains(&format!("`{topic}`")), "{text}");
        if let Some(message) = err.message() {
            assert!(text.contains(message), "{text}");
        }
        if let Some(path) = err.path() {
            assert!(text.contains(path), "{text}");
        }
    }

    let err = decode_err(
        DJI_EVENTS,
        with(OTA_PROGRESS, "\"percent\":42", "\"percent\":\"x\""),
    );
    assert!(
        err.to_string().starts_with(
            "topic `thing/product/SN0001/events`, message `dji/firmware/ota_progress`, \
             at `/data/output/progress/percent`: invalid type: string \"x\""
        ),
        "{err}"
    );
}

/// Payloads where the one-pass decode guesses wrong, or cannot guess, get the result of the
/// head-then-body decode: escaped names and values, a nested member that looks like the
/// discriminator, an array that holds one, Huawei payloads with odd events.
#[test]
fn one_pass_and_head_then_body_agree() {
    let same = |topic: &str, payload: &str| {
        let one = iotxfer::decode(topic, payload.as_bytes());
        assert_eq!(
            one,
            iotxfer::testing::decode_two_pass(topic, payload.as_bytes()),
            "{payload}"
        );
        one
    };
    let plain = decode_ok(DJI_EVENTS, OTA_PROGRESS);
    let escaped_key = with(OTA_PROGRESS, r#""method""#, r#""me\u0074hod""#);
    assert_eq!(same(DJI_EVENTS, &escaped_key), Ok(plain.clone()));
    let escaped_value = with(OTA_PROGRESS, r#""ota_progress""#, r#""ota\u005fprogress""#);
    assert_eq!(same(DJI_EVENTS, &escaped_value), Ok(plain.clone()));
    // The last `"method"` in the text is not the envelope's.
    let nested = with(
        OTA_PROGRESS,
        r#""result":0"#,
        r#""result":0,"x":{"method":"fileupload_progress"}"#,
    );
    assert!(same(DJI_EVENTS, &nested).is_ok());
    let spaced = with(
        OTA_PROGRESS,
        r#""method":"ota_progress""#,
        "\"method\" :\n \"ota_progress\"",
    );
    assert_eq!(same(DJI_EVENTS, &spaced), Ok(plain));

    let repeated = with_member(OTA_PROGRESS, r#""method":"ota_progress""#);
    let err = same(DJI_EVENTS, &repeated).unwrap_err();
    assert!(
        field_reason(&err).starts_with("the member `method` occurs more than once"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/method"));
    let other = with(
        OTA_PROGRESS,
        r#""method":"ota_progress""#,
        r#""method":"fileupload_progress""#,
    );
    assert!(same(DJI_EVENTS, &other).is_err());
    // serde reads a struct from an array too; a payload is an object.
    let array = r#"["t","b",1,"ota_progress",{"result":0,"output":{"status":"ok","progress":{"percent":1}},"method":"ota_progress"}]"#;
    let err = same(DJI_EVENTS, array).unwrap_err();
    assert_eq!(err.path(), Some(""));

    // No event at all, but a member elsewhere that names one.
    let empty = r#"{"services":[],"x":{"service_id":"$file_manager","event_type":"download_result_report"}}"#;
    let err = same(HUAWEI_EVENTS_UP, empty).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator);
    let mixed = with(
        DOWNLOAD_RESULT,
        "]}",
        r#",{"service_id":"$file_manager","event_type":"upload_result_report","paras":{"object_name":"a.bin","result_code":0}}]}"#,
    );
    let err = same(HUAWEI_EVENTS_UP, &mixed).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::MixedDiscriminators);
    // serde reads a struct from an array; an event written as one is refused, whatever the
    // other events hold.
    let array_event = with(
        DOWNLOAD_RESULT,
        r#""services":["#,
        r#""services":[["$file_manager","download_result_report",null,null,{"object_name":"a.bin","result_code":0}],"#,
    );
    assert!(same(HUAWEI_EVENTS_UP, &array_event).is_err());
    // The only event, as an array of as many items as an event has members (the head refuses
    // it), or of the two the head reads (the typed list, which reads objects only, refuses it).
    let events = |event: &str| format!(r#"{{"object_device_id":"d","services":[{event}]}}"#);
    let whole = events(
        r#"["$file_manager","download_result_report",null,null,{"object_name":"a.bin","result_code":0}]"#,
    );
    assert!(same(HUAWEI_EVENTS_UP, &whole).is_err());
    let err = same(
        HUAWEI_EVENTS_UP,
        &events(r#"["$file_manager","download_result_report"]"#),
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("/services/0"));
    same(HUAWEI_EVENTS_UP, DOWNLOAD_RESULT).unwrap();
    // The guess looks for the discriminators in the first object after the first `[`, in order:
    // a `[` before the list or the names out of order send it searching, and an earlier list
    // that holds one with another value only costs a wrong guess.
    let bracket = with(DOWNLOAD_RESULT, r#""services""#, r#""x":"[{","services""#);
    same(HUAWEI_EVENTS_UP, &bracket).unwrap();
    let swapped = with(
        DOWNLOAD_RESULT,
        r#""service_id":"$file_manager","event_type":"download_result_report""#,
        r#""event_type":"download_result_report","service_id":"$file_manager""#,
    );
    same(HUAWEI_EVENTS_UP, &swapped).unwrap();
    let earlier = with(
        DOWNLOAD_RESULT,
        r#""services""#,
        r#""x":[{"service_id":"y"}],"services""#,
    );
    same(HUAWEI_EVENTS_UP, &earlier).unwrap();

    // Only JSON's own whitespace may lead a payload; the guess skips no other.
    let err = same(TENCENT_UP, &format!("\u{a0}{CREATE_UPLOAD_TASK}")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidJson(_)), "{err}");
    let plain = decode_ok(TENCENT_UP, CREATE_UPLOAD_TASK);
    let escaped_key = with(CREATE_UPLOAD_TASK, r#""type""#, r#""\u0074ype""#);
    assert_eq!(same(TENCENT_UP, &escaped_key), Ok(plain));
    let repeated = with_member(CREATE_UPLOAD_TASK, r#""type":"create_upload_task""#);
    let err = same(TENCENT_UP, &repeated).unwrap_err();
    assert!(
        field_reason(&err).starts_with("the member `type` occurs more than once"),
        "{err}"
    );
    assert_eq!(err.path(), Some("/type"));
}
