//! What the definitions hold, as data: every topic and every message, with their JSON Schemas
//! (feature `schemars`).

#[cfg(feature = "schemars")]
mod schema;

#[cfg(feature = "schemars")]
pub use schema::Dialect;
#[cfg(feature = "schemars")]
pub(crate) use schema::{root_schema, subschema};

#[cfg(feature = "proptest")]
use serde_json::Value;

#[cfg(feature = "proptest")]
use crate::Body;
use crate::Direction;

/// A field a reply copies from the request it answers, by its JSON pointer in each payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correlation {
    /// Where the reply holds it: `/tid`.
    pub reply: &'static str,
    /// Where the request holds it.
    pub request: &'static str,
    /// Whether it names one exchange: a fresh id in each request (DJI `tid`), or a field of the
    /// request's own (Tencent `request_id`); not a field that names a device (Huawei
    /// `object_device_id`).
    pub exchange: bool,
}

/// A value a request holds when it asks for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyCondition {
    /// The JSON pointer of the field: `/need_reply`.
    pub pointer: &'static str,
    /// The value, as JSON: `1`.
    pub value: &'static str,
}

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
    /// The member names of those discriminators (`type`, `method`, `service_id`): the
    /// envelope of its topic says them.
    pub tag_names: &'static [&'static str],
    /// Which of `tags` is the message's own (the others are the family's).
    pub tag: usize,
    /// The id of the message that answers it.
    pub reply: Option<&'static str>,
    /// The id of the message it answers.
    pub request: Option<&'static str>,
    /// For a reply: the fields it copies from the request it answers (DJI `tid` and `bid`).
    pub correlate: &'static [Correlation],
    /// For a request: the values it holds when it asks for its reply, all of them (a DJI event
    /// asks only with `need_reply: 1`); empty when it always asks.
    pub reply_when: &'static [ReplyCondition],
    /// The first sentence of its description.
    pub summary: &'static str,
    /// Its whole description, in Markdown.
    pub doc: &'static str,
    /// The MQTT QoS it is published at, where a vendor document or SDK says.
    pub qos: Option<u8>,
    /// For a reply: the body that acknowledges its request when there is nothing more to say,
    /// as JSON (DJI `{"result":0}`); the conversation [`Engine`](crate::engine::Engine) sends
    /// it by itself.
    pub ack: Option<&'static str>,
    /// For a request: its reply, with a body or the definitions' acknowledgement.
    pub(crate) answer: Option<crate::engine::Answer>,
    #[cfg(feature = "schemars")]
    pub(crate) schema: fn(schemars::generate::SchemaSettings) -> schemars::Schema,
    #[cfg(feature = "schemars")]
    pub(crate) subschema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    #[cfg(feature = "proptest")]
    pub(crate) arbitrary: fn() -> proptest::strategy::BoxedStrategy<Value>,
}

impl MessageInfo {
    /// The topic it travels on; `None` only for a value not taken from the catalog.
    pub fn topic_info(&self) -> Option<&'static TopicInfo> {
        topics()
            .iter()
            .find(|t| t.vendor == self.vendor && t.pattern == self.topic)
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
    /// The member that holds a list of events, each a message of its own (Huawei `services`);
    /// see [`decode_all`](crate::decode_all).
    pub batch: Option<&'static str>,
    /// The JSON pointers of the discriminators that name a message on it, in
    /// [`MessageInfo::tags`] order; an index `0` stands for each event of a list.
    pub tags: &'static [&'static str],
    /// The JSON pointer of the envelope field that holds when the sender sent the message, in
    /// milliseconds since the Unix epoch (DJI `/timestamp`).
    pub sent_at: Option<&'static str>,
    /// Its description, in Markdown.
    pub doc: &'static str,
    /// The document it comes from, as a Markdown link.
    pub source: Option<&'static str>,
    /// Its parameters, in pattern order.
    pub params: &'static [ParamInfo],
    pub(crate) levels: &'static [crate::Level],
}

/// A parameter of a topic pattern: one whole level (`{gateway_sn}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Its name in the pattern: `gateway_sn`.
    pub name: &'static str,
    /// Its description, in Markdown.
    pub doc: &'static str,
    /// Whether it is part of the name of the device that sends or receives the messages.
    pub device: bool,
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

/// One vendor of the definitions: a module of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorInfo {
    /// The vendor module: `dji`.
    pub id: &'static str,
    /// The vendor's name: `DJI Cloud API`.
    pub name: &'static str,
    /// The first sentence of its description.
    pub summary: &'static str,
    /// Its whole description, in Markdown.
    pub doc: &'static str,
    /// Its protocol families, in definition order.
    pub families: &'static [FamilyInfo],
}

/// One protocol family of a vendor: a module of its vendor's module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyInfo {
    /// The vendor module: `dji`.
    pub vendor: &'static str,
    /// The family module: `firmware`.
    pub id: &'static str,
    /// The family's name: `Firmware upgrade`.
    pub name: &'static str,
    /// The first sentence of its description.
    pub summary: &'static str,
    /// Its whole description, in Markdown.
    pub doc: &'static str,
    /// The document its messages come from, as a Markdown link.
    pub source: &'static str,
}

