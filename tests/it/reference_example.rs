//! The reference page's Example CloudEvent decodes to the v1 variant, field by field.

use cope_events::ticketing_event_published::v1::{
    TicketingEventPublishedV1, TicketingEventPublishedV1EventType, TicketingEventPublishedV1SchemaVersion,
    TicketingEventPublishedV1Status,
};
use cope_events::{decode, encode, CloudEvent, Event, IdempotencyKey, TicketingEventPublished};
use cope_events_tests::{edited_example, reference_example, REFERENCE_EXAMPLE};

fn decode_v1(bytes: &[u8]) -> CloudEvent<TicketingEventPublishedV1> {
    match decode(bytes) {
        Ok(Event::TicketingEventPublished(TicketingEventPublished::V1(event))) => event,
        Err(error) => panic!("the example must decode: {error}"),
    }
}

#[test]
fn every_attribute_and_payload_field_is_decoded() {
    let event = decode_v1(REFERENCE_EXAMPLE.as_bytes());
    assert_eq!(event.specversion(), "1.0");
    assert_eq!(event.id(), "ticketing.event.published:example");
    assert_eq!(event.source(), "cope.ticketing");
    assert_eq!(event.event_type(), "ticketing.event.published");
    assert_eq!(event.subject(), Some("event:example"));
    assert_eq!(event.subject_identifier(), Some("example"));
    assert_eq!(event.time_text(), Some("2026-05-05T12:00:00.000Z"));
    let time = event.time().expect("the example has a time");
    assert_eq!((time.timestamp(), time.offset().local_minus_utc()), (1_777_982_400, 0), "parsed, offset kept");
    assert_eq!(event.dataschema(), Some("https://schemas.cope.com/events/ticketing.event.published/v1"));
    assert_eq!(event.datacontenttype(), Some("application/json"));
    assert_eq!(event.cope_idempotency_key(), Some("ticketing.event.published:example"));
    assert_eq!(event.extensions().count(), 0);

    let data = &event.data;
    assert_eq!(data.capacity, 1000);
    assert_eq!(data.ends_at, "2026-05-05T12:00:00.000Z");
    assert_eq!(data.event_id, "example_id");
    assert_eq!(data.event_product_ids, vec![serde_json::json!("example_event_product_ids")]);
    assert_eq!(data.event_type, TicketingEventPublishedV1EventType::TicketingEventPublished);
    assert_eq!(data.occurred_at, "2026-05-05T12:00:00.000Z");
    assert_eq!(data.schema_version, TicketingEventPublishedV1SchemaVersion::V1_0);
    assert_eq!(data.starts_at, "2026-05-05T12:00:00.000Z");
    assert_eq!(data.status, TicketingEventPublishedV1Status::Published);
    assert_eq!(data.timezone, "example_timezone");
    assert_eq!(data.title, "example_title");
    assert_eq!(data.venue, None);
    assert!(data.additional_properties.is_empty());
}

#[test]
fn re_encodes_json_equal() {
    let event = decode(REFERENCE_EXAMPLE.as_bytes()).expect("decodes");
    let encoded: serde_json::Value = serde_json::from_slice(&encode(&event).expect("encodes")).expect("JSON");
    assert_eq!(encoded, reference_example());
}

#[test]
fn idempotency_key_prefers_the_cope_extension() {
    let event = decode(REFERENCE_EXAMPLE.as_bytes()).expect("decodes");
    assert_eq!(event.idempotency_key(), IdempotencyKey::Cope("ticketing.event.published:example".into()));

    let without = decode(&edited_example(|event| {
        event.remove("idempotency_key");
    }))
    .expect("decodes");
    assert_eq!(
        without.idempotency_key(),
        IdempotencyKey::SourceId { source: "cope.ticketing".into(), id: "ticketing.event.published:example".into() }
    );
}

#[test]
fn contract_constants_match_the_reference_page() {
    use cope_events::ticketing_event_published as contract;
    assert_eq!(contract::EVENT_TYPE, "ticketing.event.published");
    assert_eq!(contract::SOURCE, "cope.ticketing");
    assert_eq!(contract::SUBJECT_PREFIX, "event:");
    assert_eq!(contract::CATEGORY, "Ticketing");
    assert_eq!(contract::v1::SCHEMA_ID, "https://schemas.cope.com/events/ticketing.event.published/v1");
    assert_eq!(contract::v1::SCHEMA_VERSION, Some("1.0"));
    assert_eq!(contract::v1::VERSION, 1);
}

#[test]
fn a_new_event_gets_its_attributes_from_the_contract() {
    let payload = decode_v1(REFERENCE_EXAMPLE.as_bytes()).data;
    let event = CloudEvent::new("ticketing.event.published:example", "example", payload)
        .with_time_text("2026-05-05T12:00:00.000Z")
        .unwrap()
        .with_idempotency_key("ticketing.event.published:example");
    let encoded: serde_json::Value =
        serde_json::from_slice(&encode(&Event::TicketingEventPublished(TicketingEventPublished::V1(event))).unwrap())
            .unwrap();
    assert_eq!(encoded, reference_example(), "a built event equals the published example");
}

#[test]
fn every_level_is_an_any_event_that_tells_the_same() {
    fn told(event: &dyn cope_events::AnyEvent) -> (u32, &'static str, &'static str, String, Option<String>, String) {
        let key = format!("{:?}", event.idempotency_key());
        (
            event.version(),
            event.event_type(),
            event.source(),
            event.id().to_owned(),
            event.subject().map(str::to_owned),
            key,
        )
    }
    let event = decode(REFERENCE_EXAMPLE.as_bytes()).expect("decodes");
    let Event::TicketingEventPublished(per_type) = &event;
    let TicketingEventPublished::V1(cloud_event) = per_type;
    let expected = told(cloud_event);
    assert_eq!(expected.0, 1);
    assert_eq!(expected.3, "ticketing.event.published:example");
    assert_eq!(told(per_type), expected);
    assert_eq!(told(&event), expected);
    assert_eq!(told(event.as_any()), expected);
    assert_eq!(event.to_string(), cloud_event.to_string());
}
