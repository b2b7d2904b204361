//! A counterexample for a breaking finding: an instance that one side's schema accepts and the
//! other rejects, which is what convinces a reviewer that the change breaks someone. Found by
//! search, judged by a real validator (`boon`, formats checked): start from a small
//! instance valid under one schema, put candidate values at the finding's place (or remove
//! the member there), and keep the first instance the two schemas disagree on.

use serde_json::{json, Map, Value};

use super::Finding;

/// How many levels of a schema the instance builder follows.
const MAX_DEPTH: usize = 16;
/// The longest string or array the search builds; bounds beyond it are not tried.
const MAX_LENGTH: u64 = 4096;

/// Which way a counterexample breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The old schema accepts it and the new one rejects it: an event sent before the change
    /// that a reader built from the new schema refuses.
    OldEventNewReader,
    /// The new schema accepts it and the old one rejects it: an event sent after the change
    /// that a reader still built from the old schema refuses.
    NewEventOldReader,
}

impl Direction {
    /// Stable name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::OldEventNewReader => "old-event-new-reader",
            Direction::NewEventOldReader => "new-event-old-reader",
        }
    }

    /// What it means, for the text output.
    pub fn describe(self) -> &'static str {
        match self {
            Direction::OldEventNewReader => {
                "valid under the old schema, rejected by the new one (an old event, a new reader)"
            }
            Direction::NewEventOldReader => {
                "valid under the new schema, rejected by the old one (a new event, an old reader)"
            }
        }
    }
}

/// An instance the two schemas disagree on.
#[derive(Debug, Clone, PartialEq)]
pub struct Counterexample {
    /// The instance (the event's `data`).
    pub instance: Value,
    /// Which side accepts it.
    pub direction: Direction,
}

/// A counterexample for `finding` (a change from `old` to `new`, both single documents), or why
/// none was found.
pub fn counterexample(old: &Value, new: &Value, finding: &Finding) -> Result<Counterexample, String> {
    let validator = |schema: &Value, side: &str| {
        crate::validation::Validator::new(schema)
            .map_err(|error| format!("the {side} schema cannot be compiled for validation here: {error}"))
    };
    let (old_validator, new_validator) = (validator(old, "old")?, validator(new, "new")?);
    let path = instance_path(&finding.pointer);
    let judge = |instance: &Value| (old_validator.is_valid(instance), new_validator.is_valid(instance));
    // Instances both sides accept come first: a disagreement after a change at the finding's
    // place is then that place's. From an instance only one side accepts, a candidate counts
    // only when it turns both verdicts: then each side's objection is at that place, not at
    // some other change.
    let mut bases: Vec<(Value, (bool, bool))> = [minimal(old, old, 0), minimal(new, new, 0)]
        .into_iter()
        .map(|base| {
            let verdicts = judge(&base);
            (base, verdicts)
        })
        .filter(|(_, (old_ok, new_ok))| *old_ok || *new_ok)
        .collect();
    bases.sort_by_key(|(_, (old_ok, new_ok))| !(*old_ok && *new_ok));
    if bases.is_empty() {
        return Err("no small instance valid under either schema could be built (the search does not invent strings for `pattern` or `format`)".to_owned());
    }
    let mut candidates: Vec<Option<Value>> = vec![None];
    for schema in [old, new] {
        if let Some(at) = schema_at(schema, &finding.pointer) {
            candidates.extend(values_for(at, schema).into_iter().map(Some));
        }
    }
    candidates.extend(generic_values().into_iter().map(Some));
    for (base, (base_old, base_new)) in &bases {
        let both_accept_base = *base_old && *base_new;
        for candidate in &candidates {
            let Some(instance) = with_value_at(base, &path, candidate.as_ref()) else { continue };
            let (old_ok, new_ok) = judge(&instance);
            if old_ok == new_ok || !(both_accept_base || (old_ok != *base_old && new_ok != *base_new)) {
                continue;
            }
            let direction = if old_ok { Direction::OldEventNewReader } else { Direction::NewEventOldReader };
            return Ok(Counterexample { instance, direction });
        }
    }
    Err(match finding.rule.as_str() {
        "PROPERTY_REMOVED" | "PROPERTY_RENAMED" => {
            "both schemas accept the same instances here: the member is now undocumented, so the break is that a new reader no longer reads it, not that it rejects it".to_owned()
        }
        "DEFAULT_CHANGED" | "ID_CHANGED" => "the change does not affect which instances are valid".to_owned(),
        _ => "the search found none among the values it tries (the values of both schemas, boundaries and a few of each JSON type)".to_owned(),
    })
}

