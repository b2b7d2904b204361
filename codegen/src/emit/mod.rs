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
use crate::layout::{Crate, Kind};
use crate::manifest::Manifest;
use crate::shared::SharedDocument;
use crate::GeneratedFile;

/// What a crate's payloads need beyond the runtime, serde and serde_json.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Needs {
    /// Some payload matches a `pattern`: the `regex` crate.
    pub regex: bool,
    /// Some payload names a shared type: in the crate-per-category layout, the shared crate.
    pub shared: bool,
}

/// The files of `krate` that gather its event types, paths relative to its folder:
/// `Cargo.toml` (with what `needs` says), `src/lib.rs`,
/// `src/event.rs` (not in the shared types' crate), `src/shared/mod.rs` (where the shared
/// types are) and the example tests (where event types are). The files of each shared
/// document, event type and version come from [`shared::document_rs`],
/// [`event_type::module_rs`] and [`version::module_rs`].
pub(crate) fn crate_files(
    manifest: &Manifest,
    krate: &Crate<'_>,
    documents: &[SharedDocument],
    needs: Needs,
) -> Result<Vec<GeneratedFile>, Errors> {
    let has_shared = !documents.is_empty();
    let mut files = vec![
        manifest_toml::cargo_toml(manifest, krate, needs),
        crate_root::lib_rs(manifest, krate, has_shared, needs.shared)?,
    ];
    match &krate.kind {
        Kind::Whole { event_types } | Kind::Category { event_types, .. } => {
            files.push(dispatch::event_rs(manifest, event_types)?);
            files.extend(examples::files(manifest, &krate.package, event_types)?);
        }
        Kind::Umbrella { event_types, .. } => {
            let event_types: Vec<_> = event_types.iter().map(|(event_type, _)| *event_type).collect();
            files.push(dispatch::event_rs(manifest, &event_types)?);
        }
        Kind::Shared => {}
    }
    if krate.holds_shared() && has_shared {
        files.push(shared::module_rs(manifest, documents)?);
    }
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
