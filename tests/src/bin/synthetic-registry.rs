//! Writes a synthetic registry (renamed copies of the reference contract) for measuring scale:
//! `cargo run -p cope-events-tests --bin synthetic-registry -- CONTRACTS CATEGORIES FOLDER`,
//! then `cargo xtask codegen --manifest FOLDER/contracts.toml --out OUT`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [contracts, categories, folder] => contracts
            .parse::<usize>()
            .ok()
            .zip(categories.parse::<usize>().ok())
            .map(|(contracts, categories)| (contracts, categories.max(1), PathBuf::from(folder))),
        _ => None,
    };
    let Some((contracts, categories, folder)) = parsed else {
        eprintln!("usage: synthetic-registry CONTRACTS CATEGORIES FOLDER");
        return ExitCode::from(2);
    };
    match cope_events_tests::synthetic::registry(contracts, categories).write_to(&folder) {
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
