//! CloudEvents 1.0 structured-JSON envelope and decoding machinery shared by every contract.
//!
//! This module is the same for every registry. The generated dispatch code (`Event`, the
//! per-type enums) calls into it; consumers use `CloudEvent`, `DecodeError` and
//! `IdempotencyKey` through the crate root.
//!
//! Decoding is one pass over the envelope. `data` is captured without being copied (a borrowed
//! raw slice when decoding from bytes) because the event type and version that choose its Rust
//! type may come after it; it is then decoded once, straight into the payload type.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone};
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// The only CloudEvents `specversion` this crate reads and writes.
pub const SPEC_VERSION: &str = "1.0";
/// The `datacontenttype` of every COPE event: `data` is a JSON object.
pub const DATA_CONTENT_TYPE: &str = "application/json";
/// The COPE extension attribute that carries the producer's idempotency key.
///
/// CloudEvents 1.0 restricts extension names to `[a-z0-9]`; COPE publishes this one name with an
/// underscore, so it is accepted as the single documented exception.
pub const IDEMPOTENCY_KEY_ATTRIBUTE: &str = "idempotency_key";
/// The media type of a structured-mode event (CloudEvents JSON event format).
pub const STRUCTURED_CONTENT_TYPE: &str = "application/cloudevents+json";
/// The media type of a batch of structured-mode events.
pub const BATCH_CONTENT_TYPE: &str = "application/cloudevents-batch+json";

/// What every payload type knows about its contract. Implemented by the generated code.
pub trait Contract {
    /// CloudEvents `type`, e.g. `ticketing.event.published`.
    const EVENT_TYPE: &'static str;
    /// The contract's major version.
    const VERSION: u32;
    /// The payload's JSON Schema id, sent as `dataschema`.
    const SCHEMA_ID: &'static str;
    /// The payload's `schema_version` constant, when the schema declares one.
    const SCHEMA_VERSION: Option<&'static str>;
    /// CloudEvents `source` every event of this contract carries.
    const SOURCE: &'static str;
    /// What `subject` starts with; an identifier follows it.
    const SUBJECT_PREFIX: &'static str;
}

/// A CloudEvent of one contract, with its typed payload in `data`.
///
/// `type`, `source` and `specversion` are fixed by the contract and are not stored; the other
/// attributes are kept as received so that encoding gives back what was decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudEvent<T> {
    /// The typed payload.
    pub data: T,
    id: String,
    subject: Option<String>,
    time: Option<EventTime>,
    has_dataschema: bool,
    datacontenttype: Option<Cow<'static, str>>,
    idempotency_key: Option<String>,
    extensions: BTreeMap<String, Json>,
}

impl<T: Contract> CloudEvent<T> {
    /// A new event of `T`'s contract: `type`, `source`, `specversion`, `dataschema` and
    /// `datacontenttype` come from the contract, `subject` is the contract's prefix followed by
    /// `subject_identifier`.
    pub fn new(id: impl Into<String>, subject_identifier: &str, data: T) -> Self {
        CloudEvent {
            data,
            id: id.into(),
            subject: Some(format!("{}{subject_identifier}", T::SUBJECT_PREFIX)),
            time: None,
            has_dataschema: true,
            datacontenttype: Some(Cow::Borrowed(DATA_CONTENT_TYPE)),
            idempotency_key: None,
            extensions: BTreeMap::new(),
        }
    }

    /// Sets `time`, written in RFC 3339 with its offset (`Z` for UTC) and as many fractional
    /// digits as it has.
    pub fn with_time<Tz: TimeZone>(mut self, time: DateTime<Tz>) -> Self {
        let time = time.fixed_offset();
        self.time = Some(EventTime { text: time.to_rfc3339_opts(SecondsFormat::AutoSi, true), parsed: time });
        self
    }

    /// Sets `time` to an RFC 3339 timestamp written as given (`2026-05-05T12:00:00.000Z`), so
    /// that a producer keeps its own spelling; other text is refused.
    pub fn with_time_text(mut self, text: impl Into<String>) -> Result<Self, chrono::ParseError> {
        let text = text.into();
        let parsed = DateTime::parse_from_rfc3339(&text)?;
        self.time = Some(EventTime { text, parsed });
        Ok(self)
    }

    /// Sets the COPE `idempotency_key` extension.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets an extension attribute. Names must be CloudEvents extension names (`[a-z0-9]+`, not
    /// a spec attribute); values must be CloudEvents values: a string (also for URIs,
    /// timestamps and binary), a boolean, or an integer in the 32-bit range.
    pub fn with_extension(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, InvalidExtension> {
        let name = name.into();
        if !is_extension_name(&name) || is_reserved_name(&name) {
            return Err(InvalidExtension {
                name,
                reason: "is not a CloudEvents extension attribute name (lowercase a-z and 0-9, not a spec attribute)",
            });
        }
        let value = Json::from(value.into());
        if let Some(reason) = extension_value_problem(value.as_text()) {
            return Err(InvalidExtension { name, reason });
        }
        self.extensions.insert(name, value);
        Ok(self)
    }

    /// CloudEvents `specversion`, always `1.0`.
    pub fn specversion(&self) -> &'static str {
        SPEC_VERSION
    }
    /// CloudEvents `type`.
    pub fn event_type(&self) -> &'static str {
        T::EVENT_TYPE
    }
    /// CloudEvents `source`.
    pub fn source(&self) -> &'static str {
        T::SOURCE
    }
    /// CloudEvents `id`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// CloudEvents `subject`.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }
    /// The identifier part of `subject`, after the contract's prefix.
    pub fn subject_identifier(&self) -> Option<&str> {
        self.subject.as_deref()?.strip_prefix(T::SUBJECT_PREFIX)
    }
    /// CloudEvents `time`, parsed, with the offset it was written with.
    pub fn time(&self) -> Option<DateTime<FixedOffset>> {
        self.time.as_ref().map(|time| time.parsed)
    }
    /// CloudEvents `time` as received (re-encoding writes this text).
    pub fn time_text(&self) -> Option<&str> {
        self.time.as_ref().map(|time| time.text.as_str())
    }
    /// CloudEvents `dataschema`, when the event carried it.
    pub fn dataschema(&self) -> Option<&'static str> {
        self.has_dataschema.then_some(T::SCHEMA_ID)
    }
    /// CloudEvents `datacontenttype`, when the event carried it.
    pub fn datacontenttype(&self) -> Option<&str> {
        self.datacontenttype.as_deref()
    }
    /// The COPE `idempotency_key` extension, when the event carried it.
    pub fn cope_idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }
    /// The value to deduplicate on (delivery is at least once): the COPE `idempotency_key`
    /// when present, else the CloudEvents (`source`, `id`) pair.
    pub fn idempotency_key(&self) -> IdempotencyKey<'_> {
        match &self.idempotency_key {
            Some(key) => IdempotencyKey::Cope(Cow::Borrowed(key)),
            None => IdempotencyKey::SourceId { source: Cow::Borrowed(T::SOURCE), id: Cow::Borrowed(&self.id) },
        }
    }
    /// One extension attribute other than `idempotency_key`, as received.
    pub fn extension(&self, name: &str) -> Option<&Json> {
        self.extensions.get(name)
    }
    /// Every extension attribute other than `idempotency_key`, sorted by name.
    pub fn extensions(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.extensions.iter().map(|(name, value)| (name.as_str(), value))
    }
}

