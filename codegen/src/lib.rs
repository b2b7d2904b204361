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
//! cross-file `$ref`s, with their modules and type names) → `layout` (the crates: one, or one
//! per category with the shared types' and an umbrella) → `schema_check` (valid for its
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
mod layout;
mod manifest;
mod model;
mod names;
mod package;
mod parallel;
mod pattern;
mod payload;
pub mod reference;
mod reference_page;
mod registry;
mod render;
mod schema_check;
mod shared;
mod validation;

pub use draft::{Draft, DRAFTS};
pub use error::{Error, Errors, Warning, WarningKind};
pub use json::parse_document;
pub use manifest::{ContractEntry, Delivery, Layout, Manifest, STRUCTURED_JSON};
pub use model::is_event_type;
pub use package::{GENERATED_RUST_VERSION, RUNTIME_CRATE, RUNTIME_VERSION};
pub use reference_page::{is_reference_page, reference_pages};
pub use registry::Registry;
pub use render::is_generated_manifest;
pub use schema_check::meta_validate;

use std::collections::BTreeMap;

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
    /// How the generator runs (not what it makes: the output is the same for any value).
    threads: parallel::Threads,
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

    /// At most `count` threads generate files at once (at least one; default: as many as the
    /// machine runs at once). The output does not depend on it.
    pub fn with_threads(mut self, count: usize) -> Self {
        self.threads.count = Some(std::num::NonZeroUsize::new(count).unwrap_or(std::num::NonZeroUsize::MIN));
        self
    }

    /// The stack size, in bytes, of each thread that generates files (default: the platform's
    /// for new threads); deeply nested schemas need more.
    pub fn with_thread_stack_size(mut self, bytes: usize) -> Self {
        self.threads.stack_size = Some(bytes);
        self
    }
}

/// Generates every file of the crate, sorted by path. The same registry and settings always
/// give the same bytes. Fails with every problem found in the first phase that has any.
pub fn generate(registry: &Registry, settings: &Settings) -> Result<Vec<GeneratedFile>, Errors> {
    generate_with_progress(registry, settings, &|_| {}).map(|generated| generated.files)
}

