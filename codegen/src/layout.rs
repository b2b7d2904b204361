//! Which crates the registry becomes, and where each file goes: one crate (the default), or,
//! with the manifest's `layout = "crate-per-category"`, one crate per category, a crate of the
//! shared types and an umbrella crate over all of them.
//!
//! Cargo features are additive across a dependency graph, so a variant behind a feature would
//! appear in another crate's exhaustive `match` whenever anything in the graph turns it on.
//! Crates are what a consumer chooses instead: a category's crate holds that category's event
//! types and an exhaustive `Event` over exactly them, whoever else is in the graph; the
//! umbrella crate (in the output folder, under the package's name) re-exports every event
//! type's module at its root and has the `Event` of every event type, so that code written
//! against the one-crate layout compiles against it unchanged.

use std::collections::BTreeMap;

use crate::error::{collected, Error, Errors};
use crate::manifest::{Layout, Manifest};
use crate::model::EventType;
use crate::package::Package;

/// The folder, below the output folder, of the crates the umbrella depends on.
const MEMBERS_FOLDER: &str = "crates";
/// The folder name (below [`MEMBERS_FOLDER`]) and package suffix of the shared types' crate.
const SHARED: &str = "shared";
/// The umbrella's module of the category crates.
const CATEGORIES_MODULE: &str = "categories";
/// The Rust names of the crates every generated crate may depend on besides its own.
const DEPENDENCIES: &[&str] = &["cope_events_runtime", "serde", "serde_json", "regex"];

/// Every crate of the output, the crate in the output folder first.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    pub crates: Vec<Crate<'a>>,
    /// The folder of each event type's crate, by the event type's module.
    folders: BTreeMap<String, String>,
}

/// One generated crate.
#[derive(Debug)]
pub(crate) struct Crate<'a> {
    /// Its folder below the output folder: empty for the output folder itself, else
    /// `crates/<module>/`.
    pub folder: String,
    pub package: Package,
    pub kind: Kind<'a>,
}

/// What a crate holds.
#[derive(Debug)]
pub(crate) enum Kind<'a> {
    /// Every event type, and the shared types in its `shared` module: the one-crate layout.
    Whole { event_types: Vec<&'a EventType> },
    /// One category's event types; their payloads name the shared types through
    /// `crate::shared`, re-exported from the `shared` crate.
    Category { category: &'a str, event_types: Vec<&'a EventType>, shared: Option<Member> },
    /// The types of the documents contracts reach by cross-file `$ref`s, in its `shared`
    /// module.
    Shared,
    /// The umbrella: every category crate re-exported, `Event` over every event type (in the
    /// model's order, as in the one-crate layout), each with the Rust name of its crate.
    Umbrella { categories: Vec<Member>, event_types: Vec<(&'a EventType, String)>, shared: Option<Member> },
}

/// A crate another generated crate depends on.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// Its package name.
    pub package: String,
    /// The module it is re-exported as (`ticketing`, `shared`).
    pub module: String,
    /// Its folder relative to the depending crate's.
    pub path: String,
}

impl Member {
    /// The crate's name in Rust (`-` as `_`).
    pub(crate) fn crate_ident(&self) -> String {
        self.package.replace('-', "_")
    }
}

impl Crate<'_> {
    /// The event types whose modules are in this crate.
    pub(crate) fn own_event_types(&self) -> &[&EventType] {
        match &self.kind {
            Kind::Whole { event_types } | Kind::Category { event_types, .. } => event_types,
            Kind::Shared | Kind::Umbrella { .. } => &[],
        }
    }

    /// Whether the shared types' modules (`src/shared/`) are in this crate.
    pub(crate) fn holds_shared(&self) -> bool {
        matches!(self.kind, Kind::Whole { .. } | Kind::Shared)
    }
}

