//! `iotxfer::decode` against the hand-written baseline, each message timed in paired rounds.
//!
//! `cargo bench -p iotxfer --bench decode_paired`. On a shared virtual machine the speed of a
//! core drifts over seconds, so timing one function for seconds and then the other (as the
//! criterion bench `decode` does) can put a drift between them. Here each round times a batch
//! of one and a batch of the other back to back, in alternating order, and the ratio is the
//! median of the rounds' ratios. Prints one line per message:
//!
//! `decode/<message>: <ratio>x the hand-written struct (<iotxfer> ns against <baseline> ns, …)`

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::de::StrRead;

mod baseline;

use baseline::{MESSAGES, hand_written};

/// Rounds per message; odd, so the median is one of them.
const ROUNDS: usize = 41;
/// How long one batch of `iotxfer::decode` takes, about.
const BATCH: Duration = Duration::from_millis(10);

fn main() {
    for (name, topic, payload) in MESSAGES {
        let ours = || iotxfer::decode(black_box(topic), black_box(payload.as_bytes())).is_ok();
        let theirs = || {
            std::str::from_utf8(black_box(payload.as_bytes()))
                .is_ok_and(|text| hand_written(name, StrRead::new(text)))
        };
        assert!(ours() && theirs(), "{name}");
        let calls = calls_per_batch(ours);
        let mut rounds: Vec<(f64, f64)> = (0..ROUNDS)
            .map(|round| {
                if round % 2 == 0 {
                    let a = per_call(calls, ours);
                    (a, per_call(calls, theirs))
                } else {
                    let b = per_call(calls, theirs);
                    (per_call(calls, ours), b)
                }
            })
            .collect();
        rounds.sort_by(|x, y| (x.0 / x.1).total_cmp(&(y.0 / y.1)));
        let (a, b) = rounds[ROUNDS / 2];
        println!(
            "decode/{name}: {:.2}x the hand-written struct ({a:.0} ns against {b:.0} ns, \
             the median of {ROUNDS} paired rounds of {calls} calls)",
            a / b
        );
    }
}

/// How many calls of `f` take about [`BATCH`].
fn calls_per_batch(f: impl Fn() -> bool) -> u32 {
    let probe = 10_000;
    let took = per_call(probe, f);
    (BATCH.as_nanos() as f64 / took).clamp(1.0, f64::from(u32::MAX)) as u32
}

/// Nanoseconds per call of `f`, over `calls` calls.
fn per_call(calls: u32, f: impl Fn() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}
