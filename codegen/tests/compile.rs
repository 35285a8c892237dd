//! The code generated from each `tests/fixtures/ok/` fixture compiles, warning-free, against
//! the runtime of the `iotxfer` crate: the crate is checked with the fixture in place of
//! `schema/` (`IOTXFER_DEFINITIONS_DIR`, read by its build script), every feature on. Warnings
//! are errors, except dead code: a fixture uses only a part of the runtime.
//!
//! The snapshots show what is emitted; this shows that it builds, as typify and progenitor
//! build their fixtures' output.

use std::path::Path;
use std::process::Command;

#[test]
fn ok_fixtures_compile_against_the_runtime() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-check");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut fixtures: Vec<_> = std::fs::read_dir(root.join("tests/fixtures/ok"))
        .expect("the ok fixtures")
        .map(|e| e.expect("fixture entry").path())
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no ok fixtures");
    for fixture in fixtures {
        let output = Command::new(&cargo)
            .args(["check", "--quiet", "--offline", "--locked", "--lib"])
            .args([
                "--package",
                "iotxfer",
                "--all-features",
                "--message-format=short",
            ])
            .arg("--manifest-path")
            .arg(root.join("../Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .env("IOTXFER_DEFINITIONS_DIR", &fixture)
            // A fixture uses a part of the runtime; the rest is dead code in this build.
            .env("RUSTFLAGS", "-D warnings -A dead_code")
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "{}: the generated code does not compile:\n{}",
            fixture.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
