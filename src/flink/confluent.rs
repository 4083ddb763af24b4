//! Confluent Cloud Flink statements API (`/sql/v1/...`) and compute pools
//! API (`/fcpm/v2/compute-pools/{id}`).
use std::time::Duration;

use serde_json::{Value, json};

use std::collections::BTreeMap;

use super::http::{Http, Retry, encode, env_secret, error_detail};
use super::{NewStatement, Pages, Phase, PoolCapacity, RemoteStatement, Rows, Target, TargetError};
use crate::deploy::config::Environment;

/// A Confluent Cloud target: one environment's Flink statements and compute pool.
pub struct Confluent {
    flink: Http,
    /// Compute pools API; None when its credentials are not set.
    cloud: Option<Http>,
    org: String,
    env: String,
    pool: Option<String>,
    principal: Option<String>,
    max_cfu: Option<f64>,
    /// Properties every statement carries (catalog, database, the
    /// environment's `properties`); a statement's own win.
    context: BTreeMap<String, String>,
    /// Page size of list requests.
    pub page_size: u32,
    /// How long a validation query may take.
    pub query_timeout: Duration,
    /// First wait between two polls of a query, and the longest.
    pub poll_interval: Duration,
    /// The longest wait between two polls of a query.
    pub max_poll_interval: Duration,
}

/// Why a Confluent client cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// The environment has no `confluent_cloud` section.
    #[error("the environment has no confluent_cloud section")]
    NoConfluentCloud,
    /// An API key or secret variable is not set.
    #[error(transparent)]
    MissingSecret(#[from] super::http::MissingSecret),
}

impl Confluent {
    /// A client for `env`; reads the API keys from the environment
    /// variables the config names.
    pub fn new(env: &Environment) -> Result<Confluent, SetupError> {
        let c = env
            .confluent_cloud
            .as_ref()
            .ok_or(SetupError::NoConfluentCloud)?;
        let key = env_secret(&env.flink.api_key_env)?;
        let secret = env_secret(&env.flink.api_secret_env)?;
        let cloud = match (env_secret(&c.api_key_env), env_secret(&c.api_secret_env)) {
            (Ok(k), Ok(s)) => Some((k, s)),
            _ => None,
        };
        Self::with_credentials(env, (key, secret), cloud)
    }

    /// A client with explicit credentials (Flink API key, optional Cloud
    /// API key for the compute pools API).
    pub fn with_credentials(
        env: &Environment,
        flink_key: (String, String),
        cloud_key: Option<(String, String)>,
    ) -> Result<Confluent, SetupError> {
        let c = env
            .confluent_cloud
            .as_ref()
            .ok_or(SetupError::NoConfluentCloud)?;
        let timeout = Duration::from_secs(env.poll.request_timeout_secs.max(1));
        let flink_url = env.flink.flink_url.clone().unwrap_or_else(|| {
            format!(
                "https://flink.{}.{}.confluent.cloud",
                c.region,
                c.provider.to_ascii_lowercase()
            )
        });
        let flink = Http::new(&flink_url, Some(flink_key), timeout).with_retries(&env.poll);
        let cloud = cloud_key.map(|k| {
            Http::new(
                c.api_url
                    .as_deref()
                    .unwrap_or("https://api.confluent.cloud"),
                Some(k),
                timeout,
            )
            .with_retries(&env.poll)
        });
        Ok(Confluent {
            flink,
            cloud,
            org: c.organization_id.clone(),
            env: c.environment_id.clone(),
            pool: env.flink.compute_pool_id.clone(),
            principal: env.flink.principal.clone(),
            max_cfu: env.flink.max_cfu,
            context: env.statement_properties(),
            page_size: 100,
            query_timeout: Duration::from_secs(env.poll.timeout_secs.max(1)),
            poll_interval: Duration::from_millis(env.poll.interval_ms.max(1)),
            max_poll_interval: Duration::from_millis(env.poll.max_interval_ms.max(1)),
        })
    }

    /// Shortens retries (tests).
    pub fn set_backoff(&mut self, d: Duration) {
        self.flink.backoff = d;
        if let Some(c) = &mut self.cloud {
            c.backoff = d;
        }
    }

