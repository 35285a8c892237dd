//! `watch --record FILE`: every message received, written as `mosquitto_sub -F %j` writes it,
//! byte for byte, so that `iotxfer check FILE` (or any tool that reads such captures) judges
//! the same traffic later.
//!
//! mosquitto_sub (2.0) writes each message as one JSON object: `tst`, `topic`, `qos`, `retain`
//! (0 or 1), `payloadlen`, `mid` (at QoS 1 and 2), and `payload`, a JSON string of the payload
//! up to its first NUL byte (cJSON reads it as a C string), or `null` when it is empty. cJSON
//! escapes `"`, `\`, and the control characters below 0x20 (`\b`, `\f`, `\n`, `\r`, `\t`, the
//! others as `\u00xx`), and writes every other byte as it is, including bytes that are not
//! UTF-8. The receive time is written in UTC.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rumqttc::{Publish, QoS};

/// The capture file.
pub struct Recorder {
    out: BufWriter<File>,
    path: PathBuf,
}

impl Recorder {
    pub fn create(path: &Path) -> Result<Recorder, String> {
        let file =
            File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Recorder {
            out: BufWriter::with_capacity(1 << 16, file),
            path: path.to_owned(),
        })
    }

    /// Writes `message`, received at `received` (microseconds since the Unix epoch).
    pub fn write(&mut self, received: i64, message: &Publish) -> Result<(), String> {
        let qos = match message.qos {
            QoS::AtMostOnce => 0,
            QoS::AtLeastOnce => 1,
            QoS::ExactlyOnce => 2,
        };
        let mid = (qos > 0).then_some(message.pkid);
        line(
            &mut self.out,
            received,
            message.topic.as_bytes(),
            qos,
            message.retain,
            mid,
            &message.payload,
        )
        .map_err(|e| self.fault(&e))
    }

    pub fn flush(&mut self) -> Result<(), String> {
        self.out.flush().map_err(|e| self.fault(&e))
    }

    fn fault(&self, e: &io::Error) -> String {
        format!("cannot write {}: {e}", self.path.display())
    }
}

/// One `-F %j` line.
fn line(
    out: &mut impl Write,
    received: i64,
    topic: &[u8],
    qos: u8,
    retain: bool,
    mid: Option<u16>,
    payload: &[u8],
) -> io::Result<()> {
    write!(out, r#"{{"tst":"{}","topic":"#, tst(received))?;
    string(out, topic)?;
    write!(
        out,
        r#","qos":{qos},"retain":{},"payloadlen":{}"#,
        u8::from(retain),
        payload.len()
    )?;
    if let Some(mid) = mid {
        write!(out, r#","mid":{mid}"#)?;
    }
    out.write_all(br#","payload":"#)?;
    if payload.is_empty() {
        out.write_all(b"null")?;
    } else {
        let cut = payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(payload.len());
        string(out, &payload[..cut])?;
    }
    out.write_all(b"}\n")
}

/// `tst`: `2026-11-28T13:00:00.000900Z+0000`, as mosquitto_sub writes a time in UTC.
fn tst(received: i64) -> String {
    let utc = iotxfer_conformance::incident::time(received);
    format!("{}+0000", utc)
}

/// A JSON string as cJSON prints it.
fn string(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => br#"\""#,
            b'\\' => br"\\",
            0x08 => br"\b",
            0x0C => br"\f",
            b'\n' => br"\n",
            b'\r' => br"\r",
            b'\t' => br"\t",
            0..0x20 => b"",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        if escaped.is_empty() {
            write!(out, "\\u{b:04x}")?;
        } else {
            out.write_all(escaped)?;
        }
        start = i + 1;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::line;

    fn written(topic: &str, qos: u8, retain: bool, mid: Option<u16>, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        line(
            &mut out,
            1_795_309_042_205_616,
            topic.as_bytes(),
            qos,
            retain,
            mid,
            payload,
        )
        .expect("a Vec");
        out
    }

    /// A message (topic, QoS, retain, mid, payload), and its line after `tst`.
    type Case<'a> = (&'a str, u8, bool, Option<u16>, &'a [u8], &'a [u8]);

    /// Lines written by mosquitto_sub 2.0.11 (`-F %j`, in UTC) for these messages.
    #[test]
    fn lines_as_mosquitto_sub_writes_them() {
        let tst = r#"{"tst":"2026-11-22T00:57:22.205616Z+0000""#;
        let cases: [Case; 5] = [
            (
                "a/b",
                0,
                false,
                None,
                r#"{"x":"é\t\"\\/"}"#.as_bytes(),
                r#","topic":"a/b","qos":0,"retain":0,"payloadlen":17,"payload":"{\"x\":\"é\\t\\\"\\\\/\"}"}"#.as_bytes(),
            ),
            (
                "bin/é",
                0,
                false,
                None,
                b"ab\x01\x7f\xff\xfe\x80zz",
                b",\"topic\":\"bin/\xc3\xa9\",\"qos\":0,\"retain\":0,\"payloadlen\":9,\"payload\":\"ab\\u0001\x7f\xff\xfe\x80zz\"}",
            ),
            (
                "c",
                0,
                false,
                None,
                b"\x01\x08\x09\x0a\x0b\x0c\x0d\x1f\x1bZ",
                br#","topic":"c","qos":0,"retain":0,"payloadlen":10,"payload":"\u0001\b\t\n\u000b\f\r\u001f\u001bZ"}"#,
            ),
            (
                "nul",
                1,
                false,
                Some(7),
                b"a\0b",
                br#","topic":"nul","qos":1,"retain":0,"payloadlen":3,"mid":7,"payload":"a"}"#,
            ),
            (
                "$SYS/x",
                1,
                true,
                Some(1),
                b"",
                br#","topic":"$SYS/x","qos":1,"retain":1,"payloadlen":0,"mid":1,"payload":null}"#,
            ),
        ];
        for (topic, qos, retain, mid, payload, rest) in cases {
            let expected = [tst.as_bytes(), rest, b"\n"].concat();
            assert_eq!(
                written(topic, qos, retain, mid, payload),
                expected,
                "{topic}: {}",
                String::from_utf8_lossy(&expected)
            );
        }
    }

    /// `iotxfer check` reads a line back as the message it was, where `-F %j` can hold it.
    #[test]
    fn check_reads_a_line_back() {
        let payload = br#"{"type":"get_download_task","n":"\u00e9 \n"}"#;
        let bytes = written("$resource/up/service/P/D", 1, false, Some(3), payload);
        let line = bytes.strip_suffix(b"\n").expect("a line");
        let record = iotxfer_conformance::capture::parse(line).expect("a record");
        assert_eq!(record.topic, "$resource/up/service/P/D");
        assert_eq!(record.payload.expect("a payload").as_ref(), payload);
        assert_eq!(record.received, Some(1_795_309_042_205_616));
    }
}
