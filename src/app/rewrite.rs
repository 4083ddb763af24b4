//! Rewrite use cases: prepare the rewritten files of a release (verified),
//! apply them all or nothing, and recover from an interrupted apply.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::graph::Graph;
use crate::project::{self, Project};
use crate::rewrite::{self, FileRewrite};

/// The renames for a one-line message: the first few, then how many more.
pub(crate) fn renames_summary(renames: &BTreeMap<String, String>) -> String {
    const SHOWN: usize = 10;
    let mut summary: Vec<String> = renames
        .iter()
        .take(SHOWN)
        .map(|(a, b)| format!("{a} -> {b}"))
        .collect();
    if renames.len() > SHOWN {
        summary.push(format!(
            "and {} more (`greenlight changes` lists them all)",
            renames.len() - SHOWN
        ));
    }
    summary.join(", ")
}

/// The rewritten files, verified: re-analysing the project with them gives
/// the old graph (`head_graph`) with the renames applied.
pub(crate) fn prepare(
    dir: &Path,
    head: &Project,
    head_graph: &Graph,
    renames: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<FileRewrite>> {
    let edits = rewrite::plan_edits(head, renames)?;
    let mut rewrites = Vec::new();
    for (path, edits) in &edits {
        let full = dir.join(path);
        let before = std::fs::read_to_string(&full)
            .with_context(|| format!("cannot read {}", full.display()))?;
        let after = rewrite::apply(path, &before, edits)?;
        if after != before {
            rewrites.push(FileRewrite {
                path: path.clone(),
                before,
                after,
            });
        }
    }
    if rewrites.is_empty() {
        return Ok(rewrites);
    }
    let texts: Vec<(String, Vec<u8>)> = rewrites
        .iter()
        .map(|r| (r.path.clone(), r.after.clone().into_bytes()))
        .collect();
    let mut analysed: std::collections::HashMap<String, crate::project::SqlFile> =
        project::analyze_texts_with(&texts, head.settings())?
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect();
    let files: Vec<crate::project::SqlFile> = head
        .files
        .iter()
        .map(|f| analysed.remove(&f.path).unwrap_or_else(|| f.clone()))
        .collect();
    let after = Project::build_with(files, head.settings())?;
    rewrite::verify(head, head_graph, &after, renames)?;
    Ok(rewrites)
}

/// Applies the rewrites, all or nothing, under a journal: a run killed
/// while writing leaves the journal, and the next run puts every file
/// back (see [`recover`]).
pub(crate) fn apply(dir: &Path, rewrites: &[FileRewrite]) -> anyhow::Result<()> {
    let journal = Journal::path(dir)?;
    Journal::of(dir, rewrites).save(&journal)?;
    let written = write_all(dir, rewrites);
    // Written, or every file as it was: the journal has done its job.
    if !matches!(written, Err(WriteError::Unrestored { .. })) {
        let _ = std::fs::remove_file(&journal);
    }
    Ok(written?)
}

/// What a rewrite was about to do, kept in the git directory while it
/// writes (never in the work tree, so it is never committed or dirty).
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// The project directory, canonical.
    dir: PathBuf,
    files: Vec<JournalFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct JournalFile {
    path: String,
    before: String,
    after_len: usize,
    after_id: String,
}

impl Journal {
    fn path(dir: &Path) -> anyhow::Result<PathBuf> {
        let repo = git2::Repository::discover(dir)
            .with_context(|| format!("{} is not in a git repository", dir.display()))?;
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let key = crate::git::worktree::blob_id(canonical.to_string_lossy().as_bytes())
            .map(|id| id.to_string()[..16].to_string())
            .unwrap_or_default();
        Ok(repo.path().join(format!("greenlight-rewrite-{key}.json")))
    }

    fn of(dir: &Path, rewrites: &[FileRewrite]) -> Journal {
        Journal {
            dir: dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
            files: rewrites
                .iter()
                .map(|r| JournalFile {
                    path: r.path.clone(),
                    before: r.before.clone(),
                    after_len: r.after.len(),
                    after_id: blob_id(r.after.as_bytes()),
                })
                .collect(),
        }
    }

    /// Written beside, then renamed over: a run killed while saving leaves
    /// no journal or a whole one, never a damaged one.
    fn save(&self, path: &Path) -> anyhow::Result<()> {
        use std::io::Write;
        let what = || format!("cannot write the rewrite journal {}", path.display());
        let partial = path.with_extension("json.partial");
        let mut f = std::fs::File::create(&partial).with_context(what)?;
        f.write_all(serde_json::to_string(self)?.as_bytes())
            .and_then(|()| f.sync_all())
            .with_context(what)?;
        std::fs::rename(&partial, path).with_context(what)?;
        Ok(())
    }
}

fn blob_id(bytes: &[u8]) -> String {
    crate::git::worktree::blob_id(bytes)
        .map(|id| id.to_string())
        .unwrap_or_default()
}

/// An interrupted rewrite that was undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recovered {
    pub files: Vec<String>,
}

