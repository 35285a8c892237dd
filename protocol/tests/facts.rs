//! `Facts::check_and_read` keeps the fields the rules read while the strict check compares the
//! payload with its re-encoding. Here, for every message, it is held to what `check` and
//! `Facts::read` give on their own, on valid payloads changed where the two ways could part:
//! values of other types and forms (`null`, `1.0`, escapes), repeated members, lists of
//! several events, and indented text.
#![cfg(feature = "proptest")]

use iotxfer::catalog;
use iotxfer::conversation::Facts;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

mod common;

/// A change to a valid payload.
#[derive(Debug, Clone)]
enum Change {
    /// The `n`-th value (in document order) replaced.
    Replace(usize, Value),
    /// The first member of the `n`-th object written a second time, last, with this value.
    Repeat(usize, Value),
    /// The first letter of the `n`-th string, or member name, written as a `\u` escape.
    Escape(usize),
    /// Every event of a list written `k` times more.
    MoreEvents(usize),
}

fn change() -> impl Strategy<Value = Change> {
    let value = prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(1.0)),
        Just(json!(100.0)),
        Just(json!(-0.0)),
        Just(json!(u64::MAX)),
        Just(json!(-7)),
        Just(json!("t1")),
        Just(json!([])),
        Just(json!({"a": 1})),
    ];
    prop_oneof![
        3 => (any::<usize>(), value.clone()).prop_map(|(n, v)| Change::Replace(n, v)),
        2 => (any::<usize>(), value).prop_map(|(n, v)| Change::Repeat(n, v)),
        2 => any::<usize>().prop_map(Change::Escape),
        1 => (1..4_usize).prop_map(Change::MoreEvents),
    ]
}

/// `value` written as JSON, with `changes` made in turn (a change of the text only as the last);
/// `pretty` indents it.
fn written(mut value: Value, changes: &[Change], pretty: bool) -> String {
    for change in changes {
        match change {
            Change::Replace(n, v) => {
                let values = count(&value, &|_| true);
                if let Some(place) = nth(&mut value, &mut (n % values), &|_| true) {
                    *place = v.clone();
                }
            }
            Change::MoreEvents(k) => {
                if let Some(Value::Array(events)) = value.get_mut("services") {
                    let copies: Vec<Value> = events.clone();
                    for _ in 0..*k {
                        events.extend(copies.iter().cloned());
                    }
                }
            }
            _ => {}
        }
    }
    let objects = count(&value, &Value::is_object);
    let mut text = if pretty {
        serde_json::to_string_pretty(&value)
    } else {
        serde_json::to_string(&value)
    }
    .unwrap();
    match changes.last().unwrap_or(&Change::MoreEvents(0)) {
        Change::Repeat(n, v) if objects > 0 => text = repeat(&value, n % objects, v),
        Change::Escape(n) => text = escape(&text, *n),
        _ => {}
    }
    text
}

fn count(value: &Value, counted: &dyn Fn(&Value) -> bool) -> usize {
    let inner = match value {
        Value::Object(map) => map.values().map(|v| count(v, counted)).sum(),
        Value::Array(items) => items.iter().map(|v| count(v, counted)).sum(),
        _ => 0,
    };
    inner + usize::from(counted(value))
}

/// The `n`-th value of `value` that is `counted`, in document order.
fn nth<'v>(
    value: &'v mut Value,
    n: &mut usize,
    counted: &dyn Fn(&Value) -> bool,
) -> Option<&'v mut Value> {
    if counted(value) {
        if *n == 0 {
            return Some(value);
        }
        *n -= 1;
    }
    match value {
        Value::Object(map) => map.values_mut().find_map(|v| nth(v, n, counted)),
        Value::Array(items) => items.iter_mut().find_map(|v| nth(v, n, counted)),
        _ => None,
    }
}

/// `value` written compactly, with the first member of its `n`-th object repeated last, with
/// `again` as its value.
fn repeat(value: &Value, n: usize, again: &Value) -> String {
    fn write(value: &Value, n: &mut Option<usize>, again: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let this = *n == Some(0);
                *n = n.and_then(|n| n.checked_sub(1));
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    write(v, n, again, out);
                }
                if let Some(first) = map.keys().next().filter(|_| this) {
                    let first = serde_json::to_string(first).unwrap();
                    out.push_str(&format!(",{first}:{again}"));
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, n, again, out);
                }
                out.push(']');
            }
            v => out.push_str(&v.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut Some(n), again, &mut out);
    out
}

/// `text` with the letter after its `n`-th quote written as a `\u` escape, where there is one.
fn escape(text: &str, n: usize) -> String {
    let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
    let Some(&at) = quotes.get(n % quotes.len().max(1)) else {
        return text.to_owned();
    };
    match text[at + 1..].chars().next() {
        Some(c) if c.is_ascii_alphabetic() => {
            format!("{}\\u{:04x}{}", &text[..=at], u32::from(c), &text[at + 2..])
        }
        _ => text.to_owned(),
    }
}