impl<T: Contract + Serialize> Serialize for CloudEvent<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let optional = [
            self.subject.is_some(),
            self.time.is_some(),
            self.has_dataschema,
            self.datacontenttype.is_some(),
            self.idempotency_key.is_some(),
        ];
        let len = 5 + optional.iter().filter(|present| **present).count() + self.extensions.len();
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("specversion", SPEC_VERSION)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("source", T::SOURCE)?;
        map.serialize_entry("type", T::EVENT_TYPE)?;
        if let Some(subject) = &self.subject {
            map.serialize_entry("subject", subject)?;
        }
        if let Some(time) = &self.time {
            map.serialize_entry("time", &time.text)?;
        }
        if let Some(datacontenttype) = &self.datacontenttype {
            map.serialize_entry("datacontenttype", datacontenttype)?;
        }
        if self.has_dataschema {
            map.serialize_entry("dataschema", T::SCHEMA_ID)?;
        }
        if let Some(key) = &self.idempotency_key {
            map.serialize_entry(IDEMPOTENCY_KEY_ATTRIBUTE, key)?;
        }
        for (name, value) in &self.extensions {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("data", &self.data)?;
        map.end()
    }
}

/// The value to deduplicate deliveries on. Hash it, compare it, store it
/// (`into_owned`) in the consumer's dedup set.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdempotencyKey<'a> {
    /// The producer's COPE `idempotency_key` extension.
    Cope(Cow<'a, str>),
    /// The CloudEvents (`source`, `id`) pair, unique per producer by the spec.
    SourceId {
        /// CloudEvents `source`.
        source: Cow<'a, str>,
        /// CloudEvents `id`.
        id: Cow<'a, str>,
    },
}

impl IdempotencyKey<'_> {
    /// The same key, owning its text.
    pub fn into_owned(self) -> IdempotencyKey<'static> {
        match self {
            IdempotencyKey::Cope(key) => IdempotencyKey::Cope(Cow::Owned(key.into_owned())),
            IdempotencyKey::SourceId { source, id } => {
                IdempotencyKey::SourceId { source: Cow::Owned(source.into_owned()), id: Cow::Owned(id.into_owned()) }
            }
        }
    }
}

impl<T: Contract> fmt::Display for CloudEvent<T> {
    /// `type` `id` from `source`, then `about` `subject` when there is one: what a log line
    /// needs to find the event again.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} from {}", T::EVENT_TYPE, self.id, T::SOURCE)?;
        match &self.subject {
            Some(subject) => write!(f, " about {subject}"),
            None => Ok(()),
        }
    }
}

/// `time` as received and as parsed: decoding checked that the text is RFC 3339.
#[derive(Clone, Debug, PartialEq)]
struct EventTime {
    text: String,
    parsed: DateTime<FixedOffset>,
}

/// A payload member of `format: date-time`: the text exactly as received (so re-encoding gives
/// it back byte for byte), with [`Timestamp::parse`] to read it as a time.
///
/// Decoding does not check the format (JSON Schema makes `format` an annotation unless a
/// validator opts in): a producer's odd spelling reaches the consumer, who decides.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(String);

impl Timestamp {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The text, parsed as an RFC 3339 timestamp with the offset it was written with.
    pub fn parse(&self) -> Result<DateTime<FixedOffset>, chrono::ParseError> {
        DateTime::parse_from_rfc3339(&self.0)
    }
    /// The text.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        Timestamp(text)
    }
}

impl From<&str> for Timestamp {
    fn from(text: &str) -> Self {
        Timestamp(text.to_owned())
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    /// RFC 3339, with the time's offset (`Z` for UTC) and as many fractional digits as it has.
    fn from(time: DateTime<Tz>) -> Self {
        Timestamp(time.fixed_offset().to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl PartialEq<str> for Timestamp {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Timestamp)
    }
}

/// An extension attribute that CloudEvents 1.0 does not allow: its name (not `[a-z0-9]+`, or
/// a context attribute of the spec), or its value (not a string, boolean or 32-bit integer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidExtension {
    /// The attribute's name.
    pub name: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for InvalidExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "extension attribute `{}` {}", self.name, self.reason)
    }
}

impl std::error::Error for InvalidExtension {}

/// Why JSON text cannot be a CloudEvents extension value, if it cannot: the JSON format
/// carries every CloudEvents type as a string (String, URI, URI-reference, Timestamp,
/// Binary), a boolean or an integer in the 32-bit range; `null` means unset and is kept.
fn extension_value_problem(text: &str) -> Option<&'static str> {
    match text.as_bytes().first() {
        Some(b'"' | b't' | b'f' | b'n') => None,
        Some(b'{') => Some("must be a string, a boolean or an integer, not an object"),
        Some(b'[') => Some("must be a string, a boolean or an integer, not an array"),
        _ if text.parse::<i32>().is_ok() => None,
        _ if text.contains(['.', 'e', 'E']) => {
            Some("must be a string, a boolean or an integer, not a number with a fraction or exponent")
        }
        _ => Some("must be an integer in the 32-bit range (-2147483648 to 2147483647)"),
    }
}

