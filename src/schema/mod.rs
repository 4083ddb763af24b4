//! Source schema evolution: the schema files of external (raw) tables, kept
//! in the repository. A schema changed since the base re-versions the
//! tables that read its raw table; every new schema is checked for
//! compatibility with its earlier versions in git (and, optionally, with the
//! Schema Registry).
pub(crate) mod avro;
pub(crate) mod registry;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Result, bail};
use git2::{ObjectType, Oid};
use serde::Serialize;

use crate::config::{CompatibilityMode, Config, SchemaFormat, SchemaSource};
use crate::git::{BaseRef, FileChange, FileStatus, Repo};
use crate::project::Project;

/// How a schema file differs from the base ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemaStatus {
    /// Same bytes as at the base.
    Unchanged,
    /// Different bytes, same records (docs, defaults, aliases, layout):
    /// checked, but nothing is re-versioned.
    Cosmetic,
    /// The records change: the readers are re-versioned.
    Changed,
    /// No such file at the base: nothing to compare with, nothing is
    /// re-versioned.
    Added,
}

impl SchemaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaStatus::Unchanged => "unchanged",
            SchemaStatus::Cosmetic => "cosmetic",
            SchemaStatus::Changed => "changed",
            SchemaStatus::Added => "added",
        }
    }
}

/// Which rule a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A reader of the new schema cannot read old records.
    Backward,
    /// A reader of the old schema cannot read new records.
    Forward,
    /// The Schema Registry refused the new schema, or does not know the
    /// subject.
    Registry,
    /// The registry's latest schema differs from an unchanged file.
    Drift,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Backward => "BACKWARD",
            Rule::Forward => "FORWARD",
            Rule::Registry => "REGISTRY",
            Rule::Drift => "DRIFT",
        }
    }

    /// What breaking it means.
    pub fn meaning(self) -> &'static str {
        match self {
            Rule::Backward => "a reader of the new schema cannot read old records",
            Rule::Forward => "a reader of the old schema cannot read new records",
            Rule::Registry => "the schema registry refuses it",
            Rule::Drift => "the registry has a schema the repository does not",
        }
    }
}

/// An earlier version of a schema file, from git.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaVersion {
    /// The oldest commit holding this content.
    pub commit: String,
    pub short: String,
    pub summary: String,
    /// 1 for the latest earlier version, 2 for the one before, ...
    pub back: usize,
}

/// One broken compatibility rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The field path (`customer.address.zip`, `items[]`); None for the
    /// whole schema.
    pub field: Option<String>,
    pub rule: Rule,
    /// What changed (`removed without a default`).
    pub problem: String,
    /// The whole sentence, as printed.
    pub message: String,
    /// Short commits of the earlier versions it breaks against.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<String>,
}

/// What the registry said about a subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegistryCheck {
    pub subject: String,
    /// The subject's latest version and schema id (None: unknown subject).
    pub latest_version: Option<u32>,
    pub latest_id: Option<u32>,
    /// Whether the latest registered schema equals the file.
    pub same_as_file: Option<bool>,
    /// The registry's verdict on the file (None: not asked).
    pub compatible: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
}

/// The schema of one external table, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaCheck {
    pub table: String,
    pub file: String,
    pub format: SchemaFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub compatibility: CompatibilityMode,
    pub status: SchemaStatus,
    /// Head names of the project tables that read the table (re-versioned
    /// with reason `schema` when the status is `changed`).
    pub readers: Vec<String>,
    /// Earlier versions the new schema was compared with, newest first.
    pub compared: Vec<SchemaVersion>,
    pub violations: Vec<Violation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SchemaCheck {
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// Whether its readers are re-versioned.
    pub fn impacts(&self) -> bool {
        self.status == SchemaStatus::Changed
    }
}

/// All schema checks of a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SchemaOutcome {
    pub checks: Vec<SchemaCheck>,
    /// Problems that did not stop the checks (an optional registry that
    /// could not be reached).
    pub warnings: Vec<String>,
}

impl SchemaOutcome {
    /// Head names of the tables to re-version with reason `schema`.
    pub(crate) fn impacted(&self) -> BTreeSet<String> {
        self.checks
            .iter()
            .filter(|c| c.impacts())
            .flat_map(|c| c.readers.iter().cloned())
            .collect()
    }
}

/// What the schema checks are computed from.
pub(crate) struct SchemaRequest<'a> {
    pub repo: &'a Repo,
    pub project_dir: &'a Path,
    pub config: &'a Config,
    pub base: &'a BaseRef,
    /// Every file changed since the base (not only SQL).
    pub changes: &'a [FileChange],
    pub head: &'a Project,
}

