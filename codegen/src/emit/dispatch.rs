//! `src/event.rs`: the `Event` enum over every event type, and `decode` / `encode`.

use quote::{format_ident, quote};

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::render::rust_file;
use crate::GeneratedFile;

pub(crate) fn event_rs(manifest: &Manifest, event_types: &[&EventType]) -> Result<GeneratedFile, Errors> {
    let variants: Vec<_> = event_types.iter().map(|event_type| format_ident!("{}", event_type.enum_name)).collect();
    let variant_docs = event_types.iter().map(|event_type| format!(" `{}`.", event_type.event_type));
    let items = quote! {
        use crate::runtime::{self, DecodeError, EncodeError};

        /// Every event this crate knows, one variant per event type, each holding the enum of
        /// its versions.
        ///
        /// Deliberately exhaustive (no catch-all variant, no `#[non_exhaustive]`): when the
        /// manifest gains an event type or a version, every `match` that does not handle it
        /// stops compiling.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Event {
            #(#[doc = #variant_docs] #variants(crate::#variants),)*
        }

        // `as_any`, dispatch on `type`, accessors, `Display`, `Serialize`, `Deserialize`,
        // `Decode`, `Encode`.
        crate::runtime::impls::events!(Event { #(#variants),* });

        /// Decodes one structured-mode CloudEvent (JSON) and dispatches it to its type and
        /// version. Never panics; every error says what a consumer can do about it.
        pub fn decode(bytes: &[u8]) -> ::std::result::Result<Event, DecodeError> {
            runtime::decode_guessing(bytes, Event::decode_guessed, Event::from_envelope)
        }

        /// Encodes an event as structured-mode JSON. Decoding then encoding gives JSON equal to
        /// the input, undocumented payload members and extension attributes included.
        pub fn encode(event: &Event) -> ::std::result::Result<::std::vec::Vec<u8>, EncodeError> {
            runtime::encode_json(event)
        }

        #[cfg(feature = "axum")]
        crate::with_axum::extractor!(Event);
        #[cfg(feature = "cloudevents")]
        crate::with_cloudevents::conversions!(Event);
    };
    let docs = ["".to_owned(), "`Event`, the dispatch over every event type, and `decode` / `encode`.".to_owned()];
    rust_file("src/event.rs".to_owned(), &manifest.file, &docs, items)
}
