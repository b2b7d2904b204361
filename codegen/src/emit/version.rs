//! `src/<type>/v<N>.rs`: one version's payload types and the `Contract` implementation that
//! ties them to the envelope; its documentation lists what the decoder does not enforce.

use quote::{format_ident, quote};

use crate::error::Errors;
use crate::model::{EventType, Version};
use crate::payload::Payload;
use crate::render::rust_file;
use crate::GeneratedFile;

pub(crate) fn module_rs(event_type: &EventType, version: &Version, payload: Payload) -> Result<GeneratedFile, Errors> {
    // A CloudEvents `dataschema` is a URI: a relative id is resolved against `base_uri`.
    let Version { version: number, dataschema: schema_id, .. } = version;
    let number_literal = proc_macro2::Literal::u32_unsuffixed(*number);
    let payload_type = format_ident!("{}", version.payload_type);
    let schema_version = match &version.schema_version {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    };
    let items = &payload.items;
    let tokens = quote! {
        /// The contract's major version.
        pub const VERSION: u32 = #number_literal;
        /// The payload schema's id, sent as `dataschema`.
        pub const SCHEMA_ID: &str = #schema_id;
        /// The payload's `schema_version` constant, when the schema declares one.
        pub const SCHEMA_VERSION: ::std::option::Option<&str> = #schema_version;

        impl crate::Contract for #payload_type {
            const EVENT_TYPE: &'static str = super::EVENT_TYPE;
            const VERSION: u32 = VERSION;
            const SCHEMA_ID: &'static str = SCHEMA_ID;
            const SCHEMA_VERSION: ::std::option::Option<&'static str> = SCHEMA_VERSION;
            const SOURCE: &'static str = super::SOURCE;
            const SUBJECT_PREFIX: &'static str = super::SUBJECT_PREFIX;
        }

        #items
    };
    let mut docs = vec![
        String::new(),
        format!("`{}` version {number}: payload types and contract constants.", event_type.event_type),
    ];
    docs.extend(crate::emit::not_enforced_docs(&payload.not_enforced));
    rust_file(format!("src/{}/{}.rs", event_type.module, version.module), &version.schema_file, &docs, tokens)
}
