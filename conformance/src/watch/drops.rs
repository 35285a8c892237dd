//! The broker's drop counter: mosquitto publishes `$SYS/broker/publish/messages/dropped`, the
//! messages it has dropped since it started (over its per-client queue limits, for all its
//! clients), retained and whenever it changes, each `sys_interval`. A rise between two
//! readings means messages may be missing from the watch in between.

/// The counter's topic.
pub const COUNTER: &str = "$SYS/broker/publish/messages/dropped";

/// A rise of the counter: `dropped` messages, somewhere between `from` and `to`
/// (microseconds since the Unix epoch).
#[derive(Debug, PartialEq, Eq)]
pub struct Rise {
    pub from: i64,
    pub to: i64,
    pub dropped: u64,
}

/// The counter's latest reading.
#[derive(Debug, Default)]
pub struct Drops {
    last: Option<(u64, i64)>,
}

impl Drops {
    /// Reads the counter's `payload`, received at `at`: the rise since the last reading, if
    /// any. A counter that went down (the broker restarted) starts over; a payload that is
    /// no count is left aside.
    pub fn read(&mut self, payload: &[u8], at: i64) -> Option<Rise> {
        let count: u64 = std::str::from_utf8(payload).ok()?.trim().parse().ok()?;
        let rise = match self.last {
            Some((before, from)) if count > before => Some(Rise {
                from,
                to: at,
                dropped: count - before,
            }),
            _ => None,
        };
        self.last = Some((count, at));
        rise
    }

    /// Forgets the last reading: after an outage the broker may be another run of it, whose
    /// counter starts again (its retained reading comes with the new subscription).
    pub fn forget(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::{Drops, Rise};

    #[test]
    fn a_rise_between_two_readings_is_a_window() {
        let mut drops = Drops::default();
        assert_eq!(
            drops.read(b"5", 1_000),
            None,
            "the first reading is a baseline"
        );
        assert_eq!(drops.read(b"5", 2_000), None);
        assert_eq!(
            drops.read(b"12", 3_000),
            Some(Rise {
                from: 2_000,
                to: 3_000,
                dropped: 7
            })
        );
        assert_eq!(drops.read(b"0", 4_000), None, "a restarted broker");
        assert_eq!(drops.read(b"not a count", 5_000), None);
        assert_eq!(
            drops.read(b"1", 6_000).map(|r| r.from),
            Some(4_000),
            "a payload that is no count leaves the last reading"
        );
        drops.forget();
        assert_eq!(drops.read(b"9", 7_000), None);
    }
}
