//! The same registry gives the same bytes: twice in one process, and from another folder.

use xtask::codegen_task::{generated_files, load_registry, Paths};

#[test]
fn generating_twice_gives_the_same_bytes() {
    let paths = Paths::in_repository();
    let first = generated_files(&paths, &codegen::Settings::default()).expect("generates");
    let second = generated_files(&paths, &codegen::Settings::default()).expect("generates");
    assert_eq!(first, second);
}

#[test]
fn output_does_not_depend_on_where_the_schemas_are() {
    let paths = Paths::in_repository();
    let here = codegen::generate(&load_registry(&paths.manifest).unwrap(), &codegen::Settings::default()).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let schemas = elsewhere.path().join("schemas");
    cope_events_tests::copy_folder(paths.manifest.parent().unwrap(), &schemas);
    let registry = load_registry(&schemas.join("contracts.toml")).unwrap();
    let there = codegen::generate(&registry, &codegen::Settings::default()).unwrap();
    assert_eq!(here, there);
    let location = elsewhere.path().display().to_string();
    assert!(there.iter().all(|file| !file.contents.contains(&location)), "no absolute path reaches the output");
}

#[test]
fn output_does_not_depend_on_how_many_threads_generate_it() {
    // The largest real registry (hundreds of files, shared documents) and a synthetic one.
    let corpus = xtask::codegen_task::project_root().join(xtask::codegen_task::FIXTURE_CORPUS);
    let webhooks = load_registry(&corpus.join("github-webhooks/contracts.toml")).unwrap();
    let synthetic = cope_events_tests::synthetic::registry(40, 4).parse();
    for registry in [webhooks, synthetic] {
        let one = codegen::generate(&registry, &codegen::Settings::default().with_threads(1)).unwrap();
        for threads in [2, 5] {
            let many = codegen::generate(&registry, &codegen::Settings::default().with_threads(threads)).unwrap();
            assert!(one == many, "{threads} threads give other files than one");
        }
    }
}
