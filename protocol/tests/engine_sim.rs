//! The two conversation engines, a platform's and a device's, driven against each other
//! through a seeded simulated broker (issue 24, item 3). The broker loses, duplicates (a QoS 1
//! redelivery: the same topic and bytes again), delays and reorders messages as MQTT allows:
//! the messages of one sender on one topic keep their order unless lost, different topics may
//! overtake each other, and a delay is 0 to 2.5 s, now and then up to 4 s (more than a DJI
//! attempt's 3 s). Each engine wakes at its `next_wake`; the clock jumps to the next delivery
//! or wake.
//!
//! Each family has a scenario (a family added as definitions alone has none until one is
//! written; the tests list it): the asking side calls with typed messages, the other answers
//! with responders, and in job families the reporting side reports progress to a final
//! status. Over many seeds per family:
//!
//! 1. every call ends exactly once, answered or timed out; without loss, answered;
//! 2. the answering side publishes at most one reply per distinct attempt it received (per
//!    copy, where a copy cannot be told from a new request);
//! 3. every message either engine publishes conforms to its contract;
//! 4. a [`Monitor`] of all traffic, as published, finds no violation by either side (where a
//!    message may have been lost or delayed, an unanswered or late request is the network's
//!    doing and is not counted); neither engine finds a message invalid, and on a clean
//!    network (one seed in four: no loss, delays up to 1.4 s each way, so that a round trip
//!    fits a DJI attempt's 3 s; duplicates still) neither reports a violation, nor on any
//!    network one of a rule other than a request's answer.
//!
//! Each network's loss (0 to 19 %), duplicates (0 to 29 %) and long delays (0 to 9 %) follow
//! from its seed. A job's start without ids is not duplicated: its copy is the job started
//! again, for the device as for the monitor (see `duplicable`).
//! A failure prints its seed, its family and its trace. Alone:
//! `cargo test -p iotxfer --features proptest --test engine_sim`.
#![cfg(feature = "proptest")]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use iotxfer::catalog::{self, RuleCheck};
use iotxfer::conversation::{Facts, Monitor, Options as MonitorOptions, Verdict};
use iotxfer::engine::{Call, CallId, Engine, Event, Incoming, Job, Options, Transmit};
use iotxfer::{Body, Direction, Outgoing, Request, Stamp};
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// Seeds of each family.
const SEEDS: u64 = 200;
/// Microseconds in a millisecond.
const MS: i64 = 1000;
/// When the simulation starts: 2026-12-07, in microseconds since the Unix epoch.
const T0: i64 = 1_796_601_600_000_000;
/// When a simulation gives up: long after every deadline and retry.
const HORIZON: i64 = 600_000 * MS;

/// Deterministic ids: `p-1`, `p-2`, ... as UUID-like texts, per side.
struct Ids(u8, u64);

impl Stamp for Ids {
    fn id(&mut self) -> String {
        self.1 += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", self.0, self.1)
    }
    fn now_ms(&mut self) -> i64 {
        0
    }
}

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Side {
    Platform,
    Device,
}

impl Side {
    fn other(self) -> Self {
        match self {
            Side::Platform => Side::Device,
            Side::Device => Side::Platform,
        }
    }
}

/// A message on its way.
#[derive(Debug, Clone)]
struct Flight {
    at: i64,
    order: u64,
    to: Side,
    topic: String,
    payload: Vec<u8>,
    message: &'static str,
}

/// A seeded network.
struct Net {
    rng: TestRng,
    loss: u64,
    dup: u64,
    long: u64,
    queue: Vec<Flight>,
    order: u64,
    /// The latest delivery time of each sender's topic: its order holds.
    last: HashMap<(Side, String), i64>,
    lost: bool,
    /// No loss, and short delays.
    clean: bool,
}

impl Net {
    fn new(seed: u64) -> Self {
        let mut bytes = [0; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
        // One seed in four is clean: no loss, no long delay.
        let clean = rng.next_u64().is_multiple_of(4);
        let loss = if clean { 0 } else { rng.next_u64() % 20 };
        let dup = rng.next_u64() % 30;
        let long = if clean { 0 } else { rng.next_u64() % 10 };
        Self {
            rng,
            loss,
            dup,
            long,
            queue: Vec::new(),
            order: 0,
            last: HashMap::new(),
            lost: false,
            clean,
        }
    }

    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Sends `t`, published by `from` at `now`.
    fn send(&mut self, from: Side, t: &Transmit, now: i64) {
        if self.chance(self.loss) {
            self.lost = true;
            return;
        }
        let copies = if self.chance(self.dup) && duplicable(t.message) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = if self.clean {
                // Both ways within a DJI attempt's 3 s: no reply is late.
                self.below(1_400 * MS as u64) as i64
            } else if self.chance(self.long) {
                2_500 * MS + self.below(1_500 * MS as u64) as i64
            } else {
                self.below(2_500 * MS as u64) as i64
            };
            let key = (from, t.topic.clone());
            let floor = self.last.get(&key).copied().unwrap_or(i64::MIN);
            let at = (now + delay).max(floor);
            self.last.insert(key, at);
            self.order += 1;
            self.queue.push(Flight {
                at,
                order: self.order,
                to: from.other(),
                topic: t.topic.clone(),
                payload: t.payload.clone(),
                message: t.message,
            });
        }
    }

    fn next(&self) -> Option<i64> {
        self.queue.iter().map(|f| f.at).min()
    }

    /// The messages due at `now`, in order.
    fn due(&mut self, now: i64) -> Vec<Flight> {
        let (mut due, rest): (Vec<_>, Vec<_>) = self.queue.drain(..).partition(|f| f.at <= now);
        self.queue = rest;
        due.sort_by_key(|f| (f.at, f.order));
        due
    }
}

