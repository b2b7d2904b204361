//! Nothing is lost: decode then encode gives JSON equal to the input, whatever the contract
//! allows the producer to add.

use std::collections::BTreeMap;

use cope_events::{decode, encode, Event, Json, TicketingEventPublished};
use cope_events_tests::{edited_example, edited_payload};
use serde_json::{json, Value};

#[track_caller]
fn check_round_trip(input: &[u8]) -> Event {
    let event = decode(input).unwrap_or_else(|error| panic!("must decode: {error}"));
    let encoded = encode(&event).expect("encodes");
    let expected: Value = serde_json::from_slice(input).unwrap();
    let actual: Value = serde_json::from_slice(&encoded).unwrap();
    assert_eq!(actual, expected);
    let again = decode(&encoded).expect("the encoding decodes");
    assert_eq!(again, event, "decode(encode(e)) == e");
    event
}

fn venue(event: &Event) -> Option<&BTreeMap<String, Json>> {
    let Event::TicketingEventPublished(TicketingEventPublished::V1(event)) = event;
    event.data.venue.as_ref()
}

#[test]
fn undocumented_payload_members_are_kept() {
    let event = check_round_trip(&edited_payload(|data| {
        data.insert("seating_plan".into(), json!({"sections": [1, 2, {"x": null}]}));
        data.insert("price_tier".into(), json!(3.5));
    }));
    let Event::TicketingEventPublished(TicketingEventPublished::V1(event)) = event;
    assert_eq!(
        event.data.additional_properties.get("price_tier").map(|json| json.to_value().unwrap()),
        Some(json!(3.5))
    );
}

