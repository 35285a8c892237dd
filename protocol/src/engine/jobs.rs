//! Jobs: what a start message begins and its progress reports follow, named as the
//! definitions' `progress` and `final` rules name them.

use std::collections::HashMap;

use serde_json::Value;

use super::CallId;
use super::json;
use crate::Direction;
use crate::catalog::{self, MessageInfo, RuleCheck, RuleInfo};
use crate::conversation::rules_about;

/// One job: a firmware upgrade, a file transfer. Its reports name it by the fields the
/// definitions say (DJI's `bid`, Tencent's resource `name`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Job {
    /// The device, as its topic names it.
    pub device: String,
    /// Its family: `dji/firmware`.
    pub family: String,
    /// The JSON texts of the fields that name it, in the definitions' order.
    pub key: Vec<String>,
}

/// What a report says of its job.
pub(crate) enum Report {
    Progress {
        percent: Option<i64>,
        step: Option<String>,
    },
    Finished(String),
    /// The same final status again, or a report after it: no news.
    Stale,
}

struct State {
    last: i64,
    finished: Option<String>,
    /// Whether its reports come from the other side, which the engine waits on.
    watched: bool,
    stalled: bool,
    started_by: Option<CallId>,
}

#[derive(Default)]
pub(crate) struct Jobs {
    jobs: HashMap<Job, State>,
}

impl Jobs {
    /// The job `message` starts, if it starts one, and the direction its reports travel.
    pub(crate) fn started(
        info: &MessageInfo,
        device: &str,
        payload: &Value,
    ) -> Option<(Job, Direction)> {
        let rule = job_rules(info.id).find_map(|r| {
            let start = r.check.starts().iter().find(|s| s.message == info.id)?;
            Some((r, start.job))
        });
        let (rule, pointers) = rule?;
        let report = reports(rule).first().and_then(|id| catalog::message(id))?;
        Some((job(rule, device, payload, pointers), report.direction))
    }

    /// Starts `job` at `now`; `watched` when the other side reports it.
    pub(crate) fn start(&mut self, job: Job, now: i64, watched: bool, by: Option<CallId>) {
        let state = State {
            last: now,
            finished: None,
            watched,
            stalled: false,
            started_by: by,
        };
        self.jobs.insert(job, state);
    }

    /// The job a report names, and what it says.
    pub(crate) fn report(
        &mut self,
        info: &MessageInfo,
        device: &str,
        payload: &Value,
        now: i64,
    ) -> Option<(Job, Report)> {
        let rule = report_rule(info.id)?;
        let job = job(rule, device, payload, named_by(rule));
        // A report of a job never started here is followed too: its start may predate us.
        let state = self.jobs.entry(job.clone()).or_insert(State {
            last: now,
            finished: None,
            watched: true,
            stalled: false,
            started_by: None,
        });
        state.last = now;
        state.stalled = false;
        if state.finished.is_some() {
            return Some((job, Report::Stale));
        }
        let said = read(info.id, payload);
        if let Report::Finished(status) = &said {
            state.finished = Some(status.clone());
        }
        Some((job, said))
    }

    /// The watched jobs quiet for `quiet` microseconds by `now`, each said once per silence.
    /// A job quiet for `memory` is forgotten (an open one not before it has stalled), so that
    /// jobs reported by this side, or never ended, do not stay.
    pub(crate) fn quiet(&mut self, now: i64, quiet: Option<i64>, memory: i64) -> Vec<Job> {
        let open_memory = quiet.map_or(memory, |q| memory.max(q.saturating_mul(2)));
        self.jobs.retain(|_, s| {
            let keep = if s.finished.is_some() {
                memory
            } else {
                open_memory
            };
            now.saturating_sub(s.last) < keep
        });
        let Some(quiet) = quiet else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (job, state) in &mut self.jobs {
            let open = state.watched && state.finished.is_none() && !state.stalled;
            if open && now.saturating_sub(state.last) >= quiet {
                state.stalled = true;
                out.push(job.clone());
            }
        }
        out
    }

    /// When the next watched job will have been quiet for `quiet`.
    pub(crate) fn next_due(&self, quiet: Option<i64>) -> Option<i64> {
        let quiet = quiet?;
        let open = self
            .jobs
            .values()
            .filter(|s| s.watched && s.finished.is_none());
        open.filter(|s| !s.stalled)
            .map(|s| s.last.saturating_add(quiet))
            .min()
    }

    /// The call that started `job`, if one did.
    pub(crate) fn started_by(&self, job: &Job) -> Option<CallId> {
        self.jobs.get(job)?.started_by
    }

    /// Where the reports `id` name their job, and the values that name `job` there; `None`
    /// when `id` is no report of `job`'s family.
    pub(crate) fn fields(id: &str, job: &Job) -> Option<Vec<(&'static str, Value)>> {
        let rule = report_rule(id)?;
        if family(rule) != job.family {
            return None;
        }
        let values = job
            .key
            .iter()
            .map(|text| serde_json::from_str(text).unwrap_or_default());
        Some(named_by(rule).iter().copied().zip(values).collect())
    }
}

/// The `progress` and `final` rules about message `id`, as report or start.
fn job_rules(id: &str) -> impl Iterator<Item = &'static RuleInfo> {
    rules_about(id).iter().copied().filter(|r| {
        matches!(
            r.check,
            RuleCheck::Progress { .. } | RuleCheck::Final { .. }
        )
    })
}

/// The first `progress` or `final` rule of which message `id` is a report.
fn report_rule(id: &str) -> Option<&'static RuleInfo> {
    job_rules(id).find(|r| reports(r).contains(&id))
}

/// The reports of a `progress` or `final` rule.
fn reports(rule: &RuleInfo) -> &'static [&'static str] {
    match rule.check {
        RuleCheck::Progress { messages, .. } | RuleCheck::Final { messages, .. } => messages,
        _ => &[],
    }
}

/// Where a `progress` or `final` rule's reports name their job.
fn named_by(rule: &RuleInfo) -> &'static [&'static str] {
    match rule.check {
        RuleCheck::Progress { job, .. } | RuleCheck::Final { job, .. } => job,
        _ => &[],
    }
}

fn job(rule: &RuleInfo, device: &str, payload: &Value, pointers: &[&str]) -> Job {
    Job {
        device: device.to_owned(),
        family: family(rule),
        key: pointers.iter().map(|p| json::text(payload, p)).collect(),
    }
}

/// The family of a rule, as a job names it: `dji/firmware`.
fn family(rule: &RuleInfo) -> String {
    format!("{}/{}", rule.vendor, rule.family.unwrap_or_default())
}

/// What report `id` says, by its rules: its final status, else its progress.
fn read(id: &str, payload: &Value) -> Report {
    let mut progress = (None, None);
    for rule in job_rules(id) {
        match rule.check {
            RuleCheck::Final { status, finals, .. } => {
                let text = json::text(payload, status);
                if finals.contains(&text.as_str()) {
                    return Report::Finished(plain(&text));
                }
            }
            RuleCheck::Progress { percent, step, .. } => {
                let number = payload.pointer(percent).and_then(integer);
                let step = step.iter().find_map(|at| payload.pointer(at));
                progress = (number, step.map(|s| plain(&s.to_string())));
            }
            _ => {}
        }
    }
    Report::Progress {
        percent: progress.0,
        step: progress.1,
    }
}

/// A number, or a number written as a string (Tencent's `"percent": "10"`).
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => s.parse().ok(),
        v => v.as_i64(),
    }
}

/// A JSON text as plain text: a string without its quotes.
fn plain(text: &str) -> String {
    serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_owned())
}
