//! Upgrade strategies: the eligibility of each construct for an in-place
//! upgrade (golden cases in `tests/golden/upgrade/`), and the impact of a
//! stateless fix above a deep subtree with and without `upgrade: auto`.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use greenlight::graph::Graph;
use greenlight::project::Project;
use greenlight::version::{
    self, ImpactInput, InPlaceTarget, Policy, Strategy, UpgradeInput, UpgradePolicy,
};
use serde_json::Value;

use crate::common::{read, root};
use crate::fixture::TempRepo;

fn project(name: &str, text: &str) -> Project {
    let texts = vec![(name.to_string(), text.as_bytes().to_vec())];
    Project::build(greenlight::project::analyze_texts(&texts).unwrap()).unwrap()
}

/// `in_place`, or `blue_green: <why>`, for table `t` of a case: the
/// case's text at the head, and at the base the same with `'v2'` turned
/// into `'v1'` (or `<case>.base.sql`), under `upgrade: auto`.
fn eligibility(case: &Path) -> String {
    let name = case.file_name().unwrap().to_str().unwrap();
    let head_text = read(case);
    let base_file = case.with_extension("base.sql");
    let base_text = if base_file.exists() {
        read(&base_file)
    } else {
        head_text.replace("'v2'", "'v1'")
    };
    assert_ne!(head_text, base_text, "{name}: no change");
    let (base, head) = (project(name, &base_text), project(name, &head_text));
    let graph = Graph::build(&head).unwrap();
    let none = BTreeSet::new();
    let policy = UpgradePolicy {
        default: Policy::Auto,
        tables: BTreeMap::new(),
    };
    let impact = version::compute_with(
        &ImpactInput {
            base: &base,
            head: &head,
            head_to_base: &version::match_tables(&base, &head),
            head_graph: &graph,
            changed_paths: &[name.to_string()].into(),
            forced: &none,
            schema: &none,
        },
        &UpgradeInput {
            policy: &policy,
            target: &InPlaceTarget::Supported,
        },
    )
    .unwrap();
    let t = impact
        .impacted
        .iter()
        .find(|i| i.head == "t")
        .unwrap_or_else(|| panic!("{name}: t is not impacted: {:?}", impact.impacted));
    match t.strategy {
        Strategy::InPlace => "in_place\n".to_string(),
        Strategy::BlueGreen => format!(
            "blue_green: {}\n",
            t.strategy_reason.as_deref().unwrap_or("(no reason)")
        ),
    }
}

fn cases() -> Vec<PathBuf> {
    let dir = root().join("tests/golden/upgrade");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".sql") && !n.ends_with(".base.sql")
        })
        .collect();
    v.sort();
    v
}

