//! The verdict branch protection can require: a `greenlight` check run on a
//! commit, or a commit status with the same name when the token cannot
//! create check runs (a personal access token: only GitHub Apps can).
use http::Method;
use serde::{Deserialize, Serialize};

use super::{GitHub, Result};

/// The check's name, and the status context of the fallback.
pub(super) const CHECK_NAME: &str = "greenlight";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CheckConclusion {
    Success,
    Failure,
}

/// An annotation at a file's line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Annotation {
    /// Repository-relative path.
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    pub annotation_level: &'static str,
    pub message: String,
    pub title: String,
}

/// What a check says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Check {
    pub conclusion: CheckConclusion,
    /// One line (the status description, the check's title).
    pub title: String,
    /// Markdown (at most 65,535 characters are kept).
    pub summary: String,
    /// Where to read more: the sticky comment.
    pub details_url: Option<String>,
    pub annotations: Vec<Annotation>,
}

/// How the verdict was left on a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CheckReport {
    CheckRun(u64),
    Status,
}

/// GitHub's limits: annotations per request, characters of a summary,
/// characters of a status description.
const ANNOTATIONS_PER_REQUEST: usize = 50;
const MAX_ANNOTATIONS: usize = 1000;
const SUMMARY_LIMIT: usize = 65_535;
const DESCRIPTION_LIMIT: usize = 140;

#[derive(Deserialize)]
struct Created {
    id: u64,
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl GitHub {
    /// Leaves the verdict on `sha`: a check run, else a commit status.
    pub(crate) async fn report_check(&self, sha: &str, check: &Check) -> Result<CheckReport> {
        match self.create_check_run(sha, check).await {
            Ok(id) => Ok(CheckReport::CheckRun(id)),
            // A token that cannot create check runs: a commit status.
            Err(e) if matches!(e.status(), Some(403) | Some(404)) => {
                self.create_status(sha, check).await?;
                Ok(CheckReport::Status)
            }
            Err(e) => Err(e),
        }
    }

    async fn create_check_run(&self, sha: &str, check: &Check) -> Result<u64> {
        let batches: Vec<&[Annotation]> = check
            .annotations
            .chunks(ANNOTATIONS_PER_REQUEST)
            .take(MAX_ANNOTATIONS / ANNOTATIONS_PER_REQUEST)
            .collect();
        let output = |annotations: &[Annotation]| {
            serde_json::json!({
                "title": cut(&check.title, 255),
                "summary": cut(&check.summary, SUMMARY_LIMIT),
                "annotations": annotations,
            })
        };
        let mut body = serde_json::json!({
            "name": CHECK_NAME,
            "head_sha": sha,
            "status": "completed",
            "conclusion": check.conclusion,
            "output": output(batches.first().copied().unwrap_or(&[])),
        });
        if let Some(url) = &check.details_url {
            body["details_url"] = url.clone().into();
        }
        let created: Created = self
            .json(
                Method::POST,
                &self.route("/check-runs"),
                Some(&body),
                &format!("create the greenlight check on {}", short(sha)),
            )
            .await?;
        // More annotations than one request takes: added batch by batch.
        for batch in batches.iter().skip(1) {
            self.call(
                Method::PATCH,
                &self.route(&format!("/check-runs/{}", created.id)),
                Some(&serde_json::json!({ "output": output(batch) })),
                &format!("annotate the greenlight check {}", created.id),
            )
            .await?;
        }
        Ok(created.id)
    }

    async fn create_status(&self, sha: &str, check: &Check) -> Result<()> {
        let state = match check.conclusion {
            CheckConclusion::Success => "success",
            CheckConclusion::Failure => "failure",
        };
        let mut body = serde_json::json!({
            "state": state,
            "context": CHECK_NAME,
            "description": cut(&check.title, DESCRIPTION_LIMIT),
        });
        if let Some(url) = &check.details_url {
            body["target_url"] = url.clone().into();
        }
        self.call(
            Method::POST,
            &self.route(&format!("/statuses/{sha}")),
            Some(&body),
            &format!("set the greenlight status of {}", short(sha)),
        )
        .await
        .map(drop)
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
