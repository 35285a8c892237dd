//! Regular expressions for the JSON Schemas: integers and decimals sent as strings.
//!
//! Every pattern sticks to the subset that every common engine reads alike (classes, counted
//! repeats, alternation, `^` and `$`; no look-around, no `\z`), so that a schema loads in
//! ECMA-262 (ajv), Python's `re`, RE2 (Go) and the Rust validators. Python's `$` also matches
//! before a final line feed, so `"50\n"` would pass `^[0-9]+$` there; [`NO_LINE_FEED`] closes
//! that hole beside every pattern.

pub use crate::ir::STRING_INT_LIMIT;

/// A pattern that finds a line feed anywhere: the schemas refuse a pattern-checked text that
/// matches it (`"not": {"type": "string", "pattern": NO_LINE_FEED}`). No pattern here admits a
/// line feed, so the verdict of an engine whose `$` matches only at the end is unchanged.
pub const NO_LINE_FEED: &str = "\n";

/// A pattern for the canonical decimal form (no `+`, no leading zeros, no `-0`) of exactly the
/// integers `min..=max`, which must lie within ±[`STRING_INT_LIMIT`].
pub fn int_range(min: i64, max: i64) -> String {
    debug_assert!(-STRING_INT_LIMIT <= min && min <= max && max <= STRING_INT_LIMIT);
    let mut alternatives = Vec::new();
    if min < 0 {
        let (lo, hi) = (if max < 0 { -max } else { 1 }, -min);
        alternatives.extend(
            naturals(lo as u64, hi as u64)
                .into_iter()
                .map(|a| format!("-{a}")),
        );
    }
    if max >= 0 {
        alternatives.extend(naturals(min.max(0) as u64, max as u64));
    }
    match alternatives.as_slice() {
        [one] => format!("^{one}$"),
        _ => format!("^(?:{})$", alternatives.join("|")),
    }
}

/// The decimal notation, unbounded: the JSON Schema of `iotxfer::Decimal` holds the same.
pub const DECIMAL: &str = "^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$";

/// A pattern for the decimals (`-12.50`: a sign, digits without leading zeros, a fraction)
/// whose value lies in `min..=max`. An integer part below the bound takes any fraction; one
/// equal to it takes only zeros.
pub fn decimal_range(min: i64, max: i64) -> String {
    debug_assert!(-STRING_INT_LIMIT <= min && min <= max && max <= STRING_INT_LIMIT);
    let mut alternatives = Vec::new();
    if min <= 0 {
        // Magnitudes of the values at or below zero: `-0` and `-0.0` are zero.
        let low = if max < 0 { max.unsigned_abs() } else { 0 };
        alternatives.extend(
            magnitudes(low, min.unsigned_abs())
                .into_iter()
                .map(|a| format!("-{a}")),
        );
    }
    if max >= 0 {
        alternatives.extend(magnitudes(min.max(0) as u64, max as u64));
    }
    format!("^(?:{})$", alternatives.join("|"))
}

/// Alternatives for the unsigned decimals from `lo` to `hi`, both integers.
fn magnitudes(lo: u64, hi: u64) -> Vec<String> {
    let mut out = Vec::new();
    if lo < hi {
        let parts = naturals(lo, hi - 1);
        let below = match parts.as_slice() {
            [one] => one.clone(),
            _ => format!("(?:{})", parts.join("|")),
        };
        out.push(format!("{below}(?:\\.[0-9]+)?"));
    }
    out.push(format!("{hi}(?:\\.0+)?"));
    out
}

/// Alternatives for `lo..=hi`, a digit count at a time. A run of digit counts that holds every
/// number of each (every 2- to 18-digit number) becomes one counted repeat.
fn naturals(lo: u64, hi: u64) -> Vec<String> {
    let mut out = Vec::new();
    // The first digit count of the run in progress.
    let mut run: Option<u32> = None;
    for digits in digits_of(lo)..=digits_of(hi) {
        let (first, last) = (smallest(digits), 10u64.pow(digits) - 1);
        let (from, to) = (lo.max(first), hi.min(last));
        // A run never leads with 0, so one digit joins a run as 1 to 9, and 0 to 9 stands alone.
        let whole = to == last && (from == first.max(1));
        if whole {
            run.get_or_insert(digits);
            continue;
        }
        if let Some(start) = run.take() {
            out.push(counted(start, digits - 1));
        }
        if (from, to) == (0, 9) {
            out.push("[0-9]".to_owned());
        } else {
            out.extend(same_length(&from.to_string(), &to.to_string()));
        }
    }
    if let Some(start) = run {
        out.push(counted(start, digits_of(hi)));
    }
    out
}

