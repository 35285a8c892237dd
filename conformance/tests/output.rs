//! The JSON output of `iotxfer check`, as CI jobs parse it: documented by a JSON Schema of its
//! own, committed and kept equal to what the types say, and every object the checker prints
//! valid against it.

use std::process::Command;

use iotxfer::catalog::Dialect;
use iotxfer_conformance::checker::output_schema;
use iotxfer_conformance::schemas;
use serde_json::Value;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/check-output.schema.json");

/// The committed schema is the one the output types give; `IOTXFER_BLESS=1` rewrites it.
#[test]
fn the_committed_output_schema_is_current() {
    let expected = output_schema();
    if std::env::var_os("IOTXFER_BLESS").is_some() {
        std::fs::write(SCHEMA, &expected).expect("write the schema");
        return;
    }
    let committed = std::fs::read_to_string(SCHEMA).unwrap_or_default();
    assert!(
        committed == expected,
        "{SCHEMA} is stale; refresh with: bash conformance/tools/regenerate.sh"
    );
}

/// The schema loads in every validator as the message schemas do: nothing outside the JSON
/// Schema vocabulary, no `format`.
#[test]
fn the_output_schema_uses_only_the_vocabulary() {
    let schema: Value = serde_json::from_str(&output_schema()).expect("JSON");
    let foreign = schemas::foreign_keywords(&schema, Dialect::Draft2020_12);
    assert!(foreign.is_empty(), "{foreign:?}");
}

/// Every object of `--format json`, verdicts and conversation findings alike, with and
/// without flows, validates against the committed schema.
#[test]
fn every_output_object_validates() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA).expect("the schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let captures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/captures");
    let mut files: Vec<_> = std::fs::read_dir(captures)
        .expect("the captures")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let (mut findings, mut verdicts) = (0, 0);
    for flows in [&[][..], &["--no-flows"][..]] {
        let output = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
            .args(["check", "--format", "json"])
            .args(flows)
            .args(&files)
            .output()
            .expect("iotxfer runs");
        for line in String::from_utf8(output.stdout).expect("UTF-8").lines() {
            let object: Value = serde_json::from_str(line).expect("one JSON object per line");
            if let Err(e) = validator.validate(&object) {
                panic!("{line}: {e}");
            }
            match object.get("rule") {
                Some(_) => findings += 1,
                None => verdicts += 1,
            }
        }
    }
    assert!(
        findings > 0 && verdicts > 0,
        "{findings} findings, {verdicts} verdicts"
    );
}
