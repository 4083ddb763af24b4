//! `greenlight plan`.
use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::config::Config;
use crate::plan::{self, Plan, PlanInput};
use crate::release::Release;
use crate::report::Renderer;
use crate::report::plan as render;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PlanFormat {
    Markdown,
    Json,
    Text,
}

pub fn run(args: &ProjectArgs, rel: &ReleaseArgs, format: PlanFormat) -> anyhow::Result<Outcome> {
    let config = Config::load(&args.project, args.config.as_deref())?;
    let release = super::analyze_release_with(args, rel, &config, false)?;
    let plan = build_plan(&release, &config);
    let renderer = Renderer::new(&args.project, &config.templates)?;
    print!("{}", render_plan(&renderer, &plan, &release, format)?);
    Ok(Outcome::Ok)
}

/// The plan of a release, with its source schema problems and warnings
/// among the plan's warnings (they show in every report).
pub fn build_plan(release: &Release, config: &Config) -> Plan {
    let mut plan = plan::build(&PlanInput {
        base: &release.base.name,
        head: &release.head,
        head_graph: &release.head_graph,
        impact: &release.impact,
        connectors: &config.connectors,
        capacity: config.capacity.as_ref(),
        retention: &config.cleanup_retention,
    });
    let mut schema: Vec<String> = Vec::new();
    for check in &release.schema_checks {
        for v in &check.violations {
            schema.push(format!(
                "schema of `{}` ({}): {}",
                check.table, check.file, v.message
            ));
        }
    }
    schema.extend(
        release
            .schema_warnings
            .iter()
            .map(|w| format!("schema: {w}")),
    );
    schema.append(&mut plan.warnings);
    plan.warnings = schema;
    plan
}

pub fn render_plan(
    r: &Renderer,
    plan: &Plan,
    release: &Release,
    format: PlanFormat,
) -> anyhow::Result<String> {
    Ok(match format {
        PlanFormat::Json => serde_json::to_string_pretty(plan)? + "\n",
        PlanFormat::Markdown => render::pr_comment(r, plan, &release.head_graph, &[])?,
        PlanFormat::Text => render::text(r, plan, &release.head_graph)?,
    })
}
