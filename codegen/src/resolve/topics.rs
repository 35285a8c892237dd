//! Topic patterns: their levels and parameters, and the pairing of request and reply topics.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::{Ctx, doc};
use crate::codes::Code;
use crate::diagnostics::Diagnostics;
use crate::ir::{self, Level};
use crate::load::Named;
use crate::load::VendorDir;
use crate::model;
use crate::naming;

/// The vendor's topics, and for each whether its envelope is known (`[envelope]` may be
/// missing, or the named one unknown): messages on a topic without one are left out, as the
/// fault is reported once, here. Such a topic's envelope index is never emitted: the build
/// fails.
pub(super) fn resolve_topics(
    ctx: &mut Ctx<'_>,
    defs: &[Named<model::TopicDef>],
    envelopes: &[ir::Envelope],
    main: bool,
) -> (Vec<ir::Topic>, Vec<bool>) {
    let mut carried = Vec::new();
    let mut topics: Vec<ir::Topic> = defs
        .iter()
        .map(|named| {
            let envelope = topic_envelope(ctx, &named.def, envelopes, main);
            carried.push(envelope.is_some());
            resolve_topic(ctx, named, envelope.unwrap_or_default())
        })
        .collect();
    for named in defs.iter().filter(|t| !main && t.def.envelope.is_none()) {
        ctx.diags.error_help(
            Code::EnvelopeMissing,
            ctx.file,
            named.name.span(),
            format!("topic `{}` names no envelope, and there is no `[envelope]`", named.name.get_ref()),
            "name one of the `[envelopes.<name>]` with `envelope = \"<name>\"`, or add an `[envelope]`",
        );
    }
    // Replies need every topic in place first.
    for (i, named) in defs.iter().enumerate() {
        if let Some(reply) = &named.def.reply {
            topics[i].reply = reply_topic(ctx, &topics, i, reply);
        }
    }
    (topics, carried)
}

/// No topic name may match two patterns, across every vendor: the router would take the
/// first, and the other would never be reached. Two patterns overlap when they have as many
/// levels and each level is the same literal in both, or a parameter in either.
pub(super) fn check_overlaps(dirs: &[VendorDir], vendors: &[ir::Vendor], diags: &mut Diagnostics) {
    let topics: Vec<(&ir::Vendor, usize, &ir::Topic)> = vendors
        .iter()
        .flat_map(|v| v.topics.iter().enumerate().map(move |(i, t)| (v, i, t)))
        .collect();
    for (n, (v, i, t)) in topics.iter().enumerate() {
        let Some((_, _, earlier)) = topics[..n].iter().find(|(_, _, e)| overlap(e, t)) else {
            continue;
        };
        let Some(vf) = dirs
            .iter()
            .find(|d| d.id == v.id)
            .and_then(|d| d.vendor.as_ref())
        else {
            continue;
        };
        let span = vf.topics.get(*i).map_or(0..0, |d| d.def.pattern.span());
        diags.error_help(
            Code::TopicOverlap,
            vf.file,
            span,
            format!(
                "topic names of `{}` also match `{}`",
                t.pattern, earlier.pattern
            ),
            "give the patterns a literal level that tells them apart",
        );
    }
}

fn overlap(a: &ir::Topic, b: &ir::Topic) -> bool {
    a.levels.len() == b.levels.len()
        && a.levels.iter().zip(&b.levels).all(|pair| match pair {
            (Level::Literal(x), Level::Literal(y)) => x == y,
            _ => true,
        })
}

/// The declared parameters of a topic, by name: their index and where they are declared.
type Declared = BTreeMap<String, (usize, std::ops::Range<usize>)>;

