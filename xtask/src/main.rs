//! `cargo xtask`: the workspace's commands. See `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::Settings;
use xtask::codegen_task::{self, Paths, Target};
use xtask::tree::{Mode, Outcome};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Workspace commands for the COPE event code generator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the typed event crate from the contract manifest and its JSON Schemas.
    ///
    /// Writes the whole crate (Cargo.toml and src/) into the output folder, replacing it
    /// atomically: files the generator no longer produces are removed, and nothing is written
    /// when any schema has a problem. Works offline. Without --manifest and --out it generates
    /// every crate of this repository: generated/ from schemas/, and one crate per test
    /// fixture registry under tests/fixtures/.
    Codegen {
        /// Write nothing; print a unified diff of every file that would change, appear or
        /// disappear, and exit with status 1 if there is any.
        #[arg(long)]
        check: bool,
        /// The contract manifest [default: schemas/contracts.toml in this repository].
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// The folder of the generated crate, owned entirely by the generator
        /// [default: generated/ in this repository].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Package name of the generated crate [default: cope-events].
        #[arg(long, value_name = "NAME")]
        crate_name: Option<String>,
    },
}

fn main() -> ExitCode {
    let Cli { command: Command::Codegen { check, manifest, out, crate_name } } = Cli::parse();
    let mode = if check { Mode::Check } else { Mode::Write };
    let targets = match targets(manifest, out, crate_name) {
        Ok(targets) => targets,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for Target { paths, settings } in &targets {
        match codegen_task::run(paths, settings, mode) {
            Ok(Outcome::Unchanged) => eprintln!("{}: up to date", paths.out_dir.display()),
            Ok(Outcome::Written { changed, added, removed }) => eprintln!(
                "{}: wrote {changed} changed and {added} new files, removed {removed} stale ones",
                paths.out_dir.display()
            ),
            Err(error) => {
                eprintln!("{}: {error}", paths.out_dir.display());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The crates to generate: the one the options name, or every crate of this repository.
fn targets(
    manifest: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: Option<String>,
) -> Result<Vec<Target>, codegen_task::TaskError> {
    if manifest.is_none() && out.is_none() && crate_name.is_none() {
        return Target::all_in_repository();
    }
    let defaults = Paths::in_repository();
    let settings = crate_name.map_or_else(Settings::default, |name| Settings::default().with_crate_name(name));
    Ok(vec![Target {
        paths: Paths { manifest: manifest.unwrap_or(defaults.manifest), out_dir: out.unwrap_or(defaults.out_dir) },
        settings,
    }])
}
