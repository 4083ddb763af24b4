//! The execution plan and its reports: snapshots on the example projects,
//! the size limit on a large release, and `demo`.
use greenlight::graph::Graph;
use greenlight::plan::{self, PlanInput};
use greenlight::project::{Project, analyze_texts};
use greenlight::report::Renderer;
use greenlight::report::plan::{
    COMMENT_LIMIT, COMMENT_MARKER, CommentContext, FULL_GRAPH_TABLES, Failure, FileLinks,
    RewriteNote, SUMMARY_LIMIT, Section, comment, failure_comment, pr_comment, summary,
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
    // The warning comes first, before the summary line.
    assert!(md.find("> [!WARNING]").unwrap() < md.find("**7 tables to deploy**").unwrap());
    assert!(
        md.contains(
            "- **Promote**: point sink connector `s3-sink-orders` at green (`fct_orders` → `fct_orders_v2`); point sink connector `elastic-customers` at green (`v_customer_360` → `v_customer_360_v2`); "
        ),
        "{md}"
    );
    assert!(
        md.contains("- **Roll back**: point the sink connectors back at blue; "),
        "{md}"
    );
    assert!(
        md.contains("- **Clean up** after 14d of green in production: "),
        "{md}"
    );
    assert!(
        md.contains(
            "Capacity: 25 CFU running + 10 CFU green = 35 CFU at peak, pool maximum 20 CFU."
        ),
        "{md}"
    );
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
    assert!(md.contains("| new → `fct_extra` | 1 |"), "{md}");
    assert!(
        md.contains("- `fct_extra` new → 1 table deployed\n"),
        "{md}"
    );
    // Cosmetic and deleted tables sit with the summary, before the graph.
    let cosmetic = md
        .find("Cosmetic changes only, not deployed: `src_products`.")
        .expect("the cosmetic line");
    let deleted = md
        .find("Deleted, dropped at cleanup: `orders_archive`.")
        .expect("the deleted line");
    let graph = md.find("<details").unwrap();
    assert!(cosmetic < graph && deleted < graph, "{md}");
    assert!(
        md.contains("drop `orders_archive` (deleted from the project)"),
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
        head_to_base: &version::match_tables(&base, &head),
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
    assert!(
        md.contains(
            "**2000 tables to deploy** since `v1`: 1 changed, 1999 downstream of them. **1999 stateful**, replayed from the earliest offsets · 2000 waves · 0 tables keep running untouched."
        ),
        "{}",
        &md[..600]
    );
    let shown = md.lines().filter(|l| l.starts_with("| `int_table")).count();
    let more = not_shown(&md, "tables");
    assert_eq!(shown + more, 2000);
    // 2000 waves: the condensed graph groups them in ranges.
    let graphs = mermaid_blocks(&md);
    assert_eq!(graphs.len(), 1);
    let groups = node_names(&graphs[0]);
    assert!(
        groups.len() <= 24 && groups[0].starts_with("waves 1-"),
        "{groups:?}"
    );
    assert_well_formed(&md);
}

/// Balanced code fences and details; each table's rows have its header's
/// number of cells.
/// N in the comment's "…and N more WHAT" line.
fn not_shown(md: &str, what: &str) -> usize {
    md.split("…and ")
        .nth(1)
        .and_then(|s| s.split(&format!(" more {what}")).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no \"…and N more {what}\" line"))
}

