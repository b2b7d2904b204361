//! The reference pages `cargo xtask docs` writes (`codegen::reference_pages`): the page of the
//! real manifest says what COPE's published page says (vendored verbatim in
//! `fixtures/reference-page/`, read as text whose table cells run together), its example
//! CloudEvent decodes with the generated crate, `docs/contracts/` is what the generator makes,
//! and bad input is an error naming the file and pointer.

use std::collections::BTreeMap;

use codegen::{reference_pages, Error, Errors, GeneratedFile, Manifest, Registry};
use cope_events::{decode, Event, TicketingEventPublished};
use serde_json::{json, Value};
use xtask::docs_task::{self, DocsError, FIX_COMMAND};
use xtask::tree::{ensure_tree, Mode, Outcome, TreeError};

/// COPE's public reference page of `ticketing.event.published` v1, as published.
const PUBLISHED: &str = include_str!("../fixtures/reference-page/ticketing.event.published.v1.reference.txt");
/// The page the real manifest gives for it.
const PAGE: &str = "ticketing.event.published.v1.md";
/// The rows of the published Delivery Contract table, in its order.
const DELIVERY_LABELS: &[&str] = &[
    "Encoding",
    "Delivery",
    "Idempotency",
    "Source",
    "Subject pattern",
    "Category",
    "Availability",
    "Schema title",
    "Schema ID",
];
/// The words the Type column of the published Payload Fields table uses.
const TYPES: &[&str] = &["array", "boolean", "const", "enum", "integer", "null", "number", "object", "string"];

/// The generated page of the real manifest.
fn generated_page() -> String {
    let pages = docs_task::pages(&docs_task::paths_in_repository().manifest).expect("schemas/ gives pages");
    let paths: Vec<&str> = pages.iter().map(|page| page.path.as_str()).collect();
    assert_eq!(paths, [PAGE], "one page per contract of schemas/contracts.toml");
    pages.into_iter().next().map(|page| page.contents).unwrap_or_default()
}

/// The non-empty lines of the published page between the line `title` and the line `next`.
#[track_caller]
fn published_section(title: &str, next: &str) -> Vec<&'static str> {
    let lines: Vec<&str> = PUBLISHED.lines().collect();
    let start = lines.iter().position(|line| *line == title).unwrap_or_else(|| panic!("no `{title}` in the page"));
    let end = lines[start..].iter().position(|line| *line == next).map(|end| start + end).unwrap_or(lines.len());
    lines[start + 1..end].iter().copied().filter(|line| !line.is_empty()).collect()
}

/// The non-empty lines of the generated page's section `## title`.
#[track_caller]
fn generated_section<'a>(page: &'a str, title: &str) -> Vec<&'a str> {
    let heading = format!("## {title}");
    let lines: Vec<&str> = page.lines().collect();
    let start = lines.iter().position(|line| *line == heading).unwrap_or_else(|| panic!("no `{heading}`:\n{page}"));
    let end =
        lines[start + 1..].iter().position(|line| line.starts_with("## ")).map_or(lines.len(), |end| start + 1 + end);
    lines[start + 1..end].iter().copied().filter(|line| !line.is_empty()).collect()
}

/// The body rows of a Markdown table (the header and its separator dropped), each as the text a
/// reader sees in its cells: `\|` is `|`, code spans lose their backticks.
#[track_caller]
fn table(lines: &[&str]) -> Vec<Vec<String>> {
    assert!(lines.len() >= 2 && lines[1].starts_with("| ---"), "not a table: {lines:?}");
    lines[2..]
        .iter()
        .map(|row| {
            let inner =
                row.strip_prefix("| ").and_then(|row| row.strip_suffix(" |")).unwrap_or_else(|| panic!("{row}"));
            let mut cells = vec![String::new()];
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if chars.peek() == Some(&'|') => cells.last_mut().unwrap().push(chars.next().unwrap()),
                    '|' => cells.push(String::new()),
                    '`' => {}
                    c => cells.last_mut().unwrap().push(c),
                }
            }
            cells.iter().map(|cell| cell.trim().to_owned()).collect()
        })
        .collect()
}

/// The JSON of the generated page's Example CloudEvent.
#[track_caller]
fn generated_example(page: &str) -> Value {
    let lines = generated_section(page, "Example CloudEvent");
    assert_eq!((lines.first(), lines.last()), (Some(&"```json"), Some(&"```")), "{lines:?}");
    serde_json::from_str(&lines[1..lines.len() - 1].join("\n")).expect("the example is JSON")
}

