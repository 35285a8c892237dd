//! The wire-form comparison of the strict check: a received payload against the re-encoding of
//! its typed value.
//!
//! The re-encoding holds every documented field in its documented wire form, so a difference is
//! a wire-form fault (an integer where the documents send a string), and a member only the
//! received payload has is undocumented; `null` for an optional field is the same as its
//! absence. The received payload is walked as it is parsed, without building a `Value` of it.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::Violation;

/// What the comparison found.
#[derive(Default)]
pub(super) struct Found {
    pub(super) violations: Vec<Violation>,
    pub(super) undocumented: Vec<String>,
}

/// Compares the JSON `received` with `written`, the re-encoding of its typed value.
pub(super) fn compare(
    received: &str,
    written: &Value,
    found: &mut Found,
) -> serde_json::Result<()> {
    let mut de = serde_json::Deserializer::from_str(received);
    Against {
        written,
        path: &mut String::new(),
        found,
    }
    .deserialize(&mut de)?;
    de.end()
}

/// One received value, compared with its written form as it is read.
struct Against<'w, 'p> {
    written: &'w Value,
    path: &'p mut String,
    found: &'p mut Found,
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
    let len = path.len();
    path.push('/');
    if key.contains(['~', '/']) {
        path.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        path.push_str(key);
    }
    let out = f(path);
    path.truncate(len);
    out
}

/// Runs `f` with the array index `i` appended to the JSON pointer `path`.
fn item<T>(path: &mut String, i: usize, f: impl FnOnce(&mut String) -> T) -> T {
    use std::fmt::Write;
    let len = path.len();
    // Writing to a `String` cannot fail.
    let _ = write!(path, "/{i}");
    let out = f(path);
    path.truncate(len);
    out
}

impl<'de> DeserializeSeed<'de> for Against<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
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
                None => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !more {
                break;
            }
            len += 1;
        }
        if len != written.len() {
            self.differs(format_args!("{len} items"));
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(written) = self.written.as_object() else {
            let received = Value::deserialize(MapAccessDeserializer::new(map))?;
            self.differs(received);
            return Ok(());
        };
        // What each member added to `found`, so that a repeated member can take back what the
        // earlier one added: in a `Value`, and for a schema validator, the last one stands.
        let mut members: Vec<(Cow<'de, str>, Marks)> = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            let start = Marks::of(self.found);
            match written.get(key.as_ref()) {
                Some(w) => member(self.path, &key, |path| {
                    map.next_value_seed(Against {
                        written: w,
                        path,
                        found: self.found,
                    })
                })?,
                None => {
                    if !map.next_value::<Null>()?.0 {
                        member(self.path, &key, |path| {
                            self.found.undocumented.push(path.clone())
                        });
                    }
                }
            }
            let repeated = members.iter().position(|(k, _)| *k == key);
            members.push((key, start.to(self.found)));
            if let Some(i) = repeated {
                let (_, earlier) = members.remove(i);
                self.found.take_back(&earlier, &mut members);
            }
        }
        Ok(())
    }
}

/// Where one member's findings sit in `Found`: `[start, end)` of each list.
#[derive(Clone, Copy)]
struct Marks {
    violations: (usize, usize),
    undocumented: (usize, usize),
}

impl Marks {
    /// The start of a member's findings; its end is set by [`Marks::to`].
    fn of(found: &Found) -> Self {
        let (v, u) = (found.violations.len(), found.undocumented.len());
        Self {
            violations: (v, v),
            undocumented: (u, u),
        }
    }

    fn to(mut self, found: &Found) -> Self {
        self.violations.1 = found.violations.len();
        self.undocumented.1 = found.undocumented.len();
        self
    }
}

impl Found {
    /// Removes the findings of a member that a later one of the same name replaces, and moves
    /// the marks of the members after it.
    fn take_back(&mut self, marks: &Marks, members: &mut [(Cow<'_, str>, Marks)]) {
        let (vs, ve) = marks.violations;
        let (us, ue) = marks.undocumented;
        self.violations.drain(vs..ve);
        self.undocumented.drain(us..ue);
        for (_, later) in members.iter_mut() {
            if later.violations.0 >= ve {
                later.violations.0 -= ve - vs;
                later.violations.1 -= ve - vs;
            }
            if later.undocumented.0 >= ue {
                later.undocumented.0 -= ue - us;
                later.undocumented.1 -= ue - us;
            }
        }
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

/// Whether a value is `null`, read and dropped.
struct Null(bool);

impl<'de> Deserialize<'de> for Null {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IsNull;
        impl<'de> Visitor<'de> for IsNull {
            type Value = bool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<bool, E> {
                Ok(true)
            }
            fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_str<E>(self, _: &str) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| false)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
                IgnoredAny.visit_map(map).map(|_| false)
            }
        }
        deserializer.deserialize_any(IsNull).map(Null)
    }
}
