//! A stateful Confluent Cloud Flink statements API of our own, for the
//! lifecycle the spec-driven mock cannot play: PENDING -> RUNNING, FAILED
//! with detail and exceptions, 409 on a taken name, 429 then retry, a
//! statement that never starts, compute pool capacity, bounded queries.
//!
//! It keeps a catalog the way Confluent does: tables are
//! `catalog.database.table`, and a statement's unqualified names resolve
//! against its `sql.current-catalog` (default `default`) and
//! `sql.current-database` (none by default) properties. A statement naming
//! a table that is not there fails with Confluent's error (`Table (or view)
//! 'default.(none).x' does not exist`); `CREATE` adds a table, `DROP`
//! removes it.
//!
//! Carry-over offsets as Confluent does them: a statement created with
//! `sql.tables.initial-offset-from` naming another statement stays PENDING
//! until that one is STOPPED, then starts from its offsets; it fails when
//! the referenced statement does not exist, or when it keeps state (its own
//! check, by keywords: aggregations, joins, OVER, windows, pattern
//! matching, DISTINCT, subqueries) or writes an upsert table (a table
//! created with a primary key and no `'changelog.mode' = 'append'`, or
//! seeded as one). `events` records creates, stops, resumes, deletes and
//! carry-over starts in order.
//!
//! Markers in a statement's SQL choose its fate: `FAIL_ME` fails,
//! `STUCK` stays PENDING, `THROTTLE` gets one 429 before it is accepted.
//! [`Fault`]s make requests fail (a 500, an answer lost after the request
//! was applied), and two switches make the server misbehave: answering 200
//! to every statement name, and sending the same page token forever.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub auth: Option<String>,
    pub body: String,
}

/// A failure injected into matching requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fault {
    pub method: &'static str,
    /// Substring of the path (query included).
    pub path: String,
    /// Substring of the body ("" for any).
    pub body: String,
    /// The answer's status (0: the normal answer, delayed by `delay_ms`).
    pub status: u16,
    /// Whether the request is applied before the failure is answered (an
    /// answer lost on its way back).
    pub apply: bool,
    /// Wait before answering (longer than the client's timeout: lost).
    pub delay_ms: u64,
    /// How many matching requests fail.
    pub times: usize,
}

#[derive(Default)]
pub(crate) struct State {
    /// Existing tables, `catalog.database.table`.
    pub tables: BTreeSet<String>,
    /// Existing databases, `catalog.database`.
    pub databases: BTreeSet<String>,
    /// Tables written as upsert streams, `catalog.database.table`.
    pub upsert_tables: BTreeSet<String>,
    /// `create X`, `stop X`, `resume X`, `delete X`, `start X from Y`, in
    /// order.
    pub events: Vec<String>,
    pub faults: Vec<Fault>,
    /// Answer 200 to a GET of any statement name (a misbehaving server).
    pub every_name_exists: bool,
    /// Send the same `next` page token forever.
    pub repeat_page_token: bool,
    /// Statements in creation order.
    pub statements: Vec<Value>,
    pub requests: Vec<Request>,
    /// Answers of bounded queries: SQL substring -> rows (values as strings).
    pub answers: Vec<(String, Vec<Vec<String>>)>,
    pub pool_max: i64,
    pub pool_current: i64,
    throttled: BTreeMap<String, bool>,
    /// GETs of a statement before it leaves PENDING.
    pub pending_polls: usize,
    polls: BTreeMap<String, usize>,
    seq: u64,
}

