//! Everything of the generated crate around the payload types: one function a file.
//!
//! | file | made by |
//! |---|---|
//! | `Cargo.toml` | [`manifest_toml::cargo_toml`] |
//! | `src/lib.rs` | [`crate_root::lib_rs`] |
//! | `src/event.rs` | [`dispatch::event_rs`] (`Event`, `decode`, `encode`) |
//! | `src/<type>/mod.rs` | [`event_type::module_rs`] (constants, per-type enum) |
//! | `src/<type>/v<N>.rs` | [`version::module_rs`] (payload types, `Contract` impl) |
//! | `src/shared/mod.rs`, `src/shared/<doc>.rs` | [`shared::module_rs`], [`shared::document_rs`] (types of documents referenced across files) |
//! | `tests/examples.rs`, `tests/examples/*.json` | [`examples::files`] (a test per published example payload) |

mod crate_root;
mod dispatch;
pub(crate) mod event_type;
mod examples;
mod manifest_toml;
pub(crate) mod shared;
pub(crate) mod version;

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::package::Package;
use crate::shared::SharedDocument;
use crate::GeneratedFile;

/// The files of the crate that gather every event type: `Cargo.toml` (`uses_regex`: some
/// payload matches a `pattern`), `src/lib.rs`, `src/event.rs`, `src/shared/mod.rs` and the
/// example tests. The files of each shared document, event type and version come from
/// [`shared::document_rs`], [`event_type::module_rs`] and [`version::module_rs`].
pub(crate) fn crate_files(
    manifest: &Manifest,
    package: &Package,
    event_types: &[EventType],
    documents: &[SharedDocument],
    uses_regex: bool,
) -> Result<Vec<GeneratedFile>, Errors> {
    let dependencies = manifest_toml::Dependencies { regex: uses_regex };
    let mut files = vec![
        manifest_toml::cargo_toml(manifest, package, &dependencies),
        crate_root::lib_rs(manifest, event_types, !documents.is_empty())?,
        dispatch::event_rs(manifest, event_types)?,
    ];
    if !documents.is_empty() {
        files.push(shared::module_rs(manifest, documents)?);
    }
    files.extend(examples::files(manifest, package, event_types)?);
    Ok(files)
}

/// The module documentation that lists what the decoder does not enforce, one line a keyword.
fn not_enforced_docs(not_enforced: &[crate::payload::NotEnforced]) -> Vec<String> {
    if not_enforced.is_empty() {
        return Vec::new();
    }
    let mut docs = vec![
        String::new(),
        "# Not enforced".to_owned(),
        String::new(),
        "The decoder accepts more than the schema at these keywords, never less:".to_owned(),
        String::new(),
    ];
    docs.extend(
        not_enforced
            .iter()
            .map(|entry| crate::payload::inert_text(&format!("- `{}` at `{}`", entry.keyword, entry.pointer))),
    );
    docs
}
