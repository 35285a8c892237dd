//! Conversations: the rules of [`catalog::rules`](crate::catalog::rules()) followed across
//! messages. A request is answered in time, a job's progress goes forward and stops at its
//! final status, a payload names the device of its topic.
//!
//! [`Facts::read`] reads what the rules need from one MQTT message (on any thread), and
//! [`Facts::check_and_read`] does so while it holds the message to its contract;
//! [`Monitor::observe`] follows the messages in the order they were received and says what
//! each one settles; [`Monitor::finish`] judges what is still open when the traffic ends.
//!
//! Time is what the receive times say (in microseconds, as mosquitto_sub writes them), device
//! by device: a device's requests run out by its own latest receive time, so the findings of a
//! device do not depend on other devices' traffic, and a capture split by device gives the
//! same findings as the whole. A live monitor, for which time passes for silent devices too,
//! calls [`Monitor::tick`].
//! Memory grows with the conversations that are open, not with the traffic: a request leaves
//! two deadlines after it was received, or once answered one deadline after the latest attempt
//! of its exchange (a late or redelivered reply is known until then); a job when it has been
//! quiet for [`JOB_MEMORY_MS`], or for the default deadline once it reported its final status
//! (a report later than that is not caught).
//!
//! What the protocols allow is no fault: a request retried as its definitions say
//! ([`Retry`](crate::catalog::Retry)) is one exchange, answered by any of its attempts; a
//! message that starts a job starts it anew; a redelivered message (QoS 1 delivers at least
//! once: the same topic and payload bytes again) belongs to its first copy's conversation; the
//! same final status again is no news.
//!
//! The monitor never blames what it could not see. A reply to a request it did not see, a
//! request whose deadline had not passed when the traffic ended, and a request without a
//! receive time are [`Verdict::NotJudged`].
//!
//! ```
//! use iotxfer::conversation::{Facts, Monitor, Options, Verdict};
//!
//! let mut monitor = Monitor::new(Options::default());
//! let request = br#"{"tid":"t1","bid":"b1","timestamp":1,"method":"fileupload_list","data":{"module_list":["0"]}}"#;
//! let facts = Facts::read("thing/product/DOCK1/services", request).unwrap();
//! assert!(monitor.observe(1, Some(0), &facts).is_empty());
//! // Nothing answers within the 3 seconds DJI's cloud demo waits (times in microseconds).
//! let findings = monitor.finish(Some(10_000_000));
//! assert_eq!(findings[0].rule, "dji/log_upload/services_answered");
//! assert_eq!(findings[0].verdict, Verdict::Violation);
//! ```

mod facts;
mod jobs;
mod replies;

use std::collections::{BTreeMap, HashMap};

pub use facts::Facts;
pub(crate) use facts::{attempt_digest, digest};

use crate::Direction;
use crate::catalog::{self, RuleCheck, RuleInfo};

/// How long a job is remembered after its last message, by receive time.
pub const JOB_MEMORY_MS: i64 = 2 * 60 * 1000;

/// The deadline of a request whose vendor documents none.
pub const DEFAULT_DEADLINE_MS: u64 = 30_000;

/// How a [`Monitor`] judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The deadline of a request whose vendor documents none, in milliseconds.
    pub deadline_ms: u64,
    /// Only the rules one side keeps: [`Direction::Up`] for the device's duties,
    /// [`Direction::Down`] for the platform's; `None` for both.
    pub duty: Option<Direction>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            deadline_ms: DEFAULT_DEADLINE_MS,
            duty: None,
        }
    }
}

/// What the monitor says about a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// The rule was broken.
    Violation,
    /// The traffic does not show enough to judge: the start or the end of the conversation is
    /// missing, or the times are.
    NotJudged,
}

/// A rule broken, or a conversation that could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's id: `dji/firmware/ota_create_answered`.
    pub rule: &'static str,
    /// What it says.
    pub verdict: Verdict,
    /// The numbers the caller gave the messages involved, ascending.
    pub lines: Vec<u64>,
    /// Why, in a sentence.
    pub reason: String,
    /// The device of the conversation, as its topic names it.
    pub device: String,
}

