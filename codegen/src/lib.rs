//! Code generation for the `iotxfer` crate.
//!
//! Runs at build time from `protocol/build.rs`: it loads the TOML definitions under `schema/`,
//! checks them (collecting every fault, each with its file, line and column), and emits the
//! Rust source of the typed protocol.
//!
//! The library never writes Cargo directives and never touches the file system except to read
//! the definitions: [`generate`] returns the source text and the list of files it read, and the
//! build script decides what to do with them.

mod codes;
mod diagnostics;
mod emit;
mod ir;
mod load;
mod model;
mod naming;
mod resolve;
mod subset;
mod suggest;

use std::path::{Path, PathBuf};

pub use codes::Code;
pub use diagnostics::{Diagnostic, Diagnostics};

/// What [`generate`] produces.
#[derive(Debug)]
pub struct Output {
    /// The generated Rust source, formatted, with an `@generated` header.
    pub code: String,
    /// Every definition file that was read, for `cargo::rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
}

/// Loads, checks and compiles the definitions under `schema_dir` (`schema/<vendor>/*.toml`).
pub fn generate(schema_dir: &Path) -> Result<Output, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut inputs = Vec::new();
    let dirs = load::load(schema_dir, &mut diags, &mut inputs);
    // A file that could not be read is left out, with what depends on it; the rest is still
    // resolved, so that the faults of independent files are all reported at once.
    let faulty = diags.iter().map(|d| d.file).collect();
    let dirs = load::readable(dirs, &faulty);
    let protocol = resolve::resolve(&dirs, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Output {
        code: emit::emit(&protocol),
        inputs,
    })
}

/// Writes `contents` to `path` unless the file already holds exactly that, so an unchanged
/// output keeps its timestamp and does not trigger rebuilds.
pub fn write_if_changed(path: &Path, contents: &str) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    std::fs::write(path, contents)?;
    Ok(true)
}
