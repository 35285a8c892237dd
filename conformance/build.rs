//! Embeds the example corpus, so that an installed `iotxfer` binary carries it.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let corpus = manifest.join("corpus");
    println!("cargo::rerun-if-changed={}", corpus.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("examples"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut code = String::from(
        "/// The example files, by id.\npub(crate) static EXAMPLES: &[(&str, &[u8])] = &[\n",
    );
    for path in &files {
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            code,
            "    ({id:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "/// `corpus.toml`.\npub(crate) static CORPUS_TOML: &str = include_str!({:?});",
        corpus.join("corpus.toml").display().to_string()
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("corpus.rs");
    let unchanged = std::fs::read_to_string(&out).ok().as_deref() == Some(code.as_str());
    if !unchanged && let Err(e) = std::fs::write(&out, &code) {
        println!("cargo::error=cannot write {}: {e}", out.display());
    }
}
