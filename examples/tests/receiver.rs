//! The webhook receiver as a real server on 127.0.0.1, driven by a real HTTP client: first
//! deliveries are handled, redeliveries (in either mode) are acknowledged once handled, and
//! bad events are answered by their action without reaching the handler.

use cope_events_examples::{example_event, post, receiver, Inbox, Mode};
use tokio::sync::oneshot;

/// A receiver on an ephemeral port of 127.0.0.1, stopped when dropped.
struct Server {
    url: String,
    inbox: Inbox,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let inbox = Inbox::default();
        let app = receiver(inbox.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, address) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let address = address.recv().unwrap();
        Server { url: format!("http://{address}/events"), inbox, stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn redeliveries_are_handled_once() {
    let server = Server::start();
    let first = example_event("1", "key-1");
    assert_eq!(post(&server.url, &first, Mode::Structured).unwrap(), (200, "handled".to_owned()));
    assert_eq!(post(&server.url, &first, Mode::Structured).unwrap(), (200, "duplicate".to_owned()));
    assert_eq!(post(&server.url, &first, Mode::Binary).unwrap(), (200, "duplicate".to_owned()), "the same key");
    // Another id with the same idempotency key is the same delivery.
    assert_eq!(post(&server.url, &example_event("2", "key-1"), Mode::Binary).unwrap().1, "duplicate");
    assert_eq!(post(&server.url, &example_event("3", "key-3"), Mode::Binary).unwrap(), (200, "handled".to_owned()));
    assert_eq!(
        server.inbox.handled(),
        [
            "ticketing.event.published 1 from cope.ticketing about event:example: example_title opens 1000 seats",
            "ticketing.event.published 3 from cope.ticketing about event:example: example_title opens 1000 seats",
        ]
    );
}

#[test]
fn bad_events_never_reach_the_handler() {
    let server = Server::start();
    let send = |content_type: &str, body: &str| {
        let response = match ureq::post(&server.url).set("content-type", content_type).send_string(body) {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(error) => panic!("{error}"),
        };
        (response.status(), response.into_string().unwrap())
    };
    let (status, text) = send("application/cloudevents+json", "{");
    assert_eq!(status, 400, "{text}");
    assert!(text.starts_with("malformed JSON"), "{text}");
    let unknown = r#"{"specversion":"1.0","id":"1","source":"x","type":"other.event","data":{}}"#;
    assert_eq!(send("application/cloudevents+json", unknown).0, 202, "skipped: acknowledged, not handled");
    assert_eq!(send("application/cloudevents-batch+json", "[]").0, 415);
    assert!(server.inbox.handled().is_empty());
}
