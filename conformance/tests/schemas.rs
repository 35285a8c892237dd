//! The committed JSON Schemas in `schema/json/` are exactly what the types generate.

use iotxfer_conformance::schemas;

const REFRESH: &str = "IOTXFER_BLESS=1 cargo test -p iotxfer-conformance --test schemas";

#[test]
fn committed_schemas_match_the_types() {
    let dir = schemas::committed_dir();
    if std::env::var_os("IOTXFER_BLESS").is_some() {
        schemas::write_dir(&dir).unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.display()));
    }
    let generated = schemas::files();
    let committed = schemas::read_dir(&dir).unwrap_or_default();
    let mut drift = Vec::new();
    for (path, text) in &generated {
        match committed.get(path) {
            None => drift.push(format!("missing: {path}")),
            Some(old) if old != text => drift.push(format!("changed: {path}")),
            Some(_) => {}
        }
    }
    drift.extend(
        committed
            .keys()
            .filter(|p| !generated.contains_key(*p))
            .map(|p| format!("stale: {p}")),
    );
    assert!(
        drift.is_empty(),
        "schema/json/ differs from the types:\n  {}\nrefresh with: {REFRESH}",
        drift.join("\n  ")
    );
}

#[test]
fn every_message_and_covered_topic_has_a_schema_file() {
    let files = schemas::files();
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
        let schema: serde_json::Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{path}"
        );
        assert!(
            jsonschema::meta::is_valid(&schema),
            "{path} is not a valid JSON Schema"
        );
    }
}
