//! Differential test: for every contract (`schemas/` and every fixture registry), instances
//! generated from its schema, valid ones and mutants of them (a member removed, a value of
//! another type, a constant changed, extra members, boundary numbers, odd strings), are
//! accepted by the generated decoder exactly when the `jsonschema` crate validates them against
//! the same schema. Disagreements are allowed only when they match an entry of
//! [`EXPECTED_DIFFERENCES`]: a value the decoder accepts and the schema does not must fail
//! only keywords that the generator lists, for that contract, as not enforced (the same list
//! the generated documentation and `cargo xtask codegen` print). Anything else fails the test
//! with the instance.
//!
//! 10 000 instances per contract by default; `COPE_DIFFERENTIAL_CASES=100000` asks for more.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

/// What the generated decoder said about one event.
#[derive(Debug)]
enum Verdict {
    Accepted,
    Rejected(String),
    /// Any other error (never expected, since the envelope is always valid), or an accepted
    /// event that does not re-encode to what came.
    Other(String),
}

/// Decodes with the crate; an accepted event must re-encode to JSON equal to the input.
macro_rules! decoder {
    ($krate:ident) => {
        |bytes: &[u8]| match $krate::decode(bytes) {
            Ok(event) => {
                let encoded: Value = serde_json::from_slice(&$krate::encode(&event).unwrap()).unwrap();
                let input: Value = serde_json::from_slice(bytes).unwrap();
                if encoded == input {
                    Verdict::Accepted
                } else {
                    Verdict::Other(format!("decoded, but re-encoded as {encoded}"))
                }
            }
            Err($krate::DecodeError::InvalidPayload { path, reason, .. }) => {
                Verdict::Rejected(format!("{path}: {reason}"))
            }
            // The payload's `schema_version` constant differs from the one `dataschema` names.
            Err($krate::DecodeError::ContractViolation { attribute, reason, .. }) if attribute == "dataschema" => {
                Verdict::Rejected(reason)
            }
            Err(other) => Verdict::Other(other.to_string()),
        }
    };
}

/// The decoder of each generated crate, by the crate's output folder name.
fn decoder_for(out_dir: &Path) -> fn(&[u8]) -> Verdict {
    match out_dir.file_name().and_then(|name| name.to_str()) {
        Some("generated") => decoder!(cope_events),
        Some("published-v1-v2") => decoder!(cope_events_fixture_published_v1_v2),
        Some("new-event-type") => decoder!(cope_events_fixture_new_event_type),
        Some("generator-edge-cases") => decoder!(cope_events_fixture_generator_edge_cases),
        Some("compat-loop") => decoder!(cope_events_fixture_compat_loop),
        Some("shared-definitions") => decoder!(cope_events_fixture_shared_definitions),
        Some("catalog") => decoder!(cope_events_fixture_catalog),
        Some("legacy-draft-04") => decoder!(cope_events_fixture_legacy_draft_04),
        Some("one-schema-many-types") => decoder!(cope_events_fixture_one_schema_many_types),
        Some("corpus-github-webhooks") => decoder!(cope_events_fixture_corpus_github_webhooks),
        Some("corpus-cdevents") => decoder!(cope_events_fixture_corpus_cdevents),
        other => panic!("no decoder listed for the generated crate {other:?}: add it to decoder_for"),
    }
}

/// Known representation gaps between the generated types and JSON Schema, each with why it is
/// accepted. The `jsonschema` verdict comes first (`true`: valid), then what the decoder did.
const EXPECTED_DIFFERENCES: &[(&str, &str)] = &[
    (
        "INTEGER_WRITTEN_AS_FLOAT",
        "JSON Schema counts 3.0 as an integer; `integer` members decode into `i64`, which serde_json only fills from \
         integer literals. Producers write integers without a fraction.",
    ),
    (
        "INTEGER_BEYOND_I64",
        "JSON Schema integers are unbounded; `integer` members are `i64`. Values beyond it are rejected, never \
         rounded (typify picks `u64` when `minimum` is 0 or more).",
    ),
    (
        "NOT_ENFORCED_KEYWORD",
        "Every keyword the schema fails is one the generator lists as not enforced for this contract \
         (`additionalProperties: false`, numeric bounds, `format`, `not`, conditionals...): the decoder accepts more \
         than the schema there, never less. Unknown members are kept by design, so that adding a field within a \
         version breaks no consumer.",
    ),
];

