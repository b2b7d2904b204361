//! `cargo xtask fetch` against a real HTTP server on 127.0.0.1 (`registry_server`), mirroring
//! the `shared-definitions` fixture registry: two events that share definitions across files.
//! The happy path ends in the committed, compiled fixture crate; every fault must name the
//! document and leave the folder byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cope_events_tests::registry_server::{id_path, RegistryServer, Route};
use xtask::codegen_task::{self, Paths, TaskError};
use xtask::fetch::{self, Fault, FetchError, FetchOptions, Pinning, RetryPolicy};
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

/// Retries without waiting long: two attempts, a millisecond apart.
const QUICK_RETRY: RetryPolicy = RetryPolicy {
    attempts: 2,
    first_delay: Duration::from_millis(1),
    max_delay: Duration::from_millis(5),
    retry_after_cap: Duration::from_millis(5),
};

fn options(folder: &Path, server: &RegistryServer) -> FetchOptions {
    FetchOptions {
        registry: Some(server.base_url()),
        timeout: Duration::from_millis(1500),
        retry: QUICK_RETRY,
        ..FetchOptions::new(folder.join("contracts.toml"))
    }
}

fn updating(folder: &Path, server: &RegistryServer, ids: Option<&[&str]>) -> FetchOptions {
    let ids = ids.map(|ids| ids.iter().map(|id| (*id).to_owned()).collect());
    FetchOptions { pinning: Pinning::Update(ids), ..options(folder, server) }
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
    fetch::run(&options(&folder, server)).expect("the mirror serves a valid registry");
    (temp, folder)
}

