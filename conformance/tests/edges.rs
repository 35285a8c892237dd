//! Classes of payloads that once got a wrong verdict, each held beyond the example that found it:
//! the shared edge cases that Python's validator judges too, integers just outside 64 bits in
//! every integer field of every message, and discriminators one typo from a documented value.

use std::sync::LazyLock;

use iotxfer::catalog::{self, MessageInfo};
use iotxfer::{ErrorKind, Verdict};
use iotxfer_conformance::topic_of;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRng, TestRunner};
use serde_json::Value;

/// `conformance/tests/data/schema_edges.jsonl`: `conformance/tools/validate_corpus.py` holds the
/// committed schemas to the same verdicts under Python's `jsonschema`.
static EDGES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    include_str!("data/schema_edges.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
});

#[test]
fn the_shared_edge_cases_get_their_verdict_from_check() {
    assert!(EDGES.len() >= 40);
    for case in EDGES.iter() {
        let field = |name: &str| case[name].as_str().expect("a string member");
        let checked = iotxfer::check(field("topic"), field("payload").as_bytes());
        let verdict = match checked.verdict {
            Verdict::Conforms => "valid",
            _ => "invalid",
        };
        assert_eq!(
            verdict,
            field("verdict"),
            "{}: {:?}",
            field("why"),
            checked.violations
        );
        // A payload of several messages (events of several kinds) names none.
        assert_eq!(
            checked.message,
            case["message"].as_str(),
            "{}",
            field("why")
        );
    }
}

/// JSON pointers of the integers in `value`.
fn integers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => out.push(at.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                integers(item, &format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                let key = key.replace('~', "~0").replace('/', "~1");
                integers(item, &format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// `payload` with the value at `at` written as the raw JSON `literal`.
fn with_literal(payload: &Value, at: &str, literal: &str) -> String {
    const MARK: &str = "\u{1}LITERAL\u{1}";
    let mut marked = payload.clone();
    *marked.pointer_mut(at).expect("the pointer exists") = Value::from(MARK);
    let text = serde_json::to_string(&marked).expect("JSON");
    let quoted = serde_json::to_string(MARK).expect("JSON");
    text.replacen(&quoted, literal, 1)
}

/// Below the 64-bit minimum, serde_json reads a double that rounds to -2^63; above the maximum,
/// one that does not fit. Every integer field refuses all of them, as the schema's bounds do,
/// and takes the bounds themselves. (Free-form `json` fields take any number.)
#[test]
fn every_integer_field_reads_exactly_or_not_at_all() {
    const OUTSIDE: [&str; 5] = [
        "-9223372036854775809",
        "-9223372036854776832",
        "-9223372036854775808.0",
        "9223372036854775808",
        "-1e19",
    ];
    let fields = std::cell::Cell::new(0);
    for m in catalog::messages() {
        let topic = topic_of(m.topic, "GW-1");
        // A fixed seed: the same payloads, and so the same fields, on every run.
        let config = Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
            .run(&m.arbitrary(), |payload| {
                let mut at = Vec::new();
                integers(&payload, "", &mut at);
                for pointer in at.iter().filter(|p| !free_form(m, &topic, &payload, p)) {
                    fields.set(fields.get() + 1);
                    for literal in OUTSIDE {
                        let text = with_literal(&payload, pointer, literal);
                        let error = iotxfer::decode(&topic, text.as_bytes());
                        prop_assert!(error.is_err(), "{}{pointer} took {literal}", m.id);
                        let checked = iotxfer::check(&topic, text.as_bytes());
                        prop_assert_eq!(checked.verdict, Verdict::Violates);
                    }
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", m.id));
    }
    let fields = fields.get();
    assert!(fields > 1000, "only {fields} integer fields were tried");
}

/// Whether the integer at `at` sits in a free-form field: one that takes a string as well.
fn free_form(m: &MessageInfo, topic: &str, payload: &Value, at: &str) -> bool {
    let text = with_literal(payload, at, "\"x\"");
    let checked = iotxfer::check(topic, text.as_bytes());
    checked.verdict == Verdict::Conforms && checked.message == Some(m.id)
}

/// Every discriminator of every message, written with a typo a device might make, is a
/// violation that names the value meant; values further away keep their verdict.
#[test]
fn a_discriminator_one_typo_away_names_the_documented_value() {
    let mut tried = 0;
    for m in catalog::messages() {
        let topic = topic_of(m.topic, "GW-1");
        // One payload per message, the same on every run.
        let mut runner = TestRunner::deterministic();
        let payload = m
            .arbitrary()
            .new_tree(&mut runner)
            .expect("a value")
            .current();
        let text = serde_json::to_string(&payload).expect("JSON");
        for documented in m.tags {
            let quoted = serde_json::to_string(documented).expect("JSON");
            let mut typos = vec![
                documented.to_uppercase(),
                format!("{documented} "),
                format!(" {documented}"),
            ];
            if documented.chars().count() >= 6 {
                let mut dropped = documented.to_string();
                dropped.pop();
                typos.extend([dropped, format!("{documented}s")]);
            }
            for typo in typos.into_iter().filter(|t| t != documented) {
                let bad = text.replace(&quoted, &serde_json::to_string(&typo).expect("JSON"));
                let error = iotxfer::decode(&topic, bad.as_bytes()).expect_err(&bad);
                let ErrorKind::MisspeltDiscriminator {
                    documented: meant,
                    message,
                    ..
                } = error.kind()
                else {
                    panic!("{}: {typo:?} gave {error}", m.id);
                };
                assert_eq!((*meant, *message), (*documented, m.id), "{bad}");
                let checked = iotxfer::check(&topic, bad.as_bytes());
                assert_eq!(checked.verdict, Verdict::Violates, "{bad}");
                assert!(checked.violations[0].reason.contains(documented));
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "{tried}");
}

#[test]
fn values_further_away_stay_not_covered_on_an_open_topic() {
    let topic = "thing/product/GW-1/events";
    for method in [
        "hms",
        "flighttask_progress",
        "ota_prog",
        "progress_ota",
        "OTA-PROGRES",
    ] {
        // A method a family defines one day is no longer an example of one it does not.
        let defined = iotxfer::catalog::messages()
            .iter()
            .any(|m| m.tags.contains(&method));
        if defined {
            continue;
        }
        let payload =
            format!(r#"{{"tid":"t","bid":"b","timestamp":1,"method":"{method}","data":{{}}}}"#);
        let checked = iotxfer::check(topic, payload.as_bytes());
        assert_eq!(checked.verdict, Verdict::NotCovered, "{method}");
    }
}
