//! Captured MQTT traffic as `mosquitto_sub` writes it: one JSON object per line, with the
//! payload as a JSON string (`-F %j`) or embedded as JSON (`-F %J`).
//!
//! Lines are read with a bounded buffer, so a file of any size, or one enormous line, takes
//! constant memory: a line past the limit is skipped to its end and reported, not stored.

use std::borrow::Cow;
use std::io::{self, BufRead};

use serde::Deserialize;
use serde_json::value::RawValue;

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
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, limit: usize) -> Self {
        Self {
            reader,
            limit,
            buf: Vec::new(),
        }
    }

    /// The next line; `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
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
        Ok(Some(Line::Text(&self.buf)))
    }
}

/// A capture record: the topic and the payload bytes it carried.
#[derive(Debug)]
pub struct Record<'a> {
    pub topic: Cow<'a, str>,
    pub payload: Cow<'a, [u8]>,
}

/// Why a line is not a capture record.
#[derive(Debug, thiserror::Error)]
pub enum NotARecord {
    #[error("not a capture record: the line is not UTF-8 (valid up to byte {0})")]
    Utf8(usize),
    #[error("not a capture record: {0}")]
    Json(serde_json::Error),
    #[error("not a capture record: no `topic`")]
    NoTopic,
    #[error("not a capture record: no `payload`")]
    NoPayload,
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow, default)]
    topic: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
}

/// Reads one line of `mosquitto_sub -F %j` or `-F %J` output. Fields other than `topic` and
/// `payload` (`tst`, `qos`, `retain`, `payloadlen`, ...) are ignored. A string payload is the
/// raw payload text; any other JSON value is the payload itself.
pub fn parse(line: &[u8]) -> Result<Record<'_>, NotARecord> {
    let text = std::str::from_utf8(line).map_err(|e| NotARecord::Utf8(e.valid_up_to()))?;
    let raw: Raw<'_> = serde_json::from_str(text).map_err(NotARecord::Json)?;
    let topic = raw.topic.ok_or(NotARecord::NoTopic)?;
    let payload = raw.payload.ok_or(NotARecord::NoPayload)?;
    let payload = if payload.get().starts_with('"') {
        match serde_json::from_str::<Cow<'_, str>>(payload.get()).map_err(NotARecord::Json)? {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }
    } else {
        Cow::Borrowed(payload.get().as_bytes())
    };
    Ok(Record { topic, payload })
}
