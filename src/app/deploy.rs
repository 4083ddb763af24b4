//! Deploy use cases: a release's deployment to one environment (its plan,
//! its statements wave by wave, its target) and the steps of the gated
//! lifecycle: deploy, await, validate, promote, roll back, clean up. The
//! CLI and the action build a [`DeployRequest`] and present the reports.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use super::release::{Release, ReleaseRequest, analyze};
use crate::config::Config;
use crate::deploy::run::{self, DeployReport, LifecycleReport, Log, ReadyReport};
use crate::deploy::validate::{Pair, Report};
use crate::deploy::{self, DeployStatement, DeployWave, DirSources, Environment, TargetKind};
use crate::flink::{Target, confluent::Confluent, gateway::Gateway};
use crate::git::Repo;
use crate::plan::Plan;
use crate::version::Strategy;

/// What to deploy, and where.
pub(crate) struct DeployRequest<'a> {
    pub project_dir: &'a Path,
    pub config: &'a Config,
    pub since: Option<&'a str>,
    /// A key of `environments` in the config.
    pub environment: &'a str,
}

/// The release, its plan and its statements for one environment.
pub(crate) struct Deployment {
    pub env_name: String,
    pub env: Environment,
    pub release: Release,
    pub plan: Plan,
    pub waves: Vec<DeployWave>,
    /// The blue statements of the tables upgraded in place, for a rollback.
    pub back: Vec<DeployStatement>,
    project_dir: PathBuf,
    /// The config's `cleanup_retention`.
    retention: String,
}

/// The project's files at the base commit (the blue SQL of a rollback).
struct BaseSources {
    repo: Repo,
    commit: git2::Oid,
}

impl deploy::Sources for BaseSources {
    fn text(&self, path: &str) -> std::io::Result<String> {
        let bytes = self
            .repo
            .read_at(self.commit, path)
            .map_err(std::io::Error::other)?
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not at the base"))?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    }
}

/// The environment named `name`, checked.
fn environment(config: &Config, name: &str) -> Result<Environment> {
    let e = config.environments.get(name).ok_or_else(|| {
        let known: Vec<&str> = config.environments.keys().map(String::as_str).collect();
        anyhow!(
            "no environment `{name}` in the config (known: {})\n  hint: add `environments: {{{name}: ...}}` to greenlight.yaml",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )
    })?;
    e.validate(name)?;
    Ok(e.clone())
}

impl Deployment {
    /// Analyses the release and derives its statements for the environment.
    pub(crate) fn prepare(req: &DeployRequest<'_>) -> Result<Deployment> {
        let env = environment(req.config, req.environment)?;
        let release = analyze(&ReleaseRequest {
            project_dir: req.project_dir,
            config: req.config,
            since: req.since,
            also: &[],
            require_clean: false,
        })?;
        let plan = super::plan(&release, req.config);
        let waves = deploy::deploy_waves(
            &plan,
            &release.head,
            &env,
            req.environment,
            &DirSources(req.project_dir),
        )?;
        let back = if plan
            .impacted
            .iter()
            .any(|i| i.strategy == Strategy::InPlace)
        {
            let at_base = BaseSources {
                repo: Repo::open(req.project_dir)?,
                commit: release.base.commit,
            };
            deploy::rollback_statements(
                &plan,
                &release.base_project,
                &env,
                req.environment,
                &at_base,
            )?
        } else {
            Vec::new()
        };
        Ok(Deployment {
            env_name: req.environment.to_string(),
            env,
            release,
            plan,
            waves,
            back,
            project_dir: req.project_dir.to_path_buf(),
            retention: req.config.cleanup_retention.clone(),
        })
    }

    /// The environment's adapter; secrets come from environment variables.
    pub(crate) fn target(&self) -> Result<Box<dyn Target>> {
        let (env, name) = (&self.env, &self.env_name);
        let timeout = Duration::from_secs(env.poll.request_timeout_secs.max(1));
        Ok(match env.target {
            TargetKind::Confluent => {
                Box::new(Confluent::new(env).with_context(|| format!("environment `{name}`"))?)
            }
            TargetKind::SqlGateway => {
                let g = env
                    .sql_gateway
                    .as_ref()
                    .ok_or_else(|| anyhow!("environment `{name}` has no sql_gateway section"))?;
                let state = self.project_dir.join(
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
                )?;
                gw.configure(env);
                Box::new(gw)
            }
        })
    }

    /// Starts the green statements beside blue, wave by wave; a rerun
    /// resumes. Capacity is checked first.
    pub(crate) fn deploy(
        &self,
        t: &mut dyn Target,
        dry_run: bool,
        log: Log<'_>,
    ) -> Result<DeployReport> {
        let needed = deploy::needed_capacity(&self.plan, &self.waves);
        run::deploy(
            t,
            &self.env_name,
            &self.env,
            &self.waves,
            needed,
            dry_run,
            log,
        )
    }

    /// Waits until every green table caught up with its blue twin.
    pub(crate) fn await_ready(&self, timeout: Duration, log: Log<'_>) -> Result<ReadyReport> {
        let pairs = deploy::validate::pairs_of(&self.plan, &self.waves);
        for i in self.in_place() {
            log(&format!(
                "{}: upgraded in place, caught up (its offsets were carried over)",
                i.green
            ));
        }
        let mut t = self.target()?;
        let run_id = format!("{:x}", deploy::verdict::now() % 0x100_0000);
        run::await_ready(
            t.as_mut(),
            &self.env_name,
            &self.env,
            &pairs,
            timeout,
            &run_id,
            log,
        )
    }

