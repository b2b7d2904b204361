//! The manifest (`schemas/contracts.toml`): which contracts a repository consumes and their
//! delivery facts. Parsing only; the checks that need names live in `model`.

use serde::Deserialize;

use crate::draft::Draft;
use crate::error::{Error, Errors};

/// The encoding every supported contract uses.
pub const STRUCTURED_JSON: &str = "cloudevents-1.0-structured-json";

/// The parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The manifest file as it should appear in messages and generated docs, e.g.
    /// `schemas/contracts.toml`.
    pub file: String,
    /// A mirror of the schema registry: `cargo xtask fetch` fetches each schema id's path
    /// under this base URL instead of the id itself.
    pub registry: Option<String>,
    /// What relative ids (a `$id` such as `common/user.schema.json`, a relative `schema_id`)
    /// resolve against, as validators register documents; also the id of a document without
    /// `$id`, with its path in `documents`.
    pub base_uri: Option<String>,
    /// A folder (relative to the manifest) of schema documents that `$ref`s may name: each is
    /// registered under its id, so that a vendored registry generates offline without a
    /// lockfile.
    pub documents: Option<String>,
    /// Hosts `cargo xtask fetch` may contact besides those the manifest already names (its
    /// contract ids, `base_uri` and `registry`): where other registries' documents that
    /// `$ref`s name are served. Host names, lowercase (ports do not matter).
    pub allowed_hosts: Vec<String>,
    /// The draft of schemas that do not declare one (`$schema`); 2020-12 unless set.
    pub default_draft: Draft,
    /// Unknown keywords are errors rather than warnings.
    pub deny_unknown_keywords: bool,
    /// One crate, or a crate per category under an umbrella crate.
    pub layout: Layout,
    /// The `[package]` table: the generated crate's metadata.
    pub package: PackageMetadata,
    /// The contracts, in manifest order.
    pub contracts: Vec<ContractEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestToml {
    #[serde(default)]
    registry: Option<String>,
    #[serde(default)]
    base_uri: Option<String>,
    #[serde(default)]
    documents: Option<String>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
    /// `$schema` URI of the draft for schemas without one.
    #[serde(default)]
    default_draft: Option<String>,
    /// `"warn"` (the default) or `"error"`.
    #[serde(default)]
    unknown_keywords: Option<String>,
    #[serde(default)]
    layout: Layout,
    #[serde(default)]
    package: PackageMetadata,
    #[serde(default, rename = "contract")]
    contracts: Vec<ContractEntry>,
}

/// The manifest's `[package]` table: what the generated crate's `Cargo.toml` says of it. Every
/// key is optional; `--crate-name` and `--crate-version` win over `name` and `version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageMetadata {
    /// The package name (default `cope-events`).
    pub name: Option<String>,
    /// The package version, semver (default `0.1.0`). A new contract breaks consumers'
    /// exhaustive matches: it is a new major version.
    pub version: Option<String>,
    /// The package description.
    pub description: Option<String>,
    /// An SPDX license expression.
    pub license: Option<String>,
    /// `false` (the default), `true`, or the registries it may be published to.
    pub publish: Option<Publish>,
    /// The oldest Rust toolchain the crate supports (default: this generator's, see
    /// `GENERATED_RUST_VERSION`).
    pub rust_version: Option<String>,
}

/// How the registry's contracts are split into crates (the manifest's `layout`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `"one-crate"` (the default): every contract in the one generated crate.
    #[default]
    OneCrate,
    /// `"crate-per-category"`: a crate per category (`<name>-<category>`, its own exhaustive
    /// `Event` over that category's event types), a crate of the types several of them share
    /// (`<name>-shared`), and the umbrella crate `<name>` in the output folder, whose root
    /// re-exports every event type's module and whose `Event` spans them all, as the one crate
    /// would. A consumer that handles one category depends on that category's crate and
    /// compiles nothing else of the registry.
    CratePerCategory,
}

/// `publish` in `[package]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Publish {
    /// Anywhere (`true`) or nowhere (`false`).
    Allowed(bool),
    /// Only to these registries (names from the consumer's Cargo configuration).
    Registries(Vec<String>),
}

/// One `[[contract]]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractEntry {
    /// CloudEvents `type`, e.g. `ticketing.event.published`.
    pub event_type: String,
    /// Major version of the contract.
    pub version: u32,
    /// The payload schema's id (its `$id`, sent as `dataschema`).
    pub schema_id: String,
    /// The payload schema file, relative to the manifest's folder.
    pub schema: String,
    /// CloudEvents `source` of every event of this contract.
    pub source: String,
    /// `subject` pattern: a literal prefix followed by `<identifier>`.
    pub subject_pattern: String,
    /// The category the contract is published under.
    pub category: String,
    /// Delivery facts.
    pub delivery: Delivery,
    /// Published example payloads: files, or folders whose every `.json` file is one,
    /// relative to the manifest's folder. Each (and each of the schema's own `examples`)
    /// becomes a test of the generated crate.
    #[serde(default)]
    pub examples: Vec<String>,
    /// The paragraph under the title of the contract's reference page (`cargo xtask docs`);
    /// without it, the schema's `description`.
    #[serde(default)]
    pub summary: Option<String>,
    /// Where the contract is published, a row of its reference page's Delivery Contract table
    /// (`cargo xtask docs`); no row without it.
    #[serde(default)]
    pub availability: Option<String>,
}

