//! Tests of the runtime on its own, with a hand-written
//! contract, so that the envelope's rules are checked independently of any registry.

use serde::{Deserialize, Serialize};
use serde_json::json;

use cope_events_runtime::{
    decode_as, decode_with, encode_json, CapturedData, CloudEvent, Contract, DecodeError, Envelope, IdempotencyKey,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Thing {
    name: String,
}

impl Contract for Thing {
    const EVENT_TYPE: &'static str = "thing.happened";
    const VERSION: u32 = 1;
    const SCHEMA_ID: &'static str = "https://example.com/thing/v1";
    const SCHEMA_VERSION: Option<&'static str> = None;
    const SOURCE: &'static str = "example";
    const SUBJECT_PREFIX: &'static str = "thing:";
}

fn dispatch<'de, D: CapturedData<'de>>(envelope: Envelope<'de, D>) -> Result<CloudEvent<Thing>, DecodeError> {
    match envelope.event_type() {
        Thing::EVENT_TYPE => match envelope.schema_id(&[(Thing::SCHEMA_ID, None)])? {
            Thing::SCHEMA_ID => envelope.into_event(),
            _ => Err(envelope.unknown_version(None)),
        },
        _ => Err(envelope.unknown_event_type()),
    }
}

fn decode(value: serde_json::Value) -> Result<CloudEvent<Thing>, DecodeError> {
    let bytes = serde_json::to_vec(&value).unwrap();
    decode_with(&bytes, dispatch)
}

fn event() -> serde_json::Value {
    json!({
        "specversion": "1.0", "id": "1", "source": "example", "type": "thing.happened",
        "subject": "thing:42", "dataschema": "https://example.com/thing/v1", "data": {"name": "x"}
    })
}

#[test]
fn built_events_round_trip() {
    let built = CloudEvent::new("1", "42", Thing { name: "x".into() })
        .with_extension("traceparent", "00-1")
        .unwrap()
        .with_idempotency_key("k");
    let decoded = decode(serde_json::from_slice(&encode_json(&built).unwrap()).unwrap()).unwrap();
    assert_eq!(decoded, built);
    assert_eq!(decoded.subject_identifier(), Some("42"));
    assert_eq!(decoded.idempotency_key(), IdempotencyKey::Cope("k".into()));
    assert_eq!(decoded.idempotency_key().into_owned(), IdempotencyKey::Cope("k".into()));
}

#[test]
fn extension_names_follow_the_spec() {
    let thing = || CloudEvent::new("1", "42", Thing { name: "x".into() });
    for bad in ["", "Trace", "trace-parent", "trace_parent", "id", "data", "type"] {
        assert!(thing().with_extension(bad, 1).is_err(), "{bad:?}");
    }
    assert!(thing().with_extension("abc123", 1).is_ok());
}

#[test]
fn extension_values_are_cloudevents_types() {
    let bytes = |text: &str| {
        let mut value = event();
        value["traceparent"] = serde_json::from_str(text).unwrap();
        serde_json::to_vec(&value).unwrap()
    };
    // Strings (URI, timestamp and binary are strings too), booleans, 32-bit integers, and null
    // (unset) are kept as received.
    for accepted in [r#""00-1""#, "true", "false", "-2147483648", "2147483647", "0", "null"] {
        let decoded = decode_with(&bytes(accepted), dispatch).unwrap_or_else(|error| panic!("{accepted}: {error}"));
        assert_eq!(decoded.extension("traceparent").map(|value| value.as_text()), Some(accepted));
    }
    for (refused, says) in [
        (r#"{"a": 1}"#, "not an object"),
        ("[1]", "not an array"),
        ("1.5", "fraction or exponent"),
        ("1e3", "fraction or exponent"),
        ("2147483648", "32-bit range"),
        ("-2147483649", "32-bit range"),
    ] {
        match decode_with(&bytes(refused), dispatch) {
            Err(DecodeError::NotACloudEvent { attribute: Some(attribute), reason }) => {
                assert_eq!(attribute, "traceparent", "{refused}");
                assert!(reason.contains(says), "{refused}: {reason}");
            }
            other => panic!("{refused}: expected NotACloudEvent, got {other:?}"),
        }
    }
    // A producer cannot build what a consumer would refuse.
    let thing = || CloudEvent::new("1", "42", Thing { name: "x".into() });
    for refused in [json!({"a": 1}), json!([1]), json!(1.5), json!(1_u64 << 40)] {
        let error = thing().with_extension("traceparent", refused.clone()).expect_err("refused");
        assert_eq!(error.name, "traceparent", "{refused}");
    }
    assert!(thing().with_extension("sampled", true).is_ok());
}

#[test]
fn json_media_types_with_parameters_are_json() {
    for accepted in ["application/json", "application/json; charset=utf-8", "Application/JSON"] {
        let mut value = event();
        value["datacontenttype"] = json!(accepted);
        assert_eq!(decode(value).unwrap().datacontenttype(), Some(accepted));
    }
    let mut value = event();
    value["datacontenttype"] = json!("application/jsonx");
    assert!(
        matches!(decode(value), Err(DecodeError::ContractViolation { attribute, .. }) if attribute == "datacontenttype")
    );
}

#[test]
fn without_dataschema_or_schema_version_the_version_is_unknown() {
    let mut value = event();
    value.as_object_mut().unwrap().remove("dataschema");
    assert!(matches!(decode(value), Err(DecodeError::UnknownVersion { dataschema: None, schema_version: None, .. })));
}

#[test]
fn union_decoding_is_bounded_in_depth_and_attempts() {
    use cope_events_runtime::payload::{attempt_branch, enter_union};
    type Error = serde_json::Error;
    let mut held = Vec::new();
    for _ in 0..64 {
        held.push(enter_union::<Error>().expect("within the depth bound"));
    }
    let too_deep = enter_union::<Error>().map(drop).unwrap_err();
    assert!(too_deep.to_string().contains("nest deeper than 64"), "{too_deep}");
    held.truncate(1);
    for _ in 0..100_000 {
        attempt_branch::<Error>().expect("within the attempt bound");
    }
    assert!(attempt_branch::<Error>().unwrap_err().to_string().contains("union branches tried"));
    // Leaving the outermost union starts the count again.
    drop(held);
    let _depth = enter_union::<Error>().unwrap();
    attempt_branch::<Error>().expect("a fresh budget");
}

#[test]
fn untyped_values_are_checked_for_repeated_keys_in_one_pass_over_their_text() {
    use cope_events_runtime::Json;
    for valid in [
        r#"{"a": "}{\"", "b": [1e400, {"a": 1}], "c": {"a": {"a": null}}}"#,
        "123456789012345678901234567890123456789",
        r#"[{"k": 1}, {"k": 2}]"#,
        r#""{\"k\":1,\"k\":2}""#,
    ] {
        let json = Json::from_text(valid).unwrap_or_else(|error| panic!("{valid}: {error}"));
        assert_eq!(json.as_text(), valid, "kept as written");
    }
    for (repeated, message) in [
        (r#"{"a": 1, "\u0061": 2}"#, "duplicate key `a`"),
        (r#"[0, {"x": [{"k": 1, "k": 2}]}]"#, "duplicate key `k`, at `[1].x[0]` inside the value"),
        (r#"{"a": {"b": 1}, "c": {"b": 2, "b": 3}}"#, "duplicate key `b`, at `c` inside the value"),
    ] {
        let error = Json::from_text(repeated).expect_err(repeated).to_string();
        assert!(error.contains(message), "{repeated}: {error}");
    }
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(Json::from_text(deep).unwrap_err().to_string().contains("recursion limit exceeded"));
    assert!(Json::from_text(format!("{}{}", "[".repeat(120), "]".repeat(120))).is_ok());
}

#[test]
fn the_one_pass_decode_gives_the_dispatched_event_or_nothing() {
    let text = |value: &serde_json::Value| serde_json::to_string(value).unwrap();
    let one_pass = |value: &serde_json::Value| decode_as::<Thing>(&text(value));
    // serde_json's map writes members in alphabetical order (`data` first); either way it reads.
    let mut attributes_first =
        String::from(r#"{"type": "thing.happened", "dataschema": "https://example.com/thing/v1","#);
    attributes_first.push_str(
        r#""specversion": "1.0", "id": "1", "source": "example", "subject": "thing:42", "data": {"name": "x"}}"#,
    );
    let expected = decode(event()).unwrap();
    assert_eq!(one_pass(&event()), Some(expected.clone()));
    assert_eq!(decode_as::<Thing>(&attributes_first), Some(expected));
    // What the dispatching decode refuses, it does not give.
    let edits: [(&str, serde_json::Value); 8] = [
        ("type", json!("thing.other")),
        ("dataschema", json!("https://example.com/thing/v2")),
        ("dataschema", serde_json::Value::Null),
        ("source", json!("elsewhere")),
        ("subject", json!("other:42")),
        ("data", json!({"name": 1})),
        ("time", json!("yesterday")),
        ("traceparent", json!([1])),
    ];
    for (attribute, value) in edits {
        let mut edited = event();
        match value {
            serde_json::Value::Null => edited.as_object_mut().unwrap().remove(attribute),
            value => edited.as_object_mut().unwrap().insert(attribute.to_owned(), value),
        };
        assert_eq!(one_pass(&edited), None, "{attribute}");
        assert!(decode(edited).is_err(), "{attribute}");
    }
    assert_eq!(decode_as::<Thing>(&format!("{} ", text(&event()))), one_pass(&event()), "trailing space");
    assert_eq!(decode_as::<Thing>(&format!("{}x", text(&event()))), None, "trailing text");
}
