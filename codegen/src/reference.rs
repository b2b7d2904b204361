//! `$ref`s: where they are in a schema, and which document and fragment each one names.
//! Shared by the generator (bundling documents) and `cargo xtask fetch` (following them).

use serde_json::Value;

use crate::json_pointer::escape;

/// One `$ref` keyword of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// JSON pointer to the `$ref` keyword, e.g. `/properties/venue/$ref`.
    pub pointer: String,
    /// The reference as written.
    pub value: String,
}

/// What a `$ref` names once resolved against the id of the document it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The document's id (an absolute URL without fragment), in normal form.
    pub document: String,
    /// The JSON pointer inside that document, without `#` (empty for the whole document).
    pub fragment: String,
}

/// Keywords whose value is an object of subschemas.
pub(crate) const SCHEMA_MAPS: &[&str] =
    &["properties", "$defs", "definitions", "patternProperties", "dependentSchemas"];
/// Keywords whose value is one subschema (or, for draft-07 `items`, an array of them).
pub(crate) const SCHEMA_VALUES: &[&str] = &[
    "items",
    "additionalItems",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is an array of subschemas.
pub(crate) const SCHEMA_ARRAYS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// The subschemas directly inside a schema object that apply to its values: every schema
/// position above but its definitions (`$defs`, `definitions`).
pub(crate) fn value_subschemas(object: &serde_json::Map<String, Value>) -> impl Iterator<Item = &Value> {
    object.iter().flat_map(|(keyword, value)| {
        let keyword = keyword.as_str();
        let inner: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Object(members) if SCHEMA_MAPS.contains(&keyword) && !matches!(keyword, "$defs" | "definitions") => {
                Box::new(members.values())
            }
            Value::Array(items) if SCHEMA_ARRAYS.contains(&keyword) || keyword == "items" => Box::new(items.iter()),
            Value::Object(_) if SCHEMA_VALUES.contains(&keyword) => Box::new(std::iter::once(value)),
            _ => Box::new(std::iter::empty()),
        };
        inner
    })
}

/// Every string `$ref` in the schema positions of `schema`, in document order. Data positions
/// (`enum`, `const`, `examples`, `default`) are not schemas and are not searched.
pub fn references(schema: &Value) -> Vec<Reference> {
    let mut found = Vec::new();
    collect(schema, "", &mut found);
    found
}

fn collect(schema: &Value, pointer: &str, found: &mut Vec<Reference>) {
    let Value::Object(object) = schema else { return };
    for (keyword, value) in object {
        let at = format!("{pointer}/{}", escape(keyword));
        match (keyword.as_str(), value) {
            ("$ref", Value::String(reference)) => found.push(Reference { pointer: at, value: reference.clone() }),
            (keyword, Value::Object(members)) if SCHEMA_MAPS.contains(&keyword) => {
                for (name, subschema) in members {
                    collect(subschema, &format!("{at}/{}", escape(name)), found);
                }
            }
            (keyword, Value::Array(subschemas)) if SCHEMA_ARRAYS.contains(&keyword) || keyword == "items" => {
                for (index, subschema) in subschemas.iter().enumerate() {
                    collect(subschema, &format!("{at}/{index}"), found);
                }
            }
            (keyword, subschema) if SCHEMA_VALUES.contains(&keyword) => collect(subschema, &at, found),
            _ => {}
        }
    }
}

/// The normal form of a document id, so that two spellings of one URL compare equal.
pub fn normalize_id(id: &str) -> Result<String, String> {
    let mut url = url::Url::parse(id).map_err(|error| format!("`{id}` is not an absolute URL: {error}"))?;
    if url.fragment().is_some_and(|fragment| !fragment.is_empty()) {
        return Err(format!("`{id}` has a fragment; a document id must not"));
    }
    url.set_fragment(None);
    Ok(url.into())
}

/// The id relative references resolve against: the normal form of a URL id, else the id as it
/// is (a contract id need not be a URL; it then cannot be referred to from another document).
pub(crate) fn base_id(id: &str) -> String {
    normalize_id(id).unwrap_or_else(|_| id.to_owned())
}

/// Resolves `reference` against `base`, the id of the document it is written in (RFC 3986).
pub fn resolve(base: &str, reference: &str) -> Result<Target, String> {
    let base =
        url::Url::parse(base).map_err(|error| format!("the document id `{base}` is not an absolute URL: {error}"))?;
    let mut url = base.join(reference).map_err(|error| format!("`{reference}` is not a valid reference: {error}"))?;
    let fragment = decode_fragment(url.fragment().unwrap_or(""))?;
    url.set_fragment(None);
    Ok(Target { document: url.into(), fragment })
}

