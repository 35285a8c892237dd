//! The AsyncAPI documents committed in `schema/asyncapi/` are exactly what the definitions
//! generate, and say what the catalog says: every covered topic a channel, every request an
//! operation with its reply. CI validates them with the official parser
//! (`conformance/tools/asyncapi.js`).

use iotxfer::catalog::{self, Dialect};
use iotxfer_conformance::{asyncapi, export, schemas};
use serde_json::Value;

const REFRESH: &str = "conformance/tools/regenerate.sh";

#[test]
fn committed_documents_match_the_definitions() {
    let dir = export::committed(asyncapi::HOME);
    let files = asyncapi::files();
    if std::env::var_os("IOTXFER_BLESS").is_some() {
        asyncapi::write_dir(&dir).unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.display()));
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
            let mut names: Vec<&str> = channel["messages"]
                .as_object()
                .expect("messages")
                .values()
                .map(|m| resolve(&document, m)["name"].as_str().expect("a name"))
                .collect();
            let mut defined = t.messages.to_vec();
            names.sort();
            defined.sort();
            assert_eq!(names, defined, "{vendor}/{}", t.name);
        }
    }
}

#[test]
fn every_request_is_an_operation_with_its_reply() {
    for (vendor, document) in documents() {
        let operations = document["operations"].as_object().expect("operations");
        for m in catalog::messages().iter().filter(|m| m.vendor == vendor) {
            let Some(operation) = operations.get(&asyncapi::key(m)) else {
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

fn document_of(vendor: &str) -> Value {
    let vendor = catalog::vendors().iter().find(|v| v.id == vendor);
    asyncapi::document(vendor.expect("a vendor"))
}

#[test]
fn dji_replies_carry_the_request_tid() {
    let document = document_of("dji");
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

/// A field that names a device is no correlation id: Huawei's replies copy the request's
/// `object_device_id`, which every exchange of the device shares.
#[test]
fn only_a_field_that_names_an_exchange_is_a_correlation_id() {
    let huawei = document_of("huawei");
    let response = &huawei["components"]["messages"]["file_manager.get_upload_url_response"];
    assert!(response.get("correlationId").is_none(), "{response}");
    let tencent = document_of("tencent");
    let response = &tencent["components"]["messages"]["file_management.request_url_resp"];
    assert_eq!(
        response["correlationId"]["location"],
        "$message.payload#/request_id"
    );
}

/// The payloads and the types they use keep to draft-07's vocabulary, as AsyncAPI's schema
/// format extends it, with no `format`.
#[test]
fn payload_schemas_use_only_the_draft_07_vocabulary() {
    for (vendor, document) in documents() {
        let components = &document["components"];
        let payloads = components["messages"]
            .as_object()
            .expect("messages")
            .values()
            .map(|m| &m["payload"]);
        let types = components["schemas"].as_object().expect("schemas").values();
        for schema in payloads.chain(types) {
            let foreign = schemas::foreign_keywords(schema, Dialect::Draft07);
            assert!(foreign.is_empty(), "{vendor}: {foreign:?} in {schema}");
        }
    }
}

#[test]
fn a_conditional_reply_says_when_it_is_due() {
    let operation = &document_of("dji")["operations"]["firmware.ota_progress"];
    assert_eq!(
        operation["description"],
        "The reply is due only when `need_reply` is 1 in the request."
    );
}
