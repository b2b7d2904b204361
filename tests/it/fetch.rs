//! `cargo xtask fetch` against a real HTTP server on 127.0.0.1 (`registry_server`), mirroring
//! the `shared-definitions` fixture registry: two events that share definitions across files.
//! The happy path ends in the committed, compiled fixture crate; every fault must name the
//! document and leave the folder byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cope_events_tests::registry_server::{id_path, RegistryServer, Route};
use xtask::codegen_task::{self, Paths, TaskError};
use xtask::fetch_task::{self, Fault, FetchError, FetchOptions};
use xtask::lock::{Lock, LockError};
use xtask::tree::{ensure_tree, Mode};

const FIXTURE: &str = "shared-definitions";
const MONEY: &str = "https://registry.fixture.test/shared/money/v1";
const VENUE: &str = "https://registry.fixture.test/shared/venue/v1";
const ORDER: &str = "https://registry.fixture.test/events/ticketing.order.placed/v1";

fn fixture_folder() -> PathBuf {
    codegen_task::project_root().join("tests/fixtures/registries").join(FIXTURE)
}

/// A folder named like the fixture holding only its manifest, as a fresh consumer would start.
fn empty_registry() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let folder = temp.path().join(FIXTURE);
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(fixture_folder().join("contracts.toml"), folder.join("contracts.toml")).unwrap();
    (temp, folder)
}

fn options(folder: &Path, server: &RegistryServer) -> FetchOptions {
    FetchOptions {
        registry: Some(server.base_url()),
        timeout: Duration::from_millis(1500),
        ..FetchOptions::new(folder.join("contracts.toml"))
    }
}

/// Every file under `folder`, by relative path.
pub(crate) fn snapshot(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(folder).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn fetched_registry(server: &RegistryServer) -> (tempfile::TempDir, PathBuf) {
    let (temp, folder) = empty_registry();
    fetch_task::fetch(&options(&folder, server)).expect("the mirror serves a valid registry");
    (temp, folder)
}

#[test]
fn fetch_locks_every_document_and_codegen_makes_the_committed_crate() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = empty_registry();
    let report = fetch_task::fetch(&options(&folder, &server)).expect("fetches");
    assert_eq!(report.documents, 5, "two contracts and the three documents they reach");
    assert!(report.lock_changed);

    // The same bytes as the committed fixture, and the same lock but for where they came from.
    let committed = snapshot(&fixture_folder());
    let fetched = snapshot(&folder);
    assert_eq!(
        fetched.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "the files the fixture commits, no more"
    );
    for (file, bytes) in &committed {
        if file != "schemas.lock" {
            assert_eq!(&fetched[file], bytes, "{file}");
        }
    }
    let lock = Lock::read(&folder).unwrap().unwrap();
    let committed_lock = Lock::read(&fixture_folder()).unwrap().unwrap();
    assert_eq!(lock.documents.len(), committed_lock.documents.len());
    for (ours, theirs) in lock.documents.iter().zip(&committed_lock.documents) {
        assert_eq!((&ours.id, &ours.file, &ours.sha256), (&theirs.id, &theirs.file, &theirs.sha256));
        assert_eq!(ours.url, format!("{}{}", server.base_url(), id_path(&ours.id)), "the mirror URL is recorded");
    }
    assert_eq!(fetch_task::check(&folder.join("contracts.toml")).expect("offline check passes"), 5);

    // Generating from the fetched folder gives the committed crate, which `cargo test` compiles.
    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let settings = codegen::Settings::default().with_crate_name(format!("cope-events-fixture-{FIXTURE}"));
    let files = codegen_task::generated_files(&paths, &settings).expect("generates");
    let committed_crate = codegen_task::project_root().join("tests/fixtures/generated").join(FIXTURE);
    ensure_tree(&committed_crate, &files, Mode::Check, codegen_task::FIX_COMMAND)
        .expect("identical to the committed crate");

    // A second fetch of an unchanged registry changes nothing.
    let again = fetch_task::fetch(&options(&folder, &server)).expect("fetches again");
    assert!(again.written.is_empty() && !again.lock_changed, "{again:?}");
    assert_eq!(snapshot(&folder), fetched);
}

