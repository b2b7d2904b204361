//! A built xtask works on whatever checkout it is run in: the repository is git's top level
//! above the working directory (or above `--manifest`), not the one xtask was built from, and
//! relative paths are relative to the working directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn xtask_in(folder: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(arguments).current_dir(folder).output().expect("runs xtask")
}

fn git(folder: &Path, arguments: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(arguments)
        .current_dir(folder)
        .output()
        .expect("runs git");
    assert!(status.status.success(), "git {arguments:?}: {}", String::from_utf8_lossy(&status.stderr));
}

/// Another repository holding a copy of this one's `schemas/`, committed.
fn other_checkout() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let schemas = temp.path().join("schemas");
    std::fs::create_dir_all(schemas.join("ticketing.event.published")).unwrap();
    for file in ["contracts.toml", "schemas.lock", "ticketing.event.published/v1.schema.json"] {
        std::fs::copy(project_root().join("schemas").join(file), schemas.join(file)).unwrap();
    }
    git(temp.path(), &["init", "--quiet"]);
    git(temp.path(), &["add", "."]);
    git(temp.path(), &["commit", "--quiet", "-m", "schemas"]);
    temp
}

#[test]
fn the_repository_is_found_from_the_working_directory() {
    let checkout = other_checkout();
    // From a subfolder, without --manifest: the other checkout's schemas/ are checked.
    std::fs::write(checkout.path().join("schemas/ticketing.event.published/v1.schema.json"), "{}").unwrap();
    let output = xtask_in(&checkout.path().join("schemas"), &["fetch", "--check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the edited copy is refused, not this repository's: {stderr}");
    assert!(stderr.contains("schemas/ticketing.event.published/v1.schema.json: its sha256 is"), "{stderr}");
}

#[test]
fn relative_paths_work_for_codegen_and_compat_in_another_repository() {
    let checkout = other_checkout();
    let output = xtask_in(
        checkout.path(),
        &["codegen", "--manifest", "schemas/contracts.toml", "--out", "out", "--crate-name", "other-events"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let cargo_toml = std::fs::read_to_string(checkout.path().join("out/Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("name = \"other-events\""), "{cargo_toml}");

    let output = xtask_in(checkout.path(), &["compat", "--base", "HEAD", "--manifest", "schemas/contracts.toml"]);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // Outside any repository there is no base to compare with, and the message says so.
    let plain = tempfile::tempdir().unwrap();
    std::fs::copy(checkout.path().join("schemas/contracts.toml"), plain.path().join("contracts.toml")).unwrap();
    let output = xtask_in(plain.path(), &["compat", "--base", "HEAD", "--manifest", "contracts.toml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not inside a git repository"), "{stderr}");
}

#[test]
fn compat_finds_removed_contracts_and_changed_schema_ids_in_the_manifest() {
    let checkout = other_checkout();
    let manifest = checkout.path().join("schemas/contracts.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    // A second version, published and committed.
    let v1 = "ticketing.event.published/v1.schema.json";
    std::fs::copy(
        checkout.path().join("schemas").join(v1),
        checkout.path().join("schemas/ticketing.event.published/v2.schema.json"),
    )
    .unwrap();
    let first = original.find("\n[[contract]]").unwrap() + 1;
    let contract = &original[first..];
    let v2 = contract
        .replace("version = 1", "version = 2")
        .replace("/v1\"", "/v2\"")
        .replace("v1.schema.json", "v2.schema.json");
    std::fs::write(&manifest, format!("{original}\n{v2}")).unwrap();
    git(checkout.path(), &["add", "."]);
    git(checkout.path(), &["commit", "--quiet", "-m", "v2"]);
    let compat = |format: &str| {
        xtask_in(
            checkout.path(),
            &["compat", "--base", "HEAD", "--manifest", "schemas/contracts.toml", "--format", format],
        )
    };
    let unchanged = compat("text");
    assert_eq!(unchanged.status.code(), Some(0), "{}", String::from_utf8_lossy(&unchanged.stdout));

    // v2 leaves the manifest again, and v1's schema_id changes.
    std::fs::write(&manifest, original.replace("/ticketing.event.published/v1\"", "/ticketing.event.published/v1.0\""))
        .unwrap();
    let output = compat("text");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("schemas/contracts.toml:/contract/ticketing.event.published/v2: CONTRACT_REMOVED:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("schemas/contracts.toml:/contract/ticketing.event.published/v1/schema_id: SCHEMA_ID_CHANGED:"),
        "{stdout}"
    );

    // The same as pull-request annotations, and as JSON.
    let annotations = String::from_utf8(compat("github-actions").stdout).unwrap();
    assert!(
        annotations.lines().any(|line| line.starts_with(
            "::error file=schemas/contracts.toml,title=CONTRACT_REMOVED at /contract/ticketing.event.published/v2::"
        )),
        "{annotations}"
    );
    assert!(annotations.trim_end().ends_with("(see README)"), "the summary line last: {annotations}");
    let json: serde_json::Value = serde_json::from_slice(&compat("json").stdout).unwrap();
    assert_eq!(json["verdict"], "breaking");
    let rules: Vec<&str> =
        json["findings"].as_array().unwrap().iter().filter_map(|finding| finding["rule"].as_str()).collect();
    assert!(rules.contains(&"CONTRACT_REMOVED") && rules.contains(&"SCHEMA_ID_CHANGED"), "{rules:?}");
}

#[test]
fn compat_follows_refs_across_files_through_the_lockfile() {
    // The shared-definitions fixture registry (two events, shared money, venue and category
    // documents), committed in a repository of its own.
    let temp = tempfile::tempdir().unwrap();
    let registry = temp.path().join("registry");
    let fixture = project_root().join("tests/fixtures/registries/shared-definitions");
    copy_tree(&fixture, &registry);
    git(temp.path(), &["init", "--quiet"]);
    git(temp.path(), &["add", "."]);
    git(temp.path(), &["commit", "--quiet", "-m", "registry"]);
    let compat = || xtask_in(temp.path(), &["compat", "--base", "HEAD", "--manifest", "registry/contracts.toml"]);
    let unchanged = compat();
    let stdout = String::from_utf8_lossy(&unchanged.stdout);
    assert_eq!(unchanged.status.code(), Some(0), "a registry with shared documents is judged: {stdout}");

    // The shared money document loses a currency: a finding of the contract that uses it, at
    // the instance path through the `$ref`, with the keyword's place in the shared file.
    let money = registry.join("registry.fixture.test/shared/money/v1.json");
    let text = std::fs::read_to_string(&money).unwrap();
    std::fs::write(&money, text.replace(r#"["EUR", "GBP", "USD"]"#, r#"["EUR", "USD"]"#)).unwrap();
    let output = compat();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.lines().any(|line| {
            line.starts_with(
            "registry/ticketing.order.placed/v1.schema.json:/properties/total/properties/currency/enum: ENUM_VALUES_REMOVED:"
        ) && line.contains("keyword at registry/registry.fixture.test/shared/money/v1.json#/properties/currency/enum")
        }),
        "{stdout}"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn history_catches_a_break_reached_in_small_steps() {
    let checkout = other_checkout();
    let first = String::from_utf8(
        Command::new("git").args(["rev-parse", "HEAD"]).current_dir(checkout.path()).output().unwrap().stdout,
    )
    .unwrap();
    let schema_file = checkout.path().join("schemas/ticketing.event.published/v1.schema.json");
    let edit = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&schema_file).unwrap()).unwrap();
        change(&mut schema);
        std::fs::write(&schema_file, serde_json::to_string_pretty(&schema).unwrap()).unwrap();
    };
    // A break slips in (committed without the gate)...
    edit(&|schema| {
        schema["properties"].as_object_mut().unwrap().remove("venue").expect("the schema has a venue");
    });
    git(checkout.path(), &["commit", "--quiet", "-am", "drop venue"]);
    // ...and the next edit, judged against its parent alone, is harmless.
    edit(&|schema| schema["$comment"] = serde_json::json!("reviewed"));
    let against_parent =
        xtask_in(checkout.path(), &["compat", "--base", "HEAD", "--manifest", "schemas/contracts.toml"]);
    assert_eq!(against_parent.status.code(), Some(0), "{}", String::from_utf8_lossy(&against_parent.stdout));

    let output = xtask_in(checkout.path(), &["compat", "--history", "--manifest", "schemas/contracts.toml"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let removed = stdout
        .lines()
        .find(|line| line.contains("/properties/venue: PROPERTY_REMOVED"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        removed.contains(&format!("(against {})", &first.trim()[..12])),
        "names the revision it breaks with: {removed}"
    );
}
