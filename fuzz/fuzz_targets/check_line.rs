//! The `iotxfer check` line reader, verdict and conversation monitor on any input: no panic,
//! one verdict per line, JSON output that parses, findings that name lines that were read, and
//! the one-pass check and facts (`Facts::check_and_read`) the same as `check` and `Facts::read`.
#![no_main]

use iotxfer::conversation::{Facts, Monitor, Options as Flows};
use iotxfer_conformance::capture::{self, Line, Lines};
use iotxfer_conformance::verdict::{self, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small limit, so long lines take the too-long path too.
    let options = Options { strict: true, max_payload: 512 };
    let mut lines = Lines::new(data, 2048);
    let mut number = 0;
    let mut monitor = Monitor::new(Flows::default());
    let mut findings = Vec::new();
    while let Some(line) = lines.next_line().expect("reading a slice cannot fail") {
        number += 1;
        if let Line::Text(bytes) = line
            && let Ok(capture::Record { topic, payload: Ok(payload), .. }) = capture::parse(bytes)
        {
            let (checked, facts) = Facts::check_and_read(&topic, &payload);
            assert_eq!(checked, iotxfer::check(&topic, &payload));
            let read = Facts::read(&topic, &payload);
            assert_eq!(format!("{facts:?}"), format!("{read:?}"));
        }
        let (judged, read) = verdict::judge_with(number, &line, options, true);
        if let Some((received, facts)) = read {
            findings.extend(monitor.observe(number, received, &facts));
        }
        let mut out = Vec::new();
        verdict::write_json(&mut out, &judged).expect("writing to a Vec cannot fail");
        let parsed: serde_json::Value = serde_json::from_slice(&out).expect("the output is JSON");
        assert_eq!(parsed["line"], number);
    }
    findings.extend(monitor.finish(None));
    for f in &findings {
        assert!(!f.lines.is_empty() && f.lines.iter().all(|l| (1..=number).contains(l)), "{f:?}");
    }
    let expected = data.split(|&b| b == b'\n').count() - usize::from(data.ends_with(b"\n") || data.is_empty());
    assert_eq!(number as usize, expected);
});
