//! `cargo xtask codegen`: reads the manifest and its schemas, runs the generator, and writes or
//! checks the generated crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::{GeneratedFile, Manifest, Registry, Settings};

use crate::lock::{Lock, LockError, LOCK_FILE};
use crate::tree::{ensure_tree, Mode, Outcome, TreeError};

/// The command that regenerates the crate, named in every drift report.
pub const FIX_COMMAND: &str = "cargo xtask codegen";

/// Where the inputs are and where the crate goes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The generated crate's folder.
    pub out_dir: PathBuf,
}

/// One crate to generate: from which manifest, into which folder, under which name.
#[derive(Debug, Clone)]
pub struct Target {
    /// Inputs and output.
    pub paths: Paths,
    /// The generated crate's name and version.
    pub settings: Settings,
}

/// The folder of test fixture registries, each generated like the real one.
const FIXTURE_REGISTRIES: &str = "tests/fixtures/registries";
/// Real registries, vendored with their licenses: one folder each, with a manifest.
pub const FIXTURE_CORPUS: &str = "tests/fixtures/corpus";
/// Where each fixture registry's crate is generated.
const FIXTURE_CRATES: &str = "tests/fixtures/generated";
/// The runtime crate every generated crate of this repository depends on by path.
pub const RUNTIME_CRATE_DIR: &str = "runtime";

impl Paths {
    /// The repository's own manifest and output folder.
    pub fn in_repository() -> Paths {
        let root = project_root();
        Paths { manifest: root.join("schemas/contracts.toml"), out_dir: root.join("generated") }
    }
}

impl Target {
    /// Every crate this repository generates: `generated/` from `schemas/`, then one crate per
    /// test fixture registry, sorted by folder name.
    pub fn all_in_repository() -> Result<Vec<Target>, TaskError> {
        let root = project_root();
        let runtime = root.join(RUNTIME_CRATE_DIR);
        let with_runtime = |settings: Settings, out_dir: &Path| -> Result<Settings, TaskError> {
            Ok(settings.with_runtime_path(relative_path(out_dir, &runtime)?))
        };
        let paths = Paths::in_repository();
        let settings = with_runtime(Settings::default(), &paths.out_dir)?;
        let mut targets = vec![Target { paths, settings }];
        // Made-up registries, then real ones vendored with their licenses (`corpus-<name>`).
        for (folder, prefix) in [(FIXTURE_REGISTRIES, ""), (FIXTURE_CORPUS, "corpus-")] {
            let fixtures = root.join(folder);
            let entries = std::fs::read_dir(&fixtures)
                .map_err(|source| TaskError::Read { path: fixtures.display().to_string(), source })?;
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().join("contracts.toml").is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for name in names {
                let out_dir = root.join(FIXTURE_CRATES).join(format!("{prefix}{name}"));
                let settings = Settings::default().with_crate_name(format!("cope-events-fixture-{prefix}{name}"));
                targets.push(Target {
                    settings: with_runtime(settings, &out_dir)?,
                    paths: Paths { manifest: fixtures.join(&name).join("contracts.toml"), out_dir },
                });
            }
        }
        Ok(targets)
    }
}

/// `to` as seen from the folder `from`, with `/` separators (`../runtime`), as a path
/// dependency in `from/Cargo.toml` names it. Neither folder need exist.
pub fn relative_path(from: &Path, to: &Path) -> Result<String, TaskError> {
    let parts = |path: &Path| -> Result<Vec<std::ffi::OsString>, TaskError> {
        let absolute =
            std::path::absolute(path).map_err(|source| TaskError::Read { path: path.display().to_string(), source })?;
        let mut parts = Vec::new();
        for component in absolute.components() {
            match component {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                other => parts.push(other.as_os_str().to_owned()),
            }
        }
        Ok(parts)
    };
    let (from, to) = (parts(from)?, parts(to)?);
    let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let ups = std::iter::repeat_n("..".to_owned(), from.len() - shared);
    let downs = to[shared..].iter().map(|part| part.to_string_lossy().into_owned());
    let relative: Vec<String> = ups.chain(downs).collect();
    Ok(if relative.is_empty() { ".".to_owned() } else { relative.join("/") })
}

