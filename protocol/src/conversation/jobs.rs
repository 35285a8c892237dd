//! `progress` and `final` rules: one job's reports go forward within a step, and stop at its
//! final status. Reports are ordered by the sender's time where the envelope has one, else by
//! receive time, else by arrival; two reports at the same time are unordered, and neither is
//! blamed for the other. A message that starts a job (a platform's retried upgrade) starts it
//! anew; a redelivered report (the same bytes again) and the same final status again are no
//! news.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{Digest, JOB_MEMORY_MS, Judged, Outcome, Seen, Verdict};
use crate::catalog::{JobStart, RuleCheck, RuleInfo};

/// One job of one rule: the rule, the device, the message, and the job's field values.
type Key = (&'static str, String, &'static str, Vec<String>);

/// How many reports of a job are kept to compare a late arrival with.
const WINDOW: usize = 8;

#[derive(Debug, Default)]
pub(super) struct Jobs {
    progress: HashMap<Key, Progress>,
    finals: HashMap<Key, Final>,
}

/// When a report happened, as far as the traffic tells.
#[derive(Debug, Clone, Copy)]
struct When {
    time: Option<i64>,
    line: u64,
}

impl When {
    /// `Equal` when the order is unknown: the same time.
    fn cmp(&self, other: &When) -> Ordering {
        match (self.time, other.time) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.line.cmp(&other.line),
        }
    }
}

#[derive(Debug)]
struct Report {
    digest: Digest,
    when: When,
    step: String,
    percent: f64,
}

#[derive(Debug, Default)]
struct Progress {
    recent: Vec<Report>,
    /// The copy of the message that started the job, and the latest reports of the job before
    /// it: their redeliveries are no news.
    started: Option<Digest>,
    earlier: Vec<Digest>,
    last: Option<i64>,
}

#[derive(Debug, Default)]
struct Final {
    /// The earliest final report: when, and its status.
    done: Option<(When, String)>,
    /// The latest other report.
    latest: Option<When>,
    /// The latest reports, of this job and the one before it: to know a redelivery by.
    recent: Vec<Digest>,
    /// The copy of the message that started the job.
    started: Option<Digest>,
    last: Option<i64>,
}

