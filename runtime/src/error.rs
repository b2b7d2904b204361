//! What decoding and encoding can fail with, and what a consumer should do about it.

use std::fmt;

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

/// Encoding failed; only possible for payloads built by hand with values JSON cannot hold.
#[derive(Debug)]
pub struct EncodeError(pub(crate) serde_json::Error);

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
