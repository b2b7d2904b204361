//! A tuple: an array whose items have a type by position (`prefixItems`, draft-07 `items` as
//! an array), then maybe more of one type. `Name(A, Option<B>, Vec<R>)`: the first positions
//! the schema requires (`minItems`), then the optional ones (absent at the end of a shorter
//! array), then the rest. An array with more items than the schema allows is refused.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::emit::{doc_attributes, tokens};
use super::model::{Item, Tuple, Ty};

pub(crate) fn items(item: &Item, tuple: &Tuple) -> TokenStream {
    let name = format_ident!("{}", item.name);
    let doc = doc_attributes(&item.doc);
    let count = tuple.positions.len();
    let required = tuple.required;
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let locals: Vec<_> = (0..count).map(|index| format_ident!("__item{index}")).collect();
    for (index, (ty, local)) in tuple.positions.iter().zip(&locals).enumerate() {
        let rust = tokens(ty);
        let next = next_element(ty);
        let position = syn::Index::from(index);
        if index < required {
            let expected = format!("an array of at least {required} items");
            fields.push(quote!(pub #rust));
            reads.push(quote! {
                let #local: #rust = #next.ok_or_else(|| <__A::Error as ::serde::de::Error>::invalid_length(#index, &#expected))?;
            });
            writes.push(quote!(sequence.serialize_element(&self.#position)?;));
        } else {
            fields.push(quote!(pub ::std::option::Option<#rust>));
            reads.push(quote!(let #local: ::std::option::Option<#rust> = #next;));
            writes.push(quote! {
                if let ::std::option::Option::Some(value) = &self.#position {
                    sequence.serialize_element(value)?;
                }
            });
        }
    }
    let count_index = syn::Index::from(count);
    let (rest_field, rest_read, rest_write, rest_local) = match &tuple.rest {
        Some(rest) => {
            let rust = tokens(rest);
            let next = next_element(rest);
            (
                Some(quote!(pub ::std::vec::Vec<#rust>)),
                quote! {
                    let mut __rest: ::std::vec::Vec<#rust> = ::std::vec::Vec::new();
                    while let ::std::option::Option::Some(value) = #next {
                        __rest.push(value);
                    }
                },
                quote! {
                    for value in &self.#count_index {
                        sequence.serialize_element(value)?;
                    }
                },
                Some(quote!(__rest)),
            )
        }
        None => {
            let expected = format!("an array of at most {count} items");
            let read = quote! {
                if __seq.next_element::<::serde::de::IgnoredAny>()?.is_some() {
                    return ::std::result::Result::Err(<__A::Error as ::serde::de::Error>::invalid_length(#count + 1, &#expected));
                }
            };
            (None, read, quote!(), None)
        }
    };
    let all_fields = fields.iter().chain(&rest_field);
    let values = locals.iter().map(|local| quote!(#local)).chain(rest_local);
    let expecting = format!("a JSON array ({name})");
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name(#(#all_fields),*);

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                struct __Items;
                impl<'de> ::serde::de::Visitor<'de> for __Items {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_seq<__A: ::serde::de::SeqAccess<'de>>(self, mut __seq: __A) -> ::std::result::Result<#name, __A::Error> {
                        #(#reads)*
                        #rest_read
                        ::std::result::Result::Ok(#name(#(#values),*))
                    }
                }
                deserializer.deserialize_seq(__Items)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeSeq as _;
                let mut sequence = serializer.serialize_seq(::std::option::Option::None)?;
                #(#writes)*
                #rest_write
                sequence.end()
            }
        }
    }
}

/// The next item of the array as `ty`, `None` at its end (read strictly when `ty` holds a
/// map).
fn next_element(ty: &Ty) -> TokenStream {
    let rust = tokens(ty);
    if ty.holds_map() {
        quote!(crate::runtime::payload::next_strict::<__A, #rust>(&mut __seq)?)
    } else {
        quote!(__seq.next_element::<#rust>()?)
    }
}