/// A rejection that writing every integral float (`3.0`) as an integer (`3`) turns into an
/// acceptance: `INTEGER_WRITTEN_AS_FLOAT`, confirmed by decoding again rather than read from
/// the message (inside a union the message mixes every branch's reason).
fn only_integral_floats(valid: bool, verdict: &Verdict, event: &Value, contract: &Contract) -> Option<&'static str> {
    fn as_integers(value: &Value) -> Value {
        match value {
            Value::Number(number) => match number.as_f64() {
                Some(float) if !number.is_i64() && !number.is_u64() && float.fract() == 0.0 && float.abs() < 9.0e15 => {
                    Value::from(float as i64)
                }
                _ => value.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(as_integers).collect()),
            Value::Object(members) => {
                Value::Object(members.iter().map(|(key, value)| (key.clone(), as_integers(value))).collect())
            }
            other => other.clone(),
        }
    }
    if !valid || !matches!(verdict, Verdict::Rejected(_)) {
        return None;
    }
    let rewritten = as_integers(event);
    (rewritten != *event && matches!((contract.decode)(&serde_json::to_vec(&rewritten).unwrap()), Verdict::Accepted))
        .then_some("INTEGER_WRITTEN_AS_FLOAT")
}

/// Which expected difference, if any, explains a disagreement; `errors` are jsonschema's
/// (keyword location, message) and `not_enforced` the pointers the generator lists.
fn explain(
    valid: bool,
    verdict: &Verdict,
    errors: &[(String, String)],
    not_enforced: &[String],
) -> Option<&'static str> {
    match (valid, verdict) {
        // An integer JSON Schema accepts that only a float holds (`1e30`), read by an integer
        // branch of a union (whose message joins every branch's reason).
        (true, Verdict::Rejected(reason)) if reason.contains("expected i64") || reason.contains("expected u64") => {
            Some("INTEGER_BEYOND_I64")
        }
        (true, Verdict::Rejected(reason)) if reason.contains("invalid type: floating point") => {
            Some("INTEGER_WRITTEN_AS_FLOAT").filter(|_| !reason.contains("expected a string"))
        }
        (true, Verdict::Rejected(reason)) if reason.contains("invalid value: integer") => Some("INTEGER_BEYOND_I64"),
        (false, Verdict::Accepted) => {
            // A union reports only that no branch (or several) matched: it is explained when a
            // keyword the decoder does not enforce lies inside its branches.
            let listed = |location: &str| {
                let union = location.ends_with("/oneOf") || location.ends_with("/anyOf");
                not_enforced.iter().any(|pointer| {
                    location == pointer
                        || location.starts_with(&format!("{pointer}/"))
                        || (union && pointer.starts_with(&format!("{location}/")))
                })
            };
            (!errors.is_empty() && errors.iter().all(|(location, _)| listed(location)))
                .then_some("NOT_ENFORCED_KEYWORD")
        }
        _ => None,
    }
}

struct Contract {
    name: String,
    event_type: String,
    source: String,
    subject: String,
    schema_id: String,
    schema: Value,
    /// JSON pointers, in `schema`, of the keywords the decoder does not enforce.
    not_enforced: Vec<String>,
    cases: u32,
    decode: fn(&[u8]) -> Verdict,
}

