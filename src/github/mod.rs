//! GitHub adapter (octocrab): the sticky PR comment, the `greenlight` check
//! run (or commit status) and the pull request's head. The base URL comes
//! from `GITHUB_API_URL`, so GitHub Enterprise and test servers work alike.
//!
//! Every call has a connect timeout and an overall deadline; 5xx answers
//! and rate limits are retried a bounded number of times, honouring
//! `Retry-After`; pages of lists are bounded. The token is only handed to
//! octocrab, which sends it as a header: it is in no URL, log or error.
mod checks;
mod comments;

use std::time::Duration;

use http::{Method, StatusCode};
use octocrab::Octocrab;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use checks::{Annotation, Check, CheckConclusion};

/// Why a GitHub call failed. The message keeps the operation and says what
/// to do.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GitHubError {
    #[error("GitHub API: cannot {what}: {status} {message}\n  hint: {hint}")]
    Status {
        what: String,
        status: u16,
        message: String,
        hint: &'static str,
    },
    #[error(
        "GitHub API: cannot {what}: no answer within {secs}s\n  hint: GitHub or the network is slow; re-run the job, or raise GREENLIGHT_HTTP_TIMEOUT"
    )]
    Timeout { what: String, secs: u64 },
    #[error(
        "GitHub API: cannot {what}: rate limited, retry after {secs}s\n  hint: re-run the job later"
    )]
    RateLimited { what: String, secs: u64 },
    #[error("GitHub API: cannot {what}: {reason}\n  hint: check GITHUB_API_URL and the network")]
    Transport { what: String, reason: String },
    #[error("GitHub API: cannot {what}: the answer is not what the API documents: {reason}")]
    Answer { what: String, reason: String },
    #[error("GitHub API: cannot {what}: more than {pages} pages")]
    TooManyPages { what: String, pages: usize },
}

impl GitHubError {
    /// The HTTP status, when GitHub answered with an error.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            GitHubError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub(crate) type Result<T> = std::result::Result<T, GitHubError>;

/// Timeouts and retries of the client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Deadline of one request (connect, send, read the whole answer).
    pub request: Duration,
    /// Attempts of one call (the first included).
    pub attempts: u32,
    /// First backoff; doubled at each retry.
    pub backoff: Duration,
    /// The longest wait a `Retry-After` may ask for; longer is an error.
    pub max_wait: Duration,
    /// Pages read at most from a list.
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            max_pages: 50,
        }
    }
}

impl Limits {
    /// The defaults, with the request deadline from `GREENLIGHT_HTTP_TIMEOUT`
    /// (seconds) when set.
    pub(crate) fn from_env() -> Limits {
        let mut l = Limits::default();
        if let Some(secs) = std::env::var("GREENLIGHT_HTTP_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
        {
            l.request = Duration::from_secs(secs);
        }
        l
    }
}

pub(crate) struct GitHub {
    client: Octocrab,
    owner: String,
    repo: String,
    limits: Limits,
}

/// An answer: status, `Retry-After` seconds when given, body.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: String,
}

