//! Structs and enums: the envelope, message bodies, named types.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, format_ident, quote};

use super::{docs, ident, pattern};
use crate::ir::{Condition, Enum, EnumKind, EnumWire, Field, Number, Type, TypeRef, Value};

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
        Type::Json => quote!(::serde_json::Value),
        Type::Text => quote!(::std::string::String),
        Type::Decimal => quote!(crate::Decimal),
        Type::Array(inner) => {
            let inner = rust_type(inner, vendor, owner);
            quote!(::std::vec::Vec<#inner>)
        }
        Type::Struct(r) | Type::Enum(r) => type_path(r, vendor),
        Type::Disputed(documented, implemented) => {
            let documented = rust_type(documented, vendor, owner);
            let implemented = rust_type(implemented, vendor, owner);
            quote!(crate::Disputed<#documented, #implemented>)
        }
        Type::Body => quote!(B),
        Type::Tag(n) => {
            let n = Literal::usize_unsuffixed(n.expect(super::NUMBERED));
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
        // JSON Schema's `integer` takes `1.0`; so must the decoder.
        let int = match (&f.ty, f.optional, f.string_wire) {
            (Type::Int, false, false) => quote!(#[serde(deserialize_with = "crate::wire::int")]),
            (Type::Int, true, false) => quote!(#[serde(deserialize_with = "crate::wire::optional_int")]),
            (Type::Int, false, true) => quote! {
                #[serde(serialize_with = "crate::wire::int_as_string", deserialize_with = "crate::wire::int_or_string")]
                #[cfg_attr(feature = "schemars", schemars(with = "::std::string::String"))]
            },
            (Type::Int, true, true) => quote! {
                #[serde(serialize_with = "crate::wire::optional_int_as_string", deserialize_with = "crate::wire::optional_int_or_string")]
                #[cfg_attr(feature = "schemars", schemars(with = "::core::option::Option<::std::string::String>"))]
            },
            _ if f.holds_bodies() => quote!(#[serde(deserialize_with = "crate::wire::objects")]),
            _ => TokenStream::new(),
        };
        let schema = schema_attrs(f);
        quote! {
            #doc
            #alias
            #term
            #rename
            #optional
            #int
            #schema
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

fn bound(name: &str, value: Option<TokenStream>) -> Option<TokenStream> {
    let name = format_ident!("{name}");
    value.map(|v| quote!(#name = #v))
}

/// The limits of a field, for the JSON Schema. An `int` without limits gets those of `i64`,
/// which is what the decoder reads.
fn schema_attrs(f: &Field) -> TokenStream {
    let r = &f.range;
    let mut out = TokenStream::new();
    let literal = |n: Option<Number>| n.map(|n| number(n).into_token_stream());
    if f.string_wire {
        let (min, max) = string_int_bounds(r);
        return pattern_attr(&pattern::int_range(min, max));
    }
    match &f.ty {
        Type::Decimal => {
            return decimal_bounds(r)
                .map(|(min, max)| pattern_attr(&pattern::decimal_range(min, max)))
                .unwrap_or_default();
        }
        Type::Disputed(documented, form) => return disputed_schema(f, documented, form),
        _ => {}
    }
    let (min, max) = match f.ty {
        Type::Int => (
            Some(literal(r.min).unwrap_or_else(|| quote!(::core::primitive::i64::MIN))),
            Some(literal(r.max).unwrap_or_else(|| quote!(::core::primitive::i64::MAX))),
        ),
        _ => (literal(r.min), literal(r.max)),
    };
    if min.is_some() || max.is_some() {
        let parts = bound("min", min).into_iter().chain(bound("max", max));
        out.extend(quote!(#[cfg_attr(feature = "schemars", schemars(range(#(#parts),*)))]));
    }
    let (lo, hi) = match f.ty {
        Type::Text => (r.min_length, r.max_length),
        _ => (r.min_items, r.max_items),
    };
    if lo.is_some() || hi.is_some() {
        let count = |n: Option<u64>| n.map(|n| Literal::u64_unsuffixed(n).into_token_stream());
        let parts = bound("min", count(lo))
            .into_iter()
            .chain(bound("max", count(hi)));
        out.extend(quote!(#[cfg_attr(feature = "schemars", schemars(length(#(#parts),*)))]));
    }
    if let Some(p) = &r.pattern {
        out.extend(pattern_attr(&p.anchored()));
    }
    out
}

/// The integer bounds of a number sent as a string (`resolve` holds them to integers): its
/// own, the 18 digits where only one is given; `None` without bounds, where a `float`'s
/// string is unbounded.
fn decimal_bounds(r: &crate::ir::Range) -> Option<(i64, i64)> {
    (r.min.is_some() || r.max.is_some()).then(|| string_int_bounds(r))
}

/// The schema of a scalar dispute: each form with the field's bounds (and `null` when the
/// field is optional). A dispute of named types keeps the `anyOf` of its two schemas.
fn disputed_schema(f: &Field, documented: &Type, form: &Type) -> TokenStream {
    let r = &f.range;
    let guard = pattern::NO_LINE_FEED;
    let bounds = |int: bool| {
        // Suffixed: in the attribute's JSON an unsuffixed integer is an `i32`.
        let limit = |n: Option<Number>, default| match n {
            Some(Number::Int(i)) => Literal::i64_suffixed(i).into_token_stream(),
            Some(n) => number(n).into_token_stream(),
            None if int => default,
            None => TokenStream::new(),
        };
        // Literals: the `extend` attribute takes JSON, not paths.
        let min = limit(r.min, Literal::i64_suffixed(i64::MIN).into_token_stream());
        let max = limit(r.max, Literal::i64_suffixed(i64::MAX).into_token_stream());
        let min = (!min.is_empty()).then(|| quote!("minimum": #min,));
        let max = (!max.is_empty()).then(|| quote!("maximum": #max,));
        quote!(#min #max)
    };
    let string = |digits: String| quote!({ "type": "string", "pattern": #digits, "not": { "type": "string", "pattern": #guard } });
    let mut branches = match (documented, form) {
        (Type::Int, Type::Decimal) => {
            let (min, max) = string_int_bounds(r);
            let bounds = bounds(true);
            vec![
                quote!({ "type": "integer", #bounds }),
                string(pattern::int_range(min, max)),
            ]
        }
        (Type::Float, Type::Decimal) => {
            let digits = decimal_bounds(r)
                .map(|(min, max)| pattern::decimal_range(min, max))
                .unwrap_or_else(|| pattern::DECIMAL.to_owned());
            let bounds = bounds(false);
            vec![quote!({ "type": "number", #bounds }), string(digits)]
        }
        (Type::Int, Type::Bool) => {
            let bounds = bounds(true);
            vec![
                quote!({ "type": "integer", #bounds }),
                quote!({ "type": "boolean" }),
            ]
        }
        (Type::Bool, Type::Int) => vec![
            quote!({ "type": "boolean" }),
            quote!({ "type": "integer", "minimum": 0, "maximum": 1 }),
        ],
        _ => return TokenStream::new(),
    };
    if f.optional {
        branches.push(quote!({ "type": "null" }));
    }
    // `with`: no schema of the Rust type's own to merge with, so only the `anyOf` remains.
    quote! {
        #[cfg_attr(feature = "schemars", schemars(with = "::serde_json::Value", extend("anyOf" = [#(#branches),*])))]
    }
}

/// The range of a number sent as a string: its own bounds (integers, as `resolve` holds
/// them), else the 18 digits every string integer is held to.
fn string_int_bounds(r: &crate::ir::Range) -> (i64, i64) {
    let bound = |n: Option<Number>, default| match n {
        Some(Number::Int(n)) => n,
        Some(Number::Float(f)) => f as i64,
        None => default,
    };
    (
        bound(r.min, -pattern::STRING_INT_LIMIT),
        bound(r.max, pattern::STRING_INT_LIMIT),
    )
}

/// A `pattern` for the JSON Schema, with the guard that makes Python's `re` give the verdict of
/// the other engines (see [`pattern`]).
fn pattern_attr(regex: &str) -> TokenStream {
    let no_line_feed = pattern::NO_LINE_FEED;
    quote! {
        #[cfg_attr(feature = "schemars", schemars(extend(
            "pattern" = #regex,
            "not" = { "type": "string", "pattern": #no_line_feed }
        )))]
    }
}

/// `impl Contract`: the checks that serde does not make (ranges, lengths, sizes, formats), and
/// the walk into every field that has its own.
pub fn contract(name: &str, fields: &[Field], generic: bool, vendor: &str) -> TokenStream {
    let name = ident(name);
    let mut checks: Vec<TokenStream> = fields.iter().filter_map(field_checks).collect();
    checks.extend(requirements(fields, vendor));
    let (generics, ty) = if generic {
        (quote!(<B: crate::Body>), quote!(#name<B>))
    } else {
        (TokenStream::new(), quote!(#name))
    };
    // Nothing to check: the trait's default, which checks nothing.
    if checks.is_empty() {
        return quote!(impl #generics crate::Contract for #ty {});
    }
    quote! {
        impl #generics crate::Contract for #ty {
            fn check(&self, path: &mut ::std::string::String, out: &mut ::std::vec::Vec<crate::Violation>) {
                #(#checks)*
            }
        }
    }
}

/// `Some(bound)` or `None`, as an expression.
fn option_number(n: Option<Number>) -> TokenStream {
    match n {
        Some(n) => {
            let n = number(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// `Some(count)` or `None`, as a `usize` expression.
fn option_count(n: Option<u64>) -> TokenStream {
    match n {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n as usize);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn field_checks(f: &Field) -> Option<TokenStream> {
    let mut checks = value_checks(&f.ty, &f.range, f.string_wire);
    if let Some((documented_ty, form)) = f.ty.scalar_dispute() {
        // A scalar dispute: each form holds the field's bounds its own way.
        let documented = value_checks(documented_ty, &f.range, false);
        let form = form_checks(documented_ty, form, &f.range);
        if !documented.is_empty() || !form.is_empty() {
            let bind = |checks: &[TokenStream]| match checks.is_empty() {
                true => quote!(_),
                false => quote!(value),
            };
            let (d, i) = (bind(&documented), bind(&form));
            checks.push(quote! {
                match value {
                    crate::Disputed::Documented(#d) => { #(#documented)* }
                    crate::Disputed::Implemented(#i) => { #(#form)* }
                }
            });
        }
    }
    if checks.is_empty() {
        return None;
    }
    let name = ident(&f.rust);
    let key = crate::naming::pointer_key("", &f.wire);
    let walk = quote! {
        crate::check::at(path, #key, |path| {
            #(#checks)*
        });
    };
    Some(if f.optional {
        quote! {
            if let ::core::option::Option::Some(value) = &self.#name {
                #walk
            }
        }
    } else {
        quote! {
            let value = &self.#name;
            #walk
        }
    })
}

/// The checks of a value of type `ty` with the field's range, on `value`; a dispute's forms
/// are checked by [`form_checks`].
fn value_checks(ty: &Type, r: &crate::ir::Range, string_wire: bool) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if matches!(ty, Type::Int | Type::Float) && (r.min.is_some() || r.max.is_some()) {
        let (min, max) = (option_number(r.min), option_number(r.max));
        checks.push(quote!(crate::check::range(*value, #min, #max, path, out);));
    }
    if string_wire {
        checks.push(quote!(crate::check::string_int(*value, path, out);));
    }
    if *ty == Type::Decimal
        && let Some((min, max)) = decimal_bounds(r)
    {
        checks.push(decimal_check(min, max, false));
    }
    if r.min_length.is_some() || r.max_length.is_some() {
        let (min, max) = (option_count(r.min_length), option_count(r.max_length));
        checks.push(quote!(crate::check::length(value, #min, #max, path, out);));
    }
    if r.min_items.is_some() || r.max_items.is_some() {
        let (min, max) = (option_count(r.min_items), option_count(r.max_items));
        checks.push(quote!(crate::check::items(value.len(), #min, #max, path, out);));
    }
    if let Some(p) = &r.pattern {
        checks.push(pattern_check(p));
    }
    if has_contract(ty) && ty.scalar_dispute().is_none() {
        checks.push(quote!(crate::Contract::check(value, path, out);));
    }
    checks
}

/// The strict check of a pattern: its automaton, as tables (`subset::Dfa`).
fn pattern_check(p: &crate::ir::TextPattern) -> TokenStream {
    let name = p.name();
    let dfa = &p.dfa;
    let classes = dfa.classes.iter().map(|&c| Literal::u8_unsuffixed(c));
    let width = Literal::usize_unsuffixed(dfa.width);
    let table = dfa.table.iter().map(|&s| Literal::u16_unsuffixed(s));
    let accepting = &dfa.accepting;
    quote! {
        static PATTERN: crate::check::Pattern = crate::check::Pattern {
            name: #name,
            classes: [#(#classes),*],
            width: #width,
            table: &[#(#table),*],
            accepting: &[#(#accepting),*],
        };
        PATTERN.check(value, path, out);
    }
}

/// The checks of the implemented form of a scalar dispute: a number's string within the
/// documented bounds (an integer's, an integer), a bool's 0 or 1.
fn form_checks(documented: &Type, form: &Type, r: &crate::ir::Range) -> Vec<TokenStream> {
    match (documented, form) {
        (Type::Int, Type::Decimal) => {
            let (min, max) = string_int_bounds(r);
            vec![decimal_check(min, max, true)]
        }
        (Type::Float, Type::Decimal) => match decimal_bounds(r) {
            Some((min, max)) => vec![decimal_check(min, max, false)],
            None => Vec::new(),
        },
        (Type::Bool, Type::Int) => {
            vec![quote!(crate::check::range(*value, Some(0), Some(1), path, out);)]
        }
        _ => Vec::new(),
    }
}

/// A number sent as a string within integer bounds, compared exactly
/// ([`Decimal::cmp_int`](https://docs.rs/iotxfer)); `integer` holds it to an integer's canonical
/// form too, as the schema's pattern for an `int` does.
fn decimal_check(min: i64, max: i64, integer: bool) -> TokenStream {
    let range = format!("out of range, expected {min} to {max}");
    let integral = integer.then(|| {
        quote! {
            if !value.is_integer() {
                out.push(crate::Violation::new(path, ::std::format!("{value} is not an integer")));
            } else
        }
    });
    quote! {
        #integral
        if value.cmp_int(#min).is_lt() || value.cmp_int(#max).is_gt() {
            out.push(crate::Violation::new(path, ::std::format!("{value} is {}", #range)));
        }
    }
}

/// `owner.field` holds the condition's value.
pub fn holds(owner: TokenStream, c: &Condition, vendor: &str) -> TokenStream {
    let field = ident(&c.field);
    let value = match &c.value {
        Value::Int(n) => quote!(#n),
        Value::Text(s) => quote!(#s),
        Value::Bool(b) => quote!(#b),
        Value::Variant {
            name,
            family,
            variant,
            ..
        } => {
            let r = TypeRef {
                family: family.clone(),
                name: name.clone(),
                generic: false,
            };
            let (path, variant) = (type_path(&r, vendor), ident(variant));
            quote!(#path::#variant)
        }
    };
    match (c.optional, &c.value) {
        (true, Value::Text(_)) => {
            quote!(#owner.#field.as_deref() == ::core::option::Option::Some(#value))
        }
        (true, _) => quote!(#owner.#field == ::core::option::Option::Some(#value)),
        (false, _) => quote!(#owner.#field == #value),
    }
}

/// The checks of the fields that their siblings' values require: each alternative of a
/// sibling's values, for every sibling it names.
fn requirements(fields: &[Field], vendor: &str) -> Vec<TokenStream> {
    fields
        .iter()
        .filter(|f| !f.required_when.is_empty())
        .map(|f| {
            let name = ident(&f.rust);
            let key = crate::naming::pointer_key("", &f.wire);
            let tests = f.required_when.iter().map(|any| {
                let each = any.iter().map(|c| holds(quote!(self), c, vendor));
                quote!((#(#each)||*))
            });
            let why = format!("`{}` is required {}", f.wire, when_text(&f.required_when));
            quote! {
                if #(#tests)&&* && self.#name.is_none() {
                    crate::check::at(path, #key, |path| crate::check::missing(path, #why, out));
                }
            }
        })
        .collect()
}

/// `when `state` is "downloading"`, for a fault's reason.
fn when_text(when: &[Vec<Condition>]) -> String {
    let each: Vec<String> = when
        .iter()
        .map(|any| {
            let values: Vec<String> = any
                .iter()
                .map(|c| super::decode::value_json(&c.value))
                .collect();
            format!("`{}` is {}", any[0].wire, values.join(" or "))
        })
        .collect();
    format!("when {}", each.join(" and "))
}

/// The `if`/`then` of the JSON Schema for each field that its siblings' values require; a
/// `null` counts as absent, as the strict check has it.
pub fn requirement_schema(fields: &[Field]) -> TokenStream {
    let each: Vec<TokenStream> = fields
        .iter()
        .filter(|f| !f.required_when.is_empty())
        .map(|f| {
            let wire = &f.wire;
            let siblings = f.required_when.iter().map(|any| {
                let sibling = &any[0].wire;
                let values = any.iter().map(|c| value_tokens(&c.value));
                quote!(#sibling: { "enum": [#(#values),*] })
            });
            let names = f.required_when.iter().map(|any| &any[0].wire);
            quote!({
                "if": { "properties": { #(#siblings),* }, "required": [#(#names),*] },
                "then": { "properties": { #wire: { "not": { "type": "null" } } }, "required": [#wire] }
            })
        })
        .collect();
    if each.is_empty() {
        return TokenStream::new();
    }
    quote!(#[cfg_attr(feature = "schemars", schemars(extend("allOf" = [#(#each),*])))])
}

/// A condition's value as a JSON literal of the `schemars` attribute.
fn value_tokens(value: &Value) -> TokenStream {
    match value {
        Value::Int(n) => Literal::i64_unsuffixed(*n).into_token_stream(),
        Value::Text(s) => Literal::string(s).into_token_stream(),
        Value::Bool(b) => quote!(#b),
        Value::Variant {
            wire, string: true, ..
        } => Literal::string(wire).into_token_stream(),
        Value::Variant { wire, .. } => wire
            .parse::<i64>()
            .map(|n| Literal::i64_unsuffixed(n).into_token_stream())
            .unwrap_or_default(),
    }
}

/// `impl Arbitrary` behind the `proptest` feature: values that keep the documented contract
/// (documented enum values, numbers in range, texts and arrays of allowed sizes).
pub fn arbitrary(
    name: &str,
    fields: &[Field],
    vendor: &str,
    owner: TagOwner,
    generic: bool,
) -> TokenStream {
    let name = ident(name);
    let names: Vec<_> = fields.iter().map(|f| ident(&f.rust)).collect();
    let strategies: Vec<_> = fields
        .iter()
        .map(|f| field_strategy(f, vendor, owner))
        .collect();
    // Tuples of strategies implement `Strategy` up to 12 members: nest them by eights.
    let tuple = nest(&strategies);
    let pattern = nest(&names.iter().map(|n| quote!(#n)).collect::<Vec<_>>());
    let (generics, ty) = if generic {
        (
            quote!(<B: crate::Body + ::proptest::arbitrary::Arbitrary<Strategy = ::proptest::strategy::BoxedStrategy<B>> + 'static>),
            quote!(#name<B>),
        )
    } else {
        (TokenStream::new(), quote!(#name))
    };
    // A struct without fields has one value; `()` is no strategy.
    let body = if names.is_empty() {
        quote!(::proptest::strategy::Strategy::boxed(
            ::proptest::strategy::Just(Self {})
        ))
    } else {
        let build = quote!(crate::arbitrary::build(#tuple, |#pattern| Self { #(#names),* }));
        if fields.iter().any(|f| !f.required_when.is_empty()) {
            // Values that leave out a field their siblings require are not kept.
            quote!(crate::arbitrary::conforming(#build))
        } else {
            build
        }
    };
    quote! {
        #[cfg(feature = "proptest")]
        impl #generics ::proptest::arbitrary::Arbitrary for #ty {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;

            fn arbitrary_with((): ()) -> Self::Strategy {
                #body
            }
        }
    }
}

fn nest(items: &[TokenStream]) -> TokenStream {
    if items.len() <= 8 {
        return quote!((#(#items,)*));
    }
    let chunks = items.chunks(8).map(|c| quote!((#(#c,)*)));
    quote!((#(#chunks,)*))
}

fn field_strategy(f: &Field, vendor: &str, owner: TagOwner) -> TokenStream {
    let strategy = type_strategy(&f.ty, &f.range, f.string_wire, vendor, owner);
    if f.optional {
        quote!(crate::arbitrary::optional(#strategy))
    } else {
        strategy
    }
}

fn type_strategy(
    ty: &Type,
    r: &crate::ir::Range,
    string_wire: bool,
    vendor: &str,
    owner: TagOwner,
) -> TokenStream {
    if let Some((documented, form)) = ty.scalar_dispute() {
        return disputed_strategy(documented, form, r, vendor, owner);
    }
    match ty {
        Type::Int if string_wire => {
            let (min, max) = string_int_bounds(r);
            quote!(crate::arbitrary::string_int(#min, #max))
        }
        Type::Int if r.min.is_none() && r.max.is_none() => quote!(crate::arbitrary::any_int()),
        Type::Int => {
            let (min, max) = (option_number(r.min), option_number(r.max));
            quote!(crate::arbitrary::int(#min, #max))
        }
        Type::Float if r.min.is_none() && r.max.is_none() => {
            quote!(crate::arbitrary::any_float())
        }
        Type::Float => {
            let (min, max) = (option_number(r.min), option_number(r.max));
            quote!(crate::arbitrary::float(#min, #max))
        }
        Type::Json => quote!(crate::arbitrary::json()),
        Type::Bool => quote!(crate::arbitrary::any::<bool>()),
        Type::Text if *r == (crate::ir::Range::default()) => quote!(crate::arbitrary::any_text()),
        Type::Text => {
            let (min, max) = (option_count(r.min_length), option_count(r.max_length));
            let pattern = match &r.pattern {
                Some(p) => {
                    let source = &p.source;
                    quote!(::core::option::Option::Some(#source))
                }
                None => quote!(::core::option::Option::None),
            };
            quote!(crate::arbitrary::text(#min, #max, #pattern))
        }
        Type::Decimal => decimal_strategy(r, false),
        Type::Array(inner) => {
            let inner = type_strategy(inner, &crate::ir::Range::default(), false, vendor, owner);
            let (min, max) = (option_count(r.min_items), option_count(r.max_items));
            quote!(crate::arbitrary::list(#inner, #min, #max))
        }
        Type::Struct(_) | Type::Enum(_) | Type::Disputed(..) | Type::Body => {
            let ty = rust_type(ty, vendor, owner);
            quote!(crate::arbitrary::any::<#ty>())
        }
        Type::Tag(_) => quote!(::proptest::strategy::Strategy::boxed(
            ::proptest::strategy::Just(crate::Tag::new())
        )),
    }
}

/// Either form of a scalar dispute, each within the field's bounds.
fn disputed_strategy(
    documented: &Type,
    form: &Type,
    r: &crate::ir::Range,
    vendor: &str,
    owner: TagOwner,
) -> TokenStream {
    let form = match form {
        Type::Decimal => decimal_strategy(r, *documented == Type::Int),
        Type::Int => quote!(crate::arbitrary::int(Some(0), Some(1))),
        _ => quote!(crate::arbitrary::any::<bool>()),
    };
    let documented = type_strategy(documented, r, false, vendor, owner);
    quote!(::proptest::strategy::Strategy::boxed(
        ::proptest::prop_oneof![
            ::proptest::strategy::Strategy::prop_map(#documented, crate::Disputed::Documented),
            ::proptest::strategy::Strategy::prop_map(#form, crate::Disputed::Implemented),
        ]
    ))
}

/// Numbers sent as strings within the field's bounds: integers only for an `int`'s.
fn decimal_strategy(r: &crate::ir::Range, integer: bool) -> TokenStream {
    let bounds = match (decimal_bounds(r), integer) {
        (None, false) => quote!(::core::option::Option::None),
        _ => {
            let (min, max) = string_int_bounds(r);
            quote!(::core::option::Option::Some((#min, #max)))
        }
    };
    quote!(crate::arbitrary::decimal(#bounds, #integer))
}

/// Whether values of the type have checks of their own.
fn has_contract(ty: &Type) -> bool {
    match ty {
        Type::Array(inner) => has_contract(inner),
        Type::Struct(_) | Type::Enum(_) | Type::Disputed(..) | Type::Body => true,
        Type::Int
        | Type::Float
        | Type::Bool
        | Type::Text
        | Type::Decimal
        | Type::Json
        | Type::Tag(_) => false,
    }
}

/// A struct with serde and schemars derives; `generic` adds the body type parameter.
/// `doc` is rustdoc-ready text; `extra_attrs` follow the derives.
pub fn structure(
    name: &str,
    doc: &str,
    extra_attrs: TokenStream,
    body: TokenStream,
    generic: bool,
) -> TokenStream {
    let name = ident(name);
    let doc = docs::attrs(doc);
    let derive = quote! {
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
    };
    if generic {
        // One schema per body type: `OtaProgressEnvelope`.
        let schema_name = format!("{{B}}{name}");
        quote! {
            #doc
            #derive
            #extra_attrs
            // `B: Body` already brings every serde bound.
            #[serde(bound = "")]
            #[cfg_attr(feature = "schemars", schemars(rename = #schema_name))]
            pub struct #name<B: crate::Body> { #body }
        }
    } else {
        quote! {
            #doc
            #derive
            #extra_attrs
            pub struct #name { #body }
        }
    }
}

pub fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs::attrs(&docs::with_term(&e.doc, e.term.as_deref()));
    let variants: Vec<_> = e.values.iter().map(|v| ident(&v.variant)).collect();
    let variant_docs = e.values.iter().map(|v| {
        let doc = docs::attrs(&value_line(v));
        let wire = &v.wire;
        let term = docs::term_alias(v.term.as_deref());
        quote!(#doc #[doc(alias = #wire)] #term)
    });
    let term = docs::term_alias(e.term.as_deref());
    let (unknown_ty, accessors) = enum_accessors(e, &variants);
    let kind_doc = if e.exhaustive {
        quote! {
            /// Values that the documents do not define decode to `Undocumented`, so newer firmware
            /// does not break decoding; [`Self::is_documented`] tells them apart, and the JSON
            /// Schema and the strict check accept only the documented values.
        }
    } else {
        quote! {
            /// The documents' table is not complete: a value it does not list is valid, and
            /// decodes to `Undocumented`; [`Self::is_documented`] tells the listed ones apart.
        }
    };
    let open = open_enum_impl(e);
    quote! {
        #doc
        ///
        #kind_doc
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

            #accessors

            /// Whether the documents define this value.
            pub fn is_documented(&self) -> bool {
                !matches!(self, Self::Undocumented(_))
            }
        }

        #open

        crate::open_enum::open_enum!(#name);
    }
}

/// A value's line in the docs and the schema description: its wire form, term and doc.
fn value_line(v: &crate::ir::EnumValue) -> String {
    match &v.term {
        Some(t) => format!("`{}` ({t}): {}", v.wire, docs::escape(&v.doc)),
        None => format!("`{}`: {}", v.wire, docs::escape(&v.doc)),
    }
}

/// The type an undocumented value is kept as, and the public accessors of the wire form:
/// `as_str` or `value`, and `from_wire`.
fn enum_accessors(e: &Enum, variants: &[proc_macro2::Ident]) -> (TokenStream, TokenStream) {
    match e.kind {
        EnumKind::EnumString => {
            let values: Vec<_> = e.values.iter().map(|v| v.wire.clone()).collect();
            let accessors = quote! {
                /// The value as it travels on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#variants => #values, )*
                        Self::Undocumented(value) => value.get(),
                    }
                }

                /// Reads a wire value; a value the documents do not define becomes `Undocumented`.
                pub fn from_wire(value: &str) -> Self {
                    match value {
                        #( #values => Self::#variants, )*
                        other => Self::Undocumented(crate::Undocumented::new(other.to_owned())),
                    }
                }
            };
            (quote!(::std::string::String), accessors)
        }
        EnumKind::EnumInt => {
            let ints: Vec<_> = e
                .values
                .iter()
                .map(|v| Literal::i64_unsuffixed(v.wire.parse().unwrap_or_default()))
                .collect();
            let accessors = quote! {
                /// The documented integer value.
                pub fn value(&self) -> i64 {
                    match self {
                        #( Self::#variants => #ints, )*
                        Self::Undocumented(value) => *value.get(),
                    }
                }

                /// Reads a wire value; a value the documents do not define becomes `Undocumented`.
                pub fn from_wire(value: i64) -> Self {
                    match value {
                        #( #ints => Self::#variants, )*
                        other => Self::Undocumented(crate::Undocumented::new(other)),
                    }
                }
            };
            (quote!(i64), accessors)
        }
    }
}

/// `impl OpenEnum`: what the runtime's shared impls need to know of the enum.
fn open_enum_impl(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let name_str = e.name.as_str();
    let description = std::iter::once(e.doc.clone())
        .chain(e.values.iter().map(|v| format!("- {}", value_line(v))))
        .collect::<Vec<_>>()
        .join("\n");
    let exhaustive = e.exhaustive;
    let (wire, value, raw, read) = match (e.kind, e.wire) {
        (EnumKind::EnumString, _) => (
            quote!(Str),
            quote!(Str(self.as_str())),
            quote!(str),
            quote!(Self::from_wire(raw)),
        ),
        (EnumKind::EnumInt, wire) => (
            match wire {
                EnumWire::String => quote!(IntString),
                EnumWire::Int => quote!(Int),
            },
            quote!(Int(self.value())),
            quote!(i64),
            quote!(Self::from_wire(*raw)),
        ),
    };
    quote! {
        impl crate::open_enum::OpenEnum for #name {
            const NAME: &'static str = #name_str;
            #[cfg(feature = "schemars")]
            const DESCRIPTION: &'static str = #description;
            const WIRE: crate::open_enum::Wire = crate::open_enum::Wire::#wire;
            const EXHAUSTIVE: bool = #exhaustive;

            fn documented() -> &'static [Self] {
                Self::DOCUMENTED
            }

            fn value(&self) -> crate::open_enum::Value<'_> {
                crate::open_enum::Value::#value
            }

            fn known(&self) -> bool {
                self.is_documented()
            }

            type Raw = #raw;

            fn read(raw: &#raw) -> Self {
                #read
            }
        }
    }
}
