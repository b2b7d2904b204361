//! Conversions to and from the CloudEvents SDK's `cloudevents::Event` (feature `cloudevents`),
//! for the SDK's Kafka, NATS, actix, axum and reqwest bindings.
//!
//! From the SDK, an event goes through every check `decode` makes, and its `time` is written as
//! RFC 3339 in UTC with as many fractional digits as it has (the SDK holds a UTC instant, not
//! the text it received). To the SDK, every attribute, extension and member of `data` is kept;
//! `time` becomes the same instant in UTC. The conversion to the SDK fails only for an untyped
//! value that `serde_json::Value`, the SDK's `data`, cannot hold (a number beyond `f64`, as
//! `1e400`).

use std::borrow::Cow;

use chrono::SecondsFormat;
use cloudevents::event::{AttributesReader, AttributesWriter, Data, ExtensionValue, SpecVersion};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::{encode_json, CloudEvent, Contract, Decode, DecodeError, EncodeError, Json};

/// The SDK's event as one structured-mode event, for [`Decode::decode`].
#[doc(hidden)]
pub fn to_structured(event: &cloudevents::Event) -> Result<Vec<u8>, DecodeError> {
    if event.specversion() != SpecVersion::V10 {
        return Err(DecodeError::NotACloudEvent {
            attribute: Some("specversion".to_owned()),
            reason: format!("must be \"1.0\", got \"{}\"", event.specversion()),
        });
    }
    let mut members: Vec<(Cow<'_, str>, Value)> = vec![
        ("specversion".into(), "1.0".into()),
        ("id".into(), event.id().into()),
        ("source".into(), event.source().as_str().into()),
        ("type".into(), event.ty().into()),
    ];
    if let Some(subject) = event.subject() {
        members.push(("subject".into(), subject.into()));
    }
    if let Some(time) = event.time() {
        members.push(("time".into(), time.to_rfc3339_opts(SecondsFormat::AutoSi, true).into()));
    }
    if let Some(datacontenttype) = event.datacontenttype() {
        members.push(("datacontenttype".into(), datacontenttype.into()));
    }
    if let Some(dataschema) = event.dataschema() {
        members.push(("dataschema".into(), dataschema.as_str().into()));
    }
    for (name, value) in event.iter_extensions() {
        let value = match value {
            ExtensionValue::String(text) => Value::from(text.as_str()),
            ExtensionValue::Boolean(flag) => Value::from(*flag),
            ExtensionValue::Integer(number) => Value::from(*number),
        };
        members.push((name.into(), value));
    }
    let mut text = String::from("{");
    for (name, value) in &members {
        text.push_str(&Value::from(&**name).to_string());
        text.push(':');
        text.push_str(&value.to_string());
        text.push(',');
    }
    match event.data() {
        None => {
            text.pop();
        }
        Some(Data::Json(value)) => text.push_str(&format!("\"data\":{value}")),
        // A JSON text the SDK kept as text or bytes (a binding that did not parse it).
        Some(Data::String(data)) => text.push_str(&format!("\"data\":{}", json_text(data.as_bytes())?)),
        Some(Data::Binary(data)) if is_json(event.datacontenttype()) => {
            text.push_str(&format!("\"data\":{}", json_text(data)?))
        }
        // Binary data is refused by the contract; its bytes do not matter.
        Some(Data::Binary(_)) => text.push_str("\"data_base64\":\"\""),
    }
    text.push('}');
    Ok(text.into_bytes())
}

fn is_json(datacontenttype: Option<&str>) -> bool {
    datacontenttype.is_none_or(|media_type| {
        let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    })
}

fn json_text(data: &[u8]) -> Result<&str, DecodeError> {
    let text = std::str::from_utf8(data).map_err(|error| DecodeError::MalformedJson {
        message: format!("data: invalid UTF-8 at byte {}", error.valid_up_to()),
    })?;
    serde_json::from_str::<&RawValue>(text)
        .map_err(|error| DecodeError::MalformedJson { message: format!("data: {error}") })?;
    Ok(text)
}

