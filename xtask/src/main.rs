//! `cargo xtask`: the workspace's commands. See `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::Settings;
use xtask::codegen_task::TaskError;
use xtask::codegen_task::{self, Paths, Target};
use xtask::compat_task;
use xtask::docs_task::{self, DocsError};
use xtask::fetch::{self, FetchError, FetchOptions, Pinning, RetryPolicy};
use xtask::lock::LockError;
use xtask::tree::{Mode, Outcome, TreeError};

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
    /// when any schema has a problem. Works offline. Without --manifest, --out and --crate-name it generates
    /// every crate of this repository: generated/ from schemas/, and one crate per test
    /// fixture registry under tests/fixtures/.
    Codegen {
        /// Write nothing; print a unified diff of every file that would change, appear or
        /// disappear. Exit status: 0 up to date, 1 drift, 2 could not generate (a schema
        /// error, an unreadable file, a crash).
        #[arg(long)]
        check: bool,
        /// The contract manifest [default: schemas/contracts.toml in this repository].
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// The folder of the generated crate, owned entirely by the generator
        /// [default: generated/ in this repository].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Package name of the generated crate, over the manifest's `[package]` `name`
        /// [default: cope-events].
        #[arg(long, value_name = "NAME")]
        crate_name: Option<String>,
        /// Package version of the generated crate, over the manifest's `[package]` `version`
        /// [default: 0.1.0].
        #[arg(long, value_name = "SEMVER")]
        crate_version: Option<String>,
        /// The folder of the runtime crate (cope-events-runtime), for a path dependency
        /// [default: runtime/ for the crates of this repository; with --manifest or --out,
        /// none: the generated crate takes the runtime from crates.io].
        #[arg(long, value_name = "DIR")]
        runtime: Option<PathBuf>,
    },
    /// Write one Markdown reference page per contract (delivery contract, payload fields, an
    /// example CloudEvent, the versioning rule), `<event_type>.v<N>.md`.
    ///
    /// Reads the manifest and its schemas as codegen does. The pages' folder belongs to this
    /// command: it is replaced whole and atomically, and a folder holding anything but pages is
    /// refused. Works offline.
    Docs {
        /// Write nothing; print a unified diff of every page that would change, appear or
        /// disappear. Exit status: 0 up to date, 1 drift, 2 could not make the pages.
        #[arg(long)]
        check: bool,
        /// The contract manifest [default: schemas/contracts.toml in this repository].
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// The folder of pages [default: docs/contracts/ in this repository].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Download every contract's schema, and every document it `$ref`s, into schemas/, and pin
    /// each one's sha256 and draft in schemas/schemas.lock.
    ///
    /// A contract's schema is downloaded from its id; or, when the manifest has `base_uri` and
    /// the schema lies in its `documents` folder, from `base_uri` plus its path there (the
    /// way a registry serves its files, whatever ids they declare). Referenced documents come
    /// from their ids and are stored below `documents` when their id is under `base_uri`.
    /// Every document is checked before anything is written (HTTP status, Content-Type, size,
    /// JSON, a valid schema for its draft, its `$id` (draft-04: `id`), resolved against
    /// `base_uri`, equal to the id asked for, the contract's constants equal to the
    /// manifest's); a failure leaves schemas/ exactly as it was.
    ///
    /// Pins: a locked document the registry now serves with other bytes is refused unless
    /// --update names it. Hosts: only the hosts of the contract ids, `base_uri`, `registry`
    /// and the manifest's `allowed_hosts` are contacted; a `$ref` to any other host is refused.
    /// https is required except for a mirror on loopback. Failed requests that may pass
    /// (connection failures, timeouts, 408, 429, 5xx) are retried with back-off. The only
    /// command that needs the network, unless --from names a local copy.
    Fetch {
        /// Verify offline instead: every vendored schema matches its lock hash and draft,
        /// every lock entry has its file, every contract and every `$ref`'d document is locked.
        /// Exit status: 0 all match, 1 a mismatch, 2 no readable manifest or lockfile.
        #[arg(long, conflicts_with_all = ["locked", "update"])]
        check: bool,
        /// Download and compare with the lockfile, writing nothing (for a scheduled CI job).
        /// Exit status: 0 as locked, 1 the registry serves something else, 2 it could not be
        /// read.
        #[arg(long, conflicts_with = "update")]
        locked: bool,
        /// Take new bytes for these locked ids (every locked document when no id follows),
        /// printing what changed. Without it, a changed document is refused.
        #[arg(long, value_name = "ID", num_args = 0..)]
        update: Option<Vec<String>>,
        /// The contract manifest [default: schemas/contracts.toml in this repository].
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// Fetch from a mirror: each schema id's path is requested under this base URL
        /// [default: the manifest's `registry`, else the ids themselves].
        #[arg(long, value_name = "URL")]
        registry: Option<String>,
        /// Seconds to wait for a connection and for each read.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// Requests made for one document at most, when failures may pass.
        #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().attempts)]
        attempts: usize,
        /// Seconds the whole fetch may take, retries and their waits included.
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        deadline: u64,
        /// Largest document accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = 4 << 20)]
        max_bytes: u64,
        /// Read the registry from a local folder (a checkout or a copy) instead of the
        /// network: DIR stands for the manifest's `base_uri`, and documents not found by
        /// their path there are found by the id they declare. Writes and locks exactly what a
        /// download would.
        #[arg(long, value_name = "DIR", conflicts_with = "registry")]
        from: Option<PathBuf>,
    },
    /// Write a first manifest for a registry folder: one contract per root document.
    ///
    /// Every `.json` file below FOLDER is registered under its id (its `$id` resolved against
    /// --base-uri, else its path), and the manifest says so (`base_uri`, `documents`), so that
    /// codegen resolves `$ref`s between them offline. A root document (one that no other
    /// document `$ref`s) becomes a contract, version 1. Its event type is guessed: the one
    /// constant string of a member named `type` (also inside nested objects, as in CDEvents'
    /// `context.type`) when it has a dot, else the file's path (`check_run/completed.schema.json`
    /// is `check_run.completed`, `ping/event.schema.json` is `ping`). Its schema_id is its
    /// `$id` as written, else its path; its category the first folder of its path. `source`
    /// comes from --source and `subject_pattern` is `<identifier>`: review and edit them.
    Init {
        /// The registry folder.
        folder: PathBuf,
        /// The manifest to write; FOLDER must be inside its folder.
        #[arg(long, value_name = "FILE", default_value = "contracts.toml")]
        out: PathBuf,
        /// What relative ids resolve against.
        #[arg(long, value_name = "URI", default_value = "https://registry.invalid/")]
        base_uri: String,
        /// CloudEvents `source` of every contract.
        #[arg(long, value_name = "SOURCE", default_value = "registry")]
        source: String,
    },
    /// Runs the generator for `codegen` in a child process and prints the result as JSON.
    #[command(hide = true, name = "generate-worker")]
    GenerateWorker {
        #[arg(long)]
        manifest: PathBuf,
        #[arg(long)]
        crate_name: Option<String>,
        #[arg(long)]
        crate_version: Option<String>,
        /// The runtime's folder relative to the generated crate's, as `Cargo.toml` writes it.
        #[arg(long)]
        runtime_path: Option<String>,
    },
    /// Check that schema edits follow the versioning rule: within a version, fields may be
    /// added; removing or changing the meaning of a documented field needs a new version.
    ///
    /// Compares every schema of the manifest with its state at a git revision (or two files),
    /// and prints every change, one a line: `file:pointer: RULE_ID: message`. Accepted
    /// exceptions are listed, each with a justification, in schemas/compat-ignore.toml.
    /// Exit status: 0 compatible, 1 breaking, 2 cannot judge (unknown keyword, unresolvable
    /// $ref, unreadable input).
    Compat {
        /// The git revision holding the previous state of the schemas.
        #[arg(long, value_name = "REV", default_value = "HEAD", conflicts_with_all = ["old", "new", "history"])]
        base: String,
        /// Compare with every committed state of the manifest's folder instead, since it was
        /// added: a break reached in small steps is still a break against the first.
        #[arg(long, conflicts_with_all = ["old", "new"])]
        history: bool,
        /// The contract manifest [default: schemas/contracts.toml in this repository].
        #[arg(long, value_name = "FILE", conflicts_with_all = ["old", "new"])]
        manifest: Option<PathBuf>,
        /// Compare two files instead: the previous state...
        #[arg(long, value_name = "OLD.json", requires = "new")]
        old: Option<PathBuf>,
        /// ...and the new one.
        #[arg(long, value_name = "NEW.json", requires = "old")]
        new: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Accepted exceptions [default: compat-ignore.toml beside the manifest].
        #[arg(long, value_name = "FILE")]
        ignore: Option<PathBuf>,
        /// Print every rule id with its severity and exit.
        #[arg(long)]
        list_rules: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One finding a line, then a summary.
    Text,
    /// One JSON document (see the README for its shape).
    Json,
    /// GitHub Actions workflow commands (`::error file=…::…`): each finding becomes an
    /// annotation on the pull request.
    GithubActions,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Codegen { check, manifest, out, crate_name, crate_version, runtime } => {
            codegen(check, manifest, out, runtime, settings(crate_name, crate_version))
        }
        Command::GenerateWorker { manifest, crate_name, crate_version, runtime_path } => {
            let settings =
                runtime_path.into_iter().fold(settings(crate_name, crate_version), Settings::with_runtime_path);
            xtask::worker::serve(&manifest, settings)
        }
        Command::Docs { check, manifest, out } => docs(check, manifest, out),
        Command::Init { folder, out, base_uri, source } => {
            match xtask::init_task::run(&xtask::init_task::InitOptions { folder, out: out.clone(), base_uri, source }) {
                Ok(guesses) => {
                    let from_constant = guesses.iter().filter(|guess| guess.from.contains("constant")).count();
                    eprintln!(
                        "wrote {} with {} contracts (event types: {from_constant} from a `type` constant, {} from paths); review it",
                        out.display(),
                        guesses.len(),
                        guesses.len() - from_constant
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Fetch { check, locked, update, manifest, registry, timeout, attempts, deadline, max_bytes, from } => {
            let manifest = manifest.unwrap_or(Paths::in_repository().manifest);
            if check {
                return fetch_check(&manifest);
            }
            if from.is_none() && !cfg!(feature = "network") {
                return with_network();
            }
            let pinning = match update {
                _ if locked => Pinning::Locked,
                None => Pinning::Enforce,
                Some(ids) if ids.is_empty() => Pinning::Update(None),
                Some(ids) => Pinning::Update(Some(ids.into_iter().collect())),
            };
            let options = FetchOptions {
                registry,
                timeout: std::time::Duration::from_secs(timeout),
                max_bytes,
                from,
                pinning,
                retry: RetryPolicy { attempts: attempts.max(1), ..RetryPolicy::default() },
                deadline: std::time::Duration::from_secs(deadline),
                ..FetchOptions::new(manifest)
            };
            fetch(&options)
        }
        Command::Compat { base, history, manifest, old, new, format, ignore, list_rules } => {
            if list_rules {
                for (id, (severity, summary)) in compat_task::rule_table() {
                    println!("{id:<32} {severity:<10} {summary}");
                }
                return ExitCode::SUCCESS;
            }
            let against = match old.zip(new) {
                Some(files) => Against::Files(files),
                None if history => Against::History,
                None => Against::Base(base),
            };
            compat(against, manifest, format, ignore)
        }
    }
}

/// Runs this command again in the build of xtask that has the HTTP client (feature
/// `network`): `cargo xtask` builds xtask without it, so that `codegen`, `docs`, `compat` and
/// `fetch --check` never compile the client and its TLS stack; only a fetch that goes to the
/// network pays for them, once.
fn with_network() -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "--package", "xtask", "--features", "network", "--"])
        .args(std::env::args_os().skip(1))
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(status.code().and_then(|code| u8::try_from(code).ok()).unwrap_or(1)),
        Err(error) => {
            eprintln!("error: could not run cargo for the xtask build with its HTTP client: {error}");
            ExitCode::FAILURE
        }
    }
}

