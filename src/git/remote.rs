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
pub(crate) fn fetch(
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
pub(crate) fn checkout_detached(repo: &Repository, commit: Oid) -> Result<()> {
    let obj = repo.find_object(commit, None)?;
    repo.checkout_tree(
        &obj,
        Some(CheckoutBuilder::new().force().remove_untracked(false)),
    )?;
    repo.set_head_detached(commit)?;
    Ok(())
}

/// The commit a ref points to.
pub(crate) fn resolve(repo: &Repository, refname: &str) -> Result<Oid> {
    Ok(repo
        .revparse_single(refname)
        .with_context(|| format!("`{refname}` not found after fetching"))?
        .peel_to_commit()?
        .id())
}

/// What became of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PushResult {
    Pushed,
    /// The remote refused the update, or the push could not be made; the
    /// reason as the remote or libgit2 gave it. Whether the branch moved
    /// meanwhile (a race to retry) or not (a refusal) is for the caller to
    /// find out by fetching: never guessed from the message.
    Rejected(String),
}

/// Pushes `commit` to `refs/heads/<branch>` on `remote`, never forcing.
pub(crate) fn push(
    repo: &Repository,
    remote: &str,
    commit: Oid,
    branch: &str,
    token: Option<&str>,
) -> Result<PushResult> {
    let local = "refs/greenlight/push";
    repo.reference(local, commit, true, "greenlight: commit to push")?;
    let mut r = repo
        .find_remote(remote)
        .with_context(|| format!("no remote `{remote}`"))?;
    let rejected: std::rc::Rc<Cell<Option<String>>> = Default::default();
    let said: std::rc::Rc<std::cell::RefCell<String>> = Default::default();
    let mut cb = callbacks(token);
    let seen = rejected.clone();
    cb.push_update_reference(move |_ref, status| {
        if let Some(s) = status {
            seen.set(Some(s.to_string()));
        }
        Ok(())
    });
    // What the remote says on its side band (`remote: ...`): a hook's or
    // branch protection's reason.
    let heard = said.clone();
    cb.sideband_progress(move |data| {
        let mut h = heard.borrow_mut();
        if h.len() < 4096 {
            h.push_str(&String::from_utf8_lossy(data));
        }
        true
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(cb);
    let spec = format!("{local}:refs/heads/{branch}");
    let result = r.push(&[spec.as_str()], Some(&mut opts));
    let _ = repo.find_reference(local).and_then(|mut r| r.delete());
    let remote_said: Vec<String> = said
        .borrow()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let with_remote = |reason: String| {
        if remote_said.is_empty() {
            reason
        } else {
            format!("{reason} (the remote said: {})", remote_said.join(" "))
        }
    };
    Ok(match (result, rejected.take()) {
        (Ok(()), None) => PushResult::Pushed,
        (Ok(()), Some(status)) => PushResult::Rejected(with_remote(status)),
        (Err(e), _) => PushResult::Rejected(with_remote(describe(&e))),
    })
}

/// libgit2's error as a short reason, classified by its class and code.
fn describe(e: &git2::Error) -> String {
    use git2::{ErrorClass, ErrorCode};
    match (e.class(), e.code()) {
        (_, ErrorCode::Auth) | (ErrorClass::Callback, _) => {
            "the token was refused (authentication)".to_string()
        }
        (_, ErrorCode::NotFastForward) => "not a fast-forward".to_string(),
        _ => e.message().to_string(),
    }
}

/// Turns off libgit2's check that the repository belongs to the current
/// user: in a container action the workspace belongs to the runner's user
/// (git's `safe.directory`).
pub(crate) fn trust_workspace_owner() -> Result<()> {
    // SAFETY: called once at start-up, before any other git2 call.
    unsafe { git2::opts::set_verify_owner_validation(false) }.context("cannot configure libgit2")
}

/// The content of `path` (relative to the work tree's root) in the tree of
/// `refname`, or None when it has no such file.
pub(crate) fn read_at_ref(repo: &Repository, refname: &str, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .revparse_single(refname)
        .with_context(|| format!("`{refname}` not found after fetching"))?
        .peel_to_tree()?;
    let entry = match tree.get_path(std::path::Path::new(path)) {
        Ok(e) => e,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    match entry.to_object(repo)?.into_blob() {
        // A link is its target's path, not a file of the tree: none.
        Ok(b) if entry.filemode() != i32::from(git2::FileMode::Link) => {
            Ok(Some(b.content().to_vec()))
        }
        _ => Ok(None),
    }
}

/// The newest commit from `head` back to `base` (first parents, at most
/// `limit`) whose message carries `trailer: value`: the bot's last rewrite
/// commit of this release.
pub(crate) fn last_trailer_commit(
    repo: &Repository,
    head: Oid,
    base: Oid,
    trailer: &str,
    value: &str,
    limit: usize,
) -> Result<Option<Oid>> {
    let line = format!("{trailer}: {value}");
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    walk.hide(base).ok();
    walk.simplify_first_parent()?;
    for oid in walk.take(limit) {
        let oid = oid?;
        let commit = repo.find_commit(oid)?;
        if commit
            .message()
            .is_ok_and(|m| m.lines().any(|l| l.trim() == line))
        {
            return Ok(Some(oid));
        }
    }
    Ok(None)
}

/// A separate repository in `dir` sharing `repo`'s objects (git
/// alternates), holding its tags and `head` checked out without symbolic
/// links (core.symlinks off: a link becomes a file holding its target's
/// path). Untrusted trees are analysed there, never in the workspace.
pub(crate) fn isolated_checkout(
    repo: &Repository,
    head: Oid,
    dir: &std::path::Path,
) -> Result<Repository> {
    let git_dir = Repository::init(dir)
        .with_context(|| format!("cannot create a repository in {}", dir.display()))?
        .path()
        .to_path_buf();
    let alternates = git_dir.join("objects/info/alternates");
    std::fs::create_dir_all(alternates.parent().expect("objects/info"))?;
    std::fs::write(
        &alternates,
        format!("{}\n", repo.path().join("objects").display()),
    )
    .with_context(|| format!("cannot write {}", alternates.display()))?;
    // Opened again, so that its object database sees the alternates.
    let out = Repository::open(dir)?;
    out.config()?.set_bool("core.symlinks", false)?;
    for r in repo.references_glob("refs/tags/*")? {
        let r = r?;
        if let (Ok(name), Some(target)) = (r.name(), r.target()) {
            out.reference(name, target, true, "greenlight: tags of the base")?;
        }
    }
    out.reference("refs/heads/greenlight-head", head, true, "greenlight: head")?;
    out.set_head("refs/heads/greenlight-head")?;
    out.checkout_head(Some(CheckoutBuilder::new().force()))?;
    Ok(out)
}
