//! One struct per topic: build it from its parameters, print it, parse it back.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{docs, ident};
use crate::ir::{Direction, Level, Protocol, Topic, Vendor};
use crate::naming;

pub fn topic(vendor: &Vendor, t: &Topic) -> TokenStream {
    let name = ident(&t.rust_name);
    let pattern = &t.pattern;
    let params: Vec<_> = t.params.iter().map(|p| ident(&p.name)).collect();
    let param_docs: Vec<_> = t
        .params
        .iter()
        .map(|p| docs::attrs(&docs::escape(&p.doc)))
        .collect();
    let n = Literal::usize_unsuffixed(params.len());
    // The parameters in the order the pattern holds them.
    let in_order: Vec<_> = t
        .levels
        .iter()
        .filter_map(|l| match l {
            Level::Param(i) => Some(ident(&t.params[*i].name)),
            Level::Literal(_) => None,
        })
        .collect();
    let doc = topic_doc(t);
    let reply = reply_fn(vendor, t, &params);
    let traits = topic_traits(t, &in_order);
    quote! {
        #doc
        #[doc(alias = #pattern)]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct #name {
            #( #params: crate::topic::Param, )*
        }

        impl #name {
            /// Builds the topic; fails if a parameter is empty, holds `/`, `+`, `#` or NUL, or
            /// if the topic would exceed the 65,535 bytes MQTT allows.
            pub fn new(#( #params: impl ::core::convert::Into<::std::string::String> ),*) -> ::core::result::Result<Self, crate::TopicError> {
                let topic = Self { #( #params: crate::topic::Param::from(#params.into()) ),* };
                crate::topic::check::<Self>(&[#( topic.#in_order.as_str() ),*])?;
                Ok(topic)
            }

            #(
                #param_docs
                pub fn #params(&self) -> &str {
                    self.#params.as_str()
                }
            )*

            #reply

            /// The topic whose literal levels matched this pattern, its parameters checked.
            pub(crate) fn from_levels(levels: &crate::topic::Levels<'_>) -> ::core::result::Result<Self, crate::TopicError> {
                let [#(#in_order),*] = levels.params::<Self, #n>()?;
                Ok(Self { #( #params: crate::topic::Param::from(#params) ),* })
            }
        }

        #traits
    }
}

/// The topic's doc: its description, pattern, direction and source.
fn topic_doc(t: &Topic) -> TokenStream {
    let mut text = format!(
        "{}\n\nPattern `{}`, {}.",
        docs::escape(&t.doc),
        t.pattern,
        docs::direction(t.direction)
    );
    if let Some(source) = &t.source {
        text.push_str(&format!(" Source: {source}."));
    }
    docs::attrs(&text)
}

/// `reply()`: the topic of the replies, for the same parameters.
fn reply_fn(vendor: &Vendor, t: &Topic, params: &[proc_macro2::Ident]) -> Option<TokenStream> {
    let reply = &vendor.topics[t.reply?];
    let reply_name = ident(&reply.rust_name);
    let doc = docs::attrs(&format!(
        "The topic on which the replies to this topic's requests travel: `{}`.",
        reply.pattern
    ));
    Some(quote! {
        #doc
        pub fn reply(&self) -> #reply_name {
            #reply_name { #( #params: self.#params.clone() ),* }
        }
    })
}

/// `Topic`, `Display` and `FromStr`: the pattern, its filter and levels, and printing and
/// parsing the topic name.
fn topic_traits(t: &Topic, in_order: &[proc_macro2::Ident]) -> TokenStream {
    let name = ident(&t.rust_name);
    let pattern = &t.pattern;
    let joined = |param: &str| {
        let levels = t.levels.iter().map(|l| match l {
            Level::Literal(s) => s.as_str(),
            Level::Param(_) => param,
        });
        levels.collect::<Vec<_>>().join("/")
    };
    let (filter, format) = (joined("+"), joined("{}"));
    let levels = t.levels.iter().map(|l| match l {
        Level::Literal(s) => quote!(crate::topic::Level::Literal(#s)),
        Level::Param(i) => {
            let p = &t.params[*i].name;
            quote!(crate::topic::Level::Param(#p))
        }
    });
    let direction = match t.direction {
        Direction::Up => quote!(crate::Direction::Up),
        Direction::Down => quote!(crate::Direction::Down),
    };
    quote! {
        impl crate::Topic for #name {
            const PATTERN: &'static str = #pattern;
            const FILTER: &'static str = #filter;
            const DIRECTION: crate::Direction = #direction;
            const LEVELS: &'static [crate::topic::Level] = &[#(#levels),*];

            fn parse(topic: &str) -> ::core::result::Result<Self, crate::TopicError> {
                Self::from_levels(&crate::topic::matching::<Self>(topic)?)
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::write!(f, #format, #( self.#in_order ),*)
            }
        }

        impl ::core::str::FromStr for #name {
            type Err = crate::TopicError;

            fn from_str(topic: &str) -> ::core::result::Result<Self, Self::Err> {
                <Self as crate::Topic>::parse(topic)
            }
        }
    }
}

/// `AnyTopic`: a topic name of any pattern, parsed into its topic struct.
pub fn any_topic(protocol: &Protocol) -> TokenStream {
    let topics: Vec<(&Vendor, &Topic)> = protocol
        .vendors
        .iter()
        .flat_map(|v| v.topics.iter().map(move |t| (v, t)))
        .collect();
    let variants: Vec<_> = topics
        .iter()
        .map(|(v, t)| {
            ident(&format!(
                "{}{}",
                naming::type_name(&v.id),
                naming::type_name(&t.key)
            ))
        })
        .collect();
    let types: Vec<TokenStream> = topics
        .iter()
        .map(|(v, t)| {
            let (v, t) = (ident(&v.id), ident(&t.rust_name));
            quote!(crate::#v::#t)
        })
        .collect();
    let docs = topics.iter().map(|(_, t)| {
        let doc = format!("`{}`, {}.", t.pattern, docs::direction(t.direction));
        quote!(#[doc = #doc])
    });
    let index: Vec<Literal> = (0..topics.len()).map(Literal::usize_unsuffixed).collect();
    let params = topics
        .iter()
        .zip(&variants)
        .map(|((_, t), variant)| params_arm(t, variant));
    let devices = topics
        .iter()
        .zip(&variants)
        .map(|((_, t), variant)| device_arm(t, variant));
    let traits = any_topic_traits(&variants);
    quote! {
        /// A topic name of any pattern of the definitions, parsed into its topic struct, with its
        /// parameters checked.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum AnyTopic {
            #( #docs #variants(#types), )*
        }

        impl AnyTopic {
            /// Parses a topic name of any pattern. Fails with [`TopicError::Unknown`](crate::TopicError::Unknown)
            /// when no pattern has its literal levels, or with what is wrong with a parameter.
            pub fn parse(topic: &str) -> ::core::result::Result<Self, crate::TopicError> {
                let levels = crate::topic::Levels::of(topic).ok_or(crate::TopicError::Unknown)?;
                match pattern_of(levels.as_slice()) {
                    #( ::core::option::Option::Some(#index) => #types::from_levels(&levels).map(Self::#variants), )*
                    _ => ::core::result::Result::Err(crate::TopicError::Unknown),
                }
            }

            /// The pattern it is of.
            pub fn info(&self) -> &'static crate::catalog::TopicInfo {
                match self {
                    #( Self::#variants(_) => &TOPICS[#index], )*
                }
            }

            /// Its parameters, by name, in pattern order.
            pub fn params(&self) -> ::std::vec::Vec<(&'static str, &str)> {
                match self {
                    #( #params, )*
                }
            }

            /// The device the topic is about: its device parameters, joined by `/` in pattern
            /// order (`{gateway_sn}`, `{device_id}`, `{product_id}/{device_name}`).
            pub fn device(&self) -> ::core::option::Option<::std::string::String> {
                match self {
                    #( #devices, )*
                }
            }
        }

        #traits
    }
}

/// `Display` and `FromStr` of `AnyTopic`.
fn any_topic_traits(variants: &[proc_macro2::Ident]) -> TokenStream {
    quote! {
        impl ::core::fmt::Display for AnyTopic {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    #( Self::#variants(topic) => ::core::fmt::Display::fmt(topic, f), )*
                }
            }
        }

        impl ::core::str::FromStr for AnyTopic {
            type Err = crate::TopicError;
            fn from_str(topic: &str) -> ::core::result::Result<Self, Self::Err> {
                Self::parse(topic)
            }
        }
    }
}

/// The parameters of one topic, by name, in pattern order.
fn params_arm(t: &Topic, variant: &proc_macro2::Ident) -> TokenStream {
    let names = t.levels.iter().filter_map(|l| match l {
        Level::Param(i) => Some(&t.params[*i]),
        Level::Literal(_) => None,
    });
    let pairs = names.map(|p| {
        let (name, get) = (&p.name, ident(&p.name));
        quote!((#name, topic.#get()))
    });
    quote!(Self::#variant(topic) => ::std::vec![#(#pairs),*])
}

/// The device parameters of one topic, joined by `/`.
fn device_arm(t: &Topic, variant: &proc_macro2::Ident) -> TokenStream {
    let device: Vec<_> = t
        .levels
        .iter()
        .filter_map(|l| match l {
            Level::Param(i) if t.params[*i].device => Some(ident(&t.params[*i].name)),
            _ => None,
        })
        .collect();
    if device.is_empty() {
        return quote!(Self::#variant(_) => ::core::option::Option::None);
    }
    let parts = device.iter().map(|p| quote!(topic.#p()));
    quote!(Self::#variant(topic) => ::core::option::Option::Some([#(#parts),*].join("/")))
}
