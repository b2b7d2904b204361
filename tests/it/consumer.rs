//! A consumer crate outside the workspace, depending on `generated/` by path, decodes the
//! reference example and matches on `Event` exhaustively.

#[test]
fn consumer_matches_exhaustively() {
    trybuild::TestCases::new().pass("ui/consumer_exhaustive_match.rs");
}
