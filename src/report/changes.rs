//! What `changes` prints, and shift_left's `modified_flink_files.json`.
use serde::Serialize;

use crate::git::FileChange;
use crate::schema::SchemaCheck;
use crate::version::{Impact, Impacted, Reason, Strategy};

/// What `changes --format json` prints.
#[derive(Debug, Serialize)]
pub struct ChangesJson<'a> {
    /// The base as found: the tag name, or the ref or date given.
    pub base: &'a str,
    /// The base's commit id.
    pub base_commit: String,
    /// The SQL files changed since the base.
    pub files: &'a [FileChange],
    /// The tables of the release, sorted by green name.
    pub impacted: &'a [Impacted],
    /// Tables whose files changed only in comments or whitespace.
    pub cosmetic: &'a [String],
    /// Tables defined at the base and gone from the head.
    pub deleted: &'a [crate::version::Deleted],
    /// Tables the author asked to re-version (`--also` or the force file).
    pub forced: Vec<&'a str>,
    /// Head name -> green name (only names that change).
    pub renames: &'a std::collections::BTreeMap<String, String>,
    /// Source schema checks (empty without `schemas:` in the config).
    pub schema: &'a [SchemaCheck],
    /// Problems that did not stop the schema checks (an optional registry
    /// that could not be reached); omitted when there are none.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub schema_warnings: &'a [String],
}

/// What `changes` prints as text: the changed SQL files, the impacted tables
/// with why, and the cosmetic and deleted ones.
pub fn changes_text(base: &str, files: &[FileChange], impact: &Impact) -> String {
    let mut out = format!("base: {base}\n");
    out.push_str(&format!("{} changed SQL file(s)\n", files.len()));
    for f in files {
        let status = format!("{:?}", f.status).to_lowercase();
        match &f.from {
            Some(from) => out.push_str(&format!("  {status:9} {from} -> {}\n", f.path)),
            None => out.push_str(&format!("  {status:9} {}\n", f.path)),
        }
    }
    if impact.impacted.is_empty() {
        out.push_str("no table to re-version\n");
    } else {
        out.push_str(&format!("{} impacted table(s)\n", impact.impacted.len()));
        let width = impact
            .impacted
            .iter()
            .map(|i| i.blue.as_deref().unwrap_or("-").len())
            .max()
            .unwrap_or(0);
        for i in &impact.impacted {
            let why = match (i.reason, i.changed.is_empty()) {
                (Reason::Modified, false) => format!("modified ({})", i.changed.join(", ")),
                (Reason::StatementSet, _) => "same statement set (one job)".to_string(),
                (r, _) => r.as_str().to_string(),
            };
            out.push_str(&format!(
                "  {:width$} -> {:30} {}\n",
                i.blue.as_deref().unwrap_or("-"),
                i.green,
                why
            ));
            if impact.show_strategy {
                out.push_str(&format!("      {}\n", strategy_line(i)));
            }
        }
    }
    if !impact.cosmetic.is_empty() {
        out.push_str(&format!(
            "cosmetic changes only (not re-versioned): {}\n",
            impact.cosmetic.join(", ")
        ));
    }
    if !impact.deleted.is_empty() {
        let names: Vec<&str> = impact.deleted.iter().map(|d| d.name.as_str()).collect();
        out.push_str(&format!(
            "deleted (cleanup after promotion): {}\n",
            names.join(", ")
        ));
    }
    out
}

/// A table's upgrade strategy and why: `in place: ...`, `blue/green: ...`.
pub fn strategy_line(i: &Impacted) -> String {
    let what = match i.strategy {
        Strategy::InPlace => "in place",
        Strategy::BlueGreen => "blue/green",
    };
    match &i.strategy_reason {
        Some(why) => format!("{what}: {why}"),
        None => what.to_string(),
    }
}

/// The strategies `rewrite` reports when some table may be upgraded in
/// place: the tables upgraded in place (not renamed) and the changed ones
/// re-versioned, with why (their descendants follow them).
pub fn strategy_summary(impact: &Impact) -> Vec<String> {
    if !impact.show_strategy {
        return Vec::new();
    }
    impact
        .impacted
        .iter()
        .filter(|i| i.strategy == Strategy::InPlace || i.reason == Reason::Modified)
        .map(|i| format!("`{}`: {}", i.head, strategy_line(i)))
        .collect()
}

/// The source schema section of `changes` (empty without schema checks).
pub fn schema_text(checks: &[SchemaCheck]) -> String {
    if checks.is_empty() {
        return String::new();
    }
    let mut out = format!("{} source schema(s)\n", checks.len());
    for c in checks {
        let mut line = format!(
            "  {} {} ({}, {}): {}",
            c.table,
            c.file,
            c.format.as_str(),
            c.compatibility.as_str(),
            c.status.as_str()
        );
        if !c.compared.is_empty() {
            line.push_str(&format!(
                ", compared with {} earlier version(s)",
                c.compared.len()
            ));
        }
        if let Some(r) = &c.registry {
            match (r.latest_version, r.compatible) {
                (Some(v), Some(true)) => {
                    line.push_str(&format!(", registry `{}` v{v}: compatible", r.subject))
                }
                (Some(v), Some(false)) => {
                    line.push_str(&format!(", registry `{}` v{v}: incompatible", r.subject))
                }
                (Some(v), None) => line.push_str(&format!(", registry `{}` v{v}", r.subject)),
                (None, _) => line.push_str(&format!(", registry `{}`: unknown subject", r.subject)),
            }
        }
        line.push_str(if c.passed() { " - ok\n" } else { " - FAILED\n" });
        out.push_str(&line);
        if c.impacts() && !c.readers.is_empty() {
            out.push_str(&format!(
                "    re-versions its readers: {}\n",
                c.readers.join(", ")
            ));
        }
        for v in &c.violations {
            if v.against.is_empty() {
                out.push_str(&format!("    error: {}\n", v.message));
            } else {
                out.push_str(&format!(
                    "    error: {} [against {}]\n",
                    v.message,
                    v.against.join(", ")
                ));
            }
        }
        for n in &c.notes {
            out.push_str(&format!("    note: {n}\n"));
        }
    }
    out
}

/// shift_left's `modified_flink_files.json`: one entry per changed SQL file.
#[derive(Debug, Serialize)]
pub struct ShiftLeftModified {
    /// `Modified files since BASE (COMMIT); total files: N`.
    pub description: String,
    /// One entry per table defined in a changed SQL file.
    pub file_list: Vec<ShiftLeftFile>,
}

/// One table of a changed SQL file, in `modified_flink_files.json`.
#[derive(Debug, Serialize)]
pub struct ShiftLeftFile {
    /// Its blue name (its head name when it is new or not impacted).
    pub table_name: String,
    /// The changed file's project-relative path.
    pub file_modified_url: String,
    /// Whether the table's change is cosmetic only (comments, whitespace).
    pub same_sql_content: bool,
    /// Always false: not checked.
    pub running: bool,
    /// Its green name (its head name when it is not impacted).
    pub new_table_name: String,
}
