//! The command-line interface: argument types and the dispatch to commands.
mod changes;
mod demo;
mod deploy;
mod graph;
mod plan;
mod rewrite;

pub use plan::{PlanFormat, build_plan, render_plan as render_plan_to};
pub use rewrite::{compute as compute_rewrites, unified_diff, write_all as write_rewrites};

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Blue/green releases of Flink SQL pipelines from git: exact lineage,
/// `_vN` re-versioning of changed tables and their descendants, and the
/// execution plan.
#[derive(Debug, Parser)]
#[command(name = "greenlight", version, about, long_about = None)]
pub struct Cli {
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
        #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
        format: PlanFormat,
    },
    /// The GitHub Action entry point: on a pull request into a release
    /// branch, commit the rewrites as a bot and post one sticky comment with
    /// the impact and the plan. Reads the runner's GITHUB_* variables.
    Action(ActionArgs),
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
    /// Switch to green: emit the connector changes and stop the blue DMLs
    /// (only when every green statement runs).
    Promote {
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        release: ReleaseArgs,
        #[command(flatten)]
        env: deploy::EnvArgs,
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
        /// E.g. `7d`, `12h`, `30m`.
        #[arg(long, value_name = "DURATION")]
        older_than: String,
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
        /// Print the rewrites as a unified diff.
        #[arg(long)]
        diff: bool,
        /// Rewrite even when the files greenlight reads (SQL files, config,
        /// force file, schemas) have uncommitted changes.
        #[arg(long)]
        allow_dirty: bool,
    },
}

/// What a command ended with, mapped to the exit code by `main`.
pub enum Outcome {
    Ok,
    /// `rewrite --check` found rewrites to do.
    Pending,
}

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
        Command::Demo { keep, format } => demo::run(keep.as_deref(), format),
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
        Command::Promote {
            project,
            release,
            env,
        } => deploy::promote(&project, &release, &env),
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
        } => deploy::cleanup(&project, &release, &env, &older_than, dry_run),
        Command::Action(a) => {
            crate::action::run(&a.inputs(), &crate::action::RunnerEnv::from_env()?)
        }
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

/// Loads the config and the project of `args`.
pub fn load_project(
    args: &ProjectArgs,
) -> anyhow::Result<(crate::config::Config, crate::project::Project)> {
    use anyhow::Context;
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    let settings = crate::project::Settings::from_config(&config);
    let project = crate::project::load_with(&args.project, &config.exclude, &settings)
        .with_context(|| format!("cannot analyse the project in {}", args.project.display()))?;
    for w in &project.warnings {
        eprintln!("warning: {w}");
    }
    Ok((config, project))
}

/// Loads the config and analyses the release of `args`.
pub fn analyze_release(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
) -> anyhow::Result<crate::release::Release> {
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    analyze_release_with(args, rel, &config, false)
}

/// Analyses the release of `args` with a loaded config; with
/// `require_clean`, uncommitted changes to the files greenlight reads are
/// refused.
pub fn analyze_release_with(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    config: &crate::config::Config,
    require_clean: bool,
) -> anyhow::Result<crate::release::Release> {
    crate::release::analyze(&crate::release::ReleaseRequest {
        project_dir: &args.project,
        config,
        since: rel.since.as_deref(),
        also: &rel.also,
        require_clean,
    })
}

/// `action.yml` passes its inputs as `INPUT_*` variables.
#[derive(Debug, Clone, clap::Args)]
pub struct ActionArgs {
    /// Token used for the API and to push (its value is never printed).
    #[arg(long, env = "INPUT_GITHUB-TOKEN", hide_env_values = true)]
    pub github_token: Option<String>,
    /// The project directory, relative to the workspace.
    #[arg(long, env = "INPUT_PROJECT-DIR", default_value = ".")]
    pub project_dir: PathBuf,
    /// Comma-separated globs of release branches (default: from the config,
    /// else `release/*`).
    #[arg(long, env = "INPUT_RELEASE-BRANCHES")]
    pub release_branches: Option<String>,
    /// Glob of release tags (default: from the config, else any tag).
    #[arg(long, env = "INPUT_TAG-PATTERN")]
    pub tag_pattern: Option<String>,
    #[arg(long, env = "INPUT_MODE", value_enum, default_value_t = crate::action::Mode::Rewrite)]
    pub mode: crate::action::Mode,
    /// Config file, relative to the workspace.
    #[arg(long, env = "INPUT_CONFIG")]
    pub config: Option<PathBuf>,
    #[arg(long, env = "INPUT_BOT-NAME", default_value = "greenlight[bot]")]
    pub bot_name: String,
    #[arg(
        long,
        env = "INPUT_BOT-EMAIL",
        default_value = "greenlight[bot]@users.noreply.github.com"
    )]
    pub bot_email: String,
}

impl ActionArgs {
    pub fn inputs(&self) -> crate::action::Inputs {
        let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        crate::action::Inputs {
            token: nonempty(&self.github_token)
                .or_else(|| std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty())),
            project_dir: self.project_dir.clone(),
            release_branches: nonempty(&self.release_branches).map(|b| {
                b.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            }),
            tag_pattern: nonempty(&self.tag_pattern),
            mode: self.mode,
            config: self.config.clone().filter(|c| !c.as_os_str().is_empty()),
            bot: crate::git::local::Author {
                name: self.bot_name.clone(),
                email: self.bot_email.clone(),
            },
        }
    }
}
