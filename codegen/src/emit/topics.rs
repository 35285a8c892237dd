//! One struct per topic: build it from its parameters, print it, parse it back.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{docs, ident};
use crate::ir::{Direction, Level, Topic, Vendor};

pub fn topic(vendor: &Vendor, t: &Topic) -> TokenStream {
    let name = ident(&t.rust_name);
    let pattern = &t.pattern;
    let filter = t
        .levels
        .iter()
        .map(|l| match l {
            Level::Literal(s) => s.as_str(),
            Level::Param(_) => "+",
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut text = format!(
        "{}\n\nPattern `{pattern}`, {}.",
        docs::escape(&t.doc),
        docs::direction(t.direction)
    );
    if let Some(source) = &t.source {
        text.push_str(&format!(" Source: `{source}`."));
    }
    let doc = docs::attrs(&text);
    let params: Vec<_> = t.params.iter().map(|p| ident(&p.name)).collect();
    let param_docs: Vec<_> = t
        .params
        .iter()
        .map(|p| docs::attrs(&docs::escape(&p.doc)))
        .collect();
    let n = Literal::usize_unsuffixed(params.len());
    let levels = t.levels.iter().map(|l| match l {
        Level::Literal(s) => quote!(crate::topic::Level::Literal(#s)),
        Level::Param(i) => {
            let p = &t.params[*i].name;
            quote!(crate::topic::Level::Param(#p))
        }
    });
    // The parameters in the order the pattern holds them.
    let in_order: Vec<_> = t
        .levels
        .iter()
        .filter_map(|l| match l {
            Level::Param(i) => Some(ident(&t.params[*i].name)),
            Level::Literal(_) => None,
        })
        .collect();
    let format = t
        .levels
        .iter()
        .map(|l| match l {
            Level::Literal(s) => s.clone(),
            Level::Param(_) => "{}".to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/");
    let direction = match t.direction {
        Direction::Up => quote!(crate::Direction::Up),
        Direction::Down => quote!(crate::Direction::Down),
    };
    let reply = t.reply.map(|r| {
        let reply = &vendor.topics[r];
        let reply_name = ident(&reply.rust_name);
        let doc = docs::attrs(&format!(
            "The topic on which the replies to this topic's requests travel: `{}`.",
            reply.pattern
        ));
        quote! {
            #doc
            pub fn reply(&self) -> #reply_name {
                #reply_name { #( #params: self.#params.clone() ),* }
            }
        }
    });
    quote! {
        #doc
        #[doc(alias = #pattern)]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct #name {
            #( #params: ::std::string::String, )*
        }

        impl #name {
            /// Builds the topic; fails if a parameter is empty, holds `/`, `+`, `#` or NUL, or
            /// if the topic would exceed the 65,535 bytes MQTT allows.
            pub fn new(#( #params: impl ::core::convert::Into<::std::string::String> ),*) -> ::core::result::Result<Self, crate::TopicError> {
                let topic = Self { #( #params: #params.into() ),* };
                crate::topic::check::<Self>(&[#( &topic.#in_order ),*])?;
                Ok(topic)
            }

            #(
                #param_docs
                pub fn #params(&self) -> &str {
                    &self.#params
                }
            )*

            #reply

            /// The topic whose literal levels matched this pattern, its parameters checked.
            pub(crate) fn from_levels(levels: &crate::topic::Levels<'_>) -> ::core::result::Result<Self, crate::TopicError> {
                let [#(#in_order),*] = levels.params::<Self, #n>()?;
                Ok(Self { #( #params: #params.to_owned() ),* })
            }
        }

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
