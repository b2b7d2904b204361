//! A payload struct and its serde impls.
//!
//! Decoding is one pass, as fast as a derive: members are matched by name without copying the
//! key; a documented member seen twice is an error (never last-wins); an undocumented member is
//! kept in the struct's extra map so that encoding gives back what was decoded; optional
//! members are `Option`s, so absent and empty stay different, and an optional member that
//! allows `null` is an `Option<Option<T>>`: absent, `null` and a value are three states.

use heck::ToShoutySnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::emit::{doc_attributes, tokens};
use super::model::{Field, Item, Kind, Module, PresenceRule, Struct, Ty};
use crate::names;

/// The field that keeps members a schema does not document.
const UNDOCUMENTED_FIELD: &str = "additional_properties";

/// A `patternProperties` entry, as the serde impls see it.
struct Pattern {
    field: Ident,
    /// In `regex` syntax, compiled once, on first use.
    regex: String,
    source: String,
    ty: TokenStream,
    /// The type holds a map: read strictly.
    strict: bool,
}

/// One documented member, as the serde impls see it.
struct Member {
    ident: Ident,
    wire_name: String,
    required: bool,
    /// Read strictly (a key given twice anywhere inside is an error).
    strict: bool,
}

/// The identifiers of a struct's fields, in order, and of its undocumented-members field.
fn field_idents(structure: &Struct) -> (Vec<String>, Ident, Vec<Ident>) {
    let wire_names: Vec<&str> = structure.fields.iter().map(|field| field.wire_name.as_str()).collect();
    let mut idents = names::field_names(&wire_names, &[]);
    let mut fresh = |base: String| {
        let mut name = base;
        while idents.contains(&name) {
            name.push('_');
        }
        idents.push(name.clone());
        format_ident!("{name}")
    };
    let undocumented = fresh(UNDOCUMENTED_FIELD.to_owned());
    let patterns = (1..=structure.patterns.len())
        .map(|number| {
            fresh(if number == 1 { "pattern_properties".to_owned() } else { format!("pattern_properties_{number}") })
        })
        .collect();
    idents.truncate(structure.fields.len());
    (idents, undocumented, patterns)
}

