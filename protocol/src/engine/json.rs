//! The payload as JSON: what the engine reads and changes in messages it holds untyped, and the
//! typed steps the generated catalog points at.

use serde::Deserialize as _;
use serde_json::Value;

use crate::{Body, Message, Stamp};

/// What the catalog keeps for every request: its reply to `request` (as the topic and JSON
/// payload), with `body`, or with its acknowledgement when `body` is `None`; `None` when the
/// message is not this request, `body` is not its reply's body, or there is no acknowledgement.
pub(crate) type Answer =
    fn(request: &Message, body: Option<&Value>, stamp: &mut dyn Stamp) -> Option<Encoded>;

/// A topic name and its payload bytes.
pub(crate) type Encoded = (String, Vec<u8>);

/// `payload` re-encoded as `B`'s payload, in its own member order; `None` when it is not one.
pub(crate) fn reencode<B: Body>(payload: &Value) -> Option<Vec<u8>> {
    let typed = B::Payload::deserialize(payload).ok()?;
    serde_json::to_vec(&typed).ok()
}

/// The JSON text at `pointer`, `null` when absent: what correlation compares.
pub(crate) fn text(payload: &Value, pointer: &str) -> String {
    payload
        .pointer(pointer)
        .map_or_else(|| "null".into(), Value::to_string)
}

/// Sets the member at `pointer` (whose parent object exists) to `value`; false when it cannot.
pub(crate) fn set(payload: &mut Value, pointer: &str, value: Value) -> bool {
    let Some((parent, name)) = pointer.rsplit_once('/') else {
        return false;
    };
    let name = name.replace("~1", "/").replace("~0", "~");
    match payload.pointer_mut(parent) {
        Some(Value::Object(members)) => {
            members.insert(name, value);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_reaches_nested_members_and_refuses_missing_parents() {
        let mut v = serde_json::json!({"data": {"a": 1}});
        assert!(set(&mut v, "/data/b", Value::from(2)));
        assert!(!set(&mut v, "/nope/b", Value::from(2)));
        assert_eq!(text(&v, "/data/b"), "2");
        assert_eq!(text(&v, "/x"), "null");
    }
}
