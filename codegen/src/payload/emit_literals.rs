//! An enum of exact JSON values (`enum`, `const`): only the listed values decode, and each
//! variant encodes as the value the schema lists. An enum of strings is the runtime's
//! `string_enum!` (its value read without being copied); any other mix
//! (`["REASON_UNSPECIFIED", 0]`, booleans, numbers) reads one JSON value and compares it as
//! JSON Schema does (`1` and `1.0` are the same number).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::emit::doc_attributes;
use super::model::{Item, Literal};

pub(crate) fn items(item: &Item, literals: &[Literal]) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let doc = doc_attributes(&item.doc);
    let variants: Vec<_> = literals.iter().map(|literal| format_ident!("{}", literal.variant)).collect();
    let variant_docs = literals.iter().map(|literal| format!(" `{}`", literal.value));
    let listed = literals.iter().map(|literal| literal.value.to_string()).collect::<Vec<_>>().join(", ");
    let enum_item = quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
        }
    };
    // The common case, an enum of strings, is the runtime's `string_enum!`.
    let texts: Option<Vec<&str>> = literals.iter().map(|literal| literal.value.as_str()).collect();
    if let Some(texts) = texts {
        return quote! {
            #enum_item
            impl crate::runtime::payload::StringEnum for #name {
                const VALUES: &'static [(Self, &'static str)] = &[#((Self::#variants, #texts)),*];
            }
            crate::runtime::impls::string_enum!(#name);
        };
    }
    let serialize_arms = literals.iter().zip(&variants).map(|(literal, variant)| {
        let body = serialize_value(&literal.value);
        quote!(Self::#variant => #body,)
    });
    let deserialize = value_deserialize(&name, literals, &variants, &listed);
    quote! {
        #enum_item
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }
        #deserialize
    }
}

/// Serializes one listed value exactly as the schema writes it.
fn serialize_value(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(serializer.serialize_unit()),
        Value::Bool(value) => quote!(serializer.serialize_bool(#value)),
        Value::String(text) => quote!(serializer.serialize_str(#text)),
        Value::Number(number) => {
            if let Some(value) = number.as_u64() {
                quote!(serializer.serialize_u64(#value))
            } else if let Some(value) = number.as_i64() {
                quote!(serializer.serialize_i64(#value))
            } else {
                let value = number.as_f64().unwrap_or_default();
                quote!(serializer.serialize_f64(#value))
            }
        }
        Value::Array(_) | Value::Object(_) => {
            let text = value.to_string();
            quote! {
                ::serde::Serialize::serialize(
                    &::serde_json::from_str::<::serde_json::Value>(#text).map_err(<__S::Error as ::serde::ser::Error>::custom)?,
                    serializer,
                )
            }
        }
    }
}

fn value_deserialize(
    name: &proc_macro2::Ident,
    literals: &[Literal],
    variants: &[proc_macro2::Ident],
    listed: &str,
) -> TokenStream {
    let checks = literals.iter().zip(variants).map(|(literal, variant)| {
        let text = literal.value.to_string();
        quote! {
            if crate::runtime::payload::same_json(&value, #text) {
                return ::std::result::Result::Ok(Self::#variant);
            }
        }
    });
    let message = format!("{{}} is not one of the listed values ({listed})");
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                // Read as text (a key given twice is an error), then compared as JSON values.
                let text = <crate::runtime::Json as ::serde::Deserialize>::deserialize(deserializer)?;
                if let ::std::result::Result::Ok(value) = text.to_value() {
                    #(#checks)*
                }
                ::std::result::Result::Err(<__D::Error as ::serde::de::Error>::custom(format!(#message, text)))
            }
        }
    }
}
