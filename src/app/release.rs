//! A release: the base ref, the project at the base and in the working tree,
//! the changed files and the impact. Joins the git adapter and the core.
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::Config;
use git2::Oid;

use crate::error::FileError;
use crate::git::worktree::{self, Blobs};
use crate::git::{BaseRef, FileChange, FileStatus, Repo};
use crate::graph::Graph;
use crate::project::{self, Project, SqlFile};
use crate::schema::{self, SchemaCheck, SchemaRequest};
use crate::version::{self, Impact, ImpactInput, InPlaceTarget, UpgradeInput};

pub(crate) struct Release {
    pub base: BaseRef,
    /// The project at the base (the blue SQL of an in-place rollback).
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
pub(crate) struct ReleaseRequest<'a> {
    pub project_dir: &'a Path,
    pub config: &'a Config,
    pub since: Option<&'a str>,
    /// Extra tables to re-version (`--also`).
    pub also: &'a [String],
    /// Refuse uncommitted changes to the files greenlight reads (`rewrite`).
    pub require_clean: bool,
}

/// What the git thread finds.
struct Trees {
    base_blobs: Blobs,
    /// Changes under the project from the base to HEAD.
    committed: Vec<FileChange>,
    head_blobs: Blobs,
}

/// A file of the working tree: its blob id and its analysis.
struct ReadFile {
    path: String,
    id: Option<Oid>,
    analysed: std::result::Result<SqlFile, FileError>,
}

/// Reads a file of the working tree, hashes it and analyses it.
fn read_and_hash(
    dir: &Path,
    path: &str,
    settings: &project::Settings,
) -> (Option<Oid>, std::result::Result<SqlFile, FileError>) {
    match std::fs::read(dir.join(path)) {
        Ok(bytes) => (
            worktree::blob_id(&bytes),
            project::analyze_bytes_with(path, &bytes, settings),
        ),
        Err(e) => (None, Err(project::unreadable(path, &e))),
    }
}

/// The files other than SQL that greenlight reads in the project: the
/// config (the default file, or the one given when it is in the project),
/// the force file and the source schemas.
fn other_inputs(project_dir: &Path, config: &Config) -> Vec<String> {
    let mut out = vec![
        crate::config::CONFIG_FILE.to_string(),
        config.force_file.clone(),
    ];
    out.extend(config_in_project(project_dir, config));
    out.extend(config.schemas.iter().map(|s| s.path()));
    out.sort_unstable();
    out.dedup();
    out
}

/// The config file's path relative to the project, when it was read from
/// a file inside it.
fn config_in_project(project_dir: &Path, config: &Config) -> Option<String> {
    let source = config.source.as_ref()?.canonicalize().ok()?;
    let dir = project_dir.canonicalize().ok()?;
    let relative = source.strip_prefix(dir).ok()?;
    Some(project::relative(Path::new(""), relative))
}

fn refuse_uncommitted(dirty: &[String]) -> Result<()> {
    if dirty.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = dirty.iter().take(10).map(String::as_str).collect();
    let more = if dirty.len() > 10 {
        format!(" and {} more", dirty.len() - 10)
    } else {
        String::new()
    };
    anyhow::bail!(
        "the working tree has uncommitted changes ({}{more}): refusing to rewrite\n  hint: commit or stash them first, or pass --allow-dirty",
        shown.join(", ")
    )
}

