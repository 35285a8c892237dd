//! Type names and where they are looked up: UpperCamelCase, no built-in or duplicate name,
//! and which vendor structs are generic over the message body.

use std::collections::BTreeMap;

use super::Kind;
use super::types::builtin;
use crate::codes::Code;
use crate::diagnostics::{Diagnostics, FileId};
use crate::load::Named;
use crate::model;
use crate::naming;

/// A name that field types use for a built-in, so no definition can take it.
pub(super) fn is_builtin(name: &str) -> bool {
    builtin(name).is_some() || matches!(name, "array" | "body" | "discriminator")
}

pub(super) fn check_type_names(
    file: FileId,
    structs: &[Named<model::StructDef>],
    enums: &[Named<model::EnumDef>],
    out: &mut BTreeMap<String, Kind>,
    diags: &mut Diagnostics,
) {
    let names = structs
        .iter()
        .map(|s| (&s.name, Kind::Struct { generic: false }))
        .chain(enums.iter().map(|e| (&e.name, Kind::Enum)));
    for (name, kind) in names {
        let n = name.get_ref();
        if is_builtin(n) {
            diags.error_help(
                Code::TypeNameBuiltin,
                file,
                name.span(),
                format!("`{n}` is a built-in type name"),
                format!("a field of type `{n}` always means the built-in; rename the type"),
            );
        } else if !naming::is_identifier(n) || naming::type_name(n) != *n {
            diags.error_help(
                Code::TypeNameCase,
                file,
                name.span(),
                format!("type name `{n}` is not UpperCamelCase"),
                format!("write `{}`", naming::type_name(n)),
            );
        }
        if out.insert(n.clone(), kind).is_some() {
            diags.error(
                Code::TypeTwice,
                file,
                name.span(),
                format!("type `{n}` is defined twice"),
            );
        }
    }
}

/// A vendor struct is generic when it holds the body or a discriminator, directly or through
/// another generic struct.
pub(super) fn mark_generic(
    structs: &[Named<model::StructDef>],
    types: &mut BTreeMap<String, Kind>,
) {
    loop {
        let mut changed = false;
        for s in structs {
            let generic = s.def.fields.values().any(|f| {
                let f = f.get_ref();
                let name = f.items.as_ref().unwrap_or(&f.ty).get_ref();
                matches!(name.as_str(), "body" | "discriminator")
                    || matches!(types.get(name), Some(Kind::Struct { generic: true }))
            });
            if let (true, Some(k @ Kind::Struct { generic: false })) =
                (generic, types.get_mut(s.name.get_ref()))
            {
                *k = Kind::Struct { generic: true };
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}