fn contracts() -> Vec<Contract> {
    let mut contracts = Vec::new();
    for target in xtask::codegen_task::Target::all_in_repository().unwrap() {
        let text = std::fs::read_to_string(&target.paths.manifest).unwrap();
        let manifest = codegen::Manifest::parse("contracts.toml", &text).unwrap();
        let folder = target.paths.manifest.parent().unwrap();
        let files = registry_documents(folder, &manifest);
        let documents: std::collections::BTreeMap<String, Value> =
            files.iter().map(|(id, (_, document))| (id.clone(), document.clone())).collect();
        let registry = xtask::codegen_task::load_registry(&target.paths.manifest).unwrap();
        let generated = codegen::generate_with_progress(&registry, &codegen::Settings::default(), &|_| {}).unwrap();
        for entry in &manifest.contracts {
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(folder.join(&entry.schema)).unwrap()).unwrap();
            let id = manifest.document_id(&entry.schema_id);
            let reached = reachable(&id, &schema, &documents);
            // A shared document's pointers, moved to where `embed_references` puts it.
            let embedded_prefix = |file: &str| -> Option<String> {
                let (id, _) = files.iter().find(|(_, (known, _))| file.ends_with(known.as_str()))?;
                let index = reached.keys().position(|known| known == id)?;
                Some(format!("/$defs/doc{index}"))
            };
            let not_enforced = generated
                .not_enforced
                .iter()
                .filter_map(|listed| {
                    if listed.file.ends_with(entry.schema.as_str()) {
                        Some(listed.pointer.clone())
                    } else {
                        embedded_prefix(&listed.file).map(|prefix| format!("{prefix}{}", listed.pointer))
                    }
                })
                .collect();
            let schema = embed_references(&schema, &id, &reached);
            contracts.push(Contract {
                name: format!("{} v{} ({})", entry.event_type, entry.version, target.paths.out_dir.display()),
                event_type: entry.event_type.clone(),
                source: entry.source.clone(),
                subject: entry.subject_pattern.replace("<identifier>", "1"),
                schema_id: id.clone(),
                schema,
                not_enforced,
                // Real registries' payloads have dozens of members: fewer instances each.
                cases: if manifest.documents.is_some() { corpus_cases() } else { cases() },
                decode: decoder_for(&target.paths.out_dir),
            });
        }
    }
    contracts
}

/// Every document of a registry, by id, with its file: those of its lockfile, or of its
/// `documents` folder (none without either).
fn registry_documents(
    folder: &Path,
    manifest: &codegen::Manifest,
) -> std::collections::BTreeMap<String, (String, Value)> {
    let files: Vec<(String, String)> = match xtask::lock::Lock::read(folder).unwrap() {
        Some(lock) => lock.documents.iter().map(|document| (document.file.clone(), document.id.clone())).collect(),
        None => match &manifest.documents {
            Some(documents) => xtask::codegen_task::document_ids(folder, documents, manifest).unwrap(),
            None => Vec::new(),
        },
    };
    files
        .into_iter()
        .map(|(file, id)| {
            let document = serde_json::from_str(&std::fs::read_to_string(folder.join(&file)).unwrap()).unwrap();
            (id, (file, document))
        })
        .collect()
}

/// The documents `schema` (the document `id`) reaches by `$ref`s across files, transitively.
fn reachable(
    id: &str,
    schema: &Value,
    documents: &std::collections::BTreeMap<String, Value>,
) -> std::collections::BTreeMap<String, Value> {
    let mut reached = std::collections::BTreeMap::new();
    let mut pending = vec![(id.to_owned(), schema.clone())];
    while let Some((base, schema)) = pending.pop() {
        for reference in codegen::reference::references(&schema) {
            let Ok(target) = codegen::reference::resolve(&base, &reference.value) else { continue };
            if target.document == id || reached.contains_key(&target.document) {
                continue;
            }
            if let Some(document) = documents.get(&target.document) {
                reached.insert(target.document.clone(), document.clone());
                pending.push((target.document, document.clone()));
            }
        }
    }
    reached
}

