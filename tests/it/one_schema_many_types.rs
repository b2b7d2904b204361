//! The `one-schema-many-types` fixture registry: four event types give one data schema (as a
//! cloud storage catalog gives an object's finalized, archived, deleted and metadata-updated
//! events one). Its types are generated once, in the schema's shared module; each event type
//! keeps its own payload type (a wrapper that derefs to the shared one) and its own dispatch
//! variant, and events are told apart by `type`, since their `dataschema` is the same.

use std::collections::BTreeMap;
use std::path::Path;

use codegen::{generate, Manifest, Registry, Settings};
use cope_events_fixture_one_schema_many_types::example_storage_object_v1_deleted::v1::ExampleStorageObjectV1DeletedV1;
use cope_events_fixture_one_schema_many_types::shared::jsonschema_storage_v1_object_data::{ObjectData, StorageClass};
use cope_events_fixture_one_schema_many_types::{
    decode, encode, CloudEvent, Event, ExampleStorageBucketV1Emptied, ExampleStorageObjectV1Archived,
    ExampleStorageObjectV1Deleted, ExampleStorageObjectV1Finalized, ExampleStorageObjectV1MetadataUpdated,
};
use serde_json::{json, Value};

const OBJECT_SCHEMA: &str = "https://storage.fixture.test/jsonschema/storage/v1/object-data.json";

fn event(event_type: &str, dataschema: &str, subject: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "e-1",
        "source": "//storage.fixture.test",
        "type": event_type,
        "subject": subject,
        "dataschema": dataschema,
        "data": data,
    }))
    .unwrap()
}

fn object() -> Value {
    json!({"bucket": "media", "name": "cat.png", "generation": 3, "storageClass": "COLDLINE", "timeDeleted": null})
}

/// The shared type, whichever event type carried it.
fn shared(data: &ObjectData) -> (&str, Option<&StorageClass>) {
    (data.name.as_str(), data.storage_class.as_ref())
}

#[test]
fn each_event_type_decodes_one_schema_into_its_own_variant() {
    let kinds = ["finalized", "archived", "deleted", "metadataUpdated"];
    for kind in kinds {
        let bytes = event(&format!("example.storage.object.v1.{kind}"), OBJECT_SCHEMA, "objects/cat.png", object());
        let decoded = decode(&bytes).unwrap_or_else(|error| panic!("{kind}: {error}"));
        let data: &ObjectData = match &decoded {
            Event::ExampleStorageObjectV1Finalized(ExampleStorageObjectV1Finalized::V1(event)) => &event.data,
            Event::ExampleStorageObjectV1Archived(ExampleStorageObjectV1Archived::V1(event)) => &event.data,
            Event::ExampleStorageObjectV1Deleted(ExampleStorageObjectV1Deleted::V1(event)) => &event.data,
            Event::ExampleStorageObjectV1MetadataUpdated(ExampleStorageObjectV1MetadataUpdated::V1(event)) => {
                &event.data
            }
            Event::ExampleStorageBucketV1Emptied(_) => panic!("{kind} decoded as a bucket event"),
        };
        assert_eq!(shared(data), ("cat.png", Some(&StorageClass::Coldline)));
        assert_eq!(decoded.event_type(), format!("example.storage.object.v1.{kind}"), "dispatched by type");
        let encoded: Value = serde_json::from_slice(&encode(&decoded).unwrap()).unwrap();
        assert_eq!(encoded, serde_json::from_slice::<Value>(&bytes).unwrap());
    }
}

#[test]
fn the_shared_payload_keeps_every_check_of_the_schema() {
    let empty_bucket = json!({"bucket": "", "name": "cat.png"});
    let bytes = event("example.storage.object.v1.archived", OBJECT_SCHEMA, "objects/cat.png", empty_bucket);
    let error = decode(&bytes).unwrap_err().to_string();
    assert!(error.contains("data.bucket"), "{error}");
    let unknown_class = json!({"bucket": "media", "name": "cat.png", "storageClass": "HOT"});
    assert!(decode(&event("example.storage.object.v1.deleted", OBJECT_SCHEMA, "objects/x", unknown_class)).is_err());
}

