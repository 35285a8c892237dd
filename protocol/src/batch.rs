//! Payloads that carry several messages: a list of events, each a message of its own (Huawei
//! `services`, whose events a device may batch, of any kinds).
//!
//! Each event is decoded from a payload of its own: the envelope's other members and that one
//! event. Those members are read once per event, so a payload whose events times its other
//! members would make more than [`MAX_WORK`] bytes to read is refused rather than split.

use serde_json::{Map, Value};

use crate::check::{Checked, Verdict, Violation, against, judged};
use crate::{DecodeError, ErrorKind, Message};

/// The most bytes the per-event payloads of one batch may hold together, beyond the batch's
/// own size: a hostile envelope member repeated for each of thousands of events would
/// otherwise cost gigabytes.
const MAX_WORK: usize = 1 << 20;

/// Decodes an MQTT message into the messages it carries: one per event for a topic whose
/// envelope holds a list of events ([`TopicInfo::batch`](crate::catalog::TopicInfo::batch)),
/// each with the envelope's other members (Huawei `object_device_id`); otherwise the one
/// message [`decode`](crate::decode) gives.
///
/// The payload must first read as [`decode`](crate::decode) reads it, events of several kinds
/// aside. It fails at the first event that does not decode, with the event's path
/// (`/services/2/paras/file_name`, or `/services/2` for an event no family covers).
///
/// ```
/// let payload = br#"{"object_device_id":"child-7","services":[
///     {"service_id":"$file_manager","event_type":"get_upload_url","paras":{"file_name":"a.log"}},
///     {"service_id":"$ota","event_type":"version_report","paras":{"fw_version":"1.0"}}]}"#;
/// let messages = iotxfer::decode_all("$oc/devices/dev-1/sys/events/up", payload).unwrap();
/// let ids: Vec<&str> = messages.iter().map(|m| m.id()).collect();
/// assert_eq!(ids, ["huawei/file_manager/get_upload_url", "huawei/ota/version_report"]);
/// ```
pub fn decode_all(topic: &str, payload: &[u8]) -> Result<Vec<Message>, DecodeError> {
    let whole = crate::decode(topic, payload);
    let Some(member) = crate::catalog::route(topic).and_then(|t| t.batch) else {
        return whole.map(|m| vec![m]);
    };
    match whole {
        Err(e) if *e.kind() != ErrorKind::MixedDiscriminators => Err(e),
        _ => Events::of(topic, payload, member)?
            .map(|event| event.decoded)
            .collect(),
    }
}

/// One event of a batch, decoded from a payload of its own.
struct Event {
    index: usize,
    decoded: Result<Message, DecodeError>,
}

/// The events of a batch, each decoded as it is reached.
struct Events<'t> {
    topic: &'t str,
    member: &'static str,
    envelope: Map<String, Value>,
    items: std::iter::Enumerate<std::vec::IntoIter<Value>>,
}

impl<'t> Events<'t> {
    /// The events of `payload`'s list `member`; fails when the payload is not an object with a
    /// list there, or when splitting it would read more than [`MAX_WORK`] extra bytes.
    fn of(topic: &'t str, payload: &[u8], member: &'static str) -> Result<Self, DecodeError> {
        let refuse = |reason: String| DecodeError::new(topic, ErrorKind::Field(reason));
        let mut envelope: Map<String, Value> = serde_json::from_slice(payload)
            .map_err(|e| DecodeError::new(topic, ErrorKind::InvalidJson(e.to_string())))?;
        let Some(Value::Array(items)) = envelope.remove(member) else {
            return Err(refuse(format!("`{member}` is not a list of events")));
        };
        let rest = serde_json::to_vec(&envelope).map_or(0, |bytes| bytes.len());
        if rest.saturating_mul(items.len()) > MAX_WORK.saturating_add(payload.len()) {
            let reason = format!(
                "{} events, each read with {rest} bytes of other members: too large to split",
                items.len()
            );
            return Err(refuse(reason));
        }
        Ok(Self {
            topic,
            member,
            envelope,
            items: items.into_iter().enumerate(),
        })
    }
}

