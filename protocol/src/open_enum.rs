//! What every enum of the definitions shares: serde in its wire form, the contract, the JSON
//! Schema (feature `schemars`) and arbitrary values (feature `proptest`). The generated code
//! holds only what the definitions say of each enum (its values, names and description) and
//! calls [`open_enum!`] for the rest.

use std::fmt::Write;

use crate::Violation;

/// How the values of an enum travel.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// As strings (`"in_progress"`).
    Str,
    /// As JSON integers (`3`).
    Int,
    /// Integers, as strings (`"3"`).
    IntString,
}

/// A value as it travels.
pub(crate) enum Value<'a> {
    Str(&'a str),
    Int(i64),
}

/// An enum of the definitions: its documented values by name, any other value kept.
pub(crate) trait OpenEnum: Sized + Clone + std::fmt::Debug + 'static {
    /// The Rust name, which the JSON Schema uses too.
    const NAME: &'static str;
    /// The description in the JSON Schema: the enum's doc and a line per value.
    #[cfg(feature = "schemars")]
    const DESCRIPTION: &'static str;
    const WIRE: Wire;
    /// Whether a value the documents do not list breaks the contract.
    const EXHAUSTIVE: bool;
    fn documented() -> &'static [Self];
    fn value(&self) -> Value<'_>;
    fn known(&self) -> bool;
    /// What a wire value is read from: `str` or `i64`.
    type Raw: ?Sized + Raw;
    /// Reads a wire value; a value the documents do not define becomes `Undocumented`.
    fn read(raw: &Self::Raw) -> Self;
}

/// What the values of an enum are read from, and how.
pub(crate) trait Raw {
    fn deserialize<'de, D: serde::Deserializer<'de>, T>(
        deserializer: D,
        read: impl FnOnce(&Self) -> T,
    ) -> Result<T, D::Error>;

    /// Values other than the documented ones, for an incomplete table.
    #[cfg(feature = "proptest")]
    fn others<T: std::fmt::Debug + 'static>(
        read: fn(&Self) -> T,
    ) -> proptest::strategy::BoxedStrategy<T>;
}

impl Raw for str {
    fn deserialize<'de, D: serde::Deserializer<'de>, T>(
        deserializer: D,
        read: impl FnOnce(&str) -> T,
    ) -> Result<T, D::Error> {
        crate::wire::deserialize_str(deserializer, |value| Ok(read(value)))
    }

    #[cfg(feature = "proptest")]
    fn others<T: std::fmt::Debug + 'static>(
        read: fn(&str) -> T,
    ) -> proptest::strategy::BoxedStrategy<T> {
        use proptest::strategy::Strategy;
        "\\PC{0,12}".prop_map(move |s: String| read(&s)).boxed()
    }
}

impl Raw for i64 {
    fn deserialize<'de, D: serde::Deserializer<'de>, T>(
        deserializer: D,
        read: impl FnOnce(&i64) -> T,
    ) -> Result<T, D::Error> {
        crate::wire::deserialize_int(deserializer, |n| read(&n))
    }

    #[cfg(feature = "proptest")]
    fn others<T: std::fmt::Debug + 'static>(
        read: fn(&i64) -> T,
    ) -> proptest::strategy::BoxedStrategy<T> {
        use proptest::strategy::Strategy;
        const LIMIT: i64 = crate::check::STRING_INT_LIMIT;
        crate::arbitrary::string_int(-LIMIT, LIMIT)
            .prop_map(move |n| read(&n))
            .boxed()
    }
}

/// The impls of an enum that implements [`OpenEnum`].
macro_rules! open_enum {
    ($ty:ty) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                crate::open_enum::serialize(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                crate::open_enum::deserialize(deserializer)
            }
        }

        /// The value as it travels: `in_progress`, `3`.
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                crate::open_enum::display(self, f)
            }
        }

        impl crate::Contract for $ty {
            fn check(
                &self,
                path: &mut ::std::string::String,
                out: &mut ::std::vec::Vec<crate::Violation>,
            ) {
                crate::open_enum::check(self, path, out)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $ty {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(<$ty as crate::open_enum::OpenEnum>::NAME)
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                crate::open_enum::schema::<$ty>()
            }
        }

        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for $ty {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;

            fn arbitrary_with((): ()) -> Self::Strategy {
                crate::open_enum::arbitrary::<$ty>()
            }
        }
    };
}
pub(crate) use open_enum;

