//! `cargo xtask compat`: the compatibility gate. Reads the schemas (two files, or every schema
//! of the manifest against its state at a git revision), compares them with
//! `codegen::compat`, compares the manifest's contracts with their state at that revision,
//! applies the checked-in ignore file, and reports one finding a line (or as JSON, or as
//! GitHub Actions annotations).
//!
//! Exit status: 0 compatible (warnings allowed), 1 breaking, 2 cannot judge (fail closed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::compat::{self, Finding, Rule, Severity};
use codegen::Manifest;
use serde::Deserialize;

use crate::codegen_task::repository_of;

/// The checked-in list of accepted exceptions, beside the manifest.
pub const IGNORE_FILE: &str = "compat-ignore.toml";

/// Where a manifest's accepted exceptions are: [`IGNORE_FILE`] in its folder.
pub fn ignore_file_beside(manifest: &Path) -> PathBuf {
    manifest.parent().unwrap_or(Path::new(".")).join(IGNORE_FILE)
}

/// The gate's verdict, as an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Exit 0.
    Compatible = 0,
    /// Exit 1.
    Breaking = 1,
    /// Exit 2: some input could not be judged.
    Unjudgeable = 2,
}

/// One schema's old and new text, as the report names it.
pub struct Pair {
    /// The file as the report names it.
    pub file: String,
    /// The previous state; `None` when the file is new.
    pub old: Option<String>,
    /// The current state.
    pub new: String,
}

/// A finding in a file, and whether the ignore file accepts it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFinding {
    /// The file.
    pub file: String,
    /// The finding.
    pub finding: Finding,
    /// The ignore file's justification, when it accepts the finding.
    pub accepted: Option<String>,
    /// For a breaking finding: an instance the two sides disagree on, or why there is none.
    pub counterexample: Option<Result<compat::Counterexample, String>>,
}

/// Everything the gate found.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, by file then pointer.
    pub findings: Vec<FileFinding>,
    /// Inputs the gate could not judge: `file: reason`.
    pub unjudgeable: Vec<String>,
    /// Comparisons left out, and why (`--history`: past states that cannot be read or judged
    /// today); they do not change the verdict.
    pub notes: Vec<String>,
}

impl Report {
    /// 2 if anything could not be judged, else 1 if any breaking finding is not accepted.
    pub fn verdict(&self) -> Verdict {
        if !self.unjudgeable.is_empty() {
            Verdict::Unjudgeable
        } else if self
            .findings
            .iter()
            .any(|found| found.finding.severity() == Severity::Breaking && found.accepted.is_none())
        {
            Verdict::Breaking
        } else {
            Verdict::Compatible
        }
    }