fn resolve_topic(ctx: &mut Ctx<'_>, named: &Named<model::TopicDef>, envelope: usize) -> ir::Topic {
    let def = &named.def;
    let key = named.name.get_ref().clone();
    if !naming::is_identifier(&key) || naming::field_name(&key) != key {
        ctx.diags.error_help(
            Code::TopicNameCase,
            ctx.file,
            named.name.span(),
            format!("topic name `{key}` is not snake_case"),
            format!("write `{}`", naming::field_name(&key)),
        );
    }
    let (params, declared) = topic_params(ctx, def);
    let levels = topic_levels(ctx, def, &declared);
    ir::Topic {
        rust_name: format!("{}Topic", naming::type_name(&key)),
        key,
        pattern: def.pattern.get_ref().clone(),
        levels,
        params,
        direction: *def.direction.get_ref(),
        doc: doc(ctx, &def.doc),
        source: def.source.as_ref().map(|s| s.get_ref().clone()),
        reply: None,
        open: def.open,
        envelope,
        reply_when: Vec::new(),
        qos: def.qos.map(|q| q.0),
    }
}

/// The envelope a topic names, else the vendor's `[envelope]` (the first) when it has one.
fn topic_envelope(
    ctx: &mut Ctx<'_>,
    def: &model::TopicDef,
    envelopes: &[ir::Envelope],
    main: bool,
) -> Option<usize> {
    let Some(name) = &def.envelope else {
        return main.then_some(0);
    };
    let found = envelopes
        .iter()
        .position(|e| e.name.as_deref() == Some(name.get_ref().as_str()));
    if found.is_none() {
        let known: Vec<&str> = envelopes.iter().filter_map(|e| e.name.as_deref()).collect();
        ctx.diags.error_help(
            Code::UnknownEnvelope,
            ctx.file,
            name.span(),
            format!("unknown envelope `{}`", name.get_ref()),
            crate::suggest::help(name.get_ref(), &known),
        );
    }
    found
}

/// The parameters a topic declares, each a snake_case identifier.
fn topic_params(ctx: &mut Ctx<'_>, def: &model::TopicDef) -> (Vec<ir::Param>, Declared) {
    let mut params = Vec::new();
    let mut declared = BTreeMap::new();
    for (name, p) in &def.params {
        let n = name.get_ref();
        if !naming::is_identifier(n) || naming::field_name(n) != *n || naming::is_keyword(n) {
            let (fault, help) = if naming::is_keyword(n) {
                (
                    format!("parameter name `{n}` is a Rust keyword"),
                    "choose another name".to_owned(),
                )
            } else {
                (
                    format!("parameter name `{n}` is not a snake_case identifier"),
                    format!("write `{}`", naming::field_name(n)),
                )
            };
            ctx.diags
                .error_help(Code::ParamNameCase, ctx.file, name.span(), fault, help);
        }
        declared.insert(n.clone(), (params.len(), name.span()));
        params.push(ir::Param {
            name: n.clone(),
            doc: doc(ctx, &p.doc),
            device: p.device,
        });
    }
    (params, declared)
}

/// The levels of a topic's pattern: literals, and parameters that fill a whole level, each
/// declared parameter used exactly once.
fn topic_levels(ctx: &mut Ctx<'_>, def: &model::TopicDef, declared: &Declared) -> Vec<Level> {
    let mut levels = Vec::new();
    let mut seen = BTreeSet::new();
    let mut offset = 0;
    for level in def.pattern.get_ref().split('/') {
        let source = ctx.diags.source(ctx.file);
        let span = within(source, &def.pattern, offset, level.len());
        offset += level.len() + 1;
        if let Some(level) = topic_level(ctx, level, span, declared, &mut seen) {
            levels.push(level);
        }
    }
    for (name, (i, span)) in declared {
        if !seen.contains(i) {
            ctx.diags.error(
                Code::ParamUnused,
                ctx.file,
                span.clone(),
                format!("parameter `{name}` is declared but not used in the pattern"),
            );
        }
    }
    levels
}

