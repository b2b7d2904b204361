//! The impls whose shape is the same for every contract, as macros that generated modules
//! invoke with only what varies (names and types): a generated crate then holds what its
//! schemas decide and little else, and this code is written, reviewed and tested once.
//! Hidden: the macros' input may change in any release (a generated crate pins this crate's
//! exact version).
//!
//! Each macro names what it uses through `$crate` and `::core`, with `Self` for the type and
//! `__`-prefixed generics, so that it works whatever the invoking module imports and whatever
//! the type is called (`S`, `D`...). The exceptions are its input; in `event_type!` and
//! `into_event!`, `crate::Event`: the invoking generated crate's enum of every event; and in
//! `events!`, `crate::<EventType>`: its per-type enums.

/// What an enum of events tells about itself, through its inherent `as_any`: `version`,
/// `event_type`, `source`, `id`, `subject`, `idempotency_key`, [`crate::AnyEvent`],
/// `Display` and [`crate::Encode`].
#[doc(hidden)]
#[macro_export]
macro_rules! __any_event_impls {
    ($name:ident) => {
        impl $name {
            /// The contract version of this event.
            pub fn version(&self) -> u32 {
                self.as_any().version()
            }
            /// CloudEvents `type`.
            pub fn event_type(&self) -> &'static str {
                self.as_any().event_type()
            }
            /// CloudEvents `source`.
            pub fn source(&self) -> &'static str {
                self.as_any().source()
            }
            /// CloudEvents `id`.
            pub fn id(&self) -> &str {
                self.as_any().id()
            }
            /// CloudEvents `subject`.
            pub fn subject(&self) -> ::core::option::Option<&str> {
                self.as_any().subject()
            }
            /// The value to deduplicate deliveries on: the COPE `idempotency_key` when
            /// present, else the (`source`, `id`) pair.
            pub fn idempotency_key(&self) -> $crate::IdempotencyKey<'_> {
                self.as_any().idempotency_key()
            }
        }

        impl $crate::AnyEvent for $name {
            fn version(&self) -> u32 {
                $name::version(self)
            }
            fn event_type(&self) -> &'static str {
                $name::event_type(self)
            }
            fn source(&self) -> &'static str {
                $name::source(self)
            }
            fn id(&self) -> &str {
                $name::id(self)
            }
            fn subject(&self) -> ::core::option::Option<&str> {
                $name::subject(self)
            }
            fn idempotency_key(&self) -> $crate::IdempotencyKey<'_> {
                $name::idempotency_key(self)
            }
        }

        impl ::core::fmt::Display for $name {
            /// `type` `id` from `source`, and `about` `subject`.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(self.as_any(), f)
            }
        }

        impl $crate::Encode for $name {}
    };
}

/// An event type's enum of versions, in a generated crate whose root enum of every event is
/// `Event` (with a variant named like this enum).
///
/// `event_type!(Name = EVENT_TYPE { V1(Payload), ... })` gives the associated `EVENT_TYPE`,
/// `as_any`, what [`__any_event_impls`] gives, dispatch on `dataschema` / `schema_version`
/// (`from_envelope`, and `decode_guessed` on a guessed `dataschema`), `Serialize`, `Decode`, and `From` each `CloudEvent<Payload>` and this enum for `Event`.
#[doc(hidden)]
#[macro_export]
// `crate::Event` is meant: the invoking (generated) crate's enum of every event.
#[allow(clippy::crate_in_macro_def)]
macro_rules! __event_type {
    ($name:ident = $event_type:ident { $($variant:ident($payload:ty)),+ $(,)? }) => {
        impl $name {
            /// CloudEvents `type` of every version.
            pub const EVENT_TYPE: &'static str = $event_type;
            /// `(schema id, schema_version)` of every version, for dispatch.
            const VERSIONS: &'static [(&'static str, ::core::option::Option<&'static str>)] = &[$((
                <$payload as $crate::Contract>::SCHEMA_ID,
                <$payload as $crate::Contract>::SCHEMA_VERSION,
            )),+];

            /// What this event tells about itself, whatever its version.
            pub fn as_any(&self) -> &dyn $crate::AnyEvent {
                match *self { $(Self::$variant(ref event) => event,)+ }
            }

            /// The version an envelope of this event type carries, decoded (public for an
            /// umbrella crate's `Event`).
            #[doc(hidden)]
            pub fn from_envelope<'de, __D: $crate::CapturedData<'de>>(
                envelope: $crate::Envelope<'de, __D>,
            ) -> ::core::result::Result<Self, $crate::DecodeError> {
                let schema_id = envelope.schema_id(Self::VERSIONS)?;
                $(
                    if schema_id == <$payload as $crate::Contract>::SCHEMA_ID {
                        return envelope.into_event().map(Self::$variant);
                    }
                )+
                ::core::result::Result::Err(envelope.unknown_version(::core::option::Option::None))
            }

            /// `text` decoded in one pass as the version whose schema `dataschema` names, when
            /// it is one (public for an umbrella crate's `Event`).
            #[doc(hidden)]
            pub fn decode_guessed(text: &str, dataschema: &str) -> ::core::option::Option<Self> {
                $(
                    if dataschema == <$payload as $crate::Contract>::SCHEMA_ID {
                        return $crate::decode_as::<$payload>(text).map(Self::$variant);
                    }
                )+
                ::core::option::Option::None
            }
        }

        $crate::__any_event_impls!($name);

        impl $crate::__serde::Serialize for $name {
            fn serialize<__S: $crate::__serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                match *self { $(Self::$variant(ref event) => $crate::__serde::Serialize::serialize(event, serializer),)+ }
            }
        }

        impl $crate::Decode for $name {
            /// Decodes one structured-mode event of this type; another type is `UnknownEventType`.
            fn decode(bytes: &[u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                $crate::decode_guessing(
                    bytes,
                    |text, event_type, dataschema| {
                        if event_type == Self::EVENT_TYPE {
                            Self::decode_guessed(text, dataschema)
                        } else {
                            ::core::option::Option::None
                        }
                    },
                    |envelope| {
                        if envelope.event_type() != Self::EVENT_TYPE {
                            return ::core::result::Result::Err(envelope.unknown_event_type());
                        }
                        Self::from_envelope(envelope)
                    },
                )
            }
        }

        $(
            impl ::core::convert::From<$crate::CloudEvent<$payload>> for $name {
                fn from(event: $crate::CloudEvent<$payload>) -> Self {
                    $name::$variant(event)
                }
            }
        )+

        $crate::__into_event!($name { $($variant($payload)),+ });
    };
}