/// What a scenario does to its engines.
struct Ctx<'a> {
    platform: &'a mut Engine,
    device: &'a mut Engine,
    now: i64,
    /// Calls started, by side.
    calls: &'a mut Vec<(Side, CallId)>,
    /// Reports to send later: when, and what.
    later: &'a mut Vec<(i64, Later)>,
    /// Jobs of calls, to report once the call is answered.
    held: &'a mut Vec<(Side, CallId, Job)>,
}

impl Ctx<'_> {
    fn engine(&mut self, side: Side) -> &mut Engine {
        match side {
            Side::Platform => self.platform,
            Side::Device => self.device,
        }
    }

    /// Calls `request` from `side`.
    fn call<Q: Request>(&mut self, side: Side, request: Outgoing<Q>) -> Call<Q> {
        let now = self.now;
        let call = self.engine(side).call(request, now).expect("a call");
        self.calls.push((side, call.id()));
        call
    }

    /// The message `body` on `topic`, from `side`.
    fn message<B: Body>(&mut self, side: Side, topic: B::Topic, body: B) -> Outgoing<B> {
        let now = self.now;
        self.engine(side).message(topic, body, now)
    }

    /// Answers `incoming`, a `Q` received by `side`, with `reply`; the job it starts.
    fn respond<Q: Request>(
        &mut self,
        side: Side,
        incoming: Incoming,
        reply: Q::Reply,
    ) -> Option<Job> {
        let job = incoming.job().cloned();
        let (_, responder) = incoming.take::<Q>().expect("the scenario's request");
        let now = self.now;
        self.engine(side)
            .respond(responder, reply, now)
            .expect("an answer");
        job
    }

    /// Sends `report` of `job` from `side`; a report that asks for its acknowledgement is a
    /// call.
    fn report<B: Body>(&mut self, side: Side, job: &Job, report: Outgoing<B>) {
        let now = self.now;
        let call = self
            .engine(side)
            .report(job, report, now)
            .expect("a report");
        if let Some(call) = call {
            self.calls.push((side, call));
        }
    }

    /// Reports job `job` from `side`, from half a second on.
    fn reports(&mut self, side: Side, job: Job) {
        let at = self.now + 500 * MS;
        self.later.push((at, Later { side, job, step: 0 }));
    }
}

/// A report a scenario sends later: its side, its job and its step.
#[derive(Debug, Clone)]
struct Later {
    side: Side,
    job: Job,
    step: usize,
}

/// One family's conversation.
struct Scenario {
    vendor: &'static str,
    family: &'static str,
    /// Starts the conversation.
    start: fn(&mut Ctx),
    /// Handles an event of `side`.
    event: fn(&mut Ctx, Side, Event),
    /// Sends step `step` of the job's reports; the last step is final.
    report: fn(&mut Ctx, &Later),
    /// How many reports a job has.
    steps: usize,
}

/// One published message of the trace.
#[derive(Debug, Clone)]
struct Sent {
    at: i64,
    from: Side,
    topic: String,
    payload: Vec<u8>,
    message: &'static str,
}

