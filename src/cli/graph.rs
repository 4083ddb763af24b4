//! `greenlight graph`.
use super::{GraphFormat, Outcome, ProjectArgs, load_project};
use crate::graph::Graph;
use crate::report::graph as render;

pub(super) fn run(args: &ProjectArgs, format: GraphFormat) -> anyhow::Result<Outcome> {
    let (_, project) = load_project(args)?;
    let graph = Graph::build(&project)?;
    let out = match format {
        GraphFormat::Json => {
            serde_json::to_string_pretty(&render::graph_json(&project, &graph))? + "\n"
        }
        GraphFormat::Text => render::graph_text(&project, &graph),
        GraphFormat::Mermaid => render::graph_mermaid(&project, &graph),
        GraphFormat::Dot => render::graph_dot(&project, &graph),
    };
    print!("{out}");
    Ok(Outcome::Ok)
}