/// The instance location a schema-shaped pointer leads to: `properties/x` is the member `x`,
/// `items` the first element, `additionalProperties` a member no schema lists; branches and
/// the keyword at the end do not move.
fn instance_path(pointer: &str) -> Vec<String> {
    let segments: Vec<String> = pointer.split('/').skip(1).map(crate::json_pointer::unescape).collect();
    let mut path = Vec::new();
    let mut index = 0;
    while index < segments.len() {
        match segments[index].as_str() {
            "properties" if index + 1 < segments.len() => {
                path.push(segments[index + 1].clone());
                index += 2;
            }
            "items" => {
                path.push("0".to_owned());
                index += 1;
            }
            "additionalProperties" => {
                path.push("counterexample_member".to_owned());
                index += 1;
            }
            "oneOf" | "anyOf" | "allOf" => index += 2,
            _ => index += 1,
        }
    }
    path
}

/// The subschema a schema-shaped pointer (refs inlined) names in `document`, following local
/// `$ref`s on the way; the keyword at the end is dropped.
fn schema_at<'a>(document: &'a Value, pointer: &str) -> Option<&'a Value> {
    let segments: Vec<String> = pointer.split('/').skip(1).map(crate::json_pointer::unescape).collect();
    let mut at = resolve(document, document, 0)?;
    let mut index = 0;
    while index < segments.len() {
        let segment = segments[index].as_str();
        let next = match segment {
            "properties" | "oneOf" | "anyOf" | "allOf" if index + 1 < segments.len() => {
                let key = &segments[index + 1];
                index += 2;
                match at.get(segment)? {
                    Value::Object(map) => map.get(key),
                    Value::Array(items) => items.get(key.parse::<usize>().ok()?),
                    _ => None,
                }
            }
            "items" | "additionalProperties" => {
                index += 1;
                at.get(segment)
            }
            _ => return Some(at),
        }?;
        at = resolve(document, next, 0)?;
    }
    Some(at)
}

/// `schema`, with a local `$ref` (and nothing else that constrains) followed.
fn resolve<'a>(document: &'a Value, schema: &'a Value, depth: usize) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str).and_then(|reference| reference.strip_prefix('#')) {
        Some(target) if depth < MAX_DEPTH => resolve(document, document.pointer(target)?, depth + 1),
        Some(_) => None,
        None => Some(schema),
    }
}

/// Values a schema itself suggests: its `const` and `enum` values, its `default` and
/// `examples`, and just outside and inside its bounds.
fn values_for(schema: &Value, document: &Value) -> Vec<Value> {
    let mut values = Vec::new();
    values.extend(schema.get("const").cloned());
    values.extend(schema.get("enum").and_then(Value::as_array).into_iter().flatten().cloned());
    values.extend(schema.get("default").cloned());
    values.extend(schema.get("examples").and_then(Value::as_array).into_iter().flatten().cloned());
    for keyword in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
        if let Some(bound) = schema.get(keyword).and_then(Value::as_f64) {
            for value in [bound - 1.0, bound, bound + 1.0] {
                values.push(number(value));
            }
        }
    }
    if let Some(step) = schema.get("multipleOf").and_then(Value::as_f64) {
        values.push(number(step * 1.5));
    }
    for keyword in ["minLength", "maxLength"] {
        if let Some(length) = schema.get(keyword).and_then(Value::as_u64).filter(|length| *length <= MAX_LENGTH) {
            for length in [length.saturating_sub(1), length, length + 1] {
                values.push(Value::String("a".repeat(length as usize)));
            }
        }
    }
    let item = schema.get("items").map(|items| minimal(items, document, 1)).unwrap_or(Value::Null);
    for keyword in ["minItems", "maxItems"] {
        if let Some(count) = schema.get(keyword).and_then(Value::as_u64).filter(|count| *count <= MAX_LENGTH) {
            for count in [count.saturating_sub(1), count, count + 1] {
                values.push(Value::Array(vec![item.clone(); count as usize]));
            }
        }
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        values.push(json!([item.clone(), item]));
    }
    values
}

fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// A few values of every JSON type.
fn generic_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(0.5),
        json!(""),
        json!("a"),
        json!("not a date or an email"),
        json!("2026-01-01T00:00:00Z"),
        json!([]),
        json!(["a"]),
        json!([1]),
        json!({}),
    ]
}

