//! `greenlight deploy | validate | promote | rollback | cleanup --env E`:
//! the gated blue/green lifecycle on a Flink target.
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::app::Release;
use crate::config::Config;
use crate::deploy::{self, DeployWave, DirSources, Environment, TargetKind, run};
use crate::flink::{Target, confluent::Confluent, gateway::Gateway};
use crate::plan::Plan;

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

/// The release, its plan and its statements for an environment.
struct Ctx {
    env_name: String,
    /// The config's `cleanup_retention`.
    retention: String,
    env: Environment,
    release: Release,
    plan: Plan,
    waves: Vec<DeployWave>,
}

fn context(args: &ProjectArgs, rel: &ReleaseArgs, env: &EnvArgs) -> Result<Ctx> {
    let (config, release) = super::analyze_release(args, rel, false)?;
    let e = environment(&config, &env.env)?;
    let plan = crate::app::plan(&release, &config);
    let waves = deploy::deploy_waves(
        &plan,
        &release.head,
        &e,
        &env.env,
        &DirSources(&args.project),
    )?;
    Ok(Ctx {
        env_name: env.env.clone(),
        retention: config.cleanup_retention.clone(),
        env: e,
        release,
        plan,
        waves,
    })
}

fn environment(config: &Config, name: &str) -> Result<Environment> {
    let e = config.environments.get(name).ok_or_else(|| {
        let known: Vec<&str> = config.environments.keys().map(String::as_str).collect();
        anyhow!(
            "no environment `{name}` in the config (known: {})\n  hint: add `environments: {{{name}: ...}}` to greenlight.yaml",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )
    })?;
    e.validate(name).map_err(|m| anyhow!(m))?;
    Ok(e.clone())
}

/// The adapter of an environment; secrets come from environment variables.
pub fn target(project: &Path, name: &str, env: &Environment) -> Result<Box<dyn Target>> {
    let timeout = Duration::from_secs(env.poll.request_timeout_secs.max(1));
    Ok(match env.target {
        TargetKind::Confluent => Box::new(
            Confluent::new(env)
                .map_err(|m| anyhow!(m))
                .with_context(|| format!("environment `{name}`"))?,
        ),
        TargetKind::SqlGateway => {
            let g = env
                .sql_gateway
                .as_ref()
                .ok_or_else(|| anyhow!("environment `{name}` has no sql_gateway section"))?;
            let state = project.join(
                g.state_file
                    .clone()
                    .unwrap_or_else(|| format!(".greenlight/{name}-statements.json")),
            );
            let mut gw = Gateway::new(
                &g.url,
                g.properties.clone(),
                g.jobmanager_url.as_deref(),
                state,
                timeout,
            )
            .map_err(|m| anyhow!(m))?;
            gw.configure(env);
            Box::new(gw)
        }
    })
}

fn log_line(s: &str) {
    eprintln!("{s}");
}

pub fn deploy(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    dry_run: bool,
    format: OutFormat,
) -> Result<Outcome> {
    let ctx = context(args, rel, env)?;
    if ctx.waves.is_empty() {
        eprintln!(
            "nothing to deploy: no table is impacted since {}",
            ctx.plan.base
        );
    }
    let needed = deploy::needed_capacity(&ctx.plan, &ctx.waves);
    let mut t = match target(&args.project, &ctx.env_name, &ctx.env) {
        Ok(t) => t,
        Err(e) if dry_run => {
            eprintln!("warning: {e:#}; showing the statements only");
            print_waves(&ctx.waves, format)?;
            return Ok(Outcome::Ok);
        }
        Err(e) => return Err(e),
    };
    let mut log = log_line;
    let report = run::deploy(
        t.as_mut(),
        &ctx.env_name,
        &ctx.env,
        &ctx.waves,
        needed,
        dry_run,
        &mut log,
    )?;
    match format {
        OutFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        OutFormat::Text => {
            for s in &report.statements {
                println!("{:<14} {:<10} {} ({})", s.action, s.phase, s.name, s.table);
            }
        }
    }
    Ok(Outcome::Ok)
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

pub fn promote(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    force: bool,
) -> Result<Outcome> {
    let ctx = context(args, rel, env)?;
    let mut t = target(&args.project, &ctx.env_name, &ctx.env)?;
    let mut log = log_line;
    if force {
        log("--force: promoting without a passed validation");
    } else {
        run::promote_gate(
            t.as_mut(),
            &args.project,
            &ctx.env_name,
            &ctx.env,
            &ctx.waves,
        )?;
    }
    let r = run::promote(
        t.as_mut(),
        &ctx.env_name,
        &ctx.env,
        &ctx.plan,
        &ctx.waves,
        &mut log,
    )?;
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(Outcome::Ok)
}

pub fn rollback(args: &ProjectArgs, rel: &ReleaseArgs, env: &EnvArgs) -> Result<Outcome> {
    let ctx = context(args, rel, env)?;
    let mut t = target(&args.project, &ctx.env_name, &ctx.env)?;
    let mut log = log_line;
    let r = run::rollback(
        t.as_mut(),
        &ctx.env_name,
        &ctx.env,
        &ctx.plan,
        &ctx.waves,
        &mut log,
    )?;
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(Outcome::Ok)
}

pub fn cleanup(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    older_than: Option<&str>,
    dry_run: bool,
) -> Result<Outcome> {
    let ctx = context(args, rel, env)?;
    let (flag, older_than) = match older_than {
        Some(d) => ("--older-than", d.to_string()),
        None => ("cleanup_retention", ctx.retention.clone()),
    };
    let secs = deploy::parse_duration(&older_than).map_err(|m| anyhow!("{flag}: {m}"))?;
    let mut t = target(&args.project, &ctx.env_name, &ctx.env)?;
    let mut log = log_line;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let r = run::cleanup(
        t.as_mut(),
        &ctx.env_name,
        &ctx.env,
        &ctx.plan,
        &ctx.waves,
        secs,
        now,
        dry_run,
        &mut log,
    )?;
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(Outcome::Ok)
}

pub struct ValidateOptions<'a> {
    pub synthetic: Option<usize>,
    pub format: ReportFormat,
    pub json_out: Option<&'a Path>,
    pub markdown_out: Option<&'a Path>,
}

