//! `greenlight deploy | await | validate | promote | rollback | cleanup
//! --env E`: the gated blue/green lifecycle on a Flink target. Translates
//! the arguments into a [`DeployRequest`] and prints the reports.
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};

use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::app::deploy::{DeployRequest, Deployment, validation_failed};
use crate::deploy::{self, DeployWave};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}

/// Arguments every deploy command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct EnvArgs {
    /// The environment (a key of `environments` in greenlight.yaml).
    #[arg(long = "env", value_name = "ENV")]
    pub env: String,
}

/// The deployment of `args` to the environment of `env`.
fn prepare(args: &ProjectArgs, rel: &ReleaseArgs, env: &EnvArgs) -> Result<Deployment> {
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    let d = Deployment::prepare(&DeployRequest {
        project_dir: &args.project,
        config: &config,
        since: rel.since.as_deref(),
        environment: &env.env,
    })?;
    for w in d.release.warnings() {
        super::warn(&w);
    }
    Ok(d)
}

fn log_line(s: &str) {
    if super::in_github_actions() {
        eprintln!("{}", crate::action::workflow::inert(s));
    } else {
        eprintln!("{s}");
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<Outcome> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(Outcome::Ok)
}

pub(super) fn deploy(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    dry_run: bool,
    format: OutFormat,
) -> Result<Outcome> {
    let d = prepare(args, rel, env)?;
    if d.waves.is_empty() {
        eprintln!(
            "nothing to deploy: no table is impacted since {}",
            d.plan.base
        );
    }
    let mut t = match d.target() {
        Ok(t) => t,
        Err(e) if dry_run => {
            eprintln!("warning: {e:#}; showing the statements only");
            print_waves(&d.waves, format)?;
            return Ok(Outcome::Ok);
        }
        Err(e) => return Err(e),
    };
    let report = d.deploy(t.as_mut(), dry_run, &mut log_line)?;
    match format {
        OutFormat::Json => print_json(&report),
        OutFormat::Text => {
            for s in &report.statements {
                println!("{:<14} {:<10} {} ({})", s.action, s.phase, s.name, s.table);
            }
            Ok(Outcome::Ok)
        }
    }
}

fn print_waves(waves: &[DeployWave], format: OutFormat) -> Result<()> {
    match format {
        OutFormat::Json => println!("{}", serde_json::to_string_pretty(waves)?),
        OutFormat::Text => {
            for w in waves {
                println!("wave {}", w.index);
                for s in &w.statements {
                    println!("  {} {} ({})", s.action, s.name, s.source);
                }
            }
        }
    }
    Ok(())
}

pub(super) fn promote(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    force: bool,
) -> Result<Outcome> {
    print_json(&prepare(args, rel, env)?.promote(force, &mut log_line)?)
}

pub(super) fn rollback(args: &ProjectArgs, rel: &ReleaseArgs, env: &EnvArgs) -> Result<Outcome> {
    print_json(&prepare(args, rel, env)?.rollback(&mut log_line)?)
}

pub(super) fn cleanup(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    older_than: Option<&str>,
    dry_run: bool,
) -> Result<Outcome> {
    print_json(&prepare(args, rel, env)?.cleanup(older_than, dry_run, &mut log_line)?)
}

pub(super) struct ValidateOptions<'a> {
    pub synthetic: Option<usize>,
    pub format: ReportFormat,
    pub json_out: Option<&'a Path>,
    pub markdown_out: Option<&'a Path>,
}

pub(super) fn validate(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    opts: &ValidateOptions<'_>,
) -> Result<Outcome> {
    let report = prepare(args, rel, env)?.validate(opts.synthetic, &mut log_line)?;
    let md = deploy::validate::markdown(&report);
    let json = serde_json::to_string_pretty(&report)? + "\n";
    if let Some(p) = opts.json_out {
        std::fs::write(p, &json).with_context(|| format!("cannot write {}", p.display()))?;
    }
    if let Some(p) = opts.markdown_out {
        std::fs::write(p, &md).with_context(|| format!("cannot write {}", p.display()))?;
    }
    match opts.format {
        ReportFormat::Markdown => print!("{md}"),
        ReportFormat::Json => print!("{json}"),
    }
    validation_failed(&report)?;
    Ok(Outcome::Ok)
}

/// `greenlight await --env E [--timeout 30m]`: waits until green has caught
/// up with blue; exit 1 at the timeout, naming the tables still behind.
pub(super) fn await_ready(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    timeout: &str,
) -> Result<Outcome> {
    let secs = deploy::parse_duration(timeout).map_err(|m| anyhow!("--timeout: {m}"))?;
    let d = prepare(args, rel, env)?;
    print_json(&d.await_ready(Duration::from_secs(secs), &mut log_line)?)
}
