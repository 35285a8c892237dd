//! What the conversation engine costs for each message it receives, against the loop a careful
//! engineer writes with the codec alone, each timed in paired rounds.
//!
//! `cargo bench -p iotxfer --bench engine_paired`. The message is a DJI `ota_progress` event that
//! asks for its acknowledgement, each with a tid of its own. The baseline holds it to its
//! contract (`iotxfer::check`), decodes it (`decode_as`) and builds and encodes the
//! acknowledgement (`Received::reply`); the engine does that and also follows the conversation
//! rules (its monitor), the job and the deduplication of redeliveries. Each round times a batch
//! of one and a batch of the other back to back, in alternating order; the ratio is the median
//! of the rounds' ratios. Prints one line.

use std::hint::black_box;
use std::time::{Duration, Instant};

use iotxfer::dji::firmware::{OtaProgress, OtaProgressReply};
use iotxfer::engine::{Engine, Options};
use iotxfer::{Direction, Verdict};

/// Rounds; odd, so the median is one of them.
const ROUNDS: usize = 41;
/// Messages in one batch.
const BATCH: usize = 2_000;
const TOPIC: &str = "thing/product/DOCK-1/events";

fn main() {
    // A job of its own for each round: the engine sees no redelivery and no progress going back.
    let batches: Vec<Vec<Vec<u8>>> = (0..ROUNDS)
        .map(|round| (0..BATCH).map(|n| event(round, n)).collect())
        .collect();
    let mut engine = Engine::new(Direction::Down, Options::default());
    let mut now = 1_700_000_000_000_000_i64;
    let mut ours = |events: &[Vec<u8>]| {
        for payload in events {
            now += 1_000;
            engine.receive(TOPIC, black_box(payload), now);
            while let Some(t) = engine.poll_transmit() {
                let _published = black_box(t);
            }
            while let Some(e) = engine.poll_event() {
                black_box(e);
            }
        }
        // Once a batch, as a driver does at `next_wake`.
        engine.wake(now);
    };
    let theirs = |events: &[Vec<u8>]| {
        for payload in events {
            assert_eq!(iotxfer::check(TOPIC, payload).verdict, Verdict::Conforms);
            let event = iotxfer::decode_as::<OtaProgress>(TOPIC, black_box(payload)).unwrap();
            if event.expects_reply() {
                black_box(event.reply(OtaProgressReply::new(0)).encode().unwrap());
            }
        }
    };
    let mut rounds: Vec<(f64, f64)> = Vec::with_capacity(ROUNDS);
    for (round, events) in batches.iter().enumerate() {
        let (a, b) = if round % 2 == 0 {
            let a = timed(|| ours(events));
            (a, timed(|| theirs(events)))
        } else {
            let b = timed(|| theirs(events));
            (timed(|| ours(events)), b)
        };
        rounds.push((a, b));
    }
    rounds.sort_by(|x, y| (x.0 / x.1).total_cmp(&(y.0 / y.1)));
    let (a, b) = rounds[ROUNDS / 2];
    let per = |d: f64| d / BATCH as f64 * 1e9;
    println!(
        "engine/receive ota_progress: {:.2}x the codec loop ({:.0} ns against {:.0} ns a message, \
         the median of {ROUNDS} paired rounds of {BATCH} messages)",
        a / b,
        per(a),
        per(b)
    );
}

/// The `n`th `ota_progress` event of job `round`, which asks for its acknowledgement.
fn event(round: usize, n: usize) -> Vec<u8> {
    format!(
        r#"{{"tid":"e{round}-{n}","bid":"job-{round}","timestamp":{},"method":"ota_progress","need_reply":1,"data":{{"result":0,"output":{{"status":"in_progress","progress":{{"percent":{}}}}}}}}}"#,
        1_700_000_000_000_u64 + n as u64,
        n * 100 / BATCH
    )
    .into_bytes()
}

fn timed(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    f();
    let took: Duration = start.elapsed();
    took.as_secs_f64()
}