#[test]
fn fetch_locks_every_document_and_codegen_makes_the_committed_crate() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = empty_registry();
    let report = fetch::run(&options(&folder, &server)).expect("fetches");
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
    assert_eq!(fetch::check(&folder.join("contracts.toml")).expect("offline check passes"), 5);

    // Generating from the fetched folder gives the committed crate, which `cargo test` compiles.
    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let committed_crate = codegen_task::project_root().join("tests/fixtures/generated").join(FIXTURE);
    let files = codegen_task::generated_files(&paths, &codegen_task::settings_of(&committed_crate)).expect("generates");
    ensure_tree(&committed_crate, &files, Mode::Check, codegen_task::FIX_COMMAND)
        .expect("identical to the committed crate");

    // A second fetch of an unchanged registry changes nothing.
    let again = fetch::run(&options(&folder, &server)).expect("fetches again");
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
fn a_republished_document_is_refused_until_update_names_it() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let before_lock = Lock::read(&folder).unwrap().unwrap();
    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let before_code = codegen_task::generated_files(&paths, &codegen::Settings::default()).unwrap();

    let money_file = folder.join(&before_lock.document(MONEY).unwrap().file);
    let original = std::fs::read_to_string(&money_file).unwrap();
    let changed = original.replace(
        r#""currency": { "type": "string", "enum": ["EUR", "GBP", "USD"] }"#,
        r#""currency": { "type": "string", "enum": ["EUR", "GBP", "USD"] },
    "display": { "type": "string" }"#,
    );
    // The same version, republished: one property more, only a newline more, or without `$id`.
    let without_id = original.replace(&format!(r#""$id": "{MONEY}","#), "");
    assert_ne!(without_id, original);
    for republished in [changed.clone(), format!("{original}\n"), without_id] {
        server.set(&id_path(MONEY), Route::Document(republished.clone().into_bytes()));
        let error = failing_fetch(&folder, options(&folder, &server));
        let message = error.to_string();
        let (id, fault) = fault_for(error);
        assert_eq!(id, MONEY);
        let served = xtask::lock::sha256_hex(republished.as_bytes());
        assert!(
            matches!(&fault, Fault::Republished { locked, served: got, .. } if *locked == before_lock.document(MONEY).unwrap().sha256 && *got == served),
            "{message}"
        );
        assert!(message.contains(&format!("cargo xtask fetch --update {MONEY}")), "the way out: {message}");
    }

    // `--update` naming another document does not take it; naming no document of the fetch
    // is an error of its own.
    server.set(&id_path(MONEY), Route::Document(changed.clone().into_bytes()));
    let (id, fault) = fault_for(failing_fetch(&folder, updating(&folder, &server, Some(&[VENUE]))));
    assert!(id == MONEY && matches!(fault, Fault::Republished { .. }), "{fault}");
    let unknown =
        failing_fetch(&folder, updating(&folder, &server, Some(&[MONEY, "https://registry.fixture.test/nothing"])));
    assert!(
        matches!(&unknown, FetchError::Setup(message) if message.contains("no document of this fetch")),
        "{unknown}"
    );

    let report = fetch::run(&updating(&folder, &server, Some(&[MONEY]))).expect("fetches the update");
    assert_eq!(report.written, [before_lock.document(MONEY).unwrap().file.clone()]);
    assert!(report.lock_changed);
    let [update] = report.updated.as_slice() else { panic!("one update: {:?}", report.updated) };
    assert_eq!(update.id, MONEY);
    assert_eq!(update.sha256.0, before_lock.document(MONEY).unwrap().sha256);
    assert!(
        update.diff.contains("+    \"display\": { \"type\": \"string\" }"),
        "the diff shows the change: {}",
        update.diff
    );
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
    // The fixture is generated in the crate-per-category layout: shared types have a crate.
    let money_path = "crates/shared/src/shared/shared_money_v1.rs";
    assert_eq!(changed_files, [money_path]);
    let money = &after_code.iter().find(|file| file.path == money_path).unwrap().contents;
    assert!(money.contains("pub display: ::std::option::Option<::std::string::String>"), "{money}");

    // Now pinned anew: the same bytes fetch again quietly.
    let again = fetch::run(&options(&folder, &server)).expect("the new pin holds");
    assert!(again.written.is_empty() && again.updated.is_empty() && !again.lock_changed, "{again:?}");
}

#[test]
fn locked_mode_compares_with_the_registry_and_writes_nothing() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let locked = FetchOptions { pinning: Pinning::Locked, ..options(&folder, &server) };
    let before = snapshot(&folder);
    let report = fetch::run(&locked).expect("an unchanged registry is as locked");
    assert_eq!(report.documents, 5);
    assert_eq!(snapshot(&folder), before);

    let money = std::fs::read_to_string(folder.join("registry.fixture.test/shared/money/v1.json")).unwrap();
    server.set(&id_path(MONEY), Route::Document(money.replace("Money", "Cash").into_bytes()));
    let error = failing_fetch(&folder, locked.clone());
    match &error {
        FetchError::NotAsLocked { differences, .. } => {
            assert!(matches!(differences.as_slice(), [fetch::Difference::Changed { id, .. }] if id == MONEY), "{error}")
        }
        other => panic!("expected the differences, got {other}"),
    }

    // A document no longer referenced, and one not locked yet, are differences too.
    server.set(&id_path(MONEY), Route::Document(money.into_bytes()));
    let manifest = folder.join("contracts.toml");
    let full = std::fs::read_to_string(&manifest).unwrap();
    let second_contract = full.find("[[contract]]\nevent_type = \"ticketing.order.placed\"").unwrap();
    std::fs::write(&manifest, &full[..second_contract]).unwrap();
    let error = failing_fetch(&folder, locked.clone());
    let message = error.to_string();
    let FetchError::NotAsLocked { differences, .. } = error else { panic!("{message}") };
    assert!(
        differences.contains(&fetch::Difference::Unreferenced { id: ORDER.to_owned() }),
        "the order contract is gone from the manifest: {message}"
    );
    let lock_text = std::fs::read_to_string(folder.join("schemas.lock")).unwrap();
    std::fs::write(&manifest, &full).unwrap();
    let without_order =
        lock_text.replacen(&format!("id = \"{ORDER}\""), "id = \"https://registry.fixture.test/unused\"", 1);
    std::fs::write(folder.join("schemas.lock"), without_order).unwrap();
    let error = failing_fetch(&folder, locked.clone());
    let message = error.to_string();
    let FetchError::NotAsLocked { differences, .. } = error else { panic!("{message}") };
    assert!(differences.contains(&fetch::Difference::Unlocked { id: ORDER.to_owned() }), "{message}");
    std::fs::write(folder.join("schemas.lock"), lock_text).unwrap();

    // Without a lockfile there is nothing to compare with.
    let (_empty_temp, empty) = empty_registry();
    let error = failing_fetch(&empty, FetchOptions { pinning: Pinning::Locked, ..options(&empty, &server) });
    assert!(matches!(&error, FetchError::Setup(message) if message.contains("nothing to compare with")), "{error}");
}