/// A small instance of `schema`: required members only, the first of any enum, the lower
/// bound of any range. Not always valid (patterns and formats are not generated): callers
/// check.
fn minimal(schema: &Value, document: &Value, depth: usize) -> Value {
    let Some(schema) = resolve(document, schema, 0).filter(|_| depth < MAX_DEPTH) else { return Value::Null };
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|values| values.first()) {
        return first.clone();
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(first) = schema.get(keyword).and_then(Value::as_array).and_then(|branches| branches.first()) {
            if schema.get("type").is_none() && schema.get("properties").is_none() {
                return minimal(first, document, depth + 1);
            }
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ if schema.get("properties").is_some() || schema.get("required").is_some() => vec!["object"],
        _ if schema.get("items").is_some() => vec!["array"],
        _ => vec!["null"],
    };
    let chosen = types.iter().copied().find(|name| *name != "null").or(types.first().copied()).unwrap_or("null");
    match chosen {
        "object" => {
            let mut object = Map::new();
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                let member = properties.and_then(|properties| properties.get(name)).cloned().unwrap_or(json!({}));
                object.insert(name.to_owned(), minimal(&member, document, depth + 1));
            }
            Value::Object(object)
        }
        "array" => {
            let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(16) as usize;
            let item = schema.get("items").map(|items| minimal(items, document, depth + 1)).unwrap_or(Value::Null);
            Value::Array(vec![item; count])
        }
        "string" => {
            Value::String("a".repeat(schema.get("minLength").and_then(Value::as_u64).unwrap_or(0).min(256) as usize))
        }
        "integer" | "number" => {
            let low = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
            number(if chosen == "integer" { low.ceil() } else { low })
        }
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// `base` with `value` at `path` (intermediate objects and arrays created), or without the
/// member there (`None`); `None` when the path cannot be made in `base`.
fn with_value_at(base: &Value, path: &[String], value: Option<&Value>) -> Option<Value> {
    let mut instance = base.clone();
    if path.is_empty() {
        return value.cloned();
    }
    let mut at = &mut instance;
    for (index, segment) in path.iter().enumerate() {
        let last = index + 1 == path.len();
        if at.is_null() {
            *at = if segment == "0" { json!([]) } else { json!({}) };
        }
        match at {
            Value::Object(object) => {
                if last {
                    match value {
                        Some(value) => {
                            object.insert(segment.clone(), value.clone());
                        }
                        None => {
                            object.remove(segment);
                        }
                    }
                    return Some(instance);
                }
                at = object.entry(segment.clone()).or_insert(Value::Null);
            }
            Value::Array(items) if segment == "0" => {
                if items.is_empty() {
                    items.push(Value::Null);
                }
                if last {
                    match value {
                        Some(value) => items[0] = value.clone(),
                        None => {
                            items.remove(0);
                        }
                    }
                    return Some(instance);
                }
                at = &mut items[0];
            }
            _ => return None,
        }
    }
    Some(instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_finding_gets_a_counterexample_of_its_own_change() {
        // Two changes at once: a required member added, and a value added to an enum. The
        // enum's counterexample must not be an instance that only the missing member breaks.
        let old = json!({"type": "object", "required": ["status"], "properties": {
            "status": {"enum": ["open", "closed"]}
        }});
        let new = json!({"type": "object", "required": ["status", "b"], "properties": {
            "status": {"enum": ["open", "closed", "held"]}, "b": {"type": "string"}
        }});
        let findings = super::super::compare(&old, &new).unwrap();
        let directions: Vec<(&str, Direction)> = findings
            .iter()
            .map(|finding| (finding.rule.as_str(), counterexample(&old, &new, finding).unwrap().direction))
            .collect();
        assert_eq!(
            directions,
            [
                ("REQUIRED_PROPERTY_ADDED", Direction::OldEventNewReader),
                ("ENUM_VALUES_ADDED", Direction::NewEventOldReader)
            ],
            "{findings:?}"
        );
        let added = findings.iter().find(|finding| finding.rule.as_str() == "ENUM_VALUES_ADDED").unwrap();
        assert_eq!(counterexample(&old, &new, added).unwrap().instance, json!({"status": "held", "b": ""}));
    }

    #[test]
    fn huge_bounds_are_not_built() {
        let old = json!({"type": "string"});
        let new = json!({"type": "string", "maxLength": u64::MAX});
        let values = values_for(&new, &new);
        assert!(values.iter().all(|value| value.as_str().is_none_or(|text| text.len() <= 4097)));
        // And nothing overflows on the way: the finding gets an answer, whichever.
        for finding in super::super::compare(&old, &new).unwrap() {
            let _answer = counterexample(&old, &new, &finding);
        }
    }
}
