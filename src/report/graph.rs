//! The `graph` command's outputs: JSON (the documented contract), text,
//! mermaid and dot.
use serde::Serialize;

use crate::graph::Graph;
use crate::project::Project;

/// What `graph --format json` prints.
#[derive(Debug, Serialize)]
pub struct GraphJson<'a> {
    /// Every table the project defines.
    pub tables: Vec<TableJson<'a>>,
    /// Names read but defined nowhere in the project.
    pub external: Vec<&'a str>,
    /// Schema edges (`CREATE TABLE to LIKE from`): they order creation and
    /// carry schema changes, and are not parents (no data flows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub like_edges: Vec<LikeEdge>,
}

/// A schema edge: one table created `LIKE` another.
#[derive(Debug, Serialize)]
pub struct LikeEdge {
    /// The table whose schema is copied.
    pub from: String,
    /// The table created LIKE it.
    pub to: String,
}

/// One table of the project in the graph JSON.
#[derive(Debug, Serialize)]
pub struct TableJson<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its kind (`source`, `fact`, ...).
    pub kind: &'static str,
    /// Its shift_left product folder (None outside a product).
    pub product: Option<&'a str>,
    /// The project-relative path of its DDL's file (None without a DDL).
    pub ddl: Option<&'a str>,
    /// The project-relative path of its first DML's file (None without one).
    pub dml: Option<&'a str>,
    /// The tables it reads.
    pub parents: Vec<String>,
    /// The tables that read it.
    pub children: Vec<String>,
    /// Set when a statement of the table declares its lineage with a
    /// `-- greenlight:` annotation (`path:line:col` of the annotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
}

/// The graph JSON of a project: its tables with their lineage, its
/// externals and its `LIKE` edges.
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
                declared: declared(project, t),
            })
            .collect(),
        external: project.external.iter().map(String::as_str).collect(),
        like_edges: graph
            .like_edges()
            .into_iter()
            .map(|(from, to)| LikeEdge { from, to })
            .collect(),
    }
}

/// Where a table's lineage is declared by annotation, if it is.
fn declared(project: &Project, t: &crate::project::Table) -> Option<String> {
    t.ddl.iter().chain(t.dml.iter()).find_map(|l| {
        project
            .statement(*l)
            .declared
            .map(|d| format!("{}:{}:{}", project.path(*l), d.line, d.col))
    })
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
        let like = graph.like_sources(&t.name);
        let mut extra = String::new();
        if !like.is_empty() {
            extra.push_str(&format!("  (LIKE {})", like.join(", ")));
        }
        if let Some(at) = declared(project, t) {
            extra.push_str(&format!("  (declared at {at})"));
        }
        out.push_str(&format!(
            "{:width$}  {:12} <- {}{extra}\n",
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

/// A `flowchart LR` of the whole project; externals dashed, `LIKE` edges
/// dotted and labelled.
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
    for (a, b) in graph.like_edges() {
        out.push_str(&format!(
            "  {} -. LIKE .-> {}\n",
            ids[a.as_str()],
            ids[b.as_str()]
        ));
    }
    out.push_str("  classDef external stroke-dasharray: 4 4,fill:#f6f8fa\n");
    for name in &project.external {
        out.push_str(&format!("  class {} external\n", ids[name.as_str()]));
    }
    out
}

/// Graphviz dot; `LIKE` edges dashed and labelled.
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
    for (a, b) in graph.like_edges() {
        out.push_str(&format!(
            "  {} -> {} [style=dashed, label=\"LIKE\"];\n",
            q(&a),
            q(&b)
        ));
    }
    out.push_str("}\n");
    out
}
