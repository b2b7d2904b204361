//! The workspace's minimum supported Rust version is honest: every member declares it, no
//! locked dependency needs a newer toolchain, and each generated crate declares at least what
//! its own dependency graph (features on) needs. Clippy's `incompatible_msrv` (CI denies
//! warnings) checks the code itself against the same `rust-version`; `rust-toolchain.toml`
//! pins the toolchain CI and the trybuild snapshots use, which is no older.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = text.split('.').map(|part| part.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    parts
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace")
}

fn workspace_rust_version() -> String {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap()).unwrap();
    manifest["workspace"]["package"]["rust-version"].as_str().expect("the workspace declares rust-version").to_owned()
}

/// The workspace's dependency graph for this machine's platform (the packages of other
/// platforms' targets need not be downloaded for an offline run).
fn metadata() -> Value {
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", &host])
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn every_member_and_dependency_fits_the_declared_rust_version() {
    let declared = workspace_rust_version();
    let metadata = metadata();
    let members: BTreeSet<&str> =
        metadata["workspace_members"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    let packages = metadata["packages"].as_array().unwrap();
    let rust_version = |package: &Value| package["rust_version"].as_str().map(str::to_owned);
    let mut too_new = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap();
        let id = package["id"].as_str().unwrap();
        let generated = package["manifest_path"].as_str().unwrap().contains("generated");
        match (members.contains(id), rust_version(package)) {
            (true, None) => panic!("workspace member {name} declares no rust-version"),
            (true, Some(own)) if !generated => {
                assert_eq!(own, declared, "{name} inherits the workspace's rust-version")
            }
            (true, Some(own)) => {
                assert_eq!(own, codegen::GENERATED_RUST_VERSION, "{name} is generated with the default")
            }
            (false, Some(needed)) if version(&needed) > version(&declared) => too_new.push(format!("{name} {needed}")),
            (false, _) => {}
        }
    }
    assert!(too_new.is_empty(), "locked dependencies newer than rust-version {declared}: {too_new:?}");
    assert!(
        version(codegen::GENERATED_RUST_VERSION) <= version(&declared),
        "the workspace builds the generated crates, so it needs at least their rust-version"
    );
}

#[test]
fn each_generated_crate_declares_what_its_dependency_graph_needs() {
    let metadata = metadata();
    let packages: BTreeMap<&str, &Value> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| (package["id"].as_str().unwrap(), package))
        .collect();
    let dependencies: BTreeMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            let normal = node["deps"].as_array().unwrap().iter().filter(|dependency| {
                dependency["dep_kinds"].as_array().unwrap().iter().any(|kind| kind["kind"].is_null())
            });
            (node["id"].as_str().unwrap(), normal.map(|dependency| dependency["pkg"].as_str().unwrap()).collect())
        })
        .collect();
    let generated: Vec<&str> = packages
        .iter()
        .filter(|(_, package)| package["manifest_path"].as_str().unwrap().contains("generated"))
        .map(|(id, _)| *id)
        .collect();
    assert!(generated.len() >= 10, "the generated crates are found: {generated:?}");
    for crate_id in generated {
        let declared = packages[crate_id]["rust_version"].as_str().unwrap();
        let mut queue = vec![crate_id];
        let mut seen = BTreeSet::new();
        let mut needed = (Vec::new(), String::new());
        while let Some(id) = queue.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(version_needed) = packages[id]["rust_version"].as_str() {
                if version(version_needed) > needed.0 {
                    needed = (version(version_needed), packages[id]["name"].as_str().unwrap().to_owned());
                }
            }
            queue.extend(dependencies.get(id).into_iter().flatten());
        }
        assert!(
            version(declared) >= needed.0,
            "{crate_id} declares rust-version {declared}, but {} needs {:?}",
            needed.1,
            needed.0
        );
    }
}

#[test]
fn the_pinned_toolchain_is_no_older_than_the_rust_version() {
    let pinned: toml::Table =
        toml::from_str(&std::fs::read_to_string(workspace_root().join("rust-toolchain.toml")).unwrap()).unwrap();
    let channel = pinned["toolchain"]["channel"].as_str().unwrap();
    assert!(version(channel) >= version(&workspace_rust_version()), "{channel}");
    assert_eq!(channel.split('.').count(), 3, "a release, not `stable`: the trybuild snapshots are of one rustc");
}

#[test]
fn every_generated_crate_pins_the_runtime_crate_of_this_workspace() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().unwrap();
    let runtime = packages.iter().find(|package| package["name"] == codegen::RUNTIME_CRATE).expect("a member");
    assert_eq!(runtime["version"], codegen::RUNTIME_VERSION, "codegen::RUNTIME_VERSION names runtime/Cargo.toml's");
    let generated: Vec<&Value> =
        packages.iter().filter(|package| package["manifest_path"].as_str().unwrap().contains("generated")).collect();
    assert!(generated.len() >= 10, "the generated crates are found");
    for package in generated {
        let dependency = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|dependency| dependency["name"] == codegen::RUNTIME_CRATE)
            .unwrap_or_else(|| panic!("{} depends on the runtime", package["name"]));
        assert_eq!(dependency["req"], format!("={}", codegen::RUNTIME_VERSION), "{}", package["name"]);
        let path = Path::new(dependency["path"].as_str().expect("a path dependency in this repository"));
        assert_eq!(path.canonicalize().unwrap(), workspace_root().join("runtime").canonicalize().unwrap());
    }
}