/// Why a body is not a usable event. Each kind is something a consumer can act on: the first two
/// are garbage (dead-letter), the unknown ones are events this crate is too old for (ack and
/// skip, or dead-letter for later), the last two are a producer breaking the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The body is not JSON (syntax, truncation, invalid UTF-8, trailing bytes, empty body).
    MalformedJson {
        /// What the JSON parser reported, with line and column.
        message: String,
    },
    /// The body is JSON but not a CloudEvents 1.0 structured event.
    NotACloudEvent {
        /// The offending attribute, when one is to blame.
        attribute: Option<String>,
        /// What is wrong with it.
        reason: String,
    },
    /// A valid CloudEvent whose `type` this crate does not know.
    UnknownEventType {
        /// The `type` received.
        event_type: String,
        /// The `source` received.
        source: String,
        /// The `id` received.
        id: String,
    },
    /// A known event type in a version this crate does not know.
    UnknownVersion {
        /// The `type` received.
        event_type: String,
        /// The `dataschema` received, if any.
        dataschema: Option<String>,
        /// The payload's `schema_version` when `dataschema` was absent, if any.
        schema_version: Option<String>,
        /// The `id` received.
        id: String,
    },
    /// The event breaks its delivery contract.
    ContractViolation {
        /// The event's `type`.
        event_type: &'static str,
        /// The attribute that breaks it.
        attribute: String,
        /// How.
        reason: String,
    },
    /// `data` does not match the payload schema of the event's version.
    InvalidPayload {
        /// The event's `type`.
        event_type: &'static str,
        /// The version whose schema `data` was checked against.
        version: u32,
        /// Where in the event: `data`, `data.capacity`, `data.event_product_ids[0]`.
        path: String,
        /// What is wrong there.
        reason: String,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::MalformedJson { message } => write!(f, "malformed JSON: {message}"),
            DecodeError::NotACloudEvent { attribute: Some(attribute), reason } => {
                write!(f, "not a CloudEvent: `{attribute}` {reason}")
            }
            DecodeError::NotACloudEvent { attribute: None, reason } => {
                write!(f, "not a CloudEvent: {reason}")
            }
            DecodeError::UnknownEventType { event_type, source, id } => {
                write!(f, "unknown event type `{event_type}` (source `{source}`, id `{id}`)")
            }
            DecodeError::UnknownVersion { event_type, dataschema, schema_version, id } => {
                write!(f, "unknown version of `{event_type}` (id `{id}`): ")?;
                match (dataschema, schema_version) {
                    (Some(dataschema), _) => write!(f, "dataschema `{dataschema}`"),
                    (None, Some(version)) => write!(f, "schema_version `{version}`"),
                    (None, None) => f.write_str("neither dataschema nor data.schema_version names one"),
                }
            }
            DecodeError::ContractViolation { event_type, attribute, reason } => {
                write!(f, "`{event_type}` contract violated by `{attribute}`: {reason}")
            }
            DecodeError::InvalidPayload { event_type, version, path, reason } => {
                write!(f, "invalid `{event_type}` v{version} payload at `{path}`: {reason}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// What a consumer should do with an event that did not decode, whatever carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The delivery can never succeed as it is (garbage, or a producer breaking the contract):
    /// move it aside for a person, do not retry.
    DeadLetter,
    /// A valid event this consumer does not handle (an unknown `type`): acknowledge it.
    Skip,
    /// A valid event of a version this crate does not know yet: keep it and retry once the
    /// crate is regenerated.
    Park,
}

impl DecodeError {
    /// What to do with the event: the "typical consumer action" column of the README's table.
    pub fn action(&self) -> Action {
        match self {
            DecodeError::MalformedJson { .. }
            | DecodeError::NotACloudEvent { .. }
            | DecodeError::ContractViolation { .. }
            | DecodeError::InvalidPayload { .. } => Action::DeadLetter,
            DecodeError::UnknownEventType { .. } => Action::Skip,
            DecodeError::UnknownVersion { .. } => Action::Park,
        }
    }
}

/// How an HTTP request carries its events (CloudEvents HTTP protocol binding 1.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The whole event is the body (`application/cloudevents+json`, or any other JSON body
    /// without `ce-` attributes).
    Structured,
    /// Attributes in `ce-*` headers, `datacontenttype` in `Content-Type`, `data` as the body.
    Binary,
    /// A JSON array of structured events (`application/cloudevents-batch+json`).
    Batch,
}

impl Mode {
    /// The mode of a request with these headers: by `Content-Type`, else binary when a
    /// `ce-specversion` header is there, else structured.
    pub fn of<K: AsRef<str>, V: AsRef<[u8]>>(headers: impl IntoIterator<Item = (K, V)>) -> Mode {
        let mut content_type = None;
        let mut has_specversion = false;
        for (name, value) in headers {
            let name = name.as_ref();
            if name.eq_ignore_ascii_case("content-type") {
                content_type =
                    std::str::from_utf8(value.as_ref()).ok().map(|text| media_type_essence(text).to_ascii_lowercase());
            } else if name.eq_ignore_ascii_case("ce-specversion") {
                has_specversion = true;
            }
        }
        match content_type {
            Some(essence) if essence == BATCH_CONTENT_TYPE => Mode::Batch,
            Some(essence) if essence.starts_with("application/cloudevents") => Mode::Structured,
            _ if has_specversion => Mode::Binary,
            _ => Mode::Structured,
        }
    }
}

/// A media type without its parameters.
fn media_type_essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

/// An event decoded from any of the modes of the CloudEvents HTTP binding. Implemented by
/// `Event`, by every per-type enum and by every `CloudEvent<T>`: each decodes only the events
/// it can hold (another type is `UnknownEventType`).
pub trait Decode: Sized {
    /// Decodes one structured-mode event (JSON).
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError>;

    /// Decodes one binary-mode event: attributes from the `ce-*` headers (percent-decoded,
    /// names in any case), `datacontenttype` from `Content-Type`, the body as `data`. Other
    /// headers are ignored; an attribute given twice is `NotACloudEvent`. Every rule of
    /// structured mode holds.
    fn decode_binary<K: AsRef<str>, V: AsRef<[u8]>>(
        headers: impl IntoIterator<Item = (K, V)>,
        body: &[u8],
    ) -> Result<Self, DecodeError> {
        Self::decode(binary::to_structured(headers, body)?.as_bytes())
    }

    /// Decodes a batch: a JSON array of structured events, each decoded on its own, so that
    /// one bad event does not lose the others. Only a body that is not an array at all is
    /// an error.
    fn decode_batch(bytes: &[u8]) -> Result<Vec<Result<Self, DecodeError>>, DecodeError> {
        let text = utf8(bytes)?;
        let events: Vec<&RawValue> = serde_json::from_str(text).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => DecodeError::NotACloudEvent {
                attribute: None,
                reason: format!("a batch must be a JSON array of events ({error})"),
            },
            _ => DecodeError::MalformedJson { message: error.to_string() },
        })?;
        Ok(events.into_iter().map(|event| Self::decode(event.get().as_bytes())).collect())
    }
}

/// An event encoded in any mode of the CloudEvents HTTP binding.
pub trait Encode: Serialize + Sized {
    /// Structured mode: the event as JSON.
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        encode_json(self)
    }

    /// Binary mode: `ce-*` headers (values percent-encoded as the binding requires),
    /// `Content-Type` from `datacontenttype`, and `data` as the body. Decoding it with
    /// [`Decode::decode_binary`] gives the same event, but that extension values arrive as
    /// strings, as headers carry them.
    fn encode_binary(&self) -> Result<BinaryMessage, EncodeError> {
        binary::from_structured(&encode_json(self)?)
    }

    /// A batch of events, as one JSON array.
    fn encode_batch(events: &[Self]) -> Result<Vec<u8>, EncodeError> {
        let mut batch = vec![b'['];
        for (index, event) in events.iter().enumerate() {
            if index > 0 {
                batch.push(b',');
            }
            batch.extend(encode_json(event)?);
        }
        batch.push(b']');
        Ok(batch)
    }
}

impl<T: Contract + Serialize> Encode for CloudEvent<T> {}

impl<T: Contract + DeserializeOwned> Decode for CloudEvent<T> {
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode_with(bytes, single_contract::<T, _>)
    }
}