impl<'a> Plan<'a> {
    /// The crates of `event_types` under `manifest.layout`; `has_shared`: some document is
    /// reached by a cross-file `$ref`. Categories whose crates would share a name are errors
    /// naming the contract.
    pub(crate) fn new(
        manifest: &Manifest,
        package: &Package,
        event_types: &'a [EventType],
        has_shared: bool,
    ) -> Result<Plan<'a>, Errors> {
        if manifest.layout == Layout::OneCrate {
            let kind = Kind::Whole { event_types: event_types.iter().collect() };
            let crates = vec![Crate { folder: String::new(), package: package.clone(), kind }];
            return Ok(Plan::with_folders(crates));
        }
        let mut errors = Vec::new();
        let mut blame = |event_type: &EventType, key: &str, message: String| {
            errors.push(Error::ManifestValue {
                file: manifest.file.clone(),
                key: format!("{}.{key}", contract_key(manifest, event_type)),
                message,
            })
        };
        let mut categories: BTreeMap<String, (&'a str, Vec<&'a EventType>)> = BTreeMap::new();
        // Every event type in the model's order, with the Rust name of its category's crate.
        let mut umbrella_event_types = Vec::with_capacity(event_types.len());
        for event_type in event_types {
            let module = crate::names::field_name(&event_type.category);
            let (category, members) = categories.entry(module.clone()).or_insert((&event_type.category, Vec::new()));
            let crate_name = member_package(package, &module);
            let problem = if *category != event_type.category {
                Some(format!("`{}` gives the crate of category `{category}`, `{crate_name}`", event_type.category))
            } else if module == SHARED {
                Some(format!("`{}` gives the crate name of the shared types, `{crate_name}`", event_type.category))
            } else if DEPENDENCIES.contains(&crate_name.replace('-', "_").as_str()) {
                Some(format!(
                    "`{}` gives the crate `{crate_name}`, a dependency of generated crates",
                    event_type.category
                ))
            } else if crate::file_names::is_device_name(&module) {
                Some(format!("`{}` gives the folder `{module}`, a device name on Windows", event_type.category))
            } else {
                crate::file_names::crate_name_problem(&crate_name)
                    .map(|message| format!("`{}` gives the crate `{crate_name}`, which {message}", event_type.category))
            };
            if let Some(message) = problem {
                blame(event_type, "category", message);
            }
            if event_type.module == CATEGORIES_MODULE {
                let message = format!(
                    "`{}` would be the module `{CATEGORIES_MODULE}`, which the umbrella crate of this layout uses itself",
                    event_type.event_type
                );
                blame(event_type, "event_type", message);
            }
            members.push(event_type);
            umbrella_event_types.push((event_type, crate_name.replace('-', "_")));
        }
        collected((), errors)?;
        let member = |module: &str, path_from_umbrella: bool| Member {
            package: member_package(package, module),
            module: module.to_owned(),
            path: if path_from_umbrella { format!("{MEMBERS_FOLDER}/{module}") } else { format!("../{module}") },
        };
        let sub_package = |module: &str, description: String| Package {
            name: member_package(package, module),
            description,
            runtime_path: package.runtime_path.as_deref().map(relative_from_member),
            ..package.clone()
        };
        let shared = has_shared.then(|| member(SHARED, true));
        let mut crates = vec![Crate {
            folder: String::new(),
            package: package.clone(),
            kind: Kind::Umbrella {
                categories: categories.keys().map(|module| member(module, true)).collect(),
                event_types: umbrella_event_types,
                shared,
            },
        }];
        if has_shared {
            crates.push(Crate {
                folder: format!("{MEMBERS_FOLDER}/{SHARED}/"),
                package: sub_package(SHARED, format!("The types several crates of {} share.", package.name)),
                kind: Kind::Shared,
            });
        }
        for (module, (category, event_types)) in categories {
            crates.push(Crate {
                folder: format!("{MEMBERS_FOLDER}/{module}/"),
                package: sub_package(&module, format!("The events of category {category} of {}.", package.name)),
                kind: Kind::Category { category, event_types, shared: has_shared.then(|| member(SHARED, false)) },
            });
        }
        Ok(Plan::with_folders(crates))
    }

    fn with_folders(crates: Vec<Crate<'a>>) -> Plan<'a> {
        let folders = crates
            .iter()
            .flat_map(|krate| krate.own_event_types().iter().map(|own| (own.module.clone(), krate.folder.clone())))
            .collect();
        Plan { crates, folders }
    }

    /// The folder of the crate that holds `event_type`'s modules.
    pub(crate) fn folder_of(&self, event_type: &EventType) -> &str {
        self.folders.get(&event_type.module).expect("every event type is in a crate of the plan")
    }

    /// The folder of the crate that holds the shared types.
    pub(crate) fn shared_folder(&self) -> &str {
        self.crates.iter().find(|krate| krate.holds_shared()).map_or("", |krate| &krate.folder)
    }
}

/// `<name>-<category>`, the package of a category's crate (`cope-events-ticketing`).
fn member_package(package: &Package, module: &str) -> String {
    format!("{}-{}", package.name, module.replace('_', "-"))
}

/// A path relative to the output folder, as seen from a crate in a folder of
/// [`MEMBERS_FOLDER`]; an absolute path (`/x`, `\\server\x`, `C:/x`) as it is.
fn relative_from_member(path: &str) -> String {
    let absolute = path.starts_with(['/', '\\']) || path.as_bytes().get(1) == Some(&b':');
    if absolute {
        path.to_owned()
    } else {
        format!("{}{path}", "../".repeat(MEMBERS_FOLDER.split('/').count() + 1))
    }
}

/// `contract[<index>]` of an event type's first contract in the manifest.
fn contract_key(manifest: &Manifest, event_type: &EventType) -> String {
    let index = manifest.contracts.iter().position(|entry| entry.event_type == event_type.event_type).unwrap_or(0);
    format!("contract[{index}]")
}
