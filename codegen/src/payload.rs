//! Payload types: typify generates them from the normalised schema, then every struct gets
//! serde implementations of ours (see `payload_serde`), because typify's derives lose meaning:
//! an optional object collapses into its empty value, unknown members are dropped, and
//! `additionalProperties: false` would make adding a field break old consumers.

use std::panic::{catch_unwind, AssertUnwindSafe};

use quote::format_ident;
use syn::punctuated::Punctuated;
use syn::{parse_quote, Attribute, Fields, Item, ItemStruct, Token, Type};

use crate::error::{Error, Errors};
use crate::model::Version;
use crate::names;
use crate::normalize::{normalize, normalize_shared, Normalized};
use crate::payload_serde::{serde_impls, Member};
use crate::reference::base_id;
use crate::shared::{Bundle, SharedDocument};
use crate::unions;

/// The field that keeps members a schema does not document.
const UNDOCUMENTED_FIELD: &str = "additional_properties";

/// One version's payload types, ready to be placed in its module.
pub(crate) struct Payload {
    pub items: Vec<Item>,
    /// Crates the types use beyond serde and serde_json.
    pub uses_regex: bool,
    pub uses_chrono: bool,
    pub uses_uuid: bool,
}

/// Runs typify on one version's schema and post-processes its structs.
pub(crate) fn generate(version: &Version, bundle: &Bundle) -> Result<Payload, Errors> {
    let base = base_id(&version.schema_id);
    let external = |reference: &str| bundle.type_path(&base, reference);
    let normalized = normalize(&version.schema, &version.payload_type, &base, &external);
    let payload = typify(&version.schema_file, normalized, Input::Root)?;
    let has_root =
        payload.items.iter().any(|item| matches!(item, Item::Struct(item) if item.ident == version.payload_type));
    if !has_root {
        return Err(Error::GeneratedShape {
            file: version.schema_file.clone(),
            type_name: version.payload_type.clone(),
            message: "typify did not generate the payload as a struct".to_owned(),
        }
        .into());
    }
    Ok(payload)
}

/// Runs typify on a shared document: one type per definition (and for the document itself
/// when a reference names it whole).
pub(crate) fn generate_shared(document: &SharedDocument, bundle: &Bundle) -> Result<Payload, Errors> {
    let external = |reference: &str| bundle.type_path(&document.id, reference);
    let normalized = normalize_shared(document, &external);
    let payload = typify(&document.file, normalized, Input::Definitions)?;
    let missing: Vec<Error> = document
        .types
        .values()
        .filter(|name| !payload.items.iter().any(|item| item_name(item).is_some_and(|ident| ident == name.as_str())))
        .map(|name| Error::GeneratedShape {
            file: document.file.clone(),
            type_name: name.clone(),
            message: "typify did not generate this shared type under its name".to_owned(),
        })
        .collect();
    crate::error::collected(payload, missing)
}

/// What typify is asked to generate from a normalised schema.
enum Input {
    /// The root and the definitions it uses.
    Root,
    /// Every definition; the root is only their container.
    Definitions,
}

fn typify(file: &str, mut normalized: Normalized, input: Input) -> Result<Payload, Errors> {
    let typify_error = |message: String| Error::Typify { file: file.to_owned(), message };
    let root_type = match input {
        Input::Root => normalized.schema.get("title").and_then(serde_json::Value::as_str).map(str::to_owned),
        Input::Definitions => None,
    };
    let (unions, lifted) = unions::lift(&mut normalized.schema, root_type.as_deref(), &normalized.replacements);
    normalized.replacements.extend(lifted);
    let root: schemars::schema::RootSchema = serde_json::from_value(normalized.schema)
        .map_err(|error| typify_error(format!("schema not readable by schemars: {error}")))?;
    let mut settings = typify::TypeSpaceSettings::default();
    // Maps iterate in key order, so that re-encoding a decoded event gives the same bytes on
    // every run.
    settings
        .with_struct_builder(false)
        .with_derive("PartialEq".to_owned())
        .with_map_type("::std::collections::BTreeMap");
    for (definition, rust_type) in normalized.replacements {
        settings.with_replacement(definition, rust_type, std::iter::empty());
    }
    // typify panics on some schemas; that must be an error for this file, never a crash.
    let typified = catch_unwind(AssertUnwindSafe(move || {
        let mut type_space = typify::TypeSpace::new(&settings);
        let added = match input {
            Input::Root => type_space.add_root_schema(root).map(drop),
            Input::Definitions => type_space.add_ref_types(root.definitions),
        };
        added.map(|()| {
            (type_space.to_stream(), type_space.uses_regress(), type_space.uses_chrono(), type_space.uses_uuid())
        })
    }))
    .map_err(|panic| typify_error(format!("panicked: {}", panic_message(panic.as_ref()))))?
    .map_err(|error| typify_error(error.to_string()))?;
    let (tokens, uses_regex, uses_chrono, uses_uuid) = typified;
    let mut parsed: syn::File =
        syn::parse2(tokens).map_err(|error| typify_error(format!("generated code does not parse: {error}")))?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut LinearTimePatterns, &mut parsed);
    let mut items = rewrite_structs(file, parsed.items)?;
    let mut errors = Vec::new();
    for union in &unions {
        match unions::union_items(union) {
            Ok(union_items) => items.extend(union_items),
            Err(message) => errors.push(Error::GeneratedShape { file: file.to_owned(), type_name: union.name.clone(), message }),
        }
    }
    check_unique_type_names(file, &items, &mut errors);
    crate::error::collected(Payload { items, uses_regex, uses_chrono, uses_uuid }, errors)
}

