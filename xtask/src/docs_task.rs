//! `cargo xtask docs`: reads the manifest and its schemas as `codegen` does, makes one reference
//! page per contract (`codegen::reference_pages`), and writes or checks the folder of pages
//! (`docs/contracts/` by default) with the generated crate's writer (`tree::ensure_tree`).

use std::path::{Path, PathBuf};

use codegen::GeneratedFile;

use crate::codegen_task::{load_registry, project_root, Paths, TaskError};
use crate::lock::LockError;
use crate::tree::{ensure_tree, Mode, Outcome, TreeError};

/// The command that rewrites the pages, named in every drift report.
pub const FIX_COMMAND: &str = "cargo xtask docs";
/// Where the repository's pages are, below its root.
pub const DOCS_FOLDER: &str = "docs/contracts";

/// The repository's own manifest and its folder of pages.
pub fn paths_in_repository() -> Paths {
    Paths { manifest: Paths::in_repository().manifest, out_dir: project_root().join(DOCS_FOLDER) }
}

/// Why the task failed.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// An input could not be read.
    #[error(transparent)]
    Read(TaskError),
    /// The manifest or a schema has problems; nothing was written.
    #[error("{0}\ndocs failed; nothing was written")]
    Generate(codegen::Errors),
    /// A vendored schema does not match the lockfile; nothing was written.
    #[error("{}\ndocs failed; nothing was written", .0.iter().map(|error| format!("error: {error}")).collect::<Vec<_>>().join("\n"))]
    Lock(Vec<LockError>),
    /// The output folder holds something other than reference pages.
    #[error("refusing to replace a folder that is not reference pages written by `cargo xtask docs` (`{file}` in it is not one); choose an empty folder or a folder of pages")]
    ForeignFolder {
        /// The first entry of the folder that is not a page.
        file: String,
    },
    /// Writing failed, or the check found drift.
    #[error(transparent)]
    Tree(#[from] TreeError),
}

impl From<TaskError> for DocsError {
    fn from(error: TaskError) -> DocsError {
        match error {
            TaskError::Generate(errors) => DocsError::Generate(errors),
            TaskError::Lock(errors) => DocsError::Lock(errors),
            other => DocsError::Read(other),
        }
    }
}

/// Every page, in memory, for the manifest at `manifest`.
pub fn pages(manifest: &Path) -> Result<Vec<GeneratedFile>, DocsError> {
    let registry = load_registry(manifest)?;
    codegen::reference_pages(&registry).map_err(DocsError::Generate)
}

/// Makes the pages and writes them (`Mode::Write`: the folder replaced whole, atomically) or
/// compares them with what is on disk (`Mode::Check`: nothing written, a diff on drift).
pub fn run(paths: &Paths, mode: Mode) -> Result<Outcome, DocsError> {
    let pages = pages(&paths.manifest)?;
    if mode == Mode::Write {
        refuse_foreign_folder(&paths.out_dir)?;
    }
    Ok(ensure_tree(&paths.out_dir, &pages, mode, FIX_COMMAND)?)
}

/// The writer replaces the whole folder: it must be missing, empty, or hold only pages this
/// task wrote (`.md` files that `codegen::is_reference_page` recognises), never, say, `--out .`.
fn refuse_foreign_folder(out_dir: &Path) -> Result<(), DocsError> {
    let Ok(entries) = std::fs::read_dir(out_dir) else { return Ok(()) };
    let mut foreign: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|source| TreeError::Io { op: "read directory", path: out_dir.to_path_buf(), source })?;
        let path = entry.path();
        let page = entry.file_type().is_ok_and(|kind| kind.is_file())
            && path.extension().is_some_and(|extension| extension == "md")
            && std::fs::read_to_string(&path).is_ok_and(|text| codegen::is_reference_page(&text));
        if !page {
            foreign.push(path);
        }
    }
    foreign.sort();
    match foreign.first() {
        None => Ok(()),
        Some(file) => Err(DocsError::ForeignFolder {
            file: file.file_name().map_or_else(String::new, |name| name.to_string_lossy().into_owned()),
        }),
    }
}
