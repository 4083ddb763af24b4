//! A small JSON-over-HTTP helper shared by the targets: base URL from the
//! config, optional basic auth read from the environment, bounded retries
//! with backoff (honouring `Retry-After`), secrets kept out of every message.
//!
//! What is retried: 429 and 502-504 for every request (the server did not
//! take it, or a proxy lost it: a create that did go through answers 409 on
//! the retry, and the caller decides again from what exists); 500 and a
//! lost answer (timeout, reset) only for a request that may be repeated
//! ([`Retry::Idempotent`]: GET, DELETE, PUT with a `resource_version`).
//! A request that never left (no connection) is retried whatever it is.
use std::time::Duration;

use super::TargetError;

/// A JSON-over-HTTP client of one server, with its retry policy.
pub struct Http {
    agent: ureq::Agent,
    /// Without a trailing `/`.
    pub base: String,
    auth: Option<String>,
    /// Retries of one request (so at most `retries + 1` attempts).
    pub retries: u32,
    /// First backoff; doubled each retry, capped at 30 s.
    pub backoff: Duration,
}

/// Whether a request may be sent again when its answer is lost or is a 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The same request twice does what it does once (GET, DELETE, a PUT
    /// guarded by `resource_version`).
    Idempotent,
    /// It may act twice (POST of a statement): only retried when the server
    /// surely did not take it (429, 502-504, no connection).
    Once,
    /// Repeatable, but a 500 is the answer: the caller reads the server's
    /// error (the SQL Gateway's result of a failed operation answers 500
    /// with the cause).
    Never500,
}

impl Retry {
    /// The policy of a plain request of `method`.
    pub fn of(method: &str) -> Retry {
        match method {
            "GET" | "HEAD" | "DELETE" => Retry::Idempotent,
            _ => Retry::Once,
        }
    }
}

/// An answer: status and body text.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

impl Http {
    /// A client of `base`, with optional basic auth (user, password) and a timeout per
    /// attempt; 5 retries from a 500 ms backoff.
    pub fn new(base: &str, auth: Option<(String, String)>, timeout: Duration) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("greenlight/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http {
            agent,
            base: base.trim_end_matches('/').to_string(),
            auth: auth.map(|(k, s)| format!("Basic {}", basic_credentials(&k, &s))),
            retries: 5,
            backoff: Duration::from_millis(500),
        }
    }

    /// Retries and first backoff from the environment's `poll` settings.
    pub fn with_retries(mut self, poll: &crate::deploy::config::Poll) -> Http {
        self.retries = poll.http_retries;
        self.backoff = Duration::from_millis(poll.http_backoff_ms);
        self
    }

    /// Sends `method path` with an optional JSON body, retried as
    /// [`Retry::of`] the method says. Any other status is returned to the
    /// caller.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        content_type: &str,
    ) -> Result<Answer, TargetError> {
        self.send_with(Retry::of(method), method, path, body, content_type)
    }

    /// [`Http::send`] with an explicit retry policy.
    pub fn send_with(
        &self,
        policy: Retry,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        content_type: &str,
    ) -> Result<Answer, TargetError> {
        let url = format!("{}{path}", self.base);
        let mut delay = self.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let res = self.once(method, &url, body, content_type);
            let retry_after = match &res {
                Ok((a, ra)) if a.status == 429 || (502..=504).contains(&a.status) => *ra,
                Ok((a, _)) if a.status == 500 && policy == Retry::Idempotent => None,
                Ok((a, _)) => {
                    return Ok(Answer {
                        status: a.status,
                        body: a.body.clone(),
                    });
                }
                Err(e) if e.not_sent || policy != Retry::Once => None,
                Err(e) => {
                    return Err(TargetError::Unavailable {
                        url: redact(&url),
                        reason: format!("{}; the request may have been processed", e.reason),
                    });
                }
            };
            if attempt > self.retries {
                return match res {
                    Ok((a, _)) => Err(TargetError::Unavailable {
                        url: redact(&url),
                        reason: format!(
                            "HTTP {} after {} attempts: {}",
                            a.status,
                            attempt,
                            error_detail(&a.body)
                        ),
                    }),
                    Err(e) => Err(TargetError::Unavailable {
                        url: redact(&url),
                        reason: format!("{} (after {attempt} attempts)", e.reason),
                    }),
                };
            }
            let wait = retry_after.unwrap_or(delay);
            std::thread::sleep(wait.min(Duration::from_secs(30)));
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }

    fn once(
        &self,
        method: &str,
        url: &str,
        body: Option<&serde_json::Value>,
        content_type: &str,
    ) -> Result<(Answer, Option<Duration>), SendError> {
        let local = |reason: String| SendError {
            reason,
            not_sent: true,
        };
        let builder = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Accept", "application/json");
        let builder = match &self.auth {
            Some(a) => builder.header("Authorization", a),
            None => builder,
        };
        let res = match body {
            Some(b) => {
                let req = builder
                    .header("Content-Type", content_type)
                    .body(b.to_string())
                    .map_err(|e| local(e.to_string()))?;
                self.agent.run(req)
            }
            None => {
                let req = builder.body(()).map_err(|e| local(e.to_string()))?;
                self.agent.run(req)
            }
        };
        let resp = res.map_err(|e| SendError {
            reason: redact(&e.to_string()),
            not_sent: not_sent(&e),
        })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = resp.into_body().read_to_string().map_err(|e| SendError {
            reason: redact(&e.to_string()),
            not_sent: false,
        })?;
        Ok((Answer { status, body }, retry_after))
    }
}

/// A request without an answer: why, and whether it surely never reached
/// the server.
struct SendError {
    reason: String,
    not_sent: bool,
}

