//! `cargo xtask fetch`: downloads every contract's schema, then every document it `$ref`s,
//! transitively; checks each one before anything is written; then writes them beside the
//! manifest and pins them in the lockfile. `--check` verifies the vendored files offline.
//!
//! Where a document comes from: a contract whose `schema` lies in the manifest's `documents`
//! folder is at `base_uri` plus its path there (the way a registry's files are served); any
//! other document is at its id. `--from DIR` reads the same locations from a local copy of
//! the registry instead (DIR stands for `base_uri`; documents elsewhere are found by their
//! id), so that a vendored checkout is locked exactly as a fetched one.
//!
//! The modules, in the order a fetch uses them: [`source`] finds where a document is and
//! which hosts may be contacted (`hosts`), `http` downloads it (retries as [`retry`] says,
//! redirects, limits; these two only in the build with the `network` feature), [`document`] checks it, [`pins`] compares it with the lockfile, [`write`] writes
//! everything or nothing. [`offline`] is `--check`.

mod document;
#[cfg(feature = "network")]
mod hosts;
#[cfg(feature = "network")]
mod http;
mod offline;
mod pins;
mod retry;
mod source;
mod write;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::reference::{normalize_id, references, resolve};
use codegen::Manifest;
use serde_json::Value;

use crate::lock::{is_relative_path, Lock, LockError};

pub use offline::check;
pub use pins::{Difference, Pinning, Updated};
pub use retry::RetryPolicy;

/// Documents one fetch may download: a registry that references without end is refused
/// (GitHub's webhooks are about 300).
const MAX_DOCUMENTS: usize = 4096;
/// Bytes one fetch may download in all.
const MAX_TOTAL_BYTES: u64 = 64 << 20;

/// How `fetch` reaches the registry, and what it may change.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The contract manifest; documents are written beside it.
    pub manifest: PathBuf,
    /// A mirror base URL, overriding the manifest's `registry`.
    pub registry: Option<String>,
    /// Limit on connecting, and on each wait for bytes.
    pub timeout: Duration,
    /// Largest document accepted, in bytes.
    pub max_bytes: u64,
    /// A local copy of the registry to read instead of the network.
    pub from: Option<PathBuf>,
    /// What to do with a document whose bytes differ from its lock entry.
    pub pinning: Pinning,
    /// How often, and how patiently, a failed request is tried again.
    pub retry: RetryPolicy,
    /// Limit on the whole fetch, retries and their waits included.
    pub deadline: Duration,
}

impl FetchOptions {
    /// Defaults: 30 s timeouts, 4 MiB documents, the manifest's own registry setting, pins
    /// enforced, [`RetryPolicy::default`], 10 minutes in all.
    pub fn new(manifest: PathBuf) -> FetchOptions {
        FetchOptions {
            manifest,
            registry: None,
            timeout: Duration::from_secs(30),
            max_bytes: 4 << 20,
            from: None,
            pinning: Pinning::Enforce,
            retry: RetryPolicy::default(),
            deadline: Duration::from_secs(600),
        }
    }
}

/// Why `fetch` failed. Nothing beside the manifest was changed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The manifest, the lockfile or an option is unusable.
    #[error("{0}")]
    Setup(String),
    /// One document could not be fetched or was refused.
    #[error("{id}: {fault}{}", .via.as_ref().map(|via| format!(" (referenced from {via})")).unwrap_or_default())]
    Document {
        /// The document's id.
        id: String,
        /// Where the reference to it was, for documents that are not contracts.
        via: Option<String>,
        /// What was wrong.
        fault: Box<Fault>,
    },
    /// `--locked`: the registry no longer serves what the lockfile pins.
    #[error("{lock}: the registry no longer serves what it pins ({} differences): {}; `cargo xtask fetch` locks new documents and drops unreferenced ones, `cargo xtask fetch --update ID` takes a changed one", .differences.len(), .differences.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NotAsLocked {
        /// The lockfile, as messages show it.
        lock: String,
        /// Every difference, by id.
        differences: Vec<Difference>,
    },
    /// The lockfile or a locked file (offline check).
    #[error(transparent)]
    Lock(Box<LockError>),
    /// Writing the documents failed.
    #[error("{path}: cannot write: {source}")]
    Write { path: String, source: std::io::Error },
}