fn fetch(options: &FetchOptions) -> ExitCode {
    match fetch::run(options) {
        Ok(report) if options.pinning == Pinning::Locked => {
            eprintln!("{} documents are served as the lockfile pins them", report.documents);
            ExitCode::SUCCESS
        }
        Ok(report) => {
            for update in &report.updated {
                let (before, after) = &update.sha256;
                eprintln!("updated {} ({}): sha256 {before} -> {after}", update.id, update.file);
                if let Some((before, after)) = &update.draft {
                    eprintln!("  read under {after}, was {before}");
                }
                print!("{}", update.diff);
            }
            for file in &report.written {
                eprintln!("fetched {file}");
            }
            for file in &report.removed {
                eprintln!("removed {file} (no longer referenced)");
            }
            let lock = if report.lock_changed { "updated" } else { "unchanged" };
            eprintln!("{} documents locked; lockfile {lock}", report.documents);
            ExitCode::SUCCESS
        }
        Err(error) if options.pinning == Pinning::Locked => {
            eprintln!("error: {error}\nfetch --locked: nothing is written");
            // Differences are findings; a registry that cannot be read is a check not run.
            if matches!(error, FetchError::NotAsLocked { .. }) {
                Status::Findings.into()
            } else {
                Status::CouldNotRun.into()
            }
        }
        Err(error) => {
            eprintln!("error: {error}\nfetch failed; nothing was changed");
            ExitCode::FAILURE
        }
    }
}

