//! The command-line interface: argument types and the dispatch to commands.
mod changes;
mod demo;
mod deploy;
mod graph;
mod plan;
mod rewrite;

pub(crate) use plan::PlanFormat;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Blue/green releases of Flink SQL pipelines from git: exact lineage,
/// `_vN` re-versioning of changed tables and their descendants, and the
/// execution plan.
#[derive(Debug, Parser)]
#[command(name = "greenlight", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Arguments every project command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectArgs {
    /// The project directory (holding `pipelines/` or any tree of .sql files).
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Config file (default: `greenlight.yaml` in the project, if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Json,
    Text,
    Mermaid,
    Dot,
}

/// Arguments of commands that compare with the last release.
#[derive(Debug, Clone, clap::Args)]
pub struct ReleaseArgs {
    /// Compare with this ref, commit or date (YYYY-MM-DD) instead of the
    /// newest release tag reachable from HEAD.
    #[arg(long)]
    pub since: Option<String>,
    /// Also re-version this table and its descendants (repeatable).
    #[arg(long = "also", value_name = "TABLE")]
    pub also: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the table dependency graph of the project.
    Graph {
        #[command(flatten)]
        project: ProjectArgs,
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
    },
    /// List the SQL files and tables changed since the last release, and the
    /// impacted tables with their green names.
    Changes {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Also write shift_left's modified_flink_files.json shape to FILE.
        #[arg(long, value_name = "FILE")]
        shift_left_out: Option<PathBuf>,
    },
    /// Print the execution plan of the release: impact, waves, promotion,
    /// rollback and cleanup, as the PR comment (markdown), JSON or text.
    Plan {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Run the pull-request flow offline on the bundled example: a temporary
    /// git repository, a release tag, a change to one intermediate, the
    /// rewrite, and the comment the pull request would get.
    Demo {
        /// Keep the demo repository in this directory instead of a temporary one.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// `text` tells the flow for a terminal; `markdown` prints the raw
        /// pull request comment, `json` the plan.
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
        /// `example`: a stateful change re-versions a subtree (blue/green);
        /// `clickstream`: a release mixing both upgrade strategies
        /// (`upgrade: auto`: a stateless fix upgraded in place).
        #[arg(long, value_enum, default_value_t = demo::Scenario::Example)]
        scenario: demo::Scenario,
    },
    /// The GitHub Action entry point: on a pull request into a release
    /// branch, commit the rewrites as a bot and post one sticky comment with
    /// the impact and the plan. Reads the runner's GITHUB_* variables and
    /// the action's inputs (INPUT_*; an empty input means its default).
    Action,
    /// Deploy the release's green statements to an environment, wave by
    /// wave, beside blue (which is never touched); a rerun resumes.
    Deploy {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
        /// Show what would be created, skipped or replaced; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = deploy::OutFormat::Text)]
        format: deploy::OutFormat,
    },
    /// Compare green with blue (counts, duplicate keys, aggregates,
    /// freshness), optionally after sending synthetic records; exit 1 when
    /// a check fails.
    Validate {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
        /// Send N synthetic records to each source table first.
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
        #[arg(long, value_enum, default_value_t = deploy::ReportFormat::Markdown)]
        format: deploy::ReportFormat,
        /// Also write the JSON report to FILE.
        #[arg(long, value_name = "FILE")]
        json_out: Option<PathBuf>,
        /// Also write the markdown report to FILE.
        #[arg(long, value_name = "FILE")]
        markdown_out: Option<PathBuf>,
    },
    /// Wait until every green table has caught up with its blue twin
    /// (counts within tolerance, latest event time within max_lag_secs, on
    /// consecutive checks); exit 1 at the timeout, naming the tables behind.
    Await {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
        /// Give up after this long (e.g. `30m`, `2h`).
        #[arg(long, value_name = "DURATION", default_value = "30m")]
        timeout: String,
    },
    /// Switch to green: emit the connector changes and stop the blue DMLs
    /// (only when every green statement runs and the last validation of
    /// this deployment passed).
    Promote {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
        /// Promote without a passed validation of this deployment.
        #[arg(long)]
        force: bool,
    },
    /// Undo a release: stop and delete green statements, drop green tables,
    /// resume blue if a promotion stopped it, connectors back.
    Rollback {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
    },
    /// Drop the blue tables (and delete their statements) of a promoted
    /// release whose green has run longer than --older-than.
    Cleanup {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
        /// How long green must have run (e.g. `7d`, `12h`, `30m`); default:
        /// `cleanup_retention` of the config (7d).
        #[arg(long, value_name = "DURATION")]
        older_than: Option<String>,
        /// List what would be dropped and deleted; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Rename impacted tables to their green names in the SQL files
    /// (DDL, DML and every reference in their children), all or nothing.
    Rewrite {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        /// Write nothing; exit 3 when rewrites are pending.
        #[arg(long)]
        check: bool,
        /// Print the rewrites as a unified diff and write nothing (a
        /// preview; with --check, exit 3 when rewrites are pending).
        #[arg(long)]
        diff: bool,
        /// Rewrite even when the files greenlight reads (SQL files, config,
        /// force file, schemas) have uncommitted changes.
        #[arg(long)]
        allow_dirty: bool,
    },
}

pub(crate) use crate::app::Outcome;

/// Runs the command the arguments name.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Graph { project, format } => graph::run(&project, format),
        Command::Changes {
            project,
            release,
            format,
            shift_left_out,
        } => changes::run(&project, &release, format, shift_left_out.as_deref()),
        Command::Plan {
            project,
            release,
            format,
        } => plan::run(&project, &release, format),
        Command::Demo {
            keep,
            format,
            scenario,
        } => demo::run(keep.as_deref(), format, scenario),
        Command::Deploy {
            project,
            release,
            env,
            dry_run,
            format,
        } => deploy::deploy(&project, &release, &env, dry_run, format),
        Command::Validate {
            project,
            release,
            env,
            synthetic,
            format,
            json_out,
            markdown_out,
        } => deploy::validate(
            &project,
            &release,
            &env,
            &deploy::ValidateOptions {
                synthetic,
                format,
                json_out: json_out.as_deref(),
                markdown_out: markdown_out.as_deref(),
            },
        ),
        Command::Await {
            project,
            release,
            env,
            timeout,
        } => deploy::await_ready(&project, &release, &env, &timeout),
        Command::Promote {
            project,
            release,
            env,
            force,
        } => deploy::promote(&project, &release, &env, force),
        Command::Rollback {
            project,
            release,
            env,
        } => deploy::rollback(&project, &release, &env),
        Command::Cleanup {
            project,
            release,
            env,
            older_than,
            dry_run,
        } => deploy::cleanup(&project, &release, &env, older_than.as_deref(), dry_run),
        Command::Action => crate::action::run(
            &crate::action::Inputs::from_env()?,
            &crate::action::RunnerEnv::from_env()?,
        ),
        Command::Rewrite {
            project,
            release,
            check,
            diff,
            allow_dirty,
        } => rewrite::run(
            &project,
            &release,
            &rewrite::RewriteOptions {
                check,
                diff,
                allow_dirty,
            },
        ),
    }
}

