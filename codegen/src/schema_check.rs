//! Our own checks on a payload schema before typify sees it: typify panics on or silently drops
//! what it does not support, so everything outside the supported subset is an error here,
//! naming the file and the JSON pointer. All problems are reported, not the first.

use serde_json::{Map, Value};

use crate::error::Error;
use crate::reference::{normalize_id, resolve};
use crate::registry::Registry;

/// JSON Schema dialects the generator reads.
pub const SUPPORTED_DRAFTS: &[&str] =
    &["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema"];

/// Keywords the generator implements or that only annotate. Anything else is reported.
const SUPPORTED_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "definitions",
    "$ref",
    "title",
    "description",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "allOf",
    "anyOf",
    "oneOf",
];

/// Why a keyword the generator knows is still refused.
fn refusal(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "default" => {
            "`default` is not supported: an absent member and its default must stay distinguishable for re-encoding"
        }
        "not" => "`not` is not supported",
        "if" | "then" | "else" => "conditional subschemas (`if`/`then`/`else`) are not supported",
        "prefixItems" => "`prefixItems` (tuples) is not supported",
        "unevaluatedProperties" | "unevaluatedItems" => "`unevaluated*` keywords are not supported",
        "$dynamicRef" | "$dynamicAnchor" | "$recursiveRef" | "$recursiveAnchor" => {
            "dynamic references are not supported"
        }
        "$anchor" => "`$anchor` is not supported; reference `$defs` by JSON pointer",
        "dependentSchemas" | "dependentRequired" | "dependencies" => {
            "dependencies between properties are not supported"
        }
        "patternProperties" | "propertyNames" => "constraints on property names are not supported",
        "contains" | "minContains" | "maxContains" => "`contains` is not supported",
        _ => return None,
    })
}

const JSON_TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "integer", "string"];

/// How deep subschemas may nest. Deeper schemas are refused rather than risking the stack of
/// typify's recursive reading.
pub(crate) const MAX_DEPTH: usize = 32;
/// How many values one `enum` may list (each becomes a Rust variant).
pub(crate) const MAX_ENUM_VALUES: usize = 1024;
/// How long a property name may be, in characters (it becomes a Rust identifier).
pub(crate) const MAX_NAME_LENGTH: usize = 256;

/// What a checked document is to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A contract's payload schema: its root describes `data`, a JSON object.
    Contract,
    /// A document that other documents `$ref` for its definitions.
    Shared,
}

/// Checks one document; `id` is the id the manifest or the lockfile gives it, and
/// `registry` holds the documents its `$ref`s may name.
pub(crate) fn check(file: &str, id: &str, schema: &Value, role: Role, registry: &Registry) -> Vec<Error> {
    let base = crate::reference::base_id(id);
    let mut checker = Checker { file, base: &base, registry, root: schema, errors: Vec::new(), depth: 0 };
    checker.root(id, role);
    checker.errors
}

/// Checks `schema` against the meta-schema of its declared draft (2020-12 when it declares
/// none): the JSON pointer of the first violation and what is wrong there. A `$schema` that
/// is not a supported draft is not judged here (the caller reports it).
pub fn meta_validate(schema: &Value) -> Result<(), (String, String)> {
    let declared = schema.get("$schema");
    let supported = declared.is_none_or(|draft| {
        draft.as_str().is_some_and(|draft| SUPPORTED_DRAFTS.contains(&draft.trim_end_matches('#')))
    });
    if !supported || !(schema.is_object() || schema.is_boolean()) {
        return Ok(());
    }
    jsonschema::meta::validate(schema).map_err(|error| (error.instance_path().to_string(), error.to_string()))
}

struct Checker<'a> {
    file: &'a str,
    /// The document's id in normal form, which relative `$ref`s resolve against.
    base: &'a str,
    registry: &'a Registry,
    root: &'a Value,
    errors: Vec<Error>,
    /// Subschemas entered and not yet left.
    depth: usize,
}

