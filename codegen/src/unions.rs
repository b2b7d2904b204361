//! `oneOf` and `anyOf` of several shapes (unions), e.g. a payment that is a card or a voucher.
//!
//! typify turns a union into a serde enum that is `untagged` (first match wins, where `oneOf`
//! means exactly one) or internally tagged (unknown members dropped), so its reading loses
//! meaning. Instead, each union site of a normalised schema is lifted out before typify sees
//! it: every branch becomes a definition of its own (typify makes it an ordinary struct, which
//! gets our serde impls), and the site becomes a placeholder that typify replaces by an enum we
//! emit ourselves: one variant per branch, decoded by trying every branch, and for `oneOf`
//! accepted only when exactly one matches, as JSON Schema says.

use proc_macro2::Ident;
use quote::{format_ident, quote};
use serde_json::{Map, Value};
use syn::Item;

use crate::names::type_name;

/// Keywords that may stand beside `oneOf`/`anyOf` at a lifted site: they only annotate.
const ANNOTATIONS: &[&str] = &["title", "description", "$comment", "examples", "deprecated", "readOnly", "writeOnly"];

/// What a schema object is, as a union site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Site {
    /// No union here (none, or one non-null branch: an optional or nullable type).
    None,
    /// A union the generator lifts into an enum of its own.
    Liftable,
    /// A union the generator refuses, with why.
    Refused(&'static str),
}

/// Definitions reached from the union definition `start` through branches that are bare
/// references to other union definitions, back to `start`: decoding such a union would try
/// itself forever without reading any input. `definitions` are the schema's, by name.
pub(crate) fn refers_to_itself(start: &str, definitions: &Map<String, Value>) -> bool {
    let local = |reference: &str| {
        reference.strip_prefix("#/$defs/").or_else(|| reference.strip_prefix("#/definitions/")).map(str::to_owned)
    };
    // A union's branches that are bare references, or the target of a definition that is only
    // a reference (an alias): both are followed without reading input.
    let branch_targets = |name: &str| -> Vec<String> {
        let Some(object) = definitions.get(name).and_then(Value::as_object) else { return Vec::new() };
        let alias = object.get("$ref").and_then(Value::as_str).filter(|_| object.keys().all(|key| key == "$ref" || ANNOTATIONS.contains(&key.as_str())));
        if let Some(target) = alias.and_then(local) {
            return vec![target];
        }
        if site(object) != Site::Liftable {
            return Vec::new();
        }
        let branches = object.get("oneOf").or_else(|| object.get("anyOf")).and_then(Value::as_array);
        branches
            .into_iter()
            .flatten()
            .filter_map(|branch| branch.get("$ref")?.as_str())
            .filter_map(local)
            .collect()
    };
    let mut pending = branch_targets(start);
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = pending.pop() {
        if name == start {
            return true;
        }
        if !seen.contains(&name) {
            pending.extend(branch_targets(&name));
            seen.push(name);
        }
    }
    false
}

