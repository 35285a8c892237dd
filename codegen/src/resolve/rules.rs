//! Conversation rules: which messages each is about, and where the fields it reads sit in a
//! payload, as JSON pointers the checker follows.

use std::ops::Range;

use toml::Spanned;

use super::{Ctx, doc};
use crate::codes::Code;
use crate::emit::json_string;
use crate::ir::{self, Check, Direction, Type};
use crate::load::Named;
use crate::model::{MessageDef, RetryDef, RuleDef, RuleKind, Scalar};
use crate::naming;

/// What a rule's field paths are read against.
pub(super) struct Place<'a> {
    pub(super) vendor: &'a str,
    /// `None` for a vendor-wide rule.
    pub(super) family: Option<&'a ir::Family>,
    /// The family's message definitions: one that did not resolve is reported already.
    pub(super) defined: &'a [Named<MessageDef>],
    pub(super) envelopes: &'a [ir::Envelope],
    pub(super) topics: &'a [ir::Topic],
    pub(super) structs: &'a [ir::Struct],
    pub(super) enums: &'a [ir::Enum],
}

/// The rules of one file; each is reported and left out when it does not resolve.
pub(super) fn resolve_rules(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    defs: &[Named<RuleDef>],
) -> Vec<ir::Rule> {
    defs.iter()
        .filter_map(|named| resolve_rule(ctx, place, named))
        .collect()
}

fn resolve_rule(ctx: &mut Ctx<'_>, place: &Place<'_>, named: &Named<RuleDef>) -> Option<ir::Rule> {
    let (name, def) = (named.name.get_ref(), &named.def);
    if !naming::is_identifier(name) || naming::field_name(name) != *name {
        ctx.diags.error_help(
            Code::RuleNameCase,
            ctx.file,
            named.name.span(),
            format!("rule name `{name}` is not snake_case"),
            format!("write `{}`", naming::field_name(name)),
        );
    }
    let kind = *def.kind.get_ref();
    let vendor_wide = kind == RuleKind::SameDevice;
    if vendor_wide != place.family.is_none() {
        let (fault, help) = if vendor_wide {
            (
                "a `same_device` rule is vendor-wide",
                "move it to vendor.toml",
            )
        } else {
            (
                "this rule is about a family's messages",
                "move it to a family file",
            )
        };
        ctx.diags
            .error_help(Code::RuleMisplaced, ctx.file, def.kind.span(), fault, help);
        return None;
    }
    if !keys_fit(ctx, def) {
        return None;
    }
    let doc = doc(ctx, &def.doc);
    let (duty, check) = match kind {
        RuleKind::Answered => answered(ctx, place, def)?,
        RuleKind::Progress => progress(ctx, place, def)?,
        RuleKind::Final => final_status(ctx, place, def)?,
        RuleKind::SameDevice => (None, same_device(ctx, place, def)?),
        RuleKind::Fresh => fresh(ctx, place, def)?,
    };
    let id = match place.family {
        Some(f) => format!("{}/{}/{name}", place.vendor, f.id),
        None => format!("{}/{name}", place.vendor),
    };
    Some(ir::Rule {
        id,
        doc,
        source: def.source.get_ref().clone(),
        duty,
        check,
    })
}