#[test]
fn title_and_summary_are_the_published_ones() {
    let page = generated_page();
    let published: Vec<&str> = PUBLISHED.lines().filter(|line| !line.is_empty()).collect();
    // "Skip to main content", the title, the "Generated from ..." line, the summary.
    let (title, header, summary) = (published[1], published[2], published[3]);
    assert!(header.starts_with("Generated from ") && header.ends_with("Do not edit this page by hand."));
    let lines: Vec<&str> = page.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(lines[0], format!("# {title}"));
    assert_eq!(
        lines[1],
        "Generated by `cargo xtask docs` from `schemas/contracts.toml`. Do not edit this page by hand."
    );
    assert_eq!(lines[2], summary);
    assert!(codegen::is_reference_page(&page));
}

#[test]
fn delivery_contract_has_the_published_facts() {
    let published: Vec<(&str, &str)> = published_section("Delivery Contract", "Payload Fields")
        .iter()
        .skip_while(|line| **line == "FieldValue")
        .map(|line| {
            let label = DELIVERY_LABELS
                .iter()
                .filter(|label| line.starts_with(*label))
                .max_by_key(|label| label.len())
                .unwrap_or_else(|| panic!("an unknown row in the published page: {line}"));
            (*label, &line[label.len()..])
        })
        .collect();
    let page = generated_page();
    let generated = table(&generated_section(&page, "Delivery Contract"));
    let generated: Vec<(&str, &str)> = generated
        .iter()
        .map(|cells| match cells.as_slice() {
            [label, value] => (label.as_str(), value.as_str()),
            other => panic!("a row of two cells expected: {other:?}"),
        })
        .collect();
    let labels = |rows: &[(&str, &str)]| rows.iter().map(|(label, _)| label.to_string()).collect::<Vec<_>>();
    assert_eq!(labels(&generated), labels(&published), "the same rows in the same order");
    assert_eq!(labels(&published), DELIVERY_LABELS);
    for ((label, ours), (_, theirs)) in generated.iter().zip(&published) {
        if *label == "Idempotency" {
            // The same rule, in the generator's words: COPE's page names COPE; the generator
            // serves any registry and names the extension attribute instead.
            for value in [ours, theirs] {
                assert!(value.starts_with("Use the CloudEvents source + id tuple, or "), "{value}");
                assert!(value.contains(" idempotency_key ") && value.ends_with(" when available."), "{value}");
            }
            assert!(!ours.contains("COPE"), "{ours}");
        } else {
            assert_eq!(ours, theirs, "{label}");
        }
    }
}

#[test]
fn payload_fields_are_the_published_rows() {
    let page = generated_page();
    let generated = table(&generated_section(&page, "Payload Fields"));
    let names: Vec<&str> = generated.iter().map(|cells| cells[0].as_str()).collect();
    let published: Vec<&str> = published_section("Payload Fields", "Example CloudEvent")
        .into_iter()
        .skip_while(|line| *line == "FieldRequiredTypeAllowed ValuesDescription")
        .collect();
    assert_eq!(generated.len(), published.len(), "one row per published field:\n{page}");
    for (cells, line) in generated.iter().zip(&published) {
        let [field, required, json_type, allowed, description] = cells.as_slice() else {
            panic!("five cells expected: {cells:?}")
        };
        // The field is the longest generated name the row starts with that is followed by the
        // Required cell; the Type is a JSON type word; Allowed Values and Description close it.
        let (name, rest) = names
            .iter()
            .filter_map(|name| line.strip_prefix(name).map(|rest| (*name, rest)))
            .filter(|(_, rest)| rest.starts_with("yes") || rest.starts_with("no"))
            .max_by_key(|(name, _)| name.len())
            .unwrap_or_else(|| panic!("the published row `{line}` names no generated field"));
        let (their_required, rest) = rest.strip_prefix("yes").map_or(("no", &rest[2..]), |rest| ("yes", rest));
        let their_type = TYPES
            .iter()
            .filter(|word| rest.starts_with(*word))
            .max_by_key(|word| word.len())
            .unwrap_or_else(|| panic!("no type in `{line}`"));
        let rest = &rest[their_type.len()..];
        assert_eq!(
            (field.as_str(), required.as_str(), json_type.as_str()),
            (name, their_required, *their_type),
            "{line}"
        );
        assert_eq!(format!("{allowed}{description}"), rest, "allowed values and description of `{name}`");
    }
}

