//! `deploy`, `await`, `validate`, `promote`, `rollback`, `cleanup` against
//! the project's own stateful Confluent statements server (`flink_server`),
//! which resolves table names against each statement's catalog and
//! database the way Confluent does.
use std::process::Output;

use serde_json::Value;

use crate::common::root;
use crate::fixture::TempRepo;
use crate::flink_server::{CATALOG, DATABASE, ENV, Fault, ORG, Server};

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

/// Every table of the example at the base (blue names) and its external
/// tables: what a Confluent environment running blue has.
pub(crate) const BASE_TABLES: &[&str] = &[
    "dim_customers",
    "dim_products",
    "fct_hourly_revenue",
    "fct_inventory_snapshot",
    "fct_order_lines",
    "fct_orders",
    "fct_promotion_performance",
    "int_customer_order_stats",
    "int_customer_profiles",
    "int_order_items_v2",
    "int_orders_enriched",
    "int_promotion_usage",
    "int_stock_levels",
    "src_addresses",
    "src_currency_rates",
    "src_customers",
    "src_order_items",
    "src_orders",
    "src_payments",
    "src_products",
    "src_stock_movements",
    "v_customer_360",
    "v_low_stock",
    "addresses",
    "customers",
    "raw-payments",
    "raw_fx_rates",
    "raw_order_items",
    "raw_orders",
    "raw_products",
    "raw_stock_movements",
];

/// A server whose catalog holds the example's blue tables.
pub(crate) fn catalog_server() -> Server {
    let server = Server::start();
    server.seed_tables(BASE_TABLES);
    server
}

