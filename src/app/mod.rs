//! Use cases: what a front end (the CLI, the GitHub Action, the demo) asks
//! of greenlight, as plain request structs in and values out. They join the
//! pure core (sql, project, graph, version, plan, report) and the adapters
//! (git, GitHub, Flink); front ends only translate input and present output.
pub mod deploy;
pub mod publish;
pub mod release;
pub mod rewrite;

pub use release::{Release, ReleaseRequest, analyze};

use crate::config::Config;

/// What a command ended with, mapped to the exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Rewrites are pending (`rewrite --check`).
    Pending,
}
use crate::plan::{self, Plan, PlanInput};

/// The plan of a release, with its source schema problems and warnings
/// first among the plan's warnings (they show in every report).
pub fn plan(release: &Release, config: &Config) -> Plan {
    let mut plan = plan::build(&PlanInput {
        base: &release.base.name,
        head: &release.head,
        head_graph: &release.head_graph,
        impact: &release.impact,
        connectors: &config.connectors,
        capacity: config.capacity.as_ref(),
        retention: &config.cleanup_retention,
    });
    let mut warnings: Vec<String> = release
        .schema_checks
        .iter()
        .flat_map(|check| {
            check.violations.iter().map(move |v| {
                format!(
                    "schema of `{}` ({}): {}",
                    check.table, check.file, v.message
                )
            })
        })
        .collect();
    warnings.extend(
        release
            .schema_warnings
            .iter()
            .map(|w| format!("schema: {w}")),
    );
    warnings.append(&mut plan.warnings);
    plan.warnings = warnings;
    plan
}
