//! `cargo run -p cope-events-examples --bin producer [URL]`: sends one example event to URL
//! (default http://127.0.0.1:3000/events) in structured mode, then again in binary mode (a
//! redelivery, which the receiver acknowledges as a duplicate).

use std::process::ExitCode;

use cope_events_examples::{example_event, post, Mode};

fn main() -> ExitCode {
    let url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:3000/events".to_owned());
    let event = example_event("ticketing.event.published:example", "ticketing.event.published:example");
    for mode in [Mode::Structured, Mode::Binary] {
        match post(&url, &event, mode) {
            Ok((status, body)) => println!("{mode:?}: {status} {body}"),
            Err(error) => {
                eprintln!("{mode:?}: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
