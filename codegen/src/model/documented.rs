//! Every key and keyword of the definition format is named in `schema/README.md`: the model's
//! types say which they take, read here by asking each what it would deserialize, so that a
//! key added to the model without a word in the README fails this test.

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::{
    Direction, EnumDef, EnumKind, EnumValueDef, EnumWire, EnvelopeDef, FamilyHeader, FieldDef,
    Fill, Layout, MessageDef, ParamDef, RetryDef, RuleDef, RuleKind, StructDef, TopicDef,
    VendorHeader,
};

/// A deserializer that only notes the member names a struct asks for, or the variant names an
/// enum does, and then stops.
struct Trace<'a>(&'a mut Vec<&'static str>);

/// Why a trace stops: it reads no value.
fn stop<E: de::Error>() -> E {
    E::custom("traced")
}

impl<'de> Deserializer<'de> for Trace<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(stop())
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.extend(fields);
        Err(stop())
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.extend(variants);
        Err(stop())
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// The member or variant names `T` takes.
fn names<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
    let mut names = Vec::new();
    let _ = T::deserialize(Trace(&mut names));
    names
}

#[test]
fn the_readme_names_every_key_and_keyword_of_the_model() {
    let readme = include_str!("../../../schema/README.md");
    let each = [
        ("[vendor]", names::<VendorHeader>()),
        ("[family]", names::<FamilyHeader>()),
        ("[topic.*]", names::<TopicDef>()),
        ("params.*", names::<ParamDef>()),
        ("[envelope]", names::<EnvelopeDef>()),
        ("[message.*]", names::<MessageDef>()),
        ("fields.*", names::<FieldDef>()),
        ("[struct.*]", names::<StructDef>()),
        ("[enum.*]", names::<EnumDef>()),
        ("values.*", names::<EnumValueDef>()),
        ("[rule.*]", names::<RuleDef>()),
        ("retry", names::<RetryDef>()),
        ("kind", names::<RuleKind>()),
        ("direction", names::<Direction>()),
        ("fill", names::<Fill>()),
        ("layout", names::<Layout>()),
        ("enum type", names::<EnumKind>()),
        ("enum wire", names::<EnumWire>()),
    ];
    let mut missing = Vec::new();
    for (place, keys) in &each {
        assert!(!keys.is_empty(), "no key traced for {place}");
        for key in keys {
            // As code, as a key set (`key = `, `key.member = `), or as a quoted value.
            let named = [
                format!("`{key}`"),
                format!("{key} ="),
                format!("\n{key}."),
                format!("\"{key}\""),
            ];
            if !named.iter().any(|n| readme.contains(n.as_str())) {
                missing.push(format!("{place} {key}"));
            }
        }
    }
    let sections = crate::load::VENDOR_SECTIONS
        .iter()
        .chain(crate::load::FAMILY_SECTIONS);
    for section in sections {
        let named = [format!("[{section}]"), format!("[{section}.")];
        if !named.iter().any(|n| readme.contains(n.as_str())) {
            missing.push(format!("table [{section}]"));
        }
    }
    assert!(
        missing.is_empty(),
        "schema/README.md does not name: {missing:?}"
    );
}
