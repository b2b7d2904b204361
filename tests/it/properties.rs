//! The fuzz targets' properties (`fuzz/`), run as proptest on the stable toolchain so that
//! plain `cargo test` checks them too: `decode` never panics, round-trips what it accepts, and
//! gives what the dispatching decode alone gives (its one-pass guess changes nothing); the
//! generator never panics on mutated schemas and what it returns parses as Rust.

use std::collections::BTreeMap;

use cope_events_tests::{dispatching_decode, REFERENCE_EXAMPLE};
use proptest::prelude::*;
use serde_json::Value;

/// The reference example with its attributes before `data` (as CloudEvents SDKs write them),
/// where it has them in alphabetical order: the one-pass guess finds `type` at either end.
fn attributes_first() -> String {
    let example: BTreeMap<String, Value> = serde_json::from_str(REFERENCE_EXAMPLE).expect("JSON");
    let mut text = String::from("{");
    for (name, value) in example.iter().filter(|(name, _)| *name != "data").chain(example.get_key_value("data")) {
        text.push_str(&format!("{}:{value},", Value::from(name.as_str())));
    }
    text.pop();
    text.push('}');
    text
}

/// Byte-level edits of the reference example, in either member order: flips, deletions,
/// insertions of tokens that matter to the decoder and to its guess of `type` and `dataschema`.
fn mutated_example() -> impl Strategy<Value = Vec<u8>> {
    let tokens = prop_oneof![
        Just(&b"\""[..]),
        Just(&b"{"[..]),
        Just(&b"}"[..]),
        Just(&b"["[..]),
        Just(&b","[..]),
        Just(&b":"[..]),
        Just(&b"null"[..]),
        Just(&b"1e999"[..]),
        Just(&b"\\u0000"[..]),
        Just(&b"\xff"[..]),
        Just(&b"\"id\":\"x\","[..]),
        Just(&b"\"data\":{},"[..]),
        Just(&b"\"type\":\"ticketing.event.published\","[..]),
        Just(&b"\"type\":\"x\","[..]),
        Just(&b"\"dataschema\":\"https://schemas.cope.com/events/ticketing.event.published/v1\","[..]),
        Just(&b"\"dataschema\":\"https://schemas.cope.com/events/ticketing.event.published/v2\","[..]),
    ];
    let edit = (0..REFERENCE_EXAMPLE.len(), 0u8..3, any::<u8>(), tokens);
    let bases = [REFERENCE_EXAMPLE.to_owned(), attributes_first()];
    (0..bases.len(), proptest::collection::vec(edit, 1..4)).prop_map(move |(base, edits)| {
        let mut body = bases[base].as_bytes().to_vec();
        for (at, kind, byte, token) in edits {
            let at = at.min(body.len().saturating_sub(1));
            match kind {
                0 => body[at] = byte,
                1 => {
                    body.remove(at);
                }
                _ => {
                    body.splice(at..at, token.iter().copied());
                }
            }
        }
        body
    })
}

#[track_caller]
fn check_decode(body: &[u8]) {
    let decoded = cope_events::decode(body);
    let dispatched = dispatching_decode(body);
    assert_eq!(decoded, dispatched, "the one-pass guess changes nothing");
    if let (Ok(one_pass), Ok(dispatched)) = (&decoded, &dispatched) {
        // `Json` values compare by value (`1` equals `1.0`): their text must be the same too.
        assert_eq!(cope_events::encode(one_pass).ok(), cope_events::encode(dispatched).ok());
    }
    if let Ok(event) = decoded {
        let encoded = cope_events::encode(&event).expect("a decoded event encodes");
        let again = cope_events::decode(&encoded).expect("an encoded event decodes");
        assert_eq!(again, event);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decode_never_panics_on_mutated_events(body in mutated_example()) {
        check_decode(&body);
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        check_decode(&body);
    }
}

const MANIFEST: &str = r#"
[[contract]]
event_type = "fuzz.event"
version = 1
schema_id = "https://example.com/fuzz/v1"
schema = "fuzz/v1.schema.json"
source = "fuzz"
subject_pattern = "fuzz:<identifier>"
category = "Fuzz"
[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "idempotency_key"
"#;

/// Small schemas and schema fragments: keywords the generator supports and some it refuses.
fn schema_fragment() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(serde_json::json!({"type": "string"})),
        Just(serde_json::json!({"type": "integer", "minimum": 0})),
        Just(serde_json::json!({"type": ["string", "null"]})),
        Just(serde_json::json!({"const": "x"})),
        Just(serde_json::json!({"enum": ["a-b", "a_b"]})),
        Just(serde_json::json!({"enum": [1, "x"]})),
        Just(serde_json::json!({"type": "string", "pattern": "^[a-z]+$", "maxLength": 3})),
        Just(serde_json::json!({"$ref": "#/$defs/Thing"})),
        Just(serde_json::json!({"$ref": "#/$defs/Missing"})),
        Just(serde_json::json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})),
        Just(serde_json::json!({"type": []})),
        Just(serde_json::json!(true)),
        Just(serde_json::json!({"not": {}})),
        Just(serde_json::json!({"format": "date-time", "type": "string"})),
        Just(serde_json::json!(42)),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        (
            proptest::collection::btree_map("[a-zA-Z_$@+ ]{0,6}|type|self|map", inner.clone(), 0..4),
            any::<bool>(),
            proptest::option::of(inner),
        )
            .prop_map(|(properties, closed, items)| {
                let mut schema = serde_json::json!({"type": "object", "properties": properties});
                if closed {
                    schema["additionalProperties"] = Value::Bool(false);
                }
                if let Some(items) = items {
                    schema["properties"]["list"] = serde_json::json!({"type": "array", "items": items});
                }
                schema
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generator_never_panics_and_emits_rust(properties in schema_fragment(), required in proptest::collection::vec("[a-z]{1,3}", 0..2)) {
        let schema = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "required": required,
            "properties": {"payload": properties},
            "$defs": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}},
        });
        let manifest = codegen::Manifest::parse("schemas/contracts.toml", MANIFEST).unwrap();
        let schemas = BTreeMap::from([("fuzz/v1.schema.json".to_owned(), schema.to_string())]);
        let registry = codegen::Registry::new(manifest, schemas).unwrap();
        if let Ok(files) = codegen::generate(&registry, &codegen::Settings::default()) {
            for file in files.iter().filter(|file| file.path.ends_with(".rs")) {
                prop_assert!(syn::parse_file(&file.contents).is_ok(), "{} does not parse", file.path);
            }
        }
    }
}