#[test]
fn example_cloudevent_decodes_and_is_the_published_one() {
    let page = generated_page();
    let example = generated_example(&page);
    let body = serde_json::to_vec(&example).unwrap();
    match decode(&body) {
        Ok(Event::TicketingEventPublished(TicketingEventPublished::V1(event))) => {
            assert_eq!(event.id(), "ticketing.event.published:example");
            assert_eq!(event.cope_idempotency_key(), Some("ticketing.event.published:example"));
        }
        Err(error) => panic!("the page's example must decode: {error}\n{page}"),
    }
    // Keys in the published order (sorted), as on the page.
    let keys: Vec<&str> = page.lines().filter_map(|line| line.strip_prefix("  \"")?.split('"').next()).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);

    let published: Value =
        serde_json::from_str(&published_section("Example CloudEvent", "Compatibility").join("\n")).expect("JSON");
    assert_eq!(example, published, "the same example as the published page, value for value");
}

#[test]
fn compatibility_is_the_published_rule() {
    let page = generated_page();
    let published: Vec<&str> = PUBLISHED.lines().skip_while(|line| *line != "Compatibility").skip(1).collect();
    let published = published.join("\n");
    assert_eq!(generated_section(&page, "Compatibility").join("\n"), published.trim());
}

/// `docs/contracts/` is what `cargo xtask docs` makes: plain `cargo test` fails on drift.
#[test]
fn committed_pages_are_fresh() {
    let paths = docs_task::paths_in_repository();
    let pages = docs_task::pages(&paths.manifest).expect("schemas/ gives pages");
    if let Err(error) = ensure_tree(&paths.out_dir, &pages, Mode::Check, FIX_COMMAND) {
        panic!("{}: {error}", paths.out_dir.display());
    }
}

