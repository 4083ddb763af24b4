//! Changes since the last tag, `_vN` versioning and rewrites, on real git
//! repositories.
use serde_json::Value;

use crate::common::{impacted, root, triple};
use crate::fixture::TempRepo;

const SRC_A: &str =
    "CREATE TABLE src_a (id INT, v INT);\nINSERT INTO src_a SELECT id, v FROM raw_a;\n";
const INT_B: &str = "CREATE TABLE int_b (id INT, v INT);\n-- doubles v\nINSERT INTO int_b SELECT id, v * 2 AS v FROM src_a;\n";
const FCT_C: &str = "CREATE TABLE fct_c (id INT, total INT);\nINSERT INTO fct_c\nSELECT int_b.id, int_b.v + a.v\nFROM int_b JOIN src_a AS a ON a.id = int_b.id;\n";
const DIM_D: &str = "CREATE TABLE dim_d (id INT);\nINSERT INTO dim_d SELECT id FROM raw_d;\n";

/// src_a -> int_b -> fct_c and src_a -> fct_c (a diamond); dim_d apart.
fn diamond() -> TempRepo {
    let repo = TempRepo::new(&[
        ("sql/src_a.sql", SRC_A),
        ("sql/int_b.sql", INT_B),
        ("sql/fct_c.sql", FCT_C),
        ("sql/dim_d.sql", DIM_D),
    ]);
    repo.tag("v1.0.0");
    repo
}

#[test]
fn tag_edit_rewrite_then_rerun_changes_nothing() {
    let repo = diamond();
    repo.edit("sql/src_a.sql", |s| {
        s.replace("SELECT id, v FROM", "SELECT id, v + 1 AS v FROM")
    });
    repo.commit("change src_a");
    let changes = repo.changes(&[]);
    assert_eq!(changes["base"], "v1.0.0");
    // The diamond's fct_c is versioned once.
    assert_eq!(
        impacted(&changes),
        vec![
            triple("fct_c", "fct_c_v2", "descendant"),
            triple("int_b", "int_b_v2", "descendant"),
            triple("src_a", "src_a_v2", "modified"),
        ]
    );
    repo.ok(&["rewrite", "--check"], 3);
    repo.ok(&["rewrite"], 0);
    assert_eq!(
        repo.read("sql/src_a.sql"),
        "CREATE TABLE src_a_v2 (id INT, v INT);\nINSERT INTO src_a_v2 SELECT id, v + 1 AS v FROM raw_a;\n"
    );
    assert_eq!(
        repo.read("sql/int_b.sql"),
        INT_B
            .replace("int_b", "int_b_v2")
            .replace("src_a", "src_a_v2")
    );
    // Qualified column references follow the un-aliased table; aliases stay.
    assert_eq!(
        repo.read("sql/fct_c.sql"),
        "CREATE TABLE fct_c_v2 (id INT, total INT);\nINSERT INTO fct_c_v2\nSELECT int_b_v2.id, int_b_v2.v + a.v\nFROM int_b_v2 JOIN src_a_v2 AS a ON a.id = int_b_v2.id;\n"
    );
    assert_eq!(repo.read("sql/dim_d.sql"), DIM_D);
    repo.commit("rewrite");
    // A rerun on the rewritten branch changes nothing and reports the same.
    let before = repo.snapshot();
    repo.ok(&["rewrite", "--check"], 0);
    repo.ok(&["rewrite"], 0);
    assert_eq!(repo.snapshot(), before);
    let again = repo.changes(&[]);
    assert_eq!(impacted(&again), impacted(&changes));
    assert_eq!(again["cosmetic"], serde_json::json!([]));
}

#[test]
fn second_release_chains_v2_to_v3() {
    let repo = diamond();
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 3"));
    repo.commit("change int_b");
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    repo.tag("v1.1.0");
    repo.edit("sql/int_b.sql", |s| s.replace("v * 3", "v * 4"));
    repo.commit("change int_b again");
    assert_eq!(
        impacted(&repo.changes(&[])),
        vec![
            triple("fct_c_v2", "fct_c_v3", "descendant"),
            triple("int_b_v2", "int_b_v3", "modified")
        ]
    );
    repo.ok(&["rewrite"], 0);
    assert!(
        repo.read("sql/fct_c.sql")
            .contains("FROM int_b_v3 JOIN src_a AS a")
    );
    assert!(
        repo.read("sql/int_b.sql")
            .contains("INSERT INTO int_b_v3 SELECT id, v * 4 AS v FROM src_a;")
    );
}

