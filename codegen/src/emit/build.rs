//! Building and answering messages: constructors that set the discriminators, the envelope
//! around a body (`Body::wrap`), and the `Request` impl that copies what a reply correlates.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{TagOwner, rust_type};
use super::{docs, ident};
use crate::ir::{Condition, Envelope, Field, Fill, Message, Topic, Type, Vendor};

/// `new`, with a parameter per required field: the discriminators are set and the optional
/// fields empty, so that a user never writes `Tag::new()`.
pub fn constructor(name: &str, fields: &[Field], vendor: &str, owner: TagOwner) -> TokenStream {
    let required: Vec<&Field> = fields
        .iter()
        .filter(|f| !f.optional && !matches!(f.ty, Type::Tag(_)))
        .collect();
    let types: Vec<String> = required
        .iter()
        .map(|f| rust_type(&f.ty, vendor, owner).to_string())
        .collect();
    let swappable = types
        .iter()
        .enumerate()
        .any(|(i, t)| types[..i].contains(t));
    let default = required.is_empty().then(|| {
        let name = ident(name);
        quote! {
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let ctor = Ctor {
        name,
        fields,
        required,
        vendor,
        owner,
    };
    let new = if swappable {
        named_constructor(&ctor)
    } else {
        positional_constructor(&ctor)
    };
    quote!(#new #default)
}

/// What a constructor is generated from.
struct Ctor<'a> {
    name: &'a str,
    fields: &'a [Field],
    /// The fields it takes: neither optional nor a discriminator.
    required: Vec<&'a Field>,
    vendor: &'a str,
    owner: TagOwner,
}

/// `new(a, b, ...)`, for required fields of distinct types: no two can be swapped.
fn positional_constructor(c: &Ctor<'_>) -> TokenStream {
    let (fields, required, vendor, owner) = (c.fields, &c.required, c.vendor, c.owner);
    let name = ident(c.name);
    let params = required.iter().map(|f| {
        let param = ident(&f.rust);
        match f.ty {
            Type::Text => quote!(#param: impl ::core::convert::Into<::std::string::String>),
            _ => {
                let ty = rust_type(&f.ty, vendor, owner);
                quote!(#param: #ty)
            }
        }
    });
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust);
        match (&f.ty, f.optional) {
            (_, true) => quote!(#field: ::core::option::Option::None),
            (Type::Tag(_), false) => quote!(#field: crate::Tag::new()),
            (Type::Text, false) => quote!(#field: ::core::convert::Into::into(#field)),
            _ => quote!(#field),
        }
    });
    let many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #name {
            /// The value with these fields; the optional fields are empty.
            #many
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

/// `new(<Name>Required { a, b, ... })`, for required fields of which two share a type: named,
/// they cannot be swapped without it showing.
fn named_constructor(c: &Ctor<'_>) -> TokenStream {
    let (name, fields, required, vendor, owner) =
        (c.name, c.fields, &c.required, c.vendor, c.owner);
    let args = ident(&format!("{name}Required"));
    let link = format!(" The required fields of [`{name}`], by name: what [`{name}::new`] takes.");
    let name = ident(name);
    let members = required.iter().map(|f| {
        let (field, ty) = (ident(&f.rust), rust_type(&f.ty, vendor, owner));
        let doc = docs::attrs(&f.doc);
        quote!(#doc pub #field: #ty)
    });
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust);
        match (&f.ty, f.optional) {
            (_, true) => quote!(#field: ::core::option::Option::None),
            (Type::Tag(_), false) => quote!(#field: crate::Tag::new()),
            _ => quote!(#field: required.#field),
        }
    });
    quote! {
        #[doc = #link]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #args {
            #(#members),*
        }

        impl #name {
            /// The value with the required fields, named; the optional fields are empty.
            pub fn new(required: #args) -> Self {
                Self { #(#inits),* }
            }
        }

        impl ::core::convert::From<#args> for #name {
            fn from(required: #args) -> Self {
                Self::new(required)
            }
        }
    }
}

/// `Envelope::wrap`: the envelope around a body, with its discriminators set, its ids and time
/// taken from the stamp, and its optional fields empty.
pub fn envelope_wrap(v: &Vendor, e: &Envelope) -> TokenStream {
    let name = ident(&e.rust_name);
    let literal = literal(quote!(Self), &e.fields, v);
    quote! {
        impl<B: crate::Body> #name<B> {
            /// The envelope around `body`, as [`Body::wrap`](crate::Body::wrap) builds it.
            pub(crate) fn wrap(body: B, stamp: &mut dyn crate::Stamp) -> Self {
                // Unused when nothing around the body is filled.
                let _ = &stamp;
                #literal
            }
        }
    }
}

fn literal(path: TokenStream, fields: &[Field], v: &Vendor) -> TokenStream {
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust);
        let value = init(f, v);
        quote!(#field: #value)
    });
    quote!(#path { #(#inits),* })
}

/// What a field around the body holds in a built message. Resolution leaves no required
/// field without one.
fn init(f: &Field, v: &Vendor) -> TokenStream {
    let filled = match f.fill {
        Some(Fill::Id) => Some(quote!(crate::Stamp::id(stamp))),
        Some(Fill::NowMs) => Some(quote!(crate::Stamp::now_ms(stamp))),
        None => None,
    };
    match (filled, f.optional) {
        (Some(value), true) => return quote!(::core::option::Option::Some(#value)),
        (Some(value), false) => return value,
        (None, true) => return quote!(::core::option::Option::None),
        (None, false) => {}
    }
    match (&f.ty, f.fill) {
        (Type::Body, None) => quote!(body),
        (Type::Tag(_), None) => quote!(crate::Tag::new()),
        (Type::Array(inner), None) => {
            let item = init(
                &Field {
                    ty: (**inner).clone(),
                    ..f.clone()
                },
                v,
            );
            quote!(::std::vec![#item])
        }
        (Type::Struct(r), None) if r.generic => {
            let s = v.structs.iter().find(|s| s.name == r.name);
            let name = ident(&r.name);
            let vendor = ident(&v.id);
            literal(
                quote!(crate::#vendor::#name),
                s.map_or(&[][..], |s| &s.fields),
                v,
            )
        }
        _ => quote!(::core::compile_error!(
            "a field around the body has nothing to fill it"
        )),
    }
}

/// The `Body::wrap` and `Body::from_message` of a message.
pub fn body_fns(m: &Message, envelope: &Envelope) -> TokenStream {
    let wrap = if envelope.nested {
        let name = ident(&envelope.rust_name);
        quote!(super::#name::wrap(self, stamp))
    } else {
        quote!({
            let _ = stamp;
            self
        })
    };
    let variant = ident(&m.variant);
    quote! {
        fn wrap(self, stamp: &mut dyn crate::Stamp) -> Self::Payload {
            #wrap
        }

        fn from_message(
            message: crate::Message,
        ) -> ::core::result::Result<crate::Received<Self>, crate::Message> {
            match message {
                crate::Message::#variant(received) => ::core::result::Result::Ok(received),
                // Unreachable when the definitions hold one message.
                #[allow(unreachable_patterns)]
                other => ::core::result::Result::Err(other),
            }
        }
    }
}

/// The pair a `Request` impl joins: the request, its reply, and where each travels.
pub struct Pair<'a> {
    pub request: &'a Message,
    pub request_envelope: &'a Envelope,
    pub topic: &'a Topic,
    pub reply: &'a Message,
    pub reply_envelope: &'a Envelope,
}

/// `impl Request`: the reply type and topic, the reply's payload with the correlated fields
/// copied, and when the request asks for its reply.
pub fn request(v: &Vendor, pair: &Pair<'_>) -> TokenStream {
    let name = ident(&pair.request.rust_name);
    let reply = ident(&pair.reply.rust_name);
    let copies = copies(pair);
    let answer = if copies.is_empty() {
        quote! {
            let _ = request;
            crate::Body::wrap(reply, stamp)
        }
    } else {
        quote! {
            let mut out = crate::Body::wrap(reply, stamp);
            #(#copies)*
            out
        }
    };
    let expects = expects_reply(v, &pair.topic.reply_when);
    quote! {
        impl crate::Request for #name {
            type Reply = #reply;

            fn reply_topic(topic: &Self::Topic) -> <Self::Reply as crate::Body>::Topic {
                topic.reply()
            }

            fn answer(
                request: &Self::Payload,
                reply: Self::Reply,
                stamp: &mut dyn crate::Stamp,
            ) -> <Self::Reply as crate::Body>::Payload {
                #answer
            }

            #expects
        }
    }
}

/// `out.<field> = request.<field>.clone();` for the reply envelope's `correlate` fields, then
/// for the reply's own, down the body path of each side.
fn copies(pair: &Pair<'_>) -> Vec<TokenStream> {
    let path = |e: &Envelope| -> Vec<proc_macro2::Ident> {
        e.body_path.iter().flatten().map(|p| ident(p)).collect()
    };
    let (ours, theirs) = (path(pair.reply_envelope), path(pair.request_envelope));
    let envelope = pair.reply_envelope.correlate.iter().map(|f| {
        let f = ident(f);
        quote!(out.#f = ::core::clone::Clone::clone(&request.#f);)
    });
    let own = pair.reply.correlate.iter().map(|f| {
        let f = ident(f);
        quote!(out #(.#ours)* .#f = ::core::clone::Clone::clone(&request #(.#theirs)* .#f);)
    });
    envelope.chain(own).collect()
}

/// `expects_reply`, when the topic's `reply_when` makes it depend on the payload.
fn expects_reply(v: &Vendor, when: &[Condition]) -> Option<TokenStream> {
    if when.is_empty() {
        return None;
    }
    let mut tests = when
        .iter()
        .map(|c| super::types::holds(quote!(request), c, &v.id));
    let first = tests.next()?;
    Some(quote! {
        fn expects_reply(request: &Self::Payload) -> bool {
            #first #(&& #tests)*
        }
    })
}
