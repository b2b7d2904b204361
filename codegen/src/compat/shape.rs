//! The canonical form of a schema that the gate compares: `$ref`s inlined (so extracting or
//! renaming a definition changes nothing), sets where order does not matter (properties,
//! `required`, enum values), `const` and one-value `enum` alike, `type: "x"` and `["x"]` alike,
//! nullability spelled as a type array or as `anyOf`/`oneOf` with a null branch alike, and
//! unused definitions never visited.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::json_pointer::escape;

/// Keywords that only annotate: changing them changes no instance's validity.
pub(crate) const ANNOTATIONS: &[&str] =
    &["title", "description", "examples", "$comment", "deprecated", "readOnly", "writeOnly", "$schema"];

/// Keywords that constrain a value beside its type, compared one by one.
pub(crate) const CONSTRAINTS: &[&str] = &[
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "default",
];

/// Keywords handled structurally.
const STRUCTURE: &[&str] = &[
    "$id",
    "$defs",
    "definitions",
    "$ref",
    "type",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
];

/// A `$ref` a shape was read through.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    /// As written.
    pub written: String,
    /// Where the `$ref` keyword is.
    pub location: String,
    /// What it resolves to, `document#pointer`: two spellings of one target are equal.
    pub target: String,
}

/// What members an object may have beyond its `properties`.
#[derive(Debug, Clone)]
pub(crate) enum Additional {
    Open,
    Closed,
    Schema(Box<Shape>),
}

/// One schema, canonical.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    /// Where the schema object physically is: `#/$defs/Venue`.
    pub location: String,
    /// Allowed JSON types; `None` is any. `number` absorbs `integer`.
    pub types: Option<BTreeSet<String>>,
    /// Allowed values (canonical JSON text) from `const`/`enum`; `None` is unrestricted.
    pub values: Option<BTreeSet<String>>,
    /// The keyword that spells them (`const` when it is the only one, else `enum`), for
    /// findings to point at.
    pub values_keyword: &'static str,
    pub constraints: BTreeMap<String, Value>,
    pub annotations: BTreeMap<String, Value>,
    pub properties: BTreeMap<String, Shape>,
    pub required: BTreeSet<String>,
    pub additional: Additional,
    pub items: Option<Box<Shape>>,
    pub all_of: Vec<Shape>,
    pub any_of: Vec<Shape>,
    pub one_of: Vec<Shape>,
    /// The root's `$id`.
    pub id: Option<String>,
    /// A reference back into a definition being expanded (a recursive type): its location.
    pub recursion: Option<String>,
    /// The `$ref` this schema was read through: as written, where that keyword is, and what
    /// it resolves to (`document#pointer`). Not part of the meaning: a renamed definition
    /// means the same.
    pub reference: Option<Reference>,
}

type Problems = Vec<(String, String)>;

impl Shape {
    fn any(location: String) -> Shape {
        Shape {
            location,
            types: None,
            values: None,
            values_keyword: "enum",
            constraints: BTreeMap::new(),
            annotations: BTreeMap::new(),
            properties: BTreeMap::new(),
            required: BTreeSet::new(),
            additional: Additional::Open,
            items: None,
            all_of: Vec::new(),
            any_of: Vec::new(),
            one_of: Vec::new(),
            id: None,
            recursion: None,
            reference: None,
        }
    }

    /// The canonical shape of a whole schema document, with the `$ref`s into other documents
    /// of `root.documents` inlined like those within it.
    pub(crate) fn of_document(root: &super::Root<'_>) -> Result<Shape, Problems> {
        let frame = Frame { id: root.id.map(str::to_owned), schema: root.schema, prefix: String::new() };
        let mut builder =
            Builder { documents: root.documents, frames: vec![frame], problems: Vec::new(), expanding: Vec::new() };
        let shape = builder.shape(root.schema, "");
        if builder.problems.is_empty() {
            Ok(shape)
        } else {
            Err(builder.problems)
        }
    }

