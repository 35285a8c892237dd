//! The payload schemas of an AsyncAPI document and the types they use, in
//! `components.schemas`.

use std::collections::BTreeSet;

use iotxfer::catalog::{Dialect, MessageInfo, VendorInfo};
use serde_json::{Map, Value};

use super::key;

/// Where the payloads' types are defined.
const SCHEMAS: &str = "#/components/schemas/";

/// The payload schemas of a vendor's messages and the types they use.
#[derive(Default)]
pub(super) struct Components {
    /// By message [`key`].
    pub payloads: Map<String, Value>,
    /// By name, as the payloads' references give it.
    pub schemas: Map<String, Value>,
}

/// Each family's payloads and types, named by schemars; a name that two families give to
/// different types (Tencent's two `ReportVersion`s) takes the family's name as a prefix
/// (`OtaReportVersion`).
pub(super) fn components(vendor: &VendorInfo, messages: &[&MessageInfo]) -> Components {
    let families: Vec<(&str, Components)> = vendor
        .families
        .iter()
        .map(|f| {
            let mut generator = generator();
            let payloads = messages
                .iter()
                .filter(|m| m.family == f.id)
                .map(|m| (key(m), m.subschema(&mut generator).to_value()))
                .collect();
            let schemas = generator.take_definitions(true);
            (f.id, Components { payloads, schemas })
        })
        .collect();
    let clashes = clashes(families.iter().map(|(_, c)| &c.schemas));
    let mut all = Components::default();
    for (family, components) in families {
        let prefix = type_name(family);
        for (key, mut payload) in components.payloads {
            rename(&mut payload, &clashes, &prefix);
            all.payloads.insert(key, payload);
        }
        for (name, mut schema) in components.schemas {
            rename(&mut schema, &clashes, &prefix);
            let name = match clashes.contains(&name) {
                true => format!("{prefix}{name}"),
                false => name,
            };
            all.schemas.insert(name, schema);
        }
    }
    all
}

/// The names that two sets of definitions give to different schemas.
fn clashes<'a>(sets: impl Iterator<Item = &'a Map<String, Value>>) -> BTreeSet<String> {
    let mut seen = Map::new();
    let mut clashes = BTreeSet::new();
    for (name, schema) in sets.flatten() {
        match seen.get(name) {
            Some(other) if other != schema => {
                clashes.insert(name.clone());
            }
            _ => {
                seen.insert(name.clone(), schema.clone());
            }
        }
    }
    clashes
}

/// Points the references to the `clashes` at their prefixed names.
fn rename(value: &mut Value, clashes: &BTreeSet<String>, prefix: &str) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                let target = member.as_str().and_then(|r| r.strip_prefix(SCHEMAS));
                match target.filter(|t| key == "$ref" && clashes.contains(*t)) {
                    Some(name) => *member = Value::from(format!("{SCHEMAS}{prefix}{name}")),
                    None => rename(member, clashes, prefix),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, clashes, prefix)),
        _ => {}
    }
}

/// `file_management` as a type name: `FileManagement`.
fn type_name(snake: &str) -> String {
    snake
        .split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// Draft-07, with the definitions in `components.schemas`.
fn generator() -> schemars::SchemaGenerator {
    let mut settings = Dialect::Draft07.settings();
    settings.definitions_path = SCHEMAS.trim_start_matches('#').into();
    settings.into_generator()
}
