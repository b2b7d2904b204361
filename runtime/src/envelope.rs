//! The envelope reader: one pass over a structured-mode event, its attributes checked, `data` captured for the dispatcher or decoded straight into a guessed payload type (`decode_as`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset};
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::attributes::{extension_value_problem, is_extension_name, is_json_media_type, not_a_cloud_event, utf8};
use crate::cloud_event::{CloudEvent, Contract};
use crate::error::{DecodeError, EncodeError};
use crate::json::{Json, Key, Text};
use crate::reader::Reader;
use crate::texts::Texts;
use crate::{DATA_CONTENT_TYPE, IDEMPOTENCY_KEY_ATTRIBUTE, SPEC_VERSION};

/// Encodes any serialisable event as structured-mode JSON.
pub fn encode_json<E: Serialize>(event: &E) -> Result<Vec<u8>, EncodeError> {
    serde_json::to_vec(event).map_err(EncodeError)
}

/// Decodes `bytes` with `dispatch` choosing the event type and version.
#[doc(hidden)]
pub fn decode_with<'de, E>(
    bytes: &'de [u8],
    dispatch: fn(Envelope<'de, &'de RawValue>) -> Result<E, DecodeError>,
) -> Result<E, DecodeError> {
    decode_text(utf8(bytes)?, dispatch)
}

/// Like [`decode_with`], after trying `guess`: given the event's text and the `type` and
/// `dataschema` it appears to carry (read ahead by [`crate::guess`]), `guess` decodes it in
/// one pass straight as the contract those name ([`decode_as`]), or gives `None`. Whatever
/// the guess does not decode, wrongly guessed, refused or not guessed at all, is decoded by
/// `dispatch`, which gives the same event or says exactly what is wrong: a guess changes how
/// fast an event decodes, never what it decodes to.
#[doc(hidden)]
pub fn decode_guessing<'de, E>(
    bytes: &'de [u8],
    guess: impl Fn(&'de str, &'de str, &'de str) -> Option<E>,
    dispatch: fn(Envelope<'de, &'de RawValue>) -> Result<E, DecodeError>,
) -> Result<E, DecodeError> {
    // `guess` is generic, not a function pointer, so that it inlines and the event it gives
    // is not copied once more on the way out.
    let text = utf8(bytes)?;
    for (event_type, dataschema) in crate::guess::type_and_dataschema(text) {
        if let Some(event) = guess(text, event_type, dataschema) {
            return Ok(event);
        }
    }
    decode_text(text, dispatch)
}

/// Decodes `text` in one pass as an event of `T`'s contract, with `data` read straight into
/// `T`: the event, when it is one and `dataschema` names `T`'s schema; otherwise `None`,
/// whatever the reason (the dispatching decode then says what it is). What it gives is what
/// [`decode_with`] gives for the same text: the same checks in the same envelope visitor, over
/// [`crate::reader`], which reads what serde_json reads as serde_json does, faster, or refuses.
#[doc(hidden)]
pub fn decode_as<T: Contract + DeserializeOwned>(text: &str) -> Option<CloudEvent<T>> {
    let mut error = None;
    let mut attributes = RawAttributes::default();
    let mut payload = None;
    let mut reader = Reader::new(text);
    let visitor = InPlace { error: &mut error, attributes: &mut attributes, payload: &mut payload };
    reader.deserialize_map(visitor).ok()?;
    reader.end().ok()?;
    let data = payload.is_some().then_some(());
    let mut envelope = Envelope { attributes: attributes.validate(data.is_some()).ok()?, data };
    if *envelope.attributes.event_type != *T::EVENT_TYPE
        || envelope.attributes.dataschema.as_deref() != Some(T::SCHEMA_ID)
    {
        return None;
    }
    envelope.check_contract::<T>().ok()?;
    Some(envelope.take_cloud_event(payload?))
}

/// The envelope visitor: the attributes and `data` are read into slots in the caller's frame
/// (for [`decode_as`], the frame that builds the event), not returned through the frames
/// between the parser and the event (each return is a copy of a few hundred bytes; a large
/// payload type held in each of those frames overflows the stack of an unoptimised build;
/// boxed, it costs an allocation). [`EnvelopeVisitor`] is it with slots of its own.
struct InPlace<'a, 'de, T> {
    error: &'a mut Option<DecodeError>,
    attributes: &'a mut RawAttributes<'de>,
    payload: &'a mut Option<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for InPlace<'_, 'de, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvents structured-mode JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let payload = self.payload;
        read_members(&mut map, self.attributes, self.error, &mut |map, error| {
            if payload.is_some() {
                return Err(fail(error, "data", "appears twice"));
            }
            *payload = Some(map.next_value()?);
            Ok(())
        })
    }
}

