//! Topic routing and parsing on any string: no panic, and whatever parses prints back to the
//! same string, with no wildcard, NUL or empty level in a parameter.
#![no_main]

use iotxfer::{Topic, dji, huawei, tencent};
use libfuzzer_sys::fuzz_target;

fn round_trip<T: Topic + PartialEq + std::fmt::Debug>(topic: &str) {
    if let Ok(parsed) = T::parse(topic) {
        assert_eq!(parsed.to_string(), topic);
        assert!(topic.len() <= iotxfer::MAX_TOPIC_LEN);
        assert!(!topic.contains(['+', '#', '\0']));
        assert_eq!(T::parse(&parsed.to_string()).as_ref(), Ok(&parsed));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(topic) = std::str::from_utf8(data) else { return };
    round_trip::<dji::EventsTopic>(topic);
    round_trip::<dji::ServicesReplyTopic>(topic);
    round_trip::<dji::StatusTopic>(topic);
    round_trip::<huawei::EventsUpTopic>(topic);
    round_trip::<tencent::ResourceUpTopic>(topic);
    round_trip::<tencent::OtaReportTopic>(topic);
    // Routing through `decode` sees every pattern.
    let _ = iotxfer::decode(topic, b"{}");
});
