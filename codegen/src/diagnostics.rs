//! Errors in definition files, with the file, line and column they point at.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{Files, SimpleFiles};
use codespan_reporting::term::{self, Config};

use crate::codes::Code;

/// Index of a loaded definition file.
pub type FileId = usize;

/// One fault in the definitions.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: Code,
    pub file: FileId,
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Every fault found, with the sources they point into.
///
/// Rendering needs the file texts, so the diagnostics own them; `Display` prints the
/// rustc-style report and [`Diagnostics::one_line`] the `file:line:col: message` form that
/// fits a `cargo::error=` directive.
pub struct Diagnostics {
    files: SimpleFiles<String, String>,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn new() -> Self {
        Self {
            files: SimpleFiles::new(),
            items: Vec::new(),
        }
    }

    pub(crate) fn add_file(&mut self, name: String, text: String) -> FileId {
        self.files.add(name, text)
    }

    pub(crate) fn source(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    pub(crate) fn name(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.name().as_str())
            .unwrap_or("")
    }

    pub(crate) fn error(
        &mut self,
        code: Code,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) {
        self.items.push(Diagnostic {
            code,
            file,
            span,
            message: message.into(),
            help: None,
        });
    }

    pub(crate) fn error_help(
        &mut self,
        code: Code,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.items.push(Diagnostic {
            code,
            file,
            span,
            message: message.into(),
            help: Some(help.into()),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// `schema/dji/firmware.toml:12:5: error[unknown-type]: unknown type `Modee``, one line
    /// per diagnostic.
    pub fn one_line(&self, diagnostic: &Diagnostic) -> String {
        let (line, column) = self.location(diagnostic);
        format!(
            "{}:{line}:{column}: error[{}]: {}",
            self.name(diagnostic.file),
            diagnostic.code,
            diagnostic.message
        )
    }

    fn location(&self, diagnostic: &Diagnostic) -> (usize, usize) {
        self.files
            .location(diagnostic.file, diagnostic.span.start)
            .map(|l| (l.line_number, l.column_number))
            .unwrap_or((1, 1))
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = Config::default();
        for d in &self.items {
            let mut report = Report::error()
                .with_code(d.code.as_str())
                .with_message(&d.message)
                .with_labels(vec![Label::primary(d.file, d.span.clone())]);
            if let Some(help) = &d.help {
                report = report.with_notes(vec![format!("help: {help}")]);
            }
            let text =
                term::emit_into_string(&config, &self.files, &report).map_err(|_| fmt::Error)?;
            f.write_str(&text)?;
        }
        let n = self.items.len();
        writeln!(
            f,
            "error: {n} error{} in the definitions",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Diagnostics {}