/// What an engine found the other side did wrong: a rule broken, a message invalid.
#[derive(Debug)]
enum Fault {
    Violation(&'static str),
    Invalid,
}

/// A message's topic and payload.
type Bytes = (String, Vec<u8>);

/// What a run saw.
#[derive(Default)]
struct Run {
    trace: Vec<Sent>,
    /// Lines of the trace, for failures.
    log: String,
    ends: BTreeMap<(Side, CallId), Vec<&'static str>>,
    engine_faults: Vec<(Side, Fault)>,
    /// Requests each side received, by (side, reply id): distinct ones where a copy can be
    /// told from a new request (its payload has ids or its sending time), else every copy.
    received: HashMap<(Side, &'static str), Vec<Bytes>>,
    finished: Vec<(Side, String)>,
    progressed: usize,
}

fn transmits(engine: &mut Engine) -> Vec<Transmit> {
    std::iter::from_fn(|| engine.poll_transmit()).collect()
}

fn events(engine: &mut Engine) -> Vec<Event> {
    std::iter::from_fn(|| engine.poll_event()).collect()
}

/// Runs `scenario` under `seed`; the failures it found, with its trace.
fn run(scenario: &Scenario, seed: u64) -> Result<(), String> {
    let mut net = Net::new(seed);
    let mut platform = Engine::with_ids(Direction::Down, Options::default(), Box::new(Ids(1, 0)));
    let mut device = Engine::with_ids(Direction::Up, Options::default(), Box::new(Ids(2, 0)));
    let mut calls = Vec::new();
    let mut later: Vec<(i64, Later)> = Vec::new();
    let mut held = Vec::new();
    let mut r = Run::default();
    let mut now = T0;
    let mut steps = 0u64;
    (scenario.start)(&mut Ctx {
        platform: &mut platform,
        device: &mut device,
        now,
        calls: &mut calls,
        later: &mut later,
        held: &mut held,
    });
    loop {
        // Publish and handle until both engines are quiet.
        loop {
            let mut busy = false;
            for side in [Side::Platform, Side::Device] {
                let engine = match side {
                    Side::Platform => &mut platform,
                    Side::Device => &mut device,
                };
                for t in transmits(engine) {
                    busy = true;
                    let _ = writeln!(
                        r.log,
                        "{:>9.3}s {side:?} sends {} on {}: {}",
                        (now - T0) as f64 / 1e6,
                        t.message,
                        t.topic,
                        String::from_utf8_lossy(&t.payload)
                    );
                    r.trace.push(Sent {
                        at: now,
                        from: side,
                        topic: t.topic.clone(),
                        payload: t.payload.clone(),
                        message: t.message,
                    });
                    net.send(side, &t, now);
                }
                for e in events(engine) {
                    busy = true;
                    let _ = writeln!(
                        r.log,
                        "{:>9.3}s {side:?} event {}",
                        (now - T0) as f64 / 1e6,
                        brief(&e)
                    );
                    match &e {
                        Event::Answered { call, .. } => {
                            r.ends.entry((side, *call)).or_default().push("answered");
                        }
                        Event::TimedOut { call, .. } => {
                            r.ends.entry((side, *call)).or_default().push("timed out");
                        }
                        Event::Violation(f) => {
                            r.engine_faults.push((side, Fault::Violation(f.rule)));
                        }
                        Event::Invalid { .. } => r.engine_faults.push((side, Fault::Invalid)),
                        Event::Finished { status, .. } => r.finished.push((side, status.clone())),
                        Event::Progress { .. } => r.progressed += 1,
                        _ => {}
                    }
                    (scenario.event)(
                        &mut Ctx {
                            platform: &mut platform,
                            device: &mut device,
                            now,
                            calls: &mut calls,
                            later: &mut later,
                            held: &mut held,
                        },
                        side,
                        e,
                    );
                }
            }
            if !busy {
                break;
            }
        }
        let wakes = [
            net.next(),
            platform.next_wake(),
            device.next_wake(),
            later.iter().map(|(at, _)| *at).min(),
        ];
        let Some(next) = wakes.into_iter().flatten().min() else {
            break;
        };
        steps += 1;
        if next > T0 + HORIZON || steps > 100_000 {
            let wakes = (platform.next_wake(), device.next_wake(), now);
            let log = r.log.lines().take(200).collect::<Vec<_>>().join("\n");
            return Err(format!("still busy at the horizon: {wakes:?}\n{log}"));
        }
        now = next.max(now);
        for f in net.due(now) {
            let _ = writeln!(
                r.log,
                "{:>9.3}s {:?} receives {} on {}",
                (now - T0) as f64 / 1e6,
                f.to,
                f.message,
                f.topic
            );
            let info = catalog::message(f.message).expect("a catalog message");
            if let Some(reply) = info.reply {
                let key = (f.to, reply);
                let seen = r.received.entry(key).or_default();
                let copy = (f.topic.clone(), f.payload.clone());
                if !(identified(info) && seen.contains(&copy)) {
                    seen.push(copy);
                }
            }
            let engine = match f.to {
                Side::Platform => &mut platform,
                Side::Device => &mut device,
            };
            engine.receive(&f.topic, &f.payload, now);
        }
        let (due, rest): (Vec<_>, Vec<_>) = later.drain(..).partition(|(at, _)| *at <= now);
        later = rest;
        for (_, step) in due {
            let mut ctx = Ctx {
                platform: &mut platform,
                device: &mut device,
                now,
                calls: &mut calls,
                later: &mut later,
                held: &mut held,
            };
            (scenario.report)(&mut ctx, &step);
            if step.step + 1 < scenario.steps {
                let next = Later {
                    step: step.step + 1,
                    ..step
                };
                ctx.later.push((now + 500 * MS, next));
            }
        }
        if platform.next_wake().is_some_and(|w| w <= now) {
            platform.wake(now);
        }
        if device.next_wake().is_some_and(|w| w <= now) {
            device.wake(now);
        }
    }
    let watched = r.progressed + r.finished.len();
    if net.clean && scenario.steps > 0 && watched == 0 {
        return Err(format!(
            "no report was followed on a clean network\ntrace:\n{}",
            r.log
        ));
    }
    check(&net, &calls, &r).map_err(|e| format!("{e}\ntrace:\n{}", r.log))
}

/// The properties of a finished run.
fn check(net: &Net, calls: &[(Side, CallId)], r: &Run) -> Result<(), String> {
    let clean = net.clean;
    // 1. Every call ends exactly once; without loss, answered.
    for key in calls {
        let ends = r.ends.get(key).cloned().unwrap_or_default();
        if ends.len() != 1 {
            return Err(format!("call {key:?} ended {ends:?}"));
        }
        if !net.lost && ends != ["answered"] {
            return Err(format!("call {key:?} ended {ends:?} without loss"));
        }
    }
    if r.ends.len() != calls.len() {
        return Err(format!("events of unknown calls: {:?}", r.ends));
    }
    // 2. At most one reply per distinct attempt received.
    let mut replies: HashMap<(Side, &'static str), usize> = HashMap::new();
    let mut by_tid: HashMap<(Side, &'static str, String), usize> = HashMap::new();
    for s in &r.trace {
        let is_reply = catalog::messages()
            .iter()
            .any(|m| m.reply == Some(s.message));
        if !is_reply {
            continue;
        }
        *replies.entry((s.from, s.message)).or_default() += 1;
        let v: serde_json::Value = serde_json::from_slice(&s.payload).unwrap_or_default();
        if let Some(tid) = v.get("tid").and_then(|t| t.as_str()) {
            let n = by_tid
                .entry((s.from, s.message, tid.to_owned()))
                .or_default();
            *n += 1;
            if *n > 1 {
                return Err(format!("{:?} replied twice to tid {tid}", s.from));
            }
        }
    }
    for ((side, reply), n) in &replies {
        let got = r.received.get(&(*side, *reply)).map_or(0, Vec::len);
        if *n > got {
            return Err(format!(
                "{side:?} published {n} {reply} for {got} distinct requests"
            ));
        }
    }
    // 3. Every message conforms.
    for s in &r.trace {
        let checked = iotxfer::check(&s.topic, &s.payload);
        if checked.verdict != iotxfer::Verdict::Conforms {
            return Err(format!(
                "{:?} sent {} that does not conform: {checked:?}",
                s.from, s.message
            ));
        }
    }
    // 4. A monitor of the traffic as published finds no violation by either side.
    for (duty, side) in [
        (Direction::Down, Side::Platform),
        (Direction::Up, Side::Device),
    ] {
        let mut monitor = Monitor::new(MonitorOptions {
            duty: Some(duty),
            ..MonitorOptions::default()
        });
        let mut found = Vec::new();
        for (line, s) in r.trace.iter().enumerate() {
            found.extend(monitor.tick(s.at));
            if let Some(facts) = Facts::read(&s.topic, &s.payload) {
                found.extend(monitor.observe(line as u64 + 1, Some(s.at), &facts));
            }
        }
        let end = r.trace.last().map_or(T0, |s| s.at) + HORIZON;
        found.extend(monitor.tick(end));
        found.extend(monitor.finish(Some(end)));
        for f in found.iter().filter(|f| f.verdict == Verdict::Violation) {
            if !clean && answered_rule(f.rule) {
                continue; // The network's doing.
            }
            return Err(format!(
                "the monitor found {side:?} broke {}: {} (lines {:?})",
                f.rule, f.reason, f.lines
            ));
        }
    }
    // Neither engine finds the other side at fault on a clean network; on any network, only
    // late or missing answers, which the network may cause.
    for (side, fault) in &r.engine_faults {
        let excused = matches!(fault, Fault::Violation(rule) if answered_rule(rule));
        if clean || !excused {
            return Err(format!(
                "the {side:?} engine saw {fault:?} (all: {:?})",
                r.engine_faults
            ));
        }
    }
    Ok(())
}

/// Whether rule `id` says a request is answered (in time).
fn answered_rule(id: &str) -> bool {
    catalog::rules()
        .iter()
        .any(|r| r.id == id && matches!(r.check, RuleCheck::Answered { .. }))
}

fn brief(e: &Event) -> String {
    match e {
        Event::Answered { call, reply } => format!("answered {call:?} by {}", reply.info().id),
        Event::TimedOut { call, attempts, .. } => format!("timed out {call:?} after {attempts}"),
        Event::LateReply { call, .. } => format!("late reply {call:?}"),
        Event::Request(i) => format!("request {}", i.message().info().id),
        Event::Progress { percent, step, .. } => format!("progress {percent:?} {step:?}"),
        Event::Finished { status, .. } => format!("finished {status}"),
        Event::Stalled { .. } => "stalled".into(),
        Event::Message { message, .. } => format!("message {}", message.info().id),
        Event::Violation(f) => format!("VIOLATION {}: {}", f.rule, f.reason),
        Event::Invalid { topic, .. } => format!("INVALID on {topic}"),
        other => format!("{other:?}"),
    }
}

/// Whether a copy of request `info` can be told from a new request: it holds its sending time
/// or an id its reply copies. A Tencent progress report holds neither, so the same bytes twice
/// are two reports to the engine, each acknowledged.
fn identified(info: &catalog::MessageInfo) -> bool {
    let sent_at = info.topic_info().is_some_and(|t| t.sent_at.is_some());
    let reply = info.reply.and_then(catalog::message);
    sent_at || reply.is_some_and(|r| r.correlate.iter().any(|c| c.exchange))
}

/// Whether a copy of message `id` is simulated. Not that of a job's start without ids (Tencent's
/// `update_firmware`, Huawei's `firmware_upgrade`): the same bytes again are the platform
/// starting the job again, to the device and to the monitor alike (the protocol has no way to
/// tell a redelivery), so the device's second run would be no fault of either side.
fn duplicable(id: &str) -> bool {
    let info = catalog::message(id).expect("a catalog message");
    let starts = catalog::rules()
        .iter()
        .any(|r| r.check.starts().iter().any(|s| s.message == id));
    identified(info) || !starts
}

/// Runs every seed of `scenario`.
fn seeds(scenario: &Scenario) {
    for seed in 0..SEEDS {
        if let Err(e) = run(scenario, seed) {
            panic!(
                "family {}/{}, seed {seed}: {e}",
                scenario.vendor, scenario.family
            );
        }
    }
}

// SCENARIOS

/// The scenarios name families of the catalog. A family is added as definitions alone, so a
/// new one has no scenario until someone writes it; this lists the families without one.
#[test]
fn every_scenario_names_a_family_of_the_catalog() {
    let families: HashSet<(&str, &str)> = catalog::vendors()
        .iter()
        .flat_map(|v| v.families.iter().map(move |f| (v.id, f.id)))
        .collect();
    for s in scenarios() {
        assert!(
            families.contains(&(s.vendor, s.family)),
            "the scenario of {}/{} names no family",
            s.vendor,
            s.family
        );
    }
    let missing: Vec<String> = families
        .iter()
        .filter(|f| !scenarios().iter().any(|s| (s.vendor, s.family) == **f))
        .map(|(v, f)| format!("{v}/{f}"))
        .collect();
    if !missing.is_empty() {
        eprintln!("families without a scenario: {}", missing.join(", "));
    }
}

/// The scenarios, one a family.
fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            vendor: "dji",
            family: "firmware",
            start: dji_firmware::start,
            event: dji_firmware::event,
            report: dji_firmware::report,
            steps: 2,
        },
        Scenario {
            vendor: "dji",
            family: "log_upload",
            start: dji_log_upload::start,
            event: dji_log_upload::event,
            report: dji_log_upload::report,
            steps: 3,
        },
        Scenario {
            vendor: "dji",
            family: "media",
            start: dji_media::start,
            event: dji_media::event,
            report: no_reports,
            steps: 0,
        },
        Scenario {
            vendor: "tencent",
            family: "resource",
            start: tencent_resource::start,
            event: tencent_resource::event,
            report: tencent_resource::report,
            steps: 3,
        },
        Scenario {
            vendor: "tencent",
            family: "ota",
            start: tencent_ota::start,
            event: tencent_ota::event,
            report: tencent_ota::report,
            steps: 3,
        },
        Scenario {
            vendor: "tencent",
            family: "file_management",
            start: tencent_file_management::start,
            event: tencent_file_management::event,
            report: tencent_file_management::report,
            steps: 2,
        },
        Scenario {
            vendor: "huawei",
            family: "file_manager",
            start: huawei_file_manager::start,
            event: huawei_file_manager::event,
            report: no_reports,
            steps: 0,
        },
        Scenario {
            vendor: "huawei",
            family: "ota",
            start: huawei_ota::start,
            event: huawei_ota::event,
            report: huawei_ota::report,
            steps: 3,
        },
    ]
}

fn no_reports(_: &mut Ctx, later: &Later) {
    panic!("no reports here: {later:?}");
}

/// The scenario of `vendor/family`.
fn scenario(vendor: &str, family: &str) -> Scenario {
    let all = scenarios().into_iter();
    let mut found = all.filter(|s| s.vendor == vendor && s.family == family);
    found.next().expect("a scenario")
}

const MD5: &str = "0123456789abcdef0123456789abcdef";

/// The platform upgrades a dock; the dock reports the upgrade, each report acknowledged.
mod dji_firmware {
    use super::*;
    use iotxfer::dji::firmware::{
        FirmwareResult, FirmwareUpgradeType, OtaCreate, OtaCreateOutput, OtaCreateReply, OtaDevice,
        OtaDeviceRequired, OtaProgress, OtaProgressDetail, OtaProgressOutput,
    };
    use iotxfer::dji::{self, TaskStatus};