/// Classifies a schema object: `oneOf`/`anyOf` with two or more branches that are not `null`.
pub(crate) fn site(object: &Map<String, Value>) -> Site {
    let keywords: Vec<&str> = ["oneOf", "anyOf"].into_iter().filter(|keyword| object.contains_key(*keyword)).collect();
    let Some(keyword) = keywords.first() else { return Site::None };
    let Some(branches) = object.get(*keyword).and_then(Value::as_array) else { return Site::None };
    let nulls = branches.iter().filter(|branch| is_null_schema(branch)).count();
    if branches.len() - nulls < 2 {
        return Site::None;
    }
    if keywords.len() > 1 {
        return Site::Refused("`oneOf` and `anyOf` on one schema are not supported");
    }
    if nulls > 0 {
        return Site::Refused("a union that also allows `null` is not supported yet");
    }
    if object.keys().any(|key| key != keyword && !ANNOTATIONS.contains(&key.as_str())) {
        return Site::Refused(
            "a union beside other keywords (`type`, `properties`...) is not supported: put the shared members in each branch",
        );
    }
    Site::Liftable
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// A union lifted out of a schema: the enum we emit for it.
#[derive(Debug, Clone)]
pub(crate) struct Union {
    pub name: String,
    /// `oneOf` (exactly one branch must match) rather than `anyOf` (the first that matches).
    pub one_of: bool,
    /// (variant, the branch's type, the branch's tag value when the union has a tag).
    pub variants: Vec<(String, String, Option<String>)>,
    /// The member whose constant tells the branches apart, when there is one.
    pub tag: Option<String>,
}

/// Lifts every union site of a normalised schema (one with `definitions` at its root). The root
/// is named `root_type` (`None` when the root only holds definitions). Returns the unions, and
/// the (placeholder definition, enum) pairs typify must replace.
/// `known` are the replacements already decided (cross-file references), so that a branch that
/// is one gets the shared type.
pub(crate) fn lift(
    schema: &mut Value,
    root_type: Option<&str>,
    known: &[(String, String)],
) -> (Vec<Union>, Vec<(String, String)>) {
    let mut lifter =
        Lifter { unions: Vec::new(), replacements: known.to_vec(), known: known.len(), new_definitions: Map::new() };
    let definitions: Vec<String> = definitions(schema).map(|definitions| definitions.keys().cloned().collect()).unwrap_or_default();
    for name in definitions {
        let snapshot = schema.clone();
        let Some(definition) = definitions_mut(schema).and_then(|definitions| definitions.get_mut(&name)) else { continue };
        let mut definition = definition.take();
        let rust_name = type_name(&name);
        if lifter.lift_site(&mut definition, &rust_name, &snapshot) {
            // The definition itself is the union: typify generates nothing for it and uses
            // our enum wherever it is referenced.
            lifter.replacements.push((rust_name.clone(), rust_name.clone()));
        } else {
            lifter.walk(&mut definition, &rust_name, &snapshot);
        }
        if let Some(slot) = definitions_mut(schema).and_then(|definitions| definitions.get_mut(&name)) {
            *slot = definition;
        }
    }
    if let Some(root_type) = root_type {
        let snapshot = schema.clone();
        let mut root = schema.take();
        lifter.walk(&mut root, root_type, &snapshot);
        *schema = root;
    }
    let Lifter { unions, mut replacements, known, new_definitions } = lifter;
    replacements.drain(..known);
    if !new_definitions.is_empty() {
        if let Value::Object(root) = schema {
            let definitions = root.entry("definitions").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(definitions) = definitions {
                definitions.extend(new_definitions);
            }
        }
    }
    (unions, replacements)
}

fn definitions(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("definitions").and_then(Value::as_object)
}

fn definitions_mut(schema: &mut Value) -> Option<&mut Map<String, Value>> {
    schema.get_mut("definitions").and_then(Value::as_object_mut)
}

struct Lifter {
    unions: Vec<Union>,
    /// Placeholder definitions and the Rust types that replace them: the `known` first ones
    /// were given, the rest are the unions'.
    replacements: Vec<(String, String)>,
    known: usize,
    /// Branches moved out of their site, by definition name.
    new_definitions: Map<String, Value>,
}

impl Lifter {
    /// Walks the subschemas of `schema` (named `hint`, as typify would name it), lifting every
    /// union site below it; `root` resolves references.
    fn walk(&mut self, schema: &mut Value, hint: &str, root: &Value) {
        let Value::Object(object) = schema else { return };
        for (keyword, value) in object.iter_mut() {
            match (keyword.as_str(), value) {
                ("properties", Value::Object(members)) => {
                    for (name, member) in members.iter_mut() {
                        self.visit(member, &format!("{hint}{}", type_name(name)), root);
                    }
                }
                ("items", item) => self.visit(item, &format!("{hint}Item"), root),
                ("additionalProperties", value) => self.visit(value, &format!("{hint}Value"), root),
                // Not under `allOf`: typify merges its branches, and a placeholder would merge
                // away (`schema_check` refuses a union there).
                ("anyOf" | "oneOf", Value::Array(branches)) => {
                    for branch in branches {
                        self.visit(branch, hint, root);
                    }
                }
                ("allOf", Value::Array(branches)) => {
                    for branch in branches {
                        self.walk(branch, hint, root);
                    }
                }
                _ => {}
            }
        }
    }

    /// Lifts `schema` if it is a union site, else walks into it.
    fn visit(&mut self, schema: &mut Value, hint: &str, root: &Value) {
        if self.lift_site(schema, hint, root) {
            // Named after lifting, so that unions nested in its branches have theirs already.
            let placeholder = self.placeholder(root);
            self.replacements.push((placeholder.clone(), hint.to_owned()));
            self.new_definitions.insert(placeholder.clone(), Value::Object(Map::new()));
            *schema = serde_json::json!({ "$ref": format!("#/definitions/{placeholder}") });
        } else {
            self.walk(schema, hint, root);
        }
    }

    fn placeholder(&self, root: &Value) -> String {
        let mut number = self.unions.len();
        while self.taken(&format!("CopeUnion{number}"), root) {
            number += 1;
        }
        format!("CopeUnion{number}")
    }

    /// Whether a new definition may not use `name`: typify finds definitions (and
    /// replacements) by their Rust name, so no two may share one.
    fn taken(&self, name: &str, root: &Value) -> bool {
        let rust_name = type_name(name);
        definitions(root).is_some_and(|definitions| definitions.keys().any(|key| type_name(key) == rust_name))
            || self.new_definitions.keys().any(|key| type_name(key) == rust_name)
            || self.replacements.iter().any(|(key, _)| type_name(key) == rust_name)
    }

    /// When `schema` is a liftable union site: moves its branches into definitions, records the
    /// union named `name`, and returns true. The site itself is left for the caller to replace.
    fn lift_site(&mut self, schema: &mut Value, name: &str, root: &Value) -> bool {
        let Some(object) = schema.as_object_mut() else { return false };
        if site(object) != Site::Liftable {
            return false;
        }
        let one_of = object.contains_key("oneOf");
        let keyword = if one_of { "oneOf" } else { "anyOf" };
        let Some(Value::Array(branches)) = object.remove(keyword) else { return false };
        let (names, tag) = variant_names(&branches, root, &self.replacements);
        let mut variants = Vec::new();
        for (mut branch, (variant, tag_value)) in branches.into_iter().zip(names) {
            let referenced = branch
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|_| branch.as_object().is_some_and(|branch| branch.len() == 1))
                .and_then(|reference| reference.strip_prefix("#/definitions/"))
                .map(unescape);
            let branch_type = match referenced {
                Some(definition) => self
                    .replacements
                    .iter()
                    .find(|(placeholder, _)| *placeholder == definition)
                    .map_or_else(|| type_name(&definition), |(_, rust_type)| rust_type.clone()),
                None => {
                    let mut definition = format!("{name}{variant}");
                    while self.taken(&definition, root) {
                        definition.push_str("Branch");
                    }
                    // typify names a definition by its PascalCase form (`V1VVariant1` becomes
                    // `V1vVariant1`).
                    let rust_name = type_name(&definition);
                    // A branch that is a union itself becomes that union's enum (`visit` puts
                    // its placeholder in place); any other becomes a definition of its own.
                    let nested = branch.as_object().is_some_and(|branch| site(branch) == Site::Liftable);
                    self.visit(&mut branch, &rust_name, root);
                    if !nested {
                        self.new_definitions.insert(definition, branch);
                    }
                    rust_name
                }
            };
            variants.push((variant, branch_type, tag_value));
        }
        self.unions.push(Union { name: name.to_owned(), one_of, variants, tag });
        true
    }
}

