//! Writes or checks a generated file tree, in the style of rust-analyzer's
//! `ensure_file_contents` and `sqlx prepare --check`.
//!
//! The output directory is owned entirely by the generator: every regular file
//! under it must be one of the generated files, byte for byte. The only
//! exception is a top-level `target/` directory (a build directory), which is
//! never compared, and which [`Mode::Write`] carries over into the new tree.
//! Empty directories are not compared either (a write drops them).
//!
//! [`Mode::Check`] writes nothing and reports drift as a bounded unified diff.
//! [`Mode::Write`] touches nothing when the tree is up to date; otherwise it
//! builds the complete new tree in a temporary sibling directory and swaps it
//! in with renames, so the output directory is never left half written.
//! A write holds a lock (`.{name}.codegen.lock`, beside the output directory)
//! for its whole length: a second write into the same directory meanwhile is
//! refused, never interleaved. Staging directories that a killed run left
//! behind are removed by the next write.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use similar::TextDiff;

pub use codegen::GeneratedFile;

/// Whether [`ensure_tree`] may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What [`ensure_tree`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The tree already matched; nothing was touched.
    Unchanged,
    /// The tree was replaced; the counts say how many files differed.
    Written { changed: usize, added: usize, removed: usize },
}

/// How the tree on disk differs from the generated files. Paths are relative
/// to the output directory and sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// On disk with different contents.
    pub changed: Vec<String>,
    /// Generated but missing on disk.
    pub added: Vec<String>,
    /// On disk but not generated (stale).
    pub removed: Vec<String>,
    /// Unified diff from disk (`a/`) to generated (`b/`), bounded in length.
    pub diff: String,
    /// The command that brings the tree up to date, e.g. `cargo xtask codegen`.
    pub fix_command: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}generated code is out of date ({} changed, {} added, {} removed): run `{}` to update it",
            self.diff,
            self.changed.len(),
            self.added.len(),
            self.removed.len(),
            self.fix_command
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("failed to {op} `{}`: {source}", path.display())]
    Io { op: &'static str, path: PathBuf, source: io::Error },
    #[error(
        "refusing generated file path `{0}`: it must be a unique, non-empty, relative \
         `/`-separated path without `.`, `..`, backslashes or a top-level `target/`"
    )]
    UnsafePath(String),
    #[error("{0}")]
    Drift(Drift),
    #[error(
        "another `cargo xtask codegen` is writing `{}` (it holds `{}`): run again when it is done",
        out_dir.display(),
        lock.display()
    )]
    Busy { out_dir: PathBuf, lock: PathBuf },
}

/// The build directory inside the output directory that is never compared.
const TARGET_DIR: &str = "target";
/// Length of the random part of a staging directory's name (tempfile's default).
const STAGING_SUFFIX_LEN: usize = 6;
/// Diff lines shown per file and in total before the rest is cut.
const MAX_DIFF_LINES_PER_FILE: usize = 200;
const MAX_DIFF_LINES_TOTAL: usize = 1000;

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> TreeError + 'a {
    move |source| TreeError::Io { op, path: path.to_path_buf(), source }
}

/// Makes `out_dir` contain exactly `files` ([`Mode::Write`]) or reports how it
/// differs ([`Mode::Check`], as [`TreeError::Drift`]). `fix_command` is named
/// in the drift message.
pub fn ensure_tree(
    out_dir: &Path,
    files: &[GeneratedFile],
    mode: Mode,
    fix_command: &str,
) -> Result<Outcome, TreeError> {
    let mut wanted = BTreeMap::new();
    for file in files {
        if !is_safe_path(&file.path) || wanted.insert(file.path.as_str(), &file.contents).is_some() {
            return Err(TreeError::UnsafePath(file.path.clone()));
        }
    }

    // Held until this function returns: the tree read below is the one replaced.
    let _lock = match mode {
        Mode::Write => {
            let lock = lock_output(out_dir)?;
            let (parent, name) = parent_and_name(out_dir);
            remove_leftover_staging(out_dir, parent, &name)?;
            Some(lock)
        }
        Mode::Check => None,
    };
    let mut on_disk = BTreeMap::new();
    if out_dir.exists() {
        read_tree(out_dir, "", &mut on_disk)?;
    }

    let mut drift = Drift {
        changed: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        diff: String::new(),
        fix_command: fix_command.to_owned(),
    };
    for (&path, contents) in &wanted {
        match on_disk.get(path) {
            None => drift.added.push(path.to_owned()),
            Some(Some(bytes)) if bytes == contents.as_bytes() => {}
            Some(_) => drift.changed.push(path.to_owned()),
        }
    }
    drift.removed = on_disk.keys().filter(|path| !wanted.contains_key(path.as_str())).cloned().collect();

    let (changed, added, removed) = (drift.changed.len(), drift.added.len(), drift.removed.len());
    if changed + added + removed == 0 {
        return Ok(Outcome::Unchanged);
    }
    match mode {
        Mode::Check => {
            drift.diff = render_diff(&drift, &wanted, &on_disk);
            Err(TreeError::Drift(drift))
        }
        Mode::Write => {
            replace_tree(out_dir, &wanted)?;
            Ok(Outcome::Written { changed, added, removed })
        }
    }
}

