//! Deploy environments in `greenlight.yaml` (`environments: {stage: ...}`),
//! with the keys a shift_left user already has. Secrets are never in this
//! file: only the names of the environment variables holding them.
use std::collections::BTreeMap;

use serde::Deserialize;

/// The statement property naming the current catalog (Confluent's name).
pub const CURRENT_CATALOG: &str = "sql.current-catalog";
/// The statement property naming the current database.
pub const CURRENT_DATABASE: &str = "sql.current-database";

/// Which API the environment's statements run on.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Confluent Cloud Flink statements API.
    #[default]
    Confluent,
    /// Apache Flink SQL Gateway REST API (open-source Flink).
    SqlGateway,
}

impl TargetKind {
    /// Whether the target can start a statement from the offsets of the
    /// one it replaces (an in-place upgrade): Confluent Cloud's carry-over
    /// offsets (`sql.tables.initial-offset-from`). Open-source Flink has no
    /// such mechanism: a savepoint of the old job restores into a changed
    /// query only when the operators' ids happen to match.
    pub fn carries_offsets_over(self) -> bool {
        match self {
            TargetKind::Confluent => true,
            TargetKind::SqlGateway => false,
        }
    }
}

/// One deploy environment: where its statements run and how greenlight deploys,
/// watches and validates them.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Which API the statements run on (default `confluent`).
    #[serde(default)]
    pub target: TargetKind,
    /// Prefix of every statement name (default: the environment's name).
    #[serde(default)]
    pub statement_prefix: Option<String>,
    /// Confluent Cloud organization, environment and region (target `confluent`).
    #[serde(default)]
    pub confluent_cloud: Option<ConfluentCloud>,
    /// Compute pool, catalog, database and Flink API credentials.
    #[serde(default)]
    pub flink: FlinkSettings,
    /// The SQL Gateway to use (target `sql_gateway`).
    #[serde(default)]
    pub sql_gateway: Option<SqlGateway>,
    /// Extra properties of every statement (`sql.*`, `table.*`, ...).
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// How statements are polled, and HTTP timeouts and retries.
    #[serde(default)]
    pub poll: Poll,
    /// Thresholds of `greenlight validate`.
    #[serde(default)]
    pub validate: ValidateSettings,
    /// Settings of `greenlight await`.
    #[serde(default)]
    pub readiness: Readiness,
}

/// shift_left's `confluent_cloud` section.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfluentCloud {
    /// Confluent Cloud organization id.
    pub organization_id: String,
    /// Confluent Cloud environment id (`env-...`).
    pub environment_id: String,
    /// Cloud provider (`aws`, `gcp`, `azure`).
    #[serde(alias = "cloud")]
    pub provider: String,
    /// Cloud region (e.g. `us-east-1`).
    pub region: String,
    /// Confluent Cloud API (compute pools), default `https://api.confluent.cloud`.
    #[serde(default)]
    pub api_url: Option<String>,
    /// Environment variables of the Cloud API key and secret (compute pools).
    #[serde(default = "cloud_key_env")]
    pub api_key_env: String,
    /// Environment variable of the Cloud API secret.
    #[serde(default = "cloud_secret_env")]
    pub api_secret_env: String,
}

fn cloud_key_env() -> String {
    "CONFLUENT_CLOUD_API_KEY".into()
}
fn cloud_secret_env() -> String {
    "CONFLUENT_CLOUD_API_SECRET".into()
}
fn flink_key_env() -> String {
    "FLINK_API_KEY".into()
}
fn flink_secret_env() -> String {
    "FLINK_API_SECRET".into()
}

/// shift_left's `flink` section.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlinkSettings {
    /// Compute pool the statements run in (`lfcp-...`); required for Confluent.
    #[serde(default)]
    pub compute_pool_id: Option<String>,
    /// Catalog the statements run in (`sql.current-catalog`).
    #[serde(default)]
    pub catalog_name: Option<String>,
    /// Database the statements run in (`sql.current-database`).
    #[serde(default)]
    pub database_name: Option<String>,
    /// Cap on the CFU greenlight may use in the pool (the pool's own
    /// maximum applies too).
    #[serde(default)]
    pub max_cfu: Option<f64>,
    /// Service account the statements run as (`sa-...`).
    #[serde(default)]
    pub principal: Option<String>,
    /// Flink regional endpoint; default
    /// `https://flink.{region}.{provider}.confluent.cloud`.
    #[serde(default)]
    pub flink_url: Option<String>,
    /// Environment variables of the Flink API key and secret.
    #[serde(default = "flink_key_env")]
    pub api_key_env: String,
    /// Environment variable of the Flink API secret.
    #[serde(default = "flink_secret_env")]
    pub api_secret_env: String,
}

