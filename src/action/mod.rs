//! `greenlight action`: the GitHub Action front end. It translates the
//! runner's environment and the event into use-case requests, and presents
//! the results: the sticky comment, the `greenlight` check, annotations,
//! the job summary and the outputs. Everything a pull request carries is
//! untrusted (see docs/github-action.md, "Threat model").
mod deploy;
mod deployments;
pub(crate) mod event;
mod inputs;
mod pull;
pub(crate) mod workflow;

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

pub(crate) use inputs::{Inputs, Mode};

use crate::app::Outcome;
use event::{Decision, decide};

/// What the runner provides in the environment.
#[derive(Debug, Clone)]
pub(crate) struct RunnerEnv {
    pub event_name: String,
    pub event_path: PathBuf,
    pub api_url: String,
    pub server_url: String,
    pub repository: String,
    pub run_id: Option<String>,
    pub workspace: PathBuf,
    pub output: Option<PathBuf>,
    pub summary: Option<PathBuf>,
}

impl RunnerEnv {
    pub(crate) fn from_env() -> Result<RunnerEnv> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let need = |k: &str| {
            var(k).ok_or_else(|| {
                anyhow!("{k} is not set: `greenlight action` runs inside a GitHub Actions job")
            })
        };
        Ok(RunnerEnv {
            event_name: need("GITHUB_EVENT_NAME")?,
            event_path: PathBuf::from(need("GITHUB_EVENT_PATH")?),
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            server_url: var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            repository: need("GITHUB_REPOSITORY")?,
            run_id: var("GITHUB_RUN_ID"),
            workspace: var("GITHUB_WORKSPACE")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".")),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        })
    }

    /// The link to this workflow run.
    pub(crate) fn run_url(&self) -> Option<String> {
        self.run_id.as_ref().map(|id| {
            format!(
                "{}/{}/actions/runs/{id}",
                self.server_url.trim_end_matches('/'),
                self.repository
            )
        })
    }
}

/// Where the plan JSON is written, relative to the workspace: a docker
/// action can write only there and to the file-command files (the host's
/// RUNNER_TEMP is not mounted), and later steps run in the workspace.
pub(crate) const PLAN_JSON: &str = ".greenlight/plan.json";

/// Prints a line for the runner's log: inert, whatever names it holds.
pub(crate) fn say(line: &str) {
    println!("{}", workflow::inert(line));
}

/// Prints a workflow command greenlight made (its data and properties
/// escaped by [`workflow`]).
pub(crate) fn command(line: &str) {
    debug_assert!(line.starts_with("::") && !line.contains('\n'));
    println!("{line}");
}

/// Prints a line on stderr for the runner's log, inert.
pub(crate) fn warn(line: &str) {
    eprintln!("{}", workflow::inert(line));
}

pub(crate) fn run(inputs: &Inputs, env: &RunnerEnv) -> Result<Outcome> {
    match deploy::Command::parse(inputs.command.as_deref())? {
        deploy::Command::Check => check(inputs, env),
        command => deploy::run(inputs, env, command),
    }
}

/// The pull request check: the default command.
fn check(inputs: &Inputs, env: &RunnerEnv) -> Result<Outcome> {
    let payload = std::fs::read_to_string(&env.event_path).map_err(|e| {
        anyhow!(
            "cannot read the event payload {}: {e}",
            env.event_path.display()
        )
    })?;
    let project = env.workspace.join(&inputs.project_dir);
    let config = pull::workspace_config(inputs, env, &project);
    let branches = inputs.release_branches.clone().unwrap_or_else(|| {
        config
            .as_ref()
            .map(|c| c.release_branches.clone())
            .unwrap_or_else(|_| crate::config::Config::default().release_branches)
    });
    match decide(&env.event_name, &payload, &branches)? {
        Decision::Skip(line) => {
            say(&line);
            Outputs::default().write(env)?;
            Ok(Outcome::Ok)
        }
        Decision::Run(pr) => pull::run(inputs, env, &pr, config),
    }
}

/// The action's outputs.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    pub impacted: Vec<String>,
    /// The plan JSON, relative to the workspace.
    pub plan: Option<String>,
    pub commit: Option<String>,
}

impl Outputs {
    pub(crate) fn write(&self, env: &RunnerEnv) -> Result<()> {
        let Some(path) = &env.output else {
            return Ok(());
        };
        let text = [
            workflow::file_command("impacted-tables", &serde_json::to_string(&self.impacted)?),
            workflow::file_command("plan-json", self.plan.as_deref().unwrap_or_default()),
            workflow::file_command("rewrite-commit", self.commit.as_deref().unwrap_or_default()),
        ]
        .concat();
        workflow::append(path, &text)
    }
}

/// A repository-relative path of a project file, `/`-separated.
pub(crate) fn repo_path(project_dir: &Path, path: &str) -> String {
    let dir = project_dir.to_string_lossy().replace('\\', "/");
    let dir = dir.trim_start_matches("./").trim_matches('/');
    if dir.is_empty() || dir == "." {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}
