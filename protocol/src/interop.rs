//! Where the strict check is stricter than JSON Schema: JSON that a schema validator reads as a
//! valid instance but that breaks the interoperability rules of RFC 8259 and I-JSON (RFC 7493).
//! Two readers may see two different messages in such a payload, so it is refused, with a
//! reason that names the rule. The README lists these exceptions.

use std::fmt::Write;

/// The rule a parse fault breaks, for the faults that only this crate refuses; `None` for a
/// plain syntax or type fault. serde_json tells its faults apart by message only, so the
/// tests hold each message this matches.
fn rule(message: &str) -> Option<&'static str> {
    const RULES: [(&[&str], &str); 3] = [
        (
            &["number out of range"],
            "a number beyond the range of a 64-bit float: RFC 8259 §6 lets a reader limit \
             numbers, and I-JSON (RFC 7493 §2.2) asks for numbers that a double holds",
        ),
        (
            &[
                "lone leading surrogate",
                "unexpected end of hex escape",
                "invalid unicode code point",
            ],
            "a string escape that is not Unicode text (an unpaired surrogate such as \
             `\\ud800`): RFC 8259 §8.2 makes its reading unpredictable, and I-JSON \
             (RFC 7493 §2.1) forbids it",
        ),
        (
            &["recursion limit exceeded"],
            "arrays and objects nested deeper than 128 levels: RFC 8259 §9 lets a reader \
             limit nesting, and this one stops at 128",
        ),
    ];
    RULES
        .iter()
        .find(|(messages, _)| messages.iter().any(|m| message.starts_with(m)))
        .map(|(_, rule)| *rule)
}

/// What a serde_json fault says, with the rule it breaks where it is one of the exceptions.
pub(crate) fn reason(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match rule(&message) {
        Some(rule) => {
            let mut out = rule.to_owned();
            let _ = write!(out, " ({message})");
            out
        }
        None => message,
    }
}

/// A member name that occurs twice in one object.
pub(crate) fn duplicate(name: &str) -> String {
    format!(
        "the member `{}` occurs more than once: RFC 8259 §4 leaves repeated names undefined \
         (readers keep the first, the last, or both), and I-JSON (RFC 7493 §2.3) forbids them",
        name.escape_debug()
    )
}

#[cfg(test)]
mod tests {
    use super::reason;

    fn fault(json: &str) -> String {
        let e = serde_json::from_str::<serde_json::Value>(json).unwrap_err();
        reason(&e)
    }

    #[test]
    fn each_exception_names_its_rule() {
        assert!(
            fault("[1E400]").contains("RFC 7493 §2.2"),
            "{}",
            fault("[1E400]")
        );
        assert!(fault("-1e309").contains("RFC 7493 §2.2"));
        for lone in [
            r#"["\ud800"]"#,
            r#"["\ud800\u0041"]"#,
            r#"["\udc00"]"#,
            r#"["x\ud800y"]"#,
        ] {
            assert!(
                fault(lone).contains("RFC 7493 §2.1"),
                "{lone}: {}",
                fault(lone)
            );
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(fault(&deep).contains("RFC 8259 §9"), "{}", fault(&deep));
    }

    #[test]
    fn plain_faults_keep_their_message() {
        assert_eq!(fault("[1,]"), "trailing comma at line 1 column 4");
    }
}
