//! The `crate-per-category` layout: which crate holds what, and the generated crates at work.
//! `shared-definitions` is generated in that layout (categories Ticketing and Orders, shared
//! types in their own crate), so its committed crates are compiled here and by every other
//! test that uses it through the umbrella's paths, which are the one-crate layout's.

use std::collections::BTreeSet;

use cope_events_fixture_shared_definitions as umbrella;
use cope_events_tests::synthetic;
use umbrella::categories::{orders, ticketing};
use umbrella::{DecodeError, Event};

/// An `ticketing.order.placed` v1 event of the fixture registry.
fn order_placed() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "specversion": "1.0",
        "id": "order-1",
        "source": "cope.ticketing",
        "type": "ticketing.order.placed",
        "subject": "order:1",
        "dataschema": "https://registry.fixture.test/events/ticketing.order.placed/v1",
        "datacontenttype": "application/json",
        "data": {
            "event_type": "ticketing.order.placed",
            "schema_version": "1.0",
            "order_id": "1",
            "venue": {"venue_id": "v", "name": "Main hall"},
            "total": {"amount_minor": 1200, "currency": "EUR"}
        }
    }))
    .unwrap()
}

#[test]
fn a_category_crate_decodes_its_events_and_skips_the_others() {
    let bytes = order_placed();
    // The Orders crate's `Event` has its category's one event type, and no other: this
    // pattern is irrefutable, and the match below needs no catch-all.
    let orders::Event::TicketingOrderPlaced(placed) = orders::decode(&bytes).expect("an Orders event");
    let version = match &placed {
        orders::TicketingOrderPlaced::V1(event) => event.data.total.amount_minor,
    };
    assert_eq!(version, 1200);
    match ticketing::decode(&bytes) {
        Err(DecodeError::UnknownEventType { event_type, .. }) => assert_eq!(event_type, "ticketing.order.placed"),
        other => panic!("the Ticketing crate should not know an Orders event: {other:?}"),
    }
}

#[test]
fn the_umbrella_decodes_every_category_into_one_event() {
    let bytes = order_placed();
    let event = umbrella::decode(&bytes).expect("decodes");
    let Event::TicketingOrderPlaced(placed) = &event else { panic!("{event:?}") };
    // The umbrella's types are the category crate's, re-exported at the one-crate paths.
    let from_category: &orders::TicketingOrderPlaced = placed;
    let payload: &umbrella::ticketing_order_placed::v1::TicketingOrderPlacedV1 = match from_category {
        orders::TicketingOrderPlaced::V1(event) => &event.data,
    };
    // Shared types are one type across the category crates and the umbrella.
    let venue: &umbrella::shared::shared_venue_v1::Venue = &payload.venue;
    let _: &ticketing::shared::shared_venue_v1::Venue = venue;
    assert_eq!(event.as_any().id(), "order-1");
    assert_eq!(umbrella::encode(&event).unwrap(), orders::encode(&orders::decode(&bytes).unwrap()).unwrap());
    // A category's event becomes the umbrella's by `From`, at each level.
    assert_eq!(Event::from(placed.clone()), event);
    let orders::TicketingOrderPlaced::V1(cloud_event) = placed.clone();
    assert_eq!(Event::from(cloud_event), event);
}

/// The crate folders of a generated file set and the event type modules in each.
fn crates_and_modules(files: &[codegen::GeneratedFile]) -> Vec<(String, BTreeSet<String>)> {
    let mut crates: Vec<(String, BTreeSet<String>)> = Vec::new();
    for file in files.iter().filter(|file| file.path.ends_with("Cargo.toml")) {
        let folder = file.path.trim_end_matches("Cargo.toml").to_owned();
        let modules = files
            .iter()
            .filter_map(|other| other.path.strip_prefix(&format!("{folder}src/"))?.strip_suffix("/mod.rs"))
            .map(str::to_owned)
            .collect();
        crates.push((folder, modules));
    }
    crates
}

#[test]
fn each_category_crate_holds_exactly_its_event_types() {
    let registry = synthetic::registry(30, 3).per_category().parse();
    let files = codegen::generate(&registry, &codegen::Settings::default()).expect("generates");
    let crates = crates_and_modules(&files);
    let folders: Vec<&str> = crates.iter().map(|(folder, _)| folder.as_str()).collect();
    assert_eq!(folders, ["", "crates/category0/", "crates/category1/", "crates/category2/"]);
    let (_, umbrella_modules) = &crates[0];
    assert!(umbrella_modules.is_empty(), "the umbrella re-exports, it holds no event type: {umbrella_modules:?}");
    for (category, (folder, modules)) in crates[1..].iter().enumerate() {
        let expected: BTreeSet<String> = (0..30)
            .filter(|&index| synthetic::category(index, 30, 3) == category)
            .map(|index| synthetic::event_type(index, category).replace('.', "_"))
            .collect();
        assert_eq!(modules, &expected, "{folder}");
        let manifest = files.iter().find(|file| file.path == format!("{folder}Cargo.toml")).unwrap();
        assert!(manifest.contents.contains(&format!("name = \"synthetic-events-category{category}\"")));
    }
    // The umbrella depends on every category crate by path, at the same version.
    let root = &files.iter().find(|file| file.path == "Cargo.toml").unwrap().contents;
    for category in 0..3 {
        let line = format!(
            "synthetic-events-category{category} = {{ version = \"=0.1.0\", path = \"crates/category{category}\" }}"
        );
        assert!(root.contains(&line), "{line} in\n{root}");
    }
    // The layout changes where code is, not what it is: the one-crate layout has the same
    // event type modules, byte for byte.
    let one_crate = codegen::generate(&synthetic::registry(30, 3).parse(), &codegen::Settings::default()).unwrap();
    for file in one_crate.iter().filter(|file| file.path.starts_with("src/category")) {
        let category = file.path["src/category".len()..].split('_').next().unwrap();
        let moved = files.iter().find(|other| other.path == format!("crates/category{category}/{}", file.path));
        assert_eq!(moved.map(|moved| &moved.contents), Some(&file.contents), "{}", file.path);
    }
}

