//! `cargo xtask fetch`: downloads every contract's schema, then every document it `$ref`s,
//! transitively; checks each one before anything is written; then writes them beside the
//! manifest and pins them in the lockfile. `--check` verifies the vendored files offline.
//!
//! Where a document comes from: a contract whose `schema` lies in the manifest's `documents`
//! folder is at `base_uri` plus its path there (the way a registry's files are served); any
//! other document is at its id. `--from DIR` reads the same locations from a local copy of
//! the registry instead (DIR stands for `base_uri`; documents elsewhere are found by their
//! id), so that a vendored checkout is locked exactly as a fetched one.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::reference::{find_cycle, normalize_id, references, resolve};
use codegen::Manifest;
use serde_json::Value;
use url::Url;

use crate::lock::{display_file, is_relative_path, sha256_hex, Lock, LockError, LockedDocument, LOCK_FILE};

/// Redirects followed for one document, all within its host.
const MAX_REDIRECTS: usize = 5;
/// Documents one fetch may download: a registry that references without end is refused
/// (GitHub's webhooks are about 300).
const MAX_DOCUMENTS: usize = 4096;
/// Bytes one fetch may download in all.
const MAX_TOTAL_BYTES: u64 = 64 << 20;

/// How `fetch` reaches the registry.
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
}

impl FetchOptions {
    /// Defaults: 30 s timeouts, 4 MiB documents, the manifest's own registry setting.
    pub fn new(manifest: PathBuf) -> FetchOptions {
        FetchOptions { manifest, registry: None, timeout: Duration::from_secs(30), max_bytes: 4 << 20, from: None }
    }
}

/// Why `fetch` failed. Nothing beside the manifest was changed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The manifest, the lockfile or the mirror setting is unusable.
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
    /// The lockfile or a locked file (offline check).
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Writing the documents failed.
    #[error("{path}: cannot write: {source}")]
    Write { path: String, source: std::io::Error },
}

/// What was wrong with one document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("{url}: https is required (plain http only for a loopback mirror)")]
    InsecureUrl { url: String },
    #[error("GET {url}: {message}")]
    Transport { url: String, message: String },
    #[error("GET {url}: HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("GET {url}: redirected to {location}, on another host; redirects are followed only within the host")]
    OffHostRedirect { url: String, location: String },
    #[error("GET {url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("GET {url}: the body is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("GET {url}: the body ended before its announced length: {message}")]
    Truncated { url: String, message: String },
    #[error("not JSON: {message}")]
    NotJson { message: String },
    #[error("not a valid JSON Schema: at `{pointer}`: {message}")]
    NotSchema { pointer: String, message: String },
    #[error("its $id is {found}, which is {resolved}, not the id it was fetched by")]
    IdMismatch { found: String, resolved: String },
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

/// What `fetch` wrote.
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
}

/// One document fetched and checked, not yet written.
struct Fetched {
    url: String,
    bytes: Vec<u8>,
    schema: Value,
    file: String,
}

/// Where a document was asked for: a contract of the manifest, or a `$ref` in another document.
#[derive(Clone)]
struct Request {
    id: String,
    via: Option<String>,
    contract: Option<usize>,
}

/// Fetches, checks and writes every document the manifest's contracts need.
pub fn fetch(options: &FetchOptions) -> Result<FetchReport, FetchError> {
    let manifest = read_manifest(&options.manifest)?;
    let folder = options.manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    let old_lock = Lock::read(&folder)?;
    let source = Source::new(options, &manifest)?;
    let mut queue = VecDeque::new();
    for (index, contract) in manifest.contracts.iter().enumerate() {
        let id = normalize_id(&manifest.document_id(&contract.schema_id)).map_err(|message| {
            FetchError::Setup(format!("{}: contract[{index}].schema_id: {message}", manifest.file))
        })?;
        queue.push_back(Request { id, via: None, contract: Some(index) });
    }
    let mut fetched: BTreeMap<String, Fetched> = BTreeMap::new();
    let mut edges: Vec<(String, String, String, String)> = Vec::new();
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
                contract_location(&manifest, &manifest.contracts[index]).unwrap_or_else(|| request.id.clone())
            }
            None => request.id.clone(),
        };
        let (url, bytes) = source.get(&location, options.max_bytes).map_err(fail)?;
        total_bytes += bytes.len() as u64;
        if total_bytes > MAX_TOTAL_BYTES {
            return Err(fail(Fault::Limit { message: format!("the documents exceed {MAX_TOTAL_BYTES} bytes in all") }));
        }
        let schema = check_document(&manifest, &request.id, &bytes).map_err(fail)?;
        if let Some(index) = request.contract {
            check_contract(&manifest.contracts[index], &schema).map_err(fail)?;
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
                edges.push((request.id.clone(), target.document.clone(), target.fragment, via.clone()));
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
                .map_or_else(|| file_for(&manifest, &request.id), |locked| Ok(locked.file.clone()))
                .map_err(|message| fail(Fault::Unstorable { message }))?,
        };
        fetched.insert(request.id.clone(), Fetched { url: url.to_string(), bytes, schema, file });
    }
    check_references(&fetched, &edges)?;
    write(&folder, &options.manifest, &manifest, old_lock.as_ref(), fetched)
}

