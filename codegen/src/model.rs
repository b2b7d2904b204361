//! Our own model of the contracts: the manifest's facts, checked, grouped by event type, with
//! the Rust names every later phase uses. Nothing here knows about tokens.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::error::{collected, Error, Errors};
use crate::manifest::{ContractEntry, Manifest, STRUCTURED_JSON};
use crate::registry::Registry;

/// The placeholder that ends every subject pattern.
const SUBJECT_PLACEHOLDER: &str = "<identifier>";
/// Module names the generated crate uses for itself.
const RESERVED_MODULES: &[&str] = &["runtime", "event", "shared"];
/// Type names the generated crate root uses for itself.
const RESERVED_TYPES: &[&str] =
    &["Event", "CloudEvent", "Contract", "DecodeError", "EncodeError", "IdempotencyKey", "InvalidExtension", "Json"];

/// Every version of one event type.
#[derive(Debug, Clone)]
pub(crate) struct EventType {
    /// CloudEvents `type`.
    pub event_type: String,
    /// Module under the crate root, e.g. `ticketing_event_published`.
    pub module: String,
    /// The per-type enum and its variant in `Event`, e.g. `TicketingEventPublished`.
    pub enum_name: String,
    pub source: String,
    pub subject_prefix: String,
    pub category: String,
    pub guarantee: String,
    /// Sorted by version.
    pub versions: Vec<Version>,
}

/// One version of an event type.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub version: u32,
    /// Module under the type's module, e.g. `v1`.
    pub module: String,
    /// Variant of the per-type enum, e.g. `V1`.
    pub variant: String,
    /// The payload's root type, e.g. `TicketingEventPublishedV1`.
    pub payload_type: String,
    /// The id the schema document is known by in the registry (the manifest's `schema_id`
    /// resolved against its `base_uri`): what its relative `$ref`s resolve against, and the
    /// `dataschema` its events carry.
    pub document_id: String,
    /// What its events carry as `dataschema`: the manifest's `schema_id` as written when it is
    /// an absolute URI (producers send the published spelling), else `document_id`.
    pub dataschema: String,
    /// The schema file as messages and docs name it.
    pub schema_file: String,
    pub schema: Value,
    /// The payload's `schema_version` constant, when the schema has one.
    pub schema_version: Option<String>,
    /// Example payloads: the schema's own `examples`, then the files the manifest names.
    pub examples: Vec<Example>,
    /// Several event types give this schema as their payload: its types are generated once,
    /// in the shared document of the schema, and the payload type wraps its root.
    pub shared_payload: bool,
}

/// One example payload, to be a test of the generated crate.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    /// Where it comes from, as messages name it (a file, or the schema's `examples`).
    pub from: String,
    /// The payload's JSON text, as published (a schema's own example, as `serde_json` writes it).
    pub text: String,
}

/// Checks the manifest against the schemas and builds the model, sorted by event type.
pub(crate) fn build(registry: &Registry) -> Result<Vec<EventType>, Errors> {
    let manifest = registry.manifest();
    let mut errors = Vec::new();
    let mut types: BTreeMap<String, EventType> = BTreeMap::new();
    // Which contracts give each schema id, to find schemas several event types share.
    let mut schema_ids: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, entry) in manifest.contracts.iter().enumerate() {
        let mut problem = |key: &str, message: String| {
            errors.push(Error::ManifestValue {
                file: manifest.file.clone(),
                key: format!("contract[{index}].{key}"),
                message,
            })
        };
        check_entry(entry, &mut problem);
        let givers = schema_ids.entry(manifest.document_id(&entry.schema_id)).or_default();
        if let Some(&first) = givers.first() {
            let other = &manifest.contracts[first];
            if other.schema != entry.schema {
                problem(
                    "schema_id",
                    format!(
                        "`{}` is also the schema id of contract[{first}], whose schema is another file (`{}`)",
                        entry.schema_id, other.schema
                    ),
                );
            } else if let Some(&same) =
                givers.iter().find(|&&given| manifest.contracts[given].event_type == entry.event_type)
            {
                problem(
                    "schema_id",
                    format!(
                        "`{}` is also the schema id of contract[{same}], another version of `{}`: dispatch by `dataschema` could not tell the versions apart",
                        entry.schema_id, entry.event_type
                    ),
                );
            }
        }
        givers.push(index);
        let Some(schema) = registry.schema(&entry.schema) else {
            continue;
        };
        let mut version = version_model(manifest, entry, schema);
        for named in &entry.examples {
            let found = registry.examples_named(named);
            if found.is_empty() {
                problem("examples", format!("`{named}` names no example file (a `.json` file or a folder of them)"));
            }
            for (path, text) in found {
                // As strictly as a schema document (a key twice is an error): the test must
                // decode what was published, as published.
                match crate::json::parse_document(text) {
                    Ok(_) => {
                        version.examples.push(Example { from: manifest.display_path(path), text: text.to_owned() })
                    }
                    Err(error) => {
                        problem("examples", format!("`{}` is not JSON: {error}", manifest.display_path(path)))
                    }
                }
            }
        }
        if let Some(existing) = types.get(&entry.event_type) {
            for (key, ours, theirs) in [
                ("source", &entry.source, &existing.source),
                ("category", &entry.category, &existing.category),
                ("delivery.guarantee", &entry.delivery.guarantee, &existing.guarantee),
            ] {
                if ours != theirs {
                    problem(
                        key,
                        format!(
                            "`{ours}` differs from `{theirs}` declared for another version of `{}`",
                            entry.event_type
                        ),
                    );
                }
            }
            if existing.subject_prefix != subject_prefix(&entry.subject_pattern) {
                problem("subject_pattern", format!("differs from another version of `{}`", entry.event_type));
            }
            if existing.versions.iter().any(|known| known.version == entry.version) {
                problem("version", format!("`{}` v{} is declared twice", entry.event_type, entry.version));
                continue;
            }
        }
        types
            .entry(entry.event_type.clone())
            .or_insert_with(|| EventType {
                event_type: entry.event_type.clone(),
                module: module_name(&entry.event_type),
                enum_name: type_name(&entry.event_type),
                source: entry.source.clone(),
                subject_prefix: subject_prefix(&entry.subject_pattern).to_owned(),
                category: entry.category.clone(),
                guarantee: entry.delivery.guarantee.clone(),
                versions: Vec::new(),
            })
            .versions
            .push(version);
    }
    for schema_file in manifest.schema_files() {
        if registry.schema(schema_file).is_none() {
            errors.push(Error::MissingSchema { file: manifest.display_path(schema_file) });
        }
    }
    let mut types: Vec<EventType> = types.into_values().collect();
    for event_type in &mut types {
        event_type.versions.sort_by_key(|version| version.version);
        for version in &mut event_type.versions {
            version.shared_payload = schema_ids.get(&version.document_id).is_some_and(|givers| givers.len() > 1);
        }
    }
    check_unique_names(manifest, &types, &mut errors);
    check_unique_schema_versions(manifest, &types, &mut errors);
    collected(types, errors)
}

