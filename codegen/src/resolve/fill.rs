//! What a built message holds around its body: `fill` on envelope fields, and the check that
//! every required field around a body is filled.

use indexmap::IndexMap;
use toml::Spanned;

use super::{Ctx, Place};
use crate::codes::Code;
use crate::ir::{self, Fill, Type};
use crate::load::VendorFile;
use crate::model::FieldDef;

pub(super) type FieldDefs = IndexMap<Spanned<String>, Spanned<FieldDef>>;

/// A field's `fill`: only in the envelope, `id` on `text` and `now_ms` on `int`.
pub(super) fn fill(ctx: &mut Ctx<'_>, d: &FieldDef, ty: &Type, place: Place) -> Option<Fill> {
    let fill = d.fill.as_ref()?;
    if place == Place::Message {
        fill_outside(ctx, fill.span());
        return None;
    }
    let (fits, value, wanted) = match fill.get_ref() {
        Fill::Id => (*ty == Type::Text, "id", "text"),
        Fill::NowMs => (*ty == Type::Int, "now_ms", "int"),
    };
    if !fits {
        ctx.diags.error_help(
            Code::FillType,
            ctx.file,
            fill.span(),
            format!("`fill = \"{value}\"` is only for `{wanted}` fields"),
            "`id` fills a `text` field with a fresh id, `now_ms` an `int` field with the time",
        );
        return None;
    }
    Some(*fill.get_ref())
}

fn fill_outside(ctx: &mut Ctx<'_>, span: std::ops::Range<usize>) {
    ctx.diags.error_help(
        Code::FillOutsideEnvelope,
        ctx.file,
        span,
        "`fill` is only for the fields of an envelope that holds a `body`",
        "the fields of a message, and of an envelope whose messages sit beside it, are set when the message is built",
    );
}

/// A built message can fill every field around its body: each required field of `fields` is
/// a discriminator, the body, a struct that leads to them, or has a `fill`. In an envelope
/// without a body there is nothing to fill.
pub(super) fn check_buildable(
    ctx: &mut Ctx<'_>,
    defs: &FieldDefs,
    fields: &[ir::Field],
    nested: bool,
) {
    for (name, def) in defs {
        let Some(field) = fields.iter().find(|f| f.wire == *name.get_ref()) else {
            continue; // Not resolved, and reported.
        };
        match (&def.get_ref().fill, nested) {
            (Some(fill), false) => fill_outside(ctx, fill.span()),
            (None, true) if !field.optional && !leads_to_body(&field.ty) => {
                let help = match field.ty {
                    Type::Text => "add `fill = \"id\"`, or make it optional",
                    Type::Int => {
                        "add `fill = \"now_ms\"` if it holds the time, or make it optional"
                    }
                    _ => "make it optional: a built message leaves it empty",
                };
                ctx.diags.error_help(
                    Code::UnfilledEnvelopeField,
                    ctx.file,
                    name.span(),
                    format!(
                        "nothing fills the envelope field `{}` of a built message",
                        field.wire
                    ),
                    help,
                );
            }
            _ => {}
        }
    }
}

/// The body, a discriminator, or a struct that holds them.
pub(super) fn leads_to_body(ty: &Type) -> bool {
    match ty {
        Type::Array(inner) => leads_to_body(inner),
        Type::Struct(r) => r.generic,
        Type::Body | Type::Tag(_) => true,
        _ => false,
    }
}

/// The vendor structs that an envelope with a body holds are filled as the envelope is; the
/// others are set by whoever builds them, so a `fill` there is a fault.
pub(super) fn check_struct_fills(
    ctx: &mut Ctx<'_>,
    vf: &VendorFile,
    structs: &[ir::Struct],
    envelopes: &[ir::Envelope],
) {
    for (named, s) in vf.structs.iter().zip(structs) {
        if s.generic && held_by_nested(&s.name, envelopes, structs) {
            check_buildable(ctx, &named.def.fields, &s.fields, true);
        } else if !s.generic {
            for def in named.def.fields.values() {
                if let Some(fill) = &def.get_ref().fill {
                    fill_outside(ctx, fill.span());
                }
            }
        }
    }
}

/// Whether an envelope with a body holds the vendor struct `name`, directly or through other
/// structs.
fn held_by_nested(name: &str, envelopes: &[ir::Envelope], structs: &[ir::Struct]) -> bool {
    let mut names = vec![name.to_owned()];
    // Each round adds the structs that hold one found so far: at most one round per struct.
    for _ in 0..=structs.len() {
        let held = |fields: &[ir::Field]| names.iter().any(|n| holds(fields, n));
        if envelopes.iter().any(|e| e.nested && held(&e.fields)) {
            return true;
        }
        let more: Vec<String> = structs
            .iter()
            .filter(|s| !names.contains(&s.name) && held(&s.fields))
            .map(|s| s.name.clone())
            .collect();
        if more.is_empty() {
            return false;
        }
        names.extend(more);
    }
    false
}

/// Whether `fields` hold the vendor struct `name`, or a list of it.
fn holds(fields: &[ir::Field], name: &str) -> bool {
    fields.iter().any(|f| {
        let ty = match &f.ty {
            Type::Array(inner) => inner.as_ref(),
            ty => ty,
        };
        matches!(ty, Type::Struct(r) if r.name == name && r.family.is_none())
    })
}