impl Iterator for Events<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let (index, item) = self.items.next()?;
        let mut one = self.envelope.clone();
        one.insert(self.member.to_owned(), Value::Array(vec![item]));
        let decoded = serde_json::to_vec(&one)
            .map_err(|e| DecodeError::new(self.topic, ErrorKind::InvalidJson(e.to_string())))
            .and_then(|bytes| crate::decode(self.topic, &bytes))
            .map_err(|e| e.in_event(|path| reindex(path, self.member, index)));
        Some(Event { index, decoded })
    }
}

/// `path` in the payload of event `i` alone, as a path in the whole payload:
/// `/services/0/paras` → `/services/2/paras`, and no path → `/services/2`.
fn reindex(path: Option<&str>, member: &str, i: usize) -> String {
    let mut event = String::new();
    crate::pointer::push_key(&mut event, member);
    let first = format!("{event}/0");
    crate::pointer::push_index(&mut event, i);
    match path.map(|p| (p, p.strip_prefix(&first))) {
        Some((_, Some(rest))) if rest.is_empty() || rest.starts_with('/') => {
            format!("{event}{rest}")
        }
        Some((p, _)) => p.to_owned(),
        None => event,
    }
}

/// The strict check of a list of events of several kinds: each event is held to the contract
/// of its own message, every event's faults are reported, and the whole payload is compared
/// with the events' re-encodings. An event that no family covers makes the payload not
/// covered, unless another event breaks the contract.
pub(crate) fn check(topic: &str, payload: &[u8]) -> Result<Checked, DecodeError> {
    let member = crate::catalog::route(topic)
        .and_then(|t| t.batch)
        .ok_or_else(|| DecodeError::new(topic, ErrorKind::MixedDiscriminators))?;
    let mut judged = Judged::default();
    for event in Events::of(topic, payload, member)? {
        judged.add(event, member);
    }
    if !judged.violations.is_empty() || !judged.uncovered {
        return Ok(judged.against(payload, member));
    }
    Ok(Checked {
        verdict: Verdict::NotCovered,
        ..judged.against(payload, member)
    })
}

/// What the events of a batch add up to.
#[derive(Default)]
struct Judged {
    violations: Vec<Violation>,
    uncovered: bool,
    /// The first event's payload, re-encoded, and every event's re-encoding, while every event
    /// so far decoded and re-encoded; `None` once one did not.
    written: Option<(Value, Vec<Value>)>,
}

impl Judged {
    fn add(&mut self, event: Event, member: &str) {
        let message = match event.decoded {
            Ok(message) => message,
            Err(e) => {
                self.written = None;
                match e.kind() {
                    ErrorKind::NotCovered | ErrorKind::UnknownTopic => self.uncovered = true,
                    _ => self
                        .violations
                        .push(Violation::new(e.path().unwrap_or_default(), e.reason())),
                }
                return;
            }
        };
        let delivery = message.as_delivery();
        let moved = delivery.violations().into_iter().map(|v| Violation {
            path: reindex(Some(&v.path), member, event.index),
            ..v
        });
        self.violations.extend(moved);
        let mut value = delivery.to_value().ok();
        let item = value
            .as_mut()
            .and_then(|v| v.get_mut(member))
            .and_then(Value::as_array_mut)
            .and_then(Vec::pop);
        self.written = match (self.written.take(), value, item) {
            (None, Some(value), Some(item)) if event.index == 0 => Some((value, vec![item])),
            (Some((envelope, mut items)), _, Some(item)) => {
                items.push(item);
                Some((envelope, items))
            }
            _ => None,
        };
    }

    /// The verdict: the events' faults, and, when every event decoded, what comparing the
    /// payload with their re-encodings finds.
    fn against(self, payload: &[u8], member: &str) -> Checked {
        match self.written {
            Some((mut envelope, items)) => {
                if let Some(object) = envelope.as_object_mut() {
                    object.insert(member.to_owned(), Value::Array(items));
                }
                against(payload, self.violations, Ok(envelope), None).0
            }
            None => judged(self.violations, Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_move_to_their_event() {
        let at = |p: Option<&str>, i| reindex(p, "services", i);
        assert_eq!(at(Some("/services/0/paras/a"), 3), "/services/3/paras/a");
        assert_eq!(at(Some("/services/0"), 1), "/services/1");
        assert_eq!(at(Some("/services/01"), 1), "/services/01");
        assert_eq!(at(Some("/object_device_id"), 2), "/object_device_id");
        assert_eq!(at(None, 2), "/services/2");
        assert_eq!(reindex(None, "a/b", 0), "/a~1b/0");
    }
}
