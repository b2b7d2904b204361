//! Bad input to the generator: every problem is a typed error naming the file and the JSON
//! pointer (or manifest key), all problems at once, never a panic, never a half-written crate.

use std::collections::BTreeMap;

use codegen::{generate, Error, Errors, Manifest, Registry, Settings};
use serde_json::{json, Value};

const SCHEMA_FILE: &str = "schemas/t/v1.schema.json";

fn manifest(event_type: &str) -> String {
    format!(
        r#"[[contract]]
event_type = "{event_type}"
version = 1
schema_id = "https://example.com/t/v1"
schema = "t/v1.schema.json"
source = "example"
subject_pattern = "thing:<identifier>"
category = "Test"
[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "idempotency_key"
"#
    )
}

fn generate_from(event_type: &str, schema_text: Option<String>) -> Result<Vec<codegen::GeneratedFile>, Errors> {
    let manifest = Manifest::parse("schemas/contracts.toml", &manifest(event_type))?;
    let schemas: BTreeMap<String, String> =
        schema_text.map(|text| ("t/v1.schema.json".to_owned(), text)).into_iter().collect();
    generate(&Registry::new(manifest, schemas)?, &Settings::default())
}

fn payload_schema(properties: Value) -> Value {
    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": properties})
}

/// The errors for `schema`, as (pointer, message) pairs.
#[track_caller]
fn schema_errors(schema: Value) -> Vec<(String, String)> {
    let errors = generate_from("thing.happened", Some(schema.to_string())).expect_err("the schema must be refused");
    errors
        .iter()
        .map(|error| match error {
            Error::Schema { file, pointer, message } => {
                assert_eq!(file, SCHEMA_FILE);
                (pointer.clone(), message.clone())
            }
            other => panic!("expected a schema error, got {other:?}"),
        })
        .collect()
}

#[track_caller]
fn check_schema(schema: Value, pointer: &str, message_part: &str) {
    let errors = schema_errors(schema);
    assert!(
        errors.iter().any(|(at, message)| at == pointer && message.contains(message_part)),
        "no error at {pointer} mentioning {message_part:?}: {errors:?}"
    );
}

#[test]
fn a_valid_schema_generates() {
    let files = generate_from("thing.happened", Some(payload_schema(json!({"a": {"type": "string"}})).to_string()))
        .expect("generates");
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Cargo.toml", "src/event.rs", "src/lib.rs", "src/thing_happened/mod.rs", "src/thing_happened/v1.rs"]
    );
    assert!(files.iter().all(|file| file.contents.contains("do not edit by hand")));
}

#[test]
fn event_types_with_digits_and_version_segments_generate() {
    // One per shape real registries use: a version segment, a letter and digits, a zero-led
    // group, a semantic version, camel case after a version, snake case.
    for (event_type, module, variant) in [
        ("shop.order.v1", "shop_order_v1", "ShopOrderV1"),
        ("shop.a1", "shop_a1", "ShopA1"),
        ("hostile.g01", "hostile_g01", "HostileG01"),
        ("dev.cdevents.build.finished.0.2.0", "dev_cdevents_build_finished_0_2_0", "DevCdeventsBuildFinished0_2_0"),
        (
            "google.cloud.storage.object.v1.metadataUpdated",
            "google_cloud_storage_object_v1_metadata_updated",
            "GoogleCloudStorageObjectV1MetadataUpdated",
        ),
        ("com.github.pull_request.opened", "com_github_pull_request_opened", "ComGithubPullRequestOpened"),
    ] {
        let schema = payload_schema(json!({"a": {"type": "string"}})).to_string();
        let files = generate_from(event_type, Some(schema)).unwrap_or_else(|errors| panic!("{event_type}: {errors}"));
        let path = format!("src/{module}/v1.rs");
        let version = files.iter().find(|file| file.path == path).unwrap_or_else(|| panic!("{event_type}: {path}"));
        let parsed: syn::File =
            syn::parse_str(&version.contents).unwrap_or_else(|error| panic!("{event_type}: {error}"));
        assert!(!parsed.items.is_empty());
        let event = files.iter().find(|file| file.path == "src/event.rs").unwrap();
        assert!(event.contents.contains(&format!("{variant}(")), "{event_type}: the Event variant is {variant}");
    }
}

