//! The lockfile (`schemas/schemas.lock`): for every vendored schema document, its id, the URL
//! it was fetched from, its file and the sha256 of its bytes. `cargo xtask fetch` writes it;
//! `cargo xtask codegen` and `cargo xtask fetch --check` refuse files that do not match it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The lockfile's name, beside the manifest.
pub const LOCK_FILE: &str = "schemas.lock";
/// The lockfile format this code reads and writes.
const FORMAT_VERSION: u32 = 1;

const HEADER: &str = "\
# Written by `cargo xtask fetch`; do not edit by hand.
# Every schema document codegen reads: its id, the URL it was fetched from, its file (relative
# to this folder), the sha256 of its bytes and the draft it is read as. `cargo xtask codegen`
# refuses a file whose bytes or draft do not match; `cargo xtask fetch` refuses a registry that
# serves other bytes for a locked id, unless `--update` names it.
";

/// The parsed lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    version: u32,
    /// Sorted by id.
    #[serde(default, rename = "document")]
    pub documents: Vec<LockedDocument>,
}

/// One vendored document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedDocument {
    /// The schema id (its `$id`), in normal form.
    pub id: String,
    /// The URL its bytes came from (the id itself, or its place on a mirror).
    pub url: String,
    /// Its file, relative to the lockfile's folder, with `/` separators.
    pub file: String,
    /// sha256 of its bytes, lowercase hex.
    pub sha256: String,
    /// The draft it is read as (its `$schema`, else the manifest's `default_draft`), as that
    /// draft's `$schema` URI: the same bytes read under another draft mean something else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    /// Where a document that was not fetched came from (never written by `fetch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl LockedDocument {
    /// `Ok` when the document is read under the draft it was locked under (or its entry
    /// predates drafts in the lock).
    pub fn check_draft(&self, draft: codegen::Draft, lock_name: &str) -> Result<(), LockError> {
        match &self.draft {
            Some(locked) if locked != draft.uri() => Err(LockError::DraftChanged {
                file: display_file(lock_name, &self.file),
                id: self.id.clone(),
                lock: lock_name.to_owned(),
                locked: locked.clone(),
                now: draft.uri().to_owned(),
            }),
            _ => Ok(()),
        }
    }
}

/// Why the lockfile or a locked file is refused.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not a valid lockfile: {message}")]
    Syntax { path: String, message: String },
    #[error("{file}: its sha256 is {actual}, but {lock} records {expected} for `{id}`: the file was edited after it was fetched. Run `cargo xtask fetch` to restore what was published: a published document is not edited (a change is a new version; a registry that republished it is taken with `cargo xtask fetch --update {id}`)")]
    Mismatch { file: String, id: String, lock: String, expected: String, actual: String },
    #[error("{file}: locked for `{id}` in {lock}, but the file is missing: run `cargo xtask fetch`")]
    Missing { file: String, id: String, lock: String },
    #[error("{file}: locked for `{id}` in {lock} as read under {locked}, but it is now read under {now} (did the manifest's `default_draft` change?): the same bytes mean something else under another draft. Restore the draft, or run `cargo xtask fetch --update {id}` to lock it anew")]
    DraftChanged { file: String, id: String, lock: String, locked: String, now: String },
    #[error("{file}: the schema of contract `{id}` is not in {lock}: run `cargo xtask fetch` to fetch and lock it")]
    Unlocked { file: String, id: String, lock: String },
}

/// The sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

impl Lock {
    /// A lock of `documents`, sorted by id.
    pub fn new(mut documents: Vec<LockedDocument>) -> Lock {
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        Lock { version: FORMAT_VERSION, documents }
    }

    /// Reads the lockfile in `folder`; `None` when there is none.
    pub fn read(folder: &Path) -> Result<Option<Lock>, LockError> {
        let path = folder.join(LOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(LockError::Read { path: path.display().to_string(), source }),
        };
        Lock::parse(&path.display().to_string(), &text).map(Some)
    }

    /// Parses lockfile text; `path` is how messages name it.
    pub fn parse(path: &str, text: &str) -> Result<Lock, LockError> {
        let syntax = |message: String| LockError::Syntax { path: path.to_owned(), message };
        let lock: Lock =
            toml::from_str(text).map_err(|error| syntax(error.to_string().trim_end().replace('\n', " ")))?;
        if lock.version != FORMAT_VERSION {
            return Err(syntax(format!(
                "format version {} is not supported (expected {FORMAT_VERSION})",
                lock.version
            )));
        }
        for (index, document) in lock.documents.iter().enumerate() {
            if !is_relative_path(&document.file) {
                return Err(syntax(format!(
                    "document[{index}].file `{}` must be a relative path inside the folder",
                    document.file
                )));
            }
            if lock.documents[..index].iter().any(|other| other.id == document.id || other.file == document.file) {
                return Err(syntax(format!("document[{index}] repeats the id or file of an earlier document")));
            }
        }
        Ok(lock)
    }