/// The dispatch of a `CloudEvent<T>`: `T`'s event type, and its one version.
fn single_contract<'de, T: Contract + DeserializeOwned, D: CapturedData<'de>>(
    envelope: Envelope<'de, D>,
) -> Result<CloudEvent<T>, DecodeError> {
    if envelope.event_type() != T::EVENT_TYPE {
        return Err(envelope.unknown_event_type());
    }
    envelope.schema_id(&[(T::SCHEMA_ID, T::SCHEMA_VERSION)])?;
    envelope.into_event()
}

/// An event in HTTP binary mode: headers, then the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryMessage {
    /// `ce-*` headers, lowercase, in the event's attribute order, then `content-type` when the
    /// event has a `datacontenttype`.
    pub headers: Vec<(String, String)>,
    /// `data`, as JSON.
    pub body: Vec<u8>,
}

/// HTTP binary mode to and from the structured form that decoding and encoding use.
mod binary {
    use std::collections::BTreeSet;

    use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
    use serde_json::value::RawValue;

    use super::{is_json_media_type, not_a_cloud_event, utf8, BinaryMessage, DecodeError, EncodeError, Members};

    /// What the binding says to percent-encode in a header value: space, `"`, `%`, and
    /// everything outside printable ASCII.
    const HEADER_VALUE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%');

    pub(super) fn to_structured<K: AsRef<str>, V: AsRef<[u8]>>(
        headers: impl IntoIterator<Item = (K, V)>,
        body: &[u8],
    ) -> Result<String, DecodeError> {
        let mut event = String::from("{");
        let mut seen = BTreeSet::new();
        let mut json_data = true;
        for (name, value) in headers {
            let name = name.as_ref().to_ascii_lowercase();
            let attribute = if name == "content-type" {
                "datacontenttype".to_owned()
            } else if let Some(attribute) = name.strip_prefix("ce-") {
                if matches!(attribute, "data" | "data_base64" | "datacontenttype") {
                    return Err(not_a_cloud_event(
                        attribute,
                        "cannot be a header in binary mode (the body is `data`, `Content-Type` its media type)",
                    ));
                }
                attribute.to_owned()
            } else {
                continue;
            };
            let value = std::str::from_utf8(value.as_ref())
                .ok()
                .and_then(|text| percent_decode_str(text).decode_utf8().ok())
                .ok_or_else(|| not_a_cloud_event(&attribute, "is not UTF-8 once percent-decoded"))?;
            if attribute == "datacontenttype" {
                json_data = is_json_media_type(&value);
            }
            if !seen.insert(attribute.clone()) {
                return Err(not_a_cloud_event(&attribute, "is given twice"));
            }
            if event.len() > 1 {
                event.push(',');
            }
            event.push_str(&serde_json::Value::String(attribute).to_string());
            event.push(':');
            event.push_str(&serde_json::Value::String(value.into_owned()).to_string());
        }
        if !body.is_empty() {
            // A body that is not JSON is refused by its media type, which decoding checks
            // first; its bytes do not matter then.
            let data = if json_data {
                let text = utf8(body)?;
                serde_json::from_str::<&RawValue>(text)
                    .map_err(|error| DecodeError::MalformedJson { message: format!("body: {error}") })?;
                text
            } else {
                "null"
            };
            if event.len() > 1 {
                event.push(',');
            }
            event.push_str("\"data\":");
            event.push_str(data);
        }
        event.push('}');
        Ok(event)
    }

    pub(super) fn from_structured(event: &[u8]) -> Result<BinaryMessage, EncodeError> {
        let members: Members<'_> = serde_json::from_slice(event).map_err(EncodeError)?;
        let mut message = BinaryMessage { headers: Vec::new(), body: Vec::new() };
        let mut content_type = None;
        for (name, value) in members.0 {
            let text = match serde_json::from_str::<String>(value.get()) {
                Ok(text) => text,
                // Booleans and integers (extension values) are written as they are.
                Err(_) => value.get().to_owned(),
            };
            match &*name {
                "data" => message.body = value.get().as_bytes().to_vec(),
                "datacontenttype" => content_type = Some(text),
                _ => message.headers.push((format!("ce-{name}"), utf8_percent_encode(&text, HEADER_VALUE).to_string())),
            }
        }
        if let Some(content_type) = content_type {
            message.headers.push(("content-type".to_owned(), content_type));
        }
        Ok(message)
    }
}

/// The body as text: JSON is UTF-8.
fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|error| DecodeError::MalformedJson {
        message: format!("invalid UTF-8 at byte {}", error.valid_up_to()),
    })
}

/// Encoding failed; only possible for payloads built by hand with values JSON cannot hold.
#[derive(Debug)]
pub struct EncodeError(serde_json::Error);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode event: {}", self.0)
    }
}

impl From<serde_json::Error> for EncodeError {
    fn from(error: serde_json::Error) -> Self {
        EncodeError(error)
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Encodes any serialisable event as structured-mode JSON.
pub fn encode_json<E: Serialize>(event: &E) -> Result<Vec<u8>, EncodeError> {
    serde_json::to_vec(event).map_err(EncodeError)
}

/// Decodes `bytes` with `dispatch` choosing the event type and version.
pub(crate) fn decode_with<'de, E>(
    bytes: &'de [u8],
    dispatch: fn(Envelope<'de, &'de RawValue>) -> Result<E, DecodeError>,
) -> Result<E, DecodeError> {
    // JSON is UTF-8, and outside strings only ASCII is valid: checking the whole body once up
    // front rejects exactly what the parser would, and spares it checking every string again
    // (and `data` twice, since it is captured before it is decoded).
    let text = utf8(bytes)?;
    let mut error = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let envelope = match deserializer.deserialize_map(EnvelopeVisitor { error: &mut error, data: PhantomData }) {
        Ok(envelope) => envelope,
        // A syntax error is malformed JSON even inside an attribute the visitor was reading.
        Err(json_error) if json_error.classify() != serde_json::error::Category::Data => {
            return Err(from_json_error(&json_error))
        }
        Err(json_error) => return Err(error.unwrap_or_else(|| from_json_error(&json_error))),
    };
    deserializer.end().map_err(|json_error| from_json_error(&json_error))?;
    dispatch(envelope.validate()?)
}

/// The `Deserialize` implementation behind the generated `Event`, for serde_json's
/// `Deserializer` and `Value` (`data` and untyped values are captured as JSON text).
pub(crate) fn deserialize_with<'de, D: Deserializer<'de>, E>(
    deserializer: D,
    dispatch: fn(Envelope<'de, Json>) -> Result<E, DecodeError>,
) -> Result<E, D::Error> {
    let mut error = None;
    let envelope = deserializer.deserialize_map(EnvelopeVisitor { error: &mut error, data: PhantomData }).map_err(
        |serde_error| match error.take() {
            Some(decode_error) => de::Error::custom(decode_error),
            None => serde_error,
        },
    )?;
    envelope.validate().and_then(dispatch).map_err(de::Error::custom)
}

fn from_json_error(error: &serde_json::Error) -> DecodeError {
    match error.classify() {
        serde_json::error::Category::Data => {
            DecodeError::NotACloudEvent { attribute: None, reason: format!("the body is not a JSON object ({error})") }
        }
        _ => DecodeError::MalformedJson { message: error.to_string() },
    }
}

/// `data` as captured while reading the envelope, before its type is known.
pub(crate) trait CapturedData<'de>: Deserialize<'de> {
    /// Decodes the captured `data` into `T`, naming the path of the first error.
    fn decode<T: DeserializeOwned>(&self) -> Result<T, (String, String)>;
    /// The payload's `schema_version` member, when it is a string.
    fn schema_version(&self) -> Option<String>;
}

impl<'de> CapturedData<'de> for &'de RawValue {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, (String, String)> {
        serde_json::from_str(self.get()).map_err(|_| {
            // Errors are rare: only then pay for tracking the path.
            let mut deserializer = serde_json::Deserializer::from_str(self.get());
            path_error::<T, _>(&mut deserializer)
        })
    }