fn fetch_check(manifest: &std::path::Path) -> ExitCode {
    match fetch::check(manifest) {
        Ok(count) => {
            eprintln!("{count} documents match the lockfile");
            Status::Clean.into()
        }
        Err(problems) => {
            let mut status = Status::Findings;
            for problem in problems {
                eprintln!("error: {problem}");
                if could_not_check(&problem) {
                    status = Status::CouldNotRun;
                }
            }
            status.into()
        }
    }
}

/// A problem that stops a check from running (an unreadable manifest or lockfile), rather
/// than one it found.
fn could_not_check(problem: &FetchError) -> bool {
    match problem {
        FetchError::Setup(_) | FetchError::Write { .. } => true,
        FetchError::Lock(error) => matches!(**error, LockError::Read { .. } | LockError::Syntax { .. }),
        FetchError::Document { .. } | FetchError::NotAsLocked { .. } => false,
    }
}

/// What `compat` compares the current schemas with.
enum Against {
    /// Their state at a git revision.
    Base(String),
    /// Every committed state of the manifest's folder.
    History,
    /// Two files given on the command line: the old one and the new one.
    Files((PathBuf, PathBuf)),
}

fn compat(against: Against, manifest: Option<PathBuf>, format: Format, ignore: Option<PathBuf>) -> ExitCode {
    let manifest = manifest.unwrap_or(Paths::in_repository().manifest);
    let ignore = ignore.unwrap_or_else(|| compat_task::ignore_file_beside(&manifest));
    let report = compat_task::load_ignore_file(&ignore).and_then(|accepted| match &against {
        Against::Files((old, new)) => {
            compat_task::file_pair(old, new).map(|pair| compat_task::judge(&[pair], &accepted))
        }
        Against::History => compat_task::Checkout::open(&manifest)?.judge_history(&accepted),
        Against::Base(base) => compat_task::Checkout::open(&manifest)?.judge_against(base, &accepted),
    });
    let report = match report {
        Ok(report) => report,
        Err(error) => {
            eprintln!("compat: cannot judge: {error}");
            return ExitCode::from(compat_task::Verdict::Unjudgeable as u8);
        }
    };
    match format {
        Format::Text => print!("{}", report.to_text()),
        Format::Json => print!("{}", report.to_json()),
        Format::GithubActions => print!("{}", report.to_github_actions()),
    }
    ExitCode::from(report.verdict() as u8)
}