/// The settings `cargo xtask codegen` generates the repository's crate in `out_dir` with (its
/// name, its runtime path), for generating the same crate from inputs elsewhere.
///
/// # Panics
/// If no crate of the repository is generated into `out_dir`.
pub fn settings_of(out_dir: &Path) -> Settings {
    let targets = Target::all_in_repository().expect("the repository's fixture folders are readable");
    let target = targets.into_iter().find(|target| target.paths.out_dir == out_dir);
    target.unwrap_or_else(|| panic!("{}: no crate of this repository is generated there", out_dir.display())).settings
}

/// Why the task failed.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// An input file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A schema or example file is not UTF-8 text.
    #[error(
        "{file}: not UTF-8 text (the first invalid byte is at offset {offset}); schemas and examples must be UTF-8"
    )]
    NotUtf8 {
        /// The file, as messages show it (relative to the manifest's folder).
        file: String,
        /// Byte offset of the first byte that is not UTF-8.
        offset: usize,
    },
    /// The registry has problems; nothing was written.
    #[error("{0}\ncodegen failed; nothing was written")]
    Generate(codegen::Errors),
    /// A vendored schema does not match the lockfile; nothing was written.
    #[error("{}\ncodegen failed; nothing was written", .0.iter().map(|error| format!("error: {error}")).collect::<Vec<_>>().join("\n"))]
    Lock(Vec<LockError>),
    /// The generator, in its child process, found problems; nothing was written.
    #[error("{0}")]
    Rejected(String),
    /// The generator's child process died (a stack overflow cannot be caught);
    /// nothing was written.
    #[error("the generator crashed ({status}){}; nothing was written", .file.as_ref().map(|file| format!(" while reading {file}: that schema is beyond what the generator can take")).unwrap_or_default())]
    Crashed {
        /// The schema the generator was reading, when the child had said.
        file: Option<String>,
        /// How the child ended.
        status: String,
    },
    /// The output folder holds something other than a generated crate.
    #[error("{0}: refusing to replace a folder that is not a crate generated by `cargo xtask codegen` (its Cargo.toml lacks the generated header); choose an empty or generated folder")]
    ForeignFolder(String),
    /// Writing failed, or the check found drift.
    #[error(transparent)]
    Tree(#[from] TreeError),
}

/// The repository the command works on: git's top level above the working directory (the
/// nearest folder holding `.git`), else the working directory itself. Found at run time, so
/// that one built xtask serves every checkout, wherever its target directory is.
pub fn project_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    repository_of(&cwd).unwrap_or(cwd)
}

/// Git's top level above `path` (a file or folder): the nearest folder holding `.git` (a
/// folder, or a file in a worktree or submodule).
pub fn repository_of(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    absolute.ancestors().find(|folder| folder.join(".git").exists()).map(Path::to_path_buf)
}

/// How the manifest appears in messages and generated headers: its folder's name and its file
/// name (`schemas/contracts.toml`), so that every clone, wherever it is, writes the same bytes.
pub(crate) fn manifest_display_name(path: &Path) -> String {
    let name = |path: Option<&Path>| {
        path.and_then(Path::file_name).map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
    };
    match name(path.parent()) {
        folder if folder.is_empty() => name(Some(path)),
        folder => format!("{folder}/{}", name(Some(path))),
    }
}

/// The text of `relative` (a file below the manifest's `folder`); messages name it as
/// `manifest` shows paths, and a file that is not UTF-8 by the offset of its first bad byte.
fn read_text(folder: &Path, relative: &str, manifest: &Manifest) -> Result<String, TaskError> {
    read_text_shown(&folder.join(relative), &manifest.display_path(relative))
}

/// The text of the file at `path`, which messages call `shown`.
fn read_text_shown(path: &Path, shown: &str) -> Result<String, TaskError> {
    let bytes = std::fs::read(path).map_err(|source| TaskError::Read { path: shown.to_owned(), source })?;
    text_of(bytes, shown)
}

fn text_of(bytes: Vec<u8>, shown: &str) -> Result<String, TaskError> {
    String::from_utf8(bytes)
        .map_err(|error| TaskError::NotUtf8 { file: shown.to_owned(), offset: error.utf8_error().valid_up_to() })
}

/// Reads the manifest, every schema it names and every example file its contracts name. With
/// a lockfile beside the manifest, reads every locked document instead of the schemas (so that
/// `$ref`s across files resolve), after checking each against its hash; every contract's
/// schema must then be locked.
pub fn load_registry(manifest_path: &Path) -> Result<Registry, TaskError> {
    let registry = load_schemas(manifest_path)?;
    let folder = manifest_path.parent().unwrap_or(Path::new("."));
    let examples = read_examples(folder, registry.manifest())?;
    Ok(registry.with_examples(examples))
}

