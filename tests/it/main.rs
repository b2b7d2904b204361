//! Integration tests of the generator and of the generated `cope-events` crate, one module a
//! concern.

mod bad_events;
mod catalog;
mod codegen_errors;
mod compat;
mod corpus;
mod determinism;
mod differential;
mod drift;
mod fetch;
mod generator_edge_cases;
mod http_modes;
mod integrations;
mod layout;
mod legacy_registry;
mod limits;
mod one_schema_many_types;
mod producers;
mod properties;
mod reference_example;
mod reference_page;
mod registry_route;
mod round_trip;
mod toolchain;
mod versions;
mod weight;