fn read_manifest(path: &Path) -> Result<Manifest, FetchError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| FetchError::Setup(format!("{}: cannot read: {error}", path.display())))?;
    Manifest::parse(&crate::codegen_task::manifest_display_name(path), &text)
        .map_err(|errors| FetchError::Setup(errors.to_string()))
}

/// Where the documents are read from.
enum Source {
    /// The network, or a mirror of the registry.
    Http { agent: ureq::Agent, mirror: Option<Url> },
    /// A local copy of the registry: `root` stands for `base` (the manifest's `base_uri`), and
    /// `by_id` finds every document of the folder by the id it declares.
    Folder { root: PathBuf, base: Option<String>, by_id: BTreeMap<String, PathBuf> },
}

impl Source {
    fn new(options: &FetchOptions, manifest: &Manifest) -> Result<Source, FetchError> {
        if let Some(root) = &options.from {
            return Source::folder(root, manifest);
        }
        let mirror = options.registry.clone().or_else(|| manifest.registry.clone());
        let mirror = mirror.map(|base| parse_mirror(&base)).transpose()?;
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(options.timeout)
            .timeout_read(options.timeout)
            .timeout_write(options.timeout)
            // A server that sends a byte just before each read times out still ends.
            .timeout(options.timeout.saturating_mul(4))
            .redirects(0)
            .build();
        Ok(Source::Http { agent, mirror })
    }

    /// Indexes every `.json` document below `root` by its id (declared, resolved against
    /// `base_uri`; else `base_uri` plus its path), as validators register a folder.
    fn folder(root: &Path, manifest: &Manifest) -> Result<Source, FetchError> {
        let ids = crate::codegen_task::document_ids(root, ".", manifest)
            .map_err(|error| FetchError::Setup(format!("--from {}: {error}", root.display())))?;
        let by_id = ids
            .into_iter()
            .map(|(file, id)| (normalize_id(&id).unwrap_or(id), root.join(file)))
            .rev() // the first file of an id (in path order) wins
            .collect();
        Ok(Source::Folder { root: root.to_path_buf(), base: manifest.base_uri.clone(), by_id })
    }

    /// The document at `location` (a URL): the URL it was read from, as the lockfile records
    /// it, and its bytes.
    fn get(&self, location: &str, max_bytes: u64) -> Result<(String, Vec<u8>), Fault> {
        match self {
            Source::Http { agent, mirror } => {
                let url = mapped_url(location, mirror.as_ref())?;
                download(agent, url, max_bytes).map(|(url, bytes)| (url.to_string(), bytes))
            }
            Source::Folder { root, base, by_id } => {
                // By the id a document of the folder declares, else by its path under
                // `base_uri` (with `.json` added, as `fetch` stores documents).
                let under_base = base
                    .as_deref()
                    .and_then(|base| location.strip_prefix(base))
                    .filter(|relative| is_relative_path(relative));
                let by_path = || {
                    under_base
                        .into_iter()
                        .flat_map(|relative| [root.join(relative), root.join(format!("{relative}.json"))])
                        .find(|path| path.is_file())
                };
                let path = by_id.get(location).cloned().or_else(by_path).ok_or_else(|| Fault::Local {
                    path: root.display().to_string(),
                    message: format!("no document here is `{location}` (by its path under base_uri or its id)"),
                })?;
                let bytes = std::fs::read(&path)
                    .map_err(|error| Fault::Local { path: path.display().to_string(), message: error.to_string() })?;
                if bytes.len() as u64 > max_bytes {
                    return Err(Fault::TooLarge { url: location.to_owned(), limit: max_bytes });
                }
                Ok((location.to_owned(), bytes))
            }
        }
    }
}

