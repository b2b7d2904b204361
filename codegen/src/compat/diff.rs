//! The rules: one comparison of two canonical shapes, producing findings with stable ids.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use super::shape::{Additional, Shape};
use super::{Finding, Severity};
use crate::json_pointer::escape;

macro_rules! rules {
    ($($rule:ident = $id:literal => $severity:ident, $summary:literal;)*) => {
        /// A compatibility rule. The ids (`as_str`) are stable: CI output and ignore files name them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(#[doc = $summary] $rule,)*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$rule,)*];

            /// The stable UPPER_SNAKE id.
            pub fn as_str(self) -> &'static str {
                match self { $(Rule::$rule => $id,)* }
            }

            /// Whether the change needs a new event version.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$rule => Severity::$severity,)* }
            }

            /// One line saying what the rule catches.
            pub fn summary(self) -> &'static str {
                match self { $(Rule::$rule => $summary,)* }
            }

            /// The rule with this id.
            pub fn from_id(id: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|rule| rule.as_str() == id)
            }
        }
    };
}

rules! {
    PropertyAdded = "PROPERTY_ADDED" => Compatible, "An optional property was added.";
    AnnotationChanged = "ANNOTATION_CHANGED" => Compatible, "A title, description, example, comment, deprecation or dialect changed.";
    AdditionalPropertiesOpened = "ADDITIONAL_PROPERTIES_OPENED" => Warning, "An object now allows members it did not list.";
    AdditionalPropertiesClosed = "ADDITIONAL_PROPERTIES_CLOSED" => Warning, "An object no longer allows members it does not list.";
    RequiredPropertyAdded = "REQUIRED_PROPERTY_ADDED" => Breaking, "A required property was added: events of the old schema lack it.";
    PropertyRemoved = "PROPERTY_REMOVED" => Breaking, "A documented property was removed.";
    PropertyRenamed = "PROPERTY_RENAMED" => Breaking, "A property was removed and one with the same schema added under another name.";
    PropertyMadeRequired = "PROPERTY_MADE_REQUIRED" => Breaking, "An optional property became required.";
    PropertyMadeOptional = "PROPERTY_MADE_OPTIONAL" => Breaking, "A required property became optional.";
    TypeChanged = "TYPE_CHANGED" => Breaking, "The allowed JSON types changed (including integer to number).";
    NullabilityChanged = "NULLABILITY_CHANGED" => Breaking, "`null` became allowed or disallowed.";
    EnumValuesAdded = "ENUM_VALUES_ADDED" => Breaking, "Allowed values were added.";
    EnumValuesRemoved = "ENUM_VALUES_REMOVED" => Breaking, "Allowed values were removed.";
    ConstChanged = "CONST_CHANGED" => Breaking, "The one allowed value changed.";
    ValuesRestricted = "VALUES_RESTRICTED" => Breaking, "An `enum`/`const` now restricts a value that was free.";
    ValuesUnrestricted = "VALUES_UNRESTRICTED" => Breaking, "An `enum`/`const` restriction was dropped.";
    FormatChanged = "FORMAT_CHANGED" => Breaking, "`format` changed.";
    LengthChanged = "LENGTH_CHANGED" => Breaking, "`minLength`/`maxLength` changed.";
    PatternChanged = "PATTERN_CHANGED" => Breaking, "`pattern` changed.";
    RangeChanged = "RANGE_CHANGED" => Breaking, "A numeric bound (`minimum`, `maximum`, exclusive bounds, `multipleOf`) changed.";
    ItemsChanged = "ITEMS_CHANGED" => Breaking, "The array's items, their count bounds or uniqueness changed.";
    PropertyCountChanged = "PROPERTY_COUNT_CHANGED" => Breaking, "`minProperties`/`maxProperties` changed.";
    DefaultChanged = "DEFAULT_CHANGED" => Breaking, "`default` changed.";
    AdditionalPropertiesChanged = "ADDITIONAL_PROPERTIES_CHANGED" => Breaking, "The schema of unlisted members changed.";
    IdChanged = "ID_CHANGED" => Breaking, "The schema's `$id` changed.";
    OneOfBranchAdded = "ONE_OF_BRANCH_ADDED" => Breaking, "A `oneOf` branch was added.";
    OneOfBranchRemoved = "ONE_OF_BRANCH_REMOVED" => Breaking, "A `oneOf` branch was removed.";
    AnyOfBranchAdded = "ANY_OF_BRANCH_ADDED" => Breaking, "An `anyOf` branch was added.";
    AnyOfBranchRemoved = "ANY_OF_BRANCH_REMOVED" => Breaking, "An `anyOf` branch was removed.";
    AllOfChanged = "ALL_OF_CHANGED" => Breaking, "An `allOf` member was added or removed.";
    RecursionChanged = "RECURSION_CHANGED" => Breaking, "A recursive reference now points elsewhere.";
    ReferenceRetargeted = "REFERENCE_RETARGETED" => Warning, "A `$ref` now names another definition, which differs: the differences follow as findings of their own.";
    ContractRemoved = "CONTRACT_REMOVED" => Breaking, "A contract (an event type's version) left the manifest: its events still arrive.";
    SchemaIdChanged = "SCHEMA_ID_CHANGED" => Breaking, "A contract's `schema_id` changed: its events carry the old one as `dataschema`.";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every change from `old` to `new`.
pub(crate) fn diff(old: &Shape, new: &Shape) -> Vec<Finding> {
    let mut findings = Vec::new();
    if old.id != new.id {
        findings.push(Finding {
            pointer: "/$id".to_owned(),
            rule: Rule::IdChanged,
            message: format!("`$id` changed from {} to {}", show_opt(&old.id), show_opt(&new.id)),
            location: "#/$id".to_owned(),
            location_in_old: false,
        });
    }
    Differ { findings: &mut findings }.shapes(old, new, "");
    findings
}

struct Differ<'a> {
    findings: &'a mut Vec<Finding>,
}

