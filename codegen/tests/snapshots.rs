//! Snapshots of what the generator emits: the Rust for the real `schema/` and for small
//! fixtures. The rendered diagnostics of broken fixtures are in `diagnostics.rs`.
//!
//! Review every snapshot change with `cargo insta review` (or read the `.snap.new` files);
//! in CI (`CI=true`) a mismatch fails instead of writing a new snapshot.

use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("fixture entry").path())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures in {}", dir.display());
    dirs
}

fn name(path: &Path) -> String {
    path.file_name()
        .expect("fixture name")
        .to_string_lossy()
        .into_owned()
}

/// The generated file in parts, so that a change to one family shows in its own snapshot:
/// `<vendor>__<family>` for each family module, `<vendor>` for the rest of a vendor module
/// (topics, envelopes, shared types), and `root` for what spans every vendor (`Message`,
/// routing, the catalog). Each part keeps the doc comments and attributes above its module.
fn parts(code: &str) -> Vec<(String, String)> {
    let mut parts: Vec<(String, String)> = vec![("root".into(), String::new())];
    let mut open: Vec<usize> = Vec::new(); // Indices into `parts` of the modules we are in.
    for line in code.lines() {
        let module = ["pub mod ", "    pub mod "]
            .iter()
            .find_map(|p| line.strip_prefix(p)?.strip_suffix(" {"))
            .filter(|_| open.len() == usize::from(line.starts_with("    ")));
        if let Some(module) = module {
            let name = match open.last() {
                Some(&vendor) => format!("{}__{module}", parts[vendor].0),
                None => module.to_owned(),
            };
            // The doc comments and attributes just above belong to the module.
            let current = open.last().copied().unwrap_or(0);
            let mut head = Vec::new();
            while let Some(last) = parts[current].1.lines().last().filter(|l| {
                let l = l.trim_start();
                l.starts_with("///") || l.starts_with("#[")
            }) {
                head.insert(0, last.to_owned());
                let cut = parts[current].1.len() - last.len() - 1;
                parts[current].1.truncate(cut);
            }
            let mut text = head.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            parts.push((name, text));
            open.push(parts.len() - 1);
        }
        let current = open.last().copied().unwrap_or(0);
        parts[current].1.push_str(line);
        parts[current].1.push('\n');
        let closes = match open.len() {
            1 => line == "}",
            2 => line == "    }",
            _ => false,
        };
        if closes {
            open.pop();
        }
    }
    parts
}

#[test]
fn real_schema() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let output = iotxfer_codegen::generate(&schema).unwrap_or_else(|d| panic!("{d}"));
    let parts = parts(&output.code);
    let joined: String = parts.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(
        joined.lines().count(),
        output.code.lines().count(),
        "the parts hold every line once"
    );
    for (name, text) in parts {
        insta::assert_snapshot!(format!("real_schema__{name}"), text);
    }
}

#[test]
fn fixtures_that_compile() {
    for dir in fixtures("ok") {
        let output =
            iotxfer_codegen::generate(&dir).unwrap_or_else(|d| panic!("{}: {d}", dir.display()));
        insta::assert_snapshot!(format!("ok_{}", name(&dir)), output.code);
    }
}

#[test]
fn generation_is_deterministic() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let first = iotxfer_codegen::generate(&schema)
        .expect("schema generates")
        .code;
    for _ in 0..3 {
        assert_eq!(
            iotxfer_codegen::generate(&schema)
                .expect("schema generates")
                .code,
            first
        );
    }
}

#[test]
fn inputs_are_every_definition_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok/flat");
    let output = iotxfer_codegen::generate(&dir).expect("fixture generates");
    let names: Vec<String> = output.inputs.iter().map(|p| name(p)).collect();
    assert_eq!(names, ["files.toml", "vendor.toml"]);
}

#[test]
fn write_if_changed_keeps_unchanged_files() {
    let dir = std::env::temp_dir().join(format!("iotxfer-codegen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("out.rs");
    assert!(iotxfer_codegen::write_if_changed(&file, "a").expect("first write"));
    assert!(!iotxfer_codegen::write_if_changed(&file, "a").expect("same content"));
    assert!(iotxfer_codegen::write_if_changed(&file, "b").expect("new content"));
    assert_eq!(std::fs::read_to_string(&file).expect("read back"), "b");
    std::fs::remove_dir_all(&dir).expect("clean up");
}
