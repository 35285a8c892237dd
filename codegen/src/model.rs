//! The definition format as written in `schema/**/*.toml`.
//!
//! Every struct denies unknown keys, so a typo fails instead of being ignored. Anything a later
//! check may point at is `Spanned`, so its diagnostic can name the line and column.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// `[vendor]` in `schema/<vendor>/vendor.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorHeader {
    pub name: String,
    pub doc: Spanned<String>,
}

/// `[family]` at the top of a family file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyHeader {
    pub name: String,
    pub doc: Spanned<String>,
    pub source: Spanned<String>,
    /// Values of the envelope discriminators that are the same for every message of the family.
    #[serde(default)]
    pub tags: IndexMap<Spanned<String>, Spanned<String>>,
}

/// `[topic.<name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicDef {
    pub pattern: Spanned<String>,
    pub direction: Spanned<Direction>,
    pub doc: Spanned<String>,
    pub source: Option<Spanned<String>>,
    /// The topic on which replies to this topic's requests travel.
    pub reply: Option<Spanned<String>>,
    /// The topic also carries messages of families that are not defined here.
    #[serde(default)]
    pub open: bool,
    /// The name of the `[envelopes.<name>]` its messages travel in; the vendor's `[envelope]`
    /// when absent.
    pub envelope: Option<Spanned<String>>,
    /// When a request on this topic asks for its reply: envelope fields and the value each must
    /// hold (DJI events: `need_reply = 1`). Without it, every request asks for one.
    #[serde(default)]
    pub reply_when: IndexMap<Spanned<String>, Spanned<Scalar>>,
    /// The MQTT QoS its messages are published at, where a vendor document or SDK says.
    pub qos: Option<Qos>,
    #[serde(default)]
    pub params: IndexMap<Spanned<String>, ParamDef>,
}

/// An MQTT quality of service: 0, 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u8")]
pub struct Qos(pub u8);

impl TryFrom<u8> for Qos {
    type Error = String;

    fn try_from(level: u8) -> Result<Self, Self::Error> {
        if level <= 2 {
            Ok(Qos(level))
        } else {
            Err(format!("an MQTT QoS is 0, 1 or 2, not {level}"))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    /// As written in the definitions.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDef {
    pub doc: Spanned<String>,
    /// The parameter names the device (with the others so marked, in pattern order).
    #[serde(default)]
    pub device: bool,
}

/// `[envelope]`: the fields that wrap every message of a vendor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeDef {
    pub doc: Spanned<String>,
    /// Fields a reply carries over from the message it answers (DJI `tid`, `bid`).
    #[serde(default)]
    pub correlate: Vec<Spanned<String>>,
    pub fields: IndexMap<Spanned<String>, Spanned<FieldDef>>,
}

/// `[message.<name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageDef {
    pub topic: Spanned<String>,
    pub doc: Spanned<String>,
    pub term: Option<String>,
    /// The discriminator value on the wire, when it differs from the message name.
    pub wire: Option<Spanned<String>>,
    /// The message that answers this one.
    pub reply: Option<Spanned<String>>,
    /// Fields of its own that a reply copies from the request it answers (Tencent
    /// `request_id`).
    #[serde(default)]
    pub correlate: Vec<Spanned<String>>,
    /// The MQTT QoS it is published at, where a vendor document or SDK says; its topic's when
    /// absent.
    pub qos: Option<Qos>,
    /// For a reply: the body that acknowledges its request when the answering side has nothing
    /// more to say (DJI `{ result = 0 }`), which a conversation engine sends by itself.
    pub ack: Option<Spanned<toml::Table>>,
    #[serde(default)]
    pub fields: IndexMap<Spanned<String>, Spanned<FieldDef>>,
}