/// The envelope reader over JSON text: one pass, `data` captured for `dispatch`.
fn decode_text<'de, E>(
    text: &'de str,
    dispatch: fn(Envelope<'de, &'de RawValue>) -> Result<E, DecodeError>,
) -> Result<E, DecodeError> {
    // JSON is UTF-8, and outside strings only ASCII is valid: the callers check the whole body
    // once up front, which rejects exactly what the parser would, and spares it checking every
    // string again (and `data` twice, since it is captured before it is decoded).
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
#[doc(hidden)]
pub fn deserialize_with<'de, D: Deserializer<'de>, E>(
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

pub(crate) fn from_json_error(error: &serde_json::Error) -> DecodeError {
    match error.classify() {
        serde_json::error::Category::Data => {
            DecodeError::NotACloudEvent { attribute: None, reason: format!("the body is not a JSON object ({error})") }
        }
        _ => DecodeError::MalformedJson { message: error.to_string() },
    }
}

pub(crate) fn path_error<'de, T: DeserializeOwned, D: Deserializer<'de>>(deserializer: D) -> (String, String)
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
pub(crate) struct SchemaVersionProbe {
    #[serde(default)]
    pub(crate) schema_version: Option<String>,
}

/// A CloudEvent whose required attributes are present and well formed, with `data` captured
/// (or, inside `decode_as`, already decoded). The generated dispatch code turns it into a typed `CloudEvent`.
#[doc(hidden)]
pub struct Envelope<'de, D> {
    attributes: Attributes<'de>,
    data: Option<D>,
}

/// The attributes of an [`Envelope`], checked.
struct Attributes<'de> {
    id: Text<'de>,
    source: Text<'de>,
    event_type: Text<'de>,
    subject: Option<Text<'de>>,
    time: Option<(Text<'de>, DateTime<FixedOffset>)>,
    dataschema: Option<Text<'de>>,
    datacontenttype: Option<Text<'de>>,
    idempotency_key: Option<Text<'de>>,
    extensions: BTreeMap<String, Json>,
    has_data_base64: bool,
}

impl<'de, D> Envelope<'de, D> {
    /// CloudEvents `type`.
    pub fn event_type(&self) -> &str {
        &self.attributes.event_type
    }

    /// The error for a `type` the dispatcher does not know.
    pub fn unknown_event_type(&self) -> DecodeError {
        DecodeError::UnknownEventType {
            event_type: self.attributes.event_type.to_string(),
            source: self.attributes.source.to_string(),
            id: self.attributes.id.to_string(),
        }
    }

    /// The error for a version the dispatcher does not know.
    pub fn unknown_version(&self, schema_version: Option<String>) -> DecodeError {
        DecodeError::UnknownVersion {
            event_type: self.attributes.event_type.to_string(),
            dataschema: self.attributes.dataschema.as_deref().map(str::to_owned),
            schema_version,
            id: self.attributes.id.to_string(),
        }
    }

    /// The rules of `T`'s delivery contract about the attributes, and `data`, which must be there.
    fn check_contract<T: Contract>(&self) -> Result<&D, DecodeError> {
        if *self.attributes.source != *T::SOURCE {
            return Err(violation::<T>(
                "source",
                format!("must be `{}`, got `{}`", T::SOURCE, &*self.attributes.source),
            ));
        }
        match self.attributes.subject.as_deref().map(|subject| subject.strip_prefix(T::SUBJECT_PREFIX)) {
            Some(Some(identifier)) if !identifier.is_empty() => {}
            Some(_) => {
                return Err(violation::<T>(
                    "subject",
                    format!(
                        "must be `{}<identifier>`, got `{}`",
                        T::SUBJECT_PREFIX,
                        self.attributes.subject.as_deref().unwrap_or_default()
                    ),
                ))
            }
            None => {
                return Err(violation::<T>("subject", format!("is required (`{}<identifier>`)", T::SUBJECT_PREFIX)))
            }
        }
        match &self.attributes.datacontenttype {
            Some(media_type) if !is_json_media_type(media_type) => {
                return Err(violation::<T>(
                    "datacontenttype",
                    format!("must be `{DATA_CONTENT_TYPE}`, got `{media_type}`"),
                ))
            }
            _ => {}
        }
        if self.attributes.has_data_base64 {
            return Err(violation::<T>(
                "data_base64",
                "binary data is not allowed: the payload is a JSON object".to_owned(),
            ));
        }
        self.data.as_ref().ok_or_else(|| violation::<T>("data", "is required".to_owned()))
    }

    /// The event, with its decoded payload; the envelope keeps what it borrows (taken by
    /// reference, not by value: the event is built where it is returned, without copying the
    /// envelope into another frame first).
    fn take_cloud_event<T>(&mut self, payload: T) -> CloudEvent<T> {
        let datacontenttype = self.attributes.datacontenttype.as_deref().map(|media_type| match media_type {
            DATA_CONTENT_TYPE => Cow::Borrowed(DATA_CONTENT_TYPE),
            media_type => Cow::Owned(media_type.to_owned()),
        });
        CloudEvent {
            data: payload,
            texts: Texts::new(
                &self.attributes.id,
                [
                    self.attributes.subject.as_deref(),
                    self.attributes.time.as_ref().map(|(text, _)| &**text),
                    self.attributes.idempotency_key.as_deref(),
                ],
            ),
            time: self.attributes.time.as_ref().map(|(_, parsed)| *parsed),
            has_dataschema: self.attributes.dataschema.is_some(),
            datacontenttype,
            extensions: std::mem::take(&mut self.attributes.extensions),
        }
    }
}

fn violation<T: Contract>(attribute: &str, reason: String) -> DecodeError {
    DecodeError::ContractViolation { event_type: T::EVENT_TYPE, attribute: attribute.to_owned(), reason }
}

impl<'de, D: CapturedData<'de>> Envelope<'de, D> {
    /// The schema id of the version this event is, among `versions` (schema id,
    /// `schema_version` constant): found by `dataschema`, or when that is absent by the
    /// payload's `schema_version`.
    pub fn schema_id(&self, versions: &[(&'static str, Option<&'static str>)]) -> Result<&'static str, DecodeError> {
        let found = match &self.attributes.dataschema {
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

    /// Checks the event against `T`'s delivery contract and decodes its payload.
    pub fn into_event<T: Contract + DeserializeOwned>(mut self) -> Result<CloudEvent<T>, DecodeError> {
        let data = self.check_contract::<T>()?;
        let payload =
            data.decode::<T>().map_err(|(path, reason)| match (T::SCHEMA_VERSION, data.schema_version()) {
                (Some(expected), Some(seen)) if self.attributes.dataschema.is_some() && seen != expected => {
                    violation::<T>(
                        "dataschema",
                        format!(
                            "names `{}` (schema_version `{expected}`) but data.schema_version is `{seen}`",
                            T::SCHEMA_ID
                        ),
                    )
                }
                _ => DecodeError::InvalidPayload { event_type: T::EVENT_TYPE, version: T::VERSION, path, reason },
            })?;
        Ok(self.take_cloud_event(payload))
    }
}

/// A context attribute's value: a string, or any other JSON value (consumed whole, so that a
/// syntax error inside it is still reported as malformed JSON).
pub(crate) enum AttributeValue<'de> {
    String(Text<'de>),
    Other,
}

impl<'de> Deserialize<'de> for AttributeValue<'de> {
    // Inlined into the envelope's loop, for the reason `Key::deserialize` is.
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnyValue;
        impl<'de> Visitor<'de> for AnyValue {
            type Value = AttributeValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            #[inline]
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

pub(crate) struct EnvelopeVisitor<'a, D> {
    error: &'a mut Option<DecodeError>,
    data: PhantomData<D>,
}

/// The envelope as read: its attributes, checked only for their JSON types, and `data`.
pub(crate) struct RawEnvelope<'de, D> {
    attributes: RawAttributes<'de>,
    data: Option<D>,
}