impl Checker<'_> {
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(Error::Schema {
            file: self.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn root(&mut self, id: &str, role: Role) {
        let Some(object) = self.root.as_object() else {
            self.error("", "a schema document must be a JSON object");
            return;
        };
        if let Err((pointer, message)) = meta_validate(self.root) {
            self.error(&pointer, format!("not a valid JSON Schema for its draft: {message}"));
        }
        if let Some(draft) = object.get("$schema") {
            let known = draft.as_str().is_some_and(|draft| SUPPORTED_DRAFTS.contains(&draft.trim_end_matches('#')));
            if !known {
                self.error(
                    "/$schema",
                    format!("{draft} is not a supported draft; supported: {}", SUPPORTED_DRAFTS.join(", ")),
                );
            }
        }
        if let Some(declared) = object.get("$id") {
            let same_id = declared.as_str().is_some_and(|declared| {
                declared == id || normalize_id(declared).is_ok_and(|declared| Ok(declared) == normalize_id(id))
            });
            if !same_id {
                let source = match role {
                    Role::Contract => "the manifest's schema_id",
                    Role::Shared => "the id it was fetched by",
                };
                self.error("/$id", format!("{declared} differs from {source} `{id}`"));
            }
        }
        if role == Role::Contract && object.get("type").and_then(Value::as_str) != Some("object") {
            self.error("/type", "a payload schema must have `\"type\": \"object\"`: `data` is a JSON object");
        }
        let definitions: Vec<(String, &str)> = ["$defs", "definitions"]
            .iter()
            .filter_map(|keyword| Some((*keyword, object.get(*keyword)?.as_object()?)))
            .flat_map(|(keyword, members)| {
                members.keys().map(move |name| (format!("/{keyword}/{}", escape(name)), name.as_str()))
            })
            .collect();
        self.distinct_type_names(&definitions, "type");
        for keyword in ["$defs", "definitions"] {
            let Some(members) = object.get(keyword).and_then(Value::as_object) else { continue };
            for name in members.keys() {
                if crate::unions::refers_to_itself(name, members) {
                    self.error(
                        &format!("/{keyword}/{}", escape(name)),
                        "a union whose branches lead back to itself through references alone could never be decoded",
                    );
                }
            }
        }
        self.schema("", self.root, true);
    }

    /// typify names definitions and string values in PascalCase and fails (or writes code that
    /// does not compile) when two meet; say so first, naming both.
    fn distinct_type_names(&mut self, named: &[(String, &str)], what: &str) {
        let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
        for (pointer, name) in named {
            let rust_name = crate::names::type_name(name);
            if let Some(first) = seen.get(&rust_name) {
                self.error(pointer, format!("this name and the one at `{first}` would both be the Rust {what} `{rust_name}`"));
            } else {
                seen.insert(rust_name, pointer);
            }
        }
    }

    fn schema(&mut self, pointer: &str, schema: &Value, is_root: bool) {
        if self.depth >= MAX_DEPTH {
            return self.error(pointer, format!("subschemas nest deeper than the limit of {MAX_DEPTH}"));
        }
        self.depth += 1;
        self.schema_object(pointer, schema, is_root);
        self.depth -= 1;
    }

    fn schema_object(&mut self, pointer: &str, schema: &Value, is_root: bool) {
        let object = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return self.error(pointer, "the `false` schema (nothing is valid) is not supported"),
            Value::Object(object) => object,
            _ => return self.error(pointer, "a schema must be an object or a boolean"),
        };
        self.optional_nullable(pointer, object);
        if let crate::unions::Site::Refused(reason) = crate::unions::site(object) {
            let keyword = if object.contains_key("oneOf") { "oneOf" } else { "anyOf" };
            self.error(&format!("{pointer}/{keyword}"), reason);
        }
        for (keyword, value) in object {
            let at = format!("{pointer}/{}", escape(keyword));
            if let Some(reason) = refusal(keyword) {
                self.error(&at, reason);
            } else if !SUPPORTED_KEYWORDS.contains(&keyword.as_str()) {
                self.error(&at, format!("unknown keyword `{keyword}` is not supported"));
            } else if !is_root && matches!(keyword.as_str(), "$defs" | "definitions" | "$schema" | "$id") {
                self.error(&at, format!("`{keyword}` is only supported at the schema's root"));
            } else {
                self.keyword(&at, keyword, value, object);
            }
        }
    }

    /// An optional property that allows `null` would decode absent and `null` alike, and
    /// re-encoding could not give back which one came.
    fn optional_nullable(&mut self, pointer: &str, object: &Map<String, Value>) {
        let Some(properties) = object.get("properties").and_then(Value::as_object) else { return };
        let required: Vec<&str> =
            object.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        for (name, property) in properties {
            if !required.contains(&name.as_str()) && self.allows_null(property) {
                self.error(
                    &format!("{pointer}/properties/{}", escape(name)),
                    "an optional property that allows null is not supported yet: absent and null must stay distinguishable",
                );
            }
        }
    }

    fn allows_null(&self, schema: &Value) -> bool {
        self.allows_null_within(schema, &mut Vec::new())
    }

    /// `expanding` holds the references being followed, so that a reference cycle (possibly
    /// through `anyOf`) ends instead of recursing forever.
    fn allows_null_within<'s>(&'s self, schema: &'s Value, expanding: &mut Vec<&'s str>) -> bool {
        // An untyped schema decodes into `serde_json::Value`, which keeps `null` apart from
        // absence; only typed schemas are at risk.
        let Some(object) = schema.as_object() else { return false };
        let type_allows = match object.get("type") {
            Some(Value::String(name)) => name == "null",
            Some(Value::Array(names)) => names.iter().any(|name| name == "null"),
            _ => false,
        };
        let values_allow = object.get("const") == Some(&Value::Null)
            || object.get("enum").and_then(Value::as_array).is_some_and(|values| values.contains(&Value::Null));
        let branch_allows = ["anyOf", "oneOf"].iter().any(|keyword| {
            object
                .get(*keyword)
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.iter().any(|branch| self.allows_null_within(branch, expanding)))
        });
        let reference = object.get("$ref").and_then(Value::as_str).and_then(|reference| reference.strip_prefix('#'));
        let reference_allows = match reference {
            Some(target) if !expanding.contains(&target) => match self.root.pointer(target) {
                Some(resolved) => {
                    expanding.push(target);
                    let allows = self.allows_null_within(resolved, expanding);
                    expanding.pop();
                    allows
                }
                None => false,
            },
            _ => false,
        };
        type_allows || values_allow || branch_allows || reference_allows
    }

    fn keyword(&mut self, at: &str, keyword: &str, value: &Value, object: &Map<String, Value>) {
        match keyword {
            "properties" | "$defs" | "definitions" => match value.as_object() {
                Some(members) => {
                    for (name, subschema) in members {
                        let member = format!("{at}/{}", escape(name));
                        if name.chars().count() > MAX_NAME_LENGTH {
                            self.error(
                                &member,
                                format!("the name is longer than the limit of {MAX_NAME_LENGTH} characters"),
                            );
                        } else {
                            self.schema(&member, subschema, false);
                        }
                    }
                }
                None => self.error(at, format!("`{keyword}` must be an object")),
            },
            "items" => match value {
                Value::Array(_) => self.error(at, "tuple `items` (an array of schemas) is not supported"),
                _ => self.schema(at, value, false),
            },
            "additionalProperties" => {
                if value.is_object() && object.contains_key("properties") {
                    self.error(at, "a schema for `additionalProperties` beside `properties` is not supported");
                } else if value.is_object() {
                    self.schema(at, value, false);
                }
            }
            "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                Some(subschemas) if !subschemas.is_empty() => {
                    for (index, subschema) in subschemas.iter().enumerate() {
                        self.schema(&format!("{at}/{index}"), subschema, false);
                    }
                    if keyword == "allOf" && no_common_type(object, subschemas) {
                        self.error(at, "the `allOf` branches (with the schema's own `type`) have no type in common: no value could match");
                    }
                    if keyword == "allOf" {
                        for (index, subschema) in subschemas.iter().enumerate() {
                            let local = subschema.get("$ref").and_then(Value::as_str).and_then(|reference| reference.strip_prefix('#'));
                            let target = local.and_then(|pointer| self.root.pointer(pointer)).unwrap_or(subschema);
                            if target.as_object().is_some_and(|target| crate::unions::site(target) == crate::unions::Site::Liftable) {
                                self.error(&format!("{at}/{index}"), "a union (`oneOf`/`anyOf` of several shapes) inside `allOf` is not supported");
                            }
                        }
                    }
                }
                _ => self.error(at, format!("`{keyword}` must be a non-empty array")),
            },
            "type" => {
                let names: Vec<&Value> = match value {
                    Value::Array(names) => names.iter().collect(),
                    single => vec![single],
                };
                if names.is_empty() {
                    self.error(at, "`type` must name at least one type");
                }
                let mut kinds: Vec<&str> = names.iter().filter_map(|name| name.as_str()).filter(|name| *name != "null").collect();
                if kinds.contains(&"number") {
                    kinds.retain(|name| *name != "integer");
                }
                if kinds.len() > 1 {
                    self.error(at, "several types in `type` (a union) are not supported: write a `oneOf` of one schema per type");
                }
                for name in names {
                    if !name.as_str().is_some_and(|name| JSON_TYPES.contains(&name)) {
                        self.error(at, format!("{name} is not a JSON Schema type"));
                    }
                }
            }
            "enum" if value.as_array().is_none_or(Vec::is_empty) => {
                self.error(at, "`enum` must be a non-empty array");
            }
            "enum" if value.as_array().is_some_and(|values| values.len() > MAX_ENUM_VALUES) => {
                self.error(at, format!("`enum` lists more values than the limit of {MAX_ENUM_VALUES}"));
            }
            "enum" | "const" => {
                let values = value.as_array().map_or_else(|| vec![value], |values| values.iter().collect());
                let all_strings = values.iter().all(|value| value.is_string());
                let all_integers = values.iter().all(|value| value.is_i64() || value.is_u64());
                if !all_strings && !all_integers {
                    self.error(
                        at,
                        format!("`{keyword}` values must be all strings or all integers: others would not be enforced by the generated types"),
                    );
                } else if all_strings && keyword == "enum" {
                    let named: Vec<(String, &str)> = values
                        .iter()
                        .enumerate()
                        .filter_map(|(index, value)| Some((format!("{at}/{index}"), value.as_str()?)))
                        .collect();
                    self.distinct_type_names(&named, "variant");
                }
            }
            "required" if !value.as_array().is_some_and(|names| names.iter().all(Value::is_string)) => {
                self.error(at, "`required` must be an array of property names");
            }
            "$ref" => self.reference(at, value),
            "pattern" => match value.as_str() {
                None => self.error(at, "`pattern` must be a string"),
                Some(pattern) => match crate::pattern::to_rust(pattern) {
                    Err(reason) => self.error(at, format!("`pattern` {value}: {reason}")),
                    Ok(translated) => {
                        if let Err(error) = regex::Regex::new(&translated) {
                            let reason = error.to_string().replace('\n', " ");
                            self.error(
                                at,
                                format!("`pattern` {value} cannot be matched in linear time (look-around and back-references are not supported): {reason}"),
                            );
                        } else if let Err(error) = regress::Regex::new(&translated) {
                            // typify reads the pattern with regress (ECMA-262 syntax) too.
                            self.error(at, format!("`pattern` {value} is not an ECMA-262 regular expression: {error}"));
                        }
                    }
                },
            },
            _ => {}
        }
    }

    fn reference(&mut self, at: &str, value: &Value) {
        let Some(reference) = value.as_str() else {
            return self.error(at, "`$ref` must be a string");
        };
        let (document, pointer) = match reference.strip_prefix('#') {
            Some(_) if reference.contains('%') => {
                return self.error(at, format!("`{reference}`: percent-encoded references are not supported"))
            }
            Some(pointer) => (self.root, pointer.to_owned()),
            None => match resolve(self.base, reference) {
                Err(message) => return self.error(at, message),
                Ok(target) if target.document == self.base => (self.root, target.fragment),
                Ok(target) => match self.registry.document(&target.document) {
                    Some((_, document)) => (document, target.fragment),
                    None => {
                        return self.error(
                            at,
                            format!(
                                "`{reference}` refers to the document `{}`, which is not in the registry: run `cargo xtask fetch` to fetch and lock it",
                                target.document
                            ),
                        )
                    }
                },
            },
        };
        let target_is_definition = pointer.is_empty()
            || ["/$defs/", "/definitions/"]
                .iter()
                .any(|prefix| pointer.strip_prefix(prefix).is_some_and(|name| !name.is_empty() && !name.contains('/')));
        if document.pointer(&pointer).is_none() {
            self.error(at, format!("`{reference}` does not resolve: no `{pointer}` in its document"));
        } else if !target_is_definition {
            self.error(
                at,
                format!("`{reference}`: only references to a whole document, `#/$defs/NAME` or `#/definitions/NAME` are supported"),
            );
        }
    }
}

/// Whether the `type`s declared by a schema and its `allOf` branches leave no JSON type (an
/// `integer` is a `number`). typify panics on such contradictions.
fn no_common_type<'s>(object: &'s Map<String, Value>, branches: &'s [Value]) -> bool {
    fn declared(schema: &Map<String, Value>) -> Option<Vec<&str>> {
        let names: Vec<&str> = match schema.get("type")? {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => return None,
        };
        Some(names.iter().flat_map(|name| if *name == "number" { vec!["number", "integer"] } else { vec![*name] }).collect())
    }
    let mut common: Option<Vec<&str>> = declared(object);
    for branch in branches.iter().filter_map(Value::as_object) {
        if let Some(types) = declared(branch) {
            common = Some(match common {
                None => types,
                Some(known) => known.into_iter().filter(|name| types.contains(name)).collect(),
            });
        }
    }
    common.is_some_and(|types| types.is_empty())
}

/// Escapes one JSON pointer token (RFC 6901).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