    /// What the shape allows, without where it is written or how it is annotated: two shapes
    /// with the same meaning give the same value.
    pub(crate) fn meaning(&self) -> Value {
        let shapes = |shapes: &[Shape]| {
            let mut meanings: Vec<String> = shapes.iter().map(|shape| shape.meaning().to_string()).collect();
            meanings.sort();
            meanings
        };
        json!({
            "types": self.types,
            "values": self.values,
            "constraints": self.constraints,
            "properties": self.properties.iter().map(|(name, shape)| (name.clone(), shape.meaning())).collect::<Map<_, _>>(),
            "required": self.required,
            "additional": match &self.additional {
                Additional::Open => json!(true),
                Additional::Closed => json!(false),
                Additional::Schema(shape) => shape.meaning(),
            },
            "items": self.items.as_ref().map(|items| items.meaning()),
            "allOf": shapes(&self.all_of),
            "anyOf": shapes(&self.any_of),
            "oneOf": shapes(&self.one_of),
            "recursion": self.recursion,
        })
    }

    /// A short description of the type, for messages: `string`, `integer or null`, `any`.
    pub(crate) fn type_name(&self) -> String {
        match &self.types {
            None => "any".to_owned(),
            Some(types) if types.is_empty() => "nothing".to_owned(),
            Some(types) => types.iter().cloned().collect::<Vec<_>>().join(" or "),
        }
    }

    fn is_null_only(&self) -> bool {
        self.types.as_ref().is_some_and(|types| types.len() == 1 && types.contains("null"))
            && self.properties.is_empty()
            && self.constraints.is_empty()
            && self.all_of.is_empty()
            && self.any_of.is_empty()
            && self.one_of.is_empty()
    }
}

/// The document a part of the shape is read from: the root, or one that a `$ref` led to.
struct Frame<'a> {
    /// Its id, for resolving relative references; `None` for a root without one.
    id: Option<String>,
    schema: &'a Value,
    /// How locations in it are written: empty for the root (`#/$defs/Venue`), its file for
    /// another document (`schemas/shared/venue.json#/$defs/Venue`).
    prefix: String,
}

struct Builder<'a> {
    documents: &'a BTreeMap<String, super::Document<'a>>,
    /// The document being read, innermost last.
    frames: Vec<Frame<'a>>,
    problems: Problems,
    /// Definitions being expanded (`document#pointer`), to stop at recursion.
    expanding: Vec<String>,
}

