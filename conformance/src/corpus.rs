//! The example corpus: `conformance/corpus/corpus.toml` and `conformance/corpus/examples/`.
//!
//! Every example is kept byte for byte as its document prints it. Where a document is wrong,
//! an erratum says what is wrong, where, and how to fix it; the suite applies the fix to its
//! own copy and never to the file.

use serde::Deserialize;
use serde_json::Value;

/// The whole corpus, in document order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corpus {
    #[serde(rename = "example")]
    pub examples: Vec<Example>,
}

/// One example of a vendor document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The file stem in `examples/`: `000-create_upload_task`.
    pub id: String,
    /// The document it comes from: a seed file name, or a reference section.
    pub source: String,
    /// The message as the document names it.
    pub illustrates: String,
    /// The topic the example is received on.
    pub topic: String,
    /// The message id it decodes to: `tencent/resource/create_upload_task`.
    pub message: String,
    /// The verdict of the example as printed.
    pub verdict: Expected,
    #[serde(default, rename = "erratum")]
    pub errata: Vec<Erratum>,
    /// The example's bytes, read from its file.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// The expected verdict of an example as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    Valid,
    Invalid,
}

/// A fault of a document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    pub kind: ErratumKind,
    /// What is wrong and why.
    pub what: String,
    /// The JSON pointer of the fault; `""` for the whole payload.
    pub path: String,
    /// How the suite corrects a violation; empty for a note.
    #[serde(default)]
    pub fix: Vec<Fix>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErratumKind {
    /// The fault breaks the contract; the erratum has a fix.
    Violation,
    /// The document is inconsistent, but the contract accepts the example as printed.
    Note,
}

/// One step of a fix. Pointer steps work on the parsed example; `text` works on its bytes and
/// runs first.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fix {
    /// Replaces the only occurrence of `find`.
    Text {
        find: String,
        replace: String,
    },
    /// Adds a member (or array item) holding `value`, a JSON text.
    Add {
        path: String,
        value: String,
    },
    Remove {
        path: String,
    },
    /// Moves a member to another key.
    Move {
        from: String,
        path: String,
    },
    /// Replaces a value with `value`, a JSON text.
    Replace {
        path: String,
        value: String,
    },
}

/// Why the corpus could not be read or a fix not applied.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("corpus.toml: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("example `{id}` is listed in corpus.toml but has no file in examples/")]
    Missing { id: String },
    #[error("examples/{id}.json is not listed in corpus.toml")]
    Unlisted { id: String },
    #[error(
        "example `{id}` is listed twice in corpus.toml: ids name one file each, across the \
         whole corpus; give one of them another id"
    )]
    Duplicate { id: String },
    #[error("example `{id}`: {reason}")]
    Fix { id: String, reason: String },
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/corpus.rs"));
}

/// The corpus as it was built into this crate from `conformance/corpus/`.
pub fn load() -> Result<Corpus, CorpusError> {
    let mut corpus: Corpus = toml::from_str(embedded::CORPUS_TOML)?;
    let mut ids = std::collections::BTreeSet::new();
    if let Some(e) = corpus.examples.iter().find(|e| !ids.insert(e.id.as_str())) {
        return Err(CorpusError::Duplicate { id: e.id.clone() });
    }
    for example in &mut corpus.examples {
        let (_, bytes) = embedded::EXAMPLES
            .iter()
            .find(|(id, _)| *id == example.id)
            .ok_or_else(|| CorpusError::Missing {
                id: example.id.clone(),
            })?;
        example.bytes = bytes.to_vec();
    }
    let listed = |id: &str| corpus.examples.iter().any(|e| e.id == id);
    if let Some((id, _)) = embedded::EXAMPLES.iter().find(|(id, _)| !listed(id)) {
        return Err(CorpusError::Unlisted {
            id: (*id).to_owned(),
        });
    }
    Ok(corpus)
}

impl Example {
    /// The violation errata, in the order their fixes apply.
    pub fn violations(&self) -> impl Iterator<Item = &Erratum> {
        self.errata
            .iter()
            .filter(|e| e.kind == ErratumKind::Violation)
    }

    /// The example with the fixes of its violation errata applied, leaving out the erratum at
    /// `skip` (an index into [`Example::violations`]).
    pub fn corrected(&self, skip: Option<usize>) -> Result<Vec<u8>, CorpusError> {
        let fail = |reason: String| CorpusError::Fix {
            id: self.id.clone(),
            reason,
        };
        let fixes: Vec<&Fix> = self
            .violations()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .flat_map(|(_, e)| &e.fix)
            .collect();
        let mut text = String::from_utf8(self.bytes.clone()).map_err(|e| fail(e.to_string()))?;
        for fix in &fixes {
            if let Fix::Text { find, replace } = fix {
                if text.matches(find.as_str()).count() != 1 {
                    return Err(fail(format!("`{find}` does not occur exactly once")));
                }
                text = text.replacen(find.as_str(), replace, 1);
            }
        }
        let pointer_fixes: Vec<&&Fix> = fixes
            .iter()
            .filter(|f| !matches!(f, Fix::Text { .. }))
            .collect();
        if pointer_fixes.is_empty() {
            return Ok(text.into_bytes());
        }
        // Without a fix of its JSON syntax the example stays what it is: text that no pointer
        // reaches into, and that fails as it stands.
        let Ok(mut value) = serde_json::from_str::<Value>(&text) else {
            return Ok(text.into_bytes());
        };
        for fix in pointer_fixes {
            apply(&mut value, fix).map_err(fail)?;
        }
        serde_json::to_vec(&value).map_err(|e| fail(e.to_string()))
    }
}

fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("fix value `{text}` is not JSON: {e}"))
}

fn apply(value: &mut Value, fix: &Fix) -> Result<(), String> {
    match fix {
        Fix::Text { .. } => Ok(()),
        Fix::Add { path, value: new } => insert(value, path, json(new)?),
        Fix::Remove { path } => take(value, path).map(drop),
        Fix::Move { from, path } => {
            let moved = take(value, from)?;
            insert(value, path, moved)
        }
        Fix::Replace { path, value: new } => {
            let slot = value
                .pointer_mut(path)
                .ok_or_else(|| format!("nothing at `{path}` to replace"))?;
            *slot = json(new)?;
            Ok(())
        }
    }
}

/// Splits `/a/b/c` into the parent pointer `/a/b` and the unescaped last key `c`.
fn split(path: &str) -> Result<(&str, String), String> {
    let (parent, key) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("`{path}` is not a JSON pointer"))?;
    Ok((parent, key.replace("~1", "/").replace("~0", "~")))
}

fn insert(value: &mut Value, path: &str, new: Value) -> Result<(), String> {
    let (parent, key) = split(path)?;
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) if !map.contains_key(&key) => {
            map.insert(key, new);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index: usize = key
                .parse()
                .map_err(|_| format!("`{key}` is not an index"))?;
            if index > items.len() {
                return Err(format!("index {index} is past the end of `{parent}`"));
            }
            items.insert(index, new);
            Ok(())
        }
        _ => Err(format!(
            "cannot add `{path}`: no object or array there, or the key exists"
        )),
    }
}

fn take(value: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, key) = split(path)?;
    let taken = match value.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&key),
        Some(Value::Array(items)) => key
            .parse::<usize>()
            .ok()
            .filter(|i| *i < items.len())
            .map(|i| items.remove(i)),
        _ => None,
    };
    taken.ok_or_else(|| format!("nothing at `{path}`"))
}
