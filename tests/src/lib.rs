//! Fixtures shared by the integration tests and the benchmarks.

pub mod estimates;
pub mod registry_server;
pub mod synthetic;

/// The Example CloudEvent of the `ticketing.event.published` v1 reference page, verbatim.
pub const REFERENCE_EXAMPLE: &str = include_str!("../fixtures/reference-example.json");

/// What `cope_events::decode` gives without its one-pass guess: the envelope read with `data`
/// captured, then dispatched (as the generated `Event::from_envelope` does). The property tests
/// compare the two; the decode benchmark measures it as a baseline.
pub fn dispatching_decode(body: &[u8]) -> Result<cope_events::Event, cope_events::DecodeError> {
    use cope_events::TicketingEventPublished;
    cope_events_runtime::decode_with(body, |envelope| match envelope.event_type() {
        TicketingEventPublished::EVENT_TYPE => TicketingEventPublished::from_envelope(envelope).map(Into::into),
        _ => Err(envelope.unknown_event_type()),
    })
}

/// The reference example as a JSON value, for tests that derive variants of it.
pub fn reference_example() -> serde_json::Value {
    serde_json::from_str(REFERENCE_EXAMPLE).expect("the reference example is JSON")
}

/// The reference example with `edit` applied, as bytes.
pub fn edited_example(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let mut event = reference_example();
    edit(event.as_object_mut().expect("the reference example is an object"));
    serde_json::to_vec(&event).expect("a JSON value encodes")
}

/// The reference example's `data` with `edit` applied, as a whole event.
pub fn edited_payload(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    edited_example(|event| {
        edit(event.get_mut("data").and_then(serde_json::Value::as_object_mut).expect("data is an object"))
    })
}

/// Copies the folder `from` to `to`, every file below it, creating `to`.
pub fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
