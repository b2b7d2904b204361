//! The README's route for the real registries of `tests/fixtures/corpus`, end to end, from a
//! folder that holds only the manifest `cargo xtask init` wrote:
//!
//! - `cargo xtask fetch` from a mirror on 127.0.0.1 that serves every file of the registry at
//!   its path under `base_uri` and at the id it declares, as the registry's web server would
//!   (GitHub's ids are relative, so its contracts are found by path, its shared documents by id);
//! - `cargo xtask fetch --from` the vendored folder, with no network.
//!
//! Both must write the vendored files byte for byte at their vendored paths, lock them, pass
//! the offline check, and give, through codegen, the committed corpus crate.

use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::Manifest;
use cope_events_tests::copy_folder;
use cope_events_tests::registry_server::{id_path, RegistryServer, Route};
use xtask::codegen_task::{self, Paths};
use xtask::fetch::{self, FetchOptions};
use xtask::lock::{Lock, LOCK_FILE};
use xtask::tree::{ensure_tree, Mode};

fn vendored(name: &str) -> PathBuf {
    codegen_task::project_root().join(codegen_task::FIXTURE_CORPUS).join(name)
}

fn manifest_of(folder: &Path) -> Manifest {
    Manifest::parse("contracts.toml", &std::fs::read_to_string(folder.join("contracts.toml")).unwrap()).unwrap()
}

/// A folder named like the registry, holding only its manifest (and the example payloads the
/// manifest names, which are the user's files, not the registry's).
fn manifest_only(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let folder = temp.path().join(name);
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(vendored(name).join("contracts.toml"), folder.join("contracts.toml")).unwrap();
    for named in manifest_of(&folder).contracts.iter().flat_map(|contract| contract.examples.clone()) {
        let from = vendored(name).join(&named);
        if from.is_dir() {
            copy_folder(&from, &folder.join(&named));
        } else {
            std::fs::create_dir_all(folder.join(&named).parent().unwrap()).unwrap();
            std::fs::copy(from, folder.join(&named)).unwrap();
        }
    }
    (temp, folder)
}

/// Serves every document of the vendored registry at its path under `base_uri` and at its id.
fn mirror(name: &str) -> RegistryServer {
    let folder = vendored(name);
    let manifest = manifest_of(&folder);
    let (base, documents) = (manifest.base_uri.clone().unwrap(), manifest.documents.clone().unwrap());
    let server = RegistryServer::start();
    for (file, id) in codegen_task::document_ids(&folder, &documents, &manifest).unwrap() {
        let bytes = std::fs::read(folder.join(&file)).unwrap();
        let below = file.strip_prefix(&format!("{documents}/")).unwrap();
        server.set(&id_path(&format!("{base}{below}")), Route::Document(bytes.clone()));
        server.set(&id_path(&id), Route::Document(bytes));
    }
    server
}

/// Fetches with `options` into a folder holding only the manifest, then holds the result to
/// the vendored registry and the committed crate.
fn check_route(name: &str, options: impl Fn(&Path) -> FetchOptions) {
    let (_temp, folder) = manifest_only(name);
    let report = fetch::run(&options(&folder)).unwrap_or_else(|error| panic!("{name}: {error}"));
    let manifest = manifest_of(&folder);
    assert!(report.documents > manifest.contracts.len(), "{name}: the contracts and the documents they reach");
    assert_eq!(report.written.len(), report.documents, "{name}: every document is new");
    for file in &report.written {
        let expected =
            std::fs::read(vendored(name).join(file)).unwrap_or_else(|_| panic!("{name}: {file} is vendored"));
        assert_eq!(std::fs::read(folder.join(file)).unwrap(), expected, "{name}: {file}");
    }
    let lock = Lock::read(&folder).unwrap().expect("a lockfile");
    assert_eq!(lock.documents.len(), report.documents);
    for contract in &manifest.contracts {
        let locked = lock.documents.iter().find(|locked| locked.file == contract.schema);
        let locked = locked.unwrap_or_else(|| panic!("{name}: {} is locked", contract.schema));
        assert_eq!(locked.id, manifest.document_id(&contract.schema_id), "{name}: locked under its resolved id");
    }
    assert!(folder.join(LOCK_FILE).is_file());
    assert_eq!(fetch::check(&folder.join("contracts.toml")).expect("offline check passes"), report.documents);

    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let committed = codegen_task::project_root().join("tests/fixtures/generated").join(format!("corpus-{name}"));
    let files = codegen_task::generated_files(&paths, &codegen_task::settings_of(&committed)).expect("generates");
    ensure_tree(&committed, &files, Mode::Check, codegen_task::FIX_COMMAND).expect("identical to the committed crate");
}

