//! Checks on a schema document before its types are generated: it is a valid JSON Schema for
//! its draft, it carries the id it is known by, it stays within the limits, its patterns can be
//! matched in linear time, and its `$ref`s resolve. Every problem is reported with the file and
//! the JSON pointer, all of them, not the first. What the keywords mean for the types is the
//! payload phase's business.

use serde_json::Value;

use crate::draft::{Draft, DRAFTS};
use crate::error::Error;
use crate::json_pointer::escape;
use crate::reference::{decode_fragment, normalize_id, resolve, SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_VALUES};
use crate::registry::Registry;

/// How deep subschemas may nest.
pub(crate) const MAX_DEPTH: usize = 32;
/// How many values one `enum` may list (each becomes a Rust variant).
pub(crate) const MAX_ENUM_VALUES: usize = 1024;
/// How long a property name may be, in characters (it becomes a Rust identifier).
pub(crate) const MAX_NAME_LENGTH: usize = 256;

/// What a checked document is to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A contract's payload schema.
    Contract,
    /// A document that other documents `$ref`.
    Shared,
}

/// Checks one document; `id` is the id the manifest or the lockfile gives it, `registry` holds
/// the documents its `$ref`s may name, and `default_draft` is the draft of a document without
/// `$schema`.
pub(crate) fn check(
    file: &str,
    id: &str,
    schema: &Value,
    role: Role,
    registry: &Registry,
    default_draft: Draft,
) -> Vec<Error> {
    let base = registry.manifest().document_id(id);
    let mut checker = Checker { file, base: &base, registry, root: schema, errors: Vec::new() };
    checker.root(id, role, default_draft);
    checker.errors
}

/// Checks `schema` against the meta-schema of its draft (its `$schema`, else `default_draft`):
/// the JSON pointer of the innermost violation (the first, when there are several) and what is
/// wrong there. A `$schema` that names no
/// draft the generator reads is not judged here (the caller reports it).
pub fn meta_validate(schema: &Value, default_draft: Draft) -> Result<(), (String, String)> {
    let Ok(draft) = Draft::of(schema, default_draft) else { return Ok(()) };
    crate::validation::meta_validate(schema, draft)
}

struct Checker<'a> {
    file: &'a str,
    /// The document's id in normal form, which relative `$ref`s resolve against.
    base: &'a str,
    registry: &'a Registry,
    root: &'a Value,
    errors: Vec<Error>,
}

