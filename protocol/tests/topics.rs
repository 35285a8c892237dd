//! Topic builders and parsers: the security boundary of the crate.

use iotxfer::{Direction, Forbidden, Topic, TopicError, dji, huawei, tencent};
use proptest::prelude::*;

#[test]
fn builds_prints_and_parses_every_vendor_form() {
    let t = tencent::ResourceUpTopic::new("ABCDEFGHIJ", "dev001").unwrap();
    assert_eq!(t.to_string(), "$resource/up/service/ABCDEFGHIJ/dev001");
    assert_eq!(tencent::ResourceUpTopic::parse(&t.to_string()).unwrap(), t);
    assert_eq!((t.product_id(), t.device_name()), ("ABCDEFGHIJ", "dev001"));

    let h = huawei::EventsUpTopic::new("d1234").unwrap();
    assert_eq!(h.to_string(), "$oc/devices/d1234/sys/events/up");
    assert_eq!(
        "$oc/devices/d1234/sys/events/up"
            .parse::<huawei::EventsUpTopic>()
            .unwrap(),
        h
    );

    let d = dji::ServicesTopic::new("dock_sn").unwrap();
    assert_eq!(d.to_string(), "thing/product/dock_sn/services");
    assert_eq!(
        d.reply().to_string(),
        "thing/product/dock_sn/services_reply"
    );
    assert_eq!(
        dji::StatusTopic::new("g").unwrap().to_string(),
        "sys/product/g/status"
    );
}

#[test]
fn filters_and_directions_come_from_the_patterns() {
    assert_eq!(
        tencent::ResourceDownTopic::FILTER,
        "$resource/down/service/+/+"
    );
    assert_eq!(huawei::EventsUpTopic::FILTER, "$oc/devices/+/sys/events/up");
    assert_eq!(
        dji::PropertySetReplyTopic::FILTER,
        "thing/product/+/property/set_reply"
    );
    assert_eq!(
        dji::EventsTopic::PATTERN,
        "thing/product/{gateway_sn}/events"
    );
    assert_eq!(dji::EventsTopic::DIRECTION, Direction::Up);
    assert_eq!(dji::ServicesTopic::DIRECTION, Direction::Down);
}

#[test]
fn non_ascii_parameters_round_trip() {
    let t = huawei::EventsUpTopic::new("设备-ü-🚁").unwrap();
    assert_eq!(t.to_string(), "$oc/devices/设备-ü-🚁/sys/events/up");
    assert_eq!(huawei::EventsUpTopic::parse(&t.to_string()).unwrap(), t);
    // Spaces and `$` are valid inside a level.
    let t = tencent::ResourceUpTopic::new("$p", "a b").unwrap();
    assert_eq!(
        tencent::ResourceUpTopic::parse("$resource/up/service/$p/a b").unwrap(),
        t
    );
}

#[test]
fn builders_refuse_every_bad_parameter() {
    let cases: [(&str, TopicError); 6] = [
        (
            "",
            TopicError::Empty {
                param: "gateway_sn",
            },
        ),
        (
            "a/b",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Slash,
            },
        ),
        (
            "+",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Plus,
            },
        ),
        (
            "a#",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Hash,
            },
        ),
        (
            "a\0b",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Nul,
            },
        ),
        (
            "sn/../other",
            TopicError::Forbidden {
                param: "gateway_sn",
                found: Forbidden::Slash,
            },
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(dji::EventsTopic::new(value), Err(expected), "{value:?}");
    }
    // Each parameter is named in the error.
    assert_eq!(
        tencent::ResourceUpTopic::new("p", ""),
        Err(TopicError::Empty {
            param: "device_name"
        })
    );
}

#[test]
fn the_topic_length_is_limited_to_what_mqtt_carries() {
    // "$oc/devices/" + id + "/sys/events/up" is 26 bytes plus the id.
    let fits = "x".repeat(iotxfer::MAX_TOPIC_LEN - 26);
    let t = huawei::EventsUpTopic::new(fits.clone()).unwrap();
    assert_eq!(t.to_string().len(), iotxfer::MAX_TOPIC_LEN);
    assert_eq!(huawei::EventsUpTopic::parse(&t.to_string()).unwrap(), t);

    let over = format!("{fits}x");
    assert_eq!(
        huawei::EventsUpTopic::new(over.clone()),
        Err(TopicError::TooLong {
            len: iotxfer::MAX_TOPIC_LEN + 1
        })
    );
    let topic = format!("$oc/devices/{over}/sys/events/up");
    assert_eq!(
        huawei::EventsUpTopic::parse(&topic),
        Err(TopicError::TooLong {
            len: iotxfer::MAX_TOPIC_LEN + 1
        })
    );
    // A multi-byte parameter counts bytes, not characters.
    let wide = "设".repeat((iotxfer::MAX_TOPIC_LEN - 26) / 3 + 1);
    assert!(matches!(
        huawei::EventsUpTopic::new(wide),
        Err(TopicError::TooLong { .. })
    ));
}

