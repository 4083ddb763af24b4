//! Use cases: what a front end (the CLI, the GitHub Action, the demo) asks
//! of greenlight, as plain request structs in and values out. They join the
//! pure core (sql, project, graph, version, plan, report) and the adapters
//! (git, GitHub, Flink); front ends only translate input and present output.
pub(crate) mod deploy;
pub(crate) mod publish;
pub(crate) mod release;
pub(crate) mod rewrite;

pub(crate) use release::{Release, ReleaseRequest, analyze};

use crate::config::Config;

/// What a command ended with, mapped to the exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The command succeeded.
    Ok,
    /// Rewrites are pending (`rewrite --check`).
    Pending,
}
use crate::plan::{self, Plan, PlanInput};

/// The plan of a release, with its source schema problems and warnings
/// first among the plan's warnings (they show in every report).
pub(crate) fn plan(release: &Release, config: &Config) -> Plan {
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
    name_statements(&mut plan, release, config);
    plan
}

/// The statement names deploy will use, blue and green, for each
/// environment of the config, from the one naming rule
/// ([`crate::deploy::step_names`]).
fn name_statements(plan: &mut Plan, release: &Release, config: &Config) {
    let blue_of: std::collections::BTreeMap<String, String> = plan
        .impacted
        .iter()
        .filter_map(|i| i.blue.clone().map(|b| (i.green.clone(), b)))
        .collect();
    for (env_name, env) in &config.environments {
        let prefix = env.prefix(env_name);
        let green = crate::deploy::step_names(plan, &release.head, prefix, &|t| t.to_string());
        let blue = crate::deploy::step_names(plan, &release.head, prefix, &|t| {
            blue_of.get(t).cloned().unwrap_or_default()
        });
        let mut names: std::collections::BTreeMap<&str, crate::version::StatementNames> =
            Default::default();
        let steps = plan.steps.iter().flat_map(|w| &w.steps);
        for ((step, g), b) in steps.zip(green.iter().flatten()).zip(blue.iter().flatten()) {
            let entry = names.entry(step.table.as_str()).or_default();
            if let Some(g) = g {
                entry.green.push(g.clone());
            }
            // An in-place table's running statement is whichever one
            // writes it; only its new statement has a name known here.
            if let Some(b) = b
                && blue_of.contains_key(&step.table)
                && step.action != crate::plan::StepAction::ReplaceDml
            {
                entry.blue.push(b.clone());
            }
        }
        for i in &mut plan.impacted {
            if let Some(n) = names.remove(i.green.as_str()) {
                i.statements.insert(env_name.clone(), n);
            }
        }
    }
}