    fn base(&self) -> String {
        format!(
            "/sql/v1/organizations/{}/environments/{}/statements",
            encode(&self.org),
            encode(&self.env)
        )
    }

    fn refused(method: &str, path: &str, status: u16, body: &str) -> TargetError {
        TargetError::Refused {
            method: method.into(),
            path: path.into(),
            status,
            detail: error_detail(body),
        }
    }

    fn get_raw(&self, name: &str) -> Result<Option<Value>, TargetError> {
        let path = format!("{}/{}", self.base(), encode(name));
        let a = self.flink.send("GET", &path, None, "")?;
        match a.status {
            200 => {
                let v = parse(&a.body, &path)?;
                // A statement of another name is not the one asked for.
                match v.get("name").and_then(Value::as_str) {
                    Some(n) if n != name => Err(TargetError::Protocol {
                        what: format!("GET {path}"),
                        reason: format!("asked for statement `{name}`, got `{n}`"),
                    }),
                    _ => Ok(Some(v)),
                }
            }
            404 => Ok(None),
            s => Err(Self::refused("GET", &path, s, &a.body)),
        }
    }

    /// `spec.stopped` through PUT of the whole statement (with its
    /// `resource_version`).
    fn set_stopped(&mut self, name: &str, stopped: bool) -> Result<(), TargetError> {
        let Some(mut s) = self.get_raw(name)? else {
            return Err(TargetError::Refused {
                method: "PUT".into(),
                path: format!("{}/{}", self.base(), encode(name)),
                status: 404,
                detail: format!("statement `{name}` does not exist"),
            });
        };
        if s.pointer("/spec/stopped").and_then(Value::as_bool) == Some(stopped) {
            return Ok(());
        }
        self.put_stopped(name, &mut s, stopped)
    }

    /// PUTs statement `s` (as read) back with `spec.stopped` set.
    pub fn put_stopped(
        &mut self,
        name: &str,
        s: &mut Value,
        stopped: bool,
    ) -> Result<(), TargetError> {
        let version = s
            .pointer("/metadata/resource_version")
            .cloned()
            .unwrap_or(Value::String(String::new()));
        let spec = s.get_mut("spec").and_then(Value::as_object_mut);
        let mut spec = spec.cloned().unwrap_or_default();
        spec.insert("stopped".into(), Value::Bool(stopped));
        // Read-only fields are not sent back.
        spec.remove("execution_mode");
        let body = json!({
            "name": name,
            "organization_id": self.org,
            "environment_id": self.env,
            "metadata": {"self": s.pointer("/metadata/self").cloned().unwrap_or(Value::String(String::new())), "resource_version": version},
            "spec": spec,
        });
        let path = format!("{}/{}", self.base(), encode(name));
        // Guarded by `resource_version`: sent twice, the second is refused
        // (409) rather than applied twice.
        let guarded = version.as_str().is_some_and(|v| !v.is_empty());
        let policy = if guarded {
            Retry::Idempotent
        } else {
            Retry::Once
        };
        let a = self
            .flink
            .send_with(policy, "PUT", &path, Some(&body), "application/json")?;
        match a.status {
            200 | 202 => Ok(()),
            s => Err(Self::refused("PUT", &path, s, &a.body)),
        }
    }
}

fn parse(body: &str, what: &str) -> Result<Value, TargetError> {
    serde_json::from_str(body).map_err(|e| TargetError::Protocol {
        what: what.into(),
        reason: e.to_string(),
    })
}

/// A statement resource as the API returns it.
pub fn statement_of(v: &Value) -> RemoteStatement {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(String::from);
    RemoteStatement {
        name: s("/name").unwrap_or_default(),
        sql: s("/spec/statement"),
        phase: Phase::parse(&s("/status/phase").unwrap_or_else(|| "PENDING".into())),
        detail: s("/status/detail").unwrap_or_default(),
        stopped: v
            .pointer("/spec/stopped")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_at: s("/metadata/created_at").and_then(|t| crate::dates::parse_timestamp(&t)),
    }
}

