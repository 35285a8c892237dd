//! A protocol family: its discriminator values, messages, routes and request/reply pairs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::correlation::{self, Pair};
use super::enums::resolve_enum;
use super::fields::{resolve_fields, resolve_struct};
use super::names::check_type_names;
use super::rules;
use super::{Ctx, Kind, Place, Scope, doc};
use crate::codes::Code;
use crate::ir;
use crate::load::{FamilyFile, Named};
use crate::model::{FamilyHeader, MessageDef};
use crate::naming;

/// What a family can refer to in its vendor.
pub(super) struct Known<'a> {
    pub(super) vendor: &'a str,
    pub(super) types: &'a BTreeMap<String, Kind>,
    /// Every family type of the vendor, with its family.
    pub(super) family_types: &'a super::FamilyTypes,
    pub(super) envelopes: &'a [ir::Envelope],
    pub(super) topics: &'a [ir::Topic],
    /// Whether each topic's envelope is known.
    pub(super) carried: &'a [bool],
    pub(super) structs: &'a [ir::Struct],
    pub(super) enums: &'a [ir::Enum],
}

/// What every message of a vendor must not share with another: its route (topic and
/// discriminators) and its `Message` variant, each mapped to the message id that holds it.
pub(super) struct Taken<'a> {
    pub(super) routes: &'a mut HashMap<(usize, Vec<String>), String>,
    pub(super) variants: &'a mut HashMap<String, String>,
}

/// The discriminator values of a family: those it fixes for all its messages (by envelope
/// position), and the position left to each message.
struct Tags {
    /// How many discriminators the envelope has.
    count: usize,
    fixed: Vec<(usize, String)>,
    own: Option<usize>,
}

pub(super) fn resolve_family(
    ctx: &mut Ctx<'_>,
    known: &Known<'_>,
    ff: &FamilyFile,
    taken: &mut Taken<'_>,
) -> Option<ir::Family> {
    let header = ff.header.as_ref()?;
    check_module_name(ctx, &ff.id);
    if ff.messages.is_empty() {
        ctx.diags.error_help(
            Code::FamilyEmpty,
            ctx.file,
            header.doc.span(),
            format!("family `{}` has no messages", ff.id),
            "add a `[message.<name>]`, or move its types to vendor.toml",
        );
    }
    let family_types = family_types(ctx, ff, known.types);
    let scope = Scope {
        family: Some((&ff.id, &family_types)),
        vendor: known.types,
        families: known.family_types,
    };
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
    // Messages whose topic is unknown: reported once, and left out of every later check.
    let mut unplaced: BTreeSet<&str> = BTreeSet::new();
    // The family's discriminator values in each envelope its messages travel in.
    let mut tags: BTreeMap<usize, Tags> = BTreeMap::new();
    for named in &ff.messages {
        let mut place = Placing {
            known,
            family: &ff.id,
            scope: &scope,
            header,
            tags: &mut tags,
        };
        match resolve_message(ctx, &mut place, named, &mut names, taken) {
            Some(message) => messages.push(message),
            None => {
                unplaced.insert(named.name.get_ref());
            }
        }
    }
    pair_replies(ctx, ff, known, &mut messages, &unplaced);
    let mut structs = structs;
    let enums_seen = super::condition::Enums {
        family: Some(&ff.id),
        own: &enums,
        vendor: known.enums,
    };
    super::requirements::resolve(
        ctx,
        &enums_seen,
        &ff.structs,
        &mut structs,
        &ff.messages,
        &mut messages,
    );
    correlation::check_correlate_has_request(ctx, &ff.messages, &messages);

    let mut family = ir::Family {
        id: ff.id.clone(),
        name: header.name.clone(),
        doc: doc(ctx, &header.doc),
        source: header.source.get_ref().clone(),
        messages,
        structs,
        enums,
        rules: Vec::new(),
    };
    let place = rules::Place {
        vendor: known.vendor,
        family: Some(&family),
        defined: &ff.messages,
        envelopes: known.envelopes,
        topics: known.topics,
        structs: known.structs,
        enums: known.enums,
    };
    family.rules = rules::resolve_rules(ctx, &place, &ff.rules);
    Some(family)
}

/// A family's file name is its module name.
fn check_module_name(ctx: &mut Ctx<'_>, id: &str) {
    if id == "topics" {
        ctx.diags.error_help(
            Code::FamilyNamedTopics,
            ctx.file,
            0..0,
            "`topics` cannot name a family",
            "the exported JSON Schemas use `<vendor>/topics/` for the topic schemas",
        );
    }
    if !naming::is_identifier(id) || naming::field_name(id) != id {
        ctx.diags.error_help(
            Code::FamilyFileCase,
            ctx.file,
            0..0,
            format!("family file name `{id}` is not a snake_case module name"),
            format!("name the file `{}.toml`", naming::field_name(id)),
        );
    }
}

