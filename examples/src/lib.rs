//! What a consumer and a producer of COPE events write with the generated crate.
//!
//! - [`receiver`]: an axum webhook receiver. `Event` is its extractor, so a request that is
//!   not a usable event never reaches the handler: it is answered with the status of its
//!   error's action (400/422 dead-letter, 202 skip, 503 park). Delivery is at least once, so
//!   the handler deduplicates on `idempotency_key()` and acknowledges a redelivery without
//!   handling it again.
//! - [`example_event`] and [`post`]: a producer that builds an event from its payload's
//!   constructor and sends it in structured or binary mode.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post as post_route;
use axum::Router;
use cope_events::ticketing_event_published::v1::TicketingEventPublishedV1;
use cope_events::{CloudEvent, Encode, EncodeError, Event, IdempotencyKey, Json, TicketingEventPublished};

/// What the receiver has seen and done.
#[derive(Clone, Default)]
pub struct Inbox {
    seen: Arc<Mutex<HashSet<IdempotencyKey<'static>>>>,
    handled: Arc<Mutex<Vec<String>>>,
}

impl Inbox {
    /// The events handled so far, once each, as `Display` writes them.
    pub fn handled(&self) -> Vec<String> {
        self.handled.lock().map(|handled| handled.clone()).unwrap_or_default()
    }
}

/// The webhook receiver: `POST /events` takes one event in structured or binary mode.
pub fn receiver(inbox: Inbox) -> Router {
    Router::new().route("/events", post_route(receive)).with_state(inbox)
}

async fn receive(State(inbox): State<Inbox>, event: Event) -> (StatusCode, &'static str) {
    let first_delivery = match inbox.seen.lock() {
        Ok(mut seen) => seen.insert(event.idempotency_key().into_owned()),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "inbox unavailable"),
    };
    if !first_delivery {
        // Acknowledged, so that the sender stops redelivering; handled once already.
        return (StatusCode::OK, "duplicate");
    }
    match event {
        Event::TicketingEventPublished(TicketingEventPublished::V1(published)) => {
            // The business logic: here, a record of what was handled.
            if let Ok(mut handled) = inbox.handled.lock() {
                handled.push(format!("{published}: {} opens {} seats", published.data.title, published.data.capacity));
            }
        }
    }
    (StatusCode::OK, "handled")
}

/// An event as a producer builds it: the payload's constructor takes the required members
/// and fills in the constants; the envelope's `type`, `source`, `dataschema` come from the
/// contract.
pub fn example_event(id: &str, key: &str) -> Event {
    let payload = TicketingEventPublishedV1::new(
        1000,
        "2026-05-05T12:00:00.000Z",
        "example_id",
        vec![Json::from(serde_json::Value::from("example_event_product_ids"))],
        "2026-05-05T12:00:00.000Z",
        "2026-05-05T12:00:00.000Z",
        "example_timezone",
        "example_title",
    );
    let event = CloudEvent::new(id, "example", payload).with_idempotency_key(key);
    Event::from(event)
}

/// How [`post`] sends an event.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// The whole event as the JSON body.
    Structured,
    /// Attributes as `ce-*` headers, the payload as the body.
    Binary,
}

/// Why sending failed.
#[derive(Debug)]
pub enum SendError {
    /// The event did not encode.
    Encode(EncodeError),
    /// The request did not complete.
    Transport(Box<ureq::Transport>),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Encode(error) => error.fmt(f),
            SendError::Transport(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SendError {}

/// POSTs `event` to `url` and returns the response's status and body.
pub fn post(url: &str, event: &Event, mode: Mode) -> Result<(u16, String), SendError> {
    let (request, body) = match mode {
        Mode::Structured => (
            ureq::post(url).set("content-type", cope_events::STRUCTURED_CONTENT_TYPE),
            event.encode().map_err(SendError::Encode)?,
        ),
        Mode::Binary => {
            let message = event.encode_binary().map_err(SendError::Encode)?;
            let request =
                message.headers.iter().fold(ureq::post(url), |request, (name, value)| request.set(name, value));
            (request, message.body)
        }
    };
    let response = match request.send_bytes(&body) {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(ureq::Error::Transport(transport)) => return Err(SendError::Transport(Box::new(transport))),
    };
    let status = response.status();
    Ok((status, response.into_string().unwrap_or_default()))
}
