//! How exchanges end: judged when an attempt is answered or the last one runs out, not judged
//! when the traffic ends before their deadline or messages may have been lost; and how their
//! attempts leave, so that memory follows the open conversations and not the traffic.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use super::{MAX_SETTLED, MAX_WAITING, Replies, State, fresh_values};
use crate::Direction;
use crate::catalog::{self, RuleInfo};
use crate::conversation::{Judged, Outcome, Verdict};

impl Replies {
    /// Judges exchange `id` as it stands: late, unanswered, or not judged for a gap.
    pub(super) fn settle(&mut self, id: u64, judged: &mut Vec<Judged>) {
        let Some(e) = self.exchanges.get_mut(&id) else {
            return;
        };
        if e.state == State::Settled {
            return;
        }
        let lines = e.lines.clone();
        let device = e.device.clone();
        let outcome = match (&e.gap, &e.state) {
            (Some(why), _) => {
                let reason = format!(
                    "no `{}` within the deadline of {}, but messages may have been lost \
                     then: {why}",
                    name(e.reply),
                    duration(e.deadline)
                );
                Outcome::Found(Verdict::NotJudged, lines, reason)
            }
            (None, State::Late(asked, answered, took)) => {
                let reason = format!(
                    "answered after {}, past the deadline of {}",
                    duration(*took),
                    duration(e.deadline)
                );
                Outcome::Found(Verdict::Violation, vec![*asked, *answered], reason)
            }
            (None, _) => {
                let reason = unanswered_reason(e.reply, e.deadline, lines.len());
                Outcome::Found(Verdict::Violation, lines, reason)
            }
        };
        e.state = State::Settled;
        judged.push(judged_by(e.rule, &device, outcome));
        self.settled(id);
    }

    /// Exchange `id` is judged: it takes no more attempts; its attempts stay for a deadline
    /// after its latest one (a late reply to an earlier attempt, or a redelivered reply, is
    /// still known as one), but those without a receive time (which never run out) leave now.
    pub(super) fn settled(&mut self, id: u64) {
        let Some(e) = self.exchanges.get_mut(&id) else {
            return;
        };
        let retry = e.retry.take();
        let attempts = e.attempts.clone();
        if let Some((message, identity)) = retry {
            let entry = (message, e.device.clone(), identity);
            if self.retrying.get(&entry) == Some(&id) {
                self.retrying.remove(&entry);
            }
        }
        let ends = e.last_sent.map(|t| t.saturating_add(e.deadline));
        for seq in attempts {
            match (self.attempts.get(&seq).map(|a| a.received), ends) {
                (Some(Some(_)), Some(ends)) => self.settled.push(Reverse((ends, seq))),
                (Some(_), _) => {
                    self.leave(seq);
                }
                (None, _) => {}
            }
        }
        while self.settled.len() > MAX_SETTLED {
            if let Some(Reverse((_, soonest))) = self.settled.pop() {
                self.leave(soonest);
            }
        }
    }

    /// Attempts of answered exchanges whose time to stay passed before `now`, the latest
    /// receive time of all devices, leave. No reply to them can be judged any more, so this
    /// changes no finding of a capture in receive order: a device's next message is no older.
    pub(in crate::conversation) fn sweep(&mut self, now: i64) {
        while self
            .settled
            .peek()
            .is_some_and(|Reverse((ends, _))| *ends < now)
        {
            if let Some(Reverse((_, seq))) = self.settled.pop() {
                self.leave(seq);
            }
        }
    }

    pub(super) fn forget_retry(&mut self, id: u64) {
        if let Some(e) = self.exchanges.get_mut(&id) {
            e.retry = None;
        }
    }