/// Where the generator is, for a caller that must name the schema if the process dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// The types of this schema file are being generated.
    Reading(&'a str),
    /// They are done.
    Read(&'a str),
}

/// [`generate`], with the warnings and the keywords not enforced, telling `progress` when the
/// types of each schema file start and end (files are worked on in parallel, on the threads
/// [`Settings::with_threads`] allows), so that a caller running the generator in a child
/// process can name the files being read if the process dies.
pub fn generate_with_progress(
    registry: &Registry,
    settings: &Settings,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Generated, Errors> {
    let manifest = registry.manifest();
    let draft = manifest.default_draft;
    let package = package::resolve(manifest, settings)?;
    let event_types = model::build(registry)?;
    let (bundle, mut errors) = match shared::build(registry, &event_types) {
        Ok(bundle) => (bundle, Vec::new()),
        Err(errors) => (shared::Bundle::default(), errors),
    };
    let plan = match layout::Plan::new(manifest, &package, &event_types, !bundle.documents.is_empty()) {
        Ok(plan) => Some(plan),
        Err(found) => {
            errors.extend(found.0);
            None
        }
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
    let plan = error::collected(plan, errors)?.expect("a plan when there are no errors");
    // Each shared document, contract version and event type is a file made on its own: its
    // payload types generated and the file rendered on one thread (syn's tokens cannot cross
    // threads), in parallel with the others; results keep their order, so the output is the
    // same whatever the thread count.
    let parts: Vec<Part<'_>> = bundle
        .documents
        .iter()
        .map(Part::Shared)
        .chain(event_types.iter().flat_map(|event_type| {
            let versions = event_type.versions.iter().map(move |version| Part::Version(event_type, version));
            std::iter::once(Part::EventType(event_type)).chain(versions)
        }))
        .collect();
    let made = parallel::map(&parts, settings.threads, |part| {
        let file = part.schema_file();
        if let Some(file) = file {
            progress(Progress::Reading(file));
        }
        let made = make_part(manifest, &bundle, draft, part);
        if let Some(file) = file {
            progress(Progress::Read(file));
        }
        made
    });
    let mut files = Vec::new();
    let mut payloads = Vec::new();
    // What the payloads of each crate (by folder) need beyond the runtime.
    let mut needs: BTreeMap<&str, emit::Needs> = BTreeMap::new();
    let mut errors = Vec::new();
    for (part, made) in parts.iter().zip(made) {
        match made {
            Ok((file, facts)) => {
                let folder = part.folder(&plan);
                let crate_needs = needs.entry(folder).or_default();
                crate_needs.regex |= facts.as_ref().is_some_and(|facts| facts.uses_regex);
                // The shared crate's own documents name each other within it.
                crate_needs.shared |=
                    matches!(part, Part::Version(..)) && facts.as_ref().is_some_and(|facts| facts.uses_shared);
                files.push(GeneratedFile { path: format!("{folder}{}", file.path), ..file });
                payloads.extend(facts);
            }
            Err(found) => errors.extend(found.0),
        }
    }
    let mut not_enforced: Vec<Unenforced> =
        payloads.iter().flat_map(|facts| facts.not_enforced.iter().cloned()).collect();
    let mut warnings: Vec<Warning> = payloads.iter().flat_map(|facts| facts.warnings.iter().cloned()).collect();
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
    for krate in &plan.crates {
        let crate_needs = needs.get(krate.folder.as_str()).copied().unwrap_or_default();
        let crate_files = emit::crate_files(manifest, krate, &bundle.documents, crate_needs)?;
        files.extend(
            crate_files
                .into_iter()
                .map(|file| GeneratedFile { path: format!("{}{}", krate.folder, file.path), ..file }),
        );
    }
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

/// One file of the crate that is made on its own.
enum Part<'a> {
    /// A document reached by cross-file `$ref`s: `src/shared/<document>.rs`.
    Shared(&'a shared::SharedDocument),
    /// An event type's constants and version enum: `src/<type>/mod.rs`.
    EventType(&'a model::EventType),
    /// A contract version's payload types: `src/<type>/v<N>.rs`.
    Version(&'a model::EventType, &'a model::Version),
}

impl Part<'_> {
    /// The folder, below the output folder, of the crate the part's file is in.
    fn folder<'p>(&self, plan: &'p layout::Plan<'_>) -> &'p str {
        match self {
            Part::Shared(_) => plan.shared_folder(),
            Part::EventType(event_type) | Part::Version(event_type, _) => plan.folder_of(event_type),
        }
    }

    /// The schema file whose types the part holds.
    fn schema_file(&self) -> Option<&str> {
        match self {
            Part::Shared(document) => Some(&document.file),
            Part::EventType(_) => None,
            Part::Version(_, version) => Some(&version.schema_file),
        }
    }
}

/// What the rest of the crate needs to know of one payload's types.
struct PayloadFacts {
    uses_regex: bool,
    uses_shared: bool,
    not_enforced: Vec<Unenforced>,
    warnings: Vec<Warning>,
}

impl PayloadFacts {
    fn of(file: &str, payload: &payload::Payload) -> PayloadFacts {
        let not_enforced = payload.not_enforced.iter().map(|entry| Unenforced {
            file: file.to_owned(),
            pointer: entry.pointer.clone(),
            keyword: entry.keyword.clone(),
        });
        PayloadFacts {
            uses_regex: payload.uses_regex,
            uses_shared: payload.uses_shared,
            not_enforced: not_enforced.collect(),
            warnings: payload.warnings.clone(),
        }
    }
}

/// A part's file, with its payload's facts when it has a payload.
fn make_part(
    manifest: &Manifest,
    bundle: &shared::Bundle,
    draft: Draft,
    part: &Part<'_>,
) -> Result<(GeneratedFile, Option<PayloadFacts>), Errors> {
    match part {
        Part::Shared(document) => {
            let payload = payload::generate_shared(document, bundle, draft)?;
            let facts = PayloadFacts::of(&document.file, &payload);
            Ok((emit::shared::document_rs(document, payload)?, Some(facts)))
        }
        Part::EventType(event_type) => Ok((emit::event_type::module_rs(manifest, event_type)?, None)),
        Part::Version(event_type, version) => {
            let payload = payload::generate(version, bundle, draft)?;
            let facts = PayloadFacts::of(&version.schema_file, &payload);
            Ok((emit::version::module_rs(event_type, version, payload)?, Some(facts)))
        }
    }
}
