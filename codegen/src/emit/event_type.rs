//! `src/<type>/mod.rs`: an event type's contract constants and the enum of its versions.

use quote::{format_ident, quote};

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::render::rust_file;
use crate::GeneratedFile;

pub(crate) fn module_rs(manifest: &Manifest, event_type: &EventType) -> Result<GeneratedFile, Errors> {
    let EventType { event_type: type_name, source, subject_prefix, category, guarantee, .. } = event_type;
    let name = format_ident!("{}", event_type.enum_name);
    let modules: Vec<_> = event_type.versions.iter().map(|version| format_ident!("{}", version.module)).collect();
    let variants: Vec<_> = event_type.versions.iter().map(|version| format_ident!("{}", version.variant)).collect();
    let payloads: Vec<_> =
        event_type.versions.iter().map(|version| format_ident!("{}", version.payload_type)).collect();
    let variant_docs = event_type
        .versions
        .iter()
        .map(|version| format!(" Version {}, payload schema `{}`.", version.version, version.dataschema));
    let enum_doc = format!(" Every version of `{type_name}` this crate knows; exhaustive, like [`crate::Event`].");
    let items = quote! {
        /// CloudEvents `type` of every version.
        pub const EVENT_TYPE: &str = #type_name;
        /// CloudEvents `source` of every event of this type.
        pub const SOURCE: &str = #source;
        /// What `subject` starts with; an identifier follows.
        pub const SUBJECT_PREFIX: &str = #subject_prefix;
        /// The category the contract is published under.
        pub const CATEGORY: &str = #category;

        #(pub mod #modules;)*

        #[doc = #enum_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants(crate::CloudEvent<#modules::#payloads>),)*
        }

        // Accessors, dispatch on the schema id, `Serialize`, `Decode`, `Encode`, `Display`, `From`.
        crate::runtime::impls::event_type!(#name = EVENT_TYPE { #(#variants(#modules::#payloads)),* });

        #[cfg(feature = "axum")]
        crate::with_axum::extractor!(#name);
        #[cfg(feature = "cloudevents")]
        crate::with_cloudevents::conversions!(#name);
    };
    let docs = vec![
        String::new(),
        format!("`{type_name}`: category {category}, source `{source}`, subject `{subject_prefix}<identifier>`."),
        format!("Delivery is {guarantee}: deduplicate on [`{}::idempotency_key`].", event_type.enum_name),
    ];
    rust_file(format!("src/{}/mod.rs", event_type.module), &manifest.file, &docs, items)
}