    /// The attempt `seq` leaves: from every index, and from its exchange, which leaves with
    /// its last attempt. Returns the exchange when it is left unjudged.
    fn leave(&mut self, seq: u64) -> Option<u64> {
        let attempt = self.attempts.remove(&seq)?;
        if let Some(waiting) = self.waiting.get_mut(&attempt.key) {
            waiting.retain(|s| *s != seq);
            if waiting.is_empty() {
                self.waiting.remove(&attempt.key);
            }
        }
        let request = catalog::message(attempt.message);
        let reply = catalog::message(attempt.key.0);
        let values = request.zip(reply).into_iter();
        for v in values.flat_map(|(q, r)| fresh_values(q, r, &attempt.key)) {
            if let Some(seqs) = self.by_value.get_mut(&v) {
                seqs.retain(|s| *s != seq);
                if seqs.is_empty() {
                    self.by_value.remove(&v);
                }
            }
        }
        let e = self.exchanges.get_mut(&attempt.exchange)?;
        e.open = e.open.saturating_sub(1);
        if e.open > 0 {
            return None;
        }
        let unjudged = e.state != State::Settled;
        if unjudged {
            return Some(attempt.exchange);
        }
        let e = self.exchanges.remove(&attempt.exchange)?;
        if let Some((message, identity)) = e.retry {
            self.retrying.remove(&(message, attempt.key.1, identity));
        }
        None
    }

    /// Too many attempts wait for one reply: the oldest leaves, and its exchange, if that was
    /// its last attempt, is not judged.
    pub(super) fn drop_oldest(&mut self, newest: u64, judged: &mut Vec<Judged>) {
        let Some(key) = self.attempts.get(&newest).map(|a| a.key.clone()) else {
            return;
        };
        let Some(oldest) = self.waiting.get(&key).and_then(|w| w.front().copied()) else {
            return;
        };
        if let Some(exchange) = self.leave(oldest) {
            let why = format!(
                "more than {MAX_WAITING} requests wait for the same reply, and only the latest \
                 are followed"
            );
            self.not_judged(exchange, why, judged);
        }
    }

    /// Exchange `id` leaves unjudged, for `why`.
    fn not_judged(&mut self, id: u64, why: String, judged: &mut Vec<Judged>) {
        let Some(e) = self.exchanges.remove(&id) else {
            return;
        };
        if let Some((message, identity)) = e.retry {
            self.retrying.remove(&(message, e.device.clone(), identity));
        }
        let reply = name(e.reply);
        let reason = format!("no `{reply}` yet: {why}");
        let outcome = Outcome::Found(Verdict::NotJudged, e.lines, reason);
        judged.push(judged_by(e.rule, &e.device, outcome));
    }

    /// Attempts of `device` sent more than two deadlines before `now`, its clock, leave; an
    /// exchange whose last attempt left unanswered is judged.
    pub(in crate::conversation) fn expire(
        &mut self,
        device: &str,
        now: i64,
        judged: &mut Vec<Judged>,
    ) {
        loop {
            let Some(heap) = self.expiring.get_mut(device) else {
                return;
            };
            let due = heap.peek().is_some_and(|Reverse((ends, _))| *ends < now);
            let popped = if due { heap.pop() } else { None };
            let Some(Reverse((_, seq))) = popped else {
                if heap.is_empty() {
                    self.expiring.remove(device);
                }
                return;
            };
            self.queued = self.queued.saturating_sub(1);
            if let Some(exchange) = self.leave(seq) {
                self.settle(exchange, judged);
                self.exchanges.remove(&exchange);
            }
        }
    }

    /// Attempts of every device sent more than two deadlines before `now`, in device order.
    pub(in crate::conversation) fn expire_all(&mut self, now: i64, judged: &mut Vec<Judged>) {
        let mut devices: Vec<String> = self.expiring.keys().cloned().collect();
        devices.sort_unstable();
        for device in devices {
            self.expire(&device, now, judged);
        }
    }

    /// Judges every exchange still open when the traffic ended at `end`: by its latest
    /// attempt, whose deadline passed or not.
    pub(in crate::conversation) fn finish(&mut self, end: Option<i64>, judged: &mut Vec<Judged>) {
        if let Some(end) = end {
            self.expire_all(end, judged);
        }
        let mut open: Vec<u64> = self
            .exchanges
            .iter()
            .filter(|(_, e)| e.state != State::Settled)
            .map(|(id, _)| *id)
            .collect();
        open.sort_unstable();
        for id in open {
            let e = &self.exchanges[&id];
            let last = e.last_sent;
            let ran_out = match (last, end) {
                (Some(asked), Some(end)) => end.saturating_sub(asked) > e.deadline,
                _ => false,
            };
            if ran_out || e.gap.is_some() || matches!(e.state, State::Late(..)) {
                self.settle(id, judged);
                continue;
            }
            let why = match (last, end) {
                (Some(asked), Some(end)) => format!(
                    "the capture ended {} after it, before its deadline of {}",
                    duration(end.saturating_sub(asked)),
                    duration(e.deadline)
                ),
                _ => "it has no receive time, so no deadline to judge".to_owned(),
            };
            self.not_judged(id, why, judged);
        }
        *self = Self::default();
    }