impl<'a> Builder<'a> {
    fn frame(&self) -> &Frame<'a> {
        self.frames.last().expect("the root frame is never popped")
    }

    fn problem(&mut self, pointer: &str, reason: impl Into<String>) {
        let reason = reason.into();
        let reason = match self.frame().prefix.as_str() {
            "" => reason,
            file => format!("in {file}: {reason}"),
        };
        self.problems.push((pointer.to_owned(), reason));
    }

    fn shape(&mut self, schema: &'a Value, pointer: &str) -> Shape {
        let location = format!("{}#{pointer}", self.frame().prefix);
        let object = match schema {
            Value::Bool(true) => return Shape::any(location),
            Value::Bool(false) => {
                let mut nothing = Shape::any(location);
                nothing.types = Some(BTreeSet::new());
                return nothing;
            }
            Value::Object(object) => object,
            _ => {
                self.problem(pointer, "a schema must be an object or a boolean");
                return Shape::any(location);
            }
        };
        let mut shape = Shape::any(location);
        for (keyword, value) in object {
            let at = format!("{pointer}/{}", escape(keyword));
            if ANNOTATIONS.contains(&keyword.as_str()) {
                shape.annotations.insert(keyword.clone(), value.clone());
            } else if CONSTRAINTS.contains(&keyword.as_str()) {
                shape.constraints.insert(keyword.clone(), value.clone());
            } else if !STRUCTURE.contains(&keyword.as_str()) {
                self.problem(&at, format!("keyword `{keyword}` is not understood by the compatibility gate"));
            }
        }
        if pointer.is_empty() {
            shape.id = object.get("$id").and_then(Value::as_str).map(str::to_owned);
        }
        if let Some(types) = object.get("type") {
            let names = match types {
                Value::String(name) => vec![name.clone()],
                Value::Array(names) => names.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                _ => {
                    self.problem(&format!("{pointer}/type"), "`type` must be a string or an array");
                    Vec::new()
                }
            };
            shape.types = Some(names.into_iter().collect());
        }
        let mut values: Option<BTreeSet<String>> = None;
        if let Some(value) = object.get("const") {
            values = Some(BTreeSet::from([value.to_string()]));
        }
        if let Some(allowed) = object.get("enum") {
            match allowed.as_array() {
                Some(allowed) => {
                    let set: BTreeSet<String> = allowed.iter().map(Value::to_string).collect();
                    values = Some(match values {
                        Some(existing) => existing.intersection(&set).cloned().collect(),
                        None => set,
                    });
                }
                None => self.problem(&format!("{pointer}/enum"), "`enum` must be an array"),
            }
        }
        shape.values = values;
        if object.contains_key("const") && !object.contains_key("enum") {
            shape.values_keyword = "const";
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, subschema) in properties {
                let property = self.shape(subschema, &format!("{pointer}/properties/{}", escape(name)));
                shape.properties.insert(name.clone(), property);
            }
        }
        if let Some(required) = object.get("required").and_then(Value::as_array) {
            shape.required = required.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        }
        shape.additional = match object.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Additional::Open,
            Some(Value::Bool(false)) => Additional::Closed,
            Some(subschema) => {
                Additional::Schema(Box::new(self.shape(subschema, &format!("{pointer}/additionalProperties"))))
            }
        };
        match object.get("items") {
            None => {}
            Some(Value::Array(_)) => {
                self.problem(&format!("{pointer}/items"), "tuple `items` is not understood by the compatibility gate")
            }
            Some(items) => shape.items = Some(Box::new(self.shape(items, &format!("{pointer}/items")))),
        }
        for (keyword, target) in
            [("allOf", &mut shape.all_of), ("anyOf", &mut shape.any_of), ("oneOf", &mut shape.one_of)]
        {
            if let Some(subschemas) = object.get(keyword) {
                match subschemas.as_array() {
                    Some(subschemas) => {
                        for (index, subschema) in subschemas.iter().enumerate() {
                            target.push(self.shape(subschema, &format!("{pointer}/{keyword}/{index}")));
                        }
                    }
                    None => self.problem(&format!("{pointer}/{keyword}"), format!("`{keyword}` must be an array")),
                }
            }
        }
        if let Some(reference) = object.get("$ref") {
            let (referenced, target) = self.reference(reference, &format!("{pointer}/$ref"));
            shape.all_of.insert(0, referenced);
            let written = reference.as_str().map_or_else(|| reference.to_string(), str::to_owned);
            shape.reference = Some(Reference { written, location: format!("{}/$ref", shape.location), target });
        }
        canonicalize(&mut shape);
        shape
    }

    /// The shape `reference` names, and its target (`document#pointer`; the reference as
    /// written when it does not resolve).
    fn reference(&mut self, reference: &'a Value, at: &str) -> (Shape, String) {
        let here = format!("{}#{at}", self.frame().prefix);
        let Some(text) = reference.as_str() else {
            self.problem(at, format!("{reference} is not a string"));
            return (Shape::any(here), reference.to_string());
        };
        // Within the document being read, or in another one of `documents`, by id.
        let (document, target, frame) = if let Some(target) = text.strip_prefix('#') {
            (self.frame().id.clone(), target.to_owned(), None)
        } else {
            let resolved = self.frame().id.as_deref().map(|base| crate::reference::resolve(base, text));
            match resolved {
                Some(Ok(resolved)) if Some(&resolved.document) == self.frame().id.as_ref() => {
                    (Some(resolved.document), resolved.fragment, None)
                }
                Some(Ok(resolved)) => match self.documents.get(&resolved.document) {
                    Some(other) => {
                        let frame = Frame {
                            id: Some(resolved.document.clone()),
                            schema: other.schema,
                            prefix: other.file.to_owned(),
                        };
                        (Some(resolved.document), resolved.fragment, Some(frame))
                    }
                    None if self.documents.is_empty() => {
                        self.problem(at, format!("\"{text}\" cannot be resolved: only references within the file are judged (judge a manifest with its lockfile to follow references across files)"));
                        return (Shape::any(here), reference.to_string());
                    }
                    None => {
                        self.problem(
                            at,
                            format!("\"{text}\" names `{}`, which is not in the lockfile", resolved.document),
                        );
                        return (Shape::any(here), reference.to_string());
                    }
                },
                Some(Err(message)) => {
                    self.problem(at, format!("\"{text}\" cannot be resolved: {message}"));
                    return (Shape::any(here), reference.to_string());
                }
                None => {
                    self.problem(
                        at,
                        format!("\"{text}\" cannot be resolved: only references within the file are judged"),
                    );
                    return (Shape::any(here), reference.to_string());
                }
            }
        };
        let schema = match &frame {
            Some(frame) => frame.schema.pointer(&target),
            None => self.frame().schema.pointer(&target),
        };
        let Some(schema) = schema else {
            self.problem(at, format!("\"{text}\" does not resolve"));
            return (Shape::any(here), reference.to_string());
        };
        let key = format!("{}#{target}", document.unwrap_or_default());
        let resolved = key.clone();
        let prefix = frame.as_ref().map_or_else(|| self.frame().prefix.clone(), |frame| frame.prefix.clone());
        if self.expanding.contains(&key) {
            let mut recursion = Shape::any(format!("{prefix}#{target}"));
            recursion.recursion = Some(format!("{prefix}#{target}"));
            return (recursion, resolved);
        }
        self.expanding.push(key);
        let entered = frame.is_some();
        if let Some(frame) = frame {
            self.frames.push(frame);
        }
        let shape = self.shape(schema, &target);
        if entered {
            self.frames.pop();
        }
        self.expanding.pop();
        (shape, resolved)
    }
}

