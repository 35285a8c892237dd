//! What happened to a live watch rather than in the traffic: the connection to the broker was
//! lost, or the broker dropped messages. Either way messages may be missing from a window of
//! time, so the conversations open then are not judged, and the report says why.

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use serde::Serialize;

/// What kind of loss an [`Incident`] is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The connection to the broker was lost: restored at `to`, or given up on then.
    Outage,
    /// The broker's drop counter (`$SYS/broker/publish/messages/dropped`) rose between two of
    /// its readings.
    Drops,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Outage => "outage",
            Kind::Drops => "drops",
        }
    }
}

/// A window of time in which messages may have been lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub kind: Kind,
    /// The start of the window, in microseconds since the Unix epoch.
    pub from: i64,
    /// Its end, in microseconds since the Unix epoch.
    pub to: i64,
    /// What happened, in a sentence.
    pub reason: String,
}

/// An incident as `--format json` prints it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IncidentOut<'a> {
    /// What happened: `outage` (the connection to the broker was lost) or `drops` (the broker
    /// dropped messages).
    pub incident: Kind,
    /// The start of the window in which messages may be missing (RFC 3339, UTC, microseconds).
    pub from: String,
    /// Its end.
    pub to: String,
    pub reason: &'a str,
}

impl Incident {
    pub fn json(&self) -> IncidentOut<'_> {
        IncidentOut {
            incident: self.kind,
            from: time(self.from),
            to: time(self.to),
            reason: &self.reason,
        }
    }

    /// `--format text`: one line.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "watch: {} from {} to {}: {}",
            self.kind.as_str(),
            time(self.from),
            time(self.to),
            self.reason
        )
    }

    /// The window, for the JUnit report.
    pub fn window(&self) -> String {
        format!("{} to {}", time(self.from), time(self.to))
    }
}

/// A time in microseconds since the Unix epoch as RFC 3339, in UTC.
pub fn time(us: i64) -> String {
    let at = SystemTime::UNIX_EPOCH + Duration::from_micros(u64::try_from(us).unwrap_or(0));
    humantime::format_rfc3339_micros(at).to_string()
}

/// Now, in microseconds since the Unix epoch: the clock of live traffic.
pub fn now_us() -> i64 {
    let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_print_as_utc_with_microseconds() {
        let incident = Incident {
            kind: Kind::Outage,
            from: 1_795_309_042_205_616,
            to: 1_795_309_044_000_001,
            reason: "lost".into(),
        };
        let mut text = Vec::new();
        incident.write_text(&mut text).expect("a Vec");
        assert_eq!(
            String::from_utf8(text).expect("UTF-8"),
            "watch: outage from 2026-11-22T00:57:22.205616Z to 2026-11-22T00:57:24.000001Z: lost\n"
        );
        let json = serde_json::to_string(&incident.json()).expect("JSON");
        assert_eq!(
            json,
            r#"{"incident":"outage","from":"2026-11-22T00:57:22.205616Z","to":"2026-11-22T00:57:24.000001Z","reason":"lost"}"#
        );
    }
}
