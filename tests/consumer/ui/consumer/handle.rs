// What a consumer writes against the v1-only crate: decode, then an exhaustive match with no
// catch-all arm. Included by every consumer test, with `cope_events` naming the crate under test.

fn handle(body: &[u8]) -> Result<String, cope_events::DecodeError> {
    use cope_events::{decode, Event, TicketingEventPublished};
    Ok(match decode(body)? {
        Event::TicketingEventPublished(TicketingEventPublished::V1(event)) => {
            format!("{} opens {} seats ({:?})", event.data.title, event.data.capacity, event.idempotency_key())
        }
    })
}
