//! `generated/` is what the generator makes from `schemas/`: plain `cargo test` fails on drift
//! and names the command that fixes it.

use xtask::codegen_task::{generated_files, Paths, Target, FIX_COMMAND};
use xtask::tree::{ensure_tree, Mode, TreeError};

#[test]
fn generated_crates_are_fresh() {
    let targets = Target::all_in_repository().expect("the repository's registries are listed");
    assert!(targets.len() >= 3, "generated/ and the fixture crates");
    for Target { paths, settings } in targets {
        let files = generated_files(&paths, &settings).expect("the repository's schemas generate");
        if let Err(error) = ensure_tree(&paths.out_dir, &files, Mode::Check, FIX_COMMAND) {
            panic!("{}: {error}", paths.out_dir.display());
        }
    }
}

#[test]
fn drift_is_reported_with_a_diff_and_the_fix() {
    let paths = Paths::in_repository();
    let files = generated_files(&paths, &codegen::Settings::default()).expect("generates");
    let copy = tempfile::tempdir().expect("temp dir");
    ensure_tree(copy.path(), &files, Mode::Write, FIX_COMMAND).expect("writes a copy");
    // A hand edit of one byte on disk, and a stray file.
    let lib = copy.path().join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, text.replacen("mod event;", "mod event; ", 1)).unwrap();
    std::fs::write(copy.path().join("src/notes.rs"), "// by hand\n").unwrap();
    match ensure_tree(copy.path(), &files, Mode::Check, FIX_COMMAND) {
        Err(TreeError::Drift(drift)) => {
            assert_eq!(drift.changed, ["src/lib.rs"]);
            assert_eq!(drift.removed, ["src/notes.rs"]);
            let message = TreeError::Drift(drift).to_string();
            assert!(message.contains("-mod event; \n") && message.contains("+mod event;\n"), "{message}");
            assert!(message.contains(FIX_COMMAND), "{message}");
        }
        other => panic!("expected drift, got {other:?}"),
    }
}
