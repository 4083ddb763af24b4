//! Local repository writes through git2: init, commit everything, tag.
use std::path::Path;

use anyhow::{Context, Result};
use git2::{IndexAddOption, Oid, Repository, Signature};

/// Who commits: name and email.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Author {
    fn signature(&self) -> Result<Signature<'static>> {
        Signature::now(&self.name, &self.email).context("invalid commit author")
    }
}

/// `git init` with `main` as the first branch.
pub fn init(dir: &Path) -> Result<Repository> {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    Repository::init_opts(dir, &opts)
        .with_context(|| format!("cannot create a repository in {}", dir.display()))
}

/// Stages every change in the work tree (additions, edits, deletions) and
/// commits it on HEAD. Returns the new commit.
pub fn commit_all(repo: &Repository, message: &str, author: &Author) -> Result<Oid> {
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

/// A lightweight tag on HEAD.
pub fn tag_head(repo: &Repository, name: &str) -> Result<()> {
    let head = repo.head()?.peel(git2::ObjectType::Commit)?;
    repo.tag_lightweight(name, &head, false)?;
    Ok(())
}
