//! `iotxfer`: conformance checks of captured MQTT traffic, the vendor-example report, and the
//! JSON Schema export.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use iotxfer::catalog;
use iotxfer_conformance::capture::{Line, Lines};
use iotxfer_conformance::verdict::{self, Options, Tally};
use iotxfer_conformance::{Validators, corpus, report, schemas};

/// Typed checks of the file-transfer and firmware-upgrade messages of Tencent Cloud IoT,
/// Huawei Cloud IoTDA and DJI Cloud API.
#[derive(Parser)]
#[command(name = "iotxfer", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks captured traffic (JSON Lines from `mosquitto_sub -F %j` or `-F %J`) against the
    /// documented contract: one verdict per line. Exits 1 if any line is a violation.
    Check {
        /// Files to read; `-` is standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Fields the documents do not define are violations too.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The largest payload to check, in bytes; a larger one is a violation.
        #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
        max_payload: usize,
        /// A capture without any line is fine. Without it, an empty capture is an error: it
        /// usually means the subscriber never connected or used the wrong filters.
        #[arg(long)]
        allow_empty: bool,
    },
    /// Runs every example of the vendor documents through the typed decoder and the JSON
    /// Schemas. Exits 1 if any example does not get its recorded verdict.
    Report {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Writes the JSON Schemas (the files of `schema/json/`) into a directory.
    Schema {
        #[arg(long, default_value = "schema/json", value_name = "DIR")]
        out: PathBuf,
    },
    /// Lists every topic pattern with its direction, subscription filter and messages.
    Topics {
        /// Prints only the subscription filters that capture every covered topic, one per line,
        /// for `mosquitto_sub -t`.
        #[arg(long)]
        filters: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match cli.command {
        Command::Check {
            files,
            strict,
            format,
            max_payload,
            allow_empty,
        } => check(
            &mut out,
            &files,
            Options {
                strict,
                max_payload,
            },
            format,
        )
        .and_then(|tally| {
            if tally.lines() == 0 && !allow_empty {
                return Err(
                    "no messages in the capture (did the subscriber connect, with the filters \
                     of `iotxfer topics --filters`?); --allow-empty accepts an empty one"
                        .to_owned(),
                );
            }
            Ok(exit(tally))
        }),
        Command::Report { format } => run_report(&mut out, format),
        Command::Schema { out: dir } => schemas::write_dir(&dir)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| format!("cannot write the schemas into {}: {e}", dir.display())),
        Command::Topics { filters } => topics(&mut out, filters)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        // A closed pipe (`iotxfer check ... | head`) is the reader's choice, not a failure.
        (Ok(code), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => code,
        (Ok(_), Err(e)) => fail(&e.to_string()),
        (Err(e), _) => fail(&e),
    }
}

/// Usage and I/O errors exit with 2, as clap's usage errors do.
fn fail(message: &str) -> ExitCode {
    eprintln!("iotxfer: {message}");
    ExitCode::from(2)
}

/// Lines judged together: enough to keep every core busy, few enough to bound memory.
const BATCH_LINES: usize = 8192;
const BATCH_BYTES: usize = 16 << 20;

/// Judges every line of `files` and prints the verdicts; the counts of each verdict.
fn check(
    out: &mut impl Write,
    files: &[String],
    options: Options,
    format: Format,
) -> Result<Tally, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut tally = Tally::default();
    // Every file opens before any is judged: a missing one is a usage error, not a fault found
    // half-way through the verdicts.
    let readers = files
        .iter()
        .map(|name| open(name).map(|reader| (name, reader)))
        .collect::<Result<Vec<_>, _>>()?;
    for (name, reader) in readers {
        let mut lines = Lines::new(reader, options.max_line());
        let mut batch = Batch {
            file: (files.len() > 1).then_some(name.as_str()),
            first: 1,
            lines: Vec::new(),
            bytes: 0,
        };
        loop {
            let line = lines
                .next_line()
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            let done = line.is_none();
            if let Some(line) = line {
                batch.push(&line);
            }
            if done || batch.lines.len() == BATCH_LINES || batch.bytes >= BATCH_BYTES {
                let judged = batch.judge(options, format, threads);
                for (text, counts) in judged {
                    tally.merge(counts);
                    match out.write_all(&text) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(tally),
                        Err(e) => return Err(format!("cannot write: {e}")),
                    }
                }
                batch.first += batch.lines.len() as u64;
                batch.lines.clear();
                batch.bytes = 0;
            }
            if done {
                break;
            }
        }
    }
    // JSON output keeps one verdict object per line; its summary goes to standard error.
    let summary = match format {
        Format::Text => verdict::write_summary(out, tally),
        Format::Json => verdict::write_summary(&mut io::stderr().lock(), tally),
    };
    summary.map_err(|e| format!("cannot write: {e}"))?;
    Ok(tally)
}

