//! Newtypes: a value with checks that only a valid value can construct (a string's
//! `minLength`, `maxLength`, `pattern`; a number's bounds and `multipleOf`; an array's
//! `minItems`, `maxItems`), or a name for another type (a payload whose root is an array, a
//! type that holds itself through an array).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::emit::{doc_attributes, tokens};
use super::model::{Bound, Checks, Item, ItemChecks, Newtype, NumberChecks, StringChecks, Ty};

pub(crate) fn items(item: &Item, newtype: &Newtype) -> TokenStream {
    match &newtype.checks {
        Checks::String(checks) => checked_string(item, checks),
        Checks::Number(checks) => checked_number(item, &newtype.inner, checks),
        Checks::Items(checks) => checked_items(item, &newtype.inner, checks),
        Checks::None => wrapper(item, &newtype.inner),
    }
}

/// How a newtype reads its inner value: strictly when it holds a map (which would keep the
/// last of two equal keys).
fn read_inner(inner: &Ty) -> TokenStream {
    let rust = tokens(inner);
    if inner.holds_map() {
        quote!(crate::runtime::payload::read_strict::<__D, #rust>(deserializer)?)
    } else {
        quote!(<#rust as ::serde::Deserialize>::deserialize(deserializer)?)
    }
}

/// `pub struct Name(pub T)`, encoded exactly as `T`, read through as a `T`.
fn wrapper(item: &Item, inner: &Ty) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let doc = doc_attributes(&item.doc);
    let read = read_inner(inner);
    let inner = tokens(inner);
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name(pub #inner);

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                ::std::result::Result::Ok(Self(#read))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl ::std::convert::From<#inner> for #name {
            fn from(value: #inner) -> Self {
                Self(value)
            }
        }

        impl ::std::ops::Deref for #name {
            type Target = #inner;
            fn deref(&self) -> &#inner {
                &self.0
            }
        }

        impl ::std::ops::DerefMut for #name {
            fn deref_mut(&mut self) -> &mut #inner {
                &mut self.0
            }
        }
    }
}

/// The documentation of a checked newtype: the schema's, then what it checks.
fn checked_doc(item: &Item, what: &str) -> TokenStream {
    let mut doc = item.doc.clone();
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.push(super::docs::inert_text(&format!("{what}; only such a value decodes or constructs one.")));
    doc_attributes(&doc)
}

/// The newtype's `check`, `new`, `TryFrom` and serde impls around `inner`'s checks `tests`
/// (statements over `value: &Inner` that return an error message).
fn checked_impls(name: &proc_macro2::Ident, inner: &Ty, tests: &[TokenStream]) -> TokenStream {
    let read = read_inner(inner);
    let checked = match inner {
        Ty::Vec(element) => {
            let element = tokens(element);
            quote!([#element])
        }
        other => tokens(other),
    };
    let inner = tokens(inner);
    quote! {
        impl #name {
            /// The value, when it passes the checks; else why not.
            pub fn new(value: #inner) -> ::std::result::Result<Self, ::std::string::String> {
                Self::check(&value)?;
                ::std::result::Result::Ok(Self(value))
            }

            fn check(value: &#checked) -> ::std::result::Result<(), ::std::string::String> {
                #(#tests)*
                ::std::result::Result::Ok(())
            }

            /// The value, owned.
            pub fn into_inner(self) -> #inner {
                self.0
            }
        }

        impl ::std::convert::TryFrom<#inner> for #name {
            type Error = ::std::string::String;
            fn try_from(value: #inner) -> ::std::result::Result<Self, ::std::string::String> {
                Self::new(value)
            }
        }

        impl ::std::convert::From<#name> for #inner {
            fn from(value: #name) -> #inner {
                value.0
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                let value = #read;
                Self::new(value).map_err(<__D::Error as ::serde::de::Error>::custom)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }
    }
}

