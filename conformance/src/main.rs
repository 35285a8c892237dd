//! `iotxfer`: conformance checks of captured MQTT traffic, the vendor-example report, and the
//! JSON Schema and AsyncAPI exports.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use iotxfer::catalog::{self, Dialect};
use iotxfer_conformance::capture::{Line, Lines};
use iotxfer_conformance::checker::Owned;
use iotxfer_conformance::verdict::Tally;
use iotxfer_conformance::{Validators, asyncapi, corpus, report, schemas};

mod judging;
#[cfg(feature = "watch")]
mod watch;

use judging::Judging;

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
    /// documented contract: one verdict per line, then the conversation rules across lines
    /// (`iotxfer rules`). Exits 1 if any line or conversation is a violation.
    Check {
        /// Files to read; `-` is standard input. Each file is a capture of its own:
        /// conversations do not cross files.
        #[arg(required = true)]
        files: Vec<String>,
        #[command(flatten)]
        judging: Judging,
    },
    /// Subscribes to a broker and checks its traffic as it arrives, as `check` does, until
    /// the duration ends or Ctrl-C, then waits for the replies still due. Reconnects after an
    /// outage, which it reports. Exits 1 if any message or conversation is a violation, 2 if
    /// the connection stays lost for `--reconnect-for` (after the report).
    #[cfg(feature = "watch")]
    Watch(watch::Args),
    /// Lists every conversation rule with its id, the side that keeps it, and its source.
    Rules,
    /// Runs every example of the vendor documents through the typed decoder and the JSON
    /// Schemas. Exits 1 if any example does not get its recorded verdict.
    Report {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Writes the JSON Schemas (the files of `schema/json/`, or of `schema/draft-07/`) into a
    /// directory.
    Schema {
        /// The directory; by default the dialect's own under `schema/`.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The JSON Schema version to write.
        #[arg(long, value_enum, default_value_t = SchemaDialect::Draft2020_12)]
        dialect: SchemaDialect,
    },
    /// Writes the AsyncAPI 3 documents (the files of `schema/asyncapi/`), one per vendor, into
    /// a directory.
    Asyncapi {
        #[arg(long, default_value = asyncapi::HOME, value_name = "DIR")]
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
enum SchemaDialect {
    /// Draft 2020-12, the contract's own (`schema/json/`).
    #[value(name = "2020-12")]
    Draft2020_12,
    /// Draft-07, for tools that read no later draft (`schema/draft-07/`).
    #[value(name = "draft-07")]
    Draft07,
}

impl From<SchemaDialect> for Dialect {
    fn from(dialect: SchemaDialect) -> Self {
        match dialect {
            SchemaDialect::Draft2020_12 => Dialect::Draft2020_12,
            SchemaDialect::Draft07 => Dialect::Draft07,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match cli.command {
        Command::Check { files, judging } => check(&mut out, &files, &judging)
            .and_then(|(tally, violations)| judging.exit(tally, violations)),
        #[cfg(feature = "watch")]
        Command::Watch(args) => watch::run(&mut out, &args)
            .and_then(|(tally, violations)| args.judging.exit(tally, violations)),
        Command::Rules => iotxfer_conformance::rules::write(&mut out)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        Command::Report { format } => run_report(&mut out, format),
        Command::Schema { out, dialect } => write_schemas(out, dialect.into()),
        Command::Asyncapi { out: dir } => asyncapi::write_dir(&dir)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| format!("cannot write the documents into {}: {e}", dir.display())),
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

/// `iotxfer schema`.
fn write_schemas(out: Option<PathBuf>, dialect: Dialect) -> Result<ExitCode, String> {
    let dir = out.unwrap_or_else(|| schemas::home(dialect).into());
    schemas::write_dir(&dir, dialect)
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| format!("cannot write the schemas into {}: {e}", dir.display()))
}

/// Usage and I/O errors exit with 2, as clap's usage errors do.
fn fail(message: &str) -> ExitCode {
    eprintln!("iotxfer: {message}");
    ExitCode::from(2)
}

/// Lines judged together: enough to keep every core busy, few enough to bound memory.
const BATCH_LINES: usize = 8192;
const BATCH_BYTES: usize = 16 << 20;

/// Judges every line of `files` and prints the verdicts and findings; the counts of each
/// verdict, and the conversation violations.
fn check(
    out: &mut impl Write,
    files: &[String],
    judging: &Judging,
) -> Result<(Tally, u64), String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Every file opens before any is judged: a missing one is a usage error, not a fault found
    // half-way through the verdicts.
    let readers = files
        .iter()
        .map(|name| open(name).map(|reader| (name, reader)))
        .collect::<Result<Vec<_>, _>>()?;
    let written = |e: io::Error| format!("cannot write: {e}");
    let mut checker = judging.checker(out);
    for (name, reader) in readers {
        checker.start((files.len() > 1).then_some(name.as_str()));
        let mut lines = Lines::new(reader, judging.options().max_line());
        let (mut batch, mut bytes, mut first) = (Vec::new(), 0, 1);
        loop {
            let line = lines
                .next_line()
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            let done = line.is_none();
            match line {
                Some(Line::Text(text)) => {
                    bytes += text.len();
                    batch.push(Owned::Text(text.to_vec()));
                }
                Some(Line::TooLong { len }) => batch.push(Owned::TooLong(len)),
                None => {}
            }
            // A live stream is judged as it comes: no waiting for a full batch.
            let waiting = name == "-" && !lines.buffered();
            if done || waiting || batch.len() == BATCH_LINES || bytes >= BATCH_BYTES {
                checker.judge(first, &batch, threads).map_err(written)?;
                if waiting {
                    checker.flush().map_err(written)?;
                }
                first += batch.len() as u64;
                (batch, bytes) = (Vec::new(), 0);
            }
            if done {
                break;
            }
        }
        checker.end_capture().map_err(written)?;
    }
    checker.finish().map_err(written)
}

/// A capture file, or standard input for `-`.
fn open(name: &str) -> Result<BufReader<Box<dyn Read>>, String> {
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(name).map_err(|e| format!("cannot read {name}: {e}"))?)
    };
    Ok(BufReader::with_capacity(1 << 16, reader))
}

fn run_report(out: &mut impl Write, format: ReportFormat) -> Result<ExitCode, String> {
    let corpus = corpus::load().map_err(|e| e.to_string())?;
    let validators = Validators::new().map_err(|e| e.to_string())?;
    let rows = report::rows(&corpus, &validators);
    let written = match format {
        ReportFormat::Json => serde_json::to_writer_pretty(&mut *out, &rows)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        ReportFormat::Text => report::write_text(out, &rows),
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
