//! The wire-form comparison of the strict check: a received payload against the re-encoding of
//! its typed value.
//!
//! The re-encoding holds every documented field in its documented wire form, so a difference is
//! a wire-form fault (an integer where the documents send a string), and a member only the
//! received payload has is undocumented; `null` for an optional field is the same as its
//! absence. The received payload is walked as it is parsed, without building a `Value` of it.
//! The same walk can keep the JSON text of the fields the conversation rules read ([`Wanted`]),
//! so that they need not parse the payload again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::Violation;
use crate::pointer;

/// What the comparison found: the violations, the JSON pointers of undocumented members, and
/// the fields it was asked to keep.
pub(super) struct Found {
    pub(super) violations: Vec<Violation>,
    pub(super) undocumented: Vec<String>,
    pub(super) kept: Option<Kept>,
}

/// The places whose JSON text the walk keeps: the fields the conversation rules read.
pub(crate) struct Wanted {
    /// JSON pointers, with `0` for the index of an event where the payload is a list of them.
    pub(crate) pointers: &'static [&'static str],
    /// The member that holds the list of events, if the payload is one (Huawei `services`).
    pub(crate) batch: Option<&'static str>,
}

impl Wanted {
    /// The wanted pointer that `path` is, with the index of the event it is in; `None` when
    /// `path` is not wanted.
    fn place(&self, path: &str) -> Option<Place> {
        let event = self.batch.and_then(|member| {
            let rest = path
                .strip_prefix('/')?
                .strip_prefix(member)?
                .strip_prefix('/')?;
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let index = rest.get(..digits)?.parse().ok()?;
            Some((member, index, rest.get(digits..)?))
        });
        let pointer = self.pointers.iter().find(|pointer| match event {
            Some((member, _, tail)) => {
                let in_event = pointer
                    .strip_prefix('/')
                    .and_then(|p| p.strip_prefix(member));
                in_event.and_then(|p| p.strip_prefix("/0")) == Some(tail)
            }
            None => **pointer == path,
        })?;
        Some(Place {
            pointer,
            event: event.map(|(_, index, _)| index),
        })
    }
}

/// Where a kept value was read: the wanted pointer, and the index of its event when it sits
/// in one.
pub(crate) struct Place {
    pub(crate) pointer: &'static str,
    pub(crate) event: Option<usize>,
}

/// The JSON text of each wanted value the walk read, with where it was read, in order.
#[derive(Default)]
pub(crate) struct Kept {
    pub(crate) fields: Vec<(Place, String)>,
    /// How many items the list of events holds, when the payload is one.
    pub(crate) events: Option<usize>,
    /// Whether what is kept falls short of what a `Value` of the payload holds: a wanted place
    /// holds an array or object (only scalars are kept), a member is repeated (the earlier
    /// occurrence is kept too, where a `Value` holds the last), or a part of the payload was
    /// read without a walk (an array or object where the re-encoding has another kind of
    /// value).
    pub(crate) partial: bool,
}

/// The findings while the walk goes on. A repeated member is a violation (see `interop`), and
/// it replaces the earlier one (in a `Value` and for a schema validator, the last one stands),
/// so what the earlier one found is marked void, and dropped once the walk is over: indices
/// stay put meanwhile.
#[derive(Default)]
struct Findings<'w> {
    violations: Vec<Violation>,
    undocumented: Vec<String>,
    void: Vec<Marks>,
    /// Where the innermost value that failed to parse sits, once one did.
    fault_at: Option<String>,
    /// What is wanted, and what is kept of it so far.
    keeping: Option<(&'w Wanted, Kept)>,
}

/// A payload the comparison could not read to its end, and where it stopped.
pub(super) struct Unreadable {
    pub(super) path: String,
    pub(super) error: serde_json::Error,
}

/// Compares the JSON `received` with `written`, the re-encoding of its typed value, keeping the
/// text of what is `wanted`.
pub(super) fn compare(
    received: &str,
    written: &Value,
    wanted: Option<&Wanted>,
) -> Result<Found, Unreadable> {
    let mut de = serde_json::Deserializer::from_str(received);
    let mut findings = Findings {
        keeping: wanted.map(|wanted| (wanted, Kept::default())),
        ..Findings::default()
    };
    let read = Against {
        written,
        path: &mut String::new(),
        found: &mut findings,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match read {
        Ok(()) => Ok(findings.finish()),
        Err(error) => Err(Unreadable {
            path: findings.fault_at.unwrap_or_default(),
            error,
        }),
    }
}

impl Findings<'_> {
    /// Notes where a value failed to parse; the innermost place, reached first, stands.
    fn failed_at(&mut self, path: &str) {
        self.fault_at.get_or_insert_with(|| path.to_owned());
    }

    /// Keeps the JSON text of the scalar `value` read at `path`, if it is wanted.
    fn keep(&mut self, path: &str, value: impl FnOnce() -> Value) {
        if let Some((wanted, kept)) = &mut self.keeping
            && let Some(place) = wanted.place(path)
        {
            kept.fields.push((place, value().to_string()));
        }
    }

    /// What is kept is not what a `Value` holds: a member name is repeated, or a value was
    /// read whole, past the walk.
    fn mark_partial(&mut self) {
        if let Some((_, kept)) = &mut self.keeping {
            kept.partial = true;
        }
    }

    /// An array or object read at `path`, with `len` items when it is an array.
    fn container(&mut self, path: &str, len: Option<usize>) {
        if let Some((wanted, kept)) = &mut self.keeping {
            if wanted.place(path).is_some() {
                kept.partial = true;
            }
            if wanted
                .batch
                .is_some_and(|m| path.strip_prefix('/') == Some(m))
            {
                kept.events = len;
            }
        }
    }
}