/// `[rule.<name>]`: a rule a conversation keeps, which the checker follows across messages.
/// Which keys it takes depends on its `kind`; field paths are member names from the payload's
/// root, joined by `.` (`data.output.status`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub kind: Spanned<RuleKind>,
    pub doc: Spanned<String>,
    /// The document or SDK file the rule comes from, as a Markdown link.
    pub source: Spanned<String>,
    /// The messages it is about: requests (`answered`), or progress reports.
    #[serde(default)]
    pub messages: Vec<Spanned<String>>,
    /// `answered`: how long a reply may take, as the vendor documents it (`"3s"`); with
    /// `retry`, how long the sender waits for each attempt.
    pub deadline: Option<Spanned<String>>,
    /// `answered`: how the sender of the requests tries again when no reply comes.
    pub retry: Option<Spanned<RetryDef>>,
    /// `progress`, `final`: the fields that, with the device and the message, name one job.
    #[serde(default)]
    pub job: Vec<Spanned<String>>,
    /// `progress`, `final`: the messages that start a job (a request of the other side), whose
    /// earlier reports then count no more.
    #[serde(default)]
    pub start: Vec<Spanned<String>>,
    /// `progress`, `final`: the fields of the `start` messages that name the job, in `job`'s
    /// order; `job` itself when absent.
    #[serde(default)]
    pub start_job: Vec<Spanned<String>>,
    /// `progress`: the percentage that may not go back within a step.
    pub percent: Option<Spanned<String>>,
    /// `progress`: the fields that name the step, the first one present counting.
    #[serde(default)]
    pub step: Vec<Spanned<String>>,
    /// `final`: the field that holds the job's status.
    pub status: Option<Spanned<String>>,
    /// `final`: the statuses after which nothing more is reported for the job.
    #[serde(default, rename = "final")]
    pub finals: Vec<Spanned<Scalar>>,
    /// `same_device`: the envelope field that names the sending device; `fresh`: the
    /// correlated field each request must hold a new value of.
    pub field: Option<Spanned<String>>,
    /// `same_device`: the topic parameter it must equal.
    pub param: Option<Spanned<String>>,
}

/// `retry` of an `answered` rule: the sender sends a request again, as a new attempt of the same
/// exchange, when no reply came within the deadline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryDef {
    /// How many times it sends again after the first attempt.
    pub count: Spanned<u32>,
    /// The top-level fields an attempt may hold new values of (besides the envelope's time);
    /// the rest of the payload is the same in every attempt of an exchange.
    pub changes: Vec<Spanned<String>>,
    /// The document or SDK file that says so, as a Markdown link.
    pub source: Spanned<String>,
}

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Each request that asks for its reply gets it, correlated, within the deadline.
    Answered,
    /// A job's percentage does not go back within a step.
    Progress,
    /// Nothing is reported for a job after its final status.
    Final,
    /// A payload field naming the device equals the topic's parameter, when present and not
    /// empty (vendor-wide).
    SameDevice,
    /// Each request holds a value of a correlated field that no open request of its device
    /// holds: a sender never reuses it, not even for a retry.
    Fresh,
}

impl RuleKind {
    /// As written in the definitions.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Answered => "answered",
            RuleKind::Progress => "progress",
            RuleKind::Final => "final",
            RuleKind::SameDevice => "same_device",
            RuleKind::Fresh => "fresh",
        }
    }
}

/// `[struct.<Name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructDef {
    pub doc: Spanned<String>,
    pub term: Option<String>,
    pub fields: IndexMap<Spanned<String>, Spanned<FieldDef>>,
}

