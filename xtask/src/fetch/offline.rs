//! `cargo xtask fetch --check`: the vendored documents against the lockfile, offline.

use std::path::Path;

use codegen::reference::{normalize_id, references, resolve};

use super::document::check_document;
use super::{read_manifest, Fault, FetchError};
use crate::lock::{display_file, Lock, LockError, LOCK_FILE};

/// The offline check: a lockfile that locks every contract's schema, every locked file
/// matching its hash, and every cross-file `$ref` of a locked document naming a locked one.
/// Returns how many documents are locked, or every problem.
pub fn check(manifest_path: &Path) -> Result<usize, Vec<FetchError>> {
    let manifest = read_manifest(manifest_path).map_err(|error| vec![error])?;
    let folder = manifest_path.parent().unwrap_or(Path::new("."));
    let lock_name = manifest.display_path(LOCK_FILE);
    let lock = match Lock::read(folder) {
        Ok(Some(lock)) => lock,
        Ok(None) => return Err(vec![FetchError::Setup(format!("{lock_name}: missing: run `cargo xtask fetch`"))]),
        Err(error) => return Err(vec![error.into()]),
    };
    let mut problems: Vec<FetchError> = Vec::new();
    for contract in &manifest.contracts {
        let id =
            normalize_id(&manifest.document_id(&contract.schema_id)).unwrap_or_else(|_| contract.schema_id.clone());
        if lock.document(&id).is_none_or(|locked| locked.file != contract.schema) {
            problems.push(
                LockError::Unlocked { file: manifest.display_path(&contract.schema), id, lock: lock_name.clone() }
                    .into(),
            );
        }
    }
    let verified = match lock.read_verified(folder, &lock_name) {
        Ok(verified) => verified,
        Err(errors) => {
            problems.extend(errors.into_iter().map(FetchError::from));
            return Err(problems);
        }
    };
    for (document, bytes) in &verified {
        let fail = |fault: Fault| FetchError::Document { id: document.id.clone(), via: None, fault: Box::new(fault) };
        let schema = match check_document(&manifest, &document.id, bytes) {
            Ok((schema, draft)) => {
                if let Err(error) = document.check_draft(draft, &lock_name) {
                    problems.push(error.into());
                }
                schema
            }
            Err(fault) => {
                problems.push(fail(fault));
                continue;
            }
        };
        for reference in references(&schema).into_iter().filter(|reference| !reference.value.starts_with('#')) {
            let target = resolve(&document.id, &reference.value);
            let locked = target
                .as_ref()
                .is_ok_and(|target| target.document == document.id || lock.document(&target.document).is_some());
            if !locked {
                problems.push(fail(Fault::BadReference {
                    reference: reference.value.clone(),
                    pointer: format!("{}#{}", display_file(&lock_name, &document.file), reference.pointer),
                    message: "names a document that is not locked: run `cargo xtask fetch`".to_owned(),
                }));
            }
        }
    }
    if problems.is_empty() {
        Ok(verified.len())
    } else {
        Err(problems)
    }
}
