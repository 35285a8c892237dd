//! Fields: names, types, wire forms and ranges.

use std::collections::BTreeMap;

use toml::Spanned;

use super::types::resolve_type;
use super::{Ctx, Kind, Place, Scope, doc};
use crate::codes::Code;
use crate::ir::{self, Number, Type, TypeRef};
use crate::load::Named;
use crate::model::{self, Bound, EnumWire, FieldDef};
use crate::naming;

pub(super) fn resolve_struct(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    family: Option<&str>,
    s: &Named<model::StructDef>,
    place: Place,
) -> ir::Struct {
    let fields = resolve_fields(ctx, scope, &s.def.fields, place);
    let generic = family.is_none()
        && matches!(
            scope.vendor.get(s.name.get_ref()),
            Some(Kind::Struct { generic: true })
        );
    ir::Struct {
        name: s.name.get_ref().clone(),
        doc: doc(ctx, &s.def.doc),
        term: s.def.term.clone(),
        fields,
        generic,
    }
}

pub(super) fn resolve_fields(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    defs: &indexmap::IndexMap<Spanned<String>, Spanned<FieldDef>>,
    place: Place,
) -> Vec<ir::Field> {
    let mut seen = BTreeMap::new();
    let mut fields = Vec::new();
    for (name, def) in defs {
        let Some(field) = resolve_field(ctx, scope, name, def, place) else {
            continue;
        };
        if let Some(first) = seen.insert(field.rust.clone(), name.get_ref().clone()) {
            ctx.diags.error_help(
                Code::FieldNameCollision,
                ctx.file,
                name.span(),
                format!(
                    "`{first}` and `{}` both become the Rust field `{}`",
                    name.get_ref(),
                    field.rust
                ),
                "set `rust_name` on one of them",
            );
        }
        fields.push(field);
    }
    fields
}

fn resolve_field(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    name: &Spanned<String>,
    def: &Spanned<FieldDef>,
    place: Place,
) -> Option<ir::Field> {
    let d = def.get_ref();
    let wire = name.get_ref().clone();
    let rust = rust_field_name(ctx, name, d)?;
    let ty = field_type(ctx, scope, d, place)?;
    let ty = match &d.implemented {
        Some(implemented) => disputed(ctx, scope, ty, &d.ty, implemented, place)?,
        None => ty,
    };
    if d.optional && matches!(ty, Type::Body | Type::Tag(_)) {
        ctx.diags.error(
            Code::OptionalTag,
            ctx.file,
            def.span(),
            "the body and the discriminators cannot be optional",
        );
    } else if d.optional && place == Place::Envelope && carries_generic(&ty) {
        ctx.diags.error(
            Code::OptionalTagPath,
            ctx.file,
            def.span(),
            "a field that leads to the body or a discriminator cannot be optional",
        );
    }
    let range = resolve_range(ctx, d, &ty);
    let string_wire = string_wire(ctx, d, &ty, &range);
    let fill = super::fill::fill(ctx, d, &ty, place);
    Some(ir::Field {
        wire,
        rust,
        ty,
        optional: d.optional,
        doc: doc(ctx, &d.doc),
        term: d.term.clone(),
        unit: d.unit.clone(),
        range,
        string_wire,
        fill,
    })
}

/// The Rust name of a field: its `rust_name`, else its wire name in snake_case; `None`,
/// reported, when neither gives an identifier.
fn rust_field_name(ctx: &mut Ctx<'_>, name: &Spanned<String>, d: &FieldDef) -> Option<String> {
    let wire = name.get_ref();
    let rust = match &d.rust_name {
        Some(r) => {
            let n = r.get_ref();
            if !naming::is_identifier(n) || naming::field_name(n) != *n {
                ctx.diags.error_help(
                    Code::RustNameCase,
                    ctx.file,
                    r.span(),
                    format!("`{n}` is not a snake_case Rust field name"),
                    format!("write `{}`", naming::field_name(n)),
                );
                return None;
            }
            n.clone()
        }
        None => naming::field_name(wire),
    };
    if rust.is_empty() || !naming::is_identifier(&rust) {
        ctx.diags.error_help(
            Code::FieldUnnamed,
            ctx.file,
            name.span(),
            format!("field `{wire}` has no usable Rust name"),
            "set `rust_name`",
        );
        return None;
    }
    Some(rust)
}