fn version_model(manifest: &Manifest, entry: &ContractEntry, schema: &Value) -> Version {
    let schema_version = schema.pointer("/properties/schema_version/const").and_then(Value::as_str).map(str::to_owned);
    Version {
        version: entry.version,
        module: format!("v{}", entry.version),
        variant: format!("V{}", entry.version),
        payload_type: format!("{}V{}", type_name(&entry.event_type), entry.version),
        document_id: manifest.document_id(&entry.schema_id),
        dataschema: match url::Url::parse(&entry.schema_id) {
            Ok(_) => entry.schema_id.clone(),
            Err(_) => manifest.document_id(&entry.schema_id),
        },
        schema_file: manifest.display_path(&entry.schema),
        schema: schema.clone(),
        schema_version,
        examples: schema
            .get("examples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(index, data)| Example {
                from: format!("{}#/examples/{index}", manifest.display_path(&entry.schema)),
                text: format!("{}\n", serde_json::to_string_pretty(data).unwrap_or_default()),
            })
            .collect(),
        shared_payload: false,
    }
}

fn check_entry(entry: &ContractEntry, problem: &mut impl FnMut(&str, String)) {
    if !is_event_type(&entry.event_type) {
        problem(
            "event_type",
            format!(
                "`{}` is not a supported event type: words of ASCII letters and digits joined by `.`, `_` or `-`, the first starting with a letter",
                entry.event_type
            ),
        );
    } else if RESERVED_MODULES.contains(&module_name(&entry.event_type).as_str()) {
        problem("event_type", format!("`{}` would name a module the generated crate uses itself", entry.event_type));
    } else if RESERVED_TYPES.contains(&type_name(&entry.event_type).as_str()) {
        problem("event_type", format!("`{}` would name a type the generated crate uses itself", entry.event_type));
    } else if syn::parse_str::<syn::Ident>(&module_name(&entry.event_type)).is_err() {
        problem("event_type", format!("`{}` would name a module with a Rust keyword", entry.event_type));
    }
    if entry.version == 0 {
        problem("version", "versions start at 1".to_owned());
    }
    for (key, value) in [("schema_id", &entry.schema_id), ("source", &entry.source), ("category", &entry.category)] {
        if value.trim().is_empty() {
            problem(key, "must not be empty".to_owned());
        }
    }
    let prefix = entry.subject_pattern.strip_suffix(SUBJECT_PLACEHOLDER);
    if prefix.is_none_or(|prefix| prefix.contains(['<', '>'])) {
        problem(
            "subject_pattern",
            format!("`{}` is not a literal prefix followed by `{SUBJECT_PLACEHOLDER}`", entry.subject_pattern),
        );
    }
    if entry.delivery.encoding != STRUCTURED_JSON {
        problem(
            "delivery.encoding",
            format!("`{}` is not supported; only `{STRUCTURED_JSON}` is", entry.delivery.encoding),
        );
    }
    if entry.delivery.guarantee != "at-least-once" {
        problem(
            "delivery.guarantee",
            format!("`{}` is not supported; only `at-least-once` is", entry.delivery.guarantee),
        );
    }
    if entry.delivery.idempotency_key != "idempotency_key" {
        problem(
            "delivery.idempotency_key",
            format!(
                "`{}` is not supported; only the COPE `idempotency_key` extension is",
                entry.delivery.idempotency_key
            ),
        );
    }
}

