//! The payload model: what the payload types of one module are, between the schema and the
//! tokens. `lower` builds it from a schema; the `emit_*` modules turn it into Rust items.
//!
//! Every shape that changes what decodes is explicit here: a field's presence (required or
//! optional) and whether it allows `null` are two separate facts, so that absent, `null` and a
//! value are three states where the schema allows all three; enums list exact JSON values;
//! unions list their branches with how they are told apart.

use serde_json::Value;

/// A type as a field, an item, a map value or a union branch uses it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    /// The schema says nothing: any JSON value, kept as received.
    Any,
    /// Only `null`: Rust's `()`.
    Null,
    Boolean,
    /// A JSON integer that fits `i64`.
    Integer,
    /// A JSON integer whose schema allows values above `i64::MAX` and none below zero.
    Unsigned,
    /// Any JSON number; an integer stays an integer and a fraction a fraction (`1` stays `1`,
    /// `1.0` stays `1.0`; `1e2` comes back as `100.0`).
    Number,
    String,
    /// A string of `format: date-time`: its text as received, with a parsing accessor (the
    /// format is not checked on decode).
    DateTime,
    /// A type of this module, by name.
    Named(String),
    /// A type of a shared module, by path (`crate::shared::<module>::<Type>`).
    Shared(String),
    Vec(Box<Ty>),
    /// An object used as a map from member names to values of one type, in key order.
    Map(Box<Ty>),
    /// `null` or the inner type.
    Option(Box<Ty>),
    /// The inner type behind a pointer, where a type contains itself.
    Boxed(Box<Ty>),
}

impl Ty {
    /// `Option<self>` when `nullable`.
    pub(crate) fn nullable(self, nullable: bool) -> Ty {
        if nullable {
            Ty::Option(Box::new(self))
        } else {
            self
        }
    }

    /// Whether values of this type hold a map, which serde would read keeping the last of two
    /// equal keys: such values are read strictly. (Untyped values check their own keys; named
    /// types read themselves.)
    pub(crate) fn holds_map(&self) -> bool {
        match self {
            Ty::Map(_) => true,
            Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => inner.holds_map(),
            _ => false,
        }
    }

    /// Whether this type names a type of a shared module, at any depth.
    pub(crate) fn names_shared(&self) -> bool {
        match self {
            Ty::Shared(_) => true,
            Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) | Ty::Boxed(inner) => inner.names_shared(),
            _ => false,
        }
    }

    /// The named type this one holds by value (through `Option` and nothing else), if any:
    /// the edge along which a type can contain itself.
    pub(crate) fn held_by_value(&self) -> Option<&str> {
        match self {
            Ty::Named(name) => Some(name),
            Ty::Option(inner) => inner.held_by_value(),
            _ => None,
        }
    }
}

/// A generated item: a type with a name in its module.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub name: String,
    /// Documentation lines, inert text.
    pub doc: Vec<String>,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Struct(Struct),
    /// An enum whose variants are exact JSON values (`enum`, `const`).
    Literals(Vec<Literal>),
    Union(Union),
    /// A struct of one field, with checks on its value (`minLength`, `pattern`, `minimum`,
    /// `maxItems`...) or standing where a name is needed for another type (a payload whose
    /// root is an array).
    Newtype(Newtype),
    /// Another name for a type (a shared definition that is only a `$ref` or a scalar).
    Alias(Ty),
    /// An array whose items have a type by position (`prefixItems`, draft-07 `items` as an
    /// array), then maybe more of one type.
    Tuple(Tuple),
}

