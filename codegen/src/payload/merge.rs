//! `allOf`, and `$ref` beside other keywords (2019-09 and later apply both): the schemas that
//! must all hold are flattened into one schema object, which `lower` then reads like any
//! other. A reference that the other branches only restate (`{"type": "object", "$ref": ...}`)
//! stays a reference, so that the named type it gives is used, not a copy.

use serde_json::{Map, Value};

use super::keywords::{is_annotation, is_container};

/// How many schemas one `allOf` may flatten into (each `$ref` followed counts): a chain of
/// 300 aliases is fine, a cycle is not.
const MAX_PARTS: usize = 4096;

/// Why schemas cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MergeError {
    /// The parts allow no value in common (a union branch that says so can never match).
    Contradiction(String),
    /// The parts are not schemas one can merge (a cycle, a malformed keyword).
    Invalid(String),
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MergeError::Contradiction(message) | MergeError::Invalid(message) => f.write_str(message),
        }
    }
}

impl From<String> for MergeError {
    fn from(message: String) -> Self {
        MergeError::Invalid(message)
    }
}

impl From<&str> for MergeError {
    fn from(message: &str) -> Self {
        MergeError::Invalid(message.to_owned())
    }
}

/// What an `allOf` (or a `$ref` with siblings) comes to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Merged {
    /// Exactly the type of this reference (as written): the other parts add nothing.
    Reference(String),
    /// One schema object that says what all the parts say.
    Schema(Map<String, Value>),
}

/// Flattens `parts`, all of which must hold. `resolve` gives the schema a `$ref` names, with
/// its own references made valid where the result is read; `modern` is true for drafts in
/// which a `$ref`'s siblings apply (2019-09 and later).
pub(crate) fn merge(
    parts: &[Value],
    resolve: &dyn Fn(&str) -> Result<Value, String>,
    modern: bool,
) -> Result<Merged, MergeError> {
    if let Some(reference) = restated_reference(parts, resolve, modern)? {
        return Ok(Merged::Reference(reference));
    }
    let mut flat = Vec::new();
    let mut followed = Vec::new();
    for part in parts {
        flatten(part, resolve, modern, &mut flat, &mut followed)?;
    }
    combine(flat).map(Merged::Schema)
}

/// The one pure `$ref` among `parts` when every other part only restates what its target
/// says (annotations, or keywords with the target's own values).
fn restated_reference(
    parts: &[Value],
    resolve: &dyn Fn(&str) -> Result<Value, String>,
    modern: bool,
) -> Result<Option<String>, MergeError> {
    let pure = |part: &Value| -> Option<String> {
        let object = part.as_object()?;
        let reference = object.get("$ref")?.as_str()?;
        let siblings_apply =
            modern && object.keys().any(|key| key != "$ref" && !is_annotation(key) && !is_container(key));
        (!siblings_apply).then(|| reference.to_owned())
    };
    let references: Vec<(usize, String)> =
        parts.iter().enumerate().filter_map(|(index, part)| Some((index, pure(part)?))).collect();
    let [(index, reference)] = references.as_slice() else { return Ok(None) };
    let mut flat = Vec::new();
    flatten(&resolve(reference)?, resolve, modern, &mut flat, &mut Vec::new())?;
    let target = combine(flat)?;
    let restates = parts.iter().enumerate().filter(|(other, _)| other != index).all(|(_, part)| match part {
        Value::Bool(true) => true,
        Value::Object(object) => object.iter().all(|(keyword, value)| {
            is_annotation(keyword)
                || is_container(keyword)
                || (keyword == "$ref" && value.as_str() == Some(reference.as_str()))
                || target.get(keyword) == Some(value)
                || (keyword == "type" && target.get("type").is_some_and(|target| types_within(target, value)))
        }),
        _ => false,
    });
    Ok(restates.then(|| reference.clone()))
}

/// Whether every type `inner` allows is one `outer` allows.
fn types_within(inner: &Value, outer: &Value) -> bool {
    let outer = type_set(outer);
    type_set(inner)
        .iter()
        .all(|name| outer.contains(name) || (name == "integer" && outer.iter().any(|outer| outer == "number")))
}