impl GitHub {
    /// `repository` is `owner/name`. Must be called inside a tokio runtime.
    pub(crate) fn new(
        api_url: &str,
        token: &str,
        repository: &str,
        limits: Limits,
    ) -> Result<GitHub> {
        let bad = |reason: String| GitHubError::Transport {
            what: "start the client".into(),
            reason,
        };
        let (owner, repo) = repository.split_once('/').ok_or_else(|| {
            bad(format!(
                "GITHUB_REPOSITORY `{repository}` is not owner/name"
            ))
        })?;
        let client = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|_| bad(format!("invalid GitHub API URL `{api_url}`")))?
            .personal_token(token.to_string())
            .set_connect_timeout(Some(limits.request.min(Duration::from_secs(10))))
            .set_read_timeout(Some(limits.request))
            .set_write_timeout(Some(limits.request))
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(GitHub {
            client,
            owner: owner.to_string(),
            repo: repo.to_string(),
            limits,
        })
    }

    /// `/repos/{owner}/{repo}{rest}`
    fn route(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.repo)
    }

    /// One request, within the deadline.
    async fn once<B: Serialize + ?Sized>(
        &self,
        method: &Method,
        route: &str,
        body: Option<&B>,
        what: &str,
    ) -> Result<Answer> {
        let c = &self.client;
        let send = async {
            let response = match *method {
                Method::GET => c._get(route).await,
                Method::POST => c._post(route, body).await,
                Method::PATCH => c._patch(route, body).await,
                Method::DELETE => c._delete(route, body).await,
                _ => unreachable!("greenlight sends GET, POST, PATCH and DELETE"),
            }?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = c.body_to_string(response).await?;
            Ok::<_, octocrab::Error>(Answer {
                status,
                retry_after,
                body,
            })
        };
        match tokio::time::timeout(self.limits.request, send).await {
            Err(_) => Err(GitHubError::Timeout {
                what: what.into(),
                secs: self.limits.request.as_secs(),
            }),
            Ok(Err(e)) => Err(GitHubError::Transport {
                what: what.into(),
                reason: transport_reason(&e),
            }),
            Ok(Ok(a)) => Ok(a),
        }
    }

    /// A call with bounded retries: 5xx (500 only for idempotent methods),
    /// 429 and secondary rate limits (403 with `Retry-After`), timeouts
    /// and transport errors of idempotent methods.
    async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        route: &str,
        body: Option<&B>,
        what: &str,
    ) -> Result<Answer> {
        let idempotent = method != Method::POST;
        let mut backoff = self.limits.backoff;
        let mut attempt = 1;
        loop {
            let last = attempt >= self.limits.attempts;
            let wait = match self.once(&method, route, body, what).await {
                Ok(a) if a.status.is_success() => return Ok(a),
                Ok(a) => {
                    let limited = a.status == StatusCode::TOO_MANY_REQUESTS
                        || (a.status == StatusCode::FORBIDDEN && a.retry_after.is_some());
                    let server = a.status.is_server_error()
                        && (idempotent || a.status != StatusCode::INTERNAL_SERVER_ERROR);
                    if last || !(limited || server) {
                        return Err(status_error(what, &a));
                    }
                    match a.retry_after.map(Duration::from_secs) {
                        Some(w) if w > self.limits.max_wait => {
                            return Err(GitHubError::RateLimited {
                                what: what.into(),
                                secs: w.as_secs(),
                            });
                        }
                        Some(w) => w,
                        None => backoff,
                    }
                }
                Err(e @ (GitHubError::Timeout { .. } | GitHubError::Transport { .. }))
                    if idempotent && !last =>
                {
                    let _ = e;
                    backoff
                }
                Err(e) => return Err(e),
            };
            tokio::time::sleep(wait).await;
            backoff *= 2;
            attempt += 1;
        }
    }

    async fn json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        route: &str,
        body: Option<&B>,
        what: &str,
    ) -> Result<T> {
        let a = self.call(method, route, body, what).await?;
        serde_json::from_str(&a.body).map_err(|e| GitHubError::Answer {
            what: what.into(),
            reason: e.to_string(),
        })
    }

    /// Every item of a paginated list (100 a page, bounded).
    async fn list<T: DeserializeOwned>(&self, route: &str, what: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for page in 1..=self.limits.max_pages {
            let sep = if route.contains('?') { '&' } else { '?' };
            let items: Vec<T> = self
                .json(
                    Method::GET,
                    &format!("{route}{sep}per_page=100&page={page}"),
                    None::<&()>,
                    what,
                )
                .await?;
            let full = items.len() == 100;
            out.extend(items);
            if !full {
                return Ok(out);
            }
        }
        Err(GitHubError::TooManyPages {
            what: what.into(),
            pages: self.limits.max_pages,
        })
    }

    /// The pull request's head commit now.
    pub(crate) async fn pull_head(&self, pr: u64) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct Pull {
            head: Head,
        }
        #[derive(serde::Deserialize)]
        struct Head {
            sha: String,
        }
        let p: Pull = self
            .json(
                Method::GET,
                &self.route(&format!("/pulls/{pr}")),
                None::<&()>,
                &format!("read pull request #{pr}"),
            )
            .await?;
        Ok(p.head.sha)
    }
}

impl GitHub {
    /// The commit pull request `pr` was merged as, None when it is not
    /// merged.
    pub(crate) async fn merge_commit(&self, pr: u64) -> Result<Option<String>> {
        #[derive(serde::Deserialize)]
        struct Pull {
            #[serde(default)]
            merged: bool,
            #[serde(default)]
            merge_commit_sha: Option<String>,
        }
        let p: Pull = self
            .json(
                Method::GET,
                &self.route(&format!("/pulls/{pr}")),
                None::<&()>,
                &format!("read pull request #{pr}"),
            )
            .await?;
        Ok(p.merged.then_some(p.merge_commit_sha).flatten())
    }
}

/// What octocrab's error says, without anything of the request.
fn transport_reason(e: &octocrab::Error) -> String {
    match e {
        octocrab::Error::Hyper { source, .. } => source.to_string(),
        octocrab::Error::Service { source, .. } => source.to_string(),
        octocrab::Error::Http { source, .. } => source.to_string(),
        octocrab::Error::Uri { source, .. } => source.to_string(),
        octocrab::Error::InvalidUtf8 { .. } => "the answer is not UTF-8".into(),
        _ => "the request could not be sent".into(),
    }
}

/// A clear message for an error answer, with what to do for the usual ones.
fn status_error(what: &str, a: &Answer) -> GitHubError {
    let message = serde_json::from_str::<serde_json::Value>(&a.body)
        .ok()
        .and_then(|v| v["message"].as_str().map(String::from))
        .unwrap_or_else(|| a.status.canonical_reason().unwrap_or("error").to_string());
    let status = a.status.as_u16();
    let hint = match status {
        401 => "the token is missing or invalid",
        403 => {
            "the token lacks permission: the workflow needs `pull-requests: write` and `checks: write` (and `contents: write` to commit)"
        }
        404 => "the repository or pull request is not visible to this token",
        422 => "GitHub refused the request's content",
        429 => "rate limited: re-run the job later",
        500..=599 => "GitHub had an internal error: re-run the job",
        _ => "see GitHub's message",
    };
    GitHubError::Status {
        what: what.into(),
        status,
        message: crate::paths::excerpt(&message, 300),
        hint,
    }
}
