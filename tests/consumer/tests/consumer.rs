//! New versions and new event types are compile-time changes: a consumer crate outside the
//! workspace that matches exhaustively on the v1-only crate compiles and runs; the same code
//! against crates generated with a v2, or with a second event type, fails with E0004.

#[test]
fn consumer_matches_exhaustively_and_breaks_on_additions() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/consumer_exhaustive_match.rs");
    cases.compile_fail("ui/consumer_after_new_version.rs");
    cases.compile_fail("ui/consumer_after_new_event_type.rs");
}
