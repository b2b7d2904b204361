//! Lowering: one document's schema becomes the payload model of its module.
//!
//! One recursive reading, one rule per shape:
//! - `$ref` names the type its target gives (a local target is lowered once, under the name of
//!   its definition; a target in another document is that document's shared type);
//! - `allOf`, and a `$ref` whose siblings apply, are flattened into one schema (`merge`);
//! - `oneOf`/`anyOf`: keywords beside them apply to every branch; `null` branches make the
//!   site nullable; branches that only list `required` members constrain one struct; one
//!   branch left is that branch's type; only literals left is one literal enum; else a union;
//! - `enum`/`const`: a literal enum of exact JSON values (`null` among them: nullable);
//! - `type`: one type gives its Rust type (several: a union, `null` among them: nullable).
//!
//! Nullability travels beside the type (`Lowered`), never inside a named item, so that a field
//! can tell absent, `null` and a value apart.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::checks;
use super::docs::doc_lines;
use super::keywords::{is_annotation, is_container, narrows_unenforced};
use super::merge::{merge, type_set, MergeError, Merged};
use super::model::{
    Checks, Field, Item, Kind, Literal, Module, Newtype, NotEnforced, PatternMembers, PresenceRule, Struct, Tuple, Ty,
    Union, Variant,
};
use super::naming::{distinct, literal_variants, TypeNames};
use crate::error::Error;
use crate::json_pointer::{escape, last_token};
use crate::names::type_name;
use crate::reference::{
    decode_fragment, find_anchor, resolve, value_subschemas, SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_VALUES,
};
use crate::shared::Bundle;

/// How deep one reading may recurse (a reference is lowered once; merging inlines its target).
const MAX_DEPTH: usize = 128;

/// The document being lowered.
pub(crate) struct Document<'a> {
    /// The file, as messages name it.
    pub file: &'a str,
    /// The document's id in normal form: references resolve against it.
    pub id: &'a str,
    pub schema: &'a Value,
    /// 2019-09 and later: a `$ref`'s siblings apply (before, they are ignored).
    pub modern: bool,
}

/// A type and whether `null` is allowed beside it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lowered {
    pub ty: Ty,
    pub nullable: bool,
}

impl Lowered {
    fn of(ty: Ty) -> Lowered {
        Lowered { ty, nullable: false }
    }

    /// The type where nullability cannot stand beside it (an item, a map value, a branch).
    pub(crate) fn into_ty(self) -> Ty {
        self.ty.nullable(self.nullable)
    }
}

/// What a new type created for a schema is called.
#[derive(Debug, Clone)]
enum Hint {
    /// This name, already reserved (a definition's, the payload's).
    Exact(String),
    /// A name made from this, numbered if taken.
    Derived(String),
}

impl Hint {
    fn text(&self) -> &str {
        match self {
            Hint::Exact(text) | Hint::Derived(text) => text,
        }
    }
}

/// The result of lowering one document.
pub(crate) struct Lowering {
    pub module: Module,
    /// Keywords the decoder does not enforce, found while lowering (the rest come from the
    /// keyword survey).
    pub not_enforced: Vec<NotEnforced>,
    /// (pointer, message) of things that generate but deserve a look.
    pub warnings: Vec<(String, String)>,
    /// The JSON pointers of the subschemas generated: the contract's root (its definitions
    /// apart) and every target lowered, so that only what is reached is surveyed.
    pub reached: Vec<String>,
}

/// Lowers a contract's payload schema; its root type is called `payload_type`.
pub(crate) fn contract(document: &Document<'_>, bundle: &Bundle, payload_type: &str) -> Result<Lowering, Vec<Error>> {
    let mut lower = Lower::new(document, bundle);
    lower.names.reserve(payload_type);
    // A nullable root cannot be the payload type itself: the payload wraps it.
    let hint = if lower.allows_null(document.schema, &mut Vec::new()) {
        Hint::Derived(format!("{payload_type}Value"))
    } else {
        Hint::Exact(payload_type.to_owned())
    };
    lower.in_progress.insert(String::new(), payload_type.to_owned());
    lower.root_reached = true;
    let root = lower.lower(document.schema, "", &hint);
    lower.in_progress.remove("");
    let mut root = root;
    if root.nullable && root.ty == Ty::Named(payload_type.to_owned()) {
        // The root allows `null` after all: its struct takes another name, the payload wraps it.
        let renamed = lower.names.allocate(&format!("{payload_type}Value"));
        if let Some(item) = lower.slots.iter_mut().flatten().find(|item| item.name == payload_type) {
            item.name.clone_from(&renamed);
        }
        root.ty = Ty::Named(renamed);
    }
    if root != Lowered::of(Ty::Named(payload_type.to_owned())) {
        let doc = doc_lines(document.schema);
        lower.push(Item {
            name: payload_type.to_owned(),
            doc,
            kind: Kind::Newtype(Newtype { inner: root.into_ty(), checks: Checks::None }),
        });
    }
    lower.finish()
}

/// The payload of a contract whose schema several event types give: its root is a type of
/// the schema's shared document, and the payload type wraps it, so that each event type still
/// has a `Contract` type of its own.
pub(crate) fn shared_root_wrapper(
    document: &Document<'_>,
    bundle: &Bundle,
    payload_type: &str,
) -> Result<Lowering, Vec<Error>> {
    let mut lower = Lower::new(document, bundle);
    let Some(path) = bundle.definition_path(document.id, "") else {
        lower.error("", "the schema several event types give has no shared type");
        return lower.finish();
    };
    let nullable = lower.allows_null(document.schema, &mut Vec::new());
    let mut doc = doc_lines(document.schema);
    if !doc.is_empty() {
        doc.push(String::new());
    }
    let shared_name = path.rsplit("::").next().unwrap_or(&path);
    doc.push(format!(
        "Several event types give this schema: their payloads all wrap [`{shared_name}`]({path}), whose module lists what the decoder does not enforce."
    ));
    let inner = Lowered { ty: Ty::Shared(path), nullable }.into_ty();
    lower.push(Item {
        name: payload_type.to_owned(),
        doc,
        kind: Kind::Newtype(Newtype { inner, checks: Checks::None }),
    });
    lower.finish()
}