#[test]
fn shared_definitions_are_one_type_used_by_both_events() {
    use cope_events_fixture_shared_definitions::shared::shared_venue_v1::Venue;
    use cope_events_fixture_shared_definitions::{
        ticketing_event_rescheduled::v1, ticketing_order_placed::v1 as order,
    };
    // Both payloads' `venue` fields are the one shared type: this only compiles if they are.
    let same_type = |rescheduled: &v1::TicketingEventRescheduledV1,
                     placed: &order::TicketingOrderPlacedV1|
     -> [Venue; 2] { [rescheduled.venue.clone(), placed.venue.clone()] };
    let _ = same_type;
    // Two documents both define `$defs/Venue`; each is its own type in its own module.
    let other = cope_events_fixture_shared_definitions::shared::catalog_categories::Venue {
        label: "Main hall".to_owned(),
        additional_properties: Default::default(),
    };
    assert_eq!(other.label, "Main hall");
    // A recursive definition is boxed.
    let category = cope_events_fixture_shared_definitions::shared::catalog_categories::Category {
        name: "Music".to_owned(),
        parent: Some(Box::new(cope_events_fixture_shared_definitions::shared::catalog_categories::Category {
            name: "Arts".to_owned(),
            parent: None,
            children: None,
            additional_properties: Default::default(),
        })),
        children: None,
        additional_properties: Default::default(),
    };
    let json = serde_json::to_value(&category).unwrap();
    assert_eq!(json, serde_json::json!({"name": "Music", "parent": {"name": "Arts"}}));
}

#[test]
fn a_changed_document_changes_the_lock_and_the_generated_code() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let before_lock = Lock::read(&folder).unwrap().unwrap();
    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let before_code = codegen_task::generated_files(&paths, &codegen::Settings::default()).unwrap();

    let money_file = folder.join(&before_lock.document(MONEY).unwrap().file);
    let changed = std::fs::read_to_string(&money_file).unwrap().replace(
        r#""currency": { "type": "string", "enum": ["EUR", "GBP", "USD"] }"#,
        r#""currency": { "type": "string", "enum": ["EUR", "GBP", "USD"] },
    "display": { "type": "string" }"#,
    );
    server.set(&id_path(MONEY), Route::Document(changed.clone().into_bytes()));
    let report = fetch_task::fetch(&options(&folder, &server)).expect("fetches the update");
    assert_eq!(report.written, [before_lock.document(MONEY).unwrap().file.clone()]);
    assert!(report.lock_changed);
    let after_lock = Lock::read(&folder).unwrap().unwrap();
    for (before, after) in before_lock.documents.iter().zip(&after_lock.documents) {
        assert_eq!(
            before.sha256 == after.sha256,
            before.id != MONEY,
            "only the money document's hash moves: {}",
            before.id
        );
    }
    assert_eq!(std::fs::read_to_string(&money_file).unwrap(), changed);

    let after_code = codegen_task::generated_files(&paths, &codegen::Settings::default()).unwrap();
    let changed_files: Vec<&str> = before_code
        .iter()
        .zip(&after_code)
        .filter(|(before, after)| before.contents != after.contents)
        .map(|(before, _)| before.path.as_str())
        .collect();
    assert_eq!(changed_files, ["src/shared/shared_money_v1.rs"]);
    let money = &after_code.iter().find(|file| file.path == "src/shared/shared_money_v1.rs").unwrap().contents;
    assert!(money.contains("pub display: ::std::option::Option<::std::string::String>"), "{money}");
}

/// Runs a fetch that must fail, checks the folder did not change, and returns the error.
#[track_caller]
fn failing_fetch(folder: &Path, options: FetchOptions) -> FetchError {
    let before = snapshot(folder);
    let error = fetch_task::fetch(&options).expect_err("the fetch must fail");
    assert_eq!(snapshot(folder), before, "a failed fetch changes nothing: {error}");
    let message = error.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    error
}

/// The fault of a failed fetch, with the id it names.
#[track_caller]
fn fault_for(error: FetchError) -> (String, Fault) {
    match error {
        FetchError::Document { id, fault, .. } => (id, *fault),
        other => panic!("expected a document fault, got {other}"),
    }
}

