//! Turns COPE event contracts into the source of a typed Rust crate.
//!
//! A contract is a CloudEvents 1.0 envelope whose `data` is described by a JSON Schema, plus
//! delivery facts (source, subject pattern, idempotency key). [`generate`] reads a
//! [`Registry`] (the manifest and its schemas, already in memory) and returns every file of the
//! generated crate. The library does no I/O: `xtask` reads the inputs and writes the files.
//!
//! The pipeline, one phase a module:
//! `model` (manifest → checked contracts with Rust names) → `schema_check` (our supported
//! subset, before typify) → `payload` (typify, then our serde impls on its structs) → `emit`
//! (envelope, dispatch enums, constants) → `render` (prettyplease, file headers).

pub mod compat;
mod emit;
mod error;
mod manifest;
mod model;
mod normalize;
mod payload;
mod payload_serde;
mod registry;
mod render;
mod schema_check;

/// The runtime template, compiled and tested here as well as in every generated crate.
#[cfg(test)]
#[path = "../templates/runtime.rs"]
#[allow(dead_code, reason = "the generated crates use parts these tests do not")]
mod runtime;
#[cfg(test)]
mod runtime_tests;

pub use error::{Error, Errors};
pub use manifest::{ContractEntry, Delivery, Manifest, STRUCTURED_JSON};
pub use registry::Registry;
pub use render::is_generated_manifest;

/// One file of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the crate's folder, with `/` separators, e.g. `src/lib.rs`.
    pub path: String,
    /// The file's full text.
    pub contents: String,
}

/// How the generated crate is named and versioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    crate_name: String,
    crate_version: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { crate_name: "cope-events".to_owned(), crate_version: "0.1.0".to_owned() }
    }
}

impl Settings {
    /// The generated crate's package name (default `cope-events`).
    pub fn with_crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = name.into();
        self
    }

    /// The generated crate's package version (default `0.1.0`).
    pub fn with_crate_version(mut self, version: impl Into<String>) -> Self {
        self.crate_version = version.into();
        self
    }
}

/// Generates every file of the crate, sorted by path. The same registry and settings always
/// give the same bytes. Fails with every problem found in the first phase that has any.
pub fn generate(registry: &Registry, settings: &Settings) -> Result<Vec<GeneratedFile>, Errors> {
    let event_types = model::build(registry)?;
    let mut errors = Vec::new();
    for version in event_types.iter().flat_map(|event_type| &event_type.versions) {
        errors.extend(schema_check::check(&version.schema_file, &version.schema_id, &version.schema));
    }
    error::collected((), errors)?;
    let mut payloads = Vec::new();
    let mut errors = Vec::new();
    for event_type in &event_types {
        for version in &event_type.versions {
            match payload::generate(version) {
                Ok(payload) => payloads.push(payload),
                Err(found) => errors.extend(found.0),
            }
        }
    }
    error::collected((), errors)?;
    let mut files = emit::crate_files(registry.manifest(), settings, &event_types, payloads)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
