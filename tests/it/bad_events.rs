//! Every bad body gets the error kind a consumer can act on, naming where the problem is.

use cope_events::{decode, DecodeError};
use cope_events_tests::{edited_example, edited_payload, REFERENCE_EXAMPLE};
use serde_json::{json, Value};

/// What a case must produce: the kind, and the attribute or payload path it names.
#[derive(Debug, PartialEq)]
enum Expected {
    Malformed,
    NotACloudEvent(Option<&'static str>),
    UnknownEventType,
    UnknownVersion,
    Contract(&'static str),
    Payload(&'static str),
}

#[track_caller]
fn check(name: &str, input: &[u8], expected: Expected) {
    let error = match decode(input) {
        Ok(event) => panic!("{name}: decoded to {event:?}"),
        Err(error) => error,
    };
    let actual = match &error {
        DecodeError::MalformedJson { .. } => Expected::Malformed,
        DecodeError::NotACloudEvent { attribute, .. } => {
            Expected::NotACloudEvent(attribute.as_deref().map(|attribute| &*attribute.to_owned().leak()))
        }
        DecodeError::UnknownEventType { .. } => Expected::UnknownEventType,
        DecodeError::UnknownVersion { .. } => Expected::UnknownVersion,
        DecodeError::ContractViolation { attribute, .. } => Expected::Contract(attribute.to_owned().leak()),
        DecodeError::InvalidPayload { path, .. } => Expected::Payload(path.to_owned().leak()),
    };
    assert_eq!(actual, expected, "{name}: {error}");
    // The message names the place too, for logs.
    let place = match &actual {
        Expected::NotACloudEvent(Some(attribute)) | Expected::Contract(attribute) | Expected::Payload(attribute) => {
            *attribute
        }
        _ => "",
    };
    assert!(error.to_string().contains(place), "{name}: {error} does not name {place}");
}

fn set(name: &'static str, value: Value) -> impl FnOnce(&mut serde_json::Map<String, Value>) {
    move |object| {
        object.insert(name.to_owned(), value);
    }
}

fn remove(name: &'static str) -> impl FnOnce(&mut serde_json::Map<String, Value>) {
    move |object| {
        object.remove(name);
    }
}

/// The reference example with one member's text replaced, for inputs a JSON value cannot hold.
fn raw(from: &str, to: &str) -> Vec<u8> {
    assert!(REFERENCE_EXAMPLE.contains(from), "{from} is in the example");
    REFERENCE_EXAMPLE.replacen(from, to, 1).into_bytes()
}

#[test]
fn malformed_json() {
    use Expected::Malformed;
    check("empty body", b"", Malformed);
    check("whitespace only", b"  \n ", Malformed);
    check("truncated", &REFERENCE_EXAMPLE.as_bytes()[..200], Malformed);
    check("trailing bytes", format!("{REFERENCE_EXAMPLE} {{}}").as_bytes(), Malformed);
    let mut invalid_utf8 = raw("example_title", "example_titl\u{e9}");
    let at = invalid_utf8.iter().position(|byte| *byte == 0xc3).unwrap();
    invalid_utf8[at + 1] = 0x28;
    check("invalid UTF-8 in a string", &invalid_utf8, Malformed);
    check("syntax error inside an attribute", &raw(r#""id": "ticketing"#, r#""id": tru, "x": "ticketing"#), Malformed);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    // Kept as text, an extension is read in one pass; its check then finds it too deep.
    check(
        "10 000-deep extension value",
        &raw(r#""source""#, &format!(r#""deep": {deep}, "source""#)),
        Expected::NotACloudEvent(Some("deep")),
    );
}

#[test]
fn nesting_beyond_the_depth_limit_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let body = raw(r#""capacity""#, &format!(r#""deep": {deep}, "capacity""#));
    match decode(&body) {
        Err(DecodeError::InvalidPayload { path, reason, .. }) => {
            assert_eq!(path, "data.deep");
            assert!(reason.contains("recursion limit") && reason.contains("[0][0]"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn not_a_cloud_event() {
    use Expected::NotACloudEvent as Not;
    check("array body", b"[]", Not(None));
    check("string body", br#""event""#, Not(None));
    check("null body", b"null", Not(None));
    check("missing specversion", &edited_example(remove("specversion")), Not(Some("specversion")));
    check("specversion 0.3", &edited_example(set("specversion", json!("0.3"))), Not(Some("specversion")));
    check("specversion as number", &edited_example(set("specversion", json!(1.0))), Not(Some("specversion")));
    check("missing id", &edited_example(remove("id")), Not(Some("id")));
    check("empty id", &edited_example(set("id", json!(""))), Not(Some("id")));
    check("id as number", &edited_example(set("id", json!(42))), Not(Some("id")));
    check("id as null", &edited_example(set("id", Value::Null)), Not(Some("id")));
    check("missing source", &edited_example(remove("source")), Not(Some("source")));
    check("missing type", &edited_example(remove("type")), Not(Some("type")));
    check("type as object", &edited_example(set("type", json!({"name": "x"}))), Not(Some("type")));
    check("time as number", &edited_example(set("time", json!(1_700_000_000))), Not(Some("time")));
    check("duplicate id", &raw(r#""id": "#, r#""id": "other", "id": "#), Not(Some("id")));
    check("duplicate type", &raw(r#""type": "#, r#""type": "ticketing.event.published", "type": "#), Not(Some("type")));
    check("duplicate data", &raw(r#""data": "#, r#""data": {}, "data": "#), Not(Some("data")));
    check("data and data_base64", &edited_example(set("data_base64", json!("e30="))), Not(Some("data_base64")));
    check("uppercase extension name", &edited_example(set("Traceparent", json!("x"))), Not(Some("Traceparent")));
    check("extension name with a dash", &edited_example(set("trace-parent", json!("x"))), Not(Some("trace-parent")));
    check("time not a timestamp", &edited_example(set("time", json!("yesterday"))), Not(Some("time")));
    check("time with month 13", &edited_example(set("time", json!("2026-13-05T12:00:00Z"))), Not(Some("time")));
    check("time without offset", &edited_example(set("time", json!("2026-05-05T12:00:00"))), Not(Some("time")));
    check("source not a URI-reference", &edited_example(set("source", json!("cope ticketing"))), Not(Some("source")));
    check(
        "duplicate key inside an extension value",
        &raw(r#""source""#, r#""trace": {"a": 1, "a": 2}, "source""#),
        Not(Some("trace")),
    );
}

#[test]
fn unknown_type_or_version() {
    check("unknown type", &edited_example(set("type", json!("ticketing.event.cancelled"))), Expected::UnknownEventType);
    check(
        "dataschema of v2",
        &edited_example(set("dataschema", json!("https://schemas.cope.com/events/ticketing.event.published/v2"))),
        Expected::UnknownVersion,
    );
    let no_dataschema_v2 = edited_example(|event| {
        event.remove("dataschema");
        event["data"]["schema_version"] = json!("2.0");
    });
    check("schema_version 2.0 without dataschema", &no_dataschema_v2, Expected::UnknownVersion);
    check(
        "neither dataschema nor schema_version",
        &edited_example(|event| {
            event.remove("dataschema");
            event["data"].as_object_mut().unwrap().remove("schema_version");
        }),
        Expected::UnknownVersion,
    );
}

#[test]
fn unknown_version_carries_what_was_seen() {
    let error = decode(&edited_example(set("dataschema", json!("https://example.com/v9")))).unwrap_err();
    assert_eq!(
        error,
        DecodeError::UnknownVersion {
            event_type: "ticketing.event.published".into(),
            dataschema: Some("https://example.com/v9".into()),
            schema_version: None,
            id: "ticketing.event.published:example".into(),
        }
    );
    let error = decode(&edited_example(set("type", json!("ticketing.event.moved")))).unwrap_err();
    assert_eq!(
        error,
        DecodeError::UnknownEventType {
            event_type: "ticketing.event.moved".into(),
            source: "cope.ticketing".into(),
            id: "ticketing.event.published:example".into(),
        }
    );
}

#[test]
fn contract_violations() {
    use Expected::Contract;
    check("wrong source", &edited_example(set("source", json!("cope.billing"))), Contract("source"));
    check("subject without prefix", &edited_example(set("subject", json!("venue:1"))), Contract("subject"));
    check("subject with empty identifier", &edited_example(set("subject", json!("event:"))), Contract("subject"));
    check("missing subject", &edited_example(remove("subject")), Contract("subject"));
    check(
        "text datacontenttype",
        &edited_example(set("datacontenttype", json!("text/plain"))),
        Contract("datacontenttype"),
    );
    check("missing data", &edited_example(remove("data")), Contract("data"));
    check(
        "data_base64 instead of data",
        &edited_example(|event| {
            event.remove("data");
            event.insert("data_base64".into(), json!("e30="));
        }),
        Contract("data_base64"),
    );
    check(
        "dataschema v1, schema_version 2.0",
        &edited_payload(set("schema_version", json!("2.0"))),
        Contract("dataschema"),
    );
}

#[test]
fn invalid_payloads_name_the_field() {
    use Expected::Payload;
    check("status draft (const)", &edited_payload(set("status", json!("draft"))), Payload("data.status"));
    check(
        "status as a map (serde's other spelling of a unit variant)",
        &edited_payload(set("status", json!({"published": null}))),
        Payload("data.status"),
    );
    check(
        "status as a one-element array",
        &edited_payload(set("status", json!(["published"]))),
        Payload("data.status"),
    );
    check("event_type const", &edited_payload(set("event_type", json!("other"))), Payload("data.event_type"));
    check("capacity as string", &edited_payload(set("capacity", json!("1000"))), Payload("data.capacity"));
    check("capacity fractional", &edited_payload(set("capacity", json!(1.5))), Payload("data.capacity"));
    check("capacity 1e30", &raw("1000", "1e30"), Payload("data.capacity"));
    check("capacity beyond i64", &raw("1000", "99999999999999999999"), Payload("data.capacity"));
    check("missing title", &edited_payload(remove("title")), Payload("data"));
    check("data is an array", &edited_example(set("data", json!([1, 2]))), Payload("data"));
    check("data is a string", &edited_example(set("data", json!("{}"))), Payload("data"));
    check("duplicate documented member", &raw(r#""title": "#, r#""title": "a", "title": "#), Payload("data"));
    check("duplicate undocumented member", &raw(r#""title": "#, r#""x": 1, "x": 2, "title": "#), Payload("data"));
    check(
        "duplicate key inside venue",
        &raw(r#""title": "#, r#""venue": {"city": "A", "city": "B"}, "title": "#),
        Payload("data.venue"),
    );
    check(
        "duplicate key deep inside an undocumented member",
        &raw(r#""title": "#, r#""x": [{"k": 1, "k": 1}], "title": "#),
        Payload("data.x"),
    );
    let inside = decode(&raw(r#""title": "#, r#""x": [{"k": 1, "k": 1}], "title": "#)).unwrap_err();
    assert!(inside.to_string().contains("duplicate key `k`, at `[0]` inside the value"), "{inside}");
    check("venue as string", &edited_payload(set("venue", json!("Hall"))), Payload("data.venue"));
    check("venue null", &edited_payload(set("venue", Value::Null)), Payload("data.venue"));
    check(
        "event_product_ids as object",
        &edited_payload(set("event_product_ids", json!({}))),
        Payload("data.event_product_ids"),
    );
}
