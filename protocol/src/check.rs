//! The strict check: the documented contract, with the JSON Schemas' verdict.
//!
//! Decoding is tolerant (undocumented enum values, unknown fields, an integer enum sent as a
//! number where the documents send a string), because devices get newer firmware. The strict
//! check holds a payload to the documents: it decodes it, checks what serde does not (enum
//! values, ranges, lengths, array sizes, formats), and compares the payload with its
//! re-encoding, which is written exactly as the documents write it.

mod compare;

pub(crate) use compare::{Kept, Wanted};

use std::fmt;

use crate::{DecodeError, ErrorKind, Message};

/// A value that can be held to the documented contract. Every generated type implements it.
pub trait Contract {
    /// Every place where the value breaks the contract: undocumented enum values, numbers out
    /// of range, texts and arrays of the wrong length, texts of the wrong format.
    fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(&mut String::new(), &mut out);
        out
    }

    /// Adds the violations of `self`, which sits at the JSON pointer `path`; a type without
    /// checks of its own keeps this default, which adds none.
    #[doc(hidden)]
    fn check(&self, _path: &mut String, _out: &mut Vec<Violation>) {}
}

/// The scalar forms of a disputed value (`Disputed<f64, Decimal>`): their bounds are the
/// field's, checked where the field is.
impl Contract for i64 {}
impl Contract for f64 {}
impl Contract for bool {}

impl<T: Contract> Contract for Vec<T> {
    fn check(&self, path: &mut String, out: &mut Vec<Violation>) {
        for (i, item) in self.iter().enumerate() {
            at(path, &format!("/{i}"), |path| item.check(path, out));
        }
    }
}

/// One place where a payload breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON pointer of the fault: `/data/output/progress/percent`; `""` for the payload.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl Violation {
    pub(crate) fn new(path: &str, reason: String) -> Self {
        Self {
            path: path.to_owned(),
            reason,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "at `{}`: {}", self.path, self.reason)
        }
    }
}

/// Runs `f` with `key` (a pointer segment such as `/percent`) appended to `path`.
pub(crate) fn at(path: &mut String, key: &str, f: impl FnOnce(&mut String)) {
    crate::pointer::within(path, |path| path.push_str(key), f);
}

pub(crate) fn range<T: PartialOrd + fmt::Display>(
    value: T,
    min: Option<T>,
    max: Option<T>,
    path: &str,
    out: &mut Vec<Violation>,
) {
    if let Some(min) = min.filter(|min| value < *min) {
        out.push(Violation::new(
            path,
            format!("{value} is below the minimum {min}"),
        ));
    }
    if let Some(max) = max.filter(|max| value > *max) {
        out.push(Violation::new(
            path,
            format!("{value} is above the maximum {max}"),
        ));
    }
}

/// Text lengths count characters (Unicode scalar values), as JSON Schema's `maxLength` does.
pub(crate) fn length(
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
    path: &str,
    out: &mut Vec<Violation>,
) {
    let len = value.chars().count();
    if min.is_some_and(|min| len < min) || max.is_some_and(|max| len > max) {
        out.push(Violation::new(
            path,
            format!("{len} characters, {}", bounds(min, max)),
        ));
    }
}

pub(crate) fn items(
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
    path: &str,
    out: &mut Vec<Violation>,
) {
    if min.is_some_and(|min| len < min) || max.is_some_and(|max| len > max) {
        out.push(Violation::new(
            path,
            format!("{len} items, {}", bounds(min, max)),
        ));
    }
}

fn bounds(min: Option<usize>, max: Option<usize>) -> String {
    match (min, max) {
        (Some(min), Some(max)) if min == max => format!("expected exactly {min}"),
        (Some(min), Some(max)) => format!("expected {min} to {max}"),
        (Some(min), None) => format!("expected at least {min}"),
        (None, Some(max)) => format!("expected at most {max}"),
        (None, None) => String::new(),
    }
}

/// The largest magnitude of an integer sent as a string: 18 digits, as the schema's pattern
/// says.
pub(crate) const STRING_INT_LIMIT: i64 = 999_999_999_999_999_999;

/// An integer sent as a string may have at most 18 digits.
pub(crate) fn string_int(value: i64, path: &str, out: &mut Vec<Violation>) {
    const MAX: i64 = STRING_INT_LIMIT;
    if !(-MAX..=MAX).contains(&value) {
        out.push(Violation::new(
            path,
            format!("{value} has more than the 18 digits a string integer may have"),
        ));
    }
}

/// The pattern of a `text` field, as the automaton the code generator built of it: a whole
/// value matches when its bytes lead from state 1 to an accepting state. State 0 is dead, and
/// a byte beyond ASCII, which no pattern of the subset matches, leads nowhere.
pub(crate) struct Pattern {
    /// How a fault names it: `the layout \`date_time\``.
    pub(crate) name: &'static str,
    /// The class of each ASCII byte.
    pub(crate) classes: [u8; 128],
    /// Classes a state: the width of a row of `table`.
    pub(crate) width: usize,
    /// The next state of each state and class.
    pub(crate) table: &'static [u16],
    /// Whether each state accepts.
    pub(crate) accepting: &'static [bool],
}