/// The envelope's attributes as read, before any check beyond their JSON types.
#[derive(Default)]
struct RawAttributes<'de> {
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
    has_data_base64: bool,
}

impl<'de, D: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<'_, D> {
    type Value = RawEnvelope<'de, D>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvents structured-mode JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let (mut attributes, mut data) = (RawAttributes::default(), None);
        InPlace { error: self.error, attributes: &mut attributes, payload: &mut data }.visit_map(map)?;
        Ok(RawEnvelope { attributes, data })
    }
}

/// How [`read_members`] reads `data` (with the slot for the decode error).
type ReadData<'a, 'de, A> =
    dyn FnMut(&mut A, &mut Option<DecodeError>) -> Result<(), <A as MapAccess<'de>>::Error> + 'a;

/// Reads every member of the envelope into `raw`, `data` with `read_data`. Generic over the
/// parser only, not over `data`'s type: one copy of it serves every payload type of a crate.
fn read_members<'de, A: MapAccess<'de>>(
    map: &mut A,
    raw: &mut RawAttributes<'de>,
    error: &mut Option<DecodeError>,
    read_data: &mut ReadData<'_, 'de, A>,
) -> Result<(), A::Error> {
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
                read_data(map, error)?;
                continue;
            }
            "data_base64" => {
                if raw.has_data_base64 {
                    return Err(fail(error, "data_base64", "appears twice"));
                }
                map.next_value::<de::IgnoredAny>()?;
                raw.has_data_base64 = true;
                continue;
            }
            _ => {
                let name = name.into_owned();
                if !is_extension_name(&name) {
                    return Err(fail(error, &name, "is not a valid extension attribute name ([a-z0-9]+)"));
                }
                let value = match map.next_value::<Json>() {
                    Ok(value) => value,
                    Err(value_error) => {
                        *error = Some(not_a_cloud_event(&name, &value_error.to_string()));
                        return Err(value_error);
                    }
                };
                if let Some(reason) = extension_value_problem(value.as_text()) {
                    return Err(fail(error, &name, reason));
                }
                if raw.extensions.insert(name.clone(), value).is_some() {
                    return Err(fail(error, &name, "appears twice"));
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(fail(error, &name, "appears twice"));
        }
        match map.next_value::<AttributeValue<'de>>()? {
            AttributeValue::String(value) => *slot = Some(value),
            AttributeValue::Other => return Err(fail(error, &name, "must be a string")),
        }
    }
    Ok(())
}

