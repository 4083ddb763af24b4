//! Apache Flink SQL Gateway REST API (open-source Flink): sessions,
//! statements, operation status and paged results.
//!
//! The gateway has no named, persistent statements: this adapter names each
//! job with `pipeline.name`, reads job states with `SHOW JOBS`, stops jobs
//! with `STOP JOB`, and keeps what the gateway cannot tell (each name's
//! SQL, job id, savepoint) in a small state file.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{Http, Retry, encode, error_detail};
use super::{
    MAX_PAGES, NewStatement, Pages, Phase, PoolCapacity, RemoteStatement, Rows, Target, TargetError,
};
use crate::deploy::config::{CURRENT_CATALOG, CURRENT_DATABASE};

/// What the adapter remembers of a statement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The statement's SQL, submitted again when it resumes.
    pub sql: String,
    /// The statement's own properties, sent with it.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// Flink job id of a statement that runs (INSERT, statement set, CTAS).
    #[serde(default)]
    pub job_id: Option<String>,
    /// PENDING/COMPLETED/FAILED of a statement without a job.
    #[serde(default)]
    pub phase: String,
    /// The gateway's error when the statement last failed, None otherwise.
    #[serde(default)]
    pub error: Option<String>,
    /// Whether greenlight stopped it (stop or delete).
    #[serde(default)]
    pub stopped: bool,
    /// Path of the savepoint its last stop wrote, which a resumed job starts from.
    #[serde(default)]
    pub savepoint: Option<String>,
    /// Creation time, seconds since the Unix epoch.
    #[serde(default)]
    pub created_at: i64,
}

/// A job as `SHOW JOBS` lists it.
struct Job {
    id: String,
    /// `pipeline.name`: the statement's name for greenlight's jobs.
    name: String,
    state: String,
    start: Option<i64>,
}

/// Flink 2.x's savepoint directory key, and the 1.x key it replaced (both
/// sent: the gateway may run either).
const SAVEPOINT_DIR_KEYS: [&str; 2] = [
    "execution.checkpointing.savepoint-dir",
    "state.savepoints.dir",
];
/// The savepoint a job starts from, in 2.x and 1.x.
const RESTORE_KEYS: [&str; 2] = ["execution.state-recovery.path", "execution.savepoint.path"];

/// One page of an operation's results.
struct Page {
    job: Option<String>,
    /// Rows with their kind (`INSERT`, `UPDATE_BEFORE`, ...).
    rows: Vec<(String, Vec<Value>)>,
    /// The next page's token, None at the end.
    next: Option<String>,
    not_ready: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    statements: BTreeMap<String, Record>,
}

/// A Flink SQL Gateway target, with its statements kept in a state file.
pub struct Gateway {
    http: Http,
    jobmanager: Option<Http>,
    session: Option<Session>,
    session_properties: BTreeMap<String, String>,
    state_file: PathBuf,
    state: State,
    /// How long one operation may take.
    pub timeout: Duration,
    /// Runtime mode of validation queries (`batch` reads bounded tables).
    pub query_mode: String,
    /// Where stop-with-savepoint writes (None: jobs are cancelled).
    pub savepoint_dir: Option<String>,
    /// Properties every statement carries: `sql.current-catalog` and
    /// `sql.current-database` become `USE CATALOG` / `USE` in the session
    /// (the gateway ignores them as properties), the others are sent as the
    /// statement's `executionConfig`.
    pub context: BTreeMap<String, String>,
    /// Bounded twins of tables read by validation queries, by quoted name.
    twins: BTreeMap<String, String>,
}

/// The open session and the catalog and database it uses.
#[derive(Debug, Clone)]
struct Session {
    handle: String,
    catalog: Option<String>,
    database: Option<String>,
}

