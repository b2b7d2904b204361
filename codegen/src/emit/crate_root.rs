//! `src/lib.rs`: module declarations, re-exports and the crate's documentation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Errors;
use crate::layout::{Crate, Kind, Member};
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::render::rust_file;
use crate::GeneratedFile;

/// `has_shared`: some document is reached by a cross-file `$ref`; `uses_shared`: some payload
/// of this crate names one of their types.
pub(crate) fn lib_rs(
    manifest: &Manifest,
    krate: &Crate<'_>,
    has_shared: bool,
    uses_shared: bool,
) -> Result<GeneratedFile, Errors> {
    let (docs, items) = match &krate.kind {
        Kind::Whole { event_types } => {
            let shared = has_shared.then(|| {
                quote! {
                    #[rustfmt::skip]
                    pub mod shared;
                }
            });
            (events_docs(WHOLE_DOCS, event_types.iter().copied()), events_root(event_types, shared))
        }
        Kind::Category { category, event_types, shared } => {
            let intro = CATEGORY_DOCS.replace("{category}", category);
            let shared = shared.as_ref().filter(|_| uses_shared).map(reexport_shared);
            (events_docs(&intro, event_types.iter().copied()), events_root(event_types, shared))
        }
        Kind::Shared => {
            let docs = vec![
                String::new(),
                "The types of the schema documents that several crates of this registry share, each".to_owned(),
                "in a module of [`shared`]; the category crates re-export it.".to_owned(),
            ];
            let items = quote! {
                #![forbid(unsafe_code)]

                /// The runtime crate, under the name the generated modules use (unused when
                /// every shared type is an alias).
                #[rustfmt::skip]
                #[allow(unused_imports)]
                use ::cope_events_runtime as runtime;

                #[rustfmt::skip]
                pub mod shared;
            };
            (docs, items)
        }
        Kind::Umbrella { categories, event_types, shared } => umbrella(categories, event_types, shared.as_ref()),
    };
    rust_file("src/lib.rs".to_owned(), &manifest.file, &docs, items)
}

/// The documentation of the one-crate layout's root.
const WHOLE_DOCS: &str = "Typed COPE events: the CloudEvents 1.0 envelope, payload types and dispatch enums for
every contract in the manifest. Decode with [`decode`], then `match` on [`Event`]:
the match is exhaustive, so a new event type or version is a compile error, not a
surprise in production.";

/// The documentation of a category crate's root (`{category}` is the category's name).
const CATEGORY_DOCS: &str = "Typed COPE events of category {category}: the CloudEvents 1.0 envelope, payload
types and dispatch enums for every contract of the category. Decode with [`decode`], then
`match` on [`Event`]: the match is exhaustive over this category, so a new event type or
version in it is a compile error, not a surprise in production.";

/// The documentation of the umbrella crate's root.
const UMBRELLA_DOCS: &str = "Typed COPE events: the CloudEvents 1.0 envelope, payload types and dispatch enums for
every contract in the manifest, from one crate per category. Decode with [`decode`],
then `match` on [`Event`]: the match is exhaustive over every category, so a new event
type or version is a compile error, not a surprise in production. A consumer that
handles one category depends on its crate (see [`categories`]) and compiles no other.";

/// `intro`, then a table of the event types with their versions and modules.
fn events_docs<'a>(intro: &str, event_types: impl IntoIterator<Item = &'a EventType>) -> Vec<String> {
    let mut docs = vec![String::new()];
    docs.extend(intro.lines().map(str::to_owned));
    docs.extend([String::new(), "| event type | versions | module |".to_owned(), "|---|---|---|".to_owned()]);
    for event_type in event_types {
        let versions: Vec<String> = event_type.versions.iter().map(|version| format!("v{}", version.version)).collect();
        docs.push(format!("| `{}` | {} | [`{}`] |", event_type.event_type, versions.join(", "), event_type.module));
    }
    docs
}

/// `pub use ::<shared crate>::shared;`: the shared types where the payloads name them.
fn reexport_shared(shared: &Member) -> TokenStream {
    let krate = format_ident!("{}", shared.crate_ident());
    quote! {
        /// The types several crates of this registry share.
        #[rustfmt::skip]
        pub use ::#krate::shared;
    }
}

/// The root of a crate that holds event types: their modules, `shared`, `Event` and the
/// runtime's public part.
fn events_root(event_types: &[&EventType], shared: Option<TokenStream>) -> TokenStream {
    let modules = event_types.iter().map(|event_type| format_ident!("{}", event_type.module));
    let enums = event_types.iter().map(|event_type| {
        let module = format_ident!("{}", event_type.module);
        let name = format_ident!("{}", event_type.enum_name);
        quote!(pub use #module::#name;)
    });
    let runtime = runtime_reexports();
    // Every item is `#[rustfmt::skip]` (an inner `#![rustfmt::skip]` is unstable), so that
    // `cargo fmt --all` leaves the generated crate as prettyplease wrote it and `--check`
    // finds no drift.
    quote! {
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
        #runtime
        #(#[rustfmt::skip] #enums)*
    }
}

/// The umbrella's root: each event type's module and enum re-exported from its category's
/// crate, with the `From` conversions into this crate's `Event`; the category crates under
/// `categories`; `shared`, `Event` and the runtime's public part.
fn umbrella(
    categories: &[Member],
    event_types: &[(&EventType, String)],
    shared: Option<&Member>,
) -> (Vec<String>, TokenStream) {
    let docs = events_docs(UMBRELLA_DOCS, event_types.iter().map(|(event_type, _)| *event_type));
    let reexports = event_types.iter().map(|(event_type, krate)| {
        let krate = format_ident!("{krate}");
        let module = format_ident!("{}", event_type.module);
        let name = format_ident!("{}", event_type.enum_name);
        let versions = event_type.versions.iter().map(|version| {
            let variant = format_ident!("{}", version.variant);
            let version_module = format_ident!("{}", version.module);
            let payload = format_ident!("{}", version.payload_type);
            quote!(#variant(#module::#version_module::#payload))
        });
        quote! {
            #[rustfmt::skip]
            pub use ::#krate::{#module, #name};
            #[rustfmt::skip]
            runtime::impls::into_event!(#name { #(#versions),* });
        }
    });
    let category_crates = categories.iter().map(|member| {
        let krate = format_ident!("{}", member.crate_ident());
        let module = format_ident!("{}", member.module);
        let doc = format!(" The crate `{}`.", member.package);
        quote!(#[doc = #doc] pub use ::#krate as #module;)
    });
    let shared = shared.map(reexport_shared);
    let runtime = runtime_reexports();
    let items = quote! {
        #![forbid(unsafe_code)]

        /// The runtime crate, under the name the generated modules use.
        #[rustfmt::skip]
        use ::cope_events_runtime as runtime;

        #[rustfmt::skip]
        mod event;
        /// The crate of each category, with its own `Event` over that category's event types.
        #[rustfmt::skip]
        pub mod categories {
            #(#category_crates)*
        }
        #shared

        #[rustfmt::skip]
        pub use event::{decode, encode, Event};
        #runtime
        #(#reexports)*
    };
    (docs, items)
}

/// The runtime's public part, re-exported at a crate root that holds events.
fn runtime_reexports() -> TokenStream {
    quote! {
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
    }
}
