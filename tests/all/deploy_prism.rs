//! The deploy clients' requests checked against the vendors' own API
//! descriptions with Prism (`tools/prism`, `npm ci` there): a malformed
//! request gets 422 from the validating mock.
//!
//! Skipped with a printed reason when Prism is not installed, unless
//! `GREENLIGHT_REQUIRE_PRISM=1` (CI), where a missing Prism fails.
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use greenlight::config::Config;
use greenlight::flink::confluent::Confluent;
use greenlight::flink::{NewStatement, Target, TargetError};

use crate::common::root;

pub(crate) fn prism_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("GREENLIGHT_PRISM") {
        return Some(PathBuf::from(p));
    }
    let p = root().join("tools/prism/node_modules/.bin/prism");
    p.exists().then_some(p)
}

/// Prism, or None (skip) when it is not installed and not required.
pub(crate) fn prism_or_skip(test: &str) -> Option<PathBuf> {
    match prism_bin() {
        Some(p) => Some(p),
        None if std::env::var("GREENLIGHT_REQUIRE_PRISM").as_deref() == Ok("1") => {
            panic!(
                "{test}: Prism is required (GREENLIGHT_REQUIRE_PRISM=1) but tools/prism is not installed: run `npm ci` in tools/prism"
            )
        }
        None => {
            eprintln!("SKIPPED {test}: Prism is not installed (run `npm ci` in tools/prism)");
            None
        }
    }
}

pub(crate) struct Prism {
    child: Child,
    pub url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `prism mock` (args: `["mock", spec]`) or `prism proxy` on a free port.
pub(crate) fn start(bin: &PathBuf, args: &[&str]) -> Prism {
    let port = free_port();
    let child = Command::new(bin)
        .args(args)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--errors"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prism starts");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "prism did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Prism {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn spec(name: &str) -> String {
    root()
        .join("tests/fixtures/specs")
        .join(name)
        .display()
        .to_string()
}

