//! The JSON reader of the one-pass decode (`envelope::decode_as`): a serde `Deserializer` over
//! text that is already checked UTF-8, which makes, for every value it reads, exactly the
//! visitor calls serde_json makes for the same text, and refuses whatever it is not sure of.
//!
//! It is faster than serde_json on the JSON events are written in because it does less: no
//! line and column bookkeeping (an error is only [`Refused`]; the caller reads the event again
//! with serde_json, which says what is wrong), no scratch buffer, one table lookup per byte
//! of a string. What it reads is a subset of what serde_json reads, with the same result:
//! - strings without escapes are borrowed (`visit_borrowed_str`); a string with escapes is
//!   decoded by serde_json from its quoted text (`visit_str`, as serde_json calls it);
//! - integers are `visit_u64` (non-negative) and `visit_i64` (negative), as serde_json reads
//!   them; any other number (`1.5`, `-0`, beyond 64 bits) is read by serde_json from its text;
//! - `JSON_TOKEN` newtypes (`Json`) get the value's text, which `Json` checks with serde_json;
//! - at most `MAX_DEPTH` arrays and objects deep, fewer than serde_json's limit;
//! - byte strings, 128-bit integers and Rust enums are refused (the generated types never ask
//!   for them), as is a method asking for a JSON type the next value is not (serde_json's
//!   error there is the reader's refusal).
//!
//! So a value it gives is the value serde_json gives: a refusal costs a second read, never a
//! different result (property-tested against serde_json in `tests/reader.rs`, and through
//! `decode` against the dispatching decode in the fuzz target and `tests/it/properties.rs`).

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, Visitor};
use serde::{forward_to_deserialize_any, Deserialize};

/// The newtype name under which `Json` asks for a value's text: the reader answers with a map
/// of one member, this name and the text; other deserializers call `visit_newtype_struct`.
pub(crate) const JSON_TOKEN: &str = "$cope_events_runtime::Json";

/// How deep arrays and objects may nest before the reader refuses (serde_json refuses at 128).
pub(crate) const MAX_DEPTH: usize = 100;

/// Not read by the one-pass reader: invalid JSON, or JSON it leaves to serde_json.
#[derive(Debug)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not read by the one-pass reader")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Refused
    }
}

type Result<T> = std::result::Result<T, Refused>;

/// `T` read from `text` (one JSON value, with nothing but whitespace around it), as serde_json
/// would read it; `None` when the reader refuses.
#[doc(hidden)]
pub fn read<'de, T: Deserialize<'de>>(text: &'de str) -> Option<T> {
    let mut reader = Reader::new(text);
    let value = T::deserialize(&mut reader).ok()?;
    reader.end().ok()?;
    Some(value)
}

/// A position in JSON text.
pub(crate) struct Reader<'de> {
    text: &'de str,
    at: usize,
    depth: usize,
}

/// The bytes that end the fast scan of a string: `"`, `\` and the control characters that JSON
/// forbids inside strings.
static ENDS_PLAIN_STRING: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// A string as the reader found it.
enum Str<'de> {
    /// Without escapes: the text between the quotes.
    Plain(&'de str),
    /// With escapes, decoded by serde_json.
    Escaped(String),
}

