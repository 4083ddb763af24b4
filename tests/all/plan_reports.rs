//! The execution plan and its reports: snapshots on the example projects,
//! the size limit on a large release, and `demo`.
use greenlight::graph::Graph;
use greenlight::plan::{self, PlanInput};
use greenlight::project::{Project, analyze_texts};
use greenlight::report::Renderer;
use greenlight::report::plan::{COMMENT_LIMIT, COMMENT_MARKER, pr_comment};
use greenlight::version::{self, ImpactInput};

use crate::common::root;
use crate::fixture::TempRepo;

const DML: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";

/// The example at a tag, then a change to one intermediate.
fn example_release() -> TempRepo {
    let repo = TempRepo::from_dir(&root().join("testdata/example"));
    repo.tag("v1.0.0");
    repo.edit(DML, |s| {
        s.replace(
            "WHERE o.order_status <> 'DRAFT'",
            "WHERE o.order_status NOT IN ('DRAFT', 'CANCELLED')",
        )
    });
    repo.commit("exclude cancelled orders");
    repo
}

const CONFIG: &str = "\
connectors:
  - name: s3-sink-orders
    topics: [fct_orders, fct_inventory_snapshot]
  - name: elastic-customers
    topics: [v_customer_360]
capacity:
  max_cfu: 20
  default_cfu: 1
  cfu:
    int_orders_enriched: 4
    fct_orders: 2
cleanup_retention: 14d
";

#[test]
fn plan_snapshots_on_the_example() {
    let repo = example_release();
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    insta::assert_snapshot!("example_plan_markdown", md);
    insta::assert_snapshot!(
        "example_plan_text",
        repo.ok(&["plan", "--format", "text"], 0)
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["plan", "--format", "json"], 0)).unwrap();
    insta::assert_json_snapshot!("example_plan_json", json);
    // The contract: base, impacted {blue, green, statement, reason}, waves.
    assert_eq!(json["base"], "v1.0.0");
    assert_eq!(
        json["waves"][0],
        serde_json::json!(["int_orders_enriched_v2"])
    );
    for i in json["impacted"].as_array().unwrap() {
        for key in ["blue", "green", "statement", "reason"] {
            assert!(i.get(key).is_some(), "{key} missing in {i}");
        }
    }
    // The plan is the same after the rewrite is committed (idempotent).
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    assert_eq!(repo.ok(&["plan", "--format", "markdown"], 0), md);
}

#[test]
fn connectors_and_capacity_in_the_plan() {
    let repo = example_release();
    repo.write("greenlight.yaml", CONFIG);
    repo.commit("config");
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["plan", "--format", "json"], 0)).unwrap();
    assert_eq!(
        json["connectors"],
        serde_json::json!([
            {"connector": "s3-sink-orders", "action": "retarget", "topics": [["fct_orders", "fct_orders_v2"]]},
            {"connector": "elastic-customers", "action": "retarget", "topics": [["v_customer_360", "v_customer_360_v2"]]}
        ])
    );
    // 21 running statements (23 tables, 2 views): 15 untouched at 1 CFU, and
    // blue int_orders_enriched 4 + fct_orders 2 + 4 others at 1 = 25;
    // green: the same 6 statements = 10 (the impacted view runs none).
    let cap = &json["capacity"];
    assert_eq!(
        (cap["running_cfu"].as_f64(), cap["green_cfu"].as_f64()),
        (Some(25.0), Some(10.0))
    );
    assert_eq!(cap["over_capacity"], true);
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    assert!(
        md.contains(
            "over capacity: blue and green together need 35 CFU at peak, the pool allows 20"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "Point sink connector `s3-sink-orders` at the green topics: fct_orders -> fct_orders_v2"
        ),
        "{md}"
    );
    assert!(md.contains("After 14d of green in production"), "{md}");
}

#[test]
fn new_deleted_and_cosmetic_tables_in_the_plan() {
    let repo = TempRepo::from_dir(&root().join("testdata/flat"));
    repo.tag("v1");
    repo.write(
        "sql/extra.sql",
        "CREATE TABLE fct_extra (id INT);\nINSERT INTO fct_extra SELECT id FROM int_orders;\n",
    );
    repo.remove("sql/archive/jobs.sql");
    repo.remove("sql/archive/ddl.sql");
    repo.edit("sql/products.sql", |s| format!("-- reviewed\n{s}"));
    repo.commit("changes");
    insta::assert_snapshot!("flat_plan_text", repo.ok(&["plan", "--format", "text"], 0));
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    assert!(md.contains("| `(new)` | `fct_extra` |"), "{md}");
    assert!(
        md.contains("Deleted (dropped at cleanup): `orders_archive`."),
        "{md}"
    );
    assert!(
        md.contains("Cosmetic changes only (not re-versioned): `src_products`."),
        "{md}"
    );
}

