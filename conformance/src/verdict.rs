//! One verdict per captured line, and the two ways of printing them.

use std::io::{self, Write};

use iotxfer::Verdict as Contract;
use iotxfer::conversation::{Counts, Facts, Finding, Verdict as Flow};
use serde::Serialize;

use crate::capture::{self, Line};

/// What `iotxfer check` says about one line.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LineVerdict<'a> {
    /// The file the line is from, when `check` reads several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    /// The line number, from 1.
    pub line: u64,
    /// The topic, when the line is a capture record.
    pub topic: Option<std::borrow::Cow<'a, str>>,
    pub verdict: Kind,
    /// The message id, whenever the topic and discriminator identify one.
    pub message: Option<&'static str>,
    pub errors: Vec<Fault>,
}

/// The verdict on one line: it keeps the documented contract, breaks it, or is traffic the
/// definitions do not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Ok,
    Violation,
    NotCovered,
}

/// One fault of a line: where (a JSON pointer into the payload) and why.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Fault {
    pub path: String,
    pub reason: String,
}

/// How to judge lines.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Fields the documents do not define are violations too.
    pub strict: bool,
    /// The largest payload to check, in bytes.
    pub max_payload: usize,
}

impl Options {
    /// The longest line worth reading: a `%j` line escapes every payload byte at worst as
    /// `\u00XX` (6 bytes), and a topic may take 65,535 bytes, escaped alike.
    pub fn max_line(&self) -> usize {
        self.max_payload
            .saturating_mul(6)
            .saturating_add(6 * iotxfer::MAX_TOPIC_LEN + 4096)
    }
}

fn fault(path: &str, reason: impl Into<String>) -> Fault {
    Fault {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// A violation of line `number` that is no message of the definitions.
fn violation(number: u64, errors: Vec<Fault>) -> LineVerdict<'static> {
    LineVerdict {
        file: None,
        line: number,
        topic: None,
        verdict: Kind::Violation,
        message: None,
        errors,
    }
}

/// Judges one input line.
pub fn judge<'a>(number: u64, line: &Line<'a>, options: Options) -> LineVerdict<'a> {
    judge_with(number, line, options, false).0
}

/// What the conversation rules read from a message: when it was received, and its facts.
pub type Read = (Option<i64>, Facts);

/// Judges one input line and, with `flows`, reads it for the conversation rules too.
pub fn judge_with<'a>(
    number: u64,
    line: &Line<'a>,
    options: Options,
    flows: bool,
) -> (LineVerdict<'a>, Option<Read>) {
    let violation = |errors| violation(number, errors);
    let bytes = match line {
        Line::Text(bytes) => *bytes,
        Line::TooLong { len } => {
            let reason = format!(
                "not a capture record: the line is {len} bytes, over the limit that --max-payload sets"
            );
            return (violation(vec![fault("", reason)]), None);
        }
    };
    match capture::parse(bytes) {
        Ok(record) => judge_record(number, record, options, flows),
        Err(e) => (violation(vec![fault("", e.to_string())]), None),
    }
}

/// Judges one capture record and, with `flows`, reads it for the conversation rules too.
pub fn judge_record(
    number: u64,
    record: capture::Record<'_>,
    options: Options,
    flows: bool,
) -> (LineVerdict<'_>, Option<Read>) {
    let payload = match record.payload {
        Ok(payload) if payload.len() > options.max_payload => Err(format!(
            "the payload is {} bytes, over --max-payload ({})",
            payload.len(),
            options.max_payload
        )),
        Ok(payload) => Ok(payload),
        Err(e) => Err(e.to_string()),
    };
    let payload = match payload {
        Ok(payload) => payload,
        Err(reason) => return (unusable(number, record.topic, reason), None),
    };
    let (checked, facts) = if flows {
        Facts::check_and_read(&record.topic, &payload)
    } else {
        (iotxfer::check(&record.topic, &payload), None)
    };
    let read = facts.map(|facts| (record.received, facts));
    let mut errors: Vec<Fault> = checked
        .violations
        .into_iter()
        .map(|v| Fault {
            path: v.path,
            reason: v.reason,
        })
        .collect();
    if options.strict {
        errors.extend(checked.undocumented_fields.into_iter().map(|path| Fault {
            path,
            reason: "a field the documents do not define".into(),
        }));
    }
    let verdict = match checked.verdict {
        Contract::NotCovered => Kind::NotCovered,
        _ if errors.is_empty() => Kind::Ok,
        _ => Kind::Violation,
    };
    let judged = LineVerdict {
        file: None,
        line: number,
        topic: Some(record.topic),
        verdict,
        message: checked.message,
        errors,
    };
    (judged, read)
}