impl Default for FlinkSettings {
    fn default() -> Self {
        FlinkSettings {
            compute_pool_id: None,
            catalog_name: None,
            database_name: None,
            max_cfu: None,
            principal: None,
            flink_url: None,
            api_key_env: flink_key_env(),
            api_secret_env: flink_secret_env(),
        }
    }
}

/// An Apache Flink SQL Gateway.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SqlGateway {
    /// E.g. `http://127.0.0.1:8083`. Paths are sent without an API
    /// version, which the gateway serves as its newest one (v3 on Flink
    /// 1.19+ and 2.x); a URL ending in `/v3` pins that version.
    pub url: String,
    /// Session properties (e.g. `execution.checkpointing.interval`: the
    /// gateway runs jobs without checkpoints unless it is set).
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// Optional JobManager REST URL: the pool's capacity is its free task
    /// slots (`/overview`).
    #[serde(default)]
    pub jobmanager_url: Option<String>,
    /// Where the adapter keeps each statement's SQL, job id and savepoint
    /// (relative to the project; default `.greenlight/<env>-statements.json`).
    /// Keep it between runs (e.g. as a workflow cache or artifact).
    #[serde(default)]
    pub state_file: Option<String>,
    /// Savepoint directory for stop-with-savepoint (None: jobs are cancelled
    /// and a resumed job starts without state).
    #[serde(default)]
    pub savepoint_dir: Option<String>,
    /// Runtime mode of validation queries (default `batch`).
    #[serde(default)]
    pub query_mode: Option<String>,
}

/// How statements are watched until they run.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Poll {
    /// Give up on a statement not RUNNING (or COMPLETED) after this long.
    pub timeout_secs: u64,
    /// First wait between two polls; doubled up to `max_interval_ms`.
    pub interval_ms: u64,
    /// Longest wait between two polls, in milliseconds.
    pub max_interval_ms: u64,
    /// HTTP request timeout.
    pub request_timeout_secs: u64,
    /// Retries of one HTTP request (throttled, unavailable, or a 500 of a
    /// request that may be repeated).
    pub http_retries: u32,
    /// First wait before a retry (doubled each time, at most 30 s), unless
    /// the server says `Retry-After`.
    pub http_backoff_ms: u64,
}

impl Default for Poll {
    fn default() -> Self {
        Poll {
            timeout_secs: 600,
            interval_ms: 1000,
            max_interval_ms: 15_000,
            request_timeout_secs: 30,
            http_retries: 5,
            http_backoff_ms: 500,
        }
    }
}

/// Thresholds of `greenlight validate`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ValidateSettings {
    /// Largest relative difference of record counts, blue vs green (0.01 = 1%).
    pub count_tolerance: f64,
    /// Columns to compare with SUM, per table (name without version suffix).
    pub aggregates: BTreeMap<String, Vec<String>>,
    /// Largest relative difference of an aggregate.
    pub aggregate_tolerance: f64,
    /// Event-time column per table (default: the DDL's WATERMARK column).
    pub event_time: BTreeMap<String, String>,
    /// Largest lag of green's latest event time behind blue's, in seconds.
    pub max_lag_secs: f64,
    /// Synthetic records sent to each source table before the checks (0: none).
    pub synthetic_records: usize,
    /// How long synthetic records may take to reach the sinks.
    pub synthetic_wait_secs: u64,
    /// Where `validate` writes its verdict and `promote` reads it, relative
    /// to the project (default `.greenlight/<env>-validation.json`).
    pub verdict_file: Option<String>,
}

