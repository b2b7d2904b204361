//! `src/runtime.rs`: the envelope and decoding machinery, the same for every registry. It is
//! kept as a real Rust file (`templates/runtime.rs`) that this crate compiles and tests, and
//! copied verbatim under the generated header.

use crate::manifest::Manifest;
use crate::render::header;
use crate::GeneratedFile;

/// The template's text.
pub(crate) const TEMPLATE: &str = include_str!("../../templates/runtime.rs");

pub(crate) fn runtime_rs(manifest: &Manifest) -> GeneratedFile {
    GeneratedFile {
        path: "src/runtime.rs".to_owned(),
        contents: format!("//! {}\n//!\n{TEMPLATE}", header(&manifest.file)),
    }
}
