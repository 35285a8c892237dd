//! Reading a pattern of the subset into a [`Node`], or saying where it leaves the subset.
//!
//! The subset is ASCII literals, escaped syntax characters, classes of ASCII characters and
//! ranges (never negated), groups, alternation, and the repeats `?`, `*`, `+`, `{n}`, `{n,}`,
//! `{n,m}`. It leaves out everything the engines disagree on: `.` (which line breaks it
//! stops at), `\d` `\w` `\s` `\b` (ASCII in ECMA-262, Unicode in the others), anchors and
//! `$` (Python's matches before a final line feed; the schema anchors every pattern itself),
//! `{,m}` (a literal in ECMA-262), lazy and nested repeats, look-around, back-references,
//! flags and negated classes (UTF-16 units against code points). Such a pattern matches ASCII
//! only, never a line feed, and means the same in each engine.

/// Why a pattern is outside the subset, and where (a byte offset into it).
#[derive(Debug, PartialEq)]
pub struct Fault {
    pub at: usize,
    pub reason: String,
}

/// The largest count of a repeat: beyond it, engines' size limits differ.
const MAX_REPEAT: u32 = 1000;

/// Characters that must be escaped to stand for themselves; each may be escaped anywhere.
const SYNTAX: &str = "^$\\.*+?()[]{}|/";

/// What a pattern of the subset matches, a byte at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// One byte of a set: bit `b` for the ASCII byte `b`.
    Set(u128),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    /// At least `min`, at most `max` (no limit when `None`) in a row.
    Repeat(Box<Node>, u32, Option<u32>),
}

/// Whether `node` holds a repeat of a varying count (`*`, `+`, `{1,3}`): repeating it again
/// would let a backtracking engine split a text in exponentially many ways.
fn repeats(node: &Node) -> bool {
    match node {
        Node::Set(_) => false,
        Node::Concat(items) | Node::Alt(items) => items.iter().any(repeats),
        Node::Repeat(item, min, max) => *max != Some(*min) || repeats(item),
    }
}

/// The most bytes a pattern may spell out once its counts are: a bound on the automaton's
/// size, whatever the nesting (`(?:x{1000}){1000}` spells a million).
const MAX_SPELLED: u64 = 10_000;

/// How many byte sets `node` spells out, its counts multiplied out (an unbounded repeat
/// counts once more than its minimum).
fn spelled(node: &Node) -> u64 {
    match node {
        Node::Set(_) => 1,
        Node::Concat(items) | Node::Alt(items) => items.iter().map(spelled).sum(),
        Node::Repeat(item, min, max) => {
            let count = u64::from(max.unwrap_or(min + 1).max(1));
            spelled(item).saturating_mul(count)
        }
    }
}