#[test]
fn an_entry_that_was_not_fetched_is_replaced_by_the_first_fetch_and_reported() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    // The money entry says it was reconstructed, not fetched (as the repository's first
    // contract is), and the registry serves something else.
    let lock_file = folder.join("schemas.lock");
    let text = std::fs::read_to_string(&lock_file).unwrap();
    let entry = text.find(&format!("id = \"{MONEY}\"")).unwrap();
    let end = entry + text[entry..].find("\n\n").unwrap_or(text.len() - entry);
    let noted = format!("{}\nnote = \"Reconstructed, not fetched.\"{}", &text[..end], &text[end..]);
    std::fs::write(&lock_file, noted).unwrap();
    let money = std::fs::read_to_string(folder.join("registry.fixture.test/shared/money/v1.json")).unwrap();
    server.set(&id_path(MONEY), Route::Document(money.replace("Money", "Cash").into_bytes()));

    // `--locked` reports it like any other difference...
    let error = failing_fetch(&folder, FetchOptions { pinning: Pinning::Locked, ..options(&folder, &server) });
    assert!(
        matches!(&error, FetchError::NotAsLocked { differences, .. } if matches!(differences.as_slice(), [fetch::Difference::Changed { id, .. }] if id == MONEY)),
        "{error}"
    );
    // ...and a plain fetch takes it, saying so with a diff.
    let report = fetch::run(&options(&folder, &server)).expect("the first fetch replaces a reconstruction");
    assert!(
        matches!(report.updated.as_slice(), [update] if update.id == MONEY && update.diff.contains("+  \"title\": \"Cash\"")),
        "{report:?}"
    );
    let lock = Lock::read(&folder).unwrap().unwrap();
    assert_eq!(lock.document(MONEY).unwrap().note, None, "now a pin like the others");
}

#[test]
fn the_draft_is_part_of_the_pin() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let lock = Lock::read(&folder).unwrap().unwrap();
    assert!(
        lock.documents.iter().all(|document| document.draft.as_deref() == Some(codegen::Draft::Draft2020_12.uri())),
        "every document is locked with its draft"
    );
    // The lock says the venue was read under draft-07: the same bytes now mean something else.
    let lock_file = folder.join("schemas.lock");
    let text = std::fs::read_to_string(&lock_file).unwrap();
    let venue_entry = text.find(&format!("id = \"{VENUE}\"")).unwrap();
    let draft_at = venue_entry + text[venue_entry..].find("draft = ").unwrap();
    let edited = format!(
        "{}{}",
        &text[..draft_at],
        text[draft_at..].replacen(codegen::Draft::Draft2020_12.uri(), codegen::Draft::Draft7.uri(), 1)
    );
    std::fs::write(&lock_file, edited).unwrap();

    let (id, fault) = fault_for(failing_fetch(&folder, options(&folder, &server)));
    assert!(
        id == VENUE && matches!(&fault, Fault::DraftChanged { locked, .. } if locked.contains("draft-07")),
        "{fault}"
    );
    let problems = fetch::check(&folder.join("contracts.toml")).expect_err("the offline check sees it");
    assert!(
        problems
            .iter()
            .any(|problem| matches!(problem, FetchError::Lock(error) if matches!(&**error, LockError::DraftChanged { id, .. } if id == VENUE))),
        "{problems:?}"
    );
    let paths = Paths { manifest: folder.join("contracts.toml"), out_dir: folder.join("out") };
    let error = codegen_task::run(&paths, &codegen::Settings::default(), Mode::Write).expect_err("codegen refuses");
    assert!(
        matches!(&error, TaskError::Lock(errors) if matches!(errors.as_slice(), [LockError::DraftChanged { .. }])),
        "{error}"
    );

    let report = fetch::run(&updating(&folder, &server, None)).expect("--update takes the draft anew");
    assert!(
        matches!(report.updated.as_slice(), [update] if update.id == VENUE && update.draft.is_some() && update.diff.is_empty())
    );
    fetch::check(&folder.join("contracts.toml")).expect("pinned anew");
}

#[test]
fn only_json_and_plain_text_are_accepted() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = empty_registry();
    let money = std::fs::read(fixture_folder().join("registry.fixture.test/shared/money/v1.json")).unwrap();
    for refused in ["text/html; charset=utf-8", "application/xml"] {
        server.set(&id_path(MONEY), Route::Typed(refused.to_owned(), money.clone()));
        let (id, fault) = fault_for(failing_fetch(&folder, options(&folder, &server)));
        assert!(
            id == MONEY && matches!(&fault, Fault::ContentType { content_type, .. } if content_type == refused),
            "{fault}"
        );
        assert_eq!(server.requests(&id_path(MONEY)), 1, "a wrong type is not retried");
    }
    for accepted in ["application/json", "application/schema+json; charset=utf-8", "text/plain; charset=utf-8"] {
        server.set(&id_path(MONEY), Route::Typed(accepted.to_owned(), money.clone()));
        fetch::run(&options(&folder, &server)).unwrap_or_else(|error| panic!("{accepted}: {error}"));
    }
}

