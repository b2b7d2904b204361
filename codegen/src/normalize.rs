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

use crate::shared::SharedDocument;

/// A typify-ready schema, and the cross-file references it had: each became a definition
/// typify must replace by the named Rust type of the shared module, generated once.
pub(crate) struct Normalized {
    pub schema: Value,
    /// (definition name, Rust type path), for `TypeSpaceSettings::with_replacement`.
    pub replacements: Vec<(String, String)>,
}

/// The typify-ready copy of a contract's `schema`, whose root type will be named `root_type`;
/// `base` is its id, and `external` gives the Rust type of a cross-file `$ref`.
pub(crate) fn normalize(
    schema: &Value,
    root_type: &str,
    base: &str,
    external: &dyn Fn(&str) -> Option<String>,
) -> Normalized {
    let local = |reference: &str| reference.strip_prefix("#/$defs/").map(|name| format!("#/definitions/{name}"));
    let mut references = References::new(&local, external, base, schema);
    let mut schema = schema.clone();
    rewrite(&mut schema, &mut references);
    if let Value::Object(root) = &mut schema {
        if let Some(Value::Object(defs)) = root.remove("$defs") {
            let definitions = root.entry("definitions").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(definitions) = definitions {
                definitions.extend(defs);
            }
        }
        root.insert("title".to_owned(), Value::String(root_type.to_owned()));
    }
    references.into_normalized(schema)
}

/// The typify-ready copy of a shared document: a root holding only `definitions`, one per type
/// the document gives, under its Rust name.
pub(crate) fn normalize_shared(document: &SharedDocument, external: &dyn Fn(&str) -> Option<String>) -> Normalized {
    let local = |reference: &str| {
        let pointer = reference.strip_prefix('#')?;
        document.types.get(pointer).map(|name| format!("#/definitions/{name}"))
    };
    let mut references = References::new(&local, external, &document.id, &document.schema);
    let mut definitions = Map::new();
    for (pointer, name) in &document.types {
        let Some(mut schema) = document.schema.pointer(pointer).cloned() else { continue };
        if pointer.is_empty() {
            if let Value::Object(root) = &mut schema {
                for keyword in ["$defs", "definitions", "$id", "$schema"] {
                    root.remove(keyword);
                }
            }
        }
        rewrite(&mut schema, &mut references);
        definitions.insert(name.clone(), schema);
    }
    let mut root = Map::new();
    root.insert("definitions".to_owned(), Value::Object(definitions));
    references.into_normalized(Value::Object(root))
}

/// How `$ref`s are rewritten: local ones by `local`, cross-file ones into a placeholder
/// definition that typify replaces by the shared type `external` names.
struct References<'a> {
    local: &'a dyn Fn(&str) -> Option<String>,
    external: &'a dyn Fn(&str) -> Option<String>,
    /// The document's id: a reference that names it by URL is local.
    base: &'a str,
    /// The Rust names of the document's definitions: typify finds a replacement by a
    /// definition's Rust name, so a placeholder must not share one.
    taken: Vec<String>,
    replacements: Vec<(String, String)>,
}

impl<'a> References<'a> {
    fn new(
        local: &'a dyn Fn(&str) -> Option<String>,
        external: &'a dyn Fn(&str) -> Option<String>,
        base: &'a str,
        schema: &Value,
    ) -> Self {
        let taken = ["$defs", "definitions"]
            .iter()
            .filter_map(|keyword| schema.get(keyword).and_then(Value::as_object))
            .flat_map(|definitions| definitions.keys().map(|name| crate::names::type_name(name)))
            .collect();
        References { local, external, base, taken, replacements: Vec::new() }
    }

    fn rewrite(&mut self, reference: &str) -> Option<String> {
        if reference.starts_with('#') {
            return (self.local)(reference);
        }
        // `v1#/$defs/Node` written inside `…/v1` names this document: local, so that typify
        // sees (and boxes) the recursion.
        if let Ok(target) = crate::reference::resolve(self.base, reference) {
            if target.document == self.base {
                return (self.local)(&format!("#{}", target.fragment));
            }
        }
        let path = (self.external)(reference)?;
        let existing = self.replacements.iter().find(|(_, known)| *known == path).map(|(name, _)| name.clone());
        let name = existing.unwrap_or_else(|| {
            let mut number = self.replacements.len();
            while self.taken.contains(&format!("CopeShared{number}")) {
                number += 1;
            }
            let name = format!("CopeShared{number}");
            self.taken.push(name.clone());
            self.replacements.push((name.clone(), path));
            name
        });
        Some(format!("#/definitions/{name}"))
    }