    /// One finding a line: `file:pointer: RULE_ID: message`, then a summary line.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for FileFinding { file, finding, accepted, counterexample } in &self.findings {
            let note = match accepted {
                Some(justification) => format!("accepted: {justification}"),
                None => finding.severity().as_str().to_owned(),
            };
            let side = if finding.location_in_old { " in the old schema" } else { "" };
            text.push_str(&format!(
                "{file}:{}: {}: {} [{note}; keyword at {}{side}]\n",
                finding.pointer,
                finding.rule,
                finding.message,
                physical_location(file, &finding.location)
            ));
            match counterexample {
                Some(Ok(example)) => text.push_str(&format!(
                    "  counterexample, {}: {}\n",
                    example.direction.describe(),
                    example.instance
                )),
                Some(Err(why)) => text.push_str(&format!("  no counterexample: {why}\n")),
                None => {}
            }
        }
        for problem in &self.unjudgeable {
            text.push_str(&format!("{problem}\n"));
        }
        for note in &self.notes {
            text.push_str(&format!("note: {note}\n"));
        }
        let count = |severity| {
            self.findings
                .iter()
                .filter(|found| found.finding.severity() == severity && found.accepted.is_none())
                .count()
        };
        let accepted = self.findings.iter().filter(|found| found.accepted.is_some()).count();
        text.push_str(&format!(
            "compat: {} breaking, {} warnings, {} compatible, {accepted} accepted, {} not judged: {}\n",
            count(Severity::Breaking),
            count(Severity::Warning),
            count(Severity::Compatible),
            self.unjudgeable.len(),
            match self.verdict() {
                Verdict::Compatible => "compatible",
                Verdict::Breaking => "BREAKING: publish a new event version instead (see README)",
                Verdict::Unjudgeable => "cannot judge (fail closed)",
            }
        ));
        text
    }

    /// The report as GitHub Actions workflow commands: an `::error` for each breaking finding
    /// not accepted and each input not judged, a `::warning` for each warning, a `::notice` for
    /// the rest; then the summary line. Messages and properties are escaped as the runner
    /// expects (`%`, CR and LF; in properties also `:` and `,`).
    pub fn to_github_actions(&self) -> String {
        let data = |text: &str| text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
        let property = |text: &str| data(text).replace(':', "%3A").replace(',', "%2C");
        let mut out = String::new();
        for FileFinding { file, finding, accepted, counterexample } in &self.findings {
            let command = match (finding.severity(), accepted) {
                (Severity::Breaking, None) => "error",
                (Severity::Warning, None) => "warning",
                _ => "notice",
            };
            let mut message = format!("{}: {}", finding.pointer, finding.message);
            if let Some(why) = accepted {
                message.push_str(&format!(" (accepted: {why})"));
            }
            if let Some(Ok(example)) = counterexample {
                message.push_str(&format!("\nCounterexample, {}: {}", example.direction.describe(), example.instance));
            }
            out.push_str(&format!(
                "::{command} file={},title={}::{}\n",
                property(file),
                property(&format!("{} at {}", finding.rule, finding.pointer)),
                data(&message),
            ));
        }
        for problem in &self.unjudgeable {
            out.push_str(&format!("::error title=compat cannot judge::{}\n", data(problem)));
        }
        for note in &self.notes {
            out.push_str(&format!("::notice title=compat::{}\n", data(note)));
        }
        let summary = self.to_text();
        out.push_str(summary.lines().last().unwrap_or_default());
        out.push('\n');
        out
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|FileFinding { file, finding, accepted, counterexample }| {
                let mut json = serde_json::json!({
                    "file": file,
                    "pointer": finding.pointer,
                    "rule": finding.rule.as_str(),
                    "severity": finding.severity().as_str(),
                    "message": finding.message,
                    "location": physical_location(file, &finding.location),
                    "location_in_old": finding.location_in_old,
                    "accepted": accepted,
                });
                match counterexample {
                    Some(Ok(example)) => {
                        json["counterexample"] =
                            serde_json::json!({"instance": example.instance, "direction": example.direction.as_str()})
                    }
                    Some(Err(why)) => json["no_counterexample"] = serde_json::json!(why),
                    None => {}
                }
                json
            })
            .collect();
        let verdict = match self.verdict() {
            Verdict::Compatible => "compatible",
            Verdict::Breaking => "breaking",
            Verdict::Unjudgeable => "unjudgeable",
        };
        let report = serde_json::json!({
            "verdict": verdict,
            "findings": findings,
            "unjudgeable": self.unjudgeable,
            "notes": self.notes,
        });
        format!("{report:#}\n")
    }
}

/// Where a finding's keyword is: `file#pointer` in the schema itself, or the other document
/// (already `file#pointer`) that a `$ref` led to.
fn physical_location(file: &str, location: &str) -> String {
    if location.starts_with('#') {
        format!("{file}{location}")
    } else {
        location.to_owned()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    #[serde(default)]
    accept: Vec<Accepted>,
}

/// One accepted exception.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// The schema file, as reports name it.
    pub file: String,
    /// The finding's pointer.
    pub pointer: String,
    /// The rule id.
    pub rule: String,
    /// Why this break is acceptable. Required.
    pub justification: String,
}

/// Reads the ignore file; every entry needs a known rule and a justification.
pub fn parse_ignore_file(display: &str, text: &str) -> Result<Vec<Accepted>, String> {
    let parsed: IgnoreFile = toml::from_str(text).map_err(|error| format!("{display}: {error}"))?;
    for (index, entry) in parsed.accept.iter().enumerate() {
        if Rule::from_id(&entry.rule).is_none() {
            return Err(format!("{display}: accept[{index}]: unknown rule `{}`", entry.rule));
        }
        if entry.justification.trim().is_empty() {
            return Err(format!("{display}: accept[{index}]: a justification is required"));
        }
    }
    Ok(parsed.accept)
}

/// Compares every pair (single files: only references within each are followed) and applies
/// the accepted exceptions.
pub fn judge(pairs: &[Pair], accepted: &[Accepted]) -> Report {
    let none = DocumentSet::default();
    judge_with(pairs, (&none, &none), accepted)
}