    pub fn start(ctx: &mut Ctx) {
        let device = OtaDevice::new(OtaDeviceRequired {
            sn: "DOCK-1".into(),
            product_version: "10.01.0001".into(),
            file_url: "https://files.example.com/dock.zip".into(),
            md5: MD5.into(),
            file_size: 4096,
            file_name: "dock.zip".into(),
            firmware_upgrade_type: FirmwareUpgradeType::Normal,
        });
        let topic = dji::ServicesTopic::new("DOCK-1").unwrap();
        let create = ctx.message(Side::Platform, topic, OtaCreate::new(vec![device]));
        let _ = ctx.call(Side::Platform, create);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        if let (Side::Device, Event::Request(incoming)) = (side, event) {
            let output = OtaCreateOutput::new(TaskStatus::InProgress);
            let reply = OtaCreateReply::new(FirmwareResult::Success, output);
            let job = ctx.respond::<OtaCreate>(side, incoming, reply);
            ctx.reports(side, job.expect("ota_create starts a job"));
        }
    }

    pub fn report(ctx: &mut Ctx, later: &Later) {
        let (status, percent) =
            [(TaskStatus::InProgress, 50), (TaskStatus::Ok, 100)][later.step].clone();
        let output = OtaProgressOutput::new(status, OtaProgressDetail::new(percent));
        let body = OtaProgress::new(FirmwareResult::Success, output);
        let topic = dji::EventsTopic::new("DOCK-1").unwrap();
        let report = ctx.message(later.side, topic, body);
        ctx.report(later.side, &later.job, report);
    }
}

/// The platform has a dock upload its logs; the dock reports the upload.
mod dji_log_upload {
    use super::*;
    use iotxfer::dji::log_upload::{
        Credentials, CredentialsRequired, FileProgress, FileProgressRequired, FileuploadProgress,
        FileuploadStart, FileuploadStartReply, FileuploadStartRequired, LogIndex, LogResult,
        LogUploadStatus, StorageProvider, UploadFile, UploadParams, UploadProgress,
        UploadProgressExt, UploadProgressOutput, UploadProgressRequired,
    };
    use iotxfer::dji::{self, Module};

