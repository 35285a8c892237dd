//! Checks the loaded definitions and resolves them into the [`ir`](crate::ir).
//!
//! Every check records its fault and carries on, so one build lists every fault it can see.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use toml::Spanned;

use crate::codes::Code;
use crate::diagnostics::{Diagnostics, FileId};
use crate::ir;
use crate::load::{VendorDir, VendorFile};
use crate::naming;

mod condition;
mod correlation;
mod enums;
mod envelope;
mod family;
mod fields;
mod fill;
mod names;
mod requirements;
mod rules;
mod topics;
mod types;

use enums::resolve_enum;
use envelope::resolve_envelopes;
use family::{Known, Taken, resolve_family};
use fields::resolve_struct;
use names::{check_type_names, mark_generic};
use topics::resolve_topics;

pub fn resolve(dirs: &[VendorDir], diags: &mut Diagnostics) -> ir::Protocol {
    // `Message` variant name → message id, across every vendor.
    let mut variants = HashMap::new();
    let vendors: Vec<ir::Vendor> = dirs
        .iter()
        .filter_map(|dir| resolve_vendor(dir, diags, &mut variants))
        .collect();
    topics::check_overlaps(dirs, &vendors, diags);
    ir::Protocol { vendors }
}

/// Where names are looked up: a family's own types first, then its vendor's.
struct Scope<'a> {
    family: Option<(&'a str, &'a BTreeMap<String, Kind>)>,
    vendor: &'a BTreeMap<String, Kind>,
    /// Every family type of the vendor, with its family: what an unknown name may be, out of
    /// sight.
    families: &'a FamilyTypes,
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
    let family_types = family_type_names(dir);

    let scope = Scope {
        family: None,
        vendor: &vendor_types,
        families: &family_types,
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
    let envelopes = resolve_envelopes(&mut ctx, &scope, vf, &mut structs);
    fill::check_struct_fills(&mut ctx, vf, &structs, &envelopes);
    let (mut topics, carried) =
        resolve_topics(&mut ctx, &vf.topics, &envelopes, vf.envelope.is_some());
    correlation::reply_when(&mut ctx, vf, &mut topics, &carried, &envelopes, &enums);
    correlation::check_envelope_pairs(&mut ctx, vf, &topics, &envelopes);
    check_envelopes_used(&mut ctx, vf, &topics, &carried);
    check_generated_names(&mut ctx, vf, &topics, &envelopes);
    let vendor_id = dir.id.clone();
    check_vendor_id(&mut ctx, &vendor_id);
    let header = vf.header.as_ref();
    let vendor_doc = header.map(|h| doc(&mut ctx, &h.doc)).unwrap_or_default();

    let vendor_place = rules::Place {
        vendor: &vendor_id,
        family: None,
        defined: &[],
        envelopes: &envelopes,
        topics: &topics,
        structs: &structs,
        enums: &enums,
    };
    let rules = rules::resolve_rules(&mut ctx, &vendor_place, &vf.rules);
    let known = Known {
        vendor: &vendor_id,
        types: &vendor_types,
        family_types: &family_types,
        envelopes: &envelopes,
        topics: &topics,
        carried: &carried,
        structs: &structs,
        enums: &enums,
    };
    let families = resolve_families(dir, diags, &mut used, &known, variants);
    if !dir.partial {
        report_unused(diags, dir, &used);
    }

    Some(ir::Vendor {
        id: vendor_id,
        name: header.map(|h| h.name.clone()).unwrap_or_default(),
        doc: vendor_doc,
        envelopes,
        topics,
        structs,
        enums,
        families,
        rules,
    })
}

/// The vendor's structs and enums may not take a name the generator gives its own items: a
/// topic struct, or the struct of an envelope that holds a body (`Envelope`, `<Name>Envelope`).
fn check_generated_names(
    ctx: &mut Ctx<'_>,
    vf: &VendorFile,
    topics: &[ir::Topic],
    envelopes: &[ir::Envelope],
) {
    let mut reserved: BTreeSet<String> = topics.iter().map(|t| t.rust_name.clone()).collect();
    // A named envelope's struct, and the head (`<Name>EnvelopeHead`) that decodes it.
    let named = envelopes.iter().filter(|e| e.nested || e.name.is_some());
    reserved.extend(named.map(|e| e.rust_name.clone()));
    let names = vf.structs.iter().map(|s| &s.name);
    for name in names.chain(vf.enums.iter().map(|e| &e.name)) {
        if reserved.contains(name.get_ref()) {
            ctx.diags.error_help(
                Code::GeneratedNameCollision,
                ctx.file,
                name.span(),
                format!(
                    "`{}` collides with a generated name in the vendor module",
                    name.get_ref()
                ),
                "rename the type",
            );
        }
    }
}

