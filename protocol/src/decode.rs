//! From (topic, payload) to a typed message, and what goes wrong on the way.
//!
//! A payload is first decoded in one pass, as the message its discriminators seem to name
//! ([`guess`](crate::guess), [`direct`]); the typed payload checks every discriminator, so a
//! wrong guess only fails. Without a guess, and for every fault, it is read twice: a borrowed
//! head that holds only the discriminators, then the typed payload of the one message they
//! name. The head pass allocates nothing for plain discriminators, and the typed pass reports
//! the JSON path of any fault.

use std::fmt;

use serde::Deserialize;

use crate::{Body, Message, Received, TopicError, interop, pointer};

/// Why a payload could not be decoded. It names the topic, the message when it is known, and
/// the JSON path (a JSON pointer) of the fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DecodeError {
    topic: String,
    message: Option<&'static str>,
    path: Option<String>,
    kind: ErrorKind,
}

/// What kind of fault a [`DecodeError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No vendor defines the topic.
    UnknownTopic,
    /// The topic belongs to a vendor, but no family defined here covers it or this message.
    NotCovered,
    /// The topic matches a pattern but a parameter is not a valid topic level.
    InvalidTopic(TopicError),
    /// The payload is not UTF-8.
    InvalidUtf8 {
        /// How many leading bytes are valid UTF-8.
        valid_up_to: usize,
    },
    /// The payload is not JSON.
    InvalidJson(String),
    /// A discriminator (`type`, `method`, `event_type`, ...) is missing.
    MissingDiscriminator,
    /// A payload with several events holds events of different kinds.
    MixedDiscriminators,
    /// The discriminator names no message of a family that is covered here.
    UnknownDiscriminator(String),
    /// The discriminator is almost a documented value of this topic (a device's typo): it
    /// differs only by case or surrounding whitespace, or by one edit in a value of six or more
    /// characters.
    MisspeltDiscriminator {
        /// The value received.
        value: String,
        /// The documented value it nearly is.
        documented: &'static str,
        /// The message the documented value names.
        message: &'static str,
    },
    /// The message is defined, but on another topic (or in the other direction).
    WrongTopic {
        /// The pattern of the topic the message belongs on.
        expected: &'static str,
    },
    /// A field is missing, has the wrong type, or holds a value that cannot be read.
    Field(String),
    /// The payload is a valid message, but not the one expected
    /// ([`decode_as`](crate::decode_as)).
    UnexpectedMessage {
        /// The id of the message expected.
        expected: &'static str,
    },
}

impl DecodeError {
    pub(crate) fn new(topic: &str, kind: ErrorKind) -> Self {
        Self {
            topic: topic.to_owned(),
            message: None,
            path: None,
            kind,
        }
    }

    fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The error with its path moved into the event it is in, for [`decode_all`](crate::decode_all).
    pub(crate) fn in_event(mut self, moved: impl FnOnce(Option<&str>) -> String) -> Self {
        self.path = Some(moved(self.path.as_deref()));
        self
    }

    fn of(mut self, message: &'static str) -> Self {
        self.message = Some(message);
        self
    }

    /// The topic the payload arrived on.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The id of the message, when the discriminators named one.
    pub fn message(&self) -> Option<&'static str> {
        self.message
    }

    /// The JSON pointer of the fault, when it has one: `/data/output/progress/percent`.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// What is wrong, without the topic, message and path.
    pub fn reason(&self) -> String {
        self.kind.to_string()
    }

    /// What kind of fault it is.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "topic `{}`", Printable(&self.topic))?;
        if let Some(message) = self.message {
            write!(f, ", message `{message}`")?;
        }
        if let Some(path) = &self.path {
            write!(f, ", at `{path}`")?;
        }
        write!(f, ": {}", self.kind)
    }
}

/// Input text in an error message: control characters and [`is_deceptive`] ones escaped, and
/// cut short past 200 characters, so a hostile topic or value cannot flood or garble a log line.
struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 200;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX {
                return write!(f, "… ({} bytes)", self.0.len());
            }
            if c.is_control() || is_deceptive(c) {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_fmt(format_args!("{c}"))?;
            }
        }
        Ok(())
    }
}