    pub fn start(ctx: &mut Ctx) {
        let credentials = Credentials::new(CredentialsRequired {
            access_key_id: "key".into(),
            access_key_secret: "secret".into(),
            expire: T0 / 1000 + 3_600_000,
            security_token: "token".into(),
        });
        let files = vec![UploadFile::new(
            "logs/dock",
            Module::Dock,
            vec![LogIndex::new(3)],
        )];
        let body = FileuploadStart::new(FileuploadStartRequired {
            bucket: "bucket".into(),
            region: "region".into(),
            credentials,
            endpoint: "https://storage.example.com".into(),
            provider: StorageProvider::Minio,
            params: UploadParams::new(files),
        });
        let topic = dji::ServicesTopic::new("DOCK-1").unwrap();
        let start = ctx.message(Side::Platform, topic, body);
        let _ = ctx.call(Side::Platform, start);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        if let (Side::Device, Event::Request(incoming)) = (side, event) {
            let reply = FileuploadStartReply::new(LogResult::Success);
            let job = ctx.respond::<FileuploadStart>(side, incoming, reply);
            ctx.reports(side, job.expect("fileupload_start starts a job"));
        }
    }

    pub fn report(ctx: &mut Ctx, later: &Later) {
        let (status, percent) = [
            (LogUploadStatus::FileZip, 20),
            (LogUploadStatus::FileUploading, 60),
            (LogUploadStatus::Ok, 100),
        ][later.step]
            .clone();
        let progress = UploadProgress::new(UploadProgressRequired {
            progress: percent,
            finish_time: ctx.now / 1000,
            upload_rate: 1.5,
        });
        let file = FileProgress::new(FileProgressRequired {
            module: Module::Dock,
            size: 1024,
            device_sn: "DOCK-1".into(),
            key: "logs/dock".into(),
            fingerprint: "fp".into(),
            progress,
        });
        let mut output = UploadProgressOutput::new(UploadProgressExt::new(vec![file]));
        output.status = Some(status);
        let body = FileuploadProgress::new(LogResult::Success, output);
        let topic = dji::EventsTopic::new("DOCK-1").unwrap();
        let report = ctx.message(later.side, topic, body);
        ctx.report(later.side, &later.job, report);
    }
}

/// The dock asks for storage credentials; the cloud has a flight's media uploaded first, and
/// the dock reports that flight and each uploaded file, each event acknowledged by the cloud's
/// engine by itself.
mod dji_media {
    use super::*;
    use iotxfer::dji::log_upload::StorageProvider;
    use iotxfer::dji::media::{
        FileUploadCallback, HighestPriorityUploadFlighttaskMedia, MediaFileExt,
        MediaFileExtRequired, MediaFileMetadata, MediaFileMetadataRequired, ShootPosition,
        ShootPositionRequired, StorageConfig, StorageConfigGet, StorageConfigGetReply,
        StorageConfigRequired, StorageCredentials, StorageCredentialsRequired, StorageModule,
        UploadFlighttaskMediaPrioritize, UploadFlighttaskMediaPrioritizeReply, UploadedMediaFile,
        UploadedMediaFileRequired,
    };
    use iotxfer::dji::{self, NeedReply};

