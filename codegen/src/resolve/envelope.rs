//! The envelope's discriminators and body: where each sits, numbered in envelope order.

use super::fields::resolve_fields;
use super::{Ctx, Place, Scope, correlation, doc, fill};
use crate::codes::Code;
use crate::ir::{self, Type};
use crate::load::VendorFile;
use crate::model::EnvelopeDef;
use crate::naming;

/// What a walk through an envelope finds: its discriminators in envelope order (depth first
/// through generic structs) and where each sits, and its body fields.
#[derive(Default)]
struct Walk {
    tags: Vec<String>,
    paths: Vec<String>,
    bodies: usize,
    /// The Rust field names from the payload to the body, and its JSON pointer, unless an
    /// array lies between.
    body_path: Option<(Vec<String>, String)>,
}

/// Where a walk is: the JSON pointer, the Rust field names, and whether an array lies above.
#[derive(Clone, Default)]
struct At {
    pointer: String,
    rust: Vec<String>,
    in_array: bool,
}

/// Numbers the discriminators, and finds the body.
fn walk(
    fields: &mut [ir::Field],
    structs: &mut [ir::Struct],
    at: &At,
    out: &mut Walk,
    depth: usize,
) {
    if depth > structs.len() {
        return; // A cycle; the Rust compiler reports the infinite type.
    }
    for f in fields.iter_mut() {
        let mut here = at.clone();
        here.pointer = naming::pointer_key(&at.pointer, &f.wire);
        here.rust.push(f.rust.clone());
        let ty = match &mut f.ty {
            Type::Array(inner) => {
                here.pointer.push_str("/0");
                here.in_array = true;
                inner.as_mut()
            }
            other => other,
        };
        match ty {
            Type::Tag(i) => {
                *i = Some(out.tags.len());
                out.tags.push(f.wire.clone());
                out.paths.push(here.pointer);
            }
            Type::Body => {
                out.bodies += 1;
                out.body_path = (!here.in_array).then_some((here.rust, here.pointer));
            }
            Type::Struct(r) if r.generic && r.family.is_none() => {
                if let Some(pos) = structs.iter().position(|s| s.name == r.name) {
                    let mut inner = std::mem::take(&mut structs[pos].fields);
                    walk(&mut inner, structs, &here, out, depth + 1);
                    structs[pos].fields = inner;
                }
            }
            _ => {}
        }
    }
}

/// How often the vendor's envelopes and structs use the vendor struct `name`.
fn count_uses(envelopes: &[ir::Envelope], structs: &[ir::Struct], name: &str) -> usize {
    let direct = |fields: &[ir::Field]| {
        fields
            .iter()
            .filter(|f| matches!(&f.ty, Type::Struct(r) if r.name == name && r.family.is_none())
                || matches!(&f.ty, Type::Array(inner) if matches!(inner.as_ref(), Type::Struct(r) if r.name == name && r.family.is_none())))
            .count()
    };
    let in_envelopes: usize = envelopes.iter().map(|e| direct(&e.fields)).sum();
    in_envelopes + structs.iter().map(|s| direct(&s.fields)).sum::<usize>()
}

/// The vendor's envelopes: its `[envelope]`, then each `[envelopes.<name>]`. A struct that
/// holds the body or a discriminator belongs to exactly one envelope, used there once.
pub(super) fn resolve_envelopes(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    vf: &VendorFile,
    structs: &mut [ir::Struct],
) -> Vec<ir::Envelope> {
    let mut envelopes = Vec::new();
    // Without an `[envelope]`, its place is held so that indices stay put; a topic that
    // would carry it reports the fault.
    match &vf.envelope {
        Some(def) => envelopes.push(resolve_envelope(
            ctx,
            scope,
            None,
            def.get_ref(),
            def.span(),
            structs,
        )),
        None => envelopes.push(empty()),
    }
    for named in &vf.envelopes {
        let name = Some(named.name.get_ref().as_str());
        let span = named.name.span();
        envelopes.push(resolve_envelope(
            ctx, scope, name, &named.def, span, structs,
        ));
    }
    for s in structs.iter().filter(|s| s.generic) {
        let uses = count_uses(&envelopes, structs, &s.name);
        // Unused, it is reported as such; used in a message, as belonging to the envelope.
        if uses > 1 {
            let span = vf
                .structs
                .iter()
                .find(|d| *d.name.get_ref() == s.name)
                .map_or(0..0, |d| d.name.span());
            ctx.diags.error(
                Code::EnvelopeStructReuse,
                ctx.file,
                span,
                format!("struct `{}` holds the body or a discriminator, so one envelope field at most may use it; {uses} do", s.name),
            );
        }
    }
    envelopes
}

