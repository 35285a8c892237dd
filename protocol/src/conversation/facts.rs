//! What the rules read from one MQTT message: its device, its topic's parameters, and each
//! message it carries with the few fields the rules look at. Reading is the costly part (the
//! JSON parse) and needs no state, so a checker can do it on many threads and follow the
//! conversations on one; the payload itself is not kept.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::catalog::{self, MessageInfo, RuleCheck, TopicInfo};
use crate::check::{Kept, Wanted};
use crate::{AnyTopic, Checked};

/// One MQTT message as the rules see it; see [`Facts::read`].
#[derive(Debug, Clone)]
pub struct Facts {
    pub(crate) topic: &'static TopicInfo,
    /// The digest of the topic and payload bytes: a redelivery has the same.
    pub(crate) digest: u64,
    pub(crate) device: String,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) events: Vec<Event>,
}

/// One message of a payload (the payload, or one event of its list), and the JSON text of each
/// field the rules read in it, by the catalog's pointer.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) message: &'static MessageInfo,
    fields: Vec<(&'static str, String)>,
    /// For a request its sender may retry: the digest of what every attempt holds, the payload
    /// but for the fields a retry changes and the sending time.
    pub(crate) identity: Option<u64>,
}

impl Event {
    /// The JSON text at `pointer`, if the message has it.
    pub(crate) fn text(&self, pointer: &str) -> Option<&str> {
        let found = self.fields.iter().find(|(at, _)| *at == pointer);
        found.map(|(_, text)| text.as_str())
    }
}

impl Facts {
    /// Reads an MQTT message for the rules: `None` when its topic is not one of the
    /// definitions, its payload is not a JSON object, or it carries no message of the
    /// definitions. A message that breaks its contract is still read: the rules look only at
    /// the fields they name.
    ///
    /// The fields read are copied for each event of a list (Huawei's `object_device_id`), so a
    /// payload whose copies would take more than its own size and 1 MiB is not read either, as
    /// [`decode_all`](crate::decode_all) refuses to split it.
    pub fn read(topic: &str, payload: &[u8]) -> Option<Facts> {
        let parsed = AnyTopic::parse(topic).ok()?;
        let info = parsed.info();
        let mut budget = budget(payload);
        let bytes = payload;
        let payload: Value = serde_json::from_slice(payload).ok()?;
        let mut events = Vec::new();
        for i in 0..event_count(info, &payload) {
            let at = Place {
                payload: &payload,
                batch: info.batch.map(|m| (m, i)),
            };
            let Some(message) = identify(info, &at) else {
                continue;
            };
            let fields = at.fields(pointers(message.id), &mut budget)?;
            events.push(Event {
                message,
                fields,
                identity: None,
            });
        }
        Self::of(&parsed, info, topic, bytes, events)
    }

    /// [`check`](crate::check) and [`Facts::read`] of one MQTT message, with the same results
    /// for less work: where the payload decodes, the check's comparison of it with its
    /// re-encoding keeps the fields the rules read as it goes, so the payload is parsed once
    /// less. A checker that follows the conversations reads each message so.
    pub fn check_and_read(topic: &str, payload: &[u8]) -> (Checked, Option<Facts>) {
        let (checked, kept) = Self::check_keeping(topic, payload);
        let facts = kept.unwrap_or_else(|| Self::read(topic, payload));
        (checked, facts)
    }

    /// The check, and the facts when its comparison kept them whole; `None` when the payload
    /// must be read again.
    pub(crate) fn check_keeping(topic: &str, payload: &[u8]) -> (Checked, Option<Option<Facts>>) {
        let parsed = AnyTopic::parse(topic).ok();
        let batch = parsed.as_ref().map(|parsed| parsed.info().batch);
        let (checked, kept) = crate::check::keeping(topic, payload, |message| {
            let pointers = pointers(message.id());
            batch.map(|batch| Wanted { pointers, batch })
        });
        let facts =
            match (parsed, kept, &checked.decoded) {
                (Some(parsed), Some(kept), Some(message)) if !kept.partial => Some(
                    Self::from_kept(&parsed, topic, payload, message.info(), kept),
                ),
                _ => None,
            };
        (checked, facts)
    }