    const FLIGHT: &str = "flight-1";

    pub fn start(ctx: &mut Ctx) {
        let topic = dji::RequestsTopic::new("DOCK-1").unwrap();
        let get = ctx.message(
            Side::Device,
            topic,
            StorageConfigGet::new(StorageModule::Media),
        );
        let _ = ctx.call(Side::Device, get);
        let topic = dji::ServicesTopic::new("DOCK-1").unwrap();
        let first = UploadFlighttaskMediaPrioritize::new(FLIGHT);
        let first = ctx.message(Side::Platform, topic, first);
        let _ = ctx.call(Side::Platform, first);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        let Event::Request(incoming) = event else {
            return;
        };
        match side {
            Side::Platform => {
                let mut reply = StorageConfigGetReply::new(0);
                reply.output = Some(storage());
                ctx.respond::<StorageConfigGet>(side, incoming, reply);
            }
            Side::Device => {
                let reply = UploadFlighttaskMediaPrioritizeReply::new(0);
                ctx.respond::<UploadFlighttaskMediaPrioritize>(side, incoming, reply);
                let topic = dji::EventsTopic::new("DOCK-1").unwrap();
                let mut first = ctx.message(
                    side,
                    topic.clone(),
                    HighestPriorityUploadFlighttaskMedia::new(FLIGHT),
                );
                first.payload.need_reply = Some(NeedReply::Yes);
                let _ = ctx.call(side, first);
                let mut uploaded = ctx.message(side, topic, FileUploadCallback::new(file()));
                uploaded.payload.need_reply = Some(NeedReply::Yes);
                let _ = ctx.call(side, uploaded);
            }
        }
    }

    fn storage() -> StorageConfig {
        StorageConfig::new(StorageConfigRequired {
            bucket: "media".into(),
            credentials: StorageCredentials::new(StorageCredentialsRequired {
                access_key_id: "key".into(),
                access_key_secret: "secret".into(),
                expire: 3600,
                security_token: "token".into(),
            }),
            endpoint: "https://storage.example.com".into(),
            provider: StorageProvider::Minio,
            region: "region".into(),
            object_key_prefix: "dock".into(),
        })
    }

    fn file() -> UploadedMediaFile {
        let ext = MediaFileExt::new(MediaFileExtRequired {
            flight_id: FLIGHT.into(),
            drone_model_key: "0-67-0".into(),
            payload_model_key: "1-53-0".into(),
            is_original: true,
        });
        let mut metadata = MediaFileMetadata::new(MediaFileMetadataRequired {
            gimbal_yaw_degree: "-91.40".parse().unwrap(),
            absolute_altitude: 120.5,
            relative_altitude: 80.0,
            shoot_position: ShootPosition::new(ShootPositionRequired {
                lat: 22.58,
                lng: 113.94,
            }),
        });
        metadata.create_time = Some("2026-12-07 10:00:00".into());
        UploadedMediaFile::new(UploadedMediaFileRequired {
            object_key: "dock/flight-1/DJI_0001.jpg".into(),
            path: "flight-1".into(),
            name: "DJI_0001.jpg".into(),
            ext,
            metadata,
        })
    }
}

/// A device asks for an upload URL, then reports the upload, each report acknowledged.
mod tencent_resource {
    use super::*;
    use iotxfer::tencent::ResourceUpTopic;
    use iotxfer::tencent::resource::{
        CreateUploadTask, CreateUploadTaskRequired, CreateUploadTaskRsp,
        CreateUploadTaskRspRequired, Progress, ReportUploadProgress, ResourceResult, TransferState,
    };

    pub fn start(ctx: &mut Ctx) {
        let topic = ResourceUpTopic::new("PRODUCT1", "dev1").unwrap();
        let body = CreateUploadTask::new(CreateUploadTaskRequired {
            size: 2048,
            name: "photo.jpg".into(),
            md5sum: MD5.into(),
        });
        let task = ctx.message(Side::Device, topic, body);
        let call = ctx.call(Side::Device, task);
        let job = call
            .job()
            .cloned()
            .expect("create_upload_task starts a job");
        ctx.held.push((Side::Device, call.id(), job));
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        match (side, event) {
            (Side::Platform, Event::Request(incoming)) => {
                let url = "https://cos.example.com/photo.jpg";
                let reply = CreateUploadTaskRsp::new(CreateUploadTaskRspRequired {
                    size: 2048,
                    name: "photo.jpg".into(),
                    md5sum: MD5.into(),
                    url: url.into(),
                });
                let _ = ctx.respond::<CreateUploadTask>(side, incoming, reply);
            }
            (Side::Device, Event::Answered { call, .. }) => {
                let held = ctx.held.iter().position(|h| h.0 == side && h.1 == call);
                if let Some(at) = held {
                    let (_, _, job) = ctx.held.remove(at);
                    ctx.reports(side, job);
                }
            }
            _ => {}
        }
    }