/// The JSON types a `type` keyword names (one, or an array of them).
pub(crate) fn type_set(value: &Value) -> Vec<String> {
    match value {
        Value::String(name) => vec![name.clone()],
        Value::Array(names) => names.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn flatten(
    part: &Value,
    resolve: &dyn Fn(&str) -> Result<Value, String>,
    modern: bool,
    flat: &mut Vec<Map<String, Value>>,
    followed: &mut Vec<String>,
) -> Result<(), MergeError> {
    if flat.len() + followed.len() > MAX_PARTS {
        return Err(format!("`allOf` and `$ref` flatten into more than {MAX_PARTS} schemas").into());
    }
    let mut object = match part {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => {
            return Err(MergeError::Contradiction(
                "an `allOf` branch is the `false` schema: no value could match".to_owned(),
            ))
        }
        Value::Object(object) => object.clone(),
        _ => return Err("an `allOf` branch must be a schema".into()),
    };
    for keyword in ["$defs", "definitions", "$id", "$schema", "id"] {
        if object.get(keyword).is_some_and(|value| keyword != "id" || value.is_string()) {
            object.remove(keyword);
        }
    }
    if let Some(reference) = object.remove("$ref") {
        let reference = reference.as_str().ok_or("`$ref` must be a string")?.to_owned();
        if followed.contains(&reference) {
            return Err(format!("`{reference}` leads back to itself through `allOf` and `$ref` alone").into());
        }
        followed.push(reference.clone());
        flatten(&resolve(&reference)?, resolve, modern, flat, followed)?;
        followed.pop();
        if !modern {
            // Before 2019-09, a `$ref`'s siblings are ignored.
            object.retain(|keyword, _| is_annotation(keyword));
        }
    }
    if let Some(branches) = object.remove("allOf") {
        let branches = branches.as_array().cloned().ok_or("`allOf` must be an array")?;
        for branch in &branches {
            flatten(branch, resolve, modern, flat, followed)?;
        }
    }
    exclusive_bounds_as_numbers(&mut object);
    flat.push(object);
    Ok(())
}

/// The least common multiple, when it fits `u64`.
fn lcm(a: u64, b: u64) -> Option<u64> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x).checked_mul(b)
}

/// Draft-04's `exclusiveMinimum: true` beside `minimum: m` says what `exclusiveMinimum: m`
/// says from draft-06 on. In that form, bounds from several parts combine as each part meant.
fn exclusive_bounds_as_numbers(object: &mut Map<String, Value>) {
    for (inclusive, exclusive) in [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")] {
        let Some(Value::Bool(flag)) = object.get(exclusive) else { continue };
        let flag = *flag;
        object.remove(exclusive);
        if flag {
            if let Some(bound) = object.remove(inclusive) {
                object.insert(exclusive.to_owned(), bound);
            }
        }
    }
}

/// One schema object saying what every object of `flat` says.
fn combine(flat: Vec<Map<String, Value>>) -> Result<Map<String, Value>, MergeError> {
    let mut merged = Map::new();
    for object in flat {
        for (keyword, value) in object {
            // `const` is a one-value `enum`, so that the two intersect.
            let (keyword, value) =
                if keyword == "const" { ("enum".to_owned(), Value::Array(vec![value])) } else { (keyword, value) };
            let Some(existing) = merged.get_mut(&keyword) else {
                merged.insert(keyword, value);
                continue;
            };
            match keyword.as_str() {
                "type" => {
                    let common = intersect_types(existing, &value);
                    if common.is_empty() {
                        return Err(MergeError::Contradiction(format!(
                            "the `allOf` branches have no type in common ({existing} and {value}): no value could match"
                        )));
                    }
                    *existing = Value::Array(common.into_iter().map(Value::String).collect());
                }
                "properties" => {
                    let (Value::Object(known), Value::Object(more)) = (existing, value) else {
                        return Err("`properties` must be an object".into());
                    };
                    for (name, schema) in more {
                        match known.get_mut(&name) {
                            Some(present) if *present != schema => {
                                *present = serde_json::json!({ "allOf": [present.take(), schema] });
                            }
                            Some(_) => {}
                            None => {
                                known.insert(name, schema);
                            }
                        }
                    }
                }
                "required" => {
                    let (Value::Array(known), Value::Array(more)) = (existing, value) else {
                        return Err("`required` must be an array".into());
                    };
                    for name in more {
                        if !known.contains(&name) {
                            known.push(name);
                        }
                    }
                }
                "enum" => {
                    let more = value.as_array().cloned().unwrap_or_default();
                    if let Value::Array(known) = existing {
                        known.retain(|value| more.contains(value));
                        if known.is_empty() {
                            return Err(MergeError::Contradiction(
                                "the `allOf` branches allow no value in common (`enum`/`const`)".to_owned(),
                            ));
                        }
                    }
                }
                "additionalProperties" | "items" | "additionalItems" | "propertyNames" | "contains" => {
                    if *existing == Value::Bool(false) || value == Value::Bool(false) {
                        *existing = Value::Bool(false);
                    } else if *existing == Value::Bool(true) {
                        *existing = value;
                    } else if value != Value::Bool(true) && *existing != value {
                        *existing = serde_json::json!({ "allOf": [existing.take(), value] });
                    }
                }
                "minLength" | "minItems" | "minProperties" | "minimum" | "exclusiveMinimum"
                    if value.as_f64() > existing.as_f64() =>
                {
                    *existing = value;
                }
                "maxLength" | "maxItems" | "maxProperties" | "maximum" | "exclusiveMaximum"
                    if value.as_f64() < existing.as_f64() =>
                {
                    *existing = value;
                }
                // Both must divide: integers by their least common multiple; a fraction (never
                // checked, and listed) gives way to an integer (checked).
                "multipleOf" if *existing != value => match (existing.as_u64(), value.as_u64()) {
                    (Some(a), Some(b)) if a > 0 && b > 0 => {
                        *existing = lcm(a, b).map_or(Value::from(a as f64 * b as f64), Value::from);
                    }
                    (None, Some(_)) => *existing = value,
                    _ => {}
                },
                // Both must match: the merged schema keeps every pattern (an array, only here).
                "pattern" if *existing != value => {
                    let mut patterns = match existing.take() {
                        Value::Array(patterns) => patterns,
                        single => vec![single],
                    };
                    if !patterns.contains(&value) {
                        patterns.push(value);
                    }
                    *existing = Value::Array(patterns);
                }
                "oneOf" | "anyOf" if *existing != value => {
                    // Both unions hold: one branch of each, so one union of every pair. For two
                    // `oneOf`s, exactly one pair matches exactly when one branch of each does.
                    let (Value::Array(first), Value::Array(second)) = (existing.take(), value) else {
                        return Err(format!("`{keyword}` must be an array").into());
                    };
                    let pairs = first
                        .iter()
                        .flat_map(|a| {
                            second.iter().map(move |b| serde_json::json!({ "allOf": [a.clone(), b.clone()] }))
                        })
                        .collect();
                    *existing = Value::Array(pairs);
                }
                // Annotations and everything else: the first part that says it.
                _ => {}
            }
        }
    }
    Ok(merged)
}