/// A JSON pointer token as written (RFC 6901: `~1` is `/`, `~0` is `~`).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Variant names, with each branch's tag value: the value of a tag (a member every branch
/// requires, each with its own constant string), else the referenced definition's (or shared
/// type's) name, else `Variant<N>`. Also the tag member, when the names come from it.
#[allow(clippy::type_complexity)]
fn variant_names(
    branches: &[Value],
    root: &Value,
    replacements: &[(String, String)],
) -> (Vec<(String, Option<String>)>, Option<String>) {
    let resolved: Vec<&Value> = branches
        .iter()
        .map(|branch| {
            let target = branch.get("$ref").and_then(Value::as_str).and_then(|reference| reference.strip_prefix('#'));
            target.and_then(|pointer| root.pointer(pointer)).unwrap_or(branch)
        })
        .collect();
    let distinct = |names: &[String]| {
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort();
        sorted.dedup();
        sorted.len() == names.len()
    };
    if let Some(member) = tag_member(&resolved) {
        let values: Vec<String> = resolved.iter().filter_map(|branch| constant(branch, &member)).collect();
        let names: Vec<String> = values.iter().map(|value| type_name(value)).collect();
        if names.len() == branches.len() && distinct(&names) {
            return (names.into_iter().zip(values.into_iter().map(Some)).collect(), Some(member));
        }
    }
    let by_reference: Option<Vec<String>> = branches
        .iter()
        .map(|branch| {
            let definition = branch.get("$ref")?.as_str()?.strip_prefix("#/definitions/").map(unescape)?;
            // A shared type is named by its path's last segment, not its placeholder.
            let shared = replacements.iter().find(|(placeholder, _)| *placeholder == definition);
            Some(match shared {
                Some((_, path)) => path.rsplit("::").next().unwrap_or(path).to_owned(),
                None => type_name(&definition),
            })
        })
        .collect();
    let names = match by_reference {
        Some(named) if distinct(&named) => named,
        _ => (1..=branches.len()).map(|number| format!("Variant{number}")).collect(),
    };
    (names.into_iter().map(|name| (name, None)).collect(), None)
}

/// A member every branch requires and gives one constant string (after `normalize`, a
/// one-value string `enum`).
fn tag_member(branches: &[&Value]) -> Option<String> {
    let first = branches.first()?;
    let candidates = first.get("properties")?.as_object()?.keys();
    candidates
        .filter(|member| {
            branches.iter().all(|branch| {
                let required = branch.get("required").and_then(Value::as_array).is_some_and(|required| {
                    required.iter().any(|name| name.as_str() == Some(member.as_str()))
                });
                required && constant(branch, member).is_some()
            })
        })
        .min()
        .cloned()
}