fn from_mirror(server: &RegistryServer) -> impl Fn(&Path) -> FetchOptions + '_ {
    |folder| FetchOptions {
        registry: Some(server.base_url()),
        timeout: Duration::from_secs(5),
        ..FetchOptions::new(folder.join("contracts.toml"))
    }
}

fn from_folder(name: &str) -> impl Fn(&Path) -> FetchOptions {
    let manifest = manifest_of(&vendored(name));
    let copy = vendored(name).join(manifest.documents.unwrap());
    move |folder| FetchOptions { from: Some(copy.clone()), ..FetchOptions::new(folder.join("contracts.toml")) }
}

#[test]
fn github_webhooks_fetch_from_a_loopback_mirror_and_generate() {
    let server = mirror("github-webhooks");
    check_route("github-webhooks", from_mirror(&server));
}

#[test]
fn github_webhooks_fetch_from_the_vendored_folder_and_generate() {
    check_route("github-webhooks", from_folder("github-webhooks"));
}

#[test]
fn cdevents_fetch_from_a_loopback_mirror_and_generate() {
    let server = mirror("cdevents");
    check_route("cdevents", from_mirror(&server));
}

#[test]
fn cdevents_fetch_from_the_vendored_folder_and_generate() {
    check_route("cdevents", from_folder("cdevents"));
}

#[test]
fn every_fault_of_a_local_copy_names_the_document_and_changes_nothing() {
    const LINKS: &str = "https://cdevents.dev/0.6.0-draft/schema/links/embeddedlinksarray";
    let name = "cdevents";
    let (_temp, folder) = manifest_only(name);
    // Faults meet a folder that already holds a fetched registry and its lock.
    fetch::run(&from_folder(name)(&folder)).expect("the vendored copy fetches");
    let before = super::fetch::snapshot(&folder);
    type Edit = fn(&Path);
    let cases: [(&str, Edit, &str); 4] = [
        (
            "a referenced document is missing",
            |copy| std::fs::remove_file(copy.join("links/embeddedlinksarray.json")).unwrap(),
            LINKS,
        ),
        (
            "a document declares another id",
            |copy| {
                let path = copy.join("links/embeddedlinksarray.json");
                let text =
                    std::fs::read_to_string(&path).unwrap().replace("links/embeddedlinksarray\"", "links/other\"");
                std::fs::write(path, text).unwrap();
            },
            "links/other",
        ),
        ("a contract is not JSON", |copy| std::fs::write(copy.join("buildqueued.json"), "{").unwrap(), "not JSON"),
        (
            "a contract is not a schema of its draft",
            |copy| std::fs::write(copy.join("buildqueued.json"), r#"{"type": 7}"#).unwrap(),
            "not a valid JSON Schema",
        ),
    ];
    for (what, edit, named) in cases {
        let source = tempfile::tempdir().unwrap();
        copy_folder(&vendored(name).join("schemas"), source.path());
        edit(source.path());
        let options = FetchOptions {
            from: Some(source.path().to_path_buf()),
            ..FetchOptions::new(folder.join("contracts.toml"))
        };
        let error = fetch::run(&options).expect_err(what).to_string();
        assert!(error.contains(named), "{what}: {error}");
        assert_eq!(super::fetch::snapshot(&folder), before, "{what}: the folder is as it was");
    }
}