/// Every key the kind needs is there, and no other.
fn keys_fit(ctx: &mut Ctx<'_>, def: &RuleDef) -> bool {
    let span = |s: Option<&Spanned<String>>| s.map(Spanned::span);
    let first = |v: &[Spanned<String>]| v.first().map(Spanned::span);
    let given: [(&str, Option<Range<usize>>); 12] = [
        ("messages", first(&def.messages)),
        ("deadline", span(def.deadline.as_ref())),
        ("retry", def.retry.as_ref().map(Spanned::span)),
        ("job", first(&def.job)),
        ("start", first(&def.start)),
        ("start_job", first(&def.start_job)),
        ("percent", span(def.percent.as_ref())),
        ("step", first(&def.step)),
        ("status", span(def.status.as_ref())),
        ("final", def.finals.first().map(Spanned::span)),
        ("field", span(def.field.as_ref())),
        ("param", span(def.param.as_ref())),
    ];
    let kind = *def.kind.get_ref();
    let (needs, may): (&[&str], &[&str]) = match kind {
        RuleKind::Answered => (&["messages"], &["deadline", "retry"]),
        RuleKind::Progress => (
            &["messages", "percent"],
            &["job", "step", "start", "start_job"],
        ),
        RuleKind::Final => (
            &["messages", "status", "final"],
            &["job", "start", "start_job"],
        ),
        RuleKind::SameDevice => (&["field", "param"], &[]),
        RuleKind::Fresh => (&["messages", "field"], &[]),
    };
    let mut fit = true;
    for (key, at) in &given {
        let fault = match at {
            None if needs.contains(key) => format!("{} rule needs `{key}`", a_kind(kind)),
            Some(_) if !needs.contains(key) && !may.contains(key) => {
                format!("`{key}` is not a key of {} rule", a_kind(kind))
            }
            _ => continue,
        };
        let span = at.clone().unwrap_or_else(|| def.kind.span());
        ctx.diags.error(Code::RuleKey, ctx.file, span, fault);
        fit = false;
    }
    fit
}

/// "an `answered`", "a `progress`".
fn a_kind(kind: RuleKind) -> String {
    let article = if kind == RuleKind::Answered {
        "an"
    } else {
        "a"
    };
    format!("{article} `{}`", kind.as_str())
}

/// The messages a family rule names in `names`, each a message of the family.
fn messages<'f>(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    family: &'f ir::Family,
    names: &[Spanned<String>],
) -> Vec<&'f ir::Message> {
    let mut found = Vec::new();
    for name in names {
        let defined = place
            .defined
            .iter()
            .any(|d| d.name.get_ref() == name.get_ref());
        match family.messages.iter().find(|m| m.key == *name.get_ref()) {
            Some(m) => found.push(m),
            None if defined => {}
            None => {
                let known: Vec<&str> = family.messages.iter().map(|m| m.key.as_str()).collect();
                ctx.diags.error_help(
                    Code::RuleUnknownMessage,
                    ctx.file,
                    name.span(),
                    format!("`{}` is not a message of the family", name.get_ref()),
                    crate::suggest::help(name.get_ref(), &known),
                );
            }
        }
    }
    found
}

/// The side that sends `messages`, when they are all sent by one side.
fn one_side(
    ctx: &mut Ctx<'_>,
    def: &RuleDef,
    sides: impl Iterator<Item = Direction>,
) -> Option<Direction> {
    let sides: Vec<Direction> = sides.collect();
    let first = *sides.first()?;
    if sides.iter().any(|d| *d != first) {
        let span = def.messages[0].span();
        let fault = "the rule binds both sides: its messages travel both ways";
        let help = "split it into one rule for each side";
        ctx.diags
            .error_help(Code::RuleDuty, ctx.file, span, fault, help);
        return None;
    }
    Some(first)
}

fn answered(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    def: &RuleDef,
) -> Option<(Option<Direction>, Check)> {
    let family = place.family?;
    let requests = messages(ctx, place, family, &def.messages);
    let mut replies = Vec::new();
    for (m, name) in requests.iter().zip(&def.messages) {
        let declared = place
            .defined
            .iter()
            .any(|d| d.name.get_ref() == &m.key && d.def.reply.is_some());
        match m.reply {
            Some(r) => replies.push(place.topics[family.messages[r].topic].direction),
            None if declared => {}
            None => ctx.diags.error_help(
                Code::RuleWithoutReply,
                ctx.file,
                name.span(),
                format!("`{}` has no `reply`, so nothing answers it", m.key),
                "name its reply message with `reply`",
            ),
        }
    }
    let deadline_ms = match &def.deadline {
        Some(d) => Some(deadline(ctx, d)?),
        None => None,
    };
    let retry = match &def.retry {
        Some(r) => Some(retry(ctx, place, &requests, r.get_ref())?),
        None => None,
    };
    if replies.len() != def.messages.len() {
        return None;
    }
    let duty = one_side(ctx, def, replies.into_iter())?;
    let requests = requests.iter().map(|m| m.id.clone()).collect();
    Some((
        Some(duty),
        Check::Answered {
            requests,
            deadline_ms,
            retry,
        },
    ))
}

