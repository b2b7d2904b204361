//! `src/lib.rs`: module declarations, re-exports and the crate's documentation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::render::rust_file;
use crate::GeneratedFile;

pub(crate) fn lib_rs(
    manifest: &Manifest,
    event_types: &[EventType],
    has_shared: bool,
) -> Result<GeneratedFile, Errors> {
    let mut docs = vec![
        String::new(),
        "Typed COPE events: the CloudEvents 1.0 envelope, payload types and dispatch enums for".to_owned(),
        "every contract in the manifest. Decode with [`decode`], then `match` on [`Event`]:".to_owned(),
        "the match is exhaustive, so a new event type or version is a compile error, not a".to_owned(),
        "surprise in production.".to_owned(),
        String::new(),
        "| event type | versions | module |".to_owned(),
        "|---|---|---|".to_owned(),
    ];
    for event_type in event_types {
        let versions: Vec<String> = event_type.versions.iter().map(|version| format!("v{}", version.version)).collect();
        docs.push(format!("| `{}` | {} | [`{}`] |", event_type.event_type, versions.join(", "), event_type.module));
    }
    let modules = event_types.iter().map(|event_type| format_ident!("{}", event_type.module));
    let enums = event_types.iter().map(|event_type| {
        let module = format_ident!("{}", event_type.module);
        let name = format_ident!("{}", event_type.enum_name);
        quote!(pub use #module::#name;)
    });
    let shared = has_shared.then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod shared;
        }
    });
    // Every item is `#[rustfmt::skip]` (an inner `#![rustfmt::skip]` is unstable), so that
    // `cargo fmt --all` leaves the generated crate as prettyplease wrote it and `--check`
    // finds no drift.
    let items: TokenStream = quote! {
        #![forbid(unsafe_code)]

        /// The runtime crate, under the name the generated modules use.
        #[rustfmt::skip]
        use ::cope_events_runtime as runtime;

        #[rustfmt::skip]
        mod event;
        #(#[rustfmt::skip] pub mod #modules;)*
        #shared

        #[rustfmt::skip]
        pub use event::{decode, encode, Event};
        #[rustfmt::skip]
        pub use runtime::{
            Action, AnyEvent, BinaryMessage, CloudEvent, Contract, Decode, DecodeError, Encode, EncodeError,
            IdempotencyKey, InvalidExtension, Json, Mode, Timestamp, BATCH_CONTENT_TYPE,
            DATA_CONTENT_TYPE, IDEMPOTENCY_KEY_ATTRIBUTE, SPEC_VERSION, STRUCTURED_CONTENT_TYPE,
        };
        /// The chrono crate of [`CloudEvent::time`] and [`Timestamp::parse`].
        #[rustfmt::skip]
        pub use runtime::chrono;
        /// axum extractors for structured, binary and batch requests (feature `axum`).
        #[cfg(feature = "axum")]
        #[rustfmt::skip]
        pub use runtime::with_axum;
        /// Conversions to and from `cloudevents::Event` (feature `cloudevents`).
        #[cfg(feature = "cloudevents")]
        #[rustfmt::skip]
        pub use runtime::with_cloudevents;
        /// The CloudEvents SDK crate of the `with_cloudevents` conversions.
        #[cfg(feature = "cloudevents")]
        #[rustfmt::skip]
        pub use runtime::cloudevents;
        #(#[rustfmt::skip] #enums)*
    };
    rust_file("src/lib.rs".to_owned(), &manifest.file, &docs, items)
}