/// One self-contained schema for `jsonschema` and the instance generator: every document the
/// schema reaches across files is embedded under `$defs/doc<N>`, and every `$ref` is rewritten
/// to point into the embedded copy (`#/$defs/doc<N>/$defs/Venue`).
fn embed_references(schema: &Value, id: &str, documents: &std::collections::BTreeMap<String, Value>) -> Value {
    if documents.is_empty() {
        return schema.clone();
    }
    let mut prefixes: std::collections::BTreeMap<&str, String> =
        documents.keys().enumerate().map(|(index, doc)| (doc.as_str(), format!("#/$defs/doc{index}"))).collect();
    // The schema's own document stays the root.
    prefixes.insert(id, "#".to_owned());
    // Only `$ref`s in schema positions: `enum`, `const` and `examples` hold data.
    fn rewrite(value: &mut Value, base: &str, prefixes: &std::collections::BTreeMap<&str, String>) {
        for reference in codegen::reference::references(value) {
            let target = codegen::reference::resolve(base, &reference.value).unwrap();
            *value.pointer_mut(&reference.pointer).unwrap() =
                Value::String(format!("{}{}", prefixes[target.document.as_str()], target.fragment));
        }
    }
    let mut root = schema.clone();
    rewrite(&mut root, id, &prefixes);
    let defs = root.as_object_mut().unwrap().entry("$defs").or_insert_with(|| json!({}));
    for (doc_id, document) in documents {
        let mut embedded = document.clone();
        rewrite(&mut embedded, doc_id, &prefixes);
        embedded
            .as_object_mut()
            .unwrap()
            .retain(|keyword, _| keyword != "$id" && keyword != "id" && keyword != "$schema");
        defs[prefixes[doc_id.as_str()].trim_start_matches("#/$defs/")] = embedded;
    }
    root
}