/// Prints a warning for the user; inert when it runs in a GitHub workflow
/// (names from a pull request can then form no workflow command).
pub(crate) fn warn(line: &str) {
    if in_github_actions() {
        eprintln!(
            "{}",
            crate::action::workflow::inert(&format!("warning: {line}"))
        );
    } else {
        eprintln!("warning: {line}");
    }
}

/// Whether greenlight runs in a GitHub Actions job.
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Loads the config and the project of `args`.
pub(crate) fn load_project(
    args: &ProjectArgs,
) -> anyhow::Result<(crate::config::Config, crate::project::Project)> {
    use anyhow::Context;
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    let settings = crate::project::Settings::from_config(&config);
    let project = crate::project::load_with(&args.project, &config.exclude, &settings)
        .with_context(|| format!("cannot analyse the project in {}", args.project.display()))?;
    for w in &project.warnings {
        warn(&w.to_string());
    }
    Ok((config, project))
}

/// The release request of `args`, built once.
fn release_request<'a>(
    args: &'a ProjectArgs,
    rel: &'a ReleaseArgs,
    config: &'a crate::config::Config,
    require_clean: bool,
) -> crate::app::ReleaseRequest<'a> {
    crate::app::ReleaseRequest {
        project_dir: &args.project,
        config,
        since: rel.since.as_deref(),
        also: &rel.also,
        require_clean,
    }
}

/// Loads the config and analyses the release of `args`; prints its
/// warnings.
pub(crate) fn analyze_release(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    require_clean: bool,
) -> anyhow::Result<(crate::config::Config, crate::app::Release)> {
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    let release = crate::app::analyze(&release_request(args, rel, &config, require_clean))?;
    for w in release.warnings() {
        warn(&w);
    }
    Ok((config, release))
}