#[test]
fn categories_whose_crates_would_collide_are_refused_with_the_contract_named() {
    let base = synthetic::registry(3, 3).per_category();
    let cope = |manifest: String| manifest.replace("\"synthetic-events\"", "\"cope-events\"");
    for (from, to, blamed, message) in [
        ("Category2", "category1", "contract[2].category", "gives the crate of category `Category1`"),
        ("Category1", "Shared", "contract[1].category", "the crate name of the shared types"),
        ("Category1", "Runtime", "contract[1].category", "`cope-events-runtime`, a dependency of generated crates"),
        ("Category0", "con", "contract[0].category", "a device name on Windows"),
        ("category0.thing0.happened", "categories", "contract[0].event_type", "the umbrella crate of this layout"),
    ] {
        let mut registry = base.clone();
        registry.manifest = cope(registry.manifest.replace(&format!("\"{from}\""), &format!("\"{to}\"")));
        let errors = codegen::generate(&registry.parse(), &codegen::Settings::default()).expect_err(to);
        let text = errors.to_string();
        assert!(text.contains(blamed) && text.contains(message), "{to}: {text}");
        assert!(text.contains("contracts.toml"), "{text}");
    }
}

#[test]
fn a_category_crate_tests_its_own_examples() {
    let mut registry = synthetic::registry(4, 2).per_category();
    let example = r#"{"event_type": "category1.thing2.happened", "schema_version": "1.0"}"#;
    let schema = registry.schemas.get_mut("category1.thing2.happened/v1.schema.json").expect("contract 2");
    *schema = schema.replacen('{', &format!("{{\n  \"examples\": [{example}],"), 1);
    let files = codegen::generate(&registry.parse(), &codegen::Settings::default()).expect("generates");
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).filter(|path| path.contains("tests/")).collect();
    assert_eq!(
        paths,
        ["crates/category1/tests/examples.rs", "crates/category1/tests/examples/category1_thing2_happened_v1_1.json"]
    );
    let tests = &files.iter().find(|file| file.path == paths[0]).unwrap().contents;
    assert!(tests.contains("synthetic_events_category1::decode"), "{tests}");
    assert!(tests.contains("synthetic_events_category1::category1_thing2_happened::EVENT_TYPE"), "{tests}");
}

#[test]
fn only_a_category_whose_payloads_name_shared_types_depends_on_their_crate() {
    let mut registry = synthetic::registry(2, 2).per_category();
    let money = "https://schemas.example.com/shared/money";
    let schema = registry.schemas.get_mut("category1.thing1.happened/v1.schema.json").expect("contract 1");
    *schema = schema.replacen(
        "\"properties\": {",
        &format!("\"properties\": {{\n    \"price\": {{\"$ref\": \"{money}\"}},"),
        1,
    );
    assert!(schema.contains(money), "the reference schema has root properties");
    let mut texts = registry.schemas.clone();
    texts.insert(
        "shared/money.json".to_owned(),
        format!(r#"{{"$id": "{money}", "type": "object", "properties": {{"amount": {{"type": "integer"}}}}}}"#),
    );
    let manifest = codegen::Manifest::parse("contracts.toml", &registry.manifest).unwrap();
    let ids = [(money.to_owned(), "shared/money.json".to_owned())].into();
    let parsed = codegen::Registry::with_documents(manifest, texts, ids).unwrap();
    let files = codegen::generate(&parsed, &codegen::Settings::default()).expect("generates");
    let text = |path: &str| &files.iter().find(|file| file.path == path).unwrap_or_else(|| panic!("{path}")).contents;
    assert!(text("crates/shared/src/lib.rs").contains("pub mod shared;"));
    let shared_dependency = "synthetic-events-shared = { version = \"=0.1.0\", path = \"../shared\" }";
    assert!(text("crates/category1/Cargo.toml").contains(shared_dependency));
    assert!(text("crates/category1/src/lib.rs").contains("pub use ::synthetic_events_shared::shared;"));
    assert!(!text("crates/category0/Cargo.toml").contains("synthetic-events-shared"));
    assert!(!text("crates/category0/src/lib.rs").contains("shared"));
    assert!(text("Cargo.toml").contains("synthetic-events-shared = { version = \"=0.1.0\", path = \"crates/shared\" }"));
}