/// Every stateless shape is upgraded in place; every construct that keeps
/// state (or an upsert sink, a changed DDL, a CTAS, a view, a statement
/// set, two writers, a stateful blue statement) keeps blue/green, and the
/// reason names it with `file:line:col`. `GOLDEN_BLESS=1` writes a missing
/// `.upgrade` file for review.
#[test]
fn golden_eligibility_of_each_construct() {
    let cases = cases();
    assert!(cases.len() >= 40, "{}", cases.len());
    let mut failures = Vec::new();
    let (mut in_place, mut blue_green) = (0, 0);
    for case in &cases {
        let got = eligibility(case);
        if got == "in_place\n" {
            in_place += 1;
        } else {
            blue_green += 1;
        }
        let expected = case.with_extension("upgrade");
        if !expected.exists() && std::env::var("GOLDEN_BLESS").as_deref() == Ok("1") {
            std::fs::write(&expected, &got).unwrap();
            continue;
        }
        let want = read(&expected);
        if got != want {
            failures.push(format!("{}:\n  want {want}  got  {got}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        in_place >= 10 && blue_green >= 30,
        "{in_place} / {blue_green}"
    );
}

const SRC_CLICKS: &str = "pipelines/sources/web/src_clicks/sql-scripts/dml.src_clicks.sql";

/// The clickstream example at a tag, then a stateless fix of `src_clicks`,
/// which sits above every click table: under `config`.
fn stateless_fix(config: &str) -> Value {
    let repo = TempRepo::from_dir(&root().join("testdata/clickstream"));
    repo.write("greenlight.yaml", config);
    repo.commit("config");
    repo.tag("v1.0.0");
    repo.edit(SRC_CLICKS, |s| {
        s.replace(
            "WHERE id IS NOT NULL;",
            "WHERE id IS NOT NULL AND agent IS NOT NULL;",
        )
    });
    repo.commit("skip clicks without agent");
    let out = repo.ok(&["changes", "--format", "json"], 0);
    serde_json::from_str(&out).unwrap()
}

fn by_strategy(changes: &Value, strategy: &str) -> Vec<String> {
    changes["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["strategy"] == strategy)
        .map(|i| i["green"].as_str().unwrap().to_string())
        .collect()
}

/// Under `blue_green`, the fix re-versions `src_clicks` and its eight
/// descendants (9 tables, 4 of them stateful, replayed from the earliest
/// offsets); under `auto`, `src_clicks` is upgraded in place and nothing
/// is re-versioned: 9 fewer tables.
#[test]
fn a_stateless_fix_above_a_deep_subtree_re_versions_nothing_under_auto() {
    let bg = stateless_fix("upgrade: blue_green\n");
    let re_versioned = by_strategy(&bg, "blue_green");
    assert_eq!(
        re_versioned,
        [
            "fct_campaign_clicks_v2",
            "fct_clicks_hourly_v2",
            "fct_session_lengths_v2",
            "fct_user_paths_v2",
            "int_clicks_enriched_v2",
            "int_human_clicks_v2",
            "int_sessions_v2",
            "src_clicks_v2",
            "v_top_campaigns_v2",
        ]
    );
    assert!(by_strategy(&bg, "in_place").is_empty());
    // The default policy says nothing of strategies beyond the field.
    assert!(bg["impacted"][0].get("strategy_reason").is_none(), "{bg}");

    let auto = stateless_fix("upgrade: auto\n");
    assert_eq!(by_strategy(&auto, "in_place"), ["src_clicks"]);
    assert!(by_strategy(&auto, "blue_green").is_empty(), "{auto}");
    assert_eq!(auto["renames"], serde_json::json!({}));
    let reason = auto["impacted"][0]["strategy_reason"].as_str().unwrap();
    assert!(
        reason.contains("records written before the switch came from the old logic"),
        "{reason}"
    );
    let drop = re_versioned.len() - by_strategy(&auto, "blue_green").len();
    assert_eq!(
        drop, 9,
        "re-versioned tables: 9 under blue_green, 0 under auto"
    );

    // A per-table override, --also and the force file keep blue/green.
    let pinned =
        stateless_fix("upgrade:\n  default: auto\n  tables:\n    src_clicks: blue_green\n");
    assert_eq!(by_strategy(&pinned, "blue_green").len(), 9);
    let row = &pinned["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["green"] == "src_clicks_v2")
        .unwrap()
        .clone();
    assert_eq!(row["strategy_reason"], "upgrade policy `blue_green`");
}

/// `--also` forces blue/green, and so does an environment on open-source
/// Flink, which cannot carry offsets over: each says why.
#[test]
fn forced_tables_and_open_source_targets_keep_blue_green() {
    let repo = TempRepo::from_dir(&root().join("testdata/clickstream"));
    repo.tag("v1.0.0");
    repo.edit(SRC_CLICKS, |s| {
        s.replace(
            "WHERE id IS NOT NULL;",
            "WHERE id IS NOT NULL AND agent IS NOT NULL;",
        )
    });
    repo.commit("skip clicks without agent");
    let strategy = |args: &[&str]| -> (String, String) {
        let out = repo.ok(args, 0);
        let v: Value = serde_json::from_str(&out).unwrap();
        let row = v["impacted"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["blue"] == "src_clicks")
            .unwrap()
            .clone();
        (
            row["strategy"].as_str().unwrap().to_string(),
            row["strategy_reason"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(
        strategy(&["changes", "--format", "json"]).0,
        "in_place",
        "the bundled config says upgrade: auto"
    );
    assert_eq!(
        strategy(&["changes", "--format", "json", "--also", "src_clicks"]),
        (
            "blue_green".into(),
            "forced (--also or the force file)".into()
        )
    );
    repo.write(
        "greenlight.yaml",
        "upgrade: auto\nenvironments:\n  dev:\n    target: sql_gateway\n    sql_gateway: {url: 'http://127.0.0.1:1'}\n",
    );
    repo.commit("an open-source Flink environment");
    assert_eq!(
        strategy(&["plan", "--format", "json"]),
        (
            "blue_green".into(),
            "environment `dev` deploys to open-source Flink, which cannot carry offsets over"
                .into()
        )
    );
    // An override naming no table is an error, not a silent no-op.
    repo.write(
        "greenlight.yaml",
        "upgrade:\n  default: auto\n  tables:\n    src_clickz: blue_green\n",
    );
    repo.commit("typo");
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("upgrade.tables: `src_clickz` is not a table of the project"),
        "{err}"
    );
}

/// A release mixing both strategies on the clickstream example: two
/// stateless fixes upgraded in place, a windowed aggregation and an
/// upsert sink re-versioned. The comment, the text and the JSON show each
/// table's strategy and why.
fn mixed_release() -> TempRepo {
    let repo = TempRepo::from_dir(&root().join("testdata/clickstream"));
    repo.tag("v1.0.0");
    repo.edit(SRC_CLICKS, |s| {
        s.replace(
            "WHERE id IS NOT NULL;",
            "WHERE id IS NOT NULL AND agent IS NOT NULL;",
        )
    });
    repo.edit(
        "pipelines/intermediates/web/int_slow_pages/sql-scripts/dml.int_slow_pages.sql",
        |s| s.replace("load_ms > 2000", "load_ms > 3000"),
    );
    repo.edit(
        "pipelines/facts/web/fct_slow_pages_daily/sql-scripts/dml.fct_slow_pages_daily.sql",
        |s| s.replace("INTERVAL '1' DAY", "INTERVAL '1' HOUR"),
    );
    repo.commit("stricter filters, hourly slow pages");
    repo
}

#[test]
fn a_release_mixing_both_strategies_in_every_report() {
    let repo = mixed_release();
    let md = repo.ok(&["plan", "--format", "markdown"], 0);
    crate::plan_reports::assert_well_formed(&md);
    let mermaid = md
        .split("```mermaid\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    crate::common::save_mermaid("mixed-strategies", mermaid);
    insta::assert_snapshot!("mixed_strategies_markdown", md);
    let text = repo.ok(&["plan", "--format", "text"], 0);
    insta::assert_snapshot!("mixed_strategies_text", text);
    let json: Value = serde_json::from_str(&repo.ok(&["plan", "--format", "json"], 0)).unwrap();
    insta::assert_json_snapshot!("mixed_strategies_json", json);
    let changes = repo.ok(&["changes"], 0);
    insta::assert_snapshot!("mixed_strategies_changes", changes);
    // The in-place tables keep their names and deploy one step each: the
    // DML, replaced.
    let steps: Vec<(String, String)> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["steps"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["table"].as_str().unwrap().to_string(),
                s["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        steps.contains(&("src_clicks".into(), "replace_dml".into())),
        "{steps:?}"
    );
    assert!(
        !steps.contains(&("src_clicks".into(), "create_table".into())),
        "{steps:?}"
    );
    // rewrite renames only the blue/green table, and says why for each.
    let out = repo.run(&["rewrite"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("upgrade `src_clicks`: in place: stateless"),
        "{err}"
    );
    assert!(
        err.contains("upgrade `fct_slow_pages_daily`: blue/green: aggregation at pipelines/facts/web/fct_slow_pages_daily/sql-scripts/dml.fct_slow_pages_daily.sql:2:44"),
        "{err}"
    );
    assert!(
        err.contains("rewrote 2 file(s): fct_slow_pages_daily -> fct_slow_pages_daily_v2"),
        "{err}"
    );
}

/// A stateless table below a re-versioned one is re-versioned with it (it
/// must read the new version), and says so; the plan is the same before
/// and after the rewrite.
#[test]
fn strategies_are_stable_across_the_rewrite() {
    let repo = TempRepo::from_dir(&root().join("testdata/clickstream"));
    repo.tag("v1.0.0");
    repo.edit(
        "pipelines/intermediates/web/int_clicks_enriched/sql-scripts/dml.int_clicks_enriched.sql",
        |s| {
            s.replace(
                "ON c.user_id = u.user_id;",
                "ON c.user_id = u.user_id\nWHERE c.page_url IS NOT NULL;",
            )
        },
    );
    repo.edit(
        "pipelines/intermediates/web/int_human_clicks/sql-scripts/dml.int_human_clicks.sql",
        |s| s.replace("'%bot%'", "'%crawler%'"),
    );
    repo.edit(
        "pipelines/intermediates/web/int_slow_pages/sql-scripts/dml.int_slow_pages.sql",
        |s| s.replace("load_ms > 2000", "load_ms > 3000"),
    );
    repo.commit("three changes");
    let before = repo.ok(&["plan", "--format", "json"], 0);
    let v: Value = serde_json::from_str(&before).unwrap();
    let row = |green: &str| {
        v["impacted"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["green"] == green)
            .unwrap_or_else(|| panic!("{green} not in {v}"))
            .clone()
    };
    assert_eq!(row("int_slow_pages")["strategy"], "in_place");
    let human = row("int_human_clicks_v2");
    assert_eq!(human["strategy"], "blue_green");
    assert_eq!(human["reason"], "modified");
    assert_eq!(
        human["strategy_reason"],
        "reads `int_clicks_enriched`, which is re-versioned"
    );
    assert!(
        row("int_clicks_enriched_v2")["strategy_reason"]
            .as_str()
            .unwrap()
            .contains("temporal join at pipelines/intermediates/web/int_clicks_enriched/sql-scripts/dml.int_clicks_enriched.sql:14:25"),
        "{v}"
    );
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    let after = repo.ok(&["plan", "--format", "json"], 0);
    assert_eq!(before, after);
}