/// One level of a pattern; `None`, reported, when it is not a valid one.
fn topic_level(
    ctx: &mut Ctx<'_>,
    level: &str,
    span: std::ops::Range<usize>,
    declared: &Declared,
    seen: &mut BTreeSet<usize>,
) -> Option<Level> {
    if let Some(inner) = level.strip_prefix('{').and_then(|l| l.strip_suffix('}')) {
        let Some((i, _)) = declared.get(inner) else {
            ctx.diags.error_help(
                Code::ParamUndeclared,
                ctx.file,
                span,
                format!("topic parameter `{{{inner}}}` is not declared"),
                format!("add `params.{inner} = {{ doc = \"...\" }}` to the topic"),
            );
            return None;
        };
        if !seen.insert(*i) {
            ctx.diags.error(
                Code::ParamTwice,
                ctx.file,
                span,
                format!("parameter `{{{inner}}}` appears twice in the pattern"),
            );
        }
        return Some(Level::Param(*i));
    }
    if level.is_empty() {
        let fault = "the pattern has an empty topic level";
        ctx.diags
            .error(Code::TopicLevelEmpty, ctx.file, span, fault);
        return None;
    }
    if let Some(c) = level
        .chars()
        .find(|c| matches!(c, '+' | '#' | '{' | '}' | '\0'))
    {
        // A parameter inside the level counts as used: its declaration is not a fault too.
        seen.extend(
            declared
                .iter()
                .filter_map(|(name, (i, _))| level.contains(&format!("{{{name}}}")).then_some(*i)),
        );
        let help = match c {
            '{' | '}' => "a parameter must fill a whole level: `a/{id}/b`, not `a/x-{id}/b`",
            '\0' => "a topic name cannot hold NUL",
            _ => "wildcards belong in subscription filters, not in topic names",
        };
        ctx.diags.error_help(
            Code::TopicLevelChar,
            ctx.file,
            span,
            format!("`{}` is not allowed in a topic level", c.escape_default()),
            help,
        );
        return None;
    }
    Some(Level::Literal(level.to_owned()))
}

/// The reply topic of topic `i`: it has the same parameters and goes the other way.
fn reply_topic(
    ctx: &mut Ctx<'_>,
    topics: &[ir::Topic],
    i: usize,
    reply: &Spanned<String>,
) -> Option<usize> {
    let Some(r) = topics.iter().position(|t| &t.key == reply.get_ref()) else {
        let known: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
        ctx.diags.error_help(
            Code::UnknownReplyTopic,
            ctx.file,
            reply.span(),
            format!("unknown reply topic `{}`", reply.get_ref()),
            crate::suggest::help(reply.get_ref(), &known),
        );
        return None;
    };
    let names = |t: &ir::Topic| {
        let names: Vec<String> = t
            .params
            .iter()
            .map(|p| format!("`{{{}}}`", p.name))
            .collect();
        names.join(", ")
    };
    let sorted = |t: &ir::Topic| {
        t.params
            .iter()
            .map(|p| p.name.clone())
            .collect::<BTreeSet<_>>()
    };
    if sorted(&topics[r]) != sorted(&topics[i]) {
        ctx.diags.error_help(
            Code::ReplyTopicParams,
            ctx.file,
            reply.span(),
            "a reply topic must have the same parameters as its request topic",
            format!(
                "`{}` has {}; `{}` has {}",
                topics[i].key,
                names(&topics[i]),
                topics[r].key,
                names(&topics[r])
            ),
        );
    }
    if topics[r].direction == topics[i].direction {
        ctx.diags.error_help(
            Code::ReplyTopicDirection,
            ctx.file,
            reply.span(),
            "a reply topic must go the other way",
            format!(
                "`{}` and `{}` both go {}",
                topics[i].key,
                topics[r].key,
                topics[i].direction.as_str()
            ),
        );
    }
    Some(r)
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

#[cfg(test)]
mod tests {
    use toml::Spanned;

    use super::within;

    #[test]
    fn a_span_inside_a_plain_string_points_at_the_part() {
        let source = r#"pattern = "a/{b}/c""#;
        let value = Spanned::new(10..19, "a/{b}/c".to_owned());
        assert_eq!(&source[within(source, &value, 2, 3)], "{b}");
        assert_eq!(&source[within(source, &value, 6, 1)], "c");
        // An empty level still gets one character to point at.
        assert_eq!(within(source, &value, 2, 0).len(), 1);
    }

    #[test]
    fn a_string_with_escapes_gets_the_whole_value() {
        let source = r#"pattern = "a/\u0062/c""#;
        let value = Spanned::new(10..22, "a/b/c".to_owned());
        assert_eq!(within(source, &value, 2, 1), 10..22);
    }
}
