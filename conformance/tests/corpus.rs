//! Every example of the vendor documents, byte for byte, against the contract: the JSON Schema
//! of its message and the strict typed check give its recorded verdict, its errata are exactly
//! what is wrong with it, and with them fixed it conforms and survives a decode/encode round.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use iotxfer::{Checked, Verdict};
use iotxfer_conformance::Validators;
use iotxfer_conformance::corpus::{self, Corpus, ErratumKind, Example, Expected};
use serde_json::Value;

static CORPUS: LazyLock<Corpus> =
    LazyLock::new(|| corpus::load().unwrap_or_else(|e| panic!("{e}")));
static VALIDATORS: LazyLock<Validators> =
    LazyLock::new(|| Validators::new().unwrap_or_else(|e| panic!("{e}")));

fn schema_accepts(example: &Example, payload: &[u8]) -> bool {
    let validator = VALIDATORS
        .message(&example.message)
        .unwrap_or_else(|| panic!("{}: no schema for `{}`", example.id, example.message));
    Validators::accepts(validator, payload)
}

fn paths(checked: &Checked) -> BTreeSet<&str> {
    checked.violations.iter().map(|v| v.path.as_str()).collect()
}

#[test]
fn the_corpus_holds_every_seed_example_and_every_message() {
    let seeds = CORPUS
        .examples
        .iter()
        .filter(|e| e.source.ends_with(".txt"))
        .count();
    assert!(
        seeds >= 19,
        "{seeds} seed examples; the four documents hold 19"
    );
    let ids: BTreeSet<&str> = CORPUS.examples.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), CORPUS.examples.len(), "example ids are unique");
    let covered: BTreeSet<&str> = CORPUS.examples.iter().map(|e| e.message.as_str()).collect();
    for m in iotxfer::catalog::messages() {
        assert!(covered.contains(m.id), "no example of `{}`", m.id);
    }
}

/// The example files are the documents' bytes (examples `constructed` from a field table have no
/// document to match). The seed documents sit beside the repository (`shared/`), as they do in
/// CI; elsewhere this test says it could not look. An example of a page of a GitHub repository
/// (`https://github.com/<owner>/<repo>/blob/<commit>/<path>`) is compared with that page where
/// a clone of the repository is at hand: `$IOTXFER_SOURCES/<owner>+<repo>`, a git directory or
/// one holding it as `repo`; CI, without the network, does not look.
#[test]
fn examples_are_the_documents_bytes() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if !shared.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs with shared/ beside the repository"
        );
        eprintln!("shared/ is not beside the repository: the bytes were not compared");
        return;
    }
    for example in CORPUS
        .examples
        .iter()
        .filter(|e| !e.source.starts_with("constructed"))
    {
        let (document, place) = match github_page(&example.source) {
            Some(page) => match page.read() {
                Some(document) => (document, example.source.clone()),
                None => {
                    eprintln!("{}: no clone of {} at hand", example.id, page.repo);
                    continue;
                }
            },
            None => {
                let source = if example.source.ends_with(".txt") {
                    shared.join("seeds").join(&example.source)
                } else {
                    shared.join("reference/vendors.md")
                };
                let document =
                    std::fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
                (document, source.display().to_string())
            }
        };
        let found = document
            .windows(example.bytes.len())
            .any(|w| w == example.bytes.as_slice());
        assert!(found, "{}: its bytes are not in {place}", example.id);
    }
}

/// A file of a GitHub repository at a commit, as a corpus source names it.
struct GithubPage<'a> {
    repo: String,
    commit: &'a str,
    path: &'a str,
}

fn github_page(source: &str) -> Option<GithubPage<'_>> {
    let rest = source.strip_prefix("https://github.com/")?;
    let (owner, rest) = rest.split_once('/')?;
    let (repo, rest) = rest.split_once("/blob/")?;
    let (commit, path) = rest.split_once('/')?;
    Some(GithubPage {
        repo: format!("{owner}+{repo}"),
        commit,
        path,
    })
}

impl GithubPage<'_> {
    /// The file, from a clone under `$IOTXFER_SOURCES`; `None` without one.
    fn read(&self) -> Option<Vec<u8>> {
        let sources = std::env::var_os("IOTXFER_SOURCES")?;
        let clone = Path::new(&sources).join(&self.repo);
        // The project's fetch tool keeps the git directory in `repo` inside.
        let inner = clone.join("repo");
        let git_dir = if inner.is_dir() { inner } else { clone };
        let output = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&git_dir)
            .args(["show", &format!("{}:{}", self.commit, self.path)])
            .output()
            .ok()?;
        output.status.success().then_some(output.stdout)
    }
}

