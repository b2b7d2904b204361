//! The generator on mutated schemas: never panics (a panic inside typify must come back as an
//! error), and every file it returns parses as Rust.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = r#"
[[contract]]
event_type = "fuzz.event"
version = 1
schema_id = "https://example.com/fuzz/v1"
schema = "fuzz/v1.schema.json"
source = "fuzz"
subject_pattern = "fuzz:<identifier>"
category = "Fuzz"
[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "idempotency_key"
"#;

fuzz_target!(
    init: {
        // libfuzzer-sys aborts on any panic from its hook; the generator catches typify's
        // panics itself, so those must unwind to it. A panic that escapes still aborts.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |schema: &[u8]| {
        let Ok(schema) = std::str::from_utf8(schema) else { return };
        let manifest = codegen::Manifest::parse("schemas/contracts.toml", MANIFEST).expect("the manifest parses");
        let schemas = BTreeMap::from([("fuzz/v1.schema.json".to_owned(), schema.to_owned())]);
        let Ok(registry) = codegen::Registry::new(manifest, schemas) else { return };
        if let Ok(files) = codegen::generate(&registry, &codegen::Settings::default()) {
            for file in files.iter().filter(|file| file.path.ends_with(".rs")) {
                if let Err(error) = syn::parse_file(&file.contents) {
                    panic!("{} does not parse: {error}", file.path);
                }
            }
        }
    }
);
