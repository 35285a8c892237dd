//! Text patterns: the subset of regular expressions that Rust's `regex`, ECMA-262 (ajv, with
//! or without the `u` flag) and Python's `re` read alike, and the matcher the strict check
//! runs for each.
//!
//! The JSON Schemas carry a pattern as its text; the strict check runs a table-driven DFA
//! compiled here, at build time, so that the crate needs no regex engine and a match costs a
//! table lookup a byte.

mod dfa;
mod parse;

pub use dfa::Dfa;
pub use parse::{Fault, Node, parse};

/// Reads `pattern` and builds its matcher: where it leaves the subset, or that its matcher
/// would be too large.
pub fn compile(pattern: &str) -> Result<Dfa, Fault> {
    let node = parse(pattern)?;
    Dfa::compile(&node).ok_or_else(|| Fault {
        at: 0,
        reason: format!(
            "the pattern needs more than {} states to match",
            dfa::MAX_STATES
        ),
    })
}
