//! Generation in a child process. The generator recurses over the schemas it reads, and a
//! stack overflow aborts the whole process: unlike a panic it cannot be caught. So `cargo
//! xtask codegen` runs the generator in a child (`xtask generate-worker`, hidden) and turns a
//! child that dies into an error naming the schemas it was reading; nothing is written then.
//!
//! The child prints a line on stderr as it starts reading each schema and another when it is
//! done (the generator reads several at once, on threads of the stack size the child's own
//! thread has), and its [`Reply`]
//! as JSON on stdout; the parent prints the report (warnings, keywords not enforced). The
//! parent holds the child's stdin open and never writes to it: when the parent dies, the
//! child reads the end of its input and exits, instead of generating for nobody.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use codegen::{GeneratedFile, Progress, Settings};
use serde::{Deserialize, Serialize};

use crate::codegen_task::{load_registry, Paths, TaskError};

/// What the child answers, as one JSON document on stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    /// The crate's files, and the report to print.
    Generated { files: Vec<WireFile>, report: Vec<String> },
    /// The registry's problems, as the message to print.
    Failed { errors: String },
}

/// One generated file on the wire.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireFile {
    /// Relative to the crate's folder.
    pub path: String,
    /// Its text.
    pub contents: String,
}

/// The child's exit status when its parent is gone (its stdin ended).
pub const ORPHANED_EXIT: u8 = 3;

/// The hidden subcommand the child runs.
pub const WORKER_COMMAND: &str = "generate-worker";
/// Stack size of the generator's thread in the child, in KiB (default: the platform's).
pub const STACK_ENV: &str = "COPE_CODEGEN_STACK_KIB";
/// How the child announces the schema it starts reading.
const READING: &str = "cope-codegen: reading ";
/// How the child announces that it is done with a schema.
const READ: &str = "cope-codegen: read ";

/// In the child: generates and prints the result; exits 0 with files, 1 with errors.
pub fn serve(manifest: &Path, settings: Settings) -> ExitCode {
    exit_when_input_ends();
    let stack_size = std::env::var(STACK_ENV).ok().and_then(|kib| kib.parse::<usize>().ok()).map(|kib| kib * 1024);
    let settings = stack_size.into_iter().fold(settings, Settings::with_thread_stack_size);
    let manifest = manifest.to_path_buf();
    let work = move || -> Reply {
        let registry = match load_registry(&manifest) {
            Ok(registry) => registry,
            Err(error) => return Reply::Failed { errors: error.to_string() },
        };
        let generated = codegen::generate_with_progress(&registry, &settings, &|progress| match progress {
            Progress::Reading(file) => eprintln!("{READING}{file}"),
            Progress::Read(file) => eprintln!("{READ}{file}"),
        });
        match generated {
            Ok(generated) => Reply::Generated {
                report: crate::codegen_task::report(&generated),
                files: generated
                    .files
                    .into_iter()
                    .map(|file| WireFile { path: file.path, contents: file.contents })
                    .collect(),
            },
            Err(errors) => Reply::Failed { errors: TaskError::Generate(errors).to_string() },
        }
    };
    let mut thread = std::thread::Builder::new().name("codegen".to_owned());
    if let Some(bytes) = stack_size {
        thread = thread.stack_size(bytes);
    }
    let reply = thread
        .spawn(work)
        .and_then(|handle| handle.join().map_err(|_| std::io::Error::other("the generator panicked")))
        .unwrap_or_else(|error| Reply::Failed { errors: format!("the generator failed: {error}") });
    let generated = matches!(reply, Reply::Generated { .. });
    match serde_json::to_string(&reply) {
        Ok(json) => println!("{json}"),
        Err(error) => {
            eprintln!("cannot encode the reply: {error}");
            return ExitCode::FAILURE;
        }
    }
    if generated {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Watches stdin on a thread of its own: when it ends (the parent closed it, or died), the
/// process exits with [`ORPHANED_EXIT`].
fn exit_when_input_ends() {
    std::thread::spawn(|| {
        let mut sink = [0_u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(read) if read > 0) {}
        std::process::exit(i32::from(ORPHANED_EXIT));
    });
}

/// In the parent: the generated files, from a child process running `executable` (this xtask
/// binary).
pub fn generated_files_isolated(
    executable: &Path,
    paths: &Paths,
    settings: &Settings,
) -> Result<Vec<GeneratedFile>, TaskError> {
    // stdin is piped and kept open (never written) while the child runs: see the module docs.
    let mut child = Command::new(executable)
        .arg(WORKER_COMMAND)
        .arg("--manifest")
        .arg(&paths.manifest)
        .args(settings.crate_name().map(|name| ["--crate-name", name]).into_iter().flatten())
        .args(settings.crate_version().map(|version| ["--crate-version", version]).into_iter().flatten())
        .args(settings.runtime_path().map(|path| ["--runtime-path", path]).into_iter().flatten())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| TaskError::Read { path: executable.display().to_string(), source })?;
    // Taken out of `child`, so that `wait_with_output` (which closes the stdin it holds) keeps
    // it open; it closes when this function returns.
    let _held_open = child.stdin.take();
    let output = child
        .wait_with_output()
        .map_err(|source| TaskError::Read { path: executable.display().to_string(), source })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    match serde_json::from_slice::<Reply>(&output.stdout) {
        Ok(Reply::Generated { files, report }) => {
            for line in report {
                eprintln!("{line}");
            }
            Ok(files.into_iter().map(|file| GeneratedFile { path: file.path, contents: file.contents }).collect())
        }
        Ok(Reply::Failed { errors }) => Err(TaskError::Rejected(errors)),
        // Nothing on stdout: the child died before answering.
        Err(_) if output.stdout.iter().all(u8::is_ascii_whitespace) => {
            Err(TaskError::Crashed { file: in_flight(&stderr), status: describe(&output.status) })
        }
        Err(error) => Err(TaskError::Crashed {
            file: None,
            status: format!("{}, with an answer this xtask cannot read ({error})", describe(&output.status)),
        }),
    }
}

/// The schemas the child had started and not finished reading, in the order it started them
/// (`a.json or b.json`), from its progress lines.
fn in_flight(stderr: &str) -> Option<String> {
    let mut reading: Vec<&str> = Vec::new();
    for line in stderr.lines() {
        if let Some(file) = line.strip_prefix(READING) {
            reading.push(file);
        } else if let Some(file) = line.strip_prefix(READ) {
            if let Some(at) = reading.iter().position(|started| *started == file) {
                reading.remove(at);
            }
        }
    }
    (!reading.is_empty()).then(|| reading.join(" or "))
}

/// How the child ended, e.g. `killed by signal 11 (SIGSEGV: a stack overflow)`.
fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => " (SIGABRT: an abort, e.g. a stack overflow)",
                11 => " (SIGSEGV: e.g. a stack overflow)",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    format!("exited with {status} without a result")
}