/// What was wrong with one document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("{url}: https is required (plain http only for a loopback mirror)")]
    InsecureUrl { url: String },
    #[error("host `{host}` is not one this fetch contacts: {reason}. A fetch contacts only the hosts of the manifest's contract ids, `base_uri` and `registry`, and those its `allowed_hosts` lists")]
    ForeignHost { host: String, reason: String },
    #[error("GET {url}: {message}")]
    Transport { url: String, message: String },
    #[error("GET {url}: HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("GET {url}: served as `{content_type}`, which is not JSON (an error page, or a captive portal's login?); JSON types, text/plain and application/octet-stream are accepted")]
    ContentType { url: String, content_type: String },
    #[error("GET {url}: redirected to {location}, on another host; redirects are followed only within the host")]
    OffHostRedirect { url: String, location: String },
    #[error("GET {url}: more than {max} redirects")]
    TooManyRedirects { url: String, max: usize },
    #[error("GET {url}: the body is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("GET {url}: the body ended before its announced length: {message}")]
    Truncated { url: String, message: String },
    #[error("{last} (gave up after {attempts} attempts)")]
    Retried { attempts: usize, last: Box<Fault> },
    #[error("not JSON: {message}")]
    NotJson { message: String },
    #[error("not a valid JSON Schema: at `{pointer}`: {message}")]
    NotSchema { pointer: String, message: String },
    #[error("its $id is {found}, which is {resolved}, not the id it was fetched by")]
    IdMismatch { found: String, resolved: String },
    #[error("the registry now serves other bytes for it (sha256 {served}) than {lock} pins ({locked}, `{file}`): a published document changed. If the change is intended, `cargo xtask fetch --update {id}` takes it and prints what changed")]
    Republished { id: String, file: String, lock: String, locked: String, served: String },
    #[error("{lock} pins it as read under {locked}, but it is now read under {now} (did the manifest's `default_draft` change?). If that is intended, `cargo xtask fetch --update {id}` takes it")]
    DraftChanged { id: String, lock: String, locked: String, now: String },
    #[error("{path}: {message}")]
    Local { path: String, message: String },
    #[error("its `{member}` constant is {found}, but the manifest declares `{expected}`")]
    ContractMismatch { member: String, found: String, expected: String },
    #[error("`{reference}` at {pointer}: {message}")]
    BadReference { reference: String, pointer: String, message: String },
    #[error("`$ref` cycle across documents ({route}): recursive types must stay within one document")]
    Cycle { route: String },
    #[error("cannot be stored beside the manifest: {message}")]
    Unstorable { message: String },
    #[error("{message}")]
    Limit { message: String },
}

impl From<LockError> for FetchError {
    fn from(error: LockError) -> FetchError {
        FetchError::Lock(Box::new(error))
    }
}

impl Fault {
    /// The fault itself, without the retries that led to it.
    pub fn last(&self) -> &Fault {
        match self {
            Fault::Retried { last, .. } => last.last(),
            fault => fault,
        }
    }
}

/// What `fetch` wrote (or, with `--locked`, found unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchReport {
    /// Documents locked.
    pub documents: usize,
    /// Files written because they are new or changed, relative to the manifest's folder.
    pub written: Vec<String>,
    /// Files of documents no longer referenced, removed.
    pub removed: Vec<String>,
    /// Whether the lockfile changed.
    pub lock_changed: bool,
    /// Locked documents that `--update` let change, with what changed.
    pub updated: Vec<Updated>,
}

/// One document fetched and checked, not yet written.
struct Fetched {
    url: String,
    bytes: Vec<u8>,
    schema: Value,
    draft: codegen::Draft,
    file: String,
}

/// Where a document was asked for: a contract of the manifest, or a `$ref` in another document.
#[derive(Clone)]
struct Request {
    id: String,
    via: Option<String>,
    contract: Option<usize>,
}