/// Line and paragraph separators and bidirectional controls: printed as they are, they break a
/// line or make it read as another (CVE-2021-42574).
fn is_deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    ) || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::UnknownTopic => f.write_str("no vendor defines this topic"),
            ErrorKind::NotCovered => {
                f.write_str("not covered: no family defined here carries this message")
            }
            ErrorKind::InvalidTopic(e) => write!(f, "invalid topic: {e}"),
            ErrorKind::InvalidUtf8 { valid_up_to } => write!(
                f,
                "the payload is not UTF-8 (valid up to byte {valid_up_to}), as RFC 8259 §8.1 \
                 requires of JSON exchanged between systems"
            ),
            ErrorKind::InvalidJson(e) => write!(f, "invalid JSON: {e}"),
            ErrorKind::MissingDiscriminator => f.write_str("the discriminator is missing"),
            ErrorKind::MixedDiscriminators => f.write_str(
                "the events are of several kinds, so the payload is not one message; \
                 `decode_all` reads each event as its own",
            ),
            ErrorKind::UnknownDiscriminator(value) => {
                write!(f, "unknown discriminator `{}`", Printable(value))
            }
            ErrorKind::MisspeltDiscriminator {
                value,
                documented,
                message,
            } => write!(
                f,
                "`{}` is not a documented discriminator; the documents write `{documented}` \
                 ({message}), which it {}",
                Printable(value),
                crate::near::how(value, documented),
            ),
            ErrorKind::WrongTopic { expected } => write!(f, "this message belongs on `{expected}`"),
            ErrorKind::Field(reason) => f.write_str(reason),
            ErrorKind::UnexpectedMessage { expected } => write!(f, "expected `{expected}`"),
        }
    }
}

/// Checks that the payload is UTF-8, without a byte order mark.
pub(crate) fn text<'a>(topic: &str, payload: &'a [u8]) -> Result<&'a str, DecodeError> {
    if payload.starts_with(b"\xEF\xBB\xBF") {
        let reason = "the payload starts with a byte order mark, which RFC 8259 §8.1 forbids";
        return Err(DecodeError::new(
            topic,
            ErrorKind::InvalidJson(reason.into()),
        ));
    }
    std::str::from_utf8(payload).map_err(|e| {
        DecodeError::new(
            topic,
            ErrorKind::InvalidUtf8 {
                valid_up_to: e.valid_up_to(),
            },
        )
    })
}

/// A topic whose literal levels matched a pattern; a parameter that is not a valid topic level
/// makes it an invalid topic.
pub(crate) fn parsed<T>(topic: &str, parsed: Result<T, TopicError>) -> Result<T, DecodeError> {
    parsed.map_err(|e| DecodeError::new(topic, ErrorKind::InvalidTopic(e)))
}

/// A valid message, `found`, where `expected` was asked for.
pub(crate) fn unexpected(topic: &str, expected: &'static str, found: &'static str) -> DecodeError {
    DecodeError::new(topic, ErrorKind::UnexpectedMessage { expected }).of(found)
}

pub(crate) fn unknown_topic(topic: &str) -> DecodeError {
    DecodeError::new(topic, ErrorKind::UnknownTopic)
}

pub(crate) fn not_covered(topic: &str) -> DecodeError {
    DecodeError::new(topic, ErrorKind::NotCovered)
}

/// Reads the discriminator head of a payload.
///
/// Every payload is a JSON object; serde would also read a struct from a JSON array, so anything
/// else is refused here, before either pass.
pub(crate) fn head<'a, H: Deserialize<'a>>(topic: &str, text: &'a str) -> Result<H, DecodeError> {
    if !is_object(text) {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => DecodeError::new(
                topic,
                ErrorKind::Field("the payload is not a JSON object".into()),
            )
            .at(""),
            Err(e) => DecodeError::new(topic, ErrorKind::InvalidJson(interop::reason(&e))),
        });
    }
    serde_json::from_str(text).map_err(|fast| located::<H>(topic, text, fast))
}

