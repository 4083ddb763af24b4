//! `greenlight plan`.
use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::app::Release;
use crate::plan::Plan;
use crate::report::Renderer;
use crate::report::plan as render;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PlanFormat {
    Markdown,
    Json,
    Text,
}

pub(super) fn run(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    format: PlanFormat,
) -> anyhow::Result<Outcome> {
    let (config, release) = super::analyze_release(args, rel, false)?;
    let plan = crate::app::plan(&release, &config);
    let renderer = Renderer::new(&args.project, &config.templates)?;
    print!("{}", render_plan(&renderer, &plan, &release, format)?);
    Ok(Outcome::Ok)
}

pub(super) fn render_plan(
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
