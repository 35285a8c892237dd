//! The JSON path of a fault in a typed payload is found from where serde_json stopped reading
//! (`iotxfer::testing::fault_path`), not by tracking the decode. Here, for every message, it
//! is held to the path that tracking gives (`serde_path_to_error`), on valid payloads broken
//! in every way a typed pass can fail: values of other types, members dropped or repeated,
//! lone surrogates, numbers out of range, nesting past serde_json's limit, in compact and in
//! indented JSON.
#![cfg(feature = "proptest")]

use iotxfer::catalog;
use iotxfer::testing::WithBody;
use iotxfer::{Body, Received};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

mod common;

/// Text the mutations put in place of a value or name, replaced once the JSON is written.
const SURROGATE: &str = "@@surrogate@@";
const HUGE: &str = "@@huge@@";
const DEEP: &str = "@@deep@@";
const TWICE: &str = "@@twice@@";

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    /// The member's value written a second time under the same name.
    Repeat,
    Surrogate,
    SurrogateName,
    Huge,
    Deep,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(18_446_744_073_709_551_615_u64)),
        Just(json!("")),
        Just(json!("x")),
        Just(json!([])),
        Just(json!([1, "x"])),
        Just(json!({})),
        Just(json!({"a": [{}]})),
    ];
    prop_oneof![
        6 => replacement.prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        2 => Just(Mutation::Repeat),
        1 => Just(Mutation::Surrogate),
        1 => Just(Mutation::SurrogateName),
        1 => Just(Mutation::Huge),
        1 => Just(Mutation::Deep),
    ]
}

/// Applies `mutation` at the `choice`-th place of `value` that it applies to, in document
/// order: any value, or an object for the mutations of a member.
fn mutate(value: &mut Value, choice: &mut usize, mutation: &Mutation) -> bool {
    let of_member = matches!(
        mutation,
        Mutation::Remove | Mutation::Repeat | Mutation::SurrogateName
    );
    if !of_member || value.is_object() {
        if *choice == 0 {
            match mutation {
                Mutation::Replace(v) => *value = v.clone(),
                Mutation::Surrogate => *value = Value::from(SURROGATE),
                Mutation::Huge => *value = Value::from(HUGE),
                Mutation::Deep => *value = Value::from(DEEP),
                _ => return in_object(value, mutation),
            }
            return true;
        }
        *choice -= 1;
    }
    match value {
        Value::Object(map) => map.values_mut().any(|v| mutate(v, choice, mutation)),
        Value::Array(items) => items.iter_mut().any(|v| mutate(v, choice, mutation)),
        _ => false,
    }
}

/// The mutations of a member: on the first member of an object.
fn in_object(value: &mut Value, mutation: &Mutation) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    let Some(name) = map.keys().next().cloned() else {
        return false;
    };
    match mutation {
        Mutation::Remove => {
            map.remove(&name);
        }
        Mutation::Repeat => {
            let copy = map[&name].clone();
            map.insert(TWICE.to_owned(), copy);
            map.insert(format!("{TWICE}name"), Value::from(name));
        }
        _ => {
            let moved = map.remove(&name).unwrap_or_default();
            map.insert(SURROGATE.to_owned(), moved);
        }
    }
    true
}

/// The mutated value as JSON text, compact or indented, with the placeholders filled in.
fn written(value: &Value, pretty: bool) -> String {
    let mut value = value.clone();
    let repeated = take_repeated(&mut value);
    let text = if pretty {
        serde_json::to_string_pretty(&value)
    } else {
        serde_json::to_string(&value)
    };
    let mut text = text.expect("a Value is written");
    if let Some(name) = repeated {
        text = text.replace(
            &format!("\"{TWICE}\""),
            &serde_json::to_string(&name).unwrap(),
        );
    }
    text.replace(&format!("\"{SURROGATE}\""), "\"a\\ud800b\"")
        .replace(&format!("\"{HUGE}\""), "1e400")
        .replace(
            &format!("\"{DEEP}\""),
            &("[".repeat(130) + &"]".repeat(130)),
        )
}

/// Takes the marker of a repeated member out, and gives the name it repeats.
fn take_repeated(value: &mut Value) -> Option<String> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.remove(&format!("{TWICE}name")) {
                return Some(name);
            }
            map.values_mut().find_map(take_repeated)
        }
        Value::Array(items) => items.iter_mut().find_map(take_repeated),
        _ => None,
    }
}

/// For the typed payload of a message: the path tracking gives to the fault of reading `text`,
/// and the one found from where serde_json stopped; `None` when `text` reads.
struct Paths<'a>(&'a str);

