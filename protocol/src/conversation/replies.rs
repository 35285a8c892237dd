//! `answered` and `fresh` rules: each request that asks for a reply gets it, from the same
//! device with the correlated fields equal, within the deadline; each request has correlated
//! values of its own.
//!
//! A request opens an *exchange*; where the sender retries ([`Retry`]), a request that is the
//! same as an unanswered one but for the fields a retry changes is another *attempt* of its
//! exchange. One attempt answered in time answers the exchange, and a reply to any other
//! attempt is no fault. A redelivery (the same topic and payload bytes) is the same attempt.
//! An unanswered attempt stays for two deadlines after it was sent, so that a late reply is
//! still its request's ("answered after ..."); an answered exchange's attempts stay for one
//! deadline after its latest attempt, so that a late reply to another attempt, or a
//! redelivered reply, is known as one.

mod lifetime;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use super::{Digest, Judged, Options, Outcome, Seen, Verdict, micros};
use lifetime::judged_by;

use crate::catalog::{self, MessageInfo, Retry, RuleCheck, RuleInfo};

/// Requests wait for the reply of this id, from this device, with these correlated values.
type Key = (&'static str, String, Vec<String>);

/// One fresh value of a request (one a `fresh` rule says no other open request holds): the
/// reply's id, the device, the field's index in [`MessageInfo::correlate`], and its value. A
/// reply that matches a request in it, and differs in another field, is found by it.
type ValueKey = (&'static str, String, usize, String);

/// The most attempts that wait for one reply (the same device, reply and correlated values)
/// without receive times to run out by, or within one deadline: memory stays bounded when a
/// capture has no times, or repeats one request.
const MAX_WAITING: usize = 256;

/// The most answered attempts kept, of all devices, for the replies that may still come
/// (late, or redelivered): memory stays bounded when receive times stand still.
const MAX_SETTLED: usize = 1 << 16;

/// When attempts run out, soonest first: (time, attempt).
type Deadlines = BinaryHeap<Reverse<(i64, u64)>>;

#[derive(Debug, Default)]
pub(super) struct Replies {
    /// Attempts by the reply that answers them, oldest first.
    waiting: HashMap<Key, VecDeque<u64>>,
    /// Attempts by each fresh value, for replies that match in part; only for replies with
    /// more than one correlated field.
    by_value: HashMap<ValueKey, Vec<u64>>,
    attempts: HashMap<u64, Attempt>,
    exchanges: HashMap<u64, Exchange>,
    /// Unanswered exchanges whose sender may send another attempt: by the request's id, the
    /// device, and what every attempt holds ([`super::facts::Event::identity`]).
    retrying: HashMap<(&'static str, String, u64), u64>,
    /// When each attempt with a receive time leaves, by device: a device's requests run out by
    /// its own clock, so that its findings do not depend on other devices' traffic.
    expiring: HashMap<String, Deadlines>,
    /// How many entries the heaps hold, and held after they were last rid of stale ones.
    queued: usize,
    compacted: usize,
    /// When the attempts of answered exchanges leave, soonest first: they leave by the latest
    /// receive time of all devices, so that a device gone quiet keeps none.
    settled: Deadlines,
    next: u64,
}

#[derive(Debug)]
struct Attempt {
    seq: u64,
    exchange: u64,
    key: Key,
    /// The request's id.
    message: &'static str,
    line: u64,
    received: Option<i64>,
    /// When its latest copy came: a redelivery is a new chance for the device to get it.
    latest_copy: Option<i64>,
    digest: Digest,
    /// The reply that answered it: its line and digest.
    answer: Option<(u64, Digest)>,
}

#[derive(Debug)]
struct Exchange {
    rule: &'static RuleInfo,
    /// The id of the reply it waits for.
    reply: &'static str,
    device: String,
    /// The lines of its attempts, which outlive them for its finding.
    lines: Vec<u64>,
    /// When its latest attempt was received, if known.
    last_sent: Option<i64>,
    /// In microseconds.
    deadline: i64,
    /// Its attempts, in the order they came.
    attempts: Vec<u64>,
    /// How many of them have not left yet.
    open: usize,
    state: State,
    /// Its entry in `retrying`, while it has one.
    retry: Option<(&'static str, u64)>,
    /// Why messages may have been lost while it was open.
    gap: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Waiting,
    /// Answered, but only past the deadline: the request's line, the reply's, and how long
    /// it took. Another attempt may still be answered in time.
    Late(u64, u64, i64),
    /// Judged.
    Settled,
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
        reply: &'static MessageInfo,
        options: Options,
        judged: &mut Vec<Judged>,
    ) {
        let values = reply
            .correlate
            .iter()
            .map(|c| at.text(c.request).to_owned())
            .collect();
        let key: Key = (reply.id, at.facts.device.clone(), values);
        let same_bytes = |a: &&Attempt| a.digest == at.digest();
        let copy = self.waiting_for(&key).find(same_bytes).map(|a| a.seq);
        if let Some(seq) = copy {
            // A redelivery: its first copy's reply answers it.
            if let Some(a) = self.attempts.get_mut(&seq) {
                a.latest_copy = a.latest_copy.max(at.received);
            }
            return;
        }
        self.fresh(at, reply, &key, judged);
        let (deadline, retry) = match rule.check {
            RuleCheck::Answered {
                deadline_ms, retry, ..
            } => (deadline_ms.unwrap_or(options.deadline_ms), retry),
            _ => (options.deadline_ms, None),
        };
        let deadline = micros(deadline);
        let exchange = self.exchange_of(at, rule, reply.id, deadline, retry);
        let seq = self.next;
        self.next += 1;
        if let Some(t) = at.received {
            // An attempt stays for a second deadline after its own: a late reply is still its
            // request's, whatever other traffic came between.
            let heap = self.expiring.entry(key.1.clone()).or_default();
            heap.push(Reverse((t.saturating_add(deadline.saturating_mul(2)), seq)));
            self.queued += 1;
            self.compact();
        }
        for v in fresh_values(at.event.message, reply, &key) {
            self.by_value.entry(v).or_default().push(seq);
        }
        let waiting = self.waiting.entry(key.clone()).or_default();
        waiting.push_back(seq);
        let full = waiting.len() > MAX_WAITING;
        let attempt = Attempt {
            seq,
            exchange,
            key,
            message: at.event.message.id,
            line: at.line,
            received: at.received,
            latest_copy: at.received,
            digest: at.digest(),
            answer: None,
        };
        self.attempts.insert(seq, attempt);
        if let Some(e) = self.exchanges.get_mut(&exchange) {
            e.attempts.push(seq);
            e.lines.push(at.line);
            e.last_sent = e.last_sent.max(at.received);
            e.open += 1;
        }
        if full {
            self.drop_oldest(seq, judged);
        }
    }

    /// The exchange `at` is an attempt of: an unanswered one it retries, or a new one.
    fn exchange_of(
        &mut self,
        at: &Seen<'_>,
        rule: &'static RuleInfo,
        reply: &'static str,
        deadline: i64,
        retry: Option<Retry>,
    ) -> u64 {
        let id = at.event.message.id;
        let same = retry.zip(at.event.identity);
        if let Some((retry, identity)) = same {
            let found = self.retrying.get(&(id, at.facts.device.clone(), identity));
            let room = |e: &&Exchange| e.attempts.len() <= retry.count as usize;
            let exchange = found.filter(|e| self.exchanges.get(e).is_some_and(|e| room(&e)));
            if let Some(exchange) = exchange {
                return *exchange;
            }
        }
        let seq = self.next;
        self.next += 1;
        let retry = same.map(|(_, identity)| (id, identity));
        if let Some((id, identity)) = retry {
            let entry = (id, at.facts.device.clone(), identity);
            if let Some(old) = self.retrying.insert(entry, seq) {
                self.forget_retry(old);
            }
        }
        let exchange = Exchange {
            rule,
            reply,
            device: at.facts.device.clone(),
            lines: Vec::new(),
            last_sent: None,
            deadline,
            attempts: Vec::new(),
            open: 0,
            state: State::Waiting,
            retry,
            gap: None,
        };
        self.exchanges.insert(seq, exchange);
        seq
    }

    /// The `fresh` rules about the request of `at`: none of its fields is that of another
    /// request still open.
    fn fresh(&self, at: &Seen<'_>, reply: &MessageInfo, key: &Key, judged: &mut Vec<Judged>) {
        for rule in super::rules_about(at.event.message.id) {
            let RuleCheck::Fresh { field, .. } = rule.check else {
                continue;
            };
            let Some(i) = reply.correlate.iter().position(|c| c.request == field) else {
                continue;
            };
            let value = &key.2[i];
            let reused = self
                .with_value(key, i, value)
                .filter(|a| a.message == at.event.message.id)
                .min_by_key(|a| a.line);
            let outcome = match reused {
                Some(earlier) => {
                    let name = field.rsplit('/').next().unwrap_or(field);
                    let reason = format!(
                        "`{name}` {value} is that of the open request of line {}: each \
                         request, a retry too, needs one of its own, or a reply cannot tell \
                         them apart",
                        earlier.line
                    );
                    Outcome::Found(Verdict::Violation, vec![earlier.line, at.line], reason)
                }
                None => Outcome::Passed,
            };
            judged.push(Judged {
                rule,
                duty: rule.duty.unwrap_or(at.direction()),
                device: at.facts.device.clone(),
                outcome,
            });
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
        let digest = at.digest();
        // Replies that hold no id of their request (Tencent's `_rsp`) are alike: one answers
        // the next request waiting, and is a redelivery only when none is.
        let unanswered = self
            .waiting_for(&key)
            .find(|a| a.answer.is_none() && self.exchanges[&a.exchange].state != State::Settled);
        let Some(first) = unanswered.map(|a| a.exchange) else {
            if self.waiting_for(&key).next().is_none() {
                self.unmatched(at, rule, &key, judged);
            }
            // Otherwise it answers an attempt of an exchange answered already: a late reply
            // to an earlier attempt, or a redelivered reply.
            return;
        };
        // Of the exchange's attempts this reply may answer, the latest sent before it.
        let attempt = self
            .waiting_for(&key)
            .filter(|a| a.exchange == first && a.answer.is_none())
            .filter(|a| sent_before(a.received, at.received))
            .max_by_key(|a| a.received)
            .or_else(|| self.waiting_for(&key).find(|a| a.exchange == first));
        let Some(attempt) = attempt else {
            return;
        };
        let (seq, line) = (attempt.seq, attempt.line);
        let copies = [attempt.received, attempt.latest_copy]
            .into_iter()
            .flatten();
        let asked = copies.filter(|t| sent_before(Some(*t), at.received)).max();
        if let Some(a) = self.attempts.get_mut(&seq) {
            a.answer = Some((at.line, digest));
        }
        let took = asked.zip(at.received).map(|(a, b)| b.saturating_sub(a));
        let Some(exchange) = self.exchanges.get_mut(&first) else {
            return;
        };
        match took {
            Some(took) if took > exchange.deadline => {
                let earliest = match exchange.state {
                    State::Late(_, _, before) if before <= took => exchange.state.clone(),
                    _ => State::Late(line, at.line, took),
                };
                exchange.state = earliest;
                if self.cannot_retry(first) {
                    self.settle(first, judged);
                }
            }
            _ => {
                exchange.state = State::Settled;
                judged.push(judged_by(exchange.rule, &key.1, Outcome::Passed));
                self.settled(first);
            }
        }
    }

    /// A reply that answers no attempt: one that matches an open request in a field that names
    /// an exchange and differs in another is a violation; any other is not judged.
    fn unmatched(
        &mut self,
        at: &Seen<'_>,
        rule: &'static RuleInfo,
        key: &Key,
        judged: &mut Vec<Judged>,
    ) {
        let message = at.event.message;
        let request = message.request.and_then(catalog::message);
        let fresh = request
            .into_iter()
            .flat_map(|r| fresh_values(r, message, key));
        let partial = fresh
            .collect::<Vec<_>>()
            .into_iter()
            .find_map(|(_, _, i, value)| {
                let found = self.with_value(key, i, &value).find(|a| {
                    a.answer.is_none() && self.exchanges[&a.exchange].state != State::Settled
                });
                found.map(|a| (i, a.seq))
            });
        let Some((i, seq)) = partial else {
            let reason = format!(
                "`{}` answers no request seen from this device with the same {} that asked for \
                 it and was still open: it may have been sent before the capture started, or \
                 judged unanswered already",
                message.name,
                correlated(message)
            );
            let outcome = Outcome::Found(Verdict::NotJudged, vec![at.line], reason);
            judged.push(judged_by(rule, &key.1, outcome));
            return;
        };
        let attempt = &self.attempts[&seq];
        let name = |j: usize| {
            let at = message.correlate[j].reply;
            at.rsplit('/').next().unwrap_or(at)
        };
        let differs = (0..key.2.len()).find(|j| key.2[*j] != attempt.key.2[*j]);
        let reason = match differs {
            Some(j) => format!(
                "`{}` is {}, but the request of line {} with the same `{}` has {}",
                name(j),
                key.2[j],
                attempt.line,
                name(i),
                attempt.key.2[j]
            ),
            None => "it matches the request only in part".to_owned(),
        };
        let lines = vec![attempt.line, at.line];
        let exchange = attempt.exchange;
        if let Some(a) = self.attempts.get_mut(&seq) {
            a.answer = Some((at.line, at.digest()));
        }
        if let Some(e) = self.exchanges.get_mut(&exchange) {
            e.state = State::Settled;
            let outcome = Outcome::Found(Verdict::Violation, lines, reason);
            judged.push(judged_by(e.rule, &key.1, outcome));
        }
        self.settled(exchange);
    }

    /// Whether exchange `id` can get no other attempt: its rule has no retry, or it used them
    /// all, and every attempt was answered.
    fn cannot_retry(&self, id: u64) -> bool {
        let Some(e) = self.exchanges.get(&id) else {
            return true;
        };
        let all_answered = e
            .attempts
            .iter()
            .all(|s| self.attempts.get(s).is_none_or(|a| a.answer.is_some()));
        let room = match e.rule.check {
            RuleCheck::Answered { retry: Some(r), .. } => e.attempts.len() <= r.count as usize,
            _ => false,
        };
        all_answered && !room
    }

    /// The attempts waiting for the reply of `key`, oldest first.
    fn waiting_for<'s>(&'s self, key: &Key) -> impl Iterator<Item = &'s Attempt> + 's {
        let seqs = self.waiting.get(key).into_iter().flatten();
        seqs.filter_map(|s| self.attempts.get(s))
    }

    /// The attempts for the reply of `key` whose correlated field `i` holds `value`.
    fn with_value<'s>(
        &'s self,
        key: &Key,
        i: usize,
        value: &str,
    ) -> Box<dyn Iterator<Item = &'s Attempt> + 's> {
        if key.2.len() == 1 {
            return Box::new(self.waiting_for(key));
        }
        let v: ValueKey = (key.0, key.1.clone(), i, value.to_owned());
        let seqs = self.by_value.get(&v).into_iter().flatten();
        Box::new(seqs.filter_map(|s| self.attempts.get(s)))
    }
}

/// Whether a request received at `asked` was sent before a reply received at `answered`, as
/// far as the times tell.
fn sent_before(asked: Option<i64>, answered: Option<i64>) -> bool {
    match (asked, answered) {
        (Some(a), Some(b)) => a <= b,
        _ => true,
    }
}

/// The values of `key`, of a `request` and its `reply`, that a `fresh` rule says no other
/// open request holds, each with its index, when the reply has several correlated fields: what
/// a reply that matches in part is found by. A value shared by the requests of one job (DJI's
/// `bid`) would find the job's other requests.
fn fresh_values<'k>(
    request: &MessageInfo,
    reply: &'static MessageInfo,
    key: &'k Key,
) -> impl Iterator<Item = ValueKey> + 'k {
    let request = request.id;
    let several = reply.correlate.len() > 1;
    let named = reply.correlate.iter().enumerate();
    named
        .filter(move |(i, c)| {
            several
                && super::fresh_fields(request).any(|f| f == c.request)
                && key.2.get(*i).is_some_and(|v| v != "null")
        })
        .map(|(i, _)| (key.0, key.1.clone(), i, key.2[i].clone()))
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