/// `[enum.<Name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    #[serde(rename = "type")]
    pub kind: Spanned<EnumKind>,
    pub doc: Spanned<String>,
    pub term: Option<String>,
    /// How an `enum_int` travels: `"int"` (default) or `"string"` (`"3"` for 3).
    pub wire: Option<Spanned<EnumWire>>,
    /// `false` for a table of codes that the documents say is not complete (error codes):
    /// values it does not list are valid, not violations.
    #[serde(default = "yes")]
    pub exhaustive: bool,
    pub values: IndexMap<Spanned<String>, Spanned<EnumValueDef>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumKind {
    EnumInt,
    EnumString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumWire {
    Int,
    String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueDef {
    /// The Rust variant name; required for `enum_int`, derived from the value otherwise.
    pub name: Option<Spanned<String>>,
    pub doc: Spanned<String>,
    pub term: Option<String>,
}

/// One row of a field table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    /// Element type of an `array`.
    pub items: Option<Spanned<String>>,
    pub doc: Spanned<String>,
    pub term: Option<String>,
    #[serde(default)]
    pub optional: bool,
    pub unit: Option<String>,
    pub min: Option<Spanned<Bound>>,
    pub max: Option<Spanned<Bound>>,
    pub min_length: Option<Spanned<u64>>,
    pub max_length: Option<Spanned<u64>>,
    pub min_items: Option<Spanned<u64>>,
    pub max_items: Option<Spanned<u64>>,
    /// The Rust field name, when the one derived from the wire name does not fit.
    pub rust_name: Option<Spanned<String>>,
    /// A named layout of a `text` field (`date_time`, `lower_hex`): a pattern of its own.
    pub layout: Option<Spanned<Layout>>,
    /// The shape of a `text` field, as a regular expression of the portable subset that the
    /// whole value must match (`resolve::pattern`).
    pub pattern: Option<Spanned<String>>,
    /// How an `int` or `float` travels: `"int"` (default) or `"string"` (`"10"` for 10,
    /// `"-91.40"`).
    pub wire: Option<Spanned<EnumWire>>,
    /// The type the vendor's own reference implementation sends where its document says `type`:
    /// a named type, or a scalar form (`"string"` for a number sent as one, `"bool"` for an
    /// integer sent as `true`/`false`, `"int"` for a bool sent as 0/1).
    pub implemented: Option<Spanned<String>>,
    /// Sibling fields and the value each holds when this field must be present (`{ result =
    /// 0 }`); the field is optional otherwise.
    #[serde(default)]
    pub required_when: IndexMap<Spanned<String>, Spanned<Values>>,
    /// What an envelope field holds when a message is built: a fresh id, or the time.
    pub fill: Option<Spanned<Fill>>,
}

/// What an envelope field is filled with when a message is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    /// A fresh unique id (`text`).
    Id,
    /// The time, in milliseconds since the Unix epoch (`int`).
    NowMs,
}

/// A value in a definition: an integer, a string or a bool.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Int(i64),
    Text(String),
    Bool(bool),
}

impl Scalar {
    /// As an enum value is written in the definitions (`3`, `in_progress`); `None` for a bool,
    /// which no enum holds.
    pub fn enum_wire(&self) -> Option<String> {
        match self {
            Scalar::Int(n) => Some(n.to_string()),
            Scalar::Text(s) => Some(s.clone()),
            Scalar::Bool(_) => None,
        }
    }

    /// As a diagnostic shows it: `0`, `"done"`, `true`.
    pub fn shown(&self) -> String {
        match self {
            Scalar::Int(n) => n.to_string(),
            Scalar::Text(s) => format!("\"{s}\""),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// One value, or a list of them, any of which counts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Values {
    One(Scalar),
    Any(Vec<Scalar>),
}

impl Values {
    pub fn as_slice(&self) -> &[Scalar] {
        match self {
            Values::One(one) => std::slice::from_ref(one),
            Values::Any(any) => any,
        }
    }
}

fn yes() -> bool {
    true
}

/// A named layout of a `text` field, each a pattern of the portable subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `0-9` and `a-f` only, as hex digests are written; `min_length`/`max_length` give the
    /// number of digits.
    LowerHex,
    /// `yyyy-MM-dd HH:mm:ss` (`2022-06-15 14:29:18`), as DJI writes local times.
    DateTime,
}

impl Layout {
    /// As written in the definitions.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::LowerHex => "lower_hex",
            Layout::DateTime => "date_time",
        }
    }

    /// The pattern it stands for, in the portable subset.
    pub fn pattern(self) -> &'static str {
        match self {
            Layout::LowerHex => "[0-9a-f]*",
            Layout::DateTime => {
                "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
            }
        }
    }
}

/// A numeric bound of a range.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Int(i64),
    Float(f64),
}

#[cfg(test)]
mod documented;

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::Qos;

    #[test]
    fn qos_is_0_1_or_2() {
        assert_eq!(Qos::try_from(2), Ok(Qos(2)));
        assert_eq!(
            Qos::try_from(3),
            Err("an MQTT QoS is 0, 1 or 2, not 3".to_owned())
        );
        let topic: Result<Qos, _> = toml::from_str::<toml::Value>("qos = 3")
            .map(|v| v["qos"].clone())
            .and_then(Qos::deserialize);
        assert!(topic.is_err());
    }
}