impl Differ<'_> {
    fn push(&mut self, pointer: &str, rule: Rule, message: String, location: String) {
        self.findings.push(Finding { pointer: pointer.to_owned(), rule, message, location, location_in_old: false });
    }

    /// A finding about something only the old schema has.
    fn push_in_old(&mut self, pointer: &str, rule: Rule, message: String, location: String) {
        self.findings.push(Finding { pointer: pointer.to_owned(), rule, message, location, location_in_old: true });
    }

    /// A finding whose keyword is in the old schema (`in_old`) or the new one.
    fn push_on(&mut self, in_old: bool, pointer: &str, rule: Rule, message: String, location: String) {
        if in_old {
            self.push_in_old(pointer, rule, message, location);
        } else {
            self.push(pointer, rule, message, location);
        }
    }

    fn shapes(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        if let (Some(before), Some(after)) = (&old.reference, &new.reference) {
            if before.target != after.target && old.meaning() != new.meaning() {
                self.push(
                    &format!("{pointer}/$ref"),
                    Rule::ReferenceRetargeted,
                    format!("`$ref` now names {} (was {}), which differs", after.written, before.written),
                    after.location.clone(),
                );
            }
        }
        if old.recursion != new.recursion {
            self.push(
                &format!("{pointer}/$ref"),
                Rule::RecursionChanged,
                format!(
                    "recursive reference changed from {} to {}",
                    show_opt(&old.recursion),
                    show_opt(&new.recursion)
                ),
                new.location.clone(),
            );
        }
        self.annotations(old, new, pointer);
        self.types_and_values(old, new, pointer);
        self.constraints(old, new, pointer);
        self.properties(old, new, pointer);
        self.additional(old, new, pointer);
        self.items(old, new, pointer);
        self.branches(&old.one_of, &new.one_of, pointer, "oneOf", Rule::OneOfBranchAdded, Rule::OneOfBranchRemoved);
        self.branches(&old.any_of, &new.any_of, pointer, "anyOf", Rule::AnyOfBranchAdded, Rule::AnyOfBranchRemoved);
        self.branches(&old.all_of, &new.all_of, pointer, "allOf", Rule::AllOfChanged, Rule::AllOfChanged);
    }

    fn annotations(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        let keywords: BTreeSet<&String> = old.annotations.keys().chain(new.annotations.keys()).collect();
        for keyword in keywords {
            let (before, after) = (old.annotations.get(keyword), new.annotations.get(keyword));
            if before != after {
                self.push(
                    &format!("{pointer}/{}", escape(keyword)),
                    Rule::AnnotationChanged,
                    format!("`{keyword}` changed from {} to {}", show(before), show(after)),
                    format!("{}/{}", new.location, escape(keyword)),
                );
            }
        }
    }

    fn types_and_values(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        // The `type` keyword in the new schema; in the old one when it was removed.
        let type_in_old = new.types.is_none() && old.types.is_some();
        let type_location = format!("{}/type", if type_in_old { &old.location } else { &new.location });
        let type_pointer = format!("{pointer}/type");
        let without_null = |types: &Option<BTreeSet<String>>| {
            types.as_ref().map(|types| types.iter().filter(|name| *name != "null").cloned().collect::<BTreeSet<_>>())
        };
        let allows_null = |shape: &Shape| shape.types.as_ref().is_none_or(|types| types.contains("null"));
        if allows_null(old) != allows_null(new) {
            let verdict = if allows_null(new) { "now allows null" } else { "no longer allows null" };
            self.push_on(
                type_in_old,
                &type_pointer,
                Rule::NullabilityChanged,
                format!("{verdict} (was {}, now {})", old.type_name(), new.type_name()),
                type_location.clone(),
            );
        }
        let (old_types, new_types) = (without_null(&old.types), without_null(&new.types));
        let values_decide = old.values.is_some() && new.values.is_some();
        if old_types != new_types && !(values_decide && old.types.is_some() && new.types.is_some()) {
            self.push_on(
                type_in_old,
                &type_pointer,
                Rule::TypeChanged,
                format!("type changed from {} to {}", old.type_name(), new.type_name()),
                type_location,
            );
        }
        let without_null_value = |values: &BTreeSet<String>| {
            values.iter().filter(|value| *value != "null").cloned().collect::<BTreeSet<_>>()
        };
        // At the keyword that spells the values in the new schema (`enum` or `const`), or in
        // the old one when the new one has none.
        let values_location = format!("{}/{}", new.location, new.values_keyword);
        let values_pointer = format!("{pointer}/{}", new.values_keyword);
        match (&old.values, &new.values) {
            (None, None) => {}
            (None, Some(values)) => self.push(
                &values_pointer,
                Rule::ValuesRestricted,
                format!("values were free, now restricted to {}", list(values)),
                values_location,
            ),
            (Some(values), None) => self.push_in_old(
                &format!("{pointer}/{}", old.values_keyword),
                Rule::ValuesUnrestricted,
                format!("values were restricted to {}, now free", list(values)),
                format!("{}/{}", old.location, old.values_keyword),
            ),
            (Some(before), Some(after)) => {
                let (before, after) = (without_null_value(before), without_null_value(after));
                if before.len() == 1 && after.len() == 1 && before != after {
                    self.push(
                        &values_pointer,
                        Rule::ConstChanged,
                        format!("the allowed value changed from {} to {}", list(&before), list(&after)),
                        values_location,
                    );
                    return;
                }
                let added: BTreeSet<String> = after.difference(&before).cloned().collect();
                let removed: BTreeSet<String> = before.difference(&after).cloned().collect();
                if !added.is_empty() {
                    self.push(
                        &values_pointer,
                        Rule::EnumValuesAdded,
                        format!("values {} were added (was {}, now {})", list(&added), list(&before), list(&after)),
                        values_location.clone(),
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        &values_pointer,
                        Rule::EnumValuesRemoved,
                        format!("values {} were removed (was {}, now {})", list(&removed), list(&before), list(&after)),
                        values_location,
                    );
                }
            }
        }
    }

    fn constraints(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        let keywords: BTreeSet<&String> = old.constraints.keys().chain(new.constraints.keys()).collect();
        for keyword in keywords {
            let (before, after) = (old.constraints.get(keyword), new.constraints.get(keyword));
            if before == after {
                continue;
            }
            let rule = match keyword.as_str() {
                "format" => Rule::FormatChanged,
                "minLength" | "maxLength" => Rule::LengthChanged,
                "pattern" => Rule::PatternChanged,
                "minItems" | "maxItems" | "uniqueItems" => Rule::ItemsChanged,
                "minProperties" | "maxProperties" => Rule::PropertyCountChanged,
                "default" => Rule::DefaultChanged,
                _ => Rule::RangeChanged,
            };
            let message = format!("`{keyword}` changed from {} to {}", show(before), show(after));
            let at = format!("{pointer}/{}", escape(keyword));
            if after.is_some() {
                self.push(&at, rule, message, format!("{}/{}", new.location, escape(keyword)));
            } else {
                self.push_in_old(&at, rule, message, format!("{}/{}", old.location, escape(keyword)));
            }
        }
    }

    fn properties(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        let at = |name: &str| format!("{pointer}/properties/{}", escape(name));
        let mut removed: Vec<&String> =
            old.properties.keys().filter(|name| !new.properties.contains_key(*name)).collect();
        let mut added: Vec<&String> =
            new.properties.keys().filter(|name| !old.properties.contains_key(*name)).collect();
        // A removal and an addition of the same schema and required-ness is one rename.
        let mut renames = Vec::new();
        removed.retain(|removed_name| {
            let before = &old.properties[*removed_name];
            let position = added.iter().position(|added_name| {
                new.properties[*added_name].meaning() == before.meaning()
                    && old.required.contains(*removed_name) == new.required.contains(*added_name)
            });
            match position {
                Some(position) => {
                    renames.push((*removed_name, added.remove(position)));
                    false
                }
                None => true,
            }
        });
        for (from, to) in renames {
            self.push(
                &at(from),
                Rule::PropertyRenamed,
                format!("property `{from}` was renamed to `{to}`"),
                new.properties[to].location.clone(),
            );
        }
        for name in removed {
            let property = &old.properties[name];
            self.push_in_old(
                &at(name),
                Rule::PropertyRemoved,
                format!("property `{name}` ({}) was removed", property.type_name()),
                property.location.clone(),
            );
        }
        for name in added {
            let property = &new.properties[name];
            let (rule, kind) = if new.required.contains(name) {
                (Rule::RequiredPropertyAdded, "required")
            } else {
                (Rule::PropertyAdded, "optional")
            };
            self.push(
                &at(name),
                rule,
                format!("{kind} property `{name}` ({}) was added", property.type_name()),
                property.location.clone(),
            );
        }
        for (name, before) in &old.properties {
            let Some(after) = new.properties.get(name) else { continue };
            match (old.required.contains(name), new.required.contains(name)) {
                (false, true) => self.push(
                    &at(name),
                    Rule::PropertyMadeRequired,
                    format!("property `{name}` was optional, now required"),
                    format!("{}/required", new.location),
                ),
                (true, false) => self.push(
                    &at(name),
                    Rule::PropertyMadeOptional,
                    format!("property `{name}` was required, now optional"),
                    format!("{}/required", new.location),
                ),
                _ => {}
            }
            self.shapes(before, after, &at(name));
        }
        // `required` names without a property schema still constrain instances.
        let listed = |shape: &Shape, name: &String| shape.properties.contains_key(name);
        for name in new.required.difference(&old.required).filter(|name| !listed(new, name) && !listed(old, name)) {
            self.push(
                &at(name),
                Rule::PropertyMadeRequired,
                format!("`{name}` became required"),
                format!("{}/required", new.location),
            );
        }
        for name in old.required.difference(&new.required).filter(|name| !listed(new, name) && !listed(old, name)) {
            self.push(
                &at(name),
                Rule::PropertyMadeOptional,
                format!("`{name}` is no longer required"),
                format!("{}/required", new.location),
            );
        }
    }

    fn additional(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        let location = format!("{}/additionalProperties", new.location);
        let at = format!("{pointer}/additionalProperties");
        match (&old.additional, &new.additional) {
            (Additional::Open, Additional::Open) | (Additional::Closed, Additional::Closed) => {}
            (Additional::Schema(before), Additional::Schema(after)) => self.shapes(before, after, &at),
            (Additional::Closed, Additional::Open) => self.push(
                &at,
                Rule::AdditionalPropertiesOpened,
                "`additionalProperties` changed from false to open".to_owned(),
                location,
            ),
            (Additional::Open, Additional::Closed) => self.push(
                &at,
                Rule::AdditionalPropertiesClosed,
                "`additionalProperties` changed from open to false".to_owned(),
                location,
            ),
            (before, after) => self.push(
                &at,
                Rule::AdditionalPropertiesChanged,
                format!(
                    "`additionalProperties` changed from {} to {}",
                    additional_name(before),
                    additional_name(after)
                ),
                location,
            ),
        }
    }

    fn items(&mut self, old: &Shape, new: &Shape, pointer: &str) {
        let at = format!("{pointer}/items");
        match (&old.items, &new.items) {
            (None, None) => {}
            (Some(before), Some(after)) => self.shapes(before, after, &at),
            (before, after) => self.push(
                &at,
                Rule::ItemsChanged,
                format!(
                    "`items` changed from {} to {}",
                    before.as_ref().map_or("any".to_owned(), |items| items.type_name()),
                    after.as_ref().map_or("any".to_owned(), |items| items.type_name())
                ),
                format!("{}/items", new.location),
            ),
        }
    }

    /// Branches are matched by meaning; left-over branches pair up in order when their
    /// counts agree (a change inside a branch), else they were added or removed.
    fn branches(
        &mut self,
        old: &[Shape],
        new: &[Shape],
        pointer: &str,
        keyword: &str,
        added_rule: Rule,
        removed_rule: Rule,
    ) {
        let mut unmatched_new: Vec<(usize, &Shape)> = new.iter().enumerate().collect();
        let mut unmatched_old = Vec::new();
        for (index, branch) in old.iter().enumerate() {
            let meaning = branch.meaning();
            match unmatched_new.iter().position(|(_, candidate)| candidate.meaning() == meaning) {
                Some(position) => {
                    unmatched_new.remove(position);
                }
                None => unmatched_old.push((index, branch)),
            }
        }
        if unmatched_old.len() == unmatched_new.len() {
            for ((_, before), (index, after)) in unmatched_old.iter().zip(&unmatched_new) {
                self.shapes(before, after, &format!("{pointer}/{keyword}/{index}"));
            }
            return;
        }
        for (index, branch) in unmatched_old {
            self.push_in_old(
                &format!("{pointer}/{keyword}/{index}"),
                removed_rule,
                format!("`{keyword}` branch {index} ({}) was removed", branch.type_name()),
                branch.location.clone(),
            );
        }
        for (index, branch) in unmatched_new {
            self.push(
                &format!("{pointer}/{keyword}/{index}"),
                added_rule,
                format!("`{keyword}` branch {index} ({}) was added", branch.type_name()),
                branch.location.clone(),
            );
        }
    }
}

fn additional_name(additional: &Additional) -> String {
    match additional {
        Additional::Open => "open".to_owned(),
        Additional::Closed => "false".to_owned(),
        Additional::Schema(shape) => format!("a schema ({})", shape.type_name()),
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}

fn show_opt(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "absent".to_owned(), |value| format!("`{value}`"))
}

fn list(values: &BTreeSet<String>) -> String {
    format!("[{}]", values.iter().cloned().collect::<Vec<_>>().join(", "))
}