/// Where a contract's schema is served: `base_uri` plus its path in the `documents` folder,
/// when it lies there; else (`None`) at its id.
fn contract_location(manifest: &Manifest, contract: &codegen::ContractEntry) -> Option<String> {
    let base = manifest.base_uri.as_deref()?;
    let documents = manifest.documents.as_deref()?;
    let relative = crate::lock::path_below(documents, &contract.schema)?;
    Some(format!("{base}{relative}"))
}

/// A mirror base URL: absolute, and https unless it is on this machine.
fn parse_mirror(base: &str) -> Result<Url, FetchError> {
    let url = Url::parse(base).map_err(|error| FetchError::Setup(format!("registry `{base}`: not a URL: {error}")))?;
    if !is_allowed(&url) {
        return Err(FetchError::Setup(format!("registry `{base}`: https is required (plain http only on loopback)")));
    }
    Ok(url)
}

/// Where an id is fetched from: the id itself, or its path and query under the mirror.
fn mapped_url(id: &str, mirror: Option<&Url>) -> Result<Url, Fault> {
    let id_url = Url::parse(id).map_err(|error| Fault::Unstorable { message: format!("not a URL: {error}") })?;
    let url = match mirror {
        None => id_url,
        Some(base) => {
            let mut text = format!("{}{}", base.as_str().trim_end_matches('/'), id_url.path());
            if let Some(query) = id_url.query() {
                text.push('?');
                text.push_str(query);
            }
            Url::parse(&text).map_err(|error| Fault::Unstorable { message: format!("mirror URL `{text}`: {error}") })?
        }
    };
    if is_allowed(&url) {
        Ok(url)
    } else {
        Err(Fault::InsecureUrl { url: url.to_string() })
    }
}

/// https anywhere; http only to this machine (a mirror in tests or on a developer's laptop).
fn is_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Ipv4(address)) => address.is_loopback(),
            Some(url::Host::Ipv6(address)) => address.is_loopback(),
            Some(url::Host::Domain(domain)) => domain == "localhost",
            None => false,
        },
        _ => false,
    }
}

/// GETs `url`, following redirects only within its host, and reads at most `max_bytes`:
/// the URL the bytes finally came from, and the bytes.
fn download(agent: &ureq::Agent, mut url: Url, max_bytes: u64) -> Result<(Url, Vec<u8>), Fault> {
    for _ in 0..=MAX_REDIRECTS {
        let response = match agent.get(url.as_str()).call() {
            Ok(response) => response,
            Err(ureq::Error::Status(status, _)) => return Err(Fault::Status { url: url.to_string(), status }),
            Err(ureq::Error::Transport(transport)) => {
                return Err(Fault::Transport { url: url.to_string(), message: transport_message(&transport) })
            }
        };
        if (300..400).contains(&response.status()) {
            let Some(location) = response.header("location").map(str::to_owned) else {
                return Err(Fault::Transport {
                    url: url.to_string(),
                    message: format!("status {} without a Location header", response.status()),
                });
            };
            let next = url.join(&location).map_err(|error| Fault::Transport {
                url: url.to_string(),
                message: format!("redirect to `{location}`: {error}"),
            })?;
            if next.host() != url.host()
                || next.port_or_known_default() != url.port_or_known_default()
                || !is_allowed(&next)
            {
                return Err(Fault::OffHostRedirect { url: url.to_string(), location: next.to_string() });
            }
            url = next;
            continue;
        }
        if response.status() != 200 {
            return Err(Fault::Status { url: url.to_string(), status: response.status() });
        }
        let announced = response.header("content-length").and_then(|length| length.parse::<u64>().ok());
        if announced.is_some_and(|length| length > max_bytes) {
            return Err(Fault::TooLarge { url: url.to_string(), limit: max_bytes });
        }
        let mut bytes = Vec::new();
        response.into_reader().take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(|error| {
            if error.kind() == std::io::ErrorKind::UnexpectedEof {
                Fault::Truncated { url: url.to_string(), message: error.to_string() }
            } else {
                Fault::Transport { url: url.to_string(), message: error.to_string() }
            }
        })?;
        if bytes.len() as u64 > max_bytes {
            return Err(Fault::TooLarge { url: url.to_string(), limit: max_bytes });
        }
        return Ok((url, bytes));
    }
    Err(Fault::TooManyRedirects { url: url.to_string() })
}

