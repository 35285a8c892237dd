//! Wire-level helpers shared by the generated enums.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

/// A value that the documents do not define, kept as it was received.
///
/// Only decoding makes one (through an enum's `from_wire`), so a documented value can never
/// hide in an `Unknown` variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Undocumented<T>(T);

impl<T> Undocumented<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(value)
    }

    /// The value as received.
    pub fn get(&self) -> &T {
        &self.0
    }
}

impl<T: fmt::Display> fmt::Display for Undocumented<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Reads a string, borrowed when the input allows it, and maps it.
pub(crate) fn deserialize_str<'de, D, T>(
    deserializer: D,
    map: impl FnOnce(&str) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Str<F>(F);
    impl<'de, F: FnOnce(&str) -> T, T> Visitor<'de> for Str<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.0)(v))
        }
    }
    deserializer.deserialize_str(Str(map))
}

/// Reads an integer, or a string that holds one: documents and devices send some integer
/// enums as strings (DJI `module` is `"0"` or `"3"`).
pub(crate) fn deserialize_int<'de, D, T>(
    deserializer: D,
    map: impl FnOnce(i64) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Int<F>(F);
    impl<'de, F: FnOnce(i64) -> T, T> Visitor<'de> for Int<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, or a string holding one")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            Ok((self.0)(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            let v = i64::try_from(v)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))?;
            Ok((self.0)(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            match v.parse() {
                Ok(n) => Ok((self.0)(n)),
                Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }
    deserializer.deserialize_any(Int(map))
}