pub(crate) struct Server {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

pub(crate) const ORG: &str = "8b0c8e2a-1f7d-4a3e-9d4e-2f4b6c8d0e1f";
/// The catalog and database the tests' environments use.
pub(crate) const CATALOG: &str = "stage-env";
pub(crate) const DATABASE: &str = "stage-cluster";
pub(crate) const ENV: &str = "env-abc123";
const BASE: &str =
    "/sql/v1/organizations/8b0c8e2a-1f7d-4a3e-9d4e-2f4b6c8d0e1f/environments/env-abc123/statements";

impl Server {
    pub(crate) fn start() -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state = Arc::new(Mutex::new(State {
            pool_max: 50,
            pool_current: 0,
            pending_polls: 1,
            ..State::default()
        }));
        let (s2, st2) = (server.clone(), state.clone());
        let handle = std::thread::spawn(move || {
            for mut req in s2.incoming_requests() {
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let auth = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string());
                let method = req.method().to_string();
                let path = req.url().to_string();
                let mut delay = 0;
                let (status, answer, retry) = {
                    let mut st = st2.lock().unwrap();
                    st.requests.push(Request {
                        method: method.clone(),
                        path: path.clone(),
                        auth: auth.clone(),
                        body: body.clone(),
                    });
                    let fault = st.faults.iter_mut().find(|f| {
                        f.times > 0
                            && f.method == method
                            && path.contains(&f.path)
                            && body.contains(&f.body)
                    });
                    let fault = fault.map(|f| {
                        f.times -= 1;
                        f.clone()
                    });
                    if auth.is_none() {
                        (
                            401,
                            failure(401, "Valid authentication credentials must be provided"),
                            false,
                        )
                    } else if let Some(f) = fault {
                        let normal = if f.apply || f.status == 0 {
                            Some(handle(&mut st, &method, &path, &body))
                        } else {
                            None
                        };
                        delay = f.delay_ms;
                        match normal {
                            Some(n) if f.status == 0 => n,
                            _ => (f.status, failure(f.status, "injected failure"), false),
                        }
                    } else {
                        handle(&mut st, &method, &path, &body)
                    }
                };
                if delay > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(delay));
                }
                let mut resp = tiny_http::Response::from_string(answer.to_string())
                    .with_status_code(status)
                    .with_header(
                        tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
                    );
                if retry {
                    resp = resp
                        .with_header(tiny_http::Header::from_bytes("Retry-After", "0").unwrap());
                }
                let _ = req.respond(resp);
            }
        });
        Server {
            url,
            state,
            server,
            handle: Some(handle),
        }
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Adds tables (and their database) to the catalog, as if created
    /// earlier, in `CATALOG`.`DATABASE`.
    pub(crate) fn seed_tables(&self, names: &[&str]) {
        self.with(|st| {
            st.databases.insert(format!("{CATALOG}.{DATABASE}"));
            for n in names {
                st.tables.insert(format!("{CATALOG}.{DATABASE}.{n}"));
            }
        })
    }

    /// Marks tables of `CATALOG`.`DATABASE` as upsert tables (created
    /// with a primary key).
    pub(crate) fn seed_upsert(&self, names: &[&str]) {
        self.with(|st| {
            for n in names {
                st.upsert_tables.insert(format!("{CATALOG}.{DATABASE}.{n}"));
            }
        })
    }

    pub(crate) fn events(&self) -> Vec<String> {
        self.with(|st| st.events.clone())
    }

    /// Whether `CATALOG`.`DATABASE`.`name` exists.
    pub(crate) fn has_table(&self, name: &str) -> bool {
        self.with(|st| st.tables.contains(&format!("{CATALOG}.{DATABASE}.{name}")))
    }

    /// Adds a statement as if deployed earlier (e.g. blue), in `CATALOG`.
    /// `DATABASE`.
    pub(crate) fn seed(&self, name: &str, sql: &str, phase: &str) {
        self.with(|st| {
            let mut v = statement(name, sql, phase, false, "2020-01-01T00:00:00Z");
            v["spec"]["properties"] = json!({
                "sql.current-catalog": CATALOG,
                "sql.current-database": DATABASE,
                "sql.local-time-zone": "UTC",
            });
            st.statements.push(v);
        })
    }

    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        self.with(|st| st.statements.iter().find(|s| s["name"] == name).cloned())
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.with(|st| {
            st.statements
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect()
        })
    }

    /// Method and path (without query) of the requests so far.
    pub(crate) fn calls(&self) -> Vec<String> {
        self.with(|st| {
            st.requests
                .iter()
                .map(|r| format!("{} {}", r.method, r.path.split('?').next().unwrap()))
                .collect()
        })
    }
}