impl<'de> Reader<'de> {
    pub(crate) fn new(text: &'de str) -> Reader<'de> {
        Reader { text, at: 0, depth: 0 }
    }

    /// Nothing but whitespace is left.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.next_non_space() {
            None => Ok(()),
            Some(_) => Err(Refused),
        }
    }

    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not JSON whitespace, not consumed.
    #[inline]
    fn next_non_space(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&byte) = bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    /// The next value starts with a byte that `starts` accepts.
    #[inline]
    fn expect_start(&mut self, starts: fn(u8) -> bool) -> Result<()> {
        match self.next_non_space() {
            Some(byte) if starts(byte) => Ok(()),
            _ => Err(Refused),
        }
    }

    /// Steps to the next item of the array or object that `close` ends: `false` at `close`;
    /// otherwise past the `,` before the item (none before the first), with the item's first
    /// byte next, which `starts` accepts.
    #[inline(always)]
    fn next_item(&mut self, first: &mut bool, close: u8, starts: fn(u8) -> bool) -> Result<bool> {
        match self.next_non_space() {
            Some(byte) if byte == close => Ok(false),
            Some(b',') if !*first => {
                self.at += 1;
                self.expect_start(starts)?;
                Ok(true)
            }
            Some(byte) if *first && starts(byte) => {
                *first = false;
                Ok(true)
            }
            _ => Err(Refused),
        }
    }

    /// The string whose opening `"` is next.
    #[inline]
    fn string(&mut self) -> Result<Str<'de>> {
        let bytes = self.bytes();
        let open = self.at;
        let at = open + 1 + bytes.get(open + 1..).map_or(0, plain_length);
        match bytes.get(at) {
            Some(b'"') => {
                self.at = at + 1;
                // Both ends are next to a `"`, which is ASCII: character boundaries.
                self.text.get(open + 1..at).map(Str::Plain).ok_or(Refused)
            }
            Some(b'\\') => self.escaped_string(open, at),
            _ => Err(Refused),
        }
    }

    /// The string that opens at `open` and has an escape at `escape`, decoded by serde_json.
    /// Out of line: inlined, it slows the plain strings' loop.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, open: usize, escape: usize) -> Result<Str<'de>> {
        let close = closing_quote(self.bytes(), escape).ok_or(Refused)?;
        self.at = close + 1;
        let quoted = self.text.get(open..=close).ok_or(Refused)?;
        serde_json::from_str(quoted).map(Str::Escaped).map_err(|_| Refused)
    }

    /// A value that is not a string (`deserialize_any` reads those).
    fn other_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.next_non_space().ok_or(Refused)? {
            b'-' | b'0'..=b'9' => self.number(visitor),
            b't' => self.literal(b"true").and_then(|()| visitor.visit_bool(true)),
            b'f' => self.literal(b"false").and_then(|()| visitor.visit_bool(false)),
            b'n' => self.literal(b"null").and_then(|()| visitor.visit_unit()),
            b'[' => self.container(b']', |reader| visitor.visit_seq(Items { reader, first: true })),
            b'{' => self.container(b'}', |reader| visitor.visit_map(Members { reader, first: true })),
            _ => Err(Refused),
        }
    }

    /// The number that starts next: a plain integer read here, anything else by serde_json.
    fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let bytes = self.bytes();
        let start = self.at;
        let negative = bytes.get(start) == Some(&b'-');
        let digits = start + usize::from(negative);
        let mut at = digits;
        let mut value = Some(0u64);
        while let Some(&digit @ b'0'..=b'9') = bytes.get(at) {
            value = value.and_then(|value| value.checked_mul(10)?.checked_add(u64::from(digit - b'0')));
            at += 1;
        }
        let leading_zero = at - digits > 1 && bytes[digits] == b'0';
        if at == digits || leading_zero {
            return Err(Refused);
        }
        let fraction_or_exponent = matches!(bytes.get(at), Some(b'.' | b'e' | b'E'));
        match value {
            Some(value) if !fraction_or_exponent && !negative => {
                self.at = at;
                visitor.visit_u64(value)
            }
            // serde_json reads `-0` and integers below `i64::MIN` as `f64`s.
            Some(value) if !fraction_or_exponent && value != 0 && value <= 1 << 63 => {
                self.at = at;
                visitor.visit_i64(0i64.wrapping_sub_unsigned(value))
            }
            _ => self.other_number(start, at, visitor),
        }
    }

    /// The number that starts at `start` and is not a plain 64-bit integer, read by serde_json
    /// (`at` is past its integer part).
    #[cold]
    #[inline(never)]
    fn other_number<V: Visitor<'de>>(&mut self, start: usize, mut at: usize, visitor: V) -> Result<V::Value> {
        while let Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') = self.bytes().get(at) {
            at += 1;
        }
        self.at = at;
        let mut json = serde_json::Deserializer::from_str(&self.text[start..at]);
        let value = de::Deserializer::deserialize_any(&mut json, visitor).map_err(|_| Refused)?;
        json.end().map_err(|_| Refused)?;
        Ok(value)
    }

    /// `true`, `false` or `null`, whose first byte is next.
    fn literal(&mut self, word: &[u8]) -> Result<()> {
        match self.bytes().get(self.at..) {
            Some(rest) if rest.starts_with(word) => {
                self.at += word.len();
                Ok(())
            }
            _ => Err(Refused),
        }
    }

    /// The text of the value that starts next (its end found by counting brackets outside
    /// strings), for the caller to check with serde_json.
    fn value_text(&mut self) -> Result<&'de str> {
        let bytes = self.bytes();
        let start = self.at;
        let mut at = start;
        let mut depth = 0usize;
        while let Some(&byte) = bytes.get(at) {
            match byte {
                b'"' => at = closing_quote(bytes, at + 1).ok_or(Refused)?,
                b'{' | b'[' => {
                    depth += 1;
                    if self.depth + depth > MAX_DEPTH {
                        return Err(Refused);
                    }
                }
                b'}' | b']' if depth == 0 => break,
                b'}' | b']' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            at += 1;
        }
        self.at = at;
        Ok(self.text[start..at].trim_end_matches([' ', '\n', '\r', '\t']))
    }

    /// Reads an array or object whose opening bracket is next, with `visit`, then its closing
    /// bracket.
    fn container<T>(&mut self, close: u8, visit: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Refused);
        }
        self.at += 1;
        let value = visit(self)?;
        self.depth -= 1;
        if self.next_non_space() != Some(close) {
            return Err(Refused);
        }
        self.at += 1;
        Ok(value)
    }
}

/// How many bytes of `bytes` come before the first `"`, `\` or control character (all of
/// them when there is none): eight at a time, with the bit tricks serde_json uses (a byte's
/// high bit is set in `found` when it is one of those, or above one that is: the lowest set
/// bit is the first).
fn plain_length(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut length = 0;
    for chunk in &mut chunks {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else { break };
        let word = u64::from_le_bytes(chunk);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGH_BITS;
        if found != 0 {
            return length + found.trailing_zeros() as usize / 8;
        }
        length += 8;
    }
    let rest = chunks.remainder();
    length + rest.iter().position(|&byte| ENDS_PLAIN_STRING[usize::from(byte)]).unwrap_or(rest.len())
}

