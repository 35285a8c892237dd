//! The AsyncAPI documents committed in `schema/asyncapi/` are exactly what the definitions
//! generate, and say what the catalog says: every covered topic a channel, every request an
//! operation with its reply. CI validates them with the official parser
//! (`conformance/tools/asyncapi.js`).

use iotxfer::catalog;
use iotxfer_conformance::{asyncapi, export};
use serde_json::Value;

const REFRESH: &str = "conformance/tools/regenerate.sh";

#[test]
fn committed_documents_match_the_definitions() {
    let dir = export::committed(asyncapi::HOME);
    let files = asyncapi::files();
    if std::env::var_os("IOTXFER_BLESS").is_some() {
        export::write_dir(&dir, &files, asyncapi::SUFFIX)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.display()));
    }
    let drift = export::drift(&dir, &files, asyncapi::SUFFIX);
    assert!(
        drift.is_empty(),
        "{}/ differs from the definitions:\n  {}\nrefresh with: {REFRESH}",
        asyncapi::HOME,
        drift.join("\n  ")
    );
}

fn documents() -> Vec<(&'static str, Value)> {
    catalog::vendors()
        .iter()
        .map(|v| (v.id, asyncapi::document(v)))
        .collect()
}

/// The value a local reference (`#/a/b`) points at, following references to references.
fn resolve<'a>(document: &'a Value, reference: &Value) -> &'a Value {
    let pointer = reference["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix('#'))
        .unwrap_or_else(|| panic!("not a local reference: {reference}"));
    let target = document
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} does not resolve"));
    if target.get("$ref").is_some() {
        resolve(document, target)
    } else {
        target
    }
}

#[test]
fn every_covered_topic_is_a_channel_with_its_messages() {
    for (vendor, document) in documents() {
        for t in catalog::topics()
            .iter()
            .filter(|t| t.vendor == vendor && !t.messages.is_empty())
        {
            let channel = &document["channels"][t.name];
            assert_eq!(channel["address"], t.pattern, "{vendor}/{}", t.name);
            for p in t.params {
                assert!(channel["parameters"][p.name]["description"].is_string());
            }
            let names: Vec<&str> = channel["messages"]
                .as_object()
                .expect("messages")
                .values()
                .map(|m| resolve(&document, m)["name"].as_str().expect("a name"))
                .collect();
            assert_eq!(names, t.messages, "{vendor}/{}", t.name);
        }
    }
}

#[test]
fn every_request_is_an_operation_with_its_reply() {
    for (vendor, document) in documents() {
        let operations = document["operations"].as_object().expect("operations");
        for m in catalog::messages().iter().filter(|m| m.vendor == vendor) {
            let key = format!("{}.{}", m.family, m.name);
            let Some(operation) = operations.get(&key) else {
                assert!(m.request.is_some(), "{}: no operation", m.id);
                continue;
            };
            let action = match m.direction {
                iotxfer::Direction::Up => "send",
                iotxfer::Direction::Down => "receive",
            };
            assert_eq!(operation["action"], action, "{}", m.id);
            let sent = resolve(&document, &operation["messages"][0]);
            assert_eq!(sent["name"], m.id);
            let reply = operation["reply"]["messages"]
                .get(0)
                .map(|r| resolve(&document, r)["name"].clone());
            assert_eq!(reply.as_ref().and_then(Value::as_str), m.reply, "{}", m.id);
        }
    }
}

#[test]
fn every_reference_resolves() {
    fn walk(document: &Value, value: &Value) {
        match value {
            Value::Object(members) => {
                if members.contains_key("$ref") {
                    resolve(document, value);
                }
                members.values().for_each(|v| walk(document, v));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(document, v)),
            _ => {}
        }
    }
    for (_, document) in documents() {
        walk(&document, &document);
    }
}

#[test]
fn dji_replies_carry_the_request_tid() {
    let document = asyncapi::document(&catalog::vendors()[0]);
    let reply = &document["components"]["messages"]["firmware.ota_create_reply"];
    assert_eq!(reply["correlationId"]["location"], "$message.payload#/tid");
    let request = &document["components"]["messages"]["firmware.ota_create"];
    assert_eq!(
        request["correlationId"]["location"],
        "$message.payload#/tid"
    );
    let qos = &document["operations"]["firmware.ota_create"]["bindings"]["mqtt"]["qos"];
    assert_eq!(qos, 0, "DJI's demo publishes services at QoS 0");
}

#[test]
fn a_type_name_two_families_give_takes_the_family_name() {
    let tencent = catalog::vendors()
        .iter()
        .find(|v| v.id == "tencent")
        .expect("tencent");
    let document = asyncapi::document(tencent);
    let schemas = &document["components"]["schemas"];
    for name in [
        "OtaReportVersion",
        "FileManagementReportVersion",
        "TransferState",
    ] {
        assert!(schemas.get(name).is_some(), "{name}");
    }
    assert!(schemas.get("ReportVersion").is_none());
    let payload = &document["components"]["messages"]["ota.report_version"]["payload"];
    assert_eq!(payload["$ref"], "#/components/schemas/OtaReportVersion");
}
