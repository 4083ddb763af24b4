//! The verdict of the last validation of a deployment (pure, but for the
//! file helpers): `validate` writes it, `promote` requires it.
//!
//! It lives in a small JSON file in the project (default
//! `.greenlight/<env>-validation.json`): the steps of one GitHub job share
//! the workspace, so `validate` then `promote` in one job just works; across
//! jobs, upload the file as an artifact after `validate` and download it
//! before `promote`. It names the deployment it judged (a fingerprint of the
//! green statements' names and SQL) and when, so a verdict of another
//! deployment, or one older than a green statement, does not count.
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::Environment;
use super::validate::Report;
use super::{DeployWave, normalize_sql};

/// The verdict file's content: the last validation of a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The environment validated.
    pub environment: String,
    /// The deployment judged: [`fingerprint`] of its statements.
    pub deployment: String,
    /// Whether every check passed.
    pub passed: bool,
    /// When, in seconds since the Unix epoch.
    pub validated_at: i64,
    /// The checks that failed (`table: check (detail)`).
    #[serde(default)]
    pub failed: Vec<String>,
}

/// Why `promote` refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GateError {
    /// There is no verdict file.
    #[error(
        "cannot promote `{env}`: this deployment has not been validated ({file} is missing)\n  hint: run `greenlight validate --env {env}` first (in the same job, or bring {file} along as an artifact), or pass --force"
    )]
    NotValidated {
        /// The environment's name.
        env: String,
        /// The verdict file, relative to the project.
        file: String,
    },
    /// The last validation of this deployment failed.
    #[error(
        "cannot promote `{env}`: the last validation failed: {failed}\n  hint: fix green and run `greenlight validate --env {env}` again, roll back, or pass --force"
    )]
    Failed {
        /// The environment's name.
        env: String,
        /// The failed checks, `; `-separated.
        failed: String,
    },
    /// The verdict is of another deployment or environment.
    #[error(
        "cannot promote `{env}`: the last validation was of another deployment (other statements or SQL)\n  hint: run `greenlight validate --env {env}` on this deployment, or pass --force"
    )]
    OtherDeployment {
        /// The environment's name.
        env: String,
    },
    /// A green statement was created after the verdict.
    #[error(
        "cannot promote `{env}`: green statement `{statement}` was created after the last validation\n  hint: run `greenlight validate --env {env}` again, or pass --force"
    )]
    Stale {
        /// The environment's name.
        env: String,
        /// The newest green statement.
        statement: String,
    },
}

/// A fingerprint of a deployment: its statements' names, normalized SQL
/// and properties (FNV-1a 64, hex).
pub fn fingerprint(waves: &[DeployWave]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for s in waves.iter().flat_map(|w| &w.statements) {
        eat(&s.name);
        eat(&normalize_sql(&s.sql));
        for (k, v) in &s.properties {
            eat(k);
            eat(v);
        }
    }
    format!("{h:016x}")
}

/// The verdict of a validation report on `waves`.
pub fn of_report(report: &Report, waves: &[DeployWave], now: i64) -> Verdict {
    Verdict {
        environment: report.environment.clone(),
        deployment: fingerprint(waves),
        passed: report.passed,
        validated_at: now,
        failed: report
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {} ({})", c.table, c.check, c.detail))
            .collect(),
    }
}

/// Whether `promote` may go on: the last verdict passed, judged this
/// deployment, and is not older than the newest green statement
/// (`newest`: its name and creation time).
pub fn gate(
    env: &str,
    file: &str,
    verdict: Option<&Verdict>,
    waves: &[DeployWave],
    newest: Option<(&str, i64)>,
) -> Result<(), GateError> {
    let Some(v) = verdict else {
        return Err(GateError::NotValidated {
            env: env.into(),
            file: file.into(),
        });
    };
    if v.deployment != fingerprint(waves) || v.environment != env {
        return Err(GateError::OtherDeployment { env: env.into() });
    }
    if !v.passed {
        return Err(GateError::Failed {
            env: env.into(),
            failed: if v.failed.is_empty() {
                "see its report".into()
            } else {
                v.failed.join("; ")
            },
        });
    }
    if let Some((name, created)) = newest
        && created > v.validated_at
    {
        return Err(GateError::Stale {
            env: env.into(),
            statement: name.into(),
        });
    }
    Ok(())
}

/// Where the verdict of `env_name` lives, relative to the project.
pub fn file(env_name: &str, env: &Environment) -> String {
    env.validate
        .verdict_file
        .clone()
        .unwrap_or_else(|| format!(".greenlight/{env_name}-validation.json"))
}

