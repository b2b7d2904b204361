//! What a consumer writes: decode, then an exhaustive match with no catch-all arm. When the
//! manifest gains a version or an event type, this stops compiling.

use cope_events::{decode, DecodeError, Event, TicketingEventPublished};

fn handle(body: &[u8]) -> Result<String, DecodeError> {
    Ok(match decode(body)? {
        Event::TicketingEventPublished(TicketingEventPublished::V1(event)) => {
            format!("{} opens {} seats ({:?})", event.data.title, event.data.capacity, event.idempotency_key())
        }
    })
}

fn main() {
    let body = include_bytes!("../fixtures/reference-example.json");
    let handled = handle(body).expect("the reference example decodes");
    assert!(handled.starts_with("example_title opens 1000 seats"), "{handled}");
    assert!(matches!(handle(b"{}"), Err(DecodeError::NotACloudEvent { .. })));
}
