//! Decode, route and check, each against a baseline measured in the same run.
//!
//! `cargo bench -p iotxfer --bench decode`; the figures and ratios are in BENCHMARKS.md.
//!
//! - `decode/<message>/iotxfer`: `iotxfer::decode` (route, discriminate, decode with paths);
//!   `…/hand_written`: the payload's bytes checked as UTF-8, then read by serde_json into a
//!   hand-written struct of the same message (`…/hand_written_slice`: read with
//!   `serde_json::from_slice`); `…/value`: `serde_json::from_str::<Value>`.
//! - `check/<message>/…`: the strict check against decode alone.
//! - `route/…`: routing a topic to its pattern.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::de::{SliceRead, StrRead};

mod baseline;

use baseline::{MESSAGES, hand_written};

fn decode(c: &mut Criterion) {
    for (name, topic, payload) in MESSAGES {
        assert!(iotxfer::decode(topic, payload.as_bytes()).is_ok(), "{name}");
        let text = |bytes: &'static [u8]| std::str::from_utf8(bytes).map(StrRead::new);
        let slice = || SliceRead::new(payload.as_bytes());
        assert!(hand_written(name, slice()), "{name}");
        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.bench_function("iotxfer", |b| {
            b.iter(|| iotxfer::decode(black_box(topic), black_box(payload.as_bytes())))
        });
        group.bench_function("hand_written", |b| {
            b.iter(|| text(black_box(payload.as_bytes())).is_ok_and(|r| hand_written(name, r)))
        });
        group.bench_function("hand_written_slice", |b| {
            b.iter(|| hand_written(black_box(name), black_box(slice())))
        });
        group.bench_function("value", |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(payload)))
        });
        group.finish();
    }
}

fn check(c: &mut Criterion) {
    for (name, topic, payload) in MESSAGES {
        let mut group = c.benchmark_group(format!("check/{name}"));
        group.bench_function("check", |b| {
            b.iter(|| iotxfer::check(black_box(topic), black_box(payload.as_bytes())))
        });
        group.bench_function("decode", |b| {
            b.iter(|| iotxfer::decode(black_box(topic), black_box(payload.as_bytes())))
        });
        group.finish();
    }
}

fn route(c: &mut Criterion) {
    // One topic of every pattern, in catalog order.
    let topics: Vec<String> = iotxfer::catalog::topics()
        .iter()
        .map(|t| t.filter.replace('+', "GW-0001"))
        .collect();
    for topic in &topics {
        assert!(iotxfer::catalog::route(topic).is_some(), "{topic}");
    }
    let mut group = c.benchmark_group("route");
    group.bench_function("every_pattern", |b| {
        b.iter(|| {
            for topic in &topics {
                black_box(iotxfer::catalog::route(black_box(topic)));
            }
        })
    });
    group.bench_function("split_baseline", |b| {
        b.iter(|| {
            for topic in &topics {
                black_box(black_box(topic).split('/').count());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, decode, check, route);
criterion_main!(benches);