fn failure(status: u16, detail: &str) -> Value {
    json!({"errors": [{"status": status.to_string(), "detail": detail}]})
}

fn statement(name: &str, sql: &str, phase: &str, stopped: bool, created: &str) -> Value {
    json!({
        "api_version": "sql/v1",
        "kind": "Statement",
        "name": name,
        "organization_id": ORG,
        "environment_id": ENV,
        "metadata": {"self": format!("http://x{BASE}/{name}"), "created_at": created, "resource_version": "1"},
        "spec": {"statement": sql, "statement_name": name, "properties": {}, "compute_pool_id": "lfcp-1", "stopped": stopped},
        "status": {"phase": phase, "detail": ""},
    })
}

/// Whether a statement completes (DDL, bounded query) rather than runs.
fn completes(sql: &str) -> bool {
    let u = sql.trim_start().to_ascii_uppercase();
    let runs = (u.starts_with("INSERT") && !u.contains(" VALUES"))
        || u.starts_with("EXECUTE")
        || (u.starts_with("CREATE TABLE") && u.contains(" AS SELECT"));
    !runs
}

fn handle(st: &mut State, method: &str, path: &str, body: &str) -> (u16, Value, bool) {
    let (p, query) = path.split_once('?').unwrap_or((path, ""));
    let q: BTreeMap<&str, &str> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    if let Some(id) = p.strip_prefix("/fcpm/v2/compute-pools/") {
        return (
            200,
            json!({"api_version": "fcpm/v2", "kind": "ComputePool", "id": id,
                   "metadata": {"self": format!("https://api.confluent.cloud/fcpm/v2/compute-pools/{id}"),
                                "resource_name": format!("crn://confluent.cloud/organization={ORG}/environment={ENV}/flink-region=aws.us-west-2/compute-pool={id}")},
                   "spec": {"display_name": "pool", "cloud": "AWS", "region": "us-west-2", "max_cfu": st.pool_max,
                            "environment": {"id": ENV, "related": format!("https://api.confluent.cloud/v2/environments/{ENV}"),
                                            "resource_name": format!("crn://confluent.cloud/organization={ORG}/environment={ENV}")}},
                   "status": {"phase": "PROVISIONED", "current_cfu": st.pool_current}}),
            false,
        );
    }
    let Some(rest) = p.strip_prefix(BASE) else {
        return (404, failure(404, "no such path"), false);
    };
    let parts: Vec<&str> = rest
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (method, parts.as_slice()) {
        ("GET", []) => {
            let size: usize = q
                .get("page_size")
                .and_then(|s| s.parse().ok())
                .unwrap_or(10);
            let from: usize = q
                .get("page_token")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let data: Vec<Value> = st
                .statements
                .iter()
                .skip(from)
                .take(size)
                .cloned()
                .collect();
            let next = if st.repeat_page_token {
                format!("http://x{BASE}?page_size={size}&page_token=again")
            } else if from + size < st.statements.len() {
                format!("http://x{BASE}?page_size={size}&page_token={}", from + size)
            } else {
                String::new()
            };
            (
                200,
                json!({"api_version": "sql/v1", "kind": "StatementList", "metadata": {"next": next}, "data": data}),
                false,
            )
        }
        ("POST", []) => {
            let v: Value = serde_json::from_str(body).unwrap();
            let name = v["name"].as_str().unwrap().to_string();
            let sql = v["spec"]["statement"].as_str().unwrap_or("").to_string();
            if sql.contains("THROTTLE") && !st.throttled.contains_key(&name) {
                st.throttled.insert(name, true);
                return (429, failure(429, "Too Many Requests"), true);
            }
            if st.statements.iter().any(|s| s["name"] == name.as_str()) {
                return (
                    409,
                    failure(409, &format!("Statement name '{name}' already exists")),
                    false,
                );
            }
            st.seq += 1;
            st.events.push(format!("create {name}"));
            let mut s = statement(&name, &sql, "PENDING", false, "2026-01-01T00:00:00Z");
            s["spec"]["properties"] = v["spec"]["properties"].clone();
            st.statements.push(s.clone());
            (201, s, false)
        }
        ("GET", [name]) => {
            let pending = st.pending_polls;
            let n = st.polls.entry(name.to_string()).or_insert(0);
            *n += 1;
            let n = *n;
            let Some(i) = st.statements.iter().position(|s| s["name"] == *name) else {
                if st.every_name_exists {
                    let s = statement(
                        name,
                        "INSERT INTO x SELECT 1",
                        "RUNNING",
                        false,
                        "2020-01-01T00:00:00Z",
                    );
                    return (200, s, false);
                }
                return (404, failure(404, "statement not found"), false);
            };
            let s = st.statements[i].clone();
            if s["status"]["phase"] == "PENDING" && n > pending {
                let sql = s["spec"]["statement"].as_str().unwrap_or("").to_string();
                let (phase, detail) = if sql.contains("FAIL_ME") {
                    (
                        "FAILED",
                        "Table 'missing_table' not found in catalog 'default'".to_string(),
                    )
                } else if sql.contains("STUCK") {
                    ("PENDING", String::new())
                } else if let Some(wait) = carry_over(st, name, &sql, &s["spec"]["properties"]) {
                    wait
                } else {
                    match apply_sql(st, &sql, &s["spec"]["properties"]) {
                        Err(e) => ("FAILED", e),
                        Ok(()) if completes(&sql) => ("COMPLETED", String::new()),
                        Ok(()) => ("RUNNING", String::new()),
                    }
                };
                let s = &mut st.statements[i];
                s["status"]["phase"] = json!(phase);
                s["status"]["detail"] = json!(detail);
            }
            (200, st.statements[i].clone(), false)
        }
        ("PUT", [name]) => {
            let v: Value = serde_json::from_str(body).unwrap();
            let Some(s) = st.statements.iter_mut().find(|s| s["name"] == *name) else {
                return (404, failure(404, "statement not found"), false);
            };
            let stopped = v["spec"]["stopped"].as_bool().unwrap();
            s["spec"]["stopped"] = json!(stopped);
            s["status"]["phase"] = json!(if stopped { "STOPPED" } else { "RUNNING" });
            let s = s.clone();
            st.events.push(format!(
                "{} {name}",
                if stopped { "stop" } else { "resume" }
            ));
            (202, s, false)
        }
        ("DELETE", [name]) => {
            let before = st.statements.len();
            st.statements.retain(|s| s["name"] != *name);
            if st.statements.len() == before {
                (404, failure(404, "statement not found"), false)
            } else {
                st.events.push(format!("delete {name}"));
                (202, json!({}), false)
            }
        }
        ("GET", [name, "exceptions"]) => {
            let failed = st
                .statements
                .iter()
                .find(|s| s["name"] == *name && s["status"]["phase"] == "FAILED");
            let data = match failed {
                Some(s) => {
                    let message = if s["spec"]["statement"]
                        .as_str()
                        .unwrap_or("")
                        .contains("FAIL_ME")
                    {
                        "SQL validation failed. Object 'missing_table' not found".to_string()
                    } else {
                        format!(
                            "SQL validation failed. {}",
                            s["status"]["detail"].as_str().unwrap_or("")
                        )
                    };
                    json!([{"kind": "StatementException", "name": "org.apache.flink.table.api.ValidationException",
                            "message": message, "timestamp": "2026-01-01T00:00:01Z"}])
                }
                None => json!([]),
            };
            (
                200,
                json!({"api_version": "sql/v1", "kind": "StatementExceptionList", "metadata": {}, "data": data}),
                false,
            )
        }
        ("GET", [name, "results"]) => {
            let sql = st
                .statements
                .iter()
                .find(|s| s["name"] == *name)
                .and_then(|s| s["spec"]["statement"].as_str())
                .unwrap_or("")
                .to_string();
            let rows = st
                .answers
                .iter()
                .find(|(k, _)| sql.contains(k.as_str()))
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            let data: Vec<Value> = rows.iter().map(|r| json!({"op": 0, "row": r})).collect();
            // Rows are in `results.data`, as Confluent sends them; the
            // published spec also requires a top-level `data` its schema
            // does not define (a defect of the description): an empty one
            // keeps Prism's check of every other field on.
            (
                200,
                json!({"api_version": "sql/v1", "kind": "StatementResult", "metadata": {"next": ""}, "results": {"data": data}, "data": []}),
                false,
            )
        }
        _ => (405, failure(405, "method not allowed"), false),
    }
}