/// A decode of the discriminator head failed: decode again, this time tracking the path, to
/// say where. Tracking costs on every decode, and faults are rare, so only the second pass pays
/// for it. The head reads the whole text, syntax faults and all, and skips what it does not
/// name; its few small types make the tracked copy cheap. The typed payload, read only once its
/// head has been, finds its path from where serde_json stopped instead (`locate`).
fn located<'a, T: Deserialize<'a>>(
    topic: &str,
    text: &'a str,
    fast: serde_json::Error,
) -> DecodeError {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => {
            let path = pointer(e.path());
            json_error(topic, path, e.into_inner())
        }
        Ok(_) => match de.end() {
            Err(e) => json_error(topic, String::new(), e),
            // Both passes read the same text; should they disagree, the first fault stands.
            Ok(()) => json_error(topic, String::new(), fast),
        },
    }
}

/// Decodes a payload as message `B` in one pass, when its guessed discriminators name `B`;
/// `None` on any fault, which the head-then-body decode then names. Only objects: serde would
/// also read a struct from an array, where the head refuses anything but an object.
pub(crate) fn direct<B: Body>(text: &str) -> Option<B::Payload> {
    is_object(text).then_some(())?;
    serde_json::from_str(text).ok()
}

/// Whether `text` holds a JSON object, by its first character: every payload is one, and serde
/// would read a struct from a JSON array too.
fn is_object(text: &str) -> bool {
    crate::guess::space(text).starts_with('{')
}

/// Reads the whole payload of message `B` and wraps it in its `Message` variant.
pub(crate) fn message<B: Body>(
    topic: B::Topic,
    raw: &str,
    text: &str,
    variant: fn(Received<B>) -> Message,
) -> Result<Message, DecodeError> {
    let payload = serde_json::from_str::<B::Payload>(text).map_err(|e| {
        let path = crate::locate::fault_path(text, &e);
        json_error(raw, path, e).of(B::ID)
    })?;
    Ok(variant(Received { topic, payload }))
}

fn json_error(topic: &str, mut path: String, inner: serde_json::Error) -> DecodeError {
    let reason = interop::reason(&inner);
    if inner.is_syntax() || inner.is_eof() {
        // The path of a syntax fault is where reading stopped; keep it only when it is whole.
        let error = DecodeError::new(topic, ErrorKind::InvalidJson(reason));
        return if path.is_empty() || path.contains("/?") {
            error
        } else {
            error.at(path)
        };
    }
    // serde reports a missing or repeated field at its parent; point at the field itself.
    let field = |prefix: &str| reason.strip_prefix(prefix)?.split('`').next();
    if let Some(field) = field("duplicate field `") {
        pointer::push_key(&mut path, field);
        let reason = interop::duplicate(field);
        return DecodeError::new(topic, ErrorKind::Field(reason)).at(path);
    }
    if let Some(field) = field("missing field `") {
        pointer::push_key(&mut path, field);
    }
    DecodeError::new(topic, ErrorKind::Field(reason)).at(path)
}

/// `data.files[0].module` as a JSON pointer: `/data/files/0/module`.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer::push_index(&mut out, *index),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer::push_key(&mut out, key);
            }
            Segment::Unknown => out.push_str("/?"),
        }
    }
    out
}

