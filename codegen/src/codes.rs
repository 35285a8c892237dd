//! The kinds of fault in the definitions, one code each.
//!
//! A diagnostic shows its code (`error[unknown-type]`), so a reader can look the fault up and
//! a test can tell faults apart without matching message text. Every code has a broken fixture
//! in `codegen/tests/fixtures/err/<code>.toml`, and a test fails for a code without one.

use std::fmt;

macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal,)+) => {
        /// What a [`Diagnostic`](crate::Diagnostic) reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The code as shown: `unknown-type`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }
        }
    };
}

codes! {
    // Reading the files.
    /// The definitions directory cannot be read.
    UnreadableDir = "unreadable-dir",
    /// A definition file cannot be read (or is not UTF-8).
    UnreadableFile = "unreadable-file",
    /// The definitions directory holds no vendor directory with definitions.
    NoDefinitions = "no-definitions",
    /// A vendor directory has family files but no `vendor.toml`.
    VendorFileMissing = "vendor-file-missing",
    /// A file is not valid TOML.
    TomlSyntax = "toml-syntax",
    /// `vendor.toml` has no `[vendor]` table.
    VendorTableMissing = "vendor-table-missing",
    /// A family file has no `[family]` table.
    FamilyTableMissing = "family-table-missing",
    /// A top-level table the file kind does not have.
    UnknownTable = "unknown-table",
    /// A key the definition does not have.
    UnknownKey = "unknown-key",
    /// A value outside the ones a key allows (`direction = "upp"`).
    UnknownValue = "unknown-value",
    /// A definition lacks a required key.
    MissingKey = "missing-key",
    /// A value of the wrong TOML type.
    InvalidValue = "invalid-value",
    /// A `[section]` that is not a table of named definitions.
    NotATable = "not-a-table",

    // Names.
    /// A vendor directory name that is not a snake_case module name.
    VendorDirCase = "vendor-dir-case",
    /// A family file name that is not a snake_case module name.
    FamilyFileCase = "family-file-case",
    /// A family named `topics`, the name the exported schemas keep for topic schemas.
    FamilyNamedTopics = "family-named-topics",
    /// A type name that is not UpperCamelCase.
    TypeNameCase = "type-name-case",
    /// A type named like a built-in type.
    TypeNameBuiltin = "type-name-builtin",
    /// A type defined twice in one file.
    TypeTwice = "type-twice",
    /// A family type with the name of a vendor type.
    TypeShadowsVendor = "type-shadows-vendor",
    /// A type whose name the generated vendor module already uses.
    GeneratedNameCollision = "generated-name-collision",
    /// A message name that is not snake_case.
    MessageNameCase = "message-name-case",
    /// A message whose Rust type name is a type of its family.
    MessageTypeCollision = "message-type-collision",
    /// Two messages that become the same `Message` variant.
    MessageVariantCollision = "message-variant-collision",
    /// A topic name that is not snake_case.
    TopicNameCase = "topic-name-case",
    /// An envelope name that is not snake_case.
    EnvelopeNameCase = "envelope-name-case",
    /// A topic parameter name that is not a snake_case identifier.
    ParamNameCase = "param-name-case",
    /// A `rust_name` that is not a snake_case field name.
    RustNameCase = "rust-name-case",
    /// A field whose wire name gives no Rust name.
    FieldUnnamed = "field-unnamed",
    /// Two fields that become the same Rust field.
    FieldNameCollision = "field-name-collision",
    /// An enum variant name that is not UpperCamelCase.
    VariantNameCase = "variant-name-case",
    /// Two enum values that become the same variant.
    VariantTwice = "variant-twice",
    /// An enum value that gives no variant name.
    VariantUnnamed = "variant-unnamed",
    /// An `enum_int` value without a `name`.
    VariantNameMissing = "variant-name-missing",
    /// A value named `Undocumented`, the variant kept for values the documents do not define.
    VariantUndocumented = "variant-undocumented",

    // Topics.
    /// A topic pattern with an empty level.
    TopicLevelEmpty = "topic-level-empty",
    /// A topic level with a wildcard, a brace or NUL.
    TopicLevelChar = "topic-level-char",
    /// A `{param}` in a pattern without a declaration.
    ParamUndeclared = "param-undeclared",
    /// A declared parameter the pattern does not use.
    ParamUnused = "param-unused",
    /// A parameter used twice in one pattern.
    ParamTwice = "param-twice",
    /// Two topic patterns that one topic name matches.
    TopicOverlap = "topic-overlap",
    /// A `reply` naming no topic of the vendor.
    UnknownReplyTopic = "unknown-reply-topic",
    /// A reply topic with other parameters than its request topic.
    ReplyTopicParams = "reply-topic-params",
    /// A reply topic in the same direction as its request topic.
    ReplyTopicDirection = "reply-topic-direction",

    // Envelopes.
    /// A topic naming an envelope the vendor does not define.
    UnknownEnvelope = "unknown-envelope",
    /// A topic that names no envelope when the vendor has no `[envelope]`.
    EnvelopeMissing = "envelope-missing",
    /// An envelope no topic carries.
    EnvelopeUnused = "envelope-unused",
    /// An envelope without a `discriminator` field.
    EnvelopeNoDiscriminator = "envelope-no-discriminator",
    /// An envelope with more than one `body` field.
    EnvelopeBodies = "envelope-bodies",
    /// A struct on the way to the body or a discriminator, used other than once by one envelope.
    EnvelopeStructReuse = "envelope-struct-reuse",
    /// A struct holding a discriminator in an envelope without a body.
    FlatEnvelopeStruct = "flat-envelope-struct",
    /// `body` or `discriminator` outside the envelope.
    EnvelopeOnlyType = "envelope-only-type",
    /// A struct of the envelope used in a message.
    EnvelopeStructInMessage = "envelope-struct-in-message",
    /// An optional body or discriminator.
    OptionalTag = "optional-tag",
    /// An optional field on the way to the body or a discriminator.
    OptionalTagPath = "optional-tag-path",
    /// A discriminator as the items of an array.
    TagInArray = "tag-in-array",

    // Families and messages.
    /// A family file without messages.
    FamilyEmpty = "family-empty",
    /// A family `discriminators` key the envelope does not have.
    NotADiscriminator = "not-a-discriminator",
    /// A family that leaves other than one discriminator to its messages.
    DiscriminatorCount = "discriminator-count",
    /// A message field named like a discriminator of its topic's envelope.
    DiscriminatorInBody = "discriminator-in-body",
    /// A message field with the name of an envelope field, on an envelope without a body.
    EnvelopeFieldCollision = "envelope-field-collision",
    /// A message on a topic its vendor does not define.
    UnknownTopic = "unknown-topic",
    /// Two messages with one discriminator value on one topic.
    RouteCollision = "route-collision",
    /// A `reply` naming no message of the family.
    UnknownReply = "unknown-reply",
    /// A message with a reply, on a topic that declares no reply topic.
    ReplyTopicMissing = "reply-topic-missing",
    /// A reply that is not on the reply topic of its request's topic.
    ReplyWrongTopic = "reply-wrong-topic",
    /// A message named as the reply of two messages.
    ReplyTwice = "reply-twice",

    // Building and answering.
    /// `fill` outside an envelope that holds a body.
    FillOutsideEnvelope = "fill-outside-envelope",
    /// A `fill` that does not suit the field's type.
    FillType = "fill-type",
    /// A required field around the body that nothing fills when a message is built.
    UnfilledEnvelopeField = "unfilled-envelope-field",
    /// A `correlate` naming no field.
    UnknownCorrelateField = "unknown-correlate-field",
    /// A correlated field the request does not have, or has with another type.
    CorrelateNotInRequest = "correlate-not-in-request",
    /// A correlated field that is the body or a discriminator, or holds them.
    CorrelateTag = "correlate-tag",
    /// A `correlate` on a message that answers nothing.
    CorrelateWithoutRequest = "correlate-without-request",
    /// An `ack` on a message that is no message's reply.
    AckWithoutRequest = "ack-without-request",
    /// A correlated body field where the body sits in a list.
    CorrelateThroughArray = "correlate-through-array",

    // Conversation rules.
    /// A rule name that is not snake_case.
    RuleNameCase = "rule-name-case",
    /// A vendor-wide rule in a family file, or a family's rule in `vendor.toml`.
    RuleMisplaced = "rule-misplaced",
    /// A rule without a key its kind needs, or with one its kind does not use.
    RuleKey = "rule-key",
    /// A rule naming a message its family does not define.
    RuleUnknownMessage = "rule-unknown-message",
    /// An `answered` rule about a message without a `reply`.
    RuleWithoutReply = "rule-without-reply",
    /// A rule whose messages are sent by both sides.
    RuleDuty = "rule-duty",
    /// A rule field path that names no field.
    RuleUnknownField = "rule-unknown-field",
    /// A rule field of a type the rule cannot read there, or in different places.
    RuleFieldType = "rule-field-type",
    /// A `final` status the status field cannot hold.
    RuleFinalValue = "rule-final-value",
    /// A `deadline` that is not a duration.
    RuleDeadline = "rule-deadline",
    /// A `same_device` rule naming a parameter no topic has.
    RuleUnknownParam = "rule-unknown-param",
    /// A `retry` that sends nothing again, or changes a field inside the payload.
    RuleRetry = "rule-retry",
    /// A `start_job` that does not name one field for each of the rule's `job`.
    RuleStart = "rule-start",
    /// A `fresh` field that the reply does not copy from the request.
    RuleFresh = "rule-fresh",
    /// A `reply_when` key that is not a field of the topic's envelope.
    ReplyWhenUnknownField = "reply-when-unknown-field",
    /// A `reply_when` value the field cannot hold.
    ReplyWhenValue = "reply-when-value",
    /// `reply_when` on a topic without a reply topic.
    ReplyWhenWithoutReply = "reply-when-without-reply",

    // Fields and types.
    /// A field of a type no definition names.
    UnknownType = "unknown-type",
    /// A type that another family of the vendor defines, which this family cannot see.
    TypeOfAnotherFamily = "type-of-another-family",
    /// An array whose items are arrays.
    ArrayOfArrays = "array-of-arrays",
    /// An `array` field without `items`.
    ArrayWithoutItems = "array-without-items",
    /// `items` on a field that is not an `array`.
    ItemsNotArray = "items-not-array",
    /// `wire = "string"` on a field that is neither `int` nor `float`.
    StringWireNotNumber = "string-wire-not-number",
    /// A number sent as a string whose range needs more than 18 digits, or a `float` one whose
    /// bounds are not integers.
    StringWireRange = "string-wire-range",
    /// `implemented` that is neither a named type beside a named type nor a scalar form of
    /// the documented type.
    ImplementedForm = "implemented-form",
    /// A non-integer bound on an `int` field.
    IntBoundNotInteger = "int-bound-not-integer",
    /// `min` or `max` on a field that is neither `int` nor `float`.
    BoundNotNumeric = "bound-not-numeric",
    /// A lower bound above its upper bound.
    BoundsInverted = "bounds-inverted",
    /// A length or item-count constraint on a field of another type.
    ConstraintWrongType = "constraint-wrong-type",
    /// `layout` or `pattern` on a field that is not `text`.
    PatternNotText = "pattern-not-text",
    /// Both `layout` and `pattern` on one field.
    LayoutAndPattern = "layout-and-pattern",
    /// A `pattern` outside the subset that every engine reads alike.
    PatternNotPortable = "pattern-not-portable",
    /// `required_when` naming no sibling field, or a value that sibling cannot hold, or
    /// outside a family.
    RequiredWhen = "required-when",
    /// An enum without values.
    EnumEmpty = "enum-empty",
    /// An `enum_int` value that is not an integer.
    EnumIntValue = "enum-int-value",
    /// `wire` on an `enum_string`, which always travels as a string.
    EnumStringWire = "enum-string-wire",
    /// A `doc` that is empty.
    EmptyDoc = "empty-doc",
    /// A type defined and never used.
    UnusedType = "unused-type",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