/// A parsed schema, compared semantically.
enum Parsed {
    Avro(apache_avro::Schema),
    Json(serde_json::Value),
    Protobuf(String),
}

/// Why a schema file does not parse.
#[derive(Debug, thiserror::Error)]
enum ParseError {
    #[error(transparent)]
    Avro(#[from] avro::AvroError),
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a JSON Schema is an object or a boolean")]
    JsonShape,
    #[error("no `message` or `enum` definition")]
    NoProtobufDefinition,
}

impl Parsed {
    fn parse(format: SchemaFormat, text: &str) -> std::result::Result<Parsed, ParseError> {
        match format {
            SchemaFormat::Avro => Ok(Parsed::Avro(avro::parse(text)?)),
            SchemaFormat::Json => {
                let v = serde_json::from_str::<serde_json::Value>(text)?;
                if v.is_object() || v.is_boolean() {
                    Ok(Parsed::Json(v))
                } else {
                    Err(ParseError::JsonShape)
                }
            }
            SchemaFormat::Protobuf => {
                if text.contains("message ") || text.contains("enum ") {
                    Ok(Parsed::Protobuf(
                        text.split_whitespace().collect::<Vec<_>>().join(" "),
                    ))
                } else {
                    Err(ParseError::NoProtobufDefinition)
                }
            }
        }
    }

    /// Whether both describe the same records.
    fn same(&self, other: &Parsed) -> bool {
        match (self, other) {
            (Parsed::Avro(a), Parsed::Avro(b)) => avro::canonical(a) == avro::canonical(b),
            (Parsed::Json(a), Parsed::Json(b)) => a == b,
            (Parsed::Protobuf(a), Parsed::Protobuf(b)) => a == b,
            _ => false,
        }
    }
}

fn format_name(f: SchemaFormat) -> &'static str {
    match f {
        SchemaFormat::Avro => "Avro schema",
        SchemaFormat::Json => "JSON Schema",
        SchemaFormat::Protobuf => "Protobuf schema",
    }
}

/// Checks every configured schema. Errors: a missing or unparseable schema
/// file, a required registry that cannot be used.
pub(crate) fn check_sources(req: &SchemaRequest<'_>) -> Result<SchemaOutcome> {
    let mut outcome = SchemaOutcome::default();
    if req.config.schemas.is_empty() {
        return Ok(outcome);
    }
    let mut registry = RegistryState::new(req.config, &mut outcome.warnings)?;
    for source in &req.config.schemas {
        let check = check_one(req, source, &mut registry, &mut outcome.warnings)?;
        outcome.checks.push(check);
    }
    Ok(outcome)
}

fn check_one(
    req: &SchemaRequest<'_>,
    source: &SchemaSource,
    registry: &mut RegistryState,
    warnings: &mut Vec<String>,
) -> Result<SchemaCheck> {
    let path = source.path();
    let format = source.format().expect("validated with the config");
    // Read only inside the repository, links followed.
    let text = match crate::paths::Repository::around(req.project_dir).read(
        req.project_dir,
        &path,
        &format!("schemas[{}].file", source.table),
    ) {
        Ok(Some(t)) => t,
        Ok(None) => bail!(
            "{path}: schema file of `{}` not found\n  hint: fix `file` of `{}` under `schemas:` in greenlight.yaml",
            source.table,
            source.table
        ),
        Err(crate::paths::PathError::Io { reason, .. }) => bail!(
            "{path}: cannot read the schema of `{}`: {reason}",
            source.table
        ),
        Err(e) => bail!("{e}"),
    };
    let new = Parsed::parse(format, &text).map_err(|e| {
        anyhow::anyhow!(
            "{path}: not a valid {} (schema of `{}`): {e}",
            format_name(format),
            source.table
        )
    })?;

    let mut check = SchemaCheck {
        table: source.table.clone(),
        file: path.clone(),
        format,
        subject: source.subject.clone(),
        compatibility: source.compatibility,
        status: SchemaStatus::Unchanged,
        readers: readers(req.head, &source.table),
        compared: Vec::new(),
        violations: Vec::new(),
        registry: None,
        notes: Vec::new(),
    };
    if check.readers.is_empty() {
        check
            .notes
            .push(format!("no table of the project reads `{}`", source.table));
    }

    // The status against the base (following a rename).
    let base_path = req
        .changes
        .iter()
        .find(|c| c.path == path && c.status == FileStatus::Renamed)
        .and_then(|c| c.from.clone())
        .unwrap_or_else(|| path.clone());
    check.status = match req.repo.read_at(req.base.commit, &base_path)? {
        None => SchemaStatus::Added,
        Some(b) if b == text.as_bytes() => SchemaStatus::Unchanged,
        Some(b) => match Parsed::parse(format, &String::from_utf8_lossy(&b)) {
            Ok(old) if old.same(&new) => SchemaStatus::Cosmetic,
            Ok(_) => SchemaStatus::Changed,
            Err(e) => {
                check.notes.push(format!(
                    "the version at the base ({}) is not valid: {e}",
                    req.base.name
                ));
                SchemaStatus::Changed
            }
        },
    };
    if check.status == SchemaStatus::Added {
        check.notes.push(format!(
            "new schema file since {}: nothing to compare with at the base, no table re-versioned (use --also or the force file to re-version its readers)",
            req.base.name
        ));
    }

    if check.status != SchemaStatus::Unchanged {
        compare_with_history(req, &path, &text, &new, &mut check)?;
    }
    registry.check(source, &text, &new, &mut check, warnings)?;
    Ok(check)
}

