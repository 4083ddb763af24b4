//! `greenlight.yaml`: optional project overrides, strictly checked.
use std::path::Path;

use serde::Deserialize;

use crate::error::{ConfigError, Result};

/// The config file's name, looked up in the project folder.
pub const CONFIG_FILE: &str = "greenlight.yaml";

/// Project settings read from `greenlight.yaml`; defaults for what it leaves out.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Glob patterns (relative to the project) of SQL files to ignore, on
    /// top of the defaults (`**/tests/**`, hidden and build folders).
    pub exclude: Vec<String>,
    /// Glob of the tags that mark releases; the newest one reachable from
    /// HEAD is the base.
    pub tag_pattern: String,
    /// Globs of the branches releases are made from.
    pub release_branches: Vec<String>,
    /// File (relative to the project) listing tables to re-version in this
    /// release, one per line; only names added since the base count.
    pub force_file: String,
    /// Schema files of external (raw) tables: a changed schema re-versions
    /// the tables that read the raw table, after a compatibility check.
    pub schemas: Vec<SchemaSource>,
    /// Optional Confluent-compatible Schema Registry to compare with.
    pub schema_registry: Option<SchemaRegistry>,
    /// Sink connectors and the topics (tables) they read: promotion moves
    /// them to the green topics.
    pub connectors: Vec<crate::plan::Connector>,
    /// Compute pool capacity: the plan flags an overlap over `max_cfu`.
    pub capacity: Option<crate::plan::Capacity>,
    /// How long blue tables are kept after promotion before cleanup.
    pub cleanup_retention: String,
    /// Report templates overriding the embedded ones (paths relative to
    /// the project).
    pub templates: crate::report::TemplateOverrides,
    /// Deploy environments (`stage`, `prod`, ...): target API, Confluent
    /// Cloud and Flink settings, polling and validation thresholds.
    pub environments: std::collections::BTreeMap<String, crate::deploy::Environment>,
    /// The catalog the statements run in (Flink's `default_catalog`, a
    /// Confluent environment): unqualified table names resolve in it unless
    /// a file says `USE CATALOG` or `SET 'sql.current-catalog'`. Unset:
    /// unknown, and a name that could be two tables is an error.
    pub default_catalog: Option<String>,
    /// The database the statements run in (Flink's `default_database`, a
    /// Confluent cluster), like `default_catalog` (`USE db`,
    /// `SET 'sql.current-database'`).
    pub default_database: Option<String>,
    /// SQL files larger than this many bytes are refused with an error
    /// (default 4 MiB): the analysis holds a file in memory.
    pub max_sql_file_bytes: u64,
    /// How changed tables are upgraded: `blue_green` (the default: a new
    /// `_vN` table and every descendant re-versioned) or `auto` (a
    /// stateless statement whose DDL is unchanged is replaced in place from
    /// the old statement's offsets, on Confluent Cloud; blue/green
    /// elsewhere). Per table: `{default: auto, tables: {int_x: blue_green}}`.
    /// `--also` and the force file still force blue/green.
    pub upgrade: crate::version::UpgradePolicy,
    /// The file this config was read from (None: defaults, nothing read).
    #[serde(skip)]
    pub source: Option<std::path::PathBuf>,
}

/// One external table's schema, kept in the repository.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SchemaSource {
    /// The external table (as read in the SQL, unqualified).
    pub table: String,
    /// The schema file, relative to the project.
    pub file: String,
    /// Its Schema Registry subject (e.g. `raw_orders-value`).
    #[serde(default)]
    pub subject: Option<String>,
    /// The compatibility a new version must keep with the earlier ones.
    #[serde(default)]
    pub compatibility: CompatibilityMode,
    /// The file's format; by default from its extension (`.avsc` Avro,
    /// `.json` JSON Schema, `.proto` Protobuf).
    #[serde(default)]
    pub format: Option<SchemaFormat>,
}

/// Schema Registry compatibility modes (Confluent names).
#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompatibilityMode {
    /// New schema reads records of the latest version.
    Backward,
    /// New schema reads records of every earlier version.
    BackwardTransitive,
    /// Records of the new schema are read by the latest version.
    Forward,
    /// Records of the new schema are read by every earlier version.
    ForwardTransitive,
    /// Both backward and forward, with the latest version.
    Full,
    /// Both backward and forward, with every earlier version (the default).
    #[default]
    FullTransitive,
    /// No compatibility check.
    None,
}

