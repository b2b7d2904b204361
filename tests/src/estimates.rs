//! Criterion's estimates of the current benchmark run, read back so that a benchmark can print
//! its ratios against the baselines it ran in the same process.

use std::path::{Path, PathBuf};

/// Where criterion writes (`target/criterion`, or under `CARGO_TARGET_DIR`).
pub fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// The mean time of `group`/`function` in nanoseconds, from the run that just ended; `None`
/// when it did not run (filtered out, or `cargo test --benches`, which measures nothing).
pub fn mean_ns(output: &Path, group: &str, function: &str) -> Option<f64> {
    let path = output.join(group).join(function).join("new/estimates.json");
    let estimates: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    estimates.pointer("/mean/point_estimate")?.as_f64()
}

/// Whether this is a measuring run (`cargo bench`), not `cargo test --benches`.
pub fn measuring() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}
