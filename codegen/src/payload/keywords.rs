//! What each JSON Schema keyword is to the generator, and the survey of a document that says,
//! before anything is lowered, which keywords the generated decoder will not enforce and
//! which it does not know.
//!
//! - Keywords that shape the data (`type`, `properties`, `items`, `enum`, unions, `$ref`...)
//!   are read by `lower` and become types.
//! - Keywords that only narrow what is valid are enforced where it is cheap: `required`, and
//!   the checks of a newtype (lengths, patterns, numeric bounds, item counts; see `checks`)
//!   where the schema object that states them is typed by them. Everywhere else they are
//!   listed as not enforced: the decoder accepts more than the schema there, never less.
//! - Annotations document; they never change a type.
//! - Unknown keywords are annotations too, as JSON Schema says; each is a warning.

use serde_json::Value;

use super::checks::{checked_where_stated, CHECKED};
use super::model::NotEnforced;
use crate::json_pointer::escape;

/// Keywords that only annotate (documentation, defaults, examples, content descriptions).
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "$comment",
    "examples",
    "example",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Keywords of the document's structure: identifiers, dialect, where definitions live.
const CONTAINERS: &[&str] =
    &["$schema", "$id", "$defs", "definitions", "$anchor", "$vocabulary", "$dynamicAnchor", "$recursiveAnchor"];

/// Keywords `lower` turns into types or enforces on decode.
const ENFORCED: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "additionalItems",
    "patternProperties",
    "enum",
    "const",
    "allOf",
    "anyOf",
    "oneOf",
    "$ref",
];

