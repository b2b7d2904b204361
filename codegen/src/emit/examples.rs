//! `tests/examples.rs` and `tests/examples/*.json`: one test per published example payload
//! (the schema's own `examples`, the files the manifest names), so that a registry's own
//! examples guard the code generated from it. Each test wraps the payload in a CloudEvent of
//! its contract, decodes it with the crate's `decode`, and re-encodes it JSON-equal.
//!
//! The examples are copied into the crate byte for byte (a schema's own, as `serde_json` writes
//! them), so that the crate tests itself wherever it is built.

use quote::{format_ident, quote};

use crate::error::Errors;
use crate::manifest::Manifest;
use crate::model::EventType;
use crate::package::Package;
use crate::render::rust_file;
use crate::GeneratedFile;

/// The test file and the example files, or nothing when no contract has examples.
pub(crate) fn files(
    manifest: &Manifest,
    package: &Package,
    event_types: &[&EventType],
) -> Result<Vec<GeneratedFile>, Errors> {
    let krate = format_ident!("{}", package.name.replace('-', "_"));
    let mut files = Vec::new();
    let mut tests = Vec::new();
    for event_type in event_types {
        let module = format_ident!("{}", event_type.module);
        for version in &event_type.versions {
            let version_module = format_ident!("{}", version.module);
            for (index, example) in version.examples.iter().enumerate() {
                let name = format!("{}_{}_{}", event_type.module, version.module, index + 1);
                let path = format!("tests/examples/{name}.json");
                files.push(GeneratedFile { path, contents: example.text.clone() });
                let test = format_ident!("{name}");
                let doc = format!(" `{}`.", example.from);
                let file = format!("examples/{name}.json");
                tests.push(quote! {
                    #[doc = #doc]
                    #[test]
                    #[rustfmt::skip]
                    fn #test() {
                        round_trip(
                            #krate::#module::EVENT_TYPE,
                            #krate::#module::SOURCE,
                            #krate::#module::SUBJECT_PREFIX,
                            #krate::#module::#version_module::SCHEMA_ID,
                            include_str!(#file),
                        );
                    }
                });
            }
        }
    }
    if tests.is_empty() {
        return Ok(Vec::new());
    }
    // `#[rustfmt::skip]` on every item, as in `src/lib.rs`: `cargo fmt --all` leaves the file
    // as generated.
    let items = quote! {
        /// Wraps `data` in a CloudEvent of its contract; it must decode, and encode back to the
        /// same JSON.
        #[rustfmt::skip]
        fn round_trip(event_type: &str, source: &str, subject_prefix: &str, schema_id: &str, data: &str) {
            // The example's text goes into the body as published.
            let envelope = ::serde_json::json!({
                "specversion": "1.0",
                "id": "example",
                "source": source,
                "type": event_type,
                "subject": format!("{subject_prefix}example"),
                "dataschema": schema_id,
            });
            let envelope = envelope.to_string();
            let body = format!("{},\"data\":{data}}}", &envelope[..envelope.len() - 1]);
            let decoded = #krate::decode(body.as_bytes()).unwrap_or_else(|error| panic!("the example must decode: {error}"));
            let encoded = #krate::encode(&decoded).expect("a decoded event encodes");
            let encoded: ::serde_json::Value = ::serde_json::from_slice(&encoded).expect("JSON");
            let sent: ::serde_json::Value = ::serde_json::from_str(&body).expect("JSON");
            assert_eq!(encoded, sent, "decoding then encoding gives the example back");
        }

        #(#tests)*
    };
    let docs = [
        "One test per published example payload: it decodes as its contract and encodes back to".to_owned(),
        "the same JSON.".to_owned(),
    ];
    files.push(rust_file("tests/examples.rs".to_owned(), &manifest.file, &docs, items)?);
    Ok(files)
}
