//! The payload phase: a schema document becomes the Rust items of its module.
//!
//! ```text
//! keywords::survey ─▶ lower (schema → model, with merge for allOf) ─▶ recursion::box_cycles ─▶ emit
//! ```
//!
//! The model (`model.rs`) sits between the schema and the tokens: structs whose fields carry
//! presence and nullability, literal enums, unions, newtypes, maps. Every item is emitted by our
//! own emitters, with serde impls that keep what they decode: decoding then encoding gives back
//! JSON equal to the input.

mod checks;
mod docs;
mod emit;
mod emit_literals;
mod emit_newtype;
mod emit_struct;
mod emit_tuple;
mod emit_union;
mod keywords;
mod lower;
mod merge;
mod model;
mod naming;
mod recursion;

use serde_json::Value;

use crate::draft::Draft;
use crate::error::{Error, Errors, Warning, WarningKind};
use crate::model::Version;
use crate::shared::{Bundle, SharedDocument};
pub(crate) use docs::inert_text;
use lower::Document;
pub(crate) use model::NotEnforced;
use model::{Checks, Kind, Module};

/// One module's payload types, ready to be placed in it.
pub(crate) struct Payload {
    /// The module's items as tokens, parsed once when the file is rendered.
    pub items: proc_macro2::TokenStream,
    /// The types match a `pattern` (the crate needs `regex`).
    pub uses_regex: bool,
    /// The types name a type of a shared module (the crate needs the shared module).
    pub uses_shared: bool,
    /// What the decoder does not enforce, sorted by pointer.
    pub not_enforced: Vec<NotEnforced>,
    pub warnings: Vec<Warning>,
}

/// The payload types of one contract version; the root type is `version.payload_type`.
pub(crate) fn generate(version: &Version, bundle: &Bundle, default_draft: Draft) -> Result<Payload, Errors> {
    let document = document(&version.schema_file, &version.document_id, &version.schema, default_draft)?;
    let lowered = if version.shared_payload {
        lower::shared_root_wrapper(&document, bundle, &version.payload_type)
    } else {
        lower::contract(&document, bundle, &version.payload_type)
    };
    finish(&document, lowered)
}

/// The types of a shared document: one per definition others refer to.
pub(crate) fn generate_shared(
    shared: &SharedDocument,
    bundle: &Bundle,
    default_draft: Draft,
) -> Result<Payload, Errors> {
    let document = document(&shared.file, &shared.id, &shared.schema, default_draft)?;
    let lowered = lower::shared(&document, bundle, &shared.types);
    finish(&document, lowered)
}

fn document<'a>(file: &'a str, id: &'a str, schema: &'a Value, default_draft: Draft) -> Result<Document<'a>, Errors> {
    let draft = Draft::of(schema, default_draft).map_err(|uri| Error::Schema {
        file: file.to_owned(),
        pointer: "/$schema".to_owned(),
        message: format!("{uri} is not a draft the generator reads"),
    })?;
    Ok(Document { file, id, schema, modern: draft.ref_siblings_apply() })
}

/// The survey of what the lowering reached, and the module's items.
fn finish(document: &Document<'_>, lowered: Result<lower::Lowering, Vec<Error>>) -> Result<Payload, Errors> {
    let lowered = lowered.map_err(Errors)?;
    let survey = keywords::survey(document.schema, &lowered.reached, !document.modern);
    let refused: Vec<Error> = survey
        .refused
        .into_iter()
        .map(|(pointer, message)| Error::Schema { file: document.file.to_owned(), pointer, message })
        .collect();
    crate::error::collected((), refused)?;
    let warning =
        |kind, (pointer, message): (String, String)| Warning { kind, file: document.file.to_owned(), pointer, message };
    let mut warnings: Vec<Warning> =
        survey.unknown.into_iter().map(|found| warning(WarningKind::UnknownKeyword, found)).collect();
    warnings.extend(lowered.warnings.into_iter().map(|found| warning(WarningKind::Schema, found)));
    let mut not_enforced = survey.not_enforced;
    not_enforced.extend(lowered.not_enforced);
    not_enforced.sort();
    not_enforced.dedup();
    let uses_regex = uses_regex(&lowered.module);
    let uses_shared = lowered.module.items.iter().any(|item| item.kind.types().into_iter().any(|ty| ty.names_shared()));
    Ok(Payload { items: emit::module_items(&lowered.module), uses_regex, uses_shared, not_enforced, warnings })
}

fn uses_regex(module: &Module) -> bool {
    module.items.iter().any(|item| match &item.kind {
        Kind::Newtype(newtype) => matches!(&newtype.checks, Checks::String(checks) if !checks.patterns.is_empty()),
        Kind::Struct(structure) => !structure.patterns.is_empty(),
        _ => false,
    })
}
