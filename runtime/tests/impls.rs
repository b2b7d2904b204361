//! The macros of `impls` and the payload helpers they call, invoked the way a generated
//! crate invokes them: this file is the crate root, with an `Event` over one event type of
//! two versions.

use serde::Serialize;
use serde_json::json;

use cope_events_runtime::payload::{self, FromMembers, Slot, StringEnum};
use cope_events_runtime::{impls, CloudEvent, Contract, Decode, DecodeError, Encode, Key};

/// A payload read member by member, as generated structs are.
#[derive(Clone, Debug, PartialEq)]
struct Order {
    id: String,
    status: Status,
    note: Option<String>,
}

impl<'de> FromMembers<'de> for Order {
    const EXPECTING: &'static str = "a JSON object (Order)";
    fn from_members<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let (mut id, mut status, mut note) = (None, None, None);
        while let Some(key) = payload::next_key(&mut map)? {
            match &*key.0 {
                "id" => id.set(&mut map, "id")?,
                "status" => status.set(&mut map, "status")?,
                "note" => note.set(&mut map, "note")?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Order { id: id.required("id")?, status: status.required("status")?, note })
    }
}
impls::deserialize_members!(Order);

impl Serialize for Order {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(note) = &self.note {
            map.serialize_entry("note", note)?;
        }
        map.end()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Open,
    Shipped,
    Lost,
}
impl StringEnum for Status {
    const VALUES: &'static [(Self, &'static str)] =
        &[(Self::Open, "open"), (Self::Shipped, "shipped"), (Self::Lost, "lost")];
}
impls::string_enum!(Status);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pair {
    Yes,
    No,
}
impl StringEnum for Pair {
    const VALUES: &'static [(Self, &'static str)] = &[(Self::Yes, "yes"), (Self::No, "no")];
}
impls::string_enum!(Pair);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Only {
    One,
}
impl StringEnum for Only {
    const VALUES: &'static [(Self, &'static str)] = &[(Self::One, "1.0")];
}
impls::string_enum!(Only);