    /// Adds a placeholder definition per shared type to `schema`'s `definitions`.
    fn into_normalized(self, mut schema: Value) -> Normalized {
        if let Value::Object(root) = &mut schema {
            if !self.replacements.is_empty() {
                let definitions = root.entry("definitions").or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(definitions) = definitions {
                    for (name, _) in &self.replacements {
                        definitions.insert(name.clone(), Value::Object(Map::new()));
                    }
                }
            }
        }
        Normalized { schema, replacements: self.replacements }
    }
}

/// Rewrites one schema and every subschema below it (the positions `schema_check` admits).
fn rewrite(schema: &mut Value, references: &mut References<'_>) {
    let Value::Object(object) = schema else {
        return;
    };
    object.remove("format");
    if let Some(Value::String(pattern)) = object.get_mut("pattern") {
        if let Ok(translated) = crate::pattern::to_rust(pattern) {
            *pattern = translated;
        }
    }
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
        if let Some(rewritten) = references.rewrite(reference) {
            *reference = rewritten;
        }
    }
    for (keyword, value) in object.iter_mut() {
        match (keyword.as_str(), value) {
            ("properties" | "$defs" | "definitions", Value::Object(members)) => {
                members.values_mut().for_each(|member| rewrite(member, references))
            }
            ("allOf" | "anyOf" | "oneOf", Value::Array(subschemas)) => {
                subschemas.iter_mut().for_each(|subschema| rewrite(subschema, references))
            }
            ("items" | "additionalProperties", subschema) => rewrite(subschema, references),
            _ => {}
        }
    }
}

/// Documentation text that cannot run, hide or break anything: invisible and direction-changing
/// characters removed, code fences and indented code blocks turned into plain text.
fn inert_text(text: &str) -> String {
    let visible: String = text.chars().filter(|c| !crate::names::is_invisible(*c)).collect();
    visible
        .lines()
        .map(|line| line.trim_start().replace("```", "'''").replace("~~~", "'''"))
        .collect::<Vec<_>>()
        .join("\n")
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
        assert_eq!(super::normalize(&input, "Root", "https://x.test/event", &|_| None).schema, expected);
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

#[cfg(test)]
mod shared_references {
    use serde_json::json;

    #[test]
    fn cross_file_references_become_replaced_placeholders() {
        let schema = json!({"properties": {
            "a": {"$ref": "https://x.test/venue#/$defs/Venue"},
            "b": {"$ref": "https://x.test/venue#/$defs/Venue"},
            "c": {"$ref": "https://x.test/money"},
            "d": {"$ref": "event#/$defs/CopeShared0"}},
            "$defs": {"CopeShared0": {"type": "string"}, "cope_shared_1": {"type": "integer"}}});
        let external = |reference: &str| match reference {
            "https://x.test/venue#/$defs/Venue" => Some("crate::shared::venue::Venue".to_owned()),
            "https://x.test/money" => Some("crate::shared::money::Money".to_owned()),
            _ => None,
        };
        let normalized = super::normalize(&schema, "Root", "https://x.test/event", &external);
        assert_eq!(
            normalized.replacements,
            [
                ("CopeShared2".to_owned(), "crate::shared::venue::Venue".to_owned()),
                ("CopeShared3".to_owned(), "crate::shared::money::Money".to_owned()),
            ]
        );
        assert_eq!(normalized.schema["properties"]["a"]["$ref"], "#/definitions/CopeShared2");
        assert_eq!(normalized.schema["properties"]["b"]["$ref"], "#/definitions/CopeShared2");
        assert_eq!(normalized.schema["properties"]["c"]["$ref"], "#/definitions/CopeShared3");
        // A definition whose Rust name is a placeholder's (`cope_shared_1` is `CopeShared1`)
        // is left alone: typify finds replacements by Rust name.
        // A reference to this document by its URL is local.
        assert_eq!(normalized.schema["properties"]["d"]["$ref"], "#/definitions/CopeShared0");
        assert_eq!(normalized.schema["definitions"]["CopeShared0"], json!({"type": "string"}));
        assert_eq!(normalized.schema["definitions"]["cope_shared_1"], json!({"type": "integer"}));
        assert_eq!(normalized.schema["definitions"]["CopeShared3"], json!({}));
    }
}
