//! What `iotxfer check` and `iotxfer watch` share: each message judged alone (on every core),
//! then the conversations followed in receive order, and the output in one of three formats.

use std::io::{self, Write};

use iotxfer::conversation::{Counts, Facts, Finding, Monitor, Verdict};
use serde::Serialize;

use crate::capture::{self, Line};
use crate::incident::{Incident, IncidentOut};
use crate::junit::Report;
use crate::verdict::{self, LineVerdict, Options, Tally};

/// How the checker prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A line per finding, and a summary.
    Text,
    /// One JSON object per message, one per conversation finding, and one per incident.
    Json,
    /// A JUnit XML report at the end.
    Junit,
}

/// One message to judge: a capture line's bytes, or one that was too long to keep.
#[derive(Debug)]
pub enum Owned {
    Text(Vec<u8>),
    TooLong(u64),
}

/// A conversation finding as `--format json` prints it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FindingOut<'a> {
    /// The file the lines are from, when `check` reads several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    /// The rule's id.
    pub rule: &'static str,
    pub verdict: FindingVerdict,
    /// The lines involved, ascending.
    pub lines: &'a [u64],
    pub reason: &'a str,
    /// The device of the conversation, as its topic names it.
    pub device: &'a str,
}

/// What a conversation finding says: the rule was broken, or the capture does not show enough
/// to judge (its start or end is missing, or the receive times are). `not_judged` never
/// changes the exit status.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingVerdict {
    Violation,
    NotJudged,
}

