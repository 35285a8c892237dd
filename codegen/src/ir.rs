//! The checked protocol: every reference resolved, every name chosen.
//!
//! Emitters read only this; they never see TOML or report errors.

pub use crate::model::{Direction, EnumKind, EnumWire, Fill, Layout};

#[derive(Debug)]
pub struct Protocol {
    pub vendors: Vec<Vendor>,
}

#[derive(Debug)]
pub struct Vendor {
    /// Directory name, also the Rust module name: `dji`.
    pub id: String,
    pub name: String,
    pub doc: String,
    /// The vendor's `[envelope]` first, then its `[envelopes.<name>]`.
    pub envelopes: Vec<Envelope>,
    pub topics: Vec<Topic>,
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    pub families: Vec<Family>,
    /// Vendor-wide conversation rules.
    pub rules: Vec<Rule>,
}

/// The fields around every message of a vendor.
#[derive(Debug)]
pub struct Envelope {
    /// `None` for the vendor's `[envelope]`; the key of an `[envelopes.<name>]`.
    pub name: Option<String>,
    /// The Rust name of its struct (`Envelope`, `<Name>Envelope`), and the prefix of its head.
    pub rust_name: String,
    pub doc: String,
    pub fields: Vec<Field>,
    /// Wire names of the discriminator fields, in the order the `Body::TAGS` array holds them.
    pub tags: Vec<String>,
    /// JSON pointers of the discriminators, with `0` for a list index.
    pub tag_paths: Vec<String>,
    /// False when message fields sit beside the envelope fields (Tencent); true when the
    /// message is a `body` field inside it (DJI `data`, Huawei `paras`).
    pub nested: bool,
    /// Rust names of the top-level fields a reply copies from the message it answers.
    pub correlate: Vec<String>,
    /// The Rust field names from the payload to the body (none for a flat envelope); `None`
    /// when the body sits in a list (Huawei `services`).
    pub body_path: Option<Vec<String>>,
    /// The JSON pointer of the body (empty for a flat envelope), where `body_path` is known.
    pub body_pointer: Option<String>,
}

#[derive(Debug)]
pub struct Topic {
    /// Definition key: `events`.
    pub key: String,
    /// `EventsTopic`.
    pub rust_name: String,
    pub pattern: String,
    pub levels: Vec<Level>,
    pub params: Vec<Param>,
    pub direction: Direction,
    pub doc: String,
    pub source: Option<String>,
    /// Index of the reply topic in the vendor's topics.
    pub reply: Option<usize>,
    pub open: bool,
    /// Index of the envelope its messages travel in, in the vendor's envelopes.
    pub envelope: usize,
    /// What a request on this topic holds when it asks for its reply; empty when every
    /// request does.
    pub reply_when: Vec<Condition>,
    /// The MQTT QoS its messages are published at, where documented.
    pub qos: Option<u8>,
}

/// A top-level field of a payload (or a sibling field) holding a value.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The Rust name of the field.
    pub field: String,
    /// Its member name.
    pub wire: String,
    pub optional: bool,
    pub value: Value,
}

/// A value a field is compared with.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Bool(bool),
    /// A documented value of a vendor enum.
    Variant {
        /// The enum's name.
        name: String,
        /// The family that defines it; `None` for a vendor enum.
        family: Option<String>,
        variant: String,
        /// The value as written in the definition.
        wire: String,
        /// Whether it travels as a JSON string.
        string: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Literal(String),
    /// Index into the topic's params.
    Param(usize),
}

#[derive(Debug)]
pub struct Param {
    pub name: String,
    pub doc: String,
    /// Part of the name of the device.
    pub device: bool,
}

#[derive(Debug)]
pub struct Family {
    /// File stem, also the Rust module name: `firmware`.
    pub id: String,
    pub name: String,
    pub doc: String,
    pub source: String,
    pub messages: Vec<Message>,
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    /// The family's conversation rules.
    pub rules: Vec<Rule>,
}

/// A rule a conversation keeps, as the checker follows it.
#[derive(Debug)]
pub struct Rule {
    /// `<vendor>/<family>/<name>`, or `<vendor>/<name>` for a vendor-wide rule.
    pub id: String,
    pub doc: String,
    /// A Markdown link to the document or SDK file it comes from.
    pub source: String,
    /// The side that keeps it: the one that sends the reply or the reports. `None` for a
    /// vendor-wide rule, which binds whichever side sends a message.
    pub duty: Option<Direction>,
    pub check: Check,
}

/// What a rule checks; fields are JSON pointers into one message's payload (one event's, for
/// a list of events: `/services/0/paras/version`).
#[derive(Debug)]
pub enum Check {
    Answered {
        /// Message ids of the requests.
        requests: Vec<String>,
        deadline_ms: Option<u64>,
        retry: Option<Retry>,
    },
    Progress {
        messages: Vec<String>,
        job: Vec<String>,
        starts: Vec<JobStart>,
        percent: String,
        step: Vec<String>,
    },
    Final {
        messages: Vec<String>,
        job: Vec<String>,
        starts: Vec<JobStart>,
        status: String,
        /// The final statuses, as JSON.
        finals: Vec<String>,
    },
    SameDevice {
        field: String,
        param: String,
    },
    Fresh {
        /// Message ids of the requests.
        requests: Vec<String>,
        /// The correlated field, in the requests.
        field: String,
    },
}

/// How the sender of a request tries again.
#[derive(Debug)]
pub struct Retry {
    pub count: u32,
    /// Pointers of the top-level fields an attempt may change.
    pub changes: Vec<String>,
    pub source: String,
}

