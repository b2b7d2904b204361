//! What a producer writes: payload constructors with the constants filled in, setters for the
//! optional members, the conversions into the dispatch enums, and `Display`; and the action a
//! consumer takes for each decode error.

use std::collections::BTreeMap;

use cope_events::ticketing_event_published::v1::TicketingEventPublishedV1;
use cope_events::{decode, Action, CloudEvent, DecodeError, Event, Json, TicketingEventPublished};
use cope_events_tests::{edited_example, REFERENCE_EXAMPLE};

/// The reference page's payload, built from its required members only.
fn reference_payload() -> TicketingEventPublishedV1 {
    TicketingEventPublishedV1::new(
        1000,
        "2026-05-05T12:00:00.000Z",
        "example_id",
        vec![Json::from(serde_json::json!("example_event_product_ids"))],
        "2026-05-05T12:00:00.000Z",
        "2026-05-05T12:00:00.000Z",
        "example_timezone",
        "example_title",
    )
}

fn reference_event() -> CloudEvent<TicketingEventPublishedV1> {
    CloudEvent::new("ticketing.event.published:example", "example", reference_payload())
        .with_time_text("2026-05-05T12:00:00.000Z")
        .unwrap()
        .with_idempotency_key("ticketing.event.published:example")
}

#[test]
fn a_constructed_event_is_the_published_example() {
    let built = Event::from(reference_event());
    let published = decode(REFERENCE_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(built, published, "constants (event_type, schema_version, status) are filled in");
    let per_type = TicketingEventPublished::from(reference_event());
    assert_eq!(Event::from(per_type), published);
}

#[test]
fn optional_members_have_setters() {
    let venue: BTreeMap<String, Json> = [("name".to_owned(), Json::from(serde_json::json!("Hall")))].into();
    let payload = reference_payload().with_venue(venue.clone());
    assert_eq!(payload.venue, Some(venue));
    let encoded = serde_json::to_value(&payload).unwrap();
    assert_eq!(encoded["venue"], serde_json::json!({"name": "Hall"}));
    assert!(reference_payload().venue.is_none(), "absent unless set");
}

#[test]
fn a_time_keeps_its_spelling_or_is_written_in_rfc_3339() {
    assert!(CloudEvent::new("1", "x", reference_payload()).with_time_text("yesterday").is_err());
    let time = cope_events::chrono::DateTime::parse_from_rfc3339("2026-05-05T14:00:00.250+02:00").unwrap();
    let event = CloudEvent::new("1", "x", reference_payload()).with_time(time);
    assert_eq!(event.time_text(), Some("2026-05-05T14:00:00.250+02:00"));
    assert_eq!(event.time(), Some(time));
    let utc = CloudEvent::new("1", "x", reference_payload()).with_time(time.to_utc());
    assert_eq!(utc.time_text(), Some("2026-05-05T12:00:00.250Z"));
}

#[test]
fn events_display_type_id_source_and_subject() {
    let event = Event::from(reference_event());
    assert_eq!(
        event.to_string(),
        "ticketing.event.published ticketing.event.published:example from cope.ticketing about event:example"
    );
    assert_eq!(reference_event().to_string(), event.to_string());
}

#[test]
fn every_decode_error_has_the_action_of_the_readme_table() {
    let action = |bytes: &[u8]| decode(bytes).map(|_| ()).unwrap_err().action();
    assert_eq!(action(b"{"), Action::DeadLetter, "MalformedJson");
    assert_eq!(action(&edited_example(|event| drop(event.remove("id")))), Action::DeadLetter, "NotACloudEvent");
    let unknown_type = edited_example(|event| drop(event.insert("type".into(), "x.y".into())));
    assert!(matches!(decode(&unknown_type), Err(DecodeError::UnknownEventType { .. })));
    assert_eq!(action(&unknown_type), Action::Skip);
    let unknown_version = edited_example(|event| drop(event.insert("dataschema".into(), "https://x/v9".into())));
    assert!(matches!(decode(&unknown_version), Err(DecodeError::UnknownVersion { .. })));
    assert_eq!(action(&unknown_version), Action::Park);
    let wrong_source = edited_example(|event| drop(event.insert("source".into(), "elsewhere".into())));
    assert!(matches!(decode(&wrong_source), Err(DecodeError::ContractViolation { .. })));
    assert_eq!(action(&wrong_source), Action::DeadLetter);
    let bad_payload = edited_example(|event| drop(event["data"].as_object_mut().unwrap().remove("title")));
    assert!(matches!(decode(&bad_payload), Err(DecodeError::InvalidPayload { .. })));
    assert_eq!(action(&bad_payload), Action::DeadLetter);
}
