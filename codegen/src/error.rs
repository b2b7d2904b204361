//! The generator's errors: each names the file and, where it applies, the JSON pointer or
//! manifest key at fault.

use std::fmt;

/// One problem found in the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The manifest is not valid TOML or does not have the manifest's shape.
    #[error("{file}: {message}")]
    ManifestSyntax {
        /// The manifest file.
        file: String,
        /// What the TOML parser reported, with line and column.
        message: String,
    },
    /// A manifest entry has a value the generator cannot use.
    #[error("{file}: {key}: {message}")]
    ManifestValue {
        /// The manifest file.
        file: String,
        /// The key at fault, e.g. `contract[0].event_type`.
        key: String,
        /// Why the value is rejected.
        message: String,
    },
    /// A setting of the generator (the crate name) has a value it cannot use.
    #[error("{setting} `{value}`: {message}")]
    Setting {
        /// The setting, as the command line names it, e.g. `--crate-name`.
        setting: String,
        /// Its value.
        value: String,
        /// Why the value is rejected.
        message: String,
    },
    /// A schema file named by the manifest was not handed to the generator.
    #[error("{file}: schema file is missing")]
    MissingSchema {
        /// The schema file.
        file: String,
    },
    /// A schema file is not valid JSON.
    #[error("{file}: not valid JSON: {message}")]
    SchemaSyntax {
        /// The schema file.
        file: String,
        /// What the JSON parser reported, with line and column.
        message: String,
    },
    /// A schema uses something the generator does not support, or breaks a JSON Schema rule.
    #[error("{file}#{pointer}: {message}")]
    Schema {
        /// The schema file.
        file: String,
        /// JSON pointer to the offending keyword.
        pointer: String,
        /// What is wrong there.
        message: String,
    },
    /// Generated code that does not parse (a bug of the generator, reported rather than
    /// written).
    #[error("{file}: generated type `{type_name}`: {message}")]
    GeneratedShape {
        /// The schema file.
        file: String,
        /// The Rust type or file at fault.
        type_name: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Something that generates but deserves a look: an unknown keyword (read as an annotation,
/// as JSON Schema says), a `required` member no property describes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// What kind of thing it is.
    pub kind: WarningKind,
    /// The schema file.
    pub file: String,
    /// JSON pointer to the keyword.
    pub pointer: String,
    /// What was found there.
    pub message: String,
}

/// The kinds of [`Warning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WarningKind {
    /// A keyword the generator does not know (a vendor keyword, a typo); an error with the
    /// manifest's `unknown_keywords = "error"`.
    UnknownKeyword,
    /// Anything else.
    Schema,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: {}", self.file, self.pointer, self.message)
    }
}

impl From<Warning> for Error {
    fn from(warning: Warning) -> Error {
        Error::Schema { file: warning.file, pointer: warning.pointer, message: warning.message }
    }
}

/// Every problem found in one phase of generation, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<Error>);

impl Errors {
    /// The problems, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Error> {
        self.0.iter()
    }
}

impl From<Error> for Errors {
    fn from(error: Error) -> Self {
        Errors(vec![error])
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// Fails with every error collected, or succeeds with `value` when there were none.
pub(crate) fn collected<T>(value: T, errors: Vec<Error>) -> Result<T, Errors> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(Errors(errors))
    }
}
