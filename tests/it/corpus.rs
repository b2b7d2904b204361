//! The real registries vendored under `tests/fixtures/corpus` (GitHub webhooks, CDEvents; see
//! the README there), through the route a user takes: the manifest `cargo xtask init` wrote,
//! then `cargo xtask codegen`, whose crates (`tests/fixtures/generated/corpus-*`) this test
//! compiles and runs.
//!
//! - Every root document of each registry is a contract and generates (the drift test holds
//!   the crates to what `codegen` gives).
//! - Every published example, wrapped in a CloudEvent, decodes and re-encodes JSON-equal.
//! - Mutants of every example (a required member removed, a member of another JSON type) that
//!   the `jsonschema` crate rejects are rejected, unless every keyword jsonschema fails is one
//!   the generator lists as not enforced for that registry; the ones it accepts are accepted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::{ContractEntry, Manifest};
use serde_json::{json, Value};

/// What a corpus crate's `decode` then `encode` did with one event.
type RoundTrip = fn(&[u8]) -> Result<Value, String>;

macro_rules! round_trip {
    ($krate:ident) => {
        |bytes: &[u8]| {
            let event = $krate::decode(bytes).map_err(|error| error.to_string())?;
            let encoded = $krate::encode(&event).map_err(|error| error.to_string())?;
            Ok(serde_json::from_slice::<Value>(&encoded).unwrap())
        }
    };
}

struct Corpus {
    folder: PathBuf,
    manifest: Manifest,
    /// Every document, by the id it is registered under.
    documents: BTreeMap<String, Value>,
    /// JSON pointers of every keyword the generator does not enforce, in any document.
    not_enforced: Vec<String>,
    round_trip: RoundTrip,
}

fn corpus(name: &str, round_trip: RoundTrip) -> Corpus {
    let folder = xtask::codegen_task::project_root().join(xtask::codegen_task::FIXTURE_CORPUS).join(name);
    let manifest_path = folder.join("contracts.toml");
    let manifest = Manifest::parse("contracts.toml", &std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let documents = xtask::codegen_task::document_ids(&folder, manifest.documents.as_deref().unwrap(), &manifest)
        .unwrap()
        .into_iter()
        .map(|(file, id)| {
            let mut document: Value =
                serde_json::from_str(&std::fs::read_to_string(folder.join(file)).unwrap()).unwrap();
            // Registered under its id resolved against the manifest's base, as upstream's
            // validator registers each document (jsonschema would resolve a relative `$id`
            // against the retrieval URL instead).
            document["$id"] = Value::String(id.clone());
            (id, document)
        })
        .collect();
    let registry = xtask::codegen_task::load_registry(&manifest_path).unwrap();
    let generated = codegen::generate_with_progress(&registry, &codegen::Settings::default(), &|_| {}).unwrap();
    let not_enforced = generated.not_enforced.into_iter().map(|entry| entry.pointer).collect();
    Corpus { folder, manifest, documents, not_enforced, round_trip }
}

/// jsonschema finds every document of the registry by its id, offline.
struct Documents(BTreeMap<String, Value>);

impl jsonschema::Retrieve for Documents {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let id = codegen::reference::normalize_id(uri.as_str()).unwrap_or_else(|_| uri.as_str().to_owned());
        self.0.get(&id).cloned().ok_or_else(|| format!("no document {id}").into())
    }
}

impl Corpus {
    fn contract_for_schema(&self, schema: &str) -> &ContractEntry {
        self.manifest
            .contracts
            .iter()
            .find(|contract| contract.schema == schema)
            .unwrap_or_else(|| panic!("no contract for {schema}"))
    }

    fn validator(&self, contract: &ContractEntry) -> jsonschema::Validator {
        let id = self.manifest.document_id(&contract.schema_id);
        let schema = &self.documents[&id];
        jsonschema::options()
            .with_base_uri(id.clone())
            .with_retriever(Documents(self.documents.clone()))
            .build(schema)
            .unwrap_or_else(|error| panic!("{}: {error}", contract.schema))
    }

    fn event(&self, contract: &ContractEntry, data: &Value) -> Value {
        json!({
            "specversion": "1.0", "id": "1", "source": contract.source, "type": contract.event_type,
            "subject": contract.subject_pattern.replace("<identifier>", "1"),
            "dataschema": self.manifest.document_id(&contract.schema_id),
            "data": data,
        })
    }

    /// Whether every error jsonschema reports is at a keyword the generator lists.
    fn only_not_enforced(&self, errors: &[String]) -> bool {
        !errors.is_empty()
            && errors.iter().all(|location| {
                self.not_enforced
                    .iter()
                    .any(|pointer| location == pointer || location.starts_with(&format!("{pointer}/")))
            })
    }

