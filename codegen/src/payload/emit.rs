//! The payload model as Rust items: one emitter per kind of item, and the spelling of every
//! type as tokens.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::model::{Kind, Module, Ty};

/// Every item of `module`, with its serde impls, as tokens (parsed once, with the whole file,
/// when it is rendered).
pub(crate) fn module_items(module: &Module) -> TokenStream {
    let mut items = TokenStream::new();
    for item in &module.items {
        let tokens = match &item.kind {
            Kind::Struct(structure) => super::emit_struct::items(item, structure, module),
            Kind::Literals(literals) => super::emit_literals::items(item, literals),
            Kind::Union(union) => super::emit_union::items(item, union),
            Kind::Newtype(newtype) => super::emit_newtype::items(item, newtype),
            Kind::Tuple(tuple) => super::emit_tuple::items(item, tuple),
            Kind::Alias(ty) => {
                let (name, doc, ty) = (format_ident!("{}", item.name), doc_attributes(&item.doc), tokens(ty));
                quote!(#doc pub type #name = #ty;)
            }
        };
        items.extend(tokens);
    }
    items
}

/// The Rust spelling of a type.
pub(crate) fn tokens(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Any => quote!(crate::runtime::Json),
        Ty::Null => quote!(()),
        Ty::Boolean => quote!(bool),
        Ty::Integer => quote!(i64),
        Ty::Unsigned => quote!(u64),
        Ty::Number => quote!(::serde_json::Number),
        Ty::String => quote!(::std::string::String),
        Ty::DateTime => quote!(crate::runtime::Timestamp),
        Ty::Named(name) => {
            let name = format_ident!("{name}");
            quote!(#name)
        }
        Ty::Shared(path) => {
            syn::parse_str::<syn::Path>(path).map(|path| quote!(#path)).unwrap_or_else(|_| quote!(crate::runtime::Json))
        }
        Ty::Vec(inner) => {
            let inner = tokens(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = tokens(inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = tokens(inner);
            quote!(::std::option::Option<#inner>)
        }
        Ty::Boxed(inner) => {
            let inner = tokens(inner);
            quote!(::std::boxed::Box<#inner>)
        }
    }
}

/// `#[doc = "..."]` for each line (a space first, as `///` would give).
pub(crate) fn doc_attributes(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote!(#(#[doc = #lines])*)
}