impl CompatibilityMode {
    /// The Confluent name (`BACKWARD_TRANSITIVE`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityMode::Backward => "BACKWARD",
            CompatibilityMode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityMode::Forward => "FORWARD",
            CompatibilityMode::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityMode::Full => "FULL",
            CompatibilityMode::FullTransitive => "FULL_TRANSITIVE",
            CompatibilityMode::None => "NONE",
        }
    }

    /// New schema reads old records.
    pub fn backward(self) -> bool {
        matches!(
            self,
            CompatibilityMode::Backward
                | CompatibilityMode::BackwardTransitive
                | CompatibilityMode::Full
                | CompatibilityMode::FullTransitive
        )
    }

    /// Old schema reads new records.
    pub fn forward(self) -> bool {
        matches!(
            self,
            CompatibilityMode::Forward
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::Full
                | CompatibilityMode::FullTransitive
        )
    }

    /// Compared with every earlier version, not only the latest.
    pub fn transitive(self) -> bool {
        matches!(
            self,
            CompatibilityMode::BackwardTransitive
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::FullTransitive
        )
    }
}

/// The format of a schema file.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SchemaFormat {
    /// Avro (`.avsc`).
    Avro,
    /// JSON Schema (`.json`).
    Json,
    /// Protobuf (`.proto`).
    Protobuf,
}

impl SchemaFormat {
    /// The name used in the config (`avro`, `json`, `protobuf`).
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "avro",
            SchemaFormat::Json => "json",
            SchemaFormat::Protobuf => "protobuf",
        }
    }

    /// The registry's `schemaType`.
    pub fn registry_type(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "AVRO",
            SchemaFormat::Json => "JSON",
            SchemaFormat::Protobuf => "PROTOBUF",
        }
    }
}

impl SchemaSource {
    /// The configured format, or the one its extension names.
    pub fn format(&self) -> Option<SchemaFormat> {
        self.format.or_else(|| {
            let ext = self.file.rsplit_once('.').map(|(_, e)| e)?;
            match ext {
                "avsc" => Some(SchemaFormat::Avro),
                "json" => Some(SchemaFormat::Json),
                "proto" => Some(SchemaFormat::Protobuf),
                _ => None,
            }
        })
    }

    /// The file path, `/`-separated, without a leading `./`.
    pub fn path(&self) -> String {
        let p = self.file.replace('\\', "/");
        p.trim_start_matches("./").to_string()
    }
}

/// Where the Schema Registry is and how to log in. Secrets are read from
/// the named environment variables only, never from this file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SchemaRegistry {
    /// Base URL of the registry (`http://` or `https://`).
    pub url: String,
    /// Environment variable holding the API key (basic auth user).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Environment variable holding the API secret (basic auth password).
    #[serde(default)]
    pub api_secret_env: Option<String>,
    /// When true, an unreachable registry is an error, not a warning.
    #[serde(default)]
    pub required: bool,
    /// Seconds to wait for each request.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    10
}

impl Default for Config {
    fn default() -> Self {
        Config {
            exclude: Vec::new(),
            tag_pattern: "*".into(),
            release_branches: vec!["release/*".into()],
            force_file: "greenlight-force.txt".into(),
            schemas: Vec::new(),
            schema_registry: None,
            connectors: Vec::new(),
            capacity: None,
            cleanup_retention: "7d".into(),
            templates: Default::default(),
            environments: Default::default(),
            default_catalog: None,
            default_database: None,
            max_sql_file_bytes: crate::project::DEFAULT_MAX_SQL_FILE_BYTES,
            upgrade: Default::default(),
            source: None,
        }
    }
}