/// `From` an event type's enum and each of its `CloudEvent<Payload>`s for `crate::Event` (with
/// a variant named like the enum): what [`__event_type`] gives its own crate's `Event`, and
/// what an umbrella crate's `Event` gives itself for each event type it re-exports.
#[doc(hidden)]
#[macro_export]
// `crate::Event` is meant: the invoking (generated) crate's enum of every event.
#[allow(clippy::crate_in_macro_def)]
macro_rules! __into_event {
    ($name:ident { $($variant:ident($payload:ty)),+ $(,)? }) => {
        $(
            impl ::core::convert::From<$crate::CloudEvent<$payload>> for crate::Event {
                fn from(event: $crate::CloudEvent<$payload>) -> Self {
                    crate::Event::$name($name::$variant(event))
                }
            }
        )+

        impl ::core::convert::From<$name> for crate::Event {
            fn from(event: $name) -> Self {
                crate::Event::$name(event)
            }
        }
    };
}

/// The crate's enum of every event type, `Name { EventType, ... }`: each variant holds the
/// per-type enum of the same name at the crate root (`crate::EventType`, which invokes
/// [`__event_type`]). Gives `as_any`, dispatch on `type` (`from_envelope`, and
/// `decode_guessed` on a guessed `type` and `dataschema`), what [`__any_event_impls`] gives,
/// `Serialize`, `Deserialize` and `Decode`.
#[doc(hidden)]
#[macro_export]
// `crate::` paths are meant: the invoking (generated) crate's per-type enums.
#[allow(clippy::crate_in_macro_def)]
macro_rules! __events {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl $name {
            /// What this event tells about itself, whatever its type and version.
            pub fn as_any(&self) -> &dyn $crate::AnyEvent {
                match *self { $(Self::$variant(ref event) => event,)+ }
            }

            /// The event type and version an envelope carries, decoded.
            pub(crate) fn from_envelope<'de, __D: $crate::CapturedData<'de>>(
                envelope: $crate::Envelope<'de, __D>,
            ) -> ::core::result::Result<Self, $crate::DecodeError> {
                match envelope.event_type() {
                    $(crate::$variant::EVENT_TYPE => crate::$variant::from_envelope(envelope).map(Self::from),)+
                    _ => ::core::result::Result::Err(envelope.unknown_event_type()),
                }
            }

            /// `text` decoded in one pass as the event type and version that `event_type` and
            /// `dataschema` name, when it is one.
            pub(crate) fn decode_guessed(text: &str, event_type: &str, dataschema: &str) -> ::core::option::Option<Self> {
                match event_type {
                    $(crate::$variant::EVENT_TYPE => crate::$variant::decode_guessed(text, dataschema).map(Self::from),)+
                    _ => ::core::option::Option::None,
                }
            }
        }

        $crate::__any_event_impls!($name);

        impl $crate::__serde::Serialize for $name {
            fn serialize<__S: $crate::__serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                match *self { $(Self::$variant(ref event) => $crate::__serde::Serialize::serialize(event, serializer),)+ }
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::__serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                $crate::deserialize_with(deserializer, Self::from_envelope)
            }
        }

        impl $crate::Decode for $name {
            fn decode(bytes: &[u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                $crate::decode_guessing(bytes, Self::decode_guessed, Self::from_envelope)
            }
        }
    };
}

/// An enum of string values (`enum`, `const`) that implements
/// [`crate::payload::StringEnum`]: `as_str` (the value as the schema lists it), `Display`, and
/// serde impls that read and write exactly the listed strings (serde's derive would also
/// take `{"published": null}` for the unit variant `Published`). The value is read without
/// being copied.
#[doc(hidden)]
#[macro_export]
macro_rules! __string_enum {
    ($name:ident) => {
        // `as_str` finds a value by its discriminant: the values must be listed in order.
        const _: () = {
            let values = <$name as $crate::payload::StringEnum>::VALUES;
            let mut at = 0;
            while at < values.len() {
                ::core::assert!(values[at].0 as usize == at, "`VALUES` lists the variants in order");
                at += 1;
            }
        };

        impl $name {
            /// The value as the schema lists it.
            pub fn as_str(&self) -> &'static str {
                <$name as $crate::payload::StringEnum>::VALUES[*self as usize].1
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<__S: $crate::__serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::__serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                $crate::payload::string_enum(deserializer)
            }
        }
    };
}

/// The `Deserialize` impl of a payload struct that implements [`crate::payload::FromMembers`].
#[doc(hidden)]
#[macro_export]
macro_rules! __deserialize_members {
    ($name:ident) => {
        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<__D: $crate::__serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                $crate::payload::deserialize_members(deserializer)
            }
        }
    };
}

pub use crate::{
    __deserialize_members as deserialize_members, __event_type as event_type, __events as events,
    __into_event as into_event, __string_enum as string_enum,
};
