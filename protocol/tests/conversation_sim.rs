//! Simulated traffic for every conversation rule of the catalog (issue 23, "tests by
//! simulation"). Each rule is read from [`catalog::rules`], and every message built from its
//! catalog entry ([`catalog::MessageInfo::arbitrary`], then the fields the rule reads set by
//! their JSON pointers), so that a new rule or message is simulated without a change here.
//!
//! 1. Traffic the protocols allow gives no violation: requests answered in time, some only on
//!    a later attempt, with late replies to earlier attempts; QoS 1 redeliveries of requests,
//!    replies and progress reports (an older report after a newer one too); jobs restarted;
//!    the same final status twice; devices interleaved.
//! 2. Each injected fault gives exactly one violation, of the right rule, naming the right
//!    lines, among correct traffic of other devices.
//! 3. With [`Options::duty`], a fault is reported for the side that keeps its rule only.
//!
//! Every case is seeded: a failure prints its seed and its capture. Payloads come from the
//! crate's `proptest` feature, which `cargo test --workspace` turns on (the conformance crate
//! asks for it); alone: `cargo test -p iotxfer --features proptest --test conversation_sim`.
//! The two tests at the end hold cases the simulation found that the monitor got wrong.
#![cfg(feature = "proptest")]

use std::collections::BTreeSet;
use std::fmt::Write as _;

use iotxfer::Direction;
use iotxfer::Verdict as CheckVerdict;
use iotxfer::catalog::{self, JobStart, MessageInfo, RuleCheck, RuleInfo};
use iotxfer::conversation::{Facts, Finding, Monitor, Options, Verdict};
use proptest::prelude::Rng;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

/// Seeds of the correct traffic, each playing every rule.
const CORRECT_SEEDS: u64 = 16;
/// Seeds of each fault.
const FAULT_SEEDS: u64 = 6;
/// Microseconds in a millisecond.
const MS: i64 = 1000;
/// How soon a QoS 1 redelivery follows its first copy (or the newer report it comes after):
/// before the device's next message, at least a [`pause`] later.
const REDELIVERY: i64 = 5 * MS;
/// When the simulated traffic starts: 2026-12-07, in microseconds since the Unix epoch.
const T0: i64 = 1_796_601_600_000_000;

/// One MQTT message of a capture, received at `at` (microseconds).
#[derive(Debug, Clone)]
struct Line {
    at: i64,
    topic: String,
    payload: Vec<u8>,
    /// One of the lines a fault's finding must name.
    marked: bool,
}

/// A message being built: its catalog entry, device and JSON payload.
#[derive(Debug, Clone)]
struct Draft {
    message: &'static MessageInfo,
    device: String,
    payload: Value,
}

impl Draft {
    /// The field at `pointer`, which the payload has.
    fn get(&self, pointer: &str) -> &Value {
        let found = self.payload.pointer(pointer);
        found.unwrap_or_else(|| panic!("{} has no {pointer}", self.message.id))
    }

    /// Sets the field at `pointer`, which the payload has.
    fn set(&mut self, pointer: &str, value: Value) {
        let id = self.message.id;
        let at = self.payload.pointer_mut(pointer);
        *at.unwrap_or_else(|| panic!("{id} has no {pointer}")) = value;
    }

    /// The topic of its message's pattern, every parameter the device's name.
    fn topic(&self) -> String {
        let level = |l: &str| {
            if l.starts_with('{') {
                self.device.clone()
            } else {
                l.to_owned()
            }
        };
        let levels: Vec<String> = self.message.topic.split('/').map(level).collect();
        levels.join("/")
    }
}

/// A seeded simulation: the random source, and the capture it writes.
struct Sim {
    runner: TestRunner,
    lines: Vec<Line>,
    options: Options,
}

impl Sim {
    /// A simulation whose every choice follows from `seed`.
    fn new(seed: u64, options: Options) -> Self {
        let mut bytes = [0; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
        let runner = TestRunner::new_with_rng(Config::default(), rng);
        Self {
            runner,
            lines: Vec::new(),
            options,
        }
    }

    /// A number below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.runner.rng().next_u64() % n.max(1)
    }

    /// A span of 1 to `span` microseconds.
    fn within(&mut self, span: i64) -> i64 {
        1 + self.below(span.max(1) as u64) as i64
    }