    /// Decodes each example, checks its round trip and its mutants; returns the counts.
    fn check(&self, examples: &[(String, &ContractEntry, Value)]) -> Counts {
        let mut counts = Counts::default();
        let mut failures = Vec::new();
        let mut validators: BTreeMap<&str, jsonschema::Validator> = BTreeMap::new();
        for (file, contract, data) in examples {
            match (self.round_trip)(&serde_json::to_vec(&self.event(contract, data)).unwrap()) {
                Ok(encoded) if encoded["data"] == *data => counts.round_tripped += 1,
                Ok(_) => failures.push(format!("{file}: re-encoded data differs")),
                Err(error) => failures.push(format!("{file}: {error}")),
            }
            let validator = validators.entry(&contract.schema).or_insert_with(|| self.validator(contract));
            for (what, mutant) in mutants(data) {
                let errors: Vec<String> =
                    validator.iter_errors(&mutant).map(|error| error.schema_path().to_string()).collect();
                let decoded = (self.round_trip)(&serde_json::to_vec(&self.event(contract, &mutant)).unwrap());
                match (errors.is_empty(), decoded) {
                    (true, Ok(_)) => counts.valid_mutants += 1,
                    (true, Err(error)) => failures.push(format!("{file} with {what}: valid, yet rejected: {error}")),
                    (false, Err(_)) => counts.rejected_mutants += 1,
                    (false, Ok(_)) if self.only_not_enforced(&errors) => counts.unenforced_mutants += 1,
                    (false, Ok(_)) => failures.push(format!("{file} with {what}: invalid ({errors:?}), yet accepted")),
                }
            }
        }
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
        counts
    }
}

#[derive(Debug, Default)]
struct Counts {
    round_tripped: usize,
    valid_mutants: usize,
    rejected_mutants: usize,
    unenforced_mutants: usize,
}

/// A required member removed, and each member given a value of another JSON type.
fn mutants(data: &Value) -> Vec<(String, Value)> {
    let Some(members) = data.as_object() else { return Vec::new() };
    let mut mutants = Vec::new();
    for (name, value) in members {
        let mut removed = members.clone();
        removed.remove(name);
        mutants.push((format!("`{name}` removed"), Value::Object(removed)));
        let other = match value {
            Value::String(_) => json!(12345),
            Value::Number(_) | Value::Bool(_) => json!("text"),
            Value::Object(_) => json!(["an array"]),
            Value::Array(_) => json!({"an": "object"}),
            Value::Null => json!({"not": "null"}),
        };
        let mut changed = members.clone();
        changed.insert(name.clone(), other);
        mutants.push((format!("`{name}` of another type"), Value::Object(changed)));
    }
    mutants
}

fn json_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn github_webhooks_examples_round_trip_and_mutants_are_judged_as_json_schema_does() {
    let corpus = corpus("github-webhooks", round_trip!(cope_events_fixture_corpus_github_webhooks));
    assert_eq!(corpus.manifest.contracts.len(), 224, "one contract per event schema");
    let examples_folder = corpus.folder.join("examples/api.github.com");
    let mut examples = Vec::new();
    for path in json_files(&examples_folder) {
        let data: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let event = path.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        // The example's `action` picks the schema, as upstream's validator does.
        let by_action =
            data.get("action").and_then(Value::as_str).map(|action| format!("{event}/{action}.schema.json"));
        let schema = by_action
            .filter(|schema| corpus.folder.join("schemas/api.github.com").join(schema).is_file())
            .unwrap_or_else(|| format!("{event}/event.schema.json"));
        let contract = corpus.contract_for_schema(&format!("schemas/api.github.com/{schema}"));
        examples.push((path.strip_prefix(&corpus.folder).unwrap().display().to_string(), contract, data));
    }
    assert_eq!(examples.len(), 273, "every published example");
    let counts = corpus.check(&examples);
    eprintln!("github-webhooks: {counts:?}");
    assert_eq!(counts.round_tripped, examples.len());
}

#[test]
fn cdevents_conformance_events_round_trip_and_mutants_are_judged_as_json_schema_does() {
    let corpus = corpus("cdevents", round_trip!(cope_events_fixture_corpus_cdevents));
    let mut examples = Vec::new();
    for path in json_files(&corpus.folder.join("examples")) {
        let data: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // A conformance event names its type in `context.type`; the custom one has its own schema.
        let event_type = data.pointer("/context/type").and_then(Value::as_str).unwrap_or_default();
        let contract = match corpus.manifest.contracts.iter().find(|contract| contract.event_type == event_type) {
            Some(contract) => contract,
            None => corpus.contract_for_schema("schemas/custom/schema.json"),
        };
        examples.push((path.strip_prefix(&corpus.folder).unwrap().display().to_string(), contract, data));
    }
    assert_eq!(examples.len(), 49, "every conformance event");
    let counts = corpus.check(&examples);
    eprintln!("cdevents: {counts:?}");
    assert_eq!(counts.round_tripped, examples.len());
}