/// Counts of what a rule judged for one device.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Times the rule was kept.
    pub passed: u64,
    /// Times it was broken.
    pub violations: u64,
    /// Conversations it could not judge.
    pub not_judged: u64,
}

/// Follows conversations across messages; see the [module docs](self).
#[derive(Debug)]
pub struct Monitor {
    options: Options,
    /// The latest receive time seen.
    now: Option<i64>,
    /// The latest receive time of each device: its clock, by which its conversations run
    /// out, so that a capture split by device gives the same findings as the whole.
    clocks: HashMap<String, i64>,
    replies: replies::Replies,
    jobs: jobs::Jobs,
    /// What each rule judged, by rule id, then device.
    counts: HashMap<&'static str, HashMap<String, Counts>>,
    /// The families (and vendors) the traffic showed, for the rules that apply to it.
    seen: std::collections::BTreeSet<(&'static str, &'static str)>,
    observed: u64,
    /// When the jobs were last swept for ones to forget.
    swept: Option<i64>,
}

/// Something a rule settled, before the options filter it.
struct Judged {
    rule: &'static RuleInfo,
    /// The side the rule binds for this conversation.
    duty: Direction,
    device: String,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    Found(Verdict, Vec<u64>, String),
}

impl Monitor {
    /// A monitor that has seen nothing.
    pub fn new(options: Options) -> Self {
        Self {
            options,
            now: None,
            clocks: HashMap::new(),
            replies: replies::Replies::default(),
            jobs: jobs::Jobs::default(),
            counts: HashMap::new(),
            seen: Default::default(),
            observed: 0,
            swept: None,
        }
    }

    /// Follows one MQTT message, numbered `line` by the caller and received at `received`
    /// (microseconds since the Unix epoch, if known). Messages come in the order they were
    /// received. Returns what it settles, including requests whose deadline passed before
    /// it was received.
    pub fn observe(&mut self, line: u64, received: Option<i64>, facts: &Facts) -> Vec<Finding> {
        let mut judged = Vec::new();
        let mut clock = None;
        if let Some(t) = received {
            self.now = Some(self.now.map_or(t, |now| now.max(t)));
            let own = self.clocks.entry(facts.device.clone()).or_insert(t);
            *own = (*own).max(t);
            clock = Some(*own);
        }
        if let Some(now) = self.now {
            self.replies.sweep(now);
        }
        for (index, event) in facts.events.iter().enumerate() {
            self.seen
                .insert((event.message.vendor, event.message.family));
            let at = Seen {
                line,
                received,
                facts,
                event,
                index,
            };
            self.replies.observe(&at, self.options, &mut judged);
            self.jobs.observe(&at, &mut judged);
            same_device(&at, &mut judged);
        }
        self.observed += 1;
        if let Some(clock) = clock {
            self.replies.expire(&facts.device, clock, &mut judged);
        }
        if let Some(now) = self.now {
            // Sweeping costs the open jobs; once a second of traffic is often enough.
            let due = self.swept.is_none_or(|t| now.saturating_sub(t) >= 1000);
            if self.observed.is_multiple_of(1024) && due {
                self.jobs.forget(&self.clocks, self.options.deadline_ms);
                self.swept = Some(now);
            }
        }
        self.settle(judged)
    }

    /// Lets time pass for every device: live traffic is at `now` (microseconds since the Unix
    /// epoch) even for a device that sends nothing, so its requests run out. Returns the
    /// requests that did. A capture, whose time is only what its messages say, has no use for
    /// it.
    pub fn tick(&mut self, now: i64) -> Vec<Finding> {
        let mut judged = Vec::new();
        self.now = Some(self.now.map_or(now, |t| t.max(now)));
        self.replies.expire_all(now, &mut judged);
        self.replies.sweep(now);
        self.settle(judged)
    }

