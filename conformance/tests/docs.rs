//! The tables of the READMEs that list vendors, families and topics are rendered from the
//! catalog, so no hand-kept list goes stale: each sits between `<!-- generated:NAME -->` and
//! `<!-- /generated:NAME -->`, and `conformance/tools/regenerate.sh` rewrites it.

use std::path::{Path, PathBuf};

use iotxfer::catalog::{self, VendorInfo};

const REFRESH: &str = "conformance/tools/regenerate.sh";

/// The covered topics of a vendor: those that carry a message defined here.
fn covered(vendor: &VendorInfo) -> impl Iterator<Item = &'static catalog::TopicInfo> {
    catalog::topics()
        .iter()
        .filter(move |t| t.vendor == vendor.id && !t.messages.is_empty())
}

/// The top-level README: each vendor's name, families and topic patterns.
fn readme_vendors() -> String {
    let mut out = String::from("| vendor | families | topics |\n|---|---|---|\n");
    for v in catalog::vendors() {
        let families: Vec<String> = v
            .families
            .iter()
            .map(|f| format!("{} (`{}`)", f.name, f.id))
            .collect();
        let topics: Vec<String> = covered(v).map(|t| format!("`{}`", t.pattern)).collect();
        out.push_str(&format!(
            "| {} (`{}`) | {} | {} |\n",
            v.name,
            v.id,
            families.join(", "),
            topics.join(", ")
        ));
    }
    out
}

/// `schema/json/README.md`: the directories of each vendor, by module and topic name.
fn schema_vendors() -> String {
    let mut out = String::from("| vendor | families | topics |\n|---|---|---|\n");
    for v in catalog::vendors() {
        let families: Vec<String> = v.families.iter().map(|f| format!("`{}`", f.id)).collect();
        let topics: Vec<String> = covered(v)
            .map(|t| format!("`{}` (`{}`)", t.name, t.pattern))
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            v.id,
            families.join(", "),
            topics.join(", ")
        ));
    }
    out
}

/// `text` with the generated block `name` holding `table`; `None` when the markers are missing.
fn with_block(text: &str, name: &str, table: &str) -> Option<String> {
    let (open, close) = (
        format!("<!-- generated:{name} -->\n"),
        format!("<!-- /generated:{name} -->"),
    );
    let (before, rest) = text.split_once(&open)?;
    let (_, after) = rest.split_once(&close)?;
    Some(format!("{before}{open}{table}{close}{after}"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn holds_its_table(file: &str, name: &str, table: &str) {
    let path = root().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let expected = with_block(&text, name, table)
        .unwrap_or_else(|| panic!("{file} has no `generated:{name}` block"));
    if std::env::var_os("IOTXFER_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("{file}: {e}"));
        return;
    }
    assert!(
        text == expected,
        "the `{name}` table of {file} differs from the catalog; refresh with: {REFRESH}"
    );
}

#[test]
fn the_readme_lists_every_vendor_family_and_topic() {
    holds_its_table("README.md", "vendors", &readme_vendors());
}

#[test]
fn the_crate_readme_lists_every_vendor_family_and_topic() {
    holds_its_table("protocol/README.md", "vendors", &readme_vendors());
}

#[test]
fn the_schema_readme_lists_every_vendor_family_and_topic() {
    holds_its_table("schema/json/README.md", "vendors", &schema_vendors());
}

#[test]
fn a_block_is_replaced_between_its_markers_only() {
    let text = "a\n<!-- generated:t -->\nold\n<!-- /generated:t -->\nb\n";
    assert_eq!(
        with_block(text, "t", "new\n").as_deref(),
        Some("a\n<!-- generated:t -->\nnew\n<!-- /generated:t -->\nb\n")
    );
    assert_eq!(with_block("no markers", "t", "x"), None);
}
