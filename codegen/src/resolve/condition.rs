//! The values a condition compares a field with: `reply_when` on a topic (an envelope field)
//! and `required_when` on a field (a sibling), read the same way.

use crate::ir::{self, Type, TypeRef};
use crate::model::Scalar;

/// The enums a condition's field may be of: a family's own (none for the envelope), then its
/// vendor's.
pub(super) struct Enums<'a> {
    pub(super) family: Option<&'a str>,
    pub(super) own: &'a [ir::Enum],
    pub(super) vendor: &'a [ir::Enum],
}

impl Enums<'_> {
    /// The enum `r` names, and the family it is in; `None` for one of another family.
    fn of(&self, r: &TypeRef) -> Option<(&ir::Enum, Option<String>)> {
        let list = match r.family.as_deref() {
            None => self.vendor,
            Some(f) if Some(f) == self.family => self.own,
            Some(_) => return None,
        };
        let e = list.iter().find(|e| e.name == r.name)?;
        Some((e, r.family.clone()))
    }
}

/// `field` holding `value`; `None` when it cannot hold it.
pub(super) fn condition(
    field: &ir::Field,
    value: &Scalar,
    enums: &Enums<'_>,
) -> Option<ir::Condition> {
    Some(ir::Condition {
        field: field.rust.clone(),
        wire: field.wire.clone(),
        optional: field.optional,
        value: typed_value(field, value, enums)?,
    })
}

/// `value` as a value of `field`: an integer (not one sent as a string, which a condition
/// would compare as a number), a bool, a text, or a documented value of an enum.
fn typed_value(field: &ir::Field, value: &Scalar, enums: &Enums<'_>) -> Option<ir::Value> {
    match (&field.ty, value) {
        (Type::Int, Scalar::Int(n)) if !field.string_wire => Some(ir::Value::Int(*n)),
        (Type::Text, Scalar::Text(s)) => Some(ir::Value::Text(s.clone())),
        (Type::Bool, Scalar::Bool(b)) => Some(ir::Value::Bool(*b)),
        (Type::Enum(r), _) => {
            let (e, family) = enums.of(r)?;
            let wire = value.enum_wire()?;
            let v = e.values.iter().find(|v| v.wire == wire)?;
            Some(ir::Value::Variant {
                name: e.name.clone(),
                family,
                variant: v.variant.clone(),
                wire: v.wire.clone(),
                string: e.wire == ir::EnumWire::String,
            })
        }
        _ => None,
    }
}

/// What `field` can hold, for the help of a value it cannot.
pub(super) fn what_it_holds(field: &ir::Field, enums: &Enums<'_>) -> String {
    match &field.ty {
        Type::Enum(r) => match enums.of(r) {
            Some((e, _)) => {
                let values: Vec<String> =
                    e.values.iter().map(|v| format!("`{}`", v.wire)).collect();
                format!("`{}` holds {}", r.name, values.join(", "))
            }
            None => "a condition tests the enums of its own family and of the vendor".to_owned(),
        },
        Type::Int if field.string_wire => {
            "a condition does not test an `int` sent as a string".to_owned()
        }
        Type::Int => "an `int` field holds an integer".to_owned(),
        Type::Text => "a `text` field holds a string".to_owned(),
        Type::Bool => "a `bool` field holds `true` or `false`".to_owned(),
        _ => "a condition tests `int`, `bool`, `text` and enum fields only".to_owned(),
    }
}