/// The JSON pointer of the subschema that names itself `anchor`: `"$anchor": "anchor"`
/// (2019-09 on) or `"$id": "#anchor"` (draft-06 and draft-07), searched in schema positions.
pub(crate) fn find_anchor(schema: &Value, anchor: &str) -> Option<String> {
    fn search(schema: &Value, pointer: &str, anchor: &str) -> Option<String> {
        let Value::Object(object) = schema else { return None };
        let named = object.get("$anchor").and_then(Value::as_str) == Some(anchor)
            || object.get("$id").and_then(Value::as_str).and_then(|id| id.strip_prefix('#')) == Some(anchor);
        if named {
            return Some(pointer.to_owned());
        }
        for (keyword, value) in object {
            let at = format!("{pointer}/{}", escape(keyword));
            let found = match (keyword.as_str(), value) {
                (keyword, Value::Object(members)) if SCHEMA_MAPS.contains(&keyword) => {
                    members.iter().find_map(|(name, member)| search(member, &format!("{at}/{}", escape(name)), anchor))
                }
                (keyword, Value::Array(branches)) if SCHEMA_ARRAYS.contains(&keyword) || keyword == "items" => branches
                    .iter()
                    .enumerate()
                    .find_map(|(index, branch)| search(branch, &format!("{at}/{index}"), anchor)),
                (keyword, subschema) if SCHEMA_VALUES.contains(&keyword) => search(subschema, &at, anchor),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    search(schema, "", anchor)
}

/// A URI fragment as the JSON pointer it spells: percent-encoding decoded (RFC 3986); the
/// pointer's own `~0`/`~1` escapes stay for the pointer to read (RFC 6901).
pub(crate) fn decode_fragment(fragment: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| format!("`#{fragment}`: the fragment is not UTF-8 once decoded"))
}

/// A cycle in a graph of documents given as `(from, to)` edges (self-edges are not cycles):
/// the documents along it, the first repeated at the end. Deterministic for the same edges.
pub fn find_cycle<'a>(edges: &[(&'a str, &'a str)]) -> Option<Vec<&'a str>> {
    let mut starts: Vec<&str> = edges.iter().map(|(from, _)| *from).collect();
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        let mut path = vec![start];
        let mut visited = vec![start];
        if walk(edges, start, &mut path, &mut visited) {
            return Some(path);
        }
    }
    None
}

fn walk<'a>(edges: &[(&'a str, &'a str)], start: &str, path: &mut Vec<&'a str>, visited: &mut Vec<&'a str>) -> bool {
    let at = path[path.len() - 1];
    for &(from, to) in edges {
        if from != at || to == from {
            continue;
        }
        path.push(to);
        if to == start {
            return true;
        }
        if !visited.contains(&to) {
            visited.push(to);
            if walk(edges, start, path, visited) {
                return true;
            }
        }
        path.pop();
    }
    false
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_references_in_schema_positions_only() {
        let schema = json!({
            "properties": {"a": {"$ref": "#/$defs/A"}, "b/c": {"items": {"$ref": "other.json"}}},
            "anyOf": [{"$ref": "https://x.test/y#/$defs/Z"}],
            "enum": [{"$ref": "data, not a reference"}],
            "examples": [{"$ref": "data"}],
        });
        let found: Vec<(String, String)> =
            references(&schema).into_iter().map(|reference| (reference.pointer, reference.value)).collect();
        assert_eq!(
            found,
            [
                ("/anyOf/0/$ref".to_owned(), "https://x.test/y#/$defs/Z".to_owned()),
                ("/properties/a/$ref".to_owned(), "#/$defs/A".to_owned()),
                ("/properties/b~1c/items/$ref".to_owned(), "other.json".to_owned()),
            ]
        );
    }

    #[test]
    fn resolves_relative_and_absolute_references() {
        let base = "https://schemas.test/events/a/v1";
        let target = resolve(base, "../../shared/venue.json#/$defs/Venue").unwrap();
        assert_eq!(target.document, "https://schemas.test/shared/venue.json");
        assert_eq!(target.fragment, "/$defs/Venue");
        let target = resolve(base, "#/$defs/Local").unwrap();
        assert_eq!(target.document, base);
        let target = resolve(base, "https://other.test/x").unwrap();
        assert_eq!((target.document.as_str(), target.fragment.as_str()), ("https://other.test/x", ""));
    }

    #[test]
    fn finds_anchors_and_decodes_percent_encoding() {
        assert_eq!(resolve("https://a.test/x", "#anchor").unwrap().fragment, "anchor");
        let schema = serde_json::json!({"$defs": {"a": {"$anchor": "thing"}, "b": {"items": {"$id": "#old"}}}});
        assert_eq!(find_anchor(&schema, "thing").as_deref(), Some("/$defs/a"));
        assert_eq!(find_anchor(&schema, "old").as_deref(), Some("/$defs/b/items"));
        assert_eq!(find_anchor(&schema, "none"), None);
        assert_eq!(resolve("https://a.test/x", "#/$defs/A%20B").unwrap().fragment, "/$defs/A B");
        assert_eq!(resolve("https://a.test/x", "y#/$defs/a~1b%25").unwrap().fragment, "/$defs/a~1b%");
        assert!(resolve("not a url", "y.json").unwrap_err().contains("not an absolute URL"));
    }

    #[test]
    fn finds_cycles_across_documents_only() {
        assert_eq!(find_cycle(&[("a", "b"), ("b", "c"), ("a", "a")]), None);
        assert_eq!(find_cycle(&[("a", "b"), ("b", "c"), ("c", "b")]), Some(vec!["b", "c", "b"]));
        assert_eq!(find_cycle(&[("x", "y"), ("y", "x")]), Some(vec!["x", "y", "x"]));
    }

    #[test]
    fn ids_compare_in_normal_form() {
        assert_eq!(normalize_id("HTTPS://Schemas.Test").unwrap(), "https://schemas.test/");
        assert!(normalize_id("https://a.test/x#frag").is_err());
    }
}
