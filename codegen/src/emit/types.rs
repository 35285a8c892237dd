//! Structs and enums: the envelope, message bodies, named types.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{docs, ident};
use crate::ir::{Enum, EnumKind, EnumWire, Field, Number, Type, TypeRef};

/// What a `discriminator` field is generic over.
#[derive(Clone, Copy)]
pub enum TagOwner {
    /// A field of `Envelope<B>` or a vendor struct: `Tag<B, N>`.
    Param,
    /// A field of a flat message body: `Tag<Self, N>`.
    SelfType,
}

pub fn rust_type(ty: &Type, vendor: &str, owner: TagOwner) -> TokenStream {
    match ty {
        Type::Int => quote!(i64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Text => quote!(::std::string::String),
        Type::Array(inner) => {
            let inner = rust_type(inner, vendor, owner);
            quote!(::std::vec::Vec<#inner>)
        }
        Type::Struct(r) | Type::Enum(r) => type_path(r, vendor),
        Type::Body => quote!(B),
        Type::Tag(n) => {
            let n = Literal::usize_unsuffixed(*n);
            match owner {
                TagOwner::Param => quote!(crate::Tag<B, #n>),
                TagOwner::SelfType => quote!(crate::Tag<Self, #n>),
            }
        }
    }
}

fn type_path(r: &TypeRef, vendor: &str) -> TokenStream {
    let vendor = ident(vendor);
    let name = ident(&r.name);
    let generic = r.generic.then(|| quote!(<B>));
    match &r.family {
        Some(family) => {
            let family = ident(family);
            quote!(crate::#vendor::#family::#name)
        }
        None => quote!(crate::#vendor::#name #generic),
    }
}

pub fn fields(fields: &[Field], vendor: &str, owner: TagOwner) -> TokenStream {
    let fields = fields.iter().map(|f| {
        let doc = docs::attrs(&docs::field(f));
        let name = ident(&f.rust);
        let wire = &f.wire;
        let rename = (f.rust != *wire).then(|| quote!(#[serde(rename = #wire)]));
        let alias = (f.rust != *wire).then(|| quote!(#[doc(alias = #wire)]));
        let term = docs::term_alias(f.term.as_deref());
        let mut ty = rust_type(&f.ty, vendor, owner);
        let optional = f.optional.then(
            || quote!(#[serde(default, skip_serializing_if = "::core::option::Option::is_none")]),
        );
        if f.optional {
            ty = quote!(::core::option::Option<#ty>);
        }
        let range = schema_range(f);
        quote! {
            #doc
            #alias
            #term
            #rename
            #optional
            #range
            pub #name: #ty,
        }
    });
    quote!(#(#fields)*)
}

fn number(n: Number) -> Literal {
    match n {
        Number::Int(i) => Literal::i64_unsuffixed(i),
        Number::Float(f) => Literal::f64_unsuffixed(f),
    }
}

/// `#[schemars(range(..))]` and `#[schemars(length(..))]`, so the schema carries the limits.
fn schema_range(f: &Field) -> TokenStream {
    let r = &f.range;
    let mut out = TokenStream::new();
    if r.min.is_some() || r.max.is_some() {
        let min = r.min.map(|m| {
            let m = number(m);
            quote!(min = #m)
        });
        let max = r.max.map(|m| {
            let m = number(m);
            quote!(max = #m)
        });
        let parts = min.into_iter().chain(max);
        out.extend(quote!(#[schemars(range(#(#parts),*))]));
    }
    let (lo, hi) = match f.ty {
        Type::Text => (r.min_length, r.max_length),
        _ => (r.min_items, r.max_items),
    };
    if lo.is_some() || hi.is_some() {
        let min = lo.map(|m| {
            let m = Literal::u64_unsuffixed(m);
            quote!(min = #m)
        });
        let max = hi.map(|m| {
            let m = Literal::u64_unsuffixed(m);
            quote!(max = #m)
        });
        let parts = min.into_iter().chain(max);
        out.extend(quote!(#[schemars(length(#(#parts),*))]));
    }
    out
}

/// A struct with serde and schemars derives; `generic` adds the body type parameter.
/// `doc` is rustdoc-ready text; `extra_attrs` go between the docs and the derives.
pub fn structure(
    name: &str,
    doc: &str,
    extra_attrs: TokenStream,
    body: TokenStream,
    generic: bool,
) -> TokenStream {
    let name = ident(name);
    let doc = docs::attrs(doc);
    let derive = quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]);
    if generic {
        quote! {
            #doc
            #extra_attrs
            #derive
            // `B: Body` already brings every serde bound.
            #[serde(bound = "")]
            pub struct #name<B: crate::Body> { #body }
        }
    } else {
        quote! {
            #doc
            #extra_attrs
            #derive
            pub struct #name { #body }
        }
    }
}

pub fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs::attrs(&docs::with_term(&e.doc, e.term.as_deref()));
    let variants: Vec<_> = e.values.iter().map(|v| ident(&v.variant)).collect();
    let value_line = |v: &crate::ir::EnumValue| match &v.term {
        Some(t) => format!("`{}` ({t}): {}", v.wire, docs::escape(&v.doc)),
        None => format!("`{}`: {}", v.wire, docs::escape(&v.doc)),
    };
    let variant_docs = e.values.iter().map(|v| {
        let doc = docs::attrs(&value_line(v));
        let wire = &v.wire;
        let term = docs::term_alias(v.term.as_deref());
        quote!(#doc #[doc(alias = #wire)] #term)
    });
    let term = docs::term_alias(e.term.as_deref());
    let description = std::iter::once(e.doc.clone())
        .chain(e.values.iter().map(|v| format!("- {}", value_line(v))))
        .collect::<Vec<_>>()
        .join("\n");
    let name_str = e.name.as_str();
    let (unknown_ty, wire_values, as_wire, from_wire, ser, de, schema_ty) = match (e.kind, e.wire) {
        (EnumKind::EnumString, _) => {
            let values: Vec<_> = e.values.iter().map(|v| v.wire.clone()).collect();
            (
                quote!(::std::string::String),
                quote!(#(#values),*),
                quote! {
                    /// The value as it travels on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #( Self::#variants => #values, )*
                            Self::Undocumented(value) => value.get(),
                        }
                    }
                },
                quote! {
                    /// Reads a wire value; a value the documents do not define becomes `Undocumented`.
                    pub fn from_wire(value: &str) -> Self {
                        match value {
                            #( #values => Self::#variants, )*
                            other => Self::Undocumented(crate::Undocumented::new(other.to_owned())),
                        }
                    }
                },
                quote!(serializer.serialize_str(self.as_str())),
                quote!(crate::wire::deserialize_str(deserializer, Self::from_wire)),
                quote!("string"),
            )
        }
        (EnumKind::EnumInt, wire) => {
            let ints: Vec<i64> = e
                .values
                .iter()
                .map(|v| v.wire.parse().unwrap_or_default())
                .collect();
            let ints_lit: Vec<_> = ints.iter().map(|i| Literal::i64_unsuffixed(*i)).collect();
            let (ser, schema_ty, wire_values) = match wire {
                EnumWire::String => {
                    let strs: Vec<String> = ints.iter().map(i64::to_string).collect();
                    (
                        quote!(serializer.collect_str(&self.value())),
                        quote!("string"),
                        quote!(#(#strs),*),
                    )
                }
                EnumWire::Int => (
                    quote!(serializer.serialize_i64(self.value())),
                    quote!("integer"),
                    quote!(#(#ints_lit),*),
                ),
            };
            (
                quote!(i64),
                wire_values,
                quote! {
                    /// The documented integer value.
                    pub fn value(&self) -> i64 {
                        match self {
                            #( Self::#variants => #ints_lit, )*
                            Self::Undocumented(value) => *value.get(),
                        }
                    }
                },
                quote! {
                    /// Reads a wire value; a value the documents do not define becomes `Undocumented`.
                    pub fn from_wire(value: i64) -> Self {
                        match value {
                            #( #ints_lit => Self::#variants, )*
                            other => Self::Undocumented(crate::Undocumented::new(other)),
                        }
                    }
                },
                ser,
                quote!(crate::wire::deserialize_int(deserializer, Self::from_wire)),
                schema_ty,
            )
        }
    };
    quote! {
        #doc
        ///
        /// Values that the documents do not define decode to `Undocumented`, so newer firmware does
        /// not break decoding; [`Self::is_documented`] tells them apart, and the JSON Schema
        /// and the strict check accept only the documented values.
        #term
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value the documents do not define, kept as it was received.
            Undocumented(crate::Undocumented<#unknown_ty>),
        }

        impl #name {
            /// Every documented value, in the order the documents list them.
            pub const DOCUMENTED: &'static [Self] = &[#(Self::#variants),*];

            #as_wire

            #from_wire

            /// Whether the documents define this value.
            pub fn is_documented(&self) -> bool {
                !matches!(self, Self::Undocumented(_))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                #ser
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                #de
            }
        }

        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name_str)
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": #description,
                    "type": #schema_ty,
                    "enum": [#wire_values],
                })
            }
        }
    }
}