/// The example files the contracts name (a file, or every `.json` file below a folder), by
/// path relative to the manifest's folder. A name that is neither is left for codegen to
/// report with the contract it belongs to.
fn read_examples(folder: &Path, manifest: &Manifest) -> Result<BTreeMap<String, String>, TaskError> {
    let mut examples = BTreeMap::new();
    for named in manifest.contracts.iter().flat_map(|contract| &contract.examples) {
        let path = folder.join(named);
        if path.is_file() {
            examples.insert(named.clone(), read_text(folder, named, manifest)?);
        } else if path.is_dir() {
            for below in json_files(&path)? {
                let relative = crate::lock::join_below(named, &below);
                let text = read_text(folder, &relative, manifest)?;
                examples.insert(relative, text);
            }
        }
    }
    Ok(examples)
}

fn load_schemas(manifest_path: &Path) -> Result<Registry, TaskError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| TaskError::Read { path: path.display().to_string(), source })
    };
    let manifest =
        Manifest::parse(&manifest_display_name(manifest_path), &read(manifest_path)?).map_err(TaskError::Generate)?;
    let folder = manifest_path.parent().unwrap_or(Path::new("."));
    let Some(lock) = Lock::read(folder).map_err(|error| TaskError::Lock(vec![error]))? else {
        let mut schemas = BTreeMap::new();
        let mut ids = BTreeMap::new();
        if let Some(documents) = &manifest.documents {
            for (relative, id) in document_ids(folder, documents, &manifest)? {
                schemas.insert(relative.clone(), read_text(folder, &relative, &manifest)?);
                ids.insert(id, relative);
            }
        }
        for schema in manifest.schema_files() {
            if folder.join(schema).is_file() {
                schemas.insert(schema.to_owned(), read_text(folder, schema, &manifest)?);
            }
        }
        return Registry::with_documents(manifest, schemas, ids).map_err(TaskError::Generate);
    };
    let lock_name = manifest.display_path(LOCK_FILE);
    let unlocked: Vec<LockError> = manifest
        .contracts
        .iter()
        .filter(|contract| !lock.documents.iter().any(|document| document.file == contract.schema))
        .map(|contract| LockError::Unlocked {
            file: manifest.display_path(&contract.schema),
            id: contract.schema_id.clone(),
            lock: lock_name.clone(),
        })
        .collect();
    if !unlocked.is_empty() {
        return Err(TaskError::Lock(unlocked));
    }
    let verified = lock.read_verified(folder, &lock_name).map_err(TaskError::Lock)?;
    let mut schemas = BTreeMap::new();
    let mut ids = BTreeMap::new();
    for (document, bytes) in verified {
        let text = text_of(bytes, &manifest.display_path(&document.file))?;
        let declared = serde_json::from_str::<serde_json::Value>(&text).ok();
        if let Some(draft) = declared.and_then(|schema| codegen::Draft::of(&schema, manifest.default_draft).ok()) {
            document.check_draft(draft, &lock_name).map_err(|error| TaskError::Lock(vec![error]))?;
        }
        schemas.insert(document.file.clone(), text);
        ids.insert(document.id.clone(), document.file.clone());
    }
    Registry::with_documents(manifest, schemas, ids).map_err(TaskError::Generate)
}

/// What a person running codegen should read: every warning (unknown keywords counted by
/// keyword, with the first place), then the keywords the decoders do not enforce, counted
/// (each generated module's documentation lists where).
pub fn report(generated: &codegen::Generated) -> Vec<String> {
    let mut lines = Vec::new();
    let mut unknown: BTreeMap<&str, Vec<&codegen::Warning>> = BTreeMap::new();
    for warning in &generated.warnings {
        if warning.kind == codegen::WarningKind::UnknownKeyword {
            let keyword = warning.pointer.rsplit('/').next().unwrap_or_default();
            unknown.entry(keyword).or_default().push(warning);
        } else {
            lines.push(format!("warning: {warning}"));
        }
    }
    for places in unknown.into_values() {
        let first = places[0];
        let more = match places.len() {
            1 => String::new(),
            count => format!(" (and {} more places)", count - 1),
        };
        lines.push(format!("warning: {first}{more}"));
    }
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &generated.not_enforced {
        *counted.entry(&entry.keyword).or_default() += 1;
    }
    if !counted.is_empty() {
        let counted: Vec<String> = counted.iter().map(|(keyword, count)| format!("`{keyword}` ×{count}")).collect();
        lines.push(format!(
            "note: not enforced, so the decoders accept more than the schemas there (each module's docs list where): {}",
            counted.join(", ")
        ));
    }
    lines
}

