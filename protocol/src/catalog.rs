//! What the definitions hold, as data: every topic and every message, with their JSON Schemas.

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Value, json};

use crate::{Body, Direction};

/// One message of the definitions.
#[derive(Debug, Clone, Copy)]
pub struct MessageInfo {
    /// `<vendor>/<family>/<message>`: `dji/firmware/ota_create_reply`.
    pub id: &'static str,
    /// The vendor module: `dji`.
    pub vendor: &'static str,
    /// The family module: `firmware`.
    pub family: &'static str,
    /// The message name within its family: `ota_create_reply`.
    pub name: &'static str,
    /// The pattern of the topic it travels on.
    pub topic: &'static str,
    /// Which way it travels.
    pub direction: Direction,
    /// Its discriminator values, in envelope order.
    pub tags: &'static [&'static str],
    /// Which of `tags` is the message's own (the others are the family's).
    pub tag: usize,
    /// The id of the message that answers it.
    pub reply: Option<&'static str>,
    /// The id of the message it answers.
    pub request: Option<&'static str>,
    /// The first sentence of its description.
    pub summary: &'static str,
    pub(crate) schema: fn() -> Schema,
    pub(crate) subschema: fn(&mut SchemaGenerator) -> Schema,
    #[cfg(feature = "proptest")]
    pub(crate) arbitrary: fn() -> proptest::strategy::BoxedStrategy<Value>,
}

impl MessageInfo {
    /// The JSON Schema (draft 2020-12) of the whole MQTT payload of the message, envelope
    /// included: the documented contract.
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

    /// Payloads of the message that keep the documented contract, as JSON (feature
    /// `proptest`).
    #[cfg(feature = "proptest")]
    pub fn arbitrary(&self) -> proptest::strategy::BoxedStrategy<Value> {
        (self.arbitrary)()
    }
}

/// One topic of the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicInfo {
    /// The vendor module: `dji`.
    pub vendor: &'static str,
    /// The topic name within its vendor: `services_reply`.
    pub name: &'static str,
    /// The pattern as the documents write it: `thing/product/{gateway_sn}/events`.
    pub pattern: &'static str,
    /// The subscription filter for every topic of the pattern: `thing/product/+/events`.
    pub filter: &'static str,
    /// Which way its messages travel.
    pub direction: Direction,
    /// Whether the topic also carries messages of families this crate does not define.
    pub open: bool,
    /// Ids of the messages defined on it; empty for a topic this crate does not cover.
    pub messages: &'static [&'static str],
    pub(crate) levels: &'static [crate::Level],
}

impl TopicInfo {
    /// The JSON Schema of any payload of a message defined on this topic: one of the messages'
    /// schemas, told apart by their discriminators. `None` for a topic that carries no message
    /// defined here.
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

#[cfg(feature = "proptest")]
pub(crate) fn arbitrary<B: Body>() -> proptest::strategy::BoxedStrategy<Value>
where
    B::Payload: proptest::arbitrary::Arbitrary<Strategy = proptest::strategy::BoxedStrategy<B::Payload>>
        + 'static,
{
    use proptest::strategy::Strategy;
    // Serializing the generated types cannot fail: their maps have string keys.
    proptest::arbitrary::any::<B::Payload>()
        .prop_map(|payload| serde_json::to_value(payload).unwrap_or_default())
        .boxed()
}

/// Every message of the definitions, grouped by vendor and family.
pub fn messages() -> &'static [MessageInfo] {
    &crate::MESSAGES
}

/// The topic pattern a topic name belongs to, if any; `None` also for a name whose parameters
/// are not valid topic levels. Allocates nothing.
pub fn route(topic: &str) -> Option<&'static TopicInfo> {
    crate::TOPICS.get(crate::topic::route(topic)?)
}

/// Every topic of the definitions, including those that carry no message defined here.
pub fn topics() -> &'static [TopicInfo] {
    crate::TOPICS
}