/// Lowers a shared document: one type per entry of `types` (JSON pointer → Rust name).
pub(crate) fn shared(
    document: &Document<'_>,
    bundle: &Bundle,
    types: &BTreeMap<String, String>,
) -> Result<Lowering, Vec<Error>> {
    let mut lower = Lower::new(document, bundle);
    for name in types.values() {
        lower.names.reserve(name);
    }
    lower.fixed.clone_from(types);
    for (pointer, name) in types {
        let lowered = lower.local(pointer, pointer);
        if lowered.ty != Ty::Named(name.clone()) {
            let schema = document.schema.pointer(pointer).unwrap_or(&Value::Null);
            // A map is given a type of its own rather than an alias: a field naming it from
            // another module must still read it strictly (a key twice is an error).
            let kind = if lowered.ty.holds_map() {
                Kind::Newtype(Newtype { inner: lowered.ty, checks: Checks::None })
            } else {
                Kind::Alias(lowered.ty)
            };
            lower.push(Item { name: name.clone(), doc: doc_lines(schema), kind });
        }
    }
    lower.finish()
}

struct Lower<'a> {
    document: &'a Document<'a>,
    bundle: &'a Bundle,
    names: TypeNames,
    /// Items in the order they were begun; `None` while one is being lowered.
    slots: Vec<Option<Item>>,
    /// Local targets already lowered, by JSON pointer.
    memo: BTreeMap<String, Lowered>,
    /// Local targets being lowered, with the name their item will have.
    in_progress: BTreeMap<String, String>,
    /// Names referred to while their target was still being lowered (recursion).
    recursive: BTreeSet<String>,
    /// Names decided before lowering (a shared document's types), by pointer.
    fixed: BTreeMap<String, String>,
    not_enforced: Vec<NotEnforced>,
    warnings: Vec<(String, String)>,
    errors: Vec<Error>,
    depth: usize,
    /// The document's root was lowered as the payload (not through a reference).
    root_reached: bool,
    /// Local targets read into merged schemas (`allOf`, `$ref` with siblings).
    inlined: std::cell::RefCell<BTreeSet<String>>,
}

impl<'a> Lower<'a> {
    fn new(document: &'a Document<'a>, bundle: &'a Bundle) -> Self {
        Lower {
            document,
            bundle,
            names: TypeNames::default(),
            slots: Vec::new(),
            memo: BTreeMap::new(),
            in_progress: BTreeMap::new(),
            recursive: BTreeSet::new(),
            fixed: BTreeMap::new(),
            not_enforced: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            depth: 0,
            root_reached: false,
            inlined: std::cell::RefCell::new(BTreeSet::new()),
        }
    }