    /// True `percent` times in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A value of the same form as `like` (a number, a string holding one, a UUID) that no
    /// other message holds: a fresh id.
    fn fresh(&mut self, like: &Value) -> Value {
        let n = self.runner.rng().next_u64();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match like {
            Value::Number(_) => Value::from(n >> 33),
            Value::String(s) if digits(s) => Value::from((n >> 33).to_string()),
            _ => Value::from(format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                n >> 32,
                n & 0xffff,
                (n >> 16) & 0xfff,
                (n >> 28) & 0xfff,
                self.runner.rng().next_u64() & 0xffff_ffff_ffff
            )),
        }
    }

    /// The request's deadline, in microseconds: its rule's, else the options' default.
    fn deadline(&self, request: &MessageInfo) -> i64 {
        let answered = catalog::rules().iter().find_map(|r| match r.check {
            RuleCheck::Answered {
                requests,
                deadline_ms,
                ..
            } if requests.contains(&request.id) => Some(deadline_ms),
            _ => None,
        });
        let ms = answered.flatten().unwrap_or(self.options.deadline_ms);
        i64::try_from(ms).expect("a deadline in range") * MS
    }

    /// A valid payload of `message` for `device` that has every field of `needs`, its
    /// sending time, the fields its reply copies and, where the message asks for its reply
    /// only sometimes, asks: fields a rule reads may be optional, so payloads are drawn until
    /// one has them. Lists of events hold one event, a field naming the device names it, and
    /// its ids are new.
    fn draft(&mut self, message: &'static MessageInfo, device: &str, needs: &[&str]) -> Draft {
        let draft = self.try_draft(message, device, needs);
        draft.unwrap_or_else(|| panic!("no payload of {} with {needs:?}", message.id))
    }

    /// [`Sim::draft`], or `None` when 200 payloads drawn lack a field of `needs`.
    fn try_draft(
        &mut self,
        message: &'static MessageInfo,
        device: &str,
        needs: &[&str],
    ) -> Option<Draft> {
        let strategy = message.arbitrary();
        for _ in 0..200 {
            let tree = strategy.new_tree(&mut self.runner).expect("a payload");
            let mut payload = tree.current();
            let batch = message.topic_info().and_then(|t| t.batch);
            if let Some(Value::Array(events)) = batch.and_then(|b| payload.get_mut(b)) {
                events.truncate(1);
            }
            let mut draft = Draft {
                message,
                device: device.to_owned(),
                payload,
            };
            let asks = message.reply_when.iter().map(|w| w.pointer);
            let copied = message.reply.map(entry).into_iter();
            let copied = copied.flat_map(|r| r.correlate.iter().map(|c| c.request));
            let sent_at = message.topic_info().and_then(|t| t.sent_at);
            let mut wanted = needs
                .iter()
                .copied()
                .chain(asks)
                .chain(copied)
                .chain(sent_at);
            if wanted.any(|p| draft.payload.pointer(p).is_none()) {
                continue;
            }
            for when in message.reply_when {
                draft.set(when.pointer, json(when.value));
            }
            for (field, _) in same_device_fields(message) {
                if draft.payload.pointer(field).is_some() {
                    draft.set(field, Value::from(device));
                }
            }
            for field in ids(message) {
                let Some(old) = draft.payload.pointer(field) else {
                    continue;
                };
                let value = self.fresh(old);
                draft.set(field, value);
            }
            return Some(draft);
        }
        None
    }

    /// Sends `draft` at `at`: stamps its sending time, holds it to its contract, and adds it
    /// to the capture. Returns its index.
    fn send(&mut self, draft: &mut Draft, at: i64, marked: bool) -> usize {
        if let Some(sent_at) = draft.message.topic_info().and_then(|t| t.sent_at) {
            draft.set(sent_at, Value::from(at / MS - 1));
        }
        let topic = draft.topic();
        let payload = serde_json::to_vec(&draft.payload).expect("JSON");
        let checked = iotxfer::check(&topic, &payload);
        assert_eq!(
            (checked.verdict, checked.message),
            (CheckVerdict::Conforms, Some(draft.message.id)),
            "generated invalid traffic: {topic} {}: {:?}",
            String::from_utf8_lossy(&payload),
            checked.violations
        );
        self.lines.push(Line {
            at,
            topic,
            payload,
            marked,
        });
        self.lines.len() - 1
    }

    /// The same topic and payload bytes again, `after` microseconds later: a QoS 1
    /// redelivery.
    fn redeliver(&mut self, index: usize, after: i64) {
        let mut copy = self.lines[index].clone();
        copy.at += after;
        copy.marked = false;
        self.lines.push(copy);
    }

    /// Answers `request` at `at` with its reply, the correlated fields copied: what a correct
    /// peer sends. Returns the reply's index, if the message has a reply.
    fn answer(&mut self, request: &Draft, at: i64, marked: bool) -> Option<usize> {
        let reply = catalog::message(request.message.reply?).expect("the reply's entry");
        let needs: Vec<&str> = reply.correlate.iter().map(|c| c.reply).collect();
        let mut draft = self.draft(reply, &request.device, &needs);
        for c in reply.correlate {
            draft.set(c.reply, request.get(c.request).clone());
        }
        Some(self.send(&mut draft, at, marked))
    }

    /// Sends a message and, now and then, a redelivery of it; a request, answered within half
    /// its deadline (and now and then the answer again). Returns its index and when the
    /// exchange ended.
    fn exchange(&mut self, draft: &mut Draft, at: i64) -> (usize, i64) {
        let sent = self.send(draft, at, false);
        let half = self.deadline(draft.message) / 2;
        if self.chance(20) {
            let after = self.within(REDELIVERY);
            self.redeliver(sent, after);
        }
        let answered = at + self.within(half);
        let reply = self.answer(draft, answered, false);
        if let Some(reply) = reply.filter(|_| self.chance(20)) {
            let after = self.within(REDELIVERY);
            self.redeliver(reply, after);
        }
        (sent, answered)
    }

    /// Runs the capture through a monitor: every line in receive order, then the end, two
    /// default deadlines after the last line. Returns the capture's text, the findings, and
    /// the rules that passed at least once.
    fn run(mut self) -> (String, Vec<Finding>, BTreeSet<&'static str>) {
        self.lines.sort_by_key(|l| l.at);
        let mut monitor = Monitor::new(self.options);
        let mut findings = Vec::new();
        let mut capture = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            let number = i as u64 + 1;
            let facts = Facts::read(&line.topic, &line.payload).expect("facts");
            let payload = String::from_utf8_lossy(&line.payload);
            let _ = writeln!(capture, "{number} {} {} {payload}", line.at, line.topic);
            findings.extend(monitor.observe(number, Some(line.at), &facts));
        }
        let last = self.lines.last().map_or(T0, |l| l.at);
        let end = last + 2 * i64::try_from(self.options.deadline_ms).unwrap_or(0) * MS;
        findings.extend(monitor.finish(Some(end)));
        let passed = monitor.counts().into_iter().filter(|(_, c)| c.passed > 0);
        let passed = passed.map(|((rule, _), _)| rule).collect();
        (capture, findings, passed)
    }

    /// The lines marked, numbered as [`Sim::run`] numbers them.
    fn marked(&self) -> Vec<u64> {
        let mut lines: Vec<&Line> = self.lines.iter().collect();
        lines.sort_by_key(|l| l.at);
        let numbered = lines.iter().zip(1..);
        numbered.filter(|(l, _)| l.marked).map(|(_, n)| n).collect()
    }
}

