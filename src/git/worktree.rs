//! The working tree against HEAD without scanning it twice: the files
//! greenlight reads anyway are hashed as git blobs and compared with HEAD's
//! tree. When they all match, the changes since the base are those of the
//! commits (a tree-to-tree diff); only a working tree that differs needs
//! libgit2's scan of the working tree.
use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, StatusOptions, TreeWalkMode};

use super::{FileChange, Repo};

/// Project-relative path -> blob id, for the regular files of a tree.
pub(crate) type Blobs = HashMap<String, Oid>;

/// The id git gives a blob of these bytes, as stored (no filters such as
/// end-of-line conversion applied: a file they change compares as
/// different, which only costs the slower exact comparison).
pub(crate) fn blob_id(bytes: &[u8]) -> Option<Oid> {
    Oid::hash_object(ObjectType::Blob, bytes).ok()
}

/// A regular file's mode (not a link, a submodule or a tree).
fn is_regular(mode: i32) -> bool {
    mode & 0o170000 == 0o100000
}

/// The paths where the working tree differs from `committed`: a relevant
/// committed file missing or different on disk, or a file on disk that is not
/// committed. `on_disk` holds every relevant file present (its id, or `None`
/// when it could not be hashed); `relevant` says which committed paths count.
pub(crate) fn differences(
    committed: &Blobs,
    on_disk: &HashMap<String, Option<Oid>>,
    relevant: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = on_disk
        .iter()
        .filter(|(path, id)| id.is_none() || committed.get(*path) != id.as_ref())
        .map(|(path, _)| path.clone())
        .collect();
    out.extend(
        committed
            .keys()
            .filter(|path| relevant(path) && !on_disk.contains_key(*path))
            .cloned(),
    );
    out.sort_unstable();
    out.dedup();
    out
}

impl Repo {
    /// The regular files under the project in a commit's tree.
    pub(crate) fn blobs_at(&self, commit: Oid) -> Result<Blobs> {
        let root = self.repo.find_commit(commit)?.tree()?;
        let tree = if self.prefix.is_empty() {
            root
        } else {
            match root.get_path(Path::new(self.prefix.trim_end_matches('/'))) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    entry.to_object(&self.repo)?.peel_to_tree()?
                }
                Ok(_) => return Ok(Blobs::new()),
                Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Blobs::new()),
                Err(e) => return Err(e.into()),
            }
        };
        let mut out = Blobs::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if is_regular(entry.filemode())
                && let Ok(name) = entry.name()
            {
                out.insert(format!("{dir}{name}"), entry.id());
            }
            git2::TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// The changes under the project from `base` to HEAD (renames detected)
    /// and HEAD's blobs, given the base's.
    pub(crate) fn committed_changes(
        &self,
        base: Oid,
        base_blobs: &Blobs,
    ) -> Result<(Vec<FileChange>, Blobs)> {
        let old = self.repo.find_commit(base)?.tree()?;
        let new = self.repo.head()?.peel_to_tree()?;
        let mut opts = DiffOptions::new();
        opts.include_typechange(true);
        if !self.prefix.is_empty() {
            opts.pathspec(&self.prefix);
        }
        let mut diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))?;
        // HEAD's blobs: the base's with the deltas applied (before renames
        // are paired, a delta adds, deletes or modifies one path).
        let mut head = base_blobs.clone();
        let relative = |f: &git2::DiffFile<'_>| {
            f.path()
                .and_then(|p| p.to_str())
                .and_then(|p| self.strip(p))
        };
        for d in diff.deltas() {
            if d.status() != Delta::Added
                && let Some(old) = relative(&d.old_file())
            {
                head.remove(&old);
            }
            if d.status() != Delta::Deleted
                && is_regular(i32::from(d.new_file().mode()))
                && let Some(new) = relative(&d.new_file())
            {
                head.insert(new, d.new_file().id());
            }
        }
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
        Ok((self.file_changes(&diff), head))
    }

    /// Files under the project that differ between HEAD, the index and the
    /// working tree (untracked included, ignored not), among `relevant` ones.
    pub(crate) fn uncommitted_files(&self, relevant: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        if !self.prefix.is_empty() {
            opts.pathspec(&self.prefix);
        }
        let statuses = self.repo.statuses(Some(&mut opts))?;
        let mut out: Vec<String> = statuses
            .iter()
            .filter_map(|s| s.path().ok().and_then(|p| self.strip(p)))
            .filter(|p| relevant(p))
            .collect();
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(b"hello\n").unwrap().to_string(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn differences_cover_edits_additions_and_deletions() {
        let id = |s: &str| blob_id(s.as_bytes()).unwrap();
        let committed: Blobs = [
            ("a.sql", id("a")),
            ("b.sql", id("b")),
            ("gone.sql", id("g")),
            ("README.md", id("r")),
        ]
        .into_iter()
        .map(|(p, i)| (p.to_string(), i))
        .collect();
        let on_disk: HashMap<String, Option<Oid>> = [
            ("a.sql", Some(id("a"))),
            ("b.sql", Some(id("b2"))),
            ("new.sql", Some(id("n"))),
            ("odd.sql", None),
        ]
        .into_iter()
        .map(|(p, i)| (p.to_string(), i))
        .collect();
        let relevant = |p: &str| p.ends_with(".sql");
        assert_eq!(
            differences(&committed, &on_disk, relevant),
            ["b.sql", "gone.sql", "new.sql", "odd.sql"]
        );
    }
}