/// Head names of the project tables whose parents include `table`.
fn readers(head: &Project, table: &str) -> Vec<String> {
    head.tables
        .iter()
        .filter(|t| t.parents.contains(table))
        .map(|t| t.name.clone())
        .collect()
}

fn compare_with_history(
    req: &SchemaRequest<'_>,
    path: &str,
    text: &str,
    new: &Parsed,
    check: &mut SchemaCheck,
) -> Result<()> {
    let mode = check.compatibility;
    if mode == CompatibilityMode::None {
        return Ok(());
    }
    let Parsed::Avro(new) = new else {
        check.notes.push(format!(
            "no local compatibility check for {} files: the schema registry checks them when `schema_registry` is configured",
            format_name(check.format)
        ));
        return Ok(());
    };
    let current = Oid::hash_object(ObjectType::Blob, text.as_bytes())?;
    let mut earlier: Vec<_> = req
        .repo
        .versions_of(path)?
        .into_iter()
        .filter(|v| v.blob != current)
        .collect();
    if !mode.transitive() {
        earlier.truncate(1);
    }
    // (field, rule, problem) -> versions it breaks against.
    let mut found: BTreeMap<(Option<String>, Rule, String), Vec<String>> = BTreeMap::new();
    let mut order: Vec<(Option<String>, Rule, String)> = Vec::new();
    for (i, v) in earlier.iter().enumerate() {
        let short = v.commit.to_string()[..8].to_string();
        let old = match avro::parse(&String::from_utf8_lossy(&v.content)) {
            Ok(s) => s,
            Err(e) => {
                check.notes.push(format!(
                    "the version of {path} at {short} is not a valid Avro schema, skipped: {e}"
                ));
                continue;
            }
        };
        check.compared.push(SchemaVersion {
            commit: v.commit.to_string(),
            short: short.clone(),
            summary: req.repo.commit_summary(v.commit)?,
            back: i + 1,
        });
        let mut dirs = Vec::new();
        if mode.backward() {
            dirs.push((avro::Direction::Backward, Rule::Backward));
        }
        if mode.forward() {
            dirs.push((avro::Direction::Forward, Rule::Forward));
        }
        for (dir, rule) in dirs {
            for f in avro::check(&old, new, dir) {
                let field = (!f.field.is_empty()).then_some(f.field);
                let key = (field, rule, f.problem);
                let list = found.entry(key.clone()).or_default();
                if list.is_empty() {
                    order.push(key);
                }
                list.push(short.clone());
            }
        }
    }
    for key in order {
        let against = found.remove(&key).unwrap_or_default();
        let (field, rule, problem) = key;
        let at = match &field {
            Some(f) => format!("field {f}"),
            None => "schema".to_string(),
        };
        check.violations.push(Violation {
            message: format!("{at}: {problem} ({}: {})", rule.as_str(), rule.meaning()),
            field,
            rule,
            problem,
            against,
        });
    }
    Ok(())
}

/// The registry client, once it proved usable (or not configured).
struct RegistryState {
    client: Option<registry::Client>,
    required: bool,
}

