//! Type references: built-in types, and named types in the family's and the vendor's scope.

use toml::Spanned;

use super::{Ctx, Kind, Place, Scope};
use crate::codes::Code;
use crate::ir::{Type, TypeRef};

pub(super) fn builtin(name: &str) -> Option<Type> {
    Some(match name {
        "int" => Type::Int,
        "float" => Type::Float,
        "bool" => Type::Bool,
        "json" => Type::Json,
        "text" => Type::Text,
        _ => return None,
    })
}

pub(super) fn resolve_type(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    name: &Spanned<String>,
    place: Place,
) -> Option<Type> {
    let n = name.get_ref().as_str();
    if let Some(t) = builtin(n) {
        return Some(t);
    }
    match n {
        "array" => {
            ctx.diags.error_help(
                Code::ArrayOfArrays,
                ctx.file,
                name.span(),
                "an array of arrays needs a named struct in between",
                "make the items a struct",
            );
            return None;
        }
        "body" | "discriminator" if place == Place::Envelope => {
            return Some(if n == "body" {
                Type::Body
            } else {
                Type::Tag(None)
            });
        }
        "body" | "discriminator" => {
            ctx.diags.error(
                Code::EnvelopeOnlyType,
                ctx.file,
                name.span(),
                format!("`{n}` is only allowed in the envelope and vendor structs"),
            );
            return None;
        }
        _ => {}
    }
    let found = match n.split_once('.') {
        // `log_upload.StorageProvider`: a type of another family of the vendor.
        Some((family, name)) if scope.family.is_some() => scope
            .families
            .get(&(family.to_owned(), name.to_owned()))
            .map(|k| (Some(family.to_owned()), *k)),
        _ => scope
            .family
            .and_then(|(family, types)| types.get(n).map(|k| (Some(family.to_owned()), *k)))
            .or_else(|| scope.vendor.get(n).map(|k| (None, *k))),
    };
    let n = n.rsplit('.').next().unwrap_or(n);
    match found {
        Some((family, kind)) => {
            ctx.used.insert((family.clone(), n.to_owned()));
            let generic = matches!(kind, Kind::Struct { generic: true });
            if generic && place == Place::Message {
                ctx.diags.error(
                    Code::EnvelopeStructInMessage,
                    ctx.file,
                    name.span(),
                    format!("`{n}` belongs to the envelope"),
                );
                return None;
            }
            let r = TypeRef {
                family,
                name: n.to_owned(),
                generic,
            };
            Some(if kind == Kind::Enum {
                Type::Enum(r)
            } else {
                Type::Struct(r)
            })
        }
        None => {
            unknown_type(ctx, scope, name);
            None
        }
    }
}

/// Reports an unknown type, with the known one it nearly is; that one then counts as used,
/// so that it is not also reported unused.
fn unknown_type(ctx: &mut Ctx<'_>, scope: &Scope<'_>, name: &Spanned<String>) {
    let n = name.get_ref().as_str();
    let elsewhere = scope.families.keys().find(|(family, type_name)| {
        type_name == n && scope.family.is_none_or(|(own, _)| own != family)
    });
    if let Some((family, _)) = elsewhere {
        ctx.used.insert((Some(family.clone()), n.to_owned()));
        let help = match scope.family {
            Some(_) => format!("name it with its family: `type = \"{family}.{n}\"`"),
            None => {
                format!("a type the vendor's envelope uses goes in vendor.toml: move `{n}` there")
            }
        };
        ctx.diags.error_help(
            Code::TypeOfAnotherFamily,
            ctx.file,
            name.span(),
            format!("type `{n}` is defined in family `{family}`"),
            help,
        );
        return;
    }
    let mut known: Vec<&str> = vec!["int", "float", "bool", "text", "json", "array"];
    known.extend(scope.vendor.keys().map(String::as_str));
    if let Some((_, types)) = scope.family {
        known.extend(types.keys().map(String::as_str));
    }
    let help = match crate::suggest::closest(n, &known) {
        Some(k) => {
            let family = scope
                .family
                .filter(|(_, types)| types.contains_key(k))
                .map(|(f, _)| f.to_owned());
            ctx.used.insert((family, k.to_owned()));
            format!("did you mean `{k}`?")
        }
        None => format!("known types: {}", known.join(", ")),
    };
    ctx.diags.error_help(
        Code::UnknownType,
        ctx.file,
        name.span(),
        format!("unknown type `{n}`"),
        help,
    );
}
