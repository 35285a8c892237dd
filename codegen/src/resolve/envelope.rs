//! The envelope's discriminators and body: where each sits, numbered in envelope order.

use crate::ir::{self, Type};

/// Numbers the discriminators in envelope order (depth first through generic structs), notes
/// where each sits, and counts the body fields.
pub(super) fn number_tags(
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

pub(super) fn count_uses(fields: &[ir::Field], structs: &[ir::Struct], name: &str) -> usize {
    let direct = |fields: &[ir::Field]| {
        fields
            .iter()
            .filter(|f| matches!(&f.ty, Type::Struct(r) if r.name == name && r.family.is_none())
                || matches!(&f.ty, Type::Array(inner) if matches!(inner.as_ref(), Type::Struct(r) if r.name == name && r.family.is_none())))
            .count()
    };
    direct(fields) + structs.iter().map(|s| direct(&s.fields)).sum::<usize>()
}
