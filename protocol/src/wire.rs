//! Wire-level helpers shared by the generated code.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serializer};

/// A value that the documents do not define, kept as it was received.
///
/// Only decoding makes one (through an enum's `from_wire`), so a documented value can never
/// hide in an `Undocumented` variant.
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

/// Reads a string, borrowed when the input allows it, and maps it. A refusal by `map` is
/// raised while the string is read, so serde_json places it at the string: the error path of
/// a typed payload is found from that place (`locate`).
pub(crate) fn deserialize_str<'de, D, T>(
    deserializer: D,
    map: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Str<F>(F);
    impl<F: FnOnce(&str) -> Result<T, String>, T> Visitor<'_> for Str<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Str(map))
}

/// What the visitors that read through `deserialize_any` expect, as their errors say. serde_json
/// hands such a visitor a list once it has read the `[`, so when one refuses a list, reading
/// stops just inside it, where a list whose first item is refused stops too: `locate` tells the
/// two apart by this text.
pub(crate) const LIST_REFUSERS: [&str; 3] = [INT, INT_OR_STRING, crate::decimal::EXPECTING];
const INT: &str = "an integer";
const INT_OR_STRING: &str = "an integer, or a string holding one";

/// A JSON number read as an `i64`: integers, and numbers without a fraction (`1.0`), which JSON
/// Schema's `integer` accepts too.
struct Int;

impl Visitor<'_> for Int {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(INT)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // serde_json hands over an integer literal outside the i64 range as the nearest f64, so
        // -2^63 as an f64 may stand for any literal from -9223372036854776832 to
        // -9223372036854775809, none of which is an i64 (the literal -9223372036854775808 itself
        // arrives through `visit_i64`). Only -2^63 < v < 2^63 is read, where every integral f64
        // converts exactly; 2^63 and above are out of range anyway.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if v.fract() == 0.0 && -LIMIT < v && v < LIMIT {
            Ok(v as i64)
        } else if v == -LIMIT {
            Err(E::custom(
                "a number at or below the 64-bit minimum -9223372036854775808 that cannot be \
                 read exactly: an integer literal below it, or a float that rounds to it",
            ))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

/// `deserialize_with` for an `int` field.
pub(crate) fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(Int)
}

/// `deserialize_with` for an optional `int` field: absent and `null` are `None`.
pub(crate) fn optional_int<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    struct OptionalInt;
    impl<'de> Visitor<'de> for OptionalInt {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            int(deserializer).map(Some)
        }
    }
    deserializer.deserialize_option(OptionalInt)
}

/// `deserialize_with` for an `int` sent as a string: reads `"10"`, and `10` too.
// Emitted for a required `int` with `wire = "string"`; today's definitions have only optional ones.
#[allow(dead_code)]
pub(crate) fn int_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserialize_int(deserializer, |n| n)
}

/// `deserialize_with` for an optional `int` sent as a string: absent and `null` are `None`.
pub(crate) fn optional_int_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    Option::<IntText>::deserialize(deserializer).map(|v| v.map(|IntText(n)| n))
}

/// An integer read from a string or a number.
struct IntText(i64);

impl<'de> Deserialize<'de> for IntText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_int(deserializer, IntText)
    }
}

/// `serialize_with` for an `int` sent as a string.
// Emitted for a required `int` with `wire = "string"`; today's definitions have only optional ones.
#[allow(dead_code)]
pub(crate) fn int_as_string<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// `serialize_with` for an optional `int` sent as a string; `None` is skipped by the field.
pub(crate) fn optional_int_as_string<S: Serializer>(
    value: &Option<i64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
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
    struct IntOrString<F>(F);
    impl<F: FnOnce(i64) -> T, T> Visitor<'_> for IntOrString<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(INT_OR_STRING)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            Ok((self.0)(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            Int.visit_u64(v).map(self.0)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            Int.visit_f64(v).map(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            match v.parse() {
                Ok(n) => Ok((self.0)(n)),
                Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }
    deserializer.deserialize_any(IntOrString(map))
}

/// `deserialize_with` for the list of events whose items hold the bodies (Huawei `services`):
/// each item is read from a JSON object only, where serde would also read a struct from a JSON
/// array. The discriminator head reads the two discriminators of an item from an object, or
/// from an array of exactly two; with events read from objects only, a payload whose typed list
/// decodes (with one event at least) has a head that decodes too, so a one-pass decode gives
/// what the head, then the body, give.
pub(crate) fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Items<T>(PhantomData<fn() -> T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            while let Some(ObjectOnly(item)) = seq.next_element()? {
                items.push(item);
            }
            Ok(items)
        }
    }
    deserializer.deserialize_seq(Items(PhantomData))
}

/// A struct read from a JSON object only.
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(Objects(deserializer)).map(ObjectOnly)
    }
}

/// A deserializer that reads a struct as a map, so a JSON array is refused (as "invalid type:
/// sequence, expected struct ..."); it is only ever asked for a struct.
struct Objects<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    /// A required `int` sent as a string, as the generator writes one.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Required {
        #[serde(
            serialize_with = "super::int_as_string",
            deserialize_with = "super::int_or_string"
        )]
        n: i64,
    }

    #[test]
    fn a_required_string_int_reads_both_forms_and_writes_a_string() {
        let from_text: Required = serde_json::from_str(r#"{"n":"-5"}"#).unwrap();
        let from_number: Required = serde_json::from_str(r#"{"n":-5}"#).unwrap();
        assert_eq!(from_text, Required { n: -5 });
        assert_eq!(from_number, from_text);
        assert_eq!(serde_json::to_string(&from_text).unwrap(), r#"{"n":"-5"}"#);
        assert!(serde_json::from_str::<Required>(r#"{"n":"x"}"#).is_err());
        assert!(serde_json::from_str::<Required>(r#"{"n":null}"#).is_err());
    }
}
