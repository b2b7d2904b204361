//! Rewrites a checked payload schema into the equivalent form typify turns into the right
//! Rust types, where typify's own reading would lose meaning.
//!
//! - `const` becomes a one-value `enum` with its JSON type, so that the generated type rejects
//!   every other value (typify 0.8 makes `{"const": "x"}` a `serde_json::Value` and
//!   `{"type": "string", "const": "x"}` a `String`, accepting anything).
//! - `$defs` (2020-12) moves to `definitions`, the only spelling schemars 0.8 reads, and
//!   references follow it.
//! - `format` is dropped: typify would read `date-time` into `chrono::DateTime<Utc>`, which
//!   rewrites `+02:00` as `Z` and drops trailing zeros, so re-encoding would not give back what
//!   was received. Strings stay `String`s, exactly as sent.
//! - the root's `title` becomes the payload's Rust name, which typify uses for the root type.
//! - `title` and `description`, which typify turns into doc comments, are made inert: no
//!   direction overrides or invisible characters (rustc rejects a crate whose comments hold
//!   them, and they can hide text from a reviewer), no code fences or indented code blocks (a
//!   doc comment's code block is a doctest).

use serde_json::{Map, Value};

/// The typify-ready copy of `schema`, whose root type will be named `root_type`.
pub(crate) fn normalize(schema: &Value, root_type: &str) -> Value {
    let mut schema = schema.clone();
    rewrite(&mut schema);
    if let Value::Object(root) = &mut schema {
        if let Some(Value::Object(defs)) = root.remove("$defs") {
            let definitions = root.entry("definitions").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(definitions) = definitions {
                definitions.extend(defs);
            }
        }
        root.insert("title".to_owned(), Value::String(root_type.to_owned()));
    }
    schema
}

/// Rewrites one schema and every subschema below it (the positions `schema_check` admits).
fn rewrite(schema: &mut Value) {
    let Value::Object(object) = schema else {
        return;
    };
    object.remove("format");
    for keyword in ["title", "description"] {
        if let Some(Value::String(text)) = object.get_mut(keyword) {
            *text = inert_text(text);
        }
    }
    if let Some(value) = object.remove("const") {
        if !object.contains_key("type") {
            object.insert("type".to_owned(), Value::String(json_type(&value).to_owned()));
        }
        object.insert("enum".to_owned(), Value::Array(vec![value]));
    }
    if let Some(Value::String(reference)) = object.get_mut("$ref") {
        if let Some(name) = reference.strip_prefix("#/$defs/") {
            *reference = format!("#/definitions/{name}");
        }
    }
    for (keyword, value) in object.iter_mut() {
        match (keyword.as_str(), value) {
            ("properties" | "$defs" | "definitions", Value::Object(members)) => members.values_mut().for_each(rewrite),
            ("allOf" | "anyOf" | "oneOf", Value::Array(subschemas)) => subschemas.iter_mut().for_each(rewrite),
            ("items" | "additionalProperties", subschema) => rewrite(subschema),
            _ => {}
        }
    }
}

/// Documentation text that cannot run, hide or break anything: invisible and direction-changing
/// characters removed, code fences and indented code blocks turned into plain text.
fn inert_text(text: &str) -> String {
    let visible: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    visible
        .lines()
        .map(|line| line.trim_start().replace("```", "'''").replace("~~~", "'''"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{180E}')
        || (c.is_control() && c != '\n' && c != '\t')
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[track_caller]
    fn check(input: serde_json::Value, expected: serde_json::Value) {
        assert_eq!(super::normalize(&input, "Root"), expected);
    }

    #[test]
    fn const_becomes_typed_single_value_enum() {
        check(
            json!({"type": "object", "properties": {"status": {"const": "published"}, "n": {"const": 3}}}),
            json!({"type": "object", "title": "Root", "properties": {
                "status": {"type": "string", "enum": ["published"]},
                "n": {"type": "integer", "enum": [3]}}}),
        );
    }

    #[test]
    fn format_is_dropped_so_strings_round_trip_exactly() {
        check(
            json!({"properties": {"at": {"type": "string", "format": "date-time"}}}),
            json!({"title": "Root", "properties": {"at": {"type": "string"}}}),
        );
    }

    #[test]
    fn documentation_text_is_inert() {
        check(
            json!({"description": "Run:\n```\npanic!()\n```\n    indented();\nhidden \u{202e}txet\u{202c} \u{200b}x\u{7}"}),
            json!({"title": "Root", "description": "Run:\n'''\npanic!()\n'''\nindented();\nhidden txet x"}),
        );
    }

    #[test]
    fn declared_type_is_kept() {
        check(
            json!({"properties": {"s": {"type": "string", "const": "x"}}}),
            json!({"title": "Root", "properties": {"s": {"type": "string", "enum": ["x"]}}}),
        );
    }

    #[test]
    fn defs_move_to_definitions_with_their_references() {
        check(
            json!({"$defs": {"A": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/A"}}}),
            json!({"definitions": {"A": {"type": "string"}}, "title": "Root", "properties": {"a": {"$ref": "#/definitions/A"}}}),
        );
    }

    #[test]
    fn only_schemas_are_rewritten_not_data_or_property_names() {
        check(
            json!({"enum": [{"const": 1}], "examples": [{"const": 2}], "properties": {"const": {"type": "string"}}}),
            json!({"title": "Root", "enum": [{"const": 1}], "examples": [{"const": 2}], "properties": {"const": {"type": "string"}}}),
        );
    }
}
