//! The command-line interface: argument types and the dispatch to commands.
mod graph;

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the table dependency graph of the project.
    Graph {
        #[command(flatten)]
        project: ProjectArgs,
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
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
    }
}

/// Loads the config and the project of `args`.
pub fn load_project(args: &ProjectArgs) -> anyhow::Result<(crate::config::Config, crate::project::Project)> {
    use anyhow::Context;
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    let project = crate::project::load(&args.project, &config.exclude)
        .with_context(|| format!("cannot analyse the project in {}", args.project.display()))?;
    for w in &project.warnings {
        eprintln!("warning: {w}");
    }
    Ok((config, project))
}