    fn schema_version(&self) -> Option<String> {
        serde_json::from_str::<SchemaVersionProbe>(self.get()).ok()?.schema_version
    }
}

impl CapturedData<'_> for Json {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, (String, String)> {
        serde_json::from_str(self.as_text()).map_err(|_| {
            let mut deserializer = serde_json::Deserializer::from_str(self.as_text());
            path_error::<T, _>(&mut deserializer)
        })
    }

    fn schema_version(&self) -> Option<String> {
        serde_json::from_str::<SchemaVersionProbe>(self.as_text()).ok()?.schema_version
    }
}

/// A JSON value the schema leaves untyped (`{}`, `true`, a member with no keywords, members a
/// schema does not document, extension attributes), kept exactly as received: its JSON text.
///
/// Nothing is lost on the way through: an integer of any size, a number's spelling (`1.0`,
/// `1e2`), the order of an object's members are encoded again as they came. Decoding checks
/// the text as strictly as the rest of the event (an object with a key twice is an error).
/// [`Json::to_value`] and [`Json::parse`] turn it into `serde_json::Value` or a type of yours.
#[derive(Clone)]
pub struct Json(Box<RawValue>);

impl Json {
    /// JSON `null`.
    pub fn null() -> Json {
        Json(RawValue::NULL.to_owned())
    }

    /// The value of JSON text `text`, kept as written (without surrounding whitespace). Invalid
    /// JSON, or an object with a key twice, is an error.
    pub fn from_text(text: impl Into<String>) -> Result<Json, serde_json::Error> {
        let raw = RawValue::from_string(text.into())?;
        check_unique_keys(raw.get()).map_err(<serde_json::Error as de::Error>::custom)?;
        Ok(Json(raw))
    }

    /// The JSON text, exactly as received.
    pub fn as_text(&self) -> &str {
        self.0.get()
    }

    /// As a `serde_json::Value`. Numbers that `serde_json::Value` holds only approximately
    /// (integers beyond 64 bits, more digits than an `f64` has) come out rounded, and one
    /// beyond `f64`'s range (`1e400`) is an error; [`Json::as_text`] has them exactly.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// Decodes the value into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        Json::from(&value)
    }
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Json {
        // `Value`'s text is always valid JSON with unique keys.
        RawValue::from_string(value.to_string()).map(Json).unwrap_or_else(|_| Json::null())
    }
}

/// Equal when they are the same JSON value, as JSON Schema compares values: whatever the
/// spacing and member order, numbers by value (`1` equals `1.0`). Numbers beyond what an
/// `f64` holds exactly are compared as `f64`s; the same text is always equal.
impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.as_text() == other.as_text()
            || matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if payload::json_equal(&a, &b))
    }
}

impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        self.to_value().is_ok_and(|value| payload::json_equal(&value, other))
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Json({})", self.as_text())
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_text())
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        check_unique_keys(raw.get()).map_err(de::Error::custom)?;
        Ok(Json(raw))
    }
}

/// The text as it came when encoding to JSON (`serde_json`, which [`encode`](crate::encode)
/// uses). Other serde formats get `serde_json`'s raw-value token.
impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Checks that no object in the JSON text has a key twice, nested at most as deep as
/// serde_json reads. One pass over the text (which serde_json has already read as JSON):
/// numbers are skipped, not read, since JSON allows any size (`1e400`, 400 digits) and their
/// text is what is kept; only keys are decoded. The error names where inside the value
/// (`[0].k`).
fn check_unique_keys(text: &str) -> Result<(), String> {
    /// How deep untyped values may nest, as serde_json's own limit.
    const MAX_DEPTH: usize = 128;
    enum Level {
        Object { keys: std::collections::BTreeSet<String>, key: Option<String>, expecting_key: bool },
        Array { index: usize },
    }
    fn path(levels: &[Level]) -> String {
        let mut path = String::new();
        for level in levels {
            match level {
                Level::Object { key: Some(key), .. } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Level::Object { key: None, .. } => {}
                Level::Array { index } => path.push_str(&format!("[{index}]")),
            }
        }
        path
    }
    let fail = |levels: &[Level], message: String| {
        let at = path(levels);
        Err(if at.is_empty() { message } else { format!("{message}, at `{at}` inside the value") })
    };
    let bytes = text.as_bytes();
    let mut levels: Vec<Level> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            opening @ (b'{' | b'[') => {
                if levels.len() >= MAX_DEPTH {
                    return fail(&levels, "recursion limit exceeded".to_owned());
                }
                levels.push(if opening == b'{' {
                    Level::Object { keys: std::collections::BTreeSet::new(), key: None, expecting_key: true }
                } else {
                    Level::Array { index: 0 }
                });
            }
            b'}' | b']' => {
                levels.pop();
            }
            b',' => match levels.last_mut() {
                Some(Level::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Level::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = at;
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                let quoted = text.get(start..=at).unwrap_or_default();
                if let Some(Level::Object { keys, key, expecting_key: expecting @ true }) = levels.last_mut() {
                    *expecting = false;
                    let name: String = serde_json::from_str(quoted).map_err(|error| payload::message(&error))?;
                    if !keys.insert(name.clone()) {
                        *key = None;
                        return fail(&levels, format!("duplicate key `{name}`"));
                    }
                    *key = Some(name);
                }
            }
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// An object's members in order, each value as its text; a key given twice stays twice.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'a>, A::Error> {
                let mut members = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor(PhantomData))
    }
}

fn path_error<'de, T: DeserializeOwned, D: Deserializer<'de>>(deserializer: D) -> (String, String)
where
    D::Error: fmt::Display,
{
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(_) => ("data".to_owned(), "does not match the payload schema".to_owned()),
        Err(error) => {
            let path = error.path().to_string();
            let path = if path == "." { "data".to_owned() } else { format!("data.{path}") };
            (path, error.into_inner().to_string())
        }
    }
}