/// A JSON text of the catalog as a value.
fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON text in the catalog")
}

/// The fields of `message` a `fresh` rule wants new in each request.
fn fresh_fields(message: &MessageInfo) -> Vec<&'static str> {
    let fields = catalog::rules().iter().filter_map(|r| match r.check {
        RuleCheck::Fresh { requests, field } if requests.contains(&message.id) => Some(field),
        _ => None,
    });
    fields.collect()
}

/// The fields of a request that name its exchange, which its reply copies, and those a
/// `fresh` rule wants new: each request drafted has new values of them.
fn ids(message: &MessageInfo) -> Vec<&'static str> {
    let reply = message.reply.map(entry);
    let correlate = reply.map_or(&[][..], |r| r.correlate);
    let exchange = correlate.iter().filter(|c| c.exchange).map(|c| c.request);
    let mut fields: Vec<&'static str> = exchange.collect();
    fields.extend(fresh_fields(message));
    fields.sort_unstable();
    fields.dedup();
    fields
}

/// The fields that name the device of `message`'s vendor, with the topic parameter.
fn same_device_fields(message: &MessageInfo) -> Vec<(&'static str, &'static str)> {
    let fields = catalog::rules().iter().filter_map(|r| match r.check {
        RuleCheck::SameDevice { field, param } if r.vendor == message.vendor => {
            Some((field, param))
        }
        _ => None,
    });
    fields.collect()
}

/// The entry of a message id the catalog names.
fn entry(id: &str) -> &'static MessageInfo {
    catalog::message(id).unwrap_or_else(|| panic!("{id} is not in the catalog"))
}

/// What names a job of a progress or final rule: its reports' fields, and its starts.
#[derive(Clone, Copy)]
struct JobRule {
    messages: &'static [&'static str],
    job: &'static [&'static str],
    starts: &'static [JobStart],
}

/// The job fields of a progress or final rule; `None` for another kind.
fn job_rule(rule: &RuleInfo) -> Option<JobRule> {
    match rule.check {
        RuleCheck::Progress {
            messages,
            job,
            starts,
            ..
        }
        | RuleCheck::Final {
            messages,
            job,
            starts,
            ..
        } => Some(JobRule {
            messages,
            job,
            starts,
        }),
        _ => None,
    }
}

/// One job's reports, built from one payload: each report changes only the percentage, the
/// status, the fresh fields and the sending time.
struct Job {
    rule: JobRule,
    /// The job's field values, in the rule's `job` order.
    values: Vec<Value>,
    report: Draft,
    percent: Option<&'static str>,
    status: Option<&'static str>,
    finals: &'static [&'static str],
}