/// How a checking command ends (`codegen --check`, `docs --check`, `fetch --check`, `fetch --locked`, and
/// `compat`'s verdicts): 0 clean, 1 findings or drift, 2 could not run. A CI job can tell a
/// change to review from a broken setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Clean = 0,
    Findings = 1,
    CouldNotRun = 2,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// The crate name and version the command line sets.
fn settings(crate_name: Option<String>, crate_version: Option<String>) -> Settings {
    let settings = crate_name.into_iter().fold(Settings::default(), Settings::with_crate_name);
    crate_version.into_iter().fold(settings, Settings::with_crate_version)
}

fn codegen(
    check: bool,
    manifest: Option<PathBuf>,
    out: Option<PathBuf>,
    runtime: Option<PathBuf>,
    settings: Settings,
) -> ExitCode {
    let mode = if check { Mode::Check } else { Mode::Write };
    // Writing fails with 1 whatever the reason; checking tells drift (1) from a failure (2).
    let could_not_run = if check { Status::CouldNotRun } else { Status::Findings };
    let targets = match targets(manifest, out, runtime, settings) {
        Ok(targets) => targets,
        Err(error) => {
            eprintln!("{error}");
            return could_not_run.into();
        }
    };
    let executable = match std::env::current_exe() {
        Ok(executable) => executable,
        Err(error) => {
            eprintln!("cannot find this program to run the generator in a child process: {error}");
            return could_not_run.into();
        }
    };
    let mut status = Status::Clean;
    for Target { paths, settings } in &targets {
        match codegen_task::run_isolated(&executable, paths, settings, mode) {
            Ok(Outcome::Unchanged) => eprintln!("{}: up to date", paths.out_dir.display()),
            Ok(Outcome::Written { changed, added, removed }) => eprintln!(
                "{}: wrote {changed} changed and {added} new files, removed {removed} stale ones",
                paths.out_dir.display()
            ),
            Err(error) => {
                eprintln!("{}: {error}", paths.out_dir.display());
                let this = if matches!(error, TaskError::Tree(TreeError::Drift(_))) {
                    Status::Findings
                } else {
                    could_not_run
                };
                status = status.max(this);
            }
        }
    }
    status.into()
}