#[derive(Deserialize)]
struct SchemaVersionProbe {
    #[serde(default)]
    schema_version: Option<String>,
}

/// A CloudEvent whose required attributes are present and well formed, with `data` not yet
/// decoded. The generated dispatch code turns it into a typed `CloudEvent`.
pub(crate) struct Envelope<'de, D> {
    id: Text<'de>,
    source: Text<'de>,
    event_type: Text<'de>,
    subject: Option<Text<'de>>,
    time: Option<(Text<'de>, DateTime<FixedOffset>)>,
    dataschema: Option<Text<'de>>,
    datacontenttype: Option<Text<'de>>,
    idempotency_key: Option<Text<'de>>,
    extensions: BTreeMap<String, Json>,
    data: Option<D>,
    has_data_base64: bool,
}

impl<'de, D: CapturedData<'de>> Envelope<'de, D> {
    /// CloudEvents `type`.
    pub(crate) fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The error for a `type` the dispatcher does not know.
    pub(crate) fn unknown_event_type(&self) -> DecodeError {
        DecodeError::UnknownEventType {
            event_type: self.event_type.to_string(),
            source: self.source.to_string(),
            id: self.id.to_string(),
        }
    }

    /// The schema id of the version this event is, among `versions` (schema id,
    /// `schema_version` constant): found by `dataschema`, or when that is absent by the
    /// payload's `schema_version`.
    pub(crate) fn schema_id(
        &self,
        versions: &[(&'static str, Option<&'static str>)],
    ) -> Result<&'static str, DecodeError> {
        let found = match &self.dataschema {
            Some(dataschema) => versions.iter().find(|(id, _)| *id == &**dataschema),
            None => {
                let schema_version = self.data.as_ref().and_then(CapturedData::schema_version);
                let found = schema_version
                    .as_deref()
                    .and_then(|seen| versions.iter().find(|(_, version)| *version == Some(seen)));
                if found.is_none() {
                    return Err(self.unknown_version(schema_version));
                }
                found
            }
        };
        found.map(|(id, _)| *id).ok_or_else(|| self.unknown_version(None))
    }

    /// The error for a version the dispatcher does not know.
    pub(crate) fn unknown_version(&self, schema_version: Option<String>) -> DecodeError {
        DecodeError::UnknownVersion {
            event_type: self.event_type.to_string(),
            dataschema: self.dataschema.as_deref().map(str::to_owned),
            schema_version,
            id: self.id.to_string(),
        }
    }

    /// Checks the event against `T`'s delivery contract and decodes its payload.
    pub(crate) fn into_event<T: Contract + DeserializeOwned>(self) -> Result<CloudEvent<T>, DecodeError> {
        let violation = |attribute: &str, reason: String| DecodeError::ContractViolation {
            event_type: T::EVENT_TYPE,
            attribute: attribute.to_owned(),
            reason,
        };
        if *self.source != *T::SOURCE {
            return Err(violation("source", format!("must be `{}`, got `{}`", T::SOURCE, &*self.source)));
        }
        match self.subject.as_deref().map(|subject| subject.strip_prefix(T::SUBJECT_PREFIX)) {
            Some(Some(identifier)) if !identifier.is_empty() => {}
            Some(_) => {
                return Err(violation(
                    "subject",
                    format!(
                        "must be `{}<identifier>`, got `{}`",
                        T::SUBJECT_PREFIX,
                        self.subject.as_deref().unwrap_or_default()
                    ),
                ))
            }
            None => return Err(violation("subject", format!("is required (`{}<identifier>`)", T::SUBJECT_PREFIX))),
        }
        let datacontenttype = match self.datacontenttype {
            None => None,
            Some(Text::Borrowed(DATA_CONTENT_TYPE)) => Some(Cow::Borrowed(DATA_CONTENT_TYPE)),
            Some(media_type) if is_json_media_type(&media_type) => Some(Cow::Owned(media_type.into_owned())),
            Some(other) => {
                return Err(violation("datacontenttype", format!("must be `{DATA_CONTENT_TYPE}`, got `{other}`")))
            }
        };
        if self.has_data_base64 {
            return Err(violation(
                "data_base64",
                "binary data is not allowed: the payload is a JSON object".to_owned(),
            ));
        }
        let Some(data) = self.data else {
            return Err(violation("data", "is required".to_owned()));
        };
        let payload =
            data.decode::<T>().map_err(|(path, reason)| match (T::SCHEMA_VERSION, data.schema_version()) {
                (Some(expected), Some(seen)) if self.dataschema.is_some() && seen != expected => violation(
                    "dataschema",
                    format!(
                        "names `{}` (schema_version `{expected}`) but data.schema_version is `{seen}`",
                        T::SCHEMA_ID
                    ),
                ),
                _ => DecodeError::InvalidPayload { event_type: T::EVENT_TYPE, version: T::VERSION, path, reason },
            })?;
        Ok(CloudEvent {
            data: payload,
            id: self.id.into_owned(),
            subject: self.subject.map(Cow::into_owned),
            time: self.time.map(|(text, parsed)| EventTime { text: text.into_owned(), parsed }),
            has_dataschema: self.dataschema.is_some(),
            datacontenttype,
            idempotency_key: self.idempotency_key.map(Cow::into_owned),
            extensions: self.extensions,
        })
    }
}

/// `application/json`, with or without parameters, in any letter case.
fn is_json_media_type(media_type: &str) -> bool {
    media_type_essence(media_type).eq_ignore_ascii_case(DATA_CONTENT_TYPE)
}

fn is_extension_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
}

fn is_reserved_name(name: &str) -> bool {
    matches!(
        name,
        "specversion" | "id" | "source" | "type" | "subject" | "time" | "dataschema" | "datacontenttype" | "data"
    )
}

/// Text borrowed from the input when it has no escapes, owned otherwise.
type Text<'de> = Cow<'de, str>;

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Text<'de>, E> {
        Ok(Cow::Borrowed(value))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Text<'de>, E> {
        Ok(Cow::Owned(value.to_owned()))
    }
    fn visit_string<E: de::Error>(self, value: String) -> Result<Text<'de>, E> {
        Ok(Cow::Owned(value))
    }
}

/// A map key or string value read without copying when the input allows it.
pub(crate) struct Key<'de>(pub(crate) Text<'de>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(Key)
    }
}

/// Helpers the generated payload `Deserialize` implementations call.
#[allow(dead_code, reason = "each helper serves some payload shapes, which a registry may not have")]
pub(crate) mod payload {
    use super::*;

    /// How deep unions may nest while decoding one value.
    const MAX_UNION_DEPTH: usize = 64;
    /// How many union branches one top-level decode may try.
    const MAX_UNION_ATTEMPTS: usize = 100_000;

    thread_local! {
        /// (unions entered and not left, branches tried since the outermost was entered).
        static UNION_WORK: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
    }