impl Job {
    /// A job of `rule` on `device`, whose reports are of `message`, not final.
    fn new(sim: &mut Sim, rule: &RuleInfo, message: &'static MessageInfo, device: &str) -> Self {
        let jobs = job_rule(rule).expect("a job rule");
        // The other rules about the same reports read fields too: every one is set.
        let about: Vec<&RuleInfo> = catalog::rules()
            .iter()
            .filter(|r| job_rule(r).is_some_and(|j| j.messages.contains(&message.id)))
            .collect();
        let percent = about.iter().find_map(|r| match r.check {
            RuleCheck::Progress { percent, .. } => Some(percent),
            _ => None,
        });
        let (status, finals) = about
            .iter()
            .find_map(|r| match r.check {
                RuleCheck::Final { status, finals, .. } => Some((Some(status), finals)),
                _ => None,
            })
            .unwrap_or((None, &[]));
        let mut needs: Vec<&str> = jobs.job.to_vec();
        needs.extend(percent.iter().chain(&status));
        let not_final =
            |d: &Draft| status.is_none_or(|s| !finals.contains(&&*d.get(s).to_string()));
        let mut drafts = (0..200).map(|_| sim.draft(message, device, &needs));
        let report = drafts.find(not_final);
        let report = report.unwrap_or_else(|| panic!("no report of {} but final", message.id));
        let values = jobs.job.iter().map(|p| report.get(p).clone()).collect();
        Job {
            rule: jobs,
            values,
            report,
            percent,
            status,
            finals,
        }
    }

    /// Starts the job (again), with one of its rule's starts, answered where it asks; `None`
    /// when the rule has no start. Returns the start's index and when it ended.
    fn start(&self, sim: &mut Sim, at: i64) -> Option<(usize, i64)> {
        if self.rule.starts.is_empty() {
            return None;
        }
        let start = sim.pick(self.rule.starts);
        let mut draft = sim.draft(entry(start.message), &self.report.device, start.job);
        for (p, v) in start.job.iter().zip(&self.values) {
            draft.set(p, v.clone());
        }
        Some(sim.exchange(&mut draft, at))
    }

    /// Sends a report, as [`Job::report`] builds it, as [`Sim::exchange`] sends it.
    fn send(&self, sim: &mut Sim, percent: u64, status: Option<Value>, at: i64) -> (usize, i64) {
        let mut draft = self.report(sim, percent, status);
        sim.exchange(&mut draft, at)
    }

    /// A report at `percent` (of the same JSON type as the payload's), with `status` if given.
    fn report(&self, sim: &mut Sim, percent: u64, status: Option<Value>) -> Draft {
        let mut draft = self.report.clone();
        if let Some(p) = self.percent {
            let value = match draft.get(p) {
                Value::String(_) => Value::from(percent.to_string()),
                _ => Value::from(percent),
            };
            draft.set(p, value);
        }
        if let (Some(s), Some(value)) = (self.status, status) {
            draft.set(s, value);
        }
        for field in fresh_fields(draft.message) {
            let value = sim.fresh(draft.get(field));
            draft.set(field, value);
        }
        draft
    }
}

/// A pause between two messages of one device: 10 ms to 1 s, so that sending times in
/// milliseconds order them.
fn pause(sim: &mut Sim) -> i64 {
    10 * MS + sim.below(990 * MS as u64) as i64
}

/// Plays traffic of `rule` on `device` from `at` that keeps every rule: what property 1
/// holds to no violation, and what the faults play among.
fn play_correct(sim: &mut Sim, rule: &RuleInfo, device: &str, at: i64) {
    match rule.check {
        RuleCheck::Answered {
            requests, retry, ..
        } => {
            let mut at = at;
            for id in requests {
                at = retried_exchange(sim, entry(id), retry, device, at) + pause(sim);
            }
        }
        RuleCheck::Fresh { requests, .. } => {
            let mut at = at;
            for id in requests {
                let mut draft = sim.draft(entry(id), device, &[]);
                at = sim.exchange(&mut draft, at).1 + pause(sim);
            }
        }
        RuleCheck::Progress { .. } | RuleCheck::Final { .. } => play_job(sim, rule, device, at),
        RuleCheck::SameDevice { field, .. } => {
            let mut draft = naming_device(sim, rule, device, field);
            sim.exchange(&mut draft, at);
        }
        _ => panic!("{}: a rule kind this simulation does not know", rule.id),
    }
}

/// A message of the vendor of `rule` that holds `field`, the field naming the device.
fn naming_device(sim: &mut Sim, rule: &RuleInfo, device: &str, field: &str) -> Draft {
    let vendor = catalog::messages()
        .iter()
        .filter(|m| m.vendor == rule.vendor);
    let mut candidates: Vec<&'static MessageInfo> = vendor.collect();
    while !candidates.is_empty() {
        let i = sim.below(candidates.len() as u64) as usize;
        if let Some(draft) = sim.try_draft(candidates[i], device, &[field]) {
            return draft;
        }
        candidates.swap_remove(i);
    }
    panic!("{}: no message of its vendor holds {field}", rule.id)
}