/// The family's own type names, none of which its vendor may define too.
fn family_types(
    ctx: &mut Ctx<'_>,
    ff: &FamilyFile,
    vendor_types: &BTreeMap<String, Kind>,
) -> BTreeMap<String, Kind> {
    let mut family_types = BTreeMap::new();
    check_type_names(
        ctx.file,
        &ff.structs,
        &ff.enums,
        &mut family_types,
        ctx.diags,
    );
    let names = ff.structs.iter().map(|s| &s.name);
    for name in names.chain(ff.enums.iter().map(|e| &e.name)) {
        if vendor_types.contains_key(name.get_ref()) {
            ctx.diags.error_help(
                Code::TypeShadowsVendor,
                ctx.file,
                name.span(),
                format!("`{}` is already defined by the vendor", name.get_ref()),
                "use the vendor's type, or rename this one",
            );
        }
    }
    family_types
}

/// The family-wide discriminator values of `tags`, and the one discriminator they leave.
fn family_tags(ctx: &mut Ctx<'_>, header: &FamilyHeader, envelope: &ir::Envelope) -> Tags {
    let mut fixed: Vec<(usize, String)> = Vec::new();
    let mut unknown = false;
    for (name, value) in &header.tags {
        match envelope.tags.iter().position(|t| t == name.get_ref()) {
            Some(i) => fixed.push((i, value.get_ref().clone())),
            None => {
                unknown = true;
                let known: Vec<&str> = envelope.tags.iter().map(String::as_str).collect();
                ctx.diags.error_help(
                    Code::NotADiscriminator,
                    ctx.file,
                    name.span(),
                    format!(
                        "`{}` is not a discriminator of the envelope",
                        name.get_ref()
                    ),
                    crate::suggest::help(name.get_ref(), &known),
                );
            }
        }
    }
    let left: Vec<usize> = (0..envelope.tags.len())
        .filter(|i| !fixed.iter().any(|(t, _)| t == i))
        .collect();
    // With a misspelt `tags` key, the count is off because of that one fault.
    if !unknown && !envelope.tags.is_empty() && left.len() != 1 {
        let span = header
            .tags
            .keys()
            .next()
            .map_or(header.doc.span(), |k| k.span());
        ctx.diags.error_help(
            Code::DiscriminatorCount,
            ctx.file,
            span,
            "the family must leave exactly one envelope discriminator to its messages",
            format!(
                "the envelope discriminators are {:?}; give the others in `tags`",
                envelope.tags
            ),
        );
    }
    Tags {
        count: envelope.tags.len(),
        fixed,
        own: left.first().copied(),
    }
}

/// Where the messages of a family are resolved.
struct Placing<'a> {
    known: &'a Known<'a>,
    family: &'a str,
    scope: &'a Scope<'a>,
    header: &'a FamilyHeader,
    tags: &'a mut BTreeMap<usize, Tags>,
}

impl Placing<'_> {
    /// The family's discriminator values in envelope `e`, checked once per envelope.
    fn tags(&mut self, ctx: &mut Ctx<'_>, e: usize) -> &Tags {
        let envelope = &self.known.envelopes[e];
        let header = self.header;
        self.tags
            .entry(e)
            .or_insert_with(|| family_tags(ctx, header, envelope))
    }
}

