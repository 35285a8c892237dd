//! Huawei payloads that batch events of several kinds: each event is a message of its own for
//! `decode_all`, and the strict check judges each event as its message, with paths into it.

use iotxfer::{ErrorKind, Verdict};

const UP: &str = "$oc/devices/dev-1/sys/events/up";

fn mixed(second_paras: &str) -> String {
    format!(
        r#"{{"object_device_id":"child-7","services":[
        {{"service_id":"$file_manager","event_type":"get_upload_url","paras":{{"file_name":"a.log"}}}},
        {{"service_id":"$ota","event_type":"version_report","paras":{second_paras}}}]}}"#
    )
}

#[test]
fn each_event_decodes_as_its_message_with_the_envelope() {
    let payload = mixed(r#"{"fw_version":"1.0"}"#);
    let messages = iotxfer::decode_all(UP, payload.as_bytes()).expect("decodes");
    assert_eq!(messages.len(), 2);
    let iotxfer::Message::HuaweiFileManagerGetUploadUrl(first) = &messages[0] else {
        panic!("{:?}", messages[0]);
    };
    assert_eq!(first.payload.object_device_id.as_deref(), Some("child-7"));
    assert_eq!(first.payload.services.len(), 1);
    assert_eq!(messages[1].id(), "huawei/ota/version_report");

    // `decode` still reads one message, and says why it cannot here.
    let err = iotxfer::decode(UP, payload.as_bytes()).expect_err("several kinds");
    assert_eq!(err.kind(), &ErrorKind::MixedDiscriminators);
    assert!(err.to_string().contains("decode_all"), "{err}");
}

#[test]
fn a_single_message_decodes_into_one_and_events_of_one_kind_into_one_each() {
    let dji = br#"{"tid":"t","bid":"b","timestamp":1,"method":"fileupload_list","data":{"module_list":["3"]}}"#;
    let one = iotxfer::decode_all("thing/product/SN/services", dji).expect("decodes");
    assert_eq!(one.len(), 1);
    let same = r#"{"services":[
        {"service_id":"$ota","event_type":"version_report","paras":{"fw_version":"1.0"}},
        {"service_id":"$ota","event_type":"version_report","paras":{"fw_version":"2.0"}}]}"#;
    let two = iotxfer::decode_all(UP, same.as_bytes()).expect("decodes");
    assert_eq!(two.len(), 2);
}

#[test]
fn an_error_names_the_event_it_is_in() {
    let payload = mixed(r#"{"fw_version":7}"#);
    let err = iotxfer::decode_all(UP, payload.as_bytes()).expect_err("a number for a text");
    assert_eq!(err.path(), Some("/services/1/paras/fw_version"));
    assert_eq!(err.message(), Some("huawei/ota/version_report"));
}

#[test]
fn the_check_judges_each_event_of_a_mixed_batch() {
    let fine = iotxfer::check(UP, mixed(r#"{"fw_version":"1.0"}"#).as_bytes());
    assert_eq!(fine.verdict, Verdict::Conforms, "{fine:?}");
    assert_eq!(fine.message, None);

    let wrong = iotxfer::check(UP, mixed(r#"{"fw_version":7}"#).as_bytes());
    assert_eq!(wrong.verdict, Verdict::Violates);
    assert_eq!(wrong.violations[0].path, "/services/1/paras/fw_version");
    let strict = iotxfer::check(UP, mixed(r#"{"fw_version":"1.0","extra":1}"#).as_bytes());
    assert_eq!(strict.undocumented_fields, ["/services/1/paras/extra"]);

    let twice = mixed(r#"{"fw_version":"1.0","fw_version":"2.0"}"#);
    let checked = iotxfer::check(UP, twice.as_bytes());
    assert_eq!(checked.verdict, Verdict::Violates, "{checked:?}");
    assert!(
        checked
            .violations
            .iter()
            .any(|v| v.path.starts_with("/services/1/paras")),
        "{checked:?}"
    );
}

#[test]
fn an_uncovered_event_does_not_hide_another_event_s_fault() {
    let unknown = r#"{"service_id":"$foo","event_type":"bar","paras":{}}"#;
    let bad = r#"{"service_id":"$ota","event_type":"version_report","paras":{"fw_version":7}}"#;
    let good =
        r#"{"service_id":"$file_manager","event_type":"get_upload_url","paras":{"file_name":"a"}}"#;
    for events in [[good, unknown, bad], [good, bad, unknown]] {
        let payload = format!(r#"{{"services":[{}]}}"#, events.join(","));
        let checked = iotxfer::check(UP, payload.as_bytes());
        assert_eq!(checked.verdict, Verdict::Violates, "{payload}");
        assert_eq!(checked.violations.len(), 1, "{checked:?}");
        assert!(checked.violations[0].path.ends_with("/paras/fw_version"));
    }
    let payload = format!(r#"{{"services":[{good},{unknown}]}}"#);
    assert_eq!(
        iotxfer::check(UP, payload.as_bytes()).verdict,
        Verdict::NotCovered
    );
    let err = iotxfer::decode_all(UP, payload.as_bytes()).expect_err("an uncovered event");
    assert_eq!(err.path(), Some("/services/1"));
}

#[test]
fn a_batch_too_costly_to_split_is_refused_quickly() {
    let filler = "x".repeat(300_000);
    let event = r#"{"service_id":"$ota","event_type":"version_report","paras":{"fw_version":"1"}}"#;
    let other =
        r#"{"service_id":"$file_manager","event_type":"get_upload_url","paras":{"file_name":"a"}}"#;
    let events: Vec<&str> = (0..2000)
        .map(|i| if i % 2 == 0 { event } else { other })
        .collect();
    let payload = format!(r#"{{"zz":"{filler}","services":[{}]}}"#, events.join(","));
    let err = iotxfer::decode_all(UP, payload.as_bytes()).expect_err("too costly");
    assert!(err.to_string().contains("too large to split"), "{err}");
    assert_eq!(
        iotxfer::check(UP, payload.as_bytes()).verdict,
        Verdict::Violates
    );
}

#[test]
fn a_duplicate_list_is_refused_as_decode_refuses_it() {
    let a = r#"{"service_id":"$ota","event_type":"version_report","paras":{"fw_version":"1"}}"#;
    let b =
        r#"{"service_id":"$file_manager","event_type":"get_upload_url","paras":{"file_name":"a"}}"#;
    let payload = format!(r#"{{"services":[{a},{b}],"services":[{a}]}}"#);
    let whole = iotxfer::decode(UP, payload.as_bytes());
    let all = iotxfer::decode_all(UP, payload.as_bytes());
    assert!(whole.is_err() && all.is_err(), "{whole:?} {all:?}");
}
