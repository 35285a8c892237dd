//! Captured MQTT traffic as `mosquitto_sub` writes it: one JSON object per line, with the
//! payload as a JSON string (`-F %j`) or embedded as JSON (`-F %J`).
//!
//! Lines are read with a bounded buffer, so a file of any size, or one enormous line, takes
//! constant memory: a line past the limit is skipped to its end and reported, not stored.

use std::borrow::Cow;
use std::io::{self, BufRead};

use serde::Deserialize;
use serde_json::value::RawValue;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One line of input, or what stood in its place.
#[derive(Debug)]
pub enum Line<'a> {
    /// The line's bytes, without the line ending.
    Text(&'a [u8]),
    /// The line was longer than the limit; it held `len` bytes.
    TooLong { len: u64 },
}

/// Reads lines of at most `limit` bytes from `reader`.
pub struct Lines<R> {
    reader: R,
    limit: usize,
    buf: Vec<u8>,
    first: bool,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, limit: usize) -> Self {
        Self {
            reader,
            limit,
            buf: Vec::new(),
            first: true,
        }
    }

    /// The next line; `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        let first = std::mem::take(&mut self.first);
        self.buf.clear();
        let mut len: u64 = 0;
        let mut ended = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (chunk, consumed) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    ended = true;
                    (&available[..end], end + 1)
                }
                None => (available, available.len()),
            };
            len += chunk.len() as u64;
            if len <= self.limit as u64 {
                self.buf.extend_from_slice(chunk);
            }
            self.reader.consume(consumed);
            if ended {
                break;
            }
        }
        if !ended && len == 0 {
            return Ok(None);
        }
        if len > self.limit as u64 {
            return Ok(Some(Line::TooLong { len }));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        // A byte order mark that an editor put before the first line is not part of it.
        let bom = first && self.buf.starts_with(BOM);
        Ok(Some(Line::Text(
            &self.buf[if bom { BOM.len() } else { 0 }..],
        )))
    }
}

impl<T: io::Read> Lines<io::BufReader<T>> {
    /// Whether the next line is already read, at least in part: when it is not, asking for it
    /// may wait on a slow writer (a live stream on standard input).
    pub fn buffered(&self) -> bool {
        !self.reader.buffer().is_empty()
    }
}

/// A capture record: the topic, and the payload bytes it carried or why they are unusable.
#[derive(Debug)]
pub struct Record<'a> {
    pub topic: Cow<'a, str>,
    pub payload: Result<Cow<'a, [u8]>, PayloadFault>,
    /// When the subscriber received it (`tst`), in microseconds since the Unix epoch.
    pub received: Option<i64>,
}

/// Why a line is not a capture record.
#[derive(Debug, thiserror::Error)]
pub enum NotARecord {
    #[error("not a capture record: {0}")]
    Json(serde_json::Error),
    #[error("not a capture record: the line is not a JSON object")]
    NotAnObject,
    #[error(
        "not a capture record: a blank line. mosquitto_sub -F %J writes one for each payload \
         that is not JSON (with an error on its standard error), so a payload was lost here"
    )]
    Blank,
    #[error("not a capture record: no `topic`")]
    NoTopic,
    #[error("not a capture record: no `payload`")]
    NoPayload,
    #[error(
        "not a capture record: `tst` is not a receive time as mosquitto_sub writes it \
         (`2026-11-22T00:57:22.205616Z+0000`)"
    )]
    Time,
}

/// Why a record's payload cannot be checked; the record's topic still names the message.
#[derive(Debug, thiserror::Error)]
pub enum PayloadFault {
    #[error("the payload is not UTF-8: the line is not UTF-8 (valid up to byte {0})")]
    Utf8(usize),
    #[error("the payload is empty (`null` in the capture, and no `payloadlen` of 4)")]
    Null,
    #[error(
        "the payload is {held} bytes, but `payloadlen` says the device sent {sent}: it sent its \
         JSON as a JSON string (double-encoded), which mosquitto_sub -F %J writes as that string"
    )]
    DoubleEncoded { held: usize, sent: u64 },
    #[error(
        "the payload is {held} bytes, but `payloadlen` says the device sent {sent}: \
         mosquitto_sub -F %j cuts a payload at its first NUL byte, and -F %J writes a payload \
         that is itself a JSON string as that string; either way the device did not send this \
         JSON"
    )]
    Shorter { held: usize, sent: u64 },
    #[error("the payload is {held} bytes, more than the {sent} that `payloadlen` says")]
    Longer { held: usize, sent: u64 },
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow, default)]
    topic: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    payload: Option<&'a RawValue>,
    #[serde(default)]
    payloadlen: Option<u64>,
    #[serde(borrow, default)]
    tst: Option<Cow<'a, str>>,
}

