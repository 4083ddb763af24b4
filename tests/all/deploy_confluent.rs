//! `deploy`, `validate`, `promote`, `rollback`, `cleanup` against the
//! project's own stateful Confluent statements server (`flink_server`).
use std::process::Output;

use crate::common::root;
use crate::fixture::TempRepo;
use crate::flink_server::{ENV, ORG, Server};

const DML: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";
const KEY: &str = "FLINKKEY0001";
const SECRET: &str = "s3cr3t-Flink-Value-do-not-print";

/// The example at a tag, one intermediate changed (with `marker` inside
/// its DML), rewritten and committed.
fn release(marker: &str) -> TempRepo {
    let repo = TempRepo::from_dir(&root().join("testdata/example"));
    repo.tag("v1.0.0");
    repo.edit(DML, |s| {
        s.replace(
            "WHERE o.order_status <> 'DRAFT'",
            &format!("WHERE o.order_status NOT IN ('DRAFT', 'CANCELLED'{marker})"),
        )
    });
    repo.commit("exclude cancelled orders");
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    repo
}

fn config(server: &Server, extra: &str) -> String {
    format!(
        "environments:
  stage:
    confluent_cloud:
      organization_id: {ORG}
      environment_id: {ENV}
      provider: aws
      region: us-west-2
      api_url: {url}
    flink:
      compute_pool_id: lfcp-1
      catalog_name: stage-env
      database_name: stage-cluster
      flink_url: {url}
    poll:
      timeout_secs: 2
      interval_ms: 5
      max_interval_ms: 20
{extra}",
        url = server.url
    )
}

fn run(repo: &TempRepo, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(args)
        .current_dir(repo.path())
        .env("FLINK_API_KEY", KEY)
        .env("FLINK_API_SECRET", SECRET)
        .env("CONFLUENT_CLOUD_API_KEY", "CLOUDKEY")
        .env("CONFLUENT_CLOUD_API_SECRET", SECRET)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(repo: &TempRepo, args: &[&str]) -> (String, String) {
    let o = run(repo, args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}\nstdout: {out}\nstderr: {err}"
    );
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "secret printed"
    );
    (out, err)
}

fn fails(repo: &TempRepo, args: &[&str]) -> String {
    let o = run(repo, args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?}\nstdout: {out}\nstderr: {err}"
    );
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "secret printed"
    );
    err
}

const BLUE: &[(&str, &str)] = &[
    (
        "stage-dml-int-orders-enriched",
        "INSERT INTO int_orders_enriched SELECT * FROM src_orders",
    ),
    (
        "stage-dml-fct-orders",
        "INSERT INTO fct_orders SELECT * FROM int_orders_enriched",
    ),
    (
        "stage-dml-dim-customers",
        "INSERT INTO dim_customers SELECT * FROM int_customer_profiles",
    ),
];

fn seed_blue(server: &Server) {
    for (n, sql) in BLUE {
        server.seed(n, sql, "RUNNING");
    }
}

