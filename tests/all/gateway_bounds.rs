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

fn start(mode: Results) -> Misbehaving {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let fetches = Arc::new(AtomicUsize::new(0));
    let (s2, f2) = (server.clone(), fetches.clone());
    let handle = std::thread::spawn(move || {
        for mut req in s2.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let path = req.url().to_string();
            let answer = if path == "/sessions" {
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
            };
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
