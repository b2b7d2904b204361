//! What a consumer of one category pays to build: the same consumer crate against category 0
//! of a synthetic registry of 10 contracts (one category) and of 1,000 contracts (100
//! categories of 10), both in the `crate-per-category` layout, in one run. Category 0 holds the
//! same 10 contracts in both, so the ratio is what the other 990 contracts cost this consumer;
//! it should be close to 1.
//!
//! Each registry is generated into a workspace of its own under the target folder (the
//! umbrella crate and the consumer as members, as in a repository that consumes the whole
//! registry), with its own target folder (the two workspaces' crates have the same names and
//! relative paths, so Cargo would give them the same artifacts in a shared one). The runtime
//! and its dependencies are built before measuring. Each sample edits the category crate's
//! root (a comment line more) and runs `cargo build -p consumer` (debug, offline, without
//! incremental compilation, which would reuse nearly all of the last build): the category
//! crate and the consumer are compiled from scratch, and Cargo reads every manifest of the
//! workspace.
//!
//! `cargo bench -p cope-events-tests --bench category_build` prints the table the README
//! quotes. It takes a few minutes, most of it building.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cope_events_tests::{estimates, synthetic};
use criterion::{Criterion, SamplingMode};

const GROUP: &str = "category_build";
/// `(contracts, categories)`: the baseline first.
const REGISTRIES: [(usize, usize); 2] = [(10, 1), (1000, 100)];
const CONSUMER: &str = "consumer";

fn main() {
    let output = estimates::criterion_dir();
    let mut criterion = Criterion::default().output_directory(&output).configure_from_args();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(GROUP);
    let mut group = criterion.benchmark_group(GROUP);
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_millis(1));
    for (contracts, categories) in REGISTRIES {
        let workspace = root.join(format!("{contracts}_contracts"));
        let target = workspace.join("target");
        let category_root = write_workspace(&workspace, contracts, categories);
        // The runtime, its dependencies and the workspace's lockfile, before measuring.
        build_consumer(&workspace, &target);
        group.bench_function(format!("{contracts}_contracts"), |bench| {
            bench.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    mark_changed(&category_root);
                    let start = Instant::now();
                    build_consumer(&workspace, &target);
                    total += start.elapsed();
                }
                total
            })
        });
    }
    group.finish();
    criterion.final_summary();
    if estimates::measuring() {
        report(&output);
    }
}

/// Writes the workspace of a registry: `registry/` (manifest and schemas), `out/` (the
/// generated crates) and `consumer/`. Returns category 0's `src/lib.rs`.
fn write_workspace(workspace: &Path, contracts: usize, categories: usize) -> PathBuf {
    let registry = synthetic::registry(contracts, categories).per_category();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime").canonicalize().expect("the runtime folder");
    let settings =
        codegen::Settings::default().with_runtime_path(runtime.to_str().expect("a UTF-8 path").replace('\\', "/"));
    let files = codegen::generate(&registry.parse(), &settings).expect("generates");
    let out = workspace.join("out");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("removes the previous output");
    }
    registry.write_to(&workspace.join("registry")).expect("writes the registry");
    for file in &files {
        write(&out.join(&file.path), &file.contents);
    }
    let category = format!("{}-category0", synthetic::PACKAGE);
    write(
        &workspace.join("Cargo.toml"),
        &format!("[workspace]\nresolver = \"2\"\nmembers = [\"{CONSUMER}\", \"out\"]\n"),
    );
    write(
        &workspace.join(CONSUMER).join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{CONSUMER}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{category} = {{ path = \"../out/crates/category0\" }}\n"
        ),
    );
    let krate = category.replace('-', "_");
    write(
        &workspace.join(CONSUMER).join("src/lib.rs"),
        &format!(
            "//! Handles the events of category 0.\n\n\
             /// The event type of an event of category 0, if `bytes` is one.\n\
             pub fn event_type(bytes: &[u8]) -> Option<&'static str> {{\n    \
                 {krate}::decode(bytes).ok().map(|event| event.as_any().event_type())\n}}\n"
        ),
    );
    // The repository's lockfile, so that the workspace resolves offline to the same versions.
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    std::fs::copy(lock, workspace.join("Cargo.lock")).expect("copies the lockfile");
    out.join("crates/category0/src/lib.rs")
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("creates the folder");
    std::fs::write(path, contents).expect("writes the file");
}

/// Edits `file` (a comment line more), so that its crate and what depends on it are rebuilt:
/// Cargo may judge a file by its contents, not only by its modification time.
fn mark_changed(file: &Path) {
    let mut contents = std::fs::read_to_string(file).expect("reads the crate root");
    contents.push_str("// edited to measure a rebuild\n");
    std::fs::write(file, contents).expect("rewrites the crate root");
}

/// `cargo build -p consumer` in `workspace`, offline, not incremental, into `target`. The
/// variables the benchmark's own Cargo set (its jobserver, its target folder) are not passed
/// on.
fn build_consumer(workspace: &Path, target: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--package", CONSUMER])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .status()
        .expect("runs cargo");
    assert!(status.success(), "cargo build of the consumer in {} failed", workspace.display());
}

/// Each build's time and the ratio of the large registry's to the small one's.
fn report(output: &Path) {
    let mean = |contracts: usize| estimates::mean_ns(output, GROUP, &format!("{contracts}_contracts"));
    let [(small_contracts, _), (large_contracts, large_categories)] = REGISTRIES;
    let (Some(small), Some(large)) = (mean(small_contracts), mean(large_contracts)) else {
        return; // filtered out
    };
    println!("\n| registry | build of the consumer of category 0 |\n|---|---|");
    println!("| {small_contracts} contracts, 1 category | {:.2} s |", small / 1e9);
    println!("| {large_contracts} contracts, {large_categories} categories | {:.2} s |", large / 1e9);
    println!(
        "\nAgainst {large_contracts} contracts the consumer builds in {:.2} times the time against {small_contracts}.",
        large / small
    );
}
