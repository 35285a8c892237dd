//! Generates the typed protocol from `schema/` into `OUT_DIR/iotxfer.rs`. In the repository
//! `protocol/schema` is a link to the top-level `schema/`, so the package carries the
//! definitions it is built from.
//!
//! `IOTXFER_DEFINITIONS_DIR`, when set, names another definitions directory to build from:
//! the generator's tests compile their fixtures against this crate's runtime that way.

use std::path::PathBuf;
use std::process::ExitCode;

/// Overrides the definitions directory.
const DEFINITIONS_DIR: &str = "IOTXFER_DEFINITIONS_DIR";

fn main() -> ExitCode {
    // Read at run time: a build script compiled in one checkout may run in another.
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        println!("cargo::error=CARGO_MANIFEST_DIR is not set; run this build script through Cargo");
        return ExitCode::FAILURE;
    };
    println!("cargo::rerun-if-env-changed={DEFINITIONS_DIR}");
    let schema = std::env::var_os(DEFINITIONS_DIR)
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("schema"));
    // A directory makes Cargo rescan it, so new definition files are seen too.
    println!("cargo::rerun-if-changed={}", schema.display());
    println!("cargo::rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        println!("cargo::error=OUT_DIR is not set; run this build script through Cargo");
        return ExitCode::FAILURE;
    };
    match iotxfer_codegen::generate(&schema) {
        Ok(output) => {
            for input in &output.inputs {
                println!("cargo::rerun-if-changed={}", input.display());
            }
            if let Err(e) =
                iotxfer_codegen::write_if_changed(&out_dir.join("iotxfer.rs"), &output.code)
            {
                println!("cargo::error=cannot write the generated code: {e}");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for d in diagnostics.iter() {
                println!("cargo::error={}", diagnostics.one_line(d));
            }
            eprintln!("{diagnostics}");
            ExitCode::FAILURE
        }
    }
}
