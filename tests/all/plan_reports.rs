//! The execution plan and its reports: snapshots on the example projects,
//! the size limit on a large release, and `demo`.
use greenlight::graph::Graph;
use greenlight::plan::{self, PlanInput};
use greenlight::project::{Project, analyze_texts};
use greenlight::report::Renderer;
use greenlight::report::plan::{
    COMMENT_LIMIT, COMMENT_MARKER, CommentContext, FULL_GRAPH_TABLES, FileLinks, SUMMARY_LIMIT,
    comment, pr_comment, summary,
};
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
    product: String,
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
                product: name
                    .split('_')
                    .skip(1)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join("_"),
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
                    format!(
                        "pipelines/{kind}/{p}/{n}/sql-scripts/dml.{n}.sql",
                        p = t.product,
                        n = t.name
                    ),
                    synthetic_sql(&all, t, head && changed[i]).into_bytes(),
                )
            })
            .collect()
    };
    let (plan, graph) = plan_of(&texts(false), &texts(true));
    assert_eq!(plan.impacted.len(), count, "the generator's closure");
    (plan, graph)
}

/// The plan of a release from the base's files to the head's.
fn plan_of(base: &[(String, Vec<u8>)], head: &[(String, Vec<u8>)]) -> (plan::Plan, Graph) {
    let base = Project::build(analyze_texts(base).unwrap()).unwrap();
    let head = Project::build(analyze_texts(head).unwrap()).unwrap();
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

/// What the render harness checks on a file (see tools/render/render.mjs).
fn expect_json(
    max_collapsed_px: Option<u32>,
    diagrams: Vec<serde_json::Value>,
    texts: &[&str],
) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "max_collapsed_px": max_collapsed_px,
        "diagrams": diagrams,
        "texts": texts,
    }))
    .unwrap()
}

/// A full graph: one node per table, each green name once.
fn full_diagram<'a>(greens: impl IntoIterator<Item = &'a str>) -> serde_json::Value {
    let tables: Vec<&str> = greens.into_iter().collect();
    serde_json::json!({"nodes": tables.len(), "tables": tables})
}

fn products(plan: &plan::Plan) -> std::collections::BTreeMap<String, Vec<&str>> {
    let mut out: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for i in &plan.impacted {
        out.entry(i.product.clone().unwrap_or_default())
            .or_default()
            .push(i.green.as_str());
    }
    out
}

/// The mermaid blocks of a markdown text.
fn mermaid_blocks(md: &str) -> Vec<String> {
    md.split("```mermaid\n")
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap().to_string())
        .collect()
}

/// The node labels' first lines of a mermaid graph (`id["first..."]`).
fn node_names(mermaid: &str) -> Vec<String> {
    mermaid
        .lines()
        .filter_map(|l| l.split_once("[\""))
        .filter(|(id, _)| !id.trim_start().starts_with("subgraph"))
        .map(|(_, rest)| rest.split(['\n', '"']).next().unwrap().to_string())
        .collect()
}

fn links() -> CommentContext {
    CommentContext {
        files: Some(FileLinks {
            blob_url: "https://github.com/acme/flink/blob/0123456789abcdef0123456789abcdef01234567"
                .into(),
            project_prefix: "".into(),
        }),
        details_url: Some("https://github.com/acme/flink/actions/runs/42".into()),
        ..CommentContext::default()
    }
}

/// Writes the comments and job summaries the render harness (tools/render)
/// draws in headless Chromium, with what it must check: the example's, and
/// synthetic releases of about 15, 150 and 400 tables, under
/// `target/render/`. The comment's graph draws each table once up to
/// FULL_GRAPH_TABLES tables, else one node per product; the job summary
/// draws every table once.
#[test]
fn render_inputs_for_the_harness() {
    let dir = root().join("target/render");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, md: &str, expect: String| {
        std::fs::write(dir.join(format!("{name}.md")), md).unwrap();
        std::fs::write(dir.join(format!("{name}.expect.json")), expect).unwrap();
    };
    let repo = example_release();
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["plan", "--format", "json"], 0)).unwrap();
    let greens: Vec<&str> = json["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["green"].as_str().unwrap())
        .collect();
    write(
        "example",
        &md,
        expect_json(Some(1500), vec![full_diagram(greens)], &[]),
    );
    let r = Renderer::embedded();
    for (size, max_px) in [(15, 1700), (150, 1500), (400, 1500)] {
        let (plan, graph) = synthetic_release(size);
        let n = plan.impacted.len();
        let all = || plan.impacted.iter().map(|i| i.green.as_str());
        let by_product = products(&plan);
        let condensed = serde_json::json!({"nodes": by_product.len()});
        let ctx = links();
        let md = comment(&r, &plan, &graph, &ctx).unwrap();
        assert!(md.len() <= COMMENT_LIMIT, "{} bytes", md.len());
        let blocks = mermaid_blocks(&md);
        assert_eq!(blocks.len(), 1, "one graph in the comment");
        let expected = if n <= FULL_GRAPH_TABLES {
            let mut names = node_names(&blocks[0]);
            names.sort();
            let mut want: Vec<&str> = all().collect();
            want.sort();
            assert_eq!(names, want, "each table once");
            full_diagram(all())
        } else {
            assert_eq!(node_names(&blocks[0]).len(), by_product.len());
            condensed.clone()
        };
        write(
            &format!("release-{size}"),
            &md,
            expect_json(Some(max_px), vec![expected], &[]),
        );
        let summary_md = summary(&r, &plan, &graph, &ctx).unwrap();
        assert!(summary_md.len() <= SUMMARY_LIMIT);
        let graphs = mermaid_blocks(&summary_md);
        let mut drawn: Vec<String> = graphs.iter().flat_map(|g| node_names(g)).collect();
        let expected = if n <= FULL_GRAPH_TABLES {
            vec![full_diagram(all())]
        } else {
            drawn.retain(|d| plan.impacted.iter().any(|i| &i.green == d));
            let mut list = vec![condensed];
            list.extend(by_product.values().map(|g| full_diagram(g.iter().copied())));
            list
        };
        drawn.sort();
        let mut want: Vec<String> = all().map(String::from).collect();
        want.sort();
        assert_eq!(drawn, want, "the job summary draws every table once");
        write(
            &format!("release-{size}.summary"),
            &summary_md,
            expect_json(None, expected, &[]),
        );
    }
}