/// One message; `None` when its topic is unknown. Its fields are resolved all the same, so
/// that their faults are reported and the types they use are not reported unused.
fn resolve_message(
    ctx: &mut Ctx<'_>,
    place: &mut Placing<'_>,
    named: &Named<MessageDef>,
    names: &mut BTreeSet<String>,
    taken: &mut Taken<'_>,
) -> Option<ir::Message> {
    let def = &named.def;
    let key = named.name.get_ref().clone();
    let rust_name = message_type_name(ctx, named, names);
    // A topic whose envelope is unknown has had its fault reported.
    let topic = message_topic(ctx, place.known.topics, def).filter(|t| place.known.carried[*t]);
    let wire = def
        .wire
        .as_ref()
        .map(|w| w.get_ref().clone())
        .unwrap_or_else(|| key.clone());
    // The envelope of its topic; none when the topic is unknown.
    let envelope = topic.map(|t| place.known.topics[t].envelope);
    let (tags, own) = match envelope {
        Some(e) => {
            let family = place.tags(ctx, e);
            (message_tags(family, &wire), family.own.unwrap_or_default())
        }
        None => (Vec::new(), 0),
    };
    let id = format!("{}/{}/{key}", place.known.vendor, place.family);
    // Without discriminators (a fault of the envelope, reported), routes mean nothing.
    if let Some(topic) = topic.filter(|_| !tags.is_empty()) {
        claim_route(
            ctx,
            place.known.topics,
            named,
            (topic, &tags, &wire),
            &id,
            taken,
        );
    }
    let variant = format!(
        "{}{}{}",
        naming::type_name(place.known.vendor),
        naming::type_name(place.family),
        rust_name
    );
    if let Some(other) = taken.variants.insert(variant.clone(), id.clone()) {
        ctx.diags.error_help(
            Code::MessageVariantCollision,
            ctx.file,
            named.name.span(),
            format!("message `{id}` and `{other}` both become `Message::{variant}`"),
            "rename one of them; `wire` keeps the name on the wire",
        );
    }
    let envelope = envelope.map(|e| &place.known.envelopes[e]);
    let fields = message_fields(ctx, place, named, envelope);
    let doc = doc(ctx, &def.doc);
    let ack = def
        .ack
        .as_ref()
        .map(|ack| ack_json(ack.get_ref(), envelope, &tags));
    Some(ir::Message {
        id,
        variant,
        key,
        rust_name,
        topic: topic?,
        wire,
        tags,
        tag: own,
        reply: None,
        request: None,
        correlate: Vec::new(),
        qos: def
            .qos
            .map(|q| q.0)
            .or_else(|| topic.and_then(|t| place.known.topics[t].qos)),
        ack,
        doc,
        term: def.term.clone(),
        fields,
    })
}

/// A reply's `ack` body as JSON; a flat body holds its discriminators, a nested one leaves
/// them to the envelope.
fn ack_json(ack: &toml::Table, envelope: Option<&ir::Envelope>, tags: &[String]) -> String {
    let tags: Vec<(&str, String)> = match envelope {
        Some(e) if !e.nested => {
            let values = tags.iter().map(|t| crate::emit::json_string(t));
            e.tags.iter().map(String::as_str).zip(values).collect()
        }
        _ => Vec::new(),
    };
    crate::emit::table_json(ack, &tags)
}

/// Each discriminator of a message: the family's value, else the message's own.
fn message_tags(family: &Tags, wire: &str) -> Vec<String> {
    (0..family.count)
        .map(|i| {
            let fixed = family.fixed.iter().find(|(t, _)| *t == i);
            fixed.map_or_else(|| wire.to_owned(), |(_, v)| v.clone())
        })
        .collect()
}

/// The Rust type name of a message, which no other type of its family may have.
fn message_type_name(
    ctx: &mut Ctx<'_>,
    named: &Named<MessageDef>,
    names: &mut BTreeSet<String>,
) -> String {
    let key = named.name.get_ref();
    let rust_name = naming::type_name(key);
    if !naming::is_identifier(key) || naming::field_name(key) != *key {
        ctx.diags.error_help(
            Code::MessageNameCase,
            ctx.file,
            named.name.span(),
            format!("message name `{key}` is not snake_case"),
            format!(
                "name it `{}`, with `wire = \"{key}\"` if the wire name differs",
                naming::field_name(key)
            ),
        );
    }
    if !names.insert(rust_name.clone()) {
        ctx.diags.error_help(Code::MessageTypeCollision,
            ctx.file,
            named.name.span(),
            format!("message `{key}` becomes the Rust type `{rust_name}`, which is already defined in this family"),
            "rename the message or the type",
        );
    }
    rust_name
}

/// The index of the message's topic; `None`, reported, when the vendor has no such topic.
fn message_topic(ctx: &mut Ctx<'_>, topics: &[ir::Topic], def: &MessageDef) -> Option<usize> {
    let topic = topics.iter().position(|t| &t.key == def.topic.get_ref());
    if topic.is_none() {
        let known: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
        ctx.diags.error_help(
            Code::UnknownTopic,
            ctx.file,
            def.topic.span(),
            format!("unknown topic `{}`", def.topic.get_ref()),
            crate::suggest::help(def.topic.get_ref(), &known),
        );
    }
    topic
}