/// A message that starts a job, and where it names the job.
#[derive(Debug)]
pub struct JobStart {
    pub message: String,
    /// Pointers, in the order of the rule's `job`.
    pub job: Vec<String>,
}

#[derive(Debug)]
pub struct Message {
    /// `dji/firmware/ota_progress`.
    pub id: String,
    /// Definition key: `ota_progress`.
    pub key: String,
    /// The body struct: `OtaProgress`.
    pub rust_name: String,
    /// The variant of the crate-wide `Message` enum: `DjiFirmwareOtaProgress`.
    pub variant: String,
    /// Index into the vendor's topics.
    pub topic: usize,
    /// The message-level discriminator value on the wire.
    pub wire: String,
    /// Every discriminator value, in `Envelope::tags` order.
    pub tags: Vec<String>,
    /// Which of `tags` is the message's own; the others are the family's.
    pub tag: usize,
    /// Index of the reply message in the family.
    pub reply: Option<usize>,
    /// Index of the request this message answers, in the family.
    pub request: Option<usize>,
    /// Rust names of its own fields that it copies from the request it answers.
    pub correlate: Vec<String>,
    /// The MQTT QoS it is published at, where documented: its own, else its topic's.
    pub qos: Option<u8>,
    /// For a reply: the body that acknowledges its request, as JSON, its own discriminators
    /// included where the body holds them.
    pub ack: Option<String>,
    pub doc: String,
    pub term: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Struct {
    pub name: String,
    pub doc: String,
    pub term: Option<String>,
    pub fields: Vec<Field>,
    /// Holds the message body or a discriminator, so it is generic over the body type.
    pub generic: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Type,
    pub optional: bool,
    pub doc: String,
    pub term: Option<String>,
    pub unit: Option<String>,
    pub range: Range,
    /// An `int` sent as a JSON string.
    pub string_wire: bool,
    /// When this optional field is required: every sibling holds one of its values (each
    /// inner list is one sibling's values).
    pub required_when: Vec<Vec<Condition>>,
    /// What the field is filled with when a message is built (envelope fields only).
    pub fill: Option<Fill>,
}

impl Field {
    /// Whether it is the list of events whose items hold the bodies (Huawei `services`).
    pub fn holds_bodies(&self) -> bool {
        matches!(&self.ty, Type::Array(inner) if matches!(inner.as_ref(), Type::Struct(r) if r.generic))
    }
}

/// Constraints that go into the JSON Schema and the strict check.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Range {
    pub min: Option<Number>,
    pub max: Option<Number>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The pattern a `text` must match, whole.
    pub pattern: Option<TextPattern>,
}

/// A pattern of the portable subset (`resolve::pattern`), perhaps a named layout.
#[derive(Debug, Clone, PartialEq)]
pub struct TextPattern {
    /// As written, without anchors.
    pub source: String,
    /// The layout it comes from, if any.
    pub layout: Option<Layout>,
    /// The matcher of the strict check.
    pub dfa: crate::subset::Dfa,
}

impl TextPattern {
    /// The pattern anchored at both ends, as the JSON Schemas carry it.
    pub fn anchored(&self) -> String {
        format!("^(?:{})$", self.source)
    }

    /// How a fault names it: the layout, else the pattern.
    pub fn name(&self) -> String {
        match self.layout {
            Some(layout) => format!("the layout `{}`", layout.as_str()),
            None => format!("the pattern `{}`", self.source),
        }
    }
}

/// The largest magnitude of an integer sent as a string: 18 digits, so that every string the
/// schema patterns accept is an `i64`.
pub const STRING_INT_LIMIT: i64 = 999_999_999_999_999_999;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Int,
    Float,
    Bool,
    Text,
    /// A number sent as a JSON string, kept as text (`"-91.40"`).
    Decimal,
    /// Any JSON value: a free-form object the documents leave open.
    Json,
    Array(Box<Type>),
    Struct(TypeRef),
    Enum(TypeRef),
    /// The message carried by an envelope.
    Body,
    /// A value whose wire form the vendor's document and its own reference implementation
    /// disagree on: the document's type, then the implementation's. Both are named types, or
    /// two scalar forms of one value (a number and its string, a bool and 0/1).
    Disputed(Box<Type>, Box<Type>),
    /// A discriminator, by position in `Envelope::tags`. A struct's fields are resolved before
    /// the envelope that holds the struct, so the position is `None` until the envelope pass
    /// numbers its discriminators.
    Tag(Option<usize>),
}

impl Type {
    /// For a dispute between two scalar forms of one value (a number and its string, a bool
    /// and 0/1): the documented form and the implemented one. `None` for a dispute of named
    /// types, which check themselves, and for every other type.
    pub fn scalar_dispute(&self) -> Option<(&Type, &Type)> {
        match self {
            Type::Disputed(documented, form)
                if !matches!(**form, Type::Enum(_) | Type::Struct(_)) =>
            {
                Some((documented, form))
            }
            _ => None,
        }
    }
}

/// A named type and the module that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRef {
    /// `None` for the vendor module, `Some(family)` for a family module.
    pub family: Option<String>,
    pub name: String,
    /// A vendor struct that is generic over the body type.
    pub generic: bool,
}

#[derive(Debug)]
pub struct Enum {
    pub name: String,
    pub kind: EnumKind,
    pub wire: EnumWire,
    /// Whether values the documents do not list are violations.
    pub exhaustive: bool,
    pub doc: String,
    pub term: Option<String>,
    pub values: Vec<EnumValue>,
}

#[derive(Debug)]
pub struct EnumValue {
    /// The value as written in the definition: `"in_progress"`, or `"3"` for an `enum_int`.
    pub wire: String,
    pub variant: String,
    pub doc: String,
    pub term: Option<String>,
}
