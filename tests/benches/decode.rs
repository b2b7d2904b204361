//! Decoding the reference example: `cope_events::decode` side by side, in one run, with
//! (a) serde_json straight into a hand-written struct of the same shape (the practical limit),
//! (b) `serde_json::Value`, dispatch on `type`, then `from_value` into that struct, and
//! (c) the `cloudevents-sdk` crate's `Event`, then its data into the payload struct,
//! (d) serde_json into a hand-written struct that borrows every string from the input (no
//! copies, no checks: the ceiling of a serde_json decoder), and
//! (e) sonic-rs (a SIMD JSON parser) into that borrowed struct, with the `sonic-rs` feature
//! (its SIMD paths need `RUSTFLAGS="-C target-cpu=native"`; without, it is scalar), and
//! (f) our own dispatching decode alone, without the one-pass guess (`data` is captured, then
//! decoded once its type is known: read twice), which is what `decode` does when it cannot guess.
//!
//! `cargo bench -p cope-events-tests --bench decode --features sonic-rs` prints the ratio
//! table that the README quotes, computed from criterion's estimates of this same run.

use std::hint::black_box;
use std::path::Path;

use cope_events_tests::{estimates, REFERENCE_EXAMPLE};
use criterion::{Criterion, Throughput};
use serde::Deserialize;

const GROUP: &str = "decode_reference_example";
const OURS: &str = "cope_events_decode";
/// `(function, label, target)`: the ratio we aim for against each baseline; none for the
/// ceilings, which check nothing and copy nothing.
const BASELINES: &[(&str, &str, Option<f64>)] = &[
    ("a_hand_written_struct", "(a) serde_json into a hand-written struct", Some(1.3)),
    ("b_value_dispatch_from_value", "(b) Value, dispatch on type, from_value", Some(1.6)),
    ("c_cloudevents_sdk", "(c) cloudevents-sdk Event, then data", Some(3.5)),
    ("d_borrowed_struct", "(d) serde_json into a borrowed struct (ceiling)", None),
    ("e_sonic_rs_borrowed_struct", "(e) sonic-rs into a borrowed struct (ceiling)", None),
    ("f_dispatching_decode", "(f) our dispatching decode alone (data read twice)", None),
];

/// The reference example's shape, written by hand as a consumer would without this crate.
#[allow(dead_code)]
#[derive(Deserialize)]
struct HandEvent {
    specversion: String,
    id: String,
    source: String,
    #[serde(rename = "type")]
    event_type: String,
    subject: Option<String>,
    time: Option<String>,
    datacontenttype: Option<String>,
    dataschema: Option<String>,
    idempotency_key: Option<String>,
    data: HandPayload,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct HandPayload {
    capacity: i64,
    ends_at: String,
    event_id: String,
    event_product_ids: Vec<serde_json::Value>,
    event_type: String,
    occurred_at: String,
    schema_version: String,
    starts_at: String,
    status: String,
    timezone: String,
    title: String,
    venue: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The reference example's shape, every string borrowed from the input (which has no escapes)
/// and untyped values kept as the parser's raw JSON (`Raw`): what a parser can do without
/// copying.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(bound(deserialize = "Raw: Deserialize<'de>, 'de: 'a"))]
struct BorrowedEvent<'a, Raw> {
    specversion: &'a str,
    id: &'a str,
    source: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    subject: Option<&'a str>,
    time: Option<&'a str>,
    datacontenttype: Option<&'a str>,
    dataschema: Option<&'a str>,
    idempotency_key: Option<&'a str>,
    data: BorrowedPayload<'a, Raw>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(bound(deserialize = "Raw: Deserialize<'de>, 'de: 'a"))]
struct BorrowedPayload<'a, Raw> {
    capacity: i64,
    ends_at: &'a str,
    event_id: &'a str,
    event_product_ids: Vec<Raw>,
    event_type: &'a str,
    occurred_at: &'a str,
    schema_version: &'a str,
    starts_at: &'a str,
    status: &'a str,
    timezone: &'a str,
    title: &'a str,
    venue: Option<Raw>,
}

fn borrowed(bytes: &[u8]) -> BorrowedEvent<'_, &serde_json::value::RawValue> {
    serde_json::from_slice(bytes).expect("decodes")
}

#[cfg(feature = "sonic-rs")]
fn sonic_rs_borrowed(bytes: &[u8]) -> BorrowedEvent<'_, sonic_rs::LazyValue<'_>> {
    sonic_rs::from_slice(bytes).expect("decodes")
}

fn dispatching(bytes: &[u8]) -> cope_events::Event {
    cope_events_tests::dispatching_decode(bytes).expect("decodes")
}

fn hand_written(bytes: &[u8]) -> HandEvent {
    serde_json::from_slice(bytes).expect("decodes")
}

fn value_then_dispatch(bytes: &[u8]) -> HandEvent {
    let value: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
    match value.get("type").and_then(serde_json::Value::as_str) {
        Some("ticketing.event.published") => serde_json::from_value(value).expect("decodes"),
        other => panic!("unexpected type {other:?}"),
    }
}

fn cloudevents_sdk(bytes: &[u8]) -> (cloudevents::Event, HandPayload) {
    let event: cloudevents::Event = serde_json::from_slice(bytes).expect("decodes");
    let payload = match event.data() {
        Some(cloudevents::Data::Json(value)) => HandPayload::deserialize(value).expect("payload"),
        other => panic!("unexpected data {other:?}"),
    };
    (event, payload)
}

fn main() {
    let bytes = REFERENCE_EXAMPLE.as_bytes();
    let output = estimates::criterion_dir();
    let mut criterion = Criterion::default().output_directory(&output).configure_from_args();
    {
        let mut group = criterion.benchmark_group(GROUP);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(OURS, |b| b.iter(|| cope_events::decode(black_box(bytes)).expect("decodes")));
        group.bench_function(BASELINES[0].0, |b| b.iter(|| hand_written(black_box(bytes))));
        group.bench_function(BASELINES[1].0, |b| b.iter(|| value_then_dispatch(black_box(bytes))));
        group.bench_function(BASELINES[2].0, |b| b.iter(|| cloudevents_sdk(black_box(bytes))));
        group.bench_function(BASELINES[3].0, |b| b.iter(|| borrowed(black_box(bytes))));
        #[cfg(feature = "sonic-rs")]
        group.bench_function(BASELINES[4].0, |b| b.iter(|| sonic_rs_borrowed(black_box(bytes))));
        group.bench_function(BASELINES[5].0, |b| b.iter(|| dispatching(black_box(bytes))));
        group.finish();
    }
    criterion.final_summary();
    // `cargo test --benches` runs each benchmark once without measuring: no ratios then.
    if estimates::measuring() {
        print_ratios(&output);
    }
}

fn print_ratios(output: &Path) {
    let Some(ours) = estimates::mean_ns(output, GROUP, OURS) else {
        return; // filtered out: nothing to compare
    };
    println!("\n| decoder | mean time | throughput of cope_events::decode relative to it | target |");
    println!("|---|---|---|---|");
    println!("| `cope_events::decode` | {ours:.0} ns | 1.00x | |");
    for (function, label, target) in BASELINES {
        if let Some(baseline) = estimates::mean_ns(output, GROUP, function) {
            let ratio = baseline / ours;
            let target = match target {
                Some(target) if ratio >= *target => format!(">= {target}x (met)"),
                Some(target) => format!(">= {target}x (NOT met)"),
                None => String::new(),
            };
            println!("| {label} | {baseline:.0} ns | {ratio:.2}x | {target} |");
        }
    }
}
