//! The same consumer against a crate whose manifest gained a second event type: it must stop
//! compiling (E0004, `Event::TicketingEventCancelled` not covered).

use cope_events_fixture_new_event_type as cope_events;

include!("consumer/handle.rs");

fn main() {}
