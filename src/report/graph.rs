//! The `graph` command's outputs: JSON (the documented contract), text,
//! mermaid and dot.
use serde::Serialize;

use crate::graph::Graph;
use crate::project::Project;

#[derive(Debug, Serialize)]
pub struct GraphJson<'a> {
    pub tables: Vec<TableJson<'a>>,
    pub external: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct TableJson<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub product: Option<&'a str>,
    pub ddl: Option<&'a str>,
    pub dml: Option<&'a str>,
    pub parents: Vec<String>,
    pub children: Vec<String>,
}

pub fn graph_json<'a>(project: &'a Project, graph: &Graph) -> GraphJson<'a> {
    GraphJson {
        tables: project
            .tables
            .iter()
            .map(|t| TableJson {
                name: &t.name,
                kind: t.kind.as_str(),
                product: t.product.as_deref(),
                ddl: t.ddl.map(|l| project.path(l)),
                dml: t.dml.first().map(|l| project.path(*l)),
                parents: graph.parents(&t.name),
                children: graph.children(&t.name),
            })
            .collect(),
        external: project.external.iter().map(String::as_str).collect(),
    }
}

/// One line per table: `name (kind) <- parents`, then the externals.
pub fn graph_text(project: &Project, graph: &Graph) -> String {
    let mut out = String::new();
    let width = project
        .tables
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(0);
    for t in &project.tables {
        let parents = graph.parents(&t.name);
        out.push_str(&format!(
            "{:width$}  {:12} <- {}\n",
            t.name,
            t.kind.as_str(),
            if parents.is_empty() {
                "(nothing)".to_string()
            } else {
                parents.join(", ")
            },
        ));
    }
    if !project.external.is_empty() {
        let ext: Vec<&str> = project.external.iter().map(String::as_str).collect();
        out.push_str(&format!("external: {}\n", ext.join(", ")));
    }
    out.push_str(&format!(
        "{} tables, {} external\n",
        project.tables.len(),
        project.external.len()
    ));
    out
}

/// A label safe inside mermaid's `["..."]`.
pub fn mermaid_label(name: &str) -> String {
    name.replace('"', "#quot;")
}

/// A `flowchart LR` of the whole project; externals dashed.
pub fn graph_mermaid(project: &Project, graph: &Graph) -> String {
    let mut ids = std::collections::HashMap::new();
    let mut out = String::from("flowchart LR\n");
    for (i, name) in project
        .tables
        .iter()
        .map(|t| &t.name)
        .chain(project.external.iter())
        .enumerate()
    {
        ids.insert(name.as_str(), format!("n{i}"));
        out.push_str(&format!("  n{i}[\"{}\"]\n", mermaid_label(name)));
    }
    for (a, b) in graph.edges() {
        out.push_str(&format!("  {} --> {}\n", ids[a.as_str()], ids[b.as_str()]));
    }
    out.push_str("  classDef external stroke-dasharray: 4 4,fill:#f6f8fa\n");
    for name in &project.external {
        out.push_str(&format!("  class {} external\n", ids[name.as_str()]));
    }
    out
}

/// Graphviz dot.
pub fn graph_dot(project: &Project, graph: &Graph) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from("digraph greenlight {\n  rankdir=LR;\n  node [shape=box];\n");
    for name in &project.external {
        out.push_str(&format!("  {} [style=dashed];\n", q(name)));
    }
    for t in &project.tables {
        out.push_str(&format!("  {};\n", q(&t.name)));
    }
    for (a, b) in graph.edges() {
        out.push_str(&format!("  {} -> {};\n", q(&a), q(&b)));
    }
    out.push_str("}\n");
    out
}