#[test]
fn cosmetic_change_is_not_a_modification() {
    let repo = diamond();
    repo.edit("sql/int_b.sql", |s| {
        s.replace("-- doubles v", "-- doubles the value v\n\n")
            .replace("SELECT id", "select   id")
    });
    repo.commit("comments");
    let changes = repo.changes(&[]);
    assert_eq!(impacted(&changes), vec![]);
    assert_eq!(changes["cosmetic"], serde_json::json!(["int_b"]));
    repo.ok(&["rewrite", "--check"], 0);
}

#[test]
fn ddl_only_change_versions_the_table_and_stops_at_a_leaf() {
    let repo = diamond();
    repo.edit("sql/fct_c.sql", |s| {
        s.replace("total INT)", "total BIGINT)")
    });
    repo.commit("widen");
    let changes = repo.changes(&[]);
    assert_eq!(
        impacted(&changes),
        vec![triple("fct_c", "fct_c_v2", "modified")]
    );
    assert_eq!(
        changes["impacted"][0]["changed"],
        serde_json::json!(["ddl"])
    );
    repo.ok(&["rewrite"], 0);
    assert_eq!(repo.read("sql/int_b.sql"), INT_B);
}

#[test]
fn new_table_keeps_its_name() {
    let repo = diamond();
    repo.write(
        "sql/fct_e.sql",
        "CREATE TABLE fct_e (id INT);\nINSERT INTO fct_e SELECT id FROM int_b;\n",
    );
    repo.commit("add fct_e");
    let changes = repo.changes(&[]);
    assert_eq!(impacted(&changes), vec![triple("-", "fct_e", "new")]);
    assert!(changes["impacted"][0]["blue"].is_null());
    repo.ok(&["rewrite", "--check"], 0);
}

#[test]
fn deleted_table_with_readers_is_an_error_naming_them() {
    let repo = diamond();
    repo.remove("sql/int_b.sql");
    repo.commit("drop int_b");
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("table `int_b` was deleted but is still read by: fct_c"),
        "{err}"
    );
    let before = repo.snapshot();
    repo.fails(&["rewrite"]);
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn deleted_table_without_readers_is_listed_for_cleanup() {
    let repo = diamond();
    repo.remove("sql/dim_d.sql");
    repo.commit("drop dim_d");
    let changes = repo.changes(&[]);
    assert_eq!(impacted(&changes), vec![]);
    assert_eq!(
        changes["deleted"],
        serde_json::json!([{"name": "dim_d", "ddl": "sql/dim_d.sql"}])
    );
}

#[test]
fn renamed_file_is_not_a_modification() {
    let repo = diamond();
    repo.git(&["mv", "sql/int_b.sql", "sql/intermediate_b.sql"]);
    repo.commit("move");
    let changes = repo.changes(&[]);
    assert_eq!(changes["files"][0]["status"], "renamed");
    assert_eq!(changes["files"][0]["from"], "sql/int_b.sql");
    assert_eq!(impacted(&changes), vec![]);
}

#[test]
fn v9_becomes_v10_and_v2_in_the_middle_is_kept() {
    let repo = TempRepo::new(&[
        (
            "a.sql",
            "CREATE TABLE int_x_v9 (id INT);\nINSERT INTO int_x_v9 SELECT id FROM raw;\n",
        ),
        (
            "b.sql",
            "CREATE TABLE fct_v2_orders (id INT);\nINSERT INTO fct_v2_orders SELECT id FROM `int_x_v9`;\n",
        ),
    ]);
    repo.tag("v1");
    repo.edit("a.sql", |s| s.replace("SELECT id", "SELECT id + 0 AS id"));
    repo.commit("edit");
    repo.ok(&["rewrite"], 0);
    assert!(repo.read("a.sql").contains("INSERT INTO int_x_v10 SELECT"));
    assert_eq!(
        repo.read("b.sql"),
        "CREATE TABLE fct_v2_orders_v2 (id INT);\nINSERT INTO fct_v2_orders_v2 SELECT id FROM `int_x_v10`;\n"
    );
}

#[test]
fn a_bump_by_hand_is_respected_and_children_follow() {
    let repo = diamond();
    repo.edit("sql/int_b.sql", |s| s.replace("int_b", "int_b_v5"));
    repo.commit("bump by hand");
    assert_eq!(
        impacted(&repo.changes(&[])),
        vec![
            triple("fct_c", "fct_c_v2", "descendant"),
            triple("int_b", "int_b_v5", "modified")
        ]
    );
    repo.ok(&["rewrite"], 0);
    assert!(
        repo.read("sql/fct_c.sql")
            .contains("SELECT int_b_v5.id, int_b_v5.v + a.v\nFROM int_b_v5 JOIN src_a AS a")
    );
}