/// Makes equal what means the same.
fn canonicalize(shape: &mut Shape) {
    // A lone `$ref` (or a lone `allOf` member) with nothing beside it but annotations is the
    // referenced shape itself.
    if shape.all_of.len() == 1 && has_no_own_constraints(shape) {
        let inner = shape.all_of.remove(0);
        let annotations = std::mem::take(&mut shape.annotations);
        let id = shape.id.take();
        let reference = shape.reference.take();
        *shape = inner;
        shape.annotations.extend(annotations);
        shape.id = id.or(shape.id.take());
        shape.reference = reference.or(shape.reference.take());
    }
    // Nullability spelled as `anyOf`/`oneOf` of one shape and `{"type": "null"}`.
    let nullable_branch = |branches: &Vec<Shape>| {
        branches.len() == 2 && branches.iter().filter(|branch| branch.is_null_only()).count() == 1
    };
    let branches = if nullable_branch(&shape.any_of) {
        Some(std::mem::take(&mut shape.any_of))
    } else if nullable_branch(&shape.one_of) {
        Some(std::mem::take(&mut shape.one_of))
    } else {
        None
    };
    if let Some(mut other) = branches.and_then(|branches| branches.into_iter().find(|branch| !branch.is_null_only())) {
        if let Some(types) = &mut other.types {
            types.insert("null".to_owned());
        }
        if let Some(values) = &mut other.values {
            values.insert("null".to_owned());
        }
        let annotations = std::mem::take(&mut shape.annotations);
        let id = shape.id.take();
        *shape = other;
        shape.annotations.extend(annotations);
        shape.id = id;
    }
    // Values restrict the type to theirs.
    if let Some(values) = &shape.values {
        let value_types: BTreeSet<String> = values
            .iter()
            .filter_map(|text| serde_json::from_str::<Value>(text).ok())
            .map(|value| json_type(&value).to_owned())
            .collect();
        shape.types = Some(match &shape.types {
            None => value_types,
            Some(declared) => value_types
                .into_iter()
                .filter(|value_type| {
                    declared.contains(value_type) || (value_type == "integer" && declared.contains("number"))
                })
                .collect(),
        });
    }
    if let Some(types) = &mut shape.types {
        if types.contains("number") {
            types.remove("integer");
        }
    }
}

fn has_no_own_constraints(shape: &Shape) -> bool {
    shape.types.is_none()
        && shape.values.is_none()
        && shape.constraints.is_empty()
        && shape.properties.is_empty()
        && shape.required.is_empty()
        && matches!(shape.additional, Additional::Open)
        && shape.items.is_none()
        && shape.any_of.is_empty()
        && shape.one_of.is_empty()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(number) if number.as_f64().is_some_and(|float| float.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
