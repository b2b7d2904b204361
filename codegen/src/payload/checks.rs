//! The validation keywords a checked newtype enforces, read from one schema object: string
//! lengths and patterns, numeric bounds and `multipleOf`, item counts. `lower` builds newtypes
//! from these; the survey asks `checked_where_stated`, so that every check no newtype makes is
//! listed as not enforced. The list errs on the safe side: an `allOf` part's check is listed
//! when the part alone is not typed, though the merged schema checks it (merged parts keep
//! every check: `multipleOf`s combine to their least common multiple, `pattern`s are all
//! matched, bounds take the tightest, compared as `f64`); checks beside `enum`/`const`, merged
//! or not, are listed by `lower`.

use serde_json::{Map, Value};

use super::merge::type_set;
use super::model::{Bound, ItemChecks, NumberChecks, StringChecks};

/// Keywords that a checked newtype enforces where `checked_where_stated` says so.
pub(crate) const CHECKED: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
];

pub(crate) fn string_checks(object: &Map<String, Value>) -> StringChecks {
    StringChecks {
        min_length: object.get("minLength").and_then(Value::as_u64).filter(|length| *length > 0),
        max_length: object.get("maxLength").and_then(Value::as_u64),
        patterns: patterns(object.get("pattern"))
            .filter_map(|source| Some((crate::pattern::to_rust(source).ok()?, source.to_owned())))
            .collect(),
    }
}

/// A schema's `pattern`: one string, or several where merged `allOf` parts each gave one.
fn patterns(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let all: Vec<&str> = match value {
        Some(Value::String(pattern)) => vec![pattern.as_str()],
        Some(Value::Array(patterns)) => patterns.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    all.into_iter()
}

/// The bounds of a number, in either spelling: `exclusiveMinimum: 3` (draft-06 on), or
/// `minimum: 3` with `exclusiveMinimum: true` (draft-04).
pub(crate) fn number_checks(object: &Map<String, Value>, integer: bool) -> NumberChecks {
    let bounds = |inclusive: &str, exclusive: &str| {
        let mut bounds = Vec::new();
        let exclusive_flag = object.get(exclusive).and_then(Value::as_bool).unwrap_or(false);
        if let Some(Value::Number(value)) = object.get(inclusive) {
            bounds.push(Bound { value: value.clone(), exclusive: exclusive_flag });
        }
        if let Some(Value::Number(value)) = object.get(exclusive) {
            bounds.push(Bound { value: value.clone(), exclusive: true });
        }
        bounds
    };
    NumberChecks {
        lower: bounds("minimum", "exclusiveMinimum"),
        upper: bounds("maximum", "exclusiveMaximum"),
        multiple_of: object.get("multipleOf").and_then(Value::as_u64).filter(|divisor| integer && *divisor > 0),
    }
}

pub(crate) fn item_checks(object: &Map<String, Value>) -> ItemChecks {
    ItemChecks {
        min_items: object.get("minItems").and_then(Value::as_u64).filter(|count| *count > 0),
        max_items: object.get("maxItems").and_then(Value::as_u64),
    }
}

/// Whether a newtype checks `keyword` where the schema object `object` states it: the object
/// is lowered straight from its `type` (no `enum`/`const`, union, `allOf` or `$ref` turns it
/// into something else), the type is one the keyword applies to, and the value is one the
/// check reads. Anywhere else the keyword is listed as not enforced.
pub(crate) fn checked_where_stated(keyword: &str, object: &Map<String, Value>) -> bool {
    const RESHAPING: &[&str] = &["enum", "const", "oneOf", "anyOf", "allOf", "$ref"];
    if RESHAPING.iter().any(|reshaping| object.contains_key(*reshaping)) {
        return false;
    }
    let Some(declared) = object.get("type") else { return false };
    let types = type_set(declared);
    let has = |name: &str| types.iter().any(|declared| declared == name);
    let Some(value) = object.get(keyword) else { return false };
    match keyword {
        "minLength" | "maxLength" => has("string") && value.is_u64(),
        "pattern" => {
            has("string")
                && (value.is_string() || value.is_array())
                && patterns(Some(value)).all(|pattern| crate::pattern::to_rust(pattern).is_ok())
        }
        "minimum" | "maximum" => (has("integer") || has("number")) && value.is_number(),
        "exclusiveMinimum" | "exclusiveMaximum" => {
            let bound = if keyword == "exclusiveMinimum" { "minimum" } else { "maximum" };
            (has("integer") || has("number"))
                && (value.is_number() || (value.is_boolean() && object.get(bound).is_some_and(Value::is_number)))
        }
        // An integer's remainder is exact; a fraction's is not, so only integers are checked.
        "multipleOf" => has("integer") && !has("number") && value.as_u64().is_some_and(|divisor| divisor > 0),
        // Tuples (`prefixItems`, `items` as an array) count their positions their own way.
        "minItems" | "maxItems" => {
            has("array")
                && value.is_u64()
                && !object.contains_key("prefixItems")
                && !object.get("items").is_some_and(Value::is_array)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn both_spellings_of_exclusive_bounds_are_read() {
        let modern = number_checks(&object(json!({"exclusiveMinimum": 3, "maximum": 9})), true);
        let legacy = number_checks(&object(json!({"minimum": 3, "exclusiveMinimum": true, "maximum": 9})), true);
        assert_eq!(modern, legacy);
        assert_eq!(modern.lower, vec![Bound { value: 3.into(), exclusive: true }]);
        assert_eq!(modern.upper, vec![Bound { value: 9.into(), exclusive: false }]);
    }

    #[test]
    fn only_a_typed_schema_object_checks_its_keywords() {
        let typed = object(json!({"type": ["integer", "null"], "minimum": 1, "multipleOf": 2}));
        assert!(checked_where_stated("minimum", &typed) && checked_where_stated("multipleOf", &typed));
        let number = object(json!({"type": "number", "multipleOf": 2}));
        assert!(!checked_where_stated("multipleOf", &number), "a fraction's remainder is not exact");
        for reshaped in [json!({"type": "integer", "minimum": 1, "enum": [0, 1]}), json!({"minimum": 1})] {
            assert!(!checked_where_stated("minimum", &object(reshaped)));
        }
        let tuple = object(json!({"type": "array", "prefixItems": [{}], "maxItems": 1}));
        assert!(!checked_where_stated("maxItems", &tuple));
        assert!(checked_where_stated("maxItems", &object(json!({"type": "array", "maxItems": 1}))));
    }
}
