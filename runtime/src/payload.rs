//! Helpers the generated payload serde impls call (`FromMembers`, `Slot`, `StringEnum`,
//! unions, undocumented members). Hidden: their signatures may change in any release.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::json::{json_equal, message, Json, Key, Members};

/// How deep unions may nest while decoding one value.
const MAX_UNION_DEPTH: usize = 64;
/// How many union branches one top-level decode may try.
const MAX_UNION_ATTEMPTS: usize = 100_000;

thread_local! {
    /// (unions entered and not left, branches tried since the outermost was entered).
    static UNION_WORK: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// Held while a union decodes; leaving the outermost one resets the branch count.
pub struct UnionDepth(());

impl Drop for UnionDepth {
    fn drop(&mut self) {
        UNION_WORK.with(|work| {
            let (depth, attempts) = work.get();
            let depth = depth.saturating_sub(1);
            work.set((depth, if depth == 0 { 0 } else { attempts }));
        });
    }
}

/// Enters a union: an error past [`MAX_UNION_DEPTH`] (a union whose branches lead back to
/// itself without reading input would otherwise recurse until the stack overflows).
pub fn enter_union<E: de::Error>() -> Result<UnionDepth, E> {
    UNION_WORK.with(|work| {
        let (depth, attempts) = work.get();
        if depth >= MAX_UNION_DEPTH {
            return Err(E::custom(format!("unions nest deeper than {MAX_UNION_DEPTH}")));
        }
        work.set((depth + 1, attempts));
        Ok(UnionDepth(()))
    })
}

/// Counts one branch tried: an error past [`MAX_UNION_ATTEMPTS`] (nested unions whose
/// branches overlap would otherwise take time exponential in the nesting).
pub fn attempt_branch<E: de::Error>() -> Result<(), E> {
    UNION_WORK.with(|work| {
        let (depth, attempts) = work.get();
        if attempts >= MAX_UNION_ATTEMPTS {
            return Err(E::custom(format!("more than {MAX_UNION_ATTEMPTS} union branches tried for one value")));
        }
        work.set((depth, attempts + 1));
        Ok(())
    })
}

/// The error of a union no branch of which matched: what each branch tried said.
pub fn no_branch(summary: &str, failures: &[String]) -> String {
    /// Enough to see why, short enough when unions nest.
    const MAX_DETAIL: usize = 300;
    if failures.is_empty() {
        return summary.to_owned();
    }
    let mut detail = failures.join("; ");
    if detail.len() > MAX_DETAIL {
        let mut end = MAX_DETAIL;
        while !detail.is_char_boundary(end) {
            end -= 1;
        }
        detail.truncate(end);
        detail.push('…');
    }
    format!("{summary}: {detail}")
}

/// A payload struct read member by member: what its generated `Deserialize` impl
/// ([`crate::impls::deserialize_members`]) runs inside serde's map visitor.
pub trait FromMembers<'de>: Sized {
    /// What a value of another JSON type is told was expected.
    const EXPECTING: &'static str;
    /// Reads every member of one JSON object.
    fn from_members<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Deserializes a [`FromMembers`] struct from a JSON object. Inlined with its visitor, so
/// that the struct is built where its caller wants it, not copied out through each layer.
#[inline]
pub fn deserialize_members<'de, D: Deserializer<'de>, T: FromMembers<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct Object<T>(PhantomData<T>);
    impl<'de, T: FromMembers<'de>> de::Visitor<'de> for Object<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        #[inline]
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_members(map)
        }
    }
    deserializer.deserialize_map(Object(PhantomData))
}

/// The next member's name, borrowed from the input where it can be.
pub fn next_key<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Key<'de>>, A::Error> {
    map.next_key()
}

