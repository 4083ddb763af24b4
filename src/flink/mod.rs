//! Deploy targets (adapters): the Confluent Cloud Flink statements API and
//! the Apache Flink SQL Gateway REST API, behind one trait.
//!
//! Every adapter takes its base URL from the config, reads secrets from
//! environment variables only and never puts them in messages.
pub mod confluent;
pub mod gateway;
pub mod http;

use std::fmt;

use serde::Serialize;

/// The lifecycle phase of a statement (Confluent's names; the SQL Gateway
/// adapter maps Flink job and operation states onto them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Phase {
    /// Submitted, not running yet (Flink: initializing, created, scheduled).
    Pending,
    /// Running (Flink: restarting too).
    Running,
    /// Finished (a bounded statement, a DDL).
    Completed,
    /// Being deleted.
    Deleting,
    /// Failing.
    Failing,
    /// Failed.
    Failed,
    /// Being stopped (Flink: cancelling, suspending).
    Stopping,
    /// Stopped (Flink: cancelled, suspended, a closed operation).
    Stopped,
    /// Running, but with a problem the target reports (Confluent).
    Degraded,
    /// A phase of another name, as the target reported it (upper case).
    Other(String),
}

impl Phase {
    /// Reads a Confluent phase or a Flink job or operation state, in any case.
    pub fn parse(s: &str) -> Phase {
        match s.to_ascii_uppercase().as_str() {
            "PENDING" | "INITIALIZING" | "CREATED" | "SCHEDULED" => Phase::Pending,
            "RUNNING" | "RESTARTING" => Phase::Running,
            "COMPLETED" | "FINISHED" => Phase::Completed,
            "DELETING" => Phase::Deleting,
            "FAILING" => Phase::Failing,
            "FAILED" | "ERROR" => Phase::Failed,
            "STOPPING" | "CANCELLING" | "SUSPENDING" => Phase::Stopping,
            "STOPPED" | "CANCELED" | "CANCELLED" | "CLOSED" | "SUSPENDED" => Phase::Stopped,
            "DEGRADED" => Phase::Degraded,
            other => Phase::Other(other.to_string()),
        }
    }

    /// The phase's name (`RUNNING`, ...), or the name read for `Other`.
    pub fn as_str(&self) -> &str {
        match self {
            Phase::Pending => "PENDING",
            Phase::Running => "RUNNING",
            Phase::Completed => "COMPLETED",
            Phase::Deleting => "DELETING",
            Phase::Failing => "FAILING",
            Phase::Failed => "FAILED",
            Phase::Stopping => "STOPPING",
            Phase::Stopped => "STOPPED",
            Phase::Degraded => "DEGRADED",
            Phase::Other(s) => s,
        }
    }

    /// FAILING or FAILED.
    pub fn is_failure(&self) -> bool {
        matches!(self, Phase::Failing | Phase::Failed)
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement as the target reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteStatement {
    /// The statement's name.
    pub name: String,
    /// Its SQL, when the target keeps it.
    pub sql: Option<String>,
    /// Its lifecycle phase.
    pub phase: Phase,
    /// The target's own status text (the error for a failed statement).
    pub detail: String,
    /// Whether `spec.stopped` is set (Confluent).
    pub stopped: bool,
    /// Creation time, seconds since the Unix epoch, when known.
    pub created_at: Option<i64>,
}

/// A statement to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewStatement {
    /// The statement's name, unique on the target.
    pub name: String,
    /// The SQL to run.
    pub sql: String,
    /// Statement properties (`SET 'k' = 'v'` before the statement, catalog
    /// and database).
    pub properties: std::collections::BTreeMap<String, String>,
}

/// The compute pool's capacity (CFU for Confluent, task slots for Flink).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoolCapacity {
    /// The pool's capacity, in `unit`.
    pub max: f64,
    /// The capacity in use now, in `unit`.
    pub current: f64,
    /// `CFU` or `slots`.
    pub unit: &'static str,
}

impl PoolCapacity {
    /// The capacity not in use (never below 0).
    pub fn free(&self) -> f64 {
        (self.max - self.current).max(0.0)
    }
}

/// Rows of a bounded query, each value as JSON.
pub type Rows = Vec<Vec<serde_json::Value>>;