/// No connection was made: the server cannot have acted on the request.
fn not_sent(e: &ureq::Error) -> bool {
    use ureq::Timeout;
    match e {
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound | ureq::Error::BadUri(_) => true,
        ureq::Error::Timeout(t) => matches!(t, Timeout::Resolve | Timeout::Connect),
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
        ),
        _ => false,
    }
}

/// The server's own error text: Confluent's `errors[].detail`, the SQL
/// Gateway's `errors[]` strings, else the body (shortened).
pub fn error_detail(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        // A validating proxy's (Prism's) contract violations.
        if let Some(vs) = v.get("validation").and_then(|e| e.as_array()) {
            let parts: Vec<String> = vs
                .iter()
                .map(|x| {
                    let at: Vec<String> = x
                        .get("location")
                        .and_then(|l| l.as_array())
                        .map(|l| {
                            l.iter()
                                .map(|p| p.as_str().map(String::from).unwrap_or(p.to_string()))
                                .collect()
                        })
                        .unwrap_or_default();
                    format!(
                        "{}: {}",
                        at.join("."),
                        x.get("message").and_then(|m| m.as_str()).unwrap_or("")
                    )
                })
                .collect();
            return parts.join("; ");
        }
        if let Some(errs) = v.get("errors").and_then(|e| e.as_array()) {
            let parts: Vec<String> = errs
                .iter()
                .map(|e| match e {
                    serde_json::Value::String(s) => s.clone(),
                    other => other
                        .get("detail")
                        .or_else(|| other.get("title"))
                        .and_then(|d| d.as_str())
                        .map(String::from)
                        .unwrap_or_else(|| other.to_string()),
                })
                .collect();
            if !parts.is_empty() {
                return parts.join("; ");
            }
        }
    }
    let t = body.trim();
    if t.chars().count() > 500 {
        format!("{}...", t.chars().take(500).collect::<String>())
    } else {
        t.to_string()
    }
}

/// A URL without credentials (`https://user:pw@host` -> `https://host`).
pub fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest.find(['/', ' ', '"']).unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// A credential variable that is not set: it names the variable, never a
/// value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {var} is not set")]
pub struct MissingSecret {
    /// The name of the variable.
    pub var: String,
}

/// Reads a secret from an environment variable.
pub fn env_secret(var: &str) -> Result<String, MissingSecret> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(MissingSecret { var: var.into() }),
    }
}

/// Percent-encodes a path segment.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `user:password` in base64, for an HTTP Basic `Authorization` header.
pub fn basic_credentials(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server answering `statuses` in turn (then 200), counting requests.
    fn server(statuses: Vec<u16>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let s = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", s.server_addr().to_ip().unwrap());
        let n = std::sync::Arc::new(AtomicUsize::new(0));
        let n2 = n.clone();
        std::thread::spawn(move || {
            for req in s.incoming_requests() {
                let i = n2.fetch_add(1, Ordering::SeqCst);
                let status = statuses.get(i).copied().unwrap_or(200);
                let _ =
                    req.respond(tiny_http::Response::from_string("{}").with_status_code(status));
            }
        });
        (url, n)
    }

    fn http(url: &str) -> Http {
        let mut h = Http::new(url, None, Duration::from_secs(5));
        h.backoff = Duration::from_millis(1);
        h.retries = 3;
        h
    }

    #[test]
    fn retries_follow_the_policy_and_stop_at_the_bound() {
        use std::sync::atomic::Ordering;
        // A GET is sent again on 500; a POST is not (it may have acted).
        let (url, n) = server(vec![500, 500]);
        assert_eq!(http(&url).send("GET", "/x", None, "").unwrap().status, 200);
        assert_eq!(n.load(Ordering::SeqCst), 3);
        let (url, n) = server(vec![500]);
        let body = serde_json::json!({});
        let a = http(&url).send("POST", "/x", Some(&body), "application/json");
        assert_eq!(a.unwrap().status, 500);
        assert_eq!(n.load(Ordering::SeqCst), 1);
        // 429 and 502-504: the request was not taken, any method again.
        let (url, n) = server(vec![429, 503]);
        let a = http(&url).send("POST", "/x", Some(&body), "application/json");
        assert_eq!(a.unwrap().status, 200);
        assert_eq!(n.load(Ordering::SeqCst), 3);
        // A PUT guarded by resource_version is repeatable.
        let (url, n) = server(vec![500]);
        let a = http(&url).send_with(
            Retry::Idempotent,
            "PUT",
            "/x",
            Some(&body),
            "application/json",
        );
        assert_eq!(a.unwrap().status, 200);
        assert_eq!(n.load(Ordering::SeqCst), 2);
        // Never500: the 500 is the answer.
        let (url, n) = server(vec![500]);
        let a = http(&url).send_with(Retry::Never500, "GET", "/x", None, "");
        assert_eq!(a.unwrap().status, 500);
        assert_eq!(n.load(Ordering::SeqCst), 1);
        // Bounded: 1 + retries attempts, then a clear error.
        let (url, n) = server(vec![500; 10]);
        let e = http(&url)
            .send("GET", "/x", None, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("HTTP 500 after 4 attempts"), "{e}");
        assert_eq!(n.load(Ordering::SeqCst), 4);
        // Nothing listening: never sent, so retried whatever the method.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let e = http(&closed)
            .send("POST", "/x", Some(&body), "application/json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("(after 4 attempts)"), "{e}");
    }

    #[test]
    fn helpers() {
        assert_eq!(basic_credentials("key", "secret"), "a2V5OnNlY3JldA==");
        assert_eq!(redact("https://k:s@h.io/x"), "https://h.io/x");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(
            error_detail(r#"{"errors":[{"detail":"name taken"}]}"#),
            "name taken"
        );
        assert_eq!(error_detail(r#"{"errors":["boom"]}"#), "boom");
    }
}