/// One exchange of `request`: with `retry`, the first attempts go unanswered and each next
/// one is sent a deadline after the previous, with fresh values of the fields a retry
/// changes; the last is answered in time, and now and then an earlier attempt's reply comes
/// late, before or after that answer. Returns when it ended.
fn retried_exchange(
    sim: &mut Sim,
    request: &'static MessageInfo,
    retry: Option<catalog::Retry>,
    device: &str,
    at: i64,
) -> i64 {
    let changes = retry.map_or(&[][..], |r| r.changes);
    let tries = retry.map_or(1, |r| 1 + sim.below(u64::from(r.count) + 1)) as i64;
    let deadline = sim.deadline(request);
    let mut attempt = sim.draft(request, device, changes);
    let mut unanswered = Vec::new();
    for i in 0..tries - 1 {
        sim.send(&mut attempt, at + i * deadline, false);
        unanswered.push(attempt.clone());
        for field in changes {
            let value = sim.fresh(attempt.get(field));
            attempt.set(field, value);
        }
    }
    let last = at + (tries - 1) * deadline;
    let (_, answered) = sim.exchange(&mut attempt, last);
    if !unanswered.is_empty() && sim.chance(50) {
        let earlier = sim.below(unanswered.len() as u64) as usize;
        let late = if sim.chance(50) {
            answered + sim.within(deadline / 2)
        } else {
            last + sim.within(answered - last)
        };
        sim.answer(&unanswered[earlier], late, false);
    }
    answered
}

/// A job of a progress or final rule, twice when the rule has starts: started, reports going
/// forward (an older one now and then redelivered after a newer one), and its final status
/// twice, if its reports have one; then restarted, its progress back to a low value.
fn play_job(sim: &mut Sim, rule: &RuleInfo, device: &str, at: i64) {
    let jobs = job_rule(rule).expect("a job rule");
    let message = entry(sim.pick(jobs.messages));
    let job = Job::new(sim, rule, message, device);
    let rounds = if jobs.starts.is_empty() { 1 } else { 2 };
    let mut at = at;
    for _ in 0..rounds {
        if let Some((_, end)) = job.start(sim, at) {
            at = end + pause(sim);
        }
        let mut percent = sim.below(20);
        let mut previous: Option<usize> = None;
        for _ in 0..2 + sim.below(3) {
            let (sent, end) = job.send(sim, percent, None, at);
            if let Some(older) = previous.filter(|_| sim.chance(30)) {
                let after = sim.lines[sent].at - sim.lines[older].at + sim.within(REDELIVERY);
                sim.redeliver(older, after);
            }
            previous = Some(sent);
            percent = (percent + sim.below(30)).min(100);
            at = end + pause(sim);
        }
        if !job.finals.is_empty() {
            let status = json(sim.pick(job.finals));
            for _ in 0..2 {
                at = job.send(sim, percent, Some(status.clone()), at).1 + pause(sim);
            }
        }
    }
}

/// A fault a rule catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// A request unanswered after every attempt.
    Unanswered,
    /// The same, of a request that asks for its reply only sometimes: a missing
    /// acknowledgement.
    Unacknowledged,
    /// A reply whose fresh field is an open request's, another correlated field different.
    Mismatch,
    /// A new request with a fresh field's value of an open request.
    Reused,
    /// Progress going back within one job.
    Back,
    /// A different status after a final one.
    AfterFinal,
    /// A field naming another device than the topic.
    OtherDevice,
}

/// The faults `rule` catches.
fn faults(rule: &RuleInfo) -> Vec<Fault> {
    match rule.check {
        RuleCheck::Answered { requests, .. } => {
            let mismatch = requests
                .iter()
                .any(|id| mismatch_fields(entry(id)).is_some());
            let sometimes = requests.iter().all(|id| !entry(id).reply_when.is_empty());
            let unanswered = if sometimes {
                Fault::Unacknowledged
            } else {
                Fault::Unanswered
            };
            let mut faults = vec![unanswered];
            faults.extend(mismatch.then_some(Fault::Mismatch));
            faults
        }
        RuleCheck::Fresh { .. } => vec![Fault::Reused],
        RuleCheck::Progress { .. } => vec![Fault::Back],
        RuleCheck::Final { .. } => vec![Fault::AfterFinal],
        RuleCheck::SameDevice { .. } => vec![Fault::OtherDevice],
        _ => panic!("{}: a rule kind this simulation does not know", rule.id),
    }
}

