//! `cargo run -p cope-events-examples --bin webhook-receiver [ADDRESS]`: serves the receiver
//! on ADDRESS (default 127.0.0.1:3000) until interrupted.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("receiving COPE events on http://{}/events", listener.local_addr()?);
    axum::serve(listener, cope_events_examples::receiver(Default::default())).await
}
