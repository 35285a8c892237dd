//! The JSON Schemas of messages and topics (feature `schemars`).

use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::{MessageInfo, TopicInfo, messages};
use crate::Body;

/// A version of JSON Schema that the schemas can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Draft 2020-12: definitions under `$defs`.
    #[default]
    Draft2020_12,
    /// Draft-07, for the tools that read no later draft (AsyncAPI payloads, Modelina, older
    /// validators): definitions under `definitions`, no keyword beside a `$ref`.
    Draft07,
}

impl Dialect {
    /// How schemars writes the dialect, without a `format` keyword: the formats schemars
    /// writes for Rust integers and floats (`int64`, `double`) are no JSON Schema format, and
    /// validators in strict mode (ajv's default) refuse a schema with a format they do not
    /// know. The bounds they stand for are in `minimum` and `maximum`.
    pub fn settings(self) -> SchemaSettings {
        let settings = match self {
            Dialect::Draft2020_12 => SchemaSettings::draft2020_12(),
            Dialect::Draft07 => SchemaSettings::draft07(),
        };
        settings.with_transform(no_formats())
    }
}

/// Removes every `format` keyword, keeping the order of the others.
fn no_formats() -> RecursiveTransform<fn(&mut Schema)> {
    RecursiveTransform(|schema| {
        // Rebuilt rather than `remove`d: with serde_json's `preserve_order`, `remove` moves
        // the last keyword into its place, and `shift_remove` exists only with that feature.
        if let Some(object) = schema.as_object_mut().filter(|o| o.contains_key("format")) {
            *object = std::mem::take(object)
                .into_iter()
                .filter(|(keyword, _)| keyword != "format")
                .collect();
        }
    })
}

impl MessageInfo {
    /// The JSON Schema (draft 2020-12) of the whole MQTT payload of the message, envelope
    /// included: the documented contract (feature `schemars`).
    pub fn schema(&self) -> Schema {
        self.schema_in(Dialect::Draft2020_12)
    }

    /// [`schema`](Self::schema) in another dialect.
    pub fn schema_in(&self, dialect: Dialect) -> Schema {
        let mut schema = (self.schema)(dialect.settings());
        describe(
            &mut schema,
            dialect,
            self.id,
            &format!(
                "{} Topic `{}`, {}.",
                self.summary, self.topic, self.direction
            ),
        );
        schema
    }

    /// The payload schema inside a generator that several schemas share: the types it uses
    /// are left in the generator's definitions, and the schema refers to them there. For a
    /// document that holds many messages (an AsyncAPI document's `components`). The
    /// generator's transforms apply to it, as schemars applies them to root schemas and
    /// definitions, and so does the removal of `format`.
    pub fn subschema(&self, generator: &mut SchemaGenerator) -> Schema {
        let mut schema = (self.subschema)(generator);
        for transform in generator.transforms_mut() {
            transform.transform(&mut schema);
        }
        no_formats().transform(&mut schema);
        schema
    }
}

impl TopicInfo {
    /// The JSON Schema (draft 2020-12) of any payload of a message defined on this topic: one
    /// of the messages' schemas, told apart by their discriminators. On a topic whose payload
    /// is a list of events ([`batch`](Self::batch)), each event is one of the messages'
    /// events, so a list may mix them. `None` for a topic that carries no message defined here
    /// (feature `schemars`).
    pub fn schema(&self) -> Option<Schema> {
        self.schema_in(Dialect::Draft2020_12)
    }

    /// [`schema`](Self::schema) in another dialect.
    pub fn schema_in(&self, dialect: Dialect) -> Option<Schema> {
        if self.messages.is_empty() {
            return None;
        }
        let settings = dialect.settings();
        let definitions = settings.definitions_path.trim_matches('/').to_owned();
        let mut generator = settings.into_generator();
        let branches: Vec<(&str, Schema)> = messages()
            .iter()
            .filter(|m| self.messages.contains(&m.id))
            .map(|m| (m.id, m.subschema(&mut generator)))
            .collect();
        let mut defs = generator.take_definitions(true);
        let prefix = format!("#/{definitions}/");
        let batch = self
            .batch
            .and_then(|member| batch(member, &branches, &prefix, &mut defs));
        let mut schema = batch.unwrap_or_else(|| one_of(branches));
        schema.insert(definitions, Value::Object(defs));
        // The dialect's transforms also for what this assembles: the titles beside the
        // branches' references (draft-07 keeps no keyword beside a `$ref`).
        for transform in &mut dialect.settings().transforms {
            transform.transform(&mut schema);
        }
        let id = format!("{}/topics/{}", self.vendor, self.name);
        let summary = format!(
            "Any payload of a message defined on `{}`, {}.",
            self.pattern, self.direction
        );
        describe(&mut schema, dialect, &id, &summary);
        Some(schema)
    }
}

/// One of the messages' schemas, each titled with its message id.
fn one_of(branches: Vec<(&str, Schema)>) -> Schema {
    let one_of: Vec<Value> = branches
        .into_iter()
        .map(|(id, mut branch)| {
            branch.insert("title".into(), json!(id));
            branch.to_value()
        })
        .collect();
    let mut schema = Schema::default();
    schema.insert("oneOf".into(), Value::Array(one_of));
    schema
}

/// The envelope the messages share, whose list `member` holds events of any of them: the
/// first message's envelope, with each item one of the messages' events. The messages'
/// envelopes leave `defs`. `None` when a message's schema is not a reference (`prefix` and a
/// name) to an envelope whose list items are references, as schemars writes generic
/// envelopes.
fn batch(
    member: &str,
    branches: &[(&str, Schema)],
    prefix: &str,
    defs: &mut Map<String, Value>,
) -> Option<Schema> {
    let envelope_of = |schema: &Schema| {
        let reference = schema.get("$ref")?.as_str()?;
        reference.strip_prefix(prefix).map(str::to_owned)
    };
    let names: Vec<String> = branches
        .iter()
        .map(|(_, s)| envelope_of(s))
        .collect::<Option<_>>()?;
    let items: Vec<Value> = branches
        .iter()
        .zip(&names)
        .map(|((id, _), name)| {
            let mut item = defs
                .get(name)?
                .pointer(&format!("/properties/{member}/items"))?
                .clone();
            item.as_object_mut()?.insert("title".into(), json!(id));
            Some(item)
        })
        .collect::<Option<_>>()?;
    let mut envelope = defs.get(names.first()?)?.clone();
    let list = envelope
        .pointer_mut(&format!("/properties/{member}"))?
        .as_object_mut()?;
    list.insert("items".into(), json!({ "oneOf": items }));
    for name in &names {
        defs.remove(name);
    }
    envelope.as_object_mut()?.remove("description");
    Schema::try_from(envelope).ok()
}

/// Puts `$schema`, `title` and `description` first, where a reader looks for them.
fn describe(schema: &mut Schema, dialect: Dialect, title: &str, description: &str) {
    let mut ordered = serde_json::Map::new();
    ordered.insert("$schema".into(), json!(dialect.settings().meta_schema));
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
pub(crate) fn root_schema<B: Body>(settings: SchemaSettings) -> Schema {
    settings
        .into_generator()
        .into_root_schema_for::<B::Payload>()
}

/// A message's payload schema inside a shared generator, for a topic's schema.
pub(crate) fn subschema<B: Body>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<B::Payload>()
}
