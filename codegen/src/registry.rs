//! The generator's input: the manifest and the schema documents it names, already read from
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
}

impl Registry {
    /// Builds a registry from the manifest and the text of each schema file, keyed by the path
    /// the manifest uses for it. Reports every schema that is not JSON.
    pub fn new(manifest: Manifest, schema_texts: BTreeMap<String, String>) -> Result<Registry, Errors> {
        let mut errors = Vec::new();
        let mut schemas = BTreeMap::new();
        for (path, text) in schema_texts {
            match serde_json::from_str(&text) {
                Ok(schema) => {
                    schemas.insert(path, schema);
                }
                Err(error) => {
                    errors.push(Error::SchemaSyntax { file: manifest.display_path(&path), message: error.to_string() })
                }
            }
        }
        collected(Registry { manifest, schemas }, errors)
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// A schema by the path the manifest uses for it.
    pub(crate) fn schema(&self, path: &str) -> Option<&Value> {
        self.schemas.get(path)
    }
}
