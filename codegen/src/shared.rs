//! Documents that schemas `$ref` across files ("shared documents", e.g. a venue or money type
//! many events use). They are found by following references from every contract, must not
//! form cycles across files, and each gets a module and Rust names, so that a shared
//! definition becomes one type in `src/shared/<module>.rs`, used by every contract that refers
//! to it, and two documents that both define `$defs/Venue` never collide.
//!
//! A contract's schema that several event types give is a shared document too: its root is
//! one type there, and each event type's payload wraps it.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::error::Error;
use crate::json_pointer::escape;
use crate::model::EventType;
use crate::reference::{find_cycle, references, resolve};
use crate::registry::Registry;

/// One shared document, ready to generate.
#[derive(Debug, Clone)]
pub(crate) struct SharedDocument {
    /// Its id, in normal form.
    pub id: String,
    /// The file as messages and docs name it.
    pub file: String,
    /// Its module under `crate::shared`.
    pub module: String,
    pub schema: Value,
    /// The Rust name of each type the document gives, by JSON pointer (`""` for the document
    /// itself, `/$defs/Venue` for a definition).
    pub types: BTreeMap<String, String>,
}

/// Every shared document of a registry, sorted by module.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bundle {
    pub documents: Vec<SharedDocument>,
}

impl Bundle {
    /// The path of the Rust type that `reference`, written in the document `base`, names in
    /// another document; `None` for a reference within `base` or one that does not resolve.
    pub(crate) fn type_path(&self, base: &str, reference: &str) -> Option<String> {
        let target = resolve(base, reference).ok().filter(|target| target.document != base)?;
        self.definition_path(&target.document, &target.fragment)
    }

    /// The path of the Rust type of the definition at `pointer` (`""`: the whole document) of
    /// the shared document `id`.
    pub(crate) fn definition_path(&self, id: &str, pointer: &str) -> Option<String> {
        let document = self.documents.iter().find(|document| document.id == id)?;
        let name = document.types.get(pointer)?;
        Some(format!("crate::shared::{}::{name}", document.module))
    }
}

/// A cross-file `$ref`: from which document, where in it, to which document.
struct Edge {
    from: String,
    file: String,
    pointer: String,
    to: String,
}

/// Finds every document the contracts reach by cross-file `$ref`s. References that do not
/// resolve are left to `schema_check`, which reports them with their pointer.
pub(crate) fn build(registry: &Registry, event_types: &[EventType]) -> Result<Bundle, Vec<Error>> {
    let manifest = registry.manifest();
    let contracts: BTreeMap<String, (String, &Value)> = event_types
        .iter()
        .flat_map(|event_type| &event_type.versions)
        .map(|version| (version.document_id.clone(), (version.schema_file.clone(), &version.schema)))
        .collect();
    let mut errors = Vec::new();
    let mut edges = Vec::new();
    let mut shared: BTreeMap<String, (String, &Value)> = BTreeMap::new();
    // What other documents refer to in each document: its definitions' pointers, `""` for
    // the whole document.
    let mut referenced: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pending: Vec<(String, String, &Value)> =
        contracts.iter().map(|(id, (file, schema))| (id.clone(), file.clone(), *schema)).collect();
    for version in event_types.iter().flat_map(|event_type| &event_type.versions) {
        if version.shared_payload {
            referenced.entry(version.document_id.clone()).or_default().insert(String::new());
            shared.insert(version.document_id.clone(), (version.schema_file.clone(), &version.schema));
        }
    }
    while let Some((id, file, schema)) = pending.pop() {
        for reference in references(schema) {
            let Ok(target) = resolve(&id, &reference.value) else { continue };
            if target.document == id {
                continue;
            }
            // A contract's document may hold definitions other documents use: it is then a
            // shared document too, giving a type for what they refer to.
            referenced.entry(target.document.clone()).or_default().insert(target.fragment.clone());
            let Some((path, document)) = registry.document(&target.document) else { continue };
            edges.push(Edge {
                from: id.clone(),
                file: file.clone(),
                pointer: reference.pointer,
                to: target.document.clone(),
            });
            if !shared.contains_key(&target.document) {
                let display = manifest.display_path(path);
                shared.insert(target.document.clone(), (display.clone(), document));
                pending.push((target.document, display, document));
            }
        }
    }
    errors.extend(cycles(&edges));
    let mut documents = Vec::new();
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for (id, (file, schema)) in shared {
        let module = module_name(&id);
        if crate::file_names::is_device_name(&module) {
            errors.push(Error::Schema {
                file: file.clone(),
                pointer: String::new(),
                message: format!(
                    "the document `{id}` would be the module file `src/shared/{module}.rs`, a device name on Windows, where it cannot be created"
                ),
            });
        }
        if let Some(other) = modules.insert(module.clone(), id.clone()) {
            errors.push(Error::Schema {
                file: file.clone(),
                pointer: String::new(),
                message: format!("the documents `{other}` and `{id}` would both be the module `shared::{module}`"),
            });
        }
        let wanted = within_reach(&id, schema, referenced.get(&id).cloned().unwrap_or_default());
        match type_names(&file, &module, schema, &wanted) {
            Ok(types) => documents.push(SharedDocument { id, file, module, schema: schema.clone(), types }),
            Err(found) => errors.extend(found),
        }
    }
    documents.sort_by(|a, b| a.module.cmp(&b.module));
    if errors.is_empty() {
        Ok(Bundle { documents })
    } else {
        Err(errors)
    }
}

