//! In-place upgrades against the Confluent stand-in (`flink_server`): a
//! stateless statement replaced by one that starts from its offsets (the
//! old one stopped first, then deleted), a refused stateful carry-over,
//! and the rollback that replaces it back the same way.
use std::process::Output;

use serde_json::Value;

use crate::common::root;
use crate::deploy_confluent::config;
use crate::fixture::TempRepo;
use crate::flink_server::{OFFSETS_FROM, Server};

const SRC_CLICKS: &str = "pipelines/sources/web/src_clicks/sql-scripts/dml.src_clicks.sql";
const SLOW_DAILY: &str =
    "pipelines/facts/web/fct_slow_pages_daily/sql-scripts/dml.fct_slow_pages_daily.sql";

/// Every table of the clickstream example and its raw topics.
const TABLES: &[&str] = &[
    "src_clicks",
    "src_page_views",
    "src_users",
    "int_clicks_enriched",
    "int_human_clicks",
    "int_sessions",
    "int_slow_pages",
    "fct_campaign_clicks",
    "fct_clicks_hourly",
    "fct_session_lengths",
    "fct_slow_pages_daily",
    "fct_user_paths",
    "v_top_campaigns",
    "raw_clicks",
    "raw_page_views",
    "raw_users",
];

const BLUE_CLICKS: &str = "INSERT INTO src_clicks SELECT * FROM raw_clicks";

/// The clickstream example at a tag, then a release mixing both
/// strategies: a stateless fix of `src_clicks` (in place) and a change of
/// the windowed `fct_slow_pages_daily` (blue/green), rewritten.
fn release(server: &Server) -> TempRepo {
    let repo = TempRepo::from_dir(&root().join("testdata/clickstream"));
    let readiness = "    readiness:\n      interval_secs: 0\n      consecutive_checks: 1\n";
    repo.write(
        "greenlight.yaml",
        &format!("upgrade: auto\n{}", config(server, readiness)),
    );
    repo.commit("environments");
    repo.tag("v1.0.0");
    repo.edit(SRC_CLICKS, |s| {
        s.replace(
            "WHERE id IS NOT NULL;",
            "WHERE id IS NOT NULL AND agent IS NOT NULL;",
        )
    });
    repo.edit(SLOW_DAILY, |s| {
        s.replace("INTERVAL '1' DAY", "INTERVAL '1' HOUR")
    });
    repo.commit("skip clicks without agent; hourly slow pages");
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    repo
}

fn server() -> Server {
    let server = Server::start();
    server.seed_tables(TABLES);
    server.seed("stage-dml-src-clicks", BLUE_CLICKS, "RUNNING");
    server.seed(
        "stage-dml-fct-slow-pages-daily",
        "INSERT INTO fct_slow_pages_daily SELECT * FROM int_slow_pages",
        "RUNNING",
    );
    server
}

fn run(repo: &TempRepo, args: &[&str]) -> Output {
    crate::common::with_credentials(repo.path(), args)
}

fn ok(repo: &TempRepo, args: &[&str]) -> (String, String) {
    crate::common::with_credentials_ok(repo.path(), args)
}

/// The statement replacing `src_clicks` in place (its name has a hash).
fn in_place_name(server: &Server, not: &[&str]) -> String {
    let names: Vec<String> = server
        .names()
        .into_iter()
        .filter(|n| n.starts_with("stage-dml-src-clicks-") && !not.contains(&n.as_str()))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    names[0].clone()
}

fn position(events: &[String], e: &str) -> usize {
    events
        .iter()
        .position(|x| x == e)
        .unwrap_or_else(|| panic!("no `{e}` in {events:#?}"))
}

