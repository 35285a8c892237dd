//! Topic patterns: their levels and parameters, and the pairing of request and reply topics.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::{Ctx, doc};
use crate::ir::{self, Level};
use crate::load::Named;
use crate::model;
use crate::naming;

pub(super) fn resolve_topics(ctx: &mut Ctx<'_>, defs: &[Named<model::TopicDef>]) -> Vec<ir::Topic> {
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
