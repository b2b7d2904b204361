//! The generated crate's package metadata: the manifest's `[package]` table, with the CLI's
//! `--crate-name` and `--crate-version` over it, checked before anything is generated.

use crate::error::{Error, Errors};
use crate::manifest::{Manifest, Publish};
use crate::Settings;

/// The `rust-version` of a generated crate whose manifest sets none: the oldest toolchain its
/// code and its dependency graph (this repository's `Cargo.lock`, every feature on) build on,
/// checked by `tests/it/toolchain.rs` and by clippy's `incompatible_msrv`.
pub const GENERATED_RUST_VERSION: &str = "1.89";

/// The crate every generated crate depends on for its envelope, errors and decoding machinery
/// (`runtime/` in this repository).
pub const RUNTIME_CRATE: &str = "cope-events-runtime";

/// The version of [`RUNTIME_CRATE`] the generated code is written against; generated crates
/// pin it exactly, since they call its hidden helpers. `tests/it/toolchain.rs` checks that it
/// is the version of `runtime/Cargo.toml`.
pub const RUNTIME_VERSION: &str = "0.1.0";

/// What the generated `Cargo.toml` says of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    pub name: String,
    pub version: String,
    pub description: String,
    pub license: Option<String>,
    pub publish: Publish,
    pub rust_version: String,
    /// The runtime crate's folder, relative to the generated crate's, for a path dependency.
    pub runtime_path: Option<String>,
}

/// The package of `manifest` under `settings`; a bad value is an error naming the setting or
/// the manifest key.
pub(crate) fn resolve(manifest: &Manifest, settings: &Settings) -> Result<Package, Errors> {
    let metadata = &manifest.package;
    let mut errors = Vec::new();
    let mut pick = |cli: Option<&str>,
                    flag: &str,
                    key: &str,
                    value: Option<&String>,
                    default: &str,
                    problem: fn(&str) -> Option<String>| {
        let (chosen, blame) = match (cli, value) {
            (Some(cli), _) => (cli.to_owned(), Err(flag.to_owned())),
            (None, Some(value)) => (value.clone(), Ok(key.to_owned())),
            (None, None) => return default.to_owned(),
        };
        if let Some(message) = problem(&chosen) {
            errors.push(match blame {
                Err(setting) => Error::Setting { setting, value: chosen.clone(), message },
                Ok(key) => {
                    Error::ManifestValue { file: manifest.file.clone(), key, message: format!("`{chosen}` {message}") }
                }
            });
        }
        chosen
    };
    let name = pick(
        settings.crate_name(),
        "--crate-name",
        "package.name",
        metadata.name.as_ref(),
        "cope-events",
        crate::file_names::crate_name_problem,
    );
    let version = pick(
        settings.crate_version(),
        "--crate-version",
        "package.version",
        metadata.version.as_ref(),
        "0.1.0",
        semver_problem,
    );
    let rust_version = pick(
        None,
        "",
        "package.rust-version",
        metadata.rust_version.as_ref(),
        GENERATED_RUST_VERSION,
        rust_version_problem,
    );
    let description = metadata.description.clone().unwrap_or_else(|| {
        format!("Typed events of {}: CloudEvents envelope, payload types and dispatch enums.", manifest.file)
    });
    crate::error::collected(
        Package {
            name,
            version,
            description,
            license: metadata.license.clone(),
            publish: metadata.publish.clone().unwrap_or(Publish::Allowed(false)),
            rust_version,
            runtime_path: settings.runtime_path().map(str::to_owned),
        },
        errors,
    )
}

/// Why `version` is not a semver version (`MAJOR.MINOR.PATCH`, then maybe `-pre` and `+build`).
fn semver_problem(version: &str) -> Option<String> {
    let (core, rest) = match version.find(['-', '+']) {
        Some(at) => version.split_at(at),
        None => (version, ""),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = |part: &&str| {
        !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()) && (*part == "0" || !part.starts_with('0'))
    };
    let labels = rest.is_empty()
        || rest[1..]
            .split(['.', '+'])
            .all(|label| !label.is_empty() && label.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-'));
    (numbers.len() != 3 || !numbers.iter().all(numeric) || !labels)
        .then(|| "is not a semver version (MAJOR.MINOR.PATCH, as `1.0.0` or `2.1.0-rc.1`)".to_owned())
}

/// Why `version` is not a Rust version as Cargo's `rust-version` takes it (`1.89`, `1.89.0`).
fn rust_version_problem(version: &str) -> Option<String> {
    let parts: Vec<&str> = version.split('.').collect();
    let numeric = parts.iter().all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()));
    (!(2..=3).contains(&parts.len()) || !numeric).then(|| "is not a Rust version (as `1.89` or `1.89.0`)".to_owned())
}