#[test]
fn a_stateless_statement_is_replaced_in_place_from_its_offsets() {
    let server = server();
    let repo = release(&server);
    // The plan: src_clicks in place (its 8 descendants untouched), the
    // windowed fact blue/green.
    let (plan, _) = ok(&repo, &["plan", "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let strategy = |green: &str| {
        plan["impacted"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["green"] == green)
            .map(|i| i["strategy"].as_str().unwrap().to_string())
    };
    assert_eq!(strategy("src_clicks").as_deref(), Some("in_place"));
    assert_eq!(
        strategy("fct_slow_pages_daily_v2").as_deref(),
        Some("blue_green")
    );
    assert_eq!(plan["impacted"].as_array().unwrap().len(), 2, "{plan}");

    let (out, err) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(out.contains("upgraded"), "{out}");
    let new = in_place_name(&server, &[]);
    // The plan named it before deploy did (one naming rule).
    let named = plan["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["green"] == "src_clicks")
        .map(|i| i["statements"]["stage"]["green"].clone());
    assert_eq!(named, Some(serde_json::json!([new])), "{plan}");
    let s = server.get(&new).unwrap();
    assert_eq!(s["status"]["phase"], "RUNNING", "{err}");
    assert_eq!(
        s["spec"]["properties"][OFFSETS_FROM],
        "stage-dml-src-clicks"
    );
    assert!(
        s["spec"]["statement"]
            .as_str()
            .unwrap()
            .contains("AND agent IS NOT NULL"),
        "{s}"
    );
    // The old statement was stopped first, the new one started from its
    // offsets, then the old one deleted; the table is kept (no DDL).
    let events = server.events();
    let stop = position(&events, "stop stage-dml-src-clicks");
    let create = position(&events, &format!("create {new}"));
    let start = position(&events, &format!("start {new} from stage-dml-src-clicks"));
    let delete = position(&events, "delete stage-dml-src-clicks");
    assert!(
        stop < create && create < start && start < delete,
        "{events:#?}"
    );
    assert!(server.get("stage-dml-src-clicks").is_none());
    assert!(server.has_table("src_clicks"));
    assert!(
        server
            .names()
            .iter()
            .all(|n| !n.starts_with("stage-ddl-src-clicks")),
        "{:?}",
        server.names()
    );
    // Blue/green beside it: the new fact's DDL and DML, blue untouched.
    assert!(server.has_table("fct_slow_pages_daily_v2"));
    assert_eq!(
        server.get("stage-dml-fct-slow-pages-daily").unwrap()["status"]["phase"],
        "RUNNING"
    );

    // A rerun changes nothing.
    let before = server.events().len();
    let (out, _) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(out.lines().all(|l| l.starts_with("skipped")), "{out}");
    assert_eq!(server.events().len(), before);

    // await and validate: in place is caught up, nothing to compare.
    server.with(|st| {
        st.answers = vec![
            ("COUNT(*) AS n FROM (".into(), vec![vec!["0".into()]]),
            ("COUNT(*)".into(), vec![vec!["100".into()]]),
            ("MAX(".into(), vec![vec!["2026-01-01 00:00:00.000".into()]]),
        ]
    });
    let (_, err) = ok(&repo, &["await", "--env", "stage", "--timeout", "10s"]);
    assert!(
        err.contains("src_clicks: upgraded in place, caught up"),
        "{err}"
    );
    let (out, _) = ok(&repo, &["validate", "--env", "stage", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let mine: Vec<&Value> = checks
        .iter()
        .filter(|c| c["table"] == "src_clicks")
        .collect();
    assert_eq!(mine.len(), 1, "{checks:#?}");
    assert_eq!(mine[0]["check"], "in_place");
    assert_eq!(mine[0]["passed"], true);
    server.with(|st| {
        assert!(
            st.requests
                .iter()
                .all(|r| !(r.method == "POST" && r.body.contains("FROM `src_clicks`"))),
            "src_clicks compared with itself"
        )
    });

    // Promote stops the blue fact only.
    ok(&repo, &["promote", "--env", "stage"]);
    assert_eq!(server.get(&new).unwrap()["spec"]["stopped"], false);
    assert_eq!(
        server.get("stage-dml-fct-slow-pages-daily").unwrap()["spec"]["stopped"],
        true
    );

    // Rollback replaces src_clicks' statement back with its blue SQL, from
    // the new statement's offsets; the table stays.
    let (out, _) = ok(&repo, &["rollback", "--env", "stage"]);
    assert!(out.contains(&format!("replaced {new} back with")), "{out}");
    let back = in_place_name(&server, &[&new]);
    assert!(server.get(&new).is_none(), "{:?}", server.names());
    let b = server.get(&back).unwrap();
    assert_eq!(b["status"]["phase"], "RUNNING");
    assert_eq!(b["spec"]["properties"][OFFSETS_FROM], new.as_str());
    let sql = b["spec"]["statement"].as_str().unwrap();
    assert!(
        sql.contains("WHERE id IS NOT NULL") && !sql.contains("agent IS NOT NULL"),
        "{sql}"
    );
    let events = server.events();
    let stop = position(&events, &format!("stop {new}"));
    let start = position(&events, &format!("start {back} from {new}"));
    assert!(stop < start, "{events:#?}");
    assert!(server.has_table("src_clicks"));
    assert!(!server.has_table("fct_slow_pages_daily_v2"));
    assert_eq!(
        server.get("stage-dml-fct-slow-pages-daily").unwrap()["status"]["phase"],
        "RUNNING"
    );
    // Cleanup never drops a table upgraded in place.
    ok(&repo, &["deploy", "--env", "stage"]);
    ok(&repo, &["promote", "--env", "stage", "--force"]);
    let (out, _) = ok(&repo, &["cleanup", "--env", "stage", "--older-than", "1d"]);
    assert!(
        out.contains("src_clicks: upgraded in place, nothing to drop"),
        "{out}"
    );
    assert!(server.has_table("src_clicks"));
    assert!(!server.has_table("fct_slow_pages_daily"));
}

#[test]
fn a_refused_carry_over_leaves_the_old_statement_running() {
    // The project says src_clicks is append-only, but the live table was
    // created with a primary key: Confluent refuses to carry the offsets
    // of a statement writing an upsert table over.
    let server = server();
    server.seed_upsert(&["src_clicks"]);
    let repo = release(&server);
    let o = run(&repo, &["deploy", "--env", "stage"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "only supported for stateless statements; this statement writes the upsert table"
        ),
        "{err}"
    );
    assert!(
        err.contains("`stage-dml-src-clicks` was resumed where it stopped"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    let old = server.get("stage-dml-src-clicks").unwrap();
    assert_eq!(old["status"]["phase"], "RUNNING");
    assert_eq!(old["spec"]["stopped"], false);
    let events = server.events();
    let new = in_place_name(&server, &[]);
    assert!(
        position(&events, "stop stage-dml-src-clicks")
            < position(&events, "resume stage-dml-src-clicks"),
        "{events:#?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| e.starts_with(&format!("start {new}")))
    );
    assert_eq!(server.get(&new).unwrap()["status"]["phase"], "FAILED");
}

/// The stand-in refuses a stateful statement with carry-over offsets the
/// way Confluent does, whoever sends it; greenlight's carry-over resumes
/// the old statement and says why.
#[test]
fn the_stand_in_refuses_a_stateful_carry_over() {
    use greenlight::deploy::{DeployStatement, in_place};
    use greenlight::flink::Target;
    use greenlight::plan::StepAction;
    let server = server();
    let text = config(&server, "");
    let cfg = greenlight::config::Config::parse(&text).unwrap();
    let env = &cfg.environments["stage"];
    let mut t = greenlight::flink::confluent::Confluent::with_credentials(
        env,
        ("key".into(), "secret".into()),
        None,
    )
    .unwrap();
    let old = t.get("stage-dml-src-clicks").unwrap().unwrap();
    for (sql, why) in [
        (
            "INSERT INTO src_clicks SELECT click_id, COUNT(*) FROM raw_clicks GROUP BY click_id",
            "aggregates",
        ),
        (
            "INSERT INTO src_clicks SELECT c.* FROM raw_clicks c JOIN raw_users u ON c.u = u.id",
            "joins",
        ),
        (
            "INSERT INTO src_clicks SELECT *, LAG(x) OVER (ORDER BY ts) FROM raw_clicks",
            "uses OVER",
        ),
    ] {
        let st = DeployStatement {
            name: "stage-dml-src-clicks-stateful".into(),
            table: "src_clicks".into(),
            action: StepAction::ReplaceDml,
            sql: sql.into(),
            properties: env.statement_properties(),
            source: String::new(),
            runs: true,
            replaces: Some("src_clicks".into()),
        };
        let mut log = |_: &str| {};
        let e = in_place::carry_over(&mut t, &st, &old, false, &env.poll, &mut log)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!(
                "only supported for stateless statements; this statement {why}"
            )),
            "{e}"
        );
        assert_eq!(
            server.get("stage-dml-src-clicks").unwrap()["status"]["phase"],
            "RUNNING"
        );
        t.delete(&st.name).unwrap();
    }
    // Stateless, it starts from the old one's offsets once that stopped.
    let st = DeployStatement {
        name: "stage-dml-src-clicks-stateless".into(),
        table: "src_clicks".into(),
        action: StepAction::ReplaceDml,
        sql: "INSERT INTO src_clicks SELECT * FROM raw_clicks WHERE x > 0".into(),
        properties: env.statement_properties(),
        source: String::new(),
        runs: true,
        replaces: Some("src_clicks".into()),
    };
    let mut log = |_: &str| {};
    in_place::carry_over(&mut t, &st, &old, false, &env.poll, &mut log).unwrap();
    assert!(
        server.events().contains(
            &"start stage-dml-src-clicks-stateless from stage-dml-src-clicks".to_string()
        )
    );
    assert!(server.get("stage-dml-src-clicks").is_none());
}
