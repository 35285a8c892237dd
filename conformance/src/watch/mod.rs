//! `iotxfer watch`: the traffic of a broker, judged as it arrives.
//!
//! The watch outlives its broker's faults: [`link`] restores a lost connection, and
//! [`drops`] follows the messages the broker says it dropped; each is reported as an incident
//! whose window the conversations do not blame. It judges every conversation opened while it
//! watched before it ends, and [`record`] keeps the traffic for `iotxfer check`.

mod drops;
mod link;
mod record;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use iotxfer::catalog;
use iotxfer_conformance::checker::Checker;
use iotxfer_conformance::incident::{self, Incident, now_us};
use iotxfer_conformance::verdict::Tally;
use rumqttc::Publish;

use crate::judging::Judging;
use drops::Drops;
use link::{Heard, Link};
use record::Recorder;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The broker: `mqtt://HOST:PORT`, or `mqtts://HOST:PORT` for TLS.
    #[arg(long, value_name = "URL")]
    broker: String,
    /// How long to watch; without it, until Ctrl-C. Either way the watch then waits for the
    /// replies still due (at most their deadline; a second Ctrl-C stops the wait).
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    duration: Option<Duration>,
    /// Subscribes to these filters only (repeatable). By default `#` and every `$`-rooted
    /// filter of the definitions, which `#` does not match. The broker's drop counter is
    /// followed either way.
    #[arg(long = "filter", value_name = "FILTER")]
    filters: Vec<String>,
    #[arg(long)]
    username: Option<String>,
    /// The password; `IOTXFER_PASSWORD` keeps it off the command line.
    #[arg(long, env = "IOTXFER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The CA certificates (PEM) that sign the broker's certificate, for `mqtts://`; without
    /// it, the system's.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// The MQTT client id.
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// The QoS of the subscriptions.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=2))]
    qos: u8,
    /// How long to try to restore a lost connection (with back-off) before the watch ends
    /// with its report and exit status 2.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    reconnect_for: Duration,
    /// Also writes every message received to FILE, as `mosquitto_sub -F %j` writes it, for
    /// `iotxfer check` later.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    #[command(flatten)]
    pub judging: Judging,
}

/// How often the watch looks at the clock (for Ctrl-C, the duration, and requests that ran
/// out) and flushes its output: a reader following it sees a verdict within this.
const TICK: Duration = Duration::from_millis(100);

/// Watches until the duration ends or Ctrl-C, then until the replies still due are in or past
/// their deadline; the counts of verdicts and the conversation violations. Once connected,
/// whatever ends the watch (a connection lost for good, a refused subscription), its report is
/// written before the error is returned.
pub fn run(out: &mut impl Write, args: &Args) -> Result<(Tally, u64), String> {
    let interrupts = interrupts()?;
    let mut link = Link::new(args, filters(args), drops::COUNTER)?;
    let recorder = args.record.as_deref().map(Recorder::create).transpose()?;
    let mut watch = Watch {
        checker: args.judging.checker(out),
        recorder,
        drops: Drops::default(),
        number: 0,
        reconnect_for: args.reconnect_for,
    };
    watch.checker.start(None);
    let fault = match watch.until_done(&mut link, args.duration, &interrupts) {
        Ok(fault) => fault,
        Err(e) if link.was_up() => Some(e),
        Err(e) => return Err(e),
    };
    link.disconnect();
    if !link.was_up() {
        return Err(format!(
            "no connection to {} before the watch ended",
            args.broker
        ));
    }
    let ended = watch.finish()?;
    match fault {
        Some(fault) => Err(fault),
        None => Ok(ended),
    }
}

/// Counts the Ctrl-C presses: the first ends the watch, the second its wait for replies.
fn interrupts() -> Result<Arc<AtomicUsize>, String> {
    let presses = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&presses);
    ctrlc::set_handler(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    Ok(presses)
}

/// What a watch holds while it listens.
struct Watch<W: Write> {
    checker: Checker<W>,
    recorder: Option<Recorder>,
    drops: Drops,
    /// The messages judged so far, the number of the last.
    number: u64,
    reconnect_for: Duration,
}

fn written(e: std::io::Error) -> String {
    format!("cannot write: {e}")
}

impl<W: Write> Watch<W> {
    /// Watches for `duration` or until Ctrl-C, then waits for the replies still due (until a
    /// second Ctrl-C); reports an outage still under way. The fault that ended the watch
    /// early, if one did.
    fn until_done(
        &mut self,
        link: &mut Link,
        duration: Option<Duration>,
        interrupts: &AtomicUsize,
    ) -> Result<Option<String>, String> {
        let ends = duration.map(|d| Instant::now() + d);
        let pressed = |times| interrupts.load(Ordering::SeqCst) >= times;
        let gave_up = self.listen(link, |_| {
            pressed(1) || ends.is_some_and(|e| Instant::now() >= e)
        })?;
        if gave_up.is_some() {
            return Ok(gave_up);
        }
        if !pressed(2) {
            let gave_up = self.wait_for_replies(link, || pressed(2))?;
            if gave_up.is_some() {
                return Ok(gave_up);
            }
        }
        if let Some((lost, why)) = link.outage() {
            let reason = format!("{why}; still lost when the watch ended");
            self.incident(incident::Kind::Outage, lost, reason)?;
        }
        Ok(None)
    }

