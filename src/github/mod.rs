//! GitHub adapter (octocrab): the sticky PR comment. The base URL comes from
//! `GITHUB_API_URL`, so GitHub Enterprise and test servers work alike.
use anyhow::{Context, Result, anyhow};
use octocrab::Octocrab;

pub struct GitHub {
    client: Octocrab,
    owner: String,
    repo: String,
}

/// What happened to the sticky comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    Created(u64),
    Updated(u64),
}

impl GitHub {
    /// `repository` is `owner/name`.
    pub fn new(api_url: &str, token: &str, repository: &str) -> Result<GitHub> {
        let (owner, repo) = repository
            .split_once('/')
            .ok_or_else(|| anyhow!("GITHUB_REPOSITORY `{repository}` is not owner/name"))?;
        let client = Octocrab::builder()
            .base_uri(api_url)
            .with_context(|| format!("invalid GitHub API URL `{api_url}`"))?
            .personal_token(token.to_string())
            .build()
            .context("cannot build the GitHub client")?;
        Ok(GitHub {
            client,
            owner: owner.to_string(),
            repo: repo.to_string(),
        })
    }

    /// The id of the comment on `pr` whose body holds `marker`, if any.
    pub async fn find_comment(&self, pr: u64, marker: &str) -> Result<Option<u64>> {
        let issues = self.client.issues(&self.owner, &self.repo);
        let mut page_no = 1u32;
        loop {
            let page = issues
                .list_comments(pr)
                .per_page(100)
                .page(page_no)
                .send()
                .await
                .map_err(|e| api_error(e, &format!("list the comments of pull request #{pr}")))?;
            let count = page.items.len();
            if let Some(c) = page
                .items
                .iter()
                .find(|c| c.body.as_deref().is_some_and(|b| b.contains(marker)))
            {
                return Ok(Some(c.id.into_inner()));
            }
            if count < 100 || page.next.is_none() {
                return Ok(None);
            }
            page_no += 1;
        }
    }

    /// Updates comment `existing`, or creates one on `pr`.
    pub async fn upsert_comment(
        &self,
        pr: u64,
        existing: Option<u64>,
        body: &str,
    ) -> Result<CommentAction> {
        let issues = self.client.issues(&self.owner, &self.repo);
        match existing {
            Some(id) => {
                // PATCH, as the REST API documents it (octocrab's
                // `update_comment` sends POST).
                let route = format!("/repos/{}/{}/issues/comments/{id}", self.owner, self.repo);
                let c: octocrab::models::issues::Comment = self
                    .client
                    .patch(route, Some(&serde_json::json!({ "body": body })))
                    .await
                    .map_err(|e| api_error(e, &format!("update comment {id}")))?;
                Ok(CommentAction::Updated(c.id.into_inner()))
            }
            None => {
                let c = issues
                    .create_comment(pr, body)
                    .await
                    .map_err(|e| api_error(e, &format!("comment on pull request #{pr}")))?;
                Ok(CommentAction::Created(c.id.into_inner()))
            }
        }
    }
}

/// A clear message for an API failure, with what to do for the usual ones.
fn api_error(e: octocrab::Error, what: &str) -> anyhow::Error {
    match &e {
        octocrab::Error::GitHub { source, .. } => {
            let status = source.status_code.as_u16();
            let hint = match status {
                401 => "the token is missing or invalid",
                403 => {
                    "the token lacks permission: the workflow needs `pull-requests: write` (and `contents: write` to commit)"
                }
                404 => "the repository or pull request is not visible to this token",
                422 => "GitHub refused the request's content",
                500..=599 => "GitHub had an internal error: re-run the job",
                _ => "",
            };
            anyhow!(
                "GitHub API: cannot {what}: {status} {}\n  hint: {hint}",
                source.message
            )
        }
        _ => {
            anyhow!("GitHub API: cannot {what}: {e}\n  hint: check GITHUB_API_URL and the network")
        }
    }
}
