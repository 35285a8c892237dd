//! The hostile-input matrix: each input gets a clear error (or, where the contract allows it, a
//! decode) and never a panic. The rest of the matrix (invalid UTF-8, every truncation, 10,000
//! levels of nesting, duplicate keys, numbers beyond i64 and u64, NUL bytes, 70,000-byte topics)
//! is in `decode_errors.rs`; the topic rules that MQTT client libraries break are in `topics.rs`.

use iotxfer::ErrorKind;
use serde_json::Value;

const TOPIC: &str = "thing/product/GW/events";

/// A valid payload of every shape the crate knows: a DJI event, a Tencent report, a Huawei
/// event with a list.
const VALID: &[(&str, &str)] = &[
    (
        TOPIC,
        r#"{"tid":"t","bid":"b","timestamp":1,"method":"ota_progress","gateway":"GW","need_reply":0,"data":{"result":0,"output":{"status":"in_progress","sub_status":"DOWNLOADING","progress":{"percent":5,"step_key":"download_firmware","step":1}}}}"#,
    ),
    (
        "$resource/up/service/P/D",
        r#"{"type":"report_upload_progress","name":"n","progress":{"state":"uploading","percent":5,"result_code":0,"result_msg":""}}"#,
    ),
    (
        "$oc/devices/d/sys/events/up",
        r#"{"object_device_id":"d","services":[{"service_id":"$file_manager","event_type":"download_result_report","event_time":"20151212T121212Z","paras":{"object_name":"o","result_code":0,"status_code":200,"status_description":"ok"}}]}"#,
    ),
];

/// Every JSON pointer to a member of an object.
fn members(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = format!("{at}/{k}");
                out.push(path.clone());
                members(v, &path, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                members(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `null` in every field, one at a time: optional fields take it as absent, required ones are
/// refused at their path, and the strict check agrees with the decoder.
#[test]
fn null_in_every_field() {
    for (topic, payload) in VALID {
        let value: Value = serde_json::from_str(payload).expect("valid JSON");
        let mut paths = Vec::new();
        members(&value, "", &mut paths);
        for path in paths {
            let mut nulled = value.clone();
            *nulled.pointer_mut(&path).expect("a member") = Value::Null;
            let bytes = serde_json::to_vec(&nulled).expect("JSON");
            match iotxfer::decode(topic, &bytes) {
                Ok(_) => {}
                Err(e) => {
                    let at = e.path().unwrap_or_default();
                    assert!(
                        path.starts_with(at) || at.starts_with(&path),
                        "{path}: fault at {at}: {e}"
                    );
                    assert!(
                        !matches!(e.kind(), ErrorKind::InvalidJson(_)),
                        "{path}: {e}"
                    );
                }
            }
            let checked = iotxfer::check(topic, &bytes);
            assert_eq!(
                checked.decoded.is_some(),
                iotxfer::decode(topic, &bytes).is_ok(),
                "{path}"
            );
        }
    }
}

/// A 64 MiB string in a text field decodes (the contract sets no length there); in a field
/// with a length limit, the strict check refuses it; memory stays bounded by the input.
#[test]
fn a_64_mib_string_field() {
    let big = "x".repeat(64 << 20);
    let payload = format!(
        r#"{{"type":"report_upload_progress","name":"{big}","progress":{{"state":"done","result_code":0,"result_msg":""}}}}"#
    );
    let message = iotxfer::decode("$resource/up/service/P/D", payload.as_bytes()).expect("decodes");
    assert_eq!(message.id(), "tencent/resource/report_upload_progress");
    drop(message);

    let payload =
        format!(r#"{{"type":"create_upload_task","size":1,"name":"n","md5sum":"{big}"}}"#);
    let checked = iotxfer::check("$resource/up/service/P/D", payload.as_bytes());
    assert_eq!(checked.verdict, iotxfer::Verdict::Violates);
    assert!(
        checked.violations.iter().all(|v| v.path == "/md5sum"),
        "{:?}",
        &checked.violations[..1]
    );
    // The reason names the length, not the 64 MiB value.
    assert!(checked.violations.iter().any(|v| v.reason.len() < 200));

    let payload = format!("{{\"{big}\":1}}");
    let err = iotxfer::decode(TOPIC, payload.as_bytes()).expect_err("no discriminator");
    assert_eq!(err.kind(), &ErrorKind::MissingDiscriminator);
}

/// Numbers beyond u64 and beyond f64 in every numeric field.
#[test]
fn numbers_beyond_every_range() {
    for (topic, payload) in VALID {
        let value: Value = serde_json::from_str(payload).expect("valid JSON");
        let mut paths = Vec::new();
        members(&value, "", &mut paths);
        for path in paths
            .iter()
            .filter(|p| value.pointer(p).is_some_and(Value::is_number))
        {
            for huge in [
                "18446744073709551616",
                "-18446744073709551617",
                "1e308",
                "1e400",
                "-0.0",
            ] {
                let marker = "\"__HUGE__\"";
                let mut marked = value.clone();
                *marked.pointer_mut(path).expect("a member") = Value::from("__HUGE__");
                let text = serde_json::to_string(&marked)
                    .expect("JSON")
                    .replace(marker, huge);
                // No panic; a refusal names the field.
                if let Err(e) = iotxfer::decode(topic, text.as_bytes()) {
                    assert_eq!(e.path(), Some(path.as_str()), "{path} = {huge}: {e}");
                }
                let _ = iotxfer::check(topic, text.as_bytes());
            }
        }
    }
}
