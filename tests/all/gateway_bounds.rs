//! The SQL Gateway client against a misbehaving gateway: loops over its
//! answers stop at a bound with a clear error. (The real gateway, in
//! `tests/e2e/run.sh`, behaves; this server answers like it, paths and
//! shapes from the v3 spec, until it misbehaves on purpose.)
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use greenlight::flink::gateway::Gateway;
use greenlight::flink::{Target, TargetError};
use serde_json::json;

/// How the results of every operation misbehave.
#[derive(Clone, Copy)]
enum Results {
    /// `PAYLOAD` pages whose next page is always page 1.
    SameTokenForever,
    /// `NOT_READY` forever.
    NeverReady,
}

struct Misbehaving {
    url: String,
    fetches: Arc<AtomicUsize>,
    server: Arc<tiny_http::Server>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Misbehaving {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A gateway stand-in on a free port: `answer(path, body)` gives each JSON
/// answer. `fetches` is the caller's counter.
fn serve(
    fetches: Arc<AtomicUsize>,
    mut answer: impl FnMut(&str, &str) -> serde_json::Value + Send + 'static,
) -> Misbehaving {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let s2 = server.clone();
    let handle = std::thread::spawn(move || {
        for mut req in s2.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let path = req.url().to_string();
            let answer = answer(&path, &body);
            let _ = req.respond(
                tiny_http::Response::from_string(answer.to_string()).with_header(
                    tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
                ),
            );
        }
    });
    Misbehaving {
        url,
        fetches,
        server,
        handle: Some(handle),
    }
}

fn start(mode: Results) -> Misbehaving {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f2 = fetches.clone();
    serve(fetches, move |path, _| {
        if path == "/sessions" {
            json!({"sessionHandle": "s1"})
        } else if path.ends_with("/statements") {
            json!({"operationHandle": "o1"})
        } else if path.ends_with("/status") {
            json!({"status": "FINISHED"})
        } else if path.contains("/result/") {
            f2.fetch_add(1, Ordering::SeqCst);
            let row = json!({"kind": "INSERT", "fields": ["x"]});
            match mode {
                Results::SameTokenForever => json!({
                    "resultType": "PAYLOAD", "isQueryResult": true, "resultKind": "SUCCESS_WITH_CONTENT",
                    "results": {"columns": [], "rowFormat": "JSON", "data": [row]},
                    "nextResultUri": "/v3/sessions/s1/operations/o1/result/1?rowFormat=JSON"
                }),
                Results::NeverReady => json!({
                    "resultType": "NOT_READY", "isQueryResult": true, "resultKind": "SUCCESS_WITH_CONTENT",
                    "results": {"columns": [], "rowFormat": "JSON", "data": []},
                    "nextResultUri": "/v3/sessions/s1/operations/o1/result/0?rowFormat=JSON"
                }),
            }
        } else {
            json!({})
        }
    })
}

fn client(url: &str, dir: &std::path::Path) -> Gateway {
    let mut g = Gateway::new(
        url,
        BTreeMap::new(),
        None,
        dir.join("state.json"),
        Duration::from_secs(5),
    )
    .unwrap();
    g.timeout = Duration::from_secs(2);
    g
}

#[test]
fn a_result_page_that_points_at_itself_stops_the_read() {
    let server = start(Results::SameTokenForever);
    let dir = tempfile::tempdir().unwrap();
    let e = client(&server.url, dir.path())
        .query("q", "SELECT COUNT(*) FROM t")
        .unwrap_err();
    assert!(
        matches!(&e, TargetError::Protocol { reason, .. } if reason.contains("page token `1` twice")),
        "{e}"
    );
    // Page 0 points at page 1, page 1 at itself: not read again.
    assert_eq!(server.fetches.load(Ordering::SeqCst), 2);
}

#[test]
fn results_never_ready_stop_at_the_operation_timeout() {
    let server = start(Results::NeverReady);
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let e = client(&server.url, dir.path())
        .query("q", "SELECT COUNT(*) FROM t")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the results of operation o1 were not ready after"),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

/// A gateway that runs jobs the way the real one answers (seen on Flink
/// 2.3.0): an INSERT answers its job id, `SHOW JOBS` lists the jobs, a plain
/// `STOP JOB` answers `OK` and a `STOP JOB ... WITH SAVEPOINT` the savepoint
/// path. Every statement POST body is kept.
fn start_jobs() -> (Misbehaving, Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    let posted = Arc::new(std::sync::Mutex::new(Vec::new()));
    let p2 = posted.clone();
    let mut ops: Vec<Vec<serde_json::Value>> = Vec::new();
    let mut jobs: Vec<(String, String, String)> = Vec::new();
    let server = serve(Arc::new(AtomicUsize::new(0)), move |path, body| {
        if path == "/sessions" {
            json!({"sessionHandle": "s1"})
        } else if path.ends_with("/statements") {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            let sql = v["statement"].as_str().unwrap_or("").to_string();
            let rows = if sql.starts_with("INSERT") {
                let id = format!("{:032x}", jobs.len() + 1);
                let name = v["executionConfig"]["pipeline.name"].as_str().unwrap_or("");
                jobs.push((id.clone(), name.to_string(), "RUNNING".into()));
                vec![json!([id])]
            } else if sql == "SHOW JOBS" {
                jobs.iter()
                    .map(|(id, name, state)| json!([id, name, state, "2026-11-30T12:00:00.000"]))
                    .collect()
            } else if let Some(rest) = sql.strip_prefix("STOP JOB '") {
                let id = &rest[..32];
                for j in jobs.iter_mut().filter(|j| j.0 == id) {
                    j.2 = "FINISHED".into();
                }
                if sql.ends_with("WITH SAVEPOINT") {
                    vec![json!(["file:/savepoints/savepoint-1"])]
                } else {
                    vec![json!(["OK"])]
                }
            } else {
                vec![json!(["OK"])]
            };
            p2.lock().unwrap().push(v);
            ops.push(rows);
            json!({"operationHandle": format!("o{}", ops.len() - 1)})
        } else if path.ends_with("/status") {
            json!({"status": "FINISHED"})
        } else if let Some(i) = path.find("/operations/o") {
            let rest = &path[i + "/operations/o".len()..];
            let op: usize = rest[..rest.find('/').unwrap()].parse().unwrap();
            if path.contains("/result/0") {
                json!({
                    "resultType": "PAYLOAD", "isQueryResult": false, "resultKind": "SUCCESS",
                    "results": {"columns": [], "rowFormat": "JSON",
                        "data": ops[op].iter().map(|r| json!({"kind": "INSERT", "fields": r})).collect::<Vec<_>>()},
                    "nextResultUri": path.replace("/result/0", "/result/1")
                })
            } else {
                json!({"resultType": "EOS", "isQueryResult": false, "resultKind": "SUCCESS",
                        "results": {"columns": [], "rowFormat": "JSON", "data": []}})
            }
        } else {
            json!({})
        }
    });
    (server, posted)
}

/// The restore path sent with the resumed INSERT, if any.
fn stop_then_resume(savepoint_dir: Option<&str>) -> Option<String> {
    let (server, posted) = start_jobs();
    let dir = tempfile::tempdir().unwrap();
    let mut g = client(&server.url, dir.path());
    g.savepoint_dir = savepoint_dir.map(String::from);
    let stmt = greenlight::flink::NewStatement {
        name: "p-dml-fct-x".into(),
        sql: "INSERT INTO fct_x SELECT * FROM src_x".into(),
        properties: BTreeMap::new(),
    };
    g.create(&stmt).unwrap();
    g.stop("p-dml-fct-x").unwrap();
    g.resume("p-dml-fct-x").unwrap();
    let bodies = posted.lock().unwrap();
    let inserts: Vec<&serde_json::Value> = bodies
        .iter()
        .filter(|b| {
            b["statement"]
                .as_str()
                .is_some_and(|s| s.starts_with("INSERT"))
        })
        .collect();
    assert_eq!(inserts.len(), 2, "created, then resumed: {bodies:?}");
    inserts[1]["executionConfig"]["execution.savepoint.path"]
        .as_str()
        .map(String::from)
}

#[test]
fn a_plain_stop_answers_ok_which_is_no_savepoint_to_resume_from() {
    assert_eq!(stop_then_resume(None), None);
    assert_eq!(
        stop_then_resume(Some("file:/savepoints")).as_deref(),
        Some("file:/savepoints/savepoint-1")
    );
}