impl WithBody for Paths<'_> {
    type Output = Option<(String, String, String)>;

    fn call<B: Body>(self, _: &Received<B>) -> Self::Output {
        let error = serde_json::from_str::<B::Payload>(self.0).err()?;
        let mut de = serde_json::Deserializer::from_str(self.0);
        let tracked = serde_path_to_error::deserialize::<_, B::Payload>(&mut de)
            .err()
            .map_or_else(|| "(no fault)".to_owned(), |e| pointer(e.path()));
        let found = iotxfer::testing::fault_path(self.0, &error);
        Some((tracked, found, error.to_string()))
    }
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => out.push_str("/?"),
        }
    }
    out
}

#[test]
fn the_path_found_from_where_reading_stopped_is_the_tracked_path() {
    let compared = std::cell::Cell::new(0);
    let tried = std::cell::Cell::new(0);
    for m in catalog::messages() {
        let topic = common::topic(m);
        let cases = (m.arbitrary(), any::<usize>(), mutation(), any::<bool>());
        TestRunner::new(Config {
            cases: 512,
            failure_persistence: None,
            ..Config::default()
        })
        .run(&cases, |(payload, choice, mutation, pretty)| {
            let text = serde_json::to_string(&payload).unwrap();
            let message = iotxfer::decode(&topic, text.as_bytes())
                .unwrap_or_else(|e| panic!("{}: a valid payload decodes: {e}", m.id));
            let mut mutated = payload.clone();
            let mut places = 0;
            count(&mutated, &mut places);
            mutate(&mut mutated, &mut (choice % places), &mutation);
            let text = written(&mutated, pretty);
            tried.set(tried.get() + 1);
            if let Some((tracked, found, error)) = message.with_body(Paths(&text)) {
                compared.set(compared.get() + 1);
                prop_assert_eq!(
                    &tracked,
                    &found,
                    "{}: {:?} gives `{}`\n{}",
                    m.id,
                    mutation,
                    error,
                    text
                );
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let compared = compared.get();
    let tried = tried.get();
    assert!(
        compared > tried / 4,
        "only {compared} faults compared of {tried}"
    );
}

fn count(value: &Value, n: &mut usize) {
    *n += 1;
    match value {
        Value::Object(map) => map.values().for_each(|v| count(v, n)),
        Value::Array(items) => items.iter().for_each(|v| count(v, n)),
        _ => {}
    }
}

/// The walk's corner cases, each against tracking, on a type with every shape of member.
#[test]
fn corner_cases_agree_with_tracking() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        n: u8,
        s: String,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        a: Vec<Inner>,
        b: Option<Inner>,
        v: Option<Value>,
        m: Option<Map<String, Value>>,
    }
    let cases = [
        r#"{"a":[{"n":1,"s":"x"},{"n":300,"s":"x"}]}"#,
        r#"{"a":[{"n":1,"s":"x"},{"s":"x"}]}"#,
        r#"{"a":[{"n":1,"s":"x"},{"n":1}],"b":null}"#,
        r#"{"a":[{"n":1,"s":"x"}],"b":{"n":1,"s":"x","n":2}}"#,
        "{\"a\" : [ {\"n\" : 1 , \"s\" : 2 } ] }",
        "{\n  \"a\": [\n    {\n      \"n\": 1,\n      \"s\": {}\n    }\n  ]\n}",
        "{\n  \"a\": [\n    {\n      \"n\": 1\n    }\n  ]\n}",
        r#"{"a":[],"b":{"n":1,"s":"x\ud800"}}"#,
        r#"{"a":[],"m":{"x\ud800":1}}"#,
        r#"{"a":[],"v":{"k":[1,{"x":"\udc00"}]}}"#,
        r#"{"a":[],"b":[1,2]}"#,
        r#"{"a":[],"b":[1]}"#,
        r#"{"a":[],"b":[1,"x",3]}"#,
        r#"{"a":[],"v":1e400}"#,
        r#"{"a":{}}"#,
        r#"{"a":[[]]}"#,
        r#"{"a":[],"a":[]}"#,
        r#"{"a~/b":1,"a":[{"n":-1,"s":""}]}"#,
        r#"{"\u0061":[{"n":true,"s":""}]}"#,
    ];
    let deep = format!(
        r#"{{"a":[],"v":{{"k":{}}}}}"#,
        "[".repeat(140) + &"]".repeat(140)
    );
    for text in cases.iter().copied().chain([deep.as_str()]) {
        let error = serde_json::from_str::<Outer>(text).expect_err(text);
        let mut de = serde_json::Deserializer::from_str(text);
        let tracked = serde_path_to_error::deserialize::<_, Outer>(&mut de).expect_err(text);
        assert_eq!(
            iotxfer::testing::fault_path(text, &error),
            pointer(tracked.path()),
            "{text}: {error}"
        );
    }
}
