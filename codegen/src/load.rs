//! Reading `schema/<vendor>/*.toml` into the [`model`](crate::model) types.
//!
//! Each file is parsed once into a spanned TOML tree; every definition in it (one topic, one
//! message, one struct, ...) is then deserialized on its own, so one typo does not hide the
//! faults of the other definitions.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::codes::Code;

use crate::diagnostics::{Diagnostics, FileId};
use crate::model::{
    EnumDef, EnvelopeDef, FamilyHeader, MessageDef, RuleDef, StructDef, TopicDef, VendorHeader,
};
use crate::suggest::Unknown;

/// A named definition and where its name was written.
pub struct Named<T> {
    pub name: Spanned<String>,
    pub def: T,
}

/// `schema/<vendor>/vendor.toml`: the vendor's topics and envelope.
pub struct VendorFile {
    pub file: FileId,
    pub header: Option<VendorHeader>,
    pub envelope: Option<Spanned<EnvelopeDef>>,
    /// `[envelopes.<name>]`: further envelopes, each carried by the topics that name it.
    pub envelopes: Vec<Named<EnvelopeDef>>,
    pub topics: Vec<Named<TopicDef>>,
    /// `[rule.<name>]`: vendor-wide conversation rules.
    pub rules: Vec<Named<RuleDef>>,
    pub structs: Vec<Named<StructDef>>,
    pub enums: Vec<Named<EnumDef>>,
}

/// `schema/<vendor>/<family>.toml`: one protocol family's messages.
pub struct FamilyFile {
    pub file: FileId,
    pub id: String,
    pub header: Option<FamilyHeader>,
    pub messages: Vec<Named<MessageDef>>,
    /// `[rule.<name>]`: the family's conversation rules.
    pub rules: Vec<Named<RuleDef>>,
    pub structs: Vec<Named<StructDef>>,
    pub enums: Vec<Named<EnumDef>>,
}

pub struct VendorDir {
    pub id: String,
    pub vendor: Option<VendorFile>,
    pub families: Vec<FamilyFile>,
    /// Whether a family was left out for a fault in reading it: what only it used is then not
    /// reported unused.
    pub partial: bool,
}

/// The definitions less the files that could not be read (`faulty`): a vendor whose
/// `vendor.toml` is one of them, a family that is. The rest is resolved, so that the faults of
/// every file show at once; what depends on a file left out would only repeat its fault.
pub fn readable(dirs: Vec<VendorDir>, faulty: &BTreeSet<FileId>) -> Vec<VendorDir> {
    let vendor_read = |d: &VendorDir| d.vendor.as_ref().is_none_or(|v| !faulty.contains(&v.file));
    let mut dirs: Vec<VendorDir> = dirs.into_iter().filter(vendor_read).collect();
    for dir in &mut dirs {
        let before = dir.families.len();
        dir.families.retain(|f| !faulty.contains(&f.file));
        dir.partial |= dir.families.len() < before;
    }
    dirs
}

/// Loads every vendor directory under `root`, in name order.
pub fn load(root: &Path, diags: &mut Diagnostics, inputs: &mut Vec<PathBuf>) -> Vec<VendorDir> {
    let display_root = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut vendors = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(_) => sorted_entries(root),
        Err(e) => {
            let file = diags.add_file(display_root, String::new());
            diags.error(
                Code::UnreadableDir,
                file,
                0..0,
                format!("cannot read the definitions in {}: {e}", root.display()),
            );
            return vendors;
        }
    };
    for dir in entries.into_iter().filter(|p| p.is_dir()) {
        vendors.extend(load_vendor_dir(&dir, &display_root, diags, inputs));
    }
    if vendors.is_empty() {
        let file = diags.add_file(display_root, String::new());
        diags.error(
            Code::NoDefinitions,
            file,
            0..0,
            "no definitions here: expected `<vendor>/vendor.toml`",
        );
    }
    vendors
}

/// One vendor directory: its `vendor.toml` and family files; `None` when it holds no
/// definition file.
fn load_vendor_dir(
    dir: &Path,
    display_root: &str,
    diags: &mut Diagnostics,
    inputs: &mut Vec<PathBuf>,
) -> Option<VendorDir> {
    let files: Vec<PathBuf> = sorted_entries(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    if files.is_empty() {
        return None;
    }
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut vendor = VendorDir {
        id: id.clone(),
        vendor: None,
        families: Vec::new(),
        partial: false,
    };
    for path in &files {
        inputs.push(path.clone());
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let display = format!("{display_root}/{id}/{stem}.toml");
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                let file = diags.add_file(display, String::new());
                let fault = format!("cannot read {}: {e}", path.display());
                diags.error(Code::UnreadableFile, file, 0..0, fault);
                continue;
            }
        };
        let file = diags.add_file(display, text);
        if stem == "vendor" {
            vendor.vendor = Some(load_vendor(file, diags));
        } else {
            vendor.families.push(load_family(file, stem, diags));
        }
    }
    let has_vendor_file = files
        .iter()
        .any(|p| p.file_stem().is_some_and(|s| s == "vendor"));
    if let (false, Some(family)) = (has_vendor_file, vendor.families.first()) {
        diags.error_help(
            Code::VendorFileMissing,
            family.file,
            0..0,
            format!("vendor directory `{id}` has no vendor.toml"),
            "every vendor directory declares its topics and envelope in vendor.toml",
        );
    }
    Some(vendor)
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// The tables a `vendor.toml` may hold.
pub(crate) const VENDOR_SECTIONS: &[&str] = &[
    "vendor",
    "envelope",
    "envelopes",
    "topic",
    "rule",
    "struct",
    "enum",
];