#[test]
fn unsupported_schemas_name_file_and_pointer() {
    check_schema(
        payload_schema(json!({"venue": {"$ref": "https://schemas.cope.com/shared/venue"}})),
        "/properties/venue/$ref",
        "not in the registry: run `cargo xtask fetch`",
    );
    check_schema(payload_schema(json!({"a": {"$ref": "#/$defs/Missing"}})), "/properties/a/$ref", "does not resolve");
    check_schema(payload_schema(json!({"a": {"$ref": "#nowhere"}})), "/properties/a/$ref", "no `$anchor` `nowhere`");
    check_schema(payload_schema(json!({"a": {"$dynamicRef": "#node"}})), "/properties/a/$dynamicRef", "no static type");
    check_schema(payload_schema(json!({"a/b": {"type": []}})), "/properties/a~1b/type", "not a valid JSON Schema");
    check_schema(payload_schema(json!({"a": false})), "/properties/a", "the `false` schema");
    check_schema(
        payload_schema(json!({"a": {"allOf": [{"type": "string"}, {"type": "integer"}]}})),
        "/properties/a/allOf",
        "no type in common",
    );
    check_schema(
        json!({"$schema": "http://json-schema.org/draft-03/schema#", "type": "object"}),
        "/$schema",
        "not a supported draft",
    );
    check_schema(json!({"$id": "https://example.com/other", "type": "object"}), "/$id", "differs from the manifest");
}

#[test]
fn shapes_that_were_refused_before_generate() {
    // Annotations, validation-only keywords, mixed enums, null in every spelling, non-object
    // roots and older drafts all generate now; unknown keywords are warnings.
    let schemas = [
        payload_schema(json!({"a": {"type": "string", "default": "x"}})),
        payload_schema(json!({"a": {"if": {"type": "string"}, "then": {"minLength": 1}}})),
        payload_schema(json!({"a": {"prefixItems": [{"type": "string"}]}})),
        payload_schema(json!({"flag": {"const": true}, "n": {"enum": [1, "one", null]}})),
        payload_schema(
            json!({"note": {"type": ["string", "null"]}, "other": {"anyOf": [{"type": "string"}, {"type": "null"}]}}),
        ),
        json!({"type": "array", "items": {"type": "string"}}),
        json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}),
    ];
    for schema in schemas {
        generate_from("thing.happened", Some(schema.to_string())).unwrap_or_else(|errors| panic!("{schema}: {errors}"));
    }
}

#[test]
fn unknown_keywords_are_warnings_or_errors_as_the_manifest_says() {
    let schema = payload_schema(json!({"a": {"type": "string", "x-vendor": 1}})).to_string();
    let registry = |extra: &str| {
        let manifest =
            Manifest::parse("schemas/contracts.toml", &format!("{extra}{}", manifest("thing.happened"))).unwrap();
        Registry::new(manifest, BTreeMap::from([("t/v1.schema.json".to_owned(), schema.clone())])).unwrap()
    };
    let generated = codegen::generate_with_progress(&registry(""), &Settings::default(), &|_| {}).expect("generates");
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["schemas/t/v1.schema.json#/properties/a/x-vendor: unknown keyword `x-vendor` is read as an annotation"]
    );
    let errors = generate(&registry("unknown_keywords = \"error\"\n"), &Settings::default()).unwrap_err();
    assert!(errors.to_string().contains("#/properties/a/x-vendor: unknown keyword `x-vendor`"), "{errors}");
}

