//! `greenlight.yaml`: optional project overrides, strictly checked.
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

pub const CONFIG_FILE: &str = "greenlight.yaml";

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            exclude: Vec::new(),
            tag_pattern: "*".into(),
            release_branches: vec!["release/*".into()],
            force_file: "greenlight-force.txt".into(),
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
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                Config::parse(&text).map_err(|e| Error::Config(format!("{}: {e}", file.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(e) => Err(Error::Config(format!(
                "{}: cannot read the config: {e}",
                file.display()
            ))),
        }
    }

    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        serde_norway::from_str(text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{}:{}: ", l.line(), l.column()))
                .unwrap_or_default();
            format!("{at}{e}")
        })
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
        let e = Config::parse("tag_patern: 'v*'\n").unwrap_err();
        assert!(e.contains("unknown field `tag_patern`"), "{e}");
        assert!(e.starts_with("1:1"), "{e}");
    }
}
