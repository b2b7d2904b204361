//! `src/shared/mod.rs` and `src/shared/<doc>.rs`: the types of documents that contracts
//! `$ref` across files, generated once and used by every contract that refers to them.

use quote::{format_ident, quote};

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::payload::Payload;
use crate::render::rust_file;
use crate::shared::SharedDocument;
use crate::GeneratedFile;

pub(crate) fn module_rs(manifest: &Manifest, documents: &[SharedDocument]) -> Result<GeneratedFile, Errors> {
    let mut docs = vec![
        String::new(),
        "Types of the documents that contracts refer to across files, one module a document.".to_owned(),
        String::new(),
        "| document | module |".to_owned(),
        "|---|---|".to_owned(),
    ];
    docs.extend(documents.iter().map(|document| format!("| `{}` | [`{}`] |", document.id, document.module)));
    let modules = documents.iter().map(|document| format_ident!("{}", document.module));
    rust_file("src/shared/mod.rs".to_owned(), &manifest.file, &docs, quote!(#(pub mod #modules;)*))
}

pub(crate) fn document_rs(document: &SharedDocument, payload: Payload) -> Result<GeneratedFile, Errors> {
    let mut docs = vec![String::new(), format!("Types of `{}`.", document.id)];
    docs.extend(crate::emit::not_enforced_docs(&payload.not_enforced));
    rust_file(format!("src/shared/{}.rs", document.module), &document.file, &docs, payload.items)
}
