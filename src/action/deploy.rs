//! The action's deploy commands (`command: deploy | await | validate |
//! promote | rollback | cleanup`, with `environment`): the same use cases as
//! the CLI's, on the workspace's checkout of a release branch, and a status
//! line per environment in the merged pull request's sticky comment.
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use git2::Repository;

use super::deployments::{merged_pull_request, status_line, with_status};
use super::{Inputs, Outputs, PLAN_JSON, RunnerEnv, say, warn, workflow};
use crate::app::Outcome;
use crate::app::deploy::{DeployRequest, Deployment, validation_failed};
use crate::config::{CONFIG_FILE, Config};
use crate::github::{GitHub, Limits};
use crate::report::plan::COMMENT_MARKER;

/// What the action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Command {
    /// The pull request check (the default).
    Check,
    Deploy,
    Await,
    Validate,
    Promote,
    Rollback,
    Cleanup,
}

impl Command {
    pub(super) fn parse(s: Option<&str>) -> Result<Command> {
        Ok(match s.map(str::trim) {
            None | Some("check") => Command::Check,
            Some("deploy") => Command::Deploy,
            Some("await") => Command::Await,
            Some("validate") => Command::Validate,
            Some("promote") => Command::Promote,
            Some("rollback") => Command::Rollback,
            Some("cleanup") => Command::Cleanup,
            Some(other) => bail!(
                "input `command`: `{}` is not a command\n  hint: use check, deploy, await, validate, promote, rollback or cleanup",
                crate::paths::excerpt(other, 40)
            ),
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Command::Check => "check",
            Command::Deploy => "deploy",
            Command::Await => "await",
            Command::Validate => "validate",
            Command::Promote => "promote",
            Command::Rollback => "rollback",
            Command::Cleanup => "cleanup",
        }
    }

    /// What the status line says when the command succeeded.
    fn done(self) -> &'static str {
        match self {
            Command::Check => "checked",
            Command::Deploy => "deployed",
            Command::Await => "caught up",
            Command::Validate => "validated",
            Command::Promote => "promoted",
            Command::Rollback => "rolled back",
            Command::Cleanup => "cleaned up",
        }
    }
}

fn log(line: &str) {
    warn(line);
}

/// Runs a deploy command on a push or a manual run (never on a pull
/// request's code).
pub(super) fn run(inputs: &Inputs, env: &RunnerEnv, command: Command) -> Result<Outcome> {
    if env.event_name.starts_with("pull_request") {
        bail!(
            "`command: {}` runs on push and workflow_dispatch events, never on a pull request's code\n  hint: run it in the deploy workflow (docs/workflows/deploy.yml)",
            command.as_str()
        );
    }
    let environment = inputs.environment.as_deref().ok_or_else(|| {
        anyhow!(
            "`command: {}` needs the `environment` input\n  hint: set `environment: stage` (a key of `environments` in greenlight.yaml)",
            command.as_str()
        )
    })?;
    let project = env.workspace.join(&inputs.project_dir);
    let config_path = match &inputs.config {
        Some(c) => c.to_string_lossy().into_owned(),
        None => super::repo_path(&inputs.project_dir, CONFIG_FILE),
    };
    let config = Config::load_confined(
        &crate::paths::Repository::around(&env.workspace),
        &env.workspace,
        &config_path,
        inputs.config.is_some(),
    )?;
    let d = Deployment::prepare(&DeployRequest {
        project_dir: &project,
        config: &config,
        since: inputs.since.as_deref(),
        environment,
    })?;
    for w in d.release.warnings() {
        warn(&format!("warning: {w}"));
    }
    write_plan(env, &d)?;
    let result = execute(inputs, env, &d, command);
    let status = match &result {
        Ok(()) => command.done().to_string(),
        Err(_) => format!("{} failed", command.as_str()),
    };
    if let Err(e) = report_status(inputs, env, environment, &status) {
        warn(&format!(
            "greenlight: the pull request's comment was not updated: {e:#}"
        ));
    }
    result.map(|()| Outcome::Ok)
}

