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
pub(crate) struct Recorded {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// A failure to answer with, for requests of one operation.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub method: &'static str,
    pub operation: &'static str,
    pub status: u16,
    /// How many times (then the server behaves again).
    pub times: usize,
}

/// A comment: its body and who wrote it (`user.login`, `user.type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    pub body: String,
    pub login: String,
    pub kind: String,
}

/// A check run or a commit status left on a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub sha: String,
    pub name: String,
    /// A check run's conclusion, or a status's state.
    pub conclusion: String,
    pub title: String,
    pub summary: String,
    pub details_url: String,
    pub annotations: usize,
    pub status: bool,
}

/// Who the token is, as GitHub sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TokenKind {
    /// The workflow's GITHUB_TOKEN or an App token: writes as a Bot, may
    /// create check runs.
    #[default]
    App,
    /// A personal access token: writes as a User; check runs refused
    /// (only GitHub Apps can create them), statuses allowed.
    Personal,
    /// A fork's `pull_request` token: every write refused.
    ReadOnly,
}

#[derive(Default)]
pub(crate) struct State {
    pub comments: BTreeMap<u64, Comment>,
    pub next_id: u64,
    pub verdicts: Vec<Verdict>,
    pub requests: Vec<Recorded>,
    pub violations: Vec<String>,
    pub faults: Vec<Fault>,
    pub token_kind: TokenKind,
    /// Answers `Retry-After: N` with each 403 or 429 fault.
    pub retry_after: Option<u64>,
    /// Holds every answer of this operation this long.
    pub hang: Option<(&'static str, std::time::Duration)>,
    /// The commit the pull request was merged as (`pulls/get`).
    pub merged_as: Option<String>,
    /// The pull request's head now (`pulls/get`).
    pub pull_head: Option<Box<dyn Fn() -> String + Send>>,
    /// Run once, on the first comment listing (to inject a race).
    pub on_first_list: Option<Box<dyn FnOnce() + Send>>,
}

pub(crate) struct FakeGitHub {
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
    pub(crate) fn start(token: &str) -> FakeGitHub {
        let spec = spec();
        let ops = Arc::new(operations(&spec));
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
                let path = path.to_string();
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
                let (st, ops, example, token) = (
                    st.clone(),
                    ops.clone(),
                    comment_example.clone(),
                    token.clone(),
                );
                // One thread per request, as a real server answers
                // concurrent clients.
                std::thread::spawn(move || {
                    let (status, response, retry_after) = handle(
                        &st,
                        &ops,
                        &example,
                        &token,
                        &method,
                        path.as_str(),
                        &query,
                        &body,
                        &auth,
                    );
                    let mut resp = tiny_http::Response::from_string(match &response {
                        Value::Null => String::new(),
                        v => v.to_string(),
                    })
                    .with_status_code(status)
                    .with_header(
                        "Content-Type: application/json; charset=utf-8"
                            .parse::<tiny_http::Header>()
                            .unwrap(),
                    );
                    if let Some(s) = retry_after {
                        resp = resp.with_header(
                            format!("Retry-After: {s}")
                                .parse::<tiny_http::Header>()
                                .unwrap(),
                        );
                    }
                    let _ = req.respond(resp);
                });
            }
        });
        FakeGitHub {
            url,
            state,
            server,
            thread: Some(thread),
        }
    }

    /// Comment bodies by id.
    pub(crate) fn comments(&self) -> BTreeMap<u64, String> {
        self.state
            .lock()
            .unwrap()
            .comments
            .iter()
            .map(|(id, c)| (*id, c.body.clone()))
            .collect()
    }

    /// Adds a comment written by someone else.
    pub(crate) fn add_comment(&self, login: &str, kind: &str, body: &str) -> u64 {
        let mut s = self.state.lock().unwrap();
        let id = s.next_id;
        s.next_id += 1;
        s.comments.insert(
            id,
            Comment {
                body: body.into(),
                login: login.into(),
                kind: kind.into(),
            },
        );
        id
    }

    pub(crate) fn verdicts(&self) -> Vec<Verdict> {
        self.state.lock().unwrap().verdicts.clone()
    }

    pub(crate) fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub(crate) fn fault(&self, f: Fault) {
        self.state.lock().unwrap().faults.push(f);
    }
}

type Answer = (u16, Value, Option<u64>);

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
) -> Answer {
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
        return (404, json!({"message": "Not Found"}), None);
    };
    let violations = op.validate(&params, query, body);
    if !violations.is_empty() {
        s.violations.extend(violations);
        return (422, json!({"message": "Validation Failed"}), None);
    }
    if !auth.ends_with(token) {
        s.violations
            .push(format!("{}: no token in Authorization", op.id));
        return (401, json!({"message": "Bad credentials"}), None);
    }
    if let Some((hung, wait)) = s.hang
        && hung == op.id
    {
        drop(s);
        std::thread::sleep(wait);
        s = st.lock().unwrap();
    }
    if let Some(f) = s
        .faults
        .iter_mut()
        .find(|f| f.method == method && f.operation == op.id && f.times > 0)
    {
        f.times -= 1;
        let status = f.status;
        let message = match status {
            403 if s.retry_after.is_some() => "You have exceeded a secondary rate limit.",
            403 => "Resource not accessible by integration",
            422 => "Validation Failed",
            429 => "API rate limit exceeded",
            _ => "Server Error",
        };
        let retry = matches!(status, 403 | 429)
            .then_some(s.retry_after)
            .flatten();
        return (
            status,
            json!({"message": message, "documentation_url": "https://docs.github.com/rest"}),
            retry,
        );
    }
    if op.id == "issues/list-comments"
        && let Some(hook) = s.on_first_list.take()
    {
        drop(s);
        hook();
        s = st.lock().unwrap();
    }
    if method != "GET" && s.token_kind == TokenKind::ReadOnly {
        return (
            403,
            json!({"message": "Resource not accessible by integration"}),
            None,
        );
    }
    let (status, value) = respond(&mut s, op, &params, query, body, comment_example);
    (status, value, None)
}