/// A contract's `[contract.delivery]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Must be [`STRUCTURED_JSON`].
    pub encoding: String,
    /// `at-least-once` (the only guarantee COPE publishes today).
    pub guarantee: String,
    /// The CloudEvents extension attribute that carries the idempotency key.
    pub idempotency_key: String,
}

impl Manifest {
    /// Parses manifest text; `file` is how messages name it.
    pub fn parse(file: &str, text: &str) -> Result<Manifest, Errors> {
        let parsed: ManifestToml = toml::from_str(text).map_err(|error| Error::ManifestSyntax {
            file: file.to_owned(),
            message: error.to_string().trim_end().replace('\n', " "),
        })?;
        let value_error =
            |key: &str, message: String| Error::ManifestValue { file: file.to_owned(), key: key.to_owned(), message };
        let default_draft = match parsed.default_draft.as_deref() {
            None => Draft::Draft2020_12,
            Some(uri) => Draft::from_uri(uri).ok_or_else(|| {
                let known: Vec<&str> = crate::draft::DRAFTS.iter().map(|(_, uri)| *uri).collect();
                value_error(
                    "default_draft",
                    format!("`{uri}` is not a draft the generator reads: {}", known.join(", ")),
                )
            })?,
        };
        let deny_unknown_keywords = match parsed.unknown_keywords.as_deref() {
            None | Some("warn") => false,
            Some("error") => true,
            Some(other) => {
                return Err(value_error("unknown_keywords", format!("`{other}`: expected \"warn\" or \"error\"")).into())
            }
        };
        if let Some(base) = &parsed.base_uri {
            match crate::reference::normalize_id(base) {
                Err(message) => return Err(value_error("base_uri", message).into()),
                // Documents are found below it by their paths: it must be a folder, written
                // as its normal form so that ids and paths agree.
                Ok(normal) if normal != *base || !base.ends_with('/') => {
                    return Err(value_error(
                        "base_uri",
                        format!(
                            "`{base}` must be an absolute URI in normal form ending in `/`: `{}/`",
                            normal.trim_end_matches('/')
                        ),
                    )
                    .into())
                }
                Ok(_) => {}
            }
        }
        let below_manifest = |path: &str| !path.starts_with('/') && !path.split('/').any(|part| part == "..");
        if let Some(folder) = parsed.documents.as_deref().filter(|folder| !below_manifest(folder)) {
            return Err(value_error("documents", format!("`{folder}` must be a folder below the manifest's")).into());
        }
        for (index, host) in parsed.allowed_hosts.iter().enumerate() {
            let parsed_host = url::Url::parse(&format!("https://{host}/"));
            let plain = parsed_host.as_ref().is_ok_and(|url| {
                url.username().is_empty() && url.port().is_none() && url.host_str() == Some(host.as_str())
            });
            if !plain {
                return Err(value_error(
                    &format!("allowed_hosts[{index}]"),
                    format!("`{host}` must be a host name in lowercase (no scheme, port or path)"),
                )
                .into());
            }
        }
        for (index, contract) in parsed.contracts.iter().enumerate() {
            if let Some(named) = contract.examples.iter().find(|named| !below_manifest(named)) {
                return Err(value_error(
                    &format!("contract[{index}].examples"),
                    format!("`{named}` must be a file or folder below the manifest's"),
                )
                .into());
            }
        }
        Ok(Manifest {
            file: file.to_owned(),
            registry: parsed.registry,
            base_uri: parsed.base_uri,
            documents: parsed.documents,
            allowed_hosts: parsed.allowed_hosts,
            default_draft,
            deny_unknown_keywords,
            layout: parsed.layout,
            package: parsed.package,
            contracts: parsed.contracts,
        })
    }

    /// The id a document is known by: `id` resolved against `base_uri` when there is one
    /// (RFC 3986), in normal form.
    pub fn document_id(&self, id: &str) -> String {
        match &self.base_uri {
            Some(base) => crate::reference::resolve(base, id)
                .map(|target| {
                    if target.fragment.is_empty() {
                        target.document
                    } else {
                        format!("{}#{}", target.document, target.fragment)
                    }
                })
                .unwrap_or_else(|_| id.to_owned()),
            None => crate::reference::base_id(id),
        }
    }

    /// The schema files the manifest names, relative to its folder, each once, sorted.
    pub fn schema_files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self.contracts.iter().map(|contract| contract.schema.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        files
    }

    /// The folder the manifest's relative paths start from, as messages show it.
    pub fn folder(&self) -> &str {
        self.file.rsplit_once('/').map_or("", |(folder, _)| folder)
    }

    /// A schema path as messages and generated docs show it.
    pub fn display_path(&self, schema: &str) -> String {
        match self.folder() {
            "" => schema.to_owned(),
            folder => format!("{folder}/{schema}"),
        }
    }
}
