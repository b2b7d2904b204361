//! `Cargo.toml` of the generated crate.

use crate::emit::Needs;
use crate::layout::{Crate, Kind, Member};
use crate::manifest::Manifest;
use crate::render::header;
use crate::GeneratedFile;

/// `needs`: the `regex` crate (linear-time `pattern`s), the shared types' crate.
pub(crate) fn cargo_toml(manifest: &Manifest, krate: &Crate<'_>, needs: Needs) -> GeneratedFile {
    let package = &krate.package;
    let (members, features): (Vec<&Member>, Vec<&Member>) = match &krate.kind {
        Kind::Whole { .. } | Kind::Shared => (Vec::new(), Vec::new()),
        Kind::Category { shared, .. } => (shared.iter().filter(|_| needs.shared).collect(), Vec::new()),
        Kind::Umbrella { categories, shared, .. } => {
            (shared.iter().chain(categories).collect(), categories.iter().collect())
        }
    };
    let feature = |name: &str| {
        let crates = std::iter::once(crate::RUNTIME_CRATE).chain(features.iter().map(|member| member.package.as_str()));
        let list: Vec<String> = crates.map(|krate| format!("\"{krate}/{name}\"")).collect();
        match list.as_slice() {
            [one] => format!("[{one}]"),
            many => format!("[\n    {},\n]", many.join(",\n    ")),
        }
    };
    let features = if matches!(krate.kind, Kind::Shared) {
        String::new()
    } else {
        format!(
            r#"
# Integrations a consumer asks for; by default the crate needs none of their dependencies.
[features]
# `TryFrom` both ways between `cloudevents::Event` (cloudevents-sdk) and the event types.
cloudevents = {cloudevents}
# axum extractors for structured, binary and batch requests, with rejections by action.
axum = {axum}
"#,
            cloudevents = feature("cloudevents"),
            axum = feature("axum"),
        )
    };
    let mut text = format!(
        r#"# {header}

[package]
{package}
[lib]
# Documentation comes from schema text, which must never run as a doctest.
doctest = false
# The crate has no unit tests: `cargo test` need not build it a second time to find none.
test = false
{features}
[dependencies]
# The envelope, errors and decoding machinery, the same for every registry.
{runtime_dependency}serde = {{ version = "1.0.200", features = ["derive"] }}
serde_json = {{ version = "1.0.120", features = ["raw_value"] }}
"#,
        header = header(&manifest.file),
        package = package.toml_lines(),
        runtime_dependency = package.runtime_dependency(),
    );
    if needs.regex {
        text.push_str(
            "regex = { version = \"1.10\", default-features = false, features = [\"std\", \"unicode\", \"perf\"] }\n",
        );
    }
    if !members.is_empty() {
        text.push_str("# The crates of this registry's layout, generated with this one.\n");
    }
    for member in members {
        text.push_str(&format!(
            "{} = {{ version = \"={}\", path = {} }}\n",
            member.package,
            package.version,
            toml::Value::String(member.path.clone())
        ));
    }
    GeneratedFile { path: "Cargo.toml".to_owned(), contents: text }
}