#[test]
fn forced_tables_join_the_impact() {
    let repo = diamond();
    let changes = repo.changes(&["--since", "v1.0.0", "--also", "int_b"]);
    assert_eq!(
        impacted(&changes),
        vec![
            triple("fct_c", "fct_c_v2", "descendant"),
            triple("int_b", "int_b_v2", "forced")
        ]
    );
    // A force file counts the names added since the base only.
    repo.write(
        "greenlight-force.txt",
        "# restart after the broker incident\ndim_d\n",
    );
    repo.commit("force dim_d");
    assert_eq!(
        impacted(&repo.changes(&[])),
        vec![triple("dim_d", "dim_d_v2", "forced")]
    );
    repo.tag("v1.1.0");
    assert_eq!(impacted(&repo.changes(&[])), vec![]);
    let err = repo.fails(&["changes", "--also", "nope"]);
    assert!(
        err.contains("`nope` is not a table of the project"),
        "{err}"
    );
}

#[test]
fn green_name_collision_is_an_error() {
    let repo = diamond();
    repo.write(
        "sql/int_b_v2.sql",
        "CREATE TABLE int_b_v2 (id INT);\nINSERT INTO int_b_v2 SELECT id FROM raw_x;\n",
    );
    repo.commit("a table already named int_b_v2");
    repo.tag("v2");
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 5"));
    repo.commit("edit");
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("the next version of `int_b` is `int_b_v2`, which already exists"),
        "{err}"
    );
    assert!(err.contains("sql/int_b_v2.sql:1:1"), "{err}");
}

#[test]
fn dirty_tree_is_refused_unless_allowed() {
    let repo = diamond();
    repo.edit("sql/src_a.sql", |s| s.replace("v FROM", "v + 1 AS v FROM"));
    let err = repo.fails(&["rewrite"]);
    assert!(
        err.contains("uncommitted changes") && err.contains("--allow-dirty"),
        "{err}"
    );
    assert_eq!(repo.read("sql/int_b.sql"), INT_B);
    repo.ok(&["rewrite", "--allow-dirty"], 0);
    assert!(repo.read("sql/int_b.sql").contains("int_b_v2"));
}

#[test]
fn only_uncommitted_changes_to_files_greenlight_reads_block_a_rewrite() {
    let repo = diamond();
    repo.edit("sql/src_a.sql", |s| s.replace("v FROM", "v + 1 AS v FROM"));
    repo.commit("edit");
    repo.write("notes/todo.md", "not SQL, not read by greenlight\n");
    repo.write("target/build.log", "untracked\n");
    repo.ok(&["rewrite", "--check"], 3);
    repo.write("sql/new_e.sql", "CREATE TABLE new_e (id INT);\n");
    let err = repo.fails(&["rewrite"]);
    assert!(
        err.contains("uncommitted changes (sql/new_e.sql)") && err.contains("--allow-dirty"),
        "{err}"
    );
    assert_eq!(repo.read("sql/int_b.sql"), INT_B);
    repo.remove("sql/new_e.sql");
    repo.write("greenlight-force.txt", "dim_d\n");
    let err = repo.fails(&["rewrite"]);
    assert!(
        err.contains("uncommitted changes (greenlight-force.txt)"),
        "{err}"
    );
    repo.remove("greenlight-force.txt");
    repo.ok(&["rewrite"], 0);
    assert!(repo.read("sql/int_b.sql").contains("int_b_v2"));
    assert_eq!(
        repo.read("notes/todo.md"),
        "not SQL, not read by greenlight\n"
    );
}

#[test]
fn an_uncommitted_config_given_with_config_blocks_a_rewrite() {
    let repo = diamond();
    repo.write("ci/release.yaml", "tag_pattern: \"v*\"\n");
    repo.commit("config");
    repo.edit("sql/src_a.sql", |s| s.replace("v FROM", "v + 1 AS v FROM"));
    repo.commit("edit");
    repo.write(
        "ci/release.yaml",
        "tag_pattern: \"v*\"\nexclude: [\"scratch/**\"]\n",
    );
    let err = repo.fails(&["rewrite", "--config", "ci/release.yaml"]);
    assert!(
        err.contains("uncommitted changes (ci/release.yaml)"),
        "{err}"
    );
    repo.git(&["checkout", "--", "ci/release.yaml"]);
    repo.ok(&["rewrite", "--config", "ci/release.yaml"], 0);
    assert!(repo.read("sql/int_b.sql").contains("int_b_v2"));
}