pub(crate) fn fail<E: de::Error>(slot: &mut Option<DecodeError>, attribute: &str, reason: &str) -> E {
    let error = not_a_cloud_event(attribute, reason);
    let message = error.to_string();
    *slot = Some(error);
    E::custom(message)
}

impl<'de, D> RawEnvelope<'de, D> {
    /// The CloudEvents 1.0 rules that hold for every event type.
    fn validate(self) -> Result<Envelope<'de, D>, DecodeError> {
        Ok(Envelope { attributes: self.attributes.validate(self.data.is_some())?, data: self.data })
    }
}

impl<'de> RawAttributes<'de> {
    fn validate(self, has_data: bool) -> Result<Attributes<'de>, DecodeError> {
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
        if has_data && self.has_data_base64 {
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
        Ok(Attributes {
            id: required(self.id, "id")?,
            source: required(self.source, "source")?,
            event_type: required(self.event_type, "type")?,
            subject: self.subject,
            time,
            dataschema: self.dataschema,
            datacontenttype: self.datacontenttype,
            idempotency_key: self.idempotency_key,
            extensions: self.extensions,
            has_data_base64: self.has_data_base64,
        })
    }
}

/// `data` as captured while reading the envelope, before its type is known.
#[doc(hidden)]
pub trait CapturedData<'de>: Deserialize<'de> {
    /// The captured JSON text.
    fn text(&self) -> &str;

    /// Decodes the captured `data` into `T`, naming the path of the first error.
    fn decode<T: DeserializeOwned>(&self) -> Result<T, (String, String)> {
        serde_json::from_str(self.text()).map_err(|_| {
            // Errors are rare: only then pay for tracking the path.
            let mut deserializer = serde_json::Deserializer::from_str(self.text());
            path_error::<T, _>(&mut deserializer)
        })
    }

    /// The payload's `schema_version` member, when it is a string.
    fn schema_version(&self) -> Option<String> {
        serde_json::from_str::<SchemaVersionProbe>(self.text()).ok()?.schema_version
    }
}

impl<'de> CapturedData<'de> for &'de RawValue {
    fn text(&self) -> &str {
        self.get()
    }
}

impl CapturedData<'_> for Json {
    fn text(&self) -> &str {
        self.as_text()
    }
}
