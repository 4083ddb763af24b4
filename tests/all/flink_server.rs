//! A stateful Confluent Cloud Flink statements API of our own, for the
//! lifecycle the spec-driven mock cannot play: PENDING -> RUNNING, FAILED
//! with detail and exceptions, 409 on a taken name, 429 then retry, a
//! statement that never starts, compute pool capacity, bounded queries.
//!
//! Markers in a statement's SQL choose its fate: `FAIL_ME` fails,
//! `STUCK` stays PENDING, `THROTTLE` gets one 429 before it is accepted.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub auth: Option<String>,
    pub body: String,
}

#[derive(Default)]
pub struct State {
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

pub struct Server {
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

pub const ORG: &str = "8b0c8e2a-1f7d-4a3e-9d4e-2f4b6c8d0e1f";
pub const ENV: &str = "env-abc123";
const BASE: &str =
    "/sql/v1/organizations/8b0c8e2a-1f7d-4a3e-9d4e-2f4b6c8d0e1f/environments/env-abc123/statements";

impl Server {
    pub fn start() -> Server {
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
                let (status, answer, retry) = {
                    let mut st = st2.lock().unwrap();
                    st.requests.push(Request {
                        method: method.clone(),
                        path: path.clone(),
                        auth: auth.clone(),
                        body: body.clone(),
                    });
                    if auth.is_none() {
                        (
                            401,
                            failure(401, "Valid authentication credentials must be provided"),
                            false,
                        )
                    } else {
                        handle(&mut st, &method, &path, &body)
                    }
                };
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

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Adds a statement as if deployed earlier (e.g. blue).
    pub fn seed(&self, name: &str, sql: &str, phase: &str) {
        self.with(|st| {
            let v = statement(name, sql, phase, false, "2020-01-01T00:00:00Z");
            st.statements.push(v);
        })
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.with(|st| st.statements.iter().find(|s| s["name"] == name).cloned())
    }

    pub fn names(&self) -> Vec<String> {
        self.with(|st| {
            st.statements
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect()
        })
    }

    /// Method and path (without query) of the requests so far.
    pub fn calls(&self) -> Vec<String> {
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
        "spec": {"statement": sql, "properties": {}, "compute_pool_id": "lfcp-1", "stopped": stopped},
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
                   "spec": {"display_name": "pool", "max_cfu": st.pool_max},
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
            let next = if from + size < st.statements.len() {
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
            let Some(s) = st.statements.iter_mut().find(|s| s["name"] == *name) else {
                return (404, failure(404, "statement not found"), false);
            };
            if s["status"]["phase"] == "PENDING" && n > pending {
                let sql = s["spec"]["statement"].as_str().unwrap_or("").to_string();
                if sql.contains("FAIL_ME") {
                    s["status"]["phase"] = json!("FAILED");
                    s["status"]["detail"] =
                        json!("Table 'missing_table' not found in catalog 'default'");
                } else if sql.contains("STUCK") {
                } else if completes(&sql) {
                    s["status"]["phase"] = json!("COMPLETED");
                } else {
                    s["status"]["phase"] = json!("RUNNING");
                }
            }
            (200, s.clone(), false)
        }
        ("PUT", [name]) => {
            let v: Value = serde_json::from_str(body).unwrap();
            let Some(s) = st.statements.iter_mut().find(|s| s["name"] == *name) else {
                return (404, failure(404, "statement not found"), false);
            };
            let stopped = v["spec"]["stopped"].as_bool().unwrap();
            s["spec"]["stopped"] = json!(stopped);
            s["status"]["phase"] = json!(if stopped { "STOPPED" } else { "RUNNING" });
            (202, s.clone(), false)
        }
        ("DELETE", [name]) => {
            let before = st.statements.len();
            st.statements.retain(|s| s["name"] != *name);
            if st.statements.len() == before {
                (404, failure(404, "statement not found"), false)
            } else {
                (202, json!({}), false)
            }
        }
        ("GET", [name, "exceptions"]) => {
            let failed = st
                .statements
                .iter()
                .any(|s| s["name"] == *name && s["status"]["phase"] == "FAILED");
            let data = if failed {
                json!([{"kind": "StatementException", "name": "org.apache.flink.table.api.ValidationException",
                        "message": "SQL validation failed. Object 'missing_table' not found", "timestamp": "2026-01-01T00:00:01Z"}])
            } else {
                json!([])
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
            (
                200,
                json!({"api_version": "sql/v1", "kind": "StatementResult", "metadata": {"next": ""}, "results": {"data": data}}),
                false,
            )
        }
        _ => (405, failure(405, "method not allowed"), false),
    }
}
