//! Strict JSON values: `Json` for what a schema leaves untyped, kept as its text.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::reader::JSON_TOKEN;

/// A JSON value the schema leaves untyped (`{}`, `true`, a member with no keywords, members a
/// schema does not document, extension attributes), kept exactly as received: its JSON text.
///
/// Nothing is lost on the way through: an integer of any size, a number's spelling (`1.0`,
/// `1e2`), the order of an object's members are encoded again as they came. Decoding checks
/// the text as strictly as the rest of the event (an object with a key twice is an error).
/// [`Json::to_value`] and [`Json::parse`] turn it into `serde_json::Value` or a type of yours.
#[derive(Clone)]
pub struct Json(pub(crate) Box<RawValue>);

impl Json {
    /// JSON `null`.
    pub fn null() -> Json {
        Json(RawValue::NULL.to_owned())
    }

    /// The value of JSON text `text`, kept as written (without surrounding whitespace). Invalid
    /// JSON, or an object with a key twice, is an error.
    pub fn from_text(text: impl Into<String>) -> Result<Json, serde_json::Error> {
        let raw = RawValue::from_string(text.into())?;
        check_unique_keys(raw.get()).map_err(<serde_json::Error as de::Error>::custom)?;
        Ok(Json(raw))
    }

    /// The JSON text, exactly as received.
    pub fn as_text(&self) -> &str {
        self.0.get()
    }

    /// As a `serde_json::Value`. Numbers that `serde_json::Value` holds only approximately
    /// (integers beyond 64 bits, more digits than an `f64` has) come out rounded, and one
    /// beyond `f64`'s range (`1e400`) is an error; [`Json::as_text`] has them exactly.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// Decodes the value into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        Json::from(&value)
    }
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Json {
        // `Value`'s text is always valid JSON with unique keys.
        RawValue::from_string(value.to_string()).map(Json).unwrap_or_else(|_| Json::null())
    }
}

/// Equal when they are the same JSON value, as JSON Schema compares values: whatever the
/// spacing and member order, numbers by value (`1` equals `1.0`). Numbers beyond what an
/// `f64` holds exactly are compared as `f64`s; the same text is always equal.
impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.as_text() == other.as_text()
            || matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if json_equal(&a, &b))
    }
}

impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        self.to_value().is_ok_and(|value| json_equal(&value, other))
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Json({})", self.as_text())
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_text())
    }
}

/// Read as serde_json's raw value, from serde_json and `serde_json::Value`; the one-pass
/// reader (`crate::reader`) answers its own token with the value's text, checked here.
impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
                Box::<RawValue>::deserialize(deserializer).map(Json)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                match map.next_key::<Key<'de>>()? {
                    Some(Key(token)) if token == JSON_TOKEN => {}
                    _ => return Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
                }
                let text: String = map.next_value()?;
                RawValue::from_string(text).map(Json).map_err(|error| de::Error::custom(message(&error)))
            }
        }
        let json = deserializer.deserialize_newtype_struct(JSON_TOKEN, JsonVisitor)?;
        check_unique_keys(json.as_text()).map_err(de::Error::custom)?;
        Ok(json)
    }
}

/// The text as it came when encoding to JSON (`serde_json`, which the generated
/// `encode` uses). Other serde formats get `serde_json`'s raw-value token.
impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Checks that no object in the JSON text has a key twice, nested at most as deep as
/// serde_json reads. One pass over the text (which serde_json has already read as JSON):
/// numbers are skipped, not read, since JSON allows any size (`1e400`, 400 digits) and their
/// text is what is kept; only keys are decoded. The error names where inside the value
/// (`[0].k`).
pub(crate) fn check_unique_keys(text: &str) -> Result<(), String> {
    /// How deep untyped values may nest, as serde_json's own limit.
    const MAX_DEPTH: usize = 128;
    enum Level {
        Object { keys: std::collections::BTreeSet<String>, key: Option<String>, expecting_key: bool },
        Array { index: usize },
    }
    fn path(levels: &[Level]) -> String {
        let mut path = String::new();
        for level in levels {
            match level {
                Level::Object { key: Some(key), .. } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Level::Object { key: None, .. } => {}
                Level::Array { index } => path.push_str(&format!("[{index}]")),
            }
        }
        path
    }
    let fail = |levels: &[Level], message: String| {
        let at = path(levels);
        Err(if at.is_empty() { message } else { format!("{message}, at `{at}` inside the value") })
    };
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b'{' | b'[')) {
        return Ok(()); // a string, number or literal has no keys
    }
    let mut levels: Vec<Level> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            opening @ (b'{' | b'[') => {
                if levels.len() >= MAX_DEPTH {
                    return fail(&levels, "recursion limit exceeded".to_owned());
                }
                levels.push(if opening == b'{' {
                    Level::Object { keys: std::collections::BTreeSet::new(), key: None, expecting_key: true }
                } else {
                    Level::Array { index: 0 }
                });
            }
            b'}' | b']' => {
                levels.pop();
            }
            b',' => match levels.last_mut() {
                Some(Level::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Level::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = at;
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                let quoted = text.get(start..=at).unwrap_or_default();
                if let Some(Level::Object { keys, key, expecting_key: expecting @ true }) = levels.last_mut() {
                    *expecting = false;
                    let name: String = serde_json::from_str(quoted).map_err(|error| message(&error))?;
                    if !keys.insert(name.clone()) {
                        *key = None;
                        return fail(&levels, format!("duplicate key `{name}`"));
                    }
                    *key = Some(name);
                }
            }
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// An object's members in order, each value as its text; a key given twice stays twice.
pub(crate) struct Members<'a>(pub(crate) Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'a>, A::Error> {
                let mut members = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor(PhantomData))
    }
}

/// Text borrowed from the input when it has no escapes, owned otherwise.
pub(crate) type Text<'de> = Cow<'de, str>;

pub(crate) struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    #[inline]
    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Text<'de>, E> {
        Ok(Cow::Borrowed(value))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Text<'de>, E> {
        Ok(Cow::Owned(value.to_owned()))
    }
    fn visit_string<E: de::Error>(self, value: String) -> Result<Text<'de>, E> {
        Ok(Cow::Owned(value))
    }
}

/// A map key or string value read without copying when the input allows it.
#[doc(hidden)]
pub struct Key<'de>(pub Text<'de>);

impl<'de> Deserialize<'de> for Key<'de> {
    // Inlined into the readers' loops over members: out of line, the key comes back through
    // memory in a way that stalls the processor (store forwarding), about 4 ns a member.
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(Key)
    }
}

/// A `serde_json` error's message without its position (which counts inside a captured
/// value, not in the event).
pub(crate) fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&position).map(str::to_owned).unwrap_or(text)
}

pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
            (Some(a), Some(b), _, _) => a == b,
            (_, _, Some(a), Some(b)) => a == b,
            _ => a.as_f64() == b.as_f64(),
        },
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| json_equal(a, b)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(key, a)| b.get(key).is_some_and(|b| json_equal(a, b)))
        }
        (a, b) => a == b,
    }
}