pub(crate) fn config(server: &Server, extra: &str) -> String {
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
      catalog_name: {CATALOG}
      database_name: {DATABASE}
      flink_url: {url}
    properties:
      sql.local-time-zone: UTC
    poll:
      timeout_secs: 2
      interval_ms: 5
      max_interval_ms: 20
      http_backoff_ms: 5
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

pub(crate) fn seed_blue(server: &Server) {
    for (n, sql) in BLUE {
        server.seed(n, sql, "RUNNING");
    }
}

#[test]
fn deploy_runs_green_wave_by_wave_resumes_and_leaves_blue_alone() {
    let server = catalog_server();
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
    // The green tables are in the environment's catalog and database.
    for t in [
        "int_orders_enriched_v2",
        "fct_orders_v2",
        "v_customer_360_v2",
    ] {
        assert!(server.has_table(t), "{t} not created");
    }
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
    let server = catalog_server();
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
    let server = catalog_server();
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

    let server = catalog_server();
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
    let server = catalog_server();
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
    let server = catalog_server();
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
    let server = catalog_server();
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

/// Method, path and parsed body of each request so far.
fn requests(server: &Server) -> Vec<(String, String, Value)> {
    server.with(|st| {
        st.requests
            .iter()
            .map(|r| {
                (
                    r.method.clone(),
                    r.path.clone(),
                    serde_json::from_str(&r.body).unwrap_or(Value::Null),
                )
            })
            .collect()
    })
}

/// The answers of validation and readiness queries: blue and green alike.
fn same_answers(server: &Server) {
    server.with(|st| {
        st.answers = vec![
            ("LIKE '%gl-".into(), vec![vec!["2".into()]]),
            ("COUNT(*) AS n FROM (".into(), vec![vec!["0".into()]]),
            ("COUNT(*)".into(), vec![vec!["100".into()]]),
            ("MAX(".into(), vec![vec!["2026-01-01 00:00:00.000".into()]]),
        ];
    });
}

#[test]
fn every_statement_carries_the_catalog_database_and_properties() {
    let server = catalog_server();
    seed_blue(&server);
    same_answers(&server);
    let repo = release("");
    repo.write(
        "greenlight.yaml",
        &config(
            &server,
            "    readiness:\n      interval_secs: 0\n      consecutive_checks: 1\n",
        ),
    );
    ok(&repo, &["deploy", "--env", "stage"]);
    ok(&repo, &["await", "--env", "stage", "--timeout", "10s"]);
    ok(&repo, &["validate", "--env", "stage", "--synthetic", "2"]);
    ok(&repo, &["promote", "--env", "stage"]);
    ok(&repo, &["rollback", "--env", "stage"]);
    ok(&repo, &["deploy", "--env", "stage"]);
    ok(&repo, &["validate", "--env", "stage"]);
    ok(&repo, &["promote", "--env", "stage"]);
    ok(&repo, &["cleanup", "--env", "stage", "--older-than", "1d"]);
    // Every statement created, whatever its kind, and every PUT.
    let mut kinds = std::collections::BTreeSet::new();
    for (method, path, body) in requests(&server) {
        if method != "POST" && method != "PUT" || path.starts_with("/fcpm") {
            continue;
        }
        let name = body["name"].as_str().unwrap().to_string();
        let kind = name.split('-').nth(1).unwrap().to_string();
        let props = &body["spec"]["properties"];
        assert_eq!(props["sql.current-catalog"], CATALOG, "{method} {name}");
        assert_eq!(props["sql.current-database"], DATABASE, "{method} {name}");
        assert_eq!(props["sql.local-time-zone"], "UTC", "{method} {name}");
        kinds.insert(format!("{method} {kind}"));
        // A validation's synthetic records are an INSERT ... VALUES.
        if body["spec"]["statement"]
            .as_str()
            .unwrap()
            .starts_with("INSERT INTO `src_")
        {
            kinds.insert("POST synthetic".into());
        }
    }
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    assert_eq!(
        kinds,
        [
            "POST await",
            "POST ddl",
            "POST dml",
            "POST drop",
            "POST synthetic",
            "POST validate",
            "PUT dml"
        ]
    );
    // What rollback and cleanup dropped is gone from the catalog: green
    // after the rollback (then deployed again), blue after the cleanup.
    assert!(!server.has_table("int_orders_enriched"));
    assert!(!server.has_table("fct_orders"));
    assert!(server.has_table("int_orders_enriched_v2"));
    assert!(server.has_table("src_orders"));
}

#[test]
fn names_resolve_strictly_like_confluent() {
    // Without catalog and database, Confluent resolves names in `default`
    // with no database: the green DDL and any query fail there.
    let server = catalog_server();
    let repo = release("");
    repo.write(
        "greenlight.yaml",
        &config(&server, "")
            .replace(&format!("      catalog_name: {CATALOG}\n"), "")
            .replace(&format!("      database_name: {DATABASE}\n"), ""),
    );
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(
        err.contains("is FAILED: Database 'default.(none)' does not exist"),
        "{err}"
    );
    let env = |catalog: &str| {
        let text = config(&server, "");
        let text = if catalog.is_empty() {
            text.replace(&format!("      catalog_name: {CATALOG}\n"), "")
                .replace(&format!("      database_name: {DATABASE}\n"), "")
        } else {
            text
        };
        greenlight::config::Config::parse(&text)
            .unwrap()
            .environments["stage"]
            .clone()
    };
    use greenlight::flink::Target;
    let client = |e: &greenlight::deploy::Environment| {
        greenlight::flink::confluent::Confluent::with_credentials(
            e,
            (KEY.into(), SECRET.into()),
            None,
        )
        .unwrap()
    };
    let bare = env("");
    let e = client(&bare)
        .query("q1", "SELECT COUNT(*) AS n FROM `src_orders`")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "statement failed: q1: Table (or view) 'default.(none).src_orders' does not exist"
    );
    // With them, the same query reads the table; a qualified name reads
    // it from anywhere.
    server.with(|st| st.answers = vec![("COUNT(*)".into(), vec![vec!["7".into()]])]);
    let full = env(CATALOG);
    let rows = client(&full)
        .query("q2", "SELECT COUNT(*) AS n FROM `src_orders`")
        .unwrap();
    assert_eq!(rows, vec![vec![Value::String("7".into())]]);
    let qualified = format!("SELECT COUNT(*) AS n FROM `{CATALOG}`.`{DATABASE}`.`src_orders`");
    assert!(client(&bare).query("q3", &qualified).is_ok());
    // Drops remove the table of the statement's database only.
    client(&full)
        .query("q4", "DROP TABLE IF EXISTS `src_orders`")
        .unwrap();
    assert!(!server.has_table("src_orders"));
}

#[test]
fn a_500_is_retried_on_requests_that_may_be_repeated() {
    let server = catalog_server();
    seed_blue(&server);
    same_answers(&server);
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    ok(&repo, &["deploy", "--env", "stage"]);
    ok(&repo, &["validate", "--env", "stage"]);
    // A no-op rerun whose GETs meet a 500 each; promote's PUT and
    // rollback's DELETE too: each is sent again and goes through.
    let fault = |method: &'static str, path: &str| Fault {
        method,
        path: path.into(),
        status: 500,
        times: 1,
        ..Fault::default()
    };
    server.with(|st| {
        st.faults = vec![
            fault("GET", "stage-dml-fct-orders-v2"),
            fault("GET", "stage-ddl-int-orders-enriched-v2"),
            fault("PUT", "/stage-dml-fct-orders"),
            fault("DELETE", "/stage-dml-fct-orders-v2"),
        ]
    });
    let (out, _) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(out.lines().all(|l| l.starts_with("skipped")), "{out}");
    ok(&repo, &["promote", "--env", "stage"]);
    assert_eq!(
        server.get("stage-dml-fct-orders").unwrap()["spec"]["stopped"],
        true
    );
    ok(&repo, &["rollback", "--env", "stage"]);
    assert!(server.get("stage-dml-fct-orders-v2").is_none());
    server.with(|st| assert!(st.faults.iter().all(|f| f.times == 0)));
    // A 500 that does not go away: bounded, with a clear error.
    server.with(|st| {
        st.faults = vec![Fault {
            times: 100,
            ..fault("GET", "stage-dml-int-orders-enriched-v2")
        }]
    });
    let before = server.calls().len();
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(
        err.contains("is unreachable: HTTP 500 after 6 attempts: injected failure"),
        "{err}"
    );
    let gets = server.calls()[before..]
        .iter()
        .filter(|c| c.ends_with("/stage-dml-int-orders-enriched-v2"))
        .count();
    assert_eq!(gets, 6);
}