    /// Held while a union decodes; leaving the outermost one resets the branch count.
    pub(crate) struct UnionDepth(());

    impl Drop for UnionDepth {
        fn drop(&mut self) {
            UNION_WORK.with(|work| {
                let (depth, attempts) = work.get();
                let depth = depth.saturating_sub(1);
                work.set((depth, if depth == 0 { 0 } else { attempts }));
            });
        }
    }

    /// Enters a union: an error past [`MAX_UNION_DEPTH`] (a union whose branches lead back to
    /// itself without reading input would otherwise recurse until the stack overflows).
    pub(crate) fn enter_union<E: de::Error>() -> Result<UnionDepth, E> {
        UNION_WORK.with(|work| {
            let (depth, attempts) = work.get();
            if depth >= MAX_UNION_DEPTH {
                return Err(E::custom(format!("unions nest deeper than {MAX_UNION_DEPTH}")));
            }
            work.set((depth + 1, attempts));
            Ok(UnionDepth(()))
        })
    }

    /// Counts one branch tried: an error past [`MAX_UNION_ATTEMPTS`] (nested unions whose
    /// branches overlap would otherwise take time exponential in the nesting).
    pub(crate) fn attempt_branch<E: de::Error>() -> Result<(), E> {
        UNION_WORK.with(|work| {
            let (depth, attempts) = work.get();
            if attempts >= MAX_UNION_ATTEMPTS {
                return Err(E::custom(format!("more than {MAX_UNION_ATTEMPTS} union branches tried for one value")));
            }
            work.set((depth, attempts + 1));
            Ok(())
        })
    }

    /// The error of a union no branch of which matched: what each branch tried said.
    pub(crate) fn no_branch(summary: &str, failures: &[String]) -> String {
        /// Enough to see why, short enough when unions nest.
        const MAX_DETAIL: usize = 300;
        if failures.is_empty() {
            return summary.to_owned();
        }
        let mut detail = failures.join("; ");
        if detail.len() > MAX_DETAIL {
            let mut end = MAX_DETAIL;
            while !detail.is_char_boundary(end) {
                end -= 1;
            }
            detail.truncate(end);
            detail.push('…');
        }
        format!("{summary}: {detail}")
    }

    /// Reads a documented member into its slot; a second occurrence is an error.
    pub(crate) fn set_once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        map: &mut A,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *slot = Some(map.next_value()?);
        Ok(())
    }

    /// Like [`set_once`], for a member whose type holds a map (which would keep the last of two
    /// equal keys): read strictly (a key given twice anywhere inside is an error), then decoded.
    pub(crate) fn set_once_strict<'de, A: MapAccess<'de>, T: DeserializeOwned>(
        map: &mut A,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *slot = Some(map.next_value_seed(StrictSeed(PhantomData))?);
        Ok(())
    }

    /// Captures the value's text (checking it has no key twice), then decodes `T` from it while
    /// still inside the member, so that an error's path names the member. Nothing is rounded on
    /// the way: the text is what came.
    struct StrictSeed<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> de::DeserializeSeed<'de> for StrictSeed<T> {
        type Value = T;
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
            let raw = Json::deserialize(deserializer)?;
            raw.parse().map_err(|error| de::Error::custom(message(&error)))
        }
    }

    /// Reads `T` strictly (a key given twice anywhere inside is an error), for a newtype whose
    /// value holds a map.
    pub(crate) fn read_strict<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<T, D::Error> {
        de::DeserializeSeed::deserialize(StrictSeed(PhantomData), deserializer)
    }

    /// A `serde_json` error's message without its position (which counts inside a captured
    /// value, not in the event).
    pub(crate) fn message(error: &serde_json::Error) -> String {
        let text = error.to_string();
        if error.line() == 0 {
            return text;
        }
        let position = format!(" at line {} column {}", error.line(), error.column());
        text.strip_suffix(&position).map(str::to_owned).unwrap_or(text)
    }

    /// A JSON number's value when it is an integer (exactly, beyond what an `f64` holds).
    pub(crate) fn integer_of(number: &serde_json::Number) -> Option<i128> {
        number.as_i64().map(i128::from).or_else(|| number.as_u64().map(i128::from))
    }

    /// One branch of a union tried on the value's text: the branch, or why it does not match.
    pub(crate) fn branch<T: DeserializeOwned>(raw: &Json) -> Result<T, String> {
        raw.parse().map_err(|error| message(&error))
    }

    /// The member `name` of an object value, when it is a string (a union's tag).
    pub(crate) fn tag(raw: &Json, name: &str) -> Option<String> {
        let Members(members) = serde_json::from_str(raw.as_text()).ok()?;
        let (_, value) = members.into_iter().find(|(key, _)| key == name)?;
        serde_json::from_str(value.get()).ok()
    }

    /// The next item of an array, read strictly (a key given twice anywhere inside is an error).
    pub(crate) fn next_strict<'de, A: de::SeqAccess<'de>, T: DeserializeOwned>(
        seq: &mut A,
    ) -> Result<Option<T>, A::Error> {
        seq.next_element_seed(StrictSeed(PhantomData))
    }

    /// A payload struct whose schema denies undocumented members (`additionalProperties:
    /// false`): as a union branch, it matches only a value that has none.
    pub(crate) trait Undocumented {
        /// No member the schema does not document came.
        fn is_complete(&self) -> bool;
    }

    /// Keeps a member the schema does not document, of the type its `additionalProperties`
    /// gives (any JSON value when it gives none); a second occurrence is an error.
    pub(crate) fn keep_extra<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        map: &mut A,
        members: &mut BTreeMap<String, T>,
        key: Key<'de>,
    ) -> Result<(), A::Error> {
        let value = map.next_value()?;
        insert_member(members, key, value)
    }

    /// Like [`keep_extra`], for a type that holds a map: read strictly, then decoded.
    pub(crate) fn keep_extra_strict<'de, A: MapAccess<'de>, T: DeserializeOwned>(
        map: &mut A,
        members: &mut BTreeMap<String, T>,
        key: Key<'de>,
    ) -> Result<(), A::Error> {
        let value = map.next_value_seed(StrictSeed(PhantomData))?;
        insert_member(members, key, value)
    }

    fn insert_member<E: de::Error, T>(members: &mut BTreeMap<String, T>, key: Key<'_>, value: T) -> Result<(), E> {
        match members.entry(key.0.into_owned()) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(value);
                Ok(())
            }
            std::collections::btree_map::Entry::Occupied(existing) => {
                Err(de::Error::custom(format_args!("duplicate field `{}`", existing.key())))
            }
        }
    }

    /// Whether `value` is the JSON value `listed` (JSON text), as JSON Schema compares them:
    /// numbers by their value (`1` is `1.0`), objects whatever their member order.
    pub(crate) fn same_json(value: &Value, listed: &str) -> bool {
        serde_json::from_str::<Value>(listed).is_ok_and(|listed| json_equal(value, &listed))
    }

    pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(a), Some(b), _, _) => a == b,
                (_, _, Some(a), Some(b)) => a == b,
                _ => a.as_f64() == b.as_f64(),
            },
            (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| json_equal(a, b)),
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(key, a)| b.get(key).is_some_and(|b| json_equal(a, b)))
            }
            (a, b) => a == b,
        }
    }

    /// A required member that was absent.
    pub(crate) fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
        slot.ok_or_else(|| de::Error::missing_field(name))
    }
}

