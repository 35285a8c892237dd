//! Checks the loaded definitions and resolves them into the [`ir`](crate::ir).
//!
//! Every check records its fault and carries on, so one build lists every fault it can see.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use toml::Spanned;

use crate::diagnostics::{Diagnostics, FileId};
use crate::ir;
use crate::load::VendorDir;
use crate::naming;

mod enums;
mod envelope;
mod family;
mod fields;
mod names;
mod topics;
mod types;

use enums::resolve_enum;
use envelope::{count_uses, number_tags};
use family::{Known, Taken, resolve_family};
use fields::{resolve_fields, resolve_struct};
use names::{check_type_names, mark_generic};
use topics::resolve_topics;

pub fn resolve(dirs: &[VendorDir], diags: &mut Diagnostics) -> ir::Protocol {
    // `Message` variant name → message id, across every vendor.
    let mut variants = HashMap::new();
    let vendors = dirs
        .iter()
        .filter_map(|dir| resolve_vendor(dir, diags, &mut variants))
        .collect();
    ir::Protocol { vendors }
}

/// Where names are looked up: a family's own types first, then its vendor's.
struct Scope<'a> {
    family: Option<(&'a str, &'a BTreeMap<String, Kind>)>,
    vendor: &'a BTreeMap<String, Kind>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Struct { generic: bool },
    Enum,
}

/// What a field may hold where it is written.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// The envelope or a vendor struct: `body` and `discriminator` are allowed.
    Envelope,
    Message,
}

struct Ctx<'d> {
    file: FileId,
    diags: &'d mut Diagnostics,
    used: &'d mut BTreeSet<(Option<String>, String)>,
}

fn resolve_vendor(
    dir: &VendorDir,
    diags: &mut Diagnostics,
    variants: &mut HashMap<String, String>,
) -> Option<ir::Vendor> {
    let vf = dir.vendor.as_ref()?;
    let file = vf.file;
    let mut used: BTreeSet<(Option<String>, String)> = BTreeSet::new();

    // Vendor-level type names, and which vendor structs are generic over the body.
    let mut vendor_types = BTreeMap::new();
    check_type_names(file, &vf.structs, &vf.enums, &mut vendor_types, diags);
    mark_generic(&vf.structs, &mut vendor_types);

    let scope = Scope {
        family: None,
        vendor: &vendor_types,
    };
    let mut ctx = Ctx {
        file,
        diags,
        used: &mut used,
    };
    let mut structs: Vec<ir::Struct> = vf
        .structs
        .iter()
        .map(|s| resolve_struct(&mut ctx, &scope, None, s, Place::Envelope))
        .collect();
    let enums: Vec<ir::Enum> = vf
        .enums
        .iter()
        .filter_map(|e| resolve_enum(&mut ctx, e))
        .collect();

    let envelope_def = vf.envelope.as_ref();
    let mut envelope_fields = match envelope_def {
        Some(env) => resolve_fields(&mut ctx, &scope, &env.get_ref().fields, Place::Envelope),
        None => {
            ctx.diags.error(file, 0..0, "missing `[envelope]` table");
            Vec::new()
        }
    };
    let (tags, tag_paths, bodies) = number_tags(&mut envelope_fields, &mut structs);
    let env_span = envelope_def.map(|e| e.span()).unwrap_or(0..0);
    if tags.is_empty() && envelope_def.is_some() {
        ctx.diags.error(
            file,
            env_span.clone(),
            "the envelope has no `discriminator` field",
        );
    }
    if bodies > 1 {
        ctx.diags.error(
            file,
            env_span.clone(),
            "the envelope holds more than one `body` field",
        );
    }
    for s in structs.iter().filter(|s| s.generic) {
        let uses = count_uses(&envelope_fields, &structs, &s.name);
        if uses != 1 {
            ctx.diags.error(
                file,
                env_span.clone(),
                format!("struct `{}` holds the body or a discriminator, so the envelope must use it exactly once (it does {uses} times)", s.name),
            );
        }
    }
    let envelope = ir::Envelope {
        doc: envelope_def
            .map(|e| doc(&mut ctx, &e.get_ref().doc))
            .unwrap_or_default(),
        fields: envelope_fields,
        tags,
        tag_paths,
        nested: bodies > 0,
    };

    let topics = resolve_topics(&mut ctx, &vf.topics);
    let mut reserved: BTreeSet<String> = topics.iter().map(|t| t.rust_name.clone()).collect();
    if envelope.nested {
        reserved.insert("Envelope".into());
    }
    for (name, span) in vf
        .structs
        .iter()
        .map(|s| (&s.name, s.name.span()))
        .chain(vf.enums.iter().map(|e| (&e.name, e.name.span())))
    {
        if reserved.contains(name.get_ref()) {
            ctx.diags.error_help(
                file,
                span,
                format!(
                    "`{}` collides with a generated name in the vendor module",
                    name.get_ref()
                ),
                "rename the type",
            );
        }
    }

    let header = vf.header.as_ref();
    let vendor_id = dir.id.clone();
    if !naming::is_identifier(&vendor_id) || naming::field_name(&vendor_id) != vendor_id {
        ctx.diags.error(
            file,
            0..0,
            format!("vendor directory `{vendor_id}` is not a snake_case module name"),
        );
    }
    let vendor_doc = header.map(|h| doc(&mut ctx, &h.doc)).unwrap_or_default();

    let mut families = Vec::new();
    let mut routes: HashMap<(usize, Vec<String>), String> = HashMap::new();
    for ff in &dir.families {
        let mut ctx = Ctx {
            file: ff.file,
            diags,
            used: &mut used,
        };
        let known = Known {
            vendor: &vendor_id,
            types: &vendor_types,
            envelope: &envelope,
            topics: &topics,
        };
        let mut taken = Taken {
            routes: &mut routes,
            variants,
        };
        if let Some(family) = resolve_family(&mut ctx, &known, ff, &mut taken) {
            families.push(family);
        }
    }

    // Every vendor type must be used by the envelope or a family.
    for s in &vf.structs {
        unused(diags, file, &used, None, &s.name);
    }
    for e in &vf.enums {
        unused(diags, file, &used, None, &e.name);
    }
    for ff in &dir.families {
        for s in &ff.structs {
            unused(diags, ff.file, &used, Some(&ff.id), &s.name);
        }
        for e in &ff.enums {
            unused(diags, ff.file, &used, Some(&ff.id), &e.name);
        }
    }

    Some(ir::Vendor {
        id: vendor_id,
        name: header.map(|h| h.name.clone()).unwrap_or_default(),
        doc: vendor_doc,
        envelope,
        topics,
        structs,
        enums,
        families,
    })
}

fn unused(
    diags: &mut Diagnostics,
    file: FileId,
    used: &BTreeSet<(Option<String>, String)>,
    family: Option<&str>,
    name: &Spanned<String>,
) {
    if !used.contains(&(family.map(str::to_owned), name.get_ref().clone())) {
        diags.error_help(
            file,
            name.span(),
            format!("`{}` is defined but never used", name.get_ref()),
            "remove it, or use it in a field",
        );
    }
}

fn doc(ctx: &mut Ctx<'_>, text: &Spanned<String>) -> String {
    let t = text.get_ref().trim();
    if t.is_empty() {
        ctx.diags
            .error(ctx.file, text.span(), "`doc` is empty; say what this is");
    }
    t.to_owned()
}