/// Every `[envelopes.<name>]` is carried by a topic.
fn check_envelopes_used(
    ctx: &mut Ctx<'_>,
    vf: &VendorFile,
    topics: &[ir::Topic],
    carried: &[bool],
) {
    // A topic that names an unknown envelope may mean one of these: that fault is reported.
    let misnamed = vf
        .topics
        .iter()
        .zip(carried)
        .any(|(t, known)| !known && t.def.envelope.is_some());
    if misnamed {
        return;
    }
    // The named envelopes follow the `[envelope]`, in definition order.
    for (i, named) in vf.envelopes.iter().enumerate() {
        let used = topics
            .iter()
            .zip(carried)
            .any(|(t, known)| *known && t.envelope == i + 1);
        if !used {
            ctx.diags.error_help(
                Code::EnvelopeUnused,
                ctx.file,
                named.name.span(),
                format!(
                    "envelope `{}` is defined but no topic carries it",
                    named.name.get_ref()
                ),
                "name it in a topic's `envelope`, or remove it",
            );
        }
    }
}

/// A vendor's directory name is its module name.
fn check_vendor_id(ctx: &mut Ctx<'_>, id: &str) {
    if !naming::is_identifier(id) || naming::field_name(id) != id {
        ctx.diags.error_help(
            Code::VendorDirCase,
            ctx.file,
            0..0,
            format!("vendor directory `{id}` is not a snake_case module name"),
            format!("name the directory `{}`", naming::field_name(id)),
        );
    }
}

/// Every family of the vendor, each read in its own file.
/// The structs and enums of every family of a vendor, by family and name.
type FamilyTypes = BTreeMap<(String, String), Kind>;

/// The struct and enum names of each family of `dir`, with the family that defines them.
fn family_type_names(dir: &VendorDir) -> FamilyTypes {
    let each = dir.families.iter().flat_map(|ff| {
        let key = |name: &Spanned<String>| (ff.id.clone(), name.get_ref().clone());
        let structs = ff
            .structs
            .iter()
            .map(move |s| (key(&s.name), Kind::Struct { generic: false }));
        structs.chain(ff.enums.iter().map(move |e| (key(&e.name), Kind::Enum)))
    });
    each.collect()
}

fn resolve_families(
    dir: &VendorDir,
    diags: &mut Diagnostics,
    used: &mut BTreeSet<(Option<String>, String)>,
    known: &Known<'_>,
    variants: &mut HashMap<String, String>,
) -> Vec<ir::Family> {
    let mut routes: HashMap<(usize, Vec<String>), String> = HashMap::new();
    let mut families = Vec::new();
    for ff in &dir.families {
        let mut ctx = Ctx {
            file: ff.file,
            diags,
            used,
        };
        let mut taken = Taken {
            routes: &mut routes,
            variants,
        };
        families.extend(resolve_family(&mut ctx, known, ff, &mut taken));
    }
    families
}

/// Every type must be used by the envelope or a family.
fn report_unused(
    diags: &mut Diagnostics,
    dir: &VendorDir,
    used: &BTreeSet<(Option<String>, String)>,
) {
    if let Some(vf) = &dir.vendor {
        for name in vf
            .structs
            .iter()
            .map(|s| &s.name)
            .chain(vf.enums.iter().map(|e| &e.name))
        {
            unused(diags, vf.file, used, None, name);
        }
    }
    for ff in &dir.families {
        for name in ff
            .structs
            .iter()
            .map(|s| &s.name)
            .chain(ff.enums.iter().map(|e| &e.name))
        {
            unused(diags, ff.file, used, Some(&ff.id), name);
        }
    }
}

fn unused(
    diags: &mut Diagnostics,
    file: FileId,
    used: &BTreeSet<(Option<String>, String)>,
    family: Option<&str>,
    name: &Spanned<String>,
) {
    // A type with a built-in name cannot be used; that fault is reported already.
    let builtin = names::is_builtin(name.get_ref());
    if !builtin && !used.contains(&(family.map(str::to_owned), name.get_ref().clone())) {
        diags.error_help(
            Code::UnusedType,
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
        ctx.diags.error(
            Code::EmptyDoc,
            ctx.file,
            text.span(),
            "`doc` is empty; say what this is",
        );
    }
    t.to_owned()
}
