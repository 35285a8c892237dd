//! The exported JSON Schemas: one file per message id, one per topic.
//!
//! `schema/json/<vendor>/<family>/<message>.schema.json` validates the whole MQTT payload of a
//! message; `schema/json/<vendor>/topics/<topic>.schema.json` accepts any payload of a message
//! defined on that topic. The files are generated from the Rust types (schemars) and committed;
//! a test fails when they drift.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iotxfer::catalog;
use serde_json::Value;

/// The schema files, by path relative to `schema/json/`, as they are written: pretty JSON with a
/// final newline.
pub fn files() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for m in catalog::messages() {
        files.insert(
            format!("{}.schema.json", m.id),
            text(&m.schema().to_value()),
        );
    }
    for t in catalog::topics() {
        if let Some(schema) = t.schema() {
            files.insert(
                format!("{}/topics/{}.schema.json", t.vendor, t.name),
                text(&schema.to_value()),
            );
        }
    }
    files
}

fn text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The directory the schemas are committed in.
pub fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/json")
}

/// Every `*.schema.json` under `dir`, by path relative to it.
pub fn read_dir(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_string_lossy().ends_with(".schema.json") {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(relative, std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(out)
}

/// Writes the schema files into `dir` and removes stale `*.schema.json` files there.
pub fn write_dir(dir: &Path) -> std::io::Result<()> {
    let files = files();
    for stale in read_dir(dir)
        .unwrap_or_default()
        .keys()
        .filter(|k| !files.contains_key(*k))
    {
        std::fs::remove_file(dir.join(stale))?;
    }
    for (relative, text) in &files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text)?;
        }
    }
    Ok(())
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