impl Config {
    /// Reads `path`, or the project's `greenlight.yaml` when `path` is None;
    /// defaults when that file does not exist.
    pub fn load(project: &Path, path: Option<&Path>) -> Result<Config> {
        let (file, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (project.join(CONFIG_FILE), false),
        };
        if !required {
            // The project's own file: read only inside the repository.
            return Config::load_confined(
                &crate::paths::Repository::around(project),
                project,
                CONFIG_FILE,
                false,
            );
        }
        match std::fs::read_to_string(&file) {
            Ok(text) => Config::from_text(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(source) => Err(ConfigError::Read { file, source }.into()),
        }
    }

    /// Parses and validates config text; defaults when it is blank.
    pub fn parse(text: &str) -> std::result::Result<Config, Invalid> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_norway::from_str(text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{}:{}: ", l.line(), l.column()))
                .unwrap_or_default();
            Invalid::Yaml(format!("{at}{e}"))
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> std::result::Result<(), Invalid> {
        if self.max_sql_file_bytes == 0 {
            return Err(Invalid::MaxSqlFileBytes);
        }
        for (key, value) in [
            ("default_catalog", &self.default_catalog),
            ("default_database", &self.default_database),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(Invalid::EmptyDefault(key));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in &self.schemas {
            let (file, table) = (s.file.clone(), s.table.clone());
            if !seen.insert(s.table.as_str()) {
                return Err(Invalid::SchemaTwice(table));
            }
            if s.format().is_none() {
                return Err(Invalid::SchemaFormat { file, table });
            }
            if s.file.is_empty()
                || Path::new(&s.file).is_absolute()
                || s.path().split('/').any(|c| c == "..")
            {
                return Err(Invalid::SchemaPath { file, table });
            }
        }
        if let Some(r) = &self.schema_registry {
            if !(r.url.starts_with("http://") || r.url.starts_with("https://")) {
                return Err(Invalid::RegistryUrl);
            }
            for (key, var) in [
                ("schema_registry.api_key_env", &r.api_key_env),
                ("schema_registry.api_secret_env", &r.api_secret_env),
            ] {
                if let Some(v) = var {
                    check_secret_var(key, v)?;
                }
            }
            if r.api_key_env.is_some() != r.api_secret_env.is_some() {
                return Err(Invalid::RegistryCredentials);
            }
        }
        Ok(())
    }
}

/// Why a config does not parse or is not valid (the text after the file's
/// name in the message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// YAML or serde: `line:col: message` when a position is known.
    #[error("{0}")]
    Yaml(String),
    /// `max_sql_file_bytes` is 0.
    #[error("max_sql_file_bytes must be more than 0\n  hint: leave it out for the default (4 MiB)")]
    MaxSqlFileBytes,
    /// `default_catalog` or `default_database` (named) is set to an empty string.
    #[error("{0} must not be empty\n  hint: leave it out when it is not known")]
    EmptyDefault(&'static str),
    /// Two `schemas` entries name the same table.
    #[error(
        "schemas: table `{0}` is listed twice\n  hint: give each external table one schema file"
    )]
    SchemaTwice(String),
    /// A schema file's format is neither set nor told by its extension.
    #[error(
        "schemas: cannot tell the format of `{file}` (table `{table}`)\n  hint: use a .avsc, .json or .proto file, or set `format: avro|json|protobuf`"
    )]
    SchemaFormat {
        /// The schema file, as configured.
        file: String,
        /// The external table it is for.
        table: String,
    },
    /// A schema file's path is empty, absolute or leaves the project.
    #[error(
        "schemas: `{file}` (table `{table}`) must be a path inside the project, relative to it"
    )]
    SchemaPath {
        /// The schema file, as configured.
        file: String,
        /// The external table it is for.
        table: String,
    },
    /// `schema_registry.url` is not an `http://` or `https://` URL.
    #[error("schema_registry.url must start with http:// or https://")]
    RegistryUrl,
    /// Only one of `api_key_env` and `api_secret_env` is set.
    #[error("schema_registry: set both api_key_env and api_secret_env, or neither")]
    RegistryCredentials,
    /// A credential variable belongs to the GitHub runner.
    #[error(transparent)]
    RunnerVariable(#[from] RunnerVariable),
}

/// Variables of the GitHub runner itself: never a credential greenlight
/// sends anywhere (they hold the job's tokens).
const RUNNER_PREFIXES: &[&str] = &["GITHUB_", "INPUT_", "ACTIONS_", "RUNNER_"];

/// A credential variable that belongs to the GitHub runner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{key}: `{name}` is a variable of the GitHub runner, not a credential greenlight may send\n  hint: put the credential in a secret of its own and pass it in a variable such as SCHEMA_REGISTRY_KEY"
)]
pub struct RunnerVariable {
    /// The config key that names the variable (e.g. `schema_registry.api_key_env`).
    pub key: String,
    /// The variable's name, as an inert excerpt.
    pub name: String,
}