/// Records the message's route, (topic, discriminators); two messages cannot share one.
fn claim_route(
    ctx: &mut Ctx<'_>,
    topics: &[ir::Topic],
    named: &Named<MessageDef>,
    (topic, tags, wire): (usize, &[String], &str),
    id: &str,
    taken: &mut Taken<'_>,
) {
    let route = (topic, tags.to_vec());
    if let Some(other) = taken.routes.insert(route, id.to_owned()) {
        ctx.diags.error(
            Code::RouteCollision,
            ctx.file,
            named.name.span(),
            format!(
                "`{wire}` on topic `{}` is already the message `{other}`",
                topics[topic].key
            ),
        );
    }
}

/// The message's fields: a flat envelope's fields first, then its own, with no name twice and
/// no discriminator of a nested envelope among its own.
fn message_fields(
    ctx: &mut Ctx<'_>,
    place: &Placing<'_>,
    named: &Named<MessageDef>,
    envelope: Option<&ir::Envelope>,
) -> Vec<ir::Field> {
    let mut fields: Vec<ir::Field> = match envelope {
        Some(e) if !e.nested => e.fields.clone(),
        _ => Vec::new(),
    };
    for key in named.def.fields.keys() {
        if envelope.is_some_and(|e| e.nested && e.tags.contains(key.get_ref())) {
            ctx.diags.error_help(
                Code::DiscriminatorInBody,
                ctx.file,
                key.span(),
                format!(
                    "`{}` is a discriminator of the topic's envelope",
                    key.get_ref()
                ),
                "the envelope carries it; the message sets its value with `wire`",
            );
        }
    }
    let own = resolve_fields(ctx, place.scope, &named.def.fields, Place::Message);
    for f in own
        .iter()
        .filter(|f| fields.iter().any(|e| e.rust == f.rust))
    {
        let key = named.def.fields.keys().find(|k| *k.get_ref() == f.wire);
        ctx.diags.error(
            Code::EnvelopeFieldCollision,
            ctx.file,
            key.map_or(named.name.span(), toml::Spanned::span),
            format!(
                "field `{}` collides with the envelope field of the same name",
                f.wire
            ),
        );
    }
    fields.extend(own);
    fields
}

/// Links each request to its reply; a reply travels on its request topic's reply topic.
fn pair_replies(
    ctx: &mut Ctx<'_>,
    ff: &FamilyFile,
    known: &Known<'_>,
    messages: &mut [ir::Message],
    unplaced: &BTreeSet<&str>,
) {
    for named in &ff.messages {
        let Some(reply) = &named.def.reply else {
            continue;
        };
        let Some(i) = messages.iter().position(|m| &m.key == named.name.get_ref()) else {
            continue; // Its topic is unknown, and already reported.
        };
        let Some(r) = messages.iter().position(|m| &m.key == reply.get_ref()) else {
            if !unplaced.contains(reply.get_ref().as_str()) {
                let known: Vec<&str> = ff
                    .messages
                    .iter()
                    .map(|m| m.name.get_ref().as_str())
                    .collect();
                ctx.diags.error_help(
                    Code::UnknownReply,
                    ctx.file,
                    reply.span(),
                    format!("unknown reply message `{}`", reply.get_ref()),
                    crate::suggest::help(reply.get_ref(), &known),
                );
            }
            continue;
        };
        let topics = known.topics;
        let request_topic = &topics[messages[i].topic];
        let fault = match request_topic.reply {
            None => Some((
                Code::ReplyTopicMissing,
                format!("topic `{}` declares no reply topic", request_topic.key),
            )),
            Some(t) if t != messages[r].topic => Some((
                Code::ReplyWrongTopic,
                format!(
                    "reply `{}` is not on the reply topic of `{}`",
                    reply.get_ref(),
                    named.name.get_ref()
                ),
            )),
            Some(_) => None,
        };
        if let Some((code, fault)) = fault {
            ctx.diags.error(code, ctx.file, reply.span(), fault);
        }
        if messages[r].request.is_some() {
            ctx.diags.error(
                Code::ReplyTwice,
                ctx.file,
                reply.span(),
                format!("`{}` already answers another message", reply.get_ref()),
            );
        }
        // A second request of the same reply is reported; its pair adds nothing.
        let first = messages[r].request.is_none();
        messages[i].reply = Some(r);
        messages[r].request = Some(i);
        let def = ff
            .messages
            .iter()
            .find(|m| m.name.get_ref() == reply.get_ref());
        if let (true, Some(def)) = (first, def) {
            let envelope = |m: &ir::Message| &known.envelopes[topics[m.topic].envelope];
            let pair = Pair {
                request: &messages[i],
                request_envelope: envelope(&messages[i]),
                reply: &messages[r],
                reply_envelope: envelope(&messages[r]),
            };
            messages[r].correlate = correlation::reply_correlate(ctx, &def.def, &pair);
        }
    }
}
