//! The example projects: the graph equals the hand-derived one.
use std::process::Command;

use greenlight::graph::Graph;
use greenlight::project::{Project, analyze_texts};

use crate::common::{impacted, read, root, triple};
use crate::fixture::TempRepo;

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

/// `graph --format json` of a bundled project equals its
/// `expected-graph.json`.
fn graph_is_exact(project: &str) {
    let expected: serde_json::Value =
        serde_json::from_str(&read(&root().join(project).join("expected-graph.json"))).unwrap();
    assert_eq!(graph_json(project), expected);
}

#[test]
fn shift_left_example_graph_is_exact() {
    graph_is_exact("testdata/example");
}

#[test]
fn flat_layout_graph_is_exact() {
    graph_is_exact("testdata/flat");
}

#[test]
fn mermaid_and_dot_outputs_name_every_table_and_edge() {
    for (dir, name) in [
        ("testdata/example", "example-graph"),
        ("testdata/flat", "flat-graph"),
        ("testdata/catalogs", "catalogs-graph"),
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

#[test]
fn catalogs_example_graph_is_exact() {
    graph_is_exact("testdata/catalogs");
}

/// Four tables named `orders` in three catalogs: a schema change to the
/// Kafka one re-versions it, its readers and the table created LIKE it,
/// and the rewrite renames only the references that resolve to them, each
/// as written (qualifiers and backquotes kept).
#[test]
fn a_change_to_one_of_several_orders_tables_renames_only_its_references() {
    let repo = TempRepo::from_dir(&root().join("testdata/catalogs"));
    repo.tag("v1");
    repo.edit("sql/kafka.sql", |s| {
        s.replace(
            "  amount DECIMAL(10, 2),\n  ts",
            "  amount DECIMAL(10, 2),\n  currency STRING,\n  ts",
        )
    });
    repo.commit("currency");
    let changes = repo.changes(&[]);
    assert_eq!(
        impacted(&changes),
        vec![
            triple("daily_revenue", "daily_revenue_v2", "descendant"),
            triple("kafka.sales.orders", "kafka.sales.orders_v2", "modified"),
            triple("lake.sales.orders", "lake.sales.orders_v2", "descendant"),
            triple("orders_audit", "orders_audit_v2", "descendant"),
        ]
    );
    repo.ok(&["rewrite"], 0);
    let kafka = repo.read("sql/kafka.sql");
    assert!(kafka.contains("CREATE TABLE orders_v2 ("), "{kafka}");
    assert!(
        kafka.contains("INSERT INTO orders_v2 SELECT order_id, amount, ts FROM raw_orders;"),
        "{kafka}"
    );
    let lake = repo.read("sql/lake.sql");
    assert!(lake.contains("CREATE TABLE orders_v2 ("), "{lake}");
    assert!(
        lake.contains("INSERT INTO orders_v2 SELECT * FROM kafka.sales.orders_v2;"),
        "{lake}"
    );
    assert!(lake.contains("CREATE TABLE orders_audit_v2 WITH"), "{lake}");
    assert!(
        lake.contains("LIKE kafka.sales.orders_v2 (EXCLUDING OPTIONS);"),
        "{lake}"
    );
    assert!(
        lake.contains("INSERT INTO orders_audit_v2 SELECT * FROM orders_v2 WHERE"),
        "{lake}"
    );
    let report = repo.read("sql/report.sql");
    assert!(report.contains("CREATE TABLE orders (order_id"), "{report}");
    assert!(report.contains("FROM other_cluster.orders;"), "{report}");
    assert!(
        report.contains("FROM lake.sales.orders_v2 AS l"),
        "{report}"
    );
    assert!(
        report.contains("JOIN `kafka`.`sales`.orders_v2 AS k"),
        "{report}"
    );
    assert!(report.contains("INSERT INTO daily_revenue_v2"), "{report}");
    repo.commit("rewrite");
    // The rewritten branch is consistent: nothing more to rename.
    repo.ok(&["rewrite", "--check"], 0);
}

/// `LIKE` is a schema edge: a change to the source's query does not touch
/// the LIKE table (its `LIKE` reference follows the rename, so the project
/// still deploys once the blue source is dropped); a change to the source's
/// schema re-versions it.
#[test]
fn like_tables_follow_schema_changes_only() {
    let repo = TempRepo::from_dir(&root().join("testdata/flat"));
    repo.tag("v1");
    repo.edit("sql/orders.sql", |s| {
        s.replace("  AND amount > 0;", "  AND amount > 1;")
    });
    repo.commit("dml only");
    let changes = repo.changes(&[]);
    let names: Vec<String> = impacted(&changes).into_iter().map(|t| t.0).collect();
    assert!(names.contains(&"int_orders".to_string()), "{names:?}");
    assert!(!names.contains(&"orders_archive".to_string()), "{names:?}");
    repo.ok(&["rewrite"], 0);
    let archive = repo.read("sql/archive/ddl.sql");
    assert!(
        archive.contains("CREATE TABLE IF NOT EXISTS orders_archive\n"),
        "{archive}"
    );
    assert!(
        archive.contains("LIKE int_orders_v2 (EXCLUDING OPTIONS);"),
        "{archive}"
    );
    repo.commit("rewrite");
    repo.ok(&["rewrite", "--check"], 0);

    let repo = TempRepo::from_dir(&root().join("testdata/flat"));
    repo.tag("v1");
    repo.edit("sql/orders.sql", |s| {
        s.replacen("  quantity      INT,\n  amount        DECIMAL(12, 2),\n  order_status  STRING,\n  order_ts      TIMESTAMP_LTZ(3) NOT NULL,\n  PRIMARY KEY (order_id) NOT ENFORCED\n)",
                   "  quantity      BIGINT,\n  amount        DECIMAL(12, 2),\n  order_status  STRING,\n  order_ts      TIMESTAMP_LTZ(3) NOT NULL,\n  PRIMARY KEY (order_id) NOT ENFORCED\n)", 1)
    });
    repo.commit("schema");
    let changes = repo.changes(&[]);
    assert!(
        impacted(&changes).contains(&triple("int_orders", "int_orders_v2", "modified")),
        "{changes}"
    );
    assert!(
        impacted(&changes).contains(&triple("orders_archive", "orders_archive_v2", "descendant")),
        "{changes}"
    );
}

/// The faker pattern is no cycle; creation puts the source first.
#[test]
fn faker_like_pattern_is_no_cycle_and_orders_creation() {
    let files = [(
        "faker.sql".to_string(),
        read(&root().join("tests/golden/like_faker.sql")).into_bytes(),
    )];
    let project = Project::build(analyze_texts(&files).unwrap()).unwrap();
    let graph = Graph::build(&project).unwrap();
    assert_eq!(graph.parents("rates"), ["rates_faker"]);
    assert_eq!(graph.like_sources("rates_faker"), ["rates"]);
    assert!(
        graph.closure(["rates"]).len() == 1,
        "LIKE makes no data descendant"
    );
    let all: std::collections::BTreeSet<String> =
        ["rates".to_string(), "rates_faker".to_string()].into();
    assert_eq!(graph.creation_waves(&all), [["rates"], ["rates_faker"]]);
    // The data order wins where the two disagree.
    assert_eq!(graph.waves(&all), [["rates_faker"], ["rates"]]);
    // A LIKE cycle is an error naming it.
    let cycle = [(
        "c.sql".to_string(),
        b"CREATE TABLE a WITH ('x' = 'y') LIKE b;\nCREATE TABLE b WITH ('x' = 'y') LIKE a;\n"
            .to_vec(),
    )];
    let project = Project::build(analyze_texts(&cycle).unwrap()).unwrap();
    let e = Graph::build(&project).unwrap_err().to_string();
    assert!(
        e.contains("dependency cycle: b -> a (LIKE b at c.sql:1:38) -> b (LIKE a at c.sql:2:38)"),
        "{e}"
    );
}

/// Only tables whose own statements changed (in their text: comments,
/// blanks, keyword case) are cosmetic; a table merely sharing the file is
/// not.
#[test]
fn cosmetic_means_the_tables_own_statements_changed() {
    let base = "CREATE TABLE a (id INT);\nINSERT INTO a SELECT id FROM raw;\n\n-- b\nCREATE TABLE b (id INT);\nINSERT INTO b SELECT id FROM a;\n";
    let cases = [
        // A comment above b's DDL: b only.
        (
            base.replace("-- b\n", "-- b, the second table\n"),
            vec!["b"],
        ),
        // Keyword case in a's DML: a only.
        (
            base.replace("INSERT INTO a SELECT", "insert into a select"),
            vec!["a"],
        ),
        // Blank lines at the end of the file: the last statement's.
        (format!("{base}\n\n"), vec!["b"]),
        // Nothing of theirs.
        (base.to_string(), vec![]),
    ];
    for (head_text, cosmetic) in cases {
        let project = |t: &str| {
            Project::build(analyze_texts(&[("s.sql".to_string(), t.as_bytes().to_vec())]).unwrap())
                .unwrap()
        };
        let (b, h) = (project(base), project(&head_text));
        let graph = Graph::build(&h).unwrap();
        let changed: std::collections::BTreeSet<String> = ["s.sql".to_string()].into();
        let none = std::collections::BTreeSet::new();
        let impact = greenlight::version::compute(&greenlight::version::ImpactInput {
            base: &b,
            head: &h,
            head_to_base: &greenlight::version::match_tables(&b, &h),
            head_graph: &graph,
            changed_paths: &changed,
            forced: &none,
            schema: &none,
        })
        .unwrap();
        assert!(impact.impacted.is_empty(), "{head_text}");
        assert_eq!(impact.cosmetic, cosmetic, "{head_text}");
    }
}

/// A table passed to a vendor table function without TABLE is a parent,
/// renamed with it, and every report carries the warning.
#[test]
fn vendor_table_function_argument_is_read_renamed_and_warned() {
    let files = [(
        "v.sql".to_string(),
        read(&root().join("tests/golden/vendor_table_function.sql")).into_bytes(),
    )];
    let project = Project::build(analyze_texts(&files).unwrap()).unwrap();
    assert_eq!(
        project
            .table("b")
            .unwrap()
            .parents
            .iter()
            .collect::<Vec<_>>(),
        ["a"]
    );
    let w: Vec<String> = project.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("v.sql:7:45: `a` is passed to a table function without TABLE"),
        "{w:?}"
    );
    let renames = [("a".to_string(), "a_v2".to_string())].into();
    let edits = greenlight::rewrite::plan_edits(&project, &renames).unwrap();
    let text = read(&root().join("tests/golden/vendor_table_function.sql"));
    let after = greenlight::rewrite::apply("v.sql", &text, &edits["v.sql"]).unwrap();
    assert!(after.contains("FROM TABLE(to_change(a_v2));"), "{after}");
    assert!(after.contains("LATERAL TABLE(split_tags(v))"), "{after}");
    // `greenlight graph` shows the warning.
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("v.sql"), &text).unwrap();
    let out = crate::fixture::greenlight_in(dir.path(), &["graph"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: v.sql:7:45: `a` is passed to a table function"),
        "{err}"
    );
}

/// A declared statement's lineage is reported as declared, and renames
/// reach the annotation and the statement's words.
#[test]
fn declared_lineage_is_reported_and_renamed() {
    let dir = tempfile::TempDir::new().unwrap();
    let text = read(&root().join("tests/golden/annotation.sql"));
    std::fs::write(dir.path().join("a.sql"), &text).unwrap();
    let out = crate::fixture::greenlight_in(dir.path(), &["graph", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fct_x = g["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "fct_x")
        .unwrap();
    assert_eq!(fct_x["parents"], serde_json::json!(["raw_b", "src_a"]));
    assert_eq!(fct_x["declared"], "a.sql:4:4");
    assert!(
        g["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "src_a")
            .unwrap()
            .get("declared")
            .is_none()
    );
    let project = greenlight::project::load(dir.path(), &[]).unwrap();
    let renames = [("src_a".to_string(), "src_a_v2".to_string())].into();
    let edits = greenlight::rewrite::plan_edits(&project, &renames).unwrap();
    let after = greenlight::rewrite::apply("a.sql", &text, &edits["a.sql"]).unwrap();
    assert!(
        after.contains("-- greenlight: writes fct_x reads src_a_v2, `ops`.raw_b"),
        "{after}"
    );
    assert!(
        after.contains("VENDOR_MERGE(src_a_v2, ops.raw_b) WITH STRANGE SYNTAX src_a_v2.id;"),
        "{after}"
    );
}

/// Unknown defaults and a name that may be two tables: an error with its
/// position and how to say where the statements run; with the defaults in
/// greenlight.yaml, two tables.
#[test]
fn a_name_that_may_be_two_tables_needs_the_defaults() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(
        dir.path().join("a.sql"),
        "INSERT INTO lake.db.orders SELECT * FROM orders;\n",
    )
    .unwrap();
    let out = crate::fixture::greenlight_in(dir.path(), &["graph"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "a.sql:1:42: `orders` may be the table `lake.db.orders` (a.sql:1:1) or another one"
        ),
        "{err}"
    );
    assert!(
        err.contains("hint: set `default_catalog` and `default_database` in greenlight.yaml"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("greenlight.yaml"),
        "default_catalog: default_catalog\ndefault_database: default_database\n",
    )
    .unwrap();
    let out = crate::fixture::greenlight_in(dir.path(), &["graph", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(g["tables"][0]["name"], "db.orders");
    assert_eq!(
        g["tables"][0]["parents"],
        serde_json::json!(["default_database.orders"])
    );
    assert_eq!(
        g["external"],
        serde_json::json!(["default_database.orders"])
    );
}
