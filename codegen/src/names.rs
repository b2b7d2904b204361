//! The one place schema names become Rust names.
//!
//! - Struct fields: [`field_names`] gives every member of an object an identifier that is valid
//!   Rust, ASCII only, and distinct from every other member's (a collision, such as `fooBar`
//!   and `foo_bar`, is resolved by a numbered suffix in the order of the wire names, so it is
//!   the same on every run, and the field's documentation says so). We own the serde impls, so
//!   the wire name is kept exactly whatever the identifier.
//! - Types: [`type_name`] gives a definition's (or an inline type's hint's) PascalCase name;
//!   `payload::naming` numbers names already taken in a module.

use heck::{ToPascalCase, ToSnakeCase};

/// Identifiers that are keywords (or reserved) in some edition, beyond what `syn` refuses.
const RESERVED: &[&str] = &[
    "_", "gen", "self", "Self", "super", "crate", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Case conversion of a name made only of ASCII letters, digits and word separators: each
/// character that cannot be in an identifier separates words, and every visible non-ASCII
/// character becomes the word `u<hex>` (`café` → `caf u00e9`), so that the result is ASCII and
/// two different names do not meet through Unicode normalisation. Invisible characters
/// (direction overrides, zero-width spaces) only separate words.
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '\'' => {}
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            c if c.is_ascii() || is_invisible(c) => out.push('-'),
            c => out.push_str(&format!("-u{:04x}-", c as u32)),
        }
    }
    out
}

/// Characters that show nothing or change how text around them shows: rustc rejects them in
/// comments and identifiers, and they can hide text from a reviewer.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{180E}')
        || (c.is_control() && c != '\n' && c != '\t')
}

/// A valid identifier from a cased name: `x` for an empty one, an `x` prefix before a leading
/// digit, and a `_` suffix for a keyword.
fn identifier(cased: String, prefix: &str) -> String {
    let cased = match cased.chars().next() {
        None => prefix.to_owned(),
        Some(c) if c.is_ascii_alphabetic() => cased,
        Some(_) => format!("{prefix}{cased}"),
    };
    if RESERVED.contains(&cased.as_str()) || syn::parse_str::<syn::Ident>(&cased).is_err() {
        format!("{cased}_")
    } else {
        cased
    }
}

/// The field identifier a member name gives before collisions are resolved.
pub(crate) fn field_name(wire_name: &str) -> String {
    let name = match wire_name {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        other => words(other).to_snake_case(),
    };
    identifier(name, "x")
}

/// The PascalCase type name of a definition or hint (`X` before a leading digit).
pub(crate) fn type_name(name: &str) -> String {
    let cased = match name {
        "+1" => "Plus1".to_owned(),
        "-1" => "Minus1".to_owned(),
        other => words(other).to_pascal_case(),
    };
    identifier(cased, "X")
}

/// One distinct identifier per wire name, in the order given, none of them in `taken`. Names
/// whose identifiers collide are numbered in the order of their wire names (`foo_bar`,
/// `foo_bar_2`), so the result does not depend on the order of the input.
pub(crate) fn field_names(wire_names: &[&str], taken: &[&str]) -> Vec<String> {
    let mut order: Vec<usize> = (0..wire_names.len()).collect();
    order.sort_by_key(|&index| wire_names[index]);
    let mut used: Vec<String> = taken.iter().map(|name| (*name).to_owned()).collect();
    let mut assigned = vec![String::new(); wire_names.len()];
    for index in order {
        let base = field_name(wire_names[index]);
        let mut candidate = base.clone();
        let mut number = 2;
        while used.contains(&candidate) {
            candidate = format!("{}_{number}", base.trim_end_matches('_'));
            number += 1;
        }
        used.push(candidate.clone());
        assigned[index] = candidate;
    }
    assigned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_member_names_become_ascii_identifiers() {
        let cases = [
            ("eventId", "event_id"),
            ("type", "type_"),
            ("self", "self_"),
            ("Self", "self_"),
            ("gen", "gen_"),
            ("9lives", "x9lives"),
            ("$ref", "ref_"),
            ("@type", "type_"),
            ("+1", "plus1"),
            ("-1", "minus1"),
            ("", "x"),
            ("café", "caf_u00e9"),
            ("名前", "u540d_u524d"),
            ("a b.c/d", "a_b_c_d"),
            ("label\u{202e}", "label"),
        ];
        for (wire, expected) in cases {
            assert_eq!(field_name(wire), expected, "{wire:?}");
        }
    }

    #[test]
    fn collisions_are_numbered_by_wire_name_whatever_the_order() {
        assert_eq!(field_names(&["foo_bar", "fooBar"], &[]), ["foo_bar_2", "foo_bar"]);
        assert_eq!(field_names(&["fooBar", "foo_bar"], &[]), ["foo_bar", "foo_bar_2"]);
        assert_eq!(field_names(&["$type", "@type", "type"], &["type_"]), ["type_2", "type_3", "type_4"]);
        // Precomposed and decomposed spellings of one letter stay apart.
        let names = field_names(&["\u{e4}", "a\u{308}"], &[]);
        assert_ne!(names[0], names[1]);
    }

    #[test]
    fn type_names_are_pascal_case_identifiers() {
        assert_eq!(type_name("venue"), "Venue");
        assert_eq!(type_name("a-b"), "AB");
        assert_eq!(type_name("a_b"), "AB");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("1st"), "X1st");
    }

    proptest::proptest! {
        /// The map from a struct's member names to its field names is injective, gives valid
        /// ASCII identifiers, avoids the names already taken, and does not depend on the order
        /// of the members. Names are drawn to collide often (case, separators, keywords,
        /// symbols, combining marks) and also from all of Unicode.
        #[test]
        fn field_names_are_injective_valid_and_order_free(
            names in proptest::collection::btree_set(
                proptest::prop_oneof![
                    "[aAbB_ \\-@$+1.\u{e4}\u{308}\u{202e}]{0,5}",
                    "(type|self|Self|gen|fn|r#raw|\\+1|-1|additional_properties)",
                    proptest::prelude::any::<String>(),
                ],
                0..16,
            )
        ) {
            let wire: Vec<&str> = names.iter().map(String::as_str).collect();
            let taken = ["additional_properties"];
            let assigned = field_names(&wire, &taken);
            let distinct: std::collections::BTreeSet<&String> = assigned.iter().collect();
            proptest::prop_assert_eq!(distinct.len(), assigned.len(), "{:?} -> {:?}", wire, assigned);
            for name in &assigned {
                proptest::prop_assert!(name.is_ascii() && !taken.contains(&name.as_str()), "{}", name);
                proptest::prop_assert!(syn::parse_str::<syn::Ident>(name).is_ok() && !RESERVED.contains(&name.as_str()), "{}", name);
            }
            let reversed: Vec<&str> = wire.iter().rev().copied().collect();
            let again = field_names(&reversed, &taken);
            for (index, name) in assigned.iter().enumerate() {
                proptest::prop_assert_eq!(name, &again[wire.len() - 1 - index]);
            }
        }
    }
}
