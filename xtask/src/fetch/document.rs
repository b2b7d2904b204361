//! The checks every downloaded document passes before anything is written, and the file it
//! is stored in.

use std::collections::BTreeMap;

use codegen::reference::{find_cycle, normalize_id};
use codegen::{Draft, Manifest};
use serde_json::Value;
use url::Url;

use super::{Fault, FetchError, Fetched};
use crate::lock::is_relative_path;

/// A `$ref` from one document into another.
pub(super) struct Edge {
    /// The document holding the reference.
    pub(super) from: String,
    /// The document it names.
    pub(super) to: String,
    /// The JSON pointer it names there.
    pub(super) fragment: String,
    /// `from#pointer`, where the reference is.
    pub(super) via: String,
}

/// JSON, a valid schema for its draft (`$schema`, else the manifest's default), and, when it
/// declares an id (`$id`; `id` in draft-04), the id it was fetched by once resolved against
/// the manifest's `base_uri`.
pub(super) fn check_document(manifest: &Manifest, id: &str, bytes: &[u8]) -> Result<(Value, Draft), Fault> {
    let text = std::str::from_utf8(bytes).map_err(|error| Fault::NotJson { message: format!("not UTF-8: {error}") })?;
    let schema = codegen::parse_document(text).map_err(|message| Fault::NotJson { message })?;
    if !schema.is_object() {
        return Err(Fault::NotSchema {
            pointer: String::new(),
            message: "a schema document must be a JSON object".to_owned(),
        });
    }
    let draft = Draft::of(&schema, manifest.default_draft).map_err(|draft| Fault::NotSchema {
        pointer: "/$schema".to_owned(),
        message: format!("{draft} is not a supported draft"),
    })?;
    codegen::meta_validate(&schema, manifest.default_draft)
        .map_err(|(pointer, message)| Fault::NotSchema { pointer, message })?;
    let keyword = draft.id_keyword();
    if let Some(declared) = schema.get(keyword).filter(|declared| keyword == "$id" || declared.is_string()) {
        let resolved = declared.as_str().map(|declared| manifest.document_id(declared)).unwrap_or_default();
        let same = normalize_id(&resolved).is_ok_and(|resolved| resolved == id);
        if !same {
            return Err(Fault::IdMismatch { found: declared.to_string(), resolved });
        }
    }
    Ok((schema, draft))
}

/// A contract's schema must describe the event the manifest names: its `event_type` constant
/// (when it has one) is the manifest's, and its `schema_version` constant's major part is the
/// manifest's version.
pub(super) fn check_contract(contract: &codegen::ContractEntry, schema: &Value) -> Result<(), Fault> {
    let constant = |member: &str| schema.pointer(&format!("/properties/{member}/const")).cloned();
    if let Some(found) = constant("event_type") {
        if found.as_str() != Some(&contract.event_type) {
            return Err(Fault::ContractMismatch {
                member: "event_type".to_owned(),
                found: found.to_string(),
                expected: contract.event_type.clone(),
            });
        }
    }
    if let Some(found) = constant("schema_version") {
        let major = found.as_str().map(|version| version.split('.').next().unwrap_or(version));
        if major != Some(contract.version.to_string().as_str()) {
            return Err(Fault::ContractMismatch {
                member: "schema_version".to_owned(),
                found: found.to_string(),
                expected: format!("{}.x", contract.version),
            });
        }
    }
    Ok(())
}

/// Every cross-file reference lands on something in its document, and the documents do not
/// refer to each other in a cycle.
pub(super) fn check_references(fetched: &BTreeMap<String, Fetched>, edges: &[Edge]) -> Result<(), FetchError> {
    for Edge { to, fragment, via, .. } in edges {
        let Some(target) = fetched.get(to) else { continue };
        if target.schema.pointer(fragment).is_none() {
            return Err(FetchError::Document {
                id: to.clone(),
                via: Some(via.clone()),
                fault: Box::new(Fault::BadReference {
                    reference: format!("{to}#{fragment}"),
                    pointer: fragment.clone(),
                    message: "no such location in the document".to_owned(),
                }),
            });
        }
    }
    let pairs: Vec<(&str, &str)> = edges.iter().map(|edge| (edge.from.as_str(), edge.to.as_str())).collect();
    if let Some(route) = find_cycle(&pairs) {
        return Err(FetchError::Document {
            id: route[0].to_owned(),
            via: None,
            fault: Box::new(Fault::Cycle { route: route.join(" → ") }),
        });
    }
    Ok(())
}

/// The file a referenced (non-contract) document is stored in: below `documents`, its path
/// under `base_uri` when it has one there (`common/user.schema.json`); else its id's host and
/// path, e.g. `schemas.cope.com/shared/venue/v1.json`. `.json` is added when missing.
pub(super) fn file_for(manifest: &Manifest, id: &str) -> Result<String, String> {
    let below_documents = match (&manifest.base_uri, &manifest.documents) {
        (Some(base), Some(documents)) => id.strip_prefix(base.as_str()).map(|relative| (documents, relative)),
        _ => None,
    };
    if let Some((documents, relative)) = below_documents {
        let mut file = crate::lock::join_below(documents, relative);
        if !file.ends_with(".json") {
            file.push_str(".json");
        }
        return if is_relative_path(&file) {
            Ok(file)
        } else {
            Err(format!("`{file}` is not a safe relative path (letters, digits, `.`, `_`, `-`; no `..`)"))
        };
    }
    let url = Url::parse(id).map_err(|error| format!("`{id}` is not a URL: {error}"))?;
    let host = url.host_str().ok_or_else(|| format!("`{id}` has no host"))?;
    let mut file = format!("{host}{}", url.path());
    if url.query().is_some() {
        return Err(format!("`{id}` has a query; such ids cannot name a file"));
    }
    if !file.ends_with(".json") {
        file.push_str(".json");
    }
    if is_relative_path(&file) {
        Ok(file)
    } else {
        Err(format!("`{file}` is not a safe relative path (letters, digits, `.`, `_`, `-`; no `..`)"))
    }
}