/// What went wrong below HTTP, without repeating the URL: the kind, then the details.
fn transport_message(transport: &ureq::Transport) -> String {
    let mut message = transport.kind().to_string();
    if let Some(detail) = transport.message() {
        message = format!("{message}: {detail}");
    }
    if let Some(source) = std::error::Error::source(transport) {
        message = format!("{message}: {source}");
    }
    message
}

/// JSON, a valid schema for its draft (`$schema`, else the manifest's default), and, when it
/// declares an id (`$id`; `id` in draft-04), the id it was fetched by once resolved against
/// the manifest's `base_uri`.
fn check_document(manifest: &Manifest, id: &str, bytes: &[u8]) -> Result<Value, Fault> {
    let text = std::str::from_utf8(bytes).map_err(|error| Fault::NotJson { message: format!("not UTF-8: {error}") })?;
    let schema = codegen::parse_document(text).map_err(|message| Fault::NotJson { message })?;
    if !schema.is_object() {
        return Err(Fault::NotSchema {
            pointer: String::new(),
            message: "a schema document must be a JSON object".to_owned(),
        });
    }
    let draft = codegen::Draft::of(&schema, manifest.default_draft).map_err(|draft| Fault::NotSchema {
        pointer: "/$schema".to_owned(),
        message: format!("{draft} is not a supported draft"),
    })?;
    codegen::meta_validate(&schema, manifest.default_draft)
        .map_err(|(pointer, message)| Fault::NotSchema { pointer, message })?;
    let keyword = draft.id_keyword();
    if let Some(declared) = schema.get(keyword).filter(|declared| keyword == "$id" || declared.is_string()) {
        let resolved = declared.as_str().map(|declared| manifest.document_id(declared)).unwrap_or_default();
        let same = normalize_id(&resolved).is_ok_and(|resolved| resolved == id);
        if !same {
            return Err(Fault::IdMismatch { found: declared.to_string(), resolved });
        }
    }
    Ok(schema)
}

/// A contract's schema must describe the event the manifest names: its `event_type` constant
/// (when it has one) is the manifest's, and its `schema_version` constant's major part is the
/// manifest's version.
fn check_contract(contract: &codegen::ContractEntry, schema: &Value) -> Result<(), Fault> {
    let constant = |member: &str| schema.pointer(&format!("/properties/{member}/const")).cloned();
    if let Some(found) = constant("event_type") {
        if found.as_str() != Some(&contract.event_type) {
            return Err(Fault::ContractMismatch {
                member: "event_type".to_owned(),
                found: found.to_string(),
                expected: contract.event_type.clone(),
            });
        }
    }
    if let Some(found) = constant("schema_version") {
        let major = found.as_str().map(|version| version.split('.').next().unwrap_or(version));
        if major != Some(contract.version.to_string().as_str()) {
            return Err(Fault::ContractMismatch {
                member: "schema_version".to_owned(),
                found: found.to_string(),
                expected: format!("{}.x", contract.version),
            });
        }
    }
    Ok(())
}

/// Every cross-file reference lands on something in its document, and the documents do not
/// refer to each other in a cycle.
fn check_references(
    fetched: &BTreeMap<String, Fetched>,
    edges: &[(String, String, String, String)],
) -> Result<(), FetchError> {
    for (_, to, fragment, via) in edges {
        let Some(target) = fetched.get(to) else { continue };
        if target.schema.pointer(fragment).is_none() {
            return Err(FetchError::Document {
                id: to.clone(),
                via: Some(via.clone()),
                fault: Box::new(Fault::BadReference {
                    reference: format!("{to}#{fragment}"),
                    pointer: fragment.clone(),
                    message: "no such location in the document".to_owned(),
                }),
            });
        }
    }
    let pairs: Vec<(&str, &str)> = edges.iter().map(|(from, to, _, _)| (from.as_str(), to.as_str())).collect();
    if let Some(route) = find_cycle(&pairs) {
        return Err(FetchError::Document {
            id: route[0].to_owned(),
            via: None,
            fault: Box::new(Fault::Cycle { route: route.join(" → ") }),
        });
    }
    Ok(())
}

