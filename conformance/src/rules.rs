//! `iotxfer rules`: every conversation rule, with its id, who keeps it and its source, a table
//! per family.

use std::io::{self, Write};

use iotxfer::Direction;
use iotxfer::catalog::{self, RuleCheck, RuleInfo};

/// Writes the rules as Markdown tables, one per vendor-wide group and family.
pub fn write(out: &mut impl Write) -> io::Result<()> {
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
        let deadline = match r.check {
            RuleCheck::Answered {
                deadline_ms: Some(ms),
                ..
            } => humantime::format_duration(std::time::Duration::from_millis(ms)).to_string(),
            RuleCheck::Answered { .. } => "--deadline (30s)".to_owned(),
            _ => String::new(),
        };
        writeln!(
            out,
            "| `{}` | {kept_by} | {deadline} | {} | {} |",
            r.id, r.summary, r.source
        )?;
    }
    writeln!(out)
}