/// The property naming the statement whose offsets a new one starts from.
pub(crate) const OFFSETS_FROM: &str = "sql.tables.initial-offset-from";

/// A statement with carry-over offsets that cannot start yet: still
/// PENDING while the statement it names runs, FAILED when that statement
/// does not exist or the new one keeps state. None: it may start (the
/// start is recorded).
fn carry_over(
    st: &mut State,
    name: &str,
    sql: &str,
    props: &Value,
) -> Option<(&'static str, String)> {
    let from = props.get(OFFSETS_FROM)?.as_str()?.to_string();
    let Some(old) = st.statements.iter().find(|s| s["name"] == from.as_str()) else {
        return Some((
            "FAILED",
            format!("The statement '{from}' named by '{OFFSETS_FROM}' does not exist."),
        ));
    };
    let old_phase = old["status"]["phase"].as_str().unwrap_or("").to_string();
    if let Some(why) = keeps_state(st, sql, props) {
        return Some((
            "FAILED",
            format!(
                "Carry-over offsets ('{OFFSETS_FROM}') are only supported for stateless statements; this statement {why}."
            ),
        ));
    }
    if old_phase != "STOPPED" {
        return Some((
            "PENDING",
            format!("Waiting for statement '{from}' to stop."),
        ));
    }
    st.events.push(format!("start {name} from {from}"));
    None
}