/// Fails on a 422 (the request broke the contract) or an unknown path.
fn contract<T: std::fmt::Debug>(what: &str, r: Result<T, TargetError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(TargetError::Refused { status, detail, .. }) if status == 422 || status == 404 => {
            panic!("{what}: the mock refused the request ({status}): {detail}")
        }
        // The mock's own example answers may break the spec: only
        // violations in the request count here.
        Err(TargetError::Refused {
            status: 500,
            detail,
            ..
        }) if !detail.is_empty() && detail.split("; ").all(|v| v.starts_with("response")) => None,
        // The same once retried (a 500 of a GET), or for a create (a 500
        // there means "may have been created").
        Err(TargetError::Unavailable { reason, .. }) if only_response_violations(&reason) => None,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// `HTTP 500[ after N attempts]: v1; v2; ...` where every violation is in
/// the mock's answer, not in the request.
fn only_response_violations(reason: &str) -> bool {
    let Some(rest) = reason.strip_prefix("HTTP 500") else {
        return false;
    };
    let Some((_, list)) = rest.split_once(": ") else {
        return false;
    };
    list.split("; ")
        .filter(|v| !v.starts_with("the statement may have been created"))
        .all(|v| v.starts_with("response"))
}

#[test]
fn confluent_requests_pass_the_confluent_spec() {
    let Some(bin) = prism_or_skip("confluent_requests_pass_the_confluent_spec") else {
        return;
    };
    // Dynamic answers (generated from the schemas): the spec's own
    // examples do not all pass its schemas.
    let sql = start(
        &bin,
        &["mock", "-d", &spec("confluent-flink-sql-v1.openapi.yaml")],
    );
    let pools = start(
        &bin,
        &[
            "mock",
            &spec("confluent-flink-compute-pools-v2.openapi.yaml"),
        ],
    );
    let config = Config::parse(&format!(
        "environments:
  stage:
    confluent_cloud:
      organization_id: 8b0c8e2a-1f7d-4a3e-9d4e-2f4b6c8d0e1f
      environment_id: env-abc123
      provider: aws
      region: us-west-2
      api_url: {}
    flink:
      compute_pool_id: lfcp-00000
      catalog_name: env
      database_name: cluster
      principal: sa-abc123
      flink_url: {}
",
        pools.url, sql.url
    ))
    .unwrap();
    let env = &config.environments["stage"];
    let mut c = Confluent::with_credentials(
        env,
        ("key".into(), "secret".into()),
        Some(("ckey".into(), "csecret".into())),
    )
    .unwrap();
    c.set_backoff(Duration::from_millis(1));
    let mut props = std::collections::BTreeMap::new();
    props.insert("sql.current-catalog".to_string(), "env".to_string());
    let created = contract(
        "create",
        c.create(&NewStatement {
            name: "stage-dml-int-orders-enriched-v2".into(),
            sql: "INSERT INTO int_orders_enriched_v2 SELECT * FROM src_orders".into(),
            properties: props,
        }),
    );
    let _ = created;
    contract("get", c.get("stage-dml-int-orders-enriched-v2"));
    contract("list", c.list());
    // Stop and resume PUT the statement as read, with `spec.stopped` set.
    let mut read = serde_json::json!({
        "api_version": "sql/v1", "kind": "Statement",
        "name": "stage-dml-int-orders-enriched-v2",
        "organization_id": "8b0c8e2a-1f7d-4a3e-9d4e-2f4b6c8d0e1f",
        "environment_id": "env-abc123",
        "metadata": {"self": "https://flink.us-west-2.aws.confluent.cloud/sql/v1/environments/env-abc123/statements/x",
                     "created_at": "2026-01-01T00:00:00Z", "resource_version": "a23av", "uid": "u1"},
        "spec": {"statement": "INSERT INTO int_orders_enriched_v2 SELECT * FROM src_orders",
                 "properties": {"sql.current-catalog": "env"}, "compute_pool_id": "lfcp-00000",
                 "principal": "sa-abc123", "stopped": false, "execution_mode": "streaming"},
        "status": {"phase": "RUNNING", "detail": ""}
    });
    contract(
        "stop",
        c.put_stopped("stage-dml-int-orders-enriched-v2", &mut read, true),
    );
    contract(
        "resume",
        c.put_stopped("stage-dml-int-orders-enriched-v2", &mut read, false),
    );
    contract(
        "exceptions",
        c.exceptions("stage-dml-int-orders-enriched-v2"),
    );
    contract("delete", c.delete("stage-dml-int-orders-enriched-v2"));
    let cap = contract("capacity", c.capacity()).unwrap().unwrap();
    assert!(cap.max > 0.0);
    // A malformed request is refused by the mock: the check is live.
    let bad = c.create(&NewStatement {
        // `name` is at most 100 characters.
        name: "a".repeat(101),
        sql: "SELECT 1".into(),
        properties: Default::default(),
    });
    assert!(
        matches!(bad, Err(TargetError::Refused { status: 422, .. })),
        "{bad:?}"
    );
}

/// The whole lifecycle against the project's strict Confluent stand-in
/// (`flink_server`: names resolved against each statement's catalog and
/// database) behind `prism proxy` with Confluent's specs: every request
/// greenlight sends, and every answer the stand-in gives, is checked
/// against the vendor's description (`--errors`: a violation fails).
#[test]
fn the_lifecycle_through_prism_proxy_in_front_of_the_stand_in() {
    let Some(bin) = prism_or_skip("the_lifecycle_through_prism_proxy_in_front_of_the_stand_in")
    else {
        return;
    };
    let server = crate::flink_server::Server::start();
    server.seed_tables(crate::deploy_confluent::BASE_TABLES);
    server.seed(
        "stage-dml-fct-orders",
        "INSERT INTO fct_orders SELECT * FROM int_orders_enriched",
        "RUNNING",
    );
    server.with(|st| {
        st.answers = vec![
            ("COUNT(*) AS n FROM (".into(), vec![vec!["0".into()]]),
            ("COUNT(*)".into(), vec![vec!["100".into()]]),
            ("MAX(".into(), vec![vec!["2026-01-01 00:00:00.000".into()]]),
        ];
    });
    let sql = start(
        &bin,
        &[
            "proxy",
            &spec("confluent-flink-sql-v1.openapi.yaml"),
            &server.url,
        ],
    );
    let pools = start(
        &bin,
        &[
            "proxy",
            &spec("confluent-flink-compute-pools-v2.openapi.yaml"),
            &server.url,
        ],
    );
    let repo = crate::fixture::TempRepo::from_dir(&root().join("testdata/example"));
    repo.tag("v1.0.0");
    let dml =
        "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";
    repo.edit(dml, |s| {
        s.replace(
            "WHERE o.order_status <> 'DRAFT'",
            "WHERE o.order_status NOT IN ('DRAFT', 'CANCELLED')",
        )
    });
    repo.commit("exclude cancelled orders");
    repo.ok(&["rewrite"], 0);
    repo.commit("rewrite");
    repo.write(
        "greenlight.yaml",
        &format!(
            "environments:
  stage:
    confluent_cloud:
      organization_id: {org}
      environment_id: {env}
      provider: aws
      region: us-west-2
      api_url: {pools}
    flink:
      compute_pool_id: lfcp-00000
      catalog_name: {cat}
      database_name: {db}
      principal: sa-abc123
      flink_url: {sql}
    properties:
      sql.local-time-zone: UTC
    poll: {{timeout_secs: 5, interval_ms: 5, max_interval_ms: 20, http_backoff_ms: 5}}
    readiness: {{interval_secs: 0, consecutive_checks: 1}}
",
            org = crate::flink_server::ORG,
            env = crate::flink_server::ENV,
            cat = crate::flink_server::CATALOG,
            db = crate::flink_server::DATABASE,
            pools = pools.url,
            sql = sql.url,
        ),
    );
    let run = |args: &[&str]| {
        crate::common::with_credentials_ok(repo.path(), args);
    };
    for args in [
        &["deploy", "--env", "stage"][..],
        &["await", "--env", "stage", "--timeout", "30s"],
        &["validate", "--env", "stage", "--synthetic", "1"],
        &["promote", "--env", "stage"],
        &["rollback", "--env", "stage"],
        &["deploy", "--env", "stage"],
        &["validate", "--env", "stage"],
        &["promote", "--env", "stage"],
        &["cleanup", "--env", "stage", "--older-than", "1d"],
    ] {
        run(args);
    }
    // Everything went through the proxies: creates, reads, PUTs,
    // deletes, results, the pool.
    let calls = server.calls();
    for m in ["POST", "GET", "PUT", "DELETE"] {
        assert!(calls.iter().any(|c| c.starts_with(m)), "no {m}: {calls:?}");
    }
    assert!(calls.iter().any(|c| c.ends_with("/results")));
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("GET /fcpm/v2/compute-pools/"))
    );
    assert!(!server.has_table("fct_orders"));
    assert!(server.has_table("fct_orders_v2"));
}