#[test]
fn check_names_a_hand_edit_and_write_refuses_other_folders() {
    let temp = tempfile::tempdir().unwrap();
    let paths = xtask::codegen_task::Paths {
        manifest: docs_task::paths_in_repository().manifest,
        out_dir: temp.path().join("pages"),
    };
    assert!(matches!(docs_task::run(&paths, Mode::Write), Ok(Outcome::Written { added: 1, .. })));
    let page = paths.out_dir.join(PAGE);
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("| Category | Ticketing |", "| Category | Tickets |")).unwrap();
    match docs_task::run(&paths, Mode::Check) {
        Err(DocsError::Tree(TreeError::Drift(drift))) => {
            assert_eq!(drift.changed, [PAGE]);
            let message = TreeError::Drift(drift).to_string();
            assert!(message.contains("-| Category | Tickets |\n+| Category | Ticketing |\n"), "{message}");
            assert!(message.contains(FIX_COMMAND), "{message}");
        }
        other => panic!("expected drift, got {other:?}"),
    }
    assert!(matches!(docs_task::run(&paths, Mode::Write), Ok(Outcome::Written { changed: 1, .. })));
    assert!(matches!(docs_task::run(&paths, Mode::Check), Ok(Outcome::Unchanged)));

    std::fs::write(paths.out_dir.join("notes.md"), "# Notes\n\nby hand\n").unwrap();
    match docs_task::run(&paths, Mode::Write) {
        Err(error @ DocsError::ForeignFolder { .. }) => assert!(error.to_string().contains("`notes.md`"), "{error}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(std::fs::read_to_string(paths.out_dir.join("notes.md")).unwrap(), "# Notes\n\nby hand\n");
}

fn manifest(extra: &str) -> String {
    format!(
        r#"[[contract]]
event_type = "thing.happened"
version = 1
schema_id = "https://example.com/t/v1"
schema = "t/v1.schema.json"
source = "example"
subject_pattern = "thing:<identifier>"
category = "Test"
{extra}
[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "idempotency_key"
"#
    )
}

/// The pages of a made-up registry of one contract with `schema`.
fn pages_for(extra: &str, schema: &Value) -> Result<Vec<GeneratedFile>, Errors> {
    let manifest = Manifest::parse("schemas/contracts.toml", &manifest(extra))?;
    let schemas = BTreeMap::from([("t/v1.schema.json".to_owned(), schema.to_string())]);
    reference_pages(&Registry::new(manifest, schemas)?)
}

#[test]
fn made_up_schema_gives_rows_cells_and_a_valid_example() {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.com/t/v1",
        "description": "A made-up contract.",
        "type": "object",
        "required": ["count", "kind", "level", "nested", "tags", "when"],
        "properties": {
            "kind": {"type": "string", "enum": ["b", "a"], "description": "One | two\nthree"},
            "count": {"type": "integer", "minimum": 3},
            "when": {"type": "string", "format": "date-time"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["x"]}},
            "nested": {
                "type": "object",
                "required": ["inner"],
                "properties": {"inner": {"type": "boolean"}, "optional": {"type": "string"}}
            },
            "level": {"$ref": "#/$defs/level"},
            "maybe": {"type": ["string", "null"]},
            "anything": true
        },
        "$defs": {"level": {"type": "integer", "minimum": 7, "maximum": 5}}
    });
    let pages = pages_for("", &schema).expect("the schema gives a page");
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].path, "thing.happened.v1.md");
    let page = &pages[0].contents;
    // The schema's description stands in for the summary; no availability, no row.
    assert!(page.contains("\n\nA made-up contract.\n\n## Delivery Contract\n"), "{page}");
    assert!(!page.contains("Availability"), "{page}");
    assert!(page.contains("| Schema title | - |\n"), "{page}");
    for row in [
        "| `anything` | no | - | - | - |",
        "| `count` | yes | integer | - | - |",
        "| `kind` | yes | string | `b`, `a` | One \\| two<br>three |",
        "| `level` | yes | integer | - | - |",
        "| `maybe` | no | string or null | - | - |",
        "| `nested` | yes | object | - | - |",
        "| `tags` | yes | array | - | - |",
        "| `when` | yes | string | - | - |",
    ] {
        assert!(page.contains(&format!("{row}\n")), "no `{row}` in:\n{page}");
    }
    let example = generated_example(page);
    let expected = json!({
        "count": 3,
        "kind": "b",
        "level": 5,
        "nested": {"inner": true},
        "tags": ["x"],
        "when": "2026-05-05T12:00:00.000Z"
    });
    assert_eq!(example["data"], expected);
    assert_eq!(example["subject"], "thing:example");
    assert_eq!(example["idempotency_key"], "thing.happened:example");
    // `level`'s bounds contradict each other, so only the rest of the example is checkable.
    let mut valid = schema.clone();
    valid["$defs"]["level"]["minimum"] = json!(1);
    let validator = jsonschema::validator_for(&valid).unwrap();
    assert!(validator.is_valid(&example["data"]), "{example}");

    let pages = pages_for(
        "summary = \"Given.\"\navailability = \"Where | ever\"\nexamples = []",
        &json!({"$id": "https://example.com/t/v1", "examples": [{"given": 1}], "type": "object"}),
    )
    .expect("the schema gives a page");
    let page = &pages[0].contents;
    assert!(page.contains("\n\nGiven.\n\n"), "{page}");
    assert!(page.contains("| Availability | Where \\| ever |\n"), "{page}");
    assert!(page.contains("The payload schema lists no top-level properties.\n"), "{page}");
    assert_eq!(generated_example(page)["data"], json!({"given": 1}), "the schema's own example first");
}

/// The errors of a made-up registry whose schema is `schema`, as text.
#[track_caller]
fn errors_for(schema: &Value) -> Vec<Error> {
    pages_for("", schema).expect_err("the schema must be refused").0
}

#[test]
fn broken_input_is_an_error_naming_file_and_pointer() {
    let errors = errors_for(&json!({
        "$id": "https://example.com/t/v1",
        "type": "object",
        "properties": {"count": 5, "fine": {"type": "string"}}
    }));
    assert!(
        errors.iter().any(|error| matches!(
            error,
            Error::Schema { file, pointer, .. } if file == "schemas/t/v1.schema.json" && pointer == "/properties/count"
        )),
        "{errors:?}"
    );
    let errors = errors_for(&json!({"$id": "https://example.com/t/v1", "properties": []}));
    assert!(
        errors.iter().any(|error| error.to_string().starts_with("schemas/t/v1.schema.json#/properties: ")),
        "{errors:?}"
    );
    let errors = errors_for(&json!({"$id": "https://example.com/other", "type": "object"}));
    assert!(errors.iter().any(|error| error.to_string().contains("/$id")), "{errors:?}");
    let error = pages_for("summary = 5", &json!({})).expect_err("a summary must be text");
    assert!(error.to_string().contains("schemas/contracts.toml: "), "{error}");
}
