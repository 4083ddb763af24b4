//! A fake GitHub API for the action's tests: it keeps comments in memory and
//! checks every request against the published OpenAPI description
//! (tests/fixtures/github/github-rest-trimmed.json): the operation must exist,
//! path and query parameters must have the declared types, the JSON body
//! must validate against the operation's request schema, and the token must
//! be sent. A violation answers 422 and is recorded for the test to assert.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};

use crate::common::root;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// A failure to answer with, for requests matching `method path-prefix`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    pub operation: &'static str,
    pub status: u16,
    /// How many times (then the server behaves again).
    pub times: usize,
}

#[derive(Default)]
pub struct State {
    pub comments: BTreeMap<u64, String>,
    pub next_id: u64,
    pub requests: Vec<Recorded>,
    pub violations: Vec<String>,
    pub faults: Vec<Fault>,
    /// Run once, on the first comment listing (to inject a push race).
    pub on_first_list: Option<Box<dyn FnOnce() + Send>>,
}

pub struct FakeGitHub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Operation {
    method: String,
    id: String,
    segments: Vec<String>,
    params: Vec<Value>,
    body_schema: Option<Value>,
}

fn spec() -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/github/github-rest-trimmed.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Replaces `$ref`s with what they point to.
fn inline(v: &Value, spec: &Value) -> Value {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                let target = spec
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or_else(|| panic!("bad $ref {r}"));
                return inline(target, spec);
            }
            Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), inline(v, spec)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| inline(x, spec)).collect()),
        _ => v.clone(),
    }
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                continue;
            }
            let op = inline(op, spec);
            out.push(Operation {
                method: method.to_uppercase(),
                id: op["operationId"].as_str().unwrap().to_string(),
                segments: path
                    .trim_start_matches('/')
                    .split('/')
                    .map(String::from)
                    .collect(),
                params: op["parameters"].as_array().cloned().unwrap_or_default(),
                body_schema: op
                    .pointer("/requestBody/content/application~1json/schema")
                    .cloned(),
            });
        }
    }
    out
}

fn type_ok(schema: &Value, value: &str) -> bool {
    match schema["type"].as_str() {
        Some("integer") => value.parse::<i64>().is_ok(),
        Some("boolean") => value == "true" || value == "false",
        _ => true,
    }
}

impl Operation {
    /// Path parameters when `path` matches this operation.
    fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != method {
            return None;
        }
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = BTreeMap::new();
        for (seg, part) in self.segments.iter().zip(&parts) {
            if seg.starts_with('{') {
                params.insert(
                    seg.trim_matches(|c| c == '{' || c == '}').to_string(),
                    part.to_string(),
                );
            } else if seg != part {
                return None;
            }
        }
        Some(params)
    }

    fn validate(
        &self,
        path_params: &BTreeMap<String, String>,
        query: &[(String, String)],
        body: &str,
    ) -> Vec<String> {
        let mut v = Vec::new();
        for p in &self.params {
            let name = p["name"].as_str().unwrap();
            match p["in"].as_str() {
                Some("path")
                    if !path_params
                        .get(name)
                        .is_some_and(|val| type_ok(&p["schema"], val)) =>
                {
                    v.push(format!(
                        "{}: path parameter {name} has the wrong type",
                        self.id
                    ));
                }
                Some("query") if p["required"] == true && !query.iter().any(|(k, _)| k == name) => {
                    v.push(format!("{}: missing query parameter {name}", self.id));
                }
                _ => {}
            }
        }
        for (k, val) in query {
            match self
                .params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == k.as_str())
            {
                None => v.push(format!("{}: undeclared query parameter {k}", self.id)),
                Some(p) if !type_ok(&p["schema"], val) => v.push(format!(
                    "{}: query parameter {k}={val} has the wrong type",
                    self.id
                )),
                _ => {}
            }
        }
        if let Some(schema) = &self.body_schema {
            match serde_json::from_str::<Value>(body) {
                Err(e) => v.push(format!("{}: body is not JSON: {e}", self.id)),
                Ok(json) => {
                    let validator = jsonschema::validator_for(schema).unwrap();
                    for err in validator.iter_errors(&json) {
                        v.push(format!("{}: body: {err}", self.id));
                    }
                }
            }
        }
        v
    }
}