    fn finish(self) -> Result<Lowering, Vec<Error>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let items = self.slots.into_iter().flatten().collect();
        let mut module = Module { items };
        super::recursion::box_cycles(&mut module);
        let mut reached: BTreeSet<String> = self.memo.into_keys().collect();
        reached.extend(self.inlined.into_inner());
        if self.root_reached {
            reached.insert(String::new());
        }
        let reached = reached.into_iter().collect();
        Ok(Lowering { module, not_enforced: self.not_enforced, warnings: self.warnings, reached })
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(Error::Schema {
            file: self.document.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn push(&mut self, item: Item) {
        self.slots.push(Some(item));
    }

    /// A slot for an item whose members are lowered first, so that items keep the order in
    /// which they were reached.
    fn begin(&mut self) -> usize {
        self.slots.push(None);
        self.slots.len() - 1
    }

    fn name(&mut self, hint: &Hint) -> String {
        match hint {
            Hint::Exact(name) => name.clone(),
            Hint::Derived(hint) => self.names.allocate(hint),
        }
    }

    fn lower(&mut self, schema: &Value, at: &str, hint: &Hint) -> Lowered {
        if self.depth >= MAX_DEPTH {
            self.error(at, format!("subschemas nest deeper than the limit of {MAX_DEPTH}"));
            return Lowered::of(Ty::Any);
        }
        self.depth += 1;
        let lowered = match schema {
            Value::Bool(true) => Lowered::of(Ty::Any),
            Value::Bool(false) => {
                self.error(at, "the `false` schema (no value is valid) is not supported");
                Lowered::of(Ty::Any)
            }
            Value::Object(object) => self.object(object, at, hint),
            _ => {
                self.error(at, "a schema must be an object or a boolean");
                Lowered::of(Ty::Any)
            }
        };
        self.depth -= 1;
        lowered
    }

    fn object(&mut self, object: &Map<String, Value>, at: &str, hint: &Hint) -> Lowered {
        if let Some(reference) = object.get("$ref") {
            let Some(reference) = reference.as_str() else {
                self.error(&format!("{at}/$ref"), "`$ref` must be a string");
                return Lowered::of(Ty::Any);
            };
            if !(self.document.modern && has_shaping_keywords(object, &["$ref"])) {
                return self.reference(reference, &format!("{at}/$ref"));
            }
            let mut rest = object.clone();
            rest.remove("$ref");
            return self.all_of(&[json!({ "$ref": reference }), Value::Object(rest)], at, &format!("{at}/$ref"), hint);
        }
        if let Some(branches) = object.get("allOf") {
            let Some(branches) = branches.as_array() else {
                self.error(&format!("{at}/allOf"), "`allOf` must be an array");
                return Lowered::of(Ty::Any);
            };
            let mut rest = object.clone();
            rest.remove("allOf");
            let mut parts = vec![Value::Object(rest)];
            parts.extend(branches.iter().cloned());
            return self.all_of(&parts, at, &format!("{at}/allOf"), hint);
        }
        for keyword in ["oneOf", "anyOf"] {
            if object.contains_key(keyword) {
                return self.union(object, keyword, at, hint);
            }
        }
        if object.contains_key("enum") || object.contains_key("const") {
            return self.literals(object, at, hint);
        }
        let Some(declared) = object.get("type") else {
            return match inferred_type(object) {
                Some(kind) => {
                    self.warnings.push((
                        at.to_owned(),
                        format!("no `type`: read as an {kind} by its keywords, so values of other types, which the schema allows, are refused"),
                    ));
                    self.typed(kind, object, at, hint)
                }
                None => Lowered::of(Ty::Any),
            };
        };
        let types = type_set(declared);
        let nullable = types.iter().any(|name| name == "null");
        let mut kinds: Vec<&str> = types.iter().map(String::as_str).filter(|name| *name != "null").collect();
        if kinds.contains(&"number") {
            kinds.retain(|name| *name != "integer");
        }
        match kinds.as_slice() {
            [] => Lowered::of(Ty::Null),
            [kind] => {
                let mut lowered = self.typed(kind, object, at, hint);
                lowered.nullable |= nullable;
                lowered
            }
            several => {
                // One branch per type, each with every other keyword (each applies to its type).
                let branches: Vec<Value> = several
                    .iter()
                    .map(|kind| {
                        let mut branch = object.clone();
                        branch.insert("type".to_owned(), Value::String((*kind).to_owned()));
                        Value::Object(branch)
                    })
                    .collect();
                let mut lowered = self.branches(object, branches, false, &format!("{at}/type"), hint);
                lowered.nullable |= nullable;
                lowered
            }
        }
    }

    /// `parts` must all hold: flattened, then lowered as one schema; `keyword_at` is where a
    /// contradiction is reported.
    fn all_of(&mut self, parts: &[Value], at: &str, keyword_at: &str, hint: &Hint) -> Lowered {
        let merged = merge(parts, &|reference| self.resolve_json(reference), self.document.modern);
        match merged {
            Ok(Merged::Reference(reference)) => self.reference(&reference, keyword_at),
            Ok(Merged::Schema(object)) => self.object(&object, at, hint),
            Err(error) => {
                self.error(keyword_at, error.to_string());
                Lowered::of(Ty::Any)
            }
        }
    }

    /// The schema a `$ref` names, with its references made valid in this document.
    fn resolve_json(&self, reference: &str) -> Result<Value, String> {
        match self.locate(reference)? {
            Target::Local(pointer) => {
                let found = self.document.schema.pointer(&pointer).cloned();
                let found =
                    found.ok_or_else(|| format!("`{reference}` does not resolve: no `{pointer}` in this document"))?;
                // Read into another schema (a merge): surveyed as reached.
                self.inlined.borrow_mut().insert(pointer);
                Ok(found)
            }
            Target::Shared { document, pointer, .. } => {
                let found = self.bundle.documents.iter().find(|shared| shared.id == document);
                let schema = found.and_then(|shared| shared.schema.pointer(&pointer));
                let mut schema = schema.cloned().ok_or_else(|| format!("`{reference}` does not resolve"))?;
                absolutize(&mut schema, &document);
                Ok(schema)
            }
        }
    }

    fn locate(&self, reference: &str) -> Result<Target, String> {
        let local = |fragment: String| -> Result<Target, String> {
            if fragment.is_empty() || fragment.starts_with('/') {
                return Ok(Target::Local(fragment));
            }
            find_anchor(self.document.schema, &fragment)
                .map(Target::Local)
                .ok_or_else(|| format!("`{reference}` does not resolve: no `$anchor` `{fragment}` in this document"))
        };
        if let Some(fragment) = reference.strip_prefix('#') {
            return local(decode_fragment(fragment)?);
        }
        let target = resolve(self.document.id, reference)?;
        if target.document == self.document.id {
            return local(target.fragment);
        }
        let path = self.bundle.type_path(self.document.id, reference).ok_or_else(|| {
            format!(
                "`{reference}` refers to `{}#{}`, which is not a type of a shared document",
                target.document, target.fragment
            )
        })?;
        Ok(Target::Shared { document: target.document, pointer: target.fragment, path })
    }

    fn reference(&mut self, reference: &str, at: &str) -> Lowered {
        let reference = self.end_of_alias_chain(reference);
        match self.locate(&reference) {
            Ok(Target::Local(pointer)) => self.local(&pointer, at),
            Ok(Target::Shared { path, .. }) => {
                let nullable =
                    self.resolve_json(&reference).is_ok_and(|target| self.allows_null(&target, &mut Vec::new()));
                Lowered { ty: Ty::Shared(path), nullable }
            }
            Err(message) => {
                self.error(at, message);
                Lowered::of(Ty::Any)
            }
        }
    }

    /// The last reference of a chain of local definitions that are only references (aliases),
    /// followed in a loop, so that a long chain costs no depth of recursion.
    fn end_of_alias_chain(&self, reference: &str) -> String {
        let mut current = reference.to_owned();
        let mut seen = Vec::new();
        while let Ok(Target::Local(pointer)) = self.locate(&current) {
            if self.memo.contains_key(&pointer) || self.in_progress.contains_key(&pointer) || seen.contains(&pointer) {
                break;
            }
            let Some(target) = self.document.schema.pointer(&pointer).and_then(Value::as_object) else { break };
            let Some(next) = alias_target(target) else { break };
            if self.fixed.contains_key(&pointer) {
                break;
            }
            seen.push(pointer);
            current = next.to_owned();
        }
        current
    }

    /// The type of the local target at `pointer`, lowered once under its definition's name.
    fn local(&mut self, pointer: &str, at: &str) -> Lowered {
        if let Some(lowered) = self.memo.get(pointer) {
            return lowered.clone();
        }
        let Some(schema) = self.document.schema.pointer(pointer) else {
            self.error(at, format!("`#{pointer}` does not resolve: no `{pointer}` in this document"));
            return Lowered::of(Ty::Any);
        };
        if let Some(name) = self.in_progress.get(pointer).cloned() {
            // Recursion: the target's item will have this name (or be made to).
            self.recursive.insert(name.clone());
            return Lowered { ty: Ty::Named(name), nullable: self.allows_null(schema, &mut Vec::new()) };
        }
        let name = match self.fixed.get(pointer) {
            Some(name) => name.clone(),
            None => self.names.allocate(&last_token(pointer)),
        };
        self.in_progress.insert(pointer.to_owned(), name.clone());
        let mut lowered = self.lower(schema, pointer, &Hint::Exact(name.clone()));
        self.in_progress.remove(pointer);
        let has_item = self.slots.iter().flatten().any(|item| item.name == name);
        if lowered.ty == Ty::Named(name.clone()) && !has_item && self.recursive.contains(&name) {
            self.error(
                at,
                format!("`#{pointer}` refers to itself through references alone: no value could be decoded"),
            );
            return Lowered::of(Ty::Any);
        }
        if self.recursive.contains(&name) && lowered.ty != Ty::Named(name.clone()) {
            // Referred to from inside itself, yet no item of its own (`{"type": "array",
            // "items": {"$ref": "#"}}`): a newtype gives the recursion a name.
            self.push(Item {
                name: name.clone(),
                doc: doc_lines(schema),
                kind: Kind::Newtype(Newtype { inner: lowered.ty, checks: Checks::None }),
            });
            lowered.ty = Ty::Named(name);
        }
        self.memo.insert(pointer.to_owned(), lowered.clone());
        lowered
    }

    fn union(&mut self, object: &Map<String, Value>, keyword: &str, at: &str, hint: &Hint) -> Lowered {
        let at_keyword = format!("{at}/{keyword}");
        let Some(branches) = object.get(keyword).and_then(Value::as_array) else {
            self.error(&at_keyword, format!("`{keyword}` must be an array"));
            return Lowered::of(Ty::Any);
        };
        let mut siblings = object.clone();
        siblings.remove(keyword);
        // With both `oneOf` and `anyOf`, the `anyOf` is one of the `oneOf`'s siblings: it
        // applies to every branch.
        let only_constraints = branches.iter().all(|branch| {
            branch.as_object().is_some_and(|branch| branch.keys().all(|key| key == "required" || is_annotation(key)))
        });
        if only_constraints {
            let lowered = self.object(&siblings, at, hint);
            let alternatives = branches
                .iter()
                .map(|branch| {
                    let names = branch.get("required").and_then(Value::as_array).into_iter().flatten();
                    names.filter_map(Value::as_str).map(str::to_owned).collect()
                })
                .collect();
            let rule = PresenceRule { one_of: keyword == "oneOf", alternatives };
            match self.struct_slot(&lowered.ty) {
                Some(structure) => structure.presence.push(rule),
                None => self
                    .not_enforced
                    .push(NotEnforced { pointer: at_keyword, keyword: format!("{keyword} of `required` lists") }),
            }
            return lowered;
        }
        let one_of = keyword == "oneOf";
        let branches: Vec<Value> = branches.clone();
        self.branches(&siblings, branches, one_of, &at_keyword, hint)
    }

    /// A union site: `branches`, each also under the shaping keywords of `site`.
    fn branches(
        &mut self,
        site: &Map<String, Value>,
        branches: Vec<Value>,
        one_of: bool,
        at: &str,
        hint: &Hint,
    ) -> Lowered {
        let mut shared: Map<String, Value> = site
            .iter()
            .filter(|(key, _)| !is_annotation(key) && !is_container(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let with_null = shared.clone();
        // `null` passes the site only if its own `type` allows it and some branch does.
        let site_allows_null =
            shared.get("type").is_none_or(|declared| type_set(declared).iter().any(|name| name == "null"));
        if let Some(declared) = shared.get("type") {
            let kept: Vec<String> = type_set(declared).into_iter().filter(|name| name != "null").collect();
            if kept.is_empty() {
                shared.remove("type");
            } else {
                shared.insert("type".to_owned(), json!(kept));
            }
        }
        let mut nullable = false;
        let mut kept = Vec::new();
        for (index, branch) in branches.into_iter().enumerate() {
            if is_null_schema(&branch) {
                nullable |= site_allows_null;
                continue;
            }
            // A branch that says nothing of `type` lets the site's `null` through.
            if site_allows_null && with_null.contains_key("type") {
                let merged = merge(
                    &[Value::Object(with_null.clone()), branch.clone()],
                    &|reference| self.resolve_json(reference),
                    self.document.modern,
                );
                if let Ok(Merged::Schema(merged)) = merged {
                    nullable |=
                        merged.get("type").is_some_and(|declared| type_set(declared).iter().any(|name| name == "null"));
                }
            }
            let branch =
                if shared.is_empty() { branch } else { json!({ "allOf": [Value::Object(shared.clone()), branch] }) };
            // A branch that no value can match (the site's `type` excludes it, two unions
            // combined into impossible pairs) is no branch at all; one that only `null`
            // matches makes the site nullable.
            match merge(std::slice::from_ref(&branch), &|reference| self.resolve_json(reference), self.document.modern)
            {
                Err(MergeError::Contradiction(_)) => continue,
                Ok(Merged::Schema(merged))
                    if merged.get("type").is_some_and(|declared| type_set(declared) == ["null"]) =>
                {
                    nullable |= site_allows_null;
                    continue;
                }
                _ => {}
            }
            kept.push((format!("{at}/{index}"), branch));
        }
        if kept.is_empty() {
            return Lowered::of(Ty::Null);
        }
        if let [(pointer, branch)] = kept.as_slice() {
            let mut lowered = self.lower(branch, pointer, hint);
            lowered.nullable |= nullable;
            return lowered;
        }
        if let Some(values) =
            kept.iter().map(|(_, branch)| self.literal_values(branch)).collect::<Option<Vec<Vec<Value>>>>()
        {
            let mut all: Vec<Value> = Vec::new();
            for value in values.into_iter().flatten() {
                if !all.contains(&value) {
                    all.push(value);
                }
            }
            let mut lowered = self.literals(&Map::from_iter([("enum".to_owned(), Value::Array(all))]), at, hint);
            lowered.nullable |= nullable;
            return lowered;
        }
        let name = self.name(hint);
        let slot = self.begin();
        let resolved: Vec<Map<String, Value>> = kept.iter().map(|(_, branch)| self.flattened(branch)).collect();
        // Branches told apart by a keyword the decoder does not check (`format`, a nested
        // `additionalProperties: false`), at any depth, could both match here where JSON Schema
        // sees one: refusing such a value would accept less than the schema, so the first
        // match is taken, and the list says so. (With a tag, only one branch is ever tried.)
        let (variant_names, tag) = self.variant_names(&kept, &resolved);
        let exclusivity_unchecked =
            one_of && tag.is_none() && resolved.iter().any(|branch| self.narrows_unenforced_within(branch));
        if exclusivity_unchecked {
            self.not_enforced
                .push(NotEnforced { pointer: at.to_owned(), keyword: "oneOf (only one branch may match)".to_owned() });
        }
        let one_of = one_of && !exclusivity_unchecked;
        let mut variants = Vec::new();
        for (((pointer, branch), variant), resolved) in kept.iter().zip(variant_names).zip(&resolved) {
            let lowered = self.lower(branch, pointer, &Hint::Derived(format!("{name}{variant}")));
            if lowered.ty.held_by_value() == Some(name.as_str()) {
                self.error(
                    pointer,
                    "a union whose branches lead back to itself through references alone could never be decoded",
                );
            }
            nullable |= lowered.nullable && site_allows_null;
            let tag_value = tag.as_deref().and_then(|tag| constant_string(resolved, tag));
            let closed = match &lowered.ty {
                Ty::Named(name) => self.slots.iter().flatten().any(|item| {
                    item.name == *name && matches!(&item.kind, Kind::Struct(structure) if structure.closed)
                }),
                Ty::Shared(_) => is_closed_struct(resolved),
                _ => false,
            };
            variants.push(Variant { name: variant, ty: lowered.ty, tag_value, closed });
        }
        let doc = doc_lines(&Value::Object(site.clone()));
        self.slots[slot] = Some(Item { name: name.clone(), doc, kind: Kind::Union(Union { one_of, variants, tag }) });
        Lowered { ty: Ty::Named(name), nullable }
    }

    /// The struct a lowered type names, when this module has made it.
    fn struct_slot(&mut self, ty: &Ty) -> Option<&mut Struct> {
        let Ty::Named(name) = ty else { return None };
        self.slots.iter_mut().flatten().find(|item| item.name == *name).and_then(|item| match &mut item.kind {
            Kind::Struct(structure) => Some(structure),
            _ => None,
        })
    }

    /// Whether a union branch (flattened) narrows what it accepts, at any depth, with a keyword
    /// the decoder does not enforce. Below the branch itself, `additionalProperties: false`
    /// counts too (only a branch's own is checked, when the union tries it). References are
    /// followed once each; past a budget of schema positions the answer is yes, which only
    /// makes the union accept more.
    fn narrows_unenforced_within(&self, branch: &Map<String, Value>) -> bool {
        const BUDGET: usize = 20_000;
        if narrows_unenforced(branch) {
            return true;
        }
        let mut followed = BTreeSet::new();
        let mut pending: Vec<Value> = value_subschemas(branch).cloned().collect();
        let mut visited = 0;
        while let Some(schema) = pending.pop() {
            visited += 1;
            if visited > BUDGET {
                return true;
            }
            let Value::Object(object) = schema else { continue };
            if narrows_unenforced(&object) || object.get("additionalProperties") == Some(&Value::Bool(false)) {
                return true;
            }
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                if followed.insert(reference.to_owned()) {
                    match self.resolve_json(reference) {
                        Ok(target) => pending.push(target),
                        Err(_) => return true,
                    }
                }
            }
            pending.extend(value_subschemas(&object).cloned());
        }
        false
    }

    /// A branch as one flat schema object (references and `allOf` followed), for naming.
    fn flattened(&self, branch: &Value) -> Map<String, Value> {
        let mut resolved = match merge(
            std::slice::from_ref(branch),
            &|reference| self.resolve_json(reference),
            self.document.modern,
        ) {
            Ok(Merged::Schema(object)) => object,
            Ok(Merged::Reference(reference)) => {
                // Through a chain of aliases (`{"$ref": ...}` alone) to what they name.
                let mut target = self.resolve_json(&reference).ok().and_then(|target| target.as_object().cloned());
                for _ in 0..MAX_DEPTH {
                    let Some(next) = target.as_ref().and_then(alias_target).map(str::to_owned) else { break };
                    target = self.resolve_json(&next).ok().and_then(|target| target.as_object().cloned());
                }
                target.unwrap_or_default()
            }
            Err(_) => Map::new(),
        };
        resolved.retain(|key, _| key != "$ref");
        resolved
    }

    /// The values a branch allows when it is only an `enum` or `const` (with `type`).
    fn literal_values(&self, branch: &Value) -> Option<Vec<Value>> {
        let object = branch.as_object()?;
        if !object.keys().all(|key| matches!(key.as_str(), "enum" | "const" | "type") || is_annotation(key)) {
            return None;
        }
        let values = match (object.get("enum"), object.get("const")) {
            (Some(Value::Array(values)), None) => values.clone(),
            (None, Some(value)) => vec![value.clone()],
            _ => return None,
        };
        let types = object.get("type").map(type_set);
        Some(values.into_iter().filter(|value| allowed_by(types.as_deref(), value)).collect())
    }

    /// Variant names: by a tag (a member every branch requires with its own constant string),
    /// else by referenced definition, else by JSON type, else by position. Also the tag.
    fn variant_names(
        &self,
        branches: &[(String, Value)],
        resolved: &[Map<String, Value>],
    ) -> (Vec<String>, Option<String>) {
        let is_distinct = |names: &[String]| names.iter().collect::<BTreeSet<_>>().len() == names.len();
        if let Some(tag) = tag_member(resolved) {
            let names: Vec<String> = resolved
                .iter()
                .filter_map(|branch| constant_string(branch, &tag))
                .map(|value| type_name(&value))
                .collect();
            if names.len() == branches.len() && is_distinct(&names) {
                return (names, Some(tag));
            }
        }
        let by_reference: Option<Vec<String>> = branches
            .iter()
            .map(|(_, branch)| {
                let reference = branch.get("$ref")?.as_str()?;
                let name = reference.rsplit(['/', '#']).find(|segment| !segment.is_empty())?;
                let name = name.trim_end_matches(".json").trim_end_matches(".schema");
                Some(type_name(&crate::json_pointer::unescape(name)))
            })
            .collect();
        if let Some(names) = by_reference.filter(|names| is_distinct(names)) {
            return (names, None);
        }
        let by_type: Option<Vec<String>> = resolved.iter().map(json_type_name).collect();
        if let Some(names) = by_type.filter(|names| is_distinct(names)) {
            return (names, None);
        }
        (distinct((1..=branches.len()).map(|number| format!("Variant{number}")).collect()), None)
    }

    fn literals(&mut self, object: &Map<String, Value>, at: &str, hint: &Hint) -> Lowered {
        // The listed values are matched, not checked: checks beside them (here, or from
        // `allOf` parts merged in) are not enforced, and said so.
        for keyword in checks::CHECKED.iter().filter(|keyword| object.contains_key(**keyword)) {
            self.not_enforced.push(NotEnforced { pointer: format!("{at}/{keyword}"), keyword: (*keyword).to_owned() });
        }
        let values = match (object.get("enum"), object.get("const")) {
            (Some(Value::Array(values)), _) => values.clone(),
            (None, Some(value)) => vec![value.clone()],
            _ => {
                self.error(&format!("{at}/enum"), "`enum` must be an array");
                return Lowered::of(Ty::Any);
            }
        };
        let types = object.get("type").map(type_set);
        let allowed: Vec<Value> = values.into_iter().filter(|value| allowed_by(types.as_deref(), value)).collect();
        if allowed.is_empty() {
            self.error(at, "no value of `enum`/`const` has a type `type` allows: no value could match");
            return Lowered::of(Ty::Any);
        }
        let nullable = allowed.contains(&Value::Null);
        let mut values: Vec<Value> = Vec::new();
        for value in allowed.into_iter().filter(|value| !value.is_null()) {
            if !values.contains(&value) {
                values.push(value);
            }
        }
        if values.is_empty() {
            return Lowered::of(Ty::Null);
        }
        let name = self.name(hint);
        let literals = literal_variants(&values)
            .into_iter()
            .zip(values)
            .map(|(variant, value)| Literal { variant, value })
            .collect();
        self.push(Item {
            name: name.clone(),
            doc: doc_lines(&Value::Object(object.clone())),
            kind: Kind::Literals(literals),
        });
        Lowered { ty: Ty::Named(name), nullable }
    }

    fn typed(&mut self, kind: &str, object: &Map<String, Value>, at: &str, hint: &Hint) -> Lowered {
        let ty = match kind {
            "object" => return self.struct_or_map(object, at, hint),
            "array" => {
                // Positions: `prefixItems` (then `items` for the rest), or draft-07 `items` as an
                // array (then `additionalItems`).
                let (positions, rest_keyword) = match (object.get("prefixItems"), object.get("items")) {
                    (Some(Value::Array(positions)), _) => (Some((positions, "prefixItems")), "items"),
                    (None, Some(Value::Array(positions))) => (Some((positions, "items")), "additionalItems"),
                    _ => (None, "items"),
                };
                let rest = match object.get(rest_keyword) {
                    Some(Value::Bool(false)) => None,
                    Some(items @ (Value::Object(_) | Value::Bool(true))) => Some(
                        self.lower(
                            items,
                            &format!("{at}/{rest_keyword}"),
                            &Hint::Derived(format!("{}Item", hint.text())),
                        )
                        .into_ty(),
                    ),
                    _ => Some(Ty::Any),
                };
                let Some((positions, keyword)) = positions else {
                    let list = Ty::Vec(Box::new(rest.unwrap_or(Ty::Any)));
                    let checks = checks::item_checks(object);
                    if checks.is_empty() {
                        return Lowered::of(list);
                    }
                    return Lowered::of(self.checked(list, Checks::Items(checks), object, hint));
                };
                let name = self.name(hint);
                let slot = self.begin();
                let positions: Vec<Ty> = positions
                    .iter()
                    .enumerate()
                    .map(|(index, position)| {
                        let hint = Hint::Derived(format!("{name}Item{}", index + 1));
                        self.lower(position, &format!("{at}/{keyword}/{index}"), &hint).into_ty()
                    })
                    .collect();
                let minimum = object.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let required = usize::try_from(minimum).unwrap_or(usize::MAX).min(positions.len());
                let doc = doc_lines(&Value::Object(object.clone()));
                self.slots[slot] =
                    Some(Item { name: name.clone(), doc, kind: Kind::Tuple(Tuple { positions, required, rest }) });
                Ty::Named(name)
            }
            "string" => {
                let checks = checks::string_checks(object);
                if checks.is_empty() && object.get("format").and_then(Value::as_str) == Some("date-time") {
                    Ty::DateTime
                } else if checks.is_empty() {
                    Ty::String
                } else {
                    self.checked(Ty::String, Checks::String(checks), object, hint)
                }
            }
            "integer" | "number" => {
                let integer = kind == "integer";
                let ty = if integer { self.integer(object, at) } else { Ty::Number };
                let checks = checks::number_checks(object, integer);
                if checks.is_empty() {
                    ty
                } else {
                    self.checked(ty, Checks::Number(checks), object, hint)
                }
            }
            "boolean" => Ty::Boolean,
            "null" => Ty::Null,
            other => {
                self.error(&format!("{at}/type"), format!("`{other}` is not a JSON Schema type"));
                Ty::Any
            }
        };
        Lowered::of(ty)
    }

    /// A newtype of `inner` that only a value passing `checks` makes.
    fn checked(&mut self, inner: Ty, checks: Checks, object: &Map<String, Value>, hint: &Hint) -> Ty {
        let name = self.name(hint);
        self.push(Item {
            name: name.clone(),
            doc: doc_lines(&Value::Object(object.clone())),
            kind: Kind::Newtype(Newtype { inner, checks }),
        });
        Ty::Named(name)
    }

    /// `i64`, or `u64` when the schema's bounds allow values only `u64` holds; integers beyond
    /// both are rejected on decode, which the warning says.
    fn integer(&mut self, object: &Map<String, Value>, at: &str) -> Ty {
        let bound = |keywords: [&str; 2]| keywords.iter().filter_map(|keyword| object.get(*keyword)?.as_f64()).next();
        let minimum = bound(["minimum", "exclusiveMinimum"]);
        let maximum = bound(["maximum", "exclusiveMaximum"]);
        let unsigned =
            minimum.is_some_and(|minimum| minimum >= 0.0) && maximum.is_some_and(|maximum| maximum > i64::MAX as f64);
        let beyond = maximum.is_some_and(|maximum| maximum > u64::MAX as f64)
            || minimum.is_some_and(|minimum| minimum < i64::MIN as f64);
        if beyond {
            self.warnings.push((
                at.to_owned(),
                "the bounds allow integers beyond 64 bits; the decoder rejects those".to_owned(),
            ));
        }
        if unsigned {
            Ty::Unsigned
        } else {
            Ty::Integer
        }
    }

    fn struct_or_map(&mut self, object: &Map<String, Value>, at: &str, hint: &Hint) -> Lowered {
        let properties = object.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let required: Vec<String> = object
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let extra_at = format!("{at}/additionalProperties");
        let pattern_schemas = object.get("patternProperties").and_then(Value::as_object).cloned().unwrap_or_default();
        if properties.is_empty() && required.is_empty() && pattern_schemas.is_empty() {
            let value = match object.get("additionalProperties") {
                Some(schema @ Value::Object(_)) => {
                    self.lower(schema, &extra_at, &Hint::Derived(format!("{}Value", hint.text()))).into_ty()
                }
                _ => Ty::Any,
            };
            return Lowered::of(Ty::Map(Box::new(value)));
        }
        let name = self.name(hint);
        let slot = self.begin();
        let mut fields = Vec::new();
        for (wire_name, member) in &properties {
            let lowered = self.lower(
                member,
                &format!("{at}/properties/{}", escape(wire_name)),
                &Hint::Derived(format!("{name}{}", type_name(wire_name))),
            );
            fields.push(Field {
                wire_name: wire_name.clone(),
                ty: lowered.ty,
                required: required.contains(wire_name),
                nullable: lowered.nullable,
                doc: doc_lines(member),
                default: member.get("default").cloned(),
            });
        }
        for (index, wire_name) in required.iter().enumerate() {
            if !properties.contains_key(wire_name) && !fields.iter().any(|field: &Field| field.wire_name == *wire_name)
            {
                self.warnings.push((
                    format!("{at}/required/{index}"),
                    format!("`{wire_name}` is required but not in `properties`: any value is accepted for it"),
                ));
                fields.push(Field {
                    wire_name: wire_name.clone(),
                    ty: Ty::Any,
                    required: true,
                    nullable: false,
                    doc: Vec::new(),
                    default: None,
                });
            }
        }
        let extra = match object.get("additionalProperties") {
            Some(schema @ Value::Object(_)) => {
                self.lower(schema, &extra_at, &Hint::Derived(format!("{name}Value"))).into_ty()
            }
            _ => Ty::Any,
        };
        let mut patterns = Vec::new();
        for (index, (source, schema)) in pattern_schemas.iter().enumerate() {
            let at = format!("{at}/patternProperties/{}", escape(source));
            let Ok(pattern) = crate::pattern::to_rust(source) else {
                self.error(&at, format!("the pattern {source:?} cannot be matched in linear time"));
                continue;
            };
            let ty = self.lower(schema, &at, &Hint::Derived(format!("{name}Pattern{}", index + 1))).into_ty();
            patterns.push(PatternMembers { pattern, source: source.clone(), ty });
        }
        let closed = object.get("additionalProperties") == Some(&Value::Bool(false));
        let doc = doc_lines(&Value::Object(object.clone()));
        self.slots[slot] = Some(Item {
            name: name.clone(),
            doc,
            kind: Kind::Struct(Struct { fields, extra, closed, presence: Vec::new(), patterns }),
        });
        Lowered::of(Ty::Named(name))
    }

    /// Whether the type `lower` gives `schema` carries `null` beside it (see `Lowered`).
    fn allows_null(&self, schema: &Value, following: &mut Vec<String>) -> bool {
        let Some(object) = schema.as_object() else { return false };
        // Merging inlines references: bounded like the lowering itself.
        if following.len() > MAX_DEPTH {
            return false;
        }
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            if following.iter().any(|seen| seen == reference) {
                return false;
            }
            if !(self.document.modern && has_shaping_keywords(object, &["$ref"])) {
                following.push(reference.to_owned());
                let allows = self.resolve_json(reference).is_ok_and(|target| self.allows_null(&target, following));
                following.pop();
                return allows;
            }
        }
        if object.contains_key("allOf") || object.contains_key("$ref") {
            following.push(String::from("allOf"));
            let merged =
                merge(std::slice::from_ref(schema), &|reference| self.resolve_json(reference), self.document.modern);
            let allows = match merged {
                Ok(Merged::Schema(merged)) => self.allows_null(&Value::Object(merged), following),
                Ok(Merged::Reference(reference)) => self.allows_null(&json!({ "$ref": reference }), following),
                Err(_) => false,
            };
            following.pop();
            return allows;
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = object.get(keyword).and_then(Value::as_array) {
                let only_constraints = branches.iter().all(|branch| {
                    branch
                        .as_object()
                        .is_some_and(|branch| branch.keys().all(|key| key == "required" || is_annotation(key)))
                });
                if only_constraints {
                    // A constraint on one struct (see `union`): the site's own `type` decides.
                    break;
                }
                let site_allows =
                    object.get("type").is_none_or(|declared| type_set(declared).iter().any(|name| name == "null"));
                let non_null = branches.iter().filter(|branch| !is_null_schema(branch)).count();
                let some_null =
                    branches.iter().any(|branch| is_null_schema(branch) || self.allows_null(branch, following));
                return site_allows && some_null && non_null > 0;
            }
        }
        let types = object.get("type").map(type_set);
        if let Some(values) = object
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .or_else(|| object.get("const").map(|value| vec![value.clone()]))
        {
            let allowed: Vec<&Value> = values.iter().filter(|value| allowed_by(types.as_deref(), value)).collect();
            return allowed.iter().any(|value| value.is_null()) && allowed.iter().any(|value| !value.is_null());
        }
        types.is_some_and(|types| types.iter().any(|name| name == "null") && types.iter().any(|name| name != "null"))
    }
}

/// Whether a flat schema object becomes a struct (see `struct_or_map`) that denies
/// undocumented members.
fn is_closed_struct(object: &Map<String, Value>) -> bool {
    let has = |keyword: &str| {
        object.get(keyword).is_some_and(|value| {
            value.as_object().is_some_and(|map| !map.is_empty())
                || value.as_array().is_some_and(|list| !list.is_empty())
        })
    };
    object.get("additionalProperties") == Some(&Value::Bool(false))
        && (has("properties") || has("required"))
        && !object.contains_key("oneOf")
        && !object.contains_key("anyOf")
        && !object.contains_key("enum")
        && !object.contains_key("const")
}

/// Where a `$ref` points.
enum Target {
    /// A JSON pointer in this document.
    Local(String),
    /// A type of a shared document.
    Shared { document: String, pointer: String, path: String },
}

/// The reference a schema only restates: `{"$ref": R}` or `{"allOf": [{"$ref": R}]}`, with
/// annotations at most.
fn alias_target(object: &Map<String, Value>) -> Option<&str> {
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        return (!has_shaping_keywords(object, &["$ref"])).then_some(reference);
    }
    match object.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        Some([only]) if !has_shaping_keywords(object, &["allOf"]) => alias_target(only.as_object()?),
        _ => None,
    }
}

