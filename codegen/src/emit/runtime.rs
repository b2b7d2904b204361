//! `src/runtime.rs`: the envelope and decoding machinery, the same for every registry. It is
//! kept as a real Rust file (`templates/runtime.rs`) that this crate compiles and tests, and
//! copied verbatim under the generated header.

use crate::manifest::Manifest;
use crate::render::header;
use crate::GeneratedFile;

/// The template's text.
pub(crate) const TEMPLATE: &str = include_str!("../../templates/runtime.rs");

/// The integrations behind features, which only the generated crates compile (their tests
/// are in `tests/it/integrations.rs`).
const AXUM: &str = include_str!("../../templates/with_axum.rs");
const CLOUDEVENTS: &str = include_str!("../../templates/with_cloudevents.rs");

/// `src/runtime.rs` and the feature-gated integration modules.
pub(crate) fn runtime_files(manifest: &Manifest) -> Vec<GeneratedFile> {
    [("src/runtime.rs", TEMPLATE), ("src/with_axum.rs", AXUM), ("src/with_cloudevents.rs", CLOUDEVENTS)]
        .into_iter()
        .map(|(path, template)| GeneratedFile {
            path: path.to_owned(),
            contents: format!("//! {}\n//!\n{template}", header(&manifest.file)),
        })
        .collect()
}
