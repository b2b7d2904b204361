//! `cargo xtask init`: a first manifest for a registry folder, so that nobody writes hundreds
//! of `[[contract]]` tables by hand.
//!
//! Every `.json` document below the folder is registered under its id (`documents`, with
//! `base_uri`). A root document, one that no other document `$ref`s, becomes a contract. Its
//! event type is the one constant string of a member called `type` (searched through nested
//! `properties`, as CDEvents puts it in `context.type`), else its path (`check_run/completed`
//! becomes `check_run.completed`; a file named `event` adds nothing). What cannot be guessed
//! (source, subject prefix) gets a placeholder for the user to edit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use codegen::reference::{references, resolve};
use codegen::{is_event_type, Manifest};
use serde_json::Value;

use crate::codegen_task::{document_ids, TaskError};

/// What `init` is asked to do.
pub struct InitOptions {
    /// The registry folder.
    pub folder: PathBuf,
    /// Where the manifest goes (its folder must contain `folder`).
    pub out: PathBuf,
    /// What relative ids resolve against.
    pub base_uri: String,
    /// CloudEvents `source` of every contract.
    pub source: String,
}

/// One contract `init` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    pub event_type: String,
    pub schema_id: String,
    pub schema: String,
    pub category: String,
    /// How the event type was found.
    pub from: &'static str,
}

/// Writes the manifest; returns the contracts it lists.
pub fn run(options: &InitOptions) -> Result<Vec<Guess>, TaskError> {
    let manifest_folder =
        options.out.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let documents = relative_folder(manifest_folder, &options.folder)?;
    let probe_text = format!("base_uri = {:?}\ndocuments = {:?}\n", options.base_uri, documents);
    let probe = Manifest::parse("contracts.toml", &probe_text).map_err(TaskError::Generate)?;
    let registered = document_ids(manifest_folder, &documents, &probe)?;
    let mut schemas = BTreeMap::new();
    for (relative, id) in &registered {
        let path = manifest_folder.join(relative);
        let text = std::fs::read_to_string(&path)
            .map_err(|source| TaskError::Read { path: path.display().to_string(), source })?;
        let schema: Value = codegen::parse_document(&text).map_err(|message| TaskError::Read {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        })?;
        schemas.insert(id.clone(), (relative.clone(), schema));
    }
    let referenced: BTreeSet<String> = schemas
        .iter()
        .flat_map(|(id, (_, schema))| {
            references(schema)
                .into_iter()
                .filter_map(|reference| resolve(id, &reference.value).ok())
                .map(|target| target.document)
                .filter(move |target| target != id)
        })
        .collect();
    let mut guesses = Vec::new();
    let mut taken = BTreeSet::new();
    for (id, (relative, schema)) in &schemas {
        if referenced.contains(id) {
            continue;
        }
        let below = crate::lock::path_below(&documents, relative).unwrap_or(relative);
        let (mut event_type, from) = match type_constant(schema, 0) {
            Some(constant) => (constant, "the constant of its `type` member"),
            None => (path_event_type(below), "its path"),
        };
        let base = event_type.clone();
        let mut number = 2;
        while !taken.insert(event_type.clone()) {
            event_type = format!("{base}_{number}");
            number += 1;
        }
        // The manifest `init` writes names no `default_draft`: 2020-12 is the default.
        let declared = codegen::Draft::declared_id(schema, codegen::Draft::Draft2020_12).map(str::to_owned);
        guesses.push(Guess {
            event_type,
            schema_id: declared.unwrap_or_else(|| below.to_owned()),
            schema: relative.clone(),
            category: below
                .split('/')
                .next()
                .filter(|first| below.contains('/') && !first.is_empty())
                .unwrap_or("Events")
                .to_owned(),
            from,
        });
    }
    guesses.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    let text = render(options, &documents, &guesses);
    Manifest::parse("contracts.toml", &text).map_err(TaskError::Generate)?;
    std::fs::write(&options.out, text)
        .map_err(|source| TaskError::Read { path: options.out.display().to_string(), source })?;
    Ok(guesses)
}