/// Refuses a credential variable name that belongs to the runner.
pub fn check_secret_var(key: &str, name: &str) -> std::result::Result<(), RunnerVariable> {
    let upper = name.to_ascii_uppercase();
    if RUNNER_PREFIXES.iter().any(|p| upper.starts_with(p)) {
        return Err(RunnerVariable {
            key: key.into(),
            name: crate::paths::excerpt(name, 80),
        });
    }
    Ok(())
}

impl Config {
    /// The config a pull request's run uses: the pull request's, except
    /// the settings that send data or credentials elsewhere or speak as
    /// the bot (`schema_registry`, `templates`), which are taken from the
    /// base branch's config. Returns the keys the pull request changed.
    pub fn with_trusted(mut self, base: &Config) -> (Config, Vec<&'static str>) {
        let mut changed = Vec::new();
        if self.schema_registry != base.schema_registry {
            changed.push("schema_registry");
            self.schema_registry = base.schema_registry.clone();
        }
        if self.templates != base.templates {
            changed.push("templates");
            self.templates = base.templates.clone();
        }
        (self, changed)
    }

    /// Reads the config file `rel` (relative to `base`, inside the
    /// repository, links followed): defaults when it does not exist and
    /// `required` is false.
    pub fn load_confined(
        repo: &crate::paths::Repository,
        base: &Path,
        rel: &str,
        required: bool,
    ) -> Result<Config> {
        match repo.read(base, rel, "config")? {
            Some(t) => Config::from_text(&t, &base.join(rel)),
            None if !required => Ok(Config::default()),
            None => Err(ConfigError::Missing {
                file: base.join(rel),
            }
            .into()),
        }
    }

    /// Parses a config read from `file` (named in errors).
    pub fn from_text(text: &str, file: &Path) -> Result<Config> {
        let mut config = Config::parse(text).map_err(|e| ConfigError::Invalid {
            file: file.to_path_buf(),
            message: e.to_string(),
        })?;
        config.source = Some(file.to_path_buf());
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_absent_or_empty() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        let c = Config::parse("tag_pattern: 'v*'\n").unwrap();
        assert_eq!(c.tag_pattern, "v*");
        assert_eq!(c.release_branches, vec!["release/*"]);
    }