#[test]
fn deploy_runs_green_wave_by_wave_resumes_and_leaves_blue_alone() {
    let server = Server::start();
    seed_blue(&server);
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    let (out, _) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(out.contains("created"), "{out}");
    let names = server.names();
    for n in [
        "stage-ddl-int-orders-enriched-v2",
        "stage-dml-int-orders-enriched-v2",
        "stage-ddl-fct-orders-v2",
        "stage-dml-fct-orders-v2",
        "stage-ddl-v-customer-360-v2",
    ] {
        assert!(names.contains(&n.to_string()), "{n} missing from {names:?}");
    }
    let posts: Vec<String> = server.with(|st| {
        st.requests
            .iter()
            .filter(|r| r.method == "POST")
            .map(|r| {
                serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    });
    let at = |n: &str| posts.iter().position(|p| p == n).unwrap();
    // DDL before DML, parents' wave before children's.
    assert!(at("stage-ddl-int-orders-enriched-v2") < at("stage-dml-int-orders-enriched-v2"));
    assert!(at("stage-dml-int-orders-enriched-v2") < at("stage-ddl-fct-orders-v2"));
    // Blue untouched: no request names a blue statement.
    for call in server.calls() {
        for (b, _) in BLUE {
            assert!(!call.ends_with(b), "blue touched: {call}");
        }
    }
    // Auth from the environment; catalog and database as properties.
    server.with(|st| {
        let r = st.requests.iter().find(|r| r.method == "POST").unwrap();
        assert_eq!(
            r.auth.as_deref(),
            Some("Basic RkxJTktLRVkwMDAxOnMzY3IzdC1GbGluay1WYWx1ZS1kby1ub3QtcHJpbnQ=")
        );
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["spec"]["properties"]["sql.current-catalog"], "stage-env");
        assert_eq!(v["spec"]["compute_pool_id"], "lfcp-1");
        assert_eq!(v["organization_id"], ORG);
    });
    let dml = server.get("stage-dml-int-customer-order-stats-v2").unwrap();
    assert_eq!(
        dml["spec"]["properties"]["sql.state-ttl"], "7 d",
        "SET before the DML"
    );

    // A rerun resumes: everything RUNNING with the same SQL is skipped.
    let before = server
        .calls()
        .iter()
        .filter(|c| c.starts_with("POST"))
        .count();
    let (out, _) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(out.lines().all(|l| l.starts_with("skipped")), "{out}");
    assert_eq!(
        before,
        server
            .calls()
            .iter()
            .filter(|c| c.starts_with("POST"))
            .count()
    );

    // Dry run: decisions only, nothing created.
    let (out, _) = ok(
        &repo,
        &["deploy", "--env", "stage", "--dry-run", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["dry_run"], true);
    assert!(
        v["statements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["action"] == "would_skip")
    );

    // The same name with other SQL is refused.
    server.with(|st| {
        let s = st
            .statements
            .iter_mut()
            .find(|s| s["name"] == "stage-dml-fct-orders-v2")
            .unwrap();
        s["spec"]["statement"] = serde_json::json!("INSERT INTO fct_orders_v2 SELECT 1");
    });
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(
        err.contains("statement `stage-dml-fct-orders-v2` exists with different SQL"),
        "{err}"
    );
}

#[test]
fn a_failed_statement_stops_the_deploy_with_its_own_error() {
    let server = Server::start();
    let repo = release(", 'FAIL_ME'");
    repo.write("greenlight.yaml", &config(&server, ""));
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(err.contains("statement `stage-dml-int-orders-enriched-v2` is FAILED: Table 'missing_table' not found in catalog 'default'"), "{err}");
    assert!(
        err.contains("exception: SQL validation failed. Object 'missing_table' not found"),
        "{err}"
    );
    // Nothing after the failure was created.
    assert!(server.get("stage-ddl-fct-orders-v2").is_none());
}

#[test]
fn throttling_is_retried_and_a_stuck_statement_times_out() {
    let server = Server::start();
    let repo = release(", 'THROTTLE'");
    repo.write("greenlight.yaml", &config(&server, ""));
    ok(&repo, &["deploy", "--env", "stage"]);
    let posts: Vec<String> = server
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("POST"))
        .collect();
    assert!(posts.len() > 2);
    assert_eq!(
        server.get("stage-dml-int-orders-enriched-v2").unwrap()["status"]["phase"],
        "RUNNING"
    );

    let server = Server::start();
    let repo = release(", 'STUCK'");
    repo.write("greenlight.yaml", &config(&server, ""));
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(
        err.contains(
            "statement `stage-dml-int-orders-enriched-v2` is not RUNNING after 2s (phase PENDING)"
        ),
        "{err}"
    );
}

#[test]
fn capacity_is_checked_before_anything_is_created() {
    let server = Server::start();
    server.with(|st| {
        st.pool_max = 10;
        st.pool_current = 8;
    });
    let repo = release("");
    repo.write(
        "greenlight.yaml",
        &config(&server, "capacity:\n  max_cfu: 10\n  default_cfu: 1\n"),
    );
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(
        err.contains(
            "not enough capacity: the release needs 6 CFU, the pool has 2 free (8 used of 10)"
        ),
        "{err}"
    );
    assert!(server.calls().iter().all(|c| !c.starts_with("POST")));
    assert!(
        server
            .calls()
            .iter()
            .any(|c| c == "GET /fcpm/v2/compute-pools/lfcp-1")
    );
}

#[test]
fn missing_secrets_and_environments_are_named_not_printed() {
    let server = Server::start();
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(["deploy", "--env", "stage"])
        .current_dir(repo.path())
        .env_remove("FLINK_API_KEY")
        .env_remove("FLINK_API_SECRET")
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("environment variable FLINK_API_KEY is not set"),
        "{err}"
    );
    let err = fails(&repo, &["deploy", "--env", "prod"]);
    assert!(
        err.contains("no environment `prod` in the config (known: stage)"),
        "{err}"
    );
    repo.write("greenlight.yaml", &config(&server, "    api_key: oops\n"));
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(err.contains("unknown field `api_key`"), "{err}");
}

#[test]
fn validate_promote_rollback_and_cleanup() {
    let server = Server::start();
    seed_blue(&server);
    // A blue statement named by hand, found by its SQL on a later page.
    for i in 0..105 {
        server.seed(
            &format!("other-{i}"),
            "INSERT INTO elsewhere SELECT 1",
            "RUNNING",
        );
    }
    server.seed(
        "hand-named-hourly",
        "INSERT INTO fct_hourly_revenue SELECT 1",
        "RUNNING",
    );
    server.with(|st| {
        st.answers = vec![
            ("COUNT(*) AS n FROM (".into(), vec![vec!["0".into()]]),
            ("FROM `fct_orders_v2` /*".into(), vec![vec!["90".into()]]),
            ("COUNT(*)".into(), vec![vec!["100".into()]]),
            ("MAX(".into(), vec![vec!["2026-01-01 00:00:00.000".into()]]),
        ];
    });
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    ok(&repo, &["deploy", "--env", "stage"]);

    // Validation: fct_orders_v2 has 90 records where blue has 100.
    let o = run(
        &repo,
        &[
            "validate",
            "--env",
            "stage",
            "--format",
            "json",
            "--markdown-out",
            "report.md",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("validation failed: 1 of"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], false);
    let failed: Vec<&serde_json::Value> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["table"], "fct_orders_v2");
    assert_eq!(failed[0]["check"], "count");
    let md = repo.read("report.md");
    assert!(
        md.contains(
            "| `fct_orders_v2` | count | 100 | 90 | <= 0.00% | **FAIL** differ by 10.00% |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| `int_orders_enriched_v2` | duplicates |"),
        "{md}"
    );
    assert!(md.contains("freshness(order_ts)"), "{md}");
    // The validation statements are bounded and cleaned up.
    server.with(|st| {
        assert!(st.requests.iter().any(|r| {
            r.body
                .contains("OPTIONS('scan.bounded.mode' = 'latest-offset')")
        }));
        assert!(
            st.statements
                .iter()
                .all(|s| !s["name"].as_str().unwrap().contains("-validate-"))
        );
    });
    server.with(|st| st.answers.remove(1));
    let (out, _) = ok(&repo, &["validate", "--env", "stage"]);
    assert!(
        out.starts_with("## greenlight validate: stage passed"),
        "{out}"
    );

    // Promote: blue DMLs stopped (by name, or found by their SQL).
    let (out, _) = ok(&repo, &["promote", "--env", "stage"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"stopped stage-dml-fct-orders"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"stopped hand-named-hourly"),
        "{actions:?}"
    );
    assert_eq!(
        server.get("stage-dml-int-orders-enriched").unwrap()["spec"]["stopped"],
        true
    );
    assert_eq!(
        server.get("stage-dml-int-orders-enriched-v2").unwrap()["spec"]["stopped"],
        false
    );
    assert!(
        server.calls().iter().any(|c| c.contains("page_token"))
            || server.with(|st| st.requests.iter().any(|r| r.path.contains("page_token=")))
    );

    // Rollback: green stopped and deleted, green tables dropped, blue resumed.
    let (out, _) = ok(&repo, &["rollback", "--env", "stage"]);
    assert!(
        out.contains("deleted stage-dml-int-orders-enriched-v2"),
        "{out}"
    );
    assert!(server.get("stage-dml-int-orders-enriched-v2").is_none());
    assert!(server.names().iter().all(|n| !n.ends_with("-v2")));
    assert_eq!(
        server.get("stage-dml-int-orders-enriched").unwrap()["spec"]["stopped"],
        false
    );
    assert_eq!(
        server.get("stage-dml-int-orders-enriched").unwrap()["status"]["phase"],
        "RUNNING"
    );
    server.with(|st| {
        let drops: Vec<&str> = st
            .requests
            .iter()
            .filter(|r| r.method == "POST" && r.body.contains("DROP "))
            .map(|r| r.body.as_str())
            .collect();
        assert!(
            drops
                .iter()
                .any(|b| b.contains("DROP TABLE IF EXISTS `int_orders_enriched_v2`")),
            "{drops:?}"
        );
        assert!(
            drops
                .iter()
                .any(|b| b.contains("DROP VIEW IF EXISTS `v_customer_360_v2`")),
            "{drops:?}"
        );
        // Downstream first.
        let at = |t: &str| drops.iter().position(|b| b.contains(t)).unwrap();
        assert!(at("`v_customer_360_v2`") < at("`int_orders_enriched_v2`"));
    });

    // Deploy again, promote, clean up.
    ok(&repo, &["deploy", "--env", "stage"]);
    ok(&repo, &["promote", "--env", "stage"]);
    let (out, _) = ok(
        &repo,
        &["cleanup", "--env", "stage", "--older-than", "3650d"],
    );
    assert!(out.contains("younger than"), "{out}");
    assert!(server.get("stage-dml-fct-orders").is_some());
    let (out, _) = ok(&repo, &["cleanup", "--env", "stage", "--older-than", "1d"]);
    assert!(out.contains("dropped fct_orders"), "{out}");
    assert!(server.get("stage-dml-fct-orders").is_none());
    assert!(server.get("stage-dml-fct-orders-v2").is_some());
    server.with(|st| {
        assert!(st.requests.iter().any(|r| {
            r.body
                .contains("DROP TABLE IF EXISTS `int_orders_enriched`")
        }));
    });
}
