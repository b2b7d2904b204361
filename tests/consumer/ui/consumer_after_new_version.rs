//! The same consumer against a crate whose manifest gained `ticketing.event.published` v2:
//! it must stop compiling (E0004, `V2` not covered).

use cope_events_fixture_published_v1_v2 as cope_events;

include!("consumer/handle.rs");

fn main() {}
