//! `cargo xtask fetch` as a user runs it: the process, its exit status and what it prints,
//! against a small HTTP server on 127.0.0.1 that this test starts (the thorough fault tests
//! are in `tests/it/fetch.rs`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCHEMA_PATH: &str = "/events/ticketing.event.published/v1";

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Serves `body` at [`SCHEMA_PATH`] (404 elsewhere, or everywhere when `body` is `None`), one
/// request a connection, until the test process ends. Returns the base URL.
fn serve(body: Option<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|read| read > 2) {
                header.clear();
            }
            let found = body.as_ref().filter(|_| request.split_whitespace().nth(1) == Some(SCHEMA_PATH));
            let (status, bytes) = match found {
                Some(bytes) => ("200 OK", bytes.clone()),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len());
            let mut stream = &stream;
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&bytes));
        }
    });
    base
}

/// A folder holding only a copy of the repository's manifest.
fn manifest_only() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("schemas");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(project_root().join("schemas/contracts.toml"), folder.join("contracts.toml")).unwrap();
    (temp, folder)
}

fn xtask(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(arguments).output().expect("runs xtask")
}

fn files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_fetch_exits_1_with_one_line_naming_the_id_and_changes_nothing() {
    let base = serve(None);
    let (_temp, folder) = manifest_only();
    let manifest = folder.join("contracts.toml");
    let output = xtask(&["fetch", "--manifest", manifest.to_str().unwrap(), "--registry", &base, "--timeout", "5"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            format!("error: https://schemas.cope.com/events/ticketing.event.published/v1: GET {base}{SCHEMA_PATH}: HTTP status 404").as_str(),
            "fetch failed; nothing was changed",
        ]
    );
    assert_eq!(files(&folder), ["contracts.toml"]);
}

#[test]
fn fetch_then_check_then_codegen_through_the_command_line() {
    let schema = std::fs::read(project_root().join("schemas/ticketing.event.published/v1.schema.json")).unwrap();
    let base = serve(Some(schema.clone()));
    let (temp, folder) = manifest_only();
    let manifest = folder.join("contracts.toml");
    let manifest = manifest.to_str().unwrap();

    let fetched = xtask(&["fetch", "--manifest", manifest, "--registry", &base]);
    assert!(fetched.status.success(), "{}", String::from_utf8_lossy(&fetched.stderr));
    assert_eq!(std::fs::read(folder.join("ticketing.event.published/v1.schema.json")).unwrap(), schema);
    assert_eq!(files(&folder), ["contracts.toml", "schemas.lock", "ticketing.event.published"]);

    let checked = xtask(&["fetch", "--check", "--manifest", manifest]);
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));

    let out = temp.path().join("crate");
    let generated = xtask(&["codegen", "--manifest", manifest, "--out", out.to_str().unwrap()]);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    // The same schema bytes give the same crate as the repository's own.
    let ours = std::fs::read_to_string(out.join("src/ticketing_event_published/v1.rs")).unwrap();
    let committed =
        std::fs::read_to_string(project_root().join("generated/src/ticketing_event_published/v1.rs")).unwrap();
    assert_eq!(ours, committed);
}

#[test]
fn a_republished_schema_fails_the_fetch_and_locked_mode_until_update_takes_it() {
    let schema =
        std::fs::read_to_string(project_root().join("schemas/ticketing.event.published/v1.schema.json")).unwrap();
    let (_temp, folder) = manifest_only();
    let manifest = folder.join("contracts.toml");
    let manifest = manifest.to_str().unwrap();
    let first = serve(Some(schema.clone().into_bytes()));
    assert!(xtask(&["fetch", "--manifest", manifest, "--registry", &first]).status.success());
    let locked_file = folder.join("ticketing.event.published/v1.schema.json");

    // The registry republishes v1 with a newline more.
    let republished = serve(Some(format!("{schema}\n").into_bytes()));
    for arguments in [&["fetch"][..], &["fetch", "--locked"]] {
        let output = xtask(&[arguments, &["--manifest", manifest, "--registry", &republished]].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{arguments:?}: {stderr}");
        assert!(stderr.contains("cargo xtask fetch --update"), "{arguments:?}: {stderr}");
        assert_eq!(std::fs::read_to_string(&locked_file).unwrap(), schema, "{arguments:?} wrote nothing");
    }
    // A registry that cannot be read is a check that could not run: 2, not 1.
    let gone = serve(None);
    let output = xtask(&["fetch", "--locked", "--manifest", manifest, "--registry", &gone, "--attempts", "1"]);
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    // `--locked` against the registry that still serves the locked bytes passes.
    let output = xtask(&["fetch", "--locked", "--manifest", manifest, "--registry", &first]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let output = xtask(&["fetch", "--update", "--manifest", manifest, "--registry", &republished]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("updated https://schemas.cope.com/events/ticketing.event.published/v1"), "{stderr}");
    assert!(stdout.starts_with("--- ticketing.event.published/v1.schema.json"), "a diff: {stdout}");
    assert_eq!(std::fs::read_to_string(&locked_file).unwrap(), format!("{schema}\n"));
}
