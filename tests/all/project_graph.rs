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
