//! The one-pass decode's guess at a payload's discriminators, by plain text search.
//!
//! Only a guess: the typed payload of the message it names checks every discriminator, and a
//! wrong guess costs one failed decode, after which the payload is read head then body.

/// The values the discriminators `keys` (quoted member names: `"method"`) seem to have: for
/// each, the string after its name and a colon; `None` when the payload does not start as an
/// object, a name occurs nowhere, or a value is not a string without escapes.
///
/// Each name is looked for first where it is expected: the first discriminator as the first
/// member of the payload, or with `in_events` of its first event (where the discriminators sit
/// in each event of a list), and each next one as the member after the one before. Vendors
/// write them so, and finding them there reads a few bytes. Elsewhere a name is searched for:
/// its last occurrence (a discriminator written last, after the body), or its first with
/// `in_events` (the list of events comes before their bodies).
pub(crate) fn tags<'a, const K: usize>(
    text: &'a str,
    keys: [&str; K],
    in_events: bool,
) -> Option<[&'a str; K]> {
    let object = space(text).strip_prefix('{')?;
    let mut previous: Option<&str> = None;
    let mut tags = [""; K];
    for (tag, key) in tags.iter_mut().zip(keys) {
        let expected = match previous {
            None => first_member(object, in_events),
            Some(rest) => space(rest).strip_prefix(',').map(space),
        };
        let after = match expected.and_then(|member| member.strip_prefix(key)) {
            Some(after) => after,
            None => {
                let at = find(text.as_bytes(), key.as_bytes(), in_events)?;
                text.get(at + key.len()..)?
            }
        };
        let (value, rest) = string_value(after)?;
        *tag = value;
        previous = Some(rest);
    }
    Some(tags)
}

/// The text from the first member of an object (given after its `{`), or with `in_events` of
/// the object after the first `[` byte (which may sit in a string: then the guess searches).
fn first_member(mut object: &str, in_events: bool) -> Option<&str> {
    if in_events {
        let list = object.bytes().position(|b| b == b'[')?;
        object = space(object.get(list + 1..)?).strip_prefix('{')?;
    }
    Some(space(object))
}

/// A member's value when it is a string without escapes, and the text after it: the text after
/// a member name is `: "value"…`.
fn string_value(after_name: &str) -> Option<(&str, &str)> {
    let value = space(space(after_name).strip_prefix(':')?).strip_prefix('"')?;
    let end = value.bytes().position(|b| b == b'"' || b == b'\\')?;
    let closed = value.as_bytes().get(end) == Some(&b'"');
    Some((value.get(..end).filter(|_| closed)?, value.get(end + 1..)?))
}

/// `text` past its leading JSON whitespace (RFC 8259 §2: space, tab, line feed and carriage
/// return, and no other).
pub(crate) fn space(text: &str) -> &str {
    let blank = text
        .bytes()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(text.len());
    // Only ASCII bytes are skipped, so the rest starts on a character boundary.
    text.get(blank..).unwrap_or_default()
}

/// Where `needle`, a quoted member name (so two bytes at least), first (`first`) or last occurs
/// in `haystack`. Payloads are short, so a byte loop that stops at each occurrence of the
/// needle's first byte beats setting up a general substring search; that byte is a quote, so
/// the byte after it is compared before the rest.
fn find(haystack: &[u8], needle: &[u8], first: bool) -> Option<usize> {
    let (&start, second) = (needle.first()?, needle.get(1));
    let occurs = |i: usize| {
        haystack.get(i + 1) == second
            && haystack
                .get(i..)
                .is_some_and(|rest| rest.starts_with(needle))
    };
    if first {
        let mut from = 0;
        while let Some(i) = haystack.get(from..)?.iter().position(|&b| b == start) {
            if occurs(from + i) {
                return Some(from + i);
            }
            from += i + 1;
        }
    } else {
        let mut end = haystack.len();
        while let Some(i) = haystack.get(..end)?.iter().rposition(|&b| b == start) {
            if occurs(i) {
                return Some(i);
            }
            end = i;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{space, tags};

    const KEYS: [&str; 2] = ["\"service_id\"", "\"event_type\""];

    #[test]
    fn discriminators_are_read_where_expected_and_searched_for_elsewhere() {
        // The first member, then the next one.
        let first = r#"{"type":"a","name":"x"}"#;
        assert_eq!(tags(first, ["\"type\""], false), Some(["a"]));
        // Written last: the last occurrence counts, not a nested one before it.
        let last = r#"{"data":{"method":"b"}, "method" : "a"}"#;
        assert_eq!(tags(last, ["\"method\""], false), Some(["a"]));
        // In the first event, in order, spaced.
        let events =
            "{\"id\":\"d\",\"services\":[ {\n\"service_id\" :\"s\",\t\"event_type\": \"e\"}]}";
        assert_eq!(tags(events, KEYS, true), Some(["s", "e"]));
        // In the first event, out of order: each is searched for from the start.
        let swapped = r#"{"services":[{"event_type":"e","x":1,"service_id":"s"}]}"#;
        assert_eq!(tags(swapped, KEYS, true), Some(["s", "e"]));
        // A `[` before the list: the expected place is wrong, and the search finds the names.
        let bracket = r#"{"id":"[{","services":[{"service_id":"s","event_type":"e"}]}"#;
        assert_eq!(tags(bracket, KEYS, true), Some(["s", "e"]));
    }

    #[test]
    fn no_guess_without_a_plain_string_value_or_an_object() {
        assert_eq!(tags(r#"{"type":"a\u0062"}"#, ["\"type\""], false), None);
        assert_eq!(tags(r#"{"type":1}"#, ["\"type\""], false), None);
        assert_eq!(tags(r#"{"type":"open"#, ["\"type\""], false), None);
        assert_eq!(tags(r#"{"name":"x"}"#, ["\"type\""], false), None);
        assert_eq!(tags(r#"["type","a"]"#, ["\"type\""], false), None);
        // Only JSON's own whitespace leads an object.
        assert_eq!(tags("\u{a0}{\"type\":\"a\"}", ["\"type\""], false), None);
        assert_eq!(space(" \t\r\n\u{a0}x"), "\u{a0}x");
    }
}
