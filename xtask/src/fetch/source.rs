//! Where documents are read from: the network (the ids themselves, or a mirror), or a local
//! copy of the registry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::reference::normalize_id;
use codegen::Manifest;
#[cfg(feature = "network")]
use url::Url;

#[cfg(feature = "network")]
use super::hosts::{is_allowed_scheme, Hosts};
#[cfg(feature = "network")]
use super::http::Client;
use super::{Fault, FetchError, FetchOptions};
use crate::lock::is_relative_path;

/// Why a build without the `network` feature cannot fetch from the network.
#[cfg(not(feature = "network"))]
const NO_NETWORK: &str = "this xtask was built without its HTTP client (feature `network`): \
                          run `cargo xtask fetch`, which builds the one that has it, or pass --from DIR";

/// Where the documents are read from.
pub(super) enum Source {
    /// The network, or a mirror of the registry; only `hosts` are contacted.
    #[cfg(feature = "network")]
    Http { client: Client, mirror: Option<Url>, hosts: Hosts },
    /// A local copy of the registry: `root` stands for `base` (the manifest's `base_uri`), and
    /// `by_id` finds every document of the folder by the id it declares.
    Folder { root: PathBuf, base: Option<String>, by_id: BTreeMap<String, PathBuf> },
}

impl Source {
    pub(super) fn new(options: &FetchOptions, manifest: &Manifest) -> Result<Source, FetchError> {
        if let Some(root) = &options.from {
            return Source::folder(root, manifest);
        }
        Source::network(options, manifest)
    }

    /// The registry's hosts, or its mirror.
    #[cfg(feature = "network")]
    fn network(options: &FetchOptions, manifest: &Manifest) -> Result<Source, FetchError> {
        let mirror = options.registry.clone().or_else(|| manifest.registry.clone());
        let mirror = mirror.map(|base| parse_mirror(&base)).transpose()?;
        let hosts = Hosts::named_by(manifest, mirror.as_ref());
        Ok(Source::Http { client: Client::new(options), mirror, hosts })
    }

    #[cfg(not(feature = "network"))]
    fn network(_: &FetchOptions, _: &Manifest) -> Result<Source, FetchError> {
        Err(FetchError::Setup(NO_NETWORK.to_owned()))
    }

    /// Indexes every `.json` document below `root` by its id (declared, resolved against
    /// `base_uri`; else `base_uri` plus its path), as validators register a folder.
    fn folder(root: &Path, manifest: &Manifest) -> Result<Source, FetchError> {
        let show = |relative: &str| root.join(relative).display().to_string();
        let ids = crate::codegen_task::document_ids_shown(root, ".", manifest, &show)
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
    pub(super) fn get(&self, location: &str, max_bytes: u64) -> Result<(String, Vec<u8>), Fault> {
        match self {
            #[cfg(feature = "network")]
            Source::Http { client, mirror, hosts } => {
                let id_url = Url::parse(location)
                    .map_err(|error| Fault::Unstorable { message: format!("not a URL: {error}") })?;
                // Checked before any connection, on the id: a mirror serves every host's
                // documents, but a fetch without it would contact this one.
                hosts.check(&id_url)?;
                let url = mapped_url(&id_url, mirror.as_ref())?;
                client.download(url, max_bytes).map(|(url, bytes)| (url.to_string(), bytes))
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
pub(super) fn contract_location(manifest: &Manifest, contract: &codegen::ContractEntry) -> Option<String> {
    let base = manifest.base_uri.as_deref()?;
    let documents = manifest.documents.as_deref()?;
    let relative = crate::lock::path_below(documents, &contract.schema)?;
    Some(format!("{base}{relative}"))
}

/// A mirror base URL: absolute, and https unless it is on this machine.
#[cfg(feature = "network")]
fn parse_mirror(base: &str) -> Result<Url, FetchError> {
    let url = Url::parse(base).map_err(|error| FetchError::Setup(format!("registry `{base}`: not a URL: {error}")))?;
    if !is_allowed_scheme(&url) {
        return Err(FetchError::Setup(format!("registry `{base}`: https is required (plain http only on loopback)")));
    }
    Ok(url)
}

/// Where an id is fetched from: the id itself, or its path and query under the mirror.
#[cfg(feature = "network")]
fn mapped_url(id_url: &Url, mirror: Option<&Url>) -> Result<Url, Fault> {
    let url = match mirror {
        None => id_url.clone(),
        Some(base) => {
            let mut text = format!("{}{}", base.as_str().trim_end_matches('/'), id_url.path());
            if let Some(query) = id_url.query() {
                text.push('?');
                text.push_str(query);
            }
            Url::parse(&text).map_err(|error| Fault::Unstorable { message: format!("mirror URL `{text}`: {error}") })?
        }
    };
    if is_allowed_scheme(&url) {
        Ok(url)
    } else {
        Err(Fault::InsecureUrl { url: url.to_string() })
    }
}
