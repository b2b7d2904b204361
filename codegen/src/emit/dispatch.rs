//! `src/event.rs`: the `Event` enum over every event type, and `decode` / `encode`.

use quote::{format_ident, quote};

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::render::rust_file;
use crate::GeneratedFile;

pub(crate) fn event_rs(manifest: &Manifest, event_types: &[EventType]) -> Result<GeneratedFile, Errors> {
    let variants: Vec<_> = event_types.iter().map(|event_type| format_ident!("{}", event_type.enum_name)).collect();
    let modules: Vec<_> = event_types.iter().map(|event_type| format_ident!("{}", event_type.module)).collect();
    let variant_docs = event_types.iter().map(|event_type| format!(" `{}`.", event_type.event_type));
    let accessor = |method: proc_macro2::TokenStream| {
        quote! { match self { #(Event::#variants(event) => event.#method,)* } }
    };
    let event_type = accessor(quote!(event_type()));
    let id = accessor(quote!(id()));
    let source = accessor(quote!(source()));
    let subject = accessor(quote!(subject()));
    let idempotency_key = accessor(quote!(idempotency_key()));
    let serialize = accessor(quote!(serialize(serializer)));
    let display = quote! { match self { #(Event::#variants(event) => ::std::fmt::Display::fmt(event, f),)* } };
    // Every version's `CloudEvent<Payload>`, with the event type and variant it belongs to.
    let (version_types, (version_modules, version_variants)): (Vec<_>, (Vec<_>, Vec<_>)) = event_types
        .iter()
        .flat_map(|event_type| {
            event_type.versions.iter().map(move |version| {
                let module = format_ident!("{}", event_type.module);
                let (version_module, payload) =
                    (format_ident!("{}", version.module), format_ident!("{}", version.payload_type));
                (quote!(crate::#module::#version_module::#payload), (module, format_ident!("{}", event_type.enum_name)))
            })
        })
        .unzip();
    let items = quote! {
        use crate::runtime::{self, CapturedData, DecodeError, EncodeError, Envelope, IdempotencyKey};

        /// Every event this crate knows, one variant per event type, each holding the enum of
        /// its versions.
        ///
        /// Deliberately exhaustive (no catch-all variant, no `#[non_exhaustive]`): when the
        /// manifest gains an event type or a version, every `match` that does not handle it
        /// stops compiling.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Event {
            #(#[doc = #variant_docs] #variants(crate::#modules::#variants),)*
        }

        impl Event {
            /// CloudEvents `type`.
            pub fn event_type(&self) -> &'static str { #event_type }
            /// CloudEvents `id`.
            pub fn id(&self) -> &str { #id }
            /// CloudEvents `source`.
            pub fn source(&self) -> &'static str { #source }
            /// CloudEvents `subject`.
            pub fn subject(&self) -> ::std::option::Option<&str> { #subject }
            /// The value to deduplicate deliveries on: the COPE `idempotency_key` when present,
            /// else the (`source`, `id`) pair.
            pub fn idempotency_key(&self) -> IdempotencyKey<'_> { #idempotency_key }
        }

        /// Decodes one structured-mode CloudEvent (JSON) and dispatches it to its type and
        /// version. Never panics; every error says what a consumer can do about it.
        pub fn decode(bytes: &[u8]) -> ::std::result::Result<Event, DecodeError> {
            runtime::decode_with(bytes, dispatch)
        }

        /// Encodes an event as structured-mode JSON. Decoding then encoding gives JSON equal to
        /// the input, undocumented payload members and extension attributes included.
        pub fn encode(event: &Event) -> ::std::result::Result<::std::vec::Vec<u8>, EncodeError> {
            runtime::encode_json(event)
        }

        fn dispatch<'de, D: CapturedData<'de>>(envelope: Envelope<'de, D>) -> ::std::result::Result<Event, DecodeError> {
            match envelope.event_type() {
                #(crate::#modules::EVENT_TYPE => crate::#modules::#variants::from_envelope(envelope).map(Event::#variants),)*
                _ => ::std::result::Result::Err(envelope.unknown_event_type()),
            }
        }

        impl ::serde::Serialize for Event {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #serialize
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Event {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                runtime::deserialize_with(deserializer, dispatch)
            }
        }

        impl runtime::Decode for Event {
            fn decode(bytes: &[u8]) -> ::std::result::Result<Self, DecodeError> {
                runtime::decode_with(bytes, dispatch)
            }
        }

        impl runtime::Encode for Event {}

        impl ::std::fmt::Display for Event {
            /// `type` `id` from `source`, and `about` `subject`.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #display
            }
        }

        #(
            impl ::std::convert::From<crate::#modules::#variants> for Event {
                fn from(event: crate::#modules::#variants) -> Self {
                    Event::#variants(event)
                }
            }
        )*

        #(
            impl ::std::convert::From<crate::CloudEvent<#version_types>> for Event {
                fn from(event: crate::CloudEvent<#version_types>) -> Self {
                    Event::#version_variants(crate::#version_modules::#version_variants::from(event))
                }
            }
        )*

        #[cfg(feature = "axum")]
        crate::with_axum::extractor!(Event);
        #[cfg(feature = "cloudevents")]
        crate::with_cloudevents::conversions!(Event);
    };
    let docs = ["".to_owned(), "`Event`, the dispatch over every event type, and `decode` / `encode`.".to_owned()];
    rust_file("src/event.rs".to_owned(), &manifest.file, &docs, items)
}