/// For a request whose reply copies a fresh field and another: the two fields, as the reply
/// holds them.
fn mismatch_fields(request: &MessageInfo) -> Option<(&'static str, &'static str)> {
    let reply = entry(request.reply?);
    let fresh = fresh_fields(request);
    let kept = reply
        .correlate
        .iter()
        .find(|c| fresh.contains(&c.request))?;
    let other = reply.correlate.iter().find(|c| c.reply != kept.reply)?;
    Some((kept.reply, other.reply))
}

/// Plays `fault` of `rule` on `device` from `at`, marking the lines its finding names.
fn play_fault(sim: &mut Sim, rule: &RuleInfo, fault: Fault, device: &str, at: i64) {
    match (fault, rule.check) {
        (
            Fault::Unanswered | Fault::Unacknowledged,
            RuleCheck::Answered {
                requests, retry, ..
            },
        ) => {
            let request = entry(sim.pick(requests));
            let changes = retry.map_or(&[][..], |r| r.changes);
            let deadline = sim.deadline(request);
            let mut attempt = sim.draft(request, device, changes);
            for i in 0..retry.map_or(1, |r| 1 + i64::from(r.count)) {
                sim.send(&mut attempt, at + i * deadline, true);
                for field in changes {
                    let value = sim.fresh(attempt.get(field));
                    attempt.set(field, value);
                }
            }
        }
        (Fault::Mismatch, RuleCheck::Answered { requests, .. }) => {
            let some = requests.iter().map(|id| entry(id));
            let requests: Vec<_> = some.filter(|m| mismatch_fields(m).is_some()).collect();
            let request = sim.pick(&requests);
            let (_, other) = mismatch_fields(request).expect("a fresh and another field");
            let mut draft = sim.draft(request, device, &[]);
            sim.send(&mut draft, at, true);
            let reply = sim.answer(&draft, at + 1, true).expect("a reply");
            let mut wrong: Value = serde_json::from_slice(&sim.lines[reply].payload).expect("JSON");
            let fresh = sim.fresh(wrong.pointer(other).expect("the field"));
            *wrong.pointer_mut(other).expect("the field") = fresh;
            sim.lines[reply].payload = serde_json::to_vec(&wrong).expect("JSON");
            let line = &sim.lines[reply];
            let checked = iotxfer::check(&line.topic, &line.payload);
            assert_eq!(checked.verdict, CheckVerdict::Conforms, "{wrong}");
        }
        (Fault::Reused, RuleCheck::Fresh { requests, field }) => {
            let request = entry(sim.pick(requests));
            let half = sim.deadline(request) / 2;
            let mut first = sim.draft(request, device, &[]);
            let mut second = sim.draft(request, device, &[]);
            second.set(field, first.get(field).clone());
            let reused = at + sim.within(half);
            sim.send(&mut first, at, true);
            sim.send(&mut second, reused, true);
            sim.answer(&first, reused + 1, false);
            sim.answer(&second, reused + 2, false);
        }
        (Fault::Back, RuleCheck::Progress { messages, .. }) => {
            let message = entry(sim.pick(messages));
            let job = Job::new(sim, rule, message, device);
            let mut at = job.start(sim, at).map_or(at, |(_, end)| end + pause(sim));
            let high = 10 + sim.below(91);
            for percent in [high, sim.below(high)] {
                let mut draft = job.report(sim, percent, None);
                sim.send(&mut draft, at, true);
                let answered = at + sim.within(sim.deadline(draft.message) / 2);
                sim.answer(&draft, answered, false);
                at = answered.max(at) + pause(sim);
            }
        }
        (Fault::AfterFinal, RuleCheck::Final { messages, .. }) => {
            let message = entry(sim.pick(messages));
            let job = Job::new(sim, rule, message, device);
            let at = job.start(sim, at).map_or(at, |(_, end)| end + pause(sim));
            let done = json(sim.pick(job.finals));
            let others = job.finals.iter().map(|f| json(f)).filter(|f| *f != done);
            let status = job.status.expect("a final rule reads a status");
            let mut then: Vec<Value> = others.collect();
            then.push(job.report.get(status).clone());
            let then = then.swap_remove(sim.below(then.len() as u64) as usize);
            // The later report goes forward: the same bytes again would be a redelivery.
            let percent = sim.below(100);
            let reports = [
                (percent, None, false),
                (percent, Some(done), true),
                (percent + 1, Some(then), true),
            ];
            let mut at = at;
            for (percent, status, marked) in reports {
                let mut draft = job.report(sim, percent, status);
                sim.send(&mut draft, at, marked);
                let answered = at + sim.within(sim.deadline(draft.message) / 2);
                sim.answer(&draft, answered, false);
                at = answered + pause(sim);
            }
        }
        (Fault::OtherDevice, RuleCheck::SameDevice { field, .. }) => {
            let mut draft = naming_device(sim, rule, device, field);
            draft.set(field, Value::from(format!("{device}-OTHER")));
            sim.send(&mut draft, at, true);
            let half = sim.deadline(draft.message) / 2;
            sim.answer(&draft, at + half, false);
        }
        _ => unreachable!("{fault:?} is not a fault of {}", rule.id),
    }
}