/// [`judge`], each pair read with the documents its cross-file `$ref`s reach at each state
/// (`documents`: old, new), so that a change in a shared definition is a finding of every
/// schema that uses it.
pub fn judge_with(pairs: &[Pair], documents: (&DocumentSet, &DocumentSet), accepted: &[Accepted]) -> Report {
    let (old_documents, new_documents) = (documents.0.borrowed(), documents.1.borrowed());
    let mut report = Report::default();
    for Pair { file, old, new } in pairs {
        let Some(old) = old else { continue };
        let parse = |side: &str, text: &str| {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|error| format!("{file}: {side} schema is not JSON: {error}"))
        };
        let (old, new) = match (parse("old", old), parse("new", new)) {
            (Ok(old), Ok(new)) => (old, new),
            (old, new) => {
                report.unjudgeable.extend(old.err().into_iter().chain(new.err()));
                continue;
            }
        };
        let old_root = compat::Root { id: documents.0.id_of(file), schema: &old, documents: &old_documents };
        let new_root = compat::Root { id: documents.1.id_of(file), schema: &new, documents: &new_documents };
        // The search validates one document; a schema whose `$ref`s reach others has none.
        let self_contained = |schema: &serde_json::Value| {
            codegen::reference::references(schema).iter().all(|reference| reference.value.starts_with('#'))
        };
        let searchable = self_contained(&old) && self_contained(&new);
        match compat::compare_roots(&old_root, &new_root) {
            Ok(findings) => report.findings.extend(findings.into_iter().map(|finding| {
                let accepted = justification(accepted, file, &finding);
                let counterexample = (finding.severity() == Severity::Breaking).then(|| {
                    if searchable {
                        compat::counterexample(&old, &new, &finding)
                    } else {
                        Err("the search reads one document, and this schema's `$ref`s reach others".to_owned())
                    }
                });
                FileFinding { file: file.clone(), finding, accepted, counterexample }
            })),
            Err(problems) => {
                report.unjudgeable.extend(problems.iter().map(|problem| format!("{file}: cannot judge: {problem}")))
            }
        }
    }
    report
}

/// The locked documents of one state of the repository, which `$ref`s may reach: each one's
/// id, file (as reports name it: relative to the repository) and JSON.
#[derive(Debug, Default)]
pub struct DocumentSet {
    /// File → id.
    ids: BTreeMap<String, String>,
    /// Id → (file, document).
    documents: BTreeMap<String, (String, serde_json::Value)>,
}

impl DocumentSet {
    /// The documents of a lockfile's text; `read(file)` gives a locked file's text (`file`
    /// relative to the repository), `folder` is the lockfile's folder relative to it.
    fn from_lock(lock_text: &str, folder: &str, read: impl Fn(&str) -> Option<String>) -> Result<DocumentSet, String> {
        let lock = crate::lock::Lock::parse(crate::lock::LOCK_FILE, lock_text).map_err(|error| error.to_string())?;
        let mut set = DocumentSet::default();
        for document in &lock.documents {
            let file = if folder.is_empty() { document.file.clone() } else { format!("{folder}/{}", document.file) };
            let Some(schema) = read(&file).and_then(|text| serde_json::from_str(&text).ok()) else { continue };
            set.ids.insert(file.clone(), document.id.clone());
            set.documents.insert(document.id.clone(), (file, schema));
        }
        Ok(set)
    }

    fn id_of(&self, file: &str) -> Option<&str> {
        self.ids.get(file).map(String::as_str)
    }

    fn borrowed(&self) -> BTreeMap<String, compat::Document<'_>> {
        self.documents.iter().map(|(id, (file, schema))| (id.clone(), compat::Document { file, schema })).collect()
    }
}

/// The folder of `file` (relative to the repository; empty at its top).
fn folder_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The lockfile beside the manifest `file`.
fn lock_beside(file: &str) -> String {
    crate::lock::display_file(file, crate::lock::LOCK_FILE)
}

/// The ignore file's justification for `finding` in `file`, when it accepts it.
fn justification(accepted: &[Accepted], file: &str, finding: &Finding) -> Option<String> {
    accepted
        .iter()
        .find(|entry| entry.file == file && entry.pointer == finding.pointer && entry.rule == finding.rule.as_str())
        .map(|entry| entry.justification.clone())
}