/// Reads `pattern`, which must be in the subset.
pub fn parse(pattern: &str) -> Result<Node, Fault> {
    let mut parser = Parser {
        text: pattern.as_bytes(),
        at: 0,
    };
    let node = parser.alternation()?;
    if spelled(&node) > MAX_SPELLED {
        return Err(Fault {
            at: 0,
            reason: format!(
                "the pattern spells out more than {MAX_SPELLED} characters once its counts are \
                 multiplied out"
            ),
        });
    }
    match parser.peek() {
        None => Ok(node),
        Some(b')') => Err(parser.fault("a `)` without its `(`")),
        Some(_) => Err(parser.fault("unexpected character")),
    }
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn fault(&self, reason: impl Into<String>) -> Fault {
        Fault {
            at: self.at,
            reason: reason.into(),
        }
    }

    /// Branches separated by `|`, none empty.
    fn alternation(&mut self) -> Result<Node, Fault> {
        let mut branches = Vec::new();
        loop {
            let Some(branch) = self.sequence()? else {
                return Err(self.fault("an empty alternative (`||`, `(|`, or `|` at an end)"));
            };
            branches.push(branch);
            if self.peek() != Some(b'|') {
                return Ok(match branches.len() {
                    1 => branches.remove(0),
                    _ => Node::Alt(branches),
                });
            }
            self.at += 1;
        }
    }

    /// Items, each perhaps repeated; `None` when there is none.
    fn sequence(&mut self) -> Result<Option<Node>, Fault> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if matches!(c, b'|' | b')') {
                break;
            }
            let item = self.item()?;
            items.push(self.repeat(item)?);
        }
        Ok(match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Node::Concat(items)),
        })
    }

    fn item(&mut self) -> Result<Node, Fault> {
        let c = self.peek().unwrap_or_default();
        let byte = |b: u8| Node::Set(1 << b);
        match c {
            b'(' => self.group(),
            b'[' => self.class(),
            b'\\' => self.escape(false).map(byte),
            b'.' => Err(self.fault(
                "`.` stops at different line breaks in each engine: write the class it means",
            )),
            b'^' | b'$' => Err(self.fault(
                "anchors are implicit: the whole value must match, so leave out `^` and `$`",
            )),
            b'?' | b'*' | b'+' | b'{' => Err(self.fault("a repeat of nothing")),
            b']' | b'}' => Err(self.fault(format!("escape `{}` as `\\{}`", c as char, c as char))),
            _ => self.literal().map(byte),
        }
    }

    fn literal(&mut self) -> Result<u8, Fault> {
        let c = self.peek().unwrap_or_default();
        if !(0x20..0x7f).contains(&c) {
            return Err(self.fault(
                "only printable ASCII characters: classes and line breaks differ beyond them",
            ));
        }
        self.at += 1;
        Ok(c)
    }

    /// `\` and a syntax character (or `-` in a class); the character it stands for.
    fn escape(&mut self, in_class: bool) -> Result<u8, Fault> {
        self.at += 1;
        match self.peek() {
            Some(c) if SYNTAX.as_bytes().contains(&c) || (in_class && c == b'-') => {
                self.at += 1;
                Ok(c)
            }
            Some(c) if c.is_ascii_alphanumeric() => Err(self.fault(format!(
                "`\\{}` means different things in each engine: write the class it means",
                c as char
            ))),
            _ => Err(self.fault(format!(
                "only syntax characters ({SYNTAX}, and `-` in a class) may be escaped"
            ))),
        }
    }

    fn group(&mut self) -> Result<Node, Fault> {
        self.at += 1;
        if self.peek() == Some(b'?') {
            if self.text.get(self.at + 1) != Some(&b':') {
                return Err(self.fault("only `(?:` groups: no look-around, names or flags"));
            }
            self.at += 2;
        }
        let inner = self.alternation()?;
        if self.peek() != Some(b')') {
            return Err(self.fault("a `(` without its `)`"));
        }
        self.at += 1;
        Ok(inner)
    }

    /// `[...]`: characters and ranges, not negated.
    fn class(&mut self) -> Result<Node, Fault> {
        self.at += 1;
        if self.peek() == Some(b'^') {
            return Err(
                self.fault("no negated classes: engines count characters beyond ASCII differently")
            );
        }
        let mut set = 0;
        loop {
            match self.peek() {
                None => return Err(self.fault("a `[` without its `]`")),
                Some(b']') if set != 0 => {
                    self.at += 1;
                    return Ok(Node::Set(set));
                }
                Some(b']') => return Err(self.fault("an empty class")),
                Some(_) => set |= self.class_item()?,
            }
        }
    }

    /// One character of a class, or a range of two, as a set.
    fn class_item(&mut self) -> Result<u128, Fault> {
        let low = self.class_char()?;
        if self.peek() != Some(b'-') {
            return Ok(1 << low);
        }
        self.at += 1;
        let start = self.at;
        let high = self.class_char()?;
        if high < low {
            return Err(Fault {
                at: start,
                reason: format!(
                    "the range `{}-{}` runs backwards",
                    low as char, high as char
                ),
            });
        }
        Ok((low..=high).fold(0, |set, b| set | 1 << b))
    }

    fn class_char(&mut self) -> Result<u8, Fault> {
        match self.peek() {
            Some(b'\\') => self.escape(true),
            Some(c @ (b'[' | b']' | b'-' | b'^')) => Err(self.fault(format!(
                "escape `{}` in a class as `\\{}`",
                c as char, c as char
            ))),
            None => Err(self.fault("a `[` without its `]`")),
            Some(c @ (b'&' | b'~')) if self.text.get(self.at + 1) == Some(&c) => {
                Err(self.fault(format!(
                    "`{0}{0}` in a class is an operator in Rust's regex: write `{0}` once",
                    c as char
                )))
            }
            Some(_) => self.literal(),
        }
    }

    /// `item` with the repeat that follows it, if any; a second one is refused.
    fn repeat(&mut self, item: Node) -> Result<Node, Fault> {
        let start = self.at;
        let (min, max) = match self.peek() {
            Some(b'?') => (0, Some(1)),
            Some(b'*') => (0, None),
            Some(b'+') => (1, None),
            Some(b'{') => self.counted()?,
            _ => return Ok(item),
        };
        if max != Some(1) && repeats(&item) {
            // A varying repeat inside a repeat: `(a+)+`; `(?:[A-Z]{2})+` is fine.
            let reason = "no repeat of what repeats (`(a+)+`): validators that backtrack take \
                          exponential time on it";
            return Err(Fault {
                at: start,
                reason: reason.to_owned(),
            });
        }
        // One byte: the repeat, or the `}` that `counted` stops at.
        self.at += 1;
        if matches!(self.peek(), Some(b'?' | b'*' | b'+' | b'{')) {
            return Err(self.fault("no lazy or repeated repeats: put a group in between"));
        }
        Ok(Node::Repeat(Box::new(item), min, max))
    }

    /// `{n}`, `{n,}` or `{n,m}`, up to its closing `}`.
    fn counted(&mut self) -> Result<(u32, Option<u32>), Fault> {
        self.at += 1;
        let low = self.number()?;
        let high = match self.peek() {
            Some(b',') => {
                self.at += 1;
                if self.peek() == Some(b'}') {
                    None
                } else {
                    Some(self.number()?)
                }
            }
            _ => Some(low),
        };
        if self.peek() != Some(b'}') {
            return Err(self.fault("a repeat is `{n}`, `{n,}` or `{n,m}`"));
        }
        if high.is_some_and(|high| high < low) {
            return Err(self.fault("a repeat `{n,m}` needs n ≤ m"));
        }
        Ok((low, high))
    }

    fn number(&mut self) -> Result<u32, Fault> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = std::str::from_utf8(&self.text[start..self.at]).unwrap_or_default();
        let fault = |reason: String| Fault { at: start, reason };
        match digits.parse::<u32>() {
            Ok(n) if n <= MAX_REPEAT => Ok(n),
            Ok(_) => Err(fault(format!("a repeat counts at most {MAX_REPEAT}"))),
            Err(_) => Err(fault("a repeat is `{n}`, `{n,}` or `{n,m}`".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, parse};
    use crate::model::Layout;

    fn check(pattern: &str) -> Result<(), Fault> {
        parse(pattern).map(|_| ())
    }

    #[test]
    fn the_layouts_are_in_the_subset() {
        for layout in [Layout::LowerHex, Layout::DateTime] {
            assert_eq!(check(layout.pattern()), Ok(()), "{}", layout.as_str());
        }
    }

    #[test]
    fn portable_patterns_pass() {
        for ok in [
            "[0-9a-f]{32}",
            "(?:[A-Z]{2}|x)+",
            "a\\.b\\/c",
            "[a\\-z]",
            "https?://[a-z]+",
            "[0-9]{1,}",
            "(-[0-9]+)?",
            "(a+b)?c",
            "[a&b~]",
            "(?:[0-9]{10}){10}",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn what_engines_read_apart_is_refused() {
        for (bad, at) in [
            (".*", 0),
            ("\\d+", 1),
            ("^a$", 0),
            ("a*?", 2),
            ("[^a]", 1),
            ("(?=a)", 1),
            ("a|", 2),
            ("(a", 2),
            ("a)", 1),
            ("[z-a]", 3),
            ("é", 0),
            ("\\-", 1),
            ("a{2000}", 2),
            ("[a&&b]", 2),
            ("[a~~b]", 2),
            ("(?:a+)+b", 6),
            ("(?:a{1,2}){3}", 10),
            ("(?:[0-9]{100}){200}", 0),
            ("a{,3}", 2),
            ("]", 0),
            ("[]", 1),
        ] {
            assert_eq!(check(bad).map_err(|f| f.at), Err(at), "{bad}");
        }
    }
}
