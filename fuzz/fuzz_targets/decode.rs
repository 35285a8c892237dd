//! `iotxfer::decode` and `iotxfer::check` on any topic and payload: the input's first line is
//! the topic, the rest the payload. Neither may panic; the one-pass decode must give what the
//! head-then-body decode gives, error included; a decoded message must re-encode to a payload
//! that decodes to the same message; `decode_all` fails as `decode` does, but for a batch of
//! several kinds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (topic, payload) = match data.iter().position(|&b| b == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (data, &[][..]),
    };
    let Ok(topic) = std::str::from_utf8(topic) else { return };
    let decoded = iotxfer::decode(topic, payload);
    assert_eq!(decoded, iotxfer::testing::decode_two_pass(topic, payload));
    let all = iotxfer::decode_all(topic, payload);
    if let Err(e) = &decoded {
        if *e.kind() != iotxfer::ErrorKind::MixedDiscriminators {
            assert_eq!(all.as_ref().err(), Some(e));
        }
    }
    let checked = iotxfer::check(topic, payload);
    assert_eq!(decoded.is_ok(), checked.decoded.is_some());
    if let Some(message) = checked.decoded {
        let json = message.as_delivery().to_json().expect("a decoded message encodes");
        let again = iotxfer::decode(topic, json.as_bytes()).expect("an encoded message decodes");
        assert_eq!(again, message);
    }
});
