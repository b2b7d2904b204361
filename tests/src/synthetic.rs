//! Synthetic registries for measuring scale: `contracts` renamed copies of the reference
//! contract (`ticketing.event.published` v1), spread over `categories` categories, each with
//! its own event type, schema id and `event_type` constant.

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

/// The event type of synthetic contract `index`: `category<c>.thing<index>.happened`.
pub fn event_type(index: usize, categories: usize) -> String {
    format!("category{}.thing{index}.happened", index % categories.max(1))
}

/// `contracts` renamed copies of the reference contract over `categories` categories
/// (`Category0`, `Category1`...), contract `i` in category `i % categories`.
pub fn registry(contracts: usize, categories: usize) -> Synthetic {
    let mut manifest = String::from("[package]\nname = \"synthetic-events\"\n");
    let mut schemas = BTreeMap::new();
    for index in 0..contracts {
        let event_type = event_type(index, categories);
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
            category = index % categories.max(1),
        ));
        schemas.insert(path, schema);
    }
    Synthetic { manifest, schemas }
}

impl Synthetic {
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