/// What holds the place of a missing `[envelope]`; no topic carries it.
fn empty() -> ir::Envelope {
    ir::Envelope {
        name: None,
        rust_name: "Envelope".to_owned(),
        doc: String::new(),
        fields: Vec::new(),
        tags: Vec::new(),
        tag_paths: Vec::new(),
        nested: false,
        correlate: Vec::new(),
        body_path: Some(Vec::new()),
        body_pointer: Some(String::new()),
    }
}

/// One envelope: its fields, where its discriminators and body sit, and the faults of its
/// shape (a name that is not snake_case, no discriminator, several bodies).
fn resolve_envelope(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    name: Option<&str>,
    def: &EnvelopeDef,
    span: std::ops::Range<usize>,
    structs: &mut [ir::Struct],
) -> ir::Envelope {
    if let Some(name) = name.filter(|n| !naming::is_identifier(n) || naming::field_name(n) != **n) {
        ctx.diags.error_help(
            Code::EnvelopeNameCase,
            ctx.file,
            span.clone(),
            format!("envelope name `{name}` is not snake_case"),
            format!("write `{}`", naming::field_name(name)),
        );
    }
    let mut fields = resolve_fields(ctx, scope, &def.fields, Place::Envelope);
    let mut found = Walk::default();
    walk(&mut fields, structs, &At::default(), &mut found, 0);
    let Walk {
        tags,
        paths: tag_paths,
        bodies,
        body_path,
    } = found;
    // A `discriminator` written where it cannot be is reported where it is written.
    let misplaced = def.fields.values().any(|f| {
        f.get_ref()
            .items
            .as_ref()
            .is_some_and(|i| i.get_ref() == "discriminator")
    });
    if tags.is_empty() && !misplaced {
        let fault = "the envelope has no `discriminator` field";
        ctx.diags
            .error(Code::EnvelopeNoDiscriminator, ctx.file, span.clone(), fault);
    }
    fill::check_buildable(ctx, &def.fields, &fields, bodies > 0);
    if bodies == 0 {
        check_flat(ctx, def, &fields);
    }
    if bodies > 1 {
        let fault = "the envelope holds more than one `body` field";
        ctx.diags.error(Code::EnvelopeBodies, ctx.file, span, fault);
    }
    ir::Envelope {
        name: name.map(str::to_owned),
        rust_name: match name {
            Some(name) => format!("{}Envelope", naming::type_name(name)),
            None => "Envelope".to_owned(),
        },
        doc: doc(ctx, &def.doc),
        correlate: correlation::envelope_correlate(ctx, def, &fields),
        fields,
        tags,
        tag_paths,
        nested: bodies > 0,
        body_pointer: match &body_path {
            _ if bodies == 0 => Some(String::new()),
            path => path.as_ref().map(|(_, pointer)| pointer.clone()),
        },
        body_path: match body_path {
            _ if bodies == 0 => Some(Vec::new()),
            path => path.map(|(rust, _)| rust),
        },
    }
}

/// An envelope without a body keeps its discriminators at the top level, beside the message's
/// fields: the message struct holds them, and no struct of the vendor can sit between.
fn check_flat(ctx: &mut Ctx<'_>, def: &EnvelopeDef, fields: &[ir::Field]) {
    let nested = |f: &ir::Field| match &f.ty {
        Type::Struct(r) => r.generic,
        Type::Array(inner) => matches!(inner.as_ref(), Type::Struct(r) if r.generic),
        _ => false,
    };
    for field in fields.iter().filter(|f| nested(f)) {
        let span = def
            .fields
            .keys()
            .find(|k| *k.get_ref() == field.wire)
            .map_or(0..0, |k| k.span());
        ctx.diags.error_help(
            Code::FlatEnvelopeStruct,
            ctx.file,
            span,
            format!(
                "`{}` holds a discriminator, in an envelope without a `body`",
                field.wire
            ),
            "put the discriminators at the top of the envelope, or add a `body` field",
        );
    }
}