/// The answer of a valid, authorized request.
fn respond(
    s: &mut State,
    op: &Operation,
    params: &BTreeMap<String, String>,
    query: &[(String, String)],
    body: &str,
    comment_example: &Value,
) -> (u16, Value) {
    let comment = |id: u64, c: &Comment| {
        let mut v = comment_example.clone();
        v["id"] = json!(id);
        v["body"] = json!(c.body);
        v["html_url"] = json!(format!(
            "https://github.example.com/o/r/pull/7#issuecomment-{id}"
        ));
        v["user"]["login"] = json!(c.login);
        v["user"]["type"] = json!(c.kind);
        v
    };
    let field =
        |name: &str| -> Value { serde_json::from_str::<Value>(body).unwrap()[name].clone() };
    let (login, kind) = match s.token_kind {
        TokenKind::Personal => ("ada", "User"),
        _ => ("github-actions[bot]", "Bot"),
    };
    match op.id.as_str() {
        "issues/list-comments" => {
            let q = |k: &str, d: usize| {
                query
                    .iter()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(d)
            };
            let (per_page, page) = (q("per_page", 30).min(100), q("page", 1).max(1));
            let items: Vec<Value> = s
                .comments
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|(id, c)| comment(*id, c))
                .collect();
            (200, Value::Array(items))
        }
        "issues/create-comment" => {
            let c = Comment {
                body: field("body").as_str().unwrap().to_string(),
                login: login.into(),
                kind: kind.into(),
            };
            let id = s.next_id;
            s.next_id += 1;
            s.comments.insert(id, c.clone());
            (201, comment(id, &c))
        }
        "issues/update-comment" => {
            let id: u64 = params["comment_id"].parse().unwrap();
            let text = field("body").as_str().unwrap().to_string();
            match s.comments.get_mut(&id) {
                None => (404, json!({"message": "Not Found"})),
                Some(c) if c.login != login => (
                    403,
                    json!({"message": "Must have admin rights to Repository."}),
                ),
                Some(c) => {
                    c.body = text;
                    let c = c.clone();
                    (200, comment(id, &c))
                }
            }
        }
        "issues/delete-comment" => {
            let id: u64 = params["comment_id"].parse().unwrap();
            match s.comments.get(&id) {
                None => (404, json!({"message": "Not Found"})),
                Some(c) if c.login != login => (
                    403,
                    json!({"message": "Must have admin rights to Repository."}),
                ),
                Some(_) => {
                    s.comments.remove(&id);
                    (204, Value::Null)
                }
            }
        }
        "pulls/get" => {
            let head = s.pull_head.as_ref().map(|f| f()).unwrap_or_default();
            let merged = s.merged_as.clone();
            (
                200,
                json!({
                    "number": 7,
                    "state": if merged.is_some() { "closed" } else { "open" },
                    "merged": merged.is_some(),
                    "merge_commit_sha": merged,
                    "head": {"sha": head, "ref": "x"}
                }),
            )
        }
        "checks/create" if s.token_kind == TokenKind::Personal => (
            403,
            json!({"message": "You must authenticate via a GitHub App."}),
        ),
        "checks/create" => {
            let id = s.next_id;
            s.next_id += 1;
            let output = field("output");
            s.verdicts.push(Verdict {
                sha: field("head_sha").as_str().unwrap().into(),
                name: field("name").as_str().unwrap().into(),
                conclusion: field("conclusion").as_str().unwrap_or("").into(),
                title: output["title"].as_str().unwrap_or("").into(),
                summary: output["summary"].as_str().unwrap_or("").into(),
                details_url: field("details_url").as_str().unwrap_or("").into(),
                annotations: output["annotations"].as_array().map_or(0, Vec::len),
                status: false,
            });
            (
                201,
                json!({"id": id, "head_sha": field("head_sha"), "name": field("name")}),
            )
        }
        "checks/update" => {
            let output = field("output");
            if let Some(v) = s.verdicts.last_mut() {
                v.annotations += output["annotations"].as_array().map_or(0, Vec::len);
            }
            (
                200,
                json!({"id": params["check_run_id"].parse::<u64>().unwrap()}),
            )
        }
        "repos/create-commit-status" => {
            s.verdicts.push(Verdict {
                sha: params["sha"].clone(),
                name: field("context").as_str().unwrap_or("default").into(),
                conclusion: field("state").as_str().unwrap().into(),
                title: field("description").as_str().unwrap_or("").into(),
                summary: String::new(),
                details_url: field("target_url").as_str().unwrap_or("").into(),
                annotations: 0,
                status: true,
            });
            (201, json!({"state": field("state")}))
        }
        other => {
            s.violations
                .push(format!("{other}: not expected from greenlight"));
            (500, json!({"message": "unexpected"}))
        }
    }
}
