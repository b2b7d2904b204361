//! The crate generated from the `generator-edge-cases` fixture registry: member names that
//! collide with Rust keywords, with the generated visitor's own variables and with our extra
//! field; constants of several kinds; `format`; nested and referenced objects. It compiles (it
//! is a dependency of this crate, clippy-checked in CI) and behaves.

use cope_events_fixture_generator_edge_cases::test_edge_cases::v1::{TestEdgeCasesV1, TestEdgeCasesV1Type};
use serde_json::{json, Value};

fn payload() -> Value {
    json!({
        "map": "m", "key": 7, "value": ["v"], "deserializer": true, "type": "b-c", "ref": "r", "self": 1.5,
        "additional_properties": "documented", "level": 3, "at": "2026-05-05T14:00:00.000+02:00",
        "nested": {"name": "n", "tags": {}, "extra": 1},
        "undocumented": {"kept": [1, 2]}
    })
}

#[track_caller]
fn decode(value: &Value) -> Result<TestEdgeCasesV1, serde_json::Error> {
    serde_json::from_value(value.clone())
}

#[test]
fn awkward_member_names_decode_and_round_trip() {
    let decoded = decode(&payload()).expect("decodes");
    assert_eq!(decoded.map, "m");
    assert_eq!(decoded.key, 7);
    assert_eq!(decoded.type_, TestEdgeCasesV1Type::BC);
    assert_eq!(decoded.ref_.as_deref(), Some("r"));
    assert_eq!(
        decoded.additional_properties.as_deref(),
        Some("documented"),
        "a member may be called like our extra field"
    );
    assert_eq!(
        decoded.additional_properties_.get("undocumented").map(|json| json.to_value().unwrap()),
        Some(json!({"kept": [1, 2]}))
    );
    assert_eq!(decoded.nested.additional_properties.get("extra").map(|json| json.to_value().unwrap()), Some(json!(1)));
    assert_eq!(decoded.maybe, None);
    assert_eq!(serde_json::to_value(&decoded).unwrap(), payload(), "re-encodes JSON-equal");
}

#[test]
fn formatted_strings_are_kept_exactly() {
    let decoded = decode(&payload()).unwrap();
    let at = decoded.at.as_ref().expect("`at` is there");
    assert_eq!(at.as_str(), "2026-05-05T14:00:00.000+02:00", "`format: date-time` keeps its text");
    let parsed = at.parse().unwrap();
    assert_eq!(
        (parsed.timestamp(), parsed.offset().local_minus_utc()),
        (1_777_982_400, 7200),
        "and parses with its offset"
    );
    let mut odd = payload();
    odd["at"] = json!("next tuesday");
    let odd = decode(&odd).map(|decoded| decoded.at);
    assert!(matches!(&odd, Ok(Some(at)) if at.parse().is_err()), "the format is not enforced: {odd:?}");
}

#[test]
fn constants_enums_and_objects_reject_other_values() {
    for (member, value) in
        [("level", json!(4)), ("level", json!("3")), ("type", json!("B-C")), ("type", json!({"a": null}))]
    {
        let mut bad = payload();
        bad[member] = value.clone();
        let error = decode(&bad).expect_err(&format!("{member} = {value}"));
        assert!(!error.is_io(), "{error}");
    }
}

#[test]
fn required_members_of_nested_objects_are_required() {
    let mut bad = payload();
    bad["nested"].as_object_mut().unwrap().remove("name");
    assert!(decode(&bad).unwrap_err().to_string().contains("missing field `name`"));
}

#[test]
fn schema_text_stays_inert_in_the_generated_code() {
    let targets = xtask::codegen_task::Target::all_in_repository().unwrap();
    for target in targets {
        for file in xtask::codegen_task::generated_files(&target.paths, &target.settings).unwrap() {
            let invisible = file
                .contents
                .chars()
                .find(|c| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'));
            assert_eq!(invisible, None, "{}: invisible or direction-changing character", file.path);
            let fence = file.contents.lines().find(|line| line.trim_start().starts_with("///") && line.contains("```"));
            assert_eq!(fence, None, "{}: a code fence in a doc comment would be a doctest", file.path);
        }
    }
}

#[test]
fn a_member_name_with_a_direction_override_round_trips() {
    let mut with_label = payload();
    with_label["label\u{202e}"] = json!("l");
    let decoded = decode(&with_label).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), with_label);
    assert_eq!(decoded.label.as_deref(), Some("l"), "the member is documented, not kept as undocumented");
}
