//! Checks the loaded definitions and resolves them into the [`ir`](crate::ir).
//!
//! Every check records its fault and carries on, so one build lists every fault it can see.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use toml::Spanned;

use crate::diagnostics::{Diagnostics, FileId};
use crate::ir::{self, Level, Number, Type, TypeRef};
use crate::load::{FamilyFile, Named, VendorDir};
use crate::model::{self, Bound, EnumKind, EnumWire, FieldDef};
use crate::naming;

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
        if let Some(family) = resolve_family(&mut ctx, &known, ff, &mut routes, variants) {
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

fn check_type_names(
    file: FileId,
    structs: &[Named<model::StructDef>],
    enums: &[Named<model::EnumDef>],
    out: &mut BTreeMap<String, Kind>,
    diags: &mut Diagnostics,
) {
    let names = structs
        .iter()
        .map(|s| (&s.name, Kind::Struct { generic: false }))
        .chain(enums.iter().map(|e| (&e.name, Kind::Enum)));
    for (name, kind) in names {
        let n = name.get_ref();
        if !naming::is_identifier(n) || naming::type_name(n) != *n {
            diags.error_help(
                file,
                name.span(),
                format!("type name `{n}` is not UpperCamelCase"),
                format!("write `{}`", naming::type_name(n)),
            );
        }
        if builtin(n).is_some() || n == "array" {
            diags.error(file, name.span(), format!("`{n}` is a built-in type name"));
        }
        if out.insert(n.clone(), kind).is_some() {
            diags.error(file, name.span(), format!("type `{n}` is defined twice"));
        }
    }
}

/// A vendor struct is generic when it holds the body or a discriminator, directly or through
/// another generic struct.
fn mark_generic(structs: &[Named<model::StructDef>], types: &mut BTreeMap<String, Kind>) {
    loop {
        let mut changed = false;
        for s in structs {
            let generic = s.def.fields.values().any(|f| {
                let f = f.get_ref();
                let name = f.items.as_ref().unwrap_or(&f.ty).get_ref();
                matches!(name.as_str(), "body" | "discriminator")
                    || matches!(types.get(name), Some(Kind::Struct { generic: true }))
            });
            if let (true, Some(k @ Kind::Struct { generic: false })) =
                (generic, types.get_mut(s.name.get_ref()))
            {
                *k = Kind::Struct { generic: true };
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

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

fn resolve_topics(ctx: &mut Ctx<'_>, defs: &[Named<model::TopicDef>]) -> Vec<ir::Topic> {
    let mut topics = Vec::new();
    for named in defs {
        let def = &named.def;
        let key = named.name.get_ref().clone();
        if !naming::is_identifier(&key) || naming::field_name(&key) != key {
            ctx.diags.error(
                ctx.file,
                named.name.span(),
                format!("topic name `{key}` is not snake_case"),
            );
        }
        let mut params = Vec::new();
        let mut declared = BTreeMap::new();
        for (name, p) in &def.params {
            let n = name.get_ref();
            if !naming::is_identifier(n) || naming::field_name(n) != *n || naming::is_keyword(n) {
                ctx.diags.error(
                    ctx.file,
                    name.span(),
                    format!("parameter name `{n}` is not a snake_case identifier"),
                );
            }
            declared.insert(n.clone(), (params.len(), name.span()));
            params.push(ir::Param {
                name: n.clone(),
                doc: doc(ctx, &p.doc),
            });
        }
        let pattern = def.pattern.get_ref();
        let mut levels = Vec::new();
        let mut seen = BTreeSet::new();
        let mut offset = 0;
        for level in pattern.split('/') {
            let span = within(
                ctx.diags.source(ctx.file),
                &def.pattern,
                offset,
                level.len(),
            );
            offset += level.len() + 1;
            if let Some(inner) = level.strip_prefix('{').and_then(|l| l.strip_suffix('}')) {
                match declared.get(inner) {
                    Some((i, _)) => {
                        if !seen.insert(*i) {
                            ctx.diags.error(
                                ctx.file,
                                span.clone(),
                                format!("parameter `{{{inner}}}` appears twice in the pattern"),
                            );
                        }
                        levels.push(Level::Param(*i));
                    }
                    None => ctx.diags.error_help(
                        ctx.file,
                        span.clone(),
                        format!("topic parameter `{{{inner}}}` is not declared"),
                        format!("add `params.{inner} = {{ doc = \"...\" }}` to the topic"),
                    ),
                }
            } else if level.is_empty() {
                ctx.diags.error(
                    ctx.file,
                    span.clone(),
                    "the pattern has an empty topic level",
                );
            } else if let Some(c) = level
                .chars()
                .find(|c| matches!(c, '+' | '#' | '{' | '}' | '\0'))
            {
                ctx.diags.error_help(
                    ctx.file,
                    span.clone(),
                    format!("topic level `{level}` contains `{}`", c.escape_default()),
                    "a parameter must fill a whole level, and wildcards belong in filters, not topics",
                );
            } else {
                levels.push(Level::Literal(level.to_owned()));
            }
        }
        for (name, (i, pspan)) in &declared {
            if !seen.contains(i) {
                ctx.diags.error(
                    ctx.file,
                    pspan.clone(),
                    format!("parameter `{name}` is declared but not used in the pattern"),
                );
            }
        }
        topics.push(ir::Topic {
            rust_name: format!("{}Topic", naming::type_name(&key)),
            key,
            pattern: pattern.clone(),
            levels,
            params,
            direction: *def.direction.get_ref(),
            doc: doc(ctx, &def.doc),
            source: def.source.as_ref().map(|s| s.get_ref().clone()),
            reply: None,
            open: def.open,
        });
    }
    // Replies need every topic in place first.
    for (i, named) in defs.iter().enumerate() {
        let Some(reply) = &named.def.reply else {
            continue;
        };
        match topics.iter().position(|t| &t.key == reply.get_ref()) {
            None => {
                let known: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
                ctx.diags.error_help(
                    ctx.file,
                    reply.span(),
                    format!("unknown reply topic `{}`", reply.get_ref()),
                    crate::suggest::help(reply.get_ref(), &known),
                );
            }
            Some(r) => {
                let same_params = topics[r]
                    .params
                    .iter()
                    .map(|p| &p.name)
                    .collect::<BTreeSet<_>>()
                    == topics[i]
                        .params
                        .iter()
                        .map(|p| &p.name)
                        .collect::<BTreeSet<_>>();
                if !same_params {
                    ctx.diags.error(
                        ctx.file,
                        reply.span(),
                        "a reply topic must have the same parameters as its request topic",
                    );
                }
                if topics[r].direction == topics[i].direction {
                    ctx.diags.error(
                        ctx.file,
                        reply.span(),
                        "a reply topic must go the other way",
                    );
                }
                topics[i].reply = Some(r);
            }
        }
    }
    topics
}

/// What a family can refer to in its vendor.
struct Known<'a> {
    vendor: &'a str,
    types: &'a BTreeMap<String, Kind>,
    envelope: &'a ir::Envelope,
    topics: &'a [ir::Topic],
}

fn resolve_family(
    ctx: &mut Ctx<'_>,
    known: &Known<'_>,
    ff: &FamilyFile,
    routes: &mut HashMap<(usize, Vec<String>), String>,
    variants: &mut HashMap<String, String>,
) -> Option<ir::Family> {
    let Known {
        vendor,
        types: vendor_types,
        envelope,
        topics,
    } = *known;
    let header = ff.header.as_ref()?;
    if ff.id == "topics" {
        ctx.diags.error_help(
            ctx.file,
            0..0,
            "`topics` cannot name a family",
            "the exported JSON Schemas use `<vendor>/topics/` for the topic schemas",
        );
    }
    if !naming::is_identifier(&ff.id) || naming::field_name(&ff.id) != ff.id {
        ctx.diags.error(
            ctx.file,
            0..0,
            format!(
                "family file name `{}` is not a snake_case module name",
                ff.id
            ),
        );
    }
    let mut family_types = BTreeMap::new();
    check_type_names(
        ctx.file,
        &ff.structs,
        &ff.enums,
        &mut family_types,
        ctx.diags,
    );
    for name in ff
        .structs
        .iter()
        .map(|s| &s.name)
        .chain(ff.enums.iter().map(|e| &e.name))
    {
        if vendor_types.contains_key(name.get_ref()) {
            ctx.diags.error(
                ctx.file,
                name.span(),
                format!("`{}` is already defined by the vendor", name.get_ref()),
            );
        }
    }
    let scope = Scope {
        family: Some((&ff.id, &family_types)),
        vendor: vendor_types,
    };

    // Family-wide discriminator values.
    let mut tags: Vec<(usize, String)> = Vec::new();
    for (name, value) in &header.tags {
        match envelope.tags.iter().position(|t| t == name.get_ref()) {
            Some(i) => tags.push((i, value.get_ref().clone())),
            None => ctx.diags.error(
                ctx.file,
                name.span(),
                format!(
                    "`{}` is not a discriminator of the envelope",
                    name.get_ref()
                ),
            ),
        }
    }
    let message_tag = (0..envelope.tags.len())
        .filter(|i| !tags.iter().any(|(t, _)| t == i))
        .collect::<Vec<_>>();
    if !envelope.tags.is_empty() && message_tag.len() != 1 {
        ctx.diags.error_help(
            ctx.file,
            header.doc.span(),
            "the family must leave exactly one envelope discriminator to its messages",
            format!(
                "the envelope discriminators are {:?}; give the others in `tags`",
                envelope.tags
            ),
        );
    }

    let structs: Vec<ir::Struct> = ff
        .structs
        .iter()
        .map(|s| resolve_struct(ctx, &scope, Some(&ff.id), s, Place::Message))
        .collect();
    let enums: Vec<ir::Enum> = ff
        .enums
        .iter()
        .filter_map(|e| resolve_enum(ctx, e))
        .collect();

    let mut names: BTreeSet<String> = family_types.keys().cloned().collect();
    let mut messages = Vec::new();
    for named in &ff.messages {
        let def = &named.def;
        let key = named.name.get_ref().clone();
        let rust_name = naming::type_name(&key);
        if !naming::is_identifier(&key) || naming::field_name(&key) != key {
            ctx.diags.error(
                ctx.file,
                named.name.span(),
                format!("message name `{key}` is not snake_case"),
            );
        }
        if !names.insert(rust_name.clone()) {
            ctx.diags.error_help(
                ctx.file,
                named.name.span(),
                format!("message `{key}` becomes the Rust type `{rust_name}`, which is already defined in this family"),
                "rename the message or the type",
            );
        }
        let topic = match topics.iter().position(|t| &t.key == def.topic.get_ref()) {
            Some(t) => t,
            None => {
                let known: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
                ctx.diags.error_help(
                    ctx.file,
                    def.topic.span(),
                    format!("unknown topic `{}`", def.topic.get_ref()),
                    crate::suggest::help(def.topic.get_ref(), &known),
                );
                usize::MAX
            }
        };
        let wire = def
            .wire
            .as_ref()
            .map(|w| w.get_ref().clone())
            .unwrap_or_else(|| key.clone());
        let mut msg_tags = vec![String::new(); envelope.tags.len()];
        for (i, v) in &tags {
            msg_tags[*i] = v.clone();
        }
        if let [i] = message_tag[..] {
            msg_tags[i] = wire.clone();
        }
        if topic != usize::MAX {
            let id = format!("{vendor}/{}/{key}", ff.id);
            if let Some(other) = routes.insert((topic, msg_tags.clone()), id) {
                ctx.diags.error(
                    ctx.file,
                    named.name.span(),
                    format!(
                        "`{wire}` on topic `{}` is already the message `{other}`",
                        topics[topic].key
                    ),
                );
            }
        }
        let id = format!("{vendor}/{}/{key}", ff.id);
        let variant = format!(
            "{}{}{}",
            naming::type_name(vendor),
            naming::type_name(&ff.id),
            rust_name
        );
        if let Some(other) = variants.insert(variant.clone(), id.clone()) {
            ctx.diags.error(
                ctx.file,
                named.name.span(),
                format!("message `{id}` and `{other}` both become `Message::{variant}`"),
            );
        }
        let mut fields = Vec::new();
        if !envelope.nested {
            // A flat envelope: its fields sit in every message.
            for f in &envelope.fields {
                fields.push(f.clone());
            }
        }
        let own = resolve_fields(ctx, &scope, &def.fields, Place::Message);
        for f in own
            .iter()
            .filter(|f| fields.iter().any(|e: &ir::Field| e.rust == f.rust))
        {
            ctx.diags.error(
                ctx.file,
                named.name.span(),
                format!(
                    "field `{}` collides with the envelope field of the same name",
                    f.wire
                ),
            );
        }
        fields.extend(own);
        messages.push(ir::Message {
            id,
            variant,
            key,
            rust_name,
            topic,
            wire,
            tags: msg_tags,
            tag: message_tag.first().copied().unwrap_or_default(),
            reply: None,
            request: None,
            doc: doc(ctx, &def.doc),
            term: def.term.clone(),
            fields,
        });
    }
    for (i, named) in ff.messages.iter().enumerate() {
        let Some(reply) = &named.def.reply else {
            continue;
        };
        let Some(r) = messages.iter().position(|m| &m.key == reply.get_ref()) else {
            ctx.diags.error(
                ctx.file,
                reply.span(),
                format!("unknown reply message `{}`", reply.get_ref()),
            );
            continue;
        };
        let request_topic = messages[i].topic;
        if request_topic != usize::MAX {
            let expected = topics[request_topic].reply;
            if expected.is_none() {
                ctx.diags.error(
                    ctx.file,
                    reply.span(),
                    format!(
                        "topic `{}` declares no reply topic",
                        topics[request_topic].key
                    ),
                );
            } else if expected != Some(messages[r].topic) {
                ctx.diags.error(
                    ctx.file,
                    reply.span(),
                    format!(
                        "reply `{}` is not on the reply topic of `{}`",
                        reply.get_ref(),
                        named.name.get_ref()
                    ),
                );
            }
        }
        if messages[r].request.is_some() {
            ctx.diags.error(
                ctx.file,
                reply.span(),
                format!("`{}` already answers another message", reply.get_ref()),
            );
        }
        messages[i].reply = Some(r);
        messages[r].request = Some(i);
    }

    Some(ir::Family {
        id: ff.id.clone(),
        name: header.name.clone(),
        doc: doc(ctx, &header.doc),
        source: header.source.get_ref().clone(),
        messages,
        structs,
        enums,
    })
}

fn resolve_struct(
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

fn resolve_fields(
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
    let rust = match &d.rust_name {
        Some(r) => {
            let n = r.get_ref();
            if !naming::is_identifier(n) || naming::field_name(n) != *n {
                ctx.diags.error(
                    ctx.file,
                    r.span(),
                    format!("`{n}` is not a snake_case Rust field name"),
                );
            }
            n.clone()
        }
        None => naming::field_name(&wire),
    };
    if rust.is_empty() || !naming::is_identifier(&rust) {
        ctx.diags.error_help(
            ctx.file,
            name.span(),
            format!("field `{wire}` has no usable Rust name"),
            "set `rust_name`",
        );
        return None;
    }
    let ty = if d.ty.get_ref() == "array" {
        let Some(items) = &d.items else {
            ctx.diags.error_help(
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
                    ctx.file,
                    items.span(),
                    "a discriminator cannot be an array item",
                );
                return None;
            }
            inner => Type::Array(Box::new(inner)),
        }
    } else {
        if let Some(items) = &d.items {
            ctx.diags
                .error(ctx.file, items.span(), "`items` is only for `array` fields");
        }
        resolve_type(ctx, scope, &d.ty, place)?
    };
    let ty = match &d.implemented {
        Some(implemented) => disputed(ctx, scope, ty, &d.ty, implemented, place)?,
        None => ty,
    };
    if d.optional && matches!(ty, Type::Body | Type::Tag(_)) {
        ctx.diags.error(
            ctx.file,
            def.span(),
            "the body and the discriminators cannot be optional",
        );
    }
    if d.optional && place == Place::Envelope && carries_generic(&ty) {
        ctx.diags.error(
            ctx.file,
            def.span(),
            "a field that leads to the body or a discriminator cannot be optional",
        );
    }
    let range = resolve_range(ctx, d, &ty);
    let string_wire = match &d.wire {
        Some(w) if *w.get_ref() == EnumWire::String => {
            if ty != Type::Int {
                ctx.diags.error(
                    ctx.file,
                    w.span(),
                    "`wire = \"string\"` is only for `int` fields",
                );
            } else if [range.min, range.max]
                .into_iter()
                .flatten()
                .any(beyond_string_int)
            {
                ctx.diags.error_help(
                    ctx.file,
                    w.span(),
                    "the range of an `int` sent as a string must lie within 18 digits",
                    "the JSON Schema holds such a string to its range with a pattern of at most 18 digits",
                );
            }
            true
        }
        _ => false,
    };
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
    })
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
    const LIMIT: i64 = 999_999_999_999_999_999;
    !matches!(bound, ir::Number::Int(n) if (-LIMIT..=LIMIT).contains(&n))
}

fn carries_generic(ty: &Type) -> bool {
    match ty {
        Type::Array(inner) => carries_generic(inner),
        Type::Struct(r) => r.generic,
        Type::Body | Type::Tag(_) => true,
        _ => false,
    }
}

fn builtin(name: &str) -> Option<Type> {
    Some(match name {
        "int" => Type::Int,
        "float" => Type::Float,
        "bool" => Type::Bool,
        "json" => Type::Json,
        "text" => Type::Text,
        _ => return None,
    })
}

fn resolve_type(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    name: &Spanned<String>,
    place: Place,
) -> Option<Type> {
    let n = name.get_ref().as_str();
    if let Some(t) = builtin(n) {
        return Some(t);
    }
    match n {
        "array" => {
            ctx.diags.error_help(
                ctx.file,
                name.span(),
                "an array of arrays needs a named struct in between",
                "make the items a struct",
            );
            return None;
        }
        "body" | "discriminator" if place == Place::Envelope => {
            return Some(if n == "body" {
                Type::Body
            } else {
                Type::Tag(0)
            });
        }
        "body" | "discriminator" => {
            ctx.diags.error(
                ctx.file,
                name.span(),
                format!("`{n}` is only allowed in the envelope and vendor structs"),
            );
            return None;
        }
        _ => {}
    }
    let found = scope
        .family
        .and_then(|(family, types)| types.get(n).map(|k| (Some(family.to_owned()), *k)))
        .or_else(|| scope.vendor.get(n).map(|k| (None, *k)));
    match found {
        Some((family, kind)) => {
            ctx.used.insert((family.clone(), n.to_owned()));
            let generic = matches!(kind, Kind::Struct { generic: true });
            if generic && place == Place::Message {
                ctx.diags.error(
                    ctx.file,
                    name.span(),
                    format!("`{n}` belongs to the envelope"),
                );
                return None;
            }
            let r = TypeRef {
                family,
                name: n.to_owned(),
                generic,
            };
            Some(if kind == Kind::Enum {
                Type::Enum(r)
            } else {
                Type::Struct(r)
            })
        }
        None => {
            let mut known: Vec<&str> = vec!["int", "float", "bool", "text", "json", "array"];
            known.extend(scope.vendor.keys().map(String::as_str));
            if let Some((_, types)) = scope.family {
                known.extend(types.keys().map(String::as_str));
            }
            let help = match crate::suggest::closest(n, &known) {
                Some(k) => {
                    // The near miss is the type meant: don't also report it as unused.
                    let family = scope
                        .family
                        .filter(|(_, types)| types.contains_key(k))
                        .map(|(f, _)| f.to_owned());
                    ctx.used.insert((family, k.to_owned()));
                    format!("did you mean `{k}`?")
                }
                None => format!("known types: {}", known.join(", ")),
            };
            ctx.diags
                .error_help(ctx.file, name.span(), format!("unknown type `{n}`"), help);
            None
        }
    }
}

/// The span of `len` bytes at `offset` inside a string value, when the source writes the value
/// without escapes; else the whole value.
fn within(
    source: &str,
    value: &Spanned<String>,
    offset: usize,
    len: usize,
) -> std::ops::Range<usize> {
    let span = value.span();
    let raw = source.get(span.clone()).unwrap_or_default();
    let quoted = raw.len() == value.get_ref().len() + 2
        && raw.get(1..raw.len() - 1) == Some(value.get_ref().as_str());
    if quoted {
        let start = span.start + 1 + offset;
        start..start + len.max(1)
    } else {
        span
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
                ctx.diags
                    .error(file, b.span(), "an `int` field needs integer bounds");
                None
            }
            _ => {
                ctx.diags.error(
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
    let mut only = |v: &Option<Spanned<u64>>, ok: bool, what: &str| -> Option<u64> {
        let v = v.as_ref()?;
        if !ok {
            ctx.diags.error(
                file,
                v.span(),
                format!("this constraint is only for `{what}` fields"),
            );
        }
        ok.then(|| *v.get_ref())
    };
    let is_text = *ty == Type::Text;
    let is_array = matches!(ty, Type::Array(_));
    let range = ir::Range {
        min,
        max,
        min_length: only(&d.min_length, is_text, "text"),
        max_length: only(&d.max_length, is_text, "text"),
        min_items: only(&d.min_items, is_array, "array"),
        max_items: only(&d.max_items, is_array, "array"),
        format: d.format.as_ref().and_then(|f| {
            if !is_text {
                ctx.diags
                    .error(file, f.span(), "`format` is only for `text` fields");
            }
            is_text.then(|| *f.get_ref())
        }),
    };
    let inverted = match (range.min, range.max) {
        (Some(Number::Int(a)), Some(Number::Int(b))) => a > b,
        (Some(Number::Float(a)), Some(Number::Float(b))) => a > b,
        _ => false,
    } || matches!((range.min_length, range.max_length), (Some(a), Some(b)) if a > b)
        || matches!((range.min_items, range.max_items), (Some(a), Some(b)) if a > b);
    if inverted {
        ctx.diags
            .error(file, d.ty.span(), "a lower bound is above its upper bound");
    }
    range
}

fn resolve_enum(ctx: &mut Ctx<'_>, e: &Named<model::EnumDef>) -> Option<ir::Enum> {
    let def = &e.def;
    let kind = *def.kind.get_ref();
    let wire = match (&def.wire, kind) {
        (None, EnumKind::EnumInt) => EnumWire::Int,
        (None, EnumKind::EnumString) => EnumWire::String,
        (Some(w), EnumKind::EnumInt) => *w.get_ref(),
        (Some(w), EnumKind::EnumString) => {
            if *w.get_ref() != EnumWire::String {
                ctx.diags.error(
                    ctx.file,
                    w.span(),
                    "an `enum_string` always travels as a string",
                );
            }
            EnumWire::String
        }
    };
    if def.values.is_empty() {
        ctx.diags
            .error(ctx.file, e.name.span(), "an enum needs at least one value");
    }
    let mut variants = BTreeSet::new();
    let mut values = Vec::new();
    for (value, v) in &def.values {
        let vd = v.get_ref();
        if kind == EnumKind::EnumInt && value.get_ref().parse::<i64>().is_err() {
            ctx.diags.error(
                ctx.file,
                value.span(),
                format!(
                    "`{}` is not an integer value of an `enum_int`",
                    value.get_ref()
                ),
            );
        }
        let variant = match (&vd.name, kind) {
            (Some(n), _) => {
                let name = n.get_ref();
                if !naming::is_identifier(name) || naming::type_name(name) != *name {
                    ctx.diags.error(
                        ctx.file,
                        n.span(),
                        format!("variant name `{name}` is not UpperCamelCase"),
                    );
                }
                name.clone()
            }
            (None, EnumKind::EnumInt) => {
                ctx.diags.error_help(
                    ctx.file,
                    value.span(),
                    "an `enum_int` value needs a `name`",
                    "add `name = \"...\"`",
                );
                continue;
            }
            (None, EnumKind::EnumString) => naming::type_name(value.get_ref()),
        };
        if variant.is_empty() || !naming::is_identifier(&variant) {
            ctx.diags.error_help(
                ctx.file,
                value.span(),
                format!("value `{}` has no usable variant name", value.get_ref()),
                "add `name = \"...\"`",
            );
            continue;
        }
        if variant == "Undocumented" {
            ctx.diags.error_help(
                ctx.file,
                value.span(),
                "`Undocumented` is the variant that keeps values the documents do not define",
                "add another `name`",
            );
        }
        if !variants.insert(variant.clone()) {
            ctx.diags.error_help(
                ctx.file,
                value.span(),
                format!("two values become the variant `{variant}`"),
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

fn doc(ctx: &mut Ctx<'_>, text: &Spanned<String>) -> String {
    let t = text.get_ref().trim();
    if t.is_empty() {
        ctx.diags
            .error(ctx.file, text.span(), "`doc` is empty; say what this is");
    }
    t.to_owned()
}
