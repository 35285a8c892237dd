//! What every generated message body has: its id, its discriminators, its topic.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Contract, Message, Received, Stamp, Topic, Violation};

/// A message body: the struct that holds a message's own fields.
///
/// Generated for every message of the definitions. The wire payload is [`Body::Payload`]: the
/// body itself for Tencent's flat messages, the vendor's `Envelope<Self>` for DJI and Huawei.
pub trait Body:
    fmt::Debug + Clone + PartialEq + Serialize + DeserializeOwned + OptionalJsonSchema + Contract
{
    /// The message id, `<vendor>/<family>/<message>`: `dji/firmware/ota_progress`.
    const ID: &'static str;
    /// The discriminator values that identify the message, in envelope order.
    const TAGS: &'static [&'static str];
    /// The MQTT QoS the message is published at, where a vendor document or SDK says.
    const QOS: Option<u8>;
    /// The topic the message travels on.
    type Topic: Topic + fmt::Debug + Clone + PartialEq + Eq + std::hash::Hash;
    /// The whole MQTT payload of the message.
    type Payload: fmt::Debug
        + Clone
        + PartialEq
        + Serialize
        + DeserializeOwned
        + OptionalJsonSchema
        + Contract;

    /// The payload that carries this body: the body itself, or the envelope around it with
    /// its discriminators set, its ids and time taken from `stamp`, and its optional fields
    /// empty.
    fn wrap(self, stamp: &mut dyn Stamp) -> Self::Payload;

    /// The message as this type, or the message back when it is another one.
    // The message comes back as it was given; boxing it would cost every caller an allocation.
    #[allow(clippy::result_large_err)]
    fn from_message(message: Message) -> Result<Received<Self>, Message>;
}

/// `schemars::JsonSchema` with the `schemars` feature, and nothing without it: every generated
/// type has a JSON Schema exactly when the feature is on.
#[cfg(feature = "schemars")]
pub trait OptionalJsonSchema: schemars::JsonSchema {}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> OptionalJsonSchema for T {}

/// `schemars::JsonSchema` with the `schemars` feature, and nothing without it: every generated
/// type has a JSON Schema exactly when the feature is on.
#[cfg(not(feature = "schemars"))]
pub trait OptionalJsonSchema {}

#[cfg(not(feature = "schemars"))]
impl<T> OptionalJsonSchema for T {}

/// A message that is answered by another: DJI `services` ↔ `services_reply` by method,
/// Tencent `X` ↔ `X_rsp`.
pub trait Request: Body {
    /// The message that answers this one.
    type Reply: Body;

    /// The topic the reply goes to: the request topic's reply topic, with its parameters.
    fn reply_topic(topic: &Self::Topic) -> <Self::Reply as Body>::Topic;

    /// The reply's payload: `reply` wrapped as [`Body::wrap`] does, with the fields the
    /// definitions correlate (DJI `tid` and `bid`, Huawei `object_device_id`, Tencent
    /// `request_id`) copied from `request`.
    fn answer(
        request: &Self::Payload,
        reply: Self::Reply,
        stamp: &mut dyn Stamp,
    ) -> <Self::Reply as Body>::Payload;

    /// Whether `request` asks for its reply: always, unless the definitions make it depend on
    /// the payload (a DJI event asks only with `need_reply: 1`).
    fn expects_reply(request: &Self::Payload) -> bool {
        let _ = request;
        true
    }

    /// The reply body that acknowledges a request with nothing more to say, where the
    /// definitions give one (DJI's `{"result": 0}` for an event that asks for its reply); a
    /// conversation [`Engine`](crate::engine::Engine) sends it by itself.
    fn acknowledgement() -> Option<Self::Reply> {
        let ack = crate::catalog::message(<Self::Reply as Body>::ID)?.ack?;
        serde_json::from_str(ack).ok()
    }

    /// The reply to `request`, when it is this request, as the topic and payload to publish:
    /// with `body`, or with the [`acknowledgement`](Self::acknowledgement) when `body` is
    /// `None`. What the catalog keeps for the conversation engine, which holds messages
    /// untyped.
    #[doc(hidden)]
    fn reply_message(
        request: &Message,
        body: Option<&serde_json::Value>,
        stamp: &mut dyn Stamp,
    ) -> Option<crate::engine::Encoded> {
        let request = Self::from_message(request.clone()).ok()?;
        let body = match body {
            Some(body) => Self::Reply::deserialize(body).ok()?,
            None => Self::acknowledgement()?,
        };
        request.reply_stamped(body, stamp).encode().ok()
    }
}

/// A discriminator field: always the `N`th value of `B::TAGS`.
///
/// It holds nothing, serializes as that value, and refuses any other value when deserialized,
/// so a payload cannot claim to be one message while decoding as another.
pub struct Tag<B, const N: usize = 0>(PhantomData<fn() -> B>);

impl<B: Body, const N: usize> Tag<B, N> {
    /// The discriminator; it has only one value.
    pub const fn new() -> Self {
        Self(PhantomData)
    }

    /// The value on the wire.
    pub fn value(&self) -> &'static str {
        B::TAGS.get(N).copied().unwrap_or_default()
    }
}

impl<B: Body, const N: usize> Default for Tag<B, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B, const N: usize> Clone for Tag<B, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B, const N: usize> Copy for Tag<B, N> {}

impl<B, const N: usize> PartialEq for Tag<B, N> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<B, const N: usize> Eq for Tag<B, N> {}

impl<B: Body, const N: usize> fmt::Debug for Tag<B, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:?})", self.value())
    }
}

impl<B: Body, const N: usize> Serialize for Tag<B, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.value())
    }
}

impl<'de, B: Body, const N: usize> Deserialize<'de> for Tag<B, N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let expected = Self::new().value();
        crate::wire::deserialize_str(deserializer, |found| {
            if found == expected {
                Ok(Self::new())
            } else {
                Err(format!("expected `{expected}`, found `{found}`"))
            }
        })
    }
}

impl<B, const N: usize> Contract for Tag<B, N> {
    fn check(&self, _: &mut String, _: &mut Vec<Violation>) {}
}

#[cfg(feature = "schemars")]
impl<B: Body, const N: usize> schemars::JsonSchema for Tag<B, N> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Tag_{}", Self::new().value()).into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "const": Self::new().value() })
    }
}
