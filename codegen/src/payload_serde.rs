//! The serde implementations every payload struct gets instead of typify's derives.
//!
//! Decoding is one pass, as fast as a derive: members are matched by name without copying the
//! key; a documented member seen twice is an error (never last-wins); an undocumented member is
//! kept in the struct's extra map so that encoding gives back what was decoded; optional
//! members are `Option`s, so absent and empty stay different.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::{Item, Type};

use crate::payload::option_inner;

/// One documented member of a payload struct.
pub(crate) struct Member {
    pub ident: Ident,
    pub wire_name: String,
    pub required: bool,
    /// The field's final type: `Option<T>` when not required.
    pub ty: Type,
}

/// `impl Deserialize` and `impl Serialize` for the struct `name` with `members`, keeping other
/// members in the map field `undocumented`.
pub(crate) fn serde_impls(name: &Ident, members: &[Member], undocumented: &Ident) -> Vec<Item> {
    vec![deserialize_impl(name, members, undocumented), serialize_impl(name, members, undocumented)]
}

fn deserialize_impl(name: &Ident, members: &[Member], undocumented: &Ident) -> Item {
    let expecting = format!("a JSON object ({name})");
    // Locals are numbered, never named after members: a member called `map` or `key` must not
    // shadow the visitor's own variables.
    let slots: Vec<Ident> = (0..members.len()).map(|index| format_ident!("__slot{index}")).collect();
    let declarations = members.iter().zip(&slots).map(|(Member { ty, required, .. }, slot)| {
        let slot_ty = if *required { ty } else { option_inner(ty).unwrap_or(ty) };
        quote!(let mut #slot: ::std::option::Option<#slot_ty> = ::std::option::Option::None;)
    });
    let arms = members.iter().zip(&slots).map(|(Member { wire_name, ty, .. }, slot)| {
        // Members holding `serde_json` values are read strictly: serde_json's own `Value`
        // keeps the last of two equal keys.
        let setter = if mentions_serde_json(ty) { quote!(set_once_strict) } else { quote!(set_once) };
        quote!(#wire_name => crate::runtime::payload::#setter(&mut __map, &mut #slot, #wire_name)?,)
    });
    let finish = members.iter().zip(&slots).map(|(Member { ident, wire_name, required, .. }, slot)| {
        if *required {
            quote!(#ident: crate::runtime::payload::required(#slot, #wire_name)?,)
        } else {
            quote!(#ident: #slot,)
        }
    });
    parse_item(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                struct __Members;
                impl<'de> ::serde::de::Visitor<'de> for __Members {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(self, mut __map: __A) -> ::std::result::Result<#name, __A::Error> {
                        #(#declarations)*
                        let mut __undocumented = ::serde_json::Map::new();
                        while let ::std::option::Option::Some(__key) = __map.next_key::<crate::runtime::Key<'de>>()? {
                            match &*__key.0 {
                                #(#arms)*
                                _ => crate::runtime::payload::keep_undocumented(&mut __map, &mut __undocumented, __key)?,
                            }
                        }
                        ::std::result::Result::Ok(#name { #(#finish)* #undocumented: __undocumented })
                    }
                }
                deserializer.deserialize_map(__Members)
            }
        }
    })
}

/// `impl Deserialize` for a string enum: a JSON string naming one of the variants, nothing else.
pub(crate) fn string_enum_deserialize(name: &Ident, variants: &[(Ident, String)]) -> Item {
    let wire_names: Vec<&str> = variants.iter().map(|(_, wire)| wire.as_str()).collect();
    let arms = variants.iter().map(|(variant, wire)| quote!(#wire => ::std::result::Result::Ok(Self::#variant),));
    parse_item(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                const VARIANTS: &[&str] = &[#(#wire_names),*];
                let value = <crate::runtime::Key<'de> as ::serde::Deserialize>::deserialize(deserializer)?;
                match &*value.0 {
                    #(#arms)*
                    other => ::std::result::Result::Err(<__D::Error as ::serde::de::Error>::unknown_variant(other, VARIANTS)),
                }
            }
        }
    })
}

fn serialize_impl(name: &Ident, members: &[Member], undocumented: &Ident) -> Item {
    let documented: Vec<&str> = members.iter().map(|member| member.wire_name.as_str()).collect();
    let required = members.iter().filter(|member| member.required).count();
    let optional: Vec<&Ident> = members.iter().filter(|member| !member.required).map(|member| &member.ident).collect();
    let entries = members.iter().map(|Member { ident, wire_name, required, .. }| {
        if *required {
            quote!(map.serialize_entry(#wire_name, &self.#ident)?;)
        } else {
            quote! {
                if let ::std::option::Option::Some(value) = &self.#ident {
                    map.serialize_entry(#wire_name, value)?;
                }
            }
        }
    });
    // An undocumented member spelled like a documented one was put there by hand; the
    // documented field wins so that the output has no duplicate keys.
    let is_undocumented = if documented.is_empty() {
        quote!(|_: &&::std::string::String| true)
    } else {
        quote!(|name: &&::std::string::String| !matches!(name.as_str(), #(#documented)|*))
    };
    // The member count, as a sum without zero terms (clippy's `identity_op` reads the output).
    let mut len_terms = Vec::new();
    if required > 0 {
        len_terms.push(quote!(#required));
    }
    len_terms.extend(optional.iter().map(|field| quote!(usize::from(self.#field.is_some()))));
    len_terms.push(quote!(self.#undocumented.keys().filter(is_undocumented).count()));
    parse_item(quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeMap as _;
                let is_undocumented = #is_undocumented;
                let len = #(#len_terms)+*;
                let mut map = serializer.serialize_map(::std::option::Option::Some(len))?;
                #(#entries)*
                for (name, value) in self.#undocumented.iter().filter(|(name, _)| is_undocumented(name)) {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    })
}

/// Whether a field type holds `serde_json::Value` or `serde_json::Map` anywhere.
fn mentions_serde_json(ty: &Type) -> bool {
    quote!(#ty).to_string().contains("serde_json")
}

fn parse_item(tokens: TokenStream) -> Item {
    syn::parse2(tokens).expect("serde impl template is valid Rust")
}
