//! `Cargo.toml` of the generated crate.

use crate::manifest::Manifest;
use crate::render::header;
use crate::{GeneratedFile, Settings};

/// Crates the payload types need beyond serde and serde_json.
pub(crate) struct Dependencies {
    /// `pattern`s, matched by the linear-time `regex` crate.
    pub regex: bool,
}

pub(crate) fn cargo_toml(manifest: &Manifest, settings: &Settings, dependencies: &Dependencies) -> GeneratedFile {
    let mut text = format!(
        r#"# {header}

[package]
name = "{name}"
version = "{version}"
edition = "2021"
publish = false
description = "Typed COPE events: CloudEvents envelope, payload types and dispatch enums."

[lib]
# Documentation comes from schema text, which must never run as a doctest.
doctest = false
# The crate has no unit tests: `cargo test` need not build it a second time to find none.
test = false

[dependencies]
serde = {{ version = "1.0.200", features = ["derive"] }}
serde_json = {{ version = "1.0.120", features = ["raw_value"] }}
serde_path_to_error = "0.1.16"
chrono = {{ version = "0.4.38", default-features = false, features = ["alloc"] }}
fluent-uri = "0.4"
"#,
        header = header(&manifest.file),
        name = settings.crate_name,
        version = settings.crate_version,
    );
    if dependencies.regex {
        text.push_str(
            "regex = { version = \"1.10\", default-features = false, features = [\"std\", \"unicode\", \"perf\"] }\n",
        );
    }
    GeneratedFile { path: "Cargo.toml".to_owned(), contents: text }
}
