//! A look ahead at a structured-mode event's top-level `type` and `dataschema` before it is
//! parsed: they choose the payload's Rust type, and knowing them first lets `data` be decoded
//! as it is read, in the one pass over the envelope, instead of being captured and read again.
//!
//! The look ahead is a search for the members' names, not a parse: it is much cheaper than
//! reading `data` twice, and it may be wrong (a payload member can be called `type`). Whatever
//! it guesses is decoded and checked in full (`envelope::decode_as`), so a wrong guess costs
//! time, never correctness.

use std::sync::LazyLock;

use memchr::memchr2;
use memchr::memmem::{Finder, FinderRev};

/// A quoted member name, searched for from either end of the text.
struct Name {
    first: Finder<'static>,
    last: FinderRev<'static>,
}

impl Name {
    fn new(quoted: &'static str) -> Name {
        Name { first: Finder::new(quoted), last: FinderRev::new(quoted) }
    }
}

static TYPE: LazyLock<Name> = LazyLock::new(|| Name::new("\"type\""));
static DATASCHEMA: LazyLock<Name> = LazyLock::new(|| Name::new("\"dataschema\""));

/// What the top-level `type` and `dataschema` may be, likeliest first: at most two pairs
/// (the text's first and last `"type": "…"` members, when their values differ, each with the
/// text's first `"dataschema": "…"`), spelled without escapes. The top-level members are usually the first (when the envelope's
/// attributes come before `data`) or the last (in alphabetical order); a payload member of
/// the same name may be either, which only costs a guess that then fails.
pub(crate) fn type_and_dataschema(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = text.as_bytes();
    let dataschema =
        DATASCHEMA.first.find(bytes).and_then(|at| string_value(text, at + DATASCHEMA.first.needle().len()));
    let value = move |at: usize| string_value(text, at + TYPE.first.needle().len());
    dataschema.into_iter().flat_map(move |dataschema| {
        let first = TYPE.first.find(bytes).and_then(value);
        // Searched for only once the first guess has failed: usually the first is the event's.
        let last = move || TYPE.last.rfind(bytes).and_then(value).filter(|last| Some(*last) != first);
        first.into_iter().chain(std::iter::once_with(last).flatten()).map(move |event_type| (event_type, dataschema))
    })
}

/// The string after `"name"` ends at `at`: `: "…"` with any whitespace, without escapes.
fn string_value(text: &str, at: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let is_space = |byte: &&u8| matches!(byte, b' ' | b'\t' | b'\n' | b'\r');
    let mut at = at + bytes.get(at..)?.iter().take_while(is_space).count();
    (bytes.get(at) == Some(&b':')).then_some(())?;
    at += 1;
    at += bytes.get(at..)?.iter().take_while(is_space).count();
    (bytes.get(at) == Some(&b'"')).then_some(())?;
    let start = at + 1;
    let length = memchr2(b'"', b'\\', bytes.get(start..)?)?;
    (bytes[start + length] == b'"').then_some(())?;
    // Both ends are next to a `"`, which is ASCII: character boundaries.
    text.get(start..start + length)
}

#[cfg(test)]
mod tests {
    use super::type_and_dataschema;

    fn guesses(text: &str) -> Vec<(&str, &str)> {
        type_and_dataschema(text).collect()
    }

    #[test]
    fn the_top_level_members_are_the_first_or_the_last() {
        let alphabetical = r#"{"data": {"type": "inner", "k": [{"type": "b"}]}, "dataschema" : "https://s/v1",
            "id": "1", "type":"t.e"}"#;
        assert_eq!(guesses(alphabetical), [("inner", "https://s/v1"), ("t.e", "https://s/v1")]);
        let attributes_first = r#"{"type": "t.e", "dataschema": "https://s/v1", "data": {"type": "inner"}}"#;
        assert_eq!(guesses(attributes_first), [("t.e", "https://s/v1"), ("inner", "https://s/v1")]);
        let reference = include_str!("../../tests/fixtures/reference-example.json");
        assert_eq!(
            guesses(reference),
            [("ticketing.event.published", "https://schemas.cope.com/events/ticketing.event.published/v1")]
        );
    }

    #[test]
    fn nothing_is_guessed_from_what_is_not_a_plain_member_string() {
        for text in [
            r#"{"type": "t.e"}"#,
            r#"{"dataschema": "s"}"#,
            r#"{"type": "t\u002ee", "dataschema": "s"}"#,
            r#"{"typ\u0065": "t.e", "dataschema": "s"}"#,
            r#"{"type", "t.e", "dataschema", "s"}"#,
            r#"{"type": 1, "dataschema": "s"}"#,
            r#"{"type": "t.e", "dataschema": "s"#,
            r#"{"dataschema": "s", "type""#,
            r#"{"dataschema": "s", "type": "#,
            "",
        ] {
            assert_eq!(guesses(text), [], "{text}");
        }
    }
}