impl Target for Confluent {
    fn describe(&self) -> String {
        format!(
            "Confluent Cloud environment {} (compute pool {})",
            self.env,
            self.pool.as_deref().unwrap_or("default")
        )
    }

    fn get(&mut self, name: &str) -> Result<Option<RemoteStatement>, TargetError> {
        Ok(self.get_raw(name)?.as_ref().map(statement_of))
    }

    fn list(&mut self) -> Result<Vec<RemoteStatement>, TargetError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = Pages::new(&format!("GET {}", self.base()));
        loop {
            let mut path = format!("{}?page_size={}", self.base(), self.page_size);
            if let Some(p) = &self.pool {
                path.push_str(&format!("&spec.compute_pool_id={}", encode(p)));
            }
            if let Some(t) = &token {
                path.push_str(&format!("&page_token={}", encode(t)));
            }
            let a = self.flink.send("GET", &path, None, "")?;
            if a.status != 200 {
                return Err(Self::refused("GET", &path, a.status, &a.body));
            }
            let v = parse(&a.body, &path)?;
            if let Some(items) = v.get("data").and_then(Value::as_array) {
                out.extend(items.iter().map(statement_of));
            }
            let next = v
                .pointer("/metadata/next")
                .and_then(Value::as_str)
                .unwrap_or("");
            token = page_token(next);
            match &token {
                Some(t) => pages.next(t)?,
                None => return Ok(out),
            }
        }
    }

    fn create(&mut self, stmt: &NewStatement) -> Result<RemoteStatement, TargetError> {
        let mut properties = self.context.clone();
        properties.extend(stmt.properties.clone());
        let mut spec = json!({
            "statement": stmt.sql,
            "properties": properties,
            "stopped": false,
        });
        if let Some(p) = &self.pool {
            spec["compute_pool_id"] = json!(p);
        }
        if let Some(p) = &self.principal {
            spec["principal"] = json!(p);
        }
        let body = json!({
            "name": stmt.name,
            "organization_id": self.org,
            "environment_id": self.env,
            "spec": spec,
        });
        let path = self.base();
        let a = self
            .flink
            .send("POST", &path, Some(&body), "application/json")?;
        match a.status {
            200..=202 => Ok(statement_of(&parse(&a.body, &path)?)),
            // The server failed while it handled the create: the statement
            // may exist. The caller decides from what is there.
            500 => Err(TargetError::Unavailable {
                url: path.clone(),
                reason: format!(
                    "HTTP 500: {}; the statement may have been created",
                    error_detail(&a.body)
                ),
            }),
            409 => Err(TargetError::Conflict {
                name: stmt.name.clone(),
                detail: error_detail(&a.body),
            }),
            s => Err(Self::refused("POST", &path, s, &a.body)),
        }
    }

    fn stop(&mut self, name: &str) -> Result<(), TargetError> {
        self.set_stopped(name, true)
    }

    fn resume(&mut self, name: &str) -> Result<(), TargetError> {
        self.set_stopped(name, false)
    }

    fn delete(&mut self, name: &str) -> Result<(), TargetError> {
        let path = format!("{}/{}", self.base(), encode(name));
        let a = self.flink.send("DELETE", &path, None, "")?;
        match a.status {
            200 | 202 | 204 | 404 => Ok(()),
            s => Err(Self::refused("DELETE", &path, s, &a.body)),
        }
    }

    fn exceptions(&mut self, name: &str) -> Result<Vec<String>, TargetError> {
        let path = format!("{}/{}/exceptions", self.base(), encode(name));
        let a = self.flink.send("GET", &path, None, "")?;
        match a.status {
            200 => {
                let v = parse(&a.body, &path)?;
                Ok(v.get("data")
                    .and_then(Value::as_array)
                    .map(|d| {
                        d.iter()
                            .filter_map(|e| e.get("message").and_then(Value::as_str))
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default())
            }
            404 => Ok(Vec::new()),
            s => Err(Self::refused("GET", &path, s, &a.body)),
        }
    }

    fn capacity(&mut self) -> Result<Option<PoolCapacity>, TargetError> {
        let (Some(cloud), Some(pool)) = (&self.cloud, &self.pool) else {
            return Ok(self.max_cfu.map(|m| PoolCapacity {
                max: m,
                current: 0.0,
                unit: "CFU",
            }));
        };
        let path = format!(
            "/fcpm/v2/compute-pools/{}?environment={}",
            encode(pool),
            encode(&self.env)
        );
        let a = cloud.send("GET", &path, None, "")?;
        if a.status != 200 {
            return Err(Self::refused("GET", &path, a.status, &a.body));
        }
        let v = parse(&a.body, &path)?;
        let max = v
            .pointer("/spec/max_cfu")
            .and_then(Value::as_f64)
            .ok_or_else(|| TargetError::Protocol {
                what: path.clone(),
                reason: "no spec.max_cfu".into(),
            })?;
        let current = v
            .pointer("/status/current_cfu")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        let max = self.max_cfu.map_or(max, |m| m.min(max));
        Ok(Some(PoolCapacity {
            max,
            current,
            unit: "CFU",
        }))
    }

    fn query(&mut self, name: &str, sql: &str) -> Result<Rows, TargetError> {
        // A bounded query: create it, wait until COMPLETED, read the
        // results (changelog rows folded), delete it.
        let _ = self.delete(name);
        let created = self.create(&NewStatement {
            name: name.into(),
            sql: sql.into(),
            properties: Default::default(),
        })?;
        let start = std::time::Instant::now();
        let mut st = created;
        let mut wait = self.poll_interval;
        while !matches!(st.phase, Phase::Completed) {
            if st.phase.is_failure() || matches!(st.phase, Phase::Stopped) {
                let _ = self.delete(name);
                return Err(TargetError::Failed(format!("{name}: {}", st.detail)));
            }
            if start.elapsed() > self.query_timeout {
                let _ = self.delete(name);
                return Err(TargetError::Failed(format!(
                    "{name}: not COMPLETED after {}s (phase {})",
                    self.query_timeout.as_secs(),
                    st.phase
                )));
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(self.max_poll_interval.max(self.poll_interval));
            st = self.get(name)?.ok_or_else(|| TargetError::Protocol {
                what: name.into(),
                reason: "the query statement disappeared".into(),
            })?;
        }
        let mut rows: Rows = Vec::new();
        let mut path = format!("{}/{}/results", self.base(), encode(name));
        let mut pages = Pages::new(&format!("GET {path}"));
        loop {
            let a = self.flink.send("GET", &path, None, "")?;
            if a.status != 200 {
                return Err(Self::refused("GET", &path, a.status, &a.body));
            }
            let v = parse(&a.body, &path)?;
            for r in v
                .pointer("/results/data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let fields = r
                    .get("row")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                // op: 0 +I, 1 -U, 2 +U, 3 -D
                match r.get("op").and_then(Value::as_i64).unwrap_or(0) {
                    1 | 3 => {
                        if let Some(i) = rows.iter().rposition(|x| *x == fields) {
                            rows.remove(i);
                        }
                    }
                    _ => rows.push(fields),
                }
            }
            match page_token(
                v.pointer("/metadata/next")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ) {
                Some(t) => {
                    pages.next(&t)?;
                    path = format!(
                        "{}/{}/results?page_token={}",
                        self.base(),
                        encode(name),
                        encode(&t)
                    )
                }
                None => break,
            }
        }
        let _ = self.delete(name);
        Ok(rows)
    }

    fn bounded(&mut self, table: &str) -> Result<String, TargetError> {
        Ok(format!(
            "{table} /*+ OPTIONS('scan.bounded.mode' = 'latest-offset') */"
        ))
    }
}

/// The `page_token` of a `next` URL, None when there is no next page.
pub fn page_token(next: &str) -> Option<String> {
    let q = next.split_once('?')?.1;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "page_token")
        .map(|(_, v)| percent_decode(v))
        .filter(|v| !v.is_empty())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens() {
        assert_eq!(
            page_token("https://x/statements?page_size=10&page_token=Uv%2Fm").as_deref(),
            Some("Uv/m")
        );
        assert_eq!(page_token(""), None);
        assert_eq!(page_token("https://x/statements?page_token="), None);
    }
}
