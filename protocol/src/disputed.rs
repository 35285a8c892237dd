//! Values whose wire form a vendor's document and its own reference implementation disagree on.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::{Contract, Violation};

/// A value that the vendor's document writes one way and the vendor's own reference
/// implementation another (DJI documents firmware step `current_step` as `"download_firmware"`;
/// DJI's cloud demo, which talks to real docks, reads `1`). Devices send both, so both are valid;
/// the variant tells which form arrived, and each is written back as it came.
///
/// A value is read as the document writes it whenever it can be, else as the implementation
/// writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Disputed<D, I> {
    /// The form of the vendor's document.
    Documented(D),
    /// The form of the vendor's reference implementation.
    Implemented(I),
}

impl<D: Serialize, I: Serialize> Serialize for Disputed<D, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Documented(value) => value.serialize(serializer),
            Self::Implemented(value) => value.serialize(serializer),
        }
    }
}

impl<'de, D: DeserializeOwned, I: DeserializeOwned> Deserialize<'de> for Disputed<D, I> {
    fn deserialize<De: Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        deserializer.deserialize_any(Either(PhantomData))
    }
}

/// Reads any JSON value and judges it inside the visitor, so that a refusal is raised while
/// the value is read and serde_json places it there: the error path of a typed payload is
/// found from that place (`locate`). Such values are scalars; reading one twice costs nothing
/// worth a buffer of our own.
struct Either<D, I>(PhantomData<fn() -> (D, I)>);

impl<D: DeserializeOwned, I: DeserializeOwned> Either<D, I> {
    fn judge<E: de::Error>(value: Value) -> Result<Disputed<D, I>, E> {
        let value = integral(value);
        let documented = match D::deserialize(&value) {
            Ok(read) => return Ok(Disputed::Documented(read)),
            Err(e) => e,
        };
        I::deserialize(&value)
            .map(Disputed::Implemented)
            .map_err(|implemented| {
                E::custom(format_args!(
                    "neither the documented form ({documented}) nor the reference \
                 implementation's ({implemented})"
                ))
            })
    }
}

/// `3.0` as `3`: JSON Schema's `integer` takes a number without a fraction, so an integer
/// form does too, as every `int` field of the crate does.
fn integral(value: Value) -> Value {
    match value.as_f64() {
        Some(f) if value.is_f64() && f.fract() == 0.0 && f.abs() < 9.2e18 => Value::from(f as i64),
        _ => value,
    }
}

impl<'de, D: DeserializeOwned, I: DeserializeOwned> Visitor<'de> for Either<D, I> {
    type Value = Disputed<D, I>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::judge(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::judge(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::judge(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::judge(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::judge(Value::from(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Self::judge(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::judge(Value::deserialize(SeqAccessDeserializer::new(seq))?)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Self::judge(Value::deserialize(MapAccessDeserializer::new(map))?)
    }
}

impl<D: Contract, I: Contract> Contract for Disputed<D, I> {
    fn check(&self, path: &mut String, out: &mut Vec<Violation>) {
        match self {
            Self::Documented(value) => value.check(path, out),
            Self::Implemented(value) => value.check(path, out),
        }
    }
}

#[cfg(feature = "schemars")]
impl<D: schemars::JsonSchema, I: schemars::JsonSchema> schemars::JsonSchema for Disputed<D, I> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("{}_or_{}", D::schema_name(), I::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [generator.subschema_for::<D>(), generator.subschema_for::<I>()]
        })
    }
}

#[cfg(feature = "proptest")]
impl<D, I> proptest::arbitrary::Arbitrary for Disputed<D, I>
where
    D: proptest::arbitrary::Arbitrary + 'static,
    I: proptest::arbitrary::Arbitrary + 'static,
{
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<Self>;

    fn arbitrary_with((): ()) -> Self::Strategy {
        use proptest::prelude::*;
        prop_oneof![
            any::<D>().prop_map(Self::Documented),
            any::<I>().prop_map(Self::Implemented),
        ]
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::Disputed;
    use crate::Decimal;

    fn read<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_scalar_form_is_read_as_the_document_writes_it_when_it_can_be() {
        let number: Disputed<f64, Decimal> = read("-91.4");
        assert_eq!(number, Disputed::Documented(-91.4));
        let text: Disputed<f64, Decimal> = read("\"-91.40\"");
        assert_eq!(text, Disputed::Implemented("-91.40".parse().unwrap()));
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"-91.40\"");
        let flag: Disputed<bool, i64> = read("1");
        assert_eq!(flag, Disputed::Implemented(1));
        let flag: Disputed<i64, bool> = read("true");
        assert_eq!(flag, Disputed::Implemented(true));
    }

    #[test]
    fn an_integer_form_takes_a_number_without_a_fraction() {
        let count: Disputed<i64, Decimal> = read("3.0");
        assert_eq!(count, Disputed::Documented(3));
        let count: Result<Disputed<i64, bool>, _> =
            serde_json::from_str::<Disputed<i64, bool>>("3.5");
        assert!(count.is_err());
    }
}
