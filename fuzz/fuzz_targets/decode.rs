//! `cope_events::decode` on arbitrary bytes: never panics, and an event it returns encodes to
//! JSON that decodes to the same event.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(event) = cope_events::decode(body) {
        let encoded = cope_events::encode(&event).expect("a decoded event encodes");
        let again = cope_events::decode(&encoded).expect("an encoded event decodes");
        assert_eq!(again, event, "decode(encode(e)) == e");
    }
});
