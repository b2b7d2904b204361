//! Turns COPE event contracts into the source of a typed Rust crate.
//!
//! A contract is a CloudEvents 1.0 envelope whose `data` is described by a JSON Schema, plus
//! delivery facts (source, subject pattern, idempotency key). [`generate`] reads a
//! [`Registry`] (the manifest and its schemas, already in memory) and returns every file of the
//! generated crate. The library does no I/O: `xtask` reads the inputs and writes the files.
//! [`reference_pages`] makes, from the same registry, one Markdown reference page per contract.
//!
//! The pipeline, one phase a module:
//! `model` (manifest → checked contracts with Rust names) → `shared` (documents reached by
//! cross-file `$ref`s, with their modules and type names) → `schema_check` (valid for its
//! draft, ids, limits, references) → `payload` (each document's types: keyword survey,
//! lowering to the payload model, emitters) → `emit` (envelope, dispatch enums, constants) →
//! `render` (prettyplease, headers).

pub mod compat;
mod draft;
mod emit;
mod error;
mod file_names;
mod json;
mod json_pointer;
mod manifest;
mod model;
mod names;
mod package;
mod pattern;
mod payload;
pub mod reference;
mod reference_page;
mod registry;
mod render;
mod schema_check;
mod shared;

pub use draft::{Draft, DRAFTS};
pub use error::{Error, Errors, Warning, WarningKind};
pub use json::parse_document;
pub use manifest::{ContractEntry, Delivery, Manifest, STRUCTURED_JSON};
pub use model::is_event_type;
pub use package::{GENERATED_RUST_VERSION, RUNTIME_CRATE, RUNTIME_VERSION};
pub use reference_page::{is_reference_page, reference_pages};
pub use registry::Registry;
pub use render::is_generated_manifest;
pub use schema_check::meta_validate;

/// One file of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the crate's folder, with `/` separators, e.g. `src/lib.rs`.
    pub path: String,
    /// The file's full text.
    pub contents: String,
}

/// What a generation gives: the files, and what a person should know about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Every file of the crate, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// Unknown keywords and other findings that did not stop generation, sorted.
    pub warnings: Vec<Warning>,
    /// Every keyword the generated decoders do not enforce (they accept more than the schema
    /// there, never less), by file and pointer.
    pub not_enforced: Vec<Unenforced>,
}

/// A keyword the generated decoder does not enforce.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unenforced {
    /// The schema file.
    pub file: String,
    /// JSON pointer to the keyword.
    pub pointer: String,
    /// The keyword (`format`, `uniqueItems`, `additionalProperties: false`...).
    pub keyword: String,
}

/// How the generated crate is named and versioned, over the manifest's `[package]` table
/// (`--crate-name`, `--crate-version`), and where its runtime crate comes from
/// (`--runtime-path`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    crate_name: Option<String>,
    crate_version: Option<String>,
    runtime_path: Option<String>,
}

impl Settings {
    /// The generated crate's package name, over the manifest's (default `cope-events`).
    pub fn with_crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// The package name set here, if any.
    pub fn crate_name(&self) -> Option<&str> {
        self.crate_name.as_deref()
    }

    /// The generated crate's package version, over the manifest's (default `0.1.0`).
    pub fn with_crate_version(mut self, version: impl Into<String>) -> Self {
        self.crate_version = Some(version.into());
        self
    }

    /// The package version set here, if any.
    pub fn crate_version(&self) -> Option<&str> {
        self.crate_version.as_deref()
    }

    /// The runtime crate ([`RUNTIME_CRATE`]) as a path dependency: its folder relative to the
    /// generated crate's, with `/` separators (`../runtime`). Without it the generated crate
    /// takes the runtime from its registry (crates.io), at exactly [`RUNTIME_VERSION`].
    pub fn with_runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = Some(path.into());
        self
    }

    /// The runtime path set here, if any.
    pub fn runtime_path(&self) -> Option<&str> {
        self.runtime_path.as_deref()
    }
}

/// Generates every file of the crate, sorted by path. The same registry and settings always
/// give the same bytes. Fails with every problem found in the first phase that has any.
pub fn generate(registry: &Registry, settings: &Settings) -> Result<Vec<GeneratedFile>, Errors> {
    generate_with_progress(registry, settings, &mut |_| {}).map(|generated| generated.files)
}

