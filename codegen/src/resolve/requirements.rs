//! `required_when`: an optional field that its siblings' values make required (DJI's `output`,
//! present when `result` is 0).
//!
//! Resolved once a family's types and messages are, so that a sibling may be of any enum the
//! family sees.

use indexmap::IndexMap;
use toml::Spanned;

use super::Ctx;
use super::condition::{self, Enums};
use crate::codes::Code;
use crate::ir::{self, Type};
use crate::load::Named;
use crate::model::{FieldDef, MessageDef, StructDef, Values};

type FieldDefs = IndexMap<Spanned<String>, Spanned<FieldDef>>;

/// Fills `required_when` in the fields of the family's structs and messages.
pub(super) fn resolve(
    ctx: &mut Ctx<'_>,
    enums: &Enums<'_>,
    struct_defs: &[Named<StructDef>],
    structs: &mut [ir::Struct],
    message_defs: &[Named<MessageDef>],
    messages: &mut [ir::Message],
) {
    for def in struct_defs {
        if let Some(s) = structs.iter_mut().find(|s| s.name == *def.name.get_ref()) {
            fill(ctx, enums, &def.def.fields, &mut s.fields);
        }
    }
    for def in message_defs {
        if let Some(m) = messages.iter_mut().find(|m| m.key == *def.name.get_ref()) {
            fill(ctx, enums, &def.def.fields, &mut m.fields);
        }
    }
}

fn fill(ctx: &mut Ctx<'_>, enums: &Enums<'_>, defs: &FieldDefs, fields: &mut [ir::Field]) {
    for (name, def) in defs {
        let when = &def.get_ref().required_when;
        if when.is_empty() {
            continue;
        }
        let resolved: Option<Vec<Vec<ir::Condition>>> = when
            .iter()
            .map(|(sibling, values)| sibling_values(ctx, enums, fields, name, sibling, values))
            .collect();
        if let (Some(resolved), Some(field)) = (
            resolved,
            fields.iter_mut().find(|f| f.wire == *name.get_ref()),
        ) {
            field.required_when = resolved;
        }
    }
}

/// The alternatives of one sibling: each value it may hold that makes the field required.
fn sibling_values(
    ctx: &mut Ctx<'_>,
    enums: &Enums<'_>,
    fields: &[ir::Field],
    name: &Spanned<String>,
    sibling: &Spanned<String>,
    values: &Spanned<Values>,
) -> Option<Vec<ir::Condition>> {
    let key = sibling.get_ref();
    // The field's siblings, without the discriminators a flat envelope puts beside them.
    let mut siblings = fields
        .iter()
        .filter(|f| f.wire != *name.get_ref() && !matches!(f.ty, Type::Tag(_) | Type::Body));
    let Some(field) = siblings.clone().find(|f| f.wire == *key) else {
        let known: Vec<&str> = siblings.by_ref().map(|f| f.wire.as_str()).collect();
        ctx.diags.error_help(
            Code::RequiredWhen,
            ctx.file,
            sibling.span(),
            format!("`required_when` names `{key}`, which is no other field here"),
            crate::suggest::help(key, &known),
        );
        return None;
    };
    values
        .get_ref()
        .as_slice()
        .iter()
        .map(|value| {
            let held = condition::condition(field, value, enums);
            if held.is_none() {
                ctx.diags.error_help(
                    Code::RequiredWhen,
                    ctx.file,
                    values.span(),
                    format!("`{key}` cannot hold {}", value.shown()),
                    condition::what_it_holds(field, enums),
                );
            }
            held
        })
        .collect()
}
