//! The CloudEvents HTTP protocol binding: structured, binary and batch modes, and the `Decode` and `Encode` traits over them.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::attributes::{media_type_essence, utf8};
use crate::cloud_event::{CloudEvent, Contract};
use crate::envelope::{decode_as, decode_guessing, encode_json, CapturedData, Envelope};
use crate::error::{DecodeError, EncodeError};
use crate::BATCH_CONTENT_TYPE;

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
        decode_guessing(
            bytes,
            |text, event_type, _| if event_type == T::EVENT_TYPE { decode_as::<T>(text) } else { None },
            single_contract::<T, _>,
        )
    }
}

/// The dispatch of a `CloudEvent<T>`: `T`'s event type, and its one version.
pub(crate) fn single_contract<'de, T: Contract + DeserializeOwned, D: CapturedData<'de>>(
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
pub(crate) mod binary {
    use std::collections::BTreeSet;

    use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
    use serde_json::value::RawValue;

    use super::BinaryMessage;
    use crate::attributes::{is_json_media_type, not_a_cloud_event, utf8};
    use crate::error::{DecodeError, EncodeError};
    use crate::json::Members;

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
