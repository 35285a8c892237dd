//! `answered` rules: each request that asks for a reply gets it, from the same device with the
//! correlated fields equal, within the deadline.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use super::{Judged, Options, Outcome, Seen, Verdict};
use crate::Direction;
use crate::catalog::{self, MessageInfo, RuleCheck, RuleInfo};

/// A request waits for the reply of this id, from this device, with these correlated values.
type Key = (&'static str, String, Vec<String>);

/// The most requests that wait for one reply (the same device, reply and correlated values)
/// without receive times to run out by, or within one deadline: memory stays bounded when a
/// capture has no times, or repeats one request.
const MAX_WAITING: usize = 256;

/// When requests run out, soonest first: (deadline, sequence number, key).
type Deadlines = BinaryHeap<Reverse<(i64, u64, Key)>>;

/// The requests waiting for their replies.
#[derive(Debug, Default)]
pub(super) struct Replies {
    open: HashMap<Key, VecDeque<Open>>,
    /// When each request with a receive time runs out, by device: a device's requests run out
    /// by its own clock, so that its findings do not depend on other devices' traffic.
    expiring: HashMap<String, Deadlines>,
    /// How many deadlines the heaps hold.
    queued: usize,
    /// How many they held after they were last rid of answered requests'.
    compacted: usize,
    next: u64,
}

#[derive(Debug)]
struct Open {
    seq: u64,
    rule: &'static RuleInfo,
    line: u64,
    received: Option<i64>,
    deadline: u64,
}

impl Replies {
    pub(super) fn observe(&mut self, at: &Seen<'_>, options: Options, judged: &mut Vec<Judged>) {
        let message = at.event.message;
        if let Some(rule) = message.request.and_then(rule_of) {
            self.answer(at, rule, judged);
        }
        let reply = message.reply.and_then(catalog::message);
        if let (Some(rule), Some(reply), true) = (rule_of(message.id), reply, asks(at)) {
            self.open(at, rule, reply, options, judged);
        }
    }

    fn open(
        &mut self,
        at: &Seen<'_>,
        rule: &'static RuleInfo,
        reply: &MessageInfo,
        options: Options,
        judged: &mut Vec<Judged>,
    ) {
        let values = reply
            .correlate
            .iter()
            .map(|c| at.text(c.request).to_owned())
            .collect();
        let key: Key = (reply.id, at.facts.device.clone(), values);
        let seq = self.next;
        self.next += 1;
        let deadline = deadline(rule, options);
        if let Some(t) = at.received {
            // A request stays open for a second deadline after its own: a late reply is still
            // its request's ("answered after ..."), whatever other traffic came between.
            let grace = i64::try_from(deadline)
                .unwrap_or(i64::MAX)
                .saturating_mul(2);
            let heap = self.expiring.entry(key.1.clone()).or_default();
            heap.push(Reverse((t.saturating_add(grace), seq, key.clone())));
            self.queued += 1;
            self.compact();
        }
        let waiting = self.open.entry(key.clone()).or_default();
        waiting.push_back(Open {
            seq,
            rule,
            line: at.line,
            received: at.received,
            deadline,
        });
        let dropped = match waiting.len() > MAX_WAITING {
            true => waiting.pop_front(),
            false => None,
        };
        if let Some(oldest) = dropped {
            let why = format!(
                "more than {MAX_WAITING} requests wait for the same reply, and only the \
                 latest are followed"
            );
            judged.push(unanswered(oldest, &key, Verdict::NotJudged, why));
        }
    }

    fn answer(&mut self, at: &Seen<'_>, rule: &'static RuleInfo, judged: &mut Vec<Judged>) {
        let message = at.event.message;
        let values = message
            .correlate
            .iter()
            .map(|c| at.text(c.reply).to_owned())
            .collect();
        let key: Key = (message.id, at.facts.device.clone(), values);
        let waiting = self.open.get_mut(&key);
        let found = waiting.and_then(VecDeque::pop_front);
        if self.open.get(&key).is_some_and(VecDeque::is_empty) {
            self.open.remove(&key);
        }
        let outcome = match found {
            Some(open) => match (open.received, at.received) {
                (Some(asked), Some(answered)) if late(asked, answered, open.deadline) => {
                    let reason = format!(
                        "answered after {}, past the deadline of {}",
                        ms(answered.saturating_sub(asked)),
                        ms(open.deadline as i64)
                    );
                    Outcome::Found(Verdict::Violation, vec![open.line, at.line], reason)
                }
                _ => Outcome::Passed,
            },
            None => {
                let reason = format!(
                    "`{}` answers no request seen from this device with the same {} that asked \
                     for it and was still open: it may have been sent before the capture \
                     started, or judged unanswered already",
                    message.name,
                    correlated(message)
                );
                Outcome::Found(Verdict::NotJudged, vec![at.line], reason)
            }
        };
        judged.push(Judged {
            rule,
            duty: rule.duty.unwrap_or(message.direction),
            device: at.facts.device.clone(),
            outcome,
        });
    }

    /// Drops the deadlines of requests answered already, once they hold twice as many entries
    /// as after the last time: a capture whose receive times stand still would keep them all.
    fn compact(&mut self) {
        if self.queued <= 2 * self.compacted.max(1024) {
            return;
        }
        let live: std::collections::HashSet<u64> =
            self.open.values().flatten().map(|o| o.seq).collect();
        for heap in self.expiring.values_mut() {
            heap.retain(|Reverse((_, seq, _))| live.contains(seq));
        }
        self.expiring.retain(|_, heap| !heap.is_empty());
        self.queued = self.expiring.values().map(BinaryHeap::len).sum();
        self.compacted = self.queued;
    }

    /// The requests waiting, and the deadlines still to pass.
    pub(super) fn held(&self) -> usize {
        let waiting: usize = self.open.values().map(VecDeque::len).sum();
        waiting + self.queued
    }

    /// Requests of `device` whose deadline passed twice before `now`, its clock, are
    /// violations.
    pub(super) fn expire(&mut self, device: &str, now: i64, judged: &mut Vec<Judged>) {
        let Some(heap) = self.expiring.get_mut(device) else {
            return;
        };
        while heap.peek().is_some_and(|Reverse((ends, _, _))| *ends < now) {
            let Some(Reverse((_, seq, key))) = heap.pop() else {
                break;
            };
            self.queued = self.queued.saturating_sub(1);
            let Some(waiting) = self.open.get_mut(&key) else {
                continue;
            };
            let Some(i) = waiting.iter().position(|o| o.seq == seq) else {
                continue;
            };
            let open = waiting
                .remove(i)
                .unwrap_or_else(|| unreachable!("found at {i}"));
            if waiting.is_empty() {
                self.open.remove(&key);
            }
            judged.push(unanswered(open, &key, Verdict::Violation, String::new()));
        }
        if heap.is_empty() {
            self.expiring.remove(device);
        }
    }

    /// Requests of every device whose deadline passed twice before `now`, in device order.
    pub(super) fn expire_all(&mut self, now: i64, judged: &mut Vec<Judged>) {
        let mut devices: Vec<String> = self.expiring.keys().cloned().collect();
        devices.sort_unstable();
        for device in devices {
            self.expire(&device, now, judged);
        }
    }

    /// Judges every request still open when the traffic ended at `end`.
    pub(super) fn finish(&mut self, end: Option<i64>, judged: &mut Vec<Judged>) {
        if let Some(end) = end {
            self.expire_all(end, judged);
        }
        let mut rest: Vec<(Key, Open)> = self
            .open
            .drain()
            .flat_map(|(key, waiting)| waiting.into_iter().map(move |o| (key.clone(), o)))
            .collect();
        rest.sort_by_key(|(_, o)| o.seq);
        self.expiring.clear();
        self.queued = 0;
        for (key, open) in rest {
            let (verdict, why) = match (open.received, end) {
                (Some(asked), Some(end)) if late(asked, end, open.deadline) => {
                    (Verdict::Violation, String::new())
                }
                (Some(asked), Some(end)) => (
                    Verdict::NotJudged,
                    format!(
                        "the capture ended {} after it, before its deadline of {}",
                        ms(end.saturating_sub(asked)),
                        ms(open.deadline as i64)
                    ),
                ),
                _ => (
                    Verdict::NotJudged,
                    "it has no receive time, so no deadline to judge".to_owned(),
                ),
            };
            judged.push(unanswered(open, &key, verdict, why));
        }
    }
}

fn unanswered(open: Open, key: &Key, verdict: Verdict, why: String) -> Judged {
    let reply = key.0.rsplit('/').next().unwrap_or(key.0);
    let reason = match verdict {
        Verdict::Violation => format!(
            "no `{reply}` within the deadline of {}",
            ms(open.deadline as i64)
        ),
        Verdict::NotJudged => format!("no `{reply}` yet: {why}"),
    };
    let duty = open.rule.duty.unwrap_or(Direction::Up);
    Judged {
        rule: open.rule,
        duty,
        device: key.1.clone(),
        outcome: Outcome::Found(verdict, vec![open.line], reason),
    }
}

/// The `answered` rule about request `id`, if any.
fn rule_of(id: &str) -> Option<&'static RuleInfo> {
    let rules = super::rules_about(id).iter();
    rules
        .copied()
        .find(|r| matches!(r.check, RuleCheck::Answered { .. }))
}

/// Whether the request asks for its reply: it holds every value of its `reply_when`.
fn asks(at: &Seen<'_>) -> bool {
    let when = at.event.message.reply_when;
    when.iter().all(|c| at.text(c.pointer) == c.value)
}

fn deadline(rule: &RuleInfo, options: Options) -> u64 {
    match rule.check {
        RuleCheck::Answered {
            deadline_ms: Some(ms),
            ..
        } => ms,
        _ => options.deadline_ms,
    }
}

/// What a reply shares with its request, for a reason: "`tid` and `bid`".
fn correlated(reply: &MessageInfo) -> String {
    let names: Vec<String> = reply
        .correlate
        .iter()
        .map(|c| format!("`{}`", c.reply.rsplit('/').next().unwrap_or(c.reply)))
        .collect();
    match names.as_slice() {
        [] => "message".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether an answer at `answered` to a request at `asked` is past `deadline`.
fn late(asked: i64, answered: i64, deadline: u64) -> bool {
    answered.saturating_sub(asked) > i64::try_from(deadline).unwrap_or(i64::MAX)
}

/// A duration for a reason: `3 s`, `250 ms`.
fn ms(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.3} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}
