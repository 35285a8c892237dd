//! The JSON Schemas of messages and topics (feature `schemars`).

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Value, json};

use super::{MessageInfo, TopicInfo, messages};
use crate::Body;

impl MessageInfo {
    /// The JSON Schema (draft 2020-12) of the whole MQTT payload of the message, envelope
    /// included: the documented contract (feature `schemars`).
    pub fn schema(&self) -> Schema {
        let mut schema = (self.schema)();
        describe(
            &mut schema,
            self.id,
            &format!(
                "{} Topic `{}`, {}.",
                self.summary, self.topic, self.direction
            ),
        );
        schema
    }
}

impl TopicInfo {
    /// The JSON Schema of any payload of a message defined on this topic: one of the messages'
    /// schemas, told apart by their discriminators. `None` for a topic that carries no message
    /// defined here (feature `schemars`).
    pub fn schema(&self) -> Option<Schema> {
        if self.messages.is_empty() {
            return None;
        }
        let mut generator = settings().into_generator();
        let one_of: Vec<Value> = messages()
            .iter()
            .filter(|m| self.messages.contains(&m.id))
            .map(|m| {
                let mut branch = (m.subschema)(&mut generator);
                branch.insert("title".into(), json!(m.id));
                branch.to_value()
            })
            .collect();
        let mut schema = Schema::default();
        schema.insert("oneOf".into(), Value::Array(one_of));
        schema.insert(
            "$defs".into(),
            Value::Object(generator.take_definitions(true)),
        );
        let id = format!("{}/topics/{}", self.vendor, self.name);
        let summary = format!(
            "Any payload of a message defined on `{}`, {}.",
            self.pattern, self.direction
        );
        describe(&mut schema, &id, &summary);
        Some(schema)
    }
}

/// Draft 2020-12, as schemars writes it.
fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
}

/// Puts `$schema`, `title` and `description` first, where a reader looks for them.
fn describe(schema: &mut Schema, title: &str, description: &str) {
    let mut ordered = serde_json::Map::new();
    ordered.insert("$schema".into(), json!(settings().meta_schema));
    ordered.insert("title".into(), json!(title));
    ordered.insert("description".into(), json!(description));
    if let Some(object) = schema.as_object_mut() {
        for (key, value) in std::mem::take(object) {
            ordered.entry(key).or_insert(value);
        }
        *object = ordered;
    }
}

/// The root schema of a message's payload; generated code points [`MessageInfo`] here.
pub(crate) fn root_schema<B: Body>() -> Schema {
    settings()
        .into_generator()
        .into_root_schema_for::<B::Payload>()
}

/// A message's payload schema inside a shared generator, for a topic's schema.
pub(crate) fn subschema<B: Body>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<B::Payload>()
}