/// A capture file, or standard input for `-`.
fn open(name: &str) -> Result<Box<dyn BufRead>, String> {
    if name == "-" {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            io::stdin().lock(),
        )));
    }
    let file = File::open(name).map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

/// Lines read and not yet judged, owned, with the file they are from (when there are several)
/// and the number of the first.
struct Batch<'f> {
    file: Option<&'f str>,
    first: u64,
    lines: Vec<Owned>,
    bytes: usize,
}

enum Owned {
    Text(Vec<u8>),
    TooLong(u64),
}

impl Batch<'_> {
    fn push(&mut self, line: &Line<'_>) {
        let owned = match line {
            Line::Text(bytes) => {
                self.bytes += bytes.len();
                Owned::Text(bytes.to_vec())
            }
            Line::TooLong { len } => Owned::TooLong(*len),
        };
        self.lines.push(owned);
    }

    /// Judges and prints the lines on `threads` threads, in parts that keep the input order.
    fn judge(&self, options: Options, format: Format, threads: usize) -> Vec<(Vec<u8>, Tally)> {
        let part = self.lines.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .lines
                .chunks(part)
                .enumerate()
                .map(|(i, chunk)| {
                    let first = self.first + (i * part) as u64;
                    let file = self.file;
                    scope.spawn(move || judge_part(file, first, chunk, options, format))
                })
                .collect();
            // A panic in a part is a bug to see, not to hide.
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }
}

fn judge_part(
    file: Option<&str>,
    first: u64,
    lines: &[Owned],
    options: Options,
    format: Format,
) -> (Vec<u8>, Tally) {
    let mut text = Vec::new();
    let mut tally = Tally::default();
    for (i, owned) in lines.iter().enumerate() {
        let line = match owned {
            Owned::Text(bytes) => Line::Text(bytes),
            Owned::TooLong(len) => Line::TooLong { len: *len },
        };
        let judged = verdict::LineVerdict {
            file,
            ..verdict::judge(first + i as u64, &line, options)
        };
        tally.add(judged.verdict);
        // Writing to a Vec cannot fail.
        let _ = match format {
            Format::Json => verdict::write_json(&mut text, &judged),
            Format::Text => verdict::write_text(&mut text, &judged),
        };
    }
    (text, tally)
}

fn exit(tally: Tally) -> ExitCode {
    if tally.violation > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_report(out: &mut impl Write, format: Format) -> Result<ExitCode, String> {
    let corpus = corpus::load().map_err(|e| e.to_string())?;
    let validators = Validators::new().map_err(|e| e.to_string())?;
    let rows = report::rows(&corpus, &validators);
    let written = match format {
        Format::Json => serde_json::to_writer_pretty(&mut *out, &rows)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        Format::Text => report::write_text(out, &rows),
    };
    written.map_err(|e| format!("cannot write: {e}"))?;
    Ok(if rows.iter().all(|r| r.as_recorded) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn topics(out: &mut impl Write, filters: bool) -> io::Result<()> {
    if filters {
        let mut seen = Vec::new();
        for t in catalog::topics().iter().filter(|t| !t.messages.is_empty()) {
            if !seen.contains(&t.filter) {
                seen.push(t.filter);
                writeln!(out, "{}", t.filter)?;
            }
        }
        return Ok(());
    }
    for t in catalog::topics() {
        let messages = if t.messages.is_empty() {
            "not covered".to_owned()
        } else {
            t.messages.join(", ")
        };
        writeln!(
            out,
            "{}\n  {} · filter {} · {messages}",
            t.pattern, t.direction, t.filter
        )?;
    }
    Ok(())
}
