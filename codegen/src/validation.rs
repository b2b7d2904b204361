//! JSON Schema validation, through `boon` (every draft the generator reads, the official test
//! suite passed): a document against its draft's meta-schema, and instances against a schema
//! for the compatibility gate's counterexamples. The one module that names the validator.

use std::sync::OnceLock;

use boon::{Compiler, ErrorKind, SchemaIndex, Schemas, ValidationError};
use serde_json::Value;

use crate::draft::{Draft, DRAFTS};

/// Refuses every document it is not given: validation reads no file and no network (boon's
/// meta-schemas are built in).
struct NoDocuments;

impl boon::UrlLoader for NoDocuments {
    fn load(&self, url: &str) -> Result<Value, Box<dyn std::error::Error>> {
        Err(format!("`{url}` is not one of the documents given (validation reads no file and no network)").into())
    }
}

/// A compiler that loads nothing.
fn compiler() -> Compiler {
    let mut compiler = Compiler::new();
    compiler.use_loader(Box::new(NoDocuments));
    compiler
}

/// The meta-schemas of every draft, compiled once (boon carries their documents).
struct MetaSchemas {
    schemas: Schemas,
    /// By draft, in the order of [`DRAFTS`].
    indexes: Vec<(Draft, SchemaIndex)>,
}

fn meta_schemas() -> &'static MetaSchemas {
    static META_SCHEMAS: OnceLock<MetaSchemas> = OnceLock::new();
    META_SCHEMAS.get_or_init(|| {
        let mut schemas = Schemas::new();
        let mut compiler = compiler();
        let indexes = DRAFTS
            .iter()
            .map(|(draft, uri)| {
                let index = compiler.compile(uri, &mut schemas).unwrap_or_else(|error| {
                    // boon embeds these documents: failing to compile one is a bug of the build.
                    panic!("the meta-schema {uri} that boon carries does not compile: {error}")
                });
                (*draft, index)
            })
            .collect();
        MetaSchemas { schemas, indexes }
    })
}

/// `schema` against `draft`'s meta-schema: the JSON pointer of the innermost violation and what
/// is wrong there.
///
/// The meta-schemas of drafts 04 to 07 mark `pattern`s (and `patternProperties` names) as
/// `format: regex`, which boon asserts in those drafts with its own regex parser; the
/// generator reads ECMA-262 patterns that parser refuses (`[\w-.]`, `[\b]`), and judges every
/// pattern itself (`schema_check`, `pattern.rs`), so those format errors are not violations.
pub(crate) fn meta_validate(schema: &Value, draft: Draft) -> Result<(), (String, String)> {
    let meta = meta_schemas();
    let (_, index) = meta.indexes.iter().find(|(known, _)| *known == draft).expect("every draft has a meta-schema");
    match meta.schemas.validate(schema, *index) {
        Ok(()) => Ok(()),
        Err(error) => match innermost(&error) {
            Some(innermost) => Err((innermost.instance_location.to_string(), innermost.kind.to_string())),
            None => Ok(()),
        },
    }
}

/// The error that says what is wrong: below the errors that only group others (a schema, a
/// `$ref`, a set of keywords, a property name's), the first cause that is not a `regex` format error, down to a
/// keyword's own error (which, for `anyOf` or `oneOf`, holds its branches' errors). `None`
/// when only `regex` format errors are left.
fn innermost<'e, 's, 'v>(error: &'e ValidationError<'s, 'v>) -> Option<&'e ValidationError<'s, 'v>> {
    match &error.kind {
        ErrorKind::Format { want: "regex", .. } => None,
        ErrorKind::Group | ErrorKind::Schema { .. } | ErrorKind::Reference { .. } | ErrorKind::PropertyName { .. }
            if !error.causes.is_empty() =>
        {
            error.causes.iter().find_map(innermost)
        }
        _ => Some(error),
    }
}

/// A schema compiled for validating instances, `format` asserted.
pub(crate) struct Validator {
    schemas: Schemas,
    index: SchemaIndex,
}

impl Validator {
    /// `schema` (one document; `$ref`s to others do not resolve), compiled; `Err` says why not.
    /// Its `pattern`s are ECMA-262, which boon reads with a stricter parser than the
    /// generator's: each is compiled as `pattern.rs` writes it in `regex` syntax (with the same
    /// meaning), when it can be.
    pub(crate) fn new(schema: &Value) -> Result<Validator, String> {
        /// Where the document is registered when it has no `$id` of its own.
        const LOCATION: &str = "urn:cope-codegen:validator";
        let mut schemas = Schemas::new();
        let mut compiler = compiler();
        compiler.enable_format_assertions();
        let mut schema = schema.clone();
        translate_patterns(&mut schema);
        compiler.add_resource(LOCATION, schema).map_err(|error| error.to_string())?;
        let index = compiler.compile(LOCATION, &mut schemas).map_err(|error| error.to_string())?;
        Ok(Validator { schemas, index })
    }