/// Keywords that narrow what is valid and that the generated decoder does not check.
const NOT_ENFORCED: &[&str] = &[
    "format",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Keywords whose meaning needs the dynamic scope of a validation: no static type has it.
const REFUSED: &[&str] = &["$dynamicRef", "$recursiveRef"];

/// Whether a schema object narrows its values with a keyword the decoder does not enforce.
pub(crate) fn narrows_unenforced(object: &serde_json::Map<String, Value>) -> bool {
    object.keys().any(|keyword| {
        NOT_ENFORCED.contains(&keyword.as_str())
            || (CHECKED.contains(&keyword.as_str()) && !checked_where_stated(keyword, object))
    })
}

/// Annotations, and keywords the generator does not know (read as annotations, as JSON
/// Schema says): neither shapes nor constrains a value.
pub(crate) fn is_annotation(keyword: &str) -> bool {
    ANNOTATIONS.contains(&keyword)
        || !(ENFORCED.contains(&keyword)
            || CHECKED.contains(&keyword)
            || NOT_ENFORCED.contains(&keyword)
            || REFUSED.contains(&keyword)
            || CONTAINERS.contains(&keyword))
}

pub(crate) fn is_container(keyword: &str) -> bool {
    CONTAINERS.contains(&keyword)
}

/// What the survey of one document found.
#[derive(Debug, Default)]
pub(crate) struct Survey {
    pub not_enforced: Vec<NotEnforced>,
    /// (pointer, message) of each keyword the generator does not know.
    pub unknown: Vec<(String, String)>,
    /// (pointer, message) of each keyword no type can mean.
    pub refused: Vec<(String, String)>,
}

/// Surveys every schema position of `schema` below `pointer`. `legacy` is true for drafts
/// before 2019-09, where `id` names a document and a `$ref`'s siblings are ignored.
/// Only the parts a contract reaches are surveyed: `parts` are the JSON pointers of the
/// subschemas generated (the root without its definitions when it is one of them, and each
/// definition reached).
pub(crate) fn survey(document: &Value, parts: &[String], legacy: bool) -> Survey {
    let mut survey = Survey::default();
    for pointer in parts {
        if let Some(schema) = document.pointer(pointer) {
            visit(schema, pointer, legacy, pointer.is_empty(), &mut survey);
        }
    }
    survey.not_enforced.sort();
    survey.not_enforced.dedup();
    survey.unknown.sort();
    survey.unknown.dedup();
    survey.refused.sort();
    survey.refused.dedup();
    survey
}

fn visit(schema: &Value, pointer: &str, legacy: bool, root: bool, survey: &mut Survey) {
    let Value::Object(object) = schema else { return };
    let ignored_siblings = legacy && object.contains_key("$ref");
    for (keyword, value) in object {
        let at = format!("{pointer}/{}", escape(keyword));
        let keyword = keyword.as_str();
        if ignored_siblings && keyword != "$ref" && !is_annotation(keyword) && !is_container(keyword) {
            // Before 2019-09 these mean nothing beside `$ref`: nothing to enforce.
            continue;
        }
        if REFUSED.contains(&keyword) {
            survey.refused.push((
                at.clone(),
                format!("`{keyword}` depends on where a value is validated from; no static type can mean it"),
            ));
        } else if NOT_ENFORCED.contains(&keyword)
            || (CHECKED.contains(&keyword) && !checked_where_stated(keyword, object))
        {
            survey.not_enforced.push(NotEnforced { pointer: at.clone(), keyword: keyword.to_owned() });
        } else if keyword == "additionalProperties" && *value == Value::Bool(false) {
            survey
                .not_enforced
                .push(NotEnforced { pointer: at.clone(), keyword: "additionalProperties: false".to_owned() });
        } else if !(ENFORCED.contains(&keyword)
            || CHECKED.contains(&keyword)
            || ANNOTATIONS.contains(&keyword)
            || is_container(keyword)
            || (legacy && keyword == "id"))
        {
            survey.unknown.push((at.clone(), format!("unknown keyword `{keyword}` is read as an annotation")));
        }
        match (keyword, value) {
            // A document's definitions are surveyed where they are reached, each on its own.
            ("$defs" | "definitions", _) if root => {}
            ("properties" | "$defs" | "definitions" | "patternProperties", Value::Object(members)) => {
                for (name, member) in members {
                    visit(member, &format!("{at}/{}", escape(name)), legacy, false, survey);
                }
            }
            ("allOf" | "anyOf" | "oneOf" | "prefixItems" | "items", Value::Array(branches)) => {
                for (index, branch) in branches.iter().enumerate() {
                    visit(branch, &format!("{at}/{index}"), legacy, false, survey);
                }
            }
            ("items" | "additionalProperties" | "additionalItems", Value::Object(_)) => {
                visit(value, &at, legacy, false, survey)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn classifies_every_keyword_where_it_stands() {
        let schema = json!({
            "type": "object",
            "x-vendor": {"type": "string"},
            "properties": {
                "a": {"type": "string", "format": "uri", "default": "x", "tsType": "A"},
                "b": {"$ref": "#/definitions/B", "minimum": 3},
                "c": {"type": "object", "additionalProperties": false, "not": {"required": ["z"]}},
                "d": {"$dynamicRef": "#node"},
            },
        });
        let found = survey(&schema, &[String::new()], true);
        let not_enforced: Vec<(&str, &str)> =
            found.not_enforced.iter().map(|entry| (entry.pointer.as_str(), entry.keyword.as_str())).collect();
        assert_eq!(
            not_enforced,
            [
                ("/properties/a/format", "format"),
                ("/properties/c/additionalProperties", "additionalProperties: false"),
                ("/properties/c/not", "not"),
            ]
        );
        let unknown: Vec<&str> = found.unknown.iter().map(|(pointer, _)| pointer.as_str()).collect();
        assert_eq!(unknown, ["/properties/a/tsType", "/x-vendor"]);
        assert_eq!(found.refused[0].0, "/properties/d/$dynamicRef");
        // In 2020-12, a `$ref`'s siblings apply.
        let modern = survey(&schema, &[String::new()], false);
        assert!(modern.not_enforced.iter().any(|entry| entry.pointer == "/properties/b/minimum"));
    }
}