    pub fn report(ctx: &mut Ctx, later: &Later) {
        let (state, percent) = [
            (TransferState::Uploading, 30),
            (TransferState::Uploading, 70),
            (TransferState::Done, 100),
        ][later.step]
            .clone();
        let mut progress = Progress::new(state, ResourceResult::Success, "");
        progress.percent = Some(percent);
        let topic = ResourceUpTopic::new("PRODUCT1", "dev1").unwrap();
        let report = ctx.message(
            later.side,
            topic,
            ReportUploadProgress::new("photo.jpg", progress),
        );
        ctx.report(later.side, &later.job, report);
    }
}

/// A device reports its version; the platform answers and pushes an upgrade, which the device
/// reports.
mod tencent_ota {
    use super::*;
    use iotxfer::tencent::ota::{
        ProgressReport, ReportProgress, ReportVersion, ReportVersionRsp, ReportVersionRspRequired,
        UpdateFirmware, UpdateFirmwareRequired, UpgradeProgress, UpgradeResult, UpgradeState,
        VersionReport,
    };
    use iotxfer::tencent::{OtaReportTopic, OtaUpdateTopic};

    pub fn start(ctx: &mut Ctx) {
        let topic = OtaReportTopic::new("PRODUCT1", "dev1").unwrap();
        let body = ReportVersion::new(VersionReport::new("1.0.0"));
        let report = ctx.message(Side::Device, topic, body);
        let _ = ctx.call(Side::Device, report);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        match (side, event) {
            (Side::Platform, Event::Request(incoming)) => {
                let reply = ReportVersionRsp::new(ReportVersionRspRequired {
                    result_code: 0,
                    result_msg: "success".into(),
                    version: "1.0.0".into(),
                });
                let _ = ctx.respond::<ReportVersion>(side, incoming, reply);
                let topic = OtaUpdateTopic::new("PRODUCT1", "dev1").unwrap();
                let body = UpdateFirmware::new(UpdateFirmwareRequired {
                    version: "1.1.0".into(),
                    url: "https://fw.example.com/1.1.0".into(),
                    md5sum: MD5.into(),
                    file_size: 8192,
                });
                let update = ctx.message(side, topic, body);
                let now = ctx.now;
                let job = ctx.platform.send(update, now).expect("sent");
                assert!(job.is_some(), "update_firmware starts a job");
            }
            (Side::Device, Event::Message { job: Some(job), .. }) => ctx.reports(side, job),
            _ => {}
        }
    }

    pub fn report(ctx: &mut Ctx, later: &Later) {
        let (state, percent) = [
            (UpgradeState::Downloading, Some(40)),
            (UpgradeState::Downloading, Some(100)),
            (UpgradeState::Done, None),
        ][later.step]
            .clone();
        let mut progress = UpgradeProgress::new(state, UpgradeResult::Success, "");
        progress.percent = percent;
        let topic = OtaReportTopic::new("PRODUCT1", "dev1").unwrap();
        let body = ReportProgress::new(ProgressReport::new(progress, "1.1.0"));
        let report = ctx.message(later.side, topic, body);
        ctx.report(later.side, &later.job, report);
    }
}

/// The platform deletes a file and pushes another, which the device reports; the device asks
/// for an upload URL.
mod tencent_file_management {
    use super::*;
    use iotxfer::tencent::file_management::{
        DelResource, DelResourceRequired, DelResult, FileProgress, FileProgressRequired,
        FileReport, FileResult, FileState, ReportProgress, RequestUrl, RequestUrlResp,
        RequestUrlRespRequired, Resource, ResourceRequired, ResourceType, UpdateResource,
        UpdateResourceRequired,
    };
    use iotxfer::tencent::{ThingDownTopic, ThingUpTopic};

    pub fn start(ctx: &mut Ctx) {
        let down = ThingDownTopic::new("PRODUCT1", "dev1").unwrap();
        let body = DelResource::new(DelResourceRequired {
            resource_name: "old.mp3".into(),
            resource_type: ResourceType::Audio,
            version: "1.0".into(),
        });
        let del = ctx.message(Side::Platform, down.clone(), body);
        let _ = ctx.call(Side::Platform, del);
        let body = UpdateResource::new(UpdateResourceRequired {
            resource_name: "new.mp3".into(),
            resource_type: ResourceType::Audio,
            version: "2.0".into(),
            url: "https://files.example.com/new.mp3".into(),
            md5sum: MD5.into(),
            file_size: 4096,
        });
        let update = ctx.message(Side::Platform, down, body);
        let now = ctx.now;
        let job = ctx.platform.send(update, now).expect("sent");
        assert!(job.is_some(), "update_resource starts a job");
        let up = ThingUpTopic::new("PRODUCT1", "dev1").unwrap();
        let resource = Resource::new(ResourceRequired {
            resource_name: "clip.mp4".into(),
            version: "1.0".into(),
            resource_type: ResourceType::Video,
        });
        let ask = ctx.message(Side::Device, up, RequestUrl::new(7, resource));
        let _ = ctx.call(Side::Device, ask);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        match (side, event) {
            (Side::Device, Event::Request(incoming)) => {
                let progress = FileProgress::new(FileProgressRequired {
                    resource_name: "old.mp3".into(),
                    state: FileState::Done,
                    result_code: FileResult::Success,
                    result_msg: "".into(),
                });
                let reply = DelResult::new(FileReport::new(progress, "1.0"));
                let _ = ctx.respond::<DelResource>(side, incoming, reply);
            }
            (Side::Platform, Event::Request(incoming)) => {
                let url = "https://cos.example.com/clip.mp4";
                let reply = RequestUrlResp::new(RequestUrlRespRequired {
                    result_code: 0,
                    result_msg: "".into(),
                    resource_url: url.into(),
                    resource_token: "token-1".into(),
                    request_id: 7,
                });
                let _ = ctx.respond::<RequestUrl>(side, incoming, reply);
            }
            (Side::Device, Event::Message { job: Some(job), .. }) => ctx.reports(side, job),
            _ => {}
        }
    }