pub fn validate(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    opts: &ValidateOptions<'_>,
) -> Result<Outcome> {
    let mut ctx = context(args, rel, env)?;
    if let Some(n) = opts.synthetic {
        ctx.env.validate.synthetic_records = n;
    }
    let schema_of = |green: &str| {
        ctx.waves
            .iter()
            .flat_map(|w| &w.statements)
            .find(|s| s.table == green && s.action == crate::plan::StepAction::CreateTable)
            .and_then(|s| deploy::ddl::schema_of(&s.sql))
    };
    let pairs: Vec<deploy::validate::Pair> = ctx
        .plan
        .impacted
        .iter()
        .map(|i| deploy::validate::Pair {
            blue: i.blue.clone(),
            green: i.green.clone(),
            schema: schema_of(&i.green),
        })
        .collect();
    let impacted: std::collections::BTreeSet<&str> =
        ctx.plan.impacted.iter().map(|i| i.green.as_str()).collect();
    // Sources: project tables read by the release but not part of it.
    let mut sources = Vec::new();
    for i in &ctx.plan.impacted {
        for p in &i.parents {
            if impacted.contains(p.as_str()) || sources.iter().any(|(n, _)| n == p) {
                continue;
            }
            let Some(t) = ctx.release.head.table(p) else {
                continue;
            };
            let Some(l) = t.ddl else { continue };
            let text = std::fs::read_to_string(args.project.join(ctx.release.head.path(l)))?;
            let s = ctx.release.head.statement(l);
            if let Some(schema) = text.get(s.start..s.end).and_then(deploy::ddl::schema_of) {
                sources.push((p.clone(), schema));
            }
        }
    }
    let sinks: Vec<deploy::validate::Pair> = pairs
        .iter()
        .filter(|p| {
            let head = ctx
                .plan
                .impacted
                .iter()
                .find(|i| i.green == p.green)
                .map(|i| i.head.as_str())
                .unwrap_or(&p.green);
            ctx.release.head_graph.children(head).is_empty() && p.blue.is_some()
        })
        .cloned()
        .collect();
    let mut t = target(&args.project, &ctx.env_name, &ctx.env)?;
    let run_id = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
            % 0x100_0000
    );
    let mut log = log_line;
    let report = run::validate(
        t.as_mut(),
        &ctx.env_name,
        &ctx.env,
        &pairs,
        &sources,
        &sinks,
        &run_id,
        &mut log,
    )?;
    deploy::verdict::keep(&args.project, &ctx.env_name, &ctx.env, &report, &ctx.waves)
        .map_err(|m| anyhow!("cannot keep the verdict for promote: {m}"))?;
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
    if !report.passed {
        let failed = report.checks.iter().filter(|c| !c.passed).count();
        bail!(
            "validation failed: {failed} of {} checks did not pass",
            report.checks.len()
        );
    }
    Ok(Outcome::Ok)
}

/// `greenlight await --env E [--timeout 30m]`: waits until green has caught
/// up with blue; exit 1 at the timeout, naming the tables still behind.
pub fn await_ready(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    env: &EnvArgs,
    timeout: &str,
) -> Result<Outcome> {
    let secs = deploy::parse_duration(timeout).map_err(|m| anyhow!("--timeout: {m}"))?;
    let ctx = context(args, rel, env)?;
    let pairs = deploy::validate::pairs_of(&ctx.plan, &ctx.waves);
    let mut t = target(&args.project, &ctx.env_name, &ctx.env)?;
    let run_id = format!("{:x}", deploy::verdict::now() % 0x100_0000);
    let mut log = log_line;
    let r = run::await_ready(
        t.as_mut(),
        &ctx.env_name,
        &ctx.env,
        &pairs,
        Duration::from_secs(secs),
        &run_id,
        &mut log,
    )?;
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(Outcome::Ok)
}