#[test]
fn every_fault_names_the_document_and_changes_nothing() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let original_money = std::fs::read(folder.join("registry.fixture.test/shared/money/v1.json")).unwrap();
    let money_text = String::from_utf8(original_money.clone()).unwrap();
    let restore = || server.set(&id_path(MONEY), Route::Document(original_money.clone()));
    let mut checked = Vec::new();
    let mut case = |name: &str, route: Route, expect: &dyn Fn(&str, &Fault) -> bool| {
        server.set(&id_path(MONEY), route);
        let error = failing_fetch(&folder, options(&folder, &server));
        let message = error.to_string();
        let (id, fault) = fault_for(error);
        assert!(expect(&id, &fault), "{name}: unexpected {message}");
        assert!(message.starts_with(&id) && message.contains("registry.fixture.test"), "{name}: {message}");
        checked.push(name.to_owned());
        restore();
    };
    case("404", Route::Status(404), &|id, fault| id == MONEY && matches!(fault, Fault::Status { status: 404, .. }));
    case("500", Route::Status(500), &|id, fault| id == MONEY && matches!(fault, Fault::Status { status: 500, .. }));
    case("no answer", Route::Silent, &|id, fault| {
        id == MONEY && matches!(fault, Fault::Transport { message, .. } if message.contains("timed out"))
    });
    case("truncated body", Route::Truncated(original_money.clone()), &|id, fault| {
        id == MONEY && matches!(fault, Fault::Truncated { .. })
    });
    case("not JSON", Route::Document(b"<html>maintenance</html>".to_vec()), &|id, fault| {
        id == MONEY && matches!(fault, Fault::NotJson { .. })
    });
    case("not a schema", Route::Document(br#"{"type": 12}"#.to_vec()), &|id, fault| {
        id == MONEY && matches!(fault, Fault::NotSchema { pointer, .. } if pointer == "/type")
    });
    case(
        "oversize body",
        Route::Document(
            money_text
                .replace("\"title\"", &format!("\"$comment\": \"{}\", \"title\"", "x".repeat(5 << 20)))
                .into_bytes(),
        ),
        &|id, fault| id == MONEY && matches!(fault, Fault::TooLarge { .. }),
    );
    case(
        "oversize body without a Content-Length",
        Route::Unannounced(
            money_text
                .replace("\"title\"", &format!("\"$comment\": \"{}\", \"title\"", "x".repeat(5 << 20)))
                .into_bytes(),
        ),
        &|id, fault| id == MONEY && matches!(fault, Fault::TooLarge { .. }),
    );
    case(
        "$id differs from the URL",
        Route::Document(money_text.replace("/shared/money/v1\"", "/shared/money/v2\"").into_bytes()),
        &|id, fault| id == MONEY && matches!(fault, Fault::IdMismatch { found, .. } if found.contains("money/v2")),
    );
    let elsewhere = format!("http://localhost:{}{}", server.port(), id_path(MONEY));
    case("redirect to another host", Route::Redirect(elsewhere), &|id, fault| {
        id == MONEY && matches!(fault, Fault::OffHostRedirect { location, .. } if location.contains("localhost"))
    });
    case(
        "$ref to a document that does not exist",
        Route::Document(
            money_text
                .replace(
                    r#""amount_minor": { "type": "integer" }"#,
                    r#""amount_minor": { "$ref": "../units/v1#/$defs/Minor" }"#,
                )
                .into_bytes(),
        ),
        &|id, fault| {
            id == "https://registry.fixture.test/shared/units/v1" && matches!(fault, Fault::Status { status: 404, .. })
        },
    );
    assert_eq!(checked.len(), 11, "{checked:?}");
}

#[test]
fn a_cycle_across_files_is_refused() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let venue = std::fs::read_to_string(folder.join("registry.fixture.test/shared/venue/v1.json")).unwrap();
    let money = std::fs::read_to_string(folder.join("registry.fixture.test/shared/money/v1.json")).unwrap();
    // venue → money (a price on the venue) and money → venue (where it was paid).
    let venue = venue.replace(
        r#""name": { "type": "string" },"#,
        r#""name": { "type": "string" }, "fee": { "$ref": "../money/v1" },"#,
    );
    let money = money.replace(
        r#""amount_minor": { "type": "integer" },"#,
        r#""amount_minor": { "type": "integer" }, "paid_at": { "$ref": "../venue/v1#/$defs/Venue" },"#,
    );
    server.set(&id_path(VENUE), Route::Document(venue.into_bytes()));
    server.set(&id_path(MONEY), Route::Document(money.into_bytes()));
    let error = failing_fetch(&folder, options(&folder, &server));
    let message = error.to_string();
    let (_, fault) = fault_for(error);
    assert!(
        matches!(&fault, Fault::Cycle { route } if route.contains("money/v1") && route.contains("venue/v1")),
        "{message}"
    );
}

