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
            let mut keywords = Vec::new();
            keywords_of(&schema, &mut keywords);
            let foreign: Vec<_> = keywords
                .iter()
                .filter(|k| !vocabulary(dialect).contains(k))
                .collect();
            assert!(
                foreign.is_empty(),
                "{path}: keywords outside {meta}: {foreign:?}"
            );
        }
    }
}

/// The keywords the schemas may use: those of the dialect's vocabulary that they need, and no
/// `format` (validators in strict mode refuse a format they do not know), no extension.
fn vocabulary(dialect: Dialect) -> &'static [&'static str] {
    const SHARED: &[&str] = &[
        "$schema",
        "$ref",
        "title",
        "description",
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
    ];
    const DRAFT_2020_12: &[&str] = &["$defs"];
    const DRAFT_07: &[&str] = &["definitions"];
    let own = match dialect {
        Dialect::Draft2020_12 => DRAFT_2020_12,
        Dialect::Draft07 => DRAFT_07,
    };
    static ALL: std::sync::OnceLock<[Vec<&str>; 2]> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        [DRAFT_2020_12, DRAFT_07].map(|own| SHARED.iter().chain(own).copied().collect())
    });
    &all[usize::from(own == DRAFT_07)]
}

/// Every keyword of a schema and of its subschemas.
fn keywords_of<'a>(schema: &'a Value, out: &mut Vec<&'a str>) {
    let Value::Object(members) = schema else {
        return;
    };
    for (keyword, value) in members {
        out.push(keyword);
        match (keyword.as_str(), value) {
            ("properties" | "$defs" | "definitions", Value::Object(named)) => {
                named.values().for_each(|s| keywords_of(s, out));
            }
            ("oneOf" | "anyOf" | "allOf" | "items", Value::Array(list)) => {
                list.iter().for_each(|s| keywords_of(s, out));
            }
            ("items" | "not" | "additionalProperties", subschema) => keywords_of(subschema, out),
            _ => {}
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