#[test]
fn failures_that_may_pass_are_retried_and_the_message_counts_the_attempts() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = empty_registry();
    let money = std::fs::read(fixture_folder().join("registry.fixture.test/shared/money/v1.json")).unwrap();
    let patient =
        |attempts| FetchOptions { retry: RetryPolicy { attempts, ..QUICK_RETRY }, ..options(&folder, &server) };

    // A 503, then a reset connection, then a 429, then the document.
    server.set(
        &id_path(MONEY),
        Route::Sequence(vec![
            Route::Status(503),
            Route::Reset,
            Route::RetryAfter(429, "0".to_owned()),
            Route::Document(money.clone()),
        ]),
    );
    fetch::run(&patient(4)).expect("the fourth attempt succeeds");
    assert_eq!(server.requests(&id_path(MONEY)), 4);

    // Always 503: bounded, and the message says how often it was tried.
    server.set(&id_path(MONEY), Route::Status(503));
    let error = failing_fetch(&folder, patient(3));
    let message = error.to_string();
    let (_, fault) = fault_for(error);
    assert!(
        matches!(&fault, Fault::Retried { attempts: 3, last } if matches!(**last, Fault::Status { status: 503, .. })),
        "{message}"
    );
    assert!(message.contains("gave up after 3 attempts"), "{message}");
    assert_eq!(server.requests(&id_path(MONEY)), 3);

    // A 404 does not pass by waiting: one request.
    server.set(&id_path(MONEY), Route::Status(404));
    let (_, fault) = fault_for(failing_fetch(&folder, patient(3)));
    assert!(matches!(fault, Fault::Status { status: 404, .. }), "{fault}");
    assert_eq!(server.requests(&id_path(MONEY)), 1);

    // `Retry-After` is honoured (the back-off alone would wait a millisecond)...
    server.set(
        &id_path(MONEY),
        Route::Sequence(vec![Route::RetryAfter(503, "1".to_owned()), Route::Document(money.clone())]),
    );
    let honoured = FetchOptions {
        retry: RetryPolicy { retry_after_cap: Duration::from_secs(5), ..QUICK_RETRY },
        ..options(&folder, &server)
    };
    let started = std::time::Instant::now();
    fetch::run(&honoured).expect("the second attempt succeeds");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited as asked: {:?}", started.elapsed());
    // ...up to its cap: an hour is not waited (waiting it would end the fetch at its deadline).
    server
        .set(&id_path(MONEY), Route::Sequence(vec![Route::RetryAfter(503, "3600".to_owned()), Route::Document(money)]));
    let capped = FetchOptions { deadline: Duration::from_secs(20), ..options(&folder, &server) };
    fetch::run(&capped).expect("the cap, not the hour, is waited");

    // The deadline ends the retries, and the message still gives the fault that was retried.
    server.set(&id_path(MONEY), Route::RetryAfter(503, "3600".to_owned()));
    let short = FetchOptions {
        retry: RetryPolicy { attempts: 10, retry_after_cap: Duration::from_secs(3600), ..QUICK_RETRY },
        deadline: Duration::from_secs(2),
        ..options(&folder, &server)
    };
    let message = failing_fetch(&folder, short).to_string();
    assert!(message.contains("reached its deadline") && message.contains("HTTP status 503"), "{message}");
    assert_eq!(server.requests(&id_path(MONEY)), 1, "the wait ran into the deadline");
}

