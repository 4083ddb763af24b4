//! The webhook event a workflow run sees at `GITHUB_EVENT_PATH` (pure).
use globset::{Glob, GlobSetBuilder};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PullRequestEvent {
    pub action: String,
    pub number: u64,
    pub pull_request: PullRequest,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PullRequest {
    pub number: u64,
    pub head: Branch,
    pub base: Branch,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Branch {
    #[serde(rename = "ref")]
    pub name: String,
    pub sha: String,
    /// Null when a fork was deleted.
    pub repo: Option<Repo>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Repo {
    pub full_name: String,
}

/// The pull request actions greenlight answers.
pub(crate) const ACTIONS: &[&str] = &["opened", "synchronize", "reopened", "ready_for_review"];

/// What to do with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Skip, with the one line that says why.
    Skip(String),
    Run(Pull),
}

/// The pull request a run is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pull {
    pub number: u64,
    pub head_branch: String,
    pub head_sha: String,
    pub base_branch: String,
    /// The head lives in another repository: the token cannot push there.
    pub fork: bool,
    /// A `pull_request_target` run: the workflow and the workspace are the
    /// base branch's, the token can write, and the head is untrusted.
    pub target: bool,
}

/// Why an event cannot be decided on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EventError {
    #[error("cannot read the {event} event payload: {reason}")]
    Payload { event: String, reason: String },
    #[error("invalid release branch pattern `{pattern}`: {reason}")]
    Pattern { pattern: String, reason: String },
}

/// Decides from the event name and payload.
pub(crate) fn decide(
    event_name: &str,
    payload: &str,
    release_branches: &[String],
) -> Result<Decision, EventError> {
    if event_name != "pull_request" && event_name != "pull_request_target" {
        return Ok(Decision::Skip(format!(
            "greenlight: nothing to do for a `{event_name}` event (it runs on pull requests into release branches)"
        )));
    }
    let event: PullRequestEvent =
        serde_json::from_str(payload).map_err(|e| EventError::Payload {
            event: event_name.to_string(),
            reason: e.to_string(),
        })?;
    if !ACTIONS.contains(&event.action.as_str()) {
        return Ok(Decision::Skip(format!(
            "greenlight: nothing to do for pull request action `{}`",
            event.action
        )));
    }
    let pr = &event.pull_request;
    let mut set = GlobSetBuilder::new();
    for p in release_branches {
        set.add(Glob::new(p).map_err(|e| EventError::Pattern {
            pattern: p.clone(),
            reason: e.to_string(),
        })?);
    }
    let set = set.build().map_err(|e| EventError::Pattern {
        pattern: release_branches.join(", "),
        reason: e.to_string(),
    })?;
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
    Ok(Decision::Run(Pull {
        number: event.number.max(pr.number),
        head_branch: pr.head.name.clone(),
        head_sha: pr.head.sha.clone(),
        base_branch: pr.base.name.clone(),
        fork,
        target: event_name == "pull_request_target",
    }))
}