/// A retry: at least one more attempt, changing top-level fields of the requests only (an
/// attempt is the request again, but for those fields and the envelope's time).
fn retry(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    requests: &[&ir::Message],
    def: &RetryDef,
) -> Option<ir::Retry> {
    if *def.count.get_ref() == 0 {
        let fault = "a retry sends again at least once";
        let help = "write `count = 1` or more, or leave `retry` out";
        ctx.diags
            .error_help(Code::RuleRetry, ctx.file, def.count.span(), fault, help);
        return None;
    }
    let paths = Paths {
        place,
        messages: requests,
    };
    let mut changes = Vec::new();
    for change in &def.changes {
        if change.get_ref().contains('.') {
            let fault = format!("`{}` is not a top-level field", change.get_ref());
            let help = "an attempt is the same request but for top-level fields such as ids";
            ctx.diags
                .error_help(Code::RuleRetry, ctx.file, change.span(), fault, help);
            return None;
        }
        changes.push(paths.one(ctx, change, Want::Scalar)?);
    }
    Some(ir::Retry {
        count: *def.count.get_ref(),
        changes,
        source: def.source.get_ref().clone(),
    })
}

/// A `fresh` rule: its field is one the replies copy from the requests, so a reused value
/// makes two requests look like one.
fn fresh(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    def: &RuleDef,
) -> Option<(Option<Direction>, Check)> {
    let family = place.family?;
    let requests = messages(ctx, place, family, &def.messages);
    let paths = Paths {
        place,
        messages: &requests,
    };
    let field = def.field.as_ref()?;
    let pointer = paths.one(ctx, field, Want::Scalar)?;
    for m in &requests {
        if !correlated(place, family, m).contains(&pointer) {
            let fault = format!(
                "`{}` of `{}` is not a field its reply copies",
                field.get_ref(),
                m.key
            );
            let help = "a `fresh` field is one of the `correlate` fields of the reply";
            ctx.diags
                .error_help(Code::RuleFresh, ctx.file, field.span(), fault, help);
            return None;
        }
    }
    let duty = sender(ctx, place, def, &requests)?;
    let requests = requests.iter().map(|m| m.id.clone()).collect();
    Some((
        Some(duty),
        Check::Fresh {
            requests,
            field: pointer,
        },
    ))
}

/// The pointers, in request `m`, of the fields its reply copies.
fn correlated(place: &Place<'_>, family: &ir::Family, m: &ir::Message) -> Vec<String> {
    let Some(reply) = m.reply.map(|r| &family.messages[r]) else {
        return Vec::new();
    };
    let ours = &place.envelopes[place.topics[reply.topic].envelope];
    let theirs = &place.envelopes[place.topics[m.topic].envelope];
    let wire = |fields: &[ir::Field], rust: &str| {
        let found = fields.iter().find(|f| f.rust == rust);
        found.map(|f| f.wire.clone()).unwrap_or_default()
    };
    let envelope = ours
        .correlate
        .iter()
        .map(|c| naming::pointer_key("", &wire(&ours.fields, c)));
    let body = theirs.body_pointer.as_deref().unwrap_or_default();
    let own = reply
        .correlate
        .iter()
        .map(|c| naming::pointer_key(body, &wire(&reply.fields, c)));
    envelope.chain(own).collect()
}

/// `"3s"`, `"500ms"`, `"2min"`: a deadline in milliseconds.
fn deadline(ctx: &mut Ctx<'_>, text: &Spanned<String>) -> Option<u64> {
    let t = text.get_ref();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let scale = match &t[digits..] {
        "ms" => 1,
        "s" => 1000,
        "min" => 60_000,
        _ => 0,
    };
    let ms = t[..digits]
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|ms| *ms > 0);
    if ms.is_none() {
        ctx.diags.error_help(
            Code::RuleDeadline,
            ctx.file,
            text.span(),
            format!("`{t}` is not a deadline"),
            "write a positive whole number of `ms`, `s` or `min`: `3s`",
        );
    }
    ms
}

