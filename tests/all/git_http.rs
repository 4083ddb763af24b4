//! A smart-HTTP git server for the action's tests: `git http-backend` (CGI)
//! behind a local server that requires the token as Basic auth, as GitHub
//! does for `x-access-token`. Fetch, shallow fetch and push go over the same
//! protocol as on github.com.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

use base64::Engine;

/// Run once, just before the first push (receive-pack) is served.
pub(crate) type Hook = Box<dyn FnOnce() + Send>;

pub(crate) struct GitHttp {
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    pub unauthorized: Arc<AtomicUsize>,
    pub before_first_push: Arc<std::sync::Mutex<Option<Hook>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for GitHttp {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl GitHttp {
    /// Serves the repositories under `root`.
    pub(crate) fn start(root: &Path, token: &str) -> GitHttp {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}/", server.server_addr().to_ip().unwrap());
        let expected = format!(
            "basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{token}"))
        );
        let unauthorized = Arc::new(AtomicUsize::new(0));
        let before_first_push: Arc<std::sync::Mutex<Option<Hook>>> = Default::default();
        let (srv, root, denied, hook) = (
            server.clone(),
            root.to_path_buf(),
            unauthorized.clone(),
            before_first_push.clone(),
        );
        let thread = std::thread::spawn(move || {
            for req in srv.incoming_requests() {
                if req.url().ends_with("/git-receive-pack")
                    && let Some(h) = hook.lock().unwrap().take()
                {
                    h();
                }
                let _ = serve(req, &root, &expected, &denied);
            }
        });
        GitHttp {
            url,
            unauthorized,
            before_first_push,
            server,
            thread: Some(thread),
        }
    }
}

fn header(req: &tiny_http::Request, name: &'static str) -> Option<String> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.to_string())
}

fn serve(
    mut req: tiny_http::Request,
    root: &PathBuf,
    expected: &str,
    denied: &AtomicUsize,
) -> std::io::Result<()> {
    // The auth scheme is case-insensitive (actions/checkout sends `basic`).
    let given = header(&req, "Authorization").and_then(|h| {
        let (scheme, rest) = h.split_once(' ')?;
        Some(format!("{} {rest}", scheme.to_ascii_lowercase()))
    });
    if given.as_deref() != Some(expected) {
        denied.fetch_add(1, Ordering::SeqCst);
        let resp = tiny_http::Response::from_string("authentication required")
            .with_status_code(401)
            .with_header(
                "WWW-Authenticate: Basic realm=\"git\""
                    .parse::<tiny_http::Header>()
                    .unwrap(),
            );
        return req.respond(resp);
    }
    let full = req.url().to_string();
    let (path, query) = full.split_once('?').unwrap_or((&full, ""));
    let mut body = Vec::new();
    std::io::Read::read_to_end(req.as_reader(), &mut body)?;
    let mut cgi = Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", req.method().to_string())
        .env(
            "CONTENT_TYPE",
            header(&req, "Content-Type").unwrap_or_default(),
        )
        .env(
            "HTTP_CONTENT_ENCODING",
            header(&req, "Content-Encoding").unwrap_or_default(),
        )
        .env(
            "GIT_PROTOCOL",
            header(&req, "Git-Protocol").unwrap_or_default(),
        )
        .env("REMOTE_USER", "x-access-token")
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = cgi.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let out = cgi.wait_with_output()?;
    let _ = writer.join();
    let split = out
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, 4))
        .or_else(|| {
            out.stdout
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, 2))
        });
    let Some((at, sep)) = split else {
        return req
            .respond(tiny_http::Response::from_string("bad CGI output").with_status_code(500));
    };
    let head = String::from_utf8_lossy(&out.stdout[..at]).to_string();
    let payload = out.stdout[at + sep..].to_vec();
    let mut status = 200;
    let mut headers = Vec::new();
    for line in head.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.eq_ignore_ascii_case("Status") {
            status = v
                .trim()
                .split(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(200);
        } else if let Ok(h) = format!("{}: {}", k.trim(), v.trim()).parse::<tiny_http::Header>() {
            headers.push(h);
        }
    }
    let mut resp = tiny_http::Response::from_data(payload).with_status_code(status);
    for h in headers {
        resp.add_header(h);
    }
    req.respond(resp)
}