fn write_plan(env: &RunnerEnv, d: &Deployment) -> Result<()> {
    let file = env.workspace.join(PLAN_JSON);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {PLAN_JSON}"))?;
    }
    std::fs::write(&file, serde_json::to_string_pretty(&d.plan)? + "\n")
        .with_context(|| format!("cannot write {PLAN_JSON}"))?;
    Outputs {
        impacted: d.plan.impacted.iter().map(|i| i.green.clone()).collect(),
        plan: Some(PLAN_JSON.into()),
        commit: None,
    }
    .write(env)
}

/// Runs the command; its report goes to the log (JSON) and, for
/// `validate`, to the job summary.
fn execute(inputs: &Inputs, env: &RunnerEnv, d: &Deployment, command: Command) -> Result<()> {
    let json = |v: &dyn erased::Json| say(&v.pretty());
    match command {
        Command::Check => unreachable!("the check is the pull request flow"),
        Command::Deploy => {
            let mut t = d.target()?;
            json(&d.deploy(t.as_mut(), false, &mut log)?);
        }
        Command::Await => {
            let timeout = inputs.timeout.as_deref().unwrap_or("30m");
            let secs = crate::deploy::parse_duration(timeout)
                .map_err(|m| anyhow!("input `timeout`: {m}"))?;
            json(&d.await_ready(Duration::from_secs(secs), &mut log)?);
        }
        Command::Validate => {
            let report = d.validate(None, &mut log)?;
            if let Some(path) = &env.summary {
                workflow::append(path, &crate::deploy::validate::markdown(&report))?;
            }
            json(&report);
            validation_failed(&report)?;
        }
        Command::Promote => json(&d.promote(false, &mut log)?),
        Command::Rollback => json(&d.rollback(&mut log)?),
        Command::Cleanup => json(&d.cleanup(None, false, &mut log)?),
    }
    Ok(())
}

/// Serializable reports of any type, printed the same way.
mod erased {
    pub(super) trait Json {
        fn pretty(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> String {
            serde_json::to_string_pretty(self).unwrap_or_default()
        }
    }
}

/// Sets this environment's line in the sticky comment of the pull request
/// merged as the checked-out commit, when there is one.
fn report_status(inputs: &Inputs, env: &RunnerEnv, environment: &str, status: &str) -> Result<()> {
    let Some(token) = inputs.token.as_deref() else {
        return Ok(());
    };
    crate::git::remote::trust_workspace_owner()?;
    let repo = Repository::open(&env.workspace)?;
    let head = repo.head()?.peel_to_commit()?;
    let Some(pr) = head.message().ok().and_then(merged_pull_request) else {
        say("greenlight: the checked-out commit is no pull request's merge: no comment to update");
        return Ok(());
    };
    let sha = head.id().to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let _entered = rt.enter();
    let gh = GitHub::new(&env.api_url, token, &env.repository, Limits::from_env())?;
    let merge = rt.block_on(gh.merge_commit(pr))?;
    if merge.as_deref() != Some(sha.as_str()) {
        say(&format!(
            "greenlight: pull request #{pr} was not merged as {}: its comment is left as it is",
            &sha[..12]
        ));
        return Ok(());
    }
    let Some(comment) = rt
        .block_on(gh.sticky_comments(pr, COMMENT_MARKER))?
        .into_iter()
        .find(|c| c.by_bot)
    else {
        return Ok(());
    };
    let line = status_line(
        status,
        &crate::dates::format_utc(crate::deploy::verdict::now()),
        env.run_url().as_deref(),
    );
    let body = with_status(&comment.body, environment, &line);
    rt.block_on(gh.update_comment(comment.id, &body))?;
    say(&format!(
        "greenlight: pull request #{pr}: {environment} {status}"
    ));
    Ok(())
}
