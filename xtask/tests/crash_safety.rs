//! The real binary under crashes and concurrency: a second writer into one output folder is
//! refused while the first holds its lock, staging folders that killed runs left are removed,
//! and the generator's child process ends when its parent is gone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn codegen_into(out: &Path) -> Output {
    let manifest = project_root().join("schemas/contracts.toml");
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--manifest", manifest.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .expect("runs xtask")
}

fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("crate");
    // This test stands for a run in progress: it holds the output folder's lock.
    let lock = std::fs::File::create(temp.path().join(".crate.codegen.lock")).unwrap();
    lock.try_lock().expect("the lock is free");
    let output = codegen_into(&out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("another `cargo xtask codegen` is writing"), "{stderr}");
    assert!(!out.exists(), "the refused run wrote nothing");

    drop(lock);
    let output = codegen_into(&out);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(out.join("Cargo.toml").is_file());
}

#[test]
fn staging_folders_left_by_killed_runs_are_removed() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("crate");
    for leftover in [".crate.codegen-a1b2c3/new/src", ".crate.codegen-d4e5f6/old"] {
        std::fs::create_dir_all(temp.path().join(leftover)).unwrap();
        std::fs::write(temp.path().join(leftover).join("lib.rs"), "// half written\n").unwrap();
    }
    // Another crate's staging folder is not this run's to remove.
    std::fs::create_dir_all(temp.path().join(".other.codegen-777")).unwrap();
    let output = codegen_into(&out);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(entries(temp.path()), [".crate.codegen.lock", ".other.codegen-777", "crate"]);

    // Also when the crate is already up to date.
    std::fs::create_dir_all(temp.path().join(".crate.codegen-zzz")).unwrap();
    let output = codegen_into(&out);
    assert!(String::from_utf8_lossy(&output.stderr).contains("up to date"));
    assert_eq!(entries(temp.path()), [".crate.codegen.lock", ".other.codegen-777", "crate"]);
}

#[test]
fn the_generator_child_exits_when_its_parent_is_gone() {
    // The parent holds the child's stdin open; when the parent dies the pipe ends. Here it
    // ends at once: the child must stop, not generate the whole (large) registry for nobody.
    let manifest = project_root().join("tests/fixtures/corpus/github-webhooks/contracts.toml");
    let status = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["generate-worker", "--manifest", manifest.to_str().unwrap(), "--crate-name", "orphan"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("runs the worker");
    assert_eq!(status.code(), Some(i32::from(xtask::worker::ORPHANED_EXIT)));
}

/// The same through a real parent, killed: its child (found through /proc) ends soon after,
/// well before the 6 s or so that it needs to generate this registry here.
#[cfg(target_os = "linux")]
#[test]
fn killing_codegen_ends_its_generator_child() {
    let temp = tempfile::tempdir().unwrap();
    let manifest = project_root().join("tests/fixtures/corpus/github-webhooks/contracts.toml");
    let mut parent = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--manifest", manifest.to_str().unwrap(), "--out"])
        .arg(temp.path().join("crate"))
        .arg("--crate-name")
        .arg("killed")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs xtask");
    let child_of = |pid: u32| -> Option<u32> {
        std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`: the fields after the last `)`.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            (fields.get(1)?.parse::<u32>().ok()? == pid).then(|| entry.file_name().to_str()?.parse().ok())?
        })
    };
    let started = std::time::Instant::now();
    let child = loop {
        if let Some(child) = child_of(parent.id()) {
            break child;
        }
        assert!(started.elapsed().as_secs() < 30, "the worker child never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    parent.kill().unwrap();
    parent.wait().unwrap();
    let alive = || {
        std::fs::read_to_string(format!("/proc/{child}/stat"))
            .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
    };
    let killed = std::time::Instant::now();
    while alive() && killed.elapsed().as_secs() < 3 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!alive(), "the worker child outlived its parent by 3 s");
    assert!(!temp.path().join("crate").exists(), "nothing was written");
}
