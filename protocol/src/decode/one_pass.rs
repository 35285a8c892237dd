//! Decoding in one pass, for payloads whose discriminators are members of the top-level object
//! (Tencent `type`, DJI `method`).
//!
//! The members before the discriminators are kept as borrowed raw JSON; once the discriminators
//! name the message, they are replayed to its typed payload, followed by the rest of the object
//! as it is read. A discriminator that comes first (Tencent) costs nothing more than a plain
//! struct decode; one that comes last (DJI) costs a second read of the members before it, which
//! is still about half of reading the whole payload twice.
//!
//! Any fault makes the one-pass decode give up; the caller then decodes the classic way (head,
//! then body, with paths), which gives the same verdict and the error that names the fault.

use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer};
use serde::de::{DeserializeSeed, Error, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::{Body, Message, Received, Topic};

/// The most members before the discriminators that are kept for replay; a payload with more
/// goes the classic way.
const KEPT: usize = 12;

/// A topic whose messages are told apart by `K` members of the payload's top-level object.
pub(crate) trait OnePass<const K: usize>: Topic + Sized {
    /// The discriminator members, in `Body::TAGS` order.
    const KEYS: [&'static str; K];

    /// Decodes the message the discriminator values `tags` name, from `rest`; fails when they
    /// name none.
    fn message<'de, A: MapAccess<'de>>(
        tags: [&'de str; K],
        rest: Rest<'_, 'de, A>,
        topic: &mut Option<Self>,
    ) -> Result<Message, A::Error>;
}

/// Decodes `text` in one pass; `None` when anything is amiss, and the payload must be decoded
/// the classic way to say what. The topic stays in `topic` unless a message is returned.
pub(crate) fn decode<T: OnePass<K>, const K: usize>(
    text: &str,
    topic: &mut Option<T>,
) -> Option<Message> {
    let mut de = serde_json::Deserializer::from_str(text);
    let message = serde::Deserializer::deserialize_map(
        &mut de,
        Members::<T, K> {
            topic,
            kind: PhantomData,
        },
    )
    .ok()?;
    de.end().ok()?;
    Some(message)
}

struct Members<'t, T, const K: usize> {
    topic: &'t mut Option<T>,
    kind: PhantomData<T>,
}

impl<'de, T: OnePass<K>, const K: usize> Visitor<'de> for Members<'_, T, K> {
    type Value = Message;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
        let mut kept: [Option<(&'de str, Kept<'de>)>; KEPT] = [None; KEPT];
        let mut count = 0;
        let mut tags: [Option<&'de str>; K] = [None; K];
        while tags.iter().any(Option::is_none) {
            let Some(key) = map.next_key::<&'de str>()? else {
                return Err(A::Error::custom("a discriminator is missing"));
            };
            let value = match T::KEYS.iter().position(|k| *k == key) {
                Some(i) => {
                    let tag = map.next_value::<&'de str>()?;
                    if tags[i].replace(tag).is_some() {
                        return Err(A::Error::custom("a discriminator is repeated"));
                    }
                    Kept::Tag(tag)
                }
                None => Kept::Raw(map.next_value()?),
            };
            *kept
                .get_mut(count)
                .ok_or_else(|| A::Error::custom("too many members before the discriminators"))? =
                Some((key, value));
            count += 1;
        }
        let rest = Rest {
            kept: kept.get(..count).unwrap_or_default().iter(),
            pending: None,
            live: map,
        };
        T::message(tags.map(Option::unwrap_or_default), rest, self.topic)
    }
}

/// A member read while looking for the discriminators.
#[derive(Clone, Copy)]
enum Kept<'de> {
    /// A discriminator: a string without escapes.
    Tag(&'de str),
    /// Any other member, as raw JSON to read again.
    Raw(&'de RawValue),
}

/// The members of a payload's object: those kept while looking for the discriminators, then
/// the rest as it is read.
pub(crate) struct Rest<'k, 'de, A> {
    kept: std::slice::Iter<'k, Option<(&'de str, Kept<'de>)>>,
    pending: Option<Kept<'de>>,
    live: A,
}

impl<'de, A: MapAccess<'de>> Rest<'_, 'de, A> {
    /// Reads the payload of message `B` and wraps it in its `Message` variant, taking the topic.
    pub(crate) fn message<B: Body>(
        self,
        topic: &mut Option<B::Topic>,
        variant: fn(Received<B>) -> Message,
    ) -> Result<Message, A::Error> {
        let payload = B::Payload::deserialize(MapAccessDeserializer::new(self))?;
        let topic = topic
            .take()
            .ok_or_else(|| A::Error::custom("the topic is gone"))?;
        Ok(variant(Received { topic, payload }))
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Rest<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        match self.kept.next() {
            Some(&Some((key, value))) => {
                self.pending = Some(value);
                seed.deserialize(BorrowedStrDeserializer::new(key))
                    .map(Some)
            }
            _ => self.live.next_key_seed(seed),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.pending.take() {
            Some(Kept::Tag(tag)) => seed.deserialize(BorrowedStrDeserializer::new(tag)),
            Some(Kept::Raw(value)) => {
                let mut de = serde_json::Deserializer::from_str(value.get());
                seed.deserialize(&mut de).map_err(A::Error::custom)
            }
            None => self.live.next_value_seed(seed),
        }
    }
}