/// The side that sends a rule's reports, when every report it names was found and one side
/// sends them all.
fn sender(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    def: &RuleDef,
    found: &[&ir::Message],
) -> Option<Direction> {
    let sides = found.iter().map(|m| place.topics[m.topic].direction);
    let duty = one_side(ctx, def, sides);
    duty.filter(|_| found.len() == def.messages.len())
}

fn progress(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    def: &RuleDef,
) -> Option<(Option<Direction>, Check)> {
    let family = place.family?;
    let found = messages(ctx, place, family, &def.messages);
    let paths = Paths {
        place,
        messages: &found,
    };
    let job = paths.all(ctx, &def.job, Want::Scalar);
    let starts = starts(ctx, place, family, def);
    let step = paths.all(ctx, &def.step, Want::Scalar);
    let percent = paths.one(ctx, def.percent.as_ref()?, Want::Int);
    let duty = sender(ctx, place, def, &found);
    let check = Check::Progress {
        messages: found.iter().map(|m| m.id.clone()).collect(),
        job: job?,
        starts: starts?,
        percent: percent?,
        step: step?,
    };
    Some((Some(duty?), check))
}

fn final_status(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    def: &RuleDef,
) -> Option<(Option<Direction>, Check)> {
    let family = place.family?;
    let found = messages(ctx, place, family, &def.messages);
    let paths = Paths {
        place,
        messages: &found,
    };
    let job = paths.all(ctx, &def.job, Want::Scalar);
    let starts = starts(ctx, place, family, def);
    let status = def.status.as_ref()?;
    let field = paths.field(ctx, status, Want::Scalar);
    let duty = sender(ctx, place, def, &found);
    let (pointer, ty) = field?;
    let finals: Vec<String> = def
        .finals
        .iter()
        .filter_map(|v| final_value(ctx, place, &ty, v))
        .collect();
    if finals.len() != def.finals.len() {
        return None;
    }
    let check = Check::Final {
        messages: found.iter().map(|m| m.id.clone()).collect(),
        job: job?,
        starts: starts?,
        status: pointer,
        finals,
    };
    Some((Some(duty?), check))
}

/// The messages that start a rule's jobs, each with the fields that name its job: `start_job`,
/// or the rule's own `job` paths, one for each of `job`.
fn starts(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    family: &ir::Family,
    def: &RuleDef,
) -> Option<Vec<ir::JobStart>> {
    let found = messages(ctx, place, family, &def.start);
    let named = if def.start_job.is_empty() {
        &def.job
    } else {
        &def.start_job
    };
    if named.len() != def.job.len() {
        let span = def.start_job[0].span();
        let fault = format!(
            "`start_job` names {} fields, and `job` {}",
            named.len(),
            def.job.len()
        );
        let help = "name the job in the start messages with one field for each of `job`";
        ctx.diags
            .error_help(Code::RuleStart, ctx.file, span, fault, help);
        return None;
    }
    let mut starts = Vec::new();
    for m in &found {
        let paths = Paths {
            place,
            messages: std::slice::from_ref(m),
        };
        starts.push(ir::JobStart {
            message: m.id.clone(),
            job: paths.all(ctx, named, Want::Scalar)?,
        });
    }
    (starts.len() == def.start.len()).then_some(starts)
}

/// A final status as JSON, when the status field can hold it.
fn final_value(
    ctx: &mut Ctx<'_>,
    place: &Place<'_>,
    ty: &Type,
    value: &Spanned<Scalar>,
) -> Option<String> {
    let json = as_json(place, ty, value.get_ref());
    if json.is_none() {
        let shown = value.get_ref().shown();
        ctx.diags.error_help(
            Code::RuleFinalValue,
            ctx.file,
            value.span(),
            format!("the status field cannot hold {shown}"),
            holds(place, ty),
        );
    }
    json
}

