//! Conformance of the `iotxfer` types with the vendor documents.
//!
//! The example corpus, the exported JSON Schemas and the `iotxfer` command arrive with the
//! conformance work; until then this crate only pins the dependency on `iotxfer`.

pub use iotxfer;
