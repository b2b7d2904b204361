//! Writing a fetch: every changed document, then the lockfile, then the removal of files no
//! longer locked, all or nothing.

use std::collections::BTreeMap;
use std::path::Path;

use codegen::Manifest;

use super::{Fault, FetchError, FetchReport, Fetched};
use crate::lock::{is_relative_path, sha256_hex, Lock, LockedDocument, LOCK_FILE};

/// Writes changed documents, then the lockfile, then removes the files of documents no longer
/// locked. Each file is written to a temporary file beside it and renamed into place; if any
/// step fails, the steps already done are undone, so that the folder is as it was.
pub(super) fn write(
    folder: &Path,
    manifest_path: &Path,
    manifest: &Manifest,
    old_lock: Option<&Lock>,
    fetched: BTreeMap<String, Fetched>,
) -> Result<FetchReport, FetchError> {
    let mut files: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, document) in &fetched {
        let unstorable = |message: String| FetchError::Document {
            id: id.clone(),
            via: None,
            fault: Box::new(Fault::Unstorable { message }),
        };
        if let Some(other) = files.insert(&document.file, id) {
            return Err(unstorable(format!("its file `{}` is also the file of `{other}`", document.file)));
        }
        if is_reserved(&document.file, manifest_path) || files.keys().any(|file| is_inside(&document.file, file)) {
            return Err(unstorable(format!(
                "its file `{}` would replace the manifest, the lockfile or a folder of another document",
                document.file
            )));
        }
    }
    let lock = Lock::new(
        fetched
            .iter()
            .map(|(id, document)| LockedDocument {
                id: id.clone(),
                url: document.url.clone(),
                file: document.file.clone(),
                sha256: sha256_hex(&document.bytes),
                draft: Some(document.draft.uri().to_owned()),
                note: None,
            })
            .collect(),
    );
    let mut changes: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    let mut written = Vec::new();
    for document in fetched.values() {
        if std::fs::read(folder.join(&document.file)).ok().as_deref() != Some(document.bytes.as_slice()) {
            changes.push((document.file.clone(), Some(document.bytes.clone())));
            written.push(document.file.clone());
        }
    }
    let lock_text = lock.render();
    let lock_changed = std::fs::read_to_string(folder.join(LOCK_FILE)).ok().as_deref() != Some(lock_text.as_str());
    if lock_changed {
        changes.push((LOCK_FILE.to_owned(), Some(lock_text.into_bytes())));
    }
    let mut removed = Vec::new();
    for stale in old_lock.into_iter().flat_map(|old| &old.documents) {
        // A document no longer referenced, or one whose file moved (a contract's `schema`
        // renamed in the manifest): its old file goes.
        let is_stale = !files.contains_key(stale.file.as_str());
        // Only a file still as it was fetched: a hand edit is never deleted.
        let untouched =
            || std::fs::read(folder.join(&stale.file)).is_ok_and(|bytes| sha256_hex(&bytes) == stale.sha256);
        if is_stale && is_relative_path(&stale.file) && !is_reserved(&stale.file, manifest_path) && untouched() {
            changes.push((stale.file.clone(), None));
            removed.push(stale.file.clone());
        }
    }
    apply(folder, manifest, changes)?;
    Ok(FetchReport { documents: lock.documents.len(), written, removed, lock_changed, updated: Vec::new() })
}

/// The lockfile and the manifest, compared without case (some file systems ignore it).
fn is_reserved(file: &str, manifest_path: &Path) -> bool {
    let manifest_name = manifest_path.file_name().map(|name| name.to_string_lossy().to_ascii_lowercase());
    let file = file.to_ascii_lowercase();
    file == LOCK_FILE || Some(file) == manifest_name
}

/// Whether `file` lies inside `folder` (a document's file cannot be another's folder).
fn is_inside(file: &str, folder: &str) -> bool {
    file.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
        || folder.strip_prefix(file).is_some_and(|rest| rest.starts_with('/'))
}

/// Writes (`Some`) or removes (`None`) each file, in order; on a failure, restores every file
/// already changed and returns the error (with any file that could not be restored).
fn apply(folder: &Path, manifest: &Manifest, changes: Vec<(String, Option<Vec<u8>>)>) -> Result<(), FetchError> {
    let mut done: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    for (file, contents) in changes {
        let path = folder.join(&file);
        let write_error = |source: std::io::Error| FetchError::Write { path: manifest.display_path(&file), source };
        let previous = match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(undo(folder, manifest, done, write_error(source))),
        };
        let result = match &contents {
            Some(bytes) => replace_file(&path, bytes),
            None => std::fs::remove_file(&path).map_err(write_error),
        };
        if let Err(error) = result {
            return Err(undo(folder, manifest, done, error));
        }
        done.push((file, previous));
    }
    Ok(())
}

/// Puts back what `apply` changed, newest first: the error to report, `error` naming any file
/// that could not be put back.
fn undo(folder: &Path, manifest: &Manifest, done: Vec<(String, Option<Vec<u8>>)>, error: FetchError) -> FetchError {
    let mut not_restored = Vec::new();
    for (file, previous) in done.into_iter().rev() {
        let path = folder.join(&file);
        let restored = match previous {
            Some(bytes) => replace_file(&path, &bytes).is_ok(),
            None => std::fs::remove_file(&path).is_ok(),
        };
        if !restored {
            not_restored.push(manifest.display_path(&file));
        }
    }
    if not_restored.is_empty() {
        error
    } else {
        FetchError::Setup(format!("{error}; and could not put back {}", not_restored.join(", ")))
    }
}

fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let error = |source: std::io::Error| FetchError::Write { path: path.display().to_string(), source };
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(error)?;
    let mut staged = tempfile::NamedTempFile::new_in(parent).map_err(error)?;
    std::io::Write::write_all(&mut staged, bytes).map_err(error)?;
    staged.persist(path).map_err(|persist| error(persist.error))?;
    Ok(())
}
