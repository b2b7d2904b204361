//! `cope_events::decode` on arbitrary bytes: never panics, gives what the dispatching decode
//! alone gives (its one-pass guess of `type` and `dataschema` and its JSON reader change
//! nothing), and an event it returns encodes to JSON that decodes to the same event. The
//! one-pass JSON reader on its own reads the bytes as serde_json does, or refuses.

#![no_main]

use cope_events::TicketingEventPublished;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(text) = std::str::from_utf8(body) {
        if let Some(value) = cope_events_runtime::reader::read::<serde_json::Value>(text) {
            let theirs = serde_json::from_str::<serde_json::Value>(text).ok();
            assert_eq!(Some(value), theirs, "the reader reads what serde_json reads, to the same value");
        }
    }
    let decoded = cope_events::decode(body);
    let dispatched = cope_events_runtime::decode_with(body, |envelope| match envelope.event_type() {
        TicketingEventPublished::EVENT_TYPE => TicketingEventPublished::from_envelope(envelope).map(Into::into),
        _ => Err(envelope.unknown_event_type()),
    });
    assert_eq!(decoded, dispatched, "the one-pass decode agrees with the dispatching decode");
    if let (Ok(one_pass), Ok(dispatched)) = (&decoded, &dispatched) {
        // `Json` values compare by value (`1` equals `1.0`): their text must be the same too.
        assert_eq!(cope_events::encode(one_pass).ok(), cope_events::encode(dispatched).ok());
    }
    if let Ok(event) = decoded {
        let encoded = cope_events::encode(&event).expect("a decoded event encodes");
        let again = cope_events::decode(&encoded).expect("an encoded event decodes");
        assert_eq!(again, event, "decode(encode(e)) == e");
    }
});