pub(crate) fn assert_well_formed(md: &str) {
    let fences = md
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    assert_eq!(fences % 2, 0, "unbalanced code fences");
    assert_eq!(
        md.matches("<details").count(),
        md.matches("</details>").count()
    );
    let mut header: Option<usize> = None;
    for l in md.lines() {
        if !l.starts_with("| ") {
            header = None;
            continue;
        }
        let cells = l.replace("\\|", "").matches('|').count();
        let want = *header.get_or_insert(cells);
        assert_eq!(cells, want, "row with a wrong number of cells: {l}");
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
    // One node per table, in a column per wave; the changed one highlighted,
    // the stateful ones marked, untouched parents folded into the label.
    assert_eq!(node_names(mermaid).len(), 7);
    assert_eq!(mermaid.matches("subgraph w").count(), 5);
    assert!(mermaid.contains(
        "t0[\"int_orders_enriched_v2\nwas int_orders_enriched\n+ reads 3 untouched\"]:::changed"
    ));
    assert_eq!(mermaid.matches(":::descendant").count(), 6);
    assert!(
        mermaid.contains("  class t0,t1,t2,t3,t4,t5 stateful\n"),
        "{mermaid}"
    );
    assert!(!mermaid.contains("<br"), "no HTML line breaks");
    // The legend says what the colours and borders mean.
    assert!(md.contains("🟨 changed · 🟩 downstream · 🟦 new · **thick border**: stateful"));
}

#[test]
fn demo_prints_the_comment_a_pull_request_gets() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(["demo", "--format", "markdown"])
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
    assert!(
        md.contains(
            "| `int_orders_enriched` → `int_orders_enriched_v2` | 1 | join, temporal join, aggregation | changed (dml) |"
        ),
        "{md}"
    );
    assert_eq!(md.lines().filter(|l| l.starts_with("| `")).count(), 7);
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
        head_to_base: &version::match_tables(&base, &head),
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

/// Names a pull request can give its tables and files: markup, mentions,
/// backtick runs, pipes, quotes.
const HOSTILE: &str = "x<img src=x onerror=alert(1)>|@octocat ```` **b** [l](https://evil.example)";

/// A release whose table names are hostile: a changed source read by a
/// table named `HOSTILE`, and one with a backtick in its name.
fn hostile_release() -> (plan::Plan, Graph) {
    let texts = |filter: &str| -> Vec<(String, Vec<u8>)> {
        let q = |name: &str| format!("`{}`", name.replace('`', "``"));
        vec![
            (
                "sql/src.sql".to_string(),
                format!("CREATE TABLE src (id INT);\nINSERT INTO src SELECT id FROM raw WHERE {filter};\n")
                    .into_bytes(),
            ),
            (
                "sql/hostile.sql".to_string(),
                format!(
                    "CREATE TABLE {t} (id INT);\nINSERT INTO {t} SELECT id FROM src;\n",
                    t = q(HOSTILE)
                )
                .into_bytes(),
            ),
            (
                "sql/tick.sql".to_string(),
                format!(
                    "CREATE TABLE {t} (id INT);\nINSERT INTO {t} SELECT a.id FROM {h} AS a JOIN src AS b ON a.id = b.id;\n",
                    t = q("a`b\"c#d"),
                    h = q(HOSTILE)
                )
                .into_bytes(),
            ),
        ]
    };
    plan_of(&texts("id > 0"), &texts("id > 1"))
}

/// Markdown without its code spans and fenced blocks (where text is shown
/// verbatim: no HTML, no mentions).
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut in_fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|&c| c == '`').collect();
        match &in_fence {
            Some(f) if line.trim_end() == f => in_fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => in_fence = Some(ticks),
            None => {
                let mut rest = line;
                while let Some(k) = rest.find('`') {
                    out.push_str(&rest[..k]);
                    let run = rest[k..].chars().take_while(|&c| c == '`').count();
                    let after = &rest[k + run..];
                    let close = "`".repeat(run);
                    // The span ends at the next run of exactly `run` backticks.
                    let mut end = None;
                    let mut i = 0;
                    while let Some(j) = after[i..].find(&close) {
                        let at = i + j;
                        let longer = after[at + run..].starts_with('`')
                            || (at > 0 && after[..at].ends_with('`'));
                        if !longer {
                            end = Some(at);
                            break;
                        }
                        i = at + after[at..].chars().take_while(|&c| c == '`').count();
                    }
                    match end {
                        Some(e) => rest = &after[e + run..],
                        None => {
                            out.push_str(&rest[k..k + run]);
                            rest = after;
                        }
                    }
                }
                out.push_str(rest);
                out.push('\n');
            }
        }
    }
    out
}

/// Markdown that shows `text` verbatim must not hold it as markup: no raw
/// `<img`, and the name only inside code spans or escaped.
#[test]
fn hostile_names_are_text_in_the_comment_and_the_graph() {
    let (plan, graph) = hostile_release();
    assert_eq!(plan.impacted.len(), 3, "{:?}", plan.impacted);
    let green = plan
        .impacted
        .iter()
        .find(|i| i.green.starts_with("x<img"))
        .unwrap()
        .green
        .clone();
    let md = comment(&Renderer::embedded(), &plan, &graph, &links()).unwrap();
    let text = outside_code(&md);
    assert!(!text.contains("<img"), "{text}");
    assert!(!text.contains("@octocat"), "no mention ping: {text}");
    // In the impact table, the name is a code span longer than its
    // backtick run, with its pipe escaped for the table.
    let span = format!("`````{}`````", green.replace('|', "\\|"));
    assert!(md.contains(&span), "{md}");
    assert_well_formed(&md);
    let graphs = mermaid_blocks(&md);
    let names = node_names(&graphs[0]);
    assert_eq!(names.len(), 3);
    assert!(
        !graphs[0].contains('<') && !graphs[0].contains('`'),
        "{}",
        graphs[0]
    );
    crate::common::save_mermaid("hostile-release", &graphs[0]);
    let dir = root().join("target/render");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hostile.md"), &md).unwrap();
    let greens: Vec<&str> = plan.impacted.iter().map(|i| i.green.as_str()).collect();
    std::fs::write(
        dir.join("hostile.expect.json"),
        expect_json(Some(1500), vec![full_diagram(greens.clone())], &greens),
    )
    .unwrap();
}

