//! `iotxfer report`: every example of the corpus through the typed decoder and the JSON
//! Schemas, against its recorded verdict.

use std::io::{self, Write};

use iotxfer::Verdict;
use serde::Serialize;

use crate::Validators;
use crate::corpus::{Corpus, ErratumKind, Example, Expected};

/// The outcome for one example.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub topic: &'a str,
    pub message: &'a str,
    /// `valid` or `invalid` when the schema and the typed check agree; `disagree` otherwise.
    pub verdict: &'static str,
    pub errata: Vec<Erratum<'a>>,
    /// Whether the verdict is the recorded one.
    #[serde(skip)]
    pub as_recorded: bool,
}

#[derive(Debug, Serialize)]
pub struct Erratum<'a> {
    pub kind: &'static str,
    pub path: &'a str,
    pub what: &'a str,
}

pub fn rows<'a>(corpus: &'a Corpus, validators: &Validators) -> Vec<Row<'a>> {
    corpus.examples.iter().map(|e| row(e, validators)).collect()
}

fn row<'a>(example: &'a Example, validators: &Validators) -> Row<'a> {
    let schema = validators
        .message(&example.message)
        .is_some_and(|v| Validators::accepts(v, &example.bytes));
    let typed = iotxfer::check(&example.topic, &example.bytes).verdict == Verdict::Conforms;
    let verdict = match (schema, typed) {
        (true, true) => "valid",
        (false, false) => "invalid",
        _ => "disagree",
    };
    let recorded = match example.verdict {
        Expected::Valid => "valid",
        Expected::Invalid => "invalid",
    };
    let errata = example
        .errata
        .iter()
        .map(|e| Erratum {
            kind: match e.kind {
                ErratumKind::Violation => "violation",
                ErratumKind::Note => "note",
            },
            path: &e.path,
            what: &e.what,
        })
        .collect();
    Row {
        id: &example.id,
        source: &example.source,
        topic: &example.topic,
        message: &example.message,
        verdict,
        errata,
        as_recorded: verdict == recorded,
    }
}

/// A table per vendor family, then a summary line.
pub fn write_text(out: &mut impl Write, rows: &[Row<'_>]) -> io::Result<()> {
    let family = |row: &Row<'_>| {
        row.message
            .rsplit_once('/')
            .map_or(row.message, |(f, _)| f)
            .to_owned()
    };
    let mut families: Vec<String> = rows.iter().map(family).collect();
    families.dedup();
    let mut seen = Vec::new();
    families.retain(|f| {
        let new = !seen.contains(f);
        seen.push(f.clone());
        new
    });
    for name in &families {
        writeln!(out, "\n{name}")?;
        writeln!(
            out,
            "  {:<46} {:<28} {:<9} errata",
            "example", "message", "verdict"
        )?;
        for row in rows.iter().filter(|r| family(r) == *name) {
            write_row(out, row)?;
        }
    }
    let failed = rows.iter().filter(|r| !r.as_recorded).count();
    writeln!(
        out,
        "\nAn example passes when the typed check and the JSON Schema both give it its recorded \
         verdict. An `invalid` example is a vendor example that is itself wrong; its errata say \
         why.\n{} examples: {} passed, {failed} failed",
        rows.len(),
        rows.len() - failed
    )
}

fn write_row(out: &mut impl Write, row: &Row<'_>) -> io::Result<()> {
    let name = row.message.rsplit('/').next().unwrap_or(row.message);
    let violations = row.errata.iter().filter(|e| e.kind == "violation").count();
    let notes = row.errata.len() - violations;
    let mark = if row.as_recorded {
        ""
    } else {
        "  <- not the recorded verdict"
    };
    writeln!(
        out,
        "  {:<46} {:<28} {:<9} {violations} violation, {notes} note{mark}",
        row.id, name, row.verdict
    )?;
    for e in row.errata.iter().filter(|e| e.kind == "violation") {
        let at = if e.path.is_empty() {
            "(whole payload)"
        } else {
            e.path
        };
        writeln!(out, "      {at}: {}", first_sentence(e.what))?;
    }
    Ok(())
}

/// The text up to the first full stop outside brackets and code spans: a sentence may quote
/// `(VERIFY, ... VERIFY_FAILED. ...)` without ending there.
fn first_sentence(text: &str) -> &str {
    let mut depth = 0usize;
    let mut code = false;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => code = !code,
            b'(' | b'[' if !code => depth += 1,
            b')' | b']' if !code => depth = depth.saturating_sub(1),
            b'.' if !code && depth == 0 && bytes.get(i + 1) == Some(&b' ') => return &text[..=i],
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn a_sentence_ends_outside_brackets_and_code() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(
            first_sentence("Values (A, ... B. C) are listed. More."),
            "Values (A, ... B. C) are listed."
        );
        assert_eq!(
            first_sentence("Code `a. b` here. Next"),
            "Code `a. b` here."
        );
        assert_eq!(first_sentence("No end"), "No end");
        assert_eq!(first_sentence("Unclosed (a. b"), "Unclosed (a. b");
    }
}