/// Undoes a rewrite that was interrupted (the process killed while
/// writing): every file it touched gets its old text back, so that the run
/// starts from where the interrupted one did. A file that is neither its
/// old nor its new text (edited since) stops it, naming how to restore.
pub(crate) fn recover(dir: &Path) -> anyhow::Result<Option<Recovered>> {
    let path = Journal::path(dir)?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context(format!("cannot read {}", path.display())),
    };
    let journal: Journal = serde_json::from_str(&text).with_context(|| {
        format!(
            "the rewrite journal {} is damaged\n  hint: restore the SQL files with `git checkout -- .`, then delete that file",
            path.display()
        )
    })?;
    let mut edited = Vec::new();
    for f in &journal.files {
        let now = std::fs::read(dir.join(&f.path)).unwrap_or_default();
        let is_after = now.len() == f.after_len && blob_id(&now) == f.after_id;
        if !is_after && now != f.before.as_bytes() {
            edited.push(f.path.clone());
        }
    }
    if !edited.is_empty() {
        anyhow::bail!(
            "an interrupted rewrite left files that changed since: {}\n  hint: restore them with `git checkout -- {}`, then delete {} and run greenlight again",
            edited.join(", "),
            edited.join(" "),
            path.display()
        );
    }
    let back: Vec<FileRewrite> = journal
        .files
        .iter()
        .map(|f| FileRewrite {
            path: f.path.clone(),
            before: String::new(),
            after: f.before.clone(),
        })
        .collect();
    for r in &back {
        overwrite(&dir.join(&r.path), &r.after)
            .with_context(|| format!("cannot give {} its old text back", r.path))?;
    }
    std::fs::remove_file(&path).with_context(|| format!("cannot delete {}", path.display()))?;
    Ok(Some(Recovered {
        files: journal.files.into_iter().map(|f| f.path).collect(),
    }))
}

/// Why the rewritten files could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error("cannot write {path}; nothing was changed")]
    Unopened {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}; every file was given back its old text, nothing was changed")]
    Restored {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot write {path}, and {} file(s) could not be given back their old text: {}\n  hint: restore them from git (git checkout -- FILE) before running greenlight again",
        .unrestored.len(),
        .unrestored.join(", ")
    )]
    Unrestored {
        path: String,
        unrestored: Vec<String>,
        #[source]
        source: std::io::Error,
    },
}

/// Writes every rewritten file in place, all or nothing. Every file is first
/// opened for writing, so a file that cannot be written stops the rewrite
/// before anything changes; then each is overwritten (in parallel, without
/// truncating first: on ext4 that is ten times faster than replacing the
/// file, and it keeps the file's mode and links). If a write fails, every
/// file gets its old text back.
pub(crate) fn write_all(dir: &Path, rewrites: &[FileRewrite]) -> Result<(), WriteError> {
    use rayon::prelude::*;
    rewrites.par_iter().try_for_each(|r| {
        open_for_writing(&dir.join(&r.path))
            .map(drop)
            .map_err(|source| WriteError::Unopened {
                path: r.path.clone(),
                source,
            })
    })?;
    let written: Vec<std::io::Result<()>> = rewrites
        .par_iter()
        .map(|r| overwrite(&dir.join(&r.path), &r.after))
        .collect();
    let Some((failed, source)) = rewrites
        .iter()
        .zip(written)
        .find_map(|(r, w)| w.err().map(|e| (r, e)))
    else {
        return Ok(());
    };
    let unrestored: Vec<String> = rewrites
        .par_iter()
        .filter(|r| overwrite(&dir.join(&r.path), &r.before).is_err())
        .map(|r| r.path.clone())
        .collect();
    let path = failed.path.clone();
    Err(if unrestored.is_empty() {
        WriteError::Restored { path, source }
    } else {
        WriteError::Unrestored {
            path,
            unrestored,
            source,
        }
    })
}

fn open_for_writing(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).open(path)
}

/// Overwrites a file with `text`, then cuts what is left of the old text.
fn overwrite(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = open_for_writing(path)?;
    file.write_all(text.as_bytes())?;
    file.set_len(text.len() as u64)
}

