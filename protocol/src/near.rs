//! Discriminator values that are almost documented ones.
//!
//! On an open topic (DJI `events`), a method no family here defines is not covered, and rightly
//! so: other families use the topic too. But `OTA_PROGRESS`, `ota_progress ` or `ota_progres`
//! is almost surely a device bug, and passing it as "not covered" would hide it. A value that
//! differs from a documented value of the topic only by case or surrounding whitespace, or by
//! one edit (an insertion, deletion, substitution or swap of neighbours) in a value of six or
//! more characters, is reported with the value meant.

use crate::MESSAGES;

/// The shortest documented value for which one edit still counts as a typo: below it, one edit
/// turns a value into a plausible other one.
const MIN_EDIT_LEN: usize = 6;

/// A discriminator that nearly names a message of its topic.
pub(crate) struct Near<'a> {
    /// Which discriminator of the envelope is off.
    pub(crate) tag: usize,
    pub(crate) value: &'a str,
    pub(crate) documented: &'static str,
    pub(crate) message: &'static str,
}

/// The message of the topic `pattern` whose discriminators `tags` nearly are: each equal or
/// near, at least one near.
pub(crate) fn find<'a>(vendor: &str, pattern: &str, tags: &[&'a str]) -> Option<Near<'a>> {
    MESSAGES
        .iter()
        .filter(|m| m.vendor == vendor && m.topic == pattern && m.tags.len() == tags.len())
        .find_map(|m| {
            let pairs = || tags.iter().zip(m.tags);
            let all_close = pairs()
                .all(|(value, documented)| value == documented || is_near(value, documented));
            let (tag, (value, documented)) = pairs().enumerate().find(|(_, (v, d))| *v != *d)?;
            all_close.then_some(Near {
                tag,
                value,
                documented,
                message: m.id,
            })
        })
}

/// Whether `value` is a likely typo of the different `documented`.
fn is_near(value: &str, documented: &str) -> bool {
    same_but_case_or_space(value, documented)
        || (documented.chars().count() >= MIN_EDIT_LEN
            && strsim::osa_distance(value, documented) == 1)
}

fn same_but_case_or_space(value: &str, documented: &str) -> bool {
    let trimmed = value.trim();
    trimmed.chars().count() == documented.chars().count()
        && trimmed
            .chars()
            .zip(documented.chars())
            .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
}

/// How `value` differs from `documented`, to end a sentence.
pub(crate) fn how(value: &str, documented: &str) -> &'static str {
    if same_but_case_or_space(value, documented) {
        "differs from only by case or surrounding whitespace"
    } else {
        "differs from by one character"
    }
}

#[cfg(test)]
mod tests {
    use super::is_near;

    #[test]
    fn case_whitespace_and_one_edit_are_near() {
        for value in [
            "OTA_PROGRESS",
            "ota_progress ",
            " Ota_Progress\t",
            "ota_progres",
            "ota_progresss",
            "ota_prgoress",
            "ota-progress",
        ] {
            assert!(is_near(value, "ota_progress"), "{value}");
        }
        assert!(is_near("$file_manager ", "$file_manager"));
        assert!(is_near("TYPE", "type"), "case counts at any length");
    }

    #[test]
    fn further_values_and_short_ones_are_not() {
        for value in [
            "ota_create",
            "ota_prog",
            "progress_ota",
            "ota__progresss",
            "",
        ] {
            assert!(!is_near(value, "ota_progress"), "{value}");
        }
        // One edit in a short value is as likely another word as a typo.
        assert!(!is_near("done", "fone"));
        assert!(!is_near("ota", "otb"));
    }
}