/// Why a statement keeps state, by its own keyword check (not
/// greenlight's analysis): aggregations, joins other than UNNEST and
/// LATERAL, OVER, window TVFs, MATCH_RECOGNIZE, DISTINCT, subqueries, or
/// an upsert table as its target.
fn keeps_state(st: &State, sql: &str, props: &Value) -> Option<String> {
    let u = sql
        .to_ascii_uppercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let words = [
        ("GROUP BY", "aggregates"),
        (" OVER", "uses OVER"),
        ("MATCH_RECOGNIZE", "matches patterns"),
        ("DISTINCT", "uses DISTINCT"),
        ("(SELECT", "has a subquery"),
        ("( SELECT", "has a subquery"),
    ];
    for (w, why) in words {
        if u.contains(w) {
            return Some(why.into());
        }
    }
    for f in [
        "COUNT(",
        "SUM(",
        "AVG(",
        "MIN(",
        "MAX(",
        "LAG(",
        "LEAD(",
        "TUMBLE(",
        "HOP(",
        "CUMULATE(",
        "SESSION(",
    ] {
        if u.contains(f) {
            return Some(format!("calls {}", f.trim_end_matches('(')));
        }
    }
    for (k, _) in u.match_indices(" JOIN ") {
        let next = &u[k + 6..];
        if !(next.starts_with("UNNEST") || next.starts_with("LATERAL")) {
            return Some("joins".into());
        }
    }
    // A comma join: `FROM a, b` (a FROM list without parentheses).
    if let Some(from) = u.split(" FROM ").nth(1) {
        let list = from.split(" WHERE ").next().unwrap_or("");
        if list.contains(',') && !list.contains('(') {
            return Some("joins".into());
        }
    }
    let target = insert_target(sql, props)?;
    st.upsert_tables
        .contains(&target)
        .then(|| format!("writes the upsert table '{target}'"))
}