#[test]
fn limits_are_named_with_their_value() {
    let mut deep = json!({"type": "string"});
    for _ in 0..40 {
        deep = json!({"type": "object", "properties": {"a": deep}});
    }
    let errors = schema_errors(payload_schema(json!({"deep": deep})));
    assert!(errors.iter().any(|(_, message)| message.contains("limit of 32")), "{errors:?}");
    let many: Vec<String> = (0..1025).map(|index| format!("v{index}")).collect();
    check_schema(payload_schema(json!({"e": {"type": "string", "enum": many}})), "/properties/e/enum", "limit of 1024");
    let long = "n".repeat(257);
    check_schema(
        payload_schema(json!({ long.clone(): {"type": "string"} })),
        &format!("/properties/{long}"),
        "limit of 256",
    );
}

#[test]
fn names_that_collide_in_rust_are_errors_naming_both() {
    let schema = payload_schema(json!({"fooBar": {"type": "string"}, "foo_bar": {"type": "integer"}}));
    let errors = generate_from("thing.happened", Some(schema.to_string()));
    match errors {
        Ok(files) => {
            // typify may disambiguate them itself; then both members must be there.
            let v1 = files.iter().find(|file| file.path.ends_with("v1.rs")).unwrap();
            assert!(v1.contents.contains("\"fooBar\"") && v1.contents.contains("\"foo_bar\""));
        }
        Err(errors) => assert!(
            errors.iter().any(|error| matches!(error, Error::GeneratedShape { message, .. }
                if message.contains("fooBar") && message.contains("foo_bar"))),
            "{errors}"
        ),
    }
}

#[test]
fn a_reference_cycle_through_any_of_ends() {
    let schema = json!({
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/Tree"}},
        "$defs": {"Tree": {"anyOf": [{"$ref": "#/$defs/Tree"}, {"type": "string"}]}},
    });
    // A union that is its own branch would decode forever: an error, not a stack overflow.
    let errors = generate_from("thing.happened", Some(schema.to_string())).unwrap_err();
    assert!(
        errors.to_string().contains("schemas/t/v1.schema.json#/$defs/Tree/anyOf/0: a union whose branches lead back"),
        "{errors}"
    );
}

#[test]
fn unions_become_enums_with_a_boxed_variant_per_branch() {
    let schema = payload_schema(json!({"shape": {"oneOf": [
        {"type": "object", "properties": {"radius": {"type": "number"}}, "required": ["radius"]},
        {"type": "object", "properties": {"side": {"type": "number"}}, "required": ["side"]}
    ]}}));
    let files = generate_from("thing.happened", Some(schema.to_string())).expect("a union of objects generates");
    let v1 = &files.iter().find(|file| file.path == "src/thing_happened/v1.rs").unwrap().contents;
    assert!(v1.contains("pub enum ThingHappenedV1Shape {"), "{v1}");
    assert!(v1.contains("Variant1(::std::boxed::Box<ThingHappenedV1ShapeVariant1>)"), "{v1}");
    assert!(v1.contains("pub radius: ::serde_json::Number"), "{v1}");
}

#[test]
fn two_versions_with_one_schema_version_are_refused() {
    let mut manifest_text = manifest("thing.happened");
    manifest_text.push_str(&manifest("thing.happened").replace("version = 1", "version = 2").replace("/v1", "/v2"));
    let manifest = Manifest::parse("schemas/contracts.toml", &manifest_text).unwrap();
    let schema =
        |id: &str| json!({"$id": id, "type": "object", "properties": {"schema_version": {"const": "1.0"}}}).to_string();
    let schemas = BTreeMap::from([
        ("t/v1.schema.json".to_owned(), schema("https://example.com/t/v1")),
        ("t/v2.schema.json".to_owned(), schema("https://example.com/t/v2")),
    ]);
    let errors = generate(&Registry::new(manifest, schemas).unwrap(), &Settings::default()).unwrap_err();
    assert!(errors.to_string().contains("v1 and v2 both declare schema_version `1.0`"), "{errors}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let errors = schema_errors(payload_schema(
        json!({"a": {"pattern": "(?<=x)y"}, "b": {"$recursiveRef": "#"}, "c": {"$ref": "x.json"}}),
    ));
    let pointers: Vec<&str> = errors.iter().map(|(pointer, _)| pointer.as_str()).collect();
    assert_eq!(pointers, ["/properties/a/pattern", "/properties/c/$ref"]);
}

