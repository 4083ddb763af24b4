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
        md.contains("Cosmetic changes only (not re-versioned): `dim_products`, `src_products`."),
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

/// One table of a synthetic project: its name, the indexes of the tables it
/// reads, the external topic a source reads, and its SQL shape.
struct SynTable {
    name: String,
    parents: Vec<usize>,
    topic: Option<String>,
    layer: u8,
}

/// A layered project of `products` products of 24 tables each (like
/// `examples/gen_repo.rs`, smaller): sources read external topics, dimensions
/// deduplicate a source, three layers of intermediates join earlier tables of
/// the product (now and then a dimension of another product), facts
/// aggregate an intermediate with a dimension. Deterministic.
fn synthetic_project(products: usize) -> Vec<SynTable> {
    const PRODUCTS: &[&str] = &[
        "sales",
        "billing",
        "marketing",
        "logistics",
        "support",
        "inventory",
        "identity",
        "finance",
    ];
    const NOUNS: &[&str] = &[
        "orders",
        "payments",
        "customers",
        "shipments",
        "refunds",
        "sessions",
        "clicks",
        "invoices",
    ];
    let mut seed: u64 = 0x5EED;
    let mut rand = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    let mut all: Vec<SynTable> = Vec::new();
    let mut dims: Vec<usize> = Vec::new();
    for p in 0..products {
        let product = format!("{}_{}", PRODUCTS[p % PRODUCTS.len()], p / PRODUCTS.len());
        let noun = |k: usize| NOUNS[(k + p) % NOUNS.len()];
        let start = all.len();
        let mut layer_of: Vec<Vec<usize>> = vec![Vec::new(); 6];
        let push = |all: &mut Vec<SynTable>,
                    layers: &mut Vec<Vec<usize>>,
                    name: String,
                    layer: u8,
                    parents: Vec<usize>,
                    topic: Option<String>| {
            all.push(SynTable {
                name,
                parents,
                topic,
                layer,
            });
            layers[layer as usize].push(all.len() - 1);
        };
        for k in 0..3 {
            let topic = Some(format!("raw_{product}_{}", noun(k)));
            let name = format!("src_{product}_{}", noun(k));
            push(&mut all, &mut layer_of, name, 0, vec![], topic);
        }
        for k in 0..4 {
            let src = start + rand(3);
            let name = format!("dim_{product}_{}", noun(k));
            push(&mut all, &mut layer_of, name, 1, vec![src], None);
        }
        for layer in 2..5u8 {
            for k in 0..4 {
                let lower = &layer_of[layer as usize - 1];
                let mut parents = vec![lower[rand(lower.len())]];
                let earlier: Vec<usize> = layer_of[..layer as usize].concat();
                let other = earlier[rand(earlier.len())];
                if !parents.contains(&other) {
                    parents.push(other);
                }
                if !dims.is_empty() && rand(10) == 0 {
                    parents.push(dims[rand(dims.len())]);
                }
                let name = format!("int_{product}_{}_enriched_l{layer}", noun(k));
                push(&mut all, &mut layer_of, name, layer, parents, None);
            }
        }
        for k in 0..5 {
            let (ints, d) = (&layer_of[4], &layer_of[1]);
            let parents = vec![ints[rand(ints.len())], d[rand(d.len())]];
            let name = format!("fct_{product}_{}_hourly", noun(k));
            push(&mut all, &mut layer_of, name, 5, parents, None);
        }
        dims.extend(layer_of[1].iter().copied());
    }
    all
}

