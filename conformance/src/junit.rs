//! The certification report: what the traffic showed, rule by rule and device by device, as
//! JUnit XML (`--format junit`) or as the closing lines of `--format text`.
//!
//! Each message's contract is a test case per message and device; each conversation rule is a
//! test case per device it judged, and a skipped case when it applies to the traffic (its
//! family was seen) but nothing exercised it. A live watch's incidents (an outage of the
//! broker connection, messages the broker dropped) are errored cases of a `watch` suite: the
//! report is incomplete there, whatever the verdicts say.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use iotxfer::conversation::{Finding, Monitor, Verdict};

use crate::incident::{self, Incident};
use crate::verdict::{Kind, LineVerdict};

/// The most failures a test case lists; the rest are counted.
const LISTED: usize = 20;

/// One judged message, for its test case.
#[derive(Debug)]
pub struct MessageFault {
    /// The message id, or the topic when none is known.
    case: String,
    device: String,
    /// `None` when the message kept its contract.
    failure: Option<String>,
}

impl MessageFault {
    /// The test case outcome of a line; `None` for traffic outside the definitions.
    pub fn of(v: &LineVerdict<'_>) -> Option<MessageFault> {
        let topic = v.topic.as_deref().unwrap_or_default();
        let case = match (v.message, v.verdict) {
            (_, Kind::NotCovered) => return None,
            (Some(id), _) => id.to_owned(),
            (None, _) if v.topic.is_some() => format!("topic {topic}"),
            (None, _) => "capture records".to_owned(),
        };
        let device = iotxfer::AnyTopic::parse(topic)
            .ok()
            .and_then(|t| t.device())
            .unwrap_or_default();
        let place = match v.file {
            Some(file) => format!("{file}:{}", v.line),
            None => format!("line {}", v.line),
        };
        let failure = (v.verdict == Kind::Violation).then(|| {
            let faults: Vec<String> = v
                .errors
                .iter()
                .map(|e| match e.path.as_str() {
                    "" => e.reason.clone(),
                    path => format!("at {path}: {}", e.reason),
                })
                .collect();
            format!("{place}: {}", faults.join("; "))
        });
        Some(MessageFault {
            case,
            device,
            failure,
        })
    }
}

/// A test case: how often it passed, and its failures.
#[derive(Debug, Default)]
struct Case {
    passed: u64,
    failures: Vec<String>,
    failed: u64,
    not_judged: u64,
}

impl Case {
    fn fail(&mut self, what: String) {
        self.failed += 1;
        if self.failures.len() < LISTED {
            self.failures.push(what);
        }
    }
}

/// What a run found, for the report.
#[derive(Debug, Default)]
pub struct Report {
    messages: BTreeMap<(String, String), Case>,
    rules: BTreeMap<(&'static str, String), Case>,
    /// Rules that apply to the traffic seen.
    applicable: BTreeSet<&'static str>,
    /// Each incident's window and reason, by kind.
    incidents: BTreeMap<incident::Kind, Vec<String>>,
}

impl Report {
    pub fn add_messages(&mut self, faults: Vec<MessageFault>) {
        for f in faults {
            let case = self.messages.entry((f.case, f.device)).or_default();
            match f.failure {
                Some(what) => case.fail(what),
                None => case.passed += 1,
            }
        }
    }

    pub fn add_finding(&mut self, file: Option<&str>, f: &Finding) {
        let case = self.rules.entry((f.rule, f.device.clone())).or_default();
        let lines: Vec<String> = f.lines.iter().map(u64::to_string).collect();
        let place = match file {
            Some(file) => format!("{file}:{}", lines.join(",")),
            None => format!("lines {}", lines.join(", ")),
        };
        match f.verdict {
            Verdict::Violation => case.fail(format!("{place}: {}", f.reason)),
            Verdict::NotJudged => case.not_judged += 1,
        }
    }

    pub fn add_incident(&mut self, incident: &Incident) {
        let what = format!("{}: {}", incident.window(), incident.reason);
        self.incidents.entry(incident.kind).or_default().push(what);
    }

    /// The passes a monitor counted, and the rules that apply to what it saw.
    pub fn add_rules(&mut self, monitor: &Monitor) {
        for ((rule, device), counts) in monitor.counts() {
            self.rules
                .entry((rule, device.to_owned()))
                .or_default()
                .passed += counts.passed;
        }
        self.applicable.extend(monitor.applicable().map(|r| r.id));
    }

    /// Each applicable rule as passed, failed or not executed.
    fn rule_states(&self) -> Vec<(&'static str, State)> {
        let mut states: BTreeMap<&'static str, State> = BTreeMap::new();
        for id in &self.applicable {
            states.insert(id, State::NotExecuted);
        }
        for ((rule, _), case) in &self.rules {
            let state = states.entry(rule).or_insert(State::NotExecuted);
            if case.failed > 0 {
                *state = State::Failed;
            } else if case.passed > 0 && *state == State::NotExecuted {
                *state = State::Passed;
            }
        }
        states.into_iter().collect()
    }

