//! The sticky comment: one greenlight comment per pull request, found by
//! its hidden marker, written by a bot. Concurrent runs converge on the
//! oldest one and delete the others.
use http::Method;
use serde::Deserialize;

use super::{GitHub, GitHubError, Result};

/// What happened to the sticky comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommentAction {
    Created(u64),
    Updated(u64),
    /// Already says this.
    Unchanged(u64),
}

impl CommentAction {
    pub(crate) fn id(self) -> u64 {
        match self {
            CommentAction::Created(i) | CommentAction::Updated(i) | CommentAction::Unchanged(i) => {
                i
            }
        }
    }
}

/// A comment of the pull request that greenlight may own: it starts with
/// the marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StickyComment {
    pub id: u64,
    pub body: String,
    pub url: String,
    pub login: String,
    /// Written by a GitHub App (the workflow's token, an App token).
    pub by_bot: bool,
}

#[derive(Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: String,
    user: Option<User>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}

impl Comment {
    fn has_marker(&self, marker: &str) -> bool {
        self.body
            .as_deref()
            .is_some_and(|b| b.trim_start().starts_with(marker))
    }

    fn sticky(self) -> StickyComment {
        let (login, kind) = self.user.map(|u| (u.login, u.kind)).unwrap_or_default();
        StickyComment {
            id: self.id,
            body: self.body.unwrap_or_default(),
            url: self.html_url,
            login,
            by_bot: kind == "Bot",
        }
    }
}

impl StickyComment {
    /// greenlight's own: written by a bot, or by the token's own user (a
    /// personal access token), never by someone else quoting the marker.
    fn owned(&self, own_login: Option<&str>) -> bool {
        self.by_bot || own_login.is_some_and(|l| l == self.login)
    }
}

/// Bounds the convergence loop against a server that keeps changing.
const ROUNDS: usize = 5;

impl GitHub {
    /// The comments on `pr` that start with the marker, oldest first.
    pub(crate) async fn sticky_comments(
        &self,
        pr: u64,
        marker: &str,
    ) -> Result<Vec<StickyComment>> {
        let all: Vec<Comment> = self
            .list(
                &self.route(&format!("/issues/{pr}/comments")),
                &format!("list the comments of pull request #{pr}"),
            )
            .await?;
        let mut mine: Vec<StickyComment> = all
            .into_iter()
            .filter(|c| c.has_marker(marker))
            .map(Comment::sticky)
            .collect();
        mine.sort_by_key(|c| c.id);
        Ok(mine)
    }

    async fn create_comment(&self, pr: u64, body: &str) -> Result<StickyComment> {
        let c: Comment = self
            .json(
                Method::POST,
                &self.route(&format!("/issues/{pr}/comments")),
                Some(&serde_json::json!({ "body": body })),
                &format!("comment on pull request #{pr}"),
            )
            .await?;
        Ok(c.sticky())
    }

    /// Replaces the body of comment `id`.
    pub(crate) async fn update_comment(&self, id: u64, body: &str) -> Result<()> {
        self.call(
            Method::PATCH,
            &self.route(&format!("/issues/comments/{id}")),
            Some(&serde_json::json!({ "body": body })),
            &format!("update comment {id}"),
        )
        .await
        .map(drop)
    }

    async fn delete_comment(&self, id: u64) -> Result<()> {
        match self
            .call(
                Method::DELETE,
                &self.route(&format!("/issues/comments/{id}")),
                None::<&()>,
                &format!("delete the duplicate comment {id}"),
            )
            .await
        {
            Err(e) if e.status() == Some(404) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Writes `body` to the pull request's one sticky comment: the oldest
    /// of greenlight's comments, created when there is none. Duplicates
    /// left by concurrent runs are deleted, so that the runs end with
    /// exactly one comment. A comment is greenlight's when a bot wrote it;
    /// with a personal access token, when the token's user did (learnt
    /// from the comment it creates).
    pub(crate) async fn upsert_sticky(
        &self,
        pr: u64,
        marker: &str,
        body: &str,
    ) -> Result<CommentAction> {
        let mut created = None;
        let mut own_login: Option<String> = None;
        for _ in 0..ROUNDS {
            let found: Vec<StickyComment> = self
                .sticky_comments(pr, marker)
                .await?
                .into_iter()
                .filter(|c| c.owned(own_login.as_deref()) || Some(c.id) == created)
                .collect();
            let Some((keep, duplicates)) = found.split_first() else {
                let c = self.create_comment(pr, body).await?;
                own_login = Some(c.login.clone());
                created = Some(c.id);
                continue;
            };
            for d in duplicates {
                self.delete_comment(d.id).await?;
            }
            if keep.body == body {
                return Ok(match created {
                    Some(id) if id == keep.id => CommentAction::Created(id),
                    _ => CommentAction::Unchanged(keep.id),
                });
            }
            match self.update_comment(keep.id, body).await {
                // Deleted meanwhile by a concurrent run: look again.
                Err(e) if e.status() == Some(404) => continue,
                Err(e) => return Err(e),
                Ok(()) => return Ok(CommentAction::Updated(keep.id)),
            }
        }
        Err(GitHubError::Answer {
            what: format!("write the comment of pull request #{pr}"),
            reason: format!("its comments kept changing over {ROUNDS} rounds"),
        })
    }
}