impl Gateway {
    /// A client of the gateway at `url`: `session_properties` open its session, the
    /// optional JobManager REST URL gives exceptions and task slots, and `state_file`
    /// holds the statements (read now; empty when it does not exist).
    pub fn new(
        url: &str,
        session_properties: BTreeMap<String, String>,
        jobmanager_url: Option<&str>,
        state_file: PathBuf,
        request_timeout: Duration,
    ) -> Result<Gateway, TargetError> {
        let unreadable = |reason: String| TargetError::Protocol {
            what: format!("the statement state file {}", state_file.display()),
            reason,
        };
        let state = match std::fs::read_to_string(&state_file) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| unreadable(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(unreadable(e.to_string())),
        };
        Ok(Gateway {
            http: Http::new(url, None, request_timeout),
            jobmanager: jobmanager_url.map(|u| Http::new(u, None, request_timeout)),
            session: None,
            session_properties,
            state_file,
            state,
            timeout: Duration::from_secs(600),
            query_mode: "batch".into(),
            savepoint_dir: None,
            context: BTreeMap::new(),
            twins: BTreeMap::new(),
        })
    }

    /// Takes the environment's settings: operation timeout, HTTP retries,
    /// the statements' context (catalog, database, properties), savepoints
    /// and the mode of validation queries.
    pub fn configure(&mut self, env: &crate::deploy::Environment) {
        self.timeout = Duration::from_secs(env.poll.timeout_secs.max(1));
        self.http.retries = env.poll.http_retries;
        self.http.backoff = Duration::from_millis(env.poll.http_backoff_ms);
        self.context = env.statement_properties();
        if let Some(g) = &env.sql_gateway {
            self.savepoint_dir = g.savepoint_dir.clone();
            if let Some(m) = &g.query_mode {
                self.query_mode = m.clone();
            }
        }
    }

