//! Git adapter (git2): the base ref, changed files, blobs at the base, dirty
//! state. Everything is read relative to the project directory, which may be
//! a sub-folder of the repository.
pub(crate) mod local;
pub(crate) mod remote;
pub(crate) mod worktree;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, Sort};
use globset::Glob;

/// Why there is no base to compare with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BaseRefError {
    #[error(
        "no tags in this repository, so there is no release to compare with\n  hint: CI checkouts fetch no tags by default: use actions/checkout with `fetch-depth: 0` (or `git fetch --tags`); for a first release pass --since <ref>{shallow}"
    )]
    NoTags { shallow: &'static str },
    #[error(
        "no tag matching `{pattern}` is reachable from HEAD\n  hint: tag the last release, fetch tags (`git fetch --tags`), or pass --since <ref>{shallow}"
    )]
    NoMatchingTag {
        pattern: String,
        shallow: &'static str,
    },
}

/// The ref changes are measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseRef {
    /// What it was found as: the tag name, or the ref/date given.
    pub name: String,
    pub commit: Oid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
}

/// A file changed between the base and the working tree (project-relative).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileChange {
    pub status: FileStatus,
    pub path: String,
    /// For a rename: the path at the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// One content of a file in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlobVersion {
    pub blob: Oid,
    /// The oldest commit reachable from HEAD holding this content.
    pub commit: Oid,
    pub content: Vec<u8>,
}

pub(crate) struct Repo {
    repo: Repository,
    /// Project directory relative to the work tree, `/`-separated, with a
    /// trailing `/` unless empty.
    prefix: String,
}

impl Repo {
    /// Opens the repository holding `project_dir`.
    pub(crate) fn open(project_dir: &Path) -> Result<Repo> {
        if !project_dir.is_dir() {
            bail!(
                "{}: not a directory\n  hint: pass the folder holding the project's SQL files with --project",
                project_dir.display()
            );
        }
        let repo = Repository::discover(project_dir).map_err(|e| {
            anyhow!(
                "{} is not inside a git repository ({})\n  hint: run greenlight in a clone of the project (with its history and tags)",
                project_dir.display(),
                e.message()
            )
        })?;
        let prefix = project_prefix(&repo, project_dir)?;
        Ok(Repo { repo, prefix })
    }

    pub(crate) fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// `since`: a ref, a commit, or a date (`YYYY-MM-DD`); without it, the
    /// newest tag matching `tag_pattern` reachable from HEAD.
    pub(crate) fn base_ref(&self, since: Option<&str>, tag_pattern: &str) -> Result<BaseRef> {
        match since {
            Some(s) => self.resolve_since(s),
            None => self.newest_tag(tag_pattern),
        }
    }

