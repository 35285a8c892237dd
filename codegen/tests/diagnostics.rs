//! One broken fixture per diagnostic code: `tests/fixtures/err/<code>.toml` holds definitions
//! with exactly one fault, and must give errors of that code and no other, rendered as in the
//! snapshot `snapshots/diagnostics__<code>.snap`.
//!
//! A fixture holds several definition files, each after a `#@ <vendor>/<file>.toml` line;
//! the lines before the first one say what the fault is. A code without a fixture fails
//! [`every_code_has_a_fixture`].

use std::path::{Path, PathBuf};

use iotxfer_codegen::Code;

/// Codes that no fixture file can hold, and the test here that triggers each.
const ELSEWHERE: &[(Code, &str)] = &[
    (Code::UnreadableDir, "a_missing_directory_cannot_be_read"),
    (
        Code::UnreadableFile,
        "a_file_that_is_not_utf8_cannot_be_read",
    ),
];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/err")
}

/// Every `err/<code>.toml`, by code, in name order.
fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(fixture_dir())
        .expect("the err fixtures")
        .map(|e| e.expect("fixture entry").path())
        .map(|p| {
            let name = p.file_stem().expect("a file name").to_string_lossy();
            (name.into_owned(), p)
        })
        .collect();
    out.sort();
    out
}

/// Writes the fixture's definition files under a directory named after the code, so the
/// diagnostics show `<code>/<vendor>/<file>.toml`.
fn materialize(code: &str, fixture: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture).expect("fixture text");
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("diagnostics")
        .join(code);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("fixture directory");
    let mut current: Option<(PathBuf, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("#@ ") {
            write(current.take());
            current = Some((root.join(path.trim()), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    write(current);
    root
}

fn write(file: Option<(PathBuf, String)>) {
    if let Some((path, body)) = file {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("vendor directory");
        std::fs::write(&path, body).expect("definition file");
    }
}

fn code_of(name: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.as_str() == name)
}

#[test]
fn every_fixture_gives_its_own_code_and_no_other() {
    for (name, path) in fixtures() {
        let code = code_of(&name)
            .unwrap_or_else(|| panic!("{}: `{name}` is not a diagnostic code", path.display()));
        let diagnostics = match iotxfer_codegen::generate(&materialize(&name, &path)) {
            Ok(_) => panic!("{} generated code; it must fail", path.display()),
            Err(d) => d,
        };
        let one_lines: Vec<String> = diagnostics
            .iter()
            .map(|d| diagnostics.one_line(d))
            .collect();
        let report = format!("{}\n{diagnostics}", one_lines.join("\n"));
        assert!(
            diagnostics.iter().all(|d| d.code == code),
            "{}: one fault, so only `{code}` errors:\n{report}",
            path.display()
        );
        insta::assert_snapshot!(name, report);
    }
}

#[test]
fn every_code_has_a_fixture() {
    let fixtures: Vec<String> = fixtures().into_iter().map(|(name, _)| name).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !ELSEWHERE.iter().any(|(e, _)| e == *c))
        .map(|c| c.as_str())
        .filter(|c| !fixtures.iter().any(|f| f == c))
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture in {} for: {missing:?}",
        fixture_dir().display()
    );
}

fn codes(dir: &Path) -> Vec<Code> {
    let d = iotxfer_codegen::generate(dir).expect_err("nothing to generate from");
    d.iter().map(|d| d.code).collect()
}

#[test]
fn a_missing_directory_cannot_be_read() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-definitions");
    assert_eq!(codes(&missing), [Code::UnreadableDir]);
}

#[test]
fn a_file_that_is_not_utf8_cannot_be_read() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("not-utf8");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("acme")).expect("vendor directory");
    std::fs::write(
        root.join("acme/vendor.toml"),
        b"[vendor]\nname = \"\xff\"\n",
    )
    .expect("write");
    assert_eq!(codes(&root), [Code::UnreadableFile]);
}

#[test]
fn every_snapshot_has_a_fixture() {
    let fixtures: Vec<String> = fixtures().into_iter().map(|(name, _)| name).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let orphans: Vec<String> = std::fs::read_dir(&dir)
        .expect("the snapshots")
        .map(|e| {
            e.expect("snapshot entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|f| {
            Some(
                f.strip_prefix("diagnostics__")?
                    .strip_suffix(".snap")?
                    .to_owned(),
            )
        })
        .filter(|code| !fixtures.contains(code))
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture in {}: {orphans:?}",
        dir.display()
    );
}

/// A fault in reading one file hides no fault of another: each family is resolved on its own.
#[test]
fn faults_of_independent_files_are_all_reported() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/several/two-faulty-families.toml");
    let Err(diagnostics) = iotxfer_codegen::generate(&materialize("several", &fixture)) else {
        panic!("two faults, yet code was generated");
    };
    let codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [Code::TomlSyntax, Code::UnknownType],
        "{diagnostics}"
    );
}
