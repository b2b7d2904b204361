//! The compatibility gate (`cargo xtask compat`): every fixture pair under
//! `tests/fixtures/compat/` gives exactly its expected findings (rule id and pointer) and exit
//! status; accepted exceptions; the output formats; the real schemas against HEAD.

use std::path::Path;

use xtask::compat_task::{self, judge, parse_ignore_file, Pair, Verdict};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/compat");

fn pair(case: &Path) -> Pair {
    let read = |name: &str| std::fs::read_to_string(case.join(name)).unwrap();
    Pair {
        file: format!("{}/new.json", case.file_name().unwrap().to_string_lossy()),
        old: Some(read("old.json")),
        new: read("new.json"),
    }
}

#[track_caller]
fn check_case(case: &Path) {
    let expected = std::fs::read_to_string(case.join("expected")).unwrap();
    let mut lines = expected.lines();
    let exit: u8 = lines.next().and_then(|line| line.strip_prefix("exit ")).and_then(|code| code.parse().ok()).unwrap();
    let mut expected_findings: Vec<String> = lines.map(|line| line.trim_end().to_owned()).collect();
    let report = judge(&[pair(case)], &[]);
    let mut findings: Vec<String> = report
        .findings
        .iter()
        .map(|found| format!("{} {}", found.finding.rule, found.finding.pointer).trim_end().to_owned())
        .collect();
    expected_findings.sort();
    findings.sort();
    let name = case.file_name().unwrap().to_string_lossy();
    assert_eq!(findings, expected_findings, "{name}:\n{}", report.to_text());
    assert_eq!(report.verdict() as u8, exit, "{name}:\n{}", report.to_text());
}

#[test]
fn every_fixture_pair_gives_its_findings_and_exit_status() {
    let mut cases: Vec<_> =
        std::fs::read_dir(FIXTURES).unwrap().map(|entry| entry.unwrap().path()).filter(|path| path.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 40, "at least 40 change kinds, found {}", cases.len());
    let breaking = cases
        .iter()
        .filter(|case| std::fs::read_to_string(case.join("expected")).unwrap().starts_with("exit 1"))
        .count();
    assert!(breaking >= 25, "{breaking} breaking kinds");
    for case in &cases {
        check_case(case);
    }
}

#[test]
fn findings_name_the_physical_location_behind_a_reference() {
    let report = judge(&[pair(&Path::new(FIXTURES).join("nested-property-removed-behind-ref"))], &[]);
    let text = report.to_text();
    assert!(
        text.starts_with("nested-property-removed-behind-ref/new.json:/properties/venue/properties/city: PROPERTY_REMOVED: property `city` (string) was removed"),
        "{text}"
    );
    assert!(
        text.contains(
            "keyword at nested-property-removed-behind-ref/new.json#/$defs/Venue/properties/city in the old schema"
        ),
        "{text}"
    );
}

