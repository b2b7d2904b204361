//! The generator's input: the manifest and the schema documents it needs, already read from
//! wherever they live (the library does no I/O).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{collected, Error, Errors};
use crate::manifest::Manifest;

/// A manifest with its schemas, parsed as JSON.
#[derive(Debug, Clone)]
pub struct Registry {
    manifest: Manifest,
    schemas: BTreeMap<String, Value>,
    /// Every document by its id (in normal form): the manifest's contract schemas and the
    /// documents handed to [`Registry::with_documents`].
    ids: BTreeMap<String, String>,
    /// Example payload files by path (relative to the manifest's folder), as text.
    examples: BTreeMap<String, String>,
}

impl Registry {
    /// Builds a registry from the manifest and the text of each schema file, keyed by the path
    /// the manifest uses for it. Reports every schema that is not JSON.
    pub fn new(manifest: Manifest, schema_texts: BTreeMap<String, String>) -> Result<Registry, Errors> {
        Registry::with_documents(manifest, schema_texts, BTreeMap::new())
    }

    /// Like [`Registry::new`], with further documents that schemas may `$ref` across files:
    /// `ids` maps each document's id to its path among `schema_texts` (relative to the
    /// manifest's folder, as the lockfile records it).
    pub fn with_documents(
        manifest: Manifest,
        schema_texts: BTreeMap<String, String>,
        ids: BTreeMap<String, String>,
    ) -> Result<Registry, Errors> {
        let mut errors = Vec::new();
        let mut schemas = BTreeMap::new();
        for (path, text) in schema_texts {
            match crate::json::parse_document(&text) {
                Ok(schema) => {
                    schemas.insert(path, schema);
                }
                Err(error) => errors.push(Error::SchemaSyntax { file: manifest.display_path(&path), message: error }),
            }
        }
        let contract_ids =
            manifest.contracts.iter().map(|contract| (contract.schema_id.clone(), contract.schema.clone()));
        let mut normal_ids = BTreeMap::new();
        for (id, path) in ids.into_iter().chain(contract_ids) {
            normal_ids.insert(manifest.document_id(&id), path);
        }
        collected(Registry { manifest, schemas, ids: normal_ids, examples: BTreeMap::new() }, errors)
    }

    /// The text of the example payload files contracts name (`examples`), keyed by path
    /// relative to the manifest's folder; a folder a contract names counts every file below it.
    pub fn with_examples(mut self, examples: BTreeMap<String, String>) -> Registry {
        self.examples = examples;
        self
    }

    /// The example files one `examples` entry names: the file, or every file below the folder,
    /// sorted by path.
    pub(crate) fn examples_named(&self, entry: &str) -> Vec<(&str, &str)> {
        let folder = match entry.trim_end_matches('/') {
            "" | "." => String::new(),
            folder => format!("{folder}/"),
        };
        self.examples
            .iter()
            .filter(|(path, _)| *path == entry || path.starts_with(&folder))
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect()
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// A schema by the path the manifest uses for it.
    pub(crate) fn schema(&self, path: &str) -> Option<&Value> {
        self.schemas.get(path)
    }

    /// A document by its id in normal form: its path (relative to the manifest's folder) and
    /// its schema.
    pub(crate) fn document(&self, id: &str) -> Option<(&str, &Value)> {
        let path = self.ids.get(id)?;
        Some((path, self.schemas.get(path)?))
    }
}