impl Checker<'_> {
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(Error::Schema {
            file: self.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn root(&mut self, id: &str, role: Role, default_draft: Draft) {
        let Some(object) = self.root.as_object() else {
            self.error("", "a schema document must be a JSON object");
            return;
        };
        let draft = match Draft::of(self.root, default_draft) {
            Ok(draft) => draft,
            Err(uri) => {
                let known: Vec<&str> = DRAFTS.iter().map(|(_, uri)| *uri).collect();
                self.error("/$schema", format!("{uri} is not a supported draft; supported: {}", known.join(", ")));
                default_draft
            }
        };
        if let Err((pointer, message)) = meta_validate(self.root, default_draft) {
            self.error(&pointer, format!("not a valid JSON Schema for its draft: {message}"));
        }
        let id_keyword = draft.id_keyword();
        if let Some(declared) = object.get(id_keyword) {
            let manifest = self.registry.manifest();
            let same_id = declared.as_str().is_some_and(|declared| {
                let declared = declared.trim_end_matches('#');
                declared == id
                    || manifest.document_id(declared) == manifest.document_id(id)
                    || normalize_id(declared).is_ok_and(|declared| Ok(declared) == normalize_id(id))
            });
            if !same_id {
                let source = match role {
                    Role::Contract => "the manifest's schema_id",
                    Role::Shared => "the id it was fetched by",
                };
                self.error(&format!("/{id_keyword}"), format!("{declared} differs from {source} `{id}`"));
            }
        }
        self.schema("", self.root, 0);
    }

    fn schema(&mut self, pointer: &str, schema: &Value, depth: usize) {
        if depth >= MAX_DEPTH {
            return self.error(pointer, format!("subschemas nest deeper than the limit of {MAX_DEPTH}"));
        }
        let Value::Object(object) = schema else { return };
        for (keyword, value) in object {
            let at = format!("{pointer}/{}", escape(keyword));
            match (keyword.as_str(), value) {
                (keyword, Value::Object(members)) if SCHEMA_MAPS.contains(&keyword) => {
                    for (name, member) in members {
                        let member_at = format!("{at}/{}", escape(name));
                        if keyword == "patternProperties" {
                            self.pattern(&member_at, name);
                        }
                        if name.chars().count() > MAX_NAME_LENGTH {
                            self.error(
                                &member_at,
                                format!("the name is longer than the limit of {MAX_NAME_LENGTH} characters"),
                            );
                        } else {
                            self.schema(&member_at, member, depth + 1);
                        }
                    }
                }
                (keyword, Value::Array(branches)) if SCHEMA_ARRAYS.contains(&keyword) || keyword == "items" => {
                    for (index, branch) in branches.iter().enumerate() {
                        self.schema(&format!("{at}/{index}"), branch, depth + 1);
                    }
                }
                (keyword, subschema) if SCHEMA_VALUES.contains(&keyword) => self.schema(&at, subschema, depth + 1),
                ("enum", Value::Array(values)) if values.len() > MAX_ENUM_VALUES => {
                    self.error(&at, format!("`enum` lists more values than the limit of {MAX_ENUM_VALUES}"));
                }
                ("$ref", Value::String(reference)) => self.reference(&at, reference),
                ("pattern", Value::String(pattern)) => self.pattern(&at, pattern),
                _ => {}
            }
        }
    }

    fn pattern(&mut self, at: &str, pattern: &str) {
        match crate::pattern::to_rust(pattern) {
            Err(reason) => self.error(at, format!("`pattern` {pattern:?}: {reason}")),
            Ok(translated) => {
                if let Err(error) = regex::Regex::new(&translated) {
                    let reason = error.to_string().replace('\n', " ");
                    self.error(
                        at,
                        format!("`pattern` {pattern:?} cannot be matched in linear time (look-around and back-references are not supported): {reason}"),
                    );
                }
            }
        }
    }

    fn reference(&mut self, at: &str, reference: &str) {
        let local = match reference.strip_prefix('#') {
            Some(fragment) => decode_fragment(fragment).map(|pointer| (self.root, pointer, true)),
            None => match resolve(self.base, reference) {
                Err(message) => Err(message),
                Ok(target) if target.document == self.base => Ok((self.root, target.fragment, true)),
                Ok(target) => match self.registry.document(&target.document) {
                    Some((_, document)) => Ok((document, target.fragment, false)),
                    None => Err(format!(
                        "`{reference}` refers to the document `{}`, which is not in the registry: run `cargo xtask fetch` to fetch and lock it",
                        target.document
                    )),
                },
            },
        };
        let (document, pointer, same_document) = match local {
            Ok(found) => found,
            Err(message) => return self.error(at, message),
        };
        let pointer = if pointer.starts_with(|c: char| c != '/') {
            match crate::reference::find_anchor(document, &pointer) {
                Some(found) if same_document => found,
                Some(_) => return self.error(at, format!("`{reference}`: an anchor in another document is not supported; refer to its definition by JSON pointer")),
                None => return self.error(at, format!("`{reference}` does not resolve: no `$anchor` `{pointer}` in its document")),
            }
        } else {
            pointer
        };
        if document.pointer(&pointer).is_none() {
            return self.error(at, format!("`{reference}` does not resolve: no `{pointer}` in its document"));
        }
        // Another document's types are named by their definitions.
        let names_a_definition = pointer.is_empty()
            || ["/$defs/", "/definitions/"]
                .iter()
                .any(|prefix| pointer.strip_prefix(prefix).is_some_and(|name| !name.is_empty() && !name.contains('/')));
        if !same_document && !names_a_definition {
            self.error(at, format!("`{reference}`: a reference into another document must name the document or one of its `$defs`/`definitions`"));
        }
    }
}