    /// The lockfile's text: a header, then the documents sorted by id. No timestamps, so the
    /// same documents always give the same bytes.
    pub fn render(&self) -> String {
        let body =
            toml::to_string(&Lock::new(self.documents.clone())).expect("a lock of strings always renders as TOML");
        format!("{HEADER}\n{body}")
    }

    /// A document by id.
    pub fn document(&self, id: &str) -> Option<&LockedDocument> {
        self.documents.iter().find(|document| document.id == id)
    }

    /// Reads every locked file of `folder` and checks its hash: each document with its bytes,
    /// or every problem found. `lock_name` is how messages name the lockfile.
    pub fn read_verified(
        &self,
        folder: &Path,
        lock_name: &str,
    ) -> Result<Vec<(&LockedDocument, Vec<u8>)>, Vec<LockError>> {
        let mut documents = Vec::new();
        let mut errors = Vec::new();
        for document in &self.documents {
            let path = folder.join(&document.file);
            let display = display_file(lock_name, &document.file);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let actual = sha256_hex(&bytes);
                    if actual == document.sha256 {
                        documents.push((document, bytes));
                    } else {
                        errors.push(LockError::Mismatch {
                            file: display,
                            id: document.id.clone(),
                            lock: lock_name.to_owned(),
                            expected: document.sha256.clone(),
                            actual,
                        });
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => errors.push(LockError::Missing {
                    file: display,
                    id: document.id.clone(),
                    lock: lock_name.to_owned(),
                }),
                Err(source) => errors.push(LockError::Read { path: display, source }),
            }
        }
        if errors.is_empty() {
            Ok(documents)
        } else {
            Err(errors)
        }
    }
}

/// A locked file as messages show it: beside the lockfile, e.g. `schemas/venue.json`.
pub fn display_file(lock_name: &str, file: &str) -> String {
    match lock_name.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{file}"),
        None => file.to_owned(),
    }
}

/// `below`, a path inside `folder` (relative to the manifest; `.` is the manifest's own), as a
/// path relative to the manifest.
pub fn join_below(folder: &str, below: &str) -> String {
    match folder.trim_end_matches('/') {
        "" | "." => below.to_owned(),
        folder => format!("{folder}/{below}"),
    }
}

/// The path of `file` (relative to the manifest) inside `folder`, when it lies there.
pub fn path_below<'a>(folder: &str, file: &'a str) -> Option<&'a str> {
    match folder.trim_end_matches('/') {
        "" | "." => Some(file),
        folder => file.strip_prefix(folder)?.strip_prefix('/'),
    }
}

/// A path that stays inside its folder: relative, `/`-separated, no `.`/`..`/empty segments,
/// each segment of ASCII letters, digits, `.`, `_` and `-`.
pub fn is_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_a_folder_include_the_manifests_own() {
        assert_eq!(join_below("schemas/", "a/b.json"), "schemas/a/b.json");
        assert_eq!(join_below(".", "a.json"), "a.json");
        assert_eq!(path_below("schemas", "schemas/a.json"), Some("a.json"));
        assert_eq!(path_below("schemas", "schemasx/a.json"), None);
        assert_eq!(path_below(".", "a/b.json"), Some("a/b.json"));
    }

    fn document(id: &str, file: &str) -> LockedDocument {
        LockedDocument {
            id: id.to_owned(),
            url: id.to_owned(),
            file: file.to_owned(),
            sha256: sha256_hex(id.as_bytes()),
            draft: Some(codegen::Draft::Draft2020_12.uri().to_owned()),
            note: None,
        }
    }

    #[test]
    fn renders_sorted_and_parses_back() {
        let lock = Lock::new(vec![document("https://b.test/y", "b.json"), document("https://a.test/x", "a.json")]);
        let text = lock.render();
        assert!(text.find("https://a.test/x").unwrap() < text.find("https://b.test/y").unwrap());
        assert_eq!(Lock::parse("schemas.lock", &text).unwrap(), lock);
        assert_eq!(Lock::new(lock.documents.iter().rev().cloned().collect()).render(), text);
    }

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        for bad in ["../x.json", "/etc/passwd", "a//b", "a/./b", "", "a\\b", "C:x"] {
            assert!(!is_relative_path(bad), "{bad}");
        }
        assert!(is_relative_path("schemas.cope.com/shared/venue.v1.json"));
    }

    #[test]
    fn known_hash() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
