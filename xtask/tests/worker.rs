//! `cargo xtask codegen` runs the generator in a child process: the command survives a child
//! that dies (a stack overflow cannot be caught), reports it, and writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn xtask(arguments: &[&str], stack_kib: Option<u32>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(arguments).current_dir(project_root());
    if let Some(kib) = stack_kib {
        command.env(xtask::worker::STACK_ENV, kib.to_string());
    }
    command.output().expect("runs xtask")
}

#[test]
fn codegen_check_through_the_child_process_passes_on_the_repository() {
    let output = xtask(&["codegen", "--check"], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_child_that_overflows_its_stack_is_an_error_and_nothing_is_written() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("crate");
    let manifest = project_root().join("schemas/contracts.toml");
    // 16 KiB is too little stack for the generator: the child dies of a stack overflow.
    let output =
        xtask(&["codegen", "--manifest", manifest.to_str().unwrap(), "--out", target.to_str().unwrap()], Some(16));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the generator crashed (killed by signal"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!target.exists(), "nothing was written");
}

#[test]
fn schema_errors_found_in_the_child_are_reported_with_file_and_pointer() {
    let registry = tempfile::tempdir().unwrap();
    let folder = registry.path().join("registry");
    std::fs::create_dir_all(folder.join("t")).unwrap();
    let manifest = std::fs::read_to_string(project_root().join("schemas/contracts.toml"))
        .unwrap()
        .replace("ticketing.event.published/v1.schema.json", "t/v1.schema.json");
    std::fs::write(folder.join("contracts.toml"), manifest).unwrap();
    std::fs::write(
        folder.join("t/v1.schema.json"),
        r##"{"type": "object", "properties": {"a": {"$dynamicRef": "#x"}, "b": {"x-vendor": 1}}}"##,
    )
    .unwrap();
    let target = registry.path().join("crate");
    let output = xtask(
        &["codegen", "--manifest", folder.join("contracts.toml").to_str().unwrap(), "--out", target.to_str().unwrap()],
        None,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("registry/t/v1.schema.json#/properties/a/$dynamicRef: `$dynamicRef` depends on"),
        "{stderr}"
    );
    assert!(!target.exists());
}

#[test]
fn checking_commands_tell_drift_from_a_check_that_could_not_run() {
    let temp = tempfile::tempdir().unwrap();
    let manifest = project_root().join("schemas/contracts.toml");
    let manifest = manifest.to_str().unwrap();
    let out = temp.path().join("crate");
    let out_arg = out.to_str().unwrap();
    let code = |arguments: &[&str]| xtask(arguments, None).status.code();
    assert_eq!(code(&["codegen", "--manifest", manifest, "--out", out_arg]), Some(0));
    assert_eq!(code(&["codegen", "--check", "--manifest", manifest, "--out", out_arg]), Some(0));
    // Drift: 1.
    std::fs::write(out.join("src/lib.rs"), "// edited\n").unwrap();
    assert_eq!(code(&["codegen", "--check", "--manifest", manifest, "--out", out_arg]), Some(1));
    // A manifest that cannot be read: 2, for both checks.
    let missing = temp.path().join("missing/contracts.toml");
    let missing = missing.to_str().unwrap();
    assert_eq!(code(&["codegen", "--check", "--manifest", missing, "--out", out_arg]), Some(2));
    assert_eq!(code(&["fetch", "--check", "--manifest", missing]), Some(2));
    // A lockfile mismatch is a finding: 1.
    let registry = temp.path().join("registry");
    std::fs::create_dir_all(registry.join("ticketing.event.published")).unwrap();
    for file in ["contracts.toml", "schemas.lock", "ticketing.event.published/v1.schema.json"] {
        std::fs::copy(project_root().join("schemas").join(file), registry.join(file)).unwrap();
    }
    let copied = registry.join("contracts.toml");
    assert_eq!(code(&["fetch", "--check", "--manifest", copied.to_str().unwrap()]), Some(0));
    std::fs::write(registry.join("ticketing.event.published/v1.schema.json"), "{}\n").unwrap();
    assert_eq!(code(&["fetch", "--check", "--manifest", copied.to_str().unwrap()]), Some(1));
}