/// What went wrong talking to a target. Messages never hold secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// A statement of that name exists already (HTTP 409).
    #[error("statement `{name}` exists already: {detail}")]
    Conflict {
        /// The statement's name.
        name: String,
        /// The target's message.
        detail: String,
    },
    /// The server refused the request (4xx), with its own message.
    #[error("{method} {path}: HTTP {status}: {detail}")]
    Refused {
        /// The HTTP method.
        method: String,
        /// The request's path, without the base URL.
        path: String,
        /// The HTTP status code.
        status: u16,
        /// The server's error text.
        detail: String,
    },
    /// No answer, or still throttled / failing after the retries.
    #[error("{url} is unreachable: {reason}")]
    Unavailable {
        /// The URL asked, without credentials.
        url: String,
        /// Why there was no usable answer.
        reason: String,
    },
    /// An answer the client does not understand.
    #[error("unexpected answer to {what}: {reason}")]
    Protocol {
        /// What was read (a request, a file).
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A statement failed to run.
    #[error("statement failed: {0}")]
    Failed(String),
}

/// One deploy target: creates, watches, stops and deletes named statements,
/// and runs bounded queries for validation.
pub trait Target {
    /// E.g. `Confluent Cloud env-123 (compute pool lfcp-1)`.
    fn describe(&self) -> String;
    /// The statement of that name, None when there is none.
    fn get(&mut self, name: &str) -> Result<Option<RemoteStatement>, TargetError>;
    /// Every statement (all pages).
    fn list(&mut self) -> Result<Vec<RemoteStatement>, TargetError>;
    /// Submits a statement; its phase is then polled with `get`.
    fn create(&mut self, stmt: &NewStatement) -> Result<RemoteStatement, TargetError>;
    /// Stops a running statement (Confluent: `spec.stopped = true`).
    fn stop(&mut self, name: &str) -> Result<(), TargetError>;
    /// Resumes a stopped statement (Confluent: `spec.stopped = false`).
    fn resume(&mut self, name: &str) -> Result<(), TargetError>;
    /// Deletes a statement (stopping it first on the SQL Gateway); none of that name
    /// is not an error.
    fn delete(&mut self, name: &str) -> Result<(), TargetError>;
    /// The statement's exceptions, newest first (messages only).
    fn exceptions(&mut self, name: &str) -> Result<Vec<String>, TargetError>;
    /// The pool's capacity, None when the target cannot tell.
    fn capacity(&mut self) -> Result<Option<PoolCapacity>, TargetError>;
    /// Runs a bounded query and returns its rows (for validation and
    /// synthetic records; `name` identifies the statement).
    fn query(&mut self, name: &str, sql: &str) -> Result<Rows, TargetError>;
    /// How a bounded validation query reads `table` (quoted): the table with
    /// a bounded-scan hint (Confluent), or a bounded twin of it the target
    /// prepares (SQL Gateway).
    fn bounded(&mut self, table: &str) -> Result<String, TargetError> {
        Ok(table.to_string())
    }
}

/// Most pages of one listing (statements, results) read before giving up.
pub const MAX_PAGES: usize = 10_000;

/// Guards a loop over a server's pages: at most [`MAX_PAGES`], and never the
/// same page token twice (a server that keeps answering "next: the same
/// page" would otherwise be read forever).
#[derive(Debug)]
pub struct Pages {
    what: String,
    seen: std::collections::HashSet<String>,
}

impl Pages {
    /// A guard for the pages of `what` (named in errors, e.g. `GET /statements`).
    pub fn new(what: &str) -> Pages {
        Pages {
            what: what.into(),
            seen: Default::default(),
        }
    }

    /// Accepts the token of the next page, or says why the loop must stop.
    pub fn next(&mut self, token: &str) -> Result<(), TargetError> {
        if !self.seen.insert(token.to_string()) {
            return Err(TargetError::Protocol {
                what: self.what.clone(),
                reason: format!("the server sent page token `{token}` twice (a paging loop)"),
            });
        }
        if self.seen.len() > MAX_PAGES {
            return Err(TargetError::Protocol {
                what: self.what.clone(),
                reason: format!("more than {MAX_PAGES} pages"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        let mut p = Pages::new("GET /statements");
        p.next("a").unwrap();
        p.next("b").unwrap();
        let e = p.next("a").unwrap_err().to_string();
        assert!(e.contains("page token `a` twice"), "{e}");
        let mut p = Pages::new("x");
        for i in 0..MAX_PAGES {
            p.next(&i.to_string()).unwrap();
        }
        assert!(
            p.next("last")
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
    }

    #[test]
    fn phases() {
        assert_eq!(Phase::parse("running"), Phase::Running);
        assert_eq!(Phase::parse("FINISHED"), Phase::Completed);
        assert!(Phase::parse("FAILING").is_failure());
        assert_eq!(Phase::parse("WEIRD").as_str(), "WEIRD");
    }
}