/// typify matches `pattern` with `regress`, a backtracking engine: `^(a+)+$` takes exponential
/// time on a hostile string. The generated code uses the `regex` crate instead, whose matching
/// is linear in the input; `schema_check` has already refused patterns it cannot compile.
struct LinearTimePatterns;

impl syn::visit_mut::VisitMut for LinearTimePatterns {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(first) = path.segments.first_mut() {
            if first.ident == "regress" {
                first.ident = format_ident!("regex");
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Replaces typify's serde derives on every struct with our implementations, turns optional
/// members into `Option`s, and adds the field for undocumented members.
fn rewrite_structs(file: &str, mut items: Vec<Item>) -> Result<Vec<Item>, Errors> {
    capitalize_variants(&mut items);
    let mut errors = Vec::new();
    let mut output = Vec::with_capacity(items.len());
    let defaulted: Vec<String> = items.iter().filter_map(default_impl_target).collect();
    for item in items {
        match item {
            Item::Struct(item) if matches!(item.fields, Fields::Named(_)) => {
                let name = item.ident.to_string();
                let derive_default = defaulted.contains(&name);
                match rewrite_struct(item, derive_default) {
                    Ok(rewritten) => output.extend(rewritten),
                    Err(message) => {
                        errors.push(Error::GeneratedShape { file: file.to_owned(), type_name: name, message })
                    }
                }
            }
            Item::Enum(item) if item.variants.iter().any(|variant| !matches!(variant.fields, Fields::Unit)) => {
                errors.push(Error::GeneratedShape {
                    file: file.to_owned(),
                    type_name: item.ident.to_string(),
                    message:
                        "unions (`oneOf`, `anyOf`, several types) are not supported yet: typify's enum would reject \
                              or drop members the schema allows"
                            .to_owned(),
                });
            }
            Item::Enum(item) if is_unit_enum_with_derived_deserialize(&item) => output.extend(rewrite_unit_enum(item)),
            item if default_impl_target(&item).is_some() => {}
            item => output.push(item),
        }
    }
    check_unique_type_names(file, &output, &mut errors);
    crate::error::collected(output, errors)
}

/// typify names the values `+1` and `-1` `plus1` and `minus1` even as enum variants, which
/// `non_camel_case_types` warns about; such variants, and every `Self::plus1` or
/// `Enum::plus1` naming them, get a capital letter.
fn capitalize_variants(items: &mut [Item]) {
    struct Rename {
        enum_name: syn::Ident,
        from: syn::Ident,
        to: syn::Ident,
    }
    impl syn::visit_mut::VisitMut for Rename {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.segments.len() == 2 {
                let owner = &path.segments[0].ident;
                if (owner == "Self" || *owner == self.enum_name) && path.segments[1].ident == self.from {
                    path.segments[1].ident = self.to.clone();
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
        fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
            if variant.ident == self.from {
                variant.ident = self.to.clone();
            }
        }
    }
    let mut renames = Vec::new();
    for item in items.iter() {
        let Item::Enum(item) = item else { continue };
        for variant in &item.variants {
            let name = variant.ident.to_string();
            if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                continue;
            }
            let capitalized = format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]);
            if !item.variants.iter().any(|other| other.ident == capitalized) {
                renames.push(Rename {
                    enum_name: item.ident.clone(),
                    from: variant.ident.clone(),
                    to: format_ident!("{capitalized}"),
                });
            }
        }
    }
    for mut rename in renames {
        for item in items.iter_mut() {
            let concerned = match item {
                Item::Enum(item) => item.ident == rename.enum_name,
                Item::Impl(item) => matches!(&*item.self_ty, Type::Path(path) if path.path.is_ident(&rename.enum_name)),
                _ => false,
            };
            if concerned {
                syn::visit_mut::VisitMut::visit_item_mut(&mut rename, item);
            }
        }
    }
}

/// Two schema names that become one Rust type name (`foo` and `Foo` definitions) would not
/// compile; say so instead.
fn check_unique_type_names(file: &str, items: &[Item], errors: &mut Vec<Error>) {
    let mut seen = std::collections::BTreeSet::new();
    for name in items.iter().filter_map(item_name) {
        if !seen.insert(name.to_string()) {
            errors.push(Error::GeneratedShape {
                file: file.to_owned(),
                type_name: name.to_string(),
                message: "two schema names become this one Rust type name".to_owned(),
            });
        }
    }
}

/// The name of a type item.
fn item_name(item: &Item) -> Option<&syn::Ident> {
    match item {
        Item::Struct(item) => Some(&item.ident),
        Item::Enum(item) => Some(&item.ident),
        Item::Type(item) => Some(&item.ident),
        _ => None,
    }
}

/// An enum of string values (typify's reading of `enum`, and of `const` after `normalize`)
/// whose `Deserialize` is derived.
fn is_unit_enum_with_derived_deserialize(item: &syn::ItemEnum) -> bool {
    let unit = !item.variants.is_empty() && item.variants.iter().all(|variant| matches!(variant.fields, Fields::Unit));
    let derived = item.attrs.iter().filter_map(derive_list).flatten().any(|path| is_named(&path, "Deserialize"));
    let container_serde = item.attrs.iter().any(|attribute| attribute.path().is_ident("serde"));
    unit && derived && !container_serde
}

/// Replaces the derived `Deserialize` of a string enum with one that accepts only a JSON
/// string: serde's derive also takes `{"published": null}` for the unit variant `Published`,
/// which would let a value the schema rejects through.
fn rewrite_unit_enum(mut item: syn::ItemEnum) -> Vec<Item> {
    let wire_names: Vec<(syn::Ident, String)> = item
        .variants
        .iter()
        .map(|variant| {
            let mut rename = None;
            for attribute in variant.attrs.iter().filter(|attribute| attribute.path().is_ident("serde")) {
                let _ = attribute.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                    }
                    Ok(())
                });
            }
            (variant.ident.clone(), rename.unwrap_or_else(|| variant.ident.to_string()))
        })
        .collect();
    item.attrs = item
        .attrs
        .into_iter()
        .map(|attribute| {
            let Some(derives) = derive_list(&attribute) else { return attribute };
            let kept = derives.into_iter().filter(|path| !is_named(path, "Deserialize"));
            parse_quote!(#[derive(#(#kept),*)])
        })
        .collect();
    let deserialize = crate::payload_serde::string_enum_deserialize(&item.ident, &wire_names);
    vec![Item::Enum(item), deserialize]
}

