//! The JSON pointer of a fault in a typed payload, from where serde_json stopped reading.
//!
//! The typed pass reads a payload that its discriminator head has already read whole, so its
//! faults are values of the wrong type or out of range, missing or repeated fields, lone
//! surrogates, and nesting past serde_json's limit. serde_json's error says where reading
//! stopped (line and column); walking the text up to there gives the path. One walk serves
//! every message, where tracking the path while decoding (`serde_path_to_error`) compiles a
//! second copy of every message's deserializer. The paths are the ones that tracking gives: a
//! property test holds the two to each other.

use crate::pointer;

/// The path of the fault `error` in `text`, which serde_json read into a typed value: the
/// value it stopped in or just after, or the object or array it stopped between members of.
/// A member whose name could not be read is `?`, as `serde_path_to_error` writes it.
pub(crate) fn fault_path(text: &str, error: &serde_json::Error) -> String {
    let message = error.to_string();
    let whole = refused_whole(&message);
    let syntax = error.is_syntax() || error.is_eof();
    let mut offset = byte_offset(text, error.line(), error.column());
    if syntax && !message.starts_with(NESTING) {
        // serde_json places a fault of the text one byte past the byte it looked at.
        offset = offset.saturating_sub(1);
    }
    let mut walk = Walk::default();
    for (i, b) in text.bytes().enumerate().take(offset) {
        walk.step(text, i, b);
    }
    if walk.token {
        // A number or literal runs to the offset: the fault is in it, or just after it.
        walk.ended(offset);
    }
    walk.path(offset, whole, syntax)
}

/// How serde_json's error for nesting past its limit begins.
const NESTING: &str = "recursion limit exceeded";

/// Whether serde_json refused the object or array it had just opened as a whole: past its
/// limit of nested values, or as a list that a `deserialize_any` visitor refuses (it stops
/// just inside the `[`, where a refused first item of the list stops too).
fn refused_whole(message: &str) -> bool {
    let refused_list = message
        .strip_prefix("invalid type: sequence, expected ")
        .is_some_and(|rest| {
            crate::wire::LIST_REFUSERS.iter().any(|expected| {
                rest.strip_prefix(expected)
                    .is_some_and(|rest| rest.starts_with(" at line "))
            })
        });
    refused_list || message.starts_with(NESTING)
}

/// The byte offset of serde_json's (1-based line, column) position: the column counts the
/// bytes of its line before the offset.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        _ => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    line_start.saturating_add(column).min(text.len())
}

/// An object or array open at the offset, and where its walk is.
struct Open {
    object: bool,
    state: State,
    /// The member being read, for an object; its name's place in the text while it is read.
    key: Key,
    /// How many values of an array have begun.
    begun: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// After `{`, `[` or `,`: a member name (object) or a value (array) comes next.
    Next,
    /// In a member name.
    Name,
    /// After a member name, before its `:`.
    Named,
    /// After `:`, before the value.
    Colon,
    /// In a value: a scalar being read, or an object or array open inside.
    Value,
    /// After a whole value.
    Done,
}

#[derive(Default)]
enum Key {
    #[default]
    None,
    /// A name being read, from this byte (its opening quote).
    From(usize),
    Name(String),
    /// A name that is not a string serde_json reads.
    Unknown,
}

#[derive(Default)]
struct Walk {
    open: Vec<Open>,
    /// In a string, and whether the byte before was an unescaped backslash.
    string: Option<bool>,
    /// In a number or literal.
    token: bool,
    /// Where the last whole value ended (the offset after its last byte).
    last_end: Option<usize>,
}

impl Walk {
    fn step(&mut self, text: &str, i: usize, b: u8) {
        if let Some(escaped) = self.string {
            self.string = match (escaped, b) {
                (true, _) => Some(false),
                (false, b'\\') => Some(true),
                (false, b'"') => {
                    self.string_ended(text, i);
                    None
                }
                (false, _) => Some(false),
            };
            return;
        }
        if self.token {
            if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.') {
                return;
            }
            self.token = false;
            self.ended(i);
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => {
                self.begin();
                self.open.push(Open {
                    object: b == b'{',
                    state: State::Next,
                    key: Key::None,
                    begun: 0,
                });
            }
            b'}' | b']' => {
                self.open.pop();
                self.ended(i + 1);
            }
            b':' => self.set(State::Colon),
            b',' => self.set(State::Next),
            b'"' => match self.open.last_mut() {
                Some(open) if open.object && open.state == State::Next => {
                    open.state = State::Name;
                    open.key = Key::From(i);
                    self.string = Some(false);
                }
                _ => {
                    self.begin();
                    self.string = Some(false);
                }
            },
            _ => {
                self.begin();
                self.token = true;
            }
        }
    }

    fn set(&mut self, state: State) {
        if let Some(open) = self.open.last_mut() {
            open.state = state;
        }
    }

    /// A value begins in the innermost object or array.
    fn begin(&mut self) {
        if let Some(open) = self.open.last_mut() {
            open.state = State::Value;
            if !open.object {
                open.begun += 1;
            }
        }
    }

    fn ended(&mut self, end: usize) {
        self.set(State::Done);
        self.last_end = Some(end);
    }

    /// A string closed at byte `i`: a member name, or a value.
    fn string_ended(&mut self, text: &str, i: usize) {
        match self.open.last_mut() {
            Some(open) if open.state == State::Name => {
                let Key::From(start) = open.key else {
                    return;
                };
                let name = text.get(start..=i).map(serde_json::from_str::<String>);
                open.key = match name {
                    Some(Ok(name)) => Key::Name(name),
                    _ => Key::Unknown,
                };
                open.state = State::Named;
            }
            _ => self.ended(i + 1),
        }
    }

    /// The pointer of the fault at `offset`; `whole` when serde_json refused an object or array
    /// it had just opened as a whole (see [`refused_whole`]), `syntax` for a fault of the JSON
    /// text rather than of a value.
    fn path(&self, offset: usize, whole: bool, syntax: bool) -> String {
        let mut out = String::new();
        let Some((innermost, outer)) = self.open.split_last() else {
            return out;
        };
        for open in outer {
            open.push_member(&mut out, false);
        }
        let fresh = innermost.state == State::Next && !innermost.begun();
        match innermost.state {
            // Refused as a whole once opened: an object is read member by member, so only it
            // can be what was refused; a list may be, or its first item.
            State::Next if fresh && (innermost.object || whole) => {}
            State::Done if self.last_end == Some(offset) => innermost.push_member(&mut out, false),
            State::Value | State::Colon => innermost.push_member(&mut out, false),
            // Between the items of a list, the text is at fault; at an item, the item.
            State::Next if !innermost.object && !syntax => innermost.push_member(&mut out, true),
            State::Next if !innermost.object => {}
            State::Next | State::Name => out.push_str("/?"),
            State::Named if matches!(innermost.key, Key::Unknown) => out.push_str("/?"),
            State::Named | State::Done => {}
        }
        out
    }
}

impl Open {
    /// Whether a member or value has begun in it.
    fn begun(&self) -> bool {
        if self.object {
            !matches!(self.key, Key::None)
        } else {
            self.begun > 0
        }
    }

    /// Appends the member being read: for an array, the value begun last, or the next one.
    fn push_member(&self, out: &mut String, next: bool) {
        if !self.object {
            let index = if next {
                self.begun
            } else {
                self.begun.saturating_sub(1)
            };
            pointer::push_index(out, index);
            return;
        }
        match &self.key {
            Key::Name(name) => pointer::push_key(out, name),
            _ => out.push_str("/?"),
        }
    }
}
