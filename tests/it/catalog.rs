//! The catalog of hostile and odd schemas (`tests/fixtures/catalog`, listed with what each must
//! give in `catalog.toml`): names, references, keywords, text, patterns, limits and JSON
//! problems. Each case either generates (and is then a contract of the `catalog` fixture
//! registry, whose crate is compiled here and linted with warnings denied by CI) or fails with
//! an error naming the file and, where there is one, the JSON pointer. None may panic.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use codegen::{generate, Manifest, Registry, Settings};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    about: String,
    #[serde(default)]
    generates: bool,
    pointer: Option<String>,
    message: Option<String>,
}

fn catalog_folder() -> PathBuf {
    xtask::codegen_task::project_root().join("tests/fixtures/catalog")
}

fn catalog() -> Vec<Case> {
    let text = std::fs::read_to_string(catalog_folder().join("catalog.toml")).expect("catalog.toml");
    let catalog: Catalog = toml::from_str(&text).expect("catalog.toml has the catalog's shape");
    catalog.case
}

/// Generates a one-contract registry from the case's file, as `catalog/<file>`.
fn generate_case(file: &str) -> Result<Vec<codegen::GeneratedFile>, codegen::Errors> {
    let manifest = format!(
        r#"[[contract]]
event_type = "catalog.case"
version = 1
schema_id = "https://catalog.fixture.test/case"
schema = "{file}"
source = "catalog"
subject_pattern = "case:<identifier>"
category = "Catalog"
[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "idempotency_key"
"#
    );
    let text = std::fs::read_to_string(catalog_folder().join(file)).expect("the case's file");
    let manifest = Manifest::parse("catalog/contracts.toml", &manifest)?;
    let registry = Registry::new(manifest, [(file.to_owned(), text)].into())?;
    generate(&registry, &Settings::default())
}

#[test]
fn every_catalog_case_generates_or_names_file_and_pointer_without_panicking() {
    let cases = catalog();
    assert!(cases.len() >= 40, "the catalog has {} cases", cases.len());
    let listed: BTreeSet<&str> = cases.iter().map(|case| case.file.as_str()).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(catalog_folder())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "catalog.toml")
        .collect();
    assert_eq!(on_disk.iter().map(String::as_str).collect::<BTreeSet<_>>(), listed, "every file is a listed case");

    let mut failures = Vec::new();
    for case in &cases {
        let outcome = catch_unwind(AssertUnwindSafe(|| generate_case(&case.file)));
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(_) => {
                failures.push(format!("{}: the generator panicked ({})", case.file, case.about));
                continue;
            }
        };
        match (case.generates, outcome) {
            (true, Ok(_)) => {}
            (true, Err(errors)) => {
                failures.push(format!("{}: expected to generate ({}), got:\n{errors}", case.file, case.about))
            }
            (false, Ok(_)) => {
                failures.push(format!("{}: expected an error ({}), but it generated", case.file, case.about))
            }
            (false, Err(errors)) => {
                let located = match &case.pointer {
                    Some(pointer) => format!("catalog/{}#{pointer}: ", case.file),
                    None => format!("catalog/{}", case.file),
                };
                let message = case.message.as_deref().expect("an error case names its message");
                let found = errors
                    .iter()
                    .map(ToString::to_string)
                    .any(|error| error.contains(&located) && error.contains(message));
                if !found {
                    failures.push(format!(
                        "{}: expected an error at `{located}` containing {message:?}, got:\n{errors}",
                        case.file
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn every_case_that_generates_is_compiled_in_the_catalog_crate() {
    let manifest_path = xtask::codegen_task::project_root().join("tests/fixtures/registries/catalog/contracts.toml");
    let manifest = Manifest::parse("catalog/contracts.toml", &std::fs::read_to_string(manifest_path).unwrap()).unwrap();
    let compiled: BTreeSet<String> = manifest
        .contracts
        .iter()
        .map(|contract| contract.schema.trim_start_matches("../../catalog/").to_owned())
        .collect();
    let generating: BTreeSet<String> =
        catalog().into_iter().filter(|case| case.generates).map(|case| case.file).collect();
    assert_eq!(compiled, generating);
}

/// An event of a catalog contract (`catalog.names_symbols`: subject `names-symbols:1`).
fn event(event_type: &str, data: Value) -> Vec<u8> {
    let case = event_type.trim_start_matches("catalog.").replace('_', "-");
    serde_json::to_vec(&json!({
        "specversion": "1.0", "id": "1", "source": "catalog", "type": event_type,
        "subject": format!("{case}:1"), "dataschema": format!("https://catalog.fixture.test/{case}"), "time": "2026-01-01T00:00:00Z", "datacontenttype": "application/json",
        "data": data,
    }))
    .unwrap()
}

#[test]
fn a_backtracking_pattern_is_matched_in_linear_time() {
    // `^(a+)+$` against 64 `a`s and a `!`: 2^64 paths for a backtracking engine (typify's
    // `regress`), one pass for `regex`. This test finishing is the measurement.
    let hostile = format!("{}!", "a".repeat(64));
    // On a thread, so that a return to backtracking fails this test instead of hanging it.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ =
            sender.send(cope_events_fixture_catalog::decode(&event("catalog.pattern_redos", json!({"a": hostile}))));
    });
    let rejected = receiver.recv_timeout(std::time::Duration::from_secs(60)).expect("decoding ends");
    assert!(
        matches!(&rejected, Err(cope_events_fixture_catalog::DecodeError::InvalidPayload { path, .. }) if path == "data.a"),
        "{rejected:?}"
    );
    let accepted = cope_events_fixture_catalog::decode(&event("catalog.pattern_redos", json!({"a": "a".repeat(64)})));
    assert!(accepted.is_ok(), "{accepted:?}");
}

#[test]
fn odd_member_names_round_trip_their_wire_names() {
    let cases = [
        (
            "catalog.names_symbols",
            json!({"$ref": "r", "@type": "t", "+1": "p", "-1": "m", "a b": "s", "a/b": "d", "a~b": "t", "#": "h", "%": "c", ".": "o"}),
        ),
        ("catalog.names_non_ascii", json!({"café": "c", "名前": "n", "\u{e4}": "a", "a\u{308}": 1, "emoji 🎉": "e"})),
        ("catalog.names_case_collisions", json!({"fooBar": "a", "foo_bar": 1, "FooBar": true, "foo-bar": "b"})),
        ("catalog.names_keywords", json!({"type": "1", "self": "2", "Self": "3", "fn": "4", "gen": "5", "r#raw": "6"})),
        ("catalog.names_empty", json!({"": "empty", "x": 1})),
        ("catalog.enum_odd_values", json!({"v": "+1"})),
    ];
    for (event_type, data) in cases {
        let bytes = event(event_type, data.clone());
        let decoded =
            cope_events_fixture_catalog::decode(&bytes).unwrap_or_else(|error| panic!("{event_type}: {error}"));
        let encoded: Value = serde_json::from_slice(&cope_events_fixture_catalog::encode(&decoded).unwrap()).unwrap();
        assert_eq!(encoded["data"], data, "{event_type}");
        // Every member was documented, so none is kept as undocumented.
        let debug = format!("{decoded:?}");
        assert!(debug.contains("additional_properties: {}"), "{event_type}: {debug}");
    }
}

#[test]
fn colliding_member_names_are_numbered_visibly_in_wire_name_order() {
    use cope_events_fixture_catalog::catalog_names_case_collisions::v1::CatalogNamesCaseCollisionsV1 as Collisions;
    let decoded: Collisions =
        serde_json::from_value(json!({"fooBar": "a", "foo_bar": 1, "FooBar": true, "foo-bar": "b"})).unwrap();
    // Sorted wire names: "FooBar" < "foo-bar" < "fooBar" < "foo_bar".
    assert_eq!(decoded.foo_bar, Some(true));
    assert_eq!(decoded.foo_bar_2.as_deref(), Some("b"));
    assert_eq!(decoded.foo_bar_3.as_deref(), Some("a"));
    assert_eq!(decoded.foo_bar_4, Some(1));
    let source = std::fs::read_to_string(
        xtask::codegen_task::project_root()
            .join("tests/fixtures/generated/catalog/src/catalog_names_case_collisions/v1.rs"),
    )
    .unwrap();
    assert!(
        source.contains("Wire name `foo_bar`; named `foo_bar_4` because another member's name also makes `foo_bar`.")
    );
}

#[test]
fn schema_text_cannot_become_a_doctest() {
    let crate_folder = xtask::codegen_task::project_root().join("tests/fixtures/generated/catalog");
    let cargo_toml = std::fs::read_to_string(crate_folder.join("Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("doctest = false"));
    let module = std::fs::read_to_string(crate_folder.join("src/catalog_text_code_fence/v1.rs")).unwrap();
    assert!(module.contains("std::process::exit(3)"), "the text is kept, as prose");
    assert!(!module.contains("```") && !module.contains("~~~"), "no code fence survives");
    assert!(!module.contains("///     std::process::exit(4)"), "no indented code block survives");
}

/// Decodes a catalog event and re-encodes it: the `data` that came back, or the decode error.
fn round_trip(event_type: &str, data: Value) -> Result<Value, cope_events_fixture_catalog::DecodeError> {
    let decoded = cope_events_fixture_catalog::decode(&event(event_type, data))?;
    let encoded: Value = serde_json::from_slice(&cope_events_fixture_catalog::encode(&decoded).unwrap()).unwrap();
    Ok(encoded["data"].clone())
}

#[test]
fn required_nullable_members_keep_null_apart_from_absent_in_all_three_spellings() {
    use cope_events_fixture_catalog::catalog_nullable_required_three_ways::v1::CatalogNullableRequiredThreeWaysV1 as Nullable;
    let all_null = json!({"a": null, "b": null, "c": null});
    assert_eq!(round_trip("catalog.nullable_required_three_ways", all_null.clone()).unwrap(), all_null);
    let values = json!({"a": "x", "b": "y", "c": 3});
    assert_eq!(round_trip("catalog.nullable_required_three_ways", values.clone()).unwrap(), values);
    let decoded: Nullable = serde_json::from_value(values).unwrap();
    assert_eq!((decoded.a.as_deref(), decoded.b.as_deref(), decoded.c), (Some("x"), Some("y"), Some(3)));
    for missing in ["a", "b", "c"] {
        let mut data = all_null.clone();
        data.as_object_mut().unwrap().remove(missing);
        let error = round_trip("catalog.nullable_required_three_ways", data).unwrap_err();
        assert!(error.to_string().contains(&format!("missing field `{missing}`")), "{error}");
    }
    let wrong = round_trip("catalog.nullable_required_three_ways", json!({"a": 1, "b": null, "c": null}));
    assert!(wrong.is_err(), "a number is neither a string nor null");
}

#[test]
fn all_of_narrows_a_shared_definition() {
    use cope_events_fixture_catalog::catalog_allof_narrows_ref::v1::{Base, CatalogAllofNarrowsRefV1 as Narrowed};
    let data = json!({"base": {"name": "n", "id": 1}, "plain": {"id": 2}});
    assert_eq!(round_trip("catalog.allof_narrows_ref", data.clone()).unwrap(), data);
    let decoded: Narrowed = serde_json::from_value(data).unwrap();
    let name: &String = &decoded.base.name; // required in the narrowed type...
    let plain: &Option<Base> = &decoded.plain; // ...optional in the definition it narrows
    assert_eq!((name.as_str(), plain.as_ref().and_then(|base| base.name.as_deref())), ("n", None));
    let unnarrowed = round_trip("catalog.allof_narrows_ref", json!({"base": {"id": 1}}));
    assert!(unnarrowed.is_err(), "`name` is required where the schema narrows `Base`");
}

#[test]
fn maps_keep_every_member_in_key_order() {
    use cope_events_fixture_catalog::catalog_map_additional_properties::v1::CatalogMapAdditionalPropertiesV1 as Counts;
    let text = r#"{"counts": {"z": 1, "a": 2, "m": 3}}"#;
    let decoded: Counts = serde_json::from_str(text).unwrap();
    let keys: Vec<&str> = decoded.counts.keys().map(String::as_str).collect();
    assert_eq!(keys, ["a", "m", "z"], "a BTreeMap: the same order, so the same bytes, on every run");
    assert_eq!(serde_json::to_string(&decoded).unwrap(), r#"{"counts":{"a":2,"m":3,"z":1}}"#);
    let wrong = round_trip("catalog.map_additional_properties", json!({"counts": {"a": "two"}}));
    assert!(wrong.is_err(), "every member must be an integer");
}

#[test]
fn a_tagged_one_of_decodes_each_branch_and_keeps_what_it_does_not_document() {
    use cope_events_fixture_catalog::catalog_union_tagged::v1::CatalogUnionTaggedV1Payment as Payment;
    let card = json!({"payment": {"method": "card", "last4": "4242", "note": "kept"}});
    assert_eq!(round_trip("catalog.union_tagged", card.clone()).unwrap(), card);
    let voucher = json!({"payment": {"method": "voucher", "code": "X1", "expires": "2026-12-31"}});
    assert_eq!(round_trip("catalog.union_tagged", voucher.clone()).unwrap(), voucher);
    let decoded: Payment = serde_json::from_value(card["payment"].clone()).unwrap();
    match decoded {
        Payment::Card(card) => assert_eq!(card.last4, "4242"),
        Payment::Voucher(_) => panic!("a card is not a voucher"),
    }
    let neither = round_trip("catalog.union_tagged", json!({"payment": {"method": "cash"}})).unwrap_err();
    assert!(neither.to_string().contains("matches no branch of the `oneOf` (Card, Voucher)"), "{neither}");
    let duplicated = br#"{"method": "card", "last4": "1", "last4": "2"}"#;
    assert!(
        serde_json::from_slice::<Payment>(duplicated).is_err(),
        "a member given twice is refused inside a union too"
    );
}

#[test]
fn one_of_refuses_a_value_that_matches_two_branches_and_any_of_takes_the_first() {
    let both = round_trip("catalog.union_overlapping", json!({"v": {"a": "x", "b": "y"}})).unwrap_err();
    assert!(both.to_string().contains("matches 2 branches of the `oneOf`"), "{both}");
    let first = json!({"contact": {"email": "e@x", "phone": "1"}});
    assert_eq!(round_trip("catalog.union_anyof", first.clone()).unwrap(), first);
    use cope_events_fixture_catalog::catalog_union_anyof::v1::CatalogUnionAnyofV1Contact as Contact;
    let contact: Contact = serde_json::from_value(first["contact"].clone()).unwrap();
    assert!(matches!(contact, Contact::Variant1(_)), "anyOf: the first branch that matches");
}

#[test]
fn union_definitions_and_referenced_branches_are_one_type_each() {
    use cope_events_fixture_catalog::catalog_union_definition::v1::{CatalogUnionDefinitionV1 as Shapes, Shape};
    use cope_events_fixture_catalog::catalog_union_refs::v1::{CatalogUnionRefsV1Place as Place, Online};
    let data = json!({"first": {"kind": "circle", "r": 1.5}, "all": [{"kind": "square", "side": 2.0}, {"kind": "circle", "r": 3.0}]});
    assert_eq!(round_trip("catalog.union_definition", data.clone()).unwrap(), data);
    let shapes: Shapes = serde_json::from_value(data).unwrap();
    let first: Option<Shape> = shapes.first;
    assert!(matches!(first, Some(Shape::Circle(_))));
    let place: Place = serde_json::from_value(json!({"url": "https://x"})).unwrap();
    let online: Online = match place {
        Place::Online(online) => *online,
        Place::Venue(_) => panic!("a url is online"),
    };
    assert_eq!(online.url, "https://x");
}

#[test]
fn nested_and_recursive_unions_decode() {
    let nested = json!({"v": {"b": "x"}});
    assert_eq!(round_trip("catalog.union_nested", nested.clone()).unwrap(), nested);
    let other = json!({"v": {"c": 1}});
    assert_eq!(round_trip("catalog.union_nested", other.clone()).unwrap(), other);

    // A tagged tree 40 levels deep: with the tag, each level tries one branch, so the work is
    // linear in the depth (trying both branches at every level would be 2^40 attempts).
    let mut tree = json!({"kind": "leaf", "value": 1});
    for _ in 0..40 {
        tree = json!({"children": [tree, {"kind": "leaf", "value": 2}], "kind": "group"});
    }
    let data = json!({"root": tree});
    assert_eq!(round_trip("catalog.union_recursive_tree", data.clone()).unwrap(), data);
}

#[test]
fn ecma_pattern_classes_keep_their_meaning() {
    let decode = |code: &str| round_trip("catalog.pattern_ecma_classes", json!({"code": code}));
    assert!(decode("a-b.c 12!").is_ok());
    assert!(decode("a-b.c\u{feff}12!").is_ok(), "U+FEFF is ECMA-262 white space");
    assert!(decode("a-b.c ١٢!").is_err(), "Arabic-Indic digits are not `\\d`");
    assert!(decode("a-b.c 12\r").is_err(), "`.` does not match a line terminator");
}

#[test]
fn pattern_properties_type_the_members_whose_names_match() {
    use cope_events_fixture_catalog::catalog_shapes_pattern_properties::v1::CatalogShapesPatternPropertiesV1 as Labelled;
    let data = json!({"labels": {"name": "n", "x-count": 3, "other": "text"}});
    assert_eq!(round_trip("catalog.shapes_pattern_properties", data.clone()).unwrap(), data);
    let decoded: Labelled = serde_json::from_value(data).unwrap();
    let labels = decoded.labels.unwrap();
    assert_eq!(labels.pattern_properties.get("x-count"), Some(&3));
    assert_eq!(labels.additional_properties.get("other").map(String::as_str), Some("text"));
    let wrong_pattern = round_trip("catalog.shapes_pattern_properties", json!({"labels": {"x-count": "three"}}));
    assert!(wrong_pattern.is_err(), "a member matching `^x-` must be an integer");
    let wrong_rest = round_trip("catalog.shapes_pattern_properties", json!({"labels": {"other": 3}}));
    assert!(wrong_rest.is_err(), "any other member must be a string (additionalProperties)");
}

#[test]
fn tuples_decode_by_position_and_keep_their_rest() {
    use cope_events_fixture_catalog::catalog_shapes_tuples::v1::CatalogShapesTuplesV1 as Tuples;
    let data = json!({"point": [1.5, 2], "row": ["a", 1, true, false]});
    assert_eq!(round_trip("catalog.shapes_tuples", data.clone()).unwrap(), data);
    let decoded: Tuples = serde_json::from_value(data).unwrap();
    let row = decoded.row.unwrap();
    assert_eq!((row.0.as_deref(), row.1, row.2.as_slice()), (Some("a"), Some(1), &[true, false][..]));
    let short = json!({"row": ["a"]});
    assert_eq!(
        round_trip("catalog.shapes_tuples", short.clone()).unwrap(),
        short,
        "positions may be absent at the end"
    );
    for refused in
        [json!({"point": [1]}), json!({"point": [1, 2, 3]}), json!({"row": [1]}), json!({"row": ["a", 1, "x"]})]
    {
        assert!(round_trip("catalog.shapes_tuples", refused.clone()).is_err(), "{refused}");
    }
}

#[test]
fn numeric_bounds_multiples_and_item_counts_are_checked_exactly() {
    use cope_events_fixture_catalog::catalog_checked_numbers::v1::{
        CatalogCheckedNumbersV1Seats as Seats, CatalogCheckedNumbersV1Step as Step,
    };
    let valid = json!({"seats": 500, "step": 3, "ratio": 0.5, "tags": ["a", "b"], "merged": 5, "listed": 0});
    assert_eq!(round_trip("catalog.checked_numbers", valid.clone()).unwrap(), valid);
    for (member, refused) in [
        ("seats", json!(0)),
        ("seats", json!(501)),
        ("step", json!(2)),
        ("step", json!(4)),
        ("ratio", json!(0)),
        ("ratio", json!(1.0)),
        ("tags", json!([])),
        ("tags", json!(["a", "b", "c"])),
        ("merged", json!(4)),
    ] {
        let error = round_trip("catalog.checked_numbers", json!({ member: refused })).expect_err("out of bounds");
        assert!(error.to_string().contains(&format!("data.{member}")), "{member} = {refused}: {error}");
    }
    // `listed` stands beside `enum`: its `minimum` is listed as not enforced, and 0 decodes.
    assert!(round_trip("catalog.checked_numbers", json!({"listed": 0})).is_ok());
    assert_eq!(Seats::new(1).map(Seats::get), Ok(1));
    assert!(Seats::new(0).is_err() && Seats::try_from(501).is_err());
    assert_eq!(Step::new(6).map(i64::from), Ok(6));
    assert_eq!(Step::new(7).unwrap_err(), "is not a multiple of 3");
    // Merged parts keep both checks: multiples of 2 and of 3 are multiples of 6; a string
    // must match both patterns.
    assert!(round_trip("catalog.checked_merged", json!({"both": 6, "code": "ABC"})).is_ok());
    for refused in [json!({"both": 4}), json!({"both": 9}), json!({"code": "ABCD"}), json!({"code": "AB1"})] {
        assert!(round_trip("catalog.checked_merged", refused.clone()).is_err(), "{refused}");
    }
    // Integers of a `number` compare exactly: 2^53 is below 2^53 + 1, which `f64` cannot say.
    assert!(round_trip("catalog.checked_merged", json!({"exact": 9007199254740992_u64})).is_ok());
    assert!(round_trip("catalog.checked_merged", json!({"exact": 9007199254740993_u64})).is_err());
}

#[test]
fn draft_04_exclusive_bounds_are_booleans_beside_their_bound() {
    let valid = json!({"above": 4, "merged": 5});
    assert_eq!(round_trip("catalog.draft_04", valid.clone()).unwrap(), valid);
    for (member, refused) in [("above", 3), ("merged", 4)] {
        assert!(round_trip("catalog.draft_04", json!({ member: refused })).is_err(), "{member} = {refused}");
    }
}

#[test]
fn a_one_of_told_apart_only_below_its_branches_takes_the_first_match() {
    // JSON Schema: only the first branch matches `{"x": {"a": 1}}` (the second's `x` allows no
    // `a`); the decoder does not check nested `additionalProperties: false`, so both would
    // match and refusing would accept less than the schema. The first match is taken, and the
    // module lists the `oneOf` as not enforced.
    let data = json!({"shape": {"x": {"a": 1}}});
    assert_eq!(round_trip("catalog.union_nested_closed", data.clone()).unwrap(), data);
    let module = std::fs::read_to_string(
        xtask::codegen_task::project_root()
            .join("tests/fixtures/generated/catalog/src/catalog_union_nested_closed/v1.rs"),
    )
    .unwrap();
    assert!(module.contains("`oneOf (only one branch may match)` at `/properties/shape/oneOf`"), "{module}");
}
