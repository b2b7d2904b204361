//! `cargo xtask codegen`: reads the manifest and its schemas, runs the generator, and writes or
//! checks the generated crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::{GeneratedFile, Manifest, Registry, Settings};

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
/// Where each fixture registry's crate is generated.
const FIXTURE_CRATES: &str = "tests/fixtures/generated";

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
        let mut targets = vec![Target { paths: Paths::in_repository(), settings: Settings::default() }];
        let fixtures = root.join(FIXTURE_REGISTRIES);
        let entries = std::fs::read_dir(&fixtures)
            .map_err(|source| TaskError::Read { path: fixtures.display().to_string(), source })?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().join("contracts.toml").is_file())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            targets.push(Target {
                paths: Paths {
                    manifest: fixtures.join(&name).join("contracts.toml"),
                    out_dir: root.join(FIXTURE_CRATES).join(&name),
                },
                settings: Settings::default().with_crate_name(format!("cope-events-fixture-{name}")),
            });
        }
        Ok(targets)
    }
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
    /// The registry has problems; nothing was written.
    #[error("{0}\ncodegen failed; nothing was written")]
    Generate(codegen::Errors),
    /// Writing failed, or the check found drift.
    #[error(transparent)]
    Tree(#[from] TreeError),
}

/// The workspace root (the folder above `xtask/`).
pub fn project_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// How the manifest appears in messages and generated headers: its folder's name and its file
/// name (`schemas/contracts.toml`), so that every clone, wherever it is, writes the same bytes.
fn manifest_display_name(path: &Path) -> String {
    let name = |path: Option<&Path>| {
        path.and_then(Path::file_name).map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
    };
    match name(path.parent()) {
        folder if folder.is_empty() => name(Some(path)),
        folder => format!("{folder}/{}", name(Some(path))),
    }
}

/// Reads the manifest and every schema it names.
pub fn load_registry(manifest_path: &Path) -> Result<Registry, TaskError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| TaskError::Read { path: path.display().to_string(), source })
    };
    let manifest = Manifest::parse(&manifest_display_name(manifest_path), &read(manifest_path)?).map_err(TaskError::Generate)?;
    let folder = manifest_path.parent().unwrap_or(Path::new("."));
    let mut schemas = BTreeMap::new();
    for schema in manifest.schema_files() {
        let path = folder.join(schema);
        if path.is_file() {
            schemas.insert(schema.to_owned(), read(&path)?);
        }
    }
    Registry::new(manifest, schemas).map_err(TaskError::Generate)
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
    Ok(ensure_tree(&paths.out_dir, &files, mode, FIX_COMMAND)?)
}