pub(crate) fn display<E: OpenEnum>(value: &E, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match value.value() {
        Value::Str(s) => f.write_str(s),
        Value::Int(n) => write!(f, "{n}"),
    }
}

pub(crate) fn serialize<E: OpenEnum, S: serde::Serializer>(
    value: &E,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match (value.value(), E::WIRE) {
        (Value::Str(s), _) => serializer.serialize_str(s),
        (Value::Int(n), Wire::IntString) => serializer.collect_str(&n),
        (Value::Int(n), _) => serializer.serialize_i64(n),
    }
}

pub(crate) fn deserialize<'de, E: OpenEnum, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<E, D::Error> {
    E::Raw::deserialize(deserializer, E::read)
}

/// A value as JSON, in its wire form: strings, integers sent as strings, or integers.
fn json(value: Value<'_>, wire: Wire) -> serde_json::Value {
    match (value, wire) {
        (Value::Str(s), _) => s.into(),
        (Value::Int(n), Wire::IntString) => n.to_string().into(),
        (Value::Int(n), _) => n.into(),
    }
}

/// A received value in a violation: a string with its escapes shown, so that an invisible
/// character cannot pass for a documented value.
fn shown(value: Value<'_>, wire: Wire) -> String {
    match value {
        Value::Str(s) => format!("{s:?}"),
        Value::Int(_) => json(value, wire).to_string(),
    }
}

/// An undocumented value of a complete table is a violation; an integer sent as a string is
/// held to the 18 digits of its pattern either way.
pub(crate) fn check<E: OpenEnum>(value: &E, path: &str, out: &mut Vec<Violation>) {
    if E::EXHAUSTIVE {
        if !value.known() {
            out.push(Violation::new(path, undocumented(value)));
        }
    } else if let (Value::Int(n), Wire::IntString) = (value.value(), E::WIRE) {
        crate::check::string_int(n, path, out);
    }
}

fn undocumented<E: OpenEnum>(value: &E) -> String {
    let mut reason = format!(
        "`{}` is not a documented value of `{}`; the documents define ",
        shown(value.value(), E::WIRE),
        E::NAME
    );
    for (i, v) in E::documented().iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        // Writing to a `String` cannot fail.
        let _ = write!(reason, "{sep}`{}`", json(v.value(), E::WIRE));
    }
    reason
}

#[cfg(feature = "schemars")]
pub(crate) fn schema<E: OpenEnum>() -> schemars::Schema {
    let ty = match E::WIRE {
        Wire::Int => "integer",
        Wire::Str | Wire::IntString => "string",
    };
    let description = E::DESCRIPTION;
    if E::EXHAUSTIVE {
        let values: Vec<serde_json::Value> = E::documented()
            .iter()
            .map(|v| json(v.value(), E::WIRE))
            .collect();
        return schemars::json_schema!({ "description": description, "type": ty, "enum": values });
    }
    match E::WIRE {
        Wire::IntString => schemars::json_schema!({
            "description": description,
            "type": "string",
            "pattern": crate::STRING_INT_PATTERN,
            "not": { "type": "string", "pattern": "\n" },
        }),
        Wire::Int => schemars::json_schema!({
            "description": description,
            "type": "integer",
            "minimum": i64::MIN,
            "maximum": i64::MAX,
        }),
        Wire::Str => schemars::json_schema!({ "description": description, "type": "string" }),
    }
}

/// Documented values; for an incomplete table, other values too.
#[cfg(feature = "proptest")]
pub(crate) fn arbitrary<E: OpenEnum>() -> proptest::strategy::BoxedStrategy<E> {
    use proptest::prelude::*;
    let documented = proptest::sample::select(E::documented());
    if E::EXHAUSTIVE {
        return documented.boxed();
    }
    let other = E::Raw::others(E::read);
    prop_oneof![documented, other].boxed()
}