/// Fetches, checks and writes every document the manifest's contracts need; with
/// [`Pinning::Locked`], fetches and checks and compares with the lockfile, writing nothing.
pub fn run(options: &FetchOptions) -> Result<FetchReport, FetchError> {
    let manifest = read_manifest(&options.manifest)?;
    let folder = options.manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    let old_lock = Lock::read(&folder)?;
    let lock_name = manifest.display_path(crate::lock::LOCK_FILE);
    let mut pins = pins::Pins::new(&options.pinning, old_lock.as_ref(), &lock_name)?;
    let source = source::Source::new(options, &manifest)?;
    let mut queue = VecDeque::new();
    for (index, contract) in manifest.contracts.iter().enumerate() {
        let id = normalize_id(&manifest.document_id(&contract.schema_id)).map_err(|message| {
            FetchError::Setup(format!("{}: contract[{index}].schema_id: {message}", manifest.file))
        })?;
        queue.push_back(Request { id, via: None, contract: Some(index) });
    }
    let mut fetched: BTreeMap<String, Fetched> = BTreeMap::new();
    let mut edges: Vec<document::Edge> = Vec::new();
    let mut total_bytes = 0_u64;
    while let Some(request) = queue.pop_front() {
        if fetched.contains_key(&request.id) {
            continue;
        }
        let fail = |fault: Fault| FetchError::Document {
            id: request.id.clone(),
            via: request.via.clone(),
            fault: Box::new(fault),
        };
        if fetched.len() >= MAX_DOCUMENTS {
            return Err(fail(Fault::Limit { message: format!("more than {MAX_DOCUMENTS} documents are referenced") }));
        }
        let location = match request.contract {
            Some(index) => {
                source::contract_location(&manifest, &manifest.contracts[index]).unwrap_or_else(|| request.id.clone())
            }
            None => request.id.clone(),
        };
        let (url, bytes) = source.get(&location, options.max_bytes).map_err(fail)?;
        total_bytes += bytes.len() as u64;
        if total_bytes > MAX_TOTAL_BYTES {
            return Err(fail(Fault::Limit { message: format!("the documents exceed {MAX_TOTAL_BYTES} bytes in all") }));
        }
        let (schema, draft) = document::check_document(&manifest, &request.id, &bytes).map_err(fail)?;
        if let Some(index) = request.contract {
            document::check_contract(&manifest.contracts[index], &schema).map_err(fail)?;
        }
        for reference in references(&schema) {
            if reference.value.starts_with('#') {
                continue;
            }
            let target = resolve(&request.id, &reference.value).map_err(|message| {
                fail(Fault::BadReference {
                    reference: reference.value.clone(),
                    pointer: reference.pointer.clone(),
                    message,
                })
            })?;
            if target.document != request.id {
                let via = format!("{}#{}", request.id, reference.pointer);
                edges.push(document::Edge {
                    from: request.id.clone(),
                    to: target.document.clone(),
                    fragment: target.fragment,
                    via: via.clone(),
                });
                queue.push_back(Request { id: target.document, via: Some(via), contract: None });
            }
        }
        let file = match request.contract {
            Some(index) if is_relative_path(&manifest.contracts[index].schema) => manifest.contracts[index].schema.clone(),
            Some(index) => {
                return Err(fail(Fault::Unstorable {
                    message: format!(
                        "contract[{index}].schema `{}` is not a relative path inside the manifest's folder (letters, digits, `.`, `_`, `-`; no `..`)",
                        manifest.contracts[index].schema
                    ),
                }))
            }
            None => old_lock
                .as_ref()
                .and_then(|lock| lock.document(&request.id))
                .map_or_else(|| document::file_for(&manifest, &request.id), |locked| Ok(locked.file.clone()))
                .map_err(|message| fail(Fault::Unstorable { message }))?,
        };
        let document = Fetched { url, bytes, schema, draft, file };
        pins.admit(&request.id, &document, &folder).map_err(fail)?;
        fetched.insert(request.id.clone(), document);
    }
    document::check_references(&fetched, &edges)?;
    let fetched_ids: BTreeSet<&str> = fetched.keys().map(String::as_str).collect();
    let updated = pins.finish(&fetched_ids)?;
    if options.pinning == Pinning::Locked {
        return Ok(FetchReport {
            documents: fetched.len(),
            written: Vec::new(),
            removed: Vec::new(),
            lock_changed: false,
            updated,
        });
    }
    let mut report = write::write(&folder, &options.manifest, &manifest, old_lock.as_ref(), fetched)?;
    report.updated = updated;
    Ok(report)
}

fn read_manifest(path: &Path) -> Result<Manifest, FetchError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| FetchError::Setup(format!("{}: cannot read: {error}", path.display())))?;
    Manifest::parse(&crate::codegen_task::manifest_display_name(path), &text)
        .map_err(|errors| FetchError::Setup(errors.to_string()))
}