/// A time within the first 5 s of the simulation: devices start apart, and interleave.
fn start(sim: &mut Sim) -> i64 {
    T0 + sim.below(5_000 * MS as u64) as i64
}

/// The violations among `findings`.
fn violations(findings: &[Finding]) -> Vec<&Finding> {
    let found = findings.iter().filter(|f| f.verdict == Verdict::Violation);
    found.collect()
}

/// Correct traffic of every rule, each on two devices of its own, interleaved.
fn correct_sim(seed: u64) -> Sim {
    let mut sim = Sim::new(seed, Options::default());
    for (i, rule) in catalog::rules().iter().enumerate() {
        for copy in ["A", "B"] {
            let at = start(&mut sim);
            play_correct(&mut sim, rule, &format!("SIM{i:02}{copy}"), at);
        }
    }
    sim
}

/// Property 1: correct traffic gives no violation; every rule is kept at least once over the
/// seeds.
#[test]
fn correct_traffic_gives_no_violation() {
    let mut kept = BTreeSet::new();
    for seed in 0..CORRECT_SEEDS {
        let (capture, findings, passed) = correct_sim(seed).run();
        let found = violations(&findings);
        assert!(found.is_empty(), "seed {seed}: {found:#?}\n{capture}");
        kept.extend(passed);
    }
    println!("rules kept by correct traffic: {kept:#?}");
    for rule in catalog::rules() {
        assert!(kept.contains(rule.id), "{} was never exercised", rule.id);
    }
}

/// A fault's capture: the fault on one device, among correct traffic of the same rule and of
/// another rule, each on a device of its own. The same seed gives the same capture, whatever
/// the options.
fn fault_sim(seed: u64, rule: &RuleInfo, fault: Fault, options: Options) -> Sim {
    let mut sim = Sim::new(seed, options);
    let at = start(&mut sim);
    play_fault(&mut sim, rule, fault, "FAULTY", at);
    let at = start(&mut sim);
    play_correct(&mut sim, rule, "CALM1", at);
    let other = sim.pick(catalog::rules());
    let at = start(&mut sim);
    play_correct(&mut sim, &other, "CALM2", at);
    sim
}

/// Every fault of every rule, with each seed.
fn fault_cases() -> impl Iterator<Item = (u64, &'static RuleInfo, Fault)> {
    let rules = catalog::rules().iter();
    let each = rules.flat_map(|r| faults(r).into_iter().map(move |f| (r, f)));
    each.flat_map(|(r, f)| (0..FAULT_SEEDS).map(move |seed| (seed, r, f)))
}

/// Runs the fault's capture with `options`: the one violation, of `rule`, naming the marked
/// lines, when `reported`; none otherwise.
fn judge_fault(seed: u64, rule: &RuleInfo, fault: Fault, options: Options, reported: bool) {
    let sim = fault_sim(seed, rule, fault, options);
    let marked = sim.marked();
    let (capture, findings, _) = sim.run();
    let found = violations(&findings);
    let case = format!("seed {seed}, {} {fault:?}, {options:?}", rule.id);
    if !reported {
        assert!(found.is_empty(), "{case}: {found:#?}\n{capture}");
        return;
    }
    let one = match found.as_slice() {
        [one] => one,
        _ => panic!("{case}: not one violation, but {found:#?}\n{capture}"),
    };
    let got = (one.rule, &one.lines);
    assert_eq!(got, (rule.id, &marked), "{case}: {one:#?}\n{capture}");
}

/// Property 2: each fault gives exactly one violation, of its rule, naming its lines.
#[test]
fn each_fault_gives_one_violation() {
    let mut injected = BTreeSet::new();
    for (seed, rule, fault) in fault_cases() {
        judge_fault(seed, rule, fault, Options::default(), true);
        injected.insert((fault, rule.id));
    }
    println!("faults injected: {injected:#?}");
    let kinds: BTreeSet<Fault> = injected.iter().map(|(fault, _)| *fault).collect();
    assert_eq!(
        kinds.len(),
        7,
        "a kind of fault was never injected: {kinds:?}"
    );
}

/// The side that keeps `rule` in the fault's capture: its duty, else the sender of the
/// faulty message.
fn keeper(seed: u64, rule: &RuleInfo, fault: Fault) -> Direction {
    rule.duty.unwrap_or_else(|| {
        let sim = fault_sim(seed, rule, fault, Options::default());
        let line = sim.lines.iter().find(|l| l.marked).expect("a faulty line");
        catalog::route(&line.topic).expect("a topic").direction
    })
}

