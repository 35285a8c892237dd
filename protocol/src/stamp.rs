//! What a message built here is stamped with: fresh ids and the time.

use std::time::{SystemTime, UNIX_EPOCH};

/// The source of the ids and times that envelopes carry (DJI `tid`, `bid` and `timestamp`).
///
/// [`SystemStamp`] is what [`Outgoing::new`](crate::Outgoing::new) and
/// [`Received::reply`](crate::Received::reply) use; tests pass their own to
/// [`Outgoing::stamped`](crate::Outgoing::stamped) and
/// [`Received::reply_stamped`](crate::Received::reply_stamped) for payloads they can compare.
///
/// ```
/// struct Fixed(u32);
///
/// impl iotxfer::Stamp for Fixed {
///     fn id(&mut self) -> String {
///         self.0 += 1;
///         format!("id-{}", self.0)
///     }
///     fn now_ms(&mut self) -> i64 {
///         1_700_000_000_000
///     }
/// }
/// ```
pub trait Stamp {
    /// A fresh id, never returned before.
    fn id(&mut self) -> String;
    /// The time, in milliseconds since the Unix epoch.
    fn now_ms(&mut self) -> i64;
}

/// Random (version 4) UUIDs, as DJI's examples write `tid` and `bid`, and the system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemStamp;

impl Stamp for SystemStamp {
    fn id(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn now_ms(&mut self) -> i64 {
        // A clock set before 1970 reads as the epoch; one past the year 292 million, as the
        // last millisecond an `i64` holds.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_ids_are_fresh_uuids_and_the_time_is_now() {
        let mut stamp = SystemStamp;
        let (a, b) = (stamp.id(), stamp.id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36, "{a}");
        assert!(stamp.now_ms() > 1_700_000_000_000);
    }
}