/// `value` as JSON, as a field of type `ty` holds it.
fn as_json(place: &Place<'_>, ty: &Type, value: &Scalar) -> Option<String> {
    match (ty, value) {
        (Type::Int, Scalar::Int(n)) => Some(n.to_string()),
        (Type::Text, Scalar::Text(t)) => Some(json_string(t)),
        (Type::Disputed(a, b), v) => as_json(place, a, v).or_else(|| as_json(place, b, v)),
        (Type::Enum(r), v) => {
            let wire = v.enum_wire()?;
            let e = enum_of(place, r)?;
            let string = e.kind == ir::EnumKind::EnumString || e.wire == ir::EnumWire::String;
            e.values
                .iter()
                .any(|v| v.wire == wire)
                .then(|| if string { json_string(&wire) } else { wire })
        }
        _ => None,
    }
}

/// What a status field of type `ty` holds, for a help.
fn holds(place: &Place<'_>, ty: &Type) -> String {
    match ty {
        Type::Enum(r) => match enum_of(place, r) {
            Some(e) => {
                let values: Vec<String> =
                    e.values.iter().map(|v| format!("`{}`", v.wire)).collect();
                format!("`{}` holds {}", e.name, values.join(", "))
            }
            None => format!("`{}` is not resolved", r.name),
        },
        Type::Disputed(a, b) => format!("{}; or {}", holds(place, a), holds(place, b)),
        Type::Int => "an `int` field holds an integer".to_owned(),
        _ => "a `text` field holds a string".to_owned(),
    }
}

fn enum_of<'p>(place: &Place<'p>, r: &ir::TypeRef) -> Option<&'p ir::Enum> {
    let enums = match (&r.family, place.family) {
        (Some(_), Some(f)) => &f.enums,
        _ => place.enums,
    };
    enums.iter().find(|e| e.name == r.name)
}

fn same_device(ctx: &mut Ctx<'_>, place: &Place<'_>, def: &RuleDef) -> Option<Check> {
    let (field, param) = (def.field.as_ref()?, def.param.as_ref()?);
    let topics: Vec<&ir::Topic> = place
        .topics
        .iter()
        .filter(|t| t.params.iter().any(|p| p.name == *param.get_ref()))
        .collect();
    if topics.is_empty() {
        ctx.diags.error(
            Code::RuleUnknownParam,
            ctx.file,
            param.span(),
            format!(
                "no topic of the vendor has the parameter `{}`",
                param.get_ref()
            ),
        );
    }
    let mut pointer = None;
    for t in &topics {
        let envelope = &place.envelopes[t.envelope];
        let found = envelope.fields.iter().find(|f| f.wire == *field.get_ref());
        match found {
            Some(f) if f.ty == Type::Text => pointer = Some(naming::pointer_key("", &f.wire)),
            Some(_) => {
                let fault = format!("`{}` is not a `text` field", field.get_ref());
                ctx.diags
                    .error(Code::RuleFieldType, ctx.file, field.span(), fault);
                return None;
            }
            None => {}
        }
    }
    if pointer.is_none() && !topics.is_empty() {
        let fault = format!(
            "`{}` is not a field of the envelopes of those topics",
            field.get_ref()
        );
        ctx.diags
            .error(Code::RuleUnknownField, ctx.file, field.span(), fault);
    }
    Some(Check::SameDevice {
        field: pointer?,
        param: param.get_ref().clone(),
    })
}

/// What a rule reads from a field.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    /// A number, text or enum value: a key or a status.
    Scalar,
    /// An integer: a percentage.
    Int,
}

/// Field paths read in each message of a rule: every path must name the same place in all.
struct Paths<'a, 'p> {
    place: &'a Place<'p>,
    messages: &'a [&'a ir::Message],
}

impl Paths<'_, '_> {
    fn all(&self, ctx: &mut Ctx<'_>, paths: &[Spanned<String>], want: Want) -> Option<Vec<String>> {
        let found: Vec<Option<String>> = paths.iter().map(|p| self.one(ctx, p, want)).collect();
        found.into_iter().collect()
    }