/// The file a referenced (non-contract) document is stored in: below `documents`, its path
/// under `base_uri` when it has one there (`common/user.schema.json`); else its id's host and
/// path, e.g. `schemas.cope.com/shared/venue/v1.json`. `.json` is added when missing.
fn file_for(manifest: &Manifest, id: &str) -> Result<String, String> {
    let below_documents = match (&manifest.base_uri, &manifest.documents) {
        (Some(base), Some(documents)) => id.strip_prefix(base.as_str()).map(|relative| (documents, relative)),
        _ => None,
    };
    if let Some((documents, relative)) = below_documents {
        let mut file = crate::lock::join_below(documents, relative);
        if !file.ends_with(".json") {
            file.push_str(".json");
        }
        return if is_relative_path(&file) {
            Ok(file)
        } else {
            Err(format!("`{file}` is not a safe relative path (letters, digits, `.`, `_`, `-`; no `..`)"))
        };
    }
    let url = Url::parse(id).map_err(|error| format!("`{id}` is not a URL: {error}"))?;
    let host = url.host_str().ok_or_else(|| format!("`{id}` has no host"))?;
    let mut file = format!("{host}{}", url.path());
    if url.query().is_some() {
        return Err(format!("`{id}` has a query; such ids cannot name a file"));
    }
    if !file.ends_with(".json") {
        file.push_str(".json");
    }
    if is_relative_path(&file) {
        Ok(file)
    } else {
        Err(format!("`{file}` is not a safe relative path (letters, digits, `.`, `_`, `-`; no `..`)"))
    }
}

/// Writes changed documents, then the lockfile, then removes the files of documents no longer
/// locked. Each file is written to a temporary file beside it and renamed into place; if any
/// step fails, the steps already done are undone, so that the folder is as it was.
fn write(
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
    Ok(FetchReport { documents: lock.documents.len(), written, removed, lock_changed })
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

/// The offline check: a lockfile that locks every contract's schema, every locked file
/// matching its hash, and every cross-file `$ref` of a locked document naming a locked one.
/// Returns how many documents are locked, or every problem.
pub fn check(manifest_path: &Path) -> Result<usize, Vec<FetchError>> {
    let manifest = read_manifest(manifest_path).map_err(|error| vec![error])?;
    let folder = manifest_path.parent().unwrap_or(Path::new("."));
    let lock_name = manifest.display_path(LOCK_FILE);
    let lock = match Lock::read(folder) {
        Ok(Some(lock)) => lock,
        Ok(None) => return Err(vec![FetchError::Setup(format!("{lock_name}: missing: run `cargo xtask fetch`"))]),
        Err(error) => return Err(vec![error.into()]),
    };
    let mut problems: Vec<FetchError> = Vec::new();
    for contract in &manifest.contracts {
        let id =
            normalize_id(&manifest.document_id(&contract.schema_id)).unwrap_or_else(|_| contract.schema_id.clone());
        if lock.document(&id).is_none_or(|locked| locked.file != contract.schema) {
            problems.push(
                LockError::Unlocked { file: manifest.display_path(&contract.schema), id, lock: lock_name.clone() }
                    .into(),
            );
        }
    }
    let verified = match lock.read_verified(folder, &lock_name) {
        Ok(verified) => verified,
        Err(errors) => {
            problems.extend(errors.into_iter().map(FetchError::from));
            return Err(problems);
        }
    };
    for (document, bytes) in &verified {
        let fail = |fault: Fault| FetchError::Document { id: document.id.clone(), via: None, fault: Box::new(fault) };
        let schema = match check_document(&manifest, &document.id, bytes) {
            Ok(schema) => schema,
            Err(fault) => {
                problems.push(fail(fault));
                continue;
            }
        };
        for reference in references(&schema).into_iter().filter(|reference| !reference.value.starts_with('#')) {
            let target = resolve(&document.id, &reference.value);
            let locked = target
                .as_ref()
                .is_ok_and(|target| target.document == document.id || lock.document(&target.document).is_some());
            if !locked {
                problems.push(fail(Fault::BadReference {
                    reference: reference.value.clone(),
                    pointer: format!("{}#{}", display_file(&lock_name, &document.file), reference.pointer),
                    message: "names a document that is not locked: run `cargo xtask fetch`".to_owned(),
                }));
            }
        }
    }
    if problems.is_empty() {
        Ok(verified.len())
    } else {
        Err(problems)
    }
}
