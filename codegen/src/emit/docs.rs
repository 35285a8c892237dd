//! Doc comments from definition text.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Direction, Field};

/// One `#[doc]` attribute per line, so prettyplease prints `///` lines.
pub fn attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// Escapes foreign text for rustdoc: brackets would become broken intra-doc links and bare
/// URLs warn under `-D warnings`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(char::is_whitespace) {
        let url = word.trim_end().trim_end_matches(['.', ',', ';', ':', ')']);
        if url.starts_with("http://") || url.starts_with("https://") {
            out.push('<');
            out.push_str(url);
            out.push('>');
            out.push_str(&word[url.len()..]);
            continue;
        }
        for c in word.chars() {
            if matches!(c, '[' | ']') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// The description, then the vendor's original term (003 is written in Chinese).
pub fn with_term(doc: &str, term: Option<&str>) -> String {
    match term {
        Some(t) => format!("{}\n\nOriginal term: {t}.", escape(doc)),
        None => escape(doc),
    }
}

/// `#[doc(alias)]` for the original term, so a search for it finds the item.
pub fn term_alias(term: Option<&str>) -> TokenStream {
    match term {
        Some(t) => quote!(#[doc(alias = #t)]),
        None => TokenStream::new(),
    }
}

pub fn field(f: &Field) -> String {
    let mut text = with_term(&f.doc, f.term.as_deref());
    if let Some(unit) = &f.unit {
        text.push_str(&format!("\n\nUnit: {}.", escape(unit)));
    }
    text
}

/// The first sentence of a description, on one line.
pub fn summary(doc: &str) -> String {
    let paragraph = doc.split("\n\n").next().unwrap_or_default();
    let line = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.find(". ") {
        Some(end) => line[..=end].to_owned(),
        None => line,
    }
}

/// The side that sends what travels in direction `d`.
pub fn side(d: Direction) -> &'static str {
    match d {
        Direction::Up => "the device",
        Direction::Down => "the platform",
    }
}

pub fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "device → platform",
        Direction::Down => "platform → device",
    }
}
