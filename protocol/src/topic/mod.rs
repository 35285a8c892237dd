//! Topic names: the rules every generated topic struct shares.
//!
//! A topic is a security boundary: a parameter that holds `/`, `+` or `#` would address, or
//! subscribe to, topics of other devices. Builders and parsers therefore refuse any parameter
//! that is empty or holds `/`, `+`, `#` or NUL, and any topic longer than MQTT's 65,535 bytes.

mod param;

use std::fmt;

pub(crate) use param::Param;

/// Which way a topic's messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Device to platform.
    Up,
    /// Platform to device.
    Down,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Up => "device → platform",
            Self::Down => "platform → device",
        })
    }
}

/// One level of a topic pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A level written as is: `thing`, `$oc`.
    Literal(&'static str),
    /// A parameter filling the whole level, by name: `gateway_sn`.
    Param(&'static str),
}

/// A typed MQTT topic: every generated topic struct implements it.
pub trait Topic: Sized + fmt::Display {
    /// The pattern as the documents write it: `thing/product/{gateway_sn}/events`.
    const PATTERN: &'static str;
    /// The subscription filter that matches every topic of the pattern: `thing/product/+/events`.
    const FILTER: &'static str;
    /// Which way the topic's messages travel.
    const DIRECTION: Direction;
    /// The pattern's levels, for the shared checks.
    const LEVELS: &'static [Level];

    /// Parses a topic name, checking every parameter as [`new`](Self) does.
    fn parse(topic: &str) -> Result<Self, TopicError>;
}

/// Why a topic could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    /// A parameter is empty.
    #[error("topic parameter `{param}` is empty")]
    Empty {
        /// The parameter's name.
        param: &'static str,
    },
    /// A parameter holds a character that no topic level may hold.
    #[error("topic parameter `{param}` contains {found}, which a topic level cannot hold")]
    Forbidden {
        /// The parameter's name.
        param: &'static str,
        /// The first such character.
        found: Forbidden,
    },
    /// The topic is longer than MQTT allows.
    #[error("the topic would be {len} bytes; MQTT allows at most {MAX_TOPIC_LEN}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// No pattern of the definitions has the topic's literal levels.
    #[error("no topic pattern of the definitions matches the topic")]
    Unknown,
    /// The topic is not of this pattern.
    #[error("the topic does not match the pattern `{pattern}`")]
    NoMatch {
        /// The pattern it was matched against.
        pattern: &'static str,
    },
}

/// A character that no topic parameter may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// `/`, the level separator.
    Slash,
    /// `+`, the single-level wildcard.
    Plus,
    /// `#`, the multi-level wildcard.
    Hash,
    /// U+0000, which MQTT forbids in any string.
    Nul,
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Slash => "`/`",
            Self::Plus => "`+`",
            Self::Hash => "`#`",
            Self::Nul => "NUL",
        })
    }
}

/// The longest topic MQTT can carry: its length is a 16-bit prefix.
pub const MAX_TOPIC_LEN: usize = 65_535;

fn check_param(param: &'static str, value: &str) -> Result<(), TopicError> {
    if value.is_empty() {
        return Err(TopicError::Empty { param });
    }
    let found = value.bytes().find_map(|b| match b {
        b'/' => Some(Forbidden::Slash),
        b'+' => Some(Forbidden::Plus),
        b'#' => Some(Forbidden::Hash),
        0 => Some(Forbidden::Nul),
        _ => None,
    });
    match found {
        Some(found) => Err(TopicError::Forbidden { param, found }),
        None => Ok(()),
    }
}

/// Checks parameter values, given in pattern order, and the length of the topic they make.
pub(crate) fn check<T: Topic>(values: &[&str]) -> Result<(), TopicError> {
    let mut len = T::LEVELS.len().saturating_sub(1);
    let mut values = values.iter();
    for level in T::LEVELS {
        match level {
            Level::Literal(text) => len += text.len(),
            Level::Param(name) => {
                let value = values.next().copied().unwrap_or_default();
                check_param(name, value)?;
                len += value.len();
            }
        }
    }
    if len > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong { len });
    }
    Ok(())
}