#[test]
fn messages_name_the_old_and_the_new_value() {
    let report = judge(&[pair(&Path::new(FIXTURES).join("integer-widened-to-number"))], &[]);
    assert_eq!(report.findings[0].finding.message, "type changed from integer to number");
    let report = judge(&[pair(&Path::new(FIXTURES).join("enum-value-added"))], &[]);
    assert!(report.findings[0].finding.message.contains(r#"["closed", "open"]"#), "{}", report.to_text());
    assert!(report.findings[0].finding.message.contains(r#""held""#), "{}", report.to_text());
}

#[test]
fn accepted_exceptions_need_a_justification() {
    let case = Path::new(FIXTURES).join("optional-property-removed");
    let ignore = r#"
[[accept]]
file = "optional-property-removed/new.json"
pointer = "/properties/note"
rule = "PROPERTY_REMOVED"
justification = "No producer ever sent `note`."
"#;
    let accepted = parse_ignore_file("compat-ignore.toml", ignore).unwrap();
    let report = judge(&[pair(&case)], &accepted);
    assert_eq!(report.verdict(), Verdict::Compatible, "{}", report.to_text());
    assert!(report.to_text().contains("accepted: No producer ever sent `note`."));

    let unjustified = ignore.replace("No producer ever sent `note`.", " ");
    assert!(parse_ignore_file("compat-ignore.toml", &unjustified).unwrap_err().contains("justification"));
    let unknown_rule = ignore.replace("PROPERTY_REMOVED", "PROPERTY_GONE");
    assert!(parse_ignore_file("compat-ignore.toml", &unknown_rule).unwrap_err().contains("unknown rule"));
}

#[test]
fn json_output_carries_rule_severity_and_verdict() {
    let report = judge(&[pair(&Path::new(FIXTURES).join("type-changed"))], &[]);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["verdict"], "breaking");
    assert_eq!(json["findings"][0]["rule"], "TYPE_CHANGED");
    assert_eq!(json["findings"][0]["severity"], "breaking");
    assert_eq!(json["findings"][0]["pointer"], "/properties/count/type");
}

#[test]
fn a_new_schema_file_is_not_a_finding() {
    let report = judge(&[Pair { file: "new.json".into(), old: None, new: "{}".into() }], &[]);
    assert_eq!(report.verdict(), Verdict::Compatible);
    assert!(report.findings.is_empty());
}

#[test]
fn the_real_schemas_are_compatible_with_head() {
    let manifest = xtask::codegen_task::Paths::in_repository().manifest;
    let pairs = compat_task::Checkout::open(&manifest)
        .and_then(|checkout| checkout.pairs_at("HEAD"))
        .expect("git and the manifest are readable");
    assert!(!pairs.is_empty());
    let report = judge(
        &pairs,
        &compat_task::load_ignore_file(&compat_task::ignore_file_beside(
            &xtask::codegen_task::Paths::in_repository().manifest,
        ))
        .unwrap(),
    );
    assert_eq!(report.verdict(), Verdict::Compatible, "{}", report.to_text());
}

/// Breaking fixture kinds that no instance can show through the generated types, and why.
const NOT_SHOWN_BY_INSTANCES: &[(&str, &str)] = &[
    ("default-changed", "`default` is documentation: an absent member stays absent, whatever the default"),
    ("format-added", "generated types keep strings exactly as sent and do not check `format`"),
    ("id-changed", "`$id` is not part of an instance"),
    ("max-items-added", "generated types do not enforce `maxItems`"),
    ("maximum-added", "generated types do not enforce numeric bounds"),
    ("minimum-changed", "generated types do not enforce numeric bounds"),
];

/// Every breaking fixture pair, by name.
fn breaking_cases() -> Vec<(String, std::path::PathBuf)> {
    let mut cases: Vec<_> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|case| case.is_dir() && std::fs::read_to_string(case.join("expected")).unwrap().starts_with("exit 1"))
        .map(|case| (case.file_name().unwrap().to_string_lossy().into_owned(), case))
        .collect();
    cases.sort();
    cases
}

/// `data`, as the payload of the `compat-loop` crate's event for fixture `name` (v1 = the old
/// schema, v2 = the new one): the type of `accepting_version` decodes it and encodes it back
/// unchanged, the other one's type rejects it.
#[track_caller]
fn check_with_generated_types(name: &str, data: &serde_json::Value, accepting_version: u32) {
    use cope_events_fixture_compat_loop::{decode, encode, DecodeError};
    for version in [1, 2] {
        let event = serde_json::json!({
            "specversion": "1.0", "id": "1", "source": "test", "type": format!("compat.{name}"),
            "subject": "case:1", "dataschema": format!("https://example.com/compat/{name}/v{version}"),
            "data": data,
        });
        let result = decode(&serde_json::to_vec(&event).unwrap());
        if version == accepting_version {
            let decoded = result.unwrap_or_else(|error| panic!("{name}: v{version} must accept {data}: {error}"));
            let encoded: serde_json::Value = serde_json::from_slice(&encode(&decoded).unwrap()).unwrap();
            assert_eq!(encoded, event, "{name}: v{version} round trip");
        } else {
            assert!(
                matches!(result, Err(DecodeError::InvalidPayload { .. })),
                "{name}: v{version} must reject {data}, got {result:?}"
            );
        }
    }
}

/// The loop closed with the generator: for each breaking fixture pair, an instance that the
/// type generated from one side accepts and the type generated from the other side rejects
/// (the `compat-loop` fixture registry generates every pair as v1 = old, v2 = new).
#[test]
fn each_breaking_change_is_seen_by_the_generated_types() {
    let mut shown = 0;
    for (name, case) in breaking_cases() {
        let instance_file = case.join("instance.json");
        if let Some((_, why)) = NOT_SHOWN_BY_INSTANCES.iter().find(|(skipped, _)| *skipped == name) {
            assert!(!instance_file.exists(), "{name} has an instance but is listed as not shown: {why}");
            continue;
        }
        let instance: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&instance_file)
                .unwrap_or_else(|_| panic!("{name}: breaking, so it needs an instance.json")),
        )
        .unwrap();
        let accepting_version = if instance["accepted_by"] == "old" { 1 } else { 2 };
        check_with_generated_types(&name, &instance["data"], accepting_version);
        shown += 1;
    }
    assert!(shown >= 20, "{shown} breaking kinds shown by instances");
}

