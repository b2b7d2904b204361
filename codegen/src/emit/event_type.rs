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
    let numbers: Vec<_> =
        event_type.versions.iter().map(|version| proc_macro2::Literal::u32_unsuffixed(version.version)).collect();
    let variant_docs = event_type
        .versions
        .iter()
        .map(|version| format!(" Version {}, payload schema `{}`.", version.version, version.dataschema));
    let enum_doc = format!(" Every version of `{type_name}` this crate knows; exhaustive, like [`crate::Event`].");
    let accessor =
        |method: proc_macro2::TokenStream| quote! { match self { #(Self::#variants(event) => event.#method,)* } };
    let id = accessor(quote!(id()));
    let subject = accessor(quote!(subject()));
    let idempotency_key = accessor(quote!(idempotency_key()));
    let serialize = accessor(quote!(serialize(serializer)));
    let display = quote! { match self { #(Self::#variants(event) => ::std::fmt::Display::fmt(event, f),)* } };
    let items = quote! {
        use crate::runtime::{CapturedData, DecodeError, Envelope, IdempotencyKey};

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

        impl #name {
            /// `(schema id, schema_version)` of every version, for dispatch.
            const VERSIONS: &'static [(&'static str, ::std::option::Option<&'static str>)] =
                &[#((#modules::SCHEMA_ID, #modules::SCHEMA_VERSION)),*];

            /// The contract version of this event.
            pub fn version(&self) -> u32 {
                match self { #(Self::#variants(_) => #numbers,)* }
            }
            /// CloudEvents `type`.
            pub fn event_type(&self) -> &'static str { EVENT_TYPE }
            /// CloudEvents `source`.
            pub fn source(&self) -> &'static str { SOURCE }
            /// CloudEvents `id`.
            pub fn id(&self) -> &str { #id }
            /// CloudEvents `subject`.
            pub fn subject(&self) -> ::std::option::Option<&str> { #subject }
            /// The value to deduplicate deliveries on.
            pub fn idempotency_key(&self) -> IdempotencyKey<'_> { #idempotency_key }

            pub(crate) fn from_envelope<'de, D: CapturedData<'de>>(envelope: Envelope<'de, D>) -> ::std::result::Result<Self, DecodeError> {
                match envelope.schema_id(Self::VERSIONS)? {
                    #(#modules::SCHEMA_ID => envelope.into_event().map(Self::#variants),)*
                    _ => ::std::result::Result::Err(envelope.unknown_version(::std::option::Option::None)),
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #serialize
            }
        }

        impl crate::runtime::Decode for #name {
            /// Decodes one structured-mode event of this type; another type is `UnknownEventType`.
            fn decode(bytes: &[u8]) -> ::std::result::Result<Self, DecodeError> {
                crate::runtime::decode_with(bytes, |envelope| {
                    if envelope.event_type() != EVENT_TYPE {
                        return ::std::result::Result::Err(envelope.unknown_event_type());
                    }
                    Self::from_envelope(envelope)
                })
            }
        }

        impl crate::runtime::Encode for #name {}

        impl ::std::fmt::Display for #name {
            /// `type` `id` from `source`, and `about` `subject`.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #display
            }
        }

        #(
            impl ::std::convert::From<crate::CloudEvent<#modules::#payloads>> for #name {
                fn from(event: crate::CloudEvent<#modules::#payloads>) -> Self {
                    Self::#variants(event)
                }
            }
        )*

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