/// Two files given on the command line.
pub fn file_pair(old: &Path, new: &Path) -> Result<Pair, String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))
    };
    Ok(Pair { file: new.display().to_string(), old: Some(read(old)?), new: read(new)? })
}

/// The manifest's repository and the state of its working tree, read once: the manifest, every
/// schema it names and the locked documents, each file named relative to the repository.
/// `--base` compares it with one revision, `--history` with each of them.
pub struct Checkout {
    root: PathBuf,
    /// The manifest: its file and text.
    manifest: (String, String),
    /// Every schema the manifest names: its file and text.
    schemas: Vec<(String, String)>,
    /// The locked documents (empty without a lockfile).
    documents: DocumentSet,
}

impl Checkout {
    /// Reads the working tree of the repository holding `manifest_path`, whatever the working
    /// directory; paths are made absolute first, so a relative `--manifest` works.
    pub fn open(manifest_path: &Path) -> Result<Checkout, String> {
        let absolute = std::path::absolute(manifest_path)
            .map_err(|error| format!("{}: cannot resolve: {error}", manifest_path.display()))?;
        let root = repository_of(&absolute).ok_or_else(|| {
            format!("{}: not inside a git repository, so there is no revision to compare with", absolute.display())
        })?;
        let relative = |path: &Path| {
            path.strip_prefix(&root)
                .map(|relative| relative.to_string_lossy().replace('\\', "/"))
                .map_err(|_| format!("{}: not inside the repository {}", path.display(), root.display()))
        };
        let read = |file: &str| {
            std::fs::read_to_string(root.join(file)).map_err(|error| format!("{file}: cannot read: {error}"))
        };
        let manifest_file = relative(&absolute)?;
        let manifest_text = read(&manifest_file)?;
        let manifest = Manifest::parse(&manifest_file, &manifest_text).map_err(|errors| errors.to_string())?;
        let folder = absolute.parent().unwrap_or(&root);
        let mut schemas = Vec::new();
        for schema in manifest.schema_files() {
            let file = relative(&folder.join(schema))?;
            let text = read(&file)?;
            schemas.push((file, text));
        }
        let documents = match read(&lock_beside(&manifest_file)) {
            Ok(text) => DocumentSet::from_lock(&text, folder_of(&manifest_file), |file| read(file).ok())?,
            Err(_) => DocumentSet::default(),
        };
        Ok(Checkout { root, manifest: (manifest_file, manifest_text), schemas, documents })
    }

    /// The manifest's folder, relative to the repository (empty at its top).
    fn folder(&self) -> &str {
        folder_of(&self.manifest.0)
    }

    fn at(&self, revision: &str, file: &str) -> Option<String> {
        git(&self.root, &["show", &format!("{revision}:{file}")]).ok()
    }

    /// Every schema the manifest names, now and at `revision`.
    pub fn pairs_at(&self, revision: &str) -> Result<Vec<Pair>, String> {
        git(&self.root, &["rev-parse", "--verify", &format!("{revision}^{{commit}}")])?;
        Ok(self
            .schemas
            .iter()
            .map(|(file, new)| Pair { file: file.clone(), old: self.at(revision, file), new: new.clone() })
            .collect())
    }

    /// The whole judgement against `revision`: every schema, read with the locked documents
    /// of each side, and the manifest's own contracts.
    pub fn judge_against(&self, revision: &str, accepted: &[Accepted]) -> Result<Report, String> {
        let pairs = self.pairs_at(revision)?;
        let lock = lock_beside(&self.manifest.0);
        let old_documents = match self.at(revision, &lock) {
            Some(text) => DocumentSet::from_lock(&text, self.folder(), |file| self.at(revision, file))
                .map_err(|error| format!("{lock} at {revision}: {error}"))?,
            None => DocumentSet::default(),
        };
        let mut report = judge_with(&pairs, (&old_documents, &self.documents), accepted);
        let (file, new) = &self.manifest;
        let manifest = Pair { file: file.clone(), old: self.at(revision, file), new: new.clone() };
        judge_manifest(&manifest, accepted, &mut report);
        Ok(report)
    }