/// `folder` relative to `base`, with `/` separators; it must lie below `base`.
fn relative_folder(base: &Path, folder: &Path) -> Result<String, TaskError> {
    let absolute = |path: &Path| {
        std::fs::canonicalize(path).map_err(|source| TaskError::Read { path: path.display().to_string(), source })
    };
    let (base, folder) = (absolute(base)?, absolute(folder)?);
    let relative = folder.strip_prefix(&base).map_err(|_| TaskError::Read {
        path: folder.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the registry folder must be inside the manifest's folder",
        ),
    })?;
    let text = relative.to_string_lossy().replace('\\', "/");
    Ok(if text.is_empty() { ".".to_owned() } else { text })
}

/// The one constant string of a member named `type`, searched through nested `properties`
/// (three levels), when it is a valid event type.
fn type_constant(schema: &Value, depth: usize) -> Option<String> {
    let properties = schema.get("properties")?.as_object()?;
    if let Some(member) = properties.get("type") {
        let constant = match (member.get("const"), member.get("enum")) {
            (Some(Value::String(value)), _) => Some(value.clone()),
            (None, Some(Value::Array(values))) if values.len() == 1 => values[0].as_str().map(str::to_owned),
            _ => None,
        };
        if let Some(constant) = constant.filter(|constant| constant.contains('.') && is_event_type(constant)) {
            return Some(constant);
        }
    }
    if depth >= 2 {
        return None;
    }
    properties.values().find_map(|member| type_constant(member, depth + 1))
}

/// `check_run/completed.schema.json` → `check_run.completed`; `ping/event.schema.json` →
/// `ping`; characters an event type cannot hold become `_`.
fn path_event_type(below: &str) -> String {
    let stem = below.trim_end_matches(".json").trim_end_matches(".schema");
    let words: Vec<String> = stem
        .split('/')
        .filter(|word| *word != "event" || !stem.contains('/'))
        .map(|word| word.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>())
        .map(|word| word.trim_matches('_').to_owned())
        .filter(|word| !word.is_empty())
        .collect();
    let joined = words.join(".");
    if joined.starts_with(|c: char| c.is_ascii_alphabetic()) {
        joined
    } else {
        format!("event.{joined}")
    }
}

fn render(options: &InitOptions, documents: &str, guesses: &[Guess]) -> String {
    let mut text = format!(
        "# Written by `cargo xtask init`: one contract per root document of `{documents}` (a document no\n\
         # other document refers to). Review it: event types come from each schema's `type` constant\n\
         # or from its path, `source` and `subject_pattern` are placeholders, every version is 1.\n\n\
         base_uri = {:?}\ndocuments = {:?}\n",
        options.base_uri, documents
    );
    for guess in guesses {
        text.push_str(&format!(
            "\n# event type from {}\n[[contract]]\nevent_type = {:?}\nversion = 1\nschema_id = {:?}\nschema = {:?}\nsource = {:?}\nsubject_pattern = \"<identifier>\"\ncategory = {:?}\ndelivery = {{ encoding = \"cloudevents-1.0-structured-json\", guarantee = \"at-least-once\", idempotency_key = \"idempotency_key\" }}\n",
            guess.from, guess.event_type, guess.schema_id, guess.schema, options.source, guess.category
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_come_from_paths() {
        assert_eq!(path_event_type("check_run/completed.schema.json"), "check_run.completed");
        assert_eq!(path_event_type("ping/event.schema.json"), "ping");
        assert_eq!(path_event_type("buildfinished.json"), "buildfinished");
        assert_eq!(path_event_type("a$b/c d.json"), "a_b.c_d");
        assert_eq!(path_event_type("2fa/x.json"), "event.2fa.x");
    }

    #[test]
    fn event_types_come_from_a_type_constant() {
        let schema = serde_json::json!({"properties": {"context": {"properties": {"type": {"enum": ["dev.cdevents.build.finished.0.3.0"]}}}}});
        assert_eq!(type_constant(&schema, 0).as_deref(), Some("dev.cdevents.build.finished.0.3.0"));
        let plain = serde_json::json!({"properties": {"type": {"enum": ["Bot", "User"]}}});
        assert_eq!(type_constant(&plain, 0), None);
    }
}