/// The same enums with serde's derive, whose error wording the runtime's must match.
mod derived {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    pub enum Status {
        #[serde(rename = "open")]
        Open,
        #[serde(rename = "shipped")]
        Shipped,
        #[serde(rename = "lost")]
        Lost,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    pub enum Pair {
        #[serde(rename = "yes")]
        Yes,
        #[serde(rename = "no")]
        No,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    pub enum Only {
        #[serde(rename = "1.0")]
        One,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
struct OrderV2 {
    id: String,
}

impl Contract for Order {
    const EVENT_TYPE: &'static str = "order.changed";
    const VERSION: u32 = 1;
    const SCHEMA_ID: &'static str = "https://example.com/order/v1";
    const SCHEMA_VERSION: Option<&'static str> = None;
    const SOURCE: &'static str = "shop";
    const SUBJECT_PREFIX: &'static str = "order:";
}

impl Contract for OrderV2 {
    const EVENT_TYPE: &'static str = "order.changed";
    const VERSION: u32 = 2;
    const SCHEMA_ID: &'static str = "https://example.com/order/v2";
    const SCHEMA_VERSION: Option<&'static str> = None;
    const SOURCE: &'static str = "shop";
    const SUBJECT_PREFIX: &'static str = "order:";
}

const ORDER_CHANGED: &str = "order.changed";

#[derive(Clone, Debug, PartialEq)]
enum OrderChanged {
    V1(CloudEvent<Order>),
    V2(CloudEvent<OrderV2>),
}
impls::event_type!(OrderChanged = ORDER_CHANGED { V1(Order), V2(OrderV2) });

/// Event types whose enums are named like the generics of serde's and the envelope's
/// signatures (`S`, `D`): the macros must not mistake one for the other.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
struct Note {
    text: String,
}

impl Contract for Note {
    const EVENT_TYPE: &'static str = "s";
    const VERSION: u32 = 1;
    const SCHEMA_ID: &'static str = "https://example.com/s/v1";
    const SCHEMA_VERSION: Option<&'static str> = None;
    const SOURCE: &'static str = "shop";
    const SUBJECT_PREFIX: &'static str = "order:";
}

#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
struct Memo {
    text: String,
}

impl Contract for Memo {
    const EVENT_TYPE: &'static str = "d";
    const VERSION: u32 = 1;
    const SCHEMA_ID: &'static str = "https://example.com/d/v1";
    const SCHEMA_VERSION: Option<&'static str> = None;
    const SOURCE: &'static str = "shop";
    const SUBJECT_PREFIX: &'static str = "order:";
}

const S_TYPE: &str = "s";
const D_TYPE: &str = "d";

#[derive(Clone, Debug, PartialEq)]
enum S {
    V1(CloudEvent<Note>),
}
impls::event_type!(S = S_TYPE { V1(Note) });

#[derive(Clone, Debug, PartialEq)]
enum D {
    V1(CloudEvent<Memo>),
}
impls::event_type!(D = D_TYPE { V1(Memo) });

#[derive(Clone, Debug, PartialEq)]
enum Event {
    OrderChanged(OrderChanged),
    S(S),
    D(D),
}

impls::events!(Event { OrderChanged, S, D });

fn envelope(schema: &str, data: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0", "id": "7", "source": "shop", "type": "order.changed",
        "subject": "order:9", "dataschema": schema, "data": data,
    }))
    .unwrap()
}

#[test]
fn string_enums_read_and_write_exactly_the_listed_texts() {
    assert_eq!(serde_json::from_str::<Status>(r#""shipped""#).unwrap(), Status::Shipped);
    assert_eq!(Status::Lost.as_str(), "lost");
    assert_eq!(Only::One.to_string(), "1.0");
    assert_eq!(serde_json::to_string(&Pair::No).unwrap(), r#""no""#);
    // Not the externally tagged form serde's derive also accepts for a unit variant.
    assert!(serde_json::from_str::<Status>(r#"{"open": null}"#).is_err());
}

#[test]
fn an_unlisted_string_is_worded_as_serde_words_it() {
    fn both<T: serde::de::DeserializeOwned, U: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) {
        // The value is read before it is compared, so serde_json adds no position to ours.
        let ours = serde_json::from_str::<T>(text).err().expect("unlisted").to_string();
        let serdes = serde_json::from_str::<U>(text).expect_err("unlisted").to_string();
        assert_eq!(ours, serdes.split(" at line ").next().unwrap());
    }
    both::<Status, derived::Status>(r#""closed""#);
    both::<Pair, derived::Pair>(r#""maybe""#);
    both::<Only, derived::Only>(r#""2.0""#);
}

#[test]
fn members_are_read_once_and_required_ones_must_come() {
    let order: Order = serde_json::from_str(r#"{"status": "open", "id": "a", "extra": 1}"#).unwrap();
    assert_eq!(order, Order { id: "a".into(), status: Status::Open, note: None });
    let twice = serde_json::from_str::<Order>(r#"{"id": "a", "id": "b", "status": "open"}"#).unwrap_err();
    assert!(twice.to_string().contains("duplicate field `id`"), "{twice}");
    let absent = serde_json::from_str::<Order>(r#"{"id": "a"}"#).unwrap_err();
    assert!(absent.to_string().contains("missing field `status`"), "{absent}");
    let not_an_object = serde_json::from_str::<Order>("[]").unwrap_err();
    assert!(not_an_object.to_string().contains("a JSON object (Order)"), "{not_an_object}");
}

#[test]
fn an_event_type_dispatches_on_the_schema_id_and_delegates_to_its_version() {
    let v1 = envelope("https://example.com/order/v1", json!({"id": "a", "status": "lost"}));
    let v2 = envelope("https://example.com/order/v2", json!({"id": "b"}));
    let first = OrderChanged::decode(&v1).unwrap();
    assert!(matches!(&first, OrderChanged::V1(event) if event.data.status == Status::Lost));
    assert_eq!((first.version(), first.id(), first.subject()), (1, "7", Some("order:9")));
    assert_eq!((first.event_type(), first.source()), ("order.changed", "shop"));
    let OrderChanged::V1(inner) = &first else { unreachable!() };
    assert_eq!(first.to_string(), inner.to_string());
    assert_eq!(first.idempotency_key(), inner.idempotency_key());
    assert_eq!(OrderChanged::decode(&v2).unwrap().version(), 2);
    let unknown = envelope("https://example.com/order/v3", json!({"id": "c"}));
    assert!(matches!(OrderChanged::decode(&unknown), Err(DecodeError::UnknownVersion { .. })));
}

#[test]
fn the_crate_enum_dispatches_on_the_type_and_converts_from_every_level() {
    let bytes = envelope("https://example.com/order/v2", json!({"id": "b"}));
    let event = Event::decode(&bytes).unwrap();
    let Event::OrderChanged(OrderChanged::V2(inner)) = &event else { panic!("{event:?}") };
    assert_eq!(Event::from(inner.clone()), event);
    assert_eq!(Event::from(OrderChanged::V2(inner.clone())), event);
    assert_eq!((event.version(), event.as_any().id()), (2, "7"));
    assert_eq!(serde_json::from_slice::<Event>(&bytes).unwrap(), event);
    let encoded: serde_json::Value = serde_json::from_slice(&event.encode().unwrap()).unwrap();
    assert_eq!(encoded, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap());
    let other = String::from_utf8(bytes).unwrap().replace("order.changed", "order.lost");
    assert!(matches!(Event::decode(other.as_bytes()), Err(DecodeError::UnknownEventType { .. })));
}

#[test]
fn a_key_is_borrowed_from_the_input_where_it_can_be() {
    let key: Key<'_> = serde_json::from_str(r#""plain""#).unwrap();
    assert!(matches!(key.0, std::borrow::Cow::Borrowed("plain")));
}

#[test]
fn event_types_named_like_generics_dispatch_and_encode() {
    for (event_type, schema) in [("s", "https://example.com/s/v1"), ("d", "https://example.com/d/v1")] {
        let bytes = serde_json::to_vec(&json!({
            "specversion": "1.0", "id": "1", "source": "shop", "type": event_type,
            "subject": "order:1", "dataschema": schema, "data": {"text": "x"},
        }))
        .unwrap();
        let event = Event::decode(&bytes).unwrap();
        assert_eq!(event.event_type(), event_type);
        let encoded: serde_json::Value = serde_json::from_slice(&event.encode().unwrap()).unwrap();
        assert_eq!(encoded, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap());
    }
}