    /// The facts of `payload`, which decoded as `message` on `parsed`, from what the check's
    /// comparison kept: each field found in its own event, or outside the list of events.
    fn from_kept(
        parsed: &AnyTopic,
        topic: &str,
        payload: &[u8],
        message: &'static MessageInfo,
        kept: Kept,
    ) -> Option<Self> {
        let info = parsed.info();
        let count = info.batch.map_or(1, |_| kept.events.unwrap_or(0));
        let mut in_events = vec![Vec::new(); count];
        let mut outside = Vec::new();
        for (place, text) in kept.fields {
            let fields = match place.event {
                Some(i) => in_events.get_mut(i),
                None => Some(&mut outside),
            };
            if let Some(fields) = fields {
                fields.push((place.pointer, text));
            }
        }
        let mut budget = budget(payload);
        let mut events = Vec::with_capacity(count);
        for own in in_events {
            let mut fields = Vec::new();
            for pointer in pointers(message.id) {
                let same = |(p, _): &&(&str, String)| p == pointer;
                let Some((_, text)) = own.iter().chain(&outside).find(same) else {
                    continue;
                };
                budget = budget.checked_sub(text.len())?;
                fields.push((*pointer, text.clone()));
            }
            events.push(Event {
                message,
                fields,
                identity: None,
            });
        }
        Self::of(parsed, info, topic, payload, events)
    }

    /// The facts of `payload` on `topic` (parsed as `parsed`, of `info`), which carries
    /// `events`; `None` without any.
    fn of(
        parsed: &AnyTopic,
        info: &'static TopicInfo,
        topic: &str,
        payload: &[u8],
        mut events: Vec<Event>,
    ) -> Option<Self> {
        if events.is_empty() {
            return None;
        }
        for event in &mut events {
            event.identity = retried(event.message).map(|changes| identity(info, payload, changes));
        }
        Some(Facts {
            topic: info,
            digest: digest(&(topic, payload)),
            device: parsed.device()?,
            params: parsed
                .params()
                .into_iter()
                .map(|(name, value)| (name, value.to_owned()))
                .collect(),
            events,
        })
    }

    /// The device the topic names: its device parameters joined by `/`.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The ids of the messages it carries.
    pub fn messages(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.events.iter().map(|e| e.message.id)
    }
}

/// The fields a retry of message `id` changes, when its sender retries.
fn retried(message: &MessageInfo) -> Option<&'static [&'static str]> {
    super::retry_of(message.id).map(|retry| retry.changes)
}

/// The digest of what every attempt of a request holds, from its payload's bytes. A payload
/// that is not a JSON object is its own.
fn identity(info: &TopicInfo, payload: &[u8], changes: &[&str]) -> u64 {
    match serde_json::from_slice::<serde_json::Map<String, Value>>(payload) {
        Ok(members) => attempt_digest(members, changes, info.sent_at),
        Err(_) => digest(&payload),
    }
}

/// The digest of what every attempt of a request holds: its top-level `members` but `changes`
/// and the sending time `sent_at`, in a canonical order.
pub(crate) fn attempt_digest(
    mut members: serde_json::Map<String, Value>,
    changes: &[&str],
    sent_at: Option<&str>,
) -> u64 {
    for pointer in changes.iter().copied().chain(sent_at) {
        let name = pointer.trim_start_matches('/');
        members.remove(&name.replace("~1", "/").replace("~0", "~"));
    }
    // serde_json's map keeps its keys sorted, so the text is the same for any member order.
    digest(&Value::Object(members).to_string())
}

pub(crate) fn digest(value: &impl std::hash::Hash) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(value)
}

/// What the fields read of a payload may take in all: a list of events copies the fields
/// outside its events into each, and no payload may make that cost more than its own size and
/// 1 MiB.
fn budget(payload: &[u8]) -> usize {
    payload.len().saturating_add(1 << 20)
}

/// How many messages the payload carries: one, or one per event of its list.
fn event_count(info: &TopicInfo, payload: &Value) -> usize {
    match info.batch {
        None => 1,
        Some(member) => payload
            .get(member)
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
    }
}

/// One message of a payload: the catalog's pointers read it with `0` standing for its index in
/// the list of events.
struct Place<'v> {
    payload: &'v Value,
    batch: Option<(&'static str, usize)>,
}

impl Place<'_> {
    /// The JSON text of each of `pointers` the message has, each taken from `budget` bytes;
    /// `None` when they take more.
    fn fields(
        &self,
        pointers: &[&'static str],
        budget: &mut usize,
    ) -> Option<Vec<(&'static str, String)>> {
        let mut fields = Vec::new();
        for pointer in pointers {
            let Some(value) = self.get(pointer) else {
                continue;
            };
            let text = value.to_string();
            *budget = budget.checked_sub(text.len())?;
            fields.push((*pointer, text));
        }
        Some(fields)
    }

    fn get(&self, pointer: &str) -> Option<&Value> {
        let Some((member, index)) = self.batch else {
            return self.payload.pointer(pointer);
        };
        let item = self.payload.get(member)?.get(index)?;
        match pointer
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(member))
        {
            Some(rest) if rest.starts_with("/0/") || rest == "/0" => item.pointer(&rest[2..]),
            _ => self.payload.pointer(pointer),
        }
    }
}

