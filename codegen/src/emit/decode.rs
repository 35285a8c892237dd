//! Routing and decoding: discriminator heads, per-topic decoders, the crate-wide `Message`,
//! and the catalog of topics and messages.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{docs, ident};
use crate::ir::{Direction, Envelope, Family, Field, Message, Protocol, Type, Value, Vendor};
use crate::naming;

/// `mod head`: borrowed structs that read only the discriminators of a payload, one set per
/// envelope (`Head` and `PATHS` for the vendor's `[envelope]`, `<Name>EnvelopeHead` and
/// `<NAME>_PATHS` for `[envelopes.<name>]`).
pub fn heads(vendor: &Vendor) -> TokenStream {
    let items = vendor.envelopes.iter().map(|e| envelope_heads(vendor, e));
    quote! {
        /// Just enough of a payload to tell which message it is.
        mod head {
            #(#items)*
        }
    }
}

/// The names of an envelope's head struct and paths constant.
fn head_names(envelope: &Envelope) -> (proc_macro2::Ident, proc_macro2::Ident) {
    match &envelope.name {
        Some(name) => (
            format_ident!("{}Head", envelope.rust_name),
            format_ident!("{}_PATHS", name.to_uppercase()),
        ),
        None => (format_ident!("Head"), format_ident!("PATHS")),
    }
}

fn envelope_heads(vendor: &Vendor, envelope: &Envelope) -> TokenStream {
    let k = Literal::usize_unsuffixed(envelope.tags.len());
    let (head, paths_name) = head_names(envelope);
    let mut items = vec![head_struct(&head.to_string(), &envelope.fields, &k)];
    for s in generic_structs(vendor, &envelope.fields) {
        items.push(head_struct(&format!("{}Head", s.name), &s.fields, &k));
    }
    let paths = &envelope.tag_paths;
    quote! {
        /// Where each discriminator sits, for faults about its value.
        pub(super) const #paths_name: [&str; #k] = [#(#paths),*];

        #(#items)*
    }
}

/// The vendor structs that hold the body or a discriminator of the envelope with `fields`,
/// directly or through one another.
fn generic_structs<'v>(vendor: &'v Vendor, fields: &[Field]) -> Vec<&'v crate::ir::Struct> {
    let mut found: Vec<&crate::ir::Struct> = Vec::new();
    let mut todo: Vec<&[Field]> = vec![fields];
    while let Some(fields) = todo.pop() {
        for f in fields {
            let ty = match &f.ty {
                Type::Array(inner) => inner.as_ref(),
                other => other,
            };
            let Type::Struct(r) = ty else { continue };
            let s = vendor
                .structs
                .iter()
                .find(|s| s.generic && s.name == r.name);
            if let Some(s) = s.filter(|s| !found.iter().any(|f| f.name == s.name)) {
                found.push(s);
                todo.push(&s.fields);
            }
        }
    }
    found
}

