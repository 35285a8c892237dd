//! Wire forms: enums, discriminators, optional fields, and code tables.

use iotxfer::dji::firmware::{FirmwareUpgradeType, OtaCreate, OtaDevice, OtaProgress};
use iotxfer::dji::{Envelope, Module, TaskStatus};
use iotxfer::{Body, Tag};
use serde_json::json;

#[test]
fn an_int_enum_sent_as_string_reads_both_forms_and_writes_the_documented_one() {
    assert_eq!(serde_json::to_value(Module::Dock).unwrap(), json!("3"));
    assert_eq!(
        serde_json::from_value::<Module>(json!("3")).unwrap(),
        Module::Dock
    );
    assert_eq!(
        serde_json::from_value::<Module>(json!(0)).unwrap(),
        Module::Aircraft
    );
    let other = serde_json::from_value::<Module>(json!("7")).unwrap();
    assert_eq!(other.value(), 7);
    assert!(!other.is_documented());
    assert_eq!(serde_json::to_value(&other).unwrap(), json!("7"));
    assert!(serde_json::from_value::<Module>(json!("dock")).is_err());
    assert!(serde_json::from_value::<Module>(json!(u64::MAX)).is_err());
    assert!(serde_json::from_value::<Module>(json!(null)).is_err());
}

#[test]
fn an_int_enum_is_written_as_an_integer() {
    assert_eq!(
        serde_json::to_value(FirmwareUpgradeType::Normal).unwrap(),
        json!(3)
    );
    assert_eq!(
        serde_json::from_value::<FirmwareUpgradeType>(json!(2)).unwrap(),
        FirmwareUpgradeType::Consistency
    );
}

#[test]
fn a_string_enum_keeps_undocumented_values() {
    let status: TaskStatus = serde_json::from_value(json!("resuming")).unwrap();
    assert!(!status.is_documented());
    assert_eq!(serde_json::to_value(&status).unwrap(), json!("resuming"));
    assert!(serde_json::from_value::<TaskStatus>(json!(1)).is_err());
}

#[test]
fn a_discriminator_only_takes_its_own_value() {
    let tag: Tag<OtaProgress> = Tag::new();
    assert_eq!(tag.value(), "ota_progress");
    assert_eq!(serde_json::to_value(tag).unwrap(), json!("ota_progress"));
    assert!(serde_json::from_value::<Tag<OtaProgress>>(json!("ota_progress")).is_ok());
    let err = serde_json::from_value::<Tag<OtaProgress>>(json!("ota_create")).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected `ota_progress`, found `ota_create`"),
        "{err}"
    );
}

#[test]
fn a_built_message_serializes_as_the_documents_show() {
    let message: <OtaCreate as Body>::Payload = Envelope {
        tid: "t".into(),
        bid: "b".into(),
        timestamp: 1,
        method: Tag::new(),
        gateway: None,
        need_reply: None,
        data: OtaCreate {
            devices: vec![OtaDevice {
                sn: "NM1923221021".into(),
                product_version: "1.2.0.69".into(),
                file_url: "http://192.168.1.1:9000/public/a.uav".into(),
                md5: "d1c9dacec124abd350379eb44b9143e5".into(),
                file_size: 603_696_942,
                file_name: "a.uav".into(),
                firmware_upgrade_type: FirmwareUpgradeType::Normal,
            }],
        },
    };
    let text = serde_json::to_string(&message).unwrap();
    // Envelope order, the method from the body type, no absent optional fields.
    assert!(
        text.starts_with(r#"{"tid":"t","bid":"b","timestamp":1,"method":"ota_create","data":"#),
        "{text}"
    );
    assert!(
        !text.contains("gateway") && !text.contains("null"),
        "{text}"
    );
    let decoded = iotxfer::decode("thing/product/NM1923221021/services", text.as_bytes()).unwrap();
    let iotxfer::Message::DjiFirmwareOtaCreate(received) = decoded else {
        panic!("{decoded:?}")
    };
    assert_eq!(received.payload, message);
}

#[test]
fn a_code_table_that_is_not_exhaustive_accepts_codes_it_does_not_list() {
    use iotxfer::dji::log_upload::LogResult;
    assert_eq!(
        serde_json::from_value::<LogResult>(json!(324013)).unwrap(),
        LogResult::ListFailed
    );
    let other: LogResult = serde_json::from_value(json!(324999)).unwrap();
    assert!(!other.is_documented());
    assert_eq!(other.value(), 324999);
    let payload = br#"{"tid":"t","bid":"b","timestamp":1,"method":"fileupload_start","data":{"result":324999}}"#;
    let checked = iotxfer::check("thing/product/GW/services_reply", payload);
    assert_eq!(
        checked.verdict,
        iotxfer::Verdict::Conforms,
        "{:?}",
        checked.violations
    );
}

#[test]
fn an_int_sent_as_a_string_reads_a_number_too_but_the_contract_is_the_string() {
    use iotxfer::tencent::ota::UpgradeResult;
    let topic = "$ota/report/P/D";
    let text = br#"{"type":"report_progress","report":{"progress":{"state":"downloading","percent":"10","result_code":"0","result_msg":""},"version":"0.2"}}"#;
    let numbers = br#"{"type":"report_progress","report":{"progress":{"state":"downloading","percent":10,"result_code":0,"result_msg":""},"version":"0.2"}}"#;
    let checked = iotxfer::check(topic, text);
    assert_eq!(
        checked.verdict,
        iotxfer::Verdict::Conforms,
        "{:?}",
        checked.violations
    );
    let Some(iotxfer::Message::TencentOtaReportProgress(received)) = checked.decoded else {
        panic!()
    };
    assert_eq!(received.payload.report.progress.percent, Some(10));
    assert_eq!(
        received.payload.report.progress.result_code,
        UpgradeResult::Success
    );

    let checked = iotxfer::check(topic, numbers);
    assert_eq!(checked.verdict, iotxfer::Verdict::Violates);
    let paths: Vec<&str> = checked.violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/report/progress/percent", "/report/progress/result_code"]
    );
    assert!(checked.decoded.is_some(), "the decoder still reads numbers");
}