#[test]
fn a_create_whose_answer_was_lost_decides_again_from_what_exists() {
    let dml = "stage-dml-int-orders-enriched-v2";
    let posts_of = |server: &Server| {
        requests(server)
            .iter()
            .filter(|(m, _, b)| m == "POST" && b["name"] == dml)
            .count()
    };
    // Create: the answer is lost behind a proxy (504 once the statement is
    // created): the retried POST gets 409, and the statement is adopted.
    let lost_at_proxy = Fault {
        method: "POST",
        path: "/statements".into(),
        body: format!("\"name\":\"{dml}\""),
        status: 504,
        apply: true,
        times: 1,
        ..Fault::default()
    };
    let server = catalog_server();
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    server.with(|st| st.faults = vec![lost_at_proxy.clone()]);
    ok(&repo, &["deploy", "--env", "stage"]);
    assert_eq!(posts_of(&server), 2);
    assert_eq!(server.get(dml).unwrap()["status"]["phase"], "RUNNING");

    // Replace (a FAILED statement deleted and created again), answer lost
    // the same way: it used to fail on the 409 while the statement ran.
    server.with(|st| {
        let s = st.statements.iter_mut().find(|s| s["name"] == dml).unwrap();
        s["status"]["phase"] = serde_json::json!("FAILED");
        st.faults = vec![lost_at_proxy.clone()];
    });
    let before = posts_of(&server);
    let (out, _) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(
        out.contains(&format!("replaced       RUNNING    {dml}")),
        "{out}"
    );
    assert_eq!(posts_of(&server), before + 2);

    // Replace, answer lost by a timeout (the client gives up after 1 s):
    // not sent again, the statement found and adopted.
    server.with(|st| {
        let s = st.statements.iter_mut().find(|s| s["name"] == dml).unwrap();
        s["status"]["phase"] = serde_json::json!("FAILED");
        st.faults = vec![Fault {
            status: 0,
            delay_ms: 1500,
            ..lost_at_proxy.clone()
        }];
    });
    repo.write(
        "greenlight.yaml",
        &config(&server, "").replace(
            "      http_backoff_ms: 5\n",
            "      http_backoff_ms: 5\n      request_timeout_secs: 1\n",
        ),
    );
    let before = posts_of(&server);
    let (out, _) = ok(&repo, &["deploy", "--env", "stage"]);
    assert!(
        out.contains(&format!("replaced       RUNNING    {dml}")),
        "{out}"
    );
    assert_eq!(posts_of(&server), before + 1);
    assert_eq!(server.names().iter().filter(|n| *n == dml).count(), 1);

    // A 500 before anything was created: decided again (nothing there),
    // created; a 500 every time: a bounded number of creates, then a
    // clear error.
    server.with(|st| {
        st.statements.retain(|s| s["name"] != dml);
        st.faults = vec![Fault {
            status: 500,
            apply: false,
            delay_ms: 0,
            ..lost_at_proxy.clone()
        }];
    });
    repo.write("greenlight.yaml", &config(&server, ""));
    let before = posts_of(&server);
    ok(&repo, &["deploy", "--env", "stage"]);
    assert_eq!(posts_of(&server), before + 2);
    server.with(|st| {
        st.statements.retain(|s| s["name"] != dml);
        st.faults = vec![Fault {
            status: 500,
            apply: false,
            times: 100,
            ..lost_at_proxy.clone()
        }];
    });
    let before = posts_of(&server);
    let err = fails(&repo, &["deploy", "--env", "stage"]);
    assert!(
        err.contains(&format!("cannot create `{dml}`: "))
            && err.contains("the statement may have been created (3 attempts)"),
        "{err}"
    );
    assert_eq!(posts_of(&server), before + 3);
}