/// The position of the `"` that closes the string whose text starts at `at`, stepping over
/// escapes (whose validity serde_json checks).
fn closing_quote(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        match bytes.get(at)? {
            b'\\' => at += 2,
            b'"' => return Some(at),
            _ => at += 1,
        }
    }
}

fn is_string(byte: u8) -> bool {
    byte == b'"'
}

fn is_number(byte: u8) -> bool {
    byte == b'-' || byte.is_ascii_digit()
}

/// The deserialize methods for one JSON type: refused unless the next value starts as that
/// type does, then read as `deserialize_any` reads it (which is what serde_json does).
macro_rules! typed {
    ($starts:expr => $($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
                self.expect_start($starts)?;
                self.deserialize_any(visitor)
            }
        )*
    };
}

/// Deserialize methods the reader refuses.
macro_rules! refused {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
                Err(Refused)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Refused;

    // Strings, the commonest value, inline; the rest out of line (`other_value`). Out of line,
    // a string comes back through memory in a way that stalls the processor (store forwarding).
    #[inline(always)]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next_non_space() {
            Some(b'"') => match self.string()? {
                Str::Plain(text) => visitor.visit_borrowed_str(text),
                Str::Escaped(text) => visitor.visit_str(&text),
            },
            _ => self.other_value(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.next_non_space() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        if name != JSON_TOKEN {
            return visitor.visit_newtype_struct(self);
        }
        self.next_non_space().ok_or(Refused)?;
        let text = self.value_text()?;
        visitor.visit_map(ValueText(Some(text)))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(IgnoredAny)?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.expect_start(|byte| byte == b'{' || byte == b'[')?;
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], _: V) -> Result<V::Value> {
        Err(Refused)
    }

    typed!(|byte| byte == b't' || byte == b'f' => deserialize_bool);
    typed!(is_number => deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64);
    typed!(is_string => deserialize_char deserialize_str deserialize_string deserialize_identifier);
    typed!(|byte| byte == b'n' => deserialize_unit);
    typed!(|byte| byte == b'[' => deserialize_seq);
    typed!(|byte| byte == b'{' => deserialize_map);
    refused!(deserialize_i128 deserialize_u128 deserialize_bytes deserialize_byte_buf);
}

/// The items of an array, after its `[`.
struct Items<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.reader.next_item(&mut self.first, b']', |byte| byte != b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

/// The members of an object, after its `{`.
struct Members<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Members<'_, 'de> {
    type Error = Refused;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.reader.next_item(&mut self.first, b'}', is_string)? {
            return Ok(None);
        }
        seed.deserialize(Name(self.reader.string()?)).map(Some)
    }

    // Inlined, for the reason `deserialize_any` is.
    #[inline(always)]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        if self.reader.next_non_space() != Some(b':') {
            return Err(Refused);
        }
        self.reader.at += 1;
        seed.deserialize(&mut *self.reader)
    }
}

/// A member name: read as a string, as serde_json reads names for the methods here; the
/// methods for which serde_json reads something else from a name (numbers, `bool`,
/// `Option`...) are refused.
struct Name<'de>(Str<'de>);

impl<'de> de::Deserializer<'de> for Name<'de> {
    type Error = Refused;

    // Inlined into `next_key_seed`: out of line, the key comes back through memory, in a way
    // that stalls the processor (measured: half of `next_key_seed`'s time).
    #[inline(always)]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Str::Plain(text) => visitor.visit_borrowed_str(text),
            Str::Escaped(text) => visitor.visit_str(&text),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], _: V) -> Result<V::Value> {
        Err(Refused)
    }

    forward_to_deserialize_any! { char str string identifier ignored_any }
    refused!(deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32
        deserialize_f64 deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit
        deserialize_seq deserialize_map);
}

/// The answer to a [`JSON_TOKEN`] newtype: one member, the token and the value's text.
struct ValueText<'de>(Option<&'de str>);

impl<'de> de::MapAccess<'de> for ValueText<'de> {
    type Error = Refused;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.0 {
            Some(_) => seed.deserialize(BorrowedStrDeserializer::new(JSON_TOKEN)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(BorrowedStrDeserializer::new(self.0.take().ok_or(Refused)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_length_stops_at_the_first_quote_backslash_or_control_character() {
        let naive = |bytes: &[u8]| bytes.iter().position(|&b| ENDS_PLAIN_STRING[usize::from(b)]).unwrap_or(bytes.len());
        for length in 0..20 {
            for at in 0..length {
                for byte in 0..=255u8 {
                    for filler in [b'a', 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']'] {
                        let mut bytes = vec![filler; length];
                        bytes[at] = byte;
                        assert_eq!(plain_length(&bytes), naive(&bytes), "{bytes:?}");
                        if at + 1 < length {
                            bytes[at + 1] = b'"';
                            assert_eq!(plain_length(&bytes), naive(&bytes), "{bytes:?}");
                        }
                    }
                }
            }
        }
    }
}
