//! Bounded cost: hostile sizes and depths give a typed error or a success, never a crash. The
//! limits a consumer should apply are in the README ("Limits").

use cope_events::{decode, encode, DecodeError};
use cope_events_tests::{edited_example, edited_payload};
use serde_json::json;

const MIB: usize = 1 << 20;

#[test]
fn a_one_mebibyte_string_decodes_and_round_trips() {
    let title = "é".repeat(MIB / 2);
    let body = edited_payload(|data| {
        data.insert("title".into(), json!(title));
    });
    assert!(body.len() > MIB);
    let event = decode(&body).expect("a large string is valid");
    let again = decode(&encode(&event).unwrap()).unwrap();
    assert_eq!(again, event);
    let body = edited_example(|event| {
        event.insert("bigext".into(), json!("x".repeat(MIB)));
    });
    assert!(decode(&body).is_ok());
}

#[test]
fn a_ten_thousand_deep_body_is_a_typed_error() {
    let depth = 10_000;
    let deep_array = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    for (name, body) in [
        ("array at the top", deep_array.clone()),
        ("object at the top", deep_object.clone()),
        ("array as an extension", format!(r#"{{"specversion":"1.0","deep":{deep_array}}}"#)),
        (
            "object as data",
            String::from_utf8(edited_example(|_| {})).unwrap().replacen(
                r#""data":"#,
                &format!(r#""data":{deep_object},"x":"#),
                1,
            ),
        ),
    ] {
        match decode(body.as_bytes()) {
            Err(
                DecodeError::MalformedJson { .. }
                | DecodeError::NotACloudEvent { .. }
                | DecodeError::InvalidPayload { .. },
            ) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn many_members_are_fine() {
    let body = edited_payload(|data| {
        for index in 0..10_000 {
            data.insert(format!("member{index}"), json!(index));
        }
    });
    let event = decode(&body).expect("decodes");
    assert_eq!(serde_json::to_value(&event).unwrap(), serde_json::from_slice::<serde_json::Value>(&body).unwrap());
}