impl Findings<'_> {
    fn mark(&self) -> Marks {
        Marks {
            violations: (self.violations.len(), self.violations.len()),
            undocumented: (self.undocumented.len(), self.undocumented.len()),
        }
    }

    /// What is left once the void findings are dropped.
    fn finish(self) -> Found {
        let kept = self.keeping.map(|(_, kept)| kept);
        /// `items` without those whose index lies in a `void` range; sorting the ranges once
        /// keeps it linear in the findings.
        fn without_void<T>(items: Vec<T>, mut void: Vec<(usize, usize)>) -> Vec<T> {
            if void.is_empty() {
                return items;
            }
            void.sort_unstable();
            let mut void = void.into_iter().peekable();
            items
                .into_iter()
                .enumerate()
                .filter(|(i, _)| {
                    while void.next_if(|&(_, end)| end <= *i).is_some() {}
                    void.peek().is_none_or(|&(start, _)| start > *i)
                })
                .map(|(_, item)| item)
                .collect()
        }
        Found {
            violations: without_void(
                self.violations,
                self.void.iter().map(|m| m.violations).collect(),
            ),
            undocumented: without_void(
                self.undocumented,
                self.void.iter().map(|m| m.undocumented).collect(),
            ),
            kept,
        }
    }
}

/// Where one member's findings sit in `Findings`: `[start, end)` of each list.
#[derive(Clone, Copy)]
struct Marks {
    violations: (usize, usize),
    undocumented: (usize, usize),
}

/// One received value, compared with its written form as it is read.
struct Against<'w, 'p> {
    written: &'w Value,
    path: &'p mut String,
    found: &'p mut Findings<'w>,
}

impl Against<'_, '_> {
    /// A value that differs from its written form.
    fn differs(self, received: impl fmt::Display) {
        let written = self.written;
        self.found.violations.push(Violation::new(
            self.path,
            format!("written {received}; the documents write this value as {written}"),
        ));
    }

    fn scalar(self, received: Value) {
        self.found.keep(self.path, || received.clone());
        let same = match (&received, self.written) {
            (Value::Number(r), Value::Number(w)) => same_number(r, w),
            (r, w) => r == w,
        };
        if !same {
            self.differs(received);
        }
    }
}

fn same_number(a: &Number, b: &Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(a), Some(b)) => a == b,
        _ => a.as_f64() == b.as_f64(),
    }
}

/// Runs `f` with the member `key` appended to the JSON pointer `path`.
fn member<T>(path: &mut String, key: &str, f: impl FnOnce(&mut String) -> T) -> T {
    pointer::within(path, |path| pointer::push_key(path, key), f)
}

/// Runs `f` with the array index `i` appended to the JSON pointer `path`.
fn item<T>(path: &mut String, i: usize, f: impl FnOnce(&mut String) -> T) -> T {
    pointer::within(path, |path| pointer::push_index(path, i), f)
}

impl<'de> DeserializeSeed<'de> for Against<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let Against {
            written,
            path,
            found,
        } = self;
        let read = deserializer.deserialize_any(Against {
            written,
            path: &mut *path,
            found: &mut *found,
        });
        if read.is_err() {
            found.failed_at(path);
        }
        read
    }
}