#[test]
fn verbatim_examples_get_their_recorded_verdict_from_schema_and_check() {
    for example in &CORPUS.examples {
        let valid = example.verdict == Expected::Valid;
        assert_eq!(
            valid,
            example.violations().next().is_none(),
            "{}: invalid exactly when it has a violation erratum",
            example.id
        );
        assert_eq!(
            schema_accepts(example, &example.bytes),
            valid,
            "{}: JSON Schema verdict",
            example.id
        );
        let checked = iotxfer::check(&example.topic, &example.bytes);
        let expected = if valid {
            Verdict::Conforms
        } else {
            Verdict::Violates
        };
        assert_eq!(
            checked.verdict, expected,
            "{}: {:?}",
            example.id, checked.violations
        );
        if let Some(message) = checked.message {
            assert_eq!(message, example.message, "{}", example.id);
        }
        // Everything the check finds is a recorded erratum (it may stop at the first fault).
        let recorded: BTreeSet<&str> = example.violations().map(|e| e.path.as_str()).collect();
        for path in paths(&checked) {
            assert!(
                recorded.contains(path),
                "{}: fault at `{path}` has no erratum: {:?}",
                example.id,
                checked.violations
            );
        }
    }
}

#[test]
fn corrected_examples_conform_and_round_trip() {
    for example in &CORPUS.examples {
        let corrected = example.corrected(None).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            schema_accepts(example, &corrected),
            "{}: the schema refuses the corrected example",
            example.id
        );
        let checked = iotxfer::check(&example.topic, &corrected);
        assert_eq!(
            checked.verdict,
            Verdict::Conforms,
            "{}: {:?}",
            example.id,
            checked.violations
        );
        assert_eq!(
            checked.message,
            Some(example.message.as_str()),
            "{}",
            example.id
        );
        let decoded = checked.decoded.expect("a conforming message is decoded");
        let delivery = decoded.as_delivery();
        assert_eq!(
            delivery.topic_name(),
            example.topic,
            "{}: the topic prints back unchanged",
            example.id
        );
        let written = delivery.to_value().expect("re-encodes");
        let received: Value =
            serde_json::from_slice(&corrected).expect("corrected examples are JSON");
        assert!(
            common::same(&received, &written),
            "{}: re-encoded as {written}",
            example.id
        );
    }
}

/// An erratum that stops being needed fails: without its fix alone, the example must fail at
/// exactly the erratum's path, for the check and the schema alike.
#[test]
fn every_violation_erratum_is_needed_where_it_says() {
    for example in &CORPUS.examples {
        for (i, erratum) in example.violations().enumerate() {
            let without = example.corrected(Some(i)).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !schema_accepts(example, &without),
                "{}: erratum {i} is not needed by the schema",
                example.id
            );
            let checked = iotxfer::check(&example.topic, &without);
            assert_eq!(
                checked.verdict,
                Verdict::Violates,
                "{}: erratum {i} is not needed",
                example.id
            );
            assert_eq!(
                paths(&checked),
                BTreeSet::from([erratum.path.as_str()]),
                "{}: erratum {i}: {:?}",
                example.id,
                checked.violations
            );
        }
    }
}

/// A note points at what it talks about.
#[test]
fn notes_point_into_their_example() {
    for example in &CORPUS.examples {
        // Notes speak of the example as printed; an example that is not JSON is read fixed.
        let value: Value = serde_json::from_slice(&example.bytes).unwrap_or_else(|_| {
            let corrected = example.corrected(None).unwrap_or_else(|e| panic!("{e}"));
            serde_json::from_slice(&corrected).expect("corrected examples are JSON")
        });
        for note in example
            .errata
            .iter()
            .filter(|e| e.kind == ErratumKind::Note)
        {
            assert!(note.fix.is_empty(), "{}: a note has no fix", example.id);
            assert!(
                value.pointer(&note.path).is_some(),
                "{}: nothing at `{}`",
                example.id,
                note.path
            );
        }
        for violation in example.violations() {
            assert!(
                !violation.fix.is_empty(),
                "{}: a violation needs a fix",
                example.id
            );
        }
    }
}