/// A release of `n` tables in a fan-out: one root, every other table reads
/// the root and the previous table.
fn big_release(n: usize) -> (Project, Project) {
    let name = |i: usize| format!("int_table_with_a_rather_long_descriptive_name_{i:05}");
    let texts = |root_filter: &str| -> Vec<(String, Vec<u8>)> {
        (0..n)
            .map(|i| {
                let reads = if i == 0 {
                    format!("raw_source WHERE {root_filter}")
                } else {
                    format!("{} JOIN {} USING (id)", name(0), name(i - 1))
                };
                let sql = format!(
                    "CREATE TABLE {t} (id INT);\nINSERT INTO {t} SELECT id FROM {reads};\n",
                    t = name(i)
                );
                (
                    format!(
                        "pipelines/intermediates/p/{}/sql-scripts/dml.{}.sql",
                        name(i),
                        name(i)
                    ),
                    sql.into_bytes(),
                )
            })
            .collect()
    };
    let base = Project::build(analyze_texts(&texts("id > 0")).unwrap()).unwrap();
    let head = Project::build(analyze_texts(&texts("id > 1")).unwrap()).unwrap();
    (base, head)
}

#[test]
fn a_2000_table_release_fits_in_one_comment_with_correct_counts() {
    let (base, head) = big_release(2000);
    let graph = Graph::build(&head).unwrap();
    let changed = std::collections::BTreeSet::new();
    let empty = std::collections::BTreeSet::new();
    let impact = version::compute(&ImpactInput {
        base: &base,
        head: &head,
        head_graph: &graph,
        changed_paths: &changed,
        forced: &empty,
        schema: &empty,
    })
    .unwrap();
    assert_eq!(impact.impacted.len(), 2000);
    let plan = plan::build(&PlanInput {
        base: "v1",
        head: &head,
        head_graph: &graph,
        impact: &impact,
        connectors: &[],
        capacity: None,
        retention: "7d",
    });
    assert_eq!(
        plan.waves.len(),
        2000,
        "a chain of 2000 tables is 2000 waves"
    );
    let md = pr_comment(&Renderer::embedded(), &plan, &graph, &[]).unwrap();
    assert!(
        md.len() <= COMMENT_LIMIT && md.len() < 65_536,
        "{} bytes",
        md.len()
    );
    assert!(md.starts_with(COMMENT_MARKER));
    assert!(md.contains("**2000** table(s) to deploy (1 modified, 1999 descendant), **2000** re-versioned, in **2000** wave(s)"), "{}", &md[..400]);
    let shown = md.lines().filter(|l| l.starts_with("| `int_table")).count();
    let more: usize = md
        .split("…and **")
        .nth(1)
        .and_then(|s| s.split("**").next())
        .and_then(|s| s.parse().ok())
        .expect("a count of the rows not shown");
    assert_eq!(shown + more, 2000);
    assert_well_formed(&md);
}

/// Balanced code fences and details, table rows with four cells.
fn assert_well_formed(md: &str) {
    let fences = md
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    assert_eq!(fences % 2, 0, "unbalanced code fences");
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    for l in md.lines().filter(|l| l.starts_with("| ")) {
        let cells = l.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "row with a wrong number of cells: {l}");
    }
}

#[test]
fn example_comment_is_well_formed() {
    let repo = example_release();
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    assert_well_formed(&md);
    let mermaid = md
        .split("```mermaid\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    crate::common::save_mermaid("example-release", mermaid);
    assert!(mermaid.starts_with("flowchart LR\n"));
    for class in ["blue", "green", "untouched"] {
        assert!(
            mermaid.contains(&format!(":::{class}")),
            "{class} styling missing"
        );
    }
}

#[test]
fn demo_prints_the_comment_a_pull_request_gets() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .arg("demo")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with(COMMENT_MARKER));
    assert!(md.contains("| `int_orders_enriched` | `int_orders_enriched_v2` | `dml.int_orders_enriched` | modified (dml) · stateful |"), "{md}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| `")).count(), 7);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("greenlight rewrote 13 file(s)"), "{err}");
}