impl Default for ValidateSettings {
    fn default() -> Self {
        ValidateSettings {
            count_tolerance: 0.0,
            aggregates: BTreeMap::new(),
            aggregate_tolerance: 0.0001,
            event_time: BTreeMap::new(),
            max_lag_secs: 300.0,
            synthetic_records: 0,
            synthetic_wait_secs: 120,
            verdict_file: None,
        }
    }
}

/// `greenlight await`: green is compared with blue every `interval_secs`
/// (counts within `validate.count_tolerance`, latest event time within
/// `validate.max_lag_secs`) until `consecutive_checks` rounds in a row pass.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Readiness {
    /// Seconds between two rounds of checks.
    pub interval_secs: u64,
    /// Rounds in a row that must pass before green is ready.
    pub consecutive_checks: u32,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            interval_secs: 30,
            consecutive_checks: 2,
        }
    }
}

impl Environment {
    /// The statement-name prefix.
    pub fn prefix<'a>(&'a self, env_name: &'a str) -> &'a str {
        self.statement_prefix.as_deref().unwrap_or(env_name)
    }

    /// The properties every statement sent to this environment carries:
    /// the configured `properties`, then `sql.current-catalog` and
    /// `sql.current-database` from `flink.catalog_name` / `database_name`.
    /// Confluent takes them as statement properties; the SQL Gateway adapter
    /// turns the two `sql.current-*` keys into `USE CATALOG` / `USE` (the
    /// gateway ignores them as properties).
    pub fn statement_properties(&self) -> BTreeMap<String, String> {
        let mut p = self.properties.clone();
        if let Some(c) = &self.flink.catalog_name {
            p.insert(CURRENT_CATALOG.into(), c.clone());
        }
        if let Some(d) = &self.flink.database_name {
            p.insert(CURRENT_DATABASE.into(), d.clone());
        }
        p
    }

    /// Credential variables are never the runner's own; files greenlight
    /// writes stay inside the project.
    fn validate_names(&self, at: &str) -> Result<(), EnvironmentError> {
        let mut vars = vec![
            ("flink.api_key_env", &self.flink.api_key_env),
            ("flink.api_secret_env", &self.flink.api_secret_env),
        ];
        if let Some(c) = &self.confluent_cloud {
            vars.push(("confluent_cloud.api_key_env", &c.api_key_env));
            vars.push(("confluent_cloud.api_secret_env", &c.api_secret_env));
        }
        for (key, var) in vars {
            crate::config::check_secret_var(&format!("{at}.{key}"), var)?;
        }
        let files = [
            (
                "sql_gateway.state_file",
                self.sql_gateway
                    .as_ref()
                    .and_then(|g| g.state_file.as_ref()),
            ),
            ("validate.verdict_file", self.validate.verdict_file.as_ref()),
        ];
        for (key, file) in files {
            if let Some(f) = file
                && (f.is_empty()
                    || std::path::Path::new(f).is_absolute()
                    || f.replace('\\', "/").split('/').any(|c| c == ".."))
            {
                return Err(EnvironmentError::Path {
                    at: at.into(),
                    key,
                    file: crate::paths::excerpt(f, 120),
                });
            }
        }
        Ok(())
    }