    pub fn report(ctx: &mut Ctx, later: &Later) {
        let (state, percent) =
            [(FileState::Downloading, 50), (FileState::Done, 100)][later.step].clone();
        let mut progress = FileProgress::new(FileProgressRequired {
            resource_name: "new.mp3".into(),
            state,
            result_code: FileResult::Success,
            result_msg: "".into(),
        });
        progress.percent = Some(percent);
        let topic = ThingUpTopic::new("PRODUCT1", "dev1").unwrap();
        let body = ReportProgress::new(FileReport::new(progress, "2.0"));
        let report = ctx.message(later.side, topic, body);
        ctx.report(later.side, &later.job, report);
    }
}

/// A device asks for an upload URL, then reports the upload's result.
mod huawei_file_manager {
    use super::*;
    use iotxfer::huawei::EventsUpTopic;
    use iotxfer::huawei::file_manager::{
        GetUploadUrl, GetUploadUrlResponse, TransferResult, UploadResultReport,
    };

    pub fn start(ctx: &mut Ctx) {
        let topic = EventsUpTopic::new("dev_1").unwrap();
        let ask = ctx.message(Side::Device, topic, GetUploadUrl::new("log.txt"));
        let _ = ctx.call(Side::Device, ask);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        match (side, event) {
            (Side::Platform, Event::Request(incoming)) => {
                let mut reply = GetUploadUrlResponse::new("https://obs.example.com/log.txt");
                reply.object_name = Some("log.txt".into());
                let _ = ctx.respond::<GetUploadUrl>(side, incoming, reply);
            }
            (Side::Device, Event::Answered { .. }) => {
                let topic = EventsUpTopic::new("dev_1").unwrap();
                let body = UploadResultReport::new("log.txt", TransferResult::Success);
                let result = ctx.message(side, topic, body);
                let now = ctx.now;
                ctx.device.send(result, now).expect("sent");
            }
            _ => {}
        }
    }
}

/// The platform asks a device's versions, then upgrades it; the device reports the upgrade.
mod huawei_ota {
    use super::*;
    use iotxfer::huawei::ota::{
        FirmwareUpgrade, FirmwareUpgradeRequired, UpgradeProgressReport, UpgradeResult,
        VersionQuery, VersionReport,
    };
    use iotxfer::huawei::{EventsDownTopic, EventsUpTopic};

    pub fn start(ctx: &mut Ctx) {
        let topic = EventsDownTopic::new("dev_1").unwrap();
        let query = ctx.message(Side::Platform, topic, VersionQuery::new());
        let _ = ctx.call(Side::Platform, query);
    }

    pub fn event(ctx: &mut Ctx, side: Side, event: Event) {
        match (side, event) {
            (Side::Device, Event::Request(incoming)) => {
                let mut reply = VersionReport::new();
                reply.fw_version = Some("1.0.0".into());
                let _ = ctx.respond::<VersionQuery>(side, incoming, reply);
            }
            (Side::Platform, Event::Answered { .. }) => {
                let topic = EventsDownTopic::new("dev_1").unwrap();
                let sign = "ab".repeat(32);
                let body = FirmwareUpgrade::new(FirmwareUpgradeRequired {
                    version: "1.1.0".into(),
                    url: "https://fw.example.com/1.1.0".into(),
                    file_size: 8192,
                    file_name: "fw.bin".into(),
                    sign,
                });
                let upgrade = ctx.message(side, topic, body);
                let now = ctx.now;
                let job = ctx.platform.send(upgrade, now).expect("sent");
                assert!(job.is_some(), "firmware_upgrade starts a job");
            }
            (Side::Device, Event::Message { job: Some(job), .. }) => ctx.reports(side, job),
            _ => {}
        }
    }

    pub fn report(ctx: &mut Ctx, later: &Later) {
        let percent = [30, 70, 100][later.step];
        let mut body = UpgradeProgressReport::new(UpgradeResult::Success, "1.1.0");
        body.progress = Some(percent);
        let topic = EventsUpTopic::new("dev_1").unwrap();
        let report = ctx.message(later.side, topic, body);
        ctx.report(later.side, &later.job, report);
    }
}

#[test]
fn dji_firmware() {
    seeds(&scenario("dji", "firmware"));
}

#[test]
fn dji_log_upload() {
    seeds(&scenario("dji", "log_upload"));
}

#[test]
fn dji_media() {
    seeds(&scenario("dji", "media"));
}

#[test]
fn tencent_resource() {
    seeds(&scenario("tencent", "resource"));
}

#[test]
fn tencent_ota() {
    seeds(&scenario("tencent", "ota"));
}

#[test]
fn tencent_file_management() {
    seeds(&scenario("tencent", "file_management"));
}

#[test]
fn huawei_file_manager() {
    seeds(&scenario("huawei", "file_manager"));
}

#[test]
fn huawei_ota() {
    seeds(&scenario("huawei", "ota"));
}