/// The type of a field: its `type`, or an array of its `items`.
fn field_type(ctx: &mut Ctx<'_>, scope: &Scope<'_>, d: &FieldDef, place: Place) -> Option<Type> {
    if d.ty.get_ref() != "array" {
        if let Some(items) = &d.items {
            ctx.diags.error(
                Code::ItemsNotArray,
                ctx.file,
                items.span(),
                "`items` is only for `array` fields",
            );
            // Looked up all the same, so that the type it names is not also reported unused.
            resolve_type(ctx, scope, items, place);
        }
        return resolve_type(ctx, scope, &d.ty, place);
    }
    let Some(items) = &d.items else {
        ctx.diags.error_help(
            Code::ArrayWithoutItems,
            ctx.file,
            d.ty.span(),
            "an `array` needs `items`",
            "add `items = \"<type>\"`",
        );
        return None;
    };
    match resolve_type(ctx, scope, items, place)? {
        Type::Tag(_) => {
            ctx.diags.error(
                Code::TagInArray,
                ctx.file,
                items.span(),
                "a discriminator cannot be an array item",
            );
            None
        }
        inner => Some(Type::Array(Box::new(inner))),
    }
}

/// Whether an `int` travels as a string (`wire = "string"`), within 18 digits.
fn string_wire(ctx: &mut Ctx<'_>, d: &FieldDef, ty: &Type, range: &ir::Range) -> bool {
    let Some(w) = d.wire.as_ref().filter(|w| *w.get_ref() == EnumWire::String) else {
        return false;
    };
    if *ty != Type::Int {
        ctx.diags.error(
            Code::StringWireNotInt,
            ctx.file,
            w.span(),
            "`wire = \"string\"` is only for `int` fields",
        );
    } else if let Some(bound) = [(range.min, &d.min), (range.max, &d.max)]
        .into_iter()
        .find(|(n, _)| n.is_some_and(beyond_string_int))
    {
        let span = bound.1.as_ref().map_or(w.span(), Spanned::span);
        ctx.diags.error_help(
            Code::StringWireRange,
            ctx.file,
            span,
            format!(
                "an `int` sent as a string must lie within 18 digits (±{})",
                ir::STRING_INT_LIMIT
            ),
            "the JSON Schema holds such a string to its range with a pattern of at most 18 digits",
        );
    }
    true
}

/// The type of a field whose document and reference implementation disagree on its wire form.
/// Both forms are named types, so each reads its own wire form.
fn disputed(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    documented: Type,
    documented_name: &Spanned<String>,
    implemented: &Spanned<String>,
    place: Place,
) -> Option<Type> {
    let implemented_ty = resolve_type(ctx, scope, implemented, place)?;
    let named = |ty: &Type| {
        matches!(
            ty,
            Type::Enum(_) | Type::Struct(TypeRef { generic: false, .. })
        )
    };
    for (ty, name) in [
        (&documented, documented_name),
        (&implemented_ty, implemented),
    ] {
        if !named(ty) {
            ctx.diags.error_help(
                Code::ImplementedUnnamed,
                ctx.file,
                name.span(),
                "a field with `implemented` needs a named enum or struct on both sides",
                "name the wire form of each side with an `[enum.X]` or `[struct.X]`",
            );
            return None;
        }
    }
    Some(Type::Disputed(
        Box::new(documented),
        Box::new(implemented_ty),
    ))
}

/// Whether a bound lies outside what an `int` sent as a string may hold (18 digits).
fn beyond_string_int(bound: ir::Number) -> bool {
    let limit = ir::STRING_INT_LIMIT;
    !matches!(bound, ir::Number::Int(n) if (-limit..=limit).contains(&n))
}