impl RegistryState {
    fn new(config: &Config, warnings: &mut Vec<String>) -> Result<RegistryState> {
        let Some(rc) = &config.schema_registry else {
            return Ok(RegistryState {
                client: None,
                required: false,
            });
        };
        match registry::Client::new(rc) {
            Ok(c) => Ok(RegistryState {
                client: Some(c),
                required: rc.required,
            }),
            Err(e) if rc.required => bail!(e),
            Err(e) => {
                warnings.push(format!("{e}; registry checks skipped"));
                Ok(RegistryState {
                    client: None,
                    required: false,
                })
            }
        }
    }

    /// An unavailable registry: an error when required, else a warning and
    /// no more registry calls in this run.
    fn unavailable(
        &mut self,
        e: registry::RegistryError,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if self.required {
            bail!(
                "{e}\n  hint: `schema_registry.required` is true: fix the URL or credentials, or make it optional"
            );
        }
        warnings.push(format!(
            "{e}; registry checks skipped (schema_registry.required is false)"
        ));
        self.client = None;
        Ok(())
    }

    fn check(
        &mut self,
        source: &SchemaSource,
        text: &str,
        new: &Parsed,
        check: &mut SchemaCheck,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        let (Some(client), Some(subject)) = (&self.client, &source.subject) else {
            return Ok(());
        };
        let mut rc = RegistryCheck {
            subject: subject.clone(),
            ..RegistryCheck::default()
        };
        let latest = match client.latest(subject) {
            Ok(l) => l,
            Err(e) => return self.unavailable(e, warnings),
        };
        let Some(latest) = latest else {
            if check.status == SchemaStatus::Added {
                check
                    .notes
                    .push(format!("subject `{subject}` is not registered yet"));
            } else {
                let problem = format!("the schema registry does not know subject `{subject}`");
                check.violations.push(Violation {
                    field: None,
                    rule: Rule::Registry,
                    message: format!(
                        "{problem} (hint: check `subject` of `{}` in greenlight.yaml)",
                        source.table
                    ),
                    problem,
                    against: Vec::new(),
                });
            }
            check.registry = Some(rc);
            return Ok(());
        };
        rc.latest_version = Some(latest.version);
        rc.latest_id = Some(latest.id);
        let registered_type = latest.schema_type.as_deref().unwrap_or("AVRO");
        let same = if registered_type != check.format.registry_type() {
            Some(false)
        } else if check.format == SchemaFormat::Protobuf {
            // The registry reformats Protobuf: text comparison would lie.
            None
        } else {
            Parsed::parse(check.format, &latest.schema)
                .ok()
                .map(|p| p.same(new))
        };
        rc.same_as_file = same;
        if same == Some(false)
            && matches!(
                check.status,
                SchemaStatus::Unchanged | SchemaStatus::Cosmetic
            )
        {
            let problem = format!(
                "the registry's latest version {} (id {}) of subject `{subject}` differs from {}, which did not change since the base",
                latest.version, latest.id, check.file
            );
            check.violations.push(Violation {
                field: None,
                rule: Rule::Drift,
                message: format!(
                    "{problem} (DRIFT: {}; commit the registered schema to {} so its readers are re-versioned)",
                    Rule::Drift.meaning(),
                    check.file
                ),
                problem,
                against: Vec::new(),
            });
        }
        if check.status != SchemaStatus::Unchanged && same != Some(true) {
            match client.compatibility(subject, text, check.format.registry_type()) {
                Ok(Some(v)) => {
                    rc.compatible = Some(v.is_compatible);
                    rc.messages = v.messages.clone();
                    if !v.is_compatible {
                        let detail = if v.messages.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", v.messages.join("; "))
                        };
                        let problem = format!(
                            "subject `{subject}` (latest version {}) refuses the new schema{detail}",
                            latest.version
                        );
                        check.violations.push(Violation {
                            field: None,
                            rule: Rule::Registry,
                            message: format!("{problem} (REGISTRY: {})", Rule::Registry.meaning()),
                            problem,
                            against: Vec::new(),
                        });
                    }
                }
                Ok(None) => {}
                Err(e @ registry::RegistryError::Unavailable { .. }) => {
                    check.registry = Some(rc);
                    return self.unavailable(e, warnings);
                }
                // An answer such as 422 (invalid schema): the registry
                // refuses the schema.
                Err(registry::RegistryError::Protocol { reason, .. }) => {
                    rc.compatible = Some(false);
                    let problem = format!("subject `{subject}`: {reason}");
                    check.violations.push(Violation {
                        field: None,
                        rule: Rule::Registry,
                        message: format!("{problem} (REGISTRY: {})", Rule::Registry.meaning()),
                        problem,
                        against: Vec::new(),
                    });
                }
            }
        }
        check.registry = Some(rc);
        Ok(())
    }
}
