//! Writes a synthetic registry (renamed copies of the reference contract) for measuring scale:
//! `cargo run -p cope-events-tests --bin synthetic-registry -- CONTRACTS CATEGORIES FOLDER
//! [--per-category]`, then `cargo xtask codegen --manifest FOLDER/contracts.toml --out OUT`.
//! With `--per-category`, the manifest asks for a crate per category.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let per_category = args.last().is_some_and(|arg| arg == "--per-category");
    if per_category {
        args.pop();
    }
    let parsed = match args.as_slice() {
        [contracts, categories, folder] => contracts
            .parse::<usize>()
            .ok()
            .zip(categories.parse::<usize>().ok())
            .map(|(contracts, categories)| (contracts, categories.max(1), PathBuf::from(folder))),
        _ => None,
    };
    let Some((contracts, categories, folder)) = parsed else {
        eprintln!("usage: synthetic-registry CONTRACTS CATEGORIES FOLDER [--per-category]");
        return ExitCode::from(2);
    };
    let registry = cope_events_tests::synthetic::registry(contracts, categories);
    let registry = if per_category { registry.per_category() } else { registry };
    match registry.write_to(&folder) {
        Ok(()) => {
            eprintln!("wrote {contracts} contracts in {categories} categories to {}", folder.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}: {error}", folder.display());
            ExitCode::FAILURE
        }
    }
}
