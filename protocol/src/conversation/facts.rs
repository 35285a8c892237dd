//! What the rules read from one MQTT message: its device, its topic's parameters, and each
//! message it carries with its payload. Reading is the costly part (the JSON parse) and needs
//! no state, so a checker can do it on many threads and follow the conversations on one.

use serde_json::Value;

use crate::catalog::{MessageInfo, TopicInfo};

/// One MQTT message as the rules see it; see [`Facts::read`].
#[derive(Debug, Clone)]
pub struct Facts {
    pub(crate) topic: &'static TopicInfo,
    pub(crate) device: String,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) events: Vec<Event>,
}

/// One message of a payload: the whole payload, or one event of a list with the envelope's
/// other members around it (so that the catalog's pointers read it as they read a payload
/// with that one event).
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) message: &'static MessageInfo,
    pub(crate) payload: Value,
}

impl Facts {
    /// Reads an MQTT message for the rules: `None` when its topic is not one of the
    /// definitions, its payload is not a JSON object, or it carries no message of the
    /// definitions. A message that breaks its contract is still read: the rules look only at
    /// the fields they name.
    pub fn read(topic: &str, payload: &[u8]) -> Option<Facts> {
        let parsed = crate::AnyTopic::parse(topic).ok()?;
        let info = parsed.info();
        let len = payload.len();
        let payload: Value = serde_json::from_slice(payload).ok()?;
        let events: Vec<Event> = split(info, payload, len)
            .into_iter()
            .filter_map(|payload| {
                let message = identify(info, &payload)?;
                Some(Event { message, payload })
            })
            .collect();
        if events.is_empty() {
            return None;
        }
        Some(Facts {
            topic: info,
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

/// The payload as one payload per message: each event of a list on its own, unless the copies
/// of the envelope's other members would take more than
/// [`MAX_WORK`](crate::batch::MAX_WORK) bytes beyond the payload's `len` (as
/// [`decode_all`](crate::decode_all) refuses to split such a payload, these are not read).
fn split(info: &TopicInfo, payload: Value, len: usize) -> Vec<Value> {
    let Some(member) = info.batch else {
        return vec![payload];
    };
    let Value::Object(mut envelope) = payload else {
        return Vec::new();
    };
    let Some(Value::Array(items)) = envelope.remove(member) else {
        return Vec::new();
    };
    let rest = serde_json::to_vec(&envelope).map_or(usize::MAX, |bytes| bytes.len());
    if rest.saturating_mul(items.len()) > crate::batch::MAX_WORK.saturating_add(len) {
        return Vec::new();
    }
    items
        .into_iter()
        .map(|item| {
            let mut one = envelope.clone();
            one.insert(member.to_owned(), Value::Array(vec![item]));
            Value::Object(one)
        })
        .collect()
}

/// The message of the topic whose discriminators the payload holds.
fn identify(info: &TopicInfo, payload: &Value) -> Option<&'static MessageInfo> {
    let tags: Vec<&str> = info
        .tags
        .iter()
        .map(|at| payload.pointer(at).and_then(Value::as_str))
        .collect::<Option<_>>()?;
    crate::catalog::messages()
        .iter()
        .filter(|m| info.messages.contains(&m.id))
        .find(|m| m.tags == tags.as_slice())
}

#[cfg(test)]
mod tests {
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
    fn a_list_too_costly_to_split_is_not_read() {
        // 200 KB of other members, copied for each of 1,000 events: 200 MB.
        let payload = batch(&"x".repeat(200_000), 1000);
        assert_eq!(
            Facts::read(TOPIC, &payload).map(|f| f.messages().count()),
            None
        );
    }
}
