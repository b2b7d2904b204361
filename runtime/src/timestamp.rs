//! `Timestamp`, the type of payload members of `format: date-time`.

use std::fmt;

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