/// A payload that cannot be checked (too large, not UTF-8, cut, empty): a violation on a topic
/// of the definitions, and traffic they do not cover elsewhere, as any other payload there is.
/// `watch` and `check` of its capture agree so, though a capture cannot hold every payload
/// that `watch` receives whole.
fn unusable(number: u64, topic: std::borrow::Cow<'_, str>, reason: String) -> LineVerdict<'_> {
    let covered = iotxfer::catalog::route(&topic).is_some_and(|t| !t.messages.is_empty());
    let (verdict, errors) = if covered {
        (Kind::Violation, vec![fault("", reason)])
    } else {
        (Kind::NotCovered, Vec::new())
    };
    LineVerdict {
        topic: Some(topic),
        verdict,
        errors,
        ..violation(number, Vec::new())
    }
}

/// Counts of verdicts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub ok: u64,
    pub violation: u64,
    pub not_covered: u64,
}

impl Tally {
    /// Every line counted.
    pub fn lines(&self) -> u64 {
        self.ok + self.violation + self.not_covered
    }

    pub fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        self.violation += other.violation;
        self.not_covered += other.not_covered;
    }

    pub fn add(&mut self, kind: Kind) {
        match kind {
            Kind::Ok => self.ok += 1,
            Kind::Violation => self.violation += 1,
            Kind::NotCovered => self.not_covered += 1,
        }
    }
}

/// `--format json`: exactly one JSON object per input line.
pub fn write_json(out: &mut impl Write, verdict: &LineVerdict<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, verdict)?;
    out.write_all(b"\n")
}

/// `--format text`: one readable line per finding; nothing for a line that conforms.
pub fn write_text(out: &mut impl Write, verdict: &LineVerdict<'_>) -> io::Result<()> {
    let topic = verdict.topic.as_deref().unwrap_or("-");
    let place = match verdict.file {
        Some(file) => format!("{}:{}", printable(file), verdict.line),
        None => format!("line {}", verdict.line),
    };
    let message = verdict.message.map(|m| format!(" {m}")).unwrap_or_default();
    match verdict.verdict {
        Kind::Ok => Ok(()),
        Kind::NotCovered => writeln!(out, "{place}: not covered: {}", printable(topic)),
        Kind::Violation => {
            for e in &verdict.errors {
                let at = if e.path.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", e.path)
                };
                writeln!(
                    out,
                    "{place}: violation: {}{message}{at}: {}",
                    printable(topic),
                    printable(&e.reason)
                )?;
            }
            Ok(())
        }
    }
}

/// `--format text`: a conversation finding.
pub fn write_finding(out: &mut impl Write, file: Option<&str>, f: &Finding) -> io::Result<()> {
    let lines: Vec<String> = f.lines.iter().map(u64::to_string).collect();
    let place = match file {
        Some(file) => format!("{}:{}", printable(file), lines.join(",")),
        None if lines.len() == 1 => format!("line {}", lines[0]),
        None => format!("lines {}", lines.join(", ")),
    };
    let verdict = match f.verdict {
        Flow::Violation => "violation",
        Flow::NotJudged => "not judged",
    };
    writeln!(
        out,
        "{place}: {verdict}: {} {}: {}",
        f.rule,
        printable(&f.device),
        printable(&f.reason)
    )
}

/// The summary that closes `--format text` (and goes to standard error with `--format json`):
/// the lines, then the conversations when they were followed, so that an exit status of 1
/// with every line `ok` says why.
pub fn write_summary(
    out: &mut impl Write,
    tally: Tally,
    conversations: Option<Counts>,
) -> io::Result<()> {
    write!(
        out,
        "{} lines: {} ok, {} violation, {} not covered",
        tally.lines(),
        tally.ok,
        tally.violation,
        tally.not_covered
    )?;
    if let Some(c) = conversations {
        write!(
            out,
            "; conversations: {} passed, {} violation, {} not judged",
            c.passed, c.violations, c.not_judged
        )?;
    }
    writeln!(out)
}

/// Text from the input, safe to print on one terminal line: control characters, line and
/// paragraph separators and bidirectional controls (which can make a line read as another,
/// CVE-2021-42574) escaped, and cut after 200 characters.
fn printable(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().take(200) {
        if c.is_control() || is_deceptive(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}

/// Line and paragraph separators and bidirectional controls: printed as they are, they break a
/// line or make it read as another (CVE-2021-42574).
fn is_deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    ) || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
