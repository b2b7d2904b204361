//! Newtypes: a string with checks (`minLength`, `maxLength`, `pattern`) that only a valid value
//! can construct, or a name for another type (a payload whose root is an array, a type that
//! holds itself through an array).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::emit::{doc_attributes, tokens};
use super::model::{Item, Newtype, StringChecks, Ty};

pub(crate) fn items(item: &Item, newtype: &Newtype) -> TokenStream {
    if newtype.inner == Ty::String && !newtype.checks.is_empty() {
        checked_string(item, &newtype.checks)
    } else {
        wrapper(item, &newtype.inner)
    }
}

/// `pub struct Name(pub T)`, encoded exactly as `T`.
fn wrapper(item: &Item, inner: &Ty) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let doc = doc_attributes(&item.doc);
    let inner = tokens(inner);
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name(pub #inner);

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                <#inner as ::serde::Deserialize>::deserialize(deserializer).map(Self)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }
    }
}

fn checked_string(item: &Item, checks: &StringChecks) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let mut doc = item.doc.clone();
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.push(super::docs::inert_text(&format!(
        "A string {}; only such a string decodes or constructs one.",
        describe(checks)
    )));
    let doc = doc_attributes(&doc);
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
    if let (Some(pattern), Some(source)) = (&checks.pattern, &checks.pattern_source) {
        let message = format!("does not match the pattern `{source}`");
        tests.push(quote! {
            static PATTERN: ::std::sync::LazyLock<::std::result::Result<::regex::Regex, ::regex::Error>> =
                ::std::sync::LazyLock::new(|| ::regex::Regex::new(#pattern));
            match &*PATTERN {
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
    if let Some(source) = &checks.pattern_source {
        parts.push(format!("matching `{source}`"));
    }
    parts.join(", ")
}