/// The message of the topic whose discriminators the payload holds.
fn identify(info: &TopicInfo, at: &Place<'_>) -> Option<&'static MessageInfo> {
    let tags: Vec<&str> = info
        .tags
        .iter()
        .map(|p| at.get(p).and_then(Value::as_str))
        .collect::<Option<_>>()?;
    catalog::messages()
        .iter()
        .filter(|m| info.messages.contains(&m.id))
        .find(|m| m.tags == tags.as_slice())
}

/// Every pointer a rule may read in message `id`: what correlates it with its reply or
/// request, what asks for a reply, when it was sent, and the fields of the rules about it.
fn pointers(id: &str) -> &'static [&'static str] {
    static POINTERS: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let all = POINTERS.get_or_init(|| {
        let messages = catalog::messages().iter();
        messages.map(|m| (m.id, pointers_of(m))).collect()
    });
    all.get(id).map_or(&[], Vec::as_slice)
}

fn pointers_of(m: &'static MessageInfo) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = m.correlate.iter().map(|c| c.reply).collect();
    let reply = m.reply.and_then(catalog::message);
    out.extend(
        reply
            .iter()
            .flat_map(|r| r.correlate.iter().map(|c| c.request)),
    );
    out.extend(m.reply_when.iter().map(|c| c.pointer));
    out.extend(m.topic_info().and_then(|t| t.sent_at));
    for rule in super::rules_about(m.id) {
        for start in rule.check.starts().iter().filter(|s| s.message == m.id) {
            out.extend(start.job);
        }
        match rule.check {
            RuleCheck::Progress {
                messages,
                job,
                percent,
                step,
                ..
            } if messages.contains(&m.id) => out.extend(job.iter().chain(step).chain([&percent])),
            RuleCheck::Final {
                messages,
                job,
                status,
                ..
            } if messages.contains(&m.id) => out.extend(job.iter().chain([&status])),
            RuleCheck::SameDevice { field, .. } | RuleCheck::Fresh { field, .. } => out.push(field),
            _ => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_attempt_digest_leaves_out_the_changed_members_and_the_time_only() {
        use super::attempt_digest;
        let members = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        let a = members(serde_json::json!({"tid": "1", "timestamp": 1, "data": {"x": 1}}));
        let b = members(serde_json::json!({"tid": "2", "timestamp": 2, "data": {"x": 1}}));
        let c = members(serde_json::json!({"tid": "2", "timestamp": 2, "data": {"x": 2}}));
        let digest = |m| attempt_digest(m, &["/tid"], Some("/timestamp"));
        assert_eq!(digest(a), digest(b.clone()));
        assert_ne!(digest(b), digest(c));
    }

    use super::Facts;

    const TOPIC: &str = "$oc/devices/D1/sys/events/up";

    fn batch(object_device_id: &str, events: usize) -> Vec<u8> {
        let event =
            r#"{"service_id":"$ota","event_type":"version_report","paras":{"fw_version":"1"}}"#;
        let events = vec![event; events].join(",");
        format!(r#"{{"object_device_id":"{object_device_id}","services":[{events}]}}"#).into_bytes()
    }

    #[test]
    fn each_event_of_a_list_is_a_message() {
        let facts = Facts::read(TOPIC, &batch("child", 3)).expect("read");
        assert_eq!(facts.device(), "D1");
        assert_eq!(facts.messages().count(), 3);
        assert!(facts.messages().all(|m| m == "huawei/ota/version_report"));
    }

    #[test]
    fn a_list_whose_copies_cost_too_much_is_not_read() {
        // A 2 KB `object_device_id`, read for each of 100 events: 200 KB, within bounds.
        let facts = Facts::read(TOPIC, &batch(&"x".repeat(2_000), 100)).expect("read");
        assert_eq!(facts.messages().count(), 100);
        assert_eq!(
            facts.events[99].text("/object_device_id").map(str::len),
            Some(2_002)
        );
        // 20 KB for each of 1,000 events: 20 MB, refused, whichever way it is read.
        let costly = batch(&"x".repeat(20_000), 1000);
        assert!(Facts::read(TOPIC, &costly).is_none());
        let (checked, facts) = Facts::check_and_read(TOPIC, &costly);
        assert!(checked.decoded.is_some() && facts.is_none());
    }
}