    /// When every exchange still open will have run out: a moment after the latest deadline of
    /// their latest attempts.
    pub(in crate::conversation) fn pending(&self) -> Option<i64> {
        let open = self
            .exchanges
            .values()
            .filter(|e| e.state != State::Settled);
        let ends = open.filter_map(|e| Some(e.last_sent?.saturating_add(e.deadline)));
        ends.max().map(|t| t.saturating_add(1))
    }

    /// When a tick next has an attempt to let leave: a moment after the soonest end of an
    /// attempt's stay ([`Self::expire`] lets an attempt leave once its end is past).
    pub(in crate::conversation) fn next_expiry(&self) -> Option<i64> {
        let soonest = self.expiring.values().filter_map(|heap| heap.peek());
        soonest
            .map(|Reverse((ends, _))| ends.saturating_add(1))
            .min()
    }

    /// Messages may have been lost between `from` and `to`: an exchange waiting then is not
    /// judged, for `why`, if no attempt is answered in time.
    pub(in crate::conversation) fn gap(&mut self, from: i64, to: i64, why: &str) {
        let attempts = &self.attempts;
        for e in self.exchanges.values_mut() {
            if e.state == State::Settled {
                continue;
            }
            let overlaps = e.attempts.iter().filter_map(|s| attempts.get(s)?.received);
            if overlaps
                .into_iter()
                .any(|t| t <= to && t.saturating_add(e.deadline) >= from)
            {
                e.gap = Some(why.to_owned());
            }
        }
    }

    /// The attempts and deadlines held.
    pub(in crate::conversation) fn held(&self) -> usize {
        self.attempts.len() + self.queued
    }

    /// Drops the heaps' entries of attempts that left already, once they hold twice as many
    /// entries as after the last time: a capture whose receive times stand still would keep
    /// them all.
    pub(super) fn compact(&mut self) {
        if self.queued <= 2 * self.compacted.max(1024) {
            return;
        }
        let live: HashSet<u64> = self.attempts.keys().copied().collect();
        for heap in self.expiring.values_mut() {
            heap.retain(|Reverse((_, seq))| live.contains(seq));
        }
        self.expiring.retain(|_, heap| !heap.is_empty());
        self.queued = self.expiring.values().map(BinaryHeap::len).sum();
        self.compacted = self.queued;
    }
}

pub(super) fn judged_by(rule: &'static RuleInfo, device: &str, outcome: Outcome) -> Judged {
    Judged {
        rule,
        duty: rule.duty.unwrap_or(Direction::Up),
        device: device.to_owned(),
        outcome,
    }
}

/// A message's name, from its id.
pub(super) fn name(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn unanswered_reason(reply: &str, deadline: i64, attempts: usize) -> String {
    let reply = name(reply);
    let deadline = duration(deadline);
    match attempts {
        0 | 1 => format!("no `{reply}` within the deadline of {deadline}"),
        n => format!("no `{reply}` within the deadline of {deadline} of any of its {n} attempts"),
    }
}

/// A duration in microseconds, for a reason: `3 s`, `3.400 s`, `250 ms`, `0.8 ms`.
pub(super) fn duration(us: i64) -> String {
    if us % 1_000_000 == 0 {
        format!("{} s", us / 1_000_000)
    } else if us >= 1_000_000 {
        format!("{:.3} s", us as f64 / 1e6)
    } else if us % 1000 == 0 {
        format!("{} ms", us / 1000)
    } else {
        format!("{:.3} ms", us as f64 / 1e3)
    }
}