/// A context attribute's value: a string, or any other JSON value (consumed whole, so that a
/// syntax error inside it is still reported as malformed JSON).
enum AttributeValue<'de> {
    String(Text<'de>),
    Other,
}

impl<'de> Deserialize<'de> for AttributeValue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnyValue;
        impl<'de> Visitor<'de> for AnyValue {
            type Value = AttributeValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(AttributeValue::String(Cow::Borrowed(value)))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(AttributeValue::String(Cow::Owned(value.to_owned())))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(AttributeValue::String(Cow::Owned(value)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(AttributeValue::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(AttributeValue::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(AttributeValue::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(AttributeValue::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(AttributeValue::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(AttributeValue::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(AttributeValue::Other)
            }
        }
        deserializer.deserialize_any(AnyValue)
    }
}

struct EnvelopeVisitor<'a, D> {
    error: &'a mut Option<DecodeError>,
    data: PhantomData<D>,
}

/// The envelope's members as read, before any check beyond their JSON types.
struct RawEnvelope<'de, D> {
    specversion: Option<Text<'de>>,
    id: Option<Text<'de>>,
    source: Option<Text<'de>>,
    event_type: Option<Text<'de>>,
    subject: Option<Text<'de>>,
    time: Option<Text<'de>>,
    dataschema: Option<Text<'de>>,
    datacontenttype: Option<Text<'de>>,
    idempotency_key: Option<Text<'de>>,
    extensions: BTreeMap<String, Json>,
    data: Option<D>,
    has_data_base64: bool,
}

impl<'de, D: CapturedData<'de>> Visitor<'de> for EnvelopeVisitor<'_, D> {
    type Value = RawEnvelope<'de, D>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvents structured-mode JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut raw = RawEnvelope {
            specversion: None,
            id: None,
            source: None,
            event_type: None,
            subject: None,
            time: None,
            dataschema: None,
            datacontenttype: None,
            idempotency_key: None,
            extensions: BTreeMap::new(),
            data: None,
            has_data_base64: false,
        };
        while let Some(Key(name)) = map.next_key::<Key<'de>>()? {
            let slot = match &*name {
                "specversion" => &mut raw.specversion,
                "id" => &mut raw.id,
                "source" => &mut raw.source,
                "type" => &mut raw.event_type,
                "subject" => &mut raw.subject,
                "time" => &mut raw.time,
                "dataschema" => &mut raw.dataschema,
                "datacontenttype" => &mut raw.datacontenttype,
                IDEMPOTENCY_KEY_ATTRIBUTE => &mut raw.idempotency_key,
                "data" => {
                    if raw.data.is_some() {
                        return Err(fail(self.error, "data", "appears twice"));
                    }
                    raw.data = Some(map.next_value::<D>()?);
                    continue;
                }
                "data_base64" => {
                    if raw.has_data_base64 {
                        return Err(fail(self.error, "data_base64", "appears twice"));
                    }
                    map.next_value::<de::IgnoredAny>()?;
                    raw.has_data_base64 = true;
                    continue;
                }
                _ => {
                    let name = name.into_owned();
                    if !is_extension_name(&name) {
                        return Err(fail(self.error, &name, "is not a valid extension attribute name ([a-z0-9]+)"));
                    }
                    let value = match map.next_value::<Json>() {
                        Ok(value) => value,
                        Err(value_error) => {
                            *self.error = Some(not_a_cloud_event(&name, &value_error.to_string()));
                            return Err(value_error);
                        }
                    };
                    if let Some(reason) = extension_value_problem(value.as_text()) {
                        return Err(fail(self.error, &name, reason));
                    }
                    if raw.extensions.insert(name.clone(), value).is_some() {
                        return Err(fail(self.error, &name, "appears twice"));
                    }
                    continue;
                }
            };
            if slot.is_some() {
                return Err(fail(self.error, &name, "appears twice"));
            }
            match map.next_value::<AttributeValue<'de>>()? {
                AttributeValue::String(value) => *slot = Some(value),
                AttributeValue::Other => return Err(fail(self.error, &name, "must be a string")),
            }
        }
        Ok(raw)
    }
}

fn fail<E: de::Error>(slot: &mut Option<DecodeError>, attribute: &str, reason: &str) -> E {
    let error = not_a_cloud_event(attribute, reason);
    let message = error.to_string();
    *slot = Some(error);
    E::custom(message)
}

impl<'de, D: CapturedData<'de>> RawEnvelope<'de, D> {
    /// The CloudEvents 1.0 rules that hold for every event type.
    fn validate(self) -> Result<Envelope<'de, D>, DecodeError> {
        let required = |value: Option<Text<'de>>, attribute: &str| match value {
            Some(value) if !value.is_empty() => Ok(value),
            Some(_) => Err(not_a_cloud_event(attribute, "must not be empty")),
            None => Err(not_a_cloud_event(attribute, "is required")),
        };
        let specversion = required(self.specversion, "specversion")?;
        if specversion != SPEC_VERSION {
            return Err(not_a_cloud_event(
                "specversion",
                &format!("must be \"{SPEC_VERSION}\", got \"{specversion}\""),
            ));
        }
        if self.data.is_some() && self.has_data_base64 {
            return Err(not_a_cloud_event("data_base64", "must not appear together with data"));
        }
        let time = match self.time {
            None => None,
            Some(text) => match DateTime::parse_from_rfc3339(&text) {
                Ok(parsed) => Some((text, parsed)),
                Err(_) => {
                    return Err(not_a_cloud_event("time", &format!("must be an RFC 3339 timestamp, got \"{text}\"")))
                }
            },
        };
        if let Some(source) = &self.source {
            if fluent_uri::UriRef::parse(&**source).is_err() {
                return Err(not_a_cloud_event(
                    "source",
                    &format!("must be a URI-reference (RFC 3986), got \"{source}\""),
                ));
            }
        }
        Ok(Envelope {
            id: required(self.id, "id")?,
            source: required(self.source, "source")?,
            event_type: required(self.event_type, "type")?,
            subject: self.subject,
            time,
            dataschema: self.dataschema,
            datacontenttype: self.datacontenttype,
            idempotency_key: self.idempotency_key,
            extensions: self.extensions,
            data: self.data,
            has_data_base64: self.has_data_base64,
        })
    }
}

fn not_a_cloud_event(attribute: &str, reason: &str) -> DecodeError {
    DecodeError::NotACloudEvent { attribute: Some(attribute.to_owned()), reason: reason.to_owned() }
}