/// Breaking fixture kinds for which no instance shows the break, and what the gate must say.
const NO_COUNTEREXAMPLE: &[(&str, &str)] = &[
    ("default-changed", "does not affect which instances are valid"),
    ("id-changed", "does not affect which instances are valid"),
];

/// Every breaking finding comes with a counterexample (or says why there is none), and the
/// counterexample is confirmed by the generated types, independently of the validator that
/// found it: the side it names accepts the event, the other side's type rejects it.
#[test]
fn breaking_findings_carry_a_counterexample_that_the_generated_types_confirm() {
    let mut confirmed = 0;
    for (name, case) in breaking_cases() {
        let report = judge(&[pair(&case)], &[]);
        let breaking: Vec<_> = report
            .findings
            .iter()
            .filter(|found| found.finding.severity() == codegen::compat::Severity::Breaking)
            .collect();
        assert!(!breaking.is_empty(), "{name}");
        for found in breaking {
            let example = match (&found.counterexample, NO_COUNTEREXAMPLE.iter().find(|(kind, _)| *kind == name)) {
                (Some(Err(why)), Some((_, expected))) => {
                    assert!(why.contains(expected), "{name}: {why}");
                    continue;
                }
                (Some(Ok(example)), None) => example,
                (other, _) => panic!("{name}: unexpected counterexample {other:?}\n{}", report.to_text()),
            };
            assert!(report.to_text().contains(&format!("counterexample, {}", example.direction.describe())));
            if NOT_SHOWN_BY_INSTANCES.iter().any(|(kind, _)| *kind == name) {
                continue; // the generated types do not enforce this keyword
            }
            let accepting_version = match example.direction {
                codegen::compat::Direction::OldEventNewReader => 1,
                codegen::compat::Direction::NewEventOldReader => 2,
            };
            check_with_generated_types(&name, &example.instance, accepting_version);
            confirmed += 1;
        }
    }
    assert!(confirmed >= 20, "{confirmed} counterexamples confirmed by the generated types");
}

/// One annotation a finding, whatever its message holds: newlines, `%` and the counterexample
/// are escaped into the one line GitHub reads.
#[test]
fn github_actions_annotations_are_one_line_each() {
    let report = judge(&[pair(&Path::new(FIXTURES).join("enum-value-removed"))], &[]);
    let annotations = report.to_github_actions();
    let lines: Vec<&str> = annotations.lines().collect();
    assert_eq!(lines.len(), 2, "one annotation and the summary: {annotations}");
    assert!(lines[0].starts_with(
        "::error file=enum-value-removed/new.json,title=ENUM_VALUES_REMOVED at /properties/status/enum::"
    ));
    assert!(lines[0].contains("%0ACounterexample, valid under the old schema"), "{}", lines[0]);
}