/// 1,500 broken files whose names hold fences, pipes, markup and mentions,
/// and an error text with the runner's absolute workspace path.
#[test]
fn the_failure_comment_fits_and_shows_names_as_text() {
    let ws = "/home/runner/work/acme/acme";
    let files: Vec<(String, Vec<u8>)> = (0..1500)
        .map(|k| {
            (
                format!("pipelines/{HOSTILE} {k:04}.sql"),
                b"CREATE TABLE t (id INT;\n".to_vec(),
            )
        })
        .collect();
    let err = analyze_texts(&files).unwrap_err();
    let greenlight::error::Error::Files(list) = &err else {
        panic!("{err}")
    };
    assert_eq!(list.len(), 1500);
    let text = format!("cannot analyse {ws}/pipelines: {err:#}");
    let body = failure_comment(
        &Renderer::embedded(),
        &Failure {
            error: &text,
            files: list,
            project_prefix: "flink",
            strip: &[ws],
        },
    )
    .unwrap();
    assert!(body.len() <= COMMENT_LIMIT, "{} bytes", body.len());
    assert!(body.starts_with(COMMENT_MARKER));
    assert!(!body.contains(ws), "absolute paths made relative");
    assert!(
        body.contains("cannot analyse pipelines: "),
        "{}",
        &body[..2000]
    );
    let text = outside_code(&body);
    assert!(
        !text.contains("<img") && !text.contains("@octocat"),
        "{text}"
    );
    assert!(
        body.contains("1500 problems in 1500 files"),
        "{}",
        &body[..500]
    );
    let shown = body.lines().filter(|l| l.starts_with("| `")).count();
    let more = not_shown(&body, "problems");
    assert_eq!(shown + more, 1500);
    // Repository-relative paths in the table, as code spans that outlast the
    // name's backtick run.
    assert!(
        body.contains(&format!(
            "| `````flink/pipelines/{} 0000.sql````` | 1:16 |",
            HOSTILE.replace('|', "\\|")
        )),
        "{}",
        &body[..1500]
    );
    // The error's fence is longer than any backtick run inside it.
    let fence = body
        .lines()
        .find(|l| l.starts_with("```") && l.ends_with("text"))
        .expect("the error's fence");
    assert_eq!(fence, "`````text");
    assert_well_formed(&body);
    let dir = root().join("target/render");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("failure-1500.md"), &body).unwrap();
    std::fs::write(
        dir.join("failure-1500.expect.json"),
        expect_json(
            None,
            vec![],
            &[&format!("flink/pipelines/{HOSTILE} 0000.sql")],
        ),
    )
    .unwrap();
}

#[test]
fn a_failure_without_files_shows_the_error_in_a_safe_fence() {
    let error = "config: `templates.pr_comment`\n````\n# not a heading\n/work/x/greenlight.yaml";
    let body = failure_comment(
        &Renderer::embedded(),
        &Failure {
            error,
            files: &[],
            project_prefix: "",
            strip: &["/work/x"],
        },
    )
    .unwrap();
    assert!(
        body.ends_with(
            "`````text\nconfig: `templates.pr_comment`\n````\n# not a heading\ngreenlight.yaml\n`````\n"
        ),
        "{body}"
    );
}

