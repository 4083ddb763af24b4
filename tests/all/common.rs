//! Helpers shared by the integration tests.
use std::path::{Path, PathBuf};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Keeps a generated mermaid diagram under `target/mermaid/`, where CI parses
/// every file with mermaid's own parser (tools/mermaid-check).
pub(crate) fn save_mermaid(name: &str, text: &str) {
    let dir = root().join("target/mermaid");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.mmd")), text).unwrap();
}

/// (blue, green, reason) of every impacted table in `changes --format json`,
/// in its order; `-` for a new table's blue.
pub(crate) fn impacted(changes: &serde_json::Value) -> Vec<(String, String, String)> {
    changes["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["blue"].as_str().unwrap_or("-").to_string(),
                i["green"].as_str().unwrap().to_string(),
                i["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub(crate) fn triple(b: &str, g: &str, r: &str) -> (String, String, String) {
    (b.into(), g.into(), r.into())
}

/// Renames every table of a project to its next version: used to check that
/// rewrites on a whole project touch only table-name spans.
pub(crate) fn next_version_of_all(
    project: &greenlight::project::Project,
) -> std::collections::BTreeMap<String, String> {
    project
        .tables
        .iter()
        .map(|t| (t.name.clone(), greenlight::sql::next_version(&t.name)))
        .collect()
}

/// Runs greenlight in `dir` with the deploy credentials the tests'
/// environments name (`FLINK_API_*`, `CONFLUENT_CLOUD_API_*`).
pub(crate) fn with_credentials(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(args)
        .current_dir(dir)
        .env("FLINK_API_KEY", "key")
        .env("FLINK_API_SECRET", "secret")
        .env("CONFLUENT_CLOUD_API_KEY", "ckey")
        .env("CONFLUENT_CLOUD_API_SECRET", "csecret")
        .output()
        .unwrap()
}

/// [`with_credentials`], which must succeed: its stdout and stderr.
pub(crate) fn with_credentials_ok(dir: &Path, args: &[&str]) -> (String, String) {
    let o = with_credentials(dir, args);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert!(o.status.success(), "{args:?}: {out}{err}");
    (out, err)
}
