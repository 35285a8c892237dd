//! Enums: kinds, wire forms, values and their Rust names.

use std::collections::BTreeMap;

use toml::Spanned;

use super::{Ctx, doc};
use crate::codes::Code;
use crate::ir;
use crate::load::Named;
use crate::model::{self, EnumKind, EnumWire};
use crate::naming;

pub(super) fn resolve_enum(ctx: &mut Ctx<'_>, e: &Named<model::EnumDef>) -> Option<ir::Enum> {
    let def = &e.def;
    let kind = *def.kind.get_ref();
    let wire = enum_wire(ctx, def, kind);
    if def.values.is_empty() {
        ctx.diags.error(
            Code::EnumEmpty,
            ctx.file,
            e.name.span(),
            "an enum needs at least one value",
        );
    }
    let mut variants = BTreeMap::new();
    let mut values = Vec::new();
    for (value, v) in &def.values {
        let vd = v.get_ref();
        if kind == EnumKind::EnumInt && value.get_ref().parse::<i64>().is_err() {
            ctx.diags.error(
                Code::EnumIntValue,
                ctx.file,
                value.span(),
                format!(
                    "`{}` is not an integer value of an `enum_int`",
                    value.get_ref()
                ),
            );
        }
        let Some(variant) = variant_name(ctx, value, vd, kind) else {
            continue;
        };
        if let Some(first) = variants.insert(variant.clone(), value.get_ref()) {
            ctx.diags.error_help(
                Code::VariantTwice,
                ctx.file,
                value.span(),
                format!(
                    "`{first}` and `{}` both become the variant `{variant}`",
                    value.get_ref()
                ),
                "set `name` on one of them",
            );
        }
        values.push(ir::EnumValue {
            wire: value.get_ref().clone(),
            variant,
            doc: doc(ctx, &vd.doc),
            term: vd.term.clone(),
        });
    }
    Some(ir::Enum {
        name: e.name.get_ref().clone(),
        kind,
        wire,
        exhaustive: def.exhaustive,
        doc: doc(ctx, &def.doc),
        term: def.term.clone(),
        values,
    })
}

/// How an enum's values travel: as the kind says, or as `wire` says for an `enum_int`.
fn enum_wire(ctx: &mut Ctx<'_>, def: &model::EnumDef, kind: EnumKind) -> EnumWire {
    match (&def.wire, kind) {
        (None, EnumKind::EnumInt) => EnumWire::Int,
        (None, EnumKind::EnumString) => EnumWire::String,
        (Some(w), EnumKind::EnumInt) => *w.get_ref(),
        (Some(w), EnumKind::EnumString) => {
            if *w.get_ref() != EnumWire::String {
                ctx.diags.error_help(
                    Code::EnumStringWire,
                    ctx.file,
                    w.span(),
                    "an `enum_string` always travels as a string",
                    "remove `wire`, or make it an `enum_int`",
                );
            }
            EnumWire::String
        }
    }
}

/// The Rust variant of a value: its `name`, else (for strings) the value in UpperCamelCase;
/// `None`, reported, when there is no usable one.
fn variant_name(
    ctx: &mut Ctx<'_>,
    value: &Spanned<String>,
    vd: &model::EnumValueDef,
    kind: EnumKind,
) -> Option<String> {
    let variant = match (&vd.name, kind) {
        (Some(n), _) => {
            let name = n.get_ref();
            if !naming::is_identifier(name) || naming::type_name(name) != *name {
                ctx.diags.error_help(
                    Code::VariantNameCase,
                    ctx.file,
                    n.span(),
                    format!("variant name `{name}` is not UpperCamelCase"),
                    format!("write `{}`", naming::type_name(name)),
                );
                return None;
            }
            name.clone()
        }
        (None, EnumKind::EnumInt) => {
            ctx.diags.error_help(
                Code::VariantNameMissing,
                ctx.file,
                value.span(),
                "an `enum_int` value needs a `name`",
                "add `name = \"...\"`",
            );
            return None;
        }
        (None, EnumKind::EnumString) => naming::type_name(value.get_ref()),
    };
    if variant.is_empty() || !naming::is_identifier(&variant) {
        ctx.diags.error_help(
            Code::VariantUnnamed,
            ctx.file,
            value.span(),
            format!("value `{}` has no usable variant name", value.get_ref()),
            "add `name = \"...\"`",
        );
        return None;
    }
    if variant == "Undocumented" {
        let span = vd.name.as_ref().map_or(value.span(), Spanned::span);
        ctx.diags.error_help(
            Code::VariantUndocumented,
            ctx.file,
            span,
            format!(
                "value `{}` becomes the variant `Undocumented`, which keeps the values the documents do not define",
                value.get_ref()
            ),
            "set `name` to another variant name",
        );
    }
    Some(variant)
}