    /// Checks what serde cannot; `name` is the environment's key.
    pub fn validate(&self, name: &str) -> Result<(), EnvironmentError> {
        let at = format!("environments.{name}");
        match self.target {
            TargetKind::Confluent => self.validate_confluent(&at)?,
            TargetKind::SqlGateway => {
                let Some(g) = &self.sql_gateway else {
                    return Err(EnvironmentError::NoSqlGateway { at });
                };
                if !is_http(&g.url) {
                    return Err(EnvironmentError::Url {
                        at,
                        key: "sql_gateway.url",
                    });
                }
            }
        }
        for (key, url) in [
            ("flink.flink_url", self.flink.flink_url.as_ref()),
            (
                "confluent_cloud.api_url",
                self.confluent_cloud
                    .as_ref()
                    .and_then(|c| c.api_url.as_ref()),
            ),
        ] {
            if url.is_some_and(|u| !is_http(u)) {
                return Err(EnvironmentError::Url { at, key });
            }
        }
        self.validate_names(&at)?;
        let p = self.prefix(name);
        if p.is_empty()
            || !p
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(EnvironmentError::Prefix {
                at,
                prefix: crate::paths::excerpt(p, 80),
            });
        }
        Ok(())
    }

    fn validate_confluent(&self, at: &str) -> Result<(), EnvironmentError> {
        let Some(c) = &self.confluent_cloud else {
            return Err(EnvironmentError::NoConfluentCloud { at: at.into() });
        };
        if self.flink.compute_pool_id.is_none() {
            return Err(EnvironmentError::NoComputePool { at: at.into() });
        }
        for (key, v) in [
            ("organization_id", &c.organization_id),
            ("environment_id", &c.environment_id),
            ("provider", &c.provider),
            ("region", &c.region),
        ] {
            if v.trim().is_empty() {
                return Err(EnvironmentError::Empty { at: at.into(), key });
            }
        }
        Ok(())
    }
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// An environment of the config that cannot be deployed to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvironmentError {
    /// Target `confluent` without a `confluent_cloud` section.
    #[error(
        "{at}: target `confluent` needs a `confluent_cloud` section (organization_id, environment_id, provider, region)"
    )]
    NoConfluentCloud {
        /// The environment in the config: `environments.<name>`.
        at: String,
    },
    /// Target `confluent` without `flink.compute_pool_id`.
    #[error("{at}.flink.compute_pool_id is required")]
    NoComputePool {
        /// The environment in the config: `environments.<name>`.
        at: String,
    },
    /// A required `confluent_cloud` key is blank.
    #[error("{at}.confluent_cloud.{key} is empty")]
    Empty {
        /// The environment in the config: `environments.<name>`.
        at: String,
        /// The blank key.
        key: &'static str,
    },
    /// Target `sql_gateway` without a `sql_gateway` section.
    #[error("{at}: target `sql_gateway` needs a `sql_gateway` section with `url`")]
    NoSqlGateway {
        /// The environment in the config: `environments.<name>`.
        at: String,
    },
    /// A URL setting that does not start with http:// or https://.
    #[error("{at}.{key} must start with http:// or https://")]
    Url {
        /// The environment in the config: `environments.<name>`.
        at: String,
        /// The setting's key.
        key: &'static str,
    },
    /// The statement prefix is empty or not lowercase letters, digits and `-`.
    #[error("{at}: statement prefix `{prefix}` must be lowercase letters, digits and `-`")]
    Prefix {
        /// The environment in the config: `environments.<name>`.
        at: String,
        /// The prefix (an excerpt).
        prefix: String,
    },
    /// A file setting that is empty, absolute or leaves the project (`..`).
    #[error("{at}.{key}: `{file}` must be a path inside the project, relative to it")]
    Path {
        /// The environment in the config: `environments.<name>`.
        at: String,
        /// The setting's key.
        key: &'static str,
        /// The path given (an excerpt).
        file: String,
    },
    /// A credential variable name belongs to the GitHub runner.
    #[error(transparent)]
    RunnerVariable(#[from] crate::config::RunnerVariable),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(yaml: &str) -> Environment {
        serde_norway::from_str(yaml).unwrap()
    }

    #[test]
    fn every_statement_gets_the_catalog_database_and_properties() {
        let e = env(
            "flink: {catalog_name: stage-env, database_name: stage-cluster}\nproperties: {sql.local-time-zone: UTC, sql.current-catalog: ignored}\n",
        );
        let p = e.statement_properties();
        assert_eq!(p[CURRENT_CATALOG], "stage-env", "the flink section wins");
        assert_eq!(p[CURRENT_DATABASE], "stage-cluster");
        assert_eq!(p["sql.local-time-zone"], "UTC");
        assert!(env("{}").statement_properties().is_empty());
    }

    #[test]
    fn readiness_and_retries_have_defaults_and_refuse_unknown_keys() {
        let e = env("{}");
        assert_eq!(
            e.readiness,
            Readiness {
                interval_secs: 30,
                consecutive_checks: 2
            }
        );
        assert_eq!((e.poll.http_retries, e.poll.http_backoff_ms), (5, 500));
        assert_eq!(e.validate.verdict_file, None);
        let err = serde_norway::from_str::<Environment>("readiness: {every: 3}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `every`"), "{err}");
    }
}