/// The full name of the table an INSERT writes.
fn insert_target(sql: &str, props: &Value) -> Option<String> {
    let stmts = greenlight::sql::analyze(sql).ok()?;
    let s = stmts
        .iter()
        .find(|s| s.kind == greenlight::sql::StatementKind::Insert)?;
    Some(full_name(s.target.as_ref()?, props))
}

/// `catalog.database.table` of a name, resolved against a statement's
/// properties as Confluent does.
fn full_name(n: &greenlight::sql::TableName, props: &Value) -> String {
    let prop = |k: &str| props.get(k).and_then(Value::as_str).map(String::from);
    let catalog = prop("sql.current-catalog").unwrap_or_else(|| "default".into());
    let database = prop("sql.current-database").unwrap_or_else(|| "(none)".into());
    let q = n.qualifier();
    match q.as_slice() {
        [] => format!("{catalog}.{database}.{}", n.key()),
        [d] => format!("{catalog}.{d}.{}", n.key()),
        [c, d, ..] => format!("{c}.{d}.{}", n.key()),
    }
}

/// Runs a statement against the catalog as Confluent would: every name
/// resolved against the statement's current catalog and database; tables
/// read or written must exist, `CREATE` adds, `DROP` removes. The error is
/// Confluent's text.
fn apply_sql(st: &mut State, sql: &str, props: &Value) -> Result<(), String> {
    use greenlight::sql::{RefRole, StatementKind, TableName};
    let full = |n: &TableName| -> String { full_name(n, props) };
    let stmts = greenlight::sql::analyze(sql).map_err(|e| format!("SQL parse error: {e}"))?;
    let upper = sql.to_ascii_uppercase();
    for s in &stmts {
        for r in &s.refs {
            if r.role == RefRole::Read || r.role == RefRole::Like {
                let t = full(&r.name);
                if !st.tables.contains(&t) {
                    return Err(format!("Table (or view) '{t}' does not exist"));
                }
            }
        }
        let Some(target) = &s.target else { continue };
        let t = full(target);
        match s.kind {
            StatementKind::CreateTable
            | StatementKind::Ctas
            | StatementKind::CreateView
            | StatementKind::CreateMaterializedTable => {
                let db = t.rsplit_once('.').map(|x| x.0).unwrap_or_default();
                if !st.databases.contains(db) {
                    return Err(format!("Database '{db}' does not exist"));
                }
                if st.tables.contains(&t) && !upper.contains("IF NOT EXISTS") {
                    return Err(format!("Table (or view) '{t}' already exists"));
                }
                let compact: String = upper.split_whitespace().collect();
                if (upper.contains("PRIMARY KEY") && !compact.contains("'CHANGELOG.MODE'='APPEND'"))
                    || compact.contains("'CHANGELOG.MODE'='UPSERT'")
                {
                    st.upsert_tables.insert(t.clone());
                }
                st.tables.insert(t);
            }
            StatementKind::Insert if !st.tables.contains(&t) => {
                return Err(format!("Table (or view) '{t}' does not exist"));
            }
            StatementKind::Drop if !st.tables.remove(&t) && !upper.contains("IF EXISTS") => {
                return Err(format!("Table (or view) '{t}' does not exist"));
            }
            _ => {}
        }
    }
    Ok(())
}
