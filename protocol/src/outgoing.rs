//! A message to publish: typed topic and payload, and how it goes on the wire.

use crate::{Body, Stamp, SystemStamp};

/// A message to publish, built from its body: the envelope around it is filled in (its
/// discriminators, and fresh ids and the time where the envelope has them).
///
/// The topic is the message's own topic type, so a message cannot be built for another topic:
/// an `ota_create` goes on `services`, and nothing else compiles. [`encode`](Self::encode)
/// gives what any MQTT client publishes.
// `Body` implies `Clone`, `PartialEq` and `Debug`, so the derived bounds always hold.
#[derive(Clone, PartialEq, Debug)]
#[must_use = "a message built is meant to be published"]
pub struct Outgoing<B: Body> {
    /// The topic, with its parameters.
    pub topic: B::Topic,
    /// The whole payload, envelope included; its fields can still be changed before encoding.
    pub payload: B::Payload,
}

impl<B: Body> Outgoing<B> {
    /// The message `body` for `topic`, stamped with a fresh UUID for each id and the system
    /// time.
    pub fn new(topic: B::Topic, body: B) -> Self {
        Self::stamped(topic, body, &mut SystemStamp)
    }

    /// The message `body` for `topic`, with the ids and time of `stamp`.
    pub fn stamped(topic: B::Topic, body: B, stamp: &mut dyn Stamp) -> Self {
        Self {
            topic,
            payload: body.wrap(stamp),
        }
    }

    /// The topic name to publish to.
    pub fn topic_name(&self) -> String {
        self.topic.to_string()
    }

    /// The payload as JSON bytes.
    pub fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&self.payload)
    }

    /// The topic name and the JSON payload: what an MQTT client publishes.
    pub fn encode(&self) -> serde_json::Result<(String, Vec<u8>)> {
        Ok((self.topic_name(), self.to_bytes()?))
    }
}
