//! Names that become a package or files on someone else's machine: the crate name must be one
//! Cargo accepts, and no generated path may be a Windows device name (`con.rs` cannot be
//! created there) or differ from another only by case (macOS and Windows file systems would
//! make the two one file).

use std::collections::BTreeMap;

/// Windows device names: a file whose name is one of these, with any extension, is the device.
const DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt0",
    "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Crates every Rust program can name: a package of one of these names shadows it.
const BUILT_IN_CRATES: &[&str] = &["alloc", "core", "proc_macro", "std", "test"];

/// Whether `segment` (one file or folder name) is a Windows device name, whatever its case and
/// extension: `con`, `NUL.rs`, `com1.txt`.
pub(crate) fn is_device_name(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or(segment).trim_end_matches(' ');
    DEVICE_NAMES.iter().any(|device| stem.eq_ignore_ascii_case(device))
}

/// Why `name` cannot be the generated crate's package name, if it cannot: Cargo's rules (1 to
/// 64 ASCII letters, digits, `-` and `_`, starting with a letter), not a Rust keyword, not a
/// built-in crate, not a Windows device name.
pub(crate) fn crate_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 64 {
        return Some("must be 1 to 64 characters long".to_owned());
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("must start with an ASCII letter".to_owned());
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Some(format!("may hold only ASCII letters, digits, `-` and `_`, not `{}`", bad.escape_default()));
    }
    let as_identifier = name.replace('-', "_");
    if syn::parse_str::<syn::Ident>(&as_identifier).is_err() {
        return Some(format!("`{as_identifier}` is a Rust keyword"));
    }
    if BUILT_IN_CRATES.contains(&as_identifier.as_str()) {
        return Some(format!("`{as_identifier}` is a crate built into Rust"));
    }
    if is_device_name(name) {
        return Some("is a device name on Windows".to_owned());
    }
    None
}

/// The first two paths that are one file on a file system that ignores case, if any.
pub(crate) fn case_collision<'a>(paths: impl IntoIterator<Item = &'a str>) -> Option<(&'a str, &'a str)> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for path in paths {
        if let Some(other) = seen.insert(path.to_lowercase(), path) {
            return Some((other, path));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_follow_cargo() {
        for good in ["cope-events", "cope_events", "a", "events2", "x-1_y"] {
            assert_eq!(crate_name_problem(good), None, "{good}");
        }
        for (bad, says) in [
            ("", "1 to 64"),
            (&"a".repeat(65), "1 to 64"),
            ("../../evil", "start with"),
            ("1events", "start with"),
            ("cope events", "not ` `"),
            ("cope/events", "not `/`"),
            ("événements", "start with"),
            ("fn", "keyword"),
            ("self", "keyword"),
            ("std", "built into"),
            ("proc-macro", "built into"),
            ("con", "device name"),
            ("Nul", "device name"),
        ] {
            let problem = crate_name_problem(bad).unwrap_or_else(|| panic!("{bad} is refused"));
            assert!(problem.contains(says), "{bad}: {problem}");
        }
    }

    #[test]
    fn device_names_whatever_the_case_and_extension() {
        for device in ["con", "CON", "nul.rs", "Com1.txt", "lpt9", "aux.tar.gz"] {
            assert!(is_device_name(device), "{device}");
        }
        for plain in ["console", "null", "com10", "icon", "v1.rs", "connect.rs"] {
            assert!(!is_device_name(plain), "{plain}");
        }
    }

    #[test]
    fn paths_that_differ_only_by_case_collide() {
        assert_eq!(case_collision(["src/a.rs", "src/b.rs", "src/A.rs"]), Some(("src/a.rs", "src/A.rs")));
        assert_eq!(case_collision(["src/a.rs", "src/b.rs"]), None);
    }
}
