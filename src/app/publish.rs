//! "Rewrite, commit, push with retry": the bot's side of a pull request.
//! Each attempt fetches the branch, analyses its tip, writes and commits
//! the rewrites, and pushes without force. A push the remote refuses while
//! the branch moved is a race: the next attempt starts from the new tip. A
//! refusal of an unmoved branch (permissions, branch protection, a hook)
//! leaves the rewrites pending, with the reason, for the comment.
use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository};

use super::release::{Release, ReleaseRequest, analyze};
use super::rewrite;
use crate::config::Config;
use crate::git::local::{Author, commit_files};
use crate::git::remote::{self, PushResult};
use crate::rewrite::FileRewrite;

/// The trailer that marks the bot's rewrite commits.
pub(crate) const TRAILER: &str = "Greenlight-Rewrite";

/// What to publish, and where.
pub(crate) struct PublishRequest<'a> {
    pub repo: &'a Repository,
    pub project_dir: &'a Path,
    pub config: &'a Config,
    pub since: Option<&'a str>,
    pub remote: &'a str,
    /// Refspecs fetched before each attempt (tags are always fetched).
    pub fetch: &'a [String],
    /// The ref that holds the pull request's head once fetched.
    pub tracking: &'a str,
    /// The branch the rewrite commit is pushed to; None: never push.
    pub push_to: Option<&'a str>,
    pub token: Option<&'a str>,
    pub author: &'a Author,
    pub attempts: usize,
}

/// What became of the rewrites.
#[derive(Debug)]
pub(crate) enum Pushed {
    /// The rewrite commit is the branch's new tip.
    Committed(Oid),
    /// Every impacted table already has its green name.
    UpToDate,
    /// Rewrites the author must apply: not pushed (comment only), or the
    /// push was refused (`refused` says why).
    Pending {
        rewrites: Vec<FileRewrite>,
        refused: Option<String>,
    },
}

/// A published pull request.
pub(crate) struct Published {
    pub release: Release,
    /// The commit the verdict is about: the rewrite commit when one was
    /// pushed, else the analysed tip.
    pub head: Oid,
    pub pushed: Pushed,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum PublishError {
    /// The pull request's SQL or config could not be analysed.
    #[error("{0:#}")]
    Analysis(anyhow::Error),
    #[error(
        "`{branch}` kept moving: {attempts} pushes were rejected while the branch moved\n  hint: re-run the job once the branch is quiet"
    )]
    KeptMoving { branch: String, attempts: usize },
    #[error("{0:#}")]
    Git(anyhow::Error),
}

/// Fetches, analyses, rewrites, commits and pushes, with bounded retries.
pub(crate) fn publish(
    req: &PublishRequest<'_>,
    log: &mut dyn FnMut(&str),
) -> Result<Published, PublishError> {
    let git = PublishError::Git;
    for attempt in 1..=req.attempts {
        remote::fetch(req.repo, req.remote, req.fetch, req.token).map_err(git)?;
        let tip = remote::resolve(req.repo, req.tracking).map_err(git)?;
        remote::checkout_detached(req.repo, tip).map_err(git)?;
        let release = analyze(&ReleaseRequest {
            project_dir: req.project_dir,
            config: req.config,
            since: req.since,
            also: &[],
            require_clean: false,
        })
        .map_err(PublishError::Analysis)?;
        let rewrites = rewrite::prepare(
            req.project_dir,
            &release.head,
            &release.head_graph,
            &release.impact.renames,
        )
        .map_err(PublishError::Analysis)?;
        if rewrites.is_empty() {
            return Ok(Published {
                release,
                head: tip,
                pushed: Pushed::UpToDate,
            });
        }
        let Some(branch) = req.push_to else {
            return Ok(pending(release, tip, rewrites, None));
        };
        let commit = rewrite_and_commit(req.repo, req.project_dir, &release, &rewrites, req.author)
            .map_err(git)?;
        match remote::push(req.repo, req.remote, commit, branch, req.token).map_err(git)? {
            PushResult::Pushed => {
                return Ok(Published {
                    release,
                    head: commit,
                    pushed: Pushed::Committed(commit),
                });
            }
            PushResult::Rejected(reason) => {
                // The work tree back to the branch's tip, as fetched.
                remote::checkout_detached(req.repo, tip).map_err(git)?;
                remote::fetch(req.repo, req.remote, req.fetch, req.token).map_err(git)?;
                let now = remote::resolve(req.repo, req.tracking).map_err(git)?;
                if now == tip {
                    return Ok(pending(release, tip, rewrites, Some(reason)));
                }
                if attempt < req.attempts {
                    log(&format!(
                        "greenlight: `{branch}` moved while rewriting; fetching it again (attempt {})",
                        attempt + 1
                    ));
                }
            }
        }
    }
    Err(PublishError::KeptMoving {
        branch: req.push_to.unwrap_or_default().to_string(),
        attempts: req.attempts,
    })
}

fn pending(
    release: Release,
    tip: Oid,
    rewrites: Vec<FileRewrite>,
    refused: Option<String>,
) -> Published {
    Published {
        release,
        head: tip,
        pushed: Pushed::Pending { rewrites, refused },
    }
}

/// Writes the rewrites (under the journal) and commits exactly those files
/// on HEAD with the bot's message.
pub(crate) fn rewrite_and_commit(
    repo: &Repository,
    project_dir: &Path,
    release: &Release,
    rewrites: &[FileRewrite],
    author: &Author,
) -> anyhow::Result<Oid> {
    rewrite::apply(project_dir, rewrites)?;
    let message = commit_message(&release.base.name, &release.impact.renames);
    let paths: Vec<&str> = rewrites.iter().map(|r| r.path.as_str()).collect();
    commit_files(repo, project_dir, &paths, &message, author)
}

/// The bot's commit message: the tables, and a trailer marking the commit.
pub(crate) fn commit_message(base: &str, renames: &BTreeMap<String, String>) -> String {
    let n = renames.len();
    let mut m = format!(
        "greenlight: re-version {n} {} since {base}\n\n",
        if n == 1 { "table" } else { "tables" }
    );
    for (a, b) in renames {
        m.push_str(&format!("- {a} -> {b}\n"));
    }
    m.push_str(&format!("\n{TRAILER}: {base}\n"));
    m
}