/// Every `.json` file below `documents` (a folder relative to the manifest's `folder`), sorted,
/// with the id it is registered under: its `$id` (`id` in draft-04) resolved against the
/// manifest's `base_uri`, else its path below `documents` resolved the same way.
pub fn document_ids(folder: &Path, documents: &str, manifest: &Manifest) -> Result<Vec<(String, String)>, TaskError> {
    document_ids_shown(folder, documents, manifest, &|relative| manifest.display_path(relative))
}

/// [`document_ids`] of a folder that is not the manifest's (a `fetch --from` copy): `show`
/// gives how messages name a file of it.
pub fn document_ids_shown(
    folder: &Path,
    documents: &str,
    manifest: &Manifest,
    show: &dyn Fn(&str) -> String,
) -> Result<Vec<(String, String)>, TaskError> {
    let found = json_files(&folder.join(documents))?;
    let mut ids = Vec::with_capacity(found.len());
    for below in found {
        let relative = crate::lock::join_below(documents, &below);
        let text = read_text_shown(&folder.join(&relative), &show(&relative))?;
        let declared = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|schema| codegen::Draft::declared_id(&schema, manifest.default_draft).map(str::to_owned));
        let id = manifest.document_id(declared.as_deref().unwrap_or(&below));
        ids.push((relative, id));
    }
    Ok(ids)
}

/// Every `.json` file below `root`, as a path relative to it with `/` separators, sorted.
fn json_files(root: &Path) -> Result<Vec<String>, TaskError> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        let entries = std::fs::read_dir(&directory)
            .map_err(|source| TaskError::Read { path: directory.display().to_string(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| TaskError::Read { path: directory.display().to_string(), source })?;
            let path = entry.path();
            // Links to folders are not followed: a link back up the tree would never end.
            let kind =
                entry.file_type().map_err(|source| TaskError::Read { path: path.display().to_string(), source })?;
            // A link to a file counts; a link to a folder is not entered.
            let is_file = kind.is_file() || (kind.is_symlink() && path.is_file());
            if kind.is_dir() {
                pending.push(path);
            } else if is_file && path.extension().is_some_and(|extension| extension == "json") {
                found.push(path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Every file of the generated crate, in memory.
pub fn generated_files(paths: &Paths, settings: &Settings) -> Result<Vec<GeneratedFile>, TaskError> {
    let registry = load_registry(&paths.manifest)?;
    codegen::generate(&registry, settings).map_err(TaskError::Generate)
}

/// Generates the crate and writes it (`Mode::Write`) or compares it with what is on disk
/// (`Mode::Check`, which writes nothing and fails with a diff on drift).
pub fn run(paths: &Paths, settings: &Settings, mode: Mode) -> Result<Outcome, TaskError> {
    let files = generated_files(paths, settings)?;
    if mode == Mode::Write {
        refuse_foreign_folder(&paths.out_dir)?;
    }
    Ok(ensure_tree(&paths.out_dir, &files, mode, FIX_COMMAND)?)
}

/// [`run`], with the generator in a child process running `executable` (this xtask binary),
/// so that a crash of the generator is an error naming the schema, not the end of the command.
pub fn run_isolated(executable: &Path, paths: &Paths, settings: &Settings, mode: Mode) -> Result<Outcome, TaskError> {
    let files = crate::worker::generated_files_isolated(executable, paths, settings)?;
    if mode == Mode::Write {
        refuse_foreign_folder(&paths.out_dir)?;
    }
    Ok(ensure_tree(&paths.out_dir, &files, mode, FIX_COMMAND)?)
}

/// The writer replaces the whole output folder: it must be missing, empty, or a crate this
/// generator wrote (its `Cargo.toml` starts with the generated header), never, say, `--out .`.
fn refuse_foreign_folder(out_dir: &Path) -> Result<(), TaskError> {
    let is_empty = match std::fs::read_dir(out_dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => return Ok(()),
    };
    let generated =
        std::fs::read_to_string(out_dir.join("Cargo.toml")).is_ok_and(|text| codegen::is_generated_manifest(&text));
    if is_empty || generated {
        Ok(())
    } else {
        Err(TaskError::ForeignFolder(out_dir.display().to_string()))
    }
}
