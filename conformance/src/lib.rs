//! Conformance of the `iotxfer` types with the vendor documents and with the exported JSON
//! Schemas.
//!
//! - [`corpus`]: every example of the vendor documents, byte for byte, with its errata.
//! - [`schemas`]: the JSON Schemas of every message and topic, as committed in `schema/json/`
//!   (and in draft-07, `schema/draft-07/`); [`export`] writes and compares such files.
//! - [`asyncapi`]: the AsyncAPI 3 documents of each vendor, as committed in `schema/asyncapi/`.
//! - [`capture`] and [`verdict`]: `iotxfer check`, one verdict per line of captured traffic.
//! - [`checker`]: what `check` and `watch` share: messages judged alone, then conversations
//!   followed across them, printed as text, JSON or a JUnit report ([`junit`]), with the
//!   [`incident`]s of a live watch (messages the broker connection or the broker lost).
//! - [`rules`]: `iotxfer rules`, the conversation rules as tables.
//! - [`report`]: `iotxfer report`, the corpus against its recorded verdicts.
//! - [`Validators`]: those schemas compiled once with the `jsonschema` crate, an independent
//!   judge of the verdicts that `iotxfer::check` gives.

pub mod asyncapi;
pub mod capture;
pub mod checker;
pub mod corpus;
pub mod export;
pub mod incident;
pub mod junit;
pub mod report;
pub mod rules;
pub mod schemas;
pub mod verdict;

pub use schemas::Validators;

/// A concrete topic of a pattern, every parameter filled with `value`.
pub fn topic_of(pattern: &str, value: &str) -> String {
    pattern
        .split('/')
        .map(|level| {
            if level.starts_with('{') && level.ends_with('}') {
                value
            } else {
                level
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
