//! How a reply relates to its request: an envelope's and a reply's `correlate`, and a topic's
//! `reply_when`. The generated `Request` impls read these, and so does the conversation
//! checker.

use toml::Spanned;

use super::Ctx;
use super::condition::{self, Enums};
use super::fill::{FieldDefs, leads_to_body};
use crate::codes::Code;
use crate::ir;
use crate::load::{Named, VendorFile};
use crate::model::{EnvelopeDef, MessageDef, Scalar};

/// The Rust names of an envelope's `correlate` fields, each a top-level field.
pub(super) fn envelope_correlate(
    ctx: &mut Ctx<'_>,
    def: &EnvelopeDef,
    fields: &[ir::Field],
) -> Vec<String> {
    def.correlate
        .iter()
        .filter_map(|name| own_field(ctx, name, fields, &def.fields).map(|f| f.rust.clone()))
        .collect()
}

/// The field `name` of `fields`, reported when there is none (unless it is one of `defs`, whose
/// fault is reported already), or when it is the body or a discriminator, which a reply sets
/// itself.
fn own_field<'f>(
    ctx: &mut Ctx<'_>,
    name: &Spanned<String>,
    fields: &'f [ir::Field],
    defs: &FieldDefs,
) -> Option<&'f ir::Field> {
    let Some(found) = fields.iter().find(|f| f.wire == *name.get_ref()) else {
        if !defs.keys().any(|k| k.get_ref() == name.get_ref()) {
            let known: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
            ctx.diags.error_help(
                Code::UnknownCorrelateField,
                ctx.file,
                name.span(),
                format!(
                    "`correlate` names `{}`, which is not a field here",
                    name.get_ref()
                ),
                crate::suggest::help(name.get_ref(), &known),
            );
        }
        return None;
    };
    if leads_to_body(&found.ty) {
        ctx.diags.error_help(
            Code::CorrelateTag,
            ctx.file,
            name.span(),
            format!(
                "`{}` is the body or a discriminator, or holds them",
                found.wire
            ),
            "a reply carries its own; correlate the fields that tie it to its request",
        );
        return None;
    }
    Some(found)
}

/// Each topic's `reply_when`: envelope fields and the values that ask for a reply. A topic
/// whose envelope is unknown is reported already.
pub(super) fn reply_when(
    ctx: &mut Ctx<'_>,
    vf: &VendorFile,
    topics: &mut [ir::Topic],
    carried: &[bool],
    envelopes: &[ir::Envelope],
    enums: &[ir::Enum],
) {
    let defs = vf.topics.iter().zip(topics.iter_mut()).zip(carried);
    for ((named, topic), _) in defs.filter(|(_, carried)| **carried) {
        let when = &named.def.reply_when;
        if let (Some(first), None) = (when.keys().next(), &named.def.reply) {
            ctx.diags.error_help(
                Code::ReplyWhenWithoutReply,
                ctx.file,
                first.span(),
                "`reply_when` on a topic without a `reply` topic",
                "add `reply = \"<topic>\"`, or remove `reply_when`",
            );
            continue;
        }
        let fields = envelopes.get(topic.envelope).map_or(&[][..], |e| &e.fields);
        let defined = envelope_def(vf, topic.envelope).map(|d| &d.fields);
        topic.reply_when = when
            .iter()
            .filter(|(key, _)| !unresolved(key, fields, defined))
            .filter_map(|(key, value)| condition(ctx, key, value, fields, enums))
            .collect();
    }
}

/// The definition of envelope `i`: the `[envelope]`, then each `[envelopes.<name>]`.
fn envelope_def(vf: &VendorFile, i: usize) -> Option<&EnvelopeDef> {
    match i {
        0 => vf.envelope.as_ref().map(Spanned::get_ref),
        i => vf.envelopes.get(i - 1).map(|n| &n.def),
    }
}

/// A field the definition has but resolution could not read: its fault is reported already.
fn unresolved(key: &Spanned<String>, fields: &[ir::Field], defs: Option<&FieldDefs>) -> bool {
    !fields.iter().any(|f| f.wire == *key.get_ref())
        && defs.is_some_and(|d| d.keys().any(|k| k.get_ref() == key.get_ref()))
}

fn condition(
    ctx: &mut Ctx<'_>,
    key: &Spanned<String>,
    value: &Spanned<Scalar>,
    fields: &[ir::Field],
    enums: &[ir::Enum],
) -> Option<ir::Condition> {
    let Some(field) = fields.iter().find(|f| f.wire == *key.get_ref()) else {
        let known: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
        ctx.diags.error_help(
            Code::ReplyWhenUnknownField,
            ctx.file,
            key.span(),
            format!("`{}` is not a field of the topic's envelope", key.get_ref()),
            crate::suggest::help(key.get_ref(), &known),
        );
        return None;
    };
    let enums = Enums {
        family: None,
        own: &[],
        vendor: enums,
    };
    let held = condition::condition(field, value.get_ref(), &enums);
    if held.is_none() {
        ctx.diags.error_help(
            Code::ReplyWhenValue,
            ctx.file,
            value.span(),
            format!("the field `{}` cannot hold this value", field.wire),
            condition::what_it_holds(field, &enums),
        );
    }
    held
}

