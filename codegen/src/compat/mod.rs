//! The compatibility gate: compares two states of one payload schema and reports every change,
//! each with a stable rule id and a severity, by the contract's versioning rule: "Fields may
//! be added within the same major version. Removing or changing the meaning of a documented
//! field requires a new event version."
//!
//! Both states are first reduced to a canonical [`shape::Shape`] (references inlined, spellings
//! that mean the same made equal), so that rewrites which change nothing are not findings; the
//! shapes are then compared by [`diff`]. Pure: the caller reads the files.

mod counterexample;
mod diff;
mod shape;

use std::fmt;

use serde_json::Value;

pub use counterexample::{counterexample, Counterexample, Direction};
pub use diff::Rule;

/// How a change affects consumers and producers of one event version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Allowed within a version.
    Compatible,
    /// Allowed, but worth a look.
    Warning,
    /// Needs a new event version.
    Breaking,
}

impl Severity {
    /// Lowercase name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Compatible => "compatible",
            Severity::Warning => "warning",
            Severity::Breaking => "breaking",
        }
    }
}

/// One change between the old and the new schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Where, as if every `$ref` were inlined: `/properties/venue/properties/city`.
    pub pointer: String,
    /// Stable id of the rule, e.g. `PROPERTY_REMOVED`.
    pub rule: Rule,
    /// What changed, naming the old and the new value.
    pub message: String,
    /// Where the keyword physically is: `#/$defs/Venue/properties/city` in the schema itself,
    /// or `file#pointer` in another document that a `$ref` led to.
    pub location: String,
    /// Whether `location` is in the old schema (for what was removed) rather than the new one.
    pub location_in_old: bool,
}

impl Finding {
    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

/// A schema the gate cannot judge; the gate fails closed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unjudgeable {
    /// Which side: `old` or `new`.
    pub side: &'static str,
    /// JSON pointer of the offending keyword.
    pub pointer: String,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Unjudgeable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} schema #{}: {}", self.side, self.pointer, self.reason)
    }
}

/// Another document that a schema may `$ref`: how reports name it, and its JSON.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The file, as reports name it (locations in it are `file#pointer`).
    pub file: &'a str,
    /// The document.
    pub schema: &'a Value,
}

/// One side of a comparison: a schema, its id (what its relative `$ref`s resolve against), and
/// the other documents those may name, by id in normal form.
#[derive(Debug, Clone, Copy)]
pub struct Root<'a> {
    /// The schema's id; without one, only references within it are followed.
    pub id: Option<&'a str>,
    /// The schema.
    pub schema: &'a Value,
    /// The documents its cross-file `$ref`s may name.
    pub documents: &'a std::collections::BTreeMap<String, Document<'a>>,
}

/// Every change from `old` to `new` (single documents: only references within each are
/// followed), sorted by pointer then rule.
pub fn compare(old: &Value, new: &Value) -> Result<Vec<Finding>, Vec<Unjudgeable>> {
    let none = std::collections::BTreeMap::new();
    compare_roots(&Root { id: None, schema: old, documents: &none }, &Root { id: None, schema: new, documents: &none })
}

/// Every change from `old` to `new`, each read with the documents its `$ref`s reach (shared
/// definitions are compared as part of each schema that uses them), sorted by pointer then
/// rule. A finding inside another document has its location there: `file#pointer`.
pub fn compare_roots(old: &Root<'_>, new: &Root<'_>) -> Result<Vec<Finding>, Vec<Unjudgeable>> {
    let old_shape = shape::Shape::of_document(old).map_err(|errors| tag(errors, "old"));
    let new_shape = shape::Shape::of_document(new).map_err(|errors| tag(errors, "new"));
    let (old_shape, new_shape) = match (old_shape, new_shape) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let mut errors = old.err().unwrap_or_default();
            errors.extend(new.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let mut findings = diff::diff(&old_shape, &new_shape);
    findings.sort();
    findings.dedup();
    Ok(findings)
}

fn tag(errors: Vec<(String, String)>, side: &'static str) -> Vec<Unjudgeable> {
    errors.into_iter().map(|(pointer, reason)| Unjudgeable { side, pointer, reason }).collect()
}
