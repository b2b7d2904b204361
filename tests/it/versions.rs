//! Several versions and event types in one crate (the fixture registries): decode picks the
//! version from `dataschema`, falling back on `data.schema_version`, and never decodes one
//! version as another.

use cope_events_fixture_new_event_type as two_types;
use cope_events_fixture_published_v1_v2 as two_versions;
use cope_events_tests::{edited_example, REFERENCE_EXAMPLE};
use serde_json::json;
use two_versions::{DecodeError, Event, TicketingEventPublished};

const V2_SCHEMA: &str = "https://schemas.cope.com/events/ticketing.event.published/v2";

fn v2_event(with_dataschema: bool) -> Vec<u8> {
    edited_example(|event| {
        if with_dataschema {
            event.insert("dataschema".into(), json!(V2_SCHEMA));
        } else {
            event.remove("dataschema");
        }
        let data = event["data"].as_object_mut().unwrap();
        data.insert("schema_version".into(), json!("2.0"));
        data.insert("capacity".into(), json!({"total": 1000, "available": 10}));
        data.insert("venue".into(), json!({"name": "Hall"}));
    })
}

#[test]
fn v1_and_v2_decode_to_their_own_variants() {
    match two_versions::decode(REFERENCE_EXAMPLE.as_bytes()).unwrap() {
        Event::TicketingEventPublished(TicketingEventPublished::V1(event)) => assert_eq!(event.data.capacity, 1000),
        other => panic!("{other:?}"),
    }
    for with_dataschema in [true, false] {
        match two_versions::decode(&v2_event(with_dataschema)).unwrap() {
            Event::TicketingEventPublished(TicketingEventPublished::V2(event)) => {
                assert_eq!(event.data.capacity.available, 10);
                assert_eq!(event.dataschema(), with_dataschema.then_some(V2_SCHEMA));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_version_is_never_decoded_as_another() {
    // A v2 body that names v1 in `dataschema` is not silently read as v1.
    let mislabelled = edited_example(|event| {
        event["data"]["schema_version"] = json!("2.0");
        event["data"]["capacity"] = json!({"total": 1, "available": 1});
    });
    assert!(matches!(
        two_versions::decode(&mislabelled),
        Err(DecodeError::ContractViolation { attribute, .. }) if attribute == "dataschema"
    ));
    let v3 = edited_example(|event| {
        event.insert("dataschema".into(), json!("https://schemas.cope.com/events/ticketing.event.published/v3"));
    });
    assert!(matches!(two_versions::decode(&v3), Err(DecodeError::UnknownVersion { .. })));
    // The v1-only crate does not know v2.
    assert!(matches!(cope_events::decode(&v2_event(true)), Err(cope_events::DecodeError::UnknownVersion { .. })));
}

#[test]
fn a_second_event_type_dispatches_to_its_variant() {
    let cancelled = edited_example(|event| {
        event.insert("type".into(), json!("ticketing.event.cancelled"));
        event.insert("dataschema".into(), json!("https://schemas.cope.com/events/ticketing.event.cancelled/v1"));
        event.insert(
            "data".into(),
            json!({"event_id": "e1", "event_type": "ticketing.event.cancelled", "occurred_at": "t",
                   "schema_version": "1.0", "status": "cancelled", "reason": "weather"}),
        );
    });
    match two_types::decode(&cancelled).unwrap() {
        two_types::Event::TicketingEventCancelled(two_types::TicketingEventCancelled::V1(event)) => {
            assert_eq!(event.data.reason.as_deref(), Some("weather"));
        }
        other => panic!("{other:?}"),
    }
    // Its schema says `additionalProperties: false`; a producer adding a field within the
    // version must still not break this consumer, and the field is kept.
    let with_new_field = {
        let mut event: serde_json::Value = serde_json::from_slice(&cancelled).unwrap();
        event["data"]["refund_policy"] = json!("full");
        event
    };
    let decoded = two_types::decode(&serde_json::to_vec(&with_new_field).unwrap()).expect("an added field is accepted");
    let encoded: serde_json::Value = serde_json::from_slice(&two_types::encode(&decoded).unwrap()).unwrap();
    assert_eq!(encoded, with_new_field);
    // `reason` is optional: absent is fine, and stays absent.
    let without_reason = {
        let mut event: serde_json::Value = serde_json::from_slice(&cancelled).unwrap();
        event["data"].as_object_mut().unwrap().remove("reason");
        event
    };
    let decoded = two_types::decode(&serde_json::to_vec(&without_reason).unwrap()).expect("reason is optional");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), without_reason);
    assert!(matches!(
        two_types::decode(REFERENCE_EXAMPLE.as_bytes()),
        Ok(two_types::Event::TicketingEventPublished(two_types::TicketingEventPublished::V1(_)))
    ));
    assert!(matches!(cope_events::decode(&cancelled), Err(cope_events::DecodeError::UnknownEventType { .. })));
}
