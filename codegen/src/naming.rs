//! Rust names from wire names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (2024 edition, strict and reserved) that need the `r#` form as identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers at all.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// `fileupload_list` → `fileupload_list`; `$file_manager` → `file_manager`; `Type` → `type`.
pub fn field_name(wire: &str) -> String {
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    cleaned.to_snake_case()
}

/// `ota_progress` → `OtaProgress`; `DOWNLOAD_FAILED` → `DownloadFailed`.
pub fn type_name(wire: &str) -> String {
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let lowered = if cleaned.chars().any(|c| c.is_ascii_lowercase()) {
        cleaned
    } else {
        cleaned.to_ascii_lowercase()
    };
    lowered.to_upper_camel_case()
}

/// Whether `name` can be a Rust identifier, possibly in raw form.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !NOT_RAW.contains(&name)
}

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}
/// `at` and one more JSON pointer segment, the member `key`, with `~` and `/` escaped as
/// RFC 6901 says.
pub fn pointer_key(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_segments_escape_tilde_and_slash() {
        assert_eq!(pointer_key("", "tid"), "/tid");
        assert_eq!(pointer_key("/data", "a/b~c"), "/data/a~1b~0c");
    }
}
