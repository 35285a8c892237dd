//! The `iotxfer check` line reader and verdict on any input: no panic, one verdict per line,
//! and JSON output that parses.
#![no_main]

use iotxfer_conformance::capture::Lines;
use iotxfer_conformance::verdict::{self, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small limit, so long lines take the too-long path too.
    let options = Options { strict: true, max_payload: 512 };
    let mut lines = Lines::new(data, 2048);
    let mut number = 0;
    while let Some(line) = lines.next_line().expect("reading a slice cannot fail") {
        number += 1;
        let judged = verdict::judge(number, &line, options);
        let mut out = Vec::new();
        verdict::write_json(&mut out, &judged).expect("writing to a Vec cannot fail");
        let parsed: serde_json::Value = serde_json::from_slice(&out).expect("the output is JSON");
        assert_eq!(parsed["line"], number);
    }
    let expected = data.split(|&b| b == b'\n').count() - usize::from(data.ends_with(b"\n") || data.is_empty());
    assert_eq!(number as usize, expected);
});