    /// Judges what arrives until `stop` says so (of the checker); the reason the connection was
    /// lost for good, if it was.
    fn listen(
        &mut self,
        link: &mut Link,
        stop: impl Fn(&Checker<W>) -> bool,
    ) -> Result<Option<String>, String> {
        let mut ticked = Instant::now();
        while !stop(&self.checker) {
            if ticked.elapsed() >= TICK {
                // During an outage time stands still for the conversations: they learn of the
                // outage when it ends, and a reply due meanwhile may be what was lost.
                self.tick(link.outage().is_none())?;
                ticked = Instant::now();
            }
            match link.poll(TICK)? {
                Heard::Message(message) => self.message(&message)?,
                Heard::Restored { lost, why } => {
                    let lasted = Duration::from_micros((now_us() - lost).max(0).unsigned_abs());
                    let reason = format!(
                        "{why}; restored after {:.1} s: messages published meanwhile were not received",
                        lasted.as_secs_f64()
                    );
                    self.incident(incident::Kind::Outage, lost, reason)?;
                    // The broker may have restarted, its counter with it.
                    self.drops.forget();
                }
                Heard::GaveUp { lost, why } => {
                    let reason = format!(
                        "{why}; not restored within --reconnect-for {}: the watch ends",
                        humantime::format_duration(self.reconnect_for)
                    );
                    self.incident(incident::Kind::Outage, lost, reason.clone())?;
                    return Ok(Some(reason));
                }
                Heard::Nothing => {}
            }
        }
        Ok(None)
    }

    /// Listens on until every request still open has been answered or run out, so that each
    /// conversation opened while the watch watched is judged, or until `stop`. Requests opened
    /// meanwhile are not waited for.
    fn wait_for_replies(
        &mut self,
        link: &mut Link,
        stop: impl Fn() -> bool,
    ) -> Result<Option<String>, String> {
        // A deadline that passed already needs no wait: the end judges its request.
        let Some(due) = self.checker.pending().filter(|due| *due > now_us()) else {
            return Ok(None);
        };
        eprintln!(
            "iotxfer: waiting until {} for the replies still due (Ctrl-C again stops the wait)",
            incident::time(due)
        );
        self.listen(link, |checker| {
            let now = now_us();
            stop() || now >= due || checker.pending().is_none_or(|open| now >= open)
        })
    }

    /// Judges one message, and records it; the drop counter is followed instead.
    fn message(&mut self, message: &Publish) -> Result<(), String> {
        let received = now_us();
        if message.topic == drops::COUNTER {
            if let Some(rise) = self.drops.read(&message.payload, received) {
                let reason = format!(
                    "the broker dropped {} message(s) between two readings of {}: messages \
                     published meanwhile may not have been received",
                    rise.dropped,
                    drops::COUNTER
                );
                self.incident_between(incident::Kind::Drops, rise.from, rise.to, reason)?;
            }
            return Ok(());
        }
        if let Some(recorder) = &mut self.recorder {
            recorder.write(received, message)?;
        }
        self.number += 1;
        self.checker
            .judge_message(self.number, &message.topic, &message.payload, received)
            .map_err(written)
    }

    fn incident(&mut self, kind: incident::Kind, from: i64, reason: String) -> Result<(), String> {
        self.incident_between(kind, from, now_us(), reason)
    }

    fn incident_between(
        &mut self,
        kind: incident::Kind,
        from: i64,
        to: i64,
        reason: String,
    ) -> Result<(), String> {
        let incident = Incident {
            kind,
            from,
            to,
            reason,
        };
        self.checker.incident(incident).map_err(written)
    }

    /// Lets time pass for the devices that send nothing, when `advance`, and writes out what is
    /// buffered.
    fn tick(&mut self, advance: bool) -> Result<(), String> {
        if advance {
            self.checker.tick(now_us()).map_err(written)?;
        }
        self.checker.flush().map_err(written)?;
        match &mut self.recorder {
            Some(recorder) => recorder.flush(),
            None => Ok(()),
        }
    }

    /// Judges what is still open at the moment the watch ends, not at its last message, and
    /// writes the report.
    fn finish(self) -> Result<(Tally, u64), String> {
        if let Some(mut recorder) = self.recorder {
            recorder.flush()?;
        }
        self.checker.finish_at(Some(now_us())).map_err(written)
    }
}

/// `#` and every `$`-rooted filter of the definitions, or the filters asked for.
fn filters(args: &Args) -> Vec<String> {
    if !args.filters.is_empty() {
        return args.filters.clone();
    }
    let mut filters = vec!["#".to_owned()];
    for t in catalog::topics()
        .iter()
        .filter(|t| t.filter.starts_with('$'))
    {
        if !filters.iter().any(|f| f == t.filter) {
            filters.push(t.filter.to_owned());
        }
    }
    filters
}