/// A member that is present, even as `null` (which `Option` alone reads as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// Reads one line of `mosquitto_sub -F %j` or `-F %J` output: a JSON object with `topic` and
/// `payload`, and `payloadlen` when the format has `%l`'s field (`tst`, `qos`, `retain`, ...
/// are ignored). A string payload is the raw payload text, held to `payloadlen`; any other
/// JSON value is the payload itself, re-serialised by mosquitto, so its length is not compared.
///
/// A line that is not UTF-8 is read with its faulty bytes replaced, so that the record keeps
/// its topic; its payload is then a fault.
pub fn parse(line: &[u8]) -> Result<Record<'_>, NotARecord> {
    match std::str::from_utf8(line) {
        Ok(text) => record(text),
        Err(e) => {
            let text = String::from_utf8_lossy(line);
            let read = record(&text)?;
            Ok(Record {
                topic: Cow::Owned(read.topic.into_owned()),
                payload: Err(PayloadFault::Utf8(e.valid_up_to())),
                received: read.received,
            })
        }
    }
}

fn record(text: &str) -> Result<Record<'_>, NotARecord> {
    let body = text.trim_start();
    if body.is_empty() {
        return Err(NotARecord::Blank);
    }
    // serde would also read the fields from a JSON array.
    if !body.starts_with('{') {
        return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => Err(NotARecord::NotAnObject),
            Err(e) => Err(NotARecord::Json(e)),
        };
    }
    let raw: Raw<'_> = serde_json::from_str(text).map_err(NotARecord::Json)?;
    let topic = raw.topic.ok_or(NotARecord::NoTopic)?;
    let received = match raw.tst {
        Some(tst) => Some(receive_time(&tst).ok_or(NotARecord::Time)?),
        None => None,
    };
    let json = raw.payload.ok_or(NotARecord::NoPayload)?.get();
    // `-F %J` writes `null` for a payload that is the JSON `null` (4 bytes); without a length
    // that says so, it stands for an empty payload.
    let payload = if json == "null" && raw.payloadlen != Some(4) {
        Err(PayloadFault::Null)
    } else if json.starts_with('"') {
        let text: String = serde_json::from_str(json).map_err(NotARecord::Json)?;
        match raw.payloadlen.map(|sent| held_to(&text, sent)) {
            Some(Err(fault)) => Err(fault),
            _ => Ok(Cow::Owned(text.into_bytes())),
        }
    } else {
        Ok(Cow::Borrowed(json.as_bytes()))
    };
    Ok(Record {
        topic,
        payload,
        received,
    })
}

/// `tst` as mosquitto_sub writes it (`2026-11-22T00:57:22.205616Z+0000`: local time, an
/// optional `Z`, and the offset), in microseconds since the Unix epoch: two messages in one
/// millisecond keep their order.
pub fn receive_time(tst: &str) -> Option<i64> {
    let (local, offset_s) = split_offset(tst).unwrap_or((tst, 0));
    let local = local.strip_suffix('Z').unwrap_or(local);
    let time = humantime::parse_rfc3339_weak(local).ok()?;
    let us = time.duration_since(std::time::UNIX_EPOCH).ok()?.as_micros();
    i64::try_from(us).ok()?.checked_sub(offset_s * 1_000_000)
}

/// The time before a trailing `+HHMM` or `-HHMM`, and that offset in seconds.
fn split_offset(tst: &str) -> Option<(&str, i64)> {
    let at = tst.len().checked_sub(5)?;
    let (local, offset) = (tst.get(..at)?, tst.get(at..)?);
    let sign = match offset.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = &offset[1..];
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hhmm: i64 = digits.parse().ok()?;
    Some((local, sign * ((hhmm / 100) * 3600 + (hhmm % 100) * 60)))
}

/// A string payload must be exactly the `sent` bytes the device published.
fn held_to(text: &str, sent: u64) -> Result<(), PayloadFault> {
    let held = text.len();
    match (held as u64).cmp(&sent) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(PayloadFault::Longer { held, sent }),
        std::cmp::Ordering::Less => {
            let as_string = serde_json::to_string(text).map_or(0, |s| s.len());
            Err(if as_string as u64 == sent {
                PayloadFault::DoubleEncoded { held, sent }
            } else {
                PayloadFault::Shorter { held, sent }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::receive_time;

    #[test]
    fn receive_times_as_mosquitto_writes_them() {
        let utc = Some(1_795_309_042_205_616);
        assert_eq!(receive_time("2026-11-22T00:57:22.205616Z+0000"), utc);
        assert_eq!(receive_time("2026-11-22T00:57:22.205616+0000"), utc);
        assert_eq!(receive_time("2026-11-22T01:57:22.205616+0100"), utc);
        assert_eq!(receive_time("2026-11-21T23:27:22.205616-0130"), utc);
        assert_eq!(receive_time("2026-11-22T00:57:22.205616Z"), utc);
    }

    #[test]
    fn anything_else_is_no_receive_time() {
        for tst in [
            "",
            "+0000",
            "yesterday",
            "2026-11-22",
            "2026-13-22T00:57:22Z+0000",
            "1969-12-31T23:59:59Z+0000",
            // A multi-byte character where the offset would start: no panic.
            "3026-11\u{FFFD}\u{FFFD}",
            "2026-11-22T00:57:22.205616Z+00\u{e9}",
        ] {
            assert_eq!(receive_time(tst), None, "{tst:?}");
        }
    }
}
