//! The Rust types and the JSON Schemas say the same thing.
//!
//! - Any typed value of any message serializes to JSON that its schema accepts, that the strict
//!   check passes, and that decodes back to the same JSON.
//! - Random mutations of valid payloads (a member dropped, a value of another type, a number
//!   out of range, an undocumented enum value, an unknown member) are accepted by both the
//!   topic's schema and the strict check, or refused by both.
//!
//! The mutation tests write every case they judge, with the check's verdict, to
//! `target/tmp/agreement/<test>.jsonl` (the lines of `tests/data/schema_edges.jsonl`), so that
//! the validators of other languages are held to the same verdicts
//! (`conformance/tools/validate_corpus.py`, `conformance/tools/validators.js`).

mod common;

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::LazyLock;

use iotxfer::Verdict;
use iotxfer::catalog::{self, MessageInfo};
use iotxfer_conformance::{Validators, corpus, topic_of};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

static VALIDATORS: LazyLock<Validators> =
    LazyLock::new(|| Validators::new().unwrap_or_else(|e| panic!("{e}")));

const CASES: u32 = 256;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Where a test message travels: its topic with every parameter filled in.
fn topic(m: &MessageInfo) -> String {
    topic_of(m.topic, "GW-1")
}

#[test]
fn every_typed_value_is_accepted_by_its_schema_and_decodes_back() {
    for m in catalog::messages() {
        let schema = VALIDATORS
            .message(m.id)
            .expect("every message has a schema");
        let topic = topic(m);
        runner()
            .run(&m.arbitrary(), |payload| {
                let errors: Vec<String> = schema
                    .iter_errors(&payload)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                prop_assert!(
                    errors.is_empty(),
                    "{}: the schema refuses {payload}: {errors:?}",
                    m.id
                );
                let bytes = serde_json::to_vec(&payload).expect("JSON");
                let checked = iotxfer::check(&topic, &bytes);
                prop_assert_eq!(
                    checked.verdict,
                    Verdict::Conforms,
                    "{}: {:?}",
                    m.id,
                    checked.violations
                );
                prop_assert_eq!(checked.message, Some(m.id));
                let decoded = checked.decoded.expect("decoded");
                let again = decoded.as_delivery().to_value().expect("re-encodes");
                prop_assert!(
                    common::same(&payload, &again),
                    "{}: {payload} came back as {again}",
                    m.id
                );
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", m.id));
    }
}

/// One change to a JSON value.
#[derive(Debug, Clone)]
enum Mutation {
    /// Drop the member or item at the chosen place (the root becomes `{}`).
    Remove,
    /// Put another value there.
    Replace(Value),
    /// Add an unknown member to the object there.
    AddMember,
    /// Append text to the string there: an undocumented enum value, a malformed digest.
    Extend(String),
    /// Move the number there by a step: past a range bound, or out of a 64-bit integer.
    Shift(f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(3)),
        Just(json!(3.0)),
        Just(json!(1.5)),
        Just(json!(101)),
        Just(json!(9_223_372_036_854_775_807_i64)),
        Just(json!(9_223_372_036_854_775_808_u64)),
        Just(json!(1e19)),
        Just(json!("")),
        Just(json!("0")),
        Just(json!("3")),
        Just(json!("x")),
        Just(json!("in_progress")),
        Just(json!([])),
        Just(json!([1])),
        Just(json!({})),
        "[a-z_]{0,12}".prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
    ];
    prop_oneof![
        2 => Just(Mutation::Remove),
        4 => replacement.prop_map(Mutation::Replace),
        1 => Just(Mutation::AddMember),
        2 => prop_oneof![Just("x".to_owned()), Just(String::new()), "[A-Z0-9]{1,3}"].prop_map(Mutation::Extend),
        2 => prop_oneof![Just(1.0), Just(-1.0), Just(100.0), Just(1e19), Just(0.5)].prop_map(Mutation::Shift),
    ]
}

/// Every place in a value, as JSON pointers, root first.
fn places(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                places(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                places(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn mutate(mut value: Value, choice: usize, mutation: &Mutation) -> Value {
    let mut all = Vec::new();
    places(&value, String::new(), &mut all);
    let at = all[choice % all.len()].clone();
    match mutation {
        Mutation::Remove => match at.rsplit_once('/') {
            None => value = json!({}),
            Some((parent, key)) => match value.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&key.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        items.remove(i);
                    }
                }
                _ => {}
            },
        },
        Mutation::Replace(new) => {
            if let Some(slot) = value.pointer_mut(&at) {
                *slot = new.clone();
            }
        }
        Mutation::AddMember => {
            if let Some(Value::Object(map)) = value.pointer_mut(&at) {
                map.insert("zz_undocumented".into(), json!(1));
            }
        }
        Mutation::Extend(suffix) => {
            if let Some(Value::String(s)) = value.pointer_mut(&at) {
                s.push_str(suffix);
            }
        }
        Mutation::Shift(step) => {
            if let Some(slot @ Value::Number(_)) = value.pointer_mut(&at) {
                let shifted = match (slot.as_i64(), step.fract() == 0.0 && step.abs() < 1e15) {
                    (Some(i), true) => i.checked_add(*step as i64).map(Value::from),
                    _ => None,
                };
                *slot = shifted.unwrap_or_else(|| json!(slot.as_f64().unwrap_or(0.0) + step));
            }
        }
    }
    value
}

/// Whether a number of `value` is the float -2^63, which the check refuses for an integer field.
fn holds_rounded_minimum(value: &Value) -> bool {
    match value {
        Value::Number(n) => !n.is_i64() && n.as_f64() == Some(-9_223_372_036_854_775_808.0),
        Value::Array(items) => items.iter().any(holds_rounded_minimum),
        Value::Object(members) => members.values().any(holds_rounded_minimum),
        _ => false,
    }
}

/// The cases one test judged, as lines of `schema_edges.jsonl`.
struct Cases(RefCell<BufWriter<File>>);

impl Cases {
    fn create(test: &str) -> Self {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("agreement");
        std::fs::create_dir_all(&dir).expect("the target's tmp directory");
        let file = File::create(dir.join(format!("{test}.jsonl"))).expect("a cases file");
        Self(RefCell::new(BufWriter::new(file)))
    }

    fn record(&self, m: &MessageInfo, payload: &str, valid: bool) {
        let line = json!({
            "topic": topic(m),
            "message": m.id,
            "payload": payload,
            "verdict": if valid { "valid" } else { "invalid" },
            "why": "agreement mutation",
        });
        writeln!(self.0.borrow_mut(), "{line}").expect("a cases file");
    }
}

impl Drop for Cases {
    fn drop(&mut self) {
        self.0.get_mut().flush().expect("a cases file");
    }
}

/// The schema of the topic (any message defined on it) and the strict check agree on `payload`.
fn agree(m: &MessageInfo, payload: &Value, cases: &Cases) -> Result<(), TestCaseError> {
    let pattern = m.topic;
    let schema = VALIDATORS
        .topic(pattern)
        .expect("a covered topic has a schema");
    let bytes = serde_json::to_vec(payload).expect("JSON");
    let checked = iotxfer::check(&topic(m), &bytes);
    let check_accepts = checked.verdict == Verdict::Conforms;
    // A deliberate difference (README): a float at -2^63 in an integer field may stand for an
    // integer below the minimum, so the check refuses it where a validator reading doubles
    // accepts it.
    let deliberate = holds_rounded_minimum(payload)
        && checked
            .violations
            .iter()
            .any(|v| v.reason.contains("64-bit minimum"));
    let schema_accepts = schema.is_valid(payload) && !deliberate;
    if !deliberate {
        cases.record(m, &String::from_utf8_lossy(&bytes), check_accepts);
    }
    prop_assert_eq!(
        schema_accepts,
        check_accepts,
        "{}: schema {} but check {:?} {:?} on {}",
        m.id,
        if schema_accepts { "accepts" } else { "refuses" },
        checked.verdict,
        checked.violations,
        payload
    );
    // The one-pass decode and the head-then-body decode give the same result, error included.
    prop_assert_eq!(
        iotxfer::decode(&topic(m), &bytes),
        iotxfer::testing::decode_two_pass(&topic(m), &bytes),
        "{}: the one-pass and two-pass decodes differ on {}",
        m.id,
        payload
    );
    Ok(())
}

#[test]
fn mutations_of_typed_values_get_the_same_verdict_from_schema_and_check() {
    let cases = Cases::create("typed_values");
    for m in catalog::messages() {
        let strategy = (m.arbitrary(), any::<usize>(), mutation());
        runner()
            .run(&strategy, |(payload, choice, mutation)| {
                agree(m, &mutate(payload, choice, &mutation), &cases)
            })
            .unwrap_or_else(|e| panic!("{}: {e}", m.id));
    }
}

#[test]
fn mutations_of_the_corrected_vendor_examples_get_the_same_verdict() {
    let cases = Cases::create("vendor_examples");
    let corpus = corpus::load().unwrap_or_else(|e| panic!("{e}"));
    for example in &corpus.examples {
        let m = catalog::messages()
            .iter()
            .find(|m| m.id == example.message)
            .expect("a known message");
        let corrected = example.corrected(None).unwrap_or_else(|e| panic!("{e}"));
        let value: Value = serde_json::from_slice(&corrected).expect("corrected examples are JSON");
        agree(m, &value, &cases).unwrap_or_else(|e| panic!("{}: {e}", example.id));
        runner()
            .run(&(any::<usize>(), mutation()), |(choice, mutation)| {
                agree(m, &mutate(value.clone(), choice, &mutation), &cases)
            })
            .unwrap_or_else(|e| panic!("{}: {e}", example.id));
    }
}
