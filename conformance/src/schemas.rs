//! The exported JSON Schemas: one file per message id, one per topic.
//!
//! `schema/json/<vendor>/<family>/<message>.schema.json` validates the whole MQTT payload of a
//! message; `schema/json/<vendor>/topics/<topic>.schema.json` accepts any payload of a message
//! defined on that topic. The files are generated from the Rust types (schemars) and committed;
//! a test fails when they drift. `schema/draft-07/` holds the same schemas in draft-07, for the
//! tools that read no later draft.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iotxfer::catalog::{self, Dialect};
use serde_json::Value;

use crate::export::{self, Files};

/// The name every schema file ends with.
pub const SUFFIX: &str = ".schema.json";

/// The schema files of a dialect, by path relative to its directory, as they are written:
/// pretty JSON with a final newline.
pub fn files(dialect: Dialect) -> Files {
    let mut files = Files::new();
    for m in catalog::messages() {
        files.insert(
            format!("{}{SUFFIX}", m.id),
            export::json_text(&m.schema_in(dialect).to_value()),
        );
    }
    for t in catalog::topics() {
        if let Some(schema) = t.schema_in(dialect) {
            files.insert(
                format!("{}/topics/{}{SUFFIX}", t.vendor, t.name),
                export::json_text(&schema.to_value()),
            );
        }
    }
    files
}

/// The directory a dialect's schemas are committed in, relative to the repository:
/// `schema/json` (2020-12, the contract's own) or `schema/draft-07`.
pub fn home(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Draft2020_12 => "schema/json",
        Dialect::Draft07 => "schema/draft-07",
    }
}

/// The directory a dialect's schemas are committed in.
pub fn committed_dir(dialect: Dialect) -> PathBuf {
    export::committed(home(dialect))
}

/// Every schema file under `dir`, by path relative to it.
pub fn read_dir(dir: &Path) -> std::io::Result<Files> {
    export::read_dir(dir, SUFFIX)
}

/// Writes a dialect's schema files into `dir` and removes stale schema files there.
pub fn write_dir(dir: &Path, dialect: Dialect) -> std::io::Result<()> {
    export::write_dir(dir, &files(dialect), SUFFIX, ours)
}

/// A schema file an export wrote: its title is its path, less the suffix.
fn ours(path: &str, text: &str) -> bool {
    let title = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("title").cloned());
    title.as_ref().and_then(Value::as_str) == path.strip_suffix(SUFFIX)
}

/// The keywords the exported schemas may use: those of the dialect's vocabulary that they
/// need. No `format` (a validator in strict mode, ajv's default, refuses a format it does not
/// know) and no extension (`x-...`, `discriminator`).
fn vocabulary(dialect: Dialect) -> [&'static [&'static str]; 2] {
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
        // A field that a sibling's value requires (`required_when`); both are in draft-07 and
        // in AsyncAPI's schema format.
        "if",
        "then",
    ];
    match dialect {
        Dialect::Draft2020_12 => [SHARED, &["$defs"]],
        Dialect::Draft07 => [SHARED, &["definitions"]],
    }
}

/// The keywords of `schema` and its subschemas that are not in the vocabulary of the exported
/// schemas in `dialect`.
pub fn foreign_keywords(schema: &Value, dialect: Dialect) -> Vec<String> {
    let allowed = vocabulary(dialect);
    let mut foreign = Vec::new();
    let mut pending = vec![schema];
    while let Some(Value::Object(members)) = pending.pop() {
        for (keyword, value) in members {
            if !allowed.iter().any(|list| list.contains(&keyword.as_str())) {
                foreign.push(keyword.clone());
            }
            match (keyword.as_str(), value) {
                ("properties" | "$defs" | "definitions", Value::Object(named)) => {
                    pending.extend(named.values());
                }
                ("oneOf" | "anyOf" | "allOf" | "items", Value::Array(list)) => pending.extend(list),
                ("items" | "not" | "additionalProperties" | "if" | "then", subschema) => {
                    pending.push(subschema)
                }
                _ => {}
            }
        }
    }
    foreign
}

/// Why a schema could not be compiled.
#[derive(Debug, thiserror::Error)]
#[error("the schema of `{id}` does not compile: {reason}")]
pub struct CompileError {
    id: String,
    reason: String,
}

/// Every message and topic schema, compiled once by the `jsonschema` crate.
pub struct Validators {
    messages: BTreeMap<&'static str, jsonschema::Validator>,
    topics: BTreeMap<&'static str, jsonschema::Validator>,
}

impl Validators {
    /// Compiles every schema.
    pub fn new() -> Result<Self, CompileError> {
        let compile = |id: &str, schema: &Value| {
            jsonschema::validator_for(schema).map_err(|e| CompileError {
                id: id.to_owned(),
                reason: e.to_string(),
            })
        };
        let mut messages = BTreeMap::new();
        for m in catalog::messages() {
            messages.insert(m.id, compile(m.id, &m.schema().to_value())?);
        }
        let mut topics = BTreeMap::new();
        for t in catalog::topics() {
            if let Some(schema) = t.schema() {
                topics.insert(t.pattern, compile(t.pattern, &schema.to_value())?);
            }
        }
        Ok(Self { messages, topics })
    }

    /// The validator of a message id.
    pub fn message(&self, id: &str) -> Option<&jsonschema::Validator> {
        self.messages.get(id)
    }

    /// The validator of a topic pattern, for a topic that carries messages defined here.
    pub fn topic(&self, pattern: &str) -> Option<&jsonschema::Validator> {
        self.topics.get(pattern)
    }

    /// The schema's verdict on raw payload bytes: valid only if they are JSON and validate.
    pub fn accepts(validator: &jsonschema::Validator, payload: &[u8]) -> bool {
        serde_json::from_slice::<Value>(payload).is_ok_and(|value| validator.is_valid(&value))
    }
}