/// The tables a family file may hold.
pub(crate) const FAMILY_SECTIONS: &[&str] = &["family", "message", "rule", "struct", "enum"];

fn load_vendor(file: FileId, diags: &mut Diagnostics) -> VendorFile {
    let mut out = VendorFile {
        file,
        header: None,
        envelope: None,
        envelopes: Vec::new(),
        topics: Vec::new(),
        rules: Vec::new(),
        structs: Vec::new(),
        enums: Vec::new(),
    };
    let text = diags.source(file).to_owned();
    let Some(root) = parse(file, &text, diags) else {
        return out;
    };
    for (key, value) in root {
        match key.get_ref().as_ref() {
            "vendor" => out.header = entry(file, value, diags),
            "envelope" => {
                let span = value.span();
                out.envelope = entry(file, value, diags).map(|e| Spanned::new(span, e));
            }
            "envelopes" => out.envelopes = section(file, "envelopes", value, diags),
            "topic" => out.topics = section(file, "topic", value, diags),
            "rule" => out.rules = section(file, "rule", value, diags),
            "struct" => out.structs = section(file, "struct", value, diags),
            "enum" => out.enums = section(file, "enum", value, diags),
            other => unknown_section(file, &key, other, VENDOR_SECTIONS, diags),
        }
    }
    if out.header.is_none() {
        diags.error(
            Code::VendorTableMissing,
            file,
            0..0,
            "missing `[vendor]` table",
        );
    }
    out
}

fn load_family(file: FileId, id: String, diags: &mut Diagnostics) -> FamilyFile {
    let mut out = FamilyFile {
        file,
        id,
        header: None,
        messages: Vec::new(),
        rules: Vec::new(),
        structs: Vec::new(),
        enums: Vec::new(),
    };
    let text = diags.source(file).to_owned();
    let Some(root) = parse(file, &text, diags) else {
        return out;
    };
    for (key, value) in root {
        match key.get_ref().as_ref() {
            "family" => out.header = entry(file, value, diags),
            "message" => out.messages = section(file, "message", value, diags),
            "rule" => out.rules = section(file, "rule", value, diags),
            "struct" => out.structs = section(file, "struct", value, diags),
            "enum" => out.enums = section(file, "enum", value, diags),
            other => unknown_section(file, &key, other, FAMILY_SECTIONS, diags),
        }
    }
    if out.header.is_none() {
        diags.error(
            Code::FamilyTableMissing,
            file,
            0..0,
            "missing `[family]` table",
        );
    }
    out
}

fn parse<'i>(file: FileId, text: &'i str, diags: &mut Diagnostics) -> Option<DeTable<'i>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    let failed = !errors.is_empty();
    for e in errors {
        diags.error(
            Code::TomlSyntax,
            file,
            e.span().unwrap_or(0..0),
            e.message().trim().to_owned(),
        );
    }
    (!failed).then(|| root.into_inner())
}

fn unknown_section<K>(
    file: FileId,
    key: &Spanned<K>,
    name: &str,
    allowed: &[&str],
    diags: &mut Diagnostics,
) {
    diags.error_help(
        Code::UnknownTable,
        file,
        key.span(),
        format!("unknown table `{name}`"),
        crate::suggest::help(name, allowed),
    );
}

/// Deserializes one definition, recording its fault if it has one.
fn entry<T: DeserializeOwned>(
    file: FileId,
    value: Spanned<DeValue<'_>>,
    diags: &mut Diagnostics,
) -> Option<T> {
    let span = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(span);
            let message = e.message().trim();
            match crate::suggest::unknown_name(message) {
                Some((Unknown::Field, name, known)) => diags.error_help(
                    Code::UnknownKey,
                    file,
                    span,
                    format!("unknown key `{name}`"),
                    crate::suggest::help(name, &known),
                ),
                Some((Unknown::Variant, name, known)) => diags.error_help(
                    Code::UnknownValue,
                    file,
                    span,
                    format!("unknown value `{name}`"),
                    crate::suggest::help(name, &known),
                ),
                None => match message.strip_prefix("missing field ") {
                    Some(key) => {
                        diags.error(Code::MissingKey, file, span, format!("missing key {key}"))
                    }
                    None => diags.error(Code::InvalidValue, file, span, message.to_owned()),
                },
            }
            None
        }
    }
}

/// Deserializes each entry of a `[section.<name>]` table separately.
fn section<T: DeserializeOwned>(
    file: FileId,
    kind: &str,
    value: Spanned<DeValue<'_>>,
    diags: &mut Diagnostics,
) -> Vec<Named<T>> {
    let span = value.span();
    let DeValue::Table(table) = value.into_inner() else {
        diags.error(
            Code::NotATable,
            file,
            span,
            format!("`{kind}` must hold named definitions, each a `[{kind}.<name>]` table"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in table {
        let name = Spanned::new(key.span(), key.get_ref().to_string());
        if let Some(def) = entry(file, value, diags) {
            out.push(Named { name, def });
        }
    }
    out
}