#[test]
fn a_free_form_field_takes_any_json() {
    let payload = br#"{"services":[{"service_id":"$ota","event_type":"version_query","paras":{"task_id":"t","task_ext_info":{"device_type":"DDC","n":[1,{"x":null}]}}}]}"#;
    let checked = iotxfer::check("$oc/devices/d1/sys/events/down", payload);
    assert_eq!(
        checked.verdict,
        iotxfer::Verdict::Conforms,
        "{:?}",
        checked.violations
    );
    assert!(
        checked.undocumented_fields.is_empty(),
        "{:?}",
        checked.undocumented_fields
    );
}

/// The violations of a check, by path.
fn paths(checked: &iotxfer::Checked) -> Vec<&str> {
    checked.violations.iter().map(|v| v.path.as_str()).collect()
}

#[test]
fn a_repeated_member_is_a_violation_and_the_last_one_stands() {
    // A repeated name is a violation of its own (RFC 8259 §4, I-JSON); otherwise, as in a
    // `serde_json::Value` and for a JSON Schema validator, the last occurrence stands.
    let payload = |ext: &str, extra: &str| {
        format!(
            r#"{{"services":[{{"service_id":"$ota","event_type":"version_query","paras":{{"task_id":"t","task_ext_info":{ext}{extra}}}}}]}}"#
        )
    };
    let check =
        |payload: String| iotxfer::check("$oc/devices/d1/sys/events/down", payload.as_bytes());

    let ext = "/services/0/paras/task_ext_info";
    for repeated in [
        r#"{"a":1,"b":[1],"a":2}"#,
        r#"{"a":2,"a":2}"#,
        r#"{"a":null,"a":null}"#,
    ] {
        let checked = check(payload(repeated, ""));
        assert_eq!(paths(&checked), [format!("{ext}/a")], "{repeated}");
        assert!(checked.violations[0].reason.contains("RFC 7493 §2.3"));
    }
    let checked = check(payload(r#"{"n":{"a":1,"a":1}}"#, ""));
    assert_eq!(paths(&checked), [format!("{ext}/n/a")]);

    // Inside members no definition names, too, however deep.
    let paras = "/services/0/paras";
    for (extra, at) in [
        (r#","u":{"a":1,"a":2}"#, "/u/a"),
        (r#","u":[{"a":1},{"b":{"c":null,"c":null}}]"#, "/u/1/b/c"),
    ] {
        let checked = check(payload("{}", extra));
        assert_eq!(paths(&checked), [format!("{paras}{at}")], "{extra}");
    }
    // A repeated member replaces the earlier one with what it found inside.
    let checked = check(payload("{}", r#","u":{"a":1,"a":2},"u":{}"#));
    assert_eq!(paths(&checked), [format!("{paras}/u")]);

    let checked = check(payload("{}", r#","x":1,"y":2,"x":3"#));
    assert_eq!(paths(&checked), ["/services/0/paras/x"]);
    assert_eq!(
        checked.undocumented_fields,
        ["/services/0/paras/x", "/services/0/paras/y"]
    );

    let checked = check(payload("{}", r#","x":1,"x":null"#));
    assert_eq!(paths(&checked), ["/services/0/paras/x"]);
    assert!(
        checked.undocumented_fields.is_empty(),
        "{:?}",
        checked.undocumented_fields
    );

    // Many members, repeated: the index that replaces the linear search keeps the last one too.
    let members: String = (0..40).map(|i| format!(r#","m{i}":{i}"#)).collect();
    let checked = check(payload(
        r#"{"a":1}"#,
        &format!(r#"{members}{members},"m3":null"#),
    ));
    // One violation per repeat: 40 names twice, and `m3` a third time.
    assert_eq!(checked.violations.len(), 41, "{:?}", checked.violations);
    assert_eq!(checked.undocumented_fields.len(), 39);
    assert!(
        !checked
            .undocumented_fields
            .contains(&"/services/0/paras/m3".to_owned())
    );
}

#[test]
fn every_value_of_an_undocumented_member_is_read_through() {
    // Skipping an undocumented member would miss what a `Value` and the schema validators see:
    // numbers out of range, lone surrogates, nesting past the recursion limit.
    let nested = format!(r#""z":{}{}"#, "[".repeat(200), "]".repeat(200));
    for extra in [
        r#""z":[1e400]"#,
        r#""z":{"q":-1e999}"#,
        r#""z":["\ud800"]"#,
        &nested,
    ] {
        let payload = format!(
            r#"{{"services":[{{"service_id":"$ota","event_type":"version_query","paras":{{"task_id":"t",{extra}}}}}]}}"#
        );
        let checked = iotxfer::check("$oc/devices/d1/sys/events/down", payload.as_bytes());
        assert_eq!(checked.verdict, iotxfer::Verdict::Violates, "{extra}");
    }
}
