#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

//! # Crate layout
//!
//! - One module per vendor (the table above; [`catalog::vendors`] lists them) with its topic
//!   structs and, where the vendor wraps messages, its `Envelope`; inside it one module per
//!   protocol family (`<vendor>::<family>`) with the message bodies and their types.
//! - [`decode`] turns a (topic, payload) pair into a [`Message`], tolerantly; [`check`] holds
//!   it to the documented contract, with the verdict of the exported JSON Schemas.
//! - [`catalog`] lists every topic and message as data, with their JSON Schemas.
//!
//! Everything in the vendor modules is generated at build time from the TOML definitions in
//! the repository's `schema/` directory.

#[cfg(feature = "proptest")]
mod arbitrary;
mod batch;
mod body;
pub mod catalog;
mod check;
pub mod conversation;
mod decimal;
mod decode;
mod disputed;
pub mod engine;
mod guess;
mod interop;
mod locate;
mod near;
mod open_enum;
mod outgoing;
mod pointer;
mod received;
mod stamp;
mod topic;
mod wire;

pub use batch::decode_all;
pub use body::{Body, OptionalJsonSchema, Request, Tag};
pub use check::{Checked, Contract, Verdict, Violation, check};
pub use decimal::{Decimal, NotDecimal};
pub use decode::{DecodeError, ErrorKind};
pub use disputed::Disputed;
pub use outgoing::Outgoing;
pub use received::{Delivery, Received};
pub use stamp::{Stamp, SystemStamp};
pub use topic::{Direction, Forbidden, Level, MAX_TOPIC_LEN, Topic, TopicError};
pub use wire::Undocumented;

#[allow(missing_docs)] // Every generated item carries the docs of its definition.
mod generated {
    include!(concat!(env!("OUT_DIR"), "/iotxfer.rs"));
}

// The vendor modules and `Message`, whatever the definitions hold; the crate's own items
// (`MESSAGES`, `TOPICS`, routing) stay crate-private.
pub use generated::*;

/// Decodes an MQTT message: routes the topic, picks the message by its discriminator, and
/// reads the typed payload.
///
/// Fails with a [`DecodeError`] that names the topic, the message when known, and the JSON path
/// of the fault; it never panics, whatever the input.
pub fn decode(topic: &str, payload: &[u8]) -> Result<Message, DecodeError> {
    generated::route(topic, payload, true)
}

/// Decodes an MQTT message that should be `B`: as [`decode`] does, with the same errors, and
/// an [`ErrorKind::UnexpectedMessage`] that names what it is when it is another message.
///
/// ```
/// use iotxfer::dji::firmware::OtaProgress;
///
/// let payload = br#"{"tid":"t","bid":"b","timestamp":1,"method":"ota_create","data":{}}"#;
/// let err = iotxfer::decode_as::<OtaProgress>("thing/product/SN1/services", payload).unwrap_err();
/// assert_eq!(err.message(), Some("dji/firmware/ota_create"));
/// ```
pub fn decode_as<B: Body>(topic: &str, payload: &[u8]) -> Result<Received<B>, DecodeError> {
    B::from_message(decode(topic, payload)?)
        .map_err(|other| decode::unexpected(topic, B::ID, other.id()))
}

/// For tests and fuzzing only, outside any compatibility promise.
#[doc(hidden)]
pub mod testing {
    use crate::{Body, DecodeError, Message, Received};

    /// What [`Message::with_body`] calls with the typed message.
    pub trait WithBody {
        /// What the call gives.
        type Output;
        /// Called with the message as its typed form.
        fn call<B: Body>(self, received: &Received<B>) -> Self::Output;
    }

    /// The JSON pointer [`decode`](crate::decode) gives the fault `error` of reading `text`
    /// as a typed payload: found from where serde_json stopped. The tests hold it to the path
    /// that tracking the decode (`serde_path_to_error`) gives.
    pub fn fault_path(text: &str, error: &serde_json::Error) -> String {
        crate::locate::fault_path(text, error)
    }

    /// The facts [`Facts::check_and_read`](crate::conversation::Facts::check_and_read) takes
    /// from what the check's comparison kept, or `None` when it reads the payload again: the
    /// tests hold them to [`Facts::read`](crate::conversation::Facts::read), and see which way
    /// was taken.
    pub fn facts_kept(topic: &str, payload: &[u8]) -> Option<Option<crate::conversation::Facts>> {
        crate::conversation::Facts::check_keeping(topic, payload).1
    }

    /// [`decode`](crate::decode) without its one-pass guess: the discriminator head, then the
    /// message. Both must give the same result for any input; the fuzz target and the tests
    /// compare them.
    pub fn decode_two_pass(topic: &str, payload: &[u8]) -> Result<Message, DecodeError> {
        crate::generated::route(topic, payload, false)
    }
}

impl Message {
    /// The message id, `<vendor>/<family>/<message>`: `dji/firmware/ota_progress`.
    pub fn id(&self) -> &'static str {
        self.info().id
    }

    /// The fields that tie this message to its request, or to its reply, as the definitions
    /// correlate them, each by its JSON pointer and with its value: what a router matches on
    /// (DJI `/tid` and `/bid`, Tencent `/request_id`). For a reply, the fields it copied; for a
    /// request, those its reply will copy; none for another message.
    ///
    /// ```
    /// let reply = br#"{"tid":"t1","bid":"b1","timestamp":1,"method":"fileupload_list",
    ///     "data":{"files":[]}}"#;
    /// let message = iotxfer::decode("thing/product/DOCK1/services_reply", reply).unwrap();
    /// let tid = &message.correlation()[0];
    /// assert_eq!((tid.0, tid.1.as_str()), ("/tid", Some("t1")));
    /// ```
    pub fn correlation(&self) -> Vec<(&'static str, serde_json::Value)> {
        let info = self.info();
        let (reply, mine): (_, fn(&catalog::Correlation) -> &'static str) = match info.request {
            Some(_) => (Some(info), |c| c.reply),
            None => (info.reply.and_then(catalog::message), |c| c.request),
        };
        let Some(reply) = reply else {
            return Vec::new();
        };
        let payload = self.as_delivery().to_value().unwrap_or_default();
        let value = |at: &str| payload.pointer(at).cloned().unwrap_or_default();
        reply
            .correlate
            .iter()
            .map(|c| (mine(c), value(mine(c))))
            .collect()
    }
}
