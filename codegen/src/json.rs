//! Schema documents are parsed strictly: a member given twice is an error naming where, not
//! "the last one wins" (serde_json's `Value` keeps the last silently, so a reviewer could read
//! one schema and the generator use another).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::json_pointer::escape;

/// Parses a schema document: JSON text without a byte order mark, no member given twice. The
/// error says what is wrong, with the line and column (and, for a repeated member, the JSON
/// pointer of its object).
pub fn parse_document(text: &str) -> Result<Value, String> {
    if text.starts_with('\u{feff}') {
        return Err("starts with a byte order mark (U+FEFF), which JSON text must not".to_owned());
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Strict { pointer: String::new() }.deserialize(&mut deserializer).map_err(|error| error.to_string())?;
    deserializer.end().map_err(|error| error.to_string())?;
    Ok(value)
}

/// A JSON value at `pointer`.
struct Strict {
    pointer: String,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }
    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }
    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict { pointer: format!("{}/{}", self.pointer, items.len()) })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.contains_key(&key) {
                let object = if self.pointer.is_empty() { "the root object" } else { &self.pointer };
                return Err(de::Error::custom(format!("member `{key}` is given twice in {object}")));
            }
            let value = map.next_value_seed(Strict { pointer: format!("{}/{}", self.pointer, escape(&key)) })?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_document;

    #[test]
    fn a_repeated_member_is_an_error_naming_its_object() {
        let error = parse_document(r#"{"properties": {"a/b": {"type": "string", "type": "integer"}}}"#).unwrap_err();
        assert!(error.contains("member `type` is given twice in /properties/a~1b"), "{error}");
        assert!(error.contains("line 1"), "{error}");
    }

    #[test]
    fn bom_truncation_and_trailing_text_are_errors() {
        assert!(parse_document("\u{feff}{}").unwrap_err().contains("byte order mark"));
        assert!(parse_document("{\"a\": [1, 2").unwrap_err().contains("EOF"));
        assert!(parse_document("{} {}").unwrap_err().contains("trailing characters"));
    }

    #[test]
    fn valid_documents_parse_like_serde_json() {
        let text = r#"{"a": [1, -2, 3.5, true, null, "x", {"b": {}}], "c": 18446744073709551615}"#;
        assert_eq!(parse_document(text).unwrap(), serde_json::from_str::<serde_json::Value>(text).unwrap());
    }
}
