//! The envelope of one contract's events, `CloudEvent<T>`, and what it is keyed on.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::attributes::{extension_value_problem, is_extension_name, is_reserved_name};
use crate::error::InvalidExtension;
use crate::json::Json;
use crate::texts::{Optional, Texts};
use crate::{DATA_CONTENT_TYPE, IDEMPOTENCY_KEY_ATTRIBUTE, SPEC_VERSION};

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
    /// `id`, `subject`, `time` as written and the COPE idempotency key.
    pub(crate) texts: Texts,
    /// `time` parsed: present exactly when its text is.
    pub(crate) time: Option<DateTime<FixedOffset>>,
    pub(crate) has_dataschema: bool,
    pub(crate) datacontenttype: Option<Cow<'static, str>>,
    pub(crate) extensions: BTreeMap<String, Json>,
}

impl<T: Contract> CloudEvent<T> {
    /// A new event of `T`'s contract: `type`, `source`, `specversion`, `dataschema` and
    /// `datacontenttype` come from the contract, `subject` is the contract's prefix followed by
    /// `subject_identifier`.
    pub fn new(id: impl Into<String>, subject_identifier: &str, data: T) -> Self {
        CloudEvent {
            data,
            texts: Texts::new(&id.into(), [Some(&format!("{}{subject_identifier}", T::SUBJECT_PREFIX)), None, None]),
            time: None,
            has_dataschema: true,
            datacontenttype: Some(Cow::Borrowed(DATA_CONTENT_TYPE)),
            extensions: BTreeMap::new(),
        }
    }

    /// Sets `time`, written in RFC 3339 with its offset (`Z` for UTC) and as many fractional
    /// digits as it has.
    pub fn with_time<Tz: TimeZone>(mut self, time: DateTime<Tz>) -> Self {
        let time = time.fixed_offset();
        self.texts = self.texts.with(Optional::Time, &time.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        self.time = Some(time);
        self
    }

    /// Sets `time` to an RFC 3339 timestamp written as given (`2026-05-05T12:00:00.000Z`), so
    /// that a producer keeps its own spelling; other text is refused.
    pub fn with_time_text(mut self, text: impl Into<String>) -> Result<Self, chrono::ParseError> {
        let text = text.into();
        self.time = Some(DateTime::parse_from_rfc3339(&text)?);
        self.texts = self.texts.with(Optional::Time, &text);
        Ok(self)
    }

    /// Sets the COPE `idempotency_key` extension.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.texts = self.texts.with(Optional::IdempotencyKey, &key.into());
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
    /// The contract version of this event.
    pub fn version(&self) -> u32 {
        T::VERSION
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
        self.texts.id()
    }
    /// CloudEvents `subject`.
    pub fn subject(&self) -> Option<&str> {
        self.texts.get(Optional::Subject)
    }
    /// The identifier part of `subject`, after the contract's prefix.
    pub fn subject_identifier(&self) -> Option<&str> {
        self.subject()?.strip_prefix(T::SUBJECT_PREFIX)
    }
    /// CloudEvents `time`, parsed, with the offset it was written with.
    pub fn time(&self) -> Option<DateTime<FixedOffset>> {
        self.time
    }
    /// CloudEvents `time` as received (re-encoding writes this text).
    pub fn time_text(&self) -> Option<&str> {
        self.texts.get(Optional::Time)
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
        self.texts.get(Optional::IdempotencyKey)
    }
    /// The value to deduplicate on (delivery is at least once): the COPE `idempotency_key`
    /// when present, else the CloudEvents (`source`, `id`) pair.
    pub fn idempotency_key(&self) -> IdempotencyKey<'_> {
        match self.cope_idempotency_key() {
            Some(key) => IdempotencyKey::Cope(Cow::Borrowed(key)),
            None => IdempotencyKey::SourceId { source: Cow::Borrowed(T::SOURCE), id: Cow::Borrowed(self.id()) },
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
        let (subject, time, idempotency_key) = (self.subject(), self.time_text(), self.cope_idempotency_key());
        let optional = [
            subject.is_some(),
            time.is_some(),
            self.has_dataschema,
            self.datacontenttype.is_some(),
            idempotency_key.is_some(),
        ];
        let len = 5 + optional.iter().filter(|present| **present).count() + self.extensions.len();
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("specversion", SPEC_VERSION)?;
        map.serialize_entry("id", self.id())?;
        map.serialize_entry("source", T::SOURCE)?;
        map.serialize_entry("type", T::EVENT_TYPE)?;
        if let Some(subject) = subject {
            map.serialize_entry("subject", subject)?;
        }
        if let Some(time) = time {
            map.serialize_entry("time", time)?;
        }
        if let Some(datacontenttype) = &self.datacontenttype {
            map.serialize_entry("datacontenttype", datacontenttype)?;
        }
        if self.has_dataschema {
            map.serialize_entry("dataschema", T::SCHEMA_ID)?;
        }
        if let Some(key) = idempotency_key {
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
        write!(f, "{} {} from {}", T::EVENT_TYPE, self.id(), T::SOURCE)?;
        match self.subject() {
            Some(subject) => write!(f, " about {subject}"),
            None => Ok(()),
        }
    }
}

/// What every event tells about itself, whatever its type and version: a `CloudEvent<T>`,
/// an event type's enum of versions, or the crate's `Event`.
pub trait AnyEvent: fmt::Display {
    /// The contract version.
    fn version(&self) -> u32;
    /// CloudEvents `type`.
    fn event_type(&self) -> &'static str;
    /// CloudEvents `source`.
    fn source(&self) -> &'static str;
    /// CloudEvents `id`.
    fn id(&self) -> &str;
    /// CloudEvents `subject`.
    fn subject(&self) -> Option<&str>;
    /// The value to deduplicate deliveries on.
    fn idempotency_key(&self) -> IdempotencyKey<'_>;
}

impl<T: Contract> AnyEvent for CloudEvent<T> {
    fn version(&self) -> u32 {
        CloudEvent::version(self)
    }
    fn event_type(&self) -> &'static str {
        CloudEvent::event_type(self)
    }
    fn source(&self) -> &'static str {
        CloudEvent::source(self)
    }
    fn id(&self) -> &str {
        CloudEvent::id(self)
    }
    fn subject(&self) -> Option<&str> {
        CloudEvent::subject(self)
    }
    fn idempotency_key(&self) -> IdempotencyKey<'_> {
        CloudEvent::idempotency_key(self)
    }
}