    /// Compares green with blue, after `synthetic` records when given, and
    /// keeps the verdict for `promote`. A failed check is in the report.
    pub(crate) fn validate(&self, synthetic: Option<usize>, log: Log<'_>) -> Result<Report> {
        let mut env = self.env.clone();
        if let Some(n) = synthetic {
            env.validate.synthetic_records = n;
        }
        let pairs = deploy::validate::pairs_of(&self.plan, &self.waves);
        let sources = self.sources()?;
        let sinks = self.sinks(&pairs);
        let mut t = self.target()?;
        let run_id = format!("{:x}", deploy::verdict::now() % 0x100_0000);
        let mut report = run::validate(
            t.as_mut(),
            &self.env_name,
            &env,
            &pairs,
            &sources,
            &sinks,
            &run_id,
            log,
        )?;
        report
            .checks
            .extend(self.in_place().map(deploy::validate::in_place_check));
        deploy::verdict::keep(
            &self.project_dir,
            &self.env_name,
            &env,
            &report,
            &self.waves,
        )
        .context("cannot keep the verdict for promote")?;
        Ok(report)
    }

    /// The tables upgraded in place: nothing to compare, already caught up.
    fn in_place(&self) -> impl Iterator<Item = &crate::version::Impacted> {
        self.plan
            .impacted
            .iter()
            .filter(|i| i.strategy == Strategy::InPlace)
    }

    /// Project tables the release reads but does not re-version, with their
    /// schemas: where synthetic records go.
    fn sources(&self) -> Result<Vec<(String, deploy::ddl::Schema)>> {
        let head = &self.release.head;
        let impacted: BTreeSet<&str> = self
            .plan
            .impacted
            .iter()
            .map(|i| i.green.as_str())
            .collect();
        let mut sources: Vec<(String, deploy::ddl::Schema)> = Vec::new();
        for p in self.plan.impacted.iter().flat_map(|i| &i.parents) {
            if impacted.contains(p.as_str()) || sources.iter().any(|(n, _)| n == p) {
                continue;
            }
            let Some(l) = head.table(p).and_then(|t| t.ddl) else {
                continue;
            };
            let path = self.project_dir.join(head.path(l));
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", head.path(l)))?;
            let s = head.statement(l);
            if let Some(schema) = text.get(s.start..s.end).and_then(deploy::ddl::schema_of) {
                sources.push((p.clone(), schema));
            }
        }
        Ok(sources)
    }

    /// The re-versioned leaves: where synthetic records must arrive.
    fn sinks(&self, pairs: &[Pair]) -> Vec<Pair> {
        pairs
            .iter()
            .filter(|p| {
                let head = self
                    .plan
                    .impacted
                    .iter()
                    .find(|i| i.green == p.green)
                    .map(|i| i.head.as_str())
                    .unwrap_or(&p.green);
                self.release.head_graph.children(head).is_empty() && p.blue.is_some()
            })
            .cloned()
            .collect()
    }

    /// Switches to green; refused unless the last validation of this
    /// deployment passed, or `force`.
    pub(crate) fn promote(&self, force: bool, log: Log<'_>) -> Result<LifecycleReport> {
        let mut t = self.target()?;
        if force {
            log("--force: promoting without a passed validation");
        } else {
            run::promote_gate(
                t.as_mut(),
                &self.project_dir,
                &self.env_name,
                &self.env,
                &self.waves,
            )?;
        }
        run::promote(
            t.as_mut(),
            &self.env_name,
            &self.env,
            &self.plan,
            &self.waves,
            log,
        )
    }

    /// Removes green; blue keeps (or goes back to) running.
    pub(crate) fn rollback(&self, log: Log<'_>) -> Result<LifecycleReport> {
        let mut t = self.target()?;
        run::rollback(
            t.as_mut(),
            &self.env_name,
            &self.env,
            &self.plan,
            &self.waves,
            &self.back,
            log,
        )
    }

    /// Drops the blue tables whose green ran longer than `older_than`
    /// (default: the config's `cleanup_retention`).
    pub(crate) fn cleanup(
        &self,
        older_than: Option<&str>,
        dry_run: bool,
        log: Log<'_>,
    ) -> Result<LifecycleReport> {
        let (what, older_than) = match older_than {
            Some(d) => ("--older-than", d),
            None => ("cleanup_retention", self.retention.as_str()),
        };
        let secs = deploy::parse_duration(older_than).map_err(|m| anyhow!("{what}: {m}"))?;
        let mut t = self.target()?;
        run::cleanup(
            t.as_mut(),
            &self.env_name,
            &self.env,
            &self.plan,
            &self.waves,
            secs,
            deploy::verdict::now(),
            dry_run,
            log,
        )
    }
}

/// The error of a failed validation, after its report was shown.
pub(crate) fn validation_failed(report: &Report) -> Result<()> {
    if report.passed {
        return Ok(());
    }
    let failed = report.checks.iter().filter(|c| !c.passed).count();
    bail!(
        "validation failed: {failed} of {} checks did not pass",
        report.checks.len()
    )
}