/// Uncommitted edits, moves, deletions and new files are analysed exactly as
/// the same changes once committed.
#[test]
fn uncommitted_changes_are_analysed_as_committed_ones() {
    let repo = diamond();
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 3"));
    repo.git(&["mv", "sql/dim_d.sql", "sql/dimension_d.sql"]);
    repo.write(
        "sql/new_e.sql",
        "CREATE TABLE new_e (id INT);\nINSERT INTO new_e SELECT id FROM fct_c;\n",
    );
    repo.write("sql/src_a.sql", SRC_A);
    let dirty = repo.changes(&[]);
    repo.git(&["add", "-A"]);
    repo.commit("the same changes");
    let committed = repo.changes(&[]);
    assert_eq!(dirty["files"], committed["files"]);
    assert_eq!(impacted(&dirty), impacted(&committed));
    assert_eq!(
        impacted(&committed),
        vec![
            triple("fct_c", "fct_c_v2", "descendant"),
            triple("int_b", "int_b_v2", "modified"),
            triple("-", "new_e", "new"),
        ]
    );
    assert_eq!(
        committed["files"].as_array().unwrap().len(),
        3,
        "{committed}"
    );
}

#[test]
fn diff_prints_a_unified_diff_and_check_writes_nothing() {
    let repo = diamond();
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 7"));
    repo.commit("edit");
    let out = repo.ok(&["rewrite", "--check", "--diff"], 3);
    assert!(
        out.contains("--- a/sql/fct_c.sql\n+++ b/sql/fct_c.sql\n"),
        "{out}"
    );
    assert!(
        out.contains("\n-FROM int_b JOIN src_a AS a ON a.id = int_b.id;\n"),
        "{out}"
    );
    assert!(
        out.contains("\n+FROM int_b_v2 JOIN src_a AS a ON a.id = int_b_v2.id;\n"),
        "{out}"
    );
    assert!(repo.read("sql/fct_c.sql") == FCT_C);
    // `--diff` alone is a preview too: it prints, writes nothing, exits 0,
    // and a following `rewrite` finds a clean tree.
    let out = repo.ok(&["rewrite", "--diff"], 0);
    assert!(out.contains("+FROM int_b_v2 JOIN"), "{out}");
    assert!(repo.read("sql/fct_c.sql") == FCT_C);
    repo.ok(&["rewrite"], 0);
    assert!(repo.read("sql/fct_c.sql").contains("FROM int_b_v2 JOIN"));
}