/// The rewrite commit of an earlier run stays in the comment; file links
/// point at the head commit, under the project's folder.
#[test]
fn rewrite_note_and_file_links() {
    let repo = example_release();
    let (plan, graph) = {
        let texts = |dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
            walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
                .map(|e| {
                    let rel = e
                        .path()
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .to_string();
                    (rel, std::fs::read(e.path()).unwrap())
                })
                .filter(|(p, _)| p.starts_with("pipelines/") && p.contains("/sql-scripts/"))
                .collect()
        };
        let base = TempRepo::from_dir(&root().join("testdata/example"));
        plan_of(&texts(base.path()), &texts(repo.path()))
    };
    assert_eq!(plan.impacted.len(), 7);
    let mut ctx = links();
    if let Some(f) = ctx.files.as_mut() {
        f.project_prefix = "flink/".into();
    }
    ctx.rewrite = Some(RewriteNote {
        commit: "89abcdef0123456789abcdef0123456789abcdef".into(),
        url: Some(
            "https://github.com/acme/flink/commit/89abcdef0123456789abcdef0123456789abcdef".into(),
        ),
        branch: "feature/a`b".into(),
        tables: 7,
        earlier: true,
    });
    ctx.notes = vec!["The token cannot push: apply the diff below. @octocat".into()];
    let md = comment(&Renderer::embedded(), &plan, &graph, &ctx).unwrap();
    assert!(
        md.contains("> An earlier run of greenlight committed the renames of 7 tables to ``feature/a`b`` in [`89abcdef0123`](https://github.com/acme/flink/commit/89abcdef0123456789abcdef0123456789abcdef)."),
        "{md}"
    );
    assert!(
        md.contains("> The token cannot push: apply the diff below. @\u{2060}octocat\n"),
        "{md}"
    );
    assert!(
        md.contains("| `int_orders_enriched` → [`int_orders_enriched_v2`](https://github.com/acme/flink/blob/0123456789abcdef0123456789abcdef01234567/flink/pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql) | 1 |"),
        "{md}"
    );
    // The note is there on this run's comment too, and in the job summary.
    ctx.rewrite.as_mut().unwrap().earlier = false;
    let md = comment(&Renderer::embedded(), &plan, &graph, &ctx).unwrap();
    assert!(
        md.contains("> greenlight committed the renames of 7 tables"),
        "{md}"
    );
    let s = summary(&Renderer::embedded(), &plan, &graph, &ctx).unwrap();
    assert!(s.contains("> greenlight committed the renames of 7 tables"));
    assert!(
        !s.starts_with(COMMENT_MARKER),
        "the job summary has no marker"
    );
    // No "table(s)" anywhere.
    let text = greenlight::report::plan::text(&Renderer::embedded(), &plan, &graph).unwrap();
    for out in [&md, &s, &text] {
        assert!(!out.contains("(s)"), "{out}");
    }
}

/// A section's code block (the diff to apply) is fenced longer than any
/// backtick run of the diff, and its title is escaped.
#[test]
fn sections_are_fenced_safely() {
    let (plan, graph) = hostile_release();
    let ctx = CommentContext {
        sections: vec![Section {
            title: "Renames <b>to</b> apply".into(),
            body: "-a\n+b ````` x\n".into(),
            code: "diff".into(),
        }],
        ..CommentContext::default()
    };
    let md = comment(&Renderer::embedded(), &plan, &graph, &ctx).unwrap();
    assert!(
        md.contains("<summary><b>Renames &lt;b&gt;to&lt;/b&gt; apply</b></summary>\n\n``````diff\n-a\n+b ````` x\n``````\n"),
        "{md}"
    );
}

/// "Caused by" names the changed tables a row comes from: both roots of a
/// diamond, and for a changed table downstream of another, itself first.
#[test]
fn caused_by_names_the_changed_roots() {
    let texts = |k: i32| -> Vec<(String, Vec<u8>)> {
        let t = |name: &str, from: &str| {
            (
                format!("sql/{name}.sql"),
                format!(
                    "CREATE TABLE {name} (id INT);\nINSERT INTO {name} SELECT a.id FROM {from};\n"
                )
                .into_bytes(),
            )
        };
        vec![
            t("src_a", &format!("raw_a AS a WHERE a.id > {k}")),
            t("src_b", &format!("raw_b AS a WHERE a.id > {k}")),
            t("int_c", "src_a AS a JOIN src_b AS b ON a.id = b.id"),
            t("fct_d", &format!("int_c AS a WHERE a.id > {k}")),
            t("fct_e", "fct_d AS a"),
        ]
    };
    let (plan, graph) = plan_of(&texts(0), &texts(1));
    let text = greenlight::report::plan::text(&Renderer::embedded(), &plan, &graph).unwrap();
    for line in [
        "  int_c -> int_c_v2  wave 2, stateful (join); src_a, src_b\n",
        "  fct_d -> fct_d_v2  wave 3; changed (dml), also src_a, src_b\n",
        "  fct_e -> fct_e_v2  wave 4; src_a, src_b, fct_d\n",
        "  fct_d changed (dml) -> 2 tables re-versioned\n",
        "  src_a changed (dml) -> 4 tables re-versioned, 1 stateful\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    let md = comment(
        &Renderer::embedded(),
        &plan,
        &graph,
        &CommentContext::default(),
    )
    .unwrap();
    assert!(
        md.contains("| `fct_d` → `fct_d_v2` | 3 |  | changed (dml); also `src_a`, `src_b` |"),
        "{md}"
    );
}