    fn save(&self) -> Result<(), TargetError> {
        let io = |e: std::io::Error| TargetError::Protocol {
            what: self.state_file.display().to_string(),
            reason: e.to_string(),
        };
        if let Some(d) = self.state_file.parent() {
            std::fs::create_dir_all(d).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(&self.state).unwrap_or_default();
        std::fs::write(&self.state_file, text + "\n").map_err(io)
    }

    fn session(&mut self) -> Result<String, TargetError> {
        if let Some(s) = &self.session {
            return Ok(s.handle.clone());
        }
        let body = json!({
            "sessionName": "greenlight",
            "properties": self.session_properties,
        });
        let a = self
            .http
            .send("POST", "/sessions", Some(&body), "application/json")?;
        let v = ok_json("POST /sessions", a.status, &a.body)?;
        let h = v
            .get("sessionHandle")
            .and_then(Value::as_str)
            .ok_or_else(|| protocol("POST /sessions", "no sessionHandle"))?
            .to_string();
        self.session = Some(Session {
            handle: h.clone(),
            catalog: None,
            database: None,
        });
        Ok(h)
    }

    /// Executes a statement in the environment's catalog and database with
    /// the context's properties (the statement's own `config` win), and
    /// waits for its operation to finish; returns the session and operation
    /// handles, or the gateway's own error text.
    fn execute(
        &mut self,
        sql: &str,
        config: &BTreeMap<String, String>,
    ) -> Result<(String, String), TargetError> {
        let mut config_all = self.context.clone();
        config_all.extend(config.clone());
        let catalog = config_all.remove(CURRENT_CATALOG);
        let database = config_all.remove(CURRENT_DATABASE);
        // A session the gateway forgot (idle timeout, restart) is opened
        // again, once: the statement never ran in it.
        for attempt in 0..2 {
            self.use_namespace(catalog.as_deref(), database.as_deref())?;
            match self.run(sql, &config_all) {
                Err(TargetError::Refused { detail, .. })
                    if attempt == 0
                        && detail.contains("does not exist")
                        && detail.contains("Session") =>
                {
                    self.session = None;
                    // Temporary twins lived in the lost session.
                    self.twins.clear();
                }
                other => return other,
            }
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// `USE CATALOG` / `USE` when the session is elsewhere.
    fn use_namespace(
        &mut self,
        catalog: Option<&str>,
        database: Option<&str>,
    ) -> Result<(), TargetError> {
        self.session()?;
        let current = self.session.clone().expect("opened above");
        let use_failed = |what: &str, e: TargetError| match e {
            TargetError::Failed(d) => TargetError::Failed(format!("{what}: {d}")),
            other => other,
        };
        if let Some(c) = catalog
            && current.catalog.as_deref() != Some(c)
        {
            let sql = format!("USE CATALOG {}", quote(c));
            self.run(&sql, &BTreeMap::new())
                .map_err(|e| use_failed(&sql, e))?;
            if let Some(s) = &mut self.session {
                s.catalog = Some(c.to_string());
                s.database = None;
            }
        }
        let current = self.session.clone().expect("opened above");
        if let Some(d) = database
            && current.database.as_deref() != Some(d)
        {
            let sql = format!("USE {}", quote(d));
            self.run(&sql, &BTreeMap::new())
                .map_err(|e| use_failed(&sql, e))?;
            if let Some(s) = &mut self.session {
                s.database = Some(d.to_string());
            }
        }
        Ok(())
    }

    /// Submits one statement as is and waits for its operation.
    fn run(
        &mut self,
        sql: &str,
        config: &BTreeMap<String, String>,
    ) -> Result<(String, String), TargetError> {
        let session = self.session()?;
        let path = format!("/sessions/{}/statements", encode(&session));
        let body = json!({ "statement": sql, "executionConfig": config });
        let a = self
            .http
            .send("POST", &path, Some(&body), "application/json")?;
        let v = ok_json(&format!("POST {path}"), a.status, &a.body)?;
        let op = v
            .get("operationHandle")
            .and_then(Value::as_str)
            .ok_or_else(|| protocol(&path, "no operationHandle"))?
            .to_string();
        let status_path = format!(
            "/sessions/{}/operations/{}/status",
            encode(&session),
            encode(&op)
        );
        let start = Instant::now();
        let mut wait = Duration::from_millis(50);
        loop {
            let a = self.http.send("GET", &status_path, None, "")?;
            let v = ok_json(&format!("GET {status_path}"), a.status, &a.body)?;
            let status = v.get("status").and_then(Value::as_str).unwrap_or("");
            match status {
                "FINISHED" => return Ok((session, op)),
                "ERROR" | "CANCELED" | "CLOSED" | "TIMEOUT" => {
                    // The error text comes with the result fetch.
                    let detail = match self.fetch(&session, &op, "0") {
                        Err(TargetError::Failed(d)) => d,
                        Err(e) => e.to_string(),
                        Ok(_) => format!("operation {status}"),
                    };
                    return Err(TargetError::Failed(detail));
                }
                _ => {}
            }
            if start.elapsed() > self.timeout {
                return Err(TargetError::Failed(format!(
                    "operation not finished after {}s (status {status})",
                    self.timeout.as_secs()
                )));
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(2));
        }
    }

    /// One page of results. A failed operation's results answer HTTP 500
    /// with its cause: not retried, the cause is the error.
    fn fetch(&mut self, session: &str, op: &str, token: &str) -> Result<Page, TargetError> {
        let path = format!(
            "/sessions/{}/operations/{}/result/{}?rowFormat=JSON",
            encode(session),
            encode(op),
            encode(token)
        );
        let a = self
            .http
            .send_with(Retry::Never500, "GET", &path, None, "")?;
        if a.status >= 400 {
            return Err(TargetError::Failed(first_line_error(&a.body)));
        }
        let v = ok_json(&format!("GET {path}"), a.status, &a.body)?;
        let job = v.get("jobID").and_then(Value::as_str).map(String::from);
        let rows = v
            .pointer("/results/data")
            .and_then(Value::as_array)
            .map(|d| {
                d.iter()
                    .map(|r| {
                        let kind = r
                            .get("kind")
                            .or_else(|| r.get("rowKind"))
                            .and_then(Value::as_str)
                            .unwrap_or("INSERT")
                            .to_string();
                        let fields = r
                            .get("fields")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        (kind, fields)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let result_type = v.get("resultType").and_then(Value::as_str).unwrap_or("EOS");
        let next = v
            .get("nextResultUri")
            .and_then(Value::as_str)
            .and_then(|u| u.rsplit('/').next())
            .map(|t| t.split('?').next().unwrap_or(t).to_string());
        Ok(Page {
            job,
            rows,
            next: if result_type == "EOS" { None } else { next },
            not_ready: result_type == "NOT_READY",
        })
    }

    /// Every row of a finished operation (changelog folded). Bounded: the
    /// operation timeout for results not ready, and [`MAX_PAGES`] pages of
    /// rows, each token once.
    fn all_rows(&mut self, session: &str, op: &str) -> Result<(Option<String>, Rows), TargetError> {
        let mut rows: Rows = Vec::new();
        let mut job = None;
        let mut token = Some("0".to_string());
        let start = Instant::now();
        let mut pages = Pages::new(&format!("results of operation {op}"));
        let mut polls = 0usize;
        while let Some(t) = token {
            let page = self.fetch(session, op, &t)?;
            job = job.or(page.job);
            for (kind, fields) in page.rows {
                match kind.as_str() {
                    "UPDATE_BEFORE" | "DELETE" => {
                        if let Some(i) = rows.iter().rposition(|x| *x == fields) {
                            rows.remove(i);
                        }
                    }
                    _ => rows.push(fields),
                }
            }
            if page.not_ready {
                polls += 1;
                if start.elapsed() > self.timeout || polls > MAX_PAGES {
                    return Err(TargetError::Failed(format!(
                        "the results of operation {op} were not ready after {}s",
                        start.elapsed().as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(100));
            } else if let Some(n) = &page.next {
                pages.next(n)?;
            }
            token = page.next;
        }
        Ok((job, rows))
    }

    /// The cluster's jobs, from `SHOW JOBS`.
    fn job_list(&mut self) -> Result<Vec<Job>, TargetError> {
        let (s, op) = self.execute("SHOW JOBS", &BTreeMap::new())?;
        let (_, rows) = self.all_rows(&s, &op)?;
        let cell = |r: &Vec<Value>, i: usize| r.get(i).and_then(Value::as_str).map(String::from);
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Job {
                    id: cell(r, 0)?,
                    name: cell(r, 1).unwrap_or_default(),
                    state: cell(r, 2).unwrap_or_default(),
                    start: cell(r, 3).and_then(|t| crate::dates::parse_timestamp(&t)),
                })
            })
            .collect())
    }

    /// Job states by job id.
    fn jobs(&mut self) -> Result<BTreeMap<String, String>, TargetError> {
        Ok(self
            .job_list()?
            .into_iter()
            .map(|j| (j.id, j.state))
            .collect())
    }

    fn remote(&self, name: &str, r: &Record, jobs: &BTreeMap<String, String>) -> RemoteStatement {
        let phase = match &r.job_id {
            Some(id) => match jobs.get(id) {
                Some(state) => Phase::parse(state),
                None if r.stopped => Phase::Stopped,
                None => Phase::Pending,
            },
            None => Phase::parse(if r.phase.is_empty() {
                "PENDING"
            } else {
                &r.phase
            }),
        };
        let phase = if r.stopped && !matches!(phase, Phase::Running) {
            Phase::Stopped
        } else {
            phase
        };
        RemoteStatement {
            name: name.into(),
            sql: Some(r.sql.clone()),
            detail: r.error.clone().unwrap_or_default(),
            phase,
            stopped: r.stopped,
            created_at: Some(r.created_at),
        }
    }

    fn submit(&mut self, name: &str, record: &mut Record) -> Result<(), TargetError> {
        let mut config = record.properties.clone();
        config.insert("pipeline.name".into(), name.into());
        if let Some(sp) = &record.savepoint {
            for k in RESTORE_KEYS {
                config.insert(k.into(), sp.clone());
            }
        }
        let before = now();
        let previous = record.job_id.clone();
        match self.execute(&record.sql, &config) {
            Ok((s, op)) => {
                let (job, rows) = self.all_rows(&s, &op)?;
                let job = job.or_else(|| {
                    // `INSERT` answers one row with the job id.
                    rows.first()
                        .and_then(|r| r.first())
                        .and_then(Value::as_str)
                        .filter(|s| s.len() == 32 && s.chars().all(|c| c.is_ascii_hexdigit()))
                        .map(String::from)
                });
                record.error = None;
                match job {
                    Some(j) => {
                        record.job_id = Some(j);
                        record.phase = "RUNNING".into();
                    }
                    None => record.phase = "COMPLETED".into(),
                }
            }
            Err(TargetError::Failed(detail)) => {
                record.phase = "FAILED".into();
                record.job_id = None;
                record.error = Some(detail);
            }
            Err(e @ TargetError::Unavailable { .. }) => {
                // The answer was lost, the statement may run: its job carries
                // the statement's name. Adopt it rather than start a second.
                let started = self.job_list()?.into_iter().find(|j| {
                    j.name == name
                        && Some(&j.id) != previous.as_ref()
                        && j.start.is_none_or(|t| t + 60 >= before)
                        && !Phase::parse(&j.state).is_failure()
                });
                match started {
                    Some(j) => {
                        record.error = None;
                        record.job_id = Some(j.id);
                        record.phase = "RUNNING".into();
                    }
                    // A DDL whose answer was lost: sent again it would fail
                    // with "already exists". The table it creates is there.
                    None if self.created_table_exists(record)? => {
                        record.error = None;
                        record.phase = "COMPLETED".into();
                    }
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
        record.stopped = false;
        Ok(())
    }

    /// Whether `record` is a DDL that runs no job (`CREATE TABLE`, `CREATE
    /// VIEW`, a materialized table's schema) and the table it creates
    /// exists, in the record's catalog and database.
    fn created_table_exists(&mut self, record: &Record) -> Result<bool, TargetError> {
        let Some(table) = created_table(&record.sql) else {
            return Ok(false);
        };
        match self.execute(&format!("DESCRIBE {table}"), &record.properties) {
            Ok(_) => Ok(true),
            Err(TargetError::Failed(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A table as a bounded query may read it: itself when the table is
    /// bounded, else a temporary twin with bounded options (a monitored
    /// filesystem table without its monitor, a Kafka table up to the latest
    /// offsets). Its options come from `SHOW CREATE TABLE`.
    fn bounded_twin(&mut self, table: &str) -> Result<String, TargetError> {
        let (s, op) = match self.execute(&format!("SHOW CREATE TABLE {table}"), &BTreeMap::new()) {
            Ok(x) => x,
            // A view has no options of its own: read it as it is.
            Err(TargetError::Failed(_)) => return Ok(table.to_string()),
            Err(e) => return Err(e),
        };
        let (_, rows) = self.all_rows(&s, &op)?;
        let ddl = rows
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some(options) = crate::deploy::ddl::bounded_options(ddl) else {
            return Ok(table.to_string());
        };
        let twin = quote(&format!("gl_bounded_{}", self.twins.len() + 1));
        let with: Vec<String> = options
            .iter()
            .map(|(k, v)| format!("{} = {}", sql_string(k), sql_string(v)))
            .collect();
        let sql = format!(
            "CREATE TEMPORARY TABLE {twin} WITH ({}) LIKE {table} (EXCLUDING OPTIONS)",
            with.join(", ")
        );
        self.execute(&sql, &BTreeMap::new()).map_err(|e| match e {
            TargetError::Failed(d) => {
                TargetError::Failed(format!("cannot make a bounded twin of {table}: {d}"))
            }
            other => other,
        })?;
        Ok(twin)
    }
}

/// The table `sql` creates, backquoted, when it is one DDL statement that
/// runs no job.
fn created_table(sql: &str) -> Option<String> {
    let statements = crate::sql::analyze(sql).ok()?;
    let [statement] = statements.as_slice() else {
        return None;
    };
    if !statement.kind.defines_table() || statement.kind.runs_continuously() {
        return None;
    }
    let name = statement.target.as_ref()?;
    let parts: Vec<String> = name.parts.iter().map(|p| quote(&p.value)).collect();
    Some(parts.join("."))
}

/// A backquoted identifier.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A SQL string literal.
fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn protocol(what: &str, reason: &str) -> TargetError {
    TargetError::Protocol {
        what: what.into(),
        reason: reason.into(),
    }
}

fn ok_json(what: &str, status: u16, body: &str) -> Result<Value, TargetError> {
    if !(200..300).contains(&status) {
        return Err(TargetError::Refused {
            method: what.split(' ').next().unwrap_or("").into(),
            path: what.split(' ').nth(1).unwrap_or(what).into(),
            status,
            detail: first_line_error(body),
        });
    }
    if body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(body).map_err(|e| protocol(what, &e.to_string()))
}

/// The gateway's error: the deepest `Caused by:` line of its stack traces
/// (the user's own problem), else the first line.
fn first_line_error(body: &str) -> String {
    let d = error_detail(body);
    let causes: Vec<&str> = d
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Caused by: "))
        .collect();
    match causes.last() {
        Some(c) => c.to_string(),
        None => d
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Gateway {
    /// Waits until job `id` no longer runs (the JobManager may report
    /// RUNNING for a moment after `STOP JOB` answered); bounded by the
    /// operation timeout.
    fn wait_stopped(&mut self, id: &str) -> Result<(), TargetError> {
        let start = Instant::now();
        loop {
            let state = self.jobs()?.get(id).cloned().unwrap_or_default();
            if Phase::parse(&state) != Phase::Running {
                return Ok(());
            }
            if start.elapsed() > self.timeout {
                return Err(TargetError::Failed(format!(
                    "job {id} still RUNNING {}s after STOP JOB",
                    self.timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Target for Gateway {
    fn describe(&self) -> String {
        format!("Flink SQL Gateway {}", self.http.base)
    }

    fn get(&mut self, name: &str) -> Result<Option<RemoteStatement>, TargetError> {
        let Some(r) = self.state.statements.get(name).cloned() else {
            return Ok(None);
        };
        let jobs = if r.job_id.is_some() {
            self.jobs()?
        } else {
            BTreeMap::new()
        };
        Ok(Some(self.remote(name, &r, &jobs)))
    }

    fn list(&mut self) -> Result<Vec<RemoteStatement>, TargetError> {
        let jobs = self.jobs()?;
        Ok(self
            .state
            .statements
            .iter()
            .map(|(n, r)| self.remote(n, r, &jobs))
            .collect())
    }

    fn create(&mut self, stmt: &NewStatement) -> Result<RemoteStatement, TargetError> {
        if self.state.statements.contains_key(&stmt.name) {
            return Err(TargetError::Conflict {
                name: stmt.name.clone(),
                detail: "a statement of that name exists".into(),
            });
        }
        let mut r = Record {
            sql: stmt.sql.clone(),
            properties: stmt.properties.clone(),
            created_at: now(),
            ..Record::default()
        };
        self.submit(&stmt.name, &mut r)?;
        self.state.statements.insert(stmt.name.clone(), r.clone());
        self.save()?;
        Ok(self.remote(&stmt.name, &r, &BTreeMap::new()))
    }

    fn stop(&mut self, name: &str) -> Result<(), TargetError> {
        let Some(mut r) = self.state.statements.get(name).cloned() else {
            return Ok(());
        };
        if let Some(id) = r.job_id.clone() {
            let jobs = self.jobs()?;
            if jobs
                .get(&id)
                .is_some_and(|s| Phase::parse(s) == Phase::Running)
            {
                let mut config = BTreeMap::new();
                let sql = match &self.savepoint_dir {
                    Some(d) => {
                        for k in SAVEPOINT_DIR_KEYS {
                            config.insert(k.to_string(), d.clone());
                        }
                        format!("STOP JOB '{id}' WITH SAVEPOINT")
                    }
                    None => format!("STOP JOB '{id}'"),
                };
                let (s, op) = self.execute(&sql, &config)?;
                let (_, rows) = self.all_rows(&s, &op)?;
                // Only `WITH SAVEPOINT` answers a savepoint path; a plain
                // `STOP JOB` answers `OK`, which is no place to restore from.
                r.savepoint = self
                    .savepoint_dir
                    .as_ref()
                    .and(rows.first())
                    .and_then(|x| x.first())
                    .and_then(Value::as_str)
                    .map(String::from);
                self.wait_stopped(&id)?;
            }
        }
        r.stopped = true;
        self.state.statements.insert(name.into(), r);
        self.save()
    }

    fn resume(&mut self, name: &str) -> Result<(), TargetError> {
        let Some(mut r) = self.state.statements.get(name).cloned() else {
            return Ok(());
        };
        if !r.stopped {
            return Ok(());
        }
        self.submit(name, &mut r)?;
        self.state.statements.insert(name.into(), r);
        self.save()
    }

    fn delete(&mut self, name: &str) -> Result<(), TargetError> {
        self.stop(name)?;
        self.state.statements.remove(name);
        self.save()
    }

    fn exceptions(&mut self, name: &str) -> Result<Vec<String>, TargetError> {
        let Some(r) = self.state.statements.get(name).cloned() else {
            return Ok(Vec::new());
        };
        let mut out: Vec<String> = r.error.into_iter().collect();
        if let (Some(jm), Some(id)) = (&self.jobmanager, &r.job_id) {
            let a = jm.send("GET", &format!("/jobs/{}/exceptions", encode(id)), None, "")?;
            if a.status == 200
                && let Ok(v) = serde_json::from_str::<Value>(&a.body)
                && let Some(e) = v.get("root-exception").and_then(Value::as_str)
            {
                out.push(first_line_error(&json!({"errors": [e]}).to_string()));
            }
        }
        Ok(out)
    }

    fn capacity(&mut self) -> Result<Option<PoolCapacity>, TargetError> {
        let Some(jm) = &self.jobmanager else {
            return Ok(None);
        };
        let a = jm.send("GET", "/overview", None, "")?;
        let v = ok_json("GET /overview", a.status, &a.body)?;
        let total = v.get("slots-total").and_then(Value::as_f64).unwrap_or(0.0);
        let free = v
            .get("slots-available")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        Ok(Some(PoolCapacity {
            max: total,
            current: total - free,
            unit: "slots",
        }))
    }

    fn query(&mut self, name: &str, sql: &str) -> Result<Rows, TargetError> {
        let mut config = BTreeMap::new();
        config.insert(
            "execution.runtime-mode".to_string(),
            self.query_mode.clone(),
        );
        config.insert("pipeline.name".to_string(), name.to_string());
        let (s, op) = self.execute(sql, &config)?;
        let (_, rows) = self.all_rows(&s, &op)?;
        // INSERT ... VALUES answers its job id: wait until that job ends.
        if sql.trim_start().to_ascii_uppercase().starts_with("INSERT") {
            let id = rows
                .first()
                .and_then(|r| r.first())
                .and_then(Value::as_str)
                .map(String::from);
            if let Some(id) = id {
                let start = Instant::now();
                loop {
                    let state = self.jobs()?.get(&id).cloned().unwrap_or_default();
                    match Phase::parse(&state) {
                        Phase::Completed => break,
                        p if p.is_failure() || p == Phase::Stopped => {
                            return Err(TargetError::Failed(format!("{name}: job {id} {state}")));
                        }
                        _ => {}
                    }
                    if start.elapsed() > self.timeout {
                        return Err(TargetError::Failed(format!(
                            "{name}: job {id} not finished"
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
            return Ok(Vec::new());
        }
        Ok(rows)
    }

    fn bounded(&mut self, table: &str) -> Result<String, TargetError> {
        if let Some(t) = self.twins.get(table) {
            return Ok(t.clone());
        }
        let twin = self.bounded_twin(table)?;
        self.twins.insert(table.to_string(), twin.clone());
        Ok(twin)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = self.http.send(
                "DELETE",
                &format!("/sessions/{}", encode(&s.handle)),
                None,
                "",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_errors() {
        let body = r#"{"errors":["Internal server error.","<Exception on server side:\norg.apache.flink.table.api.ValidationException: bad\nCaused by: org.apache.flink.table.api.TableException: Table `x` not found\n\tat y"]}"#;
        assert_eq!(
            first_line_error(body),
            "org.apache.flink.table.api.TableException: Table `x` not found"
        );
    }
}