impl<'de> Visitor<'de> for Against<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.scalar(Value::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.scalar(Value::from(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.scalar(Value::from(v));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.scalar(Value::from(v));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.found.keep(self.path, || Value::from(v));
        if self.written.as_str() != Some(v) {
            self.differs(Value::from(v));
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.scalar(Value::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(written) = self.written.as_array() else {
            let received = Value::deserialize(SeqAccessDeserializer::new(seq))?;
            self.found.mark_partial();
            self.differs(received);
            return Ok(());
        };
        let mut len = 0;
        loop {
            let more = match written.get(len) {
                Some(w) => item(self.path, len, |path| {
                    seq.next_element_seed(Against {
                        written: w,
                        path,
                        found: self.found,
                    })
                })?
                .is_some(),
                None => item(self.path, len, |path| {
                    seq.next_element_seed(Through {
                        path,
                        found: self.found,
                    })
                })?
                .is_some(),
            };
            if !more {
                break;
            }
            len += 1;
        }
        self.found.container(self.path, Some(len));
        if len != written.len() {
            self.differs(format_args!("{len} items"));
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(written) = self.written.as_object() else {
            let received = Value::deserialize(MapAccessDeserializer::new(map))?;
            self.found.mark_partial();
            self.differs(received);
            return Ok(());
        };
        self.found.container(self.path, None);
        // What the last occurrence so far of each member found: a repeated member is a
        // violation of its own, and voids what its earlier occurrence found.
        let mut members = Seen::default();
        while let Some(Key(key)) = map.next_key()? {
            let mut marks = self.found.mark();
            match written.get(key.as_ref()) {
                Some(w) => member(self.path, &key, |path| {
                    map.next_value_seed(Against {
                        written: w,
                        path,
                        found: self.found,
                    })
                })?,
                None => member(self.path, &key, |path| {
                    let null = map
                        .next_value_seed(Through {
                            path,
                            found: self.found,
                        })
                        .inspect_err(|_| self.found.failed_at(path))?;
                    if !null {
                        self.found.undocumented.push(path.clone());
                    }
                    Ok(())
                })?,
            }
            marks.violations.1 = self.found.violations.len();
            marks.undocumented.1 = self.found.undocumented.len();
            if let Some(replaced) = members.replace(key.clone(), marks) {
                self.found.void.push(replaced);
                self.found.mark_partial();
                member(self.path, &key, |path| {
                    let reason = crate::interop::duplicate(&key);
                    self.found.violations.push(Violation::new(path, reason));
                });
            }
        }
        Ok(())
    }
}

/// A member name, borrowed from the payload unless it holds escapes. (Serde reads a plain
/// `Cow<str>` as an owned string, always.)
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A value only the received payload has, read through as a `Value` would read it (a number
/// out of range or a lone surrogate is a fault wherever it sits), with every repeated member
/// name inside it a violation; `true` when it is `null`.
struct Through<'w, 'p> {
    path: &'p mut String,
    found: &'p mut Findings<'w>,
}

impl Through<'_, '_> {
    /// A scalar read through; `true` when it is `null`.
    fn scalar(self, value: Value) -> bool {
        let null = value.is_null();
        self.found.keep(self.path, || value);
        null
    }
}

impl<'de> DeserializeSeed<'de> for Through<'_, '_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Through<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(self.scalar(Value::Null))
    }
    fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
        Ok(self.scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<bool, E> {
        Ok(self.scalar(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<bool, E> {
        Ok(self.scalar(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<bool, E> {
        Ok(self.scalar(Value::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(self.scalar(Value::from(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut i = 0;
        while item(self.path, i, |path| {
            seq.next_element_seed(Through {
                path,
                found: self.found,
            })
        })?
        .is_some()
        {
            i += 1;
        }
        self.found.container(self.path, Some(i));
        Ok(false)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        self.found.container(self.path, None);
        let mut names = Seen::default();
        while let Some(Key(key)) = map.next_key()? {
            member(self.path, &key, |path| {
                map.next_value_seed(Through {
                    path,
                    found: self.found,
                })?;
                if names.replace(key.clone(), ()).is_some() {
                    self.found.mark_partial();
                    let reason = crate::interop::duplicate(&key);
                    self.found.violations.push(Violation::new(path, reason));
                }
                Ok(())
            })?;
        }
        Ok(false)
    }
}

/// The members of one object seen so far, by name, each with what its last occurrence left:
/// a linear search while there are few, an index once there are many, so that no payload
/// costs quadratic time.
struct Seen<'de, T> {
    members: Vec<(Cow<'de, str>, T)>,
    index: Option<HashMap<Cow<'de, str>, usize>>,
}

impl<T> Default for Seen<'_, T> {
    fn default() -> Self {
        Self {
            members: Vec::new(),
            index: None,
        }
    }
}

impl<'de, T> Seen<'de, T> {
    /// Records `value` for `name`; what an earlier occurrence of `name` left, if there was one.
    fn replace(&mut self, name: Cow<'de, str>, value: T) -> Option<T> {
        let earlier = match &mut self.index {
            None if self.members.len() < 16 => self.members.iter().position(|(k, _)| *k == name),
            index => {
                let members = &self.members;
                let index = index.get_or_insert_with(|| {
                    members.iter().map(|(k, _)| k.clone()).zip(0..).collect()
                });
                index.get(&name).copied()
            }
        };
        match earlier.and_then(|i| self.members.get_mut(i)) {
            Some((_, last)) => Some(std::mem::replace(last, value)),
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(name.clone(), self.members.len());
                }
                self.members.push((name, value));
                None
            }
        }
    }
}