#[test]
fn loops_over_server_answers_are_bounded() {
    // A server that answers 200 to every statement name: the `-2`, `-3`
    // lookups stop at a bound.
    let server = catalog_server();
    seed_blue(&server);
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    ok(&repo, &["deploy", "--env", "stage"]);
    server.with(|st| st.every_name_exists = true);
    let before = server.calls().len();
    let err = fails(&repo, &["promote", "--env", "stage", "--force"]);
    assert!(
        err.contains("more than 100 statements named like `stage-dml-"),
        "{err}"
    );
    assert!(server.calls().len() - before < 300);

    // A statement list whose next page is always the same page.
    server.with(|st| {
        st.every_name_exists = false;
        st.repeat_page_token = true;
    });
    let err = fails(&repo, &["promote", "--env", "stage", "--force"]);
    assert!(
        err.contains("the server sent page token `again` twice (a paging loop)"),
        "{err}"
    );
}

#[test]
fn await_waits_until_green_caught_up_on_consecutive_checks() {
    let server = catalog_server();
    seed_blue(&server);
    same_answers(&server);
    // Green's fct_orders is behind: 90 records where blue has 100, an hour
    // behind.
    server.with(|st| {
        st.answers.insert(
            0,
            (
                "COUNT(*) AS n FROM `fct_orders_v2`".into(),
                vec![vec!["90".into()]],
            ),
        );
        st.answers.insert(
            0,
            (
                "MAX(`order_ts`) AS STRING) AS t FROM `fct_orders_v2`".into(),
                vec![vec!["2025-12-31 23:00:00.000".into()]],
            ),
        );
    });
    let repo = release("");
    repo.write(
        "greenlight.yaml",
        &config(
            &server,
            "    validate:\n      max_lag_secs: 60\n      event_time: {fct_orders: order_ts}\n    readiness:\n      interval_secs: 1\n      consecutive_checks: 2\n",
        ),
    );
    ok(&repo, &["deploy", "--env", "stage"]);
    let o = run(&repo, &["await", "--env", "stage", "--timeout", "2s"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("check 1 (") && err.contains("tables caught up; behind: fct_orders_v2 (count: differ by 10.00%; freshness(order_ts): green lags blue by 3600s)"),
        "{err}"
    );
    assert!(
        err.contains("green has not caught up with blue on `stage` within 2s: still behind: fct_orders_v2 (count: differ by 10.00%; freshness(order_ts): green lags blue by 3600s)"),
        "{err}"
    );
    // Green catches up a moment later: two checks in a row pass.
    let state = server.state.clone();
    let catch_up = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        state.lock().unwrap().answers.drain(..2);
    });
    let (out, err) = ok(&repo, &["await", "--env", "stage", "--timeout", "20s"]);
    catch_up.join().unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ready"], true);
    assert!(v["checks"].as_u64().unwrap() >= 3, "{out}");
    assert!(err.contains("behind: fct_orders_v2"), "{err}");
    assert!(err.contains("(1 of 2 checks in a row)"), "{err}");
    assert!(err.contains("(2 of 2 checks in a row)"), "{err}");
}