    /// Judges what is still open when the traffic ends at `end` (microseconds since the Unix
    /// epoch: the last receive time, or later, if known): a request whose deadline passed is a
    /// violation, any other is not judged.
    pub fn finish(&mut self, end: Option<i64>) -> Vec<Finding> {
        let mut judged = Vec::new();
        let end = match (end, self.now) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.replies.finish(end, &mut judged);
        self.jobs = jobs::Jobs::default();
        self.settle(judged)
    }

    /// When every request still open will have run out (microseconds since the Unix epoch):
    /// a live monitor that waits until then judges them all; `None` when none is open.
    pub fn pending(&self) -> Option<i64> {
        self.replies.pending()
    }

    /// When [`tick`](Self::tick) next has something to do: an attempt's stay ends, and with it,
    /// if it was its exchange's last, the exchange is judged. Unlike [`pending`](Self::pending),
    /// it moves on once ticked at, so a live caller can wake at it.
    pub(crate) fn next_tick(&self) -> Option<i64> {
        self.replies.next_expiry()
    }

    /// Says that messages may have been lost between `from` and `to` (microseconds since the
    /// Unix epoch): a broker that dropped messages, a connection lost and restored. A request
    /// that was waiting for its reply then, and is not answered in time, is not judged, for
    /// `why`, rather than a violation.
    pub fn gap(&mut self, from: i64, to: i64, why: &str) {
        self.replies.gap(from, to, why);
    }

    /// How many entries the monitor holds: the requests waiting for their replies, those
    /// answered within the last deadline, and the jobs it remembers. Its memory grows with
    /// this and with the devices seen (the counts), not with the traffic.
    pub fn held(&self) -> usize {
        self.replies.held() + self.jobs.held()
    }

    /// What each rule judged, by rule id and device.
    pub fn counts(&self) -> BTreeMap<(&'static str, &str), Counts> {
        let each = self.counts.iter().flat_map(|(rule, devices)| {
            devices
                .iter()
                .map(|(device, c)| ((*rule, device.as_str()), *c))
        });
        each.collect()
    }

    /// The rules that apply to the traffic seen (those of the families, and vendors, its
    /// messages belong to) and that the options keep.
    pub fn applicable(&self) -> impl Iterator<Item = &'static RuleInfo> + '_ {
        catalog::rules().iter().filter(|r| {
            let family_seen = match r.family {
                Some(f) => self.seen.contains(&(r.vendor, f)),
                None => self.seen.iter().any(|(v, _)| *v == r.vendor),
            };
            let duty_kept = match (self.options.duty, r.duty) {
                (Some(want), Some(duty)) => want == duty,
                _ => true,
            };
            family_seen && duty_kept
        })
    }

    fn settle(&mut self, judged: Vec<Judged>) -> Vec<Finding> {
        let mut findings = Vec::new();
        for j in judged {
            if self.options.duty.is_some_and(|d| d != j.duty) {
                continue;
            }
            let devices = self.counts.entry(j.rule.id).or_default();
            // Looked up before it is inserted: a device's name is copied once.
            if !devices.contains_key(&j.device) {
                devices.insert(j.device.clone(), Counts::default());
            }
            let Some(counts) = devices.get_mut(&j.device) else {
                continue;
            };
            match j.outcome {
                Outcome::Passed => counts.passed += 1,
                Outcome::Found(verdict, mut lines, reason) => {
                    match verdict {
                        Verdict::Violation => counts.violations += 1,
                        Verdict::NotJudged => counts.not_judged += 1,
                    }
                    lines.sort_unstable();
                    lines.dedup();
                    findings.push(Finding {
                        rule: j.rule.id,
                        verdict,
                        lines,
                        reason,
                        device: j.device,
                    });
                }
            }
        }
        findings
    }
}

/// What tells a copy of a message from another message: the digest of its topic and payload
/// bytes, and which event of the payload it is.
type Digest = (u64, usize);

/// One message being followed.
struct Seen<'a> {
    line: u64,
    received: Option<i64>,
    facts: &'a Facts,
    event: &'a facts::Event,
    /// Which event of the payload it is.
    index: usize,
}