impl Pattern {
    fn matches(&self, value: &str) -> bool {
        let mut state = 1;
        for byte in value.bytes() {
            let Some(&class) = self.classes.get(usize::from(byte)) else {
                return false;
            };
            state = usize::from(self.table[state * self.width + usize::from(class)]);
            if state == 0 {
                return false;
            }
        }
        self.accepting[state]
    }

    pub(crate) fn check(&self, value: &str, path: &str, out: &mut Vec<Violation>) {
        if !self.matches(value) {
            out.push(Violation::new(
                path,
                format!("{value:?} does not match {}", self.name),
            ));
        }
    }
}

/// A field that its siblings' values require is absent.
pub(crate) fn missing(path: &str, why: &str, out: &mut Vec<Violation>) {
    out.push(Violation::new(path, why.to_owned()));
}

/// The verdict of the strict check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The message conforms to the documented contract.
    Conforms,
    /// The message breaks the contract; [`Checked::violations`] says where.
    Violates,
    /// No family defined here covers the topic or the message.
    NotCovered,
}

/// What the strict check found in one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The verdict.
    pub verdict: Verdict,
    /// The id of the message, when the topic and discriminators name one, even if it violates
    /// the contract. `None` for a list of events of several kinds (Huawei `services`): each
    /// event is judged as its own message, and [`decode_all`](crate::decode_all) reads them.
    pub message: Option<&'static str>,
    /// Where the message breaks the contract; empty unless the verdict is `Violates`.
    pub violations: Vec<Violation>,
    /// JSON pointers of fields that the definitions do not define, in order. The contract
    /// allows them (devices get newer firmware); a stricter reader may refuse them.
    pub undocumented_fields: Vec<String>,
    /// The tolerant decoding, when it succeeded into one message.
    pub decoded: Option<Message>,
}

/// Holds an MQTT message to the documented contract; the verdict is the one the exported JSON
/// Schema of its message gives, or, for a list of events of several kinds (Huawei `services`),
/// the schema of its topic.
pub fn check(topic: &str, payload: &[u8]) -> Checked {
    keeping(topic, payload, |_| None).0
}

/// [`check`], keeping the JSON text of the fields `wanted` names for the message, once the
/// payload decodes as one; see [`Kept`].
pub(crate) fn keeping(
    topic: &str,
    payload: &[u8],
    wanted: impl FnOnce(&Message) -> Option<Wanted>,
) -> (Checked, Option<Kept>) {
    let message = match crate::decode(topic, payload) {
        Ok(message) => message,
        // A list of events of several kinds: each event is judged as the message it is.
        Err(e) if *e.kind() == ErrorKind::MixedDiscriminators => {
            let checked = crate::batch::check(topic, payload).unwrap_or_else(|e| Checked {
                message: None,
                ..refused(e)
            });
            return (checked, None);
        }
        Err(e) => return (refused(e), None),
    };
    let wanted = wanted(&message);
    let delivery = message.as_delivery();
    let written = delivery.to_value();
    let (mut checked, kept) = against(payload, delivery.violations(), written, wanted.as_ref());
    checked.message = Some(message.id());
    checked.decoded = Some(message);
    (checked, kept)
}

/// The verdict on `payload`, which decoded: the contract `violations` of what it decoded to,
/// and what comparing it with its re-encoding `written` finds, and what was kept of `wanted`
/// when the comparison read the payload to its end. Names no message.
pub(crate) fn against(
    payload: &[u8],
    mut violations: Vec<Violation>,
    written: serde_json::Result<serde_json::Value>,
    wanted: Option<&Wanted>,
) -> (Checked, Option<Kept>) {
    // The payload decoded, so it is UTF-8 JSON; the re-encoding is of our own types.
    let whole = |e: &dyn fmt::Display| Violation::new("", e.to_string());
    let compared = std::str::from_utf8(payload)
        .map_err(|e| whole(&e))
        .and_then(|text| {
            let written = written.map_err(|e| whole(&e))?;
            compare::compare(text, &written, wanted).map_err(|unreadable| {
                let reason = crate::interop::reason(&unreadable.error);
                Violation::new(&unreadable.path, reason)
            })
        });
    let (undocumented_fields, kept) = match compared {
        Ok(found) => {
            violations.extend(found.violations);
            (found.undocumented, found.kept)
        }
        Err(violation) => {
            violations.push(violation);
            (Vec::new(), None)
        }
    };
    (judged(violations, undocumented_fields), kept)
}

/// The verdict of `violations`, sorted, naming no message.
pub(crate) fn judged(
    mut violations: Vec<Violation>,
    mut undocumented_fields: Vec<String>,
) -> Checked {
    violations.sort_by(|a, b| a.path.cmp(&b.path));
    undocumented_fields.sort();
    Checked {
        verdict: if violations.is_empty() {
            Verdict::Conforms
        } else {
            Verdict::Violates
        },
        message: None,
        violations,
        undocumented_fields,
        decoded: None,
    }
}

fn refused(e: DecodeError) -> Checked {
    let verdict = match e.kind() {
        ErrorKind::UnknownTopic | ErrorKind::NotCovered => Verdict::NotCovered,
        _ => Verdict::Violates,
    };
    let violations = match verdict {
        Verdict::Violates => vec![Violation::new(e.path().unwrap_or_default(), e.reason())],
        _ => Vec::new(),
    };
    Checked {
        verdict,
        message: e.message(),
        violations,
        undocumented_fields: Vec::new(),
        decoded: None,
    }
}
