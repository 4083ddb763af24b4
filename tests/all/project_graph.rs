//! The example projects: the graph equals the hand-derived one.
use std::process::Command;

use crate::common::{read, root};

fn graph_json(project: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(["graph", "--project", project, "--format", "json"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn shift_left_example_graph_is_exact() {
    let expected: serde_json::Value =
        serde_json::from_str(&read(&root().join("testdata/example/expected-graph.json"))).unwrap();
    assert_eq!(graph_json("testdata/example"), expected);
}

#[test]
fn flat_layout_graph_is_exact() {
    let expected: serde_json::Value =
        serde_json::from_str(&read(&root().join("testdata/flat/expected-graph.json"))).unwrap();
    assert_eq!(graph_json("testdata/flat"), expected);
}

#[test]
fn mermaid_and_dot_outputs_name_every_table_and_edge() {
    for (dir, name) in [
        ("testdata/example", "example-graph"),
        ("testdata/flat", "flat-graph"),
    ] {
        let expected: serde_json::Value =
            serde_json::from_str(&read(&root().join(dir).join("expected-graph.json"))).unwrap();
        let run = |format: &str| {
            let out = Command::new(env!("CARGO_BIN_EXE_greenlight"))
                .args(["graph", "--project", dir, "--format", format])
                .current_dir(root())
                .output()
                .unwrap();
            assert!(out.status.success());
            String::from_utf8(out.stdout).unwrap()
        };
        let mermaid = run("mermaid");
        let dot = run("dot");
        let edges: usize = expected["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["parents"].as_array().unwrap().len())
            .sum();
        let likes = expected["like_edges"].as_array().map_or(0, Vec::len);
        assert_eq!(mermaid.matches(" --> ").count(), edges);
        assert_eq!(mermaid.matches(" -. LIKE .-> ").count(), likes);
        assert_eq!(dot.matches(" -> ").count(), edges + likes);
        assert_eq!(dot.matches("[style=dashed, label=\"LIKE\"]").count(), likes);
        for t in expected["tables"].as_array().unwrap() {
            let n = t["name"].as_str().unwrap();
            assert!(mermaid.contains(&format!("[\"{n}\"]")), "{n}");
            assert!(dot.contains(&format!("\"{n}\"")), "{n}");
        }
        crate::common::save_mermaid(name, &mermaid);
    }
}
