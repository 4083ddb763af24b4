//! Local repository writes through git2: init, commit everything or given
//! files, tag.
use std::path::Path;

use anyhow::{Context, Result};
use git2::{IndexAddOption, Oid, Repository, Signature};

/// Who commits: name and email.
#[derive(Debug, Clone)]
pub(crate) struct Author {
    pub name: String,
    pub email: String,
}

impl Author {
    fn signature(&self) -> Result<Signature<'static>> {
        Signature::now(&self.name, &self.email).context("invalid commit author")
    }
}

/// `git init` with `main` as the first branch.
pub(crate) fn init(dir: &Path) -> Result<Repository> {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    Repository::init_opts(dir, &opts)
        .with_context(|| format!("cannot create a repository in {}", dir.display()))
}

/// Stages every change in the work tree (additions, edits, deletions) and
/// commits it on HEAD. Returns the new commit.
pub(crate) fn commit_all(repo: &Repository, message: &str, author: &Author) -> Result<Oid> {
    let mut index = repo.index()?;
    index.add_all(["*"].iter(), IndexAddOption::DEFAULT, None)?;
    index.update_all(["*"].iter(), None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = author.signature()?;
    let parent = match repo.head() {
        Ok(h) => Some(h.peel_to_commit()?),
        Err(_) => None,
    };
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    Ok(repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?)
}

/// Commits on HEAD the given files of the project in `dir` (paths relative
/// to it) as they are in the work tree, and nothing else: other changes and
/// untracked files of the work tree stay out of the commit, and the index is
/// reset to the new commit. Returns the new commit.
pub(crate) fn commit_files(
    repo: &Repository,
    dir: &Path,
    paths: &[&str],
    message: &str,
    author: &Author,
) -> Result<Oid> {
    let prefix = super::project_prefix(repo, dir)?;
    let parent = repo.head()?.peel_to_commit()?;
    let mut index = repo.index()?;
    index.read_tree(&parent.tree()?)?;
    for path in paths {
        let in_repo = format!("{prefix}{path}");
        index
            .add_path(Path::new(&in_repo))
            .with_context(|| format!("cannot stage {in_repo}"))?;
    }
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = author.signature()?;
    Ok(repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent])?)
}

/// A lightweight tag on HEAD.
pub(crate) fn tag_head(repo: &Repository, name: &str) -> Result<()> {
    let head = repo.head()?.peel(git2::ObjectType::Commit)?;
    repo.tag_lightweight(name, &head, false)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author() -> Author {
        Author {
            name: "greenlight[bot]".into(),
            email: "bot@greenlight.invalid".into(),
        }
    }

    fn committed(repo: &Repository, path: &str) -> Option<String> {
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        let entry = tree.get_path(Path::new(path)).ok()?;
        let blob = repo.find_blob(entry.id()).unwrap();
        Some(String::from_utf8(blob.content().to_vec()).unwrap())
    }

    #[test]
    fn commit_files_commits_only_the_given_files() {
        let tmp = tempfile::TempDir::new().unwrap();
        let root = tmp.path();
        let repo = init(root).unwrap();
        std::fs::create_dir_all(root.join("flink/sql")).unwrap();
        std::fs::write(root.join("flink/sql/a.sql"), "FROM t").unwrap();
        std::fs::write(root.join("flink/sql/b.sql"), "FROM u").unwrap();
        commit_all(&repo, "first", &author()).unwrap();
        std::fs::write(root.join("flink/sql/a.sql"), "FROM t_v2").unwrap();
        std::fs::write(root.join("flink/sql/b.sql"), "FROM u -- edited").unwrap();
        std::fs::write(root.join("flink/junk.log"), "build output").unwrap();

        let first = repo.head().unwrap().peel_to_commit().unwrap().id();
        let commit = commit_files(
            &repo,
            &root.join("flink"),
            &["sql/a.sql"],
            "rewrite",
            &author(),
        )
        .unwrap();
        let made = repo.find_commit(commit).unwrap();
        assert_eq!(made.parent_id(0).unwrap(), first);
        assert_eq!(made.message().unwrap(), "rewrite");
        assert_eq!(
            committed(&repo, "flink/sql/a.sql").as_deref(),
            Some("FROM t_v2")
        );
        assert_eq!(
            committed(&repo, "flink/sql/b.sql").as_deref(),
            Some("FROM u")
        );
        assert_eq!(committed(&repo, "flink/junk.log"), None);
        let staged = repo.index().unwrap();
        assert_eq!(staged.len(), 2);
    }

    #[test]
    fn commit_files_outside_the_repository_is_an_error() {
        let tmp = tempfile::TempDir::new().unwrap();
        let other = tempfile::TempDir::new().unwrap();
        let repo = init(tmp.path()).unwrap();
        std::fs::write(tmp.path().join("a.sql"), "FROM t").unwrap();
        commit_all(&repo, "first", &author()).unwrap();
        let error = commit_files(&repo, other.path(), &["a.sql"], "x", &author()).unwrap_err();
        assert!(
            error.to_string().contains("is outside the work tree"),
            "{error}"
        );
    }
}