    /// The closing lines of `--format text`: every applicable rule's state.
    pub fn write_rules_text(&self, out: &mut impl Write) -> io::Result<()> {
        let states = self.rule_states();
        if states.is_empty() {
            return Ok(());
        }
        let count = |s: State| states.iter().filter(|(_, st)| *st == s).count();
        writeln!(
            out,
            "{} rules apply: {} passed, {} failed, {} not executed",
            states.len(),
            count(State::Passed),
            count(State::Failed),
            count(State::NotExecuted)
        )?;
        for (id, state) in &states {
            writeln!(out, "  {:<12} {id}", state.as_str())?;
        }
        Ok(())
    }

    /// The JUnit XML report.
    pub fn write_xml(&self, out: &mut impl Write) -> io::Result<()> {
        let messages = Suite::of(
            "messages",
            self.messages
                .iter()
                .map(|((c, d), case)| (c.as_str(), d.as_str(), case)),
        );
        let mut rules = Suite::of(
            "conversations",
            self.rules
                .iter()
                .map(|((r, d), case)| (*r, d.as_str(), case)),
        );
        for (id, state) in self.rule_states() {
            if state == State::NotExecuted {
                rules.skipped(id);
            }
        }
        let mut suites = vec![messages, rules];
        if !self.incidents.is_empty() {
            let mut watch = Suite::of("watch", std::iter::empty());
            for (kind, windows) in &self.incidents {
                watch.errored(kind.as_str(), windows);
            }
            suites.push(watch);
        }
        let sum = |count: fn(&Suite) -> u64| suites.iter().map(count).sum::<u64>();
        let (tests, failures, errors) = (sum(|s| s.tests), sum(|s| s.failures), sum(|s| s.errors));
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            // Jenkins' junit-10.xsd allows no `skipped` here; each suite counts its own.
            r#"<testsuites name="iotxfer" tests="{tests}" failures="{failures}" errors="{errors}" time="0">"#
        )?;
        for suite in &suites {
            suite.write(out)?;
        }
        writeln!(out, "</testsuites>")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Passed,
    Failed,
    NotExecuted,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Passed => "passed",
            State::Failed => "failed",
            State::NotExecuted => "not executed",
        }
    }
}

/// A test suite, its cases written as XML.
struct Suite {
    name: &'static str,
    cases: String,
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
}

impl Suite {
    fn of<'c>(
        name: &'static str,
        cases: impl Iterator<Item = (&'c str, &'c str, &'c Case)>,
    ) -> Suite {
        let mut suite = Suite {
            name,
            cases: String::new(),
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for (class, device, case) in cases {
            suite.case(class, device, case);
        }
        suite
    }

    fn case(&mut self, class: &str, device: &str, case: &Case) {
        let device = if device.is_empty() {
            "(no device)"
        } else {
            device
        };
        let open = format!(
            r#"    <testcase classname="{}" name="{}" time="0""#,
            escape(class),
            escape(device)
        );
        self.tests += 1;
        if case.failed > 0 {
            self.failures += 1;
            let mut text = case.failures.join("\n");
            if case.failed > case.failures.len() as u64 {
                text.push_str(&format!(
                    "\n… and {} more",
                    case.failed - case.failures.len() as u64
                ));
            }
            let message = format!("{} of {} failed", case.failed, case.failed + case.passed);
            self.cases.push_str(&format!(
                "{open}>\n      <failure message=\"{}\" type=\"violation\">{}</failure>\n    </testcase>\n",
                escape(&message),
                escape(&text)
            ));
        } else if case.passed == 0 {
            self.skipped += 1;
            let message = format!(
                "not judged: {} conversations could not be judged",
                case.not_judged
            );
            self.cases.push_str(&format!(
                "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                escape(&message)
            ));
        } else {
            self.cases.push_str(&format!("{open}/>\n"));
        }
    }

    fn skipped(&mut self, rule: &str) {
        self.tests += 1;
        self.skipped += 1;
        self.cases.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"not executed\" time=\"0\">\n      <skipped message=\"not executed: the traffic has this rule's messages' family, but nothing it judges\"/>\n    </testcase>\n",
            escape(rule)
        ));
    }

    /// An errored case: the windows in which messages may have been lost, of one kind.
    fn errored(&mut self, kind: &str, windows: &[String]) {
        self.tests += 1;
        self.errors += 1;
        let message = format!(
            "{} window(s) in which messages may have been lost; conversations open then are not judged",
            windows.len()
        );
        self.cases.push_str(&format!(
            "    <testcase classname=\"watch\" name=\"{kind}\" time=\"0\">\n      <error message=\"{}\" type=\"{kind}\">{}</error>\n    </testcase>\n",
            escape(&message),
            escape(&windows.join("\n"))
        ));
    }

    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" time="0">"#,
            self.name, self.tests, self.failures, self.errors, self.skipped
        )?;
        out.write_all(self.cases.as_bytes())?;
        writeln!(out, "  </testsuite>")
    }
}

/// Text for XML content or an attribute: markup escaped, and characters XML 1.0 cannot hold
/// (control characters but tab and newline) written as `\u{..}`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}
