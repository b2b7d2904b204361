//! Names of payload types and enum variants: unique in their module, the same on every run,
//! and readable (`"1.0"` is `V1_0`, `-1` is `Minus1`, `"in_progress"` is `InProgress`).

use std::collections::BTreeSet;

use heck::ToPascalCase;
use serde_json::Value;

use crate::names::type_name;

/// The type names a module has given out.
#[derive(Debug, Default)]
pub(crate) struct TypeNames {
    taken: BTreeSet<String>,
}

impl TypeNames {
    /// Marks `name` as given out (a name decided elsewhere: the payload's, a shared type's).
    pub(crate) fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// A new type name from a hint (`OrderCustomer`), numbered when the hint is taken.
    pub(crate) fn allocate(&mut self, hint: &str) -> String {
        let base = type_name(hint);
        let mut candidate = base.clone();
        let mut number = 2;
        while self.taken.contains(&candidate) || is_reserved_type_name(&candidate) {
            candidate = format!("{base}{number}");
            number += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// Names the generated modules use for themselves.
fn is_reserved_type_name(name: &str) -> bool {
    matches!(name, "Self" | "Contract" | "CloudEvent")
}

/// One variant name per literal, distinct, in the order given.
pub(crate) fn literal_variants(values: &[Value]) -> Vec<String> {
    distinct(values.iter().enumerate().map(|(index, value)| literal_variant(value, index)).collect())
}

fn literal_variant(value: &Value, index: usize) -> String {
    match value {
        Value::Null => "Null".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(number) => signed_variant(&number.to_string()),
        Value::String(text) if text.starts_with(['-', '+']) => signed_variant(text),
        Value::String(text) => match words(text) {
            words if words.is_empty() => "Empty".to_owned(),
            words if words.starts_with(|c: char| c.is_ascii_digit()) => format!("V{words}"),
            words => identifier(words),
        },
        Value::Array(_) | Value::Object(_) => format!("Value{}", index + 1),
    }
}

/// `1` → `V1`, `-1` → `Minus1`, `+1` → `Plus1`, `1.5` → `V1_5`.
fn signed_variant(text: &str) -> String {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => ("Minus", &text[1..]),
        Some(b'+') => ("Plus", &text[1..]),
        _ => ("V", text),
    };
    identifier(format!("{sign}{}", words(rest)))
}

/// The PascalCase words of `text`, digit groups kept apart by `_` (`v1.0` → `V1_0`); visible
/// non-ASCII characters spelled out as `names` does.
fn words(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()) {
        let cased = if word.chars().all(|c| c.is_ascii_alphanumeric()) {
            word.to_pascal_case()
        } else {
            let named = type_name(word);
            if word.starts_with(|c: char| c.is_ascii_digit()) {
                named.trim_start_matches('X').to_owned()
            } else {
                named
            }
        };
        if out.ends_with(|c: char| c.is_ascii_digit()) && cased.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('_');
        }
        out.push_str(&cased);
    }
    out
}

/// A variant name that is a valid identifier (`Self` becomes `Self_`).
fn identifier(name: String) -> String {
    if name == "Self" || syn::parse_str::<syn::Ident>(&name).is_err() {
        format!("{name}_")
    } else {
        name
    }
}

/// Makes `names` distinct by numbering later repeats (`Foo`, `Foo2`), in order.
pub(crate) fn distinct(names: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names
        .into_iter()
        .map(|name| {
            let mut candidate = name.clone();
            let mut number = 2;
            while !seen.insert(candidate.clone()) {
                // `V1_2` after `V1`, `Foo2` after `Foo` (`Foo_2` would not be camel case).
                let separator = if name.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
                candidate = format!("{name}{separator}{number}");
                number += 1;
            }
            candidate
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn literal_variants_read_as_their_values() {
        let values = json!(["REASON_UNSPECIFIED", 0, "KMS_KEY_ISSUE", 1, "1.0", "1.1", "in_progress", -1, 1.5, true, null, "", "+1", "a", "A", {"k": 1}]);
        assert_eq!(
            literal_variants(values.as_array().unwrap()),
            [
                "ReasonUnspecified",
                "V0",
                "KmsKeyIssue",
                "V1",
                "V1_0",
                "V1_1",
                "InProgress",
                "Minus1",
                "V1_5",
                "True",
                "Null",
                "Empty",
                "Plus1",
                "A",
                "A2",
                "Value16"
            ]
        );
    }

    #[test]
    fn allocated_type_names_are_unique() {
        let mut names = TypeNames::default();
        names.reserve("Order");
        assert_eq!(names.allocate("order"), "Order2");
        assert_eq!(names.allocate("order"), "Order3");
        assert_eq!(names.allocate("self"), "Self_");
    }
}