/// [`generate`], with the warnings and the keywords not enforced, calling `progress` with each
/// schema file just before its types are generated, so that a caller running the generator in
/// a child process can name the file if the process dies.
pub fn generate_with_progress(
    registry: &Registry,
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Result<Generated, Errors> {
    let manifest = registry.manifest();
    let draft = manifest.default_draft;
    let package = package::resolve(manifest, settings)?;
    let event_types = model::build(registry)?;
    let (bundle, mut errors) = match shared::build(registry, &event_types) {
        Ok(bundle) => (bundle, Vec::new()),
        Err(errors) => (shared::Bundle::default(), errors),
    };
    // Each document is checked once: as a contract's schema when it is one (several event
    // types may give the same), else as a shared document.
    let contracts: std::collections::BTreeMap<_, _> = event_types
        .iter()
        .flat_map(|event_type| &event_type.versions)
        .map(|version| {
            (
                &version.document_id,
                (&version.schema_file, &version.document_id, &version.schema, schema_check::Role::Contract),
            )
        })
        .collect();
    let documents = bundle
        .documents
        .iter()
        .filter(|document| !contracts.contains_key(&document.id))
        .map(|document| (&document.file, &document.id, &document.schema, schema_check::Role::Shared));
    for (file, id, schema, role) in contracts.values().copied().chain(documents) {
        errors.extend(schema_check::check(file, id, schema, role, registry, draft));
    }
    error::collected((), errors)?;
    let mut payloads = Vec::new();
    let mut shared_payloads = Vec::new();
    let mut errors = Vec::new();
    let mut not_enforced = Vec::new();
    for document in &bundle.documents {
        progress(&document.file);
        match payload::generate_shared(document, &bundle, draft) {
            Ok(payload) => {
                not_enforced.extend(unenforced(&document.file, &payload));
                shared_payloads.push(payload);
            }
            Err(found) => errors.extend(found.0),
        }
    }
    for version in event_types.iter().flat_map(|event_type| &event_type.versions) {
        progress(&version.schema_file);
        match payload::generate(version, &bundle, draft) {
            Ok(payload) => {
                not_enforced.extend(unenforced(&version.schema_file, &payload));
                payloads.push(payload);
            }
            Err(found) => errors.extend(found.0),
        }
    }
    let mut warnings: Vec<Warning> =
        payloads.iter().chain(&shared_payloads).flat_map(|payload| payload.warnings.iter().cloned()).collect();
    warnings.sort();
    warnings.dedup();
    if manifest.deny_unknown_keywords {
        let (denied, kept): (Vec<Warning>, Vec<Warning>) =
            warnings.into_iter().partition(|warning| warning.kind == WarningKind::UnknownKeyword);
        errors.extend(denied.into_iter().map(|warning| {
            let mut error = Error::from(warning);
            if let Error::Schema { message, .. } = &mut error {
                message.push_str(" (the manifest sets `unknown_keywords = \"error\"`)");
            }
            error
        }));
        warnings = kept;
    }
    error::collected((), errors)?;
    let shared = bundle.documents.into_iter().zip(shared_payloads).collect();
    let mut files = emit::crate_files(manifest, &package, &event_types, payloads, shared)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    check_file_names(manifest, &files)?;
    not_enforced.sort();
    not_enforced.dedup();
    Ok(Generated { files, warnings, not_enforced })
}

/// Every generated path can be created on every platform. The names that derive them are
/// checked where they are made, with the manifest key or file to blame; this is the last guard.
fn check_file_names(manifest: &Manifest, files: &[GeneratedFile]) -> Result<(), Errors> {
    let problem = |path: &str, message: String| Error::GeneratedShape {
        file: manifest.file.clone(),
        type_name: path.to_owned(),
        message,
    };
    if let Some(path) = files.iter().find(|file| file.path.split('/').any(file_names::is_device_name)) {
        return Err(problem(&path.path, "names a device on Windows, where it cannot be a file".to_owned()).into());
    }
    if let Some((first, second)) = file_names::case_collision(files.iter().map(|file| file.path.as_str())) {
        return Err(
            problem(second, format!("differs from `{first}` only by case: one file where case is ignored")).into()
        );
    }
    Ok(())
}

fn unenforced<'a>(file: &'a str, payload: &'a payload::Payload) -> impl Iterator<Item = Unenforced> + 'a {
    payload.not_enforced.iter().map(move |entry| Unenforced {
        file: file.to_owned(),
        pointer: entry.pointer.clone(),
        keyword: entry.keyword.clone(),
    })
}
