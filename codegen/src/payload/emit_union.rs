//! A union (`oneOf`, `anyOf`, several types): an enum with one variant per branch. Decoding
//! reads the value once, then tries the branches on it: with a tag, only the branch the tag
//! names; else every branch, and `oneOf` takes the value only when exactly one matches, as
//! JSON Schema says. A branch that is a closed struct (`additionalProperties: false`) matches
//! only a value without undocumented members, so that branches told apart by their members
//! alone are told apart here too.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::emit::{doc_attributes, tokens};
use super::model::{Item, Ty, Union};

pub(crate) fn items(item: &Item, union: &Union) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let keyword = if union.one_of { "oneOf" } else { "anyOf" };
    let listed = union.variants.iter().map(|variant| variant.name.as_str()).collect::<Vec<_>>().join(", ");
    let summary = match (&union.tag, union.one_of) {
        (Some(tag), _) => format!("One of: {listed}, told apart by the member `{tag}`."),
        (None, true) => {
            format!("Exactly one of: {listed} (`oneOf`): a value that matches none, or several, is refused.")
        }
        (None, false) => format!("Any of: {listed} (`anyOf`): the first that matches, in this order."),
    };
    let mut doc = item.doc.clone();
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.push(summary);
    let doc = doc_attributes(&doc);
    let variants: Vec<(proc_macro2::Ident, TokenStream, Option<&str>, TokenStream)> = union
        .variants
        .iter()
        .map(|variant| {
            // Named branches are boxed: a branch may hold the union again (a tree of shapes),
            // and a box keeps the enum's size finite whatever the nesting.
            let ty = match &variant.ty {
                named @ (Ty::Named(_) | Ty::Shared(_)) => {
                    let named = tokens(named);
                    quote!(::std::boxed::Box<#named>)
                }
                other => tokens(other),
            };
            let accept = if variant.closed {
                quote!(crate::runtime::payload::Undocumented::is_complete(&*branch))
            } else {
                quote!(true)
            };
            (format_ident!("{}", variant.name), ty, variant.tag_value.as_deref(), accept)
        })
        .collect();
    let declarations = variants.iter().map(|(variant, ty, ..)| quote!(#variant(#ty)));
    let attempt = |variant: &proc_macro2::Ident, ty: &TokenStream, accept: &TokenStream| {
        let label = variant.to_string();
        let closed = format!("{label}: has members its schema does not allow");
        quote! {
            crate::runtime::payload::attempt_branch::<__D::Error>()?;
            match crate::runtime::payload::branch::<#ty>(&value) {
                ::std::result::Result::Ok(branch) if #accept => matched.push(Self::#variant(branch)),
                ::std::result::Result::Ok(_) => failures.push(::std::string::String::from(#closed)),
                ::std::result::Result::Err(error) => failures.push(format!("{}: {}", #label, error)),
            }
        }
    };
    let attempts = match &union.tag {
        Some(tag) => {
            let arms = variants.iter().map(|(variant, ty, tag_value, accept)| {
                let body = attempt(variant, ty, accept);
                quote!(::std::option::Option::Some(#tag_value) => { #body })
            });
            quote! {
                match crate::runtime::payload::tag(&value, #tag).as_deref() {
                    #(#arms)*
                    _ => {}
                }
            }
        }
        None => {
            let each = variants.iter().map(|(variant, ty, _, accept)| attempt(variant, ty, accept));
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
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#declarations),*
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                // Bounded: a union that leads back to itself, or a deep tree of them, is an
                // error rather than endless work.
                let _depth = crate::runtime::payload::enter_union::<__D::Error>()?;
                // Captured once, exactly as it came (a key given twice is an error), then the
                // branches are tried on its text.
                let value = <crate::runtime::Json as ::serde::Deserialize>::deserialize(deserializer)?;
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
    }
}
