//! Wire forms: enums, discriminators, optional fields, and the closed enums of the schemas.

use iotxfer::dji::firmware::{FirmwareUpgradeType, OtaCreate, OtaDevice, OtaProgress};
use iotxfer::dji::{Envelope, Module, TaskStatus};
use iotxfer::{Body, Tag};
use serde_json::{Value, json};

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
fn schemas_state_the_documented_contract() {
    let schema = serde_json::to_value(schemars::schema_for!(TaskStatus)).unwrap();
    assert_eq!(
        schema["enum"],
        json!([
            "canceled",
            "failed",
            "in_progress",
            "ok",
            "paused",
            "rejected",
            "sent",
            "timeout"
        ])
    );
    assert_eq!(
        serde_json::to_value(schemars::schema_for!(Module)).unwrap()["enum"],
        json!(["0", "3"])
    );

    let schema = serde_json::to_value(schemars::schema_for!(Envelope<OtaProgress>)).unwrap();
    let method = &schema["properties"]["method"];
    assert_eq!(
        (&method["type"], &method["const"]),
        (&json!("string"), &json!("ota_progress"))
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, ["tid", "bid", "timestamp", "method", "data"]);
    let percent = &schema["$defs"]["OtaProgressDetail"]["properties"]["percent"];
    assert_eq!(
        (percent["minimum"].clone(), percent["maximum"].clone()),
        (json!(0), json!(100))
    );
}