fn constant(branch: &Value, member: &str) -> Option<String> {
    let values = branch.get("properties")?.get(member)?.get("enum")?.as_array()?;
    match values.as_slice() {
        [Value::String(value)] => Some(value.clone()),
        _ => None,
    }
}

/// The enum of a lifted union, with its serde impls.
pub(crate) fn union_items(union: &Union) -> Result<Vec<Item>, String> {
    let name = format_ident!("{}", union.name);
    let mut variants: Vec<(Ident, syn::Type, Option<&str>)> = Vec::new();
    for (variant, branch_type, tag_value) in &union.variants {
        let parsed = syn::parse_str(branch_type).map_err(|error| format!("branch type `{branch_type}`: {error}"))?;
        variants.push((format_ident!("{variant}"), parsed, tag_value.as_deref()));
    }
    let keyword = if union.one_of { "oneOf" } else { "anyOf" };
    let listed = union.variants.iter().map(|(variant, ..)| variant.as_str()).collect::<Vec<_>>().join(", ");
    let doc = match (&union.tag, union.one_of) {
        (Some(tag), _) => format!(" One of: {listed}, told apart by the member `{tag}`."),
        (None, true) => format!(" Exactly one of: {listed} (`oneOf`): a value that matches none, or several, is refused."),
        (None, false) => format!(" Any of: {listed} (`anyOf`): the first that matches, in this order."),
    };
    // Boxed: a branch may hold the union again (a tree of shapes), and a boxed variant keeps
    // the enum's size finite whatever the nesting.
    let declarations = variants.iter().map(|(variant, branch_type, _)| quote!(#variant(::std::boxed::Box<#branch_type>)));
    let attempt = |variant: &Ident, branch_type: &syn::Type| {
        let label = variant.to_string();
        quote! {
            crate::runtime::payload::attempt_branch::<__D::Error>()?;
            match <#branch_type as ::serde::Deserialize>::deserialize(&value) {
                ::std::result::Result::Ok(branch) => matched.push(Self::#variant(::std::boxed::Box::new(branch))),
                ::std::result::Result::Err(error) => failures.push(format!("{}: {}", #label, error)),
            }
        }
    };
    let attempts = match &union.tag {
        // With a tag, only the branch it names can match: try that one alone.
        Some(tag) => {
            let arms = variants.iter().map(|(variant, branch_type, tag_value)| {
                let body = attempt(variant, branch_type);
                quote!(::std::option::Option::Some(#tag_value) => { #body })
            });
            quote! {
                match value.get(#tag).and_then(::serde_json::Value::as_str) {
                    #(#arms)*
                    _ => {}
                }
            }
        }
        None => {
            let each = variants.iter().map(|(variant, branch_type, _)| attempt(variant, branch_type));
            quote!(#(#each)*)
        }
    };
    let serialize_arms = variants
        .iter()
        .map(|(variant, ..)| quote!(Self::#variant(branch) => ::serde::Serialize::serialize(branch, serializer),));
    let none = format!("matches no branch of the `{keyword}` ({listed})");
    let decide = if union.one_of {
        let several = format!("matches {{}} branches of the `oneOf` ({listed}); exactly one must match");
        quote! {
            match matched.len() {
                1 => ::std::result::Result::Ok(matched.remove(0)),
                0 => ::std::result::Result::Err(<__D::Error as ::serde::de::Error>::custom(crate::runtime::payload::no_branch(#none, &failures))),
                count => ::std::result::Result::Err(<__D::Error as ::serde::de::Error>::custom(format!(#several, count))),
            }
        }
    } else {
        quote! {
            if matched.is_empty() {
                ::std::result::Result::Err(<__D::Error as ::serde::de::Error>::custom(crate::runtime::payload::no_branch(#none, &failures)))
            } else {
                ::std::result::Result::Ok(matched.remove(0))
            }
        }
    };
    let items = quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#declarations),*
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                // Bounded: a union that leads back to itself, or a deep tree of them, is an
                // error rather than endless work.
                let _depth = crate::runtime::payload::enter_union::<__D::Error>()?;
                // Read once (a key given twice is an error), then try the branches on it.
                let crate::runtime::StrictValue(value) = <crate::runtime::StrictValue as ::serde::Deserialize>::deserialize(deserializer)?;
                let mut matched: ::std::vec::Vec<Self> = ::std::vec::Vec::new();
                let mut failures: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
                #attempts
                #decide
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }
    };
    syn::parse2::<syn::File>(items).map(|file| file.items).map_err(|error| format!("union `{}`: {error}", union.name))
}