/// The levels of a topic name, split at `/`.
///
/// Topics are a few dozen bytes, and a plain byte loop splits them several times faster than
/// `str::split`'s searcher, which is built for long haystacks.
struct Split<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == b'/') {
            Some(i) => {
                // `/` is ASCII, so both sides of it are on character boundaries.
                let (level, tail) = rest.split_at(i);
                self.rest = tail.get(1..);
                Some(level)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

fn levels(topic: &str) -> Split<'_> {
    Split { rest: Some(topic) }
}

/// A topic name cut into its levels, allocating nothing.
pub(crate) struct Levels<'a> {
    parts: [&'a str; crate::generated::MAX_LEVELS],
    count: usize,
    len: usize,
}

impl<'a> Levels<'a> {
    /// Splits `topic`; `None` when it has more levels than any pattern.
    pub(crate) fn of(topic: &'a str) -> Option<Self> {
        let mut parts = [""; crate::generated::MAX_LEVELS];
        let mut count = 0;
        for part in levels(topic) {
            *parts.get_mut(count)? = part;
            count += 1;
        }
        Some(Self {
            parts,
            count,
            len: topic.len(),
        })
    }

    pub(crate) fn as_slice(&self) -> &[&'a str] {
        self.parts.get(..self.count).unwrap_or_default()
    }

    /// Whether the topic has the levels of `pattern`, by its literal levels.
    fn fits(&self, pattern: &[Level]) -> bool {
        let parts = self.as_slice();
        parts.len() == pattern.len()
            && pattern.iter().zip(parts).all(|(level, part)| match level {
                Level::Literal(text) => text == part,
                Level::Param(_) => true,
            })
    }

    /// Checks each parameter of a topic that fits `pattern` as a topic level, and the topic's
    /// length; hands the parameters to `put` in pattern order.
    fn checked(&self, pattern: &[Level], mut put: impl FnMut(&'a str)) -> Result<(), TopicError> {
        for (level, part) in pattern.iter().zip(self.as_slice()) {
            if let Level::Param(name) = level {
                check_param(name, part)?;
                put(part);
            }
        }
        if self.len > MAX_TOPIC_LEN {
            return Err(TopicError::TooLong { len: self.len });
        }
        Ok(())
    }

    /// The `N` parameters, in pattern order, of a topic whose literal levels are those of `T`.
    pub(crate) fn params<T: Topic, const N: usize>(&self) -> Result<[&'a str; N], TopicError> {
        let mut params = [""; N];
        let mut slots = params.iter_mut();
        self.checked(T::LEVELS, |part| {
            if let Some(slot) = slots.next() {
                *slot = part;
            }
        })?;
        Ok(params)
    }
}

/// Matches `topic` against the pattern of `T`: its levels, for [`Levels::params`].
///
/// The literal levels are matched first, so a topic of another pattern is `NoMatch` whatever its
/// parameters hold.
pub(crate) fn matching<T: Topic>(topic: &str) -> Result<Levels<'_>, TopicError> {
    Levels::of(topic)
        .filter(|levels| levels.fits(T::LEVELS))
        .ok_or(TopicError::NoMatch {
            pattern: T::PATTERN,
        })
}

/// The pattern `topic` is a valid topic of, by its index in `TOPICS`. Splits the topic once and
/// allocates nothing.
pub(crate) fn route(topic: &str) -> Option<usize> {
    let levels = Levels::of(topic)?;
    let index = crate::generated::pattern_of(levels.as_slice())?;
    let pattern = crate::TOPICS.get(index)?.levels;
    levels.checked(pattern, |_| ()).ok().map(|()| index)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Forbidden, Levels, TopicError, check_param};

    proptest! {
        /// The byte loops that check a parameter and split a topic agree with reading the text
        /// one character at a time.
        #[test]
        fn byte_loops_agree_with_a_plain_reading(text in "[a/+#\u{0}é]{0,40}") {
            let first = text.chars().find_map(|c| match c {
                '/' => Some(Forbidden::Slash),
                '+' => Some(Forbidden::Plus),
                '#' => Some(Forbidden::Hash),
                '\0' => Some(Forbidden::Nul),
                _ => None,
            });
            let expected = match first {
                _ if text.is_empty() => Err(TopicError::Empty { param: "p" }),
                Some(found) => Err(TopicError::Forbidden { param: "p", found }),
                None => Ok(()),
            };
            prop_assert_eq!(check_param("p", &text), expected);
            let split: Vec<&str> = text.split('/').collect();
            let levels = Levels::of(&text);
            let max = crate::generated::MAX_LEVELS;
            let expected = (split.len() <= max).then_some(&split[..]);
            prop_assert_eq!(levels.as_ref().map(Levels::as_slice), expected);
        }
    }
}
