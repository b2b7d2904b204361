//! `cargo xtask`: the workspace's commands. See `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::Settings;
use xtask::codegen_task::{self, Paths};
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
    /// when any schema has a problem. Works offline.
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
        /// Package name of the generated crate.
        #[arg(long, default_value = "cope-events")]
        crate_name: String,
    },
}

fn main() -> ExitCode {
    let Cli { command: Command::Codegen { check, manifest, out, crate_name } } = Cli::parse();
    let defaults = Paths::in_repository();
    let paths = Paths { manifest: manifest.unwrap_or(defaults.manifest), out_dir: out.unwrap_or(defaults.out_dir) };
    let mode = if check { Mode::Check } else { Mode::Write };
    match codegen_task::run(&paths, &Settings::default().with_crate_name(crate_name), mode) {
        Ok(Outcome::Unchanged) => {
            eprintln!("{}: up to date", paths.out_dir.display());
            ExitCode::SUCCESS
        }
        Ok(Outcome::Written { changed, added, removed }) => {
            eprintln!(
                "{}: wrote {changed} changed, {added} new, removed {removed} stale files",
                paths.out_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