/// Words of ASCII letters and digits joined by one `.`, `_` or `-`, the first starting with a
/// letter (`dev.cdevents.build.finished.0.2.0`, `google.cloud.storage.object.v1.metadataUpdated`).
/// Nothing else can reach a Rust name or a file path.
pub fn is_event_type(event_type: &str) -> bool {
    event_type.starts_with(|c: char| c.is_ascii_alphabetic())
        && event_type
            .split(['.', '_', '-'])
            .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The words of an event type, as its Rust names split them (`metadataUpdated` is two).
fn words(event_type: &str) -> Vec<String> {
    event_type
        .split(['.', '_', '-'])
        .flat_map(|word| word.to_snake_case().split('_').map(str::to_owned).collect::<Vec<_>>())
        .filter(|word| !word.is_empty())
        .collect()
}

/// `shop.order.placed` → `shop_order_placed`; `a.0.2.0` → `a_0_2_0`.
fn module_name(event_type: &str) -> String {
    words(event_type).join("_")
}

/// `shop.order.placed` → `ShopOrderPlaced`; digit groups stay apart: `a.0.2.0` → `A0_2_0`.
fn type_name(event_type: &str) -> String {
    let mut name = String::new();
    for word in words(event_type) {
        let cased = word.to_upper_camel_case();
        if name.ends_with(|c: char| c.is_ascii_digit()) && cased.starts_with(|c: char| c.is_ascii_digit()) {
            name.push('_');
        }
        name.push_str(&cased);
    }
    name
}

fn subject_prefix(pattern: &str) -> &str {
    pattern.strip_suffix(SUBJECT_PLACEHOLDER).unwrap_or(pattern)
}

/// Two event types whose Rust names collide (`a.b` and `a_b`) would overwrite each other.
fn check_unique_names(manifest: &Manifest, types: &[EventType], errors: &mut Vec<Error>) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for event_type in types {
        if crate::file_names::is_device_name(&event_type.module) {
            let index = manifest.contracts.iter().position(|contract| contract.event_type == event_type.event_type);
            errors.push(Error::ManifestValue {
                file: manifest.file.clone(),
                key: index.map_or_else(|| "contract".to_owned(), |index| format!("contract[{index}].event_type")),
                message: format!(
                    "`{}` would be the module folder `src/{}/`, a device name on Windows, where it cannot be created",
                    event_type.event_type, event_type.module
                ),
            });
        }
        for name in [event_type.module.as_str(), event_type.enum_name.as_str()] {
            if let Some(other) = seen.insert(name, &event_type.event_type) {
                if other != event_type.event_type {
                    errors.push(Error::ManifestValue {
                        file: manifest.file.clone(),
                        key: "contract".to_owned(),
                        message: format!(
                            "event types `{other}` and `{}` both map to the Rust name `{name}`",
                            event_type.event_type
                        ),
                    });
                }
            }
        }
    }
}

/// Without `dataschema`, the version is found by the payload's `schema_version`: two versions
/// with the same one could decode one as the other.
fn check_unique_schema_versions(manifest: &Manifest, types: &[EventType], errors: &mut Vec<Error>) {
    for event_type in types {
        let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
        for version in &event_type.versions {
            let Some(schema_version) = version.schema_version.as_deref() else { continue };
            if let Some(first) = seen.insert(schema_version, version.version) {
                errors.push(Error::ManifestValue {
                    file: manifest.file.clone(),
                    key: "contract".to_owned(),
                    message: format!(
                        "`{}` v{first} and v{} both declare schema_version `{schema_version}`",
                        event_type.event_type, version.version
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_of_real_registries_get_rust_names() {
        let cases = [
            ("ticketing.event.published", "ticketing_event_published", "TicketingEventPublished"),
            ("shop.order.v1", "shop_order_v1", "ShopOrderV1"),
            ("shop.a1", "shop_a1", "ShopA1"),
            ("hostile.g01", "hostile_g01", "HostileG01"),
            ("dev.cdevents.build.finished.0.2.0", "dev_cdevents_build_finished_0_2_0", "DevCdeventsBuildFinished0_2_0"),
            (
                "google.cloud.storage.object.v1.metadataUpdated",
                "google_cloud_storage_object_v1_metadata_updated",
                "GoogleCloudStorageObjectV1MetadataUpdated",
            ),
            ("com.github.pull_request.opened", "com_github_pull_request_opened", "ComGithubPullRequestOpened"),
        ];
        for (event_type, module, type_name_) in cases {
            assert!(is_event_type(event_type), "{event_type}");
            assert_eq!((module_name(event_type), type_name(event_type)), (module.to_owned(), type_name_.to_owned()));
            assert!(syn::parse_str::<syn::Ident>(&module_name(event_type)).is_ok());
        }
        for refused in ["", "1abc", "a..b", "a/b", "../x", "a b", "é.x", "a.", "-a"] {
            assert!(!is_event_type(refused), "{refused:?}");
        }
    }
}
