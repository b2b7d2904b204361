//! How much code a contract costs its consumers: the generated lines per contract of the
//! reference shape, on a synthetic registry (renamed copies of the reference contract), where
//! shared files (`lib.rs`, `event.rs`, `Cargo.toml`) are spread over every contract as they are
//! in a real registry.

use cope_events_tests::synthetic;

/// What a contract of the reference shape may cost (it was 562 lines before the runtime
/// macros took the impls that only repeat).
const MAX_LINES_PER_CONTRACT: usize = 250;

#[test]
fn a_contract_of_the_reference_shape_generates_at_most_250_lines() {
    let contracts = 200;
    let registry = synthetic::registry(contracts, 10).parse();
    let files = codegen::generate(&registry, &codegen::Settings::default()).expect("generates");
    let rust: Vec<_> = files.iter().filter(|file| file.path.ends_with(".rs")).collect();
    let lines: usize = rust.iter().map(|file| file.contents.lines().count()).sum();
    assert!(rust.len() > 2 * contracts, "every contract has its own modules: {} files", rust.len());
    let per_contract = lines / contracts;
    assert!(
        per_contract <= MAX_LINES_PER_CONTRACT,
        "{per_contract} generated lines per contract ({lines} for {contracts}), more than {MAX_LINES_PER_CONTRACT}"
    );
}