#[test]
fn invalid_json_names_the_file() {
    match generate_from("thing.happened", Some("{\"type\": ".to_owned())).unwrap_err().0.as_slice() {
        [Error::SchemaSyntax { file, message }] => {
            assert_eq!(file, SCHEMA_FILE);
            assert!(message.contains("line 1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_schema_file_is_named() {
    let errors = generate_from("thing.happened", None).unwrap_err();
    assert_eq!(errors.0, [Error::MissingSchema { file: SCHEMA_FILE.to_owned() }]);
}

#[test]
fn manifest_names_cannot_escape_or_break_the_crate() {
    for event_type in [
        "../../etc/passwd",
        "thing..happened",
        "",
        "thing/happened",
        "type",
        "runtime",
        "1thing",
        "th ing",
        "caf\u{e9}.x",
    ] {
        let schema = payload_schema(json!({})).to_string();
        let errors = generate_from(event_type, Some(schema)).expect_err(event_type);
        assert!(
            errors
                .iter()
                .any(|error| matches!(error, Error::ManifestValue { key, .. } if key == "contract[0].event_type")),
            "{event_type}: {errors}"
        );
    }
}

#[test]
fn manifest_syntax_errors_name_the_file_and_line() {
    let error = Manifest::parse("schemas/contracts.toml", "[[contract]]\nevent_type = \n").unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("error: schemas/contracts.toml: "), "{message}");
    assert!(message.contains("line 2"), "{message}");
    let unknown_key = Manifest::parse("m.toml", "[[contract]]\nevnt_type = \"x\"\n").unwrap_err().to_string();
    assert!(unknown_key.contains("evnt_type"), "{unknown_key}");
}

/// A registry on disk with one contract whose payload schema is `schema`: the temporary folder
/// and the manifest's path.
fn registry_on_disk(schema: Value) -> (tempfile::TempDir, std::path::PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let schemas = work.path().join("schemas");
    std::fs::create_dir_all(schemas.join("t")).unwrap();
    std::fs::write(schemas.join("contracts.toml"), manifest("thing.happened")).unwrap();
    std::fs::write(schemas.join("t/v1.schema.json"), schema.to_string()).unwrap();
    (work, schemas.join("contracts.toml"))
}

#[test]
fn codegen_refuses_to_replace_a_folder_it_did_not_generate() {
    let (work, manifest_path) = registry_on_disk(payload_schema(json!({})));
    let schemas = work.path().join("schemas");
    std::fs::write(work.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    let paths = xtask::codegen_task::Paths { manifest: manifest_path, out_dir: work.path().to_path_buf() };
    let error = xtask::codegen_task::run(&paths, &Settings::default(), xtask::tree::Mode::Write).unwrap_err();
    assert!(error.to_string().contains("refusing to replace"), "{error}");
    assert!(schemas.join("t/v1.schema.json").is_file(), "nothing was removed");
    assert_eq!(std::fs::read_to_string(work.path().join("Cargo.toml")).unwrap(), "[workspace]\n");
}

#[test]
fn a_failed_codegen_writes_nothing() {
    let (work, manifest_path) = registry_on_disk(payload_schema(json!({"a": {"$ref": "other.json"}})));
    let out_dir = work.path().join("generated");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("keep.txt"), "previous output").unwrap();
    let paths = xtask::codegen_task::Paths { manifest: manifest_path, out_dir: out_dir.clone() };
    let error = xtask::codegen_task::run(&paths, &Settings::default(), xtask::tree::Mode::Write).unwrap_err();
    assert!(error.to_string().contains("schemas/t/v1.schema.json#/properties/a/$ref"), "{error}");
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(left, ["keep.txt"]);
    assert_eq!(std::fs::read_to_string(out_dir.join("keep.txt")).unwrap(), "previous output");
}

#[test]
fn enum_values_differing_only_in_non_ascii_case_get_two_variants() {
    // typify 0.8 capitalised both to one variant name and panicked; our names spell non-ASCII
    // letters out, so each value keeps a variant of its own.
    let schema = payload_schema(json!({"kind": {"type": "string", "enum": ["é", "É"]}}));
    let files = generate_from("thing.happened", Some(schema.to_string())).expect("generates");
    let v1 = files.iter().find(|file| file.path.ends_with("v1.rs")).unwrap();
    assert!(v1.contents.contains("(Self::U00e9, \"é\")"), "{}", v1.contents);
    assert!(v1.contents.contains("(Self::U00c9, \"É\")"), "{}", v1.contents);
}

/// A registry of the test contract plus shared documents, by id: (id, file, schema).
fn generate_with_documents(
    contract: Value,
    documents: &[(&str, &str, Value)],
) -> Result<Vec<codegen::GeneratedFile>, Errors> {
    let manifest = Manifest::parse("schemas/contracts.toml", &manifest("thing.happened"))?;
    let mut texts: BTreeMap<String, String> = BTreeMap::from([("t/v1.schema.json".to_owned(), contract.to_string())]);
    let mut ids = BTreeMap::new();
    for (id, file, schema) in documents {
        texts.insert((*file).to_owned(), schema.to_string());
        ids.insert((*id).to_owned(), (*file).to_owned());
    }
    generate(&Registry::with_documents(manifest, texts, ids)?, &Settings::default())
}

fn shared_errors(contract: Value, documents: &[(&str, &str, Value)]) -> Vec<String> {
    let errors = generate_with_documents(contract, documents).expect_err("must be refused");
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn cross_file_references_resolve_against_the_document_id() {
    let contract = payload_schema(json!({"place": {"$ref": "../shared/place#/$defs/Place"}}));
    let place = json!({"$defs": {"Place": {"type": "object", "properties": {"name": {"type": "string"}}}}});
    let files = generate_with_documents(contract, &[("https://example.com/shared/place", "shared/place.json", place)])
        .expect("generates");
    let version = files.iter().find(|file| file.path == "src/thing_happened/v1.rs").unwrap();
    assert!(version.contents.contains("crate::shared::shared_place::Place"), "{}", version.contents);
    let shared = files.iter().find(|file| file.path == "src/shared/shared_place.rs").unwrap();
    assert!(shared.contents.contains("pub struct Place"), "{}", shared.contents);
}

#[test]
fn cross_file_problems_name_file_and_pointer() {
    let contract = payload_schema(json!({"place": {"$ref": "../shared/place#/$defs/Place"}}));
    // The document is not in the registry (not fetched).
    let errors = shared_errors(contract.clone(), &[]);
    assert!(
        errors.iter().any(|error| error.starts_with("schemas/t/v1.schema.json#/properties/place/$ref:")
            && error.contains("https://example.com/shared/place")
            && error.contains("cargo xtask fetch")),
        "{errors:?}"
    );
    // The fragment does not exist in the document.
    let errors = shared_errors(
        contract.clone(),
        &[("https://example.com/shared/place", "shared/place.json", json!({"$defs": {}}))],
    );
    assert!(
        errors.iter().any(|error| error.contains("/properties/place/$ref") && error.contains("does not resolve")),
        "{errors:?}"
    );
    // Two documents refer to each other: types in two modules cannot box each other.
    let place =
        json!({"$defs": {"Place": {"type": "object", "properties": {"owner": {"$ref": "owner#/$defs/Owner"}}}}});
    let owner = json!({"$defs": {"Owner": {"type": "object", "properties": {"home": {"$ref": "place#/$defs/Place"}}}}});
    let errors = shared_errors(
        contract.clone(),
        &[
            ("https://example.com/shared/place", "shared/place.json", place),
            ("https://example.com/shared/owner", "shared/owner.json", owner),
        ],
    );
    assert!(errors.iter().any(|error| error.contains("cycle across documents")), "{errors:?}");
    // A shared definition whose name cannot be a Rust type (only definitions other documents
    // refer to are generated, so this one is).
    let place = json!({"$defs": {"Place": {"type": "object"}, "self": {"type": "string"}}});
    let refers_to_self = payload_schema(json!({"place": {"$ref": "../shared/place#/$defs/self"}}));
    let errors = shared_errors(refers_to_self, &[("https://example.com/shared/place", "shared/place.json", place)]);
    assert!(errors.iter().any(|error| error.starts_with("schemas/shared/place.json#/$defs/self:")), "{errors:?}");
    // A shared document that is not a valid schema.
    let place = json!({"$defs": {"Place": {"type": "object", "required": "name"}}});
    let errors = shared_errors(contract, &[("https://example.com/shared/place", "shared/place.json", place)]);
    assert!(
        errors.iter().any(|error| error.starts_with("schemas/shared/place.json#/$defs/Place/required:")
            && error.contains("valid JSON Schema")),
        "{errors:?}"
    );
}

#[test]
fn a_contract_may_refer_to_a_definition_inside_another_contract_document() {
    // As OpenLineage's facets refer to definitions inside `OpenLineage.json`, itself a
    // contract: only what is reached is generated and checked, so the definition nobody uses
    // (a `$dynamicRef`, which nothing can generate) blocks nothing.
    let other = manifest("thing.happened")
        .replace("thing.happened", "other.happened")
        .replace("/t/v1", "/o/v1")
        .replace("t/v1.schema.json", "o/v1.schema.json");
    let manifest =
        Manifest::parse("schemas/contracts.toml", &format!("{}{other}", manifest("thing.happened"))).unwrap();
    let main = json!({
        "type": "object",
        "properties": {"run": {"$ref": "#/$defs/Run"}},
        "$defs": {
            "Run": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "Unused": {"$dynamicRef": "#meta"},
        },
    });
    let facet = json!({"type": "object", "required": ["run"], "properties": {"run": {"$ref": "../t/v1#/$defs/Run"}}});
    let texts = BTreeMap::from([
        ("t/v1.schema.json".to_owned(), main.to_string()),
        ("o/v1.schema.json".to_owned(), facet.to_string()),
    ]);
    let files = generate(&Registry::new(manifest, texts).unwrap(), &Settings::default()).expect("generates");
    let facet_module = files.iter().find(|file| file.path == "src/other_happened/v1.rs").unwrap();
    assert!(facet_module.contents.contains("pub run: crate::shared::t_v1::Run"), "{}", facet_module.contents);
    let shared = files.iter().find(|file| file.path == "src/shared/t_v1.rs").unwrap();
    assert!(shared.contents.contains("pub struct Run") && !shared.contents.contains("Unused"), "{}", shared.contents);
}

#[test]
fn examples_become_tests_of_the_generated_crate_and_bad_ones_are_named() {
    let text = manifest("thing.happened").replace(
        "schema = \"t/v1.schema.json\"\n",
        "schema = \"t/v1.schema.json\"\nexamples = [\"examples/t\", \"examples/missing.json\"]\n",
    );
    let manifest = Manifest::parse("schemas/contracts.toml", &text).unwrap();
    let mut schema = payload_schema(json!({"a": {"type": "string"}}));
    schema["examples"] = json!([{"a": "from the schema"}]);
    let schemas = BTreeMap::from([("t/v1.schema.json".to_owned(), schema.to_string())]);
    let examples = BTreeMap::from([
        ("examples/t/one.json".to_owned(), r#"{"a": "one"}"#.to_owned()),
        ("examples/t/broken.json".to_owned(), "{".to_owned()),
        ("examples/other.json".to_owned(), r#"{"a": "not named"}"#.to_owned()),
    ]);
    let registry = Registry::new(manifest.clone(), schemas.clone()).unwrap().with_examples(examples.clone());
    let errors = generate(&registry, &Settings::default()).expect_err("a missing and a broken example").to_string();
    assert!(errors.contains("contract[0].examples: `examples/missing.json` names no example file"), "{errors}");
    assert!(errors.contains("`schemas/examples/t/broken.json` is not JSON"), "{errors}");

    let mut examples = examples;
    examples.remove("examples/t/broken.json");
    let text = text.replace(", \"examples/missing.json\"", "");
    let manifest = Manifest::parse("schemas/contracts.toml", &text).unwrap();
    let files = generate(&Registry::new(manifest, schemas).unwrap().with_examples(examples), &Settings::default())
        .expect("generates");
    let paths: Vec<&str> =
        files.iter().map(|file| file.path.as_str()).filter(|path| path.starts_with("tests/")).collect();
    assert_eq!(
        paths,
        ["tests/examples.rs", "tests/examples/thing_happened_v1_1.json", "tests/examples/thing_happened_v1_2.json"],
        "the schema's example, then the named folder's file; the file no contract names is left out"
    );
    let tests = &files.iter().find(|file| file.path == "tests/examples.rs").unwrap().contents;
    assert!(tests.contains("fn thing_happened_v1_1()") && tests.contains("`schemas/examples/t/one.json`"), "{tests}");
    syn::parse_file(tests).expect("the test file is Rust");
}

#[test]
fn names_that_cannot_be_files_or_packages_everywhere_are_refused_with_their_key() {
    let schema = payload_schema(json!({"name": {"type": "string"}})).to_string();
    // Event types whose module would be a Windows device name.
    for device in ["con", "NUL", "com1"] {
        let errors = generate_from(device, Some(schema.clone())).expect_err("refused");
        let event_type = errors.iter().find_map(|error| match error {
            Error::ManifestValue { key, message, .. } if key == "contract[0].event_type" => Some(message),
            _ => None,
        });
        assert!(event_type.is_some_and(|message| message.contains("device name on Windows")), "{device}: {errors}");
    }
    // `aux.created` is the module `aux_created`: no device.
    assert!(generate_from("aux.created", Some(schema.clone())).is_ok());

    // The crate name follows Cargo's rules.
    let manifest = Manifest::parse("schemas/contracts.toml", &manifest("thing.happened")).unwrap();
    let registry = Registry::new(manifest, [("t/v1.schema.json".to_owned(), schema)].into_iter().collect()).unwrap();
    for bad in ["../../evil", "", "fn", "std", "con", "cope events"] {
        let errors = generate(&registry, &Settings::default().with_crate_name(bad)).expect_err("refused");
        assert!(
            matches!(errors.iter().next(), Some(Error::Setting { setting, value, .. }) if setting == "--crate-name" && value == bad),
            "{bad}: {errors}"
        );
    }
    assert!(generate(&registry, &Settings::default().with_crate_name("acme-events_2")).is_ok());
}

#[test]
fn a_schema_file_that_is_not_utf8_is_named_relative_to_the_manifest_with_the_offset() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("registry");
    std::fs::create_dir_all(folder.join("t")).unwrap();
    std::fs::write(folder.join("contracts.toml"), manifest("thing.happened")).unwrap();
    // `é` in Latin-1: one byte that is not UTF-8, at offset 28.
    std::fs::write(folder.join("t/v1.schema.json"), b"{\"type\": \"object\", \"x\": \"caf\xe9\"}").unwrap();
    let paths =
        xtask::codegen_task::Paths { manifest: folder.join("contracts.toml"), out_dir: temp.path().join("out") };
    let error = xtask::codegen_task::generated_files(&paths, &Settings::default()).expect_err("refused");
    assert!(
        matches!(&error, xtask::codegen_task::TaskError::NotUtf8 { file, offset: 28 } if file == "registry/t/v1.schema.json"),
        "{error}"
    );
    assert!(error
        .to_string()
        .starts_with("registry/t/v1.schema.json: not UTF-8 text (the first invalid byte is at offset 28)"));
}
