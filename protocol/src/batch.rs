//! Payloads that carry several messages: a list of events, each a message of its own (Huawei
//! `services`, whose events a device may batch, of any kinds).

use serde_json::{Map, Value};

use crate::check::{Checked, Violation, against};
use crate::{DecodeError, Message};

/// Decodes an MQTT message into the messages it carries: one per event for a topic whose
/// envelope holds a list of events ([`TopicInfo::batch`](crate::catalog::TopicInfo::batch)),
/// each with the envelope's other members (Huawei `object_device_id`); otherwise the one
/// message [`decode`](crate::decode) gives.
///
/// An error names the event it is in: `/services/2/paras/file_name`.
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
    let member = crate::catalog::route(topic).and_then(|t| t.batch);
    let Some((member, events)) = member.and_then(|m| Some((m, split(payload, m)?))) else {
        return crate::decode(topic, payload).map(|m| vec![m]);
    };
    events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            crate::decode(topic, event).map_err(|e| e.in_event(|path| reindex(path, member, i)))
        })
        .collect()
}

/// The payload once for each item of its list `member`, holding that item and the other
/// members; `None` when the payload is not an object with a non-empty list there.
fn split(payload: &[u8], member: &str) -> Option<Vec<Vec<u8>>> {
    let mut envelope: Map<String, Value> = serde_json::from_slice(payload).ok()?;
    let Value::Array(items) = envelope.remove(member)? else {
        return None;
    };
    if items.is_empty() {
        return None;
    }
    items
        .into_iter()
        .map(|item| {
            let mut one = envelope.clone();
            one.insert(member.to_owned(), Value::Array(vec![item]));
            serde_json::to_vec(&one).ok()
        })
        .collect()
}

/// `path` in the payload of event `i` alone, as a path in the whole payload:
/// `/services/0/paras` → `/services/2/paras`.
fn reindex(path: &str, member: &str, i: usize) -> String {
    let first = format!("/{member}/0");
    match path.strip_prefix(&first) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/{member}/{i}{rest}"),
        _ => path.to_owned(),
    }
}

/// The strict check of a list of events of several kinds: each event is held to the contract
/// of its own message, and the whole payload is compared with the events' re-encodings.
pub(crate) fn check(topic: &str, payload: &[u8]) -> Result<Checked, DecodeError> {
    let messages = decode_all(topic, payload)?;
    let member = crate::catalog::route(topic)
        .and_then(|t| t.batch)
        .unwrap_or_default();
    let mut violations = Vec::new();
    let mut events = Vec::new();
    let mut written = Ok(Value::Null);
    for (i, message) in messages.iter().enumerate() {
        let delivery = message.as_delivery();
        violations.extend(delivery.violations().into_iter().map(|v| Violation {
            path: reindex(&v.path, member, i),
            ..v
        }));
        match delivery.to_value() {
            Ok(mut value) if i == 0 => {
                events.extend(take_event(&mut value, member));
                written = Ok(value);
            }
            Ok(mut value) => events.extend(take_event(&mut value, member)),
            Err(e) => written = Err(e),
        }
    }
    let written = written.map(|mut envelope| {
        if let Some(object) = envelope.as_object_mut() {
            object.insert(member.to_owned(), Value::Array(events));
        }
        envelope
    });
    Ok(against(payload, violations, written))
}

/// The one event of a payload decoded from one event.
fn take_event(payload: &mut Value, member: &str) -> Option<Value> {
    match payload.get_mut(member)? {
        Value::Array(items) => items.pop(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_move_to_their_event() {
        assert_eq!(
            reindex("/services/0/paras/a", "services", 3),
            "/services/3/paras/a"
        );
        assert_eq!(reindex("/services/0", "services", 1), "/services/1");
        assert_eq!(reindex("/services/01", "services", 1), "/services/01");
        assert_eq!(
            reindex("/object_device_id", "services", 2),
            "/object_device_id"
        );
    }
}
