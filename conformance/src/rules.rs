//! `iotxfer rules`: every conversation rule, with its id, who keeps it and its source, a table
//! per family.

use std::io::{self, Write};

use iotxfer::Direction;
use iotxfer::catalog::{self, RuleCheck, RuleInfo};

/// What every rule allows, before the tables: the faults a checker must not see in traffic the
/// protocols allow.
const ALLOWED: &str = "\
Every rule allows what MQTT and the protocols allow:

- a request retried as its rule says (the Deadline column) is one exchange: one attempt \
answered in time answers it, and a late reply to another attempt is no fault;
- a message that starts a job (\"A job starts\" below) starts it anew, and its reports are \
judged from there;
- a redelivered message (QoS 1: the same topic and payload bytes again) belongs to its first \
copy's conversation: one reply answers both copies, and an older report redelivered late is \
no step back;
- the same final status reported again is no fault; another status after a final one is.
";

/// Writes the rules as Markdown tables, one per vendor-wide group and family.
pub fn write(out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{ALLOWED}")?;
    for vendor in catalog::vendors() {
        let own: Vec<&RuleInfo> = of(vendor.id, None).collect();
        table(out, &format!("{} (every family)", vendor.name), &own)?;
        for family in vendor.families {
            let rules: Vec<&RuleInfo> = of(vendor.id, Some(family.id)).collect();
            table(out, &format!("{}: {}", vendor.name, family.name), &rules)?;
        }
    }
    Ok(())
}

fn of(
    vendor: &'static str,
    family: Option<&'static str>,
) -> impl Iterator<Item = &'static RuleInfo> {
    catalog::rules()
        .iter()
        .filter(move |r| r.vendor == vendor && r.family == family)
}

fn table(out: &mut impl Write, title: &str, rules: &[&RuleInfo]) -> io::Result<()> {
    if rules.is_empty() {
        return Ok(());
    }
    writeln!(out, "## {title}\n")?;
    writeln!(
        out,
        "| Rule | Kept by | Deadline | What it checks | Source |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for r in rules {
        let kept_by = match r.duty {
            Some(Direction::Up) => "device",
            Some(Direction::Down) => "platform",
            None => "sender",
        };
        writeln!(
            out,
            "| `{}` | {kept_by} | {} | {}{} | {} |",
            r.id,
            deadline(r),
            r.summary,
            starts(r),
            r.source
        )?;
    }
    writeln!(out)
}

/// The deadline of an `answered` rule, and how its sender retries: `3s for each of 3
/// attempts (a retry changes `tid`, `bid`)`.
fn deadline(r: &RuleInfo) -> String {
    let RuleCheck::Answered {
        deadline_ms, retry, ..
    } = r.check
    else {
        return String::new();
    };
    let deadline = match deadline_ms {
        Some(ms) => humantime::format_duration(std::time::Duration::from_millis(ms)).to_string(),
        None => "--deadline (30s)".to_owned(),
    };
    let Some(retry) = retry else {
        return deadline;
    };
    let changes: Vec<String> = retry
        .changes
        .iter()
        .map(|c| format!("`{}`", c.trim_start_matches('/')))
        .collect();
    format!(
        "{deadline} for each of {} attempts (a retry changes {}: {})",
        retry.count + 1,
        changes.join(", "),
        retry.source
    )
}

/// The messages that start a job of a `progress` or `final` rule, as a sentence.
fn starts(r: &RuleInfo) -> String {
    let names: Vec<String> = r
        .check
        .starts()
        .iter()
        .map(|s| format!("`{}`", s.message.rsplit('/').next().unwrap_or(s.message)))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        names => format!(" A job starts (again) with {}.", names.join(" or ")),
    }
}
