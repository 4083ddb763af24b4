//! The webhook event a workflow run sees at `GITHUB_EVENT_PATH` (pure).
use globset::{Glob, GlobSetBuilder};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequestEvent {
    pub action: String,
    pub number: u64,
    pub pull_request: PullRequest,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    #[serde(default)]
    pub draft: bool,
    pub head: Branch,
    pub base: Branch,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Branch {
    #[serde(rename = "ref")]
    pub name: String,
    pub sha: String,
    /// Null when a fork was deleted.
    pub repo: Option<Repo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Repo {
    pub full_name: String,
}

/// The pull request actions greenlight answers.
pub const ACTIONS: &[&str] = &["opened", "synchronize", "reopened", "ready_for_review"];

/// What to do with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Skip, with the one line that says why.
    Skip(String),
    Run {
        pr: u64,
        head_branch: String,
        head_sha: String,
        base_branch: String,
        /// The head lives in another repository: the token cannot push there.
        fork: bool,
    },
}

/// Decides from the event name and payload.
pub fn decide(
    event_name: &str,
    payload: &str,
    release_branches: &[String],
) -> Result<Decision, String> {
    if event_name != "pull_request" && event_name != "pull_request_target" {
        return Ok(Decision::Skip(format!(
            "greenlight: nothing to do for a `{event_name}` event (it runs on pull requests into release branches)"
        )));
    }
    let event: PullRequestEvent = serde_json::from_str(payload)
        .map_err(|e| format!("cannot read the pull_request event payload: {e}"))?;
    if !ACTIONS.contains(&event.action.as_str()) {
        return Ok(Decision::Skip(format!(
            "greenlight: nothing to do for pull request action `{}`",
            event.action
        )));
    }
    let pr = &event.pull_request;
    let mut set = GlobSetBuilder::new();
    for p in release_branches {
        set.add(Glob::new(p).map_err(|e| format!("invalid release branch pattern `{p}`: {e}"))?);
    }
    let set = set.build().map_err(|e| e.to_string())?;
    if !set.is_match(&pr.base.name) {
        return Ok(Decision::Skip(format!(
            "greenlight: base branch `{}` is not a release branch ({}): skipped",
            pr.base.name,
            release_branches.join(", ")
        )));
    }
    let fork = match (&pr.head.repo, &pr.base.repo) {
        (Some(h), Some(b)) => h.full_name != b.full_name,
        _ => true,
    };
    Ok(Decision::Run {
        pr: event.number.max(pr.number),
        head_branch: pr.head.name.clone(),
        head_sha: pr.head.sha.clone(),
        base_branch: pr.base.name.clone(),
        fork,
    })
}