#[test]
fn parsers_refuse_other_patterns_and_filters() {
    let no_match = Err(TopicError::NoMatch {
        pattern: "thing/product/{gateway_sn}/events",
    });
    for topic in [
        "thing/product/sn/services",
        "thing/product/sn/events/extra",
        "thing/product/sn",
        "/thing/product/sn/events",
        "thing/product/sn/events/",
        "Thing/product/sn/events",
        "",
        "#",
    ] {
        assert_eq!(dji::EventsTopic::parse(topic), no_match, "{topic:?}");
    }
    // A filter is not a topic name.
    assert_eq!(
        dji::EventsTopic::parse("thing/product/+/events"),
        Err(TopicError::Forbidden {
            param: "gateway_sn",
            found: Forbidden::Plus
        })
    );
    assert_eq!(
        dji::EventsTopic::parse("thing/product//events"),
        Err(TopicError::Empty {
            param: "gateway_sn"
        })
    );
    assert_eq!(
        dji::EventsTopic::parse("thing/product/a\0/events"),
        Err(TopicError::Forbidden {
            param: "gateway_sn",
            found: Forbidden::Nul
        })
    );
    // `$` topics only match `$` patterns.
    assert!(tencent::ResourceUpTopic::parse("resource/up/service/p/d").is_err());
}

/// A valid topic level: any non-empty text without `/`, `+`, `#` or NUL, ASCII or not.
fn level() -> impl Strategy<Value = String> {
    "[^/+#\\x00]{1,40}"
}

/// A text that is not a valid topic level.
fn bad_level() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (
            "[^/+#\\x00]{0,8}",
            prop::sample::select(vec!['/', '+', '#', '\0']),
            "[^/+#\\x00]{0,8}"
        )
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
    ]
}

proptest! {
    #[test]
    fn parse_inverts_display(product in level(), device in level(), sn in level()) {
        let t = tencent::ResourceDownTopic::new(product, device).unwrap();
        prop_assert_eq!(tencent::ResourceDownTopic::parse(&t.to_string()).unwrap(), t);
        let t = dji::ServicesReplyTopic::new(sn.clone()).unwrap();
        prop_assert_eq!(dji::ServicesReplyTopic::parse(&t.to_string()).unwrap(), t);
        let t = huawei::EventsUpTopic::new(sn).unwrap();
        prop_assert_eq!(huawei::EventsUpTopic::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn invalid_parameters_are_refused(good in level(), bad in bad_level()) {
        prop_assert!(tencent::ResourceUpTopic::new(good.clone(), bad.clone()).is_err());
        prop_assert!(tencent::ResourceUpTopic::new(bad.clone(), good).is_err());
        prop_assert!(dji::EventsTopic::new(bad).is_err());
    }

    #[test]
    fn parsed_topics_never_hold_a_wildcard(topic in "[a-z+#/]{0,40}") {
        if let Ok(t) = dji::EventsTopic::parse(&topic) {
            prop_assert!(!t.gateway_sn().contains(['+', '#', '/']));
            prop_assert_eq!(t.to_string(), topic);
        }
    }
}

/// What MQTT client libraries get wrong (../shared/reference/perf-anchors.md §3): one popular
/// Rust client matches no `$` topic, panics on a non-ASCII topic with `#`, and accepts empty,
/// NUL and over-long topics. This crate does none of that.
#[test]
fn none_of_the_client_library_mistakes() {
    // `$` topics match their own patterns.
    assert!(tencent::ResourceUpTopic::parse("$resource/up/service/P/D").is_ok());
    assert!(huawei::EventsUpTopic::parse("$oc/devices/d/sys/events/up").is_ok());
    assert_eq!(
        iotxfer::decode(
            "$resource/up/service/P/D",
            br#"{"type":"get_download_task"}"#
        )
        .map(|m| m.id()),
        Ok("tencent/resource/get_download_task")
    );
    // A non-ASCII topic with a wildcard is refused, not a panic.
    for topic in [
        "thing/product/设备#/events",
        "thing/product/#/events",
        "$oc/devices/ü+/sys/events/up",
        "#",
        "设备/#",
    ] {
        assert!(iotxfer::decode(topic, b"{}").is_err(), "{topic}");
        assert!(dji::EventsTopic::parse(topic).is_err(), "{topic}");
    }
    // Empty, NUL and over-long topics are refused.
    assert!(iotxfer::decode("", b"{}").is_err());
    assert!(iotxfer::decode("\0", b"{}").is_err());
    assert!(dji::EventsTopic::parse("thing/product/\0/events").is_err());
    let long = format!(
        "thing/product/{}/events",
        "a".repeat(iotxfer::MAX_TOPIC_LEN)
    );
    assert!(matches!(
        dji::EventsTopic::parse(&long),
        Err(TopicError::TooLong { .. })
    ));
    assert!(matches!(
        dji::EventsTopic::new("a".repeat(iotxfer::MAX_TOPIC_LEN)),
        Err(TopicError::TooLong { .. })
    ));
}