    fn shallow_hint(&self) -> &'static str {
        if self.is_shallow() {
            "\n  hint: this is a shallow clone: fetch the full history and tags (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow --tags`)"
        } else {
            ""
        }
    }

    fn resolve_since(&self, since: &str) -> Result<BaseRef> {
        if let Ok(obj) = self.repo.revparse_single(since) {
            let commit = obj
                .peel_to_commit()
                .with_context(|| format!("`{since}` does not point to a commit"))?;
            return Ok(BaseRef {
                name: since.to_string(),
                commit: commit.id(),
            });
        }
        if let Some(limit) = crate::dates::parse_day(since) {
            let mut walk = self.repo.revwalk()?;
            walk.push_head()?;
            walk.simplify_first_parent()?;
            for oid in walk {
                let oid = oid?;
                if self.repo.find_commit(oid)?.time().seconds() < limit {
                    return Ok(BaseRef {
                        name: since.to_string(),
                        commit: oid,
                    });
                }
            }
            bail!(
                "no commit before {since} in the history of HEAD{}",
                self.shallow_hint()
            );
        }
        let hint = match self.shallow_hint() {
            "" => {
                "\n  hint: check the name (`git tag --list`, `git branch --all`), fetch it (`git fetch --tags`), or pass a commit or a date"
            }
            shallow => shallow,
        };
        bail!("unknown ref `{since}`: not a branch, tag, commit or date (YYYY-MM-DD){hint}")
    }

    fn newest_tag(&self, pattern: &str) -> Result<BaseRef> {
        let glob = Glob::new(pattern)
            .with_context(|| format!("invalid tag pattern `{pattern}`"))?
            .compile_matcher();
        let mut tagged: HashMap<Oid, Vec<String>> = HashMap::new();
        let mut any_tag = false;
        for name in self.repo.tag_names(None)?.iter().flatten().flatten() {
            any_tag = true;
            if !glob.is_match(name) {
                continue;
            }
            let obj = self.repo.revparse_single(&format!("refs/tags/{name}"))?;
            if let Ok(c) = obj.peel_to_commit() {
                tagged.entry(c.id()).or_default().push(name.to_string());
            }
        }
        if !any_tag {
            return Err(BaseRefError::NoTags {
                shallow: self.shallow_hint(),
            }
            .into());
        }
        let mut walk = self.repo.revwalk()?;
        walk.push_head()
            .context("HEAD does not point to a commit")?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        for oid in walk {
            let oid = oid?;
            if let Some(names) = tagged.get(&oid) {
                let name = names.iter().max().expect("non-empty").clone();
                return Ok(BaseRef { name, commit: oid });
            }
        }
        Err(BaseRefError::NoMatchingTag {
            pattern: pattern.to_string(),
            shallow: self.shallow_hint(),
        }
        .into())
    }

    /// Files under the project changed from `base` to the working tree
    /// (untracked files included, renames detected), sorted by path.
    pub(crate) fn changed_files(&self, base: Oid) -> Result<Vec<FileChange>> {
        let tree = self.repo.find_commit(base)?.tree()?;
        let mut opts = DiffOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(true);
        if !self.prefix.is_empty() {
            opts.pathspec(&self.prefix);
        }
        let mut diff = self
            .repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))?;
        diff.find_similar(Some(
            DiffFindOptions::new().renames(true).for_untracked(true),
        ))?;
        Ok(self.file_changes(&diff))
    }

    /// The deltas of a diff as project-relative changes, sorted by path.
    fn file_changes(&self, diff: &git2::Diff<'_>) -> Vec<FileChange> {
        let mut out = Vec::new();
        for d in diff.deltas() {
            let new = d
                .new_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            let old = d
                .old_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            let (status, path, from) = match d.status() {
                Delta::Added | Delta::Untracked => (FileStatus::Added, new, None),
                Delta::Deleted => (FileStatus::Deleted, old, None),
                Delta::Modified | Delta::Typechange => (FileStatus::Modified, new, None),
                Delta::Renamed => (FileStatus::Renamed, new, old),
                _ => continue,
            };
            let Some(path) = path.and_then(|p| self.strip(&p)) else {
                continue;
            };
            let from = from.and_then(|p| self.strip(&p));
            out.push(FileChange { status, path, from });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    fn strip(&self, repo_path: &str) -> Option<String> {
        repo_path.strip_prefix(&self.prefix).map(String::from)
    }

    /// The content of a project-relative file at `base`, if it exists there.
    pub(crate) fn read_at(&self, base: Oid, path: &str) -> Result<Option<Vec<u8>>> {
        let tree = self.repo.find_commit(base)?.tree()?;
        let entry = match tree.get_path(Path::new(&format!("{}{path}", self.prefix))) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let blob = entry.to_object(&self.repo)?.peel_to_blob()?;
        Ok(Some(blob.content().to_vec()))
    }

    /// The content of a blob.
    pub(crate) fn blob(&self, id: Oid) -> Result<Vec<u8>> {
        Ok(self.repo.find_blob(id)?.content().to_vec())
    }

    /// Every distinct content a project-relative file had in the commits
    /// reachable from HEAD, newest first (ordered by the newest commit that
    /// holds it). Each version names the oldest commit holding it, where it
    /// was introduced.
    pub(crate) fn versions_of(&self, path: &str) -> Result<Vec<BlobVersion>> {
        let full = format!("{}{path}", self.prefix);
        let mut walk = self.repo.revwalk()?;
        walk.push_head()
            .context("HEAD does not point to a commit")?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        let mut order: Vec<Oid> = Vec::new();
        let mut introduced: HashMap<Oid, Oid> = HashMap::new();
        for oid in walk {
            let oid = oid?;
            let tree = self.repo.find_commit(oid)?.tree()?;
            let entry = match tree.get_path(Path::new(&full)) {
                Ok(e) => e,
                Err(e) if e.code() == git2::ErrorCode::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            if entry.kind() != Some(ObjectType::Blob) {
                continue;
            }
            let blob = entry.id();
            // Walking from the newest: the last commit seen is the oldest.
            if introduced.insert(blob, oid).is_none() {
                order.push(blob);
            }
        }
        order
            .into_iter()
            .map(|blob| {
                let content = self.repo.find_blob(blob)?.content().to_vec();
                Ok(BlobVersion {
                    blob,
                    commit: introduced[&blob],
                    content,
                })
            })
            .collect()
    }

    /// The short summary line of a commit's message.
    pub(crate) fn commit_summary(&self, commit: Oid) -> Result<String> {
        Ok(self
            .repo
            .find_commit(commit)?
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_string())
    }
}

/// Where the project folder is in the repository's work tree: a path
/// relative to its root, ending with `/`, or empty at the root.
pub(crate) fn project_prefix(repo: &Repository, project_dir: &Path) -> Result<String> {
    let workdir = repo.workdir().ok_or_else(|| {
        anyhow!(
            "the repository of {} is bare: a work tree is needed",
            project_dir.display()
        )
    })?;
    let workdir = canonical(workdir)?;
    let project = canonical(project_dir)?;
    let rel = project.strip_prefix(&workdir).map_err(|_| {
        anyhow!(
            "{} is outside the work tree {}",
            project.display(),
            workdir.display()
        )
    })?;
    let mut prefix = crate::project::relative(Path::new(""), rel);
    if !prefix.is_empty() {
        prefix.push('/');
    }
    Ok(prefix)
}

fn canonical(p: &Path) -> Result<PathBuf> {
    p.canonicalize()
        .with_context(|| format!("cannot resolve {}", p.display()))
}