impl FakeGitHub {
    pub fn start(token: &str) -> FakeGitHub {
        let spec = spec();
        let ops = operations(&spec);
        let comment_example = inline(
            &spec["components"]["examples"]["issue-comment"]["value"],
            &spec,
        );
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            ..Default::default()
        }));
        let (srv, st, token) = (server.clone(), state.clone(), token.to_string());
        let thread = std::thread::spawn(move || {
            for mut req in srv.incoming_requests() {
                let method = req.method().to_string().to_uppercase();
                let full = req.url().to_string();
                let (path, query) = full.split_once('?').unwrap_or((&full, ""));
                let query: Vec<(String, String)> = query
                    .split('&')
                    .filter(|q| !q.is_empty())
                    .map(|q| {
                        let (k, v) = q.split_once('=').unwrap_or((q, ""));
                        (k.to_string(), v.to_string())
                    })
                    .collect();
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let auth = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                let (status, response) = handle(
                    &st,
                    &ops,
                    &comment_example,
                    &token,
                    &method,
                    path,
                    &query,
                    &body,
                    &auth,
                );
                let resp = tiny_http::Response::from_string(response.to_string())
                    .with_status_code(status)
                    .with_header(
                        "Content-Type: application/json; charset=utf-8"
                            .parse::<tiny_http::Header>()
                            .unwrap(),
                    );
                let _ = req.respond(resp);
            }
        });
        FakeGitHub {
            url,
            state,
            server,
            thread: Some(thread),
        }
    }

    pub fn comments(&self) -> BTreeMap<u64, String> {
        self.state.lock().unwrap().comments.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn fault(&self, f: Fault) {
        self.state.lock().unwrap().faults.push(f);
    }
}

#[allow(clippy::too_many_arguments)]
fn handle(
    st: &Arc<Mutex<State>>,
    ops: &[Operation],
    comment_example: &Value,
    token: &str,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: &str,
    auth: &str,
) -> (u16, Value) {
    let mut s = st.lock().unwrap();
    s.requests.push(Recorded {
        method: method.to_string(),
        path: path.to_string(),
        body: body.to_string(),
    });
    let Some((op, params)) = ops
        .iter()
        .find_map(|o| o.matches(method, path).map(|p| (o, p)))
    else {
        s.violations
            .push(format!("{method} {path}: no such operation in the spec"));
        return (404, json!({"message": "Not Found"}));
    };
    let violations = op.validate(&params, query, body);
    if !violations.is_empty() {
        s.violations.extend(violations);
        return (422, json!({"message": "Validation Failed"}));
    }
    if !auth.ends_with(token) {
        s.violations
            .push(format!("{}: no token in Authorization", op.id));
        return (401, json!({"message": "Bad credentials"}));
    }
    if let Some(f) = s
        .faults
        .iter_mut()
        .find(|f| f.method == method && f.operation == op.id && f.times > 0)
    {
        f.times -= 1;
        let status = f.status;
        let message = match status {
            403 => "Resource not accessible by integration",
            422 => "Validation Failed",
            _ => "Server Error",
        };
        return (
            status,
            json!({"message": message, "documentation_url": "https://docs.github.com/rest"}),
        );
    }
    let comment = |id: u64, body: &str| {
        let mut c = comment_example.clone();
        c["id"] = json!(id);
        c["body"] = json!(body);
        c
    };
    match op.id.as_str() {
        "issues/list-comments" => {
            if let Some(hook) = s.on_first_list.take() {
                drop(s);
                hook();
                s = st.lock().unwrap();
            }
            let items: Vec<Value> = s.comments.iter().map(|(id, b)| comment(*id, b)).collect();
            (200, Value::Array(items))
        }
        "issues/create-comment" => {
            let text = serde_json::from_str::<Value>(body).unwrap()["body"]
                .as_str()
                .unwrap()
                .to_string();
            let id = s.next_id;
            s.next_id += 1;
            s.comments.insert(id, text.clone());
            (201, comment(id, &text))
        }
        "issues/update-comment" => {
            let id: u64 = params["comment_id"].parse().unwrap();
            let text = serde_json::from_str::<Value>(body).unwrap()["body"]
                .as_str()
                .unwrap()
                .to_string();
            if !s.comments.contains_key(&id) {
                return (404, json!({"message": "Not Found"}));
            }
            s.comments.insert(id, text.clone());
            (200, comment(id, &text))
        }
        other => {
            s.violations
                .push(format!("{other}: not expected from greenlight"));
            (500, json!({"message": "unexpected"}))
        }
    }
}