#[test]
fn a_producer_builds_each_event_type_from_the_shared_type() {
    let data: ObjectData = serde_json::from_value(object()).unwrap();
    let deleted = CloudEvent::new("e-2", "cat.png", ExampleStorageObjectV1DeletedV1::from(data.clone()));
    assert_eq!(deleted.data.name, "cat.png", "the payload derefs to the shared type");
    let event = Event::ExampleStorageObjectV1Deleted(ExampleStorageObjectV1Deleted::V1(deleted));
    let sent: Value = serde_json::from_slice(&encode(&event).unwrap()).unwrap();
    assert_eq!(sent["type"], "example.storage.object.v1.deleted");
    assert_eq!(sent["dataschema"], OBJECT_SCHEMA);
    assert_eq!(sent["data"], object());
    let decoded = decode(&serde_json::to_vec(&sent).unwrap()).unwrap();
    assert_eq!(decoded, event);
}

#[test]
fn another_schema_uses_a_definition_of_the_shared_one() {
    let bytes = event(
        "example.storage.bucket.v1.emptied",
        "https://storage.fixture.test/jsonschema/storage/v1/bucket-emptied.json",
        "buckets/media",
        json!({"bucket": "media", "objects": 0, "storageClass": "ARCHIVE"}),
    );
    let Event::ExampleStorageBucketV1Emptied(ExampleStorageBucketV1Emptied::V1(emptied)) = decode(&bytes).unwrap()
    else {
        panic!("not a bucket event")
    };
    let class: Option<&StorageClass> = emptied.data.storage_class.as_ref();
    assert_eq!(class, Some(&StorageClass::Archive));
}

/// The crate as committed: the object's struct is defined once, in the shared module, and
/// every version module of the four event types only wraps it.
#[test]
fn the_payload_types_are_generated_once() {
    let crate_folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/generated/one-schema-many-types/src");
    for kind in ["finalized", "archived", "deleted", "metadata_updated"] {
        let module = crate_folder.join(format!("example_storage_object_v1_{kind}/v1.rs"));
        let text = std::fs::read_to_string(&module).unwrap();
        assert!(
            text.contains("(\n    pub crate::shared::jsonschema_storage_v1_object_data::ObjectData,\n);"),
            "{kind}"
        );
        assert!(!text.contains("pub bucket"), "{kind} defines the object's fields again");
        assert!(!text.contains("enum StorageClass"), "{kind} defines the storage class again");
    }
    let files = crate::fetch::snapshot(&crate_folder);
    let defined_in: Vec<&String> = files
        .iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("pub struct ObjectData {"))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(defined_in, ["shared/jsonschema_storage_v1_object_data.rs"]);
}

fn contract(event_type: &str, version: u32, schema_id: &str, schema: &str) -> String {
    format!(
        "[[contract]]\nevent_type = \"{event_type}\"\nversion = {version}\nschema_id = \"{schema_id}\"\nschema = \"{schema}\"\n\
         source = \"s\"\nsubject_pattern = \"x:<identifier>\"\ncategory = \"C\"\n\
         delivery = {{ encoding = \"cloudevents-1.0-structured-json\", guarantee = \"at-least-once\", idempotency_key = \"idempotency_key\" }}\n"
    )
}

fn manifest_errors(contracts: &[String]) -> String {
    let manifest = Manifest::parse("schemas/contracts.toml", &contracts.concat()).unwrap();
    let schema = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}).to_string();
    let schemas = BTreeMap::from([("a.json".to_owned(), schema.clone()), ("b.json".to_owned(), schema)]);
    match generate(&Registry::new(manifest, schemas).unwrap(), &Settings::default()) {
        Ok(_) => String::new(),
        Err(errors) => errors.to_string(),
    }
}

#[test]
fn one_schema_id_for_two_files_or_two_versions_of_one_type_is_refused() {
    let id = "https://example.com/a.json";
    let shared = manifest_errors(&[contract("x.made", 1, id, "a.json"), contract("x.sent", 1, id, "a.json")]);
    assert_eq!(shared, "", "two event types may give one schema");
    let two_files = manifest_errors(&[contract("x.made", 1, id, "a.json"), contract("x.sent", 1, id, "b.json")]);
    assert!(
        two_files.contains("contract[1].schema_id: `https://example.com/a.json` is also the schema id of contract[0], whose schema is another file (`a.json`)"),
        "{two_files}"
    );
    let two_versions = manifest_errors(&[contract("x.made", 1, id, "a.json"), contract("x.made", 2, id, "a.json")]);
    assert!(
        two_versions.contains("contract[1].schema_id: `https://example.com/a.json` is also the schema id of contract[0], another version of `x.made`"),
        "{two_versions}"
    );
}