impl Kind {
    /// The types this item is made of (its fields', branches', items'...), not looked into.
    pub(crate) fn types(&self) -> Vec<&Ty> {
        match self {
            Kind::Struct(structure) => structure
                .fields
                .iter()
                .map(|field| &field.ty)
                .chain(structure.patterns.iter().map(|members| &members.ty))
                .chain([&structure.extra])
                .collect(),
            Kind::Literals(_) => Vec::new(),
            Kind::Union(union) => union.variants.iter().map(|variant| &variant.ty).collect(),
            Kind::Newtype(newtype) => vec![&newtype.inner],
            Kind::Alias(ty) => vec![ty],
            Kind::Tuple(tuple) => tuple.positions.iter().chain(&tuple.rest).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tuple {
    /// One type per position; the first `required` positions must be there.
    pub positions: Vec<Ty>,
    pub required: usize,
    /// The type of items after the positions; `None` when there may be none (`items: false`).
    pub rest: Option<Ty>,
}

/// An object with documented members; members it does not document are kept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Struct {
    pub fields: Vec<Field>,
    /// The type of members the schema does not list (`additionalProperties`): `Ty::Any`
    /// unless the schema gives one.
    pub extra: Ty,
    /// `additionalProperties: false`: a union tries this type as a branch only when no
    /// undocumented member came, as JSON Schema would.
    pub closed: bool,
    /// `anyOf`/`oneOf` of `required` lists: which members must be present together.
    pub presence: Vec<PresenceRule>,
    /// `patternProperties`: undocumented members whose names match a pattern, typed by it
    /// (the first pattern that matches takes the member).
    pub patterns: Vec<PatternMembers>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PatternMembers {
    /// In `regex` syntax, translated from ECMA-262.
    pub pattern: String,
    /// As the schema writes it.
    pub source: String,
    pub ty: Ty,
}

/// Members that must be present together: at least one alternative (`anyOf`), or exactly one
/// (`oneOf`), has every member it lists present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PresenceRule {
    pub one_of: bool,
    /// Each alternative's member names, as on the wire.
    pub alternatives: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The member's name on the wire, exactly.
    pub wire_name: String,
    pub ty: Ty,
    /// The member must be present.
    pub required: bool,
    /// The member may be `null`: with `required: false`, absent, `null` and a value are three
    /// states.
    pub nullable: bool,
    pub doc: Vec<String>,
    /// The schema's `default`, documented and offered as a constant; never filled in.
    pub default: Option<Value>,
}

impl Field {
    /// The field's Rust type: `T`, `Option<T>` (optional, or required and nullable) or
    /// `Option<Option<T>>` (optional and nullable: absent, `null`, a value).
    pub(crate) fn rust_ty(&self) -> Ty {
        let ty = self.ty.clone().nullable(self.nullable);
        if self.required {
            ty
        } else {
            Ty::Option(Box::new(ty))
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Literal {
    pub variant: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Union {
    /// `oneOf` (exactly one branch must match) rather than `anyOf` (the first that matches).
    pub one_of: bool,
    pub variants: Vec<Variant>,
    /// The member whose constant string tells the branches apart, when there is one.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    pub name: String,
    pub ty: Ty,
    /// The branch's value of the union's tag.
    pub tag_value: Option<String>,
    /// The branch is a struct with `additionalProperties: false`: it matches only a value
    /// without undocumented members.
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Newtype {
    pub inner: Ty,
    pub checks: Checks,
}

/// What a newtype checks on decode and on construction: only a valid value makes one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Checks {
    /// Nothing: the newtype only gives its inner type a name.
    #[default]
    None,
    String(StringChecks),
    Number(NumberChecks),
    Items(ItemChecks),
}

/// What a string newtype checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StringChecks {
    /// In characters (Unicode scalar values), as JSON Schema counts.
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// Every `pattern` the string must match (several where `allOf` parts each give one):
    /// in `regex` syntax, already translated from ECMA-262, and as the schema wrote it.
    pub patterns: Vec<(String, String)>,
}

impl StringChecks {
    pub(crate) fn is_empty(&self) -> bool {
        self.min_length.is_none() && self.max_length.is_none() && self.patterns.is_empty()
    }
}

/// What a number newtype checks: its bounds (`minimum`, `exclusiveMinimum`, ...) and, for
/// integers, `multipleOf`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NumberChecks {
    /// Every lower bound the schema gives; all must hold.
    pub lower: Vec<Bound>,
    pub upper: Vec<Bound>,
    /// `multipleOf` by a positive integer, checked on integers.
    pub multiple_of: Option<u64>,
}

impl NumberChecks {
    pub(crate) fn is_empty(&self) -> bool {
        self.lower.is_empty() && self.upper.is_empty() && self.multiple_of.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bound {
    pub value: serde_json::Number,
    /// `exclusiveMinimum`/`exclusiveMaximum`: the bound itself is outside.
    pub exclusive: bool,
}

/// What an array newtype checks: how many items it has (`minItems`, `maxItems`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ItemChecks {
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

impl ItemChecks {
    pub(crate) fn is_empty(&self) -> bool {
        self.min_items.is_none() && self.max_items.is_none()
    }
}

/// A keyword the generated decoder does not enforce: it accepts more than the schema there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NotEnforced {
    /// JSON pointer to the keyword in its file.
    pub pointer: String,
    pub keyword: String,
}

/// Every item of one module, in the order they were first reached.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Module {
    pub items: Vec<Item>,
}
