//! Remote operations through git2: fetch history and tags, check out a
//! commit, push a branch. The token is only handed to git2's credentials
//! callback: it never appears in a URL, a log or an error.
use std::cell::Cell;

use anyhow::{Context, Result, anyhow};
use git2::{
    Cred, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository, build::CheckoutBuilder,
};

/// libgit2's value for "fetch the whole history" (`git fetch --unshallow`).
const UNSHALLOW: i32 = i32::MAX;

fn callbacks(token: Option<&str>) -> RemoteCallbacks<'_> {
    let mut cb = RemoteCallbacks::new();
    let tried = Cell::new(false);
    cb.credentials(move |_url, _user, _allowed| {
        // Answer once: a wrong token must fail, not loop.
        match token {
            Some(t) if !tried.replace(true) => Cred::userpass_plaintext("x-access-token", t),
            _ => Err(git2::Error::from_str(
                "authentication failed: check the token's permissions",
            )),
        }
    });
    cb
}

/// Fetches `refspecs` and every tag from `remote`; unshallows a shallow clone.
pub fn fetch(
    repo: &Repository,
    remote: &str,
    refspecs: &[String],
    token: Option<&str>,
) -> Result<()> {
    let mut r = repo
        .find_remote(remote)
        .with_context(|| format!("no remote `{remote}`"))?;
    let mut opts = FetchOptions::new();
    opts.remote_callbacks(callbacks(token));
    opts.download_tags(git2::AutotagOption::All);
    if repo.is_shallow() {
        opts.depth(UNSHALLOW);
    }
    let mut specs: Vec<String> = refspecs.to_vec();
    specs.push("+refs/tags/*:refs/tags/*".into());
    r.fetch(&specs, Some(&mut opts), None)
        .map_err(|e| anyhow!("cannot fetch from `{remote}`: {}", e.message()))?;
    Ok(())
}

/// Checks out `commit` (detached), discarding work-tree changes.
pub fn checkout_detached(repo: &Repository, commit: Oid) -> Result<()> {
    let obj = repo.find_object(commit, None)?;
    repo.checkout_tree(
        &obj,
        Some(CheckoutBuilder::new().force().remove_untracked(false)),
    )?;
    repo.set_head_detached(commit)?;
    Ok(())
}

/// The commit a ref points to.
pub fn resolve(repo: &Repository, refname: &str) -> Result<Oid> {
    Ok(repo
        .revparse_single(refname)
        .with_context(|| format!("`{refname}` not found after fetching"))?
        .peel_to_commit()?
        .id())
}

/// Why a push did not go through.
#[derive(Debug)]
pub enum PushError {
    /// The branch moved since it was fetched: fetch, recompute, retry.
    NonFastForward,
    Other(anyhow::Error),
}

/// Pushes `commit` to `refs/heads/<branch>` on `remote`, never forcing.
pub fn push(
    repo: &Repository,
    remote: &str,
    commit: Oid,
    branch: &str,
    token: Option<&str>,
) -> Result<(), PushError> {
    let local = "refs/greenlight/push";
    repo.reference(local, commit, true, "greenlight: commit to push")
        .map_err(|e| PushError::Other(e.into()))?;
    let mut r = repo
        .find_remote(remote)
        .map_err(|e| PushError::Other(e.into()))?;
    let rejected: std::rc::Rc<Cell<Option<String>>> = Default::default();
    let mut cb = callbacks(token);
    let seen = rejected.clone();
    cb.push_update_reference(move |_ref, status| {
        if let Some(s) = status {
            seen.set(Some(s.to_string()));
        }
        Ok(())
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(cb);
    let spec = format!("{local}:refs/heads/{branch}");
    let result = r.push(&[spec.as_str()], Some(&mut opts));
    let _ = repo.find_reference(local).and_then(|mut r| r.delete());
    let non_ff = |m: &str| {
        m.contains("non-fast")
            || m.contains("fast-forward")
            || m.contains("fetch first")
            || m.contains("not present locally")
    };
    match (result, rejected.take()) {
        (Err(e), _) if non_ff(e.message()) => Err(PushError::NonFastForward),
        (Err(e), _) => Err(PushError::Other(anyhow!(
            "cannot push to `{branch}`: {}",
            e.message()
        ))),
        (Ok(()), Some(msg)) if non_ff(&msg) => Err(PushError::NonFastForward),
        (Ok(()), Some(msg)) => Err(PushError::Other(anyhow!(
            "the push to `{branch}` was rejected: {msg}"
        ))),
        (Ok(()), None) => Ok(()),
    }
}

/// Turns off libgit2's check that the repository belongs to the current
/// user: in a container action the workspace belongs to the runner's user
/// (git's `safe.directory`).
pub fn trust_workspace_owner() -> Result<()> {
    // SAFETY: called once at start-up, before any other git2 call.
    unsafe { git2::opts::set_verify_owner_validation(false) }.context("cannot configure libgit2")
}