/// Property 3: with `Options::duty`, a fault is reported for the side that keeps its rule,
/// and not for the other side.
#[test]
fn duty_keeps_only_its_side() {
    for (seed, rule, fault) in fault_cases() {
        let kept = keeper(seed, rule, fault);
        let other = match kept {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        };
        for (duty, reported) in [(kept, true), (other, false)] {
            let options = Options {
                duty: Some(duty),
                ..Options::default()
            };
            judge_fault(seed, rule, fault, options, reported);
        }
    }
}

/// The job rules of a kind whose starts (`of_starts`) or reports carry a fresh id, with each
/// seed: there, a copy of a message (the same id again) is certainly a redelivery, where a
/// platform that restarts a job with the same bytes (Tencent's `update_firmware`) sends what
/// only its time tells from one.
fn with_fresh_ids(kind: fn(&RuleCheck) -> bool, of_starts: bool) -> Vec<(u64, &'static RuleInfo)> {
    let fresh = |id: &str| !fresh_fields(entry(id)).is_empty();
    let certain = |j: JobRule| {
        let all_fresh = if of_starts {
            j.starts.iter().all(|s| fresh(s.message))
        } else {
            j.messages.iter().all(|m| fresh(m))
        };
        !j.starts.is_empty() && all_fresh
    };
    let rules = catalog::rules().iter();
    let chosen = rules.filter(|r| kind(&r.check) && job_rule(r).is_some_and(certain));
    let cases = chosen.flat_map(|r| (0..FAULT_SEEDS).map(move |seed| (seed, r)));
    let cases: Vec<_> = cases.collect();
    assert!(!cases.is_empty(), "no rule to play");
    cases
}

/// Runs `sim`, which holds correct traffic only: no violation.
fn assert_no_violation(sim: Sim, case: &str) {
    let (capture, findings, _) = sim.run();
    let found = violations(&findings);
    assert!(found.is_empty(), "{case}: {found:#?}\n{capture}");
}

/// A redelivered job start (the same bytes again, a QoS 1 redelivery) belongs to its first
/// copy: it does not start the job anew, so progress going back across it is one violation.
/// Played: the start, a report at 34 %, the start redelivered right after it, a report at
/// 20 %.
#[test]
fn redelivered_start_is_no_restart() {
    let progress = |c: &RuleCheck| matches!(c, RuleCheck::Progress { .. });
    for (seed, rule) in with_fresh_ids(progress, true) {
        let mut sim = Sim::new(seed, Options::default());
        let message = entry(sim.pick(job_rule(rule).expect("a job rule").messages));
        let job = Job::new(&mut sim, rule, message, "DEVICE");
        let (start, end) = job.start(&mut sim, T0).expect("a start");
        let at = end + pause(&mut sim);
        let mut high = job.report(&mut sim, 34, None);
        sim.send(&mut high, at, true);
        sim.answer(&high, at + 2, false);
        // Soon enough that the start's exchange is still open: a copy of it.
        sim.redeliver(start, at + 1 - sim.lines[start].at);
        let at = at + pause(&mut sim);
        let mut low = job.report(&mut sim, 20, None);
        sim.send(&mut low, at, true);
        sim.answer(&low, at + 1, false);
        let marked = sim.marked();
        let case = format!("seed {seed}, {}", rule.id);
        let (capture, findings, _) = sim.run();
        let found = violations(&findings);
        let got: Vec<_> = found.iter().map(|f| (f.rule, &f.lines)).collect();
        assert_eq!(got, [(rule.id, &marked)], "{case}: {found:#?}\n{capture}");
    }
}

/// A redelivered final report that comes after the job was restarted belongs to the job that
/// reported it. Played: the start, the final status, the start again (new bytes: the platform
/// retries), the final report redelivered, a report of the new job.
#[test]
fn redelivered_final_after_restart_is_the_old_jobs() {
    let finals = |c: &RuleCheck| matches!(c, RuleCheck::Final { .. });
    for (seed, rule) in with_fresh_ids(finals, false) {
        let mut sim = Sim::new(seed, Options::default());
        let message = entry(sim.pick(job_rule(rule).expect("a job rule").messages));
        let job = Job::new(&mut sim, rule, message, "DEVICE");
        let (_, end) = job.start(&mut sim, T0).expect("a start");
        let mut at = end + pause(&mut sim);
        let done = json(sim.pick(job.finals));
        let (last, end) = job.send(&mut sim, 50, Some(done), at);
        at = end + pause(&mut sim);
        let (_, end) = job.start(&mut sim, at).expect("a start");
        sim.redeliver(last, end + 1 - sim.lines[last].at);
        at = end + pause(&mut sim);
        job.send(&mut sim, 10, None, at);
        assert_no_violation(sim, &format!("seed {seed}, {}", rule.id));
    }
}