fn docs(check: bool, manifest: Option<PathBuf>, out: Option<PathBuf>) -> ExitCode {
    let defaults = docs_task::paths_in_repository();
    let paths = Paths { manifest: manifest.unwrap_or(defaults.manifest), out_dir: out.unwrap_or(defaults.out_dir) };
    let mode = if check { Mode::Check } else { Mode::Write };
    match docs_task::run(&paths, mode) {
        Ok(Outcome::Unchanged) => {
            eprintln!("{}: up to date", paths.out_dir.display());
            Status::Clean.into()
        }
        Ok(Outcome::Written { changed, added, removed }) => {
            eprintln!(
                "{}: wrote {changed} changed and {added} new pages, removed {removed} stale ones",
                paths.out_dir.display()
            );
            Status::Clean.into()
        }
        Err(error) => {
            eprintln!("{}: {error}", paths.out_dir.display());
            match error {
                DocsError::Tree(TreeError::Drift(_)) => Status::Findings,
                // Writing fails with 1 whatever the reason; checking tells drift (1) from a failure (2).
                _ if check => Status::CouldNotRun,
                _ => Status::Findings,
            }
            .into()
        }
    }
}

/// The crates to generate: the one the options name, or every crate of this repository.
fn targets(
    manifest: Option<PathBuf>,
    out: Option<PathBuf>,
    runtime: Option<PathBuf>,
    settings: Settings,
) -> Result<Vec<Target>, codegen_task::TaskError> {
    if manifest.is_none() && out.is_none() && runtime.is_none() && settings == Settings::default() {
        return Target::all_in_repository();
    }
    let defaults = Paths::in_repository();
    let paths = Paths { manifest: manifest.unwrap_or(defaults.manifest), out_dir: out.unwrap_or(defaults.out_dir) };
    let settings = match runtime {
        Some(runtime) => settings.with_runtime_path(codegen_task::relative_path(&paths.out_dir, &runtime)?),
        None => settings,
    };
    Ok(vec![Target { paths, settings }])
}