/// The SQL file of a synthetic table; `changed` alters its filter.
fn synthetic_sql(all: &[SynTable], t: &SynTable, changed: bool) -> String {
    let limit = if changed { 1 } else { 0 };
    let p = |k: usize| all[t.parents[k]].name.as_str();
    let select = match t.layer {
        0 => format!(
            "SELECT id, v FROM `{}` WHERE v > {limit}",
            t.topic.as_deref().unwrap()
        ),
        1 => format!(
            "SELECT id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY v DESC) AS rn FROM {}) WHERE rn = 1 AND v > {limit}",
            p(0)
        ),
        5 => format!(
            "SELECT a.id, SUM(a.v) FROM {} AS a JOIN {} AS d ON d.id = a.id WHERE a.v > {limit} GROUP BY a.id",
            p(0),
            p(1)
        ),
        _ if t.parents.len() == 1 => format!("SELECT id, v FROM {} WHERE v > {limit}", p(0)),
        _ => {
            let joins: Vec<String> = (1..t.parents.len())
                .map(|k| format!("LEFT JOIN {} AS p{k} ON p{k}.id = a.id", p(k)))
                .collect();
            format!(
                "SELECT a.id, a.v FROM {} AS a {} WHERE a.v > {limit}",
                p(0),
                joins.join(" ")
            )
        }
    };
    format!(
        "CREATE TABLE {n} (id INT, v INT);\nINSERT INTO {n} {select};\n",
        n = t.name
    )
}

/// A release of about `target` tables in a synthetic project: roots are
/// changed one at a time (a seeded order) until their descendants reach
/// the target. Returns the plan and the head's graph.
fn synthetic_release(target: usize) -> (plan::Plan, Graph) {
    let products = (target / 10).clamp(4, 60);
    let all = synthetic_project(products);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); all.len()];
    for (i, t) in all.iter().enumerate() {
        for &p in &t.parents {
            children[p].push(i);
        }
    }
    let mut impacted = vec![false; all.len()];
    let mut changed = vec![false; all.len()];
    let mut count = 0;
    // Roots in a seeded order: sources, dimensions and first intermediates
    // first (a change there re-versions what reads them), then any table to
    // reach the target.
    let mut order: Vec<usize> = (0..all.len()).map(|k| k * 7919 % all.len()).collect();
    order.sort_by_key(|&k| all[k].layer > 2);
    for k in order {
        if count >= target {
            break;
        }
        if impacted[k] {
            continue;
        }
        let mut grow = vec![k];
        let mut added = Vec::new();
        while let Some(x) = grow.pop() {
            if !impacted[x] && !added.contains(&x) {
                added.push(x);
                grow.extend(children[x].iter().copied());
            }
        }
        if count + added.len() > target + target / 10 {
            continue;
        }
        changed[k] = true;
        for x in added {
            impacted[x] = true;
            count += 1;
        }
    }
    let texts = |head: bool| -> Vec<(String, Vec<u8>)> {
        all.iter()
            .enumerate()
            .map(|(i, t)| {
                let kind = match t.layer {
                    0 => "sources",
                    1 => "dimensions",
                    5 => "facts",
                    _ => "intermediates",
                };
                (
                    format!("pipelines/{kind}/{n}/sql-scripts/dml.{n}.sql", n = t.name),
                    synthetic_sql(&all, t, head && changed[i]).into_bytes(),
                )
            })
            .collect()
    };
    let base = Project::build(analyze_texts(&texts(false)).unwrap()).unwrap();
    let head = Project::build(analyze_texts(&texts(true)).unwrap()).unwrap();
    let graph = Graph::build(&head).unwrap();
    let none = std::collections::BTreeSet::new();
    let impact = version::compute(&ImpactInput {
        base: &base,
        head: &head,
        head_graph: &graph,
        changed_paths: &none,
        forced: &none,
        schema: &none,
    })
    .unwrap();
    assert_eq!(impact.impacted.len(), count, "the generator's closure");
    let plan = plan::build(&PlanInput {
        base: "v1.0.0",
        head: &head,
        head_graph: &graph,
        impact: &impact,
        connectors: &[],
        capacity: None,
        retention: "7d",
    });
    (plan, graph)
}

/// Writes the comments the render harness (tools/render) draws in headless
/// Chromium: the example's and synthetic releases of about 15, 150 and 400
/// tables, under `target/render/`.
#[test]
fn render_inputs_for_the_harness() {
    let dir = root().join("target/render");
    std::fs::create_dir_all(&dir).unwrap();
    let repo = example_release();
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    std::fs::write(dir.join("example.md"), md).unwrap();
    for size in [15, 150, 400] {
        let (plan, graph) = synthetic_release(size);
        let md = pr_comment(&Renderer::embedded(), &plan, &graph, &[]).unwrap();
        std::fs::write(dir.join(format!("release-{size}.md")), md).unwrap();
    }
}