pub(crate) fn items(item: &Item, structure: &Struct, module: &Module) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let (idents, undocumented, pattern_fields) = field_idents(structure);
    let mut members = Vec::new();
    let mut declarations = Vec::new();
    let mut defaults = Vec::new();
    for (field, ident) in structure.fields.iter().zip(&idents) {
        let ident = format_ident!("{ident}");
        let rust_ty = tokens(&field.rust_ty());
        let doc = doc_attributes(&field_doc(field, &ident));
        declarations.push(quote!(#doc pub #ident: #rust_ty));
        let slot_ty = if field.required { field.rust_ty() } else { field.ty.clone().nullable(field.nullable) };
        members.push(Member {
            ident: ident.clone(),
            wire_name: field.wire_name.clone(),
            required: field.required,
            strict: slot_ty.holds_map(),
        });
        if let Some(default) = &field.default {
            let constant = format_ident!("{}_DEFAULT", ident.to_string().trim_end_matches('_').to_shouty_snake_case());
            let text = default.to_string();
            let doc =
                format!(" The schema's `default` for `{}`, as JSON text; decoding never fills it in.", field.wire_name);
            defaults.push(quote!(#[doc = #doc] pub const #constant: &'static str = #text;));
        }
    }
    let extra_ty = {
        let ty = tokens(&structure.extra);
        quote!(::std::collections::BTreeMap<::std::string::String, #ty>)
    };
    let doc = doc_attributes(&item.doc);
    let derive_default = structure.fields.iter().all(|field| !field.required);
    let derives =
        if derive_default { quote!(Clone, Debug, Default, PartialEq) } else { quote!(Clone, Debug, PartialEq) };
    let presence = presence_checks(&members, &structure.presence, structure.patterns.len());
    let patterns: Vec<Pattern> = structure
        .patterns
        .iter()
        .zip(pattern_fields)
        .map(|(members, field)| Pattern {
            field,
            regex: members.pattern.clone(),
            source: members.source.clone(),
            ty: tokens(&members.ty),
            strict: members.ty.holds_map(),
        })
        .collect();
    let deserialize =
        deserialize_impl(&name, &members, &undocumented, structure.extra.holds_map(), &presence, &patterns);
    let serialize = serialize_impl(&name, &members, &undocumented, &patterns);
    let pattern_declarations = patterns.iter().map(|Pattern { field, source, ty, .. }| {
        let doc = doc_attributes(&[super::docs::inert_text(&format!(
            "Members whose names match `{source}` (`patternProperties`)."
        ))]);
        quote!(#doc pub #field: ::std::collections::BTreeMap<::std::string::String, #ty>,)
    });
    let constructor = constructor(structure, &idents, &undocumented, &patterns, module);
    let constants = quote!(impl #name { #constructor #(#defaults)* });
    // A union whose branch this is takes it only without undocumented members.
    let closed = if structure.closed {
        quote! {
            impl crate::runtime::payload::Undocumented for #name {
                fn is_complete(&self) -> bool {
                    self.#undocumented.is_empty()
                }
            }
        }
    } else {
        quote!()
    };
    quote! {
        #doc
        #[derive(#derives)]
        pub struct #name {
            #(#declarations,)*
            #(#pattern_declarations)*
            /// Members the schema does not document, kept so that re-encoding loses nothing.
            pub #undocumented: #extra_ty,
        }
        #constants
        #closed
        #deserialize
        #serialize
    }
}

/// `new`, taking every required member but those a one-value enum fills in (`const`), and a
/// `with_<field>` setter per optional member.
fn constructor(
    structure: &Struct,
    idents: &[String],
    undocumented: &Ident,
    patterns: &[Pattern],
    module: &Module,
) -> TokenStream {
    let mut parameters = Vec::new();
    let mut values = Vec::new();
    let mut setters = Vec::new();
    for (field, ident) in structure.fields.iter().zip(idents) {
        let field_ident = format_ident!("{ident}");
        if !field.required && field.ty == Ty::Null && !field.nullable {
            // A member that can only be `null`: present or not is all there is to set.
            let setter = format_ident!("with_{ident}");
            let doc = format!(" {}", super::docs::inert_text(&format!("Sets `{}` (to `null`).", field.wire_name)));
            setters.push(quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self) -> Self {
                    self.#field_ident = ::std::option::Option::Some(());
                    self
                }
            });
            values.push(quote!(#field_ident: ::std::option::Option::None));
        } else if !field.required {
            let ty = tokens(&field.ty.clone().nullable(field.nullable));
            let setter = format_ident!("with_{ident}");
            let null = if field.nullable { " (`None` is `null`)" } else { "" };
            let doc = format!(" {}", super::docs::inert_text(&format!("Sets `{}`{null}.", field.wire_name)));
            setters.push(quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#field_ident = ::std::option::Option::Some(value.into());
                    self
                }
            });
            values.push(quote!(#field_ident: ::std::option::Option::None));
        } else if let Some(constant) = the_constant(&field.ty, field.nullable, module) {
            values.push(quote!(#field_ident: #constant));
        } else {
            let ty = tokens(&field.rust_ty());
            parameters.push(quote!(#field_ident: impl ::std::convert::Into<#ty>));
            values.push(quote!(#field_ident: #field_ident.into()));
        }
    }
    let pattern_fields = patterns.iter().map(|pattern| &pattern.field);
    quote! {
        /// A value with the required members given, constants filled in, optional members
        /// absent and no undocumented members.
        #[allow(clippy::too_many_arguments, clippy::new_without_default)]
        pub fn new(#(#parameters),*) -> Self {
            Self {
                #(#values,)*
                #(#pattern_fields: ::std::collections::BTreeMap::new(),)*
                #undocumented: ::std::collections::BTreeMap::new(),
            }
        }
        #(#setters)*
    }
}

/// The one value a member of this type can have: `null`, or a one-value enum of this module
/// (`const`).
fn the_constant(ty: &Ty, nullable: bool, module: &Module) -> Option<TokenStream> {
    if nullable {
        return None;
    }
    let name = match ty {
        Ty::Null => return Some(quote!(())),
        Ty::Named(name) => name,
        _ => return None,
    };
    module.items.iter().find(|item| item.name == *name).and_then(|item| match &item.kind {
        Kind::Literals(literals) if literals.len() == 1 => {
            let (name, variant) = (format_ident!("{name}"), format_ident!("{}", literals[0].variant));
            Some(quote!(#name::#variant))
        }
        _ => None,
    })
}

/// A field's documentation: the schema's, then what the field's type means where it is not
/// plain, then the default.
fn field_doc(field: &Field, ident: &Ident) -> Vec<String> {
    let mut lines = field.doc.clone();
    let mut note = |line: String| {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(line);
    };
    if *ident != names::field_name(&field.wire_name) {
        note(format!(
            "Wire name `{}`; named `{ident}` because another member's name also makes `{}`.",
            field.wire_name,
            names::field_name(&field.wire_name)
        ));
    }
    match (field.required, field.nullable) {
        (false, true) => note(
            "May be absent (`None`), `null` (`Some(None)`) or a value (`Some(Some(_))`); each re-encodes as it came."
                .to_owned(),
        ),
        (true, true) => note("Always present; `None` is `null`.".to_owned()),
        _ => {}
    }
    if let Some(default) = &field.default {
        note(format!("Default: `{default}` (documentation only: an absent member stays absent)."));
    }
    lines
}

/// The checks of `anyOf`/`oneOf` of `required` lists, run once every member is read: a member
/// is present when its slot is filled, or, if the schema does not document it, when it was
/// kept as undocumented.
fn presence_checks(members: &[Member], rules: &[PresenceRule], pattern_count: usize) -> TokenStream {
    if rules.is_empty() {
        return quote!();
    }
    let arms = members.iter().enumerate().map(|(index, Member { wire_name, .. })| {
        let slot = format_ident!("__slot{index}");
        quote!(#wire_name => #slot.is_some(),)
    });
    // An undocumented member may have gone to a pattern's map.
    let patterns = (0..pattern_count).map(|index| format_ident!("__pattern{index}"));
    let elsewhere = quote!(__undocumented.contains_key(name) #(|| #patterns.contains_key(name))*);
    let present = if members.is_empty() {
        quote!(|name: &str| #elsewhere)
    } else {
        quote!(|name: &str| match name { #(#arms)* _ => #elsewhere })
    };
    let checks = rules.iter().map(|rule| {
        let alternatives = rule.alternatives.iter().map(|names| quote!(&[#(#names),*][..]));
        let listed = rule
            .alternatives
            .iter()
            .map(|names| names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(" + "))
            .collect::<Vec<_>>()
            .join("; ");
        let (failed, message) = if rule.one_of {
            (quote!(__satisfied != 1), format!("needs exactly one of these sets of members: {listed}"))
        } else {
            (quote!(__satisfied == 0), format!("needs one of these sets of members: {listed}"))
        };
        quote! {
            let __satisfied = [#(#alternatives),*].iter().filter(|names| names.iter().all(|name| __present(name))).count();
            if #failed {
                return ::std::result::Result::Err(<__A::Error as ::serde::de::Error>::custom(#message));
            }
        }
    });
    quote! {
        {
            let __present = #present;
            #(#checks)*
        }
    }
}

fn deserialize_impl(
    name: &Ident,
    members: &[Member],
    undocumented: &Ident,
    extra_strict: bool,
    presence: &TokenStream,
    patterns: &[Pattern],
) -> TokenStream {
    let expecting = format!("a JSON object ({name})");
    // Locals are numbered, never named after members: a member called `map` or `key` must not
    // shadow the visitor's own variables.
    let slots: Vec<Ident> = (0..members.len()).map(|index| format_ident!("__slot{index}")).collect();
    let arms = members.iter().zip(&slots).map(|(Member { wire_name, strict, .. }, slot)| {
        let setter = if *strict { quote!(set_strict) } else { quote!(set) };
        quote!(#wire_name => #slot.#setter(&mut __map, #wire_name)?,)
    });
    let finish = members.iter().zip(&slots).map(|(Member { ident, wire_name, required, .. }, slot)| {
        if *required {
            quote!(#ident: #slot.required(#wire_name)?,)
        } else {
            quote!(#ident: #slot,)
        }
    });
    // Slots take their types from the fields they fill.
    let slot_trait = if members.is_empty() { quote!() } else { quote!(, Slot as _) };
    let keep = if extra_strict { quote!(keep_extra_strict) } else { quote!(keep_extra) };
    // An undocumented member goes to the first pattern its name matches, else to the rest.
    let locals: Vec<Ident> = (0..patterns.len()).map(|index| format_ident!("__pattern{index}")).collect();
    let pattern_locals = patterns.iter().zip(&locals).map(|(Pattern { ty, .. }, local)| {
        quote!(let mut #local: ::std::collections::BTreeMap<::std::string::String, #ty> = ::std::collections::BTreeMap::new();)
    });
    let pattern_finish = patterns.iter().zip(&locals).map(|(Pattern { field, .. }, local)| quote!(#field: #local,));
    let statics: Vec<Ident> = (0..patterns.len()).map(|index| format_ident!("__PATTERN{index}")).collect();
    let pattern_statics = patterns.iter().zip(&statics).map(|(Pattern { regex, .. }, name)| {
        quote! {
            static #name: ::std::sync::LazyLock<::std::option::Option<::regex::Regex>> =
                ::std::sync::LazyLock::new(|| ::regex::Regex::new(#regex).ok());
        }
    });
    let mut fallback = quote!(__payload::#keep(&mut __map, &mut __undocumented, __key)?);
    for ((pattern, local), name) in patterns.iter().zip(&locals).zip(&statics).rev() {
        let keep_pattern = if pattern.strict { quote!(keep_extra_strict) } else { quote!(keep_extra) };
        fallback = quote! {
            if #name.as_ref().is_some_and(|pattern| pattern.is_match(&__key.0)) {
                __payload::#keep_pattern(&mut __map, &mut #local, __key)?
            } else {
                #fallback
            }
        };
    }
    quote! {
        impl<'de> crate::runtime::payload::FromMembers<'de> for #name {
            const EXPECTING: &'static str = #expecting;
            fn from_members<__A: ::serde::de::MapAccess<'de>>(mut __map: __A) -> ::std::result::Result<Self, __A::Error> {
                use crate::runtime::payload::{self as __payload #slot_trait};
                #(let mut #slots = ::std::option::Option::None;)*
                #(#pattern_statics)*
                let mut __undocumented = ::std::collections::BTreeMap::new();
                #(#pattern_locals)*
                while let ::std::option::Option::Some(__key) = __payload::next_key(&mut __map)? {
                    match &*__key.0 {
                        #(#arms)*
                        _ => #fallback,
                    }
                }
                #presence
                ::std::result::Result::Ok(Self { #(#finish)* #(#pattern_finish)* #undocumented: __undocumented })
            }
        }
        crate::runtime::impls::deserialize_members!(#name);
    }
}

fn serialize_impl(name: &Ident, members: &[Member], undocumented: &Ident, patterns: &[Pattern]) -> TokenStream {
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
    len_terms.extend(
        patterns.iter().map(|Pattern { field, .. }| quote!(self.#field.keys().filter(is_undocumented).count())),
    );
    len_terms.push(quote!(self.#undocumented.keys().filter(is_undocumented).count()));
    let pattern_entries = patterns.iter().map(|Pattern { field, .. }| {
        quote!(crate::runtime::payload::serialize_members(&mut map, &self.#field, is_undocumented)?;)
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeMap as _;
                let is_undocumented = #is_undocumented;
                let len = #(#len_terms)+*;
                let mut map = serializer.serialize_map(::std::option::Option::Some(len))?;
                #(#entries)*
                #(#pattern_entries)*
                crate::runtime::payload::serialize_members(&mut map, &self.#undocumented, is_undocumented)?;
                map.end()
            }
        }
    }
}
