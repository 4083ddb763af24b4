//! The mermaid graph of a release: blue tables (keep running), green
//! tables (deployed beside them), new tables, and the untouched tables and
//! external topics they read.
use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Graph;
use crate::version::{Impacted, Reason};

use super::graph::mermaid_label;

/// `None` when the graph would have more than `max_nodes` nodes.
pub fn release_mermaid(impacted: &[Impacted], graph: &Graph, max_nodes: usize) -> Option<String> {
    let by_head: BTreeMap<&str, &Impacted> =
        impacted.iter().map(|i| (i.head.as_str(), i)).collect();
    let mut inputs: BTreeSet<String> = BTreeSet::new();
    for i in impacted {
        for p in graph.parents(&i.head) {
            if !by_head.contains_key(p.as_str()) {
                inputs.insert(p);
            }
        }
    }
    let blues = impacted.iter().filter(|i| i.blue.is_some()).count();
    if impacted.len() + blues + inputs.len() > max_nodes {
        return None;
    }
    let mut out = String::from("flowchart LR\n");
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for (k, name) in inputs.iter().enumerate() {
        let id = format!("u{k}");
        let class = if graph.is_external(name) {
            "external"
        } else {
            "untouched"
        };
        out.push_str(&format!("  {id}[\"{}\"]:::{class}\n", mermaid_label(name)));
        ids.insert(name.clone(), id);
    }
    if blues > 0 {
        out.push_str("  subgraph blue [\"blue: keeps running until promotion\"]\n");
        for (k, i) in impacted.iter().enumerate() {
            if let Some(b) = &i.blue {
                out.push_str(&format!("    b{k}[\"{}\"]:::blue\n", mermaid_label(b)));
            }
        }
        out.push_str("  end\n");
    }
    out.push_str("  subgraph green [\"green: deployed beside blue\"]\n");
    for (k, i) in impacted.iter().enumerate() {
        let class = if i.reason == Reason::New {
            "new"
        } else {
            "green"
        };
        out.push_str(&format!(
            "    g{k}[\"{}\"]:::{class}\n",
            mermaid_label(&i.green)
        ));
    }
    out.push_str("  end\n");
    let index: BTreeMap<&str, usize> = impacted
        .iter()
        .enumerate()
        .map(|(k, i)| (i.head.as_str(), k))
        .collect();
    for (k, i) in impacted.iter().enumerate() {
        for p in graph.parents(&i.head) {
            match index.get(p.as_str()) {
                Some(pk) => {
                    out.push_str(&format!("  g{pk} --> g{k}\n"));
                    if i.blue.is_some() && impacted[*pk].blue.is_some() {
                        out.push_str(&format!("  b{pk} -.-> b{k}\n"));
                    }
                }
                None => {
                    let u = &ids[&p];
                    out.push_str(&format!("  {u} --> g{k}\n"));
                    if i.blue.is_some() {
                        out.push_str(&format!("  {u} -.-> b{k}\n"));
                    }
                }
            }
        }
    }
    out.push_str("  classDef blue fill:#dbeafe,stroke:#1d4ed8,color:#1e3a8a\n");
    out.push_str("  classDef green fill:#dcfce7,stroke:#15803d,color:#14532d\n");
    out.push_str("  classDef new fill:#dcfce7,stroke:#15803d,stroke-width:3px,color:#14532d\n");
    out.push_str("  classDef untouched fill:#f3f4f6,stroke:#9ca3af,color:#374151\n");
    out.push_str(
        "  classDef external fill:#ffffff,stroke:#9ca3af,stroke-dasharray:4 4,color:#6b7280\n",
    );
    Some(out)
}
