//! Nothing to link: this package exists for its test, `tests/consumer.rs`, which compiles the
//! consumer code of `ui/` against the generated crates the way a user's crate would.