/// The discriminators have no message on this topic: is it on another topic, of a family not
/// covered here, or unknown?
pub(crate) fn unmatched(
    topic: &str,
    vendor: &str,
    pattern: &str,
    tags: &[&str],
    paths: &[&'static str],
) -> DecodeError {
    // The topic's envelope names the discriminators; only messages read through the same
    // names can be what the values meant. (A topic with a decoder carries a message.)
    let here = crate::MESSAGES
        .iter()
        .find(|m| m.vendor == vendor && m.topic == pattern);
    let names = here.map_or(&[][..], |m| m.tag_names);
    let in_vendor = || {
        crate::MESSAGES
            .iter()
            .filter(move |m| m.vendor == vendor && m.tag_names == names)
    };
    if let Some(m) = in_vendor().find(|m| m.tags == tags) {
        return DecodeError::new(topic, ErrorKind::WrongTopic { expected: m.topic }).of(m.id);
    }
    // A family is known when its family-wide discriminators match; a vendor without any (DJI)
    // knows no family from an unknown method.
    let family_known = in_vendor().any(|m| {
        m.tags.len() > 1
            && tags
                .iter()
                .enumerate()
                .all(|(i, t)| i == m.tag || m.tags.get(i) == Some(t))
    });
    if let Some(near) = crate::near::find(vendor, pattern, tags) {
        let kind = ErrorKind::MisspeltDiscriminator {
            value: near.value.to_owned(),
            documented: near.documented,
            message: near.message,
        };
        let path = paths.get(near.tag).copied().unwrap_or_default();
        return DecodeError::new(topic, kind).at(path);
    }
    let open = crate::TOPICS
        .iter()
        .any(|t| t.vendor == vendor && t.pattern == pattern && t.open);
    if open && !family_known {
        return not_covered(topic);
    }
    let tag = here.map_or(0, |m| m.tag);
    let value = tags.get(tag).copied().unwrap_or_default();
    let path = paths.get(tag).copied().unwrap_or_default();
    DecodeError::new(topic, ErrorKind::UnknownDiscriminator(value.to_owned())).at(path)
}

/// A position in a payload, built on the stack while the head is walked; it becomes a JSON
/// pointer only when a fault is reported.
#[derive(Clone, Copy)]
pub(crate) struct At<'p> {
    parent: Option<&'p At<'p>>,
    segment: Segment,
}

#[derive(Clone, Copy)]
enum Segment {
    Root,
    Key(&'static str),
    Index(usize),
}

impl<'p> At<'p> {
    pub(crate) const ROOT: At<'static> = At {
        parent: None,
        segment: Segment::Root,
    };

    pub(crate) fn key(&'p self, key: &'static str) -> At<'p> {
        At {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    pub(crate) fn index(&'p self, index: usize) -> At<'p> {
        At {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    pub(crate) fn pointer(&self) -> String {
        let mut out = self.parent.map(At::pointer).unwrap_or_default();
        match self.segment {
            Segment::Root => {}
            Segment::Key(k) => pointer::push_key(&mut out, k),
            Segment::Index(i) => pointer::push_index(&mut out, i),
        }
        out
    }
}

/// A discriminator fault found while walking the head.
pub(crate) enum TagFault {
    Missing(String),
    Mixed(String),
}

/// The discriminator values of one payload, filled while its head is walked.
pub(crate) struct Tags<'a, const K: usize>([Option<&'a str>; K]);

impl<'a, const K: usize> Tags<'a, K> {
    /// Runs `walk` over a fresh set and returns every value it found.
    pub(crate) fn collect(
        topic: &str,
        walk: impl FnOnce(&mut Self) -> Result<(), TagFault>,
    ) -> Result<[&'a str; K], DecodeError> {
        let mut tags = Self([None; K]);
        walk(&mut tags).map_err(|fault| match fault {
            TagFault::Missing(path) => {
                DecodeError::new(topic, ErrorKind::MissingDiscriminator).at(path)
            }
            TagFault::Mixed(path) => {
                DecodeError::new(topic, ErrorKind::MixedDiscriminators).at(path)
            }
        })?;
        Ok(tags.0.map(Option::unwrap_or_default))
    }

    /// Records discriminator `index`; every event of a list must agree on it.
    pub(crate) fn put(
        &mut self,
        index: usize,
        value: Option<&'a str>,
        at: At<'_>,
    ) -> Result<(), TagFault> {
        let Some(value) = value else {
            return Err(TagFault::Missing(at.pointer()));
        };
        match self.0.get_mut(index) {
            Some(Some(seen)) if *seen != value => Err(TagFault::Mixed(at.pointer())),
            Some(slot) => {
                *slot = Some(value);
                Ok(())
            }
            None => Ok(()),
        }
    }
}