    fn one(&self, ctx: &mut Ctx<'_>, path: &Spanned<String>, want: Want) -> Option<String> {
        self.field(ctx, path, want).map(|(pointer, _)| pointer)
    }

    /// The pointer and type of `path`, the same in every message.
    fn field(
        &self,
        ctx: &mut Ctx<'_>,
        path: &Spanned<String>,
        want: Want,
    ) -> Option<(String, Type)> {
        let mut found: Option<(String, Type)> = None;
        for m in self.messages {
            let (pointer, ty) = self.walk(ctx, m, path)?;
            if !fits(&ty, want) {
                let fault = match want {
                    Want::Int => format!("`{}` is not an `int` field", path.get_ref()),
                    Want::Scalar => {
                        format!("`{}` is not a number, text or enum field", path.get_ref())
                    }
                };
                ctx.diags
                    .error(Code::RuleFieldType, ctx.file, path.span(), fault);
                return None;
            }
            if found.as_ref().is_some_and(|(p, _)| *p != pointer) {
                let fault = format!("`{}` sits elsewhere in `{}`", path.get_ref(), m.key);
                let help = "a rule reads one place in all its messages; split it";
                ctx.diags
                    .error_help(Code::RuleFieldType, ctx.file, path.span(), fault, help);
                return None;
            }
            found = Some((pointer, ty));
        }
        found
    }

    /// Follows `path` from the payload's root of message `m`: through the envelope, the body
    /// and structs, and through the list that holds the body (its first item).
    fn walk(
        &self,
        ctx: &mut Ctx<'_>,
        m: &ir::Message,
        path: &Spanned<String>,
    ) -> Option<(String, Type)> {
        let place = self.place;
        let envelope = &place.envelopes[place.topics[m.topic].envelope];
        let mut fields: Vec<&ir::Field> = envelope.fields.iter().collect();
        if !envelope.nested {
            fields.extend(m.fields.iter());
        }
        let mut pointer = String::new();
        let segments: Vec<&str> = path.get_ref().split('.').collect();
        for (i, segment) in segments.iter().enumerate() {
            let Some(field) = fields.iter().find(|f| f.wire == *segment) else {
                let known: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
                ctx.diags.error_help(
                    Code::RuleUnknownField,
                    ctx.file,
                    path.span(),
                    format!("`{segment}` is not a field here (in `{}`)", m.key),
                    crate::suggest::help(segment, &known),
                );
                return None;
            };
            pointer = naming::pointer_key(&pointer, &field.wire);
            let mut ty = &field.ty;
            if let Type::Array(inner) = ty {
                if !matches!(inner.as_ref(), Type::Struct(r) if r.generic) {
                    let fault = format!("`{segment}` is a list, so there is no one value to read");
                    ctx.diags
                        .error(Code::RuleFieldType, ctx.file, path.span(), fault);
                    return None;
                }
                pointer.push_str("/0");
                ty = inner;
            }
            if i + 1 == segments.len() {
                return Some((pointer, ty.clone()));
            }
            fields = match ty {
                Type::Body => m.fields.iter().collect(),
                Type::Struct(r) => self.struct_fields(r),
                _ => Vec::new(),
            };
        }
        None
    }

    fn struct_fields(&self, r: &ir::TypeRef) -> Vec<&ir::Field> {
        let structs = match (&r.family, self.place.family) {
            (Some(_), Some(f)) => &f.structs,
            _ => self.place.structs,
        };
        let found = structs.iter().find(|s| s.name == r.name);
        found.map(|s| s.fields.iter().collect()).unwrap_or_default()
    }
}

fn fits(ty: &Type, want: Want) -> bool {
    match (ty, want) {
        (Type::Int, _) => true,
        (Type::Text | Type::Enum(_), Want::Scalar) => true,
        (Type::Disputed(a, b), Want::Scalar) => fits(a, want) && fits(b, want),
        _ => false,
    }
}