/// The struct an `impl Default for X` is for; it is replaced by a derive on the rewritten
/// struct, whose extra field typify's impl does not know.
fn default_impl_target(item: &Item) -> Option<String> {
    let Item::Impl(item) = item else { return None };
    let (trait_path, _) = item.trait_.as_ref()?;
    if trait_path.segments.last()?.ident != "Default" {
        return None;
    }
    match &*item.self_ty {
        Type::Path(path) => Some(path.path.segments.last()?.ident.to_string()),
        _ => None,
    }
}

fn rewrite_struct(mut item: ItemStruct, derive_default: bool) -> Result<Vec<Item>, String> {
    let mut members = Vec::new();
    let Fields::Named(fields) = &mut item.fields else {
        return Err("expected named fields".to_owned());
    };
    let mut read = Vec::with_capacity(fields.named.len());
    for field in fields.named.iter_mut() {
        let ident = field.ident.clone().ok_or("unnamed field")?;
        let attributes = SerdeField::take_from(&mut field.attrs)?;
        if attributes.flatten {
            return Err(format!("field `{ident}` is flattened, which is not supported"));
        }
        let wire_name = attributes.rename.unwrap_or_else(|| syn::ext::IdentExt::unraw(&ident).to_string());
        read.push((wire_name, !attributes.default));
    }
    // Our serde impls carry the wire names, so the identifiers are ours to choose: one
    // sanitiser, and distinct even where typify's would collide.
    let wire_names: Vec<&str> = read.iter().map(|(wire_name, _)| wire_name.as_str()).collect();
    let idents = names::field_names(&wire_names, &[]);
    for ((field, (wire_name, required)), ident) in fields.named.iter_mut().zip(read.clone()).zip(idents) {
        if ident != names::field_name(&wire_name) {
            let note = format!(
                " Wire name `{wire_name}`; named `{ident}` because another member's name also makes `{}`.",
                names::field_name(&wire_name)
            );
            field.attrs.push(parse_quote!(#[doc = #note]));
        }
        let ident = format_ident!("{ident}");
        field.ident = Some(ident.clone());
        if !required && option_inner(&field.ty).is_none() {
            let ty = &field.ty;
            field.ty = parse_quote!(::std::option::Option<#ty>);
        }
        members.push(Member { ident, wire_name, required, ty: field.ty.clone() });
    }
    let mut undocumented = format_ident!("{UNDOCUMENTED_FIELD}");
    while members.iter().any(|member| member.ident == undocumented) {
        undocumented = format_ident!("{undocumented}_");
    }
    fields.named.push(parse_quote! {
        /// Members the schema does not document, kept so that re-encoding loses nothing.
        pub #undocumented: ::serde_json::Map<::std::string::String, ::serde_json::Value>
    });
    item.attrs = rewrite_struct_attributes(std::mem::take(&mut item.attrs), derive_default)?;
    let impls = serde_impls(&item.ident, &members, &undocumented);
    let mut output = vec![Item::Struct(item)];
    output.extend(impls);
    Ok(output)
}

/// Drops typify's serde derives and container attributes (`deny_unknown_fields` must not reach
/// payloads); refuses container attributes it does not know.
fn rewrite_struct_attributes(attributes: Vec<Attribute>, derive_default: bool) -> Result<Vec<Attribute>, String> {
    let mut output = Vec::with_capacity(attributes.len());
    for attribute in attributes {
        if attribute.path().is_ident("derive") {
            let derives = derive_list(&attribute).ok_or("a `#[derive(...)]` that does not parse")?;
            let mut kept: Vec<syn::Path> = derives
                .into_iter()
                .filter(|path| !is_named(path, "Serialize") && !is_named(path, "Deserialize"))
                .collect();
            if derive_default {
                kept.push(parse_quote!(Default));
            }
            output.push(parse_quote!(#[derive(#(#kept),*)]));
        } else if attribute.path().is_ident("serde") {
            attribute
                .parse_nested_meta(|meta| {
                    if meta.path.is_ident("deny_unknown_fields") {
                        Ok(())
                    } else {
                        Err(meta.error("container attribute not supported"))
                    }
                })
                .map_err(|error| format!("`#[serde(...)]` on the struct: {error}"))?;
        } else {
            output.push(attribute);
        }
    }
    Ok(output)
}

/// What typify's `#[serde(...)]` attributes on a field say.
#[derive(Default)]
struct SerdeField {
    rename: Option<String>,
    /// The member may be absent (typify's `default` or `skip_serializing_if`).
    default: bool,
    flatten: bool,
}

impl SerdeField {
    /// Removes the field's serde attributes and reads them.
    fn take_from(attributes: &mut Vec<Attribute>) -> Result<SerdeField, String> {
        let mut field = SerdeField::default();
        let mut result = Ok(());
        attributes.retain(|attribute| {
            if !attribute.path().is_ident("serde") {
                return true;
            }
            let parsed = attribute.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    field.rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                } else if meta.path.is_ident("default") {
                    field.default = true;
                    if meta.input.peek(Token![=]) {
                        meta.value()?.parse::<syn::LitStr>()?;
                    }
                } else if meta.path.is_ident("skip_serializing_if") {
                    // typify marks an optional `Option` member with this alone, no `default`.
                    field.default = true;
                    meta.value()?.parse::<syn::LitStr>()?;
                } else if meta.path.is_ident("deserialize_with") {
                    // typify's mark of a required member that may be `null` (`Option<T>`, the
                    // key present): our impls read it as `Option<T>` and require the key.
                    let function = meta.value()?.parse::<syn::LitStr>()?.value();
                    if function != "::std::option::Option::deserialize" {
                        return Err(meta.error(format!("`deserialize_with = {function:?}` is not supported")));
                    }
                } else if meta.path.is_ident("flatten") {
                    field.flatten = true;
                } else {
                    return Err(meta.error("field attribute not supported"));
                }
                Ok(())
            });
            if let Err(error) = parsed {
                result = Err(format!("`#[serde(...)]` on a field: {error}"));
            }
            false
        });
        result.map(|()| field)
    }
}

/// The paths a `#[derive(...)]` attribute lists; `None` for any other attribute.
fn derive_list(attribute: &Attribute) -> Option<Vec<syn::Path>> {
    if !attribute.path().is_ident("derive") {
        return None;
    }
    attribute
        .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
        .ok()
        .map(|paths| paths.into_iter().collect())
}

/// Whether `path` names `name` (`::serde::Deserialize` names `Deserialize`).
fn is_named(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|last| last.ident == name)
}

/// `T` when `ty` is `Option<T>` (as typify spells it).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(arguments) if arguments.args.len() == 1 => match arguments.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}
