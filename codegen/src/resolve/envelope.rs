//! The envelope's discriminators and body: where each sits, numbered in envelope order.

use toml::Spanned;

use super::fields::resolve_fields;
use super::{Ctx, Place, Scope, doc};
use crate::ir::{self, Type};
use crate::model::EnvelopeDef;

/// Numbers the discriminators in envelope order (depth first through generic structs), notes
/// where each sits, and counts the body fields.
fn number_tags(
    fields: &mut [ir::Field],
    structs: &mut [ir::Struct],
) -> (Vec<String>, Vec<String>, usize) {
    struct Walk {
        tags: Vec<String>,
        paths: Vec<String>,
        bodies: usize,
    }
    fn walk(
        fields: &mut [ir::Field],
        structs: &mut [ir::Struct],
        at: &str,
        out: &mut Walk,
        depth: usize,
    ) {
        if depth > structs.len() {
            return; // A cycle; the Rust compiler reports the infinite type.
        }
        for f in fields.iter_mut() {
            let mut path = format!("{at}/{}", f.wire);
            let ty = match &mut f.ty {
                Type::Array(inner) => {
                    path.push_str("/0");
                    inner.as_mut()
                }
                other => other,
            };
            match ty {
                Type::Tag(i) => {
                    *i = out.tags.len();
                    out.tags.push(f.wire.clone());
                    out.paths.push(path);
                }
                Type::Body => out.bodies += 1,
                Type::Struct(r) if r.generic && r.family.is_none() => {
                    if let Some(pos) = structs.iter().position(|s| s.name == r.name) {
                        let mut inner = std::mem::take(&mut structs[pos].fields);
                        walk(&mut inner, structs, &path, out, depth + 1);
                        structs[pos].fields = inner;
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Walk {
        tags: Vec::new(),
        paths: Vec::new(),
        bodies: 0,
    };
    walk(fields, structs, "", &mut out, 0);
    (out.tags, out.paths, out.bodies)
}

/// How often the vendor's envelope and structs use the vendor struct `name`.
fn count_uses(fields: &[ir::Field], structs: &[ir::Struct], name: &str) -> usize {
    let direct = |fields: &[ir::Field]| {
        fields
            .iter()
            .filter(|f| matches!(&f.ty, Type::Struct(r) if r.name == name && r.family.is_none())
                || matches!(&f.ty, Type::Array(inner) if matches!(inner.as_ref(), Type::Struct(r) if r.name == name && r.family.is_none())))
            .count()
    };
    direct(fields) + structs.iter().map(|s| direct(&s.fields)).sum::<usize>()
}

/// The envelope: its fields, where its discriminators and body sit, and the faults of its
/// shape (no discriminator, several bodies, a generic struct used other than once).
pub(super) fn resolve_envelope(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    def: Option<&Spanned<EnvelopeDef>>,
    structs: &mut [ir::Struct],
) -> ir::Envelope {
    let mut fields = match def {
        Some(env) => resolve_fields(ctx, scope, &env.get_ref().fields, Place::Envelope),
        None => {
            ctx.diags
                .error(ctx.file, 0..0, "missing `[envelope]` table");
            Vec::new()
        }
    };
    let (tags, tag_paths, bodies) = number_tags(&mut fields, structs);
    let span = def.map(|e| e.span()).unwrap_or(0..0);
    if tags.is_empty() && def.is_some() {
        let fault = "the envelope has no `discriminator` field";
        ctx.diags.error(ctx.file, span.clone(), fault);
    }
    if bodies > 1 {
        let fault = "the envelope holds more than one `body` field";
        ctx.diags.error(ctx.file, span.clone(), fault);
    }
    for s in structs.iter().filter(|s| s.generic) {
        let uses = count_uses(&fields, structs, &s.name);
        if uses != 1 {
            ctx.diags.error(
                ctx.file,
                span.clone(),
                format!("struct `{}` holds the body or a discriminator, so the envelope must use it exactly once (it does {uses} times)", s.name),
            );
        }
    }
    ir::Envelope {
        doc: def.map(|e| doc(ctx, &e.get_ref().doc)).unwrap_or_default(),
        fields,
        tags,
        tag_paths,
        nested: bodies > 0,
    }
}