/// One object of `iotxfer check --format json` (and `watch`): a line's verdict, a
/// conversation finding (which has `rule`), or, from `watch`, an incident (which has
/// `incident`): a window in which messages may have been lost.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum OutputObject<'a> {
    Verdict(LineVerdict<'a>),
    Finding(FindingOut<'a>),
    Incident(IncidentOut<'a>),
}

/// The JSON Schema of each object of `--format json` output, committed as
/// `conformance/check-output.schema.json`.
pub fn output_schema() -> String {
    // As the message schemas are written: no `format` (ajv's strict mode refuses `uint64`).
    let schema = iotxfer::catalog::Dialect::Draft2020_12
        .settings()
        .into_generator()
        .into_root_schema_for::<OutputObject<'static>>();
    crate::export::json_text(&schema)
}

/// Judges messages and follows conversations, writing to `out`.
pub struct Checker<W> {
    out: W,
    format: Format,
    options: Options,
    /// `None` with `--no-flows`.
    flows: Option<iotxfer::conversation::Options>,
    monitor: Option<Monitor>,
    file: Option<String>,
    tally: Tally,
    /// Conversation violations, which fail the run as message violations do.
    violations: u64,
    /// What the conversation rules judged, over every capture.
    conversations: Counts,
    report: Report,
    /// The latest receive time of the current capture.
    end: Option<i64>,
}

impl<W: Write> Checker<W> {
    pub fn new(
        out: W,
        format: Format,
        options: Options,
        flows: Option<iotxfer::conversation::Options>,
    ) -> Self {
        Self {
            out,
            format,
            options,
            flows,
            monitor: flows.map(Monitor::new),
            file: None,
            tally: Tally::default(),
            violations: 0,
            conversations: Counts::default(),
            report: Report::default(),
            end: None,
        }
    }

    /// Starts a capture: conversations do not cross captures. `file` names it in the output
    /// when there are several.
    pub fn start(&mut self, file: Option<&str>) {
        self.file = file.map(str::to_owned);
        self.monitor = self.flows.map(Monitor::new);
        self.end = None;
    }

    /// Judges `lines`, numbered from `first`, on `threads` threads, and prints them.
    pub fn judge(&mut self, first: u64, lines: &[Owned], threads: usize) -> io::Result<()> {
        let part = lines.len().div_ceil(threads).max(1);
        let (options, format, flows) = (self.options, self.format, self.monitor.is_some());
        let file = self.file.as_deref();
        let parts: Vec<Part> = std::thread::scope(|scope| {
            let handles: Vec<_> = lines
                .chunks(part)
                .enumerate()
                .map(|(i, chunk)| {
                    let first = first + (i * part) as u64;
                    scope.spawn(move || judge_part(file, first, chunk, options, format, flows))
                })
                .collect();
            // A panic in a part is a bug to see, not to hide.
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for part in parts {
            self.out.write_all(&part.text)?;
            self.tally.merge(part.tally);
            self.report.add_messages(part.faults);
            for (line, received, facts) in part.facts {
                self.follow(line, received, &facts)?;
            }
        }
        Ok(())
    }

    /// Judges one message received at `received` (microseconds since the Unix epoch), numbered
    /// `number`, prints it and follows its conversations. The output is not flushed: a live
    /// caller flushes it as often as its reader needs.
    pub fn judge_message(
        &mut self,
        number: u64,
        topic: &str,
        payload: &[u8],
        received: i64,
    ) -> io::Result<()> {
        let record = capture::Record {
            topic: topic.into(),
            payload: Ok(payload.into()),
            received: Some(received),
        };
        let flows = self.monitor.is_some();
        let (judged, read) = verdict::judge_record(number, record, self.options, flows);
        let mut part = Part::default();
        part.add(judged, read, self.format);
        self.out.write_all(&part.text)?;
        self.tally.merge(part.tally);
        self.report.add_messages(part.faults);
        for (line, received, facts) in part.facts {
            self.follow(line, received, &facts)?;
        }
        Ok(())
    }

    /// Follows one message's conversations.
    fn follow(&mut self, line: u64, received: Option<i64>, facts: &Facts) -> io::Result<()> {
        if let Some(t) = received {
            self.end = Some(self.end.map_or(t, |e| e.max(t)));
        }
        let Some(monitor) = self.monitor.as_mut() else {
            return Ok(());
        };
        let findings = monitor.observe(line, received, facts);
        self.write_findings(&findings)
    }

    /// Lets time pass for live traffic (see [`Monitor::tick`]; `now` in microseconds since the
    /// Unix epoch), and prints what ran out.
    pub fn tick(&mut self, now: i64) -> io::Result<()> {
        let Some(monitor) = self.monitor.as_mut() else {
            return Ok(());
        };
        let findings = monitor.tick(now);
        self.write_findings(&findings)
    }

    /// Reports a window in which messages may have been lost, and tells the conversations: a
    /// request open then that ends unanswered is not judged, since its reply may be what was
    /// lost.
    pub fn incident(&mut self, incident: Incident) -> io::Result<()> {
        match self.format {
            Format::Json => {
                serde_json::to_writer(&mut self.out, &incident.json())?;
                self.out.write_all(b"\n")?;
            }
            Format::Text => incident.write_text(&mut self.out)?,
            Format::Junit => {}
        }
        if let Some(monitor) = self.monitor.as_mut() {
            monitor.gap(incident.from, incident.to, &incident.reason);
        }
        self.report.add_incident(&incident);
        Ok(())
    }

    /// When every request still open will have run out (microseconds since the Unix epoch);
    /// `None` when none is open.
    pub fn pending(&self) -> Option<i64> {
        self.monitor.as_ref().and_then(Monitor::pending)
    }

    /// Writes out what is buffered, for a reader following the output live.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Ends the current capture: judges what is still open.
    pub fn end_capture(&mut self) -> io::Result<()> {
        let Some(mut monitor) = self.monitor.take() else {
            return Ok(());
        };
        let findings = monitor.finish(self.end);
        self.write_findings(&findings)?;
        self.report.add_rules(&monitor);
        for counts in monitor.counts().values() {
            self.conversations.passed += counts.passed;
            self.conversations.violations += counts.violations;
            self.conversations.not_judged += counts.not_judged;
        }
        Ok(())
    }

    fn write_findings(&mut self, findings: &[Finding]) -> io::Result<()> {
        for f in findings {
            if f.verdict == Verdict::Violation {
                self.violations += 1;
            }
            let file = self.file.as_deref();
            match self.format {
                Format::Json => {
                    let out = FindingOut {
                        file,
                        rule: f.rule,
                        verdict: match f.verdict {
                            Verdict::Violation => FindingVerdict::Violation,
                            Verdict::NotJudged => FindingVerdict::NotJudged,
                        },
                        lines: &f.lines,
                        reason: &f.reason,
                        device: &f.device,
                    };
                    serde_json::to_writer(&mut self.out, &out)?;
                    self.out.write_all(b"\n")?;
                }
                Format::Text => verdict::write_finding(&mut self.out, file, f)?,
                Format::Junit => {}
            }
            self.report.add_finding(file, f);
        }
        Ok(())
    }

    /// Ends the run: the summary (text on standard output, JSON's on standard error), or the
    /// JUnit report. Returns the counts of verdicts and the conversation violations.
    pub fn finish(self) -> io::Result<(Tally, u64)> {
        self.finish_at(None)
    }

    /// [`finish`](Self::finish) for traffic that ended at `end` (microseconds since the Unix
    /// epoch), which may be later than its last message: a live watch ends when it stops.
    pub fn finish_at(mut self, end: Option<i64>) -> io::Result<(Tally, u64)> {
        if let Some(end) = end {
            self.end = Some(self.end.map_or(end, |e| e.max(end)));
        }
        self.end_capture()?;
        let conversations = self.flows.map(|_| self.conversations);
        match self.format {
            Format::Text => {
                verdict::write_summary(&mut self.out, self.tally, conversations)?;
                self.report.write_rules_text(&mut self.out)?;
            }
            Format::Json => {
                verdict::write_summary(&mut io::stderr().lock(), self.tally, conversations)?
            }
            Format::Junit => self.report.write_xml(&mut self.out)?,
        }
        self.out.flush()?;
        Ok((self.tally, self.violations))
    }
}

/// What one thread made of its lines.
#[derive(Default)]
struct Part {
    text: Vec<u8>,
    tally: Tally,
    /// The messages judged, for the JUnit report.
    faults: Vec<crate::junit::MessageFault>,
    facts: Vec<(u64, Option<i64>, Facts)>,
}

impl Part {
    fn add(&mut self, judged: LineVerdict<'_>, read: Option<verdict::Read>, format: Format) {
        self.tally.add(judged.verdict);
        if format == Format::Junit {
            self.faults.extend(crate::junit::MessageFault::of(&judged));
        }
        // Writing to a Vec cannot fail.
        let _ = match format {
            Format::Json => verdict::write_json(&mut self.text, &judged),
            Format::Text => verdict::write_text(&mut self.text, &judged),
            Format::Junit => Ok(()),
        };
        if let Some((received, facts)) = read {
            self.facts.push((judged.line, received, facts));
        }
    }
}

fn judge_part(
    file: Option<&str>,
    first: u64,
    lines: &[Owned],
    options: Options,
    format: Format,
    flows: bool,
) -> Part {
    let mut part = Part::default();
    for (i, owned) in lines.iter().enumerate() {
        let line = match owned {
            Owned::Text(bytes) => Line::Text(bytes),
            Owned::TooLong(len) => Line::TooLong { len: *len },
        };
        let (judged, read) = verdict::judge_with(first + i as u64, &line, options, flows);
        part.add(LineVerdict { file, ..judged }, read, format);
    }
    part
}