/// Whether `object` has keywords that shape or constrain values, beside those in `except`.
fn has_shaping_keywords(object: &Map<String, Value>, except: &[&str]) -> bool {
    object.keys().any(|key| !except.contains(&key.as_str()) && !is_annotation(key) && !is_container(key))
}

/// The type a schema without `type` has by its keywords: only object and array keywords say
/// what a value must be for them to apply at all.
fn inferred_type(object: &Map<String, Value>) -> Option<&'static str> {
    if ["properties", "required", "additionalProperties", "patternProperties"]
        .iter()
        .any(|keyword| object.contains_key(*keyword))
    {
        Some("object")
    } else if object.contains_key("items") {
        Some("array")
    } else {
        None
    }
}

/// Whether `type` (when given) allows `value`.
fn allowed_by(types: Option<&[String]>, value: &Value) -> bool {
    let Some(types) = types else { return true };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number)
            if number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|float| float.fract() == 0.0) =>
        {
            return types.iter().any(|name| name == "integer" || name == "number");
        }
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    types.iter().any(|name| name == kind)
}

/// `{"type": "null"}`, `{"const": null}`, `{"enum": [null]}`.
fn is_null_schema(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else { return false };
    let only = |keyword: &str| object.keys().all(|key| key == keyword || is_annotation(key));
    (object.get("type").and_then(Value::as_str) == Some("null") && only("type"))
        || (object.get("const") == Some(&Value::Null) && only("const"))
        || (object.get("enum") == Some(&json!([null])) && only("enum"))
}