/// `pointers` and every definition of the document they reach by its own `$ref`s: a shared type
/// merged into another document (`allOf` narrowing it) names those by the document's id, so
/// they need names of their own too.
fn within_reach(id: &str, schema: &Value, mut pointers: BTreeSet<String>) -> BTreeSet<String> {
    let mut pending: Vec<String> = pointers.iter().cloned().collect();
    while let Some(pointer) = pending.pop() {
        let Some(subschema) = schema.pointer(&pointer) else { continue };
        for reference in references(subschema) {
            let Ok(target) = resolve(id, &reference.value) else { continue };
            let definition = ["/$defs/", "/definitions/"].iter().any(|prefix| {
                target.fragment.strip_prefix(prefix).is_some_and(|name| !name.is_empty() && !name.contains('/'))
            });
            if target.document == id && definition && pointers.insert(target.fragment.clone()) {
                pending.push(target.fragment);
            }
        }
    }
    pointers
}

/// Types generated in separate modules cannot box each other, so a cycle of references across
/// documents would be a type of infinite size; recursion must stay inside one document.
fn cycles(edges: &[Edge]) -> Vec<Error> {
    let pairs: Vec<(&str, &str)> = edges.iter().map(|edge| (edge.from.as_str(), edge.to.as_str())).collect();
    let Some(route) = find_cycle(&pairs) else { return Vec::new() };
    let closing = edges.iter().find(|edge| edge.from == route[route.len() - 2] && edge.to == route[route.len() - 1]);
    let (file, pointer) =
        closing.map_or((String::new(), String::new()), |edge| (edge.file.clone(), edge.pointer.clone()));
    vec![Error::Schema {
        file,
        pointer,
        message: format!(
            "`$ref` cycle across documents ({}): recursive types must stay within one document",
            route.join(" → ")
        ),
    }]
}

/// The module of a shared document: the words of its id's path, e.g.
/// `https://schemas.cope.com/shared/venue/v1.json` → `shared_venue_v1`.
fn module_name(id: &str) -> String {
    let path = url::Url::parse(id).map(|url| url.path().to_owned()).unwrap_or_else(|_| id.to_owned());
    let path = path.trim_end_matches(".json").trim_end_matches(".schema");
    let name = path.to_snake_case();
    let name = if name.starts_with(|c: char| c.is_ascii_lowercase()) { name } else { format!("doc_{name}") };
    if syn::parse_str::<syn::Ident>(&name).is_ok() && name != "runtime" {
        name
    } else {
        format!("{name}_")
    }
}

/// The Rust name of every definition of a shared document that another document refers to
/// (`referenced`), and of the document itself when a reference names it whole; what those use
/// inside the document is generated with them, and nothing else of it is. Names must be ASCII
/// words that read the same in UpperCamelCase, and unique in the module.
fn type_names(
    file: &str,
    module: &str,
    schema: &Value,
    referenced: &BTreeSet<String>,
) -> Result<BTreeMap<String, String>, Vec<Error>> {
    let mut errors = Vec::new();
    let mut types = BTreeMap::new();
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut candidates: Vec<(String, String)> = Vec::new();
    for keyword in ["$defs", "definitions"] {
        for name in schema.get(keyword).and_then(Value::as_object).into_iter().flat_map(|defs| defs.keys()) {
            let pointer = format!("/{keyword}/{}", escape(name));
            if referenced.contains(&pointer) {
                candidates.push((pointer, name.clone()));
            }
        }
    }
    if referenced.contains("") {
        let title =
            schema.get("title").and_then(Value::as_str).filter(|title| is_type_name(&title.to_upper_camel_case()));
        candidates.push((String::new(), title.map_or_else(|| module.to_owned(), str::to_owned)));
    }
    for (pointer, name) in candidates {
        let rust_name = name.to_upper_camel_case();
        if !is_type_name(&rust_name) {
            errors.push(Error::Schema {
                file: file.to_owned(),
                pointer: pointer.clone(),
                message: format!(
                    "`{name}` does not make a Rust type name: name shared definitions with ASCII letters and digits, starting with a letter"
                ),
            });
            continue;
        }
        if let Some(other) = by_name.insert(rust_name.clone(), pointer.clone()) {
            errors.push(Error::Schema {
                file: file.to_owned(),
                pointer: pointer.clone(),
                message: format!("`{other}` and `{pointer}` would both be the Rust type `{rust_name}`"),
            });
            continue;
        }
        types.insert(pointer, rust_name);
    }
    if errors.is_empty() {
        Ok(types)
    } else {
        Err(errors)
    }
}

fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.to_upper_camel_case() == name
        && syn::parse_str::<syn::Ident>(name).is_ok()
        && name != "Self"
}