fn carries_generic(ty: &Type) -> bool {
    match ty {
        Type::Array(inner) => carries_generic(inner),
        Type::Struct(r) => r.generic,
        Type::Body | Type::Tag(_) => true,
        _ => false,
    }
}

fn resolve_range(ctx: &mut Ctx<'_>, d: &FieldDef, ty: &Type) -> ir::Range {
    let file = ctx.file;
    let mut bound = |b: &Option<Spanned<Bound>>| -> Option<Number> {
        let b = b.as_ref()?;
        match (ty, *b.get_ref()) {
            (Type::Int, Bound::Int(i)) => Some(Number::Int(i)),
            (Type::Float, Bound::Int(i)) => Some(Number::Float(i as f64)),
            (Type::Float, Bound::Float(f)) => Some(Number::Float(f)),
            (Type::Int, Bound::Float(_)) => {
                ctx.diags.error(
                    Code::IntBoundNotInteger,
                    file,
                    b.span(),
                    "an `int` field needs integer bounds",
                );
                None
            }
            _ => {
                ctx.diags.error(
                    Code::BoundNotNumeric,
                    file,
                    b.span(),
                    "`min` and `max` are only for `int` and `float` fields",
                );
                None
            }
        }
    };
    let min = bound(&d.min);
    let max = bound(&d.max);
    let mut only = |key: &str, v: &Option<Spanned<u64>>, ok: bool, what: &str| {
        let v = v.as_ref()?;
        if !ok {
            ctx.diags.error(
                Code::ConstraintWrongType,
                file,
                v.span(),
                format!("`{key}` is only for `{what}` fields"),
            );
        }
        ok.then(|| *v.get_ref())
    };
    let is_text = *ty == Type::Text;
    let is_array = matches!(ty, Type::Array(_));
    let range = ir::Range {
        min,
        max,
        min_length: only("min_length", &d.min_length, is_text, "text"),
        max_length: only("max_length", &d.max_length, is_text, "text"),
        min_items: only("min_items", &d.min_items, is_array, "array"),
        max_items: only("max_items", &d.max_items, is_array, "array"),
        format: d.format.as_ref().and_then(|f| {
            if !is_text {
                ctx.diags.error(
                    Code::FormatNotText,
                    file,
                    f.span(),
                    "`format` is only for `text` fields",
                );
            }
            is_text.then(|| *f.get_ref())
        }),
    };
    check_inverted(ctx, d, &range);
    range
}

/// Each lower bound is at most its upper bound; the fault points at the upper one.
fn check_inverted(ctx: &mut Ctx<'_>, d: &FieldDef, range: &ir::Range) {
    let text = |n: Number| match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
    };
    let above = |a: Number, b: Number| match (a, b) {
        (Number::Int(a), Number::Int(b)) => a > b,
        (Number::Float(a), Number::Float(b)) => a > b,
        _ => false,
    };
    let span = |b: Option<std::ops::Range<usize>>| b.unwrap_or(d.ty.span());
    let mut pairs: Vec<(&str, String, &str, String, std::ops::Range<usize>)> = Vec::new();
    if let (Some(a), Some(b)) = (range.min, range.max)
        && above(a, b)
    {
        pairs.push((
            "min",
            text(a),
            "max",
            text(b),
            span(d.max.as_ref().map(Spanned::span)),
        ));
    }
    for (low, high, a, b, at) in [
        (
            "min_length",
            "max_length",
            range.min_length,
            range.max_length,
            &d.max_length,
        ),
        (
            "min_items",
            "max_items",
            range.min_items,
            range.max_items,
            &d.max_items,
        ),
    ] {
        if let (Some(a), Some(b)) = (a, b)
            && a > b
        {
            pairs.push((
                low,
                a.to_string(),
                high,
                b.to_string(),
                span(at.as_ref().map(Spanned::span)),
            ));
        }
    }
    for (low, a, high, b, at) in pairs {
        let message = format!("`{low}` ({a}) is above `{high}` ({b})");
        ctx.diags.error(Code::BoundsInverted, ctx.file, at, message);
    }
}