/// Integers (and integer values of a `number`) are compared exactly, as `i128` with every
/// bound made inclusive; fractions as `f64`, as JSON Schema validators do.
fn checked_number(item: &Item, inner: &Ty, checks: &NumberChecks) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let integer = matches!(inner, Ty::Integer | Ty::Unsigned);
    let doc = checked_doc(item, &format!("A number {}", describe_number(checks)));
    let mut tests = Vec::new();
    for (bounds, lower) in [(&checks.lower, true), (&checks.upper, false)] {
        for bound in bounds {
            let message = match (lower, bound.exclusive) {
                (true, false) => format!("is less than {}", bound.value),
                (true, true) => format!("is not greater than {}", bound.value),
                (false, false) => format!("is greater than {}", bound.value),
                (false, true) => format!("is not less than {}", bound.value),
            };
            let fails = if integer {
                let limit = integer_limit(bound, lower);
                if lower {
                    quote!(::std::primitive::i128::from(*value) < #limit)
                } else {
                    quote!(::std::primitive::i128::from(*value) > #limit)
                }
            } else {
                // Every JSON number `serde_json` reads has an `f64` value.
                let limit = bound.value.as_f64().unwrap_or_default();
                let comparison = match (lower, bound.exclusive) {
                    (true, false) => quote!(number < #limit),
                    (true, true) => quote!(number <= #limit),
                    (false, false) => quote!(number > #limit),
                    (false, true) => quote!(number >= #limit),
                };
                // An integer is compared exactly, whatever `f64` would round it to.
                let limit = integer_limit(bound, lower);
                let exact = if lower { quote!(integer < #limit) } else { quote!(integer > #limit) };
                // A whole number written as a fraction (`2.0`, `1e3`) is compared as the
                // integer it is, against the exact limit, never against a rounded `f64` one.
                let whole = if lower { quote!((number as i128) < #limit) } else { quote!((number as i128) > #limit) };
                quote! {
                    match crate::runtime::payload::integer_of(value) {
                        ::std::option::Option::Some(integer) => #exact,
                        ::std::option::Option::None => value.as_f64().is_some_and(|number| {
                            if number.fract() == 0.0 { #whole } else { #comparison }
                        }),
                    }
                }
            };
            tests.push(quote! {
                if #fails {
                    return ::std::result::Result::Err(::std::string::String::from(#message));
                }
            });
        }
    }
    if let (Some(divisor), true) = (checks.multiple_of, integer) {
        let message = format!("is not a multiple of {divisor}");
        let divisor = i128::from(divisor);
        tests.push(quote! {
            if ::std::primitive::i128::from(*value) % #divisor != 0 {
                return ::std::result::Result::Err(::std::string::String::from(#message));
            }
        });
    }
    let impls = checked_impls(&name, inner, &tests);
    let rust = tokens(inner);
    let (derives, get) = if integer {
        (
            quote!(#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]),
            quote! {
                /// The number.
                pub fn get(self) -> #rust {
                    self.0
                }
            },
        )
    } else {
        (
            quote!(#[derive(Clone, Debug, PartialEq)]),
            quote! {
                /// The number.
                pub fn get(&self) -> &#rust {
                    &self.0
                }
            },
        )
    };
    quote! {
        #doc
        #derives
        pub struct #name(#rust);

        impl #name {
            #get
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        #impls
    }
}

/// An integer bound as the inclusive `i128` limit it is: `exclusiveMinimum: 2.5` is `>= 3`,
/// `minimum: 2.5` too; `exclusiveMaximum: 3` is `<= 2`.
fn integer_limit(bound: &Bound, lower: bool) -> i128 {
    let exact = bound.value.as_i64().map(i128::from).or_else(|| bound.value.as_u64().map(i128::from));
    match (exact, lower, bound.exclusive) {
        (Some(limit), true, false) | (Some(limit), false, false) => limit,
        (Some(limit), true, true) => limit.saturating_add(1),
        (Some(limit), false, true) => limit.saturating_sub(1),
        (None, ..) => {
            // A fraction, or beyond 64 bits: `as` saturates, which is the right limit there.
            let value = bound.value.as_f64().unwrap_or(0.0);
            match (lower, bound.exclusive) {
                (true, false) => value.ceil() as i128,
                (true, true) => (value.floor() as i128).saturating_add(1),
                (false, false) => value.floor() as i128,
                (false, true) => (value.ceil() as i128).saturating_sub(1),
            }
        }
    }
}

fn describe_number(checks: &NumberChecks) -> String {
    let mut parts = Vec::new();
    for bound in &checks.lower {
        parts.push(format!("{} {}", if bound.exclusive { "above" } else { "at least" }, bound.value));
    }
    for bound in &checks.upper {
        parts.push(format!("{} {}", if bound.exclusive { "below" } else { "at most" }, bound.value));
    }
    if let Some(divisor) = checks.multiple_of {
        parts.push(format!("a multiple of {divisor}"));
    }
    parts.join(", ")
}

fn checked_items(item: &Item, inner: &Ty, checks: &ItemChecks) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let describe = match (checks.min_items, checks.max_items) {
        (Some(minimum), Some(maximum)) => format!("of {minimum} to {maximum} items"),
        (Some(minimum), None) => format!("of at least {minimum} items"),
        (None, Some(maximum)) => format!("of at most {maximum} items"),
        (None, None) => String::new(),
    };
    let doc = checked_doc(item, &format!("An array {describe}"));
    let mut tests = Vec::new();
    if let Some(minimum) = checks.min_items {
        let minimum = usize::try_from(minimum).unwrap_or(usize::MAX);
        let message = format!("has fewer than {minimum} items");
        let fails = if minimum == 1 { quote!(value.is_empty()) } else { quote!(value.len() < #minimum) };
        tests.push(quote! {
            if #fails {
                return ::std::result::Result::Err(::std::string::String::from(#message));
            }
        });
    }
    if let Some(maximum) = checks.max_items {
        let maximum = usize::try_from(maximum).unwrap_or(usize::MAX);
        let message = format!("has more than {maximum} items");
        let fails = if maximum == 0 { quote!(!value.is_empty()) } else { quote!(value.len() > #maximum) };
        tests.push(quote! {
            if #fails {
                return ::std::result::Result::Err(::std::string::String::from(#message));
            }
        });
    }
    let impls = checked_impls(&name, inner, &tests);
    let rust = tokens(inner);
    let Ty::Vec(element) = inner else { return quote!() };
    let element = tokens(element);
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name(#rust);

        impl #name {
            /// The items.
            pub fn as_slice(&self) -> &[#element] {
                &self.0
            }
        }

        impl ::std::ops::Deref for #name {
            type Target = [#element];
            fn deref(&self) -> &[#element] {
                &self.0
            }
        }

        #impls
    }
}

fn checked_string(item: &Item, checks: &StringChecks) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let doc = checked_doc(item, &format!("A string {}", describe(checks)));
    let mut tests = Vec::new();
    if let Some(minimum) = checks.min_length {
        let minimum = usize::try_from(minimum).unwrap_or(usize::MAX);
        let message = format!("is shorter than {minimum} characters");
        tests.push(quote! {
            if value.chars().count() < #minimum {
                return ::std::result::Result::Err(::std::string::String::from(#message));
            }
        });
    }
    if let Some(maximum) = checks.max_length {
        let maximum = usize::try_from(maximum).unwrap_or(usize::MAX);
        let message = format!("is longer than {maximum} characters");
        tests.push(quote! {
            if value.chars().count() > #maximum {
                return ::std::result::Result::Err(::std::string::String::from(#message));
            }
        });
    }
    for (index, (pattern, source)) in checks.patterns.iter().enumerate() {
        let message = format!("does not match the pattern `{source}`");
        let name = if index == 0 { format_ident!("PATTERN") } else { format_ident!("PATTERN{}", index + 1) };
        tests.push(quote! {
            static #name: ::std::sync::LazyLock<::std::result::Result<::regex::Regex, ::regex::Error>> =
                ::std::sync::LazyLock::new(|| ::regex::Regex::new(#pattern));
            match &*#name {
                ::std::result::Result::Ok(pattern) if pattern.is_match(value) => {}
                ::std::result::Result::Ok(_) => return ::std::result::Result::Err(::std::string::String::from(#message)),
                ::std::result::Result::Err(error) => return ::std::result::Result::Err(error.to_string()),
            }
        });
    }
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name(::std::string::String);

        impl #name {
            /// The string, when it passes the checks; else why not.
            pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> ::std::result::Result<Self, ::std::string::String> {
                let value = value.into();
                Self::check(&value)?;
                ::std::result::Result::Ok(Self(value))
            }

            fn check(value: &str) -> ::std::result::Result<(), ::std::string::String> {
                #(#tests)*
                ::std::result::Result::Ok(())
            }

            /// The string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The string, owned.
            pub fn into_inner(self) -> ::std::string::String {
                self.0
            }
        }

        impl ::std::ops::Deref for #name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for #name {
            type Error = ::std::string::String;
            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, ::std::string::String> {
                Self::new(value)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::new(value).map_err(<__D::Error as ::serde::de::Error>::custom)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    }
}

fn describe(checks: &StringChecks) -> String {
    let mut parts = Vec::new();
    match (checks.min_length, checks.max_length) {
        (Some(minimum), Some(maximum)) => parts.push(format!("of {minimum} to {maximum} characters")),
        (Some(minimum), None) => parts.push(format!("of at least {minimum} characters")),
        (None, Some(maximum)) => parts.push(format!("of at most {maximum} characters")),
        (None, None) => {}
    }
    for (_, source) in &checks.patterns {
        parts.push(format!("matching `{source}`"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(value: serde_json::Number, exclusive: bool) -> Bound {
        Bound { value, exclusive }
    }

    #[test]
    fn integer_bounds_become_inclusive_limits_without_overflow() {
        let fraction = serde_json::Number::from_f64(2.5).unwrap();
        assert_eq!(integer_limit(&bound(fraction.clone(), true), true), 3);
        assert_eq!(integer_limit(&bound(fraction.clone(), false), true), 3);
        assert_eq!(integer_limit(&bound(fraction, true), false), 2);
        assert_eq!(integer_limit(&bound(3.into(), true), false), 2);
        assert_eq!(integer_limit(&bound(u64::MAX.into(), true), true), i128::from(u64::MAX) + 1);
        // Beyond `i128`: saturated, never an overflow.
        let huge = serde_json::Number::from_f64(1e39).unwrap();
        assert_eq!(integer_limit(&bound(huge, true), true), i128::MAX);
        let tiny = serde_json::Number::from_f64(-1e39).unwrap();
        assert_eq!(integer_limit(&bound(tiny, true), false), i128::MIN);
    }
}
