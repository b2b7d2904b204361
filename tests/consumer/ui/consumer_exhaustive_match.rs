//! The consumer against the crate generated from `schemas/` (v1 only): it compiles and runs.

include!("consumer/handle.rs");

fn main() {
    let body = include_bytes!("../../fixtures/reference-example.json");
    let handled = handle(body).expect("the reference example decodes");
    assert!(handled.starts_with("example_title opens 1000 seats"), "{handled}");
    assert!(matches!(handle(b"{}"), Err(cope_events::DecodeError::NotACloudEvent { .. })));
}
