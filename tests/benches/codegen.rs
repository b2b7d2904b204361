//! The generator on synthetic registries of 100 and 1,000 contracts (renamed copies of the
//! reference contract over 10 categories), in one run, so that the cost per contract and how
//! it grows are read as ratios of the same run.
//!
//! `cargo bench -p cope-events-tests --bench codegen` prints the table the README quotes.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use cope_events_tests::{estimates, synthetic};
use criterion::Criterion;

const GROUP: &str = "codegen";
const SIZES: [usize; 2] = [100, 1000];
const CATEGORIES: usize = 10;

fn main() {
    let output = estimates::criterion_dir();
    let mut criterion = Criterion::default().output_directory(&output).configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    for contracts in SIZES {
        let registry = synthetic::registry(contracts, CATEGORIES).parse();
        let settings = codegen::Settings::default();
        group.bench_function(format!("{contracts}_contracts"), |bench| {
            bench.iter(|| codegen::generate(black_box(&registry), &settings).expect("generates"))
        });
    }
    group.finish();
    criterion.final_summary();
    if estimates::measuring() {
        report(&output);
    }
}

/// The time per contract and how it grows, from this run's estimates.
fn report(output: &Path) {
    let mean = |contracts: usize| estimates::mean_ns(output, GROUP, &format!("{contracts}_contracts"));
    let (Some(small), Some(large)) = (mean(SIZES[0]), mean(SIZES[1])) else {
        return; // filtered out
    };
    println!("\n| registry | time | per contract |\n|---|---|---|");
    for (contracts, nanos) in SIZES.iter().zip([small, large]) {
        println!("| {contracts} contracts | {:.0} ms | {:.3} ms |", nanos / 1e6, nanos / 1e6 / *contracts as f64);
    }
    println!("\n{} contracts take {:.2} times the time of {} (10.00 is linear).", SIZES[1], large / small, SIZES[0]);
}