/// A reply on another envelope than its request's copies its envelope's `correlate` fields
/// from the request's envelope, which must have them, of the same type. Checked once for each
/// pair of envelopes that a topic and its reply topic join.
pub(super) fn check_envelope_pairs(
    ctx: &mut Ctx<'_>,
    vf: &VendorFile,
    topics: &[ir::Topic],
    envelopes: &[ir::Envelope],
) {
    let mut pairs: Vec<(usize, usize)> = topics
        .iter()
        .filter_map(|t| Some((t.envelope, topics.get(t.reply?)?.envelope)))
        .filter(|(a, b)| a != b)
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (request, reply) in pairs {
        let (Some(theirs), Some(ours), Some(def)) = (
            envelopes.get(request),
            envelopes.get(reply),
            envelope_def(vf, reply),
        ) else {
            continue;
        };
        for name in &def.correlate {
            let wire = |f: &&ir::Field| f.wire == *name.get_ref();
            let (Some(mine), found) = (
                ours.fields.iter().find(wire),
                theirs.fields.iter().find(wire),
            ) else {
                continue; // Not a field of its own envelope, and reported.
            };
            if found.is_none_or(|f| f.ty != mine.ty || f.optional != mine.optional) {
                let fault = format!(
                    "the envelope of the requests has no `{}` of the same type to copy",
                    name.get_ref()
                );
                ctx.diags
                    .error(Code::CorrelateNotInRequest, ctx.file, name.span(), fault);
            }
        }
    }
}

/// The request and the reply of a pair, each with its envelope.
pub(super) struct Pair<'a> {
    pub request: &'a ir::Message,
    pub request_envelope: &'a ir::Envelope,
    pub reply: &'a ir::Message,
    pub reply_envelope: &'a ir::Envelope,
}

/// The Rust names of the fields a reply copies from its request: each a field of both, of the
/// same type, in a body no list lies above.
pub(super) fn reply_correlate(ctx: &mut Ctx<'_>, def: &MessageDef, pair: &Pair<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for name in &def.correlate {
        let Some(own) = own_field(ctx, name, &pair.reply.fields, &def.fields) else {
            continue;
        };
        let theirs = pair.request.fields.iter().find(|f| f.wire == own.wire);
        if theirs.is_none_or(|t| t.ty != own.ty || t.optional != own.optional) {
            let fault = format!(
                "`{}` has no field `{}` of the same type to copy",
                pair.request.key, own.wire
            );
            ctx.diags
                .error(Code::CorrelateNotInRequest, ctx.file, name.span(), fault);
            continue;
        }
        if pair.request_envelope.body_path.is_none() || pair.reply_envelope.body_path.is_none() {
            ctx.diags.error_help(
                Code::CorrelateThroughArray,
                ctx.file,
                name.span(),
                "the body sits in a list, so there is no one field to copy",
                "correlate envelope fields instead, with `correlate` in the envelope",
            );
            continue;
        }
        out.push(own.rust.clone());
    }
    out
}

/// A `correlate` or an `ack` on a message that answers nothing. A message whose topic is
/// unknown, or that a message names as its reply although the pair does not resolve, is
/// reported already.
pub(super) fn check_correlate_has_request(
    ctx: &mut Ctx<'_>,
    defs: &[Named<MessageDef>],
    messages: &[ir::Message],
) {
    for named in defs {
        let key = named.name.get_ref();
        let placed = messages.iter().any(|m| m.key == *key);
        let named_as_reply = defs
            .iter()
            .any(|d| d.def.reply.as_ref().is_some_and(|r| r.get_ref() == key));
        if !placed || named_as_reply {
            continue;
        }
        if let Some(first) = named.def.correlate.first() {
            ctx.diags.error_help(
                Code::CorrelateWithoutRequest,
                ctx.file,
                first.span(),
                format!("`{key}` answers no message, so it has nothing to copy"),
                "name it as the `reply` of its request",
            );
        }
        if let Some(ack) = &named.def.ack {
            ctx.diags.error_help(
                Code::AckWithoutRequest,
                ctx.file,
                ack.span(),
                format!("`{key}` answers no message, so it acknowledges nothing"),
                "name it as the `reply` of its request",
            );
        }
    }
}
