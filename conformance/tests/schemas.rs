//! The committed JSON Schemas in `schema/json/` and `schema/draft-07/` are exactly what the
//! types generate.

use iotxfer::catalog::Dialect;
use iotxfer::dji::firmware::OtaProgress;
use iotxfer::dji::log_upload::LogResult;
use iotxfer::dji::{Envelope, Module, TaskStatus};
use iotxfer_conformance::{export, schemas};
use serde_json::{Value, json};

const REFRESH: &str = "conformance/tools/regenerate.sh";

#[test]
fn committed_schemas_match_the_types() {
    for dialect in [Dialect::Draft2020_12, Dialect::Draft07] {
        let dir = schemas::committed_dir(dialect);
        if std::env::var_os("IOTXFER_BLESS").is_some() {
            schemas::write_dir(&dir, dialect)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.display()));
        }
        let drift = export::drift(&dir, &schemas::files(dialect), schemas::SUFFIX);
        assert!(
            drift.is_empty(),
            "{}/ differs from the types:\n  {}\nrefresh with: {REFRESH}",
            schemas::home(dialect),
            drift.join("\n  ")
        );
    }
}

#[test]
fn foreign_keywords_are_found_at_any_depth() {
    let schema = json!({
        "properties": { "a": { "type": "integer", "format": "int64" } },
        "$defs": { "B": { "oneOf": [{ "x-unit": "ms" }] } },
        "definitions": {}
    });
    assert_eq!(
        schemas::foreign_keywords(&schema, Dialect::Draft2020_12),
        ["definitions", "x-unit", "format"]
    );
    assert_eq!(
        schemas::foreign_keywords(&schema, Dialect::Draft07),
        ["$defs", "x-unit", "format"]
    );
}

#[test]
fn every_message_and_covered_topic_has_a_schema_file() {
    for (dialect, meta) in [
        (
            Dialect::Draft2020_12,
            "https://json-schema.org/draft/2020-12/schema",
        ),
        (Dialect::Draft07, "http://json-schema.org/draft-07/schema#"),
    ] {
        let files = schemas::files(dialect);
        for m in iotxfer::catalog::messages() {
            assert!(
                files.contains_key(&format!("{}.schema.json", m.id)),
                "{}",
                m.id
            );
        }
        let covered = iotxfer::catalog::topics()
            .iter()
            .filter(|t| !t.messages.is_empty())
            .count();
        assert_eq!(files.len(), iotxfer::catalog::messages().len() + covered);
        for (path, text) in &files {
            let schema: Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(schema["$schema"], meta, "{path}");
            assert!(
                jsonschema::meta::is_valid(&schema),
                "{path} is not a valid JSON Schema"
            );
            let foreign = schemas::foreign_keywords(&schema, dialect);
            assert!(
                foreign.is_empty(),
                "{path}: keywords outside {meta}: {foreign:?}"
            );
        }
    }
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

    // A code table that is not exhaustive lists no values: any integer goes.
    let schema = serde_json::to_value(schemars::schema_for!(LogResult)).unwrap();
    assert!(
        schema.get("enum").is_none() && schema["type"] == "integer",
        "{schema}"
    );
}