impl Jobs {
    pub(super) fn observe(&mut self, at: &Seen<'_>, judged: &mut Vec<Judged>) {
        let id = at.event.message.id;
        for rule in super::rules_about(id) {
            let (messages, job, starts) = match rule.check {
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
                } => (messages, job, starts),
                _ => continue,
            };
            if let Some(start) = starts.iter().find(|s| s.message == id) {
                self.start(rule, at, messages, start);
            }
            if !messages.contains(&id) {
                continue;
            }
            let outcome = match rule.check {
                RuleCheck::Progress { percent, step, .. } => {
                    self.progress(rule, at, job, percent, step)
                }
                RuleCheck::Final { status, finals, .. } => {
                    self.final_status(rule, at, job, status, finals)
                }
                _ => None,
            };
            judged.extend(outcome.map(|o| judged_by(rule, at, o)));
        }
    }

    /// A job starts: what its reports said before counts no more, but a redelivery of them is
    /// still known as one. So is a redelivery of the start itself, where the start holds an id
    /// that a `fresh` rule keeps new for each request (DJI's `tid`): without one (Tencent's
    /// `update_firmware`), a platform that starts the job again sends the same bytes, and the
    /// device cannot tell the two apart either.
    fn start(
        &mut self,
        rule: &'static RuleInfo,
        at: &Seen<'_>,
        messages: &[&'static str],
        start: &JobStart,
    ) {
        let values: Vec<String> = start.job.iter().map(|p| at.text(p).to_owned()).collect();
        let copy = Some(at.digest());
        let fresh = super::fresh_fields(start.message).next().is_some();
        for message in messages {
            let key = (rule.id, at.facts.device.clone(), *message, values.clone());
            match rule.check {
                RuleCheck::Progress { .. } => restart(&mut self.progress, key, copy, fresh, at),
                _ => restart(&mut self.finals, key, copy, fresh, at),
            }
        }
    }

    fn progress(
        &mut self,
        rule: &'static RuleInfo,
        at: &Seen<'_>,
        job: &[&str],
        percent: &str,
        step: &[&str],
    ) -> Option<Outcome> {
        let value = number(at, percent)?;
        let step = step.iter().map(|p| at.text(p)).find(|s| *s != "null");
        let state = self.progress.entry(key(rule, at, job)).or_default();
        state.last = at.received.or(state.last);
        let report = Report {
            digest: at.digest(),
            when: When {
                time: at.time(),
                line: at.line,
            },
            step: step.unwrap_or_default().to_owned(),
            percent: value,
        };
        state.add(report)
    }

    fn final_status(
        &mut self,
        rule: &'static RuleInfo,
        at: &Seen<'_>,
        job: &[&str],
        status: &str,
        finals: &[&str],
    ) -> Option<Outcome> {
        let status = at.text(status);
        let is_final = finals.contains(&status);
        let state = self.finals.entry(key(rule, at, job)).or_default();
        state.last = at.received.or(state.last);
        if state.recent.contains(&at.digest()) {
            return None;
        }
        if state.recent.len() == WINDOW {
            state.recent.remove(0);
        }
        state.recent.push(at.digest());
        let when = When {
            time: at.time(),
            line: at.line,
        };
        Some(state.add(when, status.to_owned(), is_final))
    }

    /// Drops jobs quiet for longer than [`JOB_MEMORY_MS`] by their device's clock, and jobs
    /// that ended (reported their final status) quiet for longer than `ended_ms`.
    pub(super) fn forget(&mut self, clocks: &HashMap<String, i64>, ended_ms: u64) {
        let fresh = |key: &Key, last: Option<i64>, limit: i64| match (clocks.get(&key.1), last) {
            (Some(now), Some(t)) => now.saturating_sub(t) <= limit,
            _ => true,
        };
        let memory = super::micros(JOB_MEMORY_MS as u64);
        let ended = super::micros(ended_ms);
        self.progress.retain(|key, p| fresh(key, p.last, memory));
        self.finals.retain(|key, f| {
            let limit = if f.done.is_some() { ended } else { memory };
            fresh(key, f.last, limit)
        });
    }
}

impl Jobs {
    /// The jobs remembered.
    pub(super) fn held(&self) -> usize {
        self.progress.len() + self.finals.len()
    }
}

fn key(rule: &'static RuleInfo, at: &Seen<'_>, job: &[&str]) -> Key {
    let values = job.iter().map(|p| at.text(p).to_owned()).collect();
    (
        rule.id,
        at.facts.device.clone(),
        at.event.message.id,
        values,
    )
}

fn judged_by(rule: &'static RuleInfo, at: &Seen<'_>, outcome: Outcome) -> Judged {
    Judged {
        rule,
        duty: rule.duty.unwrap_or(at.direction()),
        device: at.facts.device.clone(),
        outcome,
    }
}

/// A percentage: a JSON number, or a number in a string (Tencent sends `"50"`).
fn number(at: &Seen<'_>, pointer: &str) -> Option<f64> {
    let text = at.event.text(pointer)?;
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    text.parse().ok()
}

/// The state of one job of a rule, which a start resets.
trait Job: Default {
    /// The digest of the message that started it.
    fn started(&self) -> Option<Digest>;
    /// It starts again with the message of digest `started`: its reports are only known, for
    /// their redeliveries.
    fn restart(&mut self, started: Option<Digest>, received: Option<i64>);
}

/// Starts the job of `key` again with `at`, of digest `copy`, unless `at` is a redelivery of
/// its start: the same bytes again, where the start holds a `fresh` id. A job never reported
/// needs no state, unless its start must be known again.
fn restart<J: Job>(
    jobs: &mut HashMap<Key, J>,
    key: Key,
    copy: Option<Digest>,
    fresh: bool,
    at: &Seen<'_>,
) {
    let job = match jobs.get_mut(&key) {
        Some(job) => job,
        None if fresh => jobs.entry(key).or_default(),
        None => return,
    };
    if !(fresh && job.started() == copy) {
        job.restart(copy, at.received);
    }
}

