//! Numbers sent as JSON strings (`"gimbal_yaw_degree": "-91.40"`), kept as they came.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number that travels as a JSON string in decimal notation: an optional `-`, an integer part
/// without leading zeros, and an optional fraction (`"-91.40"`, `"0"`, `"12.5"`).
///
/// The text is kept as it came, trailing zeros and all, so that a message is written back
/// exactly as it was received; [`Decimal::value`] gives the number. Reading also takes a JSON
/// number (devices that send the documented type), which the strict check then reports as the
/// wrong wire form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

/// Why a text is not a [`Decimal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a decimal number (-12.50: a sign, digits without leading zeros, a fraction)")]
pub struct NotDecimal(String);

impl Decimal {
    /// The shortest text of a finite `f64`; `None` for NaN and the infinities, which JSON
    /// cannot carry.
    pub fn from_f64(value: f64) -> Option<Self> {
        value.is_finite().then(|| Self(format!("{value}")))
    }

    /// The number, rounded to the nearest `f64`.
    pub fn value(&self) -> f64 {
        // Every decimal text is a valid `f64` literal.
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The sign, the integer digits and the fraction digits (empty without a fraction).
    fn parts(&self) -> (bool, &str, &str) {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (int, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        (negative, int, fraction)
    }

    /// Whether it is written as an integer: no fraction, and not `-0` (`"3"`, not `"3.0"`),
    /// as an `int` sent as a string must be.
    pub fn is_integer(&self) -> bool {
        let (negative, int, fraction) = self.parts();
        fraction.is_empty() && !(negative && int == "0")
    }

    /// Compares the exact value with an integer, digit by digit: `"180.0000000000000000001"`
    /// is above 180, although it rounds to 180 as an `f64`. The strict check holds a number
    /// sent as a string to its bounds so, as the JSON Schema's pattern does.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// let yaw: iotxfer::Decimal = "-91.40".parse().unwrap();
    /// assert_eq!(yaw.cmp_int(-180), Ordering::Greater);
    /// ```
    pub fn cmp_int(&self, bound: i64) -> Ordering {
        let (negative, int, fraction) = self.parts();
        let whole = fraction.bytes().all(|d| d == b'0');
        let magnitude = bound.unsigned_abs().to_string();
        // Integer parts have no leading zeros: the longer one is the larger.
        let beside = int
            .len()
            .cmp(&magnitude.len())
            .then_with(|| int.cmp(magnitude.as_str()))
            .then(if whole {
                Ordering::Equal
            } else {
                Ordering::Greater
            });
        let zero = int == "0" && whole;
        match (zero, negative, bound < 0) {
            (true, _, _) => 0.cmp(&bound),
            (false, false, false) => beside,
            (false, false, true) => Ordering::Greater,
            (false, true, false) => Ordering::Less,
            (false, true, true) => beside.reverse(),
        }
    }
}

/// Whether `text` is in decimal notation, as the JSON Schemas' pattern has it.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, fraction) = match digits.split_once('.') {
        Some((int, fraction)) => (int, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && (int == "0" || !int.starts_with('0')) && fraction.is_none_or(all_digits)
}

impl FromStr for Decimal {
    type Err = NotDecimal;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if is_decimal(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(NotDecimal(text.to_owned()))
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

struct DecimalVisitor;

/// What a [`Decimal`] expects, as its errors say (`wire::LIST_REFUSERS`).
pub(crate) const EXPECTING: &str = "a number in a string";

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Decimal::from_f64(v).ok_or_else(|| E::custom("a number JSON cannot carry"))
    }
}

impl crate::Contract for Decimal {}

/// The decimal notation, for the JSON Schema of a `Decimal` without bounds of its own.
#[cfg(feature = "schemars")]
const PATTERN: &str = "^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$";

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Decimal {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": PATTERN,
            "not": { "type": "string", "pattern": "\n" }
        })
    }
}

#[cfg(feature = "proptest")]
impl proptest::arbitrary::Arbitrary for Decimal {
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<Self>;

    fn arbitrary_with((): ()) -> Self::Strategy {
        crate::arbitrary::decimal(None, false)
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Greater, Less};

    use super::Decimal;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn reads_the_decimal_notation_only() {
        for good in ["0", "-0", "-91.40", "12.5", "100", "0.000"] {
            assert!(good.parse::<Decimal>().is_ok(), "{good}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "+1", "1e5", " 1", "1\n", "0x1", "--1", "1.2.3",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn compares_exactly_with_integers() {
        assert_eq!(d("180.0000000000000000001").cmp_int(180), Greater);
        assert_eq!(d("180.000").cmp_int(180), Equal);
        assert_eq!(d("-180.5").cmp_int(-180), Less);
        assert_eq!(d("-179.9").cmp_int(-180), Greater);
        assert_eq!(d("-0.0").cmp_int(0), Equal);
        assert_eq!(d("-0.1").cmp_int(0), Less);
        assert_eq!(d("5").cmp_int(-3), Greater);
        assert_eq!(d("99999999999999999999").cmp_int(i64::MAX), Greater);
        assert_eq!(d("-9223372036854775808").cmp_int(i64::MIN), Equal);
    }

    #[test]
    fn keeps_its_text() {
        let value: Decimal = serde_json::from_str("\"-91.40\"").unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"-91.40\"");
        assert_eq!(value.value(), -91.4);
        let number: Decimal = serde_json::from_str("-91.4").unwrap();
        assert_eq!(number.as_str(), "-91.4");
        assert!(!d("-0").is_integer() && d("3").is_integer() && !d("3.0").is_integer());
    }
}
