//! "Did you mean": the known name nearest to a misspelt one.

/// The known name nearest to `name`, when one is near enough to be the name meant: at most a
/// third of its characters (and at least one) differ, a swap of neighbours counting once, case
/// aside.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let name = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&name, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k)
}

/// The help line for an unknown `name`: the nearest known name, else every known name.
pub fn help(name: &str, known: &[&str]) -> String {
    match closest(name, known) {
        Some(k) => format!("did you mean `{k}`?"),
        None if known.is_empty() => "none is defined".to_owned(),
        None => {
            let known: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            format!("expected one of {}", known.join(", "))
        }
    }
}

/// What a serde "unknown" message names: a key, or a value of a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    Field,
    Variant,
}

/// The misspelt name and the names allowed, from a serde "unknown field" or "unknown variant"
/// message: ``unknown field `optinal`, expected one of `type`, `items` `` (or
/// ``expected `doc` ``, or ``expected `up` or `down` ``).
pub fn unknown_name(message: &str) -> Option<(Unknown, &str, Vec<&str>)> {
    let (what, rest) = if let Some(rest) = message.strip_prefix("unknown field `") {
        (Unknown::Field, rest)
    } else {
        (Unknown::Variant, message.strip_prefix("unknown variant `")?)
    };
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    let known = expected.split('`').skip(1).step_by(2).collect();
    Some((what, name, known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_name_is_suggested_and_a_far_one_is_not() {
        let known = ["optional", "unit", "type"];
        assert_eq!(closest("optinal", &known), Some("optional"));
        assert_eq!(closest("unti", &known), Some("unit"));
        assert_eq!(closest("TYPE", &known), Some("type"));
        assert_eq!(closest("colour", &known), None);
        assert_eq!(
            help("colour", &known),
            "expected one of `optional`, `unit`, `type`"
        );
        assert_eq!(
            help("servics", &["services", "events"]),
            "did you mean `services`?"
        );
        assert_eq!(help("x", &[]), "none is defined");
    }

    #[test]
    fn serde_unknown_messages_are_read() {
        assert_eq!(
            unknown_name("unknown field `optinal`, expected one of `type`, `optional`"),
            Some((Unknown::Field, "optinal", vec!["type", "optional"]))
        );
        assert_eq!(
            unknown_name("unknown field `dok`, expected `doc`"),
            Some((Unknown::Field, "dok", vec!["doc"]))
        );
        assert_eq!(
            unknown_name("unknown variant `upp`, expected `up` or `down`"),
            Some((Unknown::Variant, "upp", vec!["up", "down"]))
        );
        assert_eq!(unknown_name("missing field `doc`"), None);
    }
}
