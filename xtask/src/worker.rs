//! Generation in a child process. The generator recurses over the schemas it reads, and a
//! stack overflow aborts the whole process: unlike a panic it cannot be caught. So `cargo
//! xtask codegen` runs the generator in a child (`xtask generate-worker`, hidden) and turns a
//! child that dies into an error naming the schema it was reading; nothing is written then.
//!
//! The child prints one line per schema on stderr as it starts reading it, and the result as
//! JSON on stdout: `{"files": [{"path", "contents"}], "report": ["..."]}` or
//! `{"errors": "..."}`; the parent prints the report (warnings, keywords not enforced).

use std::path::Path;
use std::process::{Command, ExitCode};

use codegen::{GeneratedFile, Settings};
use serde_json::{json, Value};

use crate::codegen_task::{load_registry, Paths, TaskError};

/// The hidden subcommand the child runs.
pub const WORKER_COMMAND: &str = "generate-worker";
/// Stack size of the generator's thread in the child, in KiB (default: the platform's).
pub const STACK_ENV: &str = "COPE_CODEGEN_STACK_KIB";
/// How the child announces the schema it reads next.
const PROGRESS: &str = "cope-codegen: reading ";

/// In the child: generates and prints the result; exits 0 with files, 1 with errors.
pub fn serve(manifest: &Path, crate_name: &str) -> ExitCode {
    let manifest = manifest.to_path_buf();
    let settings = Settings::default().with_crate_name(crate_name);
    let work = move || -> Value {
        let registry = match load_registry(&manifest) {
            Ok(registry) => registry,
            Err(error) => return json!({ "errors": error.to_string() }),
        };
        let generated =
            codegen::generate_with_progress(&registry, &settings, &mut |file| eprintln!("{PROGRESS}{file}"));
        match generated {
            Ok(generated) => json!({
                "files": generated.files.iter().map(|file| json!({"path": file.path, "contents": file.contents})).collect::<Vec<_>>(),
                "report": crate::codegen_task::report(&generated),
            }),
            Err(errors) => json!({ "errors": TaskError::Generate(errors).to_string() }),
        }
    };
    let mut thread = std::thread::Builder::new().name("codegen".to_owned());
    if let Some(kib) = std::env::var(STACK_ENV).ok().and_then(|kib| kib.parse::<usize>().ok()) {
        thread = thread.stack_size(kib * 1024);
    }
    let result = thread
        .spawn(work)
        .and_then(|handle| handle.join().map_err(|_| std::io::Error::other("the generator panicked")));
    match result {
        Ok(value) => {
            println!("{value}");
            if value.get("files").is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            println!("{}", json!({ "errors": format!("the generator failed: {error}") }));
            ExitCode::FAILURE
        }
    }
}

/// In the parent: the generated files, from a child process running `executable` (this xtask
/// binary).
pub fn generated_files_isolated(
    executable: &Path,
    paths: &Paths,
    settings: &Settings,
) -> Result<Vec<GeneratedFile>, TaskError> {
    let output = Command::new(executable)
        .arg(WORKER_COMMAND)
        .arg("--manifest")
        .arg(&paths.manifest)
        .arg("--crate-name")
        .arg(settings.crate_name())
        .output()
        .map_err(|source| TaskError::Read { path: executable.display().to_string(), source })?;
    let reply: Option<Value> = serde_json::from_slice(&output.stdout).ok();
    if let Some(files) = reply.as_ref().and_then(|reply| reply.get("files")).and_then(Value::as_array) {
        let report = reply.as_ref().and_then(|reply| reply.get("report")).and_then(Value::as_array);
        for line in report.into_iter().flatten().filter_map(Value::as_str) {
            eprintln!("{line}");
        }
        return Ok(files
            .iter()
            .map(|file| GeneratedFile {
                path: file["path"].as_str().unwrap_or_default().to_owned(),
                contents: file["contents"].as_str().unwrap_or_default().to_owned(),
            })
            .collect());
    }
    if let Some(errors) = reply.as_ref().and_then(|reply| reply.get("errors")).and_then(Value::as_str) {
        return Err(TaskError::Rejected(errors.to_owned()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file = stderr.lines().rev().find_map(|line| line.strip_prefix(PROGRESS)).map(str::to_owned);
    Err(TaskError::Crashed { file, status: describe(&output.status) })
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
