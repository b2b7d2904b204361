//! The rules of CloudEvents context attributes that more than one codec applies: extension
//! names and values, JSON media types, UTF-8 text.

use crate::error::DecodeError;
use crate::DATA_CONTENT_TYPE;

/// Why JSON text cannot be a CloudEvents extension value, if it cannot: the JSON format
/// carries every CloudEvents type as a string (String, URI, URI-reference, Timestamp,
/// Binary), a boolean or an integer in the 32-bit range; `null` means unset and is kept.
pub(crate) fn extension_value_problem(text: &str) -> Option<&'static str> {
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

/// `application/json`, with or without parameters, in any letter case.
pub(crate) fn is_json_media_type(media_type: &str) -> bool {
    media_type_essence(media_type).eq_ignore_ascii_case(DATA_CONTENT_TYPE)
}

pub(crate) fn is_extension_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
}

pub(crate) fn is_reserved_name(name: &str) -> bool {
    matches!(
        name,
        "specversion" | "id" | "source" | "type" | "subject" | "time" | "dataschema" | "datacontenttype" | "data"
    )
}

/// A media type without its parameters.
pub(crate) fn media_type_essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

/// The body as text: JSON is UTF-8.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    // simdutf8 checks with the processor's SIMD instructions (chosen when it runs), several
    // times as fast as the standard library; only an invalid body is checked again, for where.
    simdutf8::basic::from_utf8(bytes).or_else(|_| {
        std::str::from_utf8(bytes).map_err(|error| DecodeError::MalformedJson {
            message: format!("invalid UTF-8 at byte {}", error.valid_up_to()),
        })
    })
}

pub(crate) fn not_a_cloud_event(attribute: &str, reason: &str) -> DecodeError {
    DecodeError::NotACloudEvent { attribute: Some(attribute.to_owned()), reason: reason.to_owned() }
}