pub(crate) fn analyze(req: &ReleaseRequest<'_>) -> Result<Release> {
    let settings = project::Settings::from_config(req.config);
    let read = read_both(req, &settings)?;
    let is_sql = |p: &str| project::is_sql_path(p) && !read.excludes.is_match(p);
    let (on_disk, all_changes) = changes_since_base(req, &read, &is_sql)?;
    let Read {
        repo,
        base,
        trees,
        head_read,
        ..
    } = read;
    let head_files = project::collect_files(head_read.into_iter().map(|f| f.analysed).collect())
        .with_context(|| {
            format!(
                "cannot analyse the project in {}",
                req.project_dir.display()
            )
        })?;
    let changes = release_changes(req, &all_changes, &is_sql);
    let base_project = base_project(
        &repo,
        &base,
        &trees,
        &head_files,
        &on_disk,
        &is_sql,
        &settings,
    )?;
    let mut head = Project::build_with(head_files, &settings)?;
    // References to a table's base name, where the table was renamed since
    // (by an earlier rewrite or by hand), resolve to the renamed table.
    let head_to_base = version::match_tables(&base_project, &head);
    let aliases: Vec<(String, String)> = head_to_base
        .iter()
        .filter(|(h, b)| h != b)
        .map(|(h, b)| (b.clone(), h.clone()))
        .collect();
    head.set_aliases(aliases);
    let head_graph = Graph::build(&head)?;
    let forced = forced_tables(&repo, &base, req)?;
    let schemas = schema::check_sources(&SchemaRequest {
        repo: &repo,
        project_dir: req.project_dir,
        config: req.config,
        base: &base,
        changes: &all_changes,
        head: &head,
    })?;
    let impact = version::compute_with(
        &ImpactInput {
            base: &base_project,
            head: &head,
            head_to_base: &head_to_base,
            head_graph: &head_graph,
            changed_paths: &changed_paths(&changes),
            forced: &forced,
            schema: &schemas.impacted(),
        },
        &UpgradeInput {
            policy: &req.config.upgrade,
            target: &in_place_target(req.config),
        },
    )?;
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

/// What the git side and the working tree give.
struct Read {
    repo: Repo,
    base: BaseRef,
    trees: Trees,
    excludes: globset::GlobSet,
    head_read: Vec<ReadFile>,
}

/// The git side (base ref, the base's files, the commits' changes) runs on
/// its own thread while the working tree is read, hashed and analysed;
/// errors are reported in the order of the steps all the same.
fn read_both(req: &ReleaseRequest<'_>, settings: &project::Settings) -> Result<Read> {
    let excludes = project::exclusion_set(&req.config.exclude);
    let (git, head_read) = std::thread::scope(|s| {
        let git = s.spawn(|| -> Result<_> {
            let repo = Repo::open(req.project_dir)?;
            let base = repo.base_ref(req.since, &req.config.tag_pattern)?;
            let trees = repo.blobs_at(base.commit).and_then(|base_blobs| {
                let (committed, head_blobs) = repo.committed_changes(base.commit, &base_blobs)?;
                Ok(Trees {
                    base_blobs,
                    committed,
                    head_blobs,
                })
            });
            Ok((repo, base, trees))
        });
        let head_read = excludes
            .as_ref()
            .ok()
            .map(|excludes| -> Result<Vec<ReadFile>> {
                let found = project::walk_sql(req.project_dir, excludes, |path| {
                    read_and_hash(req.project_dir, path, settings)
                })?;
                Ok(found
                    .into_iter()
                    .map(|(path, (id, analysed))| ReadFile { path, id, analysed })
                    .collect())
            });
        let git = git
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (git, head_read)
    });
    let (repo, base, trees) = git?;
    let excludes = excludes?;
    let head_read = head_read.expect("read when the exclusions are valid")?;
    Ok(Read {
        repo,
        base,
        trees: trees?,
        excludes,
        head_read,
    })
}

/// The blob id of each file greenlight read in the working tree (None:
/// unreadable).
type OnDisk = HashMap<String, Option<Oid>>;

/// The working tree against HEAD, for the files greenlight reads: when
/// they match, the changes since the base are the commits' changes, else
/// the exact (slower) diff of the working tree (refused when it must be
/// clean). Also gives each file's blob id on disk.
fn changes_since_base(
    req: &ReleaseRequest<'_>,
    read: &Read,
    is_sql: &dyn Fn(&str) -> bool,
) -> Result<(OnDisk, Vec<FileChange>)> {
    let others = other_inputs(req.project_dir, req.config);
    let relevant = |p: &str| is_sql(p) || others.iter().any(|o| o == p);
    let mut on_disk: HashMap<String, Option<Oid>> = read
        .head_read
        .iter()
        .map(|f| (f.path.clone(), f.id))
        .collect();
    for path in &others {
        match std::fs::read(req.project_dir.join(path)) {
            Ok(bytes) => on_disk.insert(path.clone(), worktree::blob_id(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => on_disk.insert(path.clone(), None),
        };
    }
    let all = if worktree::differences(&read.trees.head_blobs, &on_disk, relevant).is_empty() {
        read.trees.committed.clone()
    } else {
        if req.require_clean {
            refuse_uncommitted(&read.repo.uncommitted_files(relevant)?)?;
        }
        read.repo.changed_files(read.base.commit)?
    };
    Ok((on_disk, all))
}

/// The changes of the release: SQL files (or renamed from one) and the
/// force file.
fn release_changes(
    req: &ReleaseRequest<'_>,
    all: &[FileChange],
    is_sql: &dyn Fn(&str) -> bool,
) -> Vec<FileChange> {
    all.iter()
        .filter(|c| {
            is_sql(&c.path)
                || c.from.as_deref().is_some_and(is_sql)
                || c.path == req.config.force_file
        })
        .cloned()
        .collect()
}

/// Project-relative paths of the changed files, on both sides of a rename.
fn changed_paths(changes: &[FileChange]) -> BTreeSet<String> {
    changes
        .iter()
        .flat_map(|c| std::iter::once(&c.path).chain(c.from.as_ref()))
        .cloned()
        .collect()
}

/// The project at the base: files with the same content as the head's are
/// reused; the others are read from git and analysed.
fn base_project(
    repo: &Repo,
    base: &BaseRef,
    trees: &Trees,
    head_files: &[SqlFile],
    on_disk: &OnDisk,
    is_sql: &dyn Fn(&str) -> bool,
    settings: &project::Settings,
) -> Result<Project> {
    let head_by_path: HashMap<&str, &SqlFile> =
        head_files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut reused: Vec<&SqlFile> = Vec::new();
    let mut to_read: Vec<(&String, Oid)> = Vec::new();
    for (path, id) in trees.base_blobs.iter().filter(|(p, _)| is_sql(p)) {
        let same = on_disk.get(path.as_str()) == Some(&Some(*id));
        match head_by_path.get(path.as_str()) {
            Some(f) if same => reused.push(f),
            _ => to_read.push((path, *id)),
        }
    }
    to_read.sort_unstable();
    let to_read: Vec<(String, Vec<u8>)> = to_read
        .into_iter()
        .map(|(path, id)| Ok((path.clone(), repo.blob(id)?)))
        .collect::<Result<_>>()?;
    let mut base_files: Vec<SqlFile> = reused.into_par_iter().map(|f| f.clone()).collect();
    base_files.extend(
        project::analyze_texts_with(&to_read, settings)
            .with_context(|| format!("cannot analyse the project at the base ref {}", base.name))?,
    );
    Project::build_with(base_files, settings)
        .with_context(|| format!("at the base ref {}", base.name))
}

/// Whether every environment of the config can upgrade a statement in
/// place (see `TargetKind::carries_offsets_over`).
pub(crate) fn in_place_target(config: &Config) -> InPlaceTarget {
    match config
        .environments
        .iter()
        .find(|(_, e)| !e.target.carries_offsets_over())
    {
        Some((name, _)) => InPlaceTarget::Unsupported(format!(
            "environment `{}` deploys to open-source Flink, which cannot carry offsets over",
            crate::paths::excerpt(name, 40)
        )),
        None => InPlaceTarget::Supported,
    }
}

/// Names in the force file now that were not in it at the base, plus
/// `--also`. The force file is read only inside the repository.
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
    let now = crate::paths::Repository::around(req.project_dir)
        .read(req.project_dir, &req.config.force_file, "force_file")?
        .map(|t| names(&t))
        .unwrap_or_default();
    let before = repo
        .read_at(base.commit, &req.config.force_file)?
        .map(|b| names(&String::from_utf8_lossy(&b)))
        .unwrap_or_default();
    let mut forced: BTreeSet<String> = now.difference(&before).cloned().collect();
    forced.extend(req.also.iter().cloned());
    Ok(forced)
}

impl Release {
    /// The analysis's warnings (statements outside the lineage, schema
    /// checks that could not run), for the front end to show.
    pub(crate) fn warnings(&self) -> Vec<String> {
        self.head
            .warnings
            .iter()
            .map(|w| w.to_string())
            .chain(self.schema_warnings.iter().cloned())
            .collect()
    }

    /// Changed files that are SQL, with their status.
    pub(crate) fn sql_changes(&self) -> impl Iterator<Item = &FileChange> {
        self.changes
            .iter()
            .filter(|c| c.path.ends_with(".sql") || c.status == FileStatus::Deleted)
    }

    /// Whether every source schema check passed (no incompatibility, no
    /// registry refusal or drift).
    pub(crate) fn schemas_passed(&self) -> bool {
        self.schema_checks.iter().all(SchemaCheck::passed)
    }
}