fn cases() -> u32 {
    std::env::var("COPE_DIFFERENTIAL_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(10_000)
}

/// Instances per contract of a real registry (`COPE_DIFFERENTIAL_CORPUS_CASES`).
fn corpus_cases() -> u32 {
    std::env::var("COPE_DIFFERENTIAL_CORPUS_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(50)
}

#[test]
fn generated_decoders_agree_with_json_schema() {
    let contracts = contracts();
    assert!(contracts.len() >= 6, "every registry's contracts are covered");
    // Contracts are independent: one worker a core (a failure in any fails the test).
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(contracts.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut report: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut lines = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(contract) = contracts.get(index) else { break lines };
                        lines.push((index, check_contract(contract)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    report.sort();
    eprintln!("{}", report.into_iter().map(|(_, line)| line).collect::<Vec<_>>().join("\n"));
}

/// Runs the instances of one contract; returns a one-line summary.
fn check_contract(contract: &Contract) -> String {
    let validator = jsonschema::validator_for(&contract.schema).expect("the schema compiles for jsonschema");
    let strategy = instance(&contract.schema, &contract.schema, 0);
    let mut runner = TestRunner::new(Config { cases: contract.cases, failure_persistence: None, ..Config::default() });
    let counts = std::cell::RefCell::new([0usize; 3]); // accepted, rejected, explained
    let result = runner.run(&strategy, |data| {
        let valid = validator.is_valid(&data);
        let event = json!({
            "specversion": "1.0", "id": "1", "source": contract.source, "type": contract.event_type,
            "subject": contract.subject, "dataschema": contract.schema_id, "data": data,
        });
        let verdict = (contract.decode)(&serde_json::to_vec(&event).unwrap());
        let mut counts = counts.borrow_mut();
        match (&verdict, valid) {
            (Verdict::Other(error), _) => {
                return Err(TestCaseError::fail(format!(
                    "{}: the envelope is valid, yet: {error}, for {data}",
                    contract.name
                )))
            }
            (Verdict::Accepted, true) => counts[0] += 1,
            (Verdict::Rejected(_), false) => counts[1] += 1,
            _ => match explain(valid, &verdict, &keyword_errors(&validator, &data), &contract.not_enforced)
                .or_else(|| only_integral_floats(valid, &verdict, &event, contract))
            {
                Some(difference) => {
                    assert!(
                        EXPECTED_DIFFERENCES.iter().any(|(listed, _)| *listed == difference),
                        "{difference} is listed"
                    );
                    counts[2] += 1;
                }
                None => {
                    let errors = keyword_errors(&validator, &data);
                    return Err(TestCaseError::fail(format!(
                        "{}: jsonschema says {} ({errors:?}), the decoder says {verdict:?}, for {data}",
                        contract.name,
                        if valid { "valid" } else { "invalid" },
                    )));
                }
            },
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    let [accepted, rejected, explained] = *counts.borrow();
    let total = accepted + rejected + explained;
    assert!(total as u32 >= contract.cases, "{}: only {total} instances", contract.name);
    // Both sides must be exercised, or the agreement says little. Real registries' payloads
    // have dozens of required members, strings with lengths and formats this generator does
    // not aim at: few of their instances are valid, and their published examples (the corpus
    // test) are the valid side there.
    if contract.cases == cases() {
        assert!(accepted * 20 >= total, "{}: only {accepted} of {total} instances were valid", contract.name);
    }
    assert!(rejected * 50 >= total, "{}: only {rejected} of {total} instances were invalid", contract.name);
    format!("{}: {accepted} accepted, {rejected} rejected, {explained} expected differences", contract.name)
}

/// The keyword location (in the schema's own coordinates, `$ref`s not followed) and message of
/// every jsonschema error, computed only on a disagreement.
fn keyword_errors(validator: &jsonschema::Validator, data: &Value) -> Vec<(String, String)> {
    validator.iter_errors(data).map(|error| (error.schema_path().to_string(), error.to_string())).collect()
}

/// Values that conform to `schema` most of the time, and some that do not (a mutant at this
/// position): another JSON type, a boundary number, an odd string.
fn instance(schema: &Value, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    let conforming = conforming(schema, root, depth);
    prop_oneof![12 => conforming, 1 => any_json(2)].boxed()
}

fn conforming(schema: &Value, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    let Some(object) = schema.as_object() else { return any_json(2) };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let resolve =
            |reference: &str| root.pointer(reference.trim_start_matches('#')).cloned().unwrap_or(Value::Bool(true));
        let mut target = resolve(reference);
        // A chain of definitions that are only references is one step, not nesting.
        for _ in 0..1000 {
            let next =
                target.as_object().filter(|target| target.len() == 1).and_then(|target| target.get("$ref")?.as_str());
            let Some(next) = next.map(str::to_owned) else { break };
            target = resolve(&next);
        }
        return if depth > 6 { any_json(1) } else { conforming(&target, root, depth + 1) };
    }
    if let Some(value) = object.get("const") {
        return prop_oneof![6 => Just(value.clone()), 1 => odd_string().prop_map(Value::String)].boxed();
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        return prop_oneof![6 => proptest::sample::select(values.clone()), 1 => odd_string().prop_map(Value::String)]
            .boxed();
    }
    if let Some(Value::Array(branches)) = object.get("allOf") {
        // One schema with every branch's members, requirements and type.
        let mut merged = object.clone();
        merged.remove("allOf");
        for branch in branches {
            let reference =
                branch.get("$ref").and_then(Value::as_str).map(|reference| reference.trim_start_matches('#'));
            let branch = reference.and_then(|pointer| root.pointer(pointer)).unwrap_or(branch);
            let Some(branch) = branch.as_object() else { continue };
            for (keyword, value) in branch {
                match (keyword.as_str(), value, merged.get_mut(keyword)) {
                    ("properties", Value::Object(members), Some(Value::Object(known))) => known.extend(members.clone()),
                    ("required", Value::Array(names), Some(Value::Array(known))) => known.extend(names.clone()),
                    (_, _, None) => {
                        merged.insert(keyword.clone(), value.clone());
                    }
                    _ => {}
                }
            }
        }
        return conforming(&Value::Object(merged), root, depth + 1);
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = object.get(keyword) {
            let branches: Vec<BoxedStrategy<Value>> =
                branches.iter().map(|branch| conforming(branch, root, depth + 1)).collect();
            return proptest::strategy::Union::new(branches).boxed();
        }
    }
    if let Some(Value::Array(types)) = object.get("type") {
        let one_each: Vec<BoxedStrategy<Value>> = types
            .iter()
            .map(|single| {
                let mut narrowed = object.clone();
                narrowed.insert("type".to_owned(), single.clone());
                conforming(&Value::Object(narrowed), root, depth)
            })
            .collect();
        return proptest::strategy::Union::new(one_each).boxed();
    }
    match object.get("type").and_then(Value::as_str) {
        Some("null") => Just(Value::Null).boxed(),
        Some("object") => object_instance(object, root, depth),
        Some("string") => string_instance(object),
        Some("integer") => integer_instance(),
        Some("number") => {
            prop_oneof![integer_instance(), any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from)]
                .boxed()
        }
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => {
            let items = object.get("items").cloned().unwrap_or(Value::Bool(true));
            proptest::collection::vec(instance(&items, root, depth + 1), 0..4).prop_map(Value::Array).boxed()
        }
        _ => any_json(2),
    }
}

fn object_instance(object: &Map<String, Value>, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    let required: Vec<&str> =
        object.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let properties = object.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let members: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
        .iter()
        .map(|(name, property)| {
            let name = name.clone();
            let value = instance(property, root, depth + 1);
            // Required members are left out now and then (a mutant); optional ones half the time.
            let present = if required.contains(&name.as_str()) { 0.97 } else { 0.5 };
            proptest::option::weighted(present, value)
                .prop_map(move |value| value.map(|value| (name.clone(), value)))
                .boxed()
        })
        .collect();
    let extras = prop_oneof![
        3 => Just(Vec::new()),
        1 => proptest::collection::vec(("[a-z_]{1,6}|\\PC{1,3}", any_json(1)), 1..3),
    ];
    (members, extras)
        .prop_map(|(members, extras)| {
            let mut map = Map::new();
            for (name, value) in extras {
                map.insert(name, value);
            }
            for (name, value) in members.into_iter().flatten() {
                map.insert(name, value);
            }
            Value::Object(map)
        })
        .boxed()
}

fn string_instance(object: &Map<String, Value>) -> BoxedStrategy<Value> {
    let pattern = object
        .get("pattern")
        .and_then(Value::as_str)
        .and_then(|pattern| proptest::string::string_regex(pattern.trim_start_matches('^').trim_end_matches('$')).ok());
    let strings = match pattern {
        Some(matching) => prop_oneof![3 => matching, 1 => odd_string()].boxed(),
        None => odd_string(),
    };
    strings.prop_map(Value::String).boxed()
}

/// Empty, long, non-ASCII, escapes and control characters, and ordinary words.
fn odd_string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 _.:-]{0,12}",
        2 => "\\PC{0,10}",
        1 => Just(String::new()),
        1 => Just("\"\\\u{0}\u{1f}\u{7f}\u{2028}\u{feff}".to_owned()),
        1 => "[A-Z]{9,12}",
        1 => Just("é".repeat(40)),
    ]
    .boxed()
}

/// Ordinary integers and the boundaries a decoder gets wrong: 64-bit limits, beyond them,
/// and integers written with a fraction or an exponent.
fn integer_instance() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (-1000i64..1000).prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        1 => proptest::sample::select(vec![
            json!(0), json!(-1), json!(i64::MAX), json!(i64::MIN), json!(u64::MAX), json!(3.0), json!(1e30), json!(-0.0), json!(2.5),
        ]),
    ]
    .boxed()
}

/// Any JSON value, `depth` levels deep at most.
fn any_json(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        odd_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}