/// Every number of `from` to `to` digits: a non-zero digit, then the rest.
fn counted(from: u32, to: u32) -> String {
    if from == to {
        format!("[1-9]{}", any_digits(from - 1))
    } else {
        format!("[1-9][0-9]{{{},{}}}", from - 1, to - 1)
    }
}

fn digits_of(n: u64) -> u32 {
    n.checked_ilog10().unwrap_or(0) + 1
}

/// The smallest number with `digits` digits: 0 for one digit.
fn smallest(digits: u32) -> u64 {
    if digits == 1 {
        0
    } else {
        10u64.pow(digits - 1)
    }
}

/// Alternatives for the digit strings from `lo` to `hi`, both of the same length.
fn same_length(lo: &str, hi: &str) -> Vec<String> {
    let (Some(a), Some(b)) = (lo.chars().next(), hi.chars().next()) else {
        return vec![String::new()];
    };
    let (rest_lo, rest_hi) = (&lo[1..], &hi[1..]);
    if a == b {
        return prefixed(a, same_length(rest_lo, rest_hi));
    }
    let rest = rest_lo.len() as u32;
    let mut out = Vec::new();
    let low_whole = rest_lo.bytes().all(|d| d == b'0');
    let high_whole = rest_hi.bytes().all(|d| d == b'9');
    let mut start = a;
    if !low_whole {
        out.extend(prefixed(
            a,
            same_length(rest_lo, &"9".repeat(rest as usize)),
        ));
        start = next(a);
    }
    let end = if high_whole { b } else { previous(b) };
    if start <= end {
        out.push(format!("{}{}", class(start, end), any_digits(rest)));
    }
    if !high_whole {
        out.extend(prefixed(
            b,
            same_length(&"0".repeat(rest as usize), rest_hi),
        ));
    }
    out
}

fn prefixed(digit: char, rests: Vec<String>) -> Vec<String> {
    rests.into_iter().map(|r| format!("{digit}{r}")).collect()
}

fn next(digit: char) -> char {
    char::from(digit as u8 + 1)
}

fn previous(digit: char) -> char {
    char::from(digit as u8 - 1)
}

fn class(start: char, end: char) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("[{start}-{end}]")
    }
}