/// A documented member's slot while its struct decodes: empty until the member is read.
pub trait Slot<T> {
    /// Reads the member into the slot; a second occurrence is an error.
    fn set<'de, A: MapAccess<'de>>(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>
    where
        T: Deserialize<'de>;
    /// Like [`Slot::set`], for a member whose type holds a map (which would keep the last of
    /// two equal keys): read strictly (a key given twice anywhere inside is an error), then
    /// decoded.
    fn set_strict<'de, A: MapAccess<'de>>(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>
    where
        T: DeserializeOwned;
    /// The value of a required member; absent is an error.
    fn required<E: de::Error>(self, name: &'static str) -> Result<T, E>;
}

impl<T> Slot<T> for Option<T> {
    fn set<'de, A: MapAccess<'de>>(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>
    where
        T: Deserialize<'de>,
    {
        if self.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *self = Some(map.next_value()?);
        Ok(())
    }

    fn set_strict<'de, A: MapAccess<'de>>(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>
    where
        T: DeserializeOwned,
    {
        if self.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *self = Some(map.next_value_seed(StrictSeed(PhantomData))?);
        Ok(())
    }

    fn required<E: de::Error>(self, name: &'static str) -> Result<T, E> {
        self.ok_or_else(|| de::Error::missing_field(name))
    }
}

/// Captures the value's text (checking it has no key twice), then decodes `T` from it while
/// still inside the member, so that an error's path names the member. Nothing is rounded on
/// the way: the text is what came.
struct StrictSeed<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> de::DeserializeSeed<'de> for StrictSeed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        let raw = Json::deserialize(deserializer)?;
        raw.parse().map_err(|error| de::Error::custom(message(&error)))
    }
}

/// Reads `T` strictly (a key given twice anywhere inside is an error), for a newtype whose
/// value holds a map.
pub fn read_strict<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<T, D::Error> {
    de::DeserializeSeed::deserialize(StrictSeed(PhantomData), deserializer)
}

/// A JSON number's value when it is an integer (exactly, beyond what an `f64` holds).
pub fn integer_of(number: &serde_json::Number) -> Option<i128> {
    number.as_i64().map(i128::from).or_else(|| number.as_u64().map(i128::from))
}

/// One branch of a union tried on the value's text: the branch, or why it does not match.
pub fn branch<T: DeserializeOwned>(raw: &Json) -> Result<T, String> {
    raw.parse().map_err(|error| message(&error))
}

/// The member `name` of an object value, when it is a string (a union's tag).
pub fn tag(raw: &Json, name: &str) -> Option<String> {
    let Members(members) = serde_json::from_str(raw.as_text()).ok()?;
    let (_, value) = members.into_iter().find(|(key, _)| key == name)?;
    serde_json::from_str(value.get()).ok()
}

/// The next item of an array, read strictly (a key given twice anywhere inside is an error).
pub fn next_strict<'de, A: de::SeqAccess<'de>, T: DeserializeOwned>(seq: &mut A) -> Result<Option<T>, A::Error> {
    seq.next_element_seed(StrictSeed(PhantomData))
}

/// A payload struct whose schema denies undocumented members (`additionalProperties:
/// false`): as a union branch, it matches only a value that has none.
pub trait Undocumented {
    /// No member the schema does not document came.
    fn is_complete(&self) -> bool;
}

/// Keeps a member the schema does not document, of the type its `additionalProperties`
/// gives (any JSON value when it gives none); a second occurrence is an error.
pub fn keep_extra<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    members: &mut BTreeMap<String, T>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    insert_member(members, key, value)
}

/// Like [`keep_extra`], for a type that holds a map: read strictly, then decoded.
pub fn keep_extra_strict<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
    members: &mut BTreeMap<String, T>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value = map.next_value_seed(StrictSeed(PhantomData))?;
    insert_member(members, key, value)
}

fn insert_member<E: de::Error, T>(members: &mut BTreeMap<String, T>, key: Key<'_>, value: T) -> Result<(), E> {
    match members.entry(key.0.into_owned()) {
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(value);
            Ok(())
        }
        std::collections::btree_map::Entry::Occupied(existing) => {
            Err(de::Error::custom(format_args!("duplicate field `{}`", existing.key())))
        }
    }
}

/// Writes the members of `members` whose names `keep` accepts (an undocumented member spelled
/// like a documented one is not written twice).
pub fn serialize_members<M: SerializeMap, T: Serialize>(
    map: &mut M,
    members: &BTreeMap<String, T>,
    keep: impl Fn(&&String) -> bool,
) -> Result<(), M::Error> {
    for (name, value) in members.iter().filter(|(name, _)| keep(name)) {
        map.serialize_entry(name, value)?;
    }
    Ok(())
}

/// Whether `value` is the JSON value `listed` (JSON text), as JSON Schema compares them:
/// numbers by their value (`1` is `1.0`), objects whatever their member order.
pub fn same_json(value: &Value, listed: &str) -> bool {
    serde_json::from_str::<Value>(listed).is_ok_and(|listed| json_equal(value, &listed))
}

/// An enum of string values: each variant with its text, in declaration order (the
/// `string_enum!` impls check the order when they compile).
pub trait StringEnum: Copy + 'static {
    /// Every variant and the text the schema lists for it.
    const VALUES: &'static [(Self, &'static str)];
}

/// The variant whose text was read; any other string is an error listing the texts, worded
/// as serde's `unknown_variant`.
pub fn string_enum<'de, D: Deserializer<'de>, T: StringEnum>(deserializer: D) -> Result<T, D::Error> {
    let Key(text) = Key::deserialize(deserializer)?;
    match T::VALUES.iter().find(|(_, listed)| *listed == text) {
        Some((value, _)) => Ok(*value),
        None => Err(de::Error::custom(format_args!("unknown variant `{text}`, expected {}", OneOf(T::VALUES)))),
    }
}

/// `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``, as serde lists expected variants.
struct OneOf<T: 'static>(&'static [(T, &'static str)]);

impl<T> fmt::Display for OneOf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("no value"),
            [(_, only)] => write!(f, "`{only}`"),
            [(_, first), (_, second)] => write!(f, "`{first}` or `{second}`"),
            values => {
                f.write_str("one of ")?;
                for (at, (_, text)) in values.iter().enumerate() {
                    if at > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{text}`")?;
                }
                Ok(())
            }
        }
    }
}