/// An in-place upgrade and its rollback through `prism proxy` in front of
/// the stand-in: the new statement's properties (with
/// `sql.tables.initial-offset-from`), the stop, the delete of the replaced
/// statement are all requests of Confluent's spec.
#[test]
fn an_in_place_upgrade_through_prism_proxy_in_front_of_the_stand_in() {
    let Some(bin) =
        prism_or_skip("an_in_place_upgrade_through_prism_proxy_in_front_of_the_stand_in")
    else {
        return;
    };
    let server = crate::flink_server::Server::start();
    server.seed_tables(&["src_clicks", "raw_clicks"]);
    server.seed(
        "stage-dml-src-clicks",
        "INSERT INTO src_clicks SELECT * FROM raw_clicks",
        "RUNNING",
    );
    let sql = start(
        &bin,
        &[
            "proxy",
            &spec("confluent-flink-sql-v1.openapi.yaml"),
            &server.url,
        ],
    );
    let repo = crate::fixture::TempRepo::from_dir(&root().join("testdata/clickstream"));
    repo.write(
        "greenlight.yaml",
        &format!(
            "upgrade: auto
environments:
  stage:
    confluent_cloud:
      organization_id: {org}
      environment_id: {env}
      provider: aws
      region: us-west-2
    flink:
      compute_pool_id: lfcp-00000
      catalog_name: {cat}
      database_name: {db}
      principal: sa-abc123
      flink_url: {sql}
    poll: {{timeout_secs: 5, interval_ms: 5, max_interval_ms: 20, http_backoff_ms: 5}}
",
            org = crate::flink_server::ORG,
            env = crate::flink_server::ENV,
            cat = crate::flink_server::CATALOG,
            db = crate::flink_server::DATABASE,
            sql = sql.url,
        ),
    );
    repo.commit("environments");
    repo.tag("v1.0.0");
    repo.edit(
        "pipelines/sources/web/src_clicks/sql-scripts/dml.src_clicks.sql",
        |s| {
            s.replace(
                "WHERE id IS NOT NULL;",
                "WHERE id IS NOT NULL AND agent IS NOT NULL;",
            )
        },
    );
    repo.commit("skip clicks without agent");
    // Without Confluent Cloud credentials: no compute pool check.
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
            .args(args)
            .current_dir(repo.path())
            .env("FLINK_API_KEY", "key")
            .env("FLINK_API_SECRET", "secret")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(&["deploy", "--env", "stage"]);
    let names = server.names();
    assert_eq!(names.len(), 1, "{names:?}");
    let new = names[0].clone();
    assert!(new.starts_with("stage-dml-src-clicks-"), "{new}");
    assert_eq!(
        server.get(&new).unwrap()["spec"]["properties"][crate::flink_server::OFFSETS_FROM],
        "stage-dml-src-clicks"
    );
    run(&["rollback", "--env", "stage"]);
    let names = server.names();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_ne!(names[0], new);
    assert_eq!(
        server.get(&names[0]).unwrap()["spec"]["properties"][crate::flink_server::OFFSETS_FROM],
        new.as_str()
    );
    let calls = server.calls();
    for m in ["POST", "GET", "PUT", "DELETE"] {
        assert!(calls.iter().any(|c| c.starts_with(m)), "no {m}: {calls:?}");
    }
}
