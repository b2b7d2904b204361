//! HTTP binary mode (`ce-*` headers, the payload as the body) and batch mode
//! (`application/cloudevents-batch+json`), both ways, for `Event`, a per-type enum and a
//! `CloudEvent<T>`.

use cope_events::ticketing_event_published::v1::TicketingEventPublishedV1;
use cope_events::{decode, CloudEvent, Decode, DecodeError, Encode, Event, Mode, TicketingEventPublished};
use cope_events_tests::{edited_example, reference_example, REFERENCE_EXAMPLE};

/// The reference example in binary mode, as a sender writes it by hand.
fn binary_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ce-specversion", "1.0"),
        ("CE-ID", "ticketing.event.published:example"),
        ("ce-source", "cope.ticketing"),
        ("ce-type", "ticketing.event.published"),
        ("ce-subject", "event:example"),
        ("ce-time", "2026-05-05T12:00:00.000Z"),
        ("ce-dataschema", "https://schemas.cope.com/events/ticketing.event.published/v1"),
        ("ce-idempotency_key", "ticketing.event.published:example"),
        ("Content-Type", "application/json"),
        ("X-Unrelated", "ignored"),
    ]
}

fn binary_body() -> String {
    reference_example()["data"].to_string()
}

#[test]
fn a_binary_event_decodes_as_its_structured_form() {
    let binary = Event::decode_binary(binary_headers(), binary_body().as_bytes()).unwrap();
    assert_eq!(binary, decode(REFERENCE_EXAMPLE.as_bytes()).unwrap());
    let per_type = TicketingEventPublished::decode_binary(binary_headers(), binary_body().as_bytes()).unwrap();
    assert_eq!(Event::from(per_type), binary);
    let single =
        CloudEvent::<TicketingEventPublishedV1>::decode_binary(binary_headers(), binary_body().as_bytes()).unwrap();
    assert_eq!(Event::from(single), binary);
}

#[test]
fn binary_mode_round_trips_with_percent_encoding() {
    let mut headers = binary_headers();
    headers[4] = ("ce-subject", "event:caf%C3%A9%20bar");
    headers.push(("ce-traceparent", "00-abc"));
    let event = Event::decode_binary(headers, binary_body().as_bytes()).unwrap();
    assert_eq!(event.subject(), Some("event:café bar"));
    let message = event.encode_binary().unwrap();
    assert!(message.headers.contains(&("ce-subject".to_owned(), "event:caf%C3%A9%20bar".to_owned())), "{message:?}");
    assert!(message.headers.contains(&("content-type".to_owned(), "application/json".to_owned())));
    assert!(!message.headers.iter().any(|(name, _)| name == "ce-data" || name == "ce-datacontenttype"));
    let again = Event::decode_binary(message.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), &message.body);
    assert_eq!(again.unwrap(), event);
}

/// The example's headers, edited, with `body`.
fn decode_with(edit: impl FnOnce(&mut Vec<(&'static str, &'static str)>), body: &[u8]) -> Result<Event, DecodeError> {
    let mut headers = binary_headers();
    edit(&mut headers);
    Event::decode_binary(headers, body)
}

#[test]
fn binary_mode_keeps_every_structured_rule() {
    let body = binary_body();
    let twice = decode_with(|headers| headers.push(("Ce-Id", "other")), body.as_bytes());
    assert!(matches!(&twice, Err(DecodeError::NotACloudEvent { attribute: Some(a), .. }) if a == "id"), "{twice:?}");
    let data_header = decode_with(|headers| headers.push(("ce-data", "{}")), body.as_bytes());
    assert!(matches!(&data_header, Err(DecodeError::NotACloudEvent { attribute: Some(a), .. }) if a == "data"));
    let text = decode_with(|headers| headers[8] = ("content-type", "text/plain"), b"not json");
    assert!(
        matches!(&text, Err(DecodeError::ContractViolation { attribute, .. }) if attribute == "datacontenttype"),
        "{text:?}"
    );
    let truncated = decode_with(|_| {}, &body.as_bytes()[..body.len() - 1]);
    assert!(matches!(&truncated, Err(DecodeError::MalformedJson { message }) if message.starts_with("body:")));
    let empty = decode_with(|_| {}, b"");
    assert!(matches!(&empty, Err(DecodeError::ContractViolation { attribute, .. }) if attribute == "data"));
    let bad_time = decode_with(|headers| headers[5] = ("ce-time", "noon"), body.as_bytes());
    assert!(matches!(&bad_time, Err(DecodeError::NotACloudEvent { attribute: Some(a), .. }) if a == "time"));
    let not_utf8 = Event::decode_binary([("ce-id", &b"\xff"[..])], body.as_bytes());
    assert!(matches!(&not_utf8, Err(DecodeError::NotACloudEvent { attribute: Some(a), .. }) if a == "id"));
    let bad_payload = Event::decode_binary(binary_headers(), br#"{"capacity": "many"}"#);
    assert!(matches!(bad_payload, Err(DecodeError::InvalidPayload { .. })));
}

#[test]
fn a_batch_gives_one_result_per_event() {
    let good = REFERENCE_EXAMPLE.trim();
    let unknown = String::from_utf8(edited_example(|event| drop(event.insert("type".into(), "x.y".into())))).unwrap();
    let batch = format!("[{good}, {unknown}, 7, {good}]");
    let results = Event::decode_batch(batch.as_bytes()).unwrap();
    assert_eq!(results.len(), 4);
    assert!(results[0].is_ok() && results[3].is_ok());
    assert!(matches!(results[1], Err(DecodeError::UnknownEventType { .. })));
    assert!(matches!(results[2], Err(DecodeError::NotACloudEvent { .. })));
    assert!(Event::decode_batch(b"[]").unwrap().is_empty());
    assert!(matches!(Event::decode_batch(good.as_bytes()), Err(DecodeError::NotACloudEvent { .. })));
    assert!(matches!(Event::decode_batch(b"[{"), Err(DecodeError::MalformedJson { .. })));

    let events: Vec<Event> = results.into_iter().filter_map(Result::ok).collect();
    let encoded = Event::encode_batch(&events).unwrap();
    let again: Vec<Event> = Event::decode_batch(&encoded).unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(again, events);
    let per_type = TicketingEventPublished::decode_batch(batch.as_bytes()).unwrap();
    assert_eq!(per_type.iter().filter(|result| result.is_ok()).count(), 2);
}

#[test]
fn the_mode_follows_the_content_type_then_the_headers() {
    assert_eq!(Mode::of([("Content-Type", "application/cloudevents+json; charset=utf-8")]), Mode::Structured);
    assert_eq!(Mode::of([("content-type", "application/cloudevents-batch+json")]), Mode::Batch);
    assert_eq!(Mode::of([("content-type", "application/json"), ("ce-specversion", "1.0")]), Mode::Binary);
    assert_eq!(Mode::of([("content-type", "application/json")]), Mode::Structured);
    assert_eq!(Mode::of(Vec::<(&str, &str)>::new()), Mode::Structured);
    let encoded = decode(REFERENCE_EXAMPLE.as_bytes()).unwrap().encode_binary().unwrap();
    assert_eq!(Mode::of(encoded.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))), Mode::Binary);
}