/// A verdict file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VerdictFileError {
    #[error("{}: {source}", .path.display())]
    /// The file cannot be read, or it or its folder cannot be written.
    Io {
        /// The verdict file.
        path: PathBuf,
        #[source]
        /// The I/O error.
        source: std::io::Error,
    },
    #[error("{}: {source}", .path.display())]
    /// The file is not a verdict's JSON, or the verdict cannot be serialized.
    Json {
        /// The verdict file.
        path: PathBuf,
        #[source]
        /// The JSON error.
        source: serde_json::Error,
    },
}

/// Reads a verdict; None when there is none.
pub fn read(path: &Path) -> Result<Option<Verdict>, VerdictFileError> {
    match std::fs::read_to_string(path) {
        Ok(t) => serde_json::from_str(&t)
            .map(Some)
            .map_err(|source| VerdictFileError::Json {
                path: path.into(),
                source,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VerdictFileError::Io {
            path: path.into(),
            source,
        }),
    }
}

/// Writes a verdict (its folder created).
pub fn write(path: &Path, v: &Verdict) -> Result<(), VerdictFileError> {
    let io = |source| VerdictFileError::Io {
        path: path.into(),
        source,
    };
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(v).map_err(|source| VerdictFileError::Json {
        path: path.into(),
        source,
    })? + "\n";
    std::fs::write(path, text).map_err(io)
}

/// `project/file`, for the file helpers.
pub fn path(project: &Path, file: &str) -> PathBuf {
    project.join(file)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Keeps the verdict of `report` on `waves` in the environment's verdict
/// file under `project`, for `promote`.
pub fn keep(
    project: &Path,
    env_name: &str,
    env: &Environment,
    report: &Report,
    waves: &[DeployWave],
) -> Result<(), VerdictFileError> {
    write(
        &path(project, &file(env_name, env)),
        &of_report(report, waves, now()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::DeployStatement;
    use crate::plan::StepAction;

    fn waves(sql: &str) -> Vec<DeployWave> {
        vec![DeployWave {
            index: 1,
            statements: vec![DeployStatement {
                name: "stage-dml-x-v2".into(),
                table: "x_v2".into(),
                action: StepAction::StartDml,
                sql: sql.into(),
                properties: Default::default(),
                source: String::new(),
                runs: true,
                replaces: None,
            }],
        }]
    }

    fn verdict(passed: bool, w: &[DeployWave]) -> Verdict {
        Verdict {
            environment: "stage".into(),
            deployment: fingerprint(w),
            passed,
            validated_at: 100,
            failed: if passed {
                vec![]
            } else {
                vec!["x_v2: count (differ by 10.00%)".into()]
            },
        }
    }

    #[test]
    fn promote_needs_a_passed_validation_of_this_deployment() {
        let w = waves("INSERT INTO x_v2 SELECT 1");
        let f = ".greenlight/stage-validation.json";
        let e = gate("stage", f, None, &w, None).unwrap_err().to_string();
        assert!(
            e.starts_with("cannot promote `stage`: this deployment has not been validated (.greenlight/stage-validation.json is missing)"),
            "{e}"
        );
        assert!(e.contains("or pass --force"), "{e}");
        let failed = verdict(false, &w);
        let e = gate("stage", f, Some(&failed), &w, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the last validation failed: x_v2: count (differ by 10.00%)"),
            "{e}"
        );
        let ok = verdict(true, &w);
        assert_eq!(gate("stage", f, Some(&ok), &w, Some(("n", 99))), Ok(()));
        // Whitespace does not make another deployment; other SQL does.
        assert_eq!(
            gate(
                "stage",
                f,
                Some(&ok),
                &waves("INSERT  INTO x_v2\nSELECT 1;"),
                None
            ),
            Ok(())
        );
        assert_eq!(
            gate(
                "stage",
                f,
                Some(&ok),
                &waves("INSERT INTO x_v2 SELECT 2"),
                None
            ),
            Err(GateError::OtherDeployment {
                env: "stage".into()
            })
        );
        assert!(matches!(
            gate("prod", f, Some(&ok), &w, None),
            Err(GateError::OtherDeployment { .. })
        ));
        // A green statement created after the validation: validate again.
        assert_eq!(
            gate("stage", f, Some(&ok), &w, Some(("stage-dml-x-v2", 101))),
            Err(GateError::Stale {
                env: "stage".into(),
                statement: "stage-dml-x-v2".into()
            })
        );
    }

    #[test]
    fn verdicts_round_trip_through_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = path(dir.path(), ".greenlight/stage-validation.json");
        assert_eq!(read(&p).unwrap(), None);
        let v = verdict(true, &waves("INSERT INTO x_v2 SELECT 1"));
        write(&p, &v).unwrap();
        assert_eq!(read(&p).unwrap(), Some(v));
        std::fs::write(&p, "{").unwrap();
        assert!(
            read(&p)
                .unwrap_err()
                .to_string()
                .contains("stage-validation.json")
        );
    }
}
