//! A decoded message together with the topic it arrived on.

use crate::{Body, Contract, Message, Outgoing, Request, Stamp, SystemStamp, Violation};

/// A message as received: the typed topic (with its parameters) and the typed payload.
// `Body` implies `Clone`, `PartialEq` and `Debug`, so the derived bounds always hold.
#[derive(Clone, PartialEq, Debug)]
pub struct Received<B: Body> {
    /// The topic, with its parameters.
    pub topic: B::Topic,
    /// The whole payload, envelope included.
    pub payload: B::Payload,
}

impl<Q: Request> Received<Q> {
    /// The reply to this request, on the reply topic, with the correlated fields copied and
    /// fresh ids and the system time for the rest.
    pub fn reply(&self, body: Q::Reply) -> Outgoing<Q::Reply> {
        self.reply_stamped(body, &mut SystemStamp)
    }

    /// [`reply`](Self::reply), with the ids and time of `stamp`.
    pub fn reply_stamped(&self, body: Q::Reply, stamp: &mut dyn Stamp) -> Outgoing<Q::Reply> {
        Outgoing {
            topic: Q::reply_topic(&self.topic),
            payload: Q::answer(&self.payload, body, stamp),
        }
    }

    /// Whether the request asks for its reply (a DJI event only with `need_reply: 1`).
    pub fn expects_reply(&self) -> bool {
        Q::expects_reply(&self.payload)
    }
}

/// The message as `Received<B>`, or the message back when it is another one.
impl<B: Body> TryFrom<Message> for Received<B> {
    type Error = Message;

    fn try_from(message: Message) -> Result<Self, Message> {
        B::from_message(message)
    }
}

/// What every received message offers, whatever its type: see [`Message::as_delivery`](crate::Message::as_delivery).
pub trait Delivery {
    /// The message id, `<vendor>/<family>/<message>`.
    fn id(&self) -> &'static str;
    /// The topic name it arrived on.
    fn topic_name(&self) -> String;
    /// The payload as JSON, as it would be sent.
    fn to_json(&self) -> serde_json::Result<String>;
    /// The payload as a JSON value.
    fn to_value(&self) -> serde_json::Result<serde_json::Value>;
    /// Where the payload breaks the documented contract; see [`Contract`].
    fn violations(&self) -> Vec<Violation>;
}

impl<B: Body> Delivery for Received<B> {
    fn id(&self) -> &'static str {
        B::ID
    }

    fn topic_name(&self) -> String {
        self.topic.to_string()
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&self.payload)
    }

    fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(&self.payload)
    }

    fn violations(&self) -> Vec<Violation> {
        self.payload.violations()
    }
}