#[test]
fn a_ref_to_a_host_the_user_did_not_name_is_refused_before_any_connection() {
    let server = RegistryServer::mirroring(&fixture_folder());
    let (_temp, folder) = fetched_registry(&server);
    let money = std::fs::read_to_string(folder.join("registry.fixture.test/shared/money/v1.json")).unwrap();
    let pointing_to = |target: &str| {
        money
            .replace(
                r#""amount_minor": { "type": "integer" }"#,
                &format!(r#""amount_minor": {{ "$ref": "{target}" }}"#),
            )
            .into_bytes()
    };
    let cases = [
        ("https://schemas.elsewhere.example/units/v1", "schemas.elsewhere.example", "does not name it"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254", "a link-local address"),
        ("https://10.0.0.7/units/v1", "10.0.0.7", "a private address"),
        ("https://[::1]/units/v1", "[::1]", "a loopback address"),
    ];
    for (target, host, reason) in cases {
        server.set(&id_path(MONEY), Route::Document(pointing_to(target)));
        let error = failing_fetch(&folder, updating(&folder, &server, None));
        let message = error.to_string();
        match &error {
            FetchError::Document { via: Some(via), fault, .. } => {
                assert!(
                    matches!(&**fault, Fault::ForeignHost { host: got, reason: why } if got == host && why.contains(reason)),
                    "{message}"
                );
                assert_eq!(
                    via,
                    &format!("{MONEY}#/properties/amount_minor/$ref"),
                    "the document and pointer that asked"
                );
            }
            other => panic!("{target}: expected a refused host, got {other}"),
        }
        let asked = id_path(target);
        assert_eq!(server.requests(&asked), 0, "{target}: nothing was requested, not even of the mirror");
    }

    // A host the manifest allows is contacted (here through the mirror, which has no such
    // document).
    let manifest = folder.join("contracts.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("allowed_hosts = [\"schemas.elsewhere.example\"]\n{text}")).unwrap();
    server.set(&id_path(MONEY), Route::Document(pointing_to(cases[0].0)));
    let (_, fault) = fault_for(failing_fetch(&folder, updating(&folder, &server, None)));
    assert!(matches!(fault, Fault::Status { status: 404, .. }), "{fault}");
    assert_eq!(server.requests("/units/v1"), 1);
}

/// Runs a fetch that must fail, checks the folder did not change, and returns the error.
#[track_caller]
fn failing_fetch(folder: &Path, options: FetchOptions) -> FetchError {
    let before = snapshot(folder);
    let error = fetch::run(&options).expect_err("the fetch must fail");
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
        let error = failing_fetch(&folder, updating(&folder, &server, None));
        let message = error.to_string();
        let (id, fault) = fault_for(error);
        assert!(expect(&id, &fault), "{name}: unexpected {message}");
        assert!(message.starts_with(&id) && message.contains("registry.fixture.test"), "{name}: {message}");
        checked.push(name.to_owned());
        restore();
    };
    case("404", Route::Status(404), &|id, fault| id == MONEY && matches!(fault, Fault::Status { status: 404, .. }));
    case("500", Route::Status(500), &|id, fault| {
        id == MONEY && matches!(fault.last(), Fault::Status { status: 500, .. })
    });
    case("no answer", Route::Silent, &|id, fault| {
        id == MONEY && matches!(fault.last(), Fault::Transport { message, .. } if message.contains("timed out"))
    });
    case("truncated body", Route::Truncated(original_money.clone()), &|id, fault| {
        id == MONEY && matches!(fault.last(), Fault::Truncated { .. })
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
    let error = failing_fetch(&folder, updating(&folder, &server, None));
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
    fetch::run(&options(&folder, &server)).expect("a same-host redirect is followed");
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
    let error = fetch::run(&options).expect_err("http to another machine is refused");
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

    let problems = fetch::check(&folder.join("contracts.toml")).expect_err("the offline check fails");
    assert!(problems
        .iter()
        .any(|problem| matches!(problem, FetchError::Lock(error) if matches!(&**error, LockError::Mismatch { id, .. } if id == VENUE))));

    // A deleted locked file, too.
    std::fs::remove_file(&venue).unwrap();
    let problems = fetch::check(&folder.join("contracts.toml")).expect_err("the offline check fails");
    assert!(problems
        .iter()
        .any(|problem| matches!(problem, FetchError::Lock(error) if matches!(&**error, LockError::Missing { id, .. } if id == VENUE))));
}

#[test]
fn the_repository_schemas_check_offline() {
    let manifest = Paths::in_repository().manifest;
    assert_eq!(fetch::check(&manifest).expect("schemas/ matches schemas/schemas.lock"), 1);
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
    let error = failing_fetch(&folder, updating(&folder, &server, None));
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
    let report = fetch::run(&options(&folder, &server)).expect("fetches");
    assert_eq!(report.written, ["orders/placed-v1.schema.json"]);
    assert_eq!(report.removed, ["ticketing.order.placed/v1.schema.json"]);
    assert!(!folder.join("ticketing.order.placed/v1.schema.json").exists());
    assert_eq!(Lock::read(&folder).unwrap().unwrap().document(ORDER).unwrap().file, "orders/placed-v1.schema.json");
}
