//! Source schema evolution on real git repositories: a changed schema file
//! re-versions the tables reading its raw table, after a compatibility
//! check against its earlier versions in git and, optionally, a Schema
//! Registry (a local test server here).
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use crate::common::{impacted, triple};
use crate::fixture::TempRepo;

const SRC_ORDERS: &str = "CREATE TABLE src_orders (id BIGINT, amount DOUBLE);\nINSERT INTO src_orders SELECT id, amount FROM raw_orders;\n";
const INT_TOTALS: &str = "CREATE TABLE int_totals (id BIGINT, total DOUBLE);\nINSERT INTO int_totals SELECT id, amount * 2 AS total FROM src_orders;\n";
const DIM_D: &str = "CREATE TABLE dim_d (id INT);\nINSERT INTO dim_d SELECT id FROM raw_d;\n";

const SCHEMA: &str = "schemas/raw_orders.avsc";
const ID: &str = r#"{"name": "id", "type": "long"}"#;
const AMOUNT: &str = r#"{"name": "amount", "type": "double"}"#;
const CUSTOMER: &str = r#"{"name": "customer_id", "type": "string"}"#;

fn avsc(fields: &[&str]) -> String {
    format!(
        "{{\n  \"type\": \"record\",\n  \"name\": \"Order\",\n  \"namespace\": \"shop\",\n  \"fields\": [\n    {}\n  ]\n}}\n",
        fields.join(",\n    ")
    )
}

fn config(compatibility: &str, registry: &str) -> String {
    format!(
        "schemas:\n  - table: raw_orders\n    file: {SCHEMA}\n    subject: raw_orders-value\n    compatibility: {compatibility}\n{registry}"
    )
}

/// raw_orders -> src_orders -> int_totals; raw_d -> dim_d; tagged v1.
fn project(compatibility: &str, registry: &str, schema: &str) -> TempRepo {
    let repo = TempRepo::new(&[
        ("greenlight.yaml", &config(compatibility, registry)),
        (SCHEMA, schema),
        ("sql/src_orders.sql", SRC_ORDERS),
        ("sql/int_totals.sql", INT_TOTALS),
        ("sql/dim_d.sql", DIM_D),
    ]);
    repo.tag("v1");
    repo
}