/// A rule a conversation keeps across messages, which `iotxfer check` follows. Its JSON
/// pointers read one message's payload; for a list of events, one event's payload, the
/// envelope's other members with the list holding that event alone (`/services/0/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// `<vendor>/<family>/<rule>`, or `<vendor>/<rule>` for a vendor-wide rule:
    /// `dji/firmware/ota_create_answered`. Stable: findings and reports name rules by it.
    pub id: &'static str,
    /// The vendor module: `dji`.
    pub vendor: &'static str,
    /// The family module; `None` for a vendor-wide rule.
    pub family: Option<&'static str>,
    /// The first sentence of its description.
    pub summary: &'static str,
    /// The document or SDK file it comes from, as a Markdown link.
    pub source: &'static str,
    /// The side that keeps it: the device for [`Direction::Up`], the platform for
    /// [`Direction::Down`]; `None` when it binds whichever side sends a message.
    pub duty: Option<Direction>,
    /// What it checks.
    pub check: RuleCheck,
}

/// What a [`RuleInfo`] checks. More kinds may come: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleCheck {
    /// Each of the `requests` that asks for its reply ([`MessageInfo::reply_when`]) is
    /// answered by the same device, with the [`MessageInfo::correlate`] fields equal, within
    /// the deadline: one attempt of each exchange is, when the sender retries.
    Answered {
        /// Message ids.
        requests: &'static [&'static str],
        /// The deadline the vendor documents, if it does: of each attempt, with `retry`.
        deadline_ms: Option<u64>,
        /// How the sender tries again when no reply came within the deadline, where a vendor
        /// document or SDK says.
        retry: Option<Retry>,
    },
    /// One job's percentage does not go back while its step stays the same.
    Progress {
        /// Message ids of the reports.
        messages: &'static [&'static str],
        /// What names the job, besides the device and the message.
        job: &'static [&'static str],
        /// The messages that start a job: the reports before a start count no more.
        starts: &'static [JobStart],
        /// The percentage.
        percent: &'static str,
        /// What names the step: the first that is present counts.
        step: &'static [&'static str],
    },
    /// Once a job reports a final status, nothing more is reported for it; the same final
    /// status again is no more news, but not a fault.
    Final {
        /// Message ids of the reports.
        messages: &'static [&'static str],
        /// What names the job, besides the device and the message.
        job: &'static [&'static str],
        /// The messages that start a job: the reports before a start count no more.
        starts: &'static [JobStart],
        /// The status.
        status: &'static str,
        /// The final statuses, as JSON.
        finals: &'static [&'static str],
    },
    /// The field that names the sending device equals the topic's parameter, when it is
    /// present and not empty.
    SameDevice {
        /// The field.
        field: &'static str,
        /// The topic parameter.
        param: &'static str,
    },
    /// Each of the `requests` holds a value of `field` (one its reply copies) that no open
    /// request of its device holds: a retry too has one of its own. A redelivery, the same
    /// bytes again, is not a new request.
    Fresh {
        /// Message ids.
        requests: &'static [&'static str],
        /// The field.
        field: &'static str,
    },
}

impl RuleCheck {
    /// The messages that start a job of a `Progress` or `Final` rule; none for another kind.
    pub fn starts(&self) -> &'static [JobStart] {
        match self {
            RuleCheck::Progress { starts, .. } | RuleCheck::Final { starts, .. } => starts,
            _ => &[],
        }
    }
}

/// How the sender of a request tries again: it sends the request again, with new values of
/// `changes` (and a new sending time, if its envelope has one), when no reply came within
/// the deadline. The attempts of one exchange are the same request otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// How many times it sends again after the first attempt.
    pub count: u32,
    /// The top-level fields each attempt may change: DJI's `/tid` and `/bid`.
    pub changes: &'static [&'static str],
    /// The document or SDK file that says so, as a Markdown link.
    pub source: &'static str,
}

/// A message that starts a job: Tencent's `update_firmware` starts an upgrade, again when the
/// platform retries one that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobStart {
    /// Its id.
    pub message: &'static str,
    /// Where it names the job: one pointer for each of the rule's `job`.
    pub job: &'static [&'static str],
}

/// Every conversation rule of the definitions: each vendor's own, then its families'.
pub fn rules() -> &'static [RuleInfo] {
    crate::RULES
}

/// Every vendor of the definitions, with its families.
pub fn vendors() -> &'static [VendorInfo] {
    crate::VENDORS
}

/// Every message of the definitions, grouped by vendor and family.
pub fn messages() -> &'static [MessageInfo] {
    &crate::MESSAGES
}

/// The message of an id (`dji/firmware/ota_create`).
pub fn message(id: &str) -> Option<&'static MessageInfo> {
    messages().iter().find(|m| m.id == id)
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