    /// `--history`: the working tree against every committed state of the manifest's folder
    /// since it was added, newest first (transitive: a break reached by small steps, each
    /// judged alone, is still a break against the first). Each finding is given once, against
    /// the newest revision it breaks with, which its message names.
    pub fn judge_history(&self, accepted: &[Accepted]) -> Result<Report, String> {
        let folder = match self.folder() {
            "" => ".",
            folder => folder,
        };
        let revisions = git(&self.root, &["log", "--format=%H", "--", folder])?;
        let mut report = Report::default();
        let mut seen = std::collections::BTreeSet::new();
        for revision in revisions.lines() {
            let short = &revision[..revision.len().min(12)];
            // A past state that today's tools cannot read (an older lockfile format, a
            // manifest key since removed) is left out with a note, not a failure of every
            // later run.
            let step = match self.judge_against(revision, accepted) {
                Ok(step) => step,
                Err(error) => {
                    report.notes.push(format!("{short} left out: {error}"));
                    continue;
                }
            };
            for mut found in step.findings {
                if seen.insert((found.file.clone(), found.finding.pointer.clone(), found.finding.rule)) {
                    found.finding.message.push_str(&format!(" (against {short})"));
                    report.findings.push(found);
                }
            }
            // What cannot be judged on the old side is that past state's problem: a note. On
            // the new side it is today's, once.
            for problem in step.unjudgeable {
                if problem.contains(": old ") {
                    report.notes.push(format!("{short} left out: {problem}"));
                } else if !report.unjudgeable.contains(&problem) {
                    report.unjudgeable.push(problem);
                }
            }
        }
        Ok(report)
    }
}

/// The manifest's own changes: every contract (event type and version) of the old manifest
/// that the new one lacks, and every contract whose `schema_id` changed. A contract that moved
/// to another schema file is judged through its schema, not here.
pub fn judge_manifest(pair: &Pair, accepted: &[Accepted], report: &mut Report) {
    let Some(old_text) = &pair.old else { return };
    let (old, new) = match (Manifest::parse(&pair.file, old_text), Manifest::parse(&pair.file, &pair.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let problems = old.err().into_iter().map(|errors| format!("old {errors}"));
            let problems = problems.chain(new.err().into_iter().map(|errors| format!("new {errors}")));
            report.unjudgeable.extend(problems.map(|problem| format!("{}: cannot judge: {problem}", pair.file)));
            return;
        }
    };
    for (index, contract) in old.contracts.iter().enumerate() {
        let same = |other: &&codegen::ContractEntry| {
            other.event_type == contract.event_type && other.version == contract.version
        };
        let pointer = format!("/contract/{}/v{}", contract.event_type, contract.version);
        let finding = match new.contracts.iter().position(|other| same(&other)) {
            None => Finding {
                pointer,
                rule: Rule::ContractRemoved,
                message: format!(
                    "contract `{}` v{} (schema `{}`) was removed: producers may still send its events, and consumers would no longer decode them; keep it until none does",
                    contract.event_type, contract.version, contract.schema_id
                ),
                location: format!("#contract[{index}]"),
                location_in_old: true,
            },
            Some(now) if new.contracts[now].schema_id != contract.schema_id => Finding {
                pointer: format!("{pointer}/schema_id"),
                rule: Rule::SchemaIdChanged,
                message: format!(
                    "`schema_id` changed from `{}` to `{}`: events carry their schema id as `dataschema`, so those already sent no longer match",
                    contract.schema_id, new.contracts[now].schema_id
                ),
                location: format!("#contract[{now}].schema_id"),
                location_in_old: false,
            },
            Some(_) => continue,
        };
        let accepted = justification(accepted, &pair.file, &finding);
        let counterexample = Some(Err("a manifest change is not about one instance".to_owned()));
        report.findings.push(FileFinding { file: pair.file.clone(), finding, accepted, counterexample });
    }
}

fn git(root: &Path, arguments: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(arguments)
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        String::from_utf8(output.stdout).map_err(|_| "git printed non-UTF-8 text".to_owned())
    } else {
        Err(format!("git {}: {}", arguments.join(" "), String::from_utf8_lossy(&output.stderr).trim()))
    }
}

/// The ignore file's entries, or none when it does not exist.
pub fn load_ignore_file(path: &Path) -> Result<Vec<Accepted>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_ignore_file(&path.display().to_string(), &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(format!("{}: cannot read: {error}", path.display())),
    }
}

/// Rule ids and their severities, for `--help` and the README.
pub fn rule_table() -> BTreeMap<&'static str, (&'static str, &'static str)> {
    Rule::ALL.iter().map(|rule| (rule.as_str(), (rule.severity().as_str(), rule.summary()))).collect()
}