#[test]
fn a_contract_that_is_not_the_declared_event_is_refused() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let order = std::fs::read_to_string(folder.join("ticketing.order.placed/v1.schema.json")).unwrap();
    server.set(&id_path(ORDER), Route::Document(order.replace(r#""const": "1.0""#, r#""const": "2.0""#).into_bytes()));
    let (id, fault) = fault_for(failing_fetch(&folder, options(&folder, &server)));
    assert_eq!(id, ORDER);
    assert!(matches!(&fault, Fault::ContractMismatch { member, .. } if member == "schema_version"), "{fault}");
}

#[test]
fn redirects_within_the_host_are_followed() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = empty_registry();
    let money = std::fs::read(fixture_folder().join("registry.fixture.test/shared/money/v1.json")).unwrap();
    server.set("/moved/money", Route::Document(money));
    server.set(&id_path(MONEY), Route::Redirect("/moved/money".to_owned()));
    fetch_task::fetch(&options(&folder, &server)).expect("a same-host redirect is followed");
    let lock = Lock::read(&folder).unwrap().unwrap();
    assert_eq!(
        lock.document(MONEY).unwrap().url,
        format!("{}/moved/money", server.base_url()),
        "the final URL is recorded"
    );
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let (_temp, folder) = empty_registry();
    let before = snapshot(&folder);
    let options = FetchOptions {
        registry: Some("http://mirror.example.com".to_owned()),
        ..FetchOptions::new(folder.join("contracts.toml"))
    };
    let error = fetch_task::fetch(&options).expect_err("http to another machine is refused");
    assert!(matches!(error, FetchError::Setup(ref message) if message.contains("https is required")), "{error}");
    assert_eq!(snapshot(&folder), before);
}

#[test]
fn a_hand_edit_fails_codegen_and_the_offline_check() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    drop(server);
    let venue = folder.join("registry.fixture.test/shared/venue/v1.json");
    let edited = std::fs::read_to_string(&venue).unwrap().replace("Where an event takes place.", "Where it happens.");
    std::fs::write(&venue, edited).unwrap();

    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let error = codegen_task::run(&paths, &codegen::Settings::default(), Mode::Write).expect_err("codegen refuses");
    match &error {
        TaskError::Lock(errors) => {
            assert!(
                matches!(errors.as_slice(), [LockError::Mismatch { file, id, .. }] if file.ends_with("registry.fixture.test/shared/venue/v1.json") && id == VENUE),
                "{error}"
            );
        }
        other => panic!("expected a lock mismatch, got {other}"),
    }
    assert!(!folder.join("out").exists(), "nothing was written");

    let problems = fetch_task::check(&folder.join("contracts.toml")).expect_err("the offline check fails");
    assert!(problems
        .iter()
        .any(|problem| matches!(problem, FetchError::Lock(LockError::Mismatch { id, .. }) if id == VENUE)));

    // A deleted locked file, too.
    std::fs::remove_file(&venue).unwrap();
    let problems = fetch_task::check(&folder.join("contracts.toml")).expect_err("the offline check fails");
    assert!(problems
        .iter()
        .any(|problem| matches!(problem, FetchError::Lock(LockError::Missing { id, .. }) if id == VENUE)));
}

#[test]
fn the_repository_schemas_check_offline() {
    let manifest = Paths::in_repository().manifest;
    assert_eq!(fetch_task::check(&manifest).expect("schemas/ matches schemas/schemas.lock"), 1);
}

#[test]
fn a_failure_while_writing_undoes_what_was_written() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    // The categories document changes (so it is written first), and a file stands where the
    // money document's folder must be (so writing it fails).
    let categories = std::fs::read_to_string(folder.join("registry.fixture.test/catalog/categories.json")).unwrap();
    server.set(
        "/catalog/categories",
        Route::Document(categories.replace("A category and its subcategories", "A category").into_bytes()),
    );
    let money_folder = folder.join("registry.fixture.test/shared/money");
    std::fs::remove_dir_all(&money_folder).unwrap();
    std::fs::write(&money_folder, "in the way\n").unwrap();
    let error = failing_fetch(&folder, options(&folder, &server));
    assert!(matches!(error, FetchError::Write { .. }), "{error}");
}

#[test]
fn a_contract_schema_that_moves_leaves_no_old_file_behind() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let manifest = folder.join("contracts.toml");
    let moved = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("ticketing.order.placed/v1.schema.json", "orders/placed-v1.schema.json");
    std::fs::write(&manifest, moved).unwrap();
    let report = fetch_task::fetch(&options(&folder, &server)).expect("fetches");
    assert_eq!(report.written, ["orders/placed-v1.schema.json"]);
    assert_eq!(report.removed, ["ticketing.order.placed/v1.schema.json"]);
    assert!(!folder.join("ticketing.order.placed/v1.schema.json").exists());
    assert_eq!(Lock::read(&folder).unwrap().unwrap().document(ORDER).unwrap().file, "orders/placed-v1.schema.json");
}
