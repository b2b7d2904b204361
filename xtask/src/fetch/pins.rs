//! The lockfile as a pin: a published document must not change. A registry that serves other
//! bytes (or a manifest that reads the same bytes under another draft) for a locked id is
//! refused, unless `--update` names it; `--locked` only compares.

use std::collections::BTreeSet;
use std::path::Path;

use codegen::reference::normalize_id;

use super::{Fault, FetchError, Fetched};
use crate::lock::{sha256_hex, Lock};

/// What a fetch does with a document whose bytes or draft differ from its lock entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pinning {
    /// Refuse it, naming the id, both hashes and `--update` (the default).
    Enforce,
    /// Take the new bytes of these ids (of every document when `None`), reporting what changed.
    Update(Option<BTreeSet<String>>),
    /// Download, check and compare only: write nothing, and fail on any difference from the
    /// lockfile, so that a scheduled job notices a registry that changed a published version.
    Locked,
}

/// One way the registry differs from the lockfile (`--locked`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Difference {
    #[error("`{id}` is served with sha256 {served}, locked as {locked}")]
    Changed { id: String, locked: String, served: String },
    #[error("`{id}` is read under {now}, locked under {locked}")]
    DraftChanged { id: String, locked: String, now: String },
    #[error("`{id}` is needed but not locked")]
    Unlocked { id: String },
    #[error("`{id}` is locked but no longer referenced")]
    Unreferenced { id: String },
}

/// A locked document that `--update` let change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// Its id.
    pub id: String,
    /// Its file, relative to the manifest's folder.
    pub file: String,
    /// The sha256 the lock had, and the one it has now.
    pub sha256: (String, String),
    /// The draft the lock had, and the one it has now, when they differ.
    pub draft: Option<(String, String)>,
    /// A unified diff of the vendored file and the new bytes (empty when only the draft moved).
    pub diff: String,
}

/// The pin check of one fetch, document by document.
pub(super) struct Pins<'a> {
    pinning: Pinning,
    lock: Option<&'a Lock>,
    lock_name: &'a str,
    updated: Vec<Updated>,
    differences: Vec<Difference>,
}

impl<'a> Pins<'a> {
    pub(super) fn new(pinning: &Pinning, lock: Option<&'a Lock>, lock_name: &'a str) -> Result<Pins<'a>, FetchError> {
        let pinning = match pinning {
            Pinning::Update(Some(ids)) => {
                let normal = ids.iter().map(|id| {
                    normalize_id(id).map_err(|message| FetchError::Setup(format!("--update `{id}`: {message}")))
                });
                Pinning::Update(Some(normal.collect::<Result<_, _>>()?))
            }
            Pinning::Locked if lock.is_none() => {
                return Err(FetchError::Setup(format!(
                "--locked: {lock_name} is missing, so there is nothing to compare with; run `cargo xtask fetch` first"
            )))
            }
            other => other.clone(),
        };
        Ok(Pins { pinning, lock, lock_name, updated: Vec::new(), differences: Vec::new() })
    }

    /// Lets `document` (fetched as `id`) in, or refuses it because it breaks its pin. Entries
    /// with a `note` were not fetched (a reconstruction): the first fetch replaces them, and
    /// reports it as an update; `--locked` reports the difference like any other.
    pub(super) fn admit(&mut self, id: &str, document: &Fetched, folder: &Path) -> Result<(), Fault> {
        let Some(locked) = self.lock.and_then(|lock| lock.document(id)) else {
            if self.pinning == Pinning::Locked {
                self.differences.push(Difference::Unlocked { id: id.to_owned() });
            }
            return Ok(());
        };
        let served = sha256_hex(&document.bytes);
        let draft = document.draft.uri();
        let draft_moved = locked.draft.as_deref().filter(|locked| *locked != draft);
        if served == locked.sha256 && draft_moved.is_none() {
            return Ok(());
        }
        let not_a_pin = locked.note.is_some();
        let refusal = || match draft_moved {
            Some(locked_draft) if served == locked.sha256 => Fault::DraftChanged {
                id: id.to_owned(),
                lock: self.lock_name.to_owned(),
                locked: locked_draft.to_owned(),
                now: draft.to_owned(),
            },
            _ => Fault::Republished {
                id: id.to_owned(),
                file: locked.file.clone(),
                lock: self.lock_name.to_owned(),
                locked: locked.sha256.clone(),
                served: served.clone(),
            },
        };
        match &self.pinning {
            Pinning::Enforce if !not_a_pin => Err(refusal()),
            Pinning::Update(Some(ids)) if !not_a_pin && !ids.contains(id) => Err(refusal()),
            Pinning::Enforce | Pinning::Update(_) => {
                let before = std::fs::read(folder.join(&locked.file)).unwrap_or_default();
                let diff = if served == locked.sha256 {
                    String::new()
                } else {
                    let (before, after) = (String::from_utf8_lossy(&before), String::from_utf8_lossy(&document.bytes));
                    similar::TextDiff::from_lines(before.as_ref(), after.as_ref())
                        .unified_diff()
                        .context_radius(2)
                        .header(&locked.file, &document.file)
                        .to_string()
                };
                self.updated.push(Updated {
                    id: id.to_owned(),
                    file: document.file.clone(),
                    sha256: (locked.sha256.clone(), served),
                    draft: draft_moved.map(|locked| (locked.to_owned(), draft.to_owned())),
                    diff,
                });
                Ok(())
            }
            Pinning::Locked => {
                self.differences.push(match refusal() {
                    Fault::DraftChanged { id, locked, now, .. } => Difference::DraftChanged { id, locked, now },
                    _ => Difference::Changed { id: id.to_owned(), locked: locked.sha256.clone(), served },
                });
                Ok(())
            }
        }
    }

    /// After every document was admitted: the updates taken; or, for `--update ID`, an id no
    /// document has, or for `--locked`, every difference found.
    pub(super) fn finish(self, fetched: &BTreeSet<&str>) -> Result<Vec<Updated>, FetchError> {
        match &self.pinning {
            Pinning::Update(Some(ids)) => {
                if let Some(unknown) = ids.iter().find(|id| !fetched.contains(id.as_str())) {
                    return Err(FetchError::Setup(format!(
                        "--update `{unknown}`: no document of this fetch has that id (the lockfile {} lists the ids)",
                        self.lock_name
                    )));
                }
            }
            Pinning::Locked => {
                let mut differences = self.differences;
                let locked = self.lock.into_iter().flat_map(|lock| &lock.documents);
                differences.extend(
                    locked
                        .filter(|document| !fetched.contains(document.id.as_str()))
                        .map(|document| Difference::Unreferenced { id: document.id.clone() }),
                );
                if !differences.is_empty() {
                    return Err(FetchError::NotAsLocked { lock: self.lock_name.to_owned(), differences });
                }
            }
            Pinning::Enforce | Pinning::Update(None) => {}
        }
        Ok(self.updated)
    }
}