/// `count` digits of any value.
fn any_digits(count: u32) -> String {
    match count {
        0 => String::new(),
        1 => "[0-9]".to_owned(),
        n => format!("[0-9]{{{n}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the anchored alternation `pattern` matches `text`, read by a tiny matcher for the
    /// subset emitted here (so the test needs no regex engine).
    fn matches(pattern: &str, text: &str) -> bool {
        let body = pattern
            .strip_prefix('^')
            .and_then(|p| p.strip_suffix('$'))
            .unwrap();
        let body = body
            .strip_prefix("(?:")
            .and_then(|b| b.strip_suffix(')'))
            .unwrap_or(body);
        body.split('|')
            .any(|alt| whole(&atoms(alt), text.as_bytes()))
    }

    /// (lowest byte, highest byte, fewest, most) per atom.
    fn atoms(alt: &str) -> Vec<(u8, u8, usize, usize)> {
        let b = alt.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let (lo, hi) = if b[i] == b'[' {
                i += 5;
                (b[i - 4], b[i - 2])
            } else {
                i += 1;
                (b[i - 1], b[i - 1])
            };
            let (mut few, mut most) = (1, 1);
            if b.get(i) == Some(&b'{') {
                let end = i + alt[i..].find('}').unwrap();
                let counts: Vec<usize> = alt[i + 1..end]
                    .split(',')
                    .map(|n| n.parse().unwrap())
                    .collect();
                (few, most) = (counts[0], *counts.last().unwrap());
                i = end + 1;
            }
            out.push((lo, hi, few, most));
        }
        out
    }

    fn whole(atoms: &[(u8, u8, usize, usize)], text: &[u8]) -> bool {
        let Some(&(lo, hi, few, most)) = atoms.first() else {
            return text.is_empty();
        };
        (few..=most).any(|n| {
            text.len() >= n
                && text[..n].iter().all(|c| (lo..=hi).contains(c))
                && whole(&atoms[1..], &text[n..])
        })
    }

    fn agrees(min: i64, max: i64, probes: impl IntoIterator<Item = i64>) {
        let pattern = int_range(min, max);
        for n in probes {
            assert_eq!(
                matches(&pattern, &n.to_string()),
                (min..=max).contains(&n),
                "{n} against {pattern} for {min}..={max}"
            );
        }
        for text in ["", "-", "-0", "+1", "00", "01", " 1", "1 ", "1\n"] {
            assert!(!matches(&pattern, text), "{text:?} matched {pattern}");
        }
    }

    /// Whether the value of `text` lies in `min..=max`, read exactly.
    fn decimal_in(text: &str, min: i64, max: i64) -> bool {
        let value: f64 = text.parse().unwrap();
        (min as f64..=max as f64).contains(&value)
    }

    #[test]
    fn decimal_ranges() {
        assert_eq!(
            decimal_range(-180, 180),
            "^(?:-(?:[0-9]|[1-9][0-9]|1[0-7][0-9])(?:\\.[0-9]+)?|-180(?:\\.0+)?|\
             (?:[0-9]|[1-9][0-9]|1[0-7][0-9])(?:\\.[0-9]+)?|180(?:\\.0+)?)$"
        );
        assert_eq!(decimal_range(0, 0), "^(?:-0(?:\\.0+)?|0(?:\\.0+)?)$");
        let probes = [
            "0", "-0", "0.5", "-0.5", "179.99", "180", "180.0", "180.01", "-180.00", "-180.5", "5",
            "-5", "4.999", "-4.999", "12", "99.9",
        ];
        for (min, max) in [(-180, 180), (-5, -1), (0, 100), (5, 12), (-3, 0)] {
            let pattern = decimal_range(min, max);
            for probe in probes {
                let inside = decimal_in(probe, min, max);
                assert_eq!(
                    decimal_matches(&pattern, probe),
                    inside,
                    "{probe} against {pattern}"
                );
            }
        }
    }

    /// A matcher for the decimal patterns: each alternative is `-`?, an integer part of the
    /// int-range subset, then `(?:\.[0-9]+)?` (any fraction) or `(?:\.0+)?` (zeros).
    fn decimal_matches(pattern: &str, text: &str) -> bool {
        let (int, fraction) = text.split_once('.').unwrap_or((text, ""));
        let zeros = fraction.bytes().all(|b| b == b'0');
        let body = &pattern[4..pattern.len() - 2];
        split_top(body).into_iter().any(|alt| {
            let (head, any) = match alt.strip_suffix("(?:\\.[0-9]+)?") {
                Some(head) => (head, true),
                None => (alt.strip_suffix("(?:\\.0+)?").unwrap(), false),
            };
            let (sign, head) = match head.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", head),
            };
            let int_ok = match int.strip_prefix('-') {
                Some(digits) => sign == "-" && matches(&format!("^{head}$"), digits),
                None => sign.is_empty() && matches(&format!("^{head}$"), int),
            };
            int_ok && (any || zeros)
        })
    }

    /// The alternatives of `body` outside any group.
    fn split_top(body: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0, 0, Vec::new());
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                '|' if depth == 0 => {
                    out.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&body[start..]);
        out
    }

    #[test]
    fn percent() {
        assert_eq!(int_range(0, 100), "^(?:[0-9]|[1-9][0-9]|100)$");
        agrees(0, 100, -120..=1200);
    }

    #[test]
    fn the_unbounded_string_int() {
        assert_eq!(
            int_range(-STRING_INT_LIMIT, STRING_INT_LIMIT),
            "^(?:-[1-9][0-9]{0,17}|[0-9]|[1-9][0-9]{1,17})$"
        );
        let edges = [0, 1, 9, 10, 99, 100, STRING_INT_LIMIT, STRING_INT_LIMIT + 1];
        agrees(
            -STRING_INT_LIMIT,
            STRING_INT_LIMIT,
            edges.iter().flat_map(|&n| [n, -n]),
        );
    }

    #[test]
    fn ranges_of_every_shape() {
        let ranges = [
            (0, 0),
            (1, 1),
            (5, 5),
            (-5, -5),
            (1, 9),
            (3, 7),
            (7, 13),
            (10, 99),
            (11, 98),
            (0, 255),
            (17, 4321),
            (100, 199),
            (190, 1009),
            (-1, 1),
            (-100, 0),
            (-37, 12),
            (-999, -10),
            (-250, -3),
        ];
        for (min, max) in ranges {
            agrees(min, max, -1500..=5000);
        }
    }
}
