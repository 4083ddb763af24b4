//! The action's inputs, as the runner passes them (`INPUT_*`).
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::git::local::Author;

/// What the run does with pending rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Commit the rewrites to the pull request's branch.
    Rewrite,
    /// Only comment, with the diff the author must apply.
    CommentOnly,
}

/// The action's inputs (from `action.yml`). The runner sets every declared
/// input, with its default when the workflow gives none, so an empty value
/// means "not given": the config's value, else the built-in default.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    pub token: Option<String>,
    pub project_dir: PathBuf,
    pub release_branches: Option<Vec<String>>,
    pub tag_pattern: Option<String>,
    /// Compare with this ref or date instead of the newest release tag
    /// (a first adoption, before any tag).
    pub since: Option<String>,
    pub mode: Mode,
    pub config: Option<PathBuf>,
    /// `check` (the pull request flow) or a deploy command.
    pub command: Option<String>,
    /// The deploy commands' environment.
    pub environment: Option<String>,
    /// How long `await` waits.
    pub timeout: Option<String>,
    pub bot: Author,
}

impl Inputs {
    /// Reads the `INPUT_*` variables the runner sets.
    pub(crate) fn from_env() -> Result<Inputs> {
        Inputs::from_vars(|k| std::env::var(k).ok())
    }

    /// Reads the inputs from `var` (a variable's value by name).
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Inputs> {
        let input = |name: &str| {
            var(&format!("INPUT_{}", name.to_uppercase())).filter(|v| !v.trim().is_empty())
        };
        let mode = match input("mode").as_deref().map(str::trim) {
            None | Some("rewrite") => Mode::Rewrite,
            Some("comment-only") => Mode::CommentOnly,
            Some(other) => bail!(
                "input `mode`: `{other}` is not a mode\n  hint: use `rewrite` or `comment-only`"
            ),
        };
        Ok(Inputs {
            token: input("github-token").or_else(|| var("GITHUB_TOKEN").filter(|t| !t.is_empty())),
            project_dir: PathBuf::from(input("project-dir").unwrap_or_else(|| ".".into())),
            release_branches: input("release-branches").map(|b| {
                b.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            }),
            tag_pattern: input("tag-pattern"),
            since: input("since").map(|s| s.trim().to_string()),
            mode,
            config: input("config").map(PathBuf::from),
            command: input("command"),
            environment: input("environment").map(|e| e.trim().to_string()),
            timeout: input("timeout"),
            bot: Author {
                name: input("bot-name").unwrap_or_else(|| "greenlight[bot]".into()),
                email: input("bot-email")
                    .unwrap_or_else(|| "greenlight[bot]@users.noreply.github.com".into()),
            },
        })
    }
}