#[test]
fn unknown_extension_attributes_are_kept() {
    let event = check_round_trip(&edited_example(|event| {
        event.insert("traceparent".into(), json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        event.insert("partitionkey".into(), json!("event-42"));
    }));
    assert_eq!(event.idempotency_key(), cope_events::IdempotencyKey::Cope("ticketing.event.published:example".into()));
    let Event::TicketingEventPublished(TicketingEventPublished::V1(event)) = event;
    assert_eq!(event.extension("partitionkey").map(|json| json.to_value().unwrap()), Some(json!("event-42")));
    assert_eq!(event.extensions().count(), 2);
}

#[test]
fn absent_and_empty_venue_stay_different() {
    let absent = check_round_trip(&edited_payload(|_| {}));
    let empty = check_round_trip(&edited_payload(|data| {
        data.insert("venue".into(), json!({}));
    }));
    assert_eq!(venue(&absent), None);
    assert_eq!(venue(&empty), Some(&BTreeMap::new()));
    let full = check_round_trip(&edited_payload(|data| {
        data.insert("venue".into(), json!({"name": "Hall", "address": {"city": "Oslo"}}));
    }));
    assert_eq!(
        venue(&full).and_then(|venue| venue.get("name")).map(|json| json.to_value().unwrap()),
        Some(json!("Hall"))
    );
}

/// Untyped values (members the schema leaves open, undocumented members, extension attributes)
/// come back as they were written: integers beyond 64 bits, a number's spelling, member order,
/// a string's escapes.
#[test]
fn untyped_values_come_back_exactly_as_received() {
    const EXACT: [&str; 6] = [
        "123456789012345678901234567890",
        "-0.1000000000000000000000000000001",
        "1.0",
        r#"{"z": 1e2, "a": [1.50, -0]}"#,
        "1e400",
        r#""\u00e9t\u00e9 \/ \ud83d\ude00""#,
    ];
    let body = edited_example(|event| {
        event.insert("textextension".into(), json!("EXACT5"));
        let data = event["data"].as_object_mut().unwrap();
        data.insert("venue".into(), json!({"capacity": "EXACT0", "ratio": "EXACT1", "far": "EXACT4"}));
        data.insert("seating".into(), json!(["EXACT2", "EXACT3"]));
    });
    let mut text = String::from_utf8(body).unwrap();
    for (index, exact) in EXACT.iter().enumerate() {
        text = text.replace(&format!("\"EXACT{index}\""), exact);
    }
    let event = decode(text.as_bytes()).unwrap_or_else(|error| panic!("must decode: {error}"));
    let encoded = String::from_utf8(encode(&event).unwrap()).unwrap();
    for exact in EXACT {
        assert_eq!(encoded.matches(exact).count(), text.matches(exact).count(), "{exact} in {encoded}");
    }
    let Event::TicketingEventPublished(TicketingEventPublished::V1(typed)) = &event;
    assert_eq!(typed.extension("textextension").map(Json::as_text), Some(EXACT[5]));
    assert_eq!(venue(&event).and_then(|venue| venue.get("ratio")).map(Json::as_text), Some(EXACT[1]));
    assert_eq!(typed.data.additional_properties["seating"].as_text(), format!("[{},{}]", EXACT[2], EXACT[3]));
    // The encoding is a fixed point: decoding it again gives it again, byte for byte.
    assert_eq!(String::from_utf8(encode(&decode(encoded.as_bytes()).unwrap()).unwrap()).unwrap(), encoded);
    // Through serde (`serde_json::from_slice::<Event>`, as a web framework would) too.
    let via_serde: Event = serde_json::from_str(&text).expect("deserializes through serde");
    assert_eq!(String::from_utf8(encode(&via_serde).unwrap()).unwrap(), encoded);
}

#[test]
fn a_key_twice_inside_an_untyped_value_is_refused() {
    let body = String::from_utf8(edited_payload(|data| {
        data.insert("venue".into(), json!({"name": {"first": 1, "second": 2}}));
    }))
    .unwrap()
    .replace("\"second\"", "\"first\"");
    let error = decode(body.as_bytes()).expect_err("a duplicated key inside venue must be refused");
    assert!(error.to_string().contains("duplicate key `first`"), "{error}");
    assert!(error.to_string().contains("data.venue"), "the error names where: {error}");
}

#[test]
fn optional_attributes_stay_absent() {
    check_round_trip(&edited_example(|event| {
        for optional in ["time", "datacontenttype", "idempotency_key"] {
            event.remove(optional);
        }
    }));
}

#[test]
fn version_falls_back_on_schema_version_without_dataschema() {
    let event = check_round_trip(&edited_example(|event| {
        event.remove("dataschema");
    }));
    let Event::TicketingEventPublished(TicketingEventPublished::V1(event)) = event;
    assert_eq!(event.dataschema(), None);
}

#[test]
fn escaped_strings_decode_and_round_trip() {
    check_round_trip(
        br#"{"specversion":"1.0","id":"a\"b\u00e9","source":"cope.ticketing","type":"ticketing.event.published",
        "subject":"event:\u0041","dataschema":"https://schemas.cope.com/events/ticketing.event.published/v1",
        "data":{"capacity":-1,"ends_at":"","event_id":"\n","event_product_ids":[],"event_type":"ticketing.event.published",
        "occurred_at":"x","schema_version":"1.0","starts_at":"y","status":"published","timezone":"Europe/Oslo","title":"\ud83c\udfab"}}"#,
    );
}

#[test]
fn serde_transport_matches_decode() {
    let bytes = edited_payload(|data| {
        data.insert("extra".into(), json!([1, 2]));
    });
    let via_decode = decode(&bytes).expect("decodes");
    let via_serde: Event = serde_json::from_slice(&bytes).expect("deserializes through serde");
    assert_eq!(via_serde, via_decode);
    let via_value: Event = serde_json::from_value(serde_json::from_slice(&bytes).unwrap()).expect("from a Value too");
    assert_eq!(via_value, via_decode);
    assert_eq!(serde_json::to_value(&via_serde).unwrap(), serde_json::from_slice::<Value>(&bytes).unwrap());
}

#[test]
fn serde_transport_reports_decode_errors() {
    let bytes = edited_payload(|data| {
        data.insert("status".into(), json!("draft"));
    });
    let error = serde_json::from_slice::<Event>(&bytes).expect_err("draft is not published");
    assert!(error.to_string().contains("data.status"), "{error}");
}
