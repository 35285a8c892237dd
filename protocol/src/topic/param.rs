//! The value of a topic parameter, as a topic struct holds it.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A topic parameter's value. Serial numbers, device names and product ids are short, so one
/// that fits is held inline: reading a topic then allocates nothing, where two `String`s cost
/// a tenth of decoding a short Tencent report.
#[derive(Clone)]
pub(crate) enum Param {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

/// The longest value held inline: the enum is then as large as a `String`.
const INLINE: usize = 22;

impl Param {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Only whole `str`s are copied in, so the bytes are always UTF-8.
            Self::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Heap(text) => text,
        }
    }
}

impl From<&str> for Param {
    fn from(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Heap(text.into()),
        }
    }
}

impl From<String> for Param {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::from(text.as_str())
        } else {
            Self::Heap(text.into_boxed_str())
        }
    }
}

impl PartialEq for Param {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Param {}

impl Hash for Param {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{INLINE, Param};

    #[test]
    fn short_values_are_inline_and_every_value_reads_back() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 300] {
            let text = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let from_str = Param::from(text.as_str());
            let from_string = Param::from(text.clone());
            assert_eq!(from_str.as_str(), text);
            assert_eq!(from_str, from_string);
            assert_eq!(
                matches!(from_str, Param::Inline { .. }),
                text.len() <= INLINE
            );
            assert_eq!(format!("{from_str:?}"), format!("{text:?}"));
        }
        assert_eq!(size_of::<Param>(), size_of::<String>());
    }
}