/// A member every branch requires and gives one constant string.
fn tag_member(branches: &[Map<String, Value>]) -> Option<String> {
    let first = branches.first()?;
    let candidates = first.get("properties")?.as_object()?.keys();
    candidates
        .filter(|member| {
            branches.iter().all(|branch| {
                let required = branch
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|required| required.iter().any(|name| name.as_str() == Some(member.as_str())));
                required && constant_string(branch, member).is_some()
            })
        })
        .min()
        .cloned()
}

/// The one string a branch's member `name` may be.
fn constant_string(branch: &Map<String, Value>, name: &str) -> Option<String> {
    let member = branch.get("properties")?.get(name)?;
    let values = match (member.get("const"), member.get("enum")) {
        (Some(value), _) => vec![value.clone()],
        (None, Some(Value::Array(values))) => values.clone(),
        _ => return None,
    };
    match values.as_slice() {
        [Value::String(value)] => Some(value.clone()),
        _ => None,
    }
}

/// A variant name for a branch by the JSON type it takes.
fn json_type_name(branch: &Map<String, Value>) -> Option<String> {
    let kind = match branch.get("type") {
        Some(declared) => match type_set(declared).as_slice() {
            [one] => one.clone(),
            _ => return None,
        },
        None => inferred_type(branch)?.to_owned(),
    };
    Some(type_name(&kind))
}

/// Rewrites every `$ref` in the schema positions of `schema`, a part of the document `id`,
/// into an absolute reference, so that it means the same when read in another document.
fn absolutize(schema: &mut Value, id: &str) {
    let Value::Object(object) = schema else { return };
    for (keyword, value) in object.iter_mut() {
        match (keyword.as_str(), value) {
            ("$ref", Value::String(reference)) => {
                if let Ok(target) = resolve(id, reference) {
                    *reference = format!("{}#{}", target.document, target.fragment);
                }
            }
            (keyword, Value::Object(members)) if SCHEMA_MAPS.contains(&keyword) => {
                members.values_mut().for_each(|member| absolutize(member, id))
            }
            (keyword, Value::Array(subschemas)) if SCHEMA_ARRAYS.contains(&keyword) || keyword == "items" => {
                subschemas.iter_mut().for_each(|subschema| absolutize(subschema, id))
            }
            (keyword, subschema) if SCHEMA_VALUES.contains(&keyword) => absolutize(subschema, id),
            _ => {}
        }
    }
}