fn head_struct(name: &str, fields: &[Field], k: &Literal) -> TokenStream {
    let name = ident(name);
    let mut decls = Vec::new();
    let mut steps = Vec::new();
    for f in fields {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        let rename = (f.rust != f.wire).then(|| quote!(#[serde(rename = #wire)]));
        match &f.ty {
            Type::Tag(i) => {
                let i = Literal::usize_unsuffixed(i.expect(super::NUMBERED));
                decls.push(quote!(#rename #[serde(borrow)] #rust: ::core::option::Option<::std::borrow::Cow<'a, str>>,));
                steps.push(quote!(tags.put(#i, self.#rust.as_deref(), at.key(#wire))?;));
            }
            Type::Struct(r) if r.generic => {
                let inner = format_ident!("{}Head", r.name);
                decls.push(
                    quote!(#rename #[serde(borrow)] #rust: ::core::option::Option<#inner<'a>>,),
                );
                steps.push(quote! {
                    match &self.#rust {
                        Some(inner) => inner.tags(tags, at.key(#wire))?,
                        None => return Err(crate::decode::TagFault::Missing(at.key(#wire).pointer())),
                    }
                });
            }
            Type::Array(inner) if matches!(inner.as_ref(), Type::Struct(r) if r.generic) => {
                let Type::Struct(r) = inner.as_ref() else {
                    continue;
                };
                let inner = format_ident!("{}Head", r.name);
                decls.push(quote!(#rename #[serde(borrow)] #rust: ::core::option::Option<::std::vec::Vec<#inner<'a>>>,));
                steps.push(quote! {
                    let list = at.key(#wire);
                    match &self.#rust {
                        Some(items) if !items.is_empty() => {
                            for (i, item) in items.iter().enumerate() {
                                item.tags(tags, list.index(i))?;
                            }
                        }
                        _ => return Err(crate::decode::TagFault::Missing(list.pointer())),
                    }
                });
            }
            _ => {}
        }
    }
    quote! {
        #[derive(::serde::Deserialize)]
        pub(super) struct #name<'a> {
            #(#decls)*
        }

        impl<'a> #name<'a> {
            pub(super) fn tags(&'a self, tags: &mut crate::decode::Tags<'a, #k>, at: crate::decode::At<'_>) -> ::core::result::Result<(), crate::decode::TagFault> {
                #(#steps)*
                Ok(())
            }
        }
    }
}

/// `decode_<topic>` for every topic that carries messages.
///
/// A decoder first guesses the values of the discriminators from the text (`guess::tags`: where
/// vendors write them, else by a search for their member names), and decodes the payload of
/// the message they name in one pass: the top level must be an object, and its typed
/// discriminator fields refuse any other value, so a wrong guess only fails. Otherwise, and whenever that fails, it reads the payload twice: the discriminator
/// head, then the message it names, with the JSON path of any fault. Where the discriminators
/// sit in each event of a list (Huawei), the one-pass result counts only with at least one
/// event (the head needs one), and the list's items are read from JSON objects only
/// (`wire::objects`), as the head reads them: so both ways give the same result.
pub fn topic_decoders(vendor: &Vendor) -> TokenStream {
    let vendor_id = &vendor.id;
    let fns = vendor.topics.iter().enumerate().filter_map(|(ti, t)| {
        let envelope = &vendor.envelopes[t.envelope];
        let (head, paths) = head_names(envelope);
        // The quoted member name of each discriminator, when all are members of the top-level
        // object or of each event of its list.
        let batch = batch_field(envelope);
        let in_event = batch.map(|f| format!("/{}/0/", f.wire));
        let keys: Option<Vec<String>> = envelope
            .tag_paths
            .iter()
            .map(|p| {
                let key = match &in_event {
                    Some(prefix) => p.strip_prefix(prefix.as_str()),
                    None => p.strip_prefix('/'),
                };
                key.filter(|key| !key.contains(['/', '~']))
                    .map(|key| format!("\"{key}\""))
            })
            .collect();
        let in_events = batch.is_some();
        // With a list of events, the head needs one at least.
        let counts = match batch {
            Some(f) => {
                let list = ident(&f.rust);
                quote!(.filter(|payload| !payload.#list.is_empty()))
            }
            None => TokenStream::new(),
        };
        let messages: Vec<_> = vendor
            .families
            .iter()
            .flat_map(|f| f.messages.iter().map(move |m| (f, m)))
            .filter(|(_, m)| m.topic == ti)
            .map(|(f, m)| {
                let (family, body) = (ident(&f.id), ident(&m.rust_name));
                (&m.tags, quote!(#family::#body), ident(&m.variant))
            })
            .collect();
        if messages.is_empty() {
            return None;
        }
        let name = format_ident!("decode_{}", t.key);
        let topic_ty = ident(&t.rust_name);
        let doc = docs::attrs(&format!("Decodes a payload received on `{}`.", t.pattern));
        let (guess, one_pass) = match &keys {
            Some(keys) => {
                let arms = messages.iter().map(|(tags, body, variant)| {
                    quote! {
                        [#(#tags),*] => {
                            if let ::core::option::Option::Some(payload) = crate::decode::direct::<#body>(text) #counts {
                                return Ok(crate::Message::#variant(crate::Received { topic, payload }));
                            }
                        }
                    }
                });
                let guessed = quote!(guess && let Some(tags) = crate::guess::tags(text, [#(#keys),*], #in_events));
                // One message on the topic: an `if let`, as clippy would have the `match`.
                let one_pass = match messages.as_slice() {
                    [(tags, body, variant)] => quote! {
                        if #guessed && let [#(#tags),*] = tags
                            && let ::core::option::Option::Some(payload) = crate::decode::direct::<#body>(text) #counts {
                            return Ok(crate::Message::#variant(crate::Received { topic, payload }));
                        }
                    },
                    _ => quote! {
                        if #guessed {
                            match tags {
                                #(#arms)*
                                _ => {}
                            }
                        }
                    },
                };
                (quote!(guess), one_pass)
            }
            None => (quote!(_guess), TokenStream::new()),
        };
        let arms = messages.iter().map(|(tags, body, variant)| {
            quote! {
                [#(#tags),*] => crate::decode::message::<#body>(topic, raw, text, crate::Message::#variant),
            }
        });
        Some(quote! {
            #doc
            pub(crate) fn #name(topic: #topic_ty, raw: &str, payload: &[u8], #guess: bool) -> ::core::result::Result<crate::Message, crate::DecodeError> {
                let text = crate::decode::text(raw, payload)?;
                #one_pass
                let head: head::#head<'_> = crate::decode::head(raw, text)?;
                let tags = crate::decode::Tags::collect(raw, |tags| head.tags(tags, crate::decode::At::ROOT))?;
                match tags {
                    #(#arms)*
                    _ => Err(crate::decode::unmatched(raw, #vendor_id, <#topic_ty as crate::Topic>::PATTERN, &tags, &head::#paths)),
                }
            }
        })
    });
    quote!(#(#fns)*)
}

/// The crate-wide `Message`, `route`, and the catalog.
pub fn root(protocol: &Protocol) -> TokenStream {
    let messages = all_messages(protocol);
    let message = message_enum(&messages);
    let (route, pattern_of) = routing(protocol);
    let limit = super::pattern::STRING_INT_LIMIT;
    let string_int_pattern = super::pattern::int_range(-limit, limit);
    let message_infos = message_infos(&messages);
    let count = Literal::usize_unsuffixed(messages.len());
    let topic_infos = topic_infos(protocol);
    let vendors = vendor_infos(protocol);
    quote! {
        #message

        #route

        /// The JSON Schema pattern of an integer sent as a string: at most 18 digits, canonical.
        #[cfg(feature = "schemars")]
        pub(crate) const STRING_INT_PATTERN: &str = #string_int_pattern;

        #pattern_of

        /// Every message of the definitions.
        pub(crate) static MESSAGES: [crate::catalog::MessageInfo; #count] = [#(#message_infos),*];

        /// Every topic of the definitions, including those that carry no message defined here.
        pub(crate) static TOPICS: &[crate::catalog::TopicInfo] = &[#(#topic_infos),*];

        #vendors
    }
}

/// Every message, in catalog order (by vendor, family, definition), with its vendor and family.
type Messages<'p> = Vec<(&'p Vendor, &'p Family, &'p Message)>;

fn all_messages(protocol: &Protocol) -> Messages<'_> {
    protocol
        .vendors
        .iter()
        .flat_map(|v| {
            v.families
                .iter()
                .flat_map(move |f| f.messages.iter().map(move |m| (v, f, m)))
        })
        .collect()
}

/// The path of a message's body type: `crate::dji::firmware::OtaProgress`.
fn body_path(v: &Vendor, f: &Family, m: &Message) -> TokenStream {
    let (vendor, family, body) = (ident(&v.id), ident(&f.id), ident(&m.rust_name));
    quote!(crate::#vendor::#family::#body)
}

/// `enum Message`, a variant per message, and what every message has.
fn message_enum(messages: &Messages<'_>) -> TokenStream {
    let variants: Vec<_> = messages.iter().map(|(_, _, m)| ident(&m.variant)).collect();
    let indexes = (0..messages.len()).map(Literal::usize_unsuffixed);
    let variant_docs = messages.iter().map(|(v, _, m)| {
        let text = format!(
            "`{}` on `{}`, {}: {}",
            m.id,
            v.topics[m.topic].pattern,
            docs::direction(v.topics[m.topic].direction),
            docs::summary(&docs::escape(&m.doc)),
        );
        docs::attrs(&text)
    });
    let bodies = messages.iter().map(|(v, f, m)| body_path(v, f, m));
    quote! {
        /// A decoded message: which one it is, the topic it came on, and its payload.
        ///
        /// One variant per message of the definitions, named vendor, family, message.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Message {
            #( #variant_docs #variants(crate::Received<#bodies>), )*
        }

        impl Message {
            /// The received message without its type, for what every message has.
            pub fn as_delivery(&self) -> &dyn crate::Delivery {
                match self {
                    #( Self::#variants(m) => m, )*
                }
            }

            /// Calls `f` with the message as its typed form, for code generic over every
            /// message: tests and fuzzing, outside any compatibility promise.
            #[doc(hidden)]
            pub fn with_body<F: crate::testing::WithBody>(&self, f: F) -> F::Output {
                match self {
                    #( Self::#variants(m) => f.call(m), )*
                }
            }

            /// What the definitions say about this message.
            pub fn info(&self) -> &'static crate::catalog::MessageInfo {
                match self {
                    #( Self::#variants(_) => &MESSAGES[#indexes], )*
                }
            }
        }
    }
}

/// `route` and `MAX_LEVELS`; then `pattern_of`, which matches the literal levels of every
/// topic, in catalog order: the index of each is its place in `TOPICS`.
fn routing(protocol: &Protocol) -> (TokenStream, TokenStream) {
    let topics: Vec<_> = protocol
        .vendors
        .iter()
        .flat_map(|v| v.topics.iter().enumerate().map(move |(ti, t)| (v, ti, t)))
        .collect();
    let max_levels = topics.iter().map(|(_, _, t)| t.levels.len()).max();
    let max_levels = Literal::usize_unsuffixed(max_levels.unwrap_or(1));
    let level_arms = topics.iter().enumerate().map(|(index, (_, _, t))| {
        let levels = t.levels.iter().map(|l| match l {
            crate::ir::Level::Literal(text) => quote!(#text),
            crate::ir::Level::Param(_) => quote!(_),
        });
        let index = Literal::usize_unsuffixed(index);
        quote!([#(#levels),*] => ::core::option::Option::Some(#index),)
    });
    let routes = topics
        .iter()
        .enumerate()
        .map(|(index, (v, ti, t))| route_arm(index, v, *ti, t));
    let route = quote! {
        /// Routes a topic to its decoder; `guess` lets the decoder try a one-pass decode first.
        pub(crate) fn route(topic: &str, payload: &[u8], guess: bool) -> ::core::result::Result<Message, crate::DecodeError> {
            let ::core::option::Option::Some(levels) = crate::topic::Levels::of(topic) else {
                return Err(crate::decode::unknown_topic(topic));
            };
            match pattern_of(levels.as_slice()) {
                #(#routes)*
                _ => Err(crate::decode::unknown_topic(topic)),
            }
        }

        /// The most levels a pattern has.
        pub(crate) const MAX_LEVELS: usize = #max_levels;
    };
    let pattern_of = quote! {
        /// The index in `TOPICS` of the pattern whose literal levels match `levels`, whatever
        /// the parameters hold.
        pub(crate) fn pattern_of(levels: &[&str]) -> ::core::option::Option<usize> {
            match levels {
                #(#level_arms)*
                _ => ::core::option::Option::None,
            }
        }
    };
    (route, pattern_of)
}

/// The arm of `route` for topic `index`: its decoder, or "not covered" after the topic's
/// parameters are checked.
fn route_arm(index: usize, v: &Vendor, ti: usize, t: &crate::ir::Topic) -> TokenStream {
    let vendor = ident(&v.id);
    let topic_ty = ident(&t.rust_name);
    let index = Literal::usize_unsuffixed(index);
    let covered = v
        .families
        .iter()
        .any(|f| f.messages.iter().any(|m| m.topic == ti));
    if covered {
        let decoder = format_ident!("decode_{}", t.key);
        quote! {
            ::core::option::Option::Some(#index) => {
                let t = crate::decode::parsed(topic, crate::#vendor::#topic_ty::from_levels(&levels))?;
                crate::#vendor::#decoder(t, topic, payload, guess)
            }
        }
    } else {
        quote! {
            ::core::option::Option::Some(#index) => {
                crate::decode::parsed(topic, crate::#vendor::#topic_ty::from_levels(&levels))?;
                Err(crate::decode::not_covered(topic))
            }
        }
    }
}

/// `MESSAGES`: what the catalog says of each message.
fn message_infos(messages: &Messages<'_>) -> Vec<TokenStream> {
    messages
        .iter()
        .map(|(v, f, m)| {
            let (id, vendor, family, name) = (&m.id, &v.id, &f.id, &m.key);
            let topic = &v.topics[m.topic];
            let pattern = &topic.pattern;
            let direction = direction(topic.direction);
            let tags = &m.tags;
            let tag_names = &v.envelopes[topic.envelope].tags;
            let tag = Literal::usize_unsuffixed(m.tag);
            let reply = option(m.reply.map(|r| f.messages[r].id.as_str()));
            let request = option(m.request.map(|r| f.messages[r].id.as_str()));
            let summary = docs::summary(&m.doc);
            let doc = &m.doc;
            let qos = option(m.qos);
            let body = body_path(v, f, m);
            let correlate = correlations(v, f, m);
            let reply_when = reply_conditions(m, topic);
            let answer = option(
                m.reply
                    .map(|_| quote!(<#body as crate::Request>::reply_message)),
            );
            let ack = option(m.ack.as_deref());
            quote! {
                crate::catalog::MessageInfo {
                    id: #id,
                    vendor: #vendor,
                    family: #family,
                    name: #name,
                    topic: #pattern,
                    direction: #direction,
                    tags: &[#(#tags),*],
                    tag_names: &[#(#tag_names),*],
                    tag: #tag,
                    reply: #reply,
                    request: #request,
                    correlate: &[#(#correlate),*],
                    reply_when: &[#(#reply_when),*],
                    summary: #summary,
                    doc: #doc,
                    qos: #qos,
                    ack: #ack,
                    answer: #answer,
                    #[cfg(feature = "schemars")]
                    schema: crate::catalog::root_schema::<#body>,
                    #[cfg(feature = "schemars")]
                    subschema: crate::catalog::subschema::<#body>,
                    #[cfg(feature = "proptest")]
                    arbitrary: crate::catalog::arbitrary::<#body>,
                }
            }
        })
        .collect()
}

/// For a reply, the JSON pointers of what it copies from its request: its envelope's
/// `correlate` fields, then its own.
fn correlations(v: &Vendor, f: &Family, m: &Message) -> Vec<TokenStream> {
    let Some(request) = m.request.map(|r| &f.messages[r]) else {
        return Vec::new();
    };
    let ours = &v.envelopes[v.topics[m.topic].envelope];
    let theirs = &v.envelopes[v.topics[request.topic].envelope];
    let wire = |fields: &[Field], rust: &str| {
        fields
            .iter()
            .find(|f| f.rust == rust)
            .map(|f| f.wire.clone())
            .unwrap_or_default()
    };
    // A fresh id in each request, or a request's own field, names one exchange; an envelope
    // field without `fill = "id"` (Huawei's `object_device_id`) names something else.
    let fresh = |rust: &str| {
        ours.fields
            .iter()
            .any(|f| f.rust == rust && f.fill == Some(crate::ir::Fill::Id))
    };
    let envelope = ours.correlate.iter().map(|c| {
        let at = naming::pointer_key("", &wire(&ours.fields, c));
        (at.clone(), at, fresh(c))
    });
    let own = m.correlate.iter().map(|c| {
        let w = wire(&m.fields, c);
        let at = |e: &crate::ir::Envelope| {
            naming::pointer_key(e.body_pointer.as_deref().unwrap_or_default(), &w)
        };
        (at(ours), at(theirs), true)
    });
    envelope
        .chain(own)
        .map(|(reply, request, exchange)| {
            quote!(crate::catalog::Correlation { reply: #reply, request: #request, exchange: #exchange })
        })
        .collect()
}

/// For a request, the values that ask for its reply, as JSON.
fn reply_conditions(m: &Message, topic: &crate::ir::Topic) -> Vec<TokenStream> {
    if m.reply.is_none() {
        return Vec::new();
    }
    topic
        .reply_when
        .iter()
        .map(|c| {
            let pointer = naming::pointer_key("", &c.wire);
            let value = value_json(&c.value);
            quote!(crate::catalog::ReplyCondition { pointer: #pointer, value: #value })
        })
        .collect()
}

/// A value of a condition as JSON text.
pub(crate) fn value_json(value: &Value) -> String {
    match value {
        Value::Int(n) => n.to_string(),
        Value::Text(s) => json_string(s),
        Value::Bool(b) => b.to_string(),
        Value::Variant {
            wire, string: true, ..
        } => json_string(wire),
        Value::Variant { wire, .. } => wire.clone(),
    }
}

/// A TOML value as JSON text: a table as an object, a date as its string.
pub(crate) fn toml_json(value: &toml::Value) -> String {
    use toml::Value as T;
    match value {
        T::String(s) => json_string(s),
        T::Integer(n) => n.to_string(),
        // TOML floats may be infinite or NaN, which JSON has no text for.
        T::Float(x) if x.is_finite() => x.to_string(),
        T::Float(_) => "null".into(),
        T::Boolean(b) => b.to_string(),
        T::Datetime(d) => json_string(&d.to_string()),
        T::Array(items) => {
            let items: Vec<String> = items.iter().map(toml_json).collect();
            format!("[{}]", items.join(","))
        }
        T::Table(table) => table_json(table, &[]),
    }
}

/// A TOML table as a JSON object, after the members `first` (names, JSON texts).
pub(crate) fn table_json(table: &toml::Table, first: &[(&str, String)]) -> String {
    let first = first.iter().map(|(k, v)| (json_string(k), v.clone()));
    let rest = table.iter().map(|(k, v)| (json_string(k), toml_json(v)));
    let members: Vec<String> = first.chain(rest).map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", members.join(","))
}

/// A string as a JSON string literal.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `TOPICS`: what the catalog says of each topic.
fn topic_infos(protocol: &Protocol) -> Vec<TokenStream> {
    let topics = protocol
        .vendors
        .iter()
        .flat_map(|v| v.topics.iter().enumerate().map(move |(ti, t)| (v, ti, t)));
    topics
        .map(|(v, ti, t)| {
            let (vendor, name) = (&v.id, &t.key);
            let topic_ty = ident(&t.rust_name);
            let vendor_mod = ident(&v.id);
            let direction = direction(t.direction);
            let open = t.open;
            let envelope = &v.envelopes[t.envelope];
            let batch = option(batch_member(envelope));
            let tags = &envelope.tag_paths;
            let sent_at = option(sent_at(envelope).as_deref());
            let (doc, source) = (&t.doc, option(t.source.as_deref()));
            let params = t.params.iter().map(|p| {
                let (name, doc, device) = (&p.name, &p.doc, p.device);
                quote!(crate::catalog::ParamInfo { name: #name, doc: #doc, device: #device })
            });
            let ids = v
                .families
                .iter()
                .flat_map(|f| f.messages.iter())
                .filter(|m| m.topic == ti)
                .map(|m| m.id.as_str());
            quote! {
                crate::catalog::TopicInfo {
                    vendor: #vendor,
                    name: #name,
                    pattern: <crate::#vendor_mod::#topic_ty as crate::Topic>::PATTERN,
                    filter: <crate::#vendor_mod::#topic_ty as crate::Topic>::FILTER,
                    direction: #direction,
                    open: #open,
                    messages: &[#(#ids),*],
                    batch: #batch,
                    tags: &[#(#tags),*],
                    sent_at: #sent_at,
                    doc: #doc,
                    source: #source,
                    params: &[#(#params),*],
                    levels: <crate::#vendor_mod::#topic_ty as crate::Topic>::LEVELS,
                }
            }
        })
        .collect()
}

/// The pointer of the top-level field that a built message fills with the time it was sent.
fn sent_at(e: &Envelope) -> Option<String> {
    let f = e
        .fields
        .iter()
        .find(|f| f.fill == Some(crate::ir::Fill::NowMs))?;
    Some(naming::pointer_key("", &f.wire))
}

/// The top-level list whose items hold the body, when the envelope has one.
fn batch_member(e: &Envelope) -> Option<&str> {
    batch_field(e).map(|f| f.wire.as_str())
}

fn batch_field(e: &Envelope) -> Option<&Field> {
    e.fields.iter().find(|f| f.holds_bodies())
}

/// `VENDORS`: each vendor with its families, as the definitions name them.
fn vendor_infos(protocol: &Protocol) -> TokenStream {
    let infos = protocol.vendors.iter().map(|v| {
        let (id, name) = (&v.id, &v.name);
        let (summary, doc) = (docs::summary(&v.doc), &v.doc);
        let families = v.families.iter().map(|f| {
            let (family, name, doc, source) = (&f.id, &f.name, &f.doc, &f.source);
            let summary = docs::summary(&f.doc);
            quote!(crate::catalog::FamilyInfo {
                vendor: #id, id: #family, name: #name, summary: #summary, doc: #doc, source: #source
            })
        });
        quote!(crate::catalog::VendorInfo {
            id: #id, name: #name, summary: #summary, doc: #doc, families: &[#(#families),*]
        })
    });
    quote! {
        /// Every vendor of the definitions, with its families.
        pub(crate) static VENDORS: &[crate::catalog::VendorInfo] = &[#(#infos),*];
    }
}

pub(crate) fn direction(d: Direction) -> TokenStream {
    match d {
        Direction::Up => quote!(crate::Direction::Up),
        Direction::Down => quote!(crate::Direction::Down),
    }
}

pub(crate) fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}
