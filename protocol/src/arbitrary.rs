//! Strategies for the generated `Arbitrary` impls (feature `proptest`): values that keep the
//! documented contract, kept small so that property tests stay fast.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

/// Any value of `T`, boxed: the strategy of a field whose type is a struct or enum.
pub(crate) fn any<T: Arbitrary + 'static>() -> BoxedStrategy<T> {
    proptest::arbitrary::any::<T>().boxed()
}

/// The values `build` makes of the values of the field strategies `fields`.
pub(crate) fn build<S: Strategy + 'static, T: std::fmt::Debug>(
    fields: S,
    build: impl Fn(S::Value) -> T + 'static,
) -> BoxedStrategy<T> {
    fields.prop_map(build).boxed()
}

/// How far past its lower bound a generated text or array may grow.
const SPREAD: usize = 6;

/// Any `i64`, the bounds and zero more often than chance would pick them.
pub(crate) fn any_int() -> BoxedStrategy<i64> {
    int(None, None)
}

/// Any finite `f64`.
pub(crate) fn any_float() -> BoxedStrategy<f64> {
    float(None, None)
}

/// Any short text.
pub(crate) fn any_text() -> BoxedStrategy<String> {
    text(None, None, None)
}

pub(crate) fn int(min: Option<i64>, max: Option<i64>) -> BoxedStrategy<i64> {
    match (min, max) {
        (Some(min), Some(max)) => (min..=max).boxed(),
        (Some(min), None) => prop_oneof![Just(min), min..=i64::MAX].boxed(),
        (None, Some(max)) => prop_oneof![Just(max), i64::MIN..=max].boxed(),
        (None, None) => prop_oneof![Just(0), Just(i64::MIN), Just(i64::MAX), any::<i64>()].boxed(),
    }
}

/// Integers that an `int` sent as a string may hold: its range, which is at most 18 digits.
pub(crate) fn string_int(min: i64, max: i64) -> BoxedStrategy<i64> {
    prop_oneof![Just(min), Just(max), min..=max].boxed()
}

pub(crate) fn float(min: Option<f64>, max: Option<f64>) -> BoxedStrategy<f64> {
    match (min, max) {
        (Some(min), Some(max)) => (min..=max).boxed(),
        (Some(min), None) => (min..=min + 1e12).boxed(),
        (None, Some(max)) => (max - 1e12..=max).boxed(),
        // Finite values only: JSON has no NaN or infinity.
        (None, None) => prop_oneof![
            Just(0.0),
            -1e12..1e12,
            prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        ]
        .boxed(),
    }
}

/// A small JSON object, for a free-form field.
pub(crate) fn json() -> BoxedStrategy<serde_json::Value> {
    prop::collection::btree_map(
        "[a-z_]{1,8}",
        prop_oneof![
            any::<bool>().prop_map(serde_json::Value::from),
            "\\PC{0,8}".prop_map(serde_json::Value::from),
            any::<i32>().prop_map(serde_json::Value::from)
        ],
        0..3,
    )
    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect()))
    .boxed()
}

/// Lengths count characters, as the contract does. A `pattern` (of the portable subset,
/// unanchored) shapes the text: a class repeated (`[0-9a-f]*`) gets the lengths directly, any
/// other is generated from and held to them.
pub(crate) fn text(
    min: Option<usize>,
    max: Option<usize>,
    pattern: Option<&'static str>,
) -> BoxedStrategy<String> {
    let low = min.unwrap_or(0);
    let high = max.unwrap_or(usize::MAX).min(low + SPREAD);
    let class = match pattern {
        None => "\\PC",
        Some(p) => match p.strip_suffix('*') {
            Some(class) if class.starts_with('[') && class.find(']') == Some(class.len() - 1) => {
                class
            }
            _ => return shaped(p, min, max),
        },
    };
    proptest::string::string_regex(&format!("{class}{{{low},{high}}}"))
        .map(|s| s.boxed())
        .unwrap_or_else(|_| Just(String::new()).boxed())
}

/// Texts of a pattern, within the lengths.
fn shaped(pattern: &'static str, min: Option<usize>, max: Option<usize>) -> BoxedStrategy<String> {
    let fits = move |s: &String| {
        let n = s.chars().count();
        min.is_none_or(|min| n >= min) && max.is_none_or(|max| n <= max)
    };
    proptest::string::string_regex(pattern)
        .map(|s| s.prop_filter("within the lengths", fits).boxed())
        .unwrap_or_else(|_| Just(String::new()).boxed())
}

/// Numbers sent as strings: within `bounds`, integers only when `integer`.
pub(crate) fn decimal(bounds: Option<(i64, i64)>, integer: bool) -> BoxedStrategy<crate::Decimal> {
    let (min, max) = bounds.unwrap_or((-1_000_000, 1_000_000));
    let whole = prop_oneof![Just(min), Just(max), min..=max];
    // Trailing zeros too, as DJI writes `-91.40`.
    let fraction = if integer {
        Just(String::new()).boxed()
    } else {
        prop_oneof![Just(String::new()), "\\.[0-9]{1,3}"].boxed()
    };
    (whole, fraction)
        .prop_map(move |(whole, fraction)| {
            // A fraction moves the value away from zero: none at the bound it would pass.
            let edge = if whole < 0 { min } else { max };
            let fraction = if whole == edge {
                String::new()
            } else {
                fraction
            };
            format!("{whole}{fraction}").parse().expect("a decimal")
        })
        .boxed()
}

/// The values of `values` that keep the contract: for types whose fields require each other
/// (`required_when`), which field strategies alone cannot keep.
pub(crate) fn conforming<T: crate::Contract + std::fmt::Debug + 'static>(
    values: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    values
        .prop_filter("a field its siblings require", |v| {
            v.violations().is_empty()
        })
        .boxed()
}

pub(crate) fn list<T: std::fmt::Debug + 'static>(
    item: BoxedStrategy<T>,
    min: Option<usize>,
    max: Option<usize>,
) -> BoxedStrategy<Vec<T>> {
    let low = min.unwrap_or(0);
    let high = max.unwrap_or(usize::MAX).min(low + 3);
    prop::collection::vec(item, low..=high).boxed()
}

pub(crate) fn optional<T: std::fmt::Debug + 'static>(
    item: BoxedStrategy<T>,
) -> BoxedStrategy<Option<T>> {
    prop::option::of(item).boxed()
}
