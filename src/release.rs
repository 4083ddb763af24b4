//! A release: the base ref, the project at the base and in the working tree,
//! the changed files and the impact. Joins the git adapter and the core.
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::Config;
use crate::git::{BaseRef, FileChange, FileStatus, Repo};
use crate::graph::Graph;
use crate::project::{self, Project, SqlFile};
use crate::schema::{self, SchemaCheck, SchemaRequest};
use crate::version::{self, Impact, ImpactInput};

pub struct Release {
    pub base: BaseRef,
    pub base_project: Project,
    pub head: Project,
    pub head_graph: Graph,
    /// SQL and force files changed since the base.
    pub changes: Vec<FileChange>,
    /// Tables the author asked to re-version in this release.
    pub forced: BTreeSet<String>,
    pub impact: Impact,
    /// The configured source schemas, checked (empty without `schemas:`).
    pub schema_checks: Vec<SchemaCheck>,
    /// Problems of the schema checks that did not stop them (an optional
    /// registry that could not be reached); also printed on stderr.
    pub schema_warnings: Vec<String>,
}

/// What a release is computed from.
pub struct ReleaseRequest<'a> {
    pub project_dir: &'a Path,
    pub config: &'a Config,
    pub since: Option<&'a str>,
    /// Extra tables to re-version (`--also`).
    pub also: &'a [String],
}

pub fn analyze(req: &ReleaseRequest<'_>) -> Result<Release> {
    let excludes = project::exclusion_set(&req.config.exclude);
    // The git side (base ref, changed files, files of the base tree) runs on
    // its own thread while the working tree is discovered and analysed;
    // errors are reported in the order of the steps all the same.
    let (git, head_files) = std::thread::scope(|s| {
        let git = s.spawn(|| -> Result<_> {
            let repo = Repo::open(req.project_dir)?;
            let base = repo.base_ref(req.since, &req.config.tag_pattern)?;
            let rest = repo
                .changed_files(base.commit)
                .and_then(|c| Ok((c, repo.files_at(base.commit)?)));
            Ok((repo, base, rest))
        });
        let head_files = excludes
            .as_ref()
            .ok()
            .map(|excludes| -> Result<Vec<SqlFile>> {
                let head_paths = project::discover(req.project_dir, excludes)?;
                project::read_files(req.project_dir, &head_paths).with_context(|| {
                    format!(
                        "cannot analyse the project in {}",
                        req.project_dir.display()
                    )
                })
            });
        let git = git
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (git, head_files)
    });
    let (repo, base, rest) = git?;
    let excludes = excludes?;
    let head_files = head_files.expect("analysed when the exclusions are valid")?;
    let (all_changes, base_paths) = rest?;
    let is_sql = |p: &str| p.ends_with(".sql") && !excludes.is_match(p);
    let changes: Vec<FileChange> = all_changes
        .iter()
        .filter(|c| {
            is_sql(&c.path)
                || c.from.as_deref().is_some_and(is_sql)
                || c.path == req.config.force_file
        })
        .cloned()
        .collect();

    // The base project: unchanged files are the head's; others come from git.
    let mut differs: BTreeSet<&str> = BTreeSet::new();
    for c in &changes {
        differs.insert(&c.path);
        if let Some(f) = &c.from {
            differs.insert(f);
        }
    }
    let head_by_path: HashMap<&str, &SqlFile> =
        head_files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut reused: Vec<&SqlFile> = Vec::new();
    let mut to_read: Vec<(String, Vec<u8>)> = Vec::new();
    for path in base_paths.into_iter().filter(|p| is_sql(p)) {
        match head_by_path.get(path.as_str()) {
            Some(f) if !differs.contains(path.as_str()) => reused.push(f),
            _ => {
                if let Some(bytes) = repo.read_at(base.commit, &path)? {
                    to_read.push((path, bytes));
                }
            }
        }
    }
    let mut base_files: Vec<SqlFile> = reused.into_par_iter().map(|f| f.clone()).collect();
    base_files
        .extend(project::analyze_texts(&to_read).with_context(|| {
            format!("cannot analyse the project at the base ref {}", base.name)
        })?);
    let base_project =
        Project::build(base_files).with_context(|| format!("at the base ref {}", base.name))?;
    let mut head = Project::build(head_files)?;
    // References to a table's base name, where the table was renamed since
    // (by an earlier rewrite or by hand), resolve to the renamed table.
    let aliases: Vec<(String, String)> = version::match_tables(&base_project, &head)
        .into_iter()
        .filter(|(h, b)| h != b)
        .map(|(h, b)| (b, h))
        .collect();
    head.set_aliases(aliases);
    for w in &head.warnings {
        eprintln!("warning: {w}");
    }
    let head_graph = Graph::build(&head)?;

    let forced = forced_tables(&repo, &base, req)?;
    let changed_paths: BTreeSet<String> = differs.iter().map(|s| s.to_string()).collect();
    let schemas = schema::check_sources(&SchemaRequest {
        repo: &repo,
        project_dir: req.project_dir,
        config: req.config,
        base: &base,
        changes: &all_changes,
        head: &head,
    })?;
    for w in &schemas.warnings {
        eprintln!("warning: {w}");
    }
    let schema_impacted = schemas.impacted();
    let impact = version::compute(&ImpactInput {
        base: &base_project,
        head: &head,
        head_graph: &head_graph,
        changed_paths: &changed_paths,
        forced: &forced,
        schema: &schema_impacted,
    })?;
    Ok(Release {
        base,
        base_project,
        head,
        head_graph,
        changes,
        forced,
        impact,
        schema_checks: schemas.checks,
        schema_warnings: schemas.warnings,
    })
}

/// Names in the force file now that were not in it at the base, plus `--also`.
fn forced_tables(
    repo: &Repo,
    base: &BaseRef,
    req: &ReleaseRequest<'_>,
) -> Result<BTreeSet<String>> {
    let names = |text: &str| -> BTreeSet<String> {
        text.lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    let path = req.project_dir.join(&req.config.force_file);
    let now = match std::fs::read_to_string(&path) {
        Ok(t) => names(&t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let before = repo
        .read_at(base.commit, &req.config.force_file)?
        .map(|b| names(&String::from_utf8_lossy(&b)))
        .unwrap_or_default();
    let mut forced: BTreeSet<String> = now.difference(&before).cloned().collect();
    forced.extend(req.also.iter().cloned());
    Ok(forced)
}

impl Release {
    /// Changed files that are SQL, with their status.
    pub fn sql_changes(&self) -> impl Iterator<Item = &FileChange> {
        self.changes
            .iter()
            .filter(|c| c.path.ends_with(".sql") || c.status == FileStatus::Deleted)
    }

    /// Whether every source schema check passed (no incompatibility, no
    /// registry refusal or drift).
    pub fn schemas_passed(&self) -> bool {
        self.schema_checks.iter().all(SchemaCheck::passed)
    }
}