impl Job for Progress {
    fn started(&self) -> Option<Digest> {
        self.started
    }

    fn restart(&mut self, started: Option<Digest>, received: Option<i64>) {
        *self = Progress {
            started,
            earlier: self.recent.iter().map(|r| r.digest).collect(),
            last: received.or(self.last),
            ..Progress::default()
        };
    }
}

impl Progress {
    /// Compares `report` with the reports of its step just before and just after it; `None`
    /// for a redelivery of one of them.
    fn add(&mut self, report: Report) -> Option<Outcome> {
        let seen = self.recent.iter().map(|r| &r.digest).chain(&self.earlier);
        if seen.copied().any(|d| d == report.digest) {
            return None;
        }
        let same_step = || self.recent.iter().filter(|r| r.step == report.step);
        // Of the reports just before it, the highest; of those just after, the lowest: reports
        // at the same time are unordered among themselves, whichever arrived first.
        let before = same_step()
            .filter(|r| r.when.cmp(&report.when) == Ordering::Less)
            .max_by(|a, b| a.when.cmp(&b.when).then(a.percent.total_cmp(&b.percent)));
        let after = same_step()
            .filter(|r| r.when.cmp(&report.when) == Ordering::Greater)
            .min_by(|a, b| a.when.cmp(&b.when).then(a.percent.total_cmp(&b.percent)));
        let back = match (before, after) {
            (Some(b), _) if b.percent > report.percent => Some((b, &report)),
            (_, Some(a)) if report.percent > a.percent => Some((&report, a)),
            _ => None,
        };
        let outcome = match back {
            Some((first, then)) => {
                let step = match report.step.as_str() {
                    "" => String::new(),
                    s => format!(" in step {s}"),
                };
                let reason = format!(
                    "the percentage went back from {} to {}{step}",
                    first.percent, then.percent
                );
                Outcome::Found(
                    Verdict::Violation,
                    vec![first.when.line, then.when.line],
                    reason,
                )
            }
            None => Outcome::Passed,
        };
        self.recent.push(report);
        if self.recent.len() > WINDOW {
            let oldest = (0..self.recent.len())
                .min_by(|a, b| self.recent[*a].when.cmp(&self.recent[*b].when))
                .unwrap_or(0);
            self.recent.swap_remove(oldest);
        }
        Some(outcome)
    }
}

impl Job for Final {
    fn started(&self) -> Option<Digest> {
        self.started
    }

    fn restart(&mut self, started: Option<Digest>, received: Option<i64>) {
        *self = Final {
            recent: std::mem::take(&mut self.recent),
            started,
            last: received.or(self.last),
            ..Final::default()
        };
    }
}

impl Final {
    /// Blames a report after the earliest final one, whichever arrived first, but for the same
    /// final status again.
    fn add(&mut self, when: When, status: String, is_final: bool) -> Outcome {
        let later = |a: &When, b: &When| a.cmp(b) == Ordering::Greater;
        let again = |done_status: &str| is_final && done_status == status;
        let mut blamed = None;
        let done = self.done.as_ref();
        if let Some((done, done_status)) = done.filter(|(d, s)| later(&when, d) && !again(s)) {
            blamed = Some(after_final(*done, done_status, when));
        }
        if !is_final {
            if self.latest.is_none_or(|l| later(&when, &l)) {
                self.latest = Some(when);
            }
            return blamed.unwrap_or(Outcome::Passed);
        }
        if let Some(latest) = self.latest.filter(|l| later(l, &when)) {
            blamed = blamed.or(Some(after_final(when, &status, latest)));
        }
        match &self.done {
            Some((done, done_status)) if later(done, &when) => {
                if !again(done_status) {
                    blamed = blamed.or(Some(after_final(when, &status, *done)));
                }
                self.done = Some((when, status));
            }
            Some(_) => {}
            None => self.done = Some((when, status)),
        }
        blamed.unwrap_or(Outcome::Passed)
    }
}

fn after_final(done: When, status: &str, then: When) -> Outcome {
    let reason = format!("a report after the job's final status {status}");
    Outcome::Found(Verdict::Violation, vec![done.line, then.line], reason)
}