impl Package {
    /// The `[package]` table's lines, each value TOML-quoted.
    pub(crate) fn toml_lines(&self) -> String {
        let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
        let mut lines = format!(
            "name = {}\nversion = {}\nedition = \"2021\"\nrust-version = {}\ndescription = {}\n",
            quoted(&self.name),
            quoted(&self.version),
            quoted(&self.rust_version),
            quoted(&self.description)
        );
        if let Some(license) = &self.license {
            lines.push_str(&format!("license = {}\n", quoted(license)));
        }
        match &self.publish {
            Publish::Allowed(true) => {}
            Publish::Allowed(false) => lines.push_str("publish = false\n"),
            Publish::Registries(registries) => {
                let list: Vec<String> = registries.iter().map(|registry| quoted(registry)).collect();
                lines.push_str(&format!("publish = [{}]\n", list.join(", ")));
            }
        }
        lines
    }

    /// The dependency line of the runtime crate.
    pub(crate) fn runtime_dependency(&self) -> String {
        let path = match &self.runtime_path {
            Some(path) => format!(", path = {}", toml::Value::String(path.clone())),
            None => String::new(),
        };
        format!("{RUNTIME_CRATE} = {{ version = \"={RUNTIME_VERSION}\"{path} }}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(package: &str) -> Manifest {
        Manifest::parse("contracts.toml", &format!("[package]\n{package}\n")).unwrap()
    }

    #[test]
    fn the_cli_wins_over_the_manifest() {
        let manifest = manifest("name = \"shop-events\"\nversion = \"3.0.0\"");
        let package = resolve(&manifest, &Settings::default()).unwrap();
        assert_eq!((package.name.as_str(), package.version.as_str()), ("shop-events", "3.0.0"));
        let settings = Settings::default().with_crate_name("other").with_crate_version("4.1.0");
        let package = resolve(&manifest, &settings).unwrap();
        assert_eq!((package.name.as_str(), package.version.as_str()), ("other", "4.1.0"));
    }

    #[test]
    fn bad_values_name_their_key_or_flag() {
        let manifest = manifest("version = \"1.0\"\nrust-version = \"latest\"\nname = \"fn\"");
        let errors = resolve(&manifest, &Settings::default()).unwrap_err().to_string();
        for expected in ["package.version", "`1.0` is not a semver version", "package.rust-version", "package.name"] {
            assert!(errors.contains(expected), "{expected} in {errors}");
        }
        let errors =
            resolve(&Manifest::parse("m.toml", "").unwrap(), &Settings::default().with_crate_version("01.2.3"))
                .unwrap_err()
                .to_string();
        assert!(errors.contains("--crate-version"), "{errors}");
    }

    #[test]
    fn semver_versions() {
        for good in ["0.1.0", "1.0.0", "2.1.0-rc.1", "1.0.0+build.5", "10.20.30-alpha-1"] {
            assert_eq!(semver_problem(good), None, "{good}");
        }
        for bad in ["1", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-a..b", "v1.0.0", ""] {
            assert!(semver_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn metadata_is_quoted_toml() {
        let manifest = manifest(
            "description = \"Say \\\"hi\\\"\"\nlicense = \"MIT OR Apache-2.0\"\npublish = [\"internal\"]\nrust-version = \"1.90\"",
        );
        let lines = resolve(&manifest, &Settings::default()).unwrap().toml_lines();
        let parsed: toml::Table = toml::from_str(&lines).unwrap();
        assert_eq!(parsed["description"].as_str(), Some("Say \"hi\""));
        assert_eq!(parsed["license"].as_str(), Some("MIT OR Apache-2.0"));
        assert_eq!(parsed["publish"].as_array().map(Vec::len), Some(1));
        assert_eq!(parsed["rust-version"].as_str(), Some("1.90"));
        let default = resolve(&Manifest::parse("m.toml", "").unwrap(), &Settings::default()).unwrap().toml_lines();
        assert!(default.contains("publish = false\n") && default.contains("rust-version = \"1.89\"\n"), "{default}");
    }
}