/// `check_and_read` against `check` and `Facts::read`, compared by their debug forms (the
/// facts hold the catalog's entries by reference), and the facts its one pass kept, when it
/// kept them, against `Facts::read` too; whether it kept them.
fn same(topic: &str, text: &str) -> Result<bool, TestCaseError> {
    let (checked, facts) = Facts::check_and_read(topic, text.as_bytes());
    let alone = iotxfer::check(topic, text.as_bytes());
    prop_assert_eq!(&checked, &alone, "{}", text);
    let read = format!("{:?}", Facts::read(topic, text.as_bytes()));
    prop_assert_eq!(&format!("{facts:?}"), &read, "{}", text);
    let kept = iotxfer::testing::facts_kept(topic, text.as_bytes());
    if let Some(kept) = &kept {
        prop_assert_eq!(&format!("{kept:?}"), &read, "kept: {}", text);
    }
    Ok(kept.is_some())
}

#[test]
fn keeping_the_fields_while_checking_reads_what_reading_them_does() {
    for m in catalog::messages() {
        let topic = common::topic(m);
        let changes = prop::collection::vec(change(), 1..4);
        let cases = (m.arbitrary(), changes, any::<bool>());
        TestRunner::new(Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        })
        .run(&cases, |(payload, changes, pretty)| {
            // A valid payload, as it is, is read in one pass.
            let plain = serde_json::to_string(&payload).unwrap();
            prop_assert!(same(&topic, &plain)?, "read again: {}", plain);
            same(&topic, &written(payload, &changes, pretty)).map(drop)
        })
        .unwrap_or_else(|e| panic!("{}: {e}", m.id));
    }
}

/// Payloads read in one pass (escapes, number forms), and those read again: a struct written
/// as an array (serde reads it; the walk does not go into it), a repeated member (the typed
/// decode refuses it), a value of another type.
#[test]
fn one_pass_where_it_keeps_what_a_value_holds() {
    let dji = "thing/product/GW-1/events";
    let output =
        r#"{"status":"in_progress","progress":{"percent":10,"step_key":"download_firmware"}}"#;
    let progress = format!(
        r#"{{"tid":"t","bid":"b","timestamp":1,"method":"ota_progress","data":{{"result":0,"output":{output}}}}}"#
    );
    let changed = |from: &str, to: &str| progress.replace(from, to);
    let one_pass = [
        progress.clone(),
        changed(r#""tid":"t""#, r#""tid":"\u0074""#),
        changed(r#""tid""#, r#""\u0074id""#),
        changed(r#""percent":10"#, r#""percent":1e1"#),
        changed(r#""timestamp":1"#, r#""timestamp":-0"#),
    ];
    for text in &one_pass {
        assert!(same(dji, text).unwrap_or_else(|e| panic!("{e}")), "{text}");
    }
    let read_again = [
        changed(
            &format!(r#""data":{{"result":0,"output":{output}}}"#),
            &format!(r#""data":[0,{output}]"#),
        ),
        changed(r#""bid":"b""#, r#""bid":"b","bid":"c""#),
        changed(r#""bid":"b""#, r#""bid":{"x":1}"#),
    ];
    for text in &read_again {
        assert!(!same(dji, text).unwrap_or_else(|e| panic!("{e}")), "{text}");
    }
    let huawei = "$oc/devices/D1/sys/events/up";
    let event = |version: &str, progress: u8| {
        format!(
            r#"{{"service_id":"$ota","event_type":"upgrade_progress_report","paras":{{"result_code":0,"version":"{version}","progress":{progress}}}}}"#
        )
    };
    let events = [event("1", 10), event("2", 20), event("3", 30)].join(",");
    let payload = format!(r#"{{"object_device_id":"child","services":[{events}]}}"#);
    assert!(same(huawei, &payload).unwrap_or_else(|e| panic!("{e}")));
    let facts = Facts::check_and_read(huawei, payload.as_bytes())
        .1
        .expect("facts");
    assert_eq!(facts.messages().count(), 3);
    // A long list: each event's fields are found among its own (the walk keeps them in
    // order), so the reading stays linear in the list.
    let long: Vec<String> = (0..5_000).map(|i| event(&i.to_string(), 50)).collect();
    let payload_long = format!(
        r#"{{"object_device_id":"child","services":[{}]}}"#,
        long.join(",")
    );
    assert!(same(huawei, &payload_long).unwrap_or_else(|e| panic!("{e}")));
    let debug = format!("{facts:?}");
    for field in [
        r#"("/services/0/paras/version", "\"3\"")"#,
        r#"("/services/0/paras/progress", "30")"#,
    ] {
        assert!(debug.contains(field), "{debug}");
    }
}
