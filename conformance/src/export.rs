//! Generated files committed under `schema/`: written by the `iotxfer` command, and compared
//! with what is committed by the drift tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files by path relative to their directory (`/` separated), with their text.
pub type Files = BTreeMap<String, String>;

/// A directory of the repository, from the `conformance` package.
pub fn committed(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// Pretty JSON with a final newline, as every exported JSON file is written.
pub fn json_text(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Every file under `dir` whose name ends with `suffix`, by path relative to `dir`.
pub fn read_dir(dir: &Path, suffix: &str) -> std::io::Result<Files> {
    let mut out = Files::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(relative, std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(out)
}

/// Which files under a directory an export wrote: by path relative to it, and text.
pub type Ours = fn(&str, &str) -> bool;

/// Writes `files` into `dir`, leaving unchanged files untouched, and removes the files there
/// whose names end with `suffix` that `files` no longer holds and that `ours` says an earlier
/// export wrote: a directory shared with other files (`--out .`) loses none of them.
pub fn write_dir(dir: &Path, files: &Files, suffix: &str, ours: Ours) -> std::io::Result<()> {
    for (stale, _) in read_dir(dir, suffix)
        .unwrap_or_default()
        .iter()
        .filter(|(path, text)| !files.contains_key(*path) && ours(path, text))
    {
        std::fs::remove_file(dir.join(stale))?;
    }
    for (relative, text) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text)?;
        }
    }
    Ok(())
}

/// How the files under `dir` whose names end with `suffix` differ from `files`: one line per
/// missing, changed or stale file; empty when they are equal.
pub fn drift(dir: &Path, files: &Files, suffix: &str) -> Vec<String> {
    let committed = read_dir(dir, suffix).unwrap_or_default();
    let mut drift: Vec<String> = files
        .iter()
        .filter_map(|(path, text)| match committed.get(path) {
            None => Some(format!("missing: {path}")),
            Some(old) if old != text => Some(format!("changed: {path}")),
            Some(_) => None,
        })
        .collect();
    drift.extend(
        committed
            .keys()
            .filter(|p| !files.contains_key(*p))
            .map(|p| format!("stale: {p}")),
    );
    drift
}