#[test]
fn promote_requires_a_passed_validation_of_this_deployment() {
    let server = catalog_server();
    seed_blue(&server);
    same_answers(&server);
    let repo = release("");
    repo.write("greenlight.yaml", &config(&server, ""));
    ok(&repo, &["deploy", "--env", "stage"]);
    let err = fails(&repo, &["promote", "--env", "stage"]);
    assert!(
        err.contains("cannot promote `stage`: this deployment has not been validated (.greenlight/stage-validation.json is missing)"),
        "{err}"
    );
    // Nothing stopped.
    assert_eq!(
        server.get("stage-dml-fct-orders").unwrap()["spec"]["stopped"],
        false
    );
    // A failed validation blocks it too, naming the failed checks.
    server.with(|st| {
        st.answers.insert(
            0,
            ("FROM `fct_orders_v2` /*".into(), vec![vec!["90".into()]]),
        )
    });
    fails(&repo, &["validate", "--env", "stage"]);
    let err = fails(&repo, &["promote", "--env", "stage"]);
    assert!(
        err.contains("the last validation failed: fct_orders_v2: count (differ by 10.00%)"),
        "{err}"
    );
    // A green statement created after the validation: validate again.
    server.with(|st| st.answers.remove(0));
    ok(&repo, &["validate", "--env", "stage"]);
    server.with(|st| {
        let s = st
            .statements
            .iter_mut()
            .find(|s| s["name"] == "stage-dml-fct-orders-v2")
            .unwrap();
        s["metadata"]["created_at"] = serde_json::json!("2999-01-01T00:00:00Z");
    });
    let err = fails(&repo, &["promote", "--env", "stage"]);
    assert!(
        err.contains(
            "green statement `stage-dml-fct-orders-v2` was created after the last validation"
        ),
        "{err}"
    );
    // --force goes on, and says so.
    let (_, err) = ok(&repo, &["promote", "--env", "stage", "--force"]);
    assert!(
        err.contains("--force: promoting without a passed validation"),
        "{err}"
    );
    assert_eq!(
        server.get("stage-dml-fct-orders").unwrap()["spec"]["stopped"],
        true
    );
}

