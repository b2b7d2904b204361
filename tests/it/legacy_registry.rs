//! The `legacy-draft-04` fixture registry: draft-04 documents (`id`, `definitions`, boolean
//! `exclusiveMinimum`, `dependencies`, one document without `$schema` read by the manifest's
//! `default_draft`), relative ids under `base_uri`, and a contract that uses a definition
//! inside another contract's document. Its crate compiles (a dependency of this one) and
//! decodes as the schemas say.

use cope_events_fixture_legacy_draft_04::{decode, encode, Event, LegacyOrderRefunded};
use serde_json::{json, Value};

fn event(event_type: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "1",
        "source": "legacy",
        "type": event_type,
        "subject": "order:1",
        "dataschema": format!("https://legacy.fixture.test/schemas/{}.json", event_type.trim_start_matches("legacy.").replace('.', "-")),
        "data": data,
    }))
    .unwrap()
}

fn round_trip(event_type: &str, data: Value) -> Result<Value, String> {
    let decoded = decode(&event(event_type, data)).map_err(|error| error.to_string())?;
    let encoded: Value = serde_json::from_slice(&encode(&decoded).unwrap()).unwrap();
    Ok(encoded["data"].clone())
}

fn placed() -> Value {
    json!({
        "order_id": "o-1",
        "lines": [{"sku": "tee", "quantity": 1}],
        "total": {"amount": 12.5, "currency": "EUR"},
        "coupon": null
    })
}

#[test]
fn draft_04_documents_decode_as_their_draft_says() {
    assert_eq!(round_trip("legacy.order.placed", placed()).unwrap(), placed());
    let mut zero = placed();
    zero["lines"][0]["quantity"] = json!(0);
    let error = round_trip("legacy.order.placed", zero).unwrap_err();
    assert!(error.contains("data.lines[0].quantity"), "exclusiveMinimum: true excludes 0: {error}");
    let mut lowercase = placed();
    lowercase["total"]["currency"] = json!("eur");
    assert!(round_trip("legacy.order.placed", lowercase).is_err(), "the document without $schema is draft-04 too");
    // `dependencies` is not enforced (listed in the module's docs): accepting more, never less.
    let mut note_alone = placed();
    note_alone["gift_note"] = json!("for you");
    assert!(round_trip("legacy.order.placed", note_alone).is_ok());
}

#[test]
fn a_definition_inside_another_contract_document_is_one_shared_type() {
    let data = json!({"order_id": "o-1", "lines": [{"sku": "tee", "quantity": 2}], "amount": {"amount": 5, "currency": "EUR"}});
    assert_eq!(round_trip("legacy.order.refunded", data.clone()).unwrap(), data);
    let Event::LegacyOrderRefunded(LegacyOrderRefunded::V1(refund)) =
        decode(&event("legacy.order.refunded", data)).unwrap()
    else {
        panic!("a refund");
    };
    let line: &cope_events_fixture_legacy_draft_04::shared::schemas_order_placed::Line = &refund.data.lines[0];
    assert_eq!((line.sku.as_str(), line.quantity.get()), ("tee", 2));
}

#[test]
fn a_shared_map_refuses_a_key_given_twice() {
    let data = json!({"order_id": "o-1", "lines": [], "tags": {"a": "x", "b": "y"}});
    assert_eq!(round_trip("legacy.order.refunded", data.clone()).unwrap(), data);
    let body = String::from_utf8(event("legacy.order.refunded", data)).unwrap().replace(r#""b":"y""#, r#""a":"y""#);
    let error = decode(body.as_bytes()).expect_err("a map is never last-wins").to_string();
    assert!(error.contains("data.tags") && error.contains("duplicate"), "{error}");
}
