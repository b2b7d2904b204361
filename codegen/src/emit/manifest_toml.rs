//! `Cargo.toml` of the generated crate.

use crate::manifest::Manifest;
use crate::package::Package;
use crate::render::header;
use crate::GeneratedFile;

/// Crates the payload types need beyond the runtime, serde and serde_json.
pub(crate) struct Dependencies {
    /// `pattern`s, matched by the linear-time `regex` crate.
    pub regex: bool,
}

pub(crate) fn cargo_toml(manifest: &Manifest, package: &Package, dependencies: &Dependencies) -> GeneratedFile {
    let mut text = format!(
        r#"# {header}

[package]
{package}
[lib]
# Documentation comes from schema text, which must never run as a doctest.
doctest = false
# The crate has no unit tests: `cargo test` need not build it a second time to find none.
test = false

# Integrations a consumer asks for; by default the crate needs none of their dependencies.
[features]
# `TryFrom` both ways between `cloudevents::Event` (cloudevents-sdk) and the event types.
cloudevents = ["{runtime}/cloudevents"]
# axum extractors for structured, binary and batch requests, with rejections by action.
axum = ["{runtime}/axum"]

[dependencies]
# The envelope, errors and decoding machinery, the same for every registry.
{runtime_dependency}serde = {{ version = "1.0.200", features = ["derive"] }}
serde_json = {{ version = "1.0.120", features = ["raw_value"] }}
"#,
        header = header(&manifest.file),
        package = package.toml_lines(),
        runtime = crate::RUNTIME_CRATE,
        runtime_dependency = package.runtime_dependency(),
    );
    if dependencies.regex {
        text.push_str(
            "regex = { version = \"1.10\", default-features = false, features = [\"std\", \"unicode\", \"perf\"] }\n",
        );
    }
    GeneratedFile { path: "Cargo.toml".to_owned(), contents: text }
}