    pub(crate) fn is_valid(&self, instance: &Value) -> bool {
        self.schemas.validate(instance, self.index).is_ok()
    }
}

/// Every `pattern` and `patternProperties` name of `schema`, in `regex` syntax where
/// [`crate::pattern::to_rust`] translates it; data (`enum`, `const`, `default`, `examples`) is
/// left alone.
fn translate_patterns(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::String(pattern)) = object.get_mut("pattern") {
                if let Ok(translated) = crate::pattern::to_rust(pattern) {
                    *pattern = translated;
                }
            }
            if let Some(Value::Object(properties)) = object.get_mut("patternProperties") {
                *properties = std::mem::take(properties)
                    .into_iter()
                    .map(|(pattern, value)| (crate::pattern::to_rust(&pattern).unwrap_or(pattern), value))
                    .collect();
            }
            for (keyword, value) in object.iter_mut() {
                if !matches!(keyword.as_str(), "enum" | "const" | "default" | "examples" | "pattern") {
                    translate_patterns(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(translate_patterns),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_violation_is_found_where_it_is() {
        let schema = json!({"type": "object", "properties": {"a": {"type": []}, "b": {"required": "b"}}});
        let (pointer, message) = meta_validate(&schema, Draft::Draft2020_12).expect_err("invalid");
        assert!(pointer == "/properties/a/type" || pointer == "/properties/b/required", "{pointer}: {message}");
        for draft in [Draft::Draft4, Draft::Draft6, Draft::Draft7, Draft::Draft2019_09, Draft::Draft2020_12] {
            assert_eq!(meta_validate(&json!({"type": "string", "minLength": 2}), draft), Ok(()), "{draft:?}");
            let (pointer, _) = meta_validate(&json!({"minLength": -1}), draft).expect_err("negative length");
            assert_eq!(pointer, "/minLength", "{draft:?}");
        }
        // ECMA-262 patterns the regex crate's parser refuses are the generator's to judge, in
        // every draft, although drafts 04 to 07 assert `format: regex` on them.
        for draft in [Draft::Draft4, Draft::Draft7, Draft::Draft2020_12] {
            let ecma = json!({"type": "string", "pattern": "^[\\w-.]+$", "patternProperties": {"[\\b]": {}}});
            assert_eq!(meta_validate(&ecma, draft), Ok(()), "{draft:?}");
            let both = json!({"pattern": "[\\w-.]", "maxLength": "x"});
            assert_eq!(meta_validate(&both, draft).map_err(|(pointer, _)| pointer), Err("/maxLength".to_owned()));
        }
        // Draft-04's `exclusiveMinimum` is a boolean, 2020-12's a number.
        assert!(meta_validate(&json!({"minimum": 1, "exclusiveMinimum": true}), Draft::Draft4).is_ok());
        assert!(meta_validate(&json!({"minimum": 1, "exclusiveMinimum": true}), Draft::Draft2020_12).is_err());
    }

    #[test]
    fn instances_are_judged_with_formats_asserted() {
        let validator = Validator::new(&json!({
            "$id": "https://example.com/a",
            "type": "object",
            "required": ["at"],
            "properties": {"at": {"type": "string", "format": "date-time"}, "n": {"$ref": "#/$defs/n"}},
            "$defs": {"n": {"type": "integer", "minimum": 1}}
        }))
        .expect("compiles");
        assert!(validator.is_valid(&json!({"at": "2026-05-05T12:00:00Z", "n": 1})));
        assert!(!validator.is_valid(&json!({"at": "yesterday"})));
        assert!(!validator.is_valid(&json!({"at": "2026-05-05T12:00:00Z", "n": 0})));
        assert!(Validator::new(&json!({"$ref": "https://elsewhere.example.com/x"})).is_err());
        // ECMA-262 patterns the regex crate's parser refuses, with their ECMA meaning (`\d` is
        // ASCII only).
        let patterns = Validator::new(&json!({
            "properties": {"a": {"type": "string", "pattern": "^[\\w-.]+$"}, "d": {"pattern": "^\\d$"}},
            "patternProperties": {"^x[\\w-.]$": {"type": "integer"}},
            "enum": [{"a": "ok", "pattern": "[\\w-.]"}, {"a": "a.b-c"}, {"d": "1"}, {"d": "\u{0661}"}, {"x-": "s"}]
        }))
        .expect("compiles");
        assert!(patterns.is_valid(&json!({"a": "a.b-c"})));
        assert!(patterns.is_valid(&json!({"a": "ok", "pattern": "[\\w-.]"})), "a pattern in data is data");
        assert!(patterns.is_valid(&json!({"d": "1"})));
        assert!(!patterns.is_valid(&json!({"d": "\u{0661}"})), "`\\d` is ASCII digits");
        assert!(!patterns.is_valid(&json!({"x-": "s"})));
        assert!(Validator::new(&json!({"$ref": "file:///etc/hostname"})).is_err(), "no file is read");
    }
}