impl Seen<'_> {
    /// The JSON text at `pointer`, `null` when absent: what keys and statuses compare.
    fn text(&self, pointer: &str) -> &str {
        self.event.text(pointer).unwrap_or("null")
    }

    /// When it happened, for ordering, in microseconds: the sender's time (in milliseconds)
    /// where the envelope has one, else the receive time.
    fn time(&self) -> Option<i64> {
        let sent = self.facts.topic.sent_at;
        let sent = sent.and_then(|at| self.event.text(at)?.parse::<i64>().ok());
        sent.map(|ms| ms.saturating_mul(1000)).or(self.received)
    }

    fn digest(&self) -> Digest {
        (self.facts.digest, self.index)
    }

    fn direction(&self) -> Direction {
        self.event.message.direction
    }
}

/// The fields of message `id` that a `fresh` rule keeps new for each request.
pub(crate) fn fresh_fields(id: &str) -> impl Iterator<Item = &'static str> {
    rules_about(id).iter().filter_map(|r| match r.check {
        RuleCheck::Fresh { field, .. } => Some(field),
        _ => None,
    })
}

/// How the sender of request `id` retries it, where its definitions say.
pub(crate) fn retry_of(id: &str) -> Option<catalog::Retry> {
    rules_about(id).iter().find_map(|r| match r.check {
        RuleCheck::Answered { retry, .. } => retry,
        _ => None,
    })
}

/// Milliseconds in microseconds.
pub(crate) fn micros(ms: u64) -> i64 {
    i64::try_from(ms)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000)
}

/// The rules about message `id`: those that name it (as a request, a report or a job's
/// start), and its vendor's `same_device` rules. Looked up once per message, not by scanning
/// every rule.
pub(crate) fn rules_about(id: &str) -> &'static [&'static RuleInfo] {
    static ABOUT: std::sync::OnceLock<HashMap<&'static str, Vec<&'static RuleInfo>>> =
        std::sync::OnceLock::new();
    let all = ABOUT.get_or_init(|| {
        let about = |m: &catalog::MessageInfo, r: &RuleInfo| match r.check {
            RuleCheck::Answered { requests: ids, .. } | RuleCheck::Fresh { requests: ids, .. } => {
                ids.contains(&m.id)
            }
            RuleCheck::Progress {
                messages: ids,
                starts,
                ..
            }
            | RuleCheck::Final {
                messages: ids,
                starts,
                ..
            } => ids.contains(&m.id) || starts.iter().any(|s| s.message == m.id),
            RuleCheck::SameDevice { .. } => r.vendor == m.vendor,
        };
        let rules = catalog::rules();
        let each = catalog::messages()
            .iter()
            .map(|m| (m.id, rules.iter().filter(|r| about(m, r)).collect()));
        each.collect()
    });
    all.get(id).map_or(&[], Vec::as_slice)
}

/// The string a JSON text holds, if it holds one.
fn json_str(text: &str) -> Option<String> {
    serde_json::from_str(text).ok()
}

/// The rules of kind `same_device` of the message's vendor.
fn same_device(at: &Seen<'_>, judged: &mut Vec<Judged>) {
    for rule in rules_about(at.event.message.id) {
        let RuleCheck::SameDevice { field, param } = rule.check else {
            continue;
        };
        let Some((_, expected)) = at.facts.params.iter().find(|(name, _)| *name == param) else {
            continue;
        };
        let Some(named) = at.event.text(field).and_then(json_str) else {
            continue;
        };
        if named.is_empty() {
            continue;
        }
        let outcome = if named == *expected {
            Outcome::Passed
        } else {
            let reason = format!(
                "`{}` is `{named}`, but the topic's `{param}` is `{expected}`",
                field.trim_start_matches('/')
            );
            Outcome::Found(Verdict::Violation, vec![at.line], reason)
        };
        judged.push(Judged {
            rule,
            duty: at.direction(),
            device: at.facts.device.clone(),
            outcome,
        });
    }
}