#[test]
fn a_statement_set_is_started_once_even_across_waves() {
    // One statement set writes `a` and `b`; `b` reads `mid`, which reads
    // `a`: the set's tables land in waves 1 and 3.
    let repo = TempRepo::new(&[
        ("sql/src.sql", "CREATE TABLE src_x (id STRING, v INT);\n"),
        (
            "sql/tables.sql",
            "CREATE TABLE a (id STRING, v INT);\nCREATE TABLE b (id STRING, v INT);\nCREATE TABLE mid (id STRING, v INT);\n",
        ),
        ("sql/mid.sql", "INSERT INTO mid SELECT id, v FROM a;\n"),
        (
            "sql/set.sql",
            "EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO a SELECT id, v FROM src_x;\n  INSERT INTO b SELECT id, v FROM mid;\nEND;\n",
        ),
    ]);
    repo.tag("v1");
    repo.edit("sql/set.sql", |s| {
        s.replace("SELECT id, v FROM src_x", "SELECT id, v + 1 FROM src_x")
    });
    repo.commit("a: v + 1");
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    let server = Server::start();
    server.seed_tables(&["src_x", "a", "b", "mid"]);
    repo.write("greenlight.yaml", &config(&server, ""));
    let (plan, _) = ok(&repo, &["plan", "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let waves: Vec<Vec<String>> = serde_json::from_value(plan["waves"].clone()).unwrap();
    assert_eq!(
        waves,
        [vec!["a_v2"], vec!["mid_v2"], vec!["b_v2"]],
        "{plan}"
    );
    ok(&repo, &["deploy", "--env", "stage"]);
    let posts: Vec<(String, String)> = requests(&server)
        .into_iter()
        .filter(|(m, _, _)| m == "POST")
        .map(|(_, _, b)| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["spec"]["statement"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let sets: Vec<&(String, String)> = posts
        .iter()
        .filter(|(_, sql)| sql.starts_with("EXECUTE STATEMENT SET"))
        .collect();
    assert_eq!(sets.len(), 1, "{posts:#?}");
    let (name, sql) = sets[0];
    assert_eq!(name, "stage-dml-b-v2");
    assert!(sql.ends_with("END"), "{sql}");
    assert!(
        sql.contains("INSERT INTO a_v2") && sql.contains("INSERT INTO b_v2"),
        "{sql}"
    );
    // After the DDLs of every table it writes.
    let at = |n: &str| posts.iter().position(|(x, _)| x == n).unwrap();
    assert!(at("stage-ddl-b-v2") < at("stage-dml-b-v2"));
    assert!(at("stage-ddl-a-v2") < at("stage-dml-b-v2"));
    assert!(at("stage-dml-mid-v2") < at("stage-dml-b-v2"));
    assert_eq!(
        server.get("stage-dml-b-v2").unwrap()["status"]["phase"],
        "RUNNING"
    );
    // The plan named these statements as deploy did, blue and green, from
    // the one naming rule (issue 14.6): every statement deploy created is
    // some table's green statement in the plan.
    let planned: Vec<(String, Value)> = plan["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["green"].as_str().unwrap().to_string(),
                i["statements"]["stage"].clone(),
            )
        })
        .collect();
    let green = |t: &str| planned.iter().find(|(g, _)| g == t).unwrap().1["green"].clone();
    let blue = |t: &str| planned.iter().find(|(g, _)| g == t).unwrap().1["blue"].clone();
    assert_eq!(green("a_v2"), serde_json::json!(["stage-ddl-a-v2"]));
    assert_eq!(
        green("b_v2"),
        serde_json::json!(["stage-ddl-b-v2", "stage-dml-b-v2"])
    );
    assert_eq!(
        blue("b_v2"),
        serde_json::json!(["stage-ddl-b", "stage-dml-b"])
    );
    let all_planned: Vec<String> = planned
        .iter()
        .flat_map(|(_, n)| n["green"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for (name, _) in &posts {
        assert!(
            all_planned.contains(name),
            "{name} not in the plan: {all_planned:?}"
        );
    }
    // The PR comment shows them.
    let (md, _) = ok(&repo, &["plan", "--format", "markdown"]);
    assert!(md.contains("Green statements (`stage`)"), "{md}");
    assert!(md.contains("`stage-ddl-b-v2`, `stage-dml-b-v2`"), "{md}");
}