pub(crate) fn unified_diff(rewrites: &[FileRewrite]) -> String {
    let mut out = String::new();
    for r in rewrites {
        let diff = similar::TextDiff::from_lines(&r.before, &r.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", r.path), &format!("b/{}", r.path))
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(path: &str, before: &str, after: &str) -> FileRewrite {
        FileRewrite {
            path: path.into(),
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn long_rename_lists_are_cut() {
        let renames: BTreeMap<String, String> = (0..12)
            .map(|i| (format!("t{i:02}"), format!("t{i:02}_v2")))
            .collect();
        let summary = renames_summary(&renames);
        assert!(
            summary.starts_with("t00 -> t00_v2, t01 -> t01_v2, "),
            "{summary}"
        );
        assert!(
            summary.ends_with("t09 -> t09_v2, and 2 more (`greenlight changes` lists them all)"),
            "{summary}"
        );
        let two: BTreeMap<String, String> = renames.into_iter().take(2).collect();
        assert_eq!(renames_summary(&two), "t00 -> t00_v2, t01 -> t01_v2");
    }

    #[test]
    fn writes_every_file_and_cuts_shorter_texts() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        std::fs::write(dir.path().join("b.sql"), "FROM t_v2 -- long").unwrap();
        write_all(
            dir.path(),
            &[
                rewrite("a.sql", "FROM t", "FROM t_v2"),
                rewrite("b.sql", "FROM t_v2 -- long", "FROM t_v3"),
            ],
        )
        .unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(read("a.sql"), "FROM t_v2");
        assert_eq!(read("b.sql"), "FROM t_v3");
    }

    #[test]
    fn a_file_that_cannot_be_opened_changes_nothing() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        std::fs::create_dir(dir.path().join("b.sql")).unwrap();
        let error = write_all(
            dir.path(),
            &[
                rewrite("a.sql", "FROM t", "FROM t_v2"),
                rewrite("b.sql", "", "x"),
            ],
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "cannot write b.sql; nothing was changed");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.sql")).unwrap(),
            "FROM t"
        );
    }

    #[test]
    fn a_failed_write_gives_every_file_its_old_text_back() {
        // /dev/full opens for writing and fails every write (ENOSPC).
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        let error = write_all(
            dir.path(),
            &[
                rewrite("a.sql", "FROM t", "FROM t_v2"),
                rewrite("/dev/full", "old", "new"),
            ],
        )
        .unwrap_err();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.sql")).unwrap(),
            "FROM t"
        );
        let message = format!("{:#}", anyhow::Error::from(error));
        assert!(
            message.starts_with("cannot write /dev/full, and 1 file(s) could not be given back their old text: /dev/full"),
            "{message}"
        );
        assert!(message.contains("No space left on device"), "{message}");
    }

    /// A git repository with two SQL files, and their rewrites.
    fn repo_with_rewrites() -> (tempfile::TempDir, Vec<FileRewrite>) {
        let dir = tempfile::TempDir::new().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        std::fs::write(dir.path().join("b.sql"), "FROM u").unwrap();
        let rewrites = vec![
            rewrite("a.sql", "FROM t", "FROM t_v2"),
            rewrite("b.sql", "FROM u", "FROM u_v2"),
        ];
        (dir, rewrites)
    }

    /// What `apply` leaves when killed after its first write.
    fn interrupt(dir: &Path, rewrites: &[FileRewrite]) {
        Journal::of(dir, rewrites)
            .save(&Journal::path(dir).unwrap())
            .unwrap();
        overwrite(&dir.join("a.sql"), "FROM t_v2").unwrap();
    }

    #[test]
    fn an_interrupted_rewrite_is_undone_by_the_next_run() {
        let (dir, rewrites) = repo_with_rewrites();
        assert_eq!(recover(dir.path()).unwrap(), None);
        interrupt(dir.path(), &rewrites);
        let r = recover(dir.path()).unwrap().unwrap();
        assert_eq!(r.files, vec!["a.sql", "b.sql"]);
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(
            (read("a.sql"), read("b.sql")),
            ("FROM t".into(), "FROM u".into())
        );
        assert_eq!(recover(dir.path()).unwrap(), None, "the journal is gone");
        // A complete apply leaves no journal.
        apply(dir.path(), &rewrites).unwrap();
        assert_eq!(read("a.sql"), "FROM t_v2");
        assert_eq!(recover(dir.path()).unwrap(), None);
    }

    #[test]
    fn an_interrupted_rewrite_of_files_edited_since_says_how_to_restore() {
        let (dir, rewrites) = repo_with_rewrites();
        interrupt(dir.path(), &rewrites);
        std::fs::write(dir.path().join("b.sql"), "FROM u -- edited").unwrap();
        let e = format!("{:#}", recover(dir.path()).unwrap_err());
        assert!(e.contains("changed since: b.sql"), "{e}");
        assert!(e.contains("git checkout -- b.sql"), "{e}");
        // Nothing was touched.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.sql")).unwrap(),
            "FROM t_v2"
        );
    }
}