    #[test]
    fn unknown_fields_are_refused_with_their_name() {
        let e = Config::parse("tag_patern: 'v*'\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `tag_patern`"), "{e}");
        assert!(e.starts_with("1:1"), "{e}");
    }

    #[test]
    fn sql_name_defaults_and_size_limit() {
        let c = Config::default();
        assert_eq!(c.default_catalog, None);
        assert_eq!(c.max_sql_file_bytes, 4 << 20);
        let c = Config::parse(
            "default_catalog: default_catalog\ndefault_database: sales\nmax_sql_file_bytes: 1000\n",
        )
        .unwrap();
        assert_eq!(c.default_catalog.as_deref(), Some("default_catalog"));
        assert_eq!(c.default_database.as_deref(), Some("sales"));
        assert_eq!(c.max_sql_file_bytes, 1000);
        let s = crate::project::Settings::from_config(&c);
        assert_eq!(s.max_file_bytes, 1000);
        assert_eq!(s.default_database.as_deref(), Some("sales"));
        assert!(Config::parse("max_sql_file_bytes: 0\n").is_err());
        assert!(Config::parse("max_sql_file_bytes: -1\n").is_err());
        assert!(Config::parse("default_catalog: ''\n").is_err());
        let e = Config::parse("default_catlog: x\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `default_catlog`"), "{e}");
    }

    #[test]
    fn schemas_and_registry() {
        let c = Config::parse(
            "schemas:\n  - table: raw_orders\n    file: ./schemas/raw_orders.avsc\n    subject: raw_orders-value\n    compatibility: BACKWARD\n  - table: raw_users\n    file: schemas/raw_users.proto\nschema_registry:\n  url: http://127.0.0.1:8081\n  api_key_env: SR_KEY\n  api_secret_env: SR_SECRET\n  required: true\n",
        )
        .unwrap();
        assert_eq!(c.schemas.len(), 2);
        assert_eq!(c.schemas[0].path(), "schemas/raw_orders.avsc");
        assert_eq!(c.schemas[0].compatibility, CompatibilityMode::Backward);
        assert_eq!(
            c.schemas[1].compatibility,
            CompatibilityMode::FullTransitive
        );
        assert_eq!(c.schemas[1].format(), Some(SchemaFormat::Protobuf));
        let r = c.schema_registry.unwrap();
        assert!(r.required);
        assert_eq!(r.timeout_secs, 10);
    }

    #[test]
    fn bad_schema_config_is_refused() {
        let e = Config::parse("schemas:\n  - table: a\n    file: a.avsc\n    compatibilty: FULL\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `compatibilty`"), "{e}");
        let e = Config::parse(
            "schemas:\n  - table: a\n    file: a.avsc\n    compatibility: SOMETIMES\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("SOMETIMES"), "{e}");
        let e = Config::parse("schemas:\n  - table: a\n    file: a.txt\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot tell the format"), "{e}");
        let e = Config::parse(
            "schemas:\n  - table: a\n    file: a.avsc\n  - table: a\n    file: b.avsc\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("listed twice"), "{e}");
        let e = Config::parse("schema_registry:\n  url: http://x\n  api_key: k\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `api_key`"), "{e}");
        let e = Config::parse("schema_registry:\n  url: x\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("http://"), "{e}");
    }

    #[test]
    fn upgrade_policy() {
        use crate::version::{Policy, UpgradePolicy};
        assert_eq!(Config::default().upgrade, UpgradePolicy::default());
        assert_eq!(Config::default().upgrade.default, Policy::BlueGreen);
        let c = Config::parse("upgrade: auto\n").unwrap();
        assert_eq!(c.upgrade.default, Policy::Auto);
        assert!(c.upgrade.any_auto());
        let c = Config::parse(
            "upgrade:\n  default: blue_green\n  tables:\n    int_x: auto\n    int_y_v3: blue_green\n",
        )
        .unwrap();
        assert_eq!(c.upgrade.default, Policy::BlueGreen);
        assert_eq!(c.upgrade.for_table("int_x_v2", None), Policy::Auto);
        assert_eq!(
            c.upgrade.for_table("int_y_v4", Some("int_y_v3")),
            Policy::BlueGreen
        );
        assert_eq!(c.upgrade.for_table("int_z", None), Policy::BlueGreen);
        assert!(c.upgrade.any_auto());
        let e = Config::parse("upgrade: in_place\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown variant `in_place`"), "{e}");
        assert!(e.contains("blue_green") && e.contains("auto"), "{e}");
        let e = Config::parse("upgrade:\n  defaults: auto\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `defaults`"), "{e}");
        assert!(e.starts_with("2:"), "{e}");
        let e = Config::parse("upgrade:\n  tables:\n    int_x: sometimes\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown variant `sometimes`"), "{e}");
    }

    #[test]
    fn runner_variables_are_never_credentials() {
        for var in [
            "INPUT_GITHUB-TOKEN",
            "GITHUB_TOKEN",
            "actions_runtime_token",
            "RUNNER_TEMP",
        ] {
            let e = Config::parse(&format!(
                "schema_registry:\n  url: http://x\n  api_key_env: GITHUB_REPOSITORY\n  api_secret_env: {var}\n"
            ))
            .unwrap_err().to_string();
            assert!(e.contains("is a variable of the GitHub runner"), "{e}");
        }
        assert!(check_secret_var("k", "SR_SECRET").is_ok());
    }

    #[test]
    fn settings_that_send_data_elsewhere_come_from_the_base() {
        let base = Config::parse("schema_registry:\n  url: https://sr.example.com\n").unwrap();
        let head = Config::parse(
            "tag_pattern: 'v*'\nschema_registry:\n  url: http://attacker.example\ntemplates:\n  pr_comment: x.j2\n",
        )
        .unwrap();
        let (merged, changed) = head.with_trusted(&base);
        assert_eq!(changed, vec!["schema_registry", "templates"]);
        assert_eq!(merged.schema_registry, base.schema_registry);
        assert_eq!(merged.templates, base.templates);
        assert_eq!(
            merged.tag_pattern, "v*",
            "other settings are the pull request's"
        );
    }
}