/// Runs greenlight with extra environment variables.
fn run_env(repo: &TempRepo, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_greenlight"));
    cmd.args(args).current_dir(repo.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_changes(repo: &TempRepo, code: i32) -> (Value, String) {
    let out = repo.run(&["changes", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    (serde_json::from_str(&stdout(&out)).unwrap(), stderr(&out))
}

fn messages(check: &Value) -> Vec<String> {
    check["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn compatible_change_versions_the_readers_and_their_descendants() {
    let repo = project("FULL_TRANSITIVE", "", &avsc(&[ID, AMOUNT]));
    repo.write(
        SCHEMA,
        &avsc(&[
            ID,
            AMOUNT,
            r#"{"name": "note", "type": ["null", "string"], "default": null}"#,
        ]),
    );
    repo.commit("raw_orders: optional note");
    let (changes, _) = json_changes(&repo, 0);
    assert_eq!(
        impacted(&changes),
        vec![
            triple("int_totals", "int_totals_v2", "descendant"),
            triple("src_orders", "src_orders_v2", "schema"),
        ]
    );
    let check = &changes["schema"][0];
    assert_eq!(check["table"], "raw_orders");
    assert_eq!(check["file"], SCHEMA);
    assert_eq!(check["status"], "changed");
    assert_eq!(check["compatibility"], "FULL_TRANSITIVE");
    assert_eq!(check["readers"], serde_json::json!(["src_orders"]));
    assert_eq!(check["compared"].as_array().unwrap().len(), 1);
    assert_eq!(check["violations"], serde_json::json!([]));

    let text = repo.ok(&["changes"], 0);
    assert!(text.contains("src_orders -> src_orders_v2"), "{text}");
    assert!(text.contains("schema"), "{text}");
    assert!(
        text.contains(
            "raw_orders schemas/raw_orders.avsc (avro, FULL_TRANSITIVE): changed, compared with 1 earlier version(s) - ok"
        ),
        "{text}"
    );
    assert!(
        text.contains("re-versions its readers: src_orders"),
        "{text}"
    );

    // The rewrite follows the plan; afterwards nothing is pending.
    repo.ok(&["rewrite"], 0);
    assert!(repo.read("sql/src_orders.sql").contains("src_orders_v2"));
    assert!(
        repo.read("sql/int_totals.sql")
            .contains("INSERT INTO int_totals_v2")
    );
    assert_eq!(repo.read("sql/dim_d.sql"), DIM_D);
    repo.commit("rewrite");
    repo.ok(&["rewrite", "--check"], 0);
}

#[test]
fn unchanged_and_cosmetic_schemas_version_nothing() {
    let repo = project("FULL_TRANSITIVE", "", &avsc(&[ID, AMOUNT]));
    let (changes, _) = json_changes(&repo, 0);
    assert_eq!(changes["schema"][0]["status"], "unchanged");
    assert!(impacted(&changes).is_empty());
    // A doc and new layout: same records.
    repo.write(
        SCHEMA,
        &avsc(&[ID, AMOUNT]).replace(
            "\"name\": \"Order\",",
            "\"name\": \"Order\", \"doc\": \"orders\",",
        ),
    );
    repo.commit("doc");
    let (changes, _) = json_changes(&repo, 0);
    assert_eq!(changes["schema"][0]["status"], "cosmetic");
    assert!(impacted(&changes).is_empty());
}

#[test]
fn removed_required_field_fails_with_the_field_named() {
    let repo = project("FULL_TRANSITIVE", "", &avsc(&[ID, CUSTOMER, AMOUNT]));
    repo.write(SCHEMA, &avsc(&[ID, AMOUNT]));
    repo.commit("drop customer_id");
    let (changes, err) = json_changes(&repo, 1);
    // The report is printed, with the impact, before the failure.
    assert_eq!(
        impacted(&changes),
        vec![
            triple("int_totals", "int_totals_v2", "descendant"),
            triple("src_orders", "src_orders_v2", "schema"),
        ]
    );
    let check = &changes["schema"][0];
    assert_eq!(
        messages(check),
        vec![
            "field customer_id: removed without a default (FORWARD: a reader of the old schema cannot read new records)"
        ]
    );
    assert_eq!(check["violations"][0]["field"], "customer_id");
    assert_eq!(check["violations"][0]["rule"], "forward");
    assert!(err.contains("error: source schema check failed"), "{err}");
    assert!(
        err.contains("field customer_id: removed without a default"),
        "{err}"
    );

    let out = repo.run(&["changes"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("- FAILED"), "{text}");
    assert!(
        text.contains("error: field customer_id: removed without a default (FORWARD"),
        "{text}"
    );

    // The PR comment shows the violation among its warnings.
    let md = stdout(&repo.run(&["plan", "--format", "markdown"]));
    assert!(
        md.contains("> - schema of `raw_orders`")
            && md.contains("field customer_id: removed without a default (FORWARD"),
        "{md}"
    );

    // Removing a field is a backward-compatible change.
    repo.write("greenlight.yaml", &config("BACKWARD", ""));
    repo.commit("backward only");
    let (changes, _) = json_changes(&repo, 0);
    assert_eq!(changes["schema"][0]["violations"], serde_json::json!([]));
}

#[test]
fn type_change_fails_both_ways() {
    let repo = project("FULL", "", &avsc(&[ID, AMOUNT]));
    repo.write(
        SCHEMA,
        &avsc(&[ID, r#"{"name": "amount", "type": "string"}"#]),
    );
    repo.commit("amount as text");
    let (changes, _) = json_changes(&repo, 1);
    assert_eq!(
        messages(&changes["schema"][0]),
        vec![
            "field amount: type changed from `double` to `string` (BACKWARD: a reader of the new schema cannot read old records)",
            "field amount: type changed from `double` to `string` (FORWARD: a reader of the old schema cannot read new records)",
        ]
    );
}

#[test]
fn transitive_mode_checks_every_earlier_version() {
    // v1: {id}; v2 adds `note` with a default; v3 drops that default and
    // adds `extra` with one. v3 reads v2's records, not v1's.
    let repo = project("FULL_TRANSITIVE", "", &avsc(&[ID]));
    let v1 = repo
        .git(&["rev-parse", "--short=8", "HEAD"])
        .trim()
        .to_string();
    repo.write(
        SCHEMA,
        &avsc(&[ID, r#"{"name": "note", "type": "string", "default": ""}"#]),
    );
    repo.commit("note with a default");
    repo.tag("v2");
    repo.write(
        SCHEMA,
        &avsc(&[
            ID,
            r#"{"name": "note", "type": "string"}"#,
            r#"{"name": "extra", "type": "int", "default": 0}"#,
        ]),
    );
    repo.commit("note required, extra");
    let (changes, _) = json_changes(&repo, 1);
    let check = &changes["schema"][0];
    assert_eq!(check["compared"].as_array().unwrap().len(), 2);
    assert_eq!(check["compared"][1]["short"], v1.as_str());
    assert_eq!(check["compared"][1]["back"], 2);
    assert_eq!(
        messages(check),
        vec![
            "field note: added without a default (BACKWARD: a reader of the new schema cannot read old records)"
        ]
    );
    assert_eq!(check["violations"][0]["against"], serde_json::json!([v1]));
    assert_eq!(
        impacted(&changes),
        vec![
            triple("int_totals", "int_totals_v2", "descendant"),
            triple("src_orders", "src_orders_v2", "schema"),
        ]
    );

    // FULL compares with the latest earlier version only: it passes.
    repo.write("greenlight.yaml", &config("FULL", ""));
    repo.commit("FULL");
    let (changes, _) = json_changes(&repo, 0);
    let check = &changes["schema"][0];
    assert_eq!(check["compared"].as_array().unwrap().len(), 1);
    assert_eq!(check["violations"], serde_json::json!([]));
}

#[test]
fn unparseable_schema_names_the_file_and_the_problem() {
    let repo = project("FULL_TRANSITIVE", "", &avsc(&[ID, AMOUNT]));
    repo.write(
        SCHEMA,
        "{\"type\": \"record\", \"name\": \"Order\", \"fields\": [\n",
    );
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("schemas/raw_orders.avsc: not a valid Avro schema (schema of `raw_orders`)"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("json"), "{err}");

    // Valid JSON, invalid Avro: the missing field type is named.
    repo.write(
        SCHEMA,
        r#"{"type": "record", "name": "Order", "fields": [{"name": "id"}]}"#,
    );
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("schemas/raw_orders.avsc: not a valid Avro schema"),
        "{err}"
    );

    repo.remove(SCHEMA);
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("schemas/raw_orders.avsc: schema file of `raw_orders` not found"),
        "{err}"
    );
}

#[test]
fn unknown_config_keys_are_refused() {
    let repo = project("FULL", "", &avsc(&[ID]));
    repo.write(
        "greenlight.yaml",
        &config(
            "FULL",
            "schema_registry:\n  url: http://127.0.0.1:1\n  api_secret: oops\n",
        ),
    );
    let err = repo.fails(&["changes"]);
    assert!(err.contains("unknown field `api_secret`"), "{err}");
}

// ---- Schema Registry -------------------------------------------------------

const MEDIA: &str = "application/vnd.schemaregistry.v1+json";

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    content_type: Option<String>,
    authorization: Option<String>,
    body: String,
}

/// A canned answer: (method, url, status, body).
type Route = (&'static str, String, u16, String);

/// A local Schema Registry stand-in. It answers the routes it is given,
/// refuses a POST without the registry's content type (415) or without a
/// JSON body holding `schema` and `schemaType` (422), and records every
/// request.
struct Registry {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Registry {
    fn start(routes: Vec<Route>) -> Registry {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while !stop2.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                let Ok(Some(mut req)) = server.recv_timeout(Duration::from_millis(50)) else {
                    continue;
                };
                let header = |name: &str| {
                    req.headers()
                        .iter()
                        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                        .map(|h| h.value.as_str().to_string())
                };
                let mut body = String::new();
                let content_type = header("Content-Type");
                let authorization = header("Authorization");
                req.as_reader().read_to_string(&mut body).unwrap();
                let method = req.method().as_str().to_string();
                let url = req.url().to_string();
                seen2.lock().unwrap().push(Seen {
                    method: method.clone(),
                    url: url.clone(),
                    content_type: content_type.clone(),
                    authorization,
                    body: body.clone(),
                });
                let (status, answer) = if method == "POST" && content_type.as_deref() != Some(MEDIA)
                {
                    (
                        415,
                        r#"{"error_code":415,"message":"Unsupported Media Type"}"#.to_string(),
                    )
                } else if method == "POST"
                    && serde_json::from_str::<Value>(&body)
                        .ok()
                        .is_none_or(|v| !v["schema"].is_string() || !v["schemaType"].is_string())
                {
                    (
                        422,
                        r#"{"error_code":42201,"message":"Invalid schema"}"#.to_string(),
                    )
                } else {
                    routes
                        .iter()
                        .find(|(m, u, _, _)| *m == method && *u == url)
                        .map(|(_, _, s, b)| (*s, b.clone()))
                        .unwrap_or((
                            404,
                            r#"{"error_code":404,"message":"HTTP 404 Not Found"}"#.to_string(),
                        ))
                };
                let response = tiny_http::Response::from_string(answer)
                    .with_status_code(status)
                    .with_header(tiny_http::Header::from_bytes("Content-Type", MEDIA).unwrap());
                let _ = req.respond(response);
            }
        });
        Registry {
            url,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn config(&self, required: bool) -> String {
        format!(
            "schema_registry:\n  url: {}\n  api_key_env: GL_TEST_SR_KEY\n  api_secret_env: GL_TEST_SR_SECRET\n  required: {required}\n  timeout_secs: 5\n",
            self.url
        )
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

const SECRET: &str = "s3cr3t-never-printed";
const CREDS: &[(&str, &str)] = &[("GL_TEST_SR_KEY", "key"), ("GL_TEST_SR_SECRET", SECRET)];
const LATEST: &str = "/subjects/raw_orders-value/versions/latest";
const COMPAT: &str = "/compatibility/subjects/raw_orders-value/versions/latest?verbose=true";

fn latest(schema: &str, version: u32) -> String {
    serde_json::json!({"subject": "raw_orders-value", "version": version, "id": 100 + version, "schema": schema})
        .to_string()
}

/// A repository whose schema changes compatibly after the tag.
fn changed_project(registry: &Registry, required: bool) -> (TempRepo, String, String) {
    let old = avsc(&[ID, AMOUNT]);
    let new = avsc(&[
        ID,
        AMOUNT,
        r#"{"name": "note", "type": ["null", "string"], "default": null}"#,
    ]);
    let repo = project("FULL_TRANSITIVE", &registry.config(required), &old);
    repo.write(SCHEMA, &new);
    repo.commit("note");
    (repo, old, new)
}

fn assert_no_secret(out: &Output) {
    assert!(!stdout(out).contains(SECRET) && !stderr(out).contains(SECRET));
}

#[test]
fn registry_client_sends_what_the_registry_expects() {
    let old = avsc(&[ID, AMOUNT]);
    let registry = Registry::start(vec![
        ("GET", LATEST.to_string(), 200, latest(&old, 3)),
        (
            "POST",
            COMPAT.to_string(),
            200,
            r#"{"is_compatible":true,"messages":[]}"#.to_string(),
        ),
    ]);
    let (repo, _, new) = changed_project(&registry, true);
    let out = run_env(&repo, &["changes", "--format", "json"], CREDS);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_no_secret(&out);
    let changes: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let reg = &changes["schema"][0]["registry"];
    assert_eq!(reg["subject"], "raw_orders-value");
    assert_eq!(reg["latest_version"], 3);
    assert_eq!(reg["same_as_file"], false);
    assert_eq!(reg["compatible"], true);

    let seen = registry.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].url.as_str()),
        ("GET", LATEST)
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].url.as_str()),
        ("POST", COMPAT)
    );
    assert_eq!(seen[1].content_type.as_deref(), Some(MEDIA));
    let body: Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"schema": new, "schemaType": "AVRO"})
    );
    // Basic auth from the environment: base64("key:s3cr3t-never-printed").
    for s in &seen {
        assert_eq!(
            s.authorization.as_deref(),
            Some("Basic a2V5OnMzY3IzdC1uZXZlci1wcmludGVk")
        );
    }
}

#[test]
fn registry_refusal_fails_with_its_messages() {
    let registry = Registry::start(vec![
        ("GET", LATEST.to_string(), 200, latest(&avsc(&[ID, AMOUNT]), 3)),
        (
            "POST",
            COMPAT.to_string(),
            200,
            r#"{"is_compatible":false,"messages":["READER_FIELD_MISSING_DEFAULT_VALUE, location:/fields/2"]}"#
                .to_string(),
        ),
    ]);
    let (repo, _, _) = changed_project(&registry, false);
    let out = run_env(&repo, &["changes"], CREDS);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("subject `raw_orders-value` (latest version 3) refuses the new schema: READER_FIELD_MISSING_DEFAULT_VALUE, location:/fields/2"),
        "{text}"
    );
    assert!(
        text.contains("registry `raw_orders-value` v3: incompatible"),
        "{text}"
    );
    assert_no_secret(&out);
}

#[test]
fn schema_changed_in_the_registry_but_not_in_git_is_reported() {
    let file = avsc(&[ID, AMOUNT]);
    let registered = avsc(&[ID, AMOUNT, CUSTOMER]);
    let registry = Registry::start(vec![(
        "GET",
        LATEST.to_string(),
        200,
        latest(&registered, 4),
    )]);
    let repo = project("FULL_TRANSITIVE", &registry.config(false), &file);
    let out = run_env(&repo, &["changes", "--format", "json"], CREDS);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let changes: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let check = &changes["schema"][0];
    assert_eq!(check["status"], "unchanged");
    assert_eq!(check["registry"]["same_as_file"], false);
    assert_eq!(check["violations"][0]["rule"], "drift");
    assert!(
        messages(check)[0].contains(
            "the registry's latest version 4 (id 104) of subject `raw_orders-value` differs from schemas/raw_orders.avsc, which did not change since the base"
        ),
        "{check}"
    );
    // Only the look-up: nothing changed in git, so nothing to check.
    assert_eq!(registry.seen().len(), 1);

    // The same schema as registered (other layout): no drift.
    let registry2 = Registry::start(vec![(
        "GET",
        LATEST.to_string(),
        200,
        latest(&file.replace('\n', ""), 4),
    )]);
    repo.write(
        "greenlight.yaml",
        &config("FULL_TRANSITIVE", &registry2.config(false)),
    );
    repo.commit("other registry");
    let out = run_env(&repo, &["changes", "--format", "json"], CREDS);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn subject_unknown_to_the_registry_fails() {
    let registry = Registry::start(vec![(
        "GET",
        LATEST.to_string(),
        404,
        r#"{"error_code":40401,"message":"Subject 'raw_orders-value' not found."}"#.to_string(),
    )]);
    let (repo, _, _) = changed_project(&registry, false);
    let out = run_env(&repo, &["changes"], CREDS);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("the schema registry does not know subject `raw_orders-value`"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("unknown subject"), "{}", stdout(&out));
}

fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://user:pw@{addr}")
}

#[test]
fn unreachable_registry_warns_when_optional_and_fails_when_required() {
    let url = closed_port_url();
    let registry_cfg = |required: bool| {
        format!("schema_registry:\n  url: {url}\n  required: {required}\n  timeout_secs: 2\n")
    };
    let old = avsc(&[ID, AMOUNT]);
    let repo = project("FULL_TRANSITIVE", &registry_cfg(false), &old);
    repo.write(
        SCHEMA,
        &avsc(&[ID, AMOUNT, r#"{"name": "n", "type": "int", "default": 0}"#]),
    );
    repo.commit("n");
    let out = repo.run(&["changes", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: schema registry at http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("is unreachable"), "{err}");
    assert!(!err.contains("user:pw"), "{err}");
    let changes: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(changes["schema_warnings"].as_array().unwrap().len(), 1);
    // The local check and the impact still happen.
    assert_eq!(changes["impacted"].as_array().unwrap().len(), 2);

    repo.write(
        "greenlight.yaml",
        &config("FULL_TRANSITIVE", &registry_cfg(true)),
    );
    repo.commit("required");
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("error: schema registry at http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("schema_registry.required"), "{err}");
    assert!(!err.contains("user:pw"), "{err}");
}

#[test]
fn missing_credentials_name_the_variable_not_a_value() {
    let registry = Registry::start(vec![]);
    let (repo, _, _) = changed_project(&registry, true);
    let out = run_env(&repo, &["changes"], &[("GL_TEST_SR_KEY", "key")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("`GL_TEST_SR_SECRET` is not set"), "{err}");
    assert!(registry.seen().is_empty());
}

#[test]
fn a_record_renamed_with_an_alias_passes_backward_as_in_the_registry() {
    // The registry's Java check applies the reader's aliases to record
    // names: `Order` -> `Order2` with `aliases: ["shop.Order"]` is
    // BACKWARD compatible, and not FORWARD (the old reader has no alias).
    let repo = project("BACKWARD", "", &avsc(&[ID, AMOUNT]));
    let renamed = avsc(&[ID, AMOUNT]).replace(
        "\"name\": \"Order\",",
        "\"name\": \"Order2\",\n  \"aliases\": [\"shop.Order\"],",
    );
    repo.write(SCHEMA, &renamed);
    repo.commit("raw_orders: Order renamed Order2");
    let (changes, _) = json_changes(&repo, 0);
    assert_eq!(changes["schema"][0]["violations"], serde_json::json!([]));
    repo.write("greenlight.yaml", &config("FORWARD", ""));
    repo.commit("forward");
    let (changes, _) = json_changes(&repo, 1);
    assert_eq!(
        messages(&changes["schema"][0]),
        [
            "schema: record name changed from `Order` to `Order2` (FORWARD: a reader of the old schema cannot read new records)"
        ]
    );
}
