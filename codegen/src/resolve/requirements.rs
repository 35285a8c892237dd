//! `required_when`: an optional field that its siblings' values make required (DJI's `output`,
//! present when `result` is 0).
//!
//! Resolved once a family's types and messages are, so that a sibling may be of any enum the
//! family sees.

use indexmap::IndexMap;
use toml::Spanned;

use super::Ctx;
use crate::codes::Code;
use crate::ir::{self, Type};
use crate::load::Named;
use crate::model::{FieldDef, MessageDef, Scalar, StructDef, Values};

type FieldDefs = IndexMap<Spanned<String>, Spanned<FieldDef>>;

/// The enums a family's fields may name: its own, then its vendor's.
pub(super) struct Enums<'a> {
    pub(super) family: &'a str,
    pub(super) own: &'a [ir::Enum],
    pub(super) vendor: &'a [ir::Enum],
}

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
            let typed = typed(field, value, enums);
            if typed.is_none() {
                ctx.diags.error_help(
                    Code::RequiredWhen,
                    ctx.file,
                    values.span(),
                    format!("`{key}` cannot hold {}", value.shown()),
                    "`required_when` compares `int`, `bool`, `text` and enum fields (of this \
                     family or the vendor) with a value they hold, an enum's documented value; \
                     not an `int` sent as a string",
                );
            }
            Some(ir::Condition {
                field: field.rust.clone(),
                wire: field.wire.clone(),
                optional: field.optional,
                value: typed?,
            })
        })
        .collect()
}

/// `value` as a value of `field`: an integer (not one sent as a string), a bool, a text, or a
/// documented value of an enum the family sees.
fn typed(field: &ir::Field, value: &Scalar, enums: &Enums<'_>) -> Option<ir::Value> {
    match (&field.ty, value) {
        (Type::Int, Scalar::Int(n)) if !field.string_wire => Some(ir::Value::Int(*n)),
        (Type::Text, Scalar::Text(s)) => Some(ir::Value::Text(s.clone())),
        (Type::Bool, Scalar::Bool(b)) => Some(ir::Value::Bool(*b)),
        (Type::Enum(r), _) => {
            let (list, family) = match &r.family {
                Some(f) if f == enums.family => (enums.own, Some(f.clone())),
                Some(_) => return None,
                None => (enums.vendor, None),
            };
            let wire = value.enum_wire()?;
            let e = list.iter().find(|e| e.name == r.name)?;
            let v = e.values.iter().find(|v| v.wire == wire)?;
            Some(ir::Value::Variant {
                name: e.name.clone(),
                family,
                variant: v.variant.clone(),
                wire: v.wire.clone(),
                string: e.wire == ir::EnumWire::String,
            })
        }
        _ => None,
    }
}