/// The folder `out_dir` is in, and `out_dir`'s own name.
fn parent_and_name(out_dir: &Path) -> (&Path, String) {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = out_dir.file_name().map_or("out".into(), |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// Takes the output directory's lock, or refuses when another process holds it. The lock is
/// the operating system's (released when the process ends, however it ends), on a file that
/// stays: removing it would let two runs lock two different files.
fn lock_output(out_dir: &Path) -> Result<std::fs::File, TreeError> {
    let (parent, name) = parent_and_name(out_dir);
    std::fs::create_dir_all(parent).map_err(io_err("create directory", parent))?;
    let lock = parent.join(format!(".{name}.codegen.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(io_err("open the lock file", &lock))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(TreeError::Busy { out_dir: out_dir.to_path_buf(), lock }),
        Err(std::fs::TryLockError::Error(source)) => Err(io_err("lock", &lock)(source)),
    }
}

/// Removes the staging directories (`.{name}.codegen-XXXXXX`) of earlier runs that were killed
/// before they cleaned up; only called with the lock held, so none belongs to a live run. A run
/// killed mid-swap left the old tree (and `target/`) inside: they are put back first, so that
/// the build cache survives.
fn remove_leftover_staging(out_dir: &Path, parent: &Path, name: &str) -> Result<(), TreeError> {
    let prefix = format!(".{name}.codegen-");
    let Ok(entries) = std::fs::read_dir(parent) else { return Ok(()) };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(suffix) = file_name.to_str().and_then(|file| file.strip_prefix(&prefix)) else { continue };
        // tempfile's random part: six letters and digits. A longer name is another output's
        // (`.{name}.codegen-x.codegen-…` belongs to the folder `{name}.codegen-x`).
        let is_staging = suffix.len() == STAGING_SUFFIX_LEN && suffix.chars().all(|c| c.is_ascii_alphanumeric());
        if !is_staging || !entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            continue;
        }
        let staging = entry.path();
        let (old, staged_target) = (staging.join("old"), staging.join("new").join(TARGET_DIR));
        if !out_dir.exists() && old.is_dir() {
            std::fs::rename(&old, out_dir).map_err(io_err("put back the tree of an interrupted run", &old))?;
        }
        if out_dir.is_dir() && !out_dir.join(TARGET_DIR).exists() && staged_target.is_dir() {
            std::fs::rename(&staged_target, out_dir.join(TARGET_DIR))
                .map_err(io_err("put back the target directory of an interrupted run", &staged_target))?;
        }
        std::fs::remove_dir_all(&staging).map_err(io_err("remove the leftover staging directory", &staging))?;
    }
    Ok(())
}

/// A path is safe if it is relative, `/`-separated, made only of normal
/// components, and does not reach into the ignored `target/` directory.
fn is_safe_path(path: &str) -> bool {
    !path.contains('\\')
        && !path.starts_with('/')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && path.split('/').next() != Some(TARGET_DIR)
}

/// Collects every non-directory entry under `dir` keyed by its `/`-separated
/// path relative to the output directory (`prefix` is `dir`'s own relative
/// path). The value is `None` for entries that are not regular files, such as
/// symlinks, which never match a generated file.
fn read_tree(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Vec<u8>>>) -> Result<(), TreeError> {
    for entry in std::fs::read_dir(dir).map_err(io_err("read directory", dir))? {
        let entry = entry.map_err(io_err("read directory", dir))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let kind = entry.file_type().map_err(io_err("inspect", &path))?;
        if kind.is_dir() {
            if rel != TARGET_DIR {
                read_tree(&path, &rel, out)?;
            }
        } else if kind.is_file() {
            let bytes = std::fs::read(&path).map_err(io_err("read", &path))?;
            out.insert(rel, Some(bytes));
        } else {
            out.insert(rel, None);
        }
    }
    Ok(())
}

/// Renders the unified diff of every drifting file in path order, cut to
/// [`MAX_DIFF_LINES_PER_FILE`] lines per file and [`MAX_DIFF_LINES_TOTAL`]
/// lines overall, followed by a note on how many lines were cut. Files past
/// the total budget are not diffed at all, only counted.
fn render_diff(drift: &Drift, wanted: &BTreeMap<&str, &String>, on_disk: &BTreeMap<String, Option<Vec<u8>>>) -> String {
    let paths: BTreeSet<&str> =
        drift.changed.iter().chain(&drift.added).chain(&drift.removed).map(String::as_str).collect();

    let mut out = String::new();
    let (mut budget, mut cut, mut skipped) = (MAX_DIFF_LINES_TOTAL, 0, 0);
    for path in paths {
        if budget == 0 {
            // Diffing is not free; don't compute what would not be shown.
            skipped += 1;
            continue;
        }
        let new = wanted.get(path).map(|s| s.as_str());
        let text = match on_disk.get(path) {
            None => unified_diff(path, None, new),
            Some(None) => format!("{path}: not a regular file\n"),
            Some(Some(bytes)) => match std::str::from_utf8(bytes) {
                Ok(old) => unified_diff(path, Some(old), new),
                Err(_) => format!("{path}: binary or non-UTF-8 file\n"),
            },
        };
        let lines: Vec<&str> = text.lines().collect();
        let keep = lines.len().min(MAX_DIFF_LINES_PER_FILE).min(budget);
        for line in &lines[..keep] {
            out.push_str(line);
            out.push('\n');
        }
        budget -= keep;
        cut += lines.len() - keep;
    }
    if cut > 0 || skipped > 0 {
        let files = match skipped {
            0 => String::new(),
            n => format!(", and {n} more files not shown"),
        };
        out.push_str(&format!(
            "... {cut} more diff lines cut{files} (showing at most {MAX_DIFF_LINES_PER_FILE} \
             lines per file and {MAX_DIFF_LINES_TOTAL} in total)\n"
        ));
    }
    out
}

/// Unified diff of one file; `None` on either side means the file is absent.
fn unified_diff(path: &str, old: Option<&str>, new: Option<&str>) -> String {
    let side = |text: Option<&str>, prefix: &str| text.map_or("/dev/null".to_owned(), |_| format!("{prefix}/{path}"));
    TextDiff::configure()
        // A full rewrite of a 5000-line file takes seconds in a debug build;
        // past the deadline the diff is still correct, just less minimal.
        .timeout(Duration::from_millis(200))
        .diff_lines(old.unwrap_or(""), new.unwrap_or(""))
        .unified_diff()
        .context_radius(3)
        .header(&side(old, "a"), &side(new, "b"))
        .to_string()
}

/// Replaces `out_dir` with a tree holding exactly `wanted`, keeping its
/// top-level `target/` directory. The new tree is staged in a temporary
/// sibling directory and swapped in by renames: `out_dir` is moved to a backup
/// inside that temporary directory, the staged tree is moved to `out_dir` (on
/// failure the backup is moved back), and the temporary directory, now holding
/// only the backup, is deleted. If only that last deletion fails, the new tree
/// is already in place and the error names the leftover directory. A process
/// killed mid-swap can leave `out_dir` missing, with both trees (and
/// `target/`) in the `.{name}.codegen-*` directory next to it: the next write
/// puts the old tree and `target/` back, then removes that directory.
fn replace_tree(out_dir: &Path, wanted: &BTreeMap<&str, &String>) -> Result<(), TreeError> {
    let (parent, name) = parent_and_name(out_dir);
    // Dropping `scratch` on any early return deletes the staged tree.
    let scratch = tempfile::Builder::new()
        .prefix(&format!(".{name}.codegen-"))
        .rand_bytes(STAGING_SUFFIX_LEN)
        .tempdir_in(parent)
        .map_err(io_err("create staging directory in", parent))?;
    let staged = scratch.path().join("new");
    let backup = scratch.path().join("old");

    for (path, contents) in wanted {
        let dest = staged.join(path);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(io_err("create directory", dir))?;
        }
        std::fs::write(&dest, contents).map_err(io_err("write", &dest))?;
    }
    std::fs::create_dir_all(&staged).map_err(io_err("create directory", &staged))?;

    if out_dir.exists() {
        let target = out_dir.join(TARGET_DIR);
        let staged_target = staged.join(TARGET_DIR);
        if target.is_dir() {
            std::fs::rename(&target, &staged_target).map_err(io_err("move", &target))?;
        }
        if let Err(source) = std::fs::rename(out_dir, &backup) {
            // Best effort: put `target/` back where it was.
            let _ = std::fs::rename(&staged_target, &target);
            return Err(io_err("move aside", out_dir)(source));
        }
        if let Err(source) = std::fs::rename(&staged, out_dir) {
            // Best effort: restore the old tree (and its `target/`).
            let _ = std::fs::rename(&backup, out_dir);
            let _ = std::fs::rename(&staged_target, &target);
            return Err(io_err("move staged tree into", out_dir)(source));
        }
    } else {
        std::fs::rename(&staged, out_dir).map_err(io_err("move staged tree into", out_dir))?;
    }

    let scratch_path = scratch.path().to_path_buf();
    scratch.close().map_err(io_err("remove the replaced tree", &scratch_path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::time::SystemTime;

    const FIX: &str = "cargo xtask codegen";

    fn gen(files: &[(&str, &str)]) -> Vec<GeneratedFile> {
        files
            .iter()
            .map(|(path, contents)| GeneratedFile { path: (*path).to_owned(), contents: (*contents).to_owned() })
            .collect()
    }

    /// Runs `ensure_tree` on `dir` and asserts its result against `expected`
    /// (compared through `Debug`, since `TreeError` holds an `io::Error`).
    #[track_caller]
    fn check(dir: &Path, files: &[(&str, &str)], mode: Mode, expected: Result<Outcome, &str>) {
        let got = ensure_tree(dir, &gen(files), mode, FIX);
        match (got, expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(got), Err(want)) => {
                assert!(format!("{got:?}").contains(want), "error {got:?} does not mention {want:?}")
            }
            (got, want) => panic!("got {got:?}, expected {want:?}"),
        }
    }

    /// Every file under `dir` (including `target/`) with its bytes.
    fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    let rel = path.strip_prefix(root).unwrap().to_str().unwrap();
                    out.insert(rel.replace('\\', "/"), fs::read(&path).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(dir, dir, &mut out);
        out
    }

    #[track_caller]
    fn assert_tree(dir: &Path, expected: &[(&str, &str)]) {
        let want: BTreeMap<String, Vec<u8>> =
            expected.iter().map(|(p, c)| ((*p).to_owned(), c.as_bytes().to_vec())).collect();
        assert_eq!(snapshot(dir), want);
    }

    /// Names in `dir`, to catch leftover staging or backup directories.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    const TREE: &[(&str, &str)] = &[
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        ("src/lib.rs", "pub mod a;\n"),
        ("src/a.rs", "one\ntwo\nthree\n"),
        ("data.bin", "text\n"),
    ];

    fn written(changed: usize, added: usize, removed: usize) -> Result<Outcome, &'static str> {
        Ok(Outcome::Written { changed, added, removed })
    }

    /// Writes `TREE`, then makes it drift: a changed byte, a stale file, a
    /// missing file and a non-UTF-8 file.
    fn drifted(out: &Path) {
        check(out, TREE, Mode::Write, written(0, 4, 0));
        fs::write(out.join("src/a.rs"), "one\ntwO\nthree\n").unwrap();
        fs::write(out.join("src/stale.rs"), "old\n").unwrap();
        fs::remove_file(out.join("Cargo.toml")).unwrap();
        fs::write(out.join("data.bin"), [0xff, 0xfe, b'\n']).unwrap();
    }

    #[test]
    fn write_into_missing_dir_creates_exactly_the_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("nested/out");
        check(&out, TREE, Mode::Write, written(0, 4, 0));
        assert_tree(&out, TREE);
        assert_eq!(entries(&tmp.path().join("nested")), [".out.codegen.lock", "out"]);
    }

    #[test]
    fn second_write_is_unchanged_and_keeps_mtimes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        check(&out, TREE, Mode::Write, written(0, 4, 0));
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        for (path, _) in TREE {
            let file = fs::File::options().write(true).open(out.join(path)).unwrap();
            file.set_modified(old).unwrap();
        }
        check(&out, TREE, Mode::Write, Ok(Outcome::Unchanged));
        for (path, _) in TREE {
            let mtime = fs::metadata(out.join(path)).unwrap().modified().unwrap();
            assert_eq!(mtime, old, "{path} was touched");
        }
        assert_eq!(entries(tmp.path()), [".out.codegen.lock", "out"]);
    }

    #[test]
    fn check_on_identical_tree_is_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        check(&out, TREE, Mode::Write, written(0, 4, 0));
        check(&out, TREE, Mode::Check, Ok(Outcome::Unchanged));
        assert_tree(&out, TREE);
    }

    #[test]
    fn check_reports_drift_and_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        drifted(&out);
        let before = snapshot(&out);

        let Err(TreeError::Drift(drift)) = ensure_tree(&out, &gen(TREE), Mode::Check, FIX) else {
            panic!("expected drift");
        };
        assert_eq!(drift.changed, ["data.bin", "src/a.rs"]);
        assert_eq!(drift.added, ["Cargo.toml"]);
        assert_eq!(drift.removed, ["src/stale.rs"]);
        for needle in [
            "--- /dev/null\n+++ b/Cargo.toml\n",
            "+name = \"x\"\n",
            "data.bin: binary or non-UTF-8 file\n",
            "--- a/src/a.rs\n+++ b/src/a.rs\n",
            "-twO\n+two\n",
            "--- a/src/stale.rs\n+++ /dev/null\n",
            "-old\n",
        ] {
            assert!(drift.diff.contains(needle), "{needle:?} not in:\n{}", drift.diff);
        }
        let shown = TreeError::Drift(drift).to_string();
        assert!(shown.starts_with("--- /dev/null\n"), "{shown}");
        assert!(shown.ends_with("run `cargo xtask codegen` to update it"), "{shown}");

        assert_eq!(snapshot(&out), before);
        assert_eq!(entries(tmp.path()), [".out.codegen.lock", "out"]);
    }

    #[test]
    fn write_removes_stale_and_updates_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        drifted(&out);
        check(&out, TREE, Mode::Write, written(2, 1, 1));
        assert_tree(&out, TREE);
        assert_eq!(entries(tmp.path()), [".out.codegen.lock", "out"]);
    }

    #[test]
    fn target_dir_is_ignored_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(out.join("target/debug")).unwrap();
        fs::write(out.join("target/debug/artifact"), "build output").unwrap();
        fs::write(out.join("stale.rs"), "old\n").unwrap();

        check(&out, TREE, Mode::Write, written(0, 4, 1));
        let mut want = TREE.to_vec();
        want.push(("target/debug/artifact", "build output"));
        assert_tree(&out, &want);
        check(&out, TREE, Mode::Check, Ok(Outcome::Unchanged));
    }

    #[test]
    fn unsafe_paths_are_rejected_and_nothing_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        for bad in ["../x", "/abs", "", "a\\b", "a/../b", "./a", "a/./b", ".", "a//b", "a/", "target/x"] {
            let mut files = TREE.to_vec();
            files.push((bad, "evil\n"));
            for mode in [Mode::Write, Mode::Check] {
                check(&out, &files, mode, Err(&format!("UnsafePath({bad:?})")));
            }
        }
        let mut dup = TREE.to_vec();
        dup.push(("src/lib.rs", "again\n"));
        check(&out, &dup, Mode::Write, Err("UnsafePath(\"src/lib.rs\")"));
        assert_eq!(entries(tmp.path()), Vec::<String>::new());
    }

    fn refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
        files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect()
    }

    #[test]
    fn diff_output_is_bounded() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let lines = |word: &str, n: usize| -> String { (0..n).map(|i| format!("{word} {i}\n")).collect() };
        let (big_old, big_new) = (lines("old", 5000), lines("new", 5000));
        let (small_old, small_new) = (lines("old", 150), lines("new", 150));
        let names: Vec<String> = (0..8).map(|i| format!("f{i}.txt")).collect();
        let tree = |big: &str, small: &str| -> Vec<(String, String)> {
            let mut files = vec![("big.txt".to_owned(), big.to_owned())];
            files.extend(names.iter().map(|n| (n.clone(), small.to_owned())));
            files
        };
        let (old, new) = (tree(&big_old, &small_old), tree(&big_new, &small_new));
        check(&out, &refs(&old), Mode::Write, written(0, 9, 0));

        let Err(TreeError::Drift(drift)) = ensure_tree(&out, &gen(&refs(&new)), Mode::Check, FIX) else {
            panic!("expected drift");
        };
        let shown: Vec<&str> = drift.diff.lines().collect();
        assert_eq!(shown.len(), MAX_DIFF_LINES_TOTAL + 1, "{}", drift.diff);
        // big.txt and f0..f3: 200 lines each (of 10003 and 303); f4..f7 not diffed.
        assert_eq!(shown[0], "--- a/big.txt");
        assert_eq!(shown[200], "--- a/f0.txt");
        assert!(drift.diff.contains("+++ b/f3.txt"));
        assert!(!drift.diff.contains("f4.txt"));
        // A full diff has 2 header lines, 1 hunk header and the changed lines.
        let cut = (10_003 - 200) + 4 * (303 - 200);
        assert_eq!(
            *shown.last().unwrap(),
            format!(
                "... {cut} more diff lines cut, and 4 more files not shown \
                 (showing at most 200 lines per file and 1000 in total)"
            )
        );
    }
}
