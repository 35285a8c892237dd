//! The options `check` and `watch` share: how messages and conversations are judged, and how
//! the verdicts are printed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use iotxfer::Direction;
use iotxfer::conversation;
use iotxfer_conformance::checker::{Checker, Format};
use iotxfer_conformance::verdict::{Options, Tally};

#[derive(Debug, Args)]
pub struct Judging {
    /// Fields the documents do not define are violations too.
    #[arg(long)]
    strict: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// The largest payload to check, in bytes; a larger one is a violation on a topic of the
    /// definitions (`not_covered` elsewhere).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    max_payload: usize,
    /// Judges messages alone, without the conversation rules.
    #[arg(long)]
    no_flows: bool,
    /// The deadline of a reply whose vendor documents none (a documented one stays).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    deadline: Duration,
    /// Only the rules one side keeps: a device team is not blamed for a platform that never
    /// answered, and the other way round.
    #[arg(long, value_enum)]
    profile: Option<Profile>,
    /// No message at all is fine. Without it, it is an error: it usually means the subscriber
    /// never connected or used the wrong filters.
    #[arg(long)]
    allow_empty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// One line per finding, then a summary.
    Text,
    /// One JSON object per message, one per conversation finding, and one per incident of a
    /// watch (an outage, broker drops).
    Json,
    /// A JUnit XML report, at the end.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Profile {
    /// The rules the device keeps.
    Device,
    /// The rules the platform keeps.
    Platform,
}

impl Judging {
    pub fn options(&self) -> Options {
        Options {
            strict: self.strict,
            max_payload: self.max_payload,
        }
    }

    /// The exit status of a run: 1 for any violation, of a message or a conversation; an
    /// error for a run without messages, unless `--allow-empty`.
    pub fn exit(&self, tally: Tally, violations: u64) -> Result<ExitCode, String> {
        if tally.lines() == 0 && !self.allow_empty {
            return Err(
                "no messages (did the subscriber connect, with the filters of \
                 `iotxfer topics --filters`?); --allow-empty accepts none"
                    .to_owned(),
            );
        }
        Ok(if tally.violation > 0 || violations > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }

    /// A checker writing to `out`.
    pub fn checker<W: Write>(&self, out: W) -> Checker<W> {
        let format = match self.format {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Junit => Format::Junit,
        };
        let flows = (!self.no_flows).then(|| conversation::Options {
            deadline_ms: u64::try_from(self.deadline.as_millis()).unwrap_or(u64::MAX),
            duty: self.profile.map(|p| match p {
                Profile::Device => Direction::Up,
                Profile::Platform => Direction::Down,
            }),
        });
        Checker::new(out, format, self.options(), flows)
    }
}
