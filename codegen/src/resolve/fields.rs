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
    let range = resolve_range(ctx, d, &ty);
    let (ty, string_wire) = string_wire(ctx, d, ty);
    if string_wire || holds_decimal(&ty) {
        string_bounds(ctx, d, &range);
    }
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
    let fill = super::fill::fill(ctx, d, &ty, place);
    let conditional = !d.required_when.is_empty();
    if conditional && place == Place::Envelope {
        let (key, _) = d.required_when.first()?;
        ctx.diags.error(
            Code::RequiredWhen,
            ctx.file,
            key.span(),
            "`required_when` is for the fields of a family's messages and structs",
        );
    }
    Some(ir::Field {
        wire,
        rust,
        ty,
        // Required only when its siblings say so (`conditions`).
        optional: d.optional || conditional,
        required_when: Vec::new(),
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

/// Whether a number travels as a string (`wire = "string"`): an `int` keeps its type, within
/// 18 digits; a `float` becomes a [`Type::Decimal`], whose bounds are integers.
fn string_wire(ctx: &mut Ctx<'_>, d: &FieldDef, ty: Type) -> (Type, bool) {
    let Some(w) = d.wire.as_ref().filter(|w| *w.get_ref() == EnumWire::String) else {
        return (ty, false);
    };
    if !matches!(ty, Type::Int | Type::Float) {
        let message = match ty {
            Type::Disputed(..) => {
                "`wire = \"string\"` and `implemented` do not go together: write the string form \
                 as `implemented = \"string\"`"
            }
            _ => "`wire = \"string\"` is only for `int` and `float` fields",
        };
        ctx.diags
            .error(Code::StringWireNotNumber, ctx.file, w.span(), message);
        return (ty, false);
    }
    match ty {
        Type::Float => (Type::Decimal, false),
        ty => (ty, true),
    }
}

/// The type of a field whose document and reference implementation disagree on its wire form:
/// two named types, each reading its own wire form, or a scalar form of the documented type
/// ([`scalar_form`]).
fn disputed(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    documented: Type,
    documented_name: &Spanned<String>,
    implemented: &Spanned<String>,
    place: Place,
) -> Option<Type> {
    if let Some(form) = scalar_form(&documented, implemented.get_ref()) {
        return Some(Type::Disputed(Box::new(documented), Box::new(form)));
    }
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
                Code::ImplementedForm,
                ctx.file,
                name.span(),
                "`implemented` needs a named enum or struct on both sides, or a scalar form of \
                 the documented type",
                "name the wire form of each side with an `[enum.X]` or `[struct.X]`; or write \
                 `\"string\"` for an `int` or `float` sent as a string, `\"bool\"` for an `int` or \
                 enum sent as `true`/`false`, `\"int\"` for a `bool` sent as 0/1",
            );
            return None;
        }
    }
    Some(Type::Disputed(
        Box::new(documented),
        Box::new(implemented_ty),
    ))
}

/// The scalar form `implemented` names for a value documented as `documented`: a number sent
/// as its string, an integer (or integer enum) sent as a bool, a bool sent as 0 or 1.
fn scalar_form(documented: &Type, implemented: &str) -> Option<Type> {
    match (documented, implemented) {
        (Type::Int | Type::Float, "string") => Some(Type::Decimal),
        (Type::Int | Type::Enum(_), "bool") => Some(Type::Bool),
        (Type::Bool, "int") => Some(Type::Int),
        _ => None,
    }
}

/// Whether a number may travel as a string: a [`Type::Decimal`], alone or as the implemented
/// form of a dispute.
fn holds_decimal(ty: &Type) -> bool {
    *ty == Type::Decimal
        || ty
            .scalar_dispute()
            .is_some_and(|(_, form)| *form == Type::Decimal)
}

/// The bounds of a number sent as a string are integers within 18 digits: the JSON Schema
/// holds the string to them with a pattern of its digits.
fn string_bounds(ctx: &mut Ctx<'_>, d: &FieldDef, range: &ir::Range) {
    let beyond = [(range.min, &d.min), (range.max, &d.max)]
        .into_iter()
        .find(|(n, _)| n.is_some_and(beyond_string_int));
    let Some((_, bound)) = beyond else {
        return;
    };
    let span = bound.as_ref().map_or(d.ty.span(), Spanned::span);
    ctx.diags.error_help(
        Code::StringWireRange,
        ctx.file,
        span,
        format!(
            "the bounds of a number sent as a string are integers within 18 digits (±{})",
            ir::STRING_INT_LIMIT
        ),
        "the JSON Schema holds such a string to its range with a pattern of its digits",
    );
}

/// Whether a bound lies outside what a number sent as a string may be held to: an integer of
/// at most 18 digits.
fn beyond_string_int(bound: ir::Number) -> bool {
    let limit = ir::STRING_INT_LIMIT;
    match bound {
        ir::Number::Int(n) => !(-limit..=limit).contains(&n),
        // `limit as f64` rounds up to 1e18, which has 19 digits.
        ir::Number::Float(f) => !(f.fract() == 0.0 && f.abs() < 1e18),
    }
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
    // A scalar dispute is bounded as its documented form.
    let ty = ty.scalar_dispute().map_or(ty, |(documented, _)| documented);
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
        pattern: text_pattern(ctx, d, is_text),
    };
    check_inverted(ctx, d, &range);
    range
}

/// The pattern a `text` field must match: its `layout`'s, or its own `pattern`, which must be
/// in the portable subset.
fn text_pattern(ctx: &mut Ctx<'_>, d: &FieldDef, is_text: bool) -> Option<ir::TextPattern> {
    let span = match (&d.layout, &d.pattern) {
        (None, None) => return None,
        (Some(_), Some(p)) => {
            let message = "a field has one shape: a `layout` or a `pattern`";
            ctx.diags
                .error(Code::LayoutAndPattern, ctx.file, p.span(), message);
            return None;
        }
        (Some(l), None) => l.span(),
        (None, Some(p)) => p.span(),
    };
    if !is_text {
        let message = "`layout` and `pattern` are only for `text` fields";
        ctx.diags
            .error(Code::PatternNotText, ctx.file, span, message);
        return None;
    }
    let (source, layout) = match (&d.layout, &d.pattern) {
        (Some(layout), _) => (layout.get_ref().pattern(), Some(*layout.get_ref())),
        (None, pattern) => (pattern.as_ref()?.get_ref().as_str(), None),
    };
    let fault = match crate::subset::compile(source) {
        Ok(dfa) => {
            let source = source.to_owned();
            return Some(ir::TextPattern {
                source,
                layout,
                dfa,
            });
        }
        Err(fault) => fault,
    };
    // The span covers the quoted string: the fault's character is `at` bytes past the quote,
    // unless escapes (`"\\."`) make the text longer than the pattern.
    let at = span.start + 1 + fault.at;
    let unescaped = span.len() == source.len() + 2;
    ctx.diags.error_help(
        Code::PatternNotPortable,
        ctx.file,
        if unescaped { at..at + 1 } else { span },
        fault.reason,
        "patterns keep to the subset that Rust, ECMA-262 and Python read alike (see \
         schema/README.md)",
    );
    None
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
