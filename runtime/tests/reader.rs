//! The one-pass reader against serde_json: whatever it reads, serde_json reads to the same
//! value (it may refuse, never differ), and it reads every JSON value events are made of.

use std::collections::BTreeMap;
use std::fmt::Debug;

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

use cope_events_runtime::reader::read;
use cope_events_runtime::Json;

/// What the reader gives for `text` as `T`, checked against serde_json: `Some` only when
/// serde_json gives the same value.
fn agreed<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> Option<T> {
    let ours = read::<T>(text)?;
    match serde_json::from_str::<T>(text) {
        Ok(theirs) => assert_eq!(ours, theirs, "the reader and serde_json read {text:?} differently"),
        Err(error) => panic!("the reader read {text:?}, which serde_json refuses ({error}), as {ours:?}"),
    }
    Some(ours)
}

/// `agreed` for every type the generated code reads, and `Json`'s text as serde_json keeps it.
/// Whether the reader read it as a `Value`.
fn agrees_for_every_type(text: &str) -> bool {
    agreed::<String>(text);
    agreed::<i64>(text);
    agreed::<u64>(text);
    agreed::<f64>(text);
    agreed::<bool>(text);
    agreed::<Option<Value>>(text);
    agreed::<Vec<Value>>(text);
    agreed::<BTreeMap<String, Value>>(text);
    agreed::<()>(text);
    if let Some(json) = read::<Json>(text) {
        let theirs: Json = serde_json::from_str(text).expect("serde_json reads what the reader reads");
        assert_eq!(json.as_text(), theirs.as_text(), "Json keeps the same text for {text:?}");
    }
    agreed::<Value>(text).is_some()
}

#[test]
fn it_reads_the_values_events_are_made_of_as_serde_json_does() {
    let read = [
        r#""plain""#,
        r#""with \"escapes\" \\ \n \u00e9 \ud83d\ude00""#,
        r#""é and 😀 unescaped""#,
        "0",
        "-1",
        "18446744073709551615",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "-0",
        "1.5",
        "-2.5e-3",
        "123456789012345678901234567890",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        " [ 1 , \"two\" , [ ] , { } , null ] ",
        "\t{\"a\" :\n1,\r\n \"b\": {\"c\": [true, false]}}\n",
        r#"{"k\u0065y": "escaped name"}"#,
        r#"{"a": 1, "a": 2}"#,
        "[1e2, 0.1, -0.0, 5e-324, 1.7976931348623157e308]",
    ];
    for text in read {
        assert!(agrees_for_every_type(text), "the reader reads {text:?}");
    }
}

#[test]
fn it_refuses_what_serde_json_refuses() {
    let refused = [
        "",
        " ",
        "[1,]",
        "{\"a\": 1,}",
        "[,1]",
        "{,}",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "1.5.5",
        "1-2",
        "\"unterminated",
        "\"control \u{1} character\"",
        "\"bad escape \\x\"",
        "\"lone surrogate \\ud800\"",
        "tru",
        "nul",
        "[1 2]",
        "{\"a\" 1}",
        "{1: 2}",
        "[1]]",
        "{} {}",
        "[\"a\"] x",
    ];
    for text in refused {
        assert!(serde_json::from_str::<Value>(text).is_err(), "serde_json refuses {text:?}");
        assert!(!agrees_for_every_type(text), "the reader refuses {text:?}");
    }
}

#[test]
fn it_refuses_nesting_deeper_than_its_limit() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(agrees_for_every_type(&nested(100)));
    assert!(!agrees_for_every_type(&nested(101)));
    let in_json = format!("[{}]", nested(100));
    assert!(read::<Vec<Json>>(&in_json).is_none(), "a value's text counts towards the limit");
    assert!(read::<Vec<Json>>(&format!("[{}]", nested(99))).is_some());
}

#[test]
fn json_values_keep_their_text_and_their_strictness() {
    let text = r#"[ {"b": 1.50, "a": [1e2, "x"]} , 12345678901234567890123 ]"#;
    let values: Vec<Json> = read(text).expect("reads");
    assert_eq!(values[0].as_text(), r#"{"b": 1.50, "a": [1e2, "x"]}"#);
    assert_eq!(values[1].as_text(), "12345678901234567890123");
    assert!(read::<Vec<Json>>(r#"[{"a": 1, "a": 2}]"#).is_none(), "a key twice inside is refused");
    assert!(read::<Json>("[1, 2").is_none());
    assert_eq!(read::<Json>(" 1E400 ").expect("any number is a Json").as_text(), "1E400");
    assert!(read::<f64>("1E400").is_none(), "beyond f64, as serde_json");
}

/// JSON values with the strings, numbers and nesting that events have.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        "[a-z\"\\\\\n\t\u{0}-\u{1f}é😀]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z\"\\\\é]{0,4}", inner, 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Valid JSON, compact or pretty: read, to the value serde_json reads.
    #[test]
    fn it_reads_any_valid_json_as_serde_json_does(value in value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) };
        let text = text.expect("a Value encodes");
        prop_assert!(agrees_for_every_type(&text), "the reader reads {}", text);
    }

    /// JSON with bytes changed, inserted or removed: read as serde_json reads it, or refused.
    #[test]
    fn it_never_reads_differently_from_serde_json(
        value in value(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(
            &[b'"', b'\\', b',', b':', b'[', b']', b'{', b'}', b'-', b'0', b'1', b'.', b'e', b' ', b'n', b'\n'][..]
        )), 1..4),
    ) {
        let mut bytes = serde_json::to_vec(&value).expect("a Value encodes");
        for (at, edit, byte) in edits {
            let at = at.index(bytes.len() + 1);
            match edit {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => bytes.push(byte),
            }
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            agrees_for_every_type(text);
        }
    }
}