#[test]
fn no_tag_unknown_ref_and_shallow_clone_say_how_to_fix() {
    let repo = TempRepo::new(&[("sql/src_a.sql", SRC_A)]);
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("no tags in this repository") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    let err = repo.fails(&["changes", "--since", "nope"]);
    assert!(err.contains("unknown ref `nope`"), "{err}");
    repo.tag("v1");
    repo.edit("sql/src_a.sql", |s| s.replace("v FROM", "v + 1 AS v FROM"));
    repo.commit("second");
    let clone = tempfile::TempDir::new().unwrap();
    let url = format!("file://{}", repo.path().display());
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--no-tags", &url, "."])
        .current_dir(clone.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = crate::fixture::greenlight_in(clone.path(), &["changes"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("shallow clone") && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

#[test]
fn unparseable_changed_file_fails_with_position_and_writes_nothing() {
    let repo = diamond();
    repo.edit("sql/int_b.sql", |s| {
        s.replace("FROM src_a", "FROM src_a WHERE name = 'oops")
    });
    repo.commit("broken");
    let before = repo.snapshot();
    let err = repo.fails(&["rewrite"]);
    assert!(
        err.contains("sql/int_b.sql:3:65: unterminated string literal"),
        "{err}"
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn quoted_names_stay_quoted_when_renamed() {
    let repo = TempRepo::new(&[
        (
            "a.sql",
            "CREATE TABLE `raw-orders` (id INT);\nINSERT INTO `raw-orders` SELECT id FROM raw;\n",
        ),
        (
            "b.sql",
            "CREATE TABLE fct (id INT);\nINSERT INTO fct SELECT id FROM `raw-orders`;\n",
        ),
    ]);
    repo.tag("v1");
    repo.edit("a.sql", |s| {
        s.replace("SELECT id FROM raw", "SELECT id + 1 AS id FROM raw")
    });
    repo.commit("edit");
    // Quoted names stay quoted, so a dash is fine.
    repo.ok(&["rewrite"], 0);
    assert!(repo.read("b.sql").contains("FROM `raw-orders_v2`;"));
}

#[test]
fn project_in_a_subfolder_and_shift_left_output() {
    let repo = TempRepo::from_dir(&root().join("testdata"));
    repo.tag("v1");
    let dml = "example/pipelines/intermediates/sales/int_order_items_v2/sql-scripts/dml.int_order_items.sql";
    let dml = if repo.path().join(dml).exists() {
        dml.to_string()
    } else {
        "example/pipelines/intermediates/sales/int_order_items/sql-scripts/dml.int_order_items.sql"
            .to_string()
    };
    repo.edit(&dml, |s| s.replacen("SELECT", "SELECT DISTINCT", 1));
    repo.commit("edit");
    let out = repo.path().join("modified.json");
    let changes = repo.changes(&[
        "--project",
        "example",
        "--shift-left-out",
        out.to_str().unwrap(),
    ]);
    let names: Vec<(String, String, String)> = impacted(&changes);
    assert!(
        names.contains(&triple(
            "int_order_items_v2",
            "int_order_items_v3",
            "modified"
        )),
        "{names:?}"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    let entry = &doc["file_list"][0];
    assert_eq!(entry["table_name"], "int_order_items_v2");
    assert_eq!(entry["new_table_name"], "int_order_items_v3");
    assert_eq!(entry["same_sql_content"], false);
    assert_eq!(entry["running"], false);
    assert!(
        entry["file_modified_url"]
            .as_str()
            .unwrap()
            .ends_with("dml.int_order_items.sql")
    );
}

/// On the real-world style projects, renaming every table to its next
/// version changes only table-name spans and gives the renamed graph.
#[test]
fn whole_project_rewrites_touch_only_name_spans() {
    for dir in ["testdata/example", "testdata/flat"] {
        let project = greenlight::project::load(&root().join(dir), &[]).unwrap();
        let renames = crate::common::next_version_of_all(&project);
        let edits = greenlight::rewrite::plan_edits(&project, &renames).unwrap();
        let mut files = Vec::new();
        for f in &project.files {
            let text = std::fs::read_to_string(root().join(dir).join(&f.path)).unwrap();
            let new = match edits.get(&f.path) {
                Some(e) => greenlight::rewrite::apply(&f.path, &text, e).unwrap(),
                None => text.clone(),
            };
            // Outside the edited spans the bytes are identical.
            let diff = similar::TextDiff::from_chars(&text, &new);
            for op in diff.ops() {
                if let similar::DiffOp::Insert {
                    new_index, new_len, ..
                } = op
                {
                    let inserted = &new
                        .chars()
                        .skip(*new_index)
                        .take(*new_len)
                        .collect::<String>();
                    assert!(
                        inserted
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "{}: inserted {inserted:?}",
                        f.path
                    );
                }
            }
            files.push((f.path.clone(), new.into_bytes()));
        }
        let after = greenlight::project::Project::build(
            greenlight::project::analyze_texts(&files).unwrap(),
        )
        .unwrap();
        greenlight::rewrite::verify(
            &project,
            &greenlight::graph::Graph::build(&project).unwrap(),
            &after,
            &renames,
        )
        .unwrap();
    }
}

#[test]
fn a_rename_past_the_identifier_limit_is_refused_and_nothing_is_written() {
    let long = format!("int_{}", "x".repeat(251));
    assert_eq!(long.len(), 255);
    let repo = TempRepo::new(&[
        (
            "a.sql",
            &format!("CREATE TABLE {long} (id INT);\nINSERT INTO {long} SELECT id FROM raw;\n"),
        ),
        (
            "b.sql",
            &format!("CREATE TABLE fct (id INT);\nINSERT INTO fct SELECT id FROM {long};\n"),
        ),
    ]);
    repo.tag("v1");
    repo.edit("a.sql", |s| {
        s.replace("SELECT id FROM raw", "SELECT id + 1 AS id FROM raw")
    });
    repo.commit("edit");
    let before = repo.snapshot();
    let err = repo.fails(&["rewrite"]);
    assert!(
        err.contains("a.sql:1:14: cannot rename") && err.contains("limit of 256 characters"),
        "{err}"
    );
    assert_eq!(repo.snapshot(), before);
}

/// A statement set's statement id names the blue table, before and after
/// the rewrite (it was `dml.fanout:fct_big_orders`, then
/// `dml.fanout:fct_big_orders_v2`).
#[test]
fn statement_ids_are_stable_across_the_rewrite() {
    let repo = TempRepo::new(&[
        (
            "ddl.src.sql",
            "CREATE TABLE src_orders (id INT, amount INT) WITH ('connector' = 'datagen');",
        ),
        (
            "ddl.fanout.sql",
            "CREATE TABLE fct_big_orders (id INT, amount INT);\nCREATE TABLE fct_small_orders (id INT, amount INT);",
        ),
        (
            "dml.fanout.sql",
            "EXECUTE STATEMENT SET BEGIN\nINSERT INTO fct_big_orders SELECT id, amount FROM src_orders WHERE amount > 100;\nINSERT INTO fct_small_orders SELECT id, amount FROM src_orders WHERE amount <= 100;\nEND;",
        ),
    ]);
    repo.tag("v1");
    repo.edit("dml.fanout.sql", |s| {
        s.replace("> 100", "> 1000").replace("<= 100", "<= 1000")
    });
    repo.commit("thresholds");
    let ids = |repo: &TempRepo| -> Vec<(String, String)> {
        let plan: serde_json::Value =
            serde_json::from_str(&repo.ok(&["plan", "--format", "json"], 0)).unwrap();
        plan["impacted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["green"].as_str().unwrap().to_string(),
                    i["statement"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = ids(&repo);
    assert_eq!(
        before,
        [
            (
                "fct_big_orders_v2".to_string(),
                "dml.fanout:fct_big_orders".to_string()
            ),
            (
                "fct_small_orders_v2".to_string(),
                "dml.fanout:fct_small_orders".to_string()
            ),
        ]
    );
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    assert_eq!(ids(&repo), before);
}

/// A statement set is one job: when one of its tables is re-versioned, the
/// green job must not also write the others' blue tables (two jobs would
/// write them, every record twice). Its other tables, and their readers,
/// are re-versioned too.
#[test]
fn a_statement_set_is_re_versioned_as_one_job() {
    let repo = crate::fixture::TempRepo::new(&[
        (
            "sql/ddl.sql",
            "CREATE TABLE src (id INT, v INT) WITH ('connector' = 'datagen');\n\
             CREATE TABLE a (id INT, v INT) WITH ('connector' = 'blackhole');\n\
             CREATE TABLE b (id INT, v INT) WITH ('connector' = 'blackhole');\n\
             CREATE TABLE c (id INT, v INT) WITH ('connector' = 'blackhole');\n\
             CREATE TABLE d (id INT) WITH ('connector' = 'blackhole');\n",
        ),
        (
            "sql/dml.sql",
            "EXECUTE STATEMENT SET BEGIN\n\
             INSERT INTO a SELECT id, v FROM src WHERE v > 1;\n\
             INSERT INTO b SELECT id, v FROM src;\n\
             END;\n\
             INSERT INTO c SELECT id, v FROM b;\n\
             INSERT INTO d SELECT id FROM src;\n",
        ),
    ]);
    repo.commit("pipeline");
    repo.tag("v1");
    repo.edit("sql/dml.sql", |s| s.replace("v > 1", "v > 2"));
    repo.commit("a: stricter filter");
    assert_eq!(
        impacted(&repo.changes(&[])),
        vec![
            triple("a", "a_v2", "modified"),
            triple("b", "b_v2", "forced"),
            triple("c", "c_v2", "descendant"),
        ]
    );
    let json = repo.changes(&[]);
    let b = json["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["green"] == "b_v2")
        .unwrap();
    assert_eq!(b["forced_by"], "statement_set", "{json}");
    let text = repo.ok(&["changes"], 0);
    assert!(
        text.contains("b -> b_v2") && text.contains("same statement set (one job)"),
        "{text}"
    );
    repo.ok(&["rewrite"], 0);
    let dml = std::fs::read_to_string(repo.path().join("sql/dml.sql")).unwrap();
    assert!(
        dml.contains("INSERT INTO a_v2 SELECT")
            && dml.contains("INSERT INTO b_v2 SELECT")
            && dml.contains("INSERT INTO c_v2 SELECT id, v FROM b_v2")
            && dml.contains("INSERT INTO d SELECT"),
        "{dml}"
    );
}