fn encode_error(message: String) -> EncodeError {
    EncodeError::from(<serde_json::Error as serde::ser::Error>::custom(message))
}

/// An encoded structured-mode event as the SDK's event.
#[doc(hidden)]
pub fn from_structured(event: &[u8]) -> Result<cloudevents::Event, EncodeError> {
    let members: Vec<(String, Json)> = serde_json::from_slice::<std::collections::BTreeMap<String, Json>>(event)
        .map_err(EncodeError::from)?
        .into_iter()
        .collect();
    let mut sdk = cloudevents::Event::default();
    // The SDK's default event carries the current time: an event without `time` keeps none.
    sdk.set_time(None::<chrono::DateTime<chrono::Utc>>);
    for (name, value) in &members {
        let text = || serde_json::from_str::<String>(value.as_text()).unwrap_or_else(|_| value.as_text().to_owned());
        match name.as_str() {
            "specversion" => {}
            "id" => {
                sdk.set_id(text());
            }
            "source" => {
                sdk.set_source(text());
            }
            "type" => {
                sdk.set_type(text());
            }
            "subject" => {
                sdk.set_subject(Some(text()));
            }
            "time" => {
                let time = chrono::DateTime::parse_from_rfc3339(&text())
                    .map_err(|error| encode_error(format!("time: {error}")))?;
                sdk.set_time(Some(time.to_utc()));
            }
            "datacontenttype" => {
                sdk.set_datacontenttype(Some(text()));
            }
            "dataschema" => {
                let url = url::Url::parse(&text()).map_err(|error| encode_error(format!("dataschema: {error}")))?;
                sdk.set_dataschema(Some(url));
            }
            "data" => {
                sdk.set_data_unchecked(Data::Json(value.to_value().map_err(EncodeError::from)?));
            }
            extension => {
                let value = match serde_json::from_str::<Value>(value.as_text()).map_err(EncodeError::from)? {
                    Value::String(text) => ExtensionValue::String(text),
                    Value::Bool(flag) => ExtensionValue::Boolean(flag),
                    Value::Number(number) if number.is_i64() => {
                        ExtensionValue::Integer(number.as_i64().unwrap_or_default())
                    }
                    other => ExtensionValue::String(other.to_string()),
                };
                sdk.set_extension(extension, value);
            }
        }
    }
    Ok(sdk)
}

impl<T: Contract + DeserializeOwned> TryFrom<cloudevents::Event> for CloudEvent<T> {
    type Error = DecodeError;

    fn try_from(event: cloudevents::Event) -> Result<Self, DecodeError> {
        Self::decode(&to_structured(&event)?)
    }
}

impl<T: Contract + Serialize> TryFrom<CloudEvent<T>> for cloudevents::Event {
    type Error = EncodeError;

    fn try_from(event: CloudEvent<T>) -> Result<Self, EncodeError> {
        from_structured(&encode_json(&event)?)
    }
}

/// `TryFrom` both ways between the SDK's event and a generated event type.
#[doc(hidden)]
#[macro_export]
macro_rules! __cloudevents_conversions {
    ($event:ty) => {
        impl ::std::convert::TryFrom<$crate::cloudevents::Event> for $event {
            type Error = $crate::DecodeError;

            fn try_from(event: $crate::cloudevents::Event) -> ::std::result::Result<Self, Self::Error> {
                <Self as $crate::Decode>::decode(&$crate::with_cloudevents::to_structured(&event)?)
            }
        }

        impl ::std::convert::TryFrom<$event> for $crate::cloudevents::Event {
            type Error = $crate::EncodeError;

            fn try_from(event: $event) -> ::std::result::Result<Self, Self::Error> {
                $crate::with_cloudevents::from_structured(&$crate::encode_json(&event)?)
            }
        }
    };
}
#[doc(hidden)]
pub use crate::__cloudevents_conversions as conversions;