/// The JSON types both `a` and `b` allow (an `integer` is a `number`).
fn intersect_types(a: &Value, b: &Value) -> Vec<String> {
    let (a, b) = (type_set(a), type_set(b));
    let mut common = Vec::new();
    for name in &a {
        let kept = if b.contains(name) {
            Some(name.clone())
        } else if (name == "number" && b.iter().any(|other| other == "integer"))
            || (name == "integer" && b.iter().any(|other| other == "number"))
        {
            Some("integer".to_owned())
        } else {
            None
        };
        if let Some(kept) = kept.filter(|kept| !common.contains(kept)) {
            common.push(kept);
        }
    }
    common
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn definitions(reference: &str) -> Result<Value, String> {
        let root = json!({"$defs": {
            "Named": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "Alias": {"$ref": "#/$defs/Named"},
            "Loop": {"allOf": [{"$ref": "#/$defs/Loop"}]},
        }});
        root.pointer(reference.trim_start_matches('#')).cloned().ok_or_else(|| format!("no {reference}"))
    }

    #[track_caller]
    fn check(parts: Value, expected: Result<Merged, &str>) {
        let parts = parts.as_array().unwrap().clone();
        let merged = merge(&parts, &definitions, true);
        match expected {
            Ok(expected) => assert_eq!(merged, Ok(expected)),
            Err(message) => assert!(merged.unwrap_err().to_string().contains(message)),
        }
    }

    #[test]
    fn a_reference_restated_by_its_siblings_stays_a_reference() {
        check(
            json!([{"$ref": "#/$defs/Named"}, {"type": "object", "description": "x"}]),
            Ok(Merged::Reference("#/$defs/Named".to_owned())),
        );
    }

    #[test]
    fn narrowing_a_reference_gives_a_merged_schema() {
        let Ok(Merged::Schema(merged)) = merge(
            &[json!({"$ref": "#/$defs/Alias"}), json!({"required": ["b"], "properties": {"a": {"enum": ["x"]}}})],
            &definitions,
            true,
        ) else {
            panic!("expected a schema");
        };
        assert_eq!(merged["required"], json!(["a", "b"]));
        assert_eq!(merged["properties"]["a"], json!({"allOf": [{"type": "string"}, {"enum": ["x"]}]}));
        assert_eq!(merged["type"], json!("object"));
    }

    #[test]
    fn types_intersect_and_contradictions_are_errors() {
        let Ok(Merged::Schema(merged)) =
            merge(&[json!({"type": ["number", "null"]}), json!({"type": "integer"})], &definitions, true)
        else {
            panic!("expected a schema");
        };
        assert_eq!(merged["type"], json!(["integer"]));
        check(json!([{"type": "string"}, {"type": "integer"}]), Err("no type in common"));
        check(json!([{"const": 1}, {"enum": [2, 3]}]), Err("no value in common"));
    }

    #[test]
    fn cycles_are_errors_and_draft_07_ignores_siblings_of_ref() {
        check(json!([{"$ref": "#/$defs/Loop"}, {"required": ["z"]}]), Err("leads back to itself"));
        let merged = merge(
            &[json!({"$ref": "#/$defs/Named", "required": ["z"]}), json!({"minProperties": 1})],
            &definitions,
            false,
        );
        let Ok(Merged::Schema(merged)) = merged else { panic!("expected a schema") };
        assert_eq!(merged["required"], json!(["a"]));
    }
}
