//! Synthetic registries for measuring scale: `contracts` renamed copies of the reference
//! contract (`ticketing.event.published` v1), spread over at most `categories` categories
//! (all of them when `contracts` is a multiple), each with its own event type, schema id and
//! `event_type` constant. Contracts fill the categories in
//! order, so that category 0 holds the same contracts in every registry of the same category
//! size: a consumer of it sees the same crate in a registry of 10 contracts and in one of 1,000.

use std::collections::BTreeMap;
use std::path::Path;

/// The reference contract's schema, the template of every synthetic contract.
const REFERENCE_SCHEMA: &str = include_str!("../../schemas/ticketing.event.published/v1.schema.json");
/// The event type the template names, replaced in each copy.
const REFERENCE_TYPE: &str = "ticketing.event.published";

/// A registry made in memory: its manifest's text and each schema's text by path.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// `contracts.toml`.
    pub manifest: String,
    /// Schema texts, keyed by the path the manifest names.
    pub schemas: BTreeMap<String, String>,
}

/// The package name of every synthetic registry's crate.
pub const PACKAGE: &str = "synthetic-events";

/// The category of synthetic contract `index` of `contracts` over `categories`: contracts fill
/// the categories in order, `contracts / categories` (rounded up) in each.
pub fn category(index: usize, contracts: usize, categories: usize) -> usize {
    index / contracts.div_ceil(categories.max(1)).max(1)
}

/// The event type of synthetic contract `index` in category `category`:
/// `category<c>.thing<index>.happened`.
pub fn event_type(index: usize, category: usize) -> String {
    format!("category{category}.thing{index}.happened")
}

/// `contracts` renamed copies of the reference contract over `categories` categories
/// (`Category0`, `Category1`...), filled in order (see [`category`]).
pub fn registry(contracts: usize, categories: usize) -> Synthetic {
    let mut manifest = format!("[package]\nname = \"{PACKAGE}\"\n");
    let mut schemas = BTreeMap::new();
    for index in 0..contracts {
        let category = category(index, contracts, categories);
        let event_type = event_type(index, category);
        let schema_id = format!("https://schemas.example.com/events/{event_type}/v1");
        let path = format!("{event_type}/v1.schema.json");
        let schema = REFERENCE_SCHEMA
            .replace("https://schemas.cope.com/events/ticketing.event.published/v1", &schema_id)
            .replace(REFERENCE_TYPE, &event_type);
        manifest.push_str(&format!(
            r#"
[[contract]]
event_type = "{event_type}"
version = 1
schema_id = "{schema_id}"
schema = "{path}"
source = "example.category{category}"
subject_pattern = "thing:<identifier>"
category = "Category{category}"

[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "idempotency_key"
"#,
        ));
        schemas.insert(path, schema);
    }
    Synthetic { manifest, schemas }
}

impl Synthetic {
    /// The same registry in the `crate-per-category` layout: a crate per category
    /// (`synthetic-events-category<c>`) under the umbrella crate `synthetic-events`.
    pub fn per_category(mut self) -> Synthetic {
        self.manifest = format!("layout = \"crate-per-category\"\n{}", self.manifest);
        self
    }

    /// The registry, parsed as the generator reads it.
    pub fn parse(&self) -> codegen::Registry {
        let manifest = codegen::Manifest::parse("contracts.toml", &self.manifest).expect("the manifest parses");
        codegen::Registry::new(manifest, self.schemas.clone()).expect("the schemas parse")
    }

    /// Writes `contracts.toml` and the schemas under `folder`, for `cargo xtask codegen
    /// --manifest`.
    pub fn write_to(&self, folder: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(folder)?;
        std::fs::write(folder.join("contracts.toml"), &self.manifest)?;
        for (path, text) in &self.schemas {
            let file = folder.join(path);
            std::fs::create_dir_all(file.parent().expect("a schema path has a folder"))?;
            std::fs::write(file, text)?;
        }
        Ok(())
    }
}
