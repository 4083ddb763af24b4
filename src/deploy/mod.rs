//! Gated blue/green deploys (pure core): statement names, the statements of
//! a plan wave by wave, what to do with a statement that exists already,
//! the capacity check, and the validation queries and their verdicts.
//! `run` drives a `flink::Target` with them (the only part that acts).
pub mod config;
pub mod ddl;
pub mod in_place;
pub mod run;
pub mod validate;
pub mod verdict;

use std::collections::BTreeMap;

use serde::Serialize;

pub use config::{Environment, TargetKind};

use crate::flink::{Phase, PoolCapacity, RemoteStatement};
use crate::plan::{Plan, StepAction};
use crate::project::{Loc, Project};
use crate::sql::StatementKind;

/// The core's errors: each names what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeployError {
    /// The plan's green tables are not defined in the project yet: holds what is missing.
    #[error(
        "the project is not rewritten: {0}\n  hint: run `greenlight rewrite` and merge the result before deploying"
    )]
    NotRewritten(String),
    /// A table of the plan is not in the project (for a rollback: not in the base, or
    /// without exactly one DML there).
    #[error("table `{0}` of the plan is not in the project")]
    MissingTable(String),
    /// A statement's file cannot be read, or changed while it was read.
    #[error("{path}: cannot read the statement of `{table}`: {reason}")]
    Source {
        /// Project-relative path of the file.
        path: String,
        /// The table whose statement was read.
        table: String,
        /// Why it could not be read.
        reason: String,
    },
    /// A statement of the same name exists on the target with other SQL.
    #[error(
        "statement `{name}` exists with different SQL\n  hint: a statement name is never reused for other SQL; stop and delete it (greenlight rollback) or bump the table's version"
    )]
    DifferentSql {
        /// The statement's name.
        name: String,
    },
    /// The pool has less free capacity than the release needs.
    #[error(
        "not enough capacity: the release needs {needed} {unit}, the pool has {free} free ({current} used of {max})"
    )]
    Capacity {
        /// What the release needs, formatted.
        needed: String,
        /// What the pool has free, formatted.
        free: String,
        /// What the pool uses now, formatted.
        current: String,
        /// The pool's maximum, formatted.
        max: String,
        /// `CFU` or `slots`.
        unit: String,
    },
}

/// One statement of the deployment, with its deterministic name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployStatement {
    /// The statement's name on the target (see [`step_names`]).
    pub name: String,
    /// The green table it creates or fills.
    pub table: String,
    /// The plan step it carries out.
    pub action: StepAction,
    /// The SQL sent: the statement as written, or its whole statement set.
    pub sql: String,
    /// Statement properties: the environment's, then the file's `SET`s before it.
    pub properties: BTreeMap<String, String>,
    /// `path:line` of the statement.
    pub source: String,
    /// Whether it keeps running (DML, CTAS) rather than completes (DDL).
    pub runs: bool,
    /// An in-place upgrade: the table whose running statement this one
    /// replaces, starting from its offsets (`sql.tables.initial-offset-from`,
    /// set when the old statement is found on the target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// The Confluent statement property naming the statement whose offsets a
/// new statement starts from (carry-over offsets).
pub const OFFSETS_FROM: &str = "sql.tables.initial-offset-from";

/// The name of a statement that upgrades `table` in place: its DML name
/// with a hash of the statement's fingerprint (its SQL and the file's
/// `SET`s before it, see [`crate::sql::Statement::fingerprint`]), so that
/// it differs from the statement it replaces (which keeps running until it
/// is stopped) and a rerun finds it again. The plan's statement names and
/// deploy both name it here.
pub fn in_place_statement_name(prefix: &str, table: &str, fingerprint: u64) -> String {
    let folded = (fingerprint ^ (fingerprint >> 32)) as u32;
    statement_name(prefix, "dml", &format!("{table}-{folded:08x}"), 1)
}

/// One wave of the deployment: its statements start once the waves before it run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployWave {
    /// The plan wave's number (from 1).
    pub index: usize,
    /// Its statements, DDLs before DMLs.
    pub statements: Vec<DeployStatement>,
}

/// A statement name the Confluent API accepts
/// (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 100 characters):
/// `{prefix}-{kind}-{table}` with `_` turned into `-`, a `-N` suffix for
/// the N-th (N > 1) statement of the same kind; long names keep a hash.
/// Blue and green names differ because their table names differ
/// (`int_x` vs `int_x_v2`).
pub fn statement_name(prefix: &str, kind: &str, table: &str, n: usize) -> String {
    let mut raw = format!("{prefix}-{kind}-{table}");
    if n > 1 {
        raw.push_str(&format!("-{n}"));
    }
    let mut s = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && s.ends_with('-')) {
            s.push(c);
        }
    }
    let s = s.trim_matches('-').to_string();
    if s.len() <= 100 {
        return s;
    }
    let hash = fnv(raw.as_bytes());
    format!("{}-{hash:08x}", s[..91].trim_end_matches('-'))
}

fn fnv(b: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for x in b {
        h ^= u32::from(*x);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The kind part of a statement name for a step action.
fn kind_of(action: StepAction) -> &'static str {
    if action.is_dml() { "dml" } else { "ddl" }
}

/// `SET 'k' = 'v'` statements: key and value, None for anything else.
pub fn parse_set(sql: &str) -> Option<(String, String)> {
    let toks = crate::sql::tokenize(sql).ok()?;
    let lit = |i: usize| -> Option<String> {
        let t = toks.get(i)?;
        let text = &sql[t.start..t.end];
        match t.kind {
            crate::sql::TokKind::Str => {
                Some(text.trim_matches('\'').trim_matches('"').replace("''", "'"))
            }
            _ => Some(text.to_string()),
        }
    };
    if !toks.first()?.is_word_ci("SET") {
        return None;
    }
    let eq = toks.iter().position(|t| &sql[t.start..t.end] == "=")?;
    if eq != 2 || toks.len() != 4 {
        return None;
    }
    Some((lit(1)?, lit(3)?))
}

/// What a statement is read from: file texts by project-relative path.
pub trait Sources {
    /// The text of the file at `path` (project-relative).
    fn text(&self, path: &str) -> std::io::Result<String>;
}

/// Reads files under a project directory.
pub struct DirSources<'a>(pub &'a std::path::Path);

impl Sources for DirSources<'_> {
    fn text(&self, path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.0.join(path))
    }
}

/// A statement read from its file: its SQL (the whole statement set for an
/// INSERT inside one), the `SET`s before it, and where it is.
struct Read {
    sql: String,
    properties: BTreeMap<String, String>,
    source: String,
}

/// The statement at `loc` as text, with the `SET`s before it in its file
/// as properties. A statement inside `EXECUTE STATEMENT SET` is deployed as
/// the whole set.
fn statement_text(
    project: &Project,
    loc: Loc,
    table: &str,
    sources: &dyn Sources,
) -> Result<Read, DeployError> {
    let path = project.path(loc).to_string();
    let text = sources.text(&path).map_err(|e| DeployError::Source {
        path: path.clone(),
        table: table.into(),
        reason: e.to_string(),
    })?;
    let changed = || DeployError::Source {
        path: path.clone(),
        table: table.into(),
        reason: "the file changed while it was read".into(),
    };
    let stmts = &project.files[loc.file].statements;
    let s = &stmts[loc.stmt];
    let mut properties = BTreeMap::new();
    for p in &stmts[..loc.stmt] {
        if p.kind == StatementKind::Config
            && let Some((k, v)) = text.get(p.start..p.end).and_then(parse_set)
        {
            properties.insert(k, v);
        }
    }
    let sql = if s.in_statement_set {
        let (first, last) = set_members(stmts, loc.stmt).ok_or_else(changed)?;
        let (lo, hi) = (stmts[first].start, stmts[last].end);
        statement_set_text(&text, lo, hi).ok_or_else(changed)?
    } else {
        text.get(s.start..s.end).ok_or_else(changed)?.to_string()
    };
    Ok(Read {
        sql,
        properties,
        source: format!("{path}:{}", s.line),
    })
}

/// The first and last statement of the statement set holding statement
/// `i` (the analysis numbers the sets of a file).
fn set_members(stmts: &[crate::sql::Statement], i: usize) -> Option<(usize, usize)> {
    let set = stmts[i].statement_set?;
    let mut members = stmts
        .iter()
        .enumerate()
        .filter(|(_, s)| s.statement_set == Some(set))
        .map(|(k, _)| k);
    let first = members.next()?;
    Some((first, members.next_back().unwrap_or(first)))
}

/// The text of the statement set whose members span `lo..hi`, as the one
/// statement the REST APIs take: `EXECUTE STATEMENT SET BEGIN ... END` as
/// written, or the SQL client's `BEGIN STATEMENT SET; ... END;` given in
/// that form.
fn statement_set_text(text: &str, lo: usize, hi: usize) -> Option<String> {
    let before = crate::sql::tokenize(&text[..lo]).ok()?;
    let ends_with = |words: &[&str]| {
        before.len() >= words.len()
            && before[before.len() - words.len()..]
                .iter()
                .zip(words)
                .all(|(t, w)| t.is_word_ci(w))
    };
    let after = crate::sql::tokenize(&text[hi..]).ok()?;
    let end = after.iter().find(|t| t.is_word_ci("END"))?;
    if ends_with(&["EXECUTE", "STATEMENT", "SET", "BEGIN"]) {
        let head = before[before.len() - 4].start;
        return Some(text[head..hi + end.end].to_string());
    }
    let (semi, rest) = before.split_last()?;
    let begin_form = semi.kind == crate::sql::TokKind::Semi
        && rest.len() >= 3
        && rest[rest.len() - 3..]
            .iter()
            .zip(["BEGIN", "STATEMENT", "SET"])
            .all(|(t, w)| t.is_word_ci(w));
    begin_form.then(|| {
        format!(
            "EXECUTE STATEMENT SET\nBEGIN\n{}\nEND",
            text[lo..hi + end.start].trim_end()
        )
    })
}

/// The name each step of `plan` is deployed under, wave by wave: None for
/// a step whose statement set is started by another step. The one naming
/// rule, for deploy and for the plan's reports; `table` gives the name a
/// table is deployed under (its green name, or its blue name for the blue
/// statements).
///
/// A statement set (`EXECUTE STATEMENT SET BEGIN ... END`) writing several
/// tables is one job: it is deployed once, in the last wave of its tables
/// (every table it writes is created by then), named after the first of its
/// tables (in file order) in that wave.
pub fn step_names(
    plan: &Plan,
    project: &Project,
    prefix: &str,
    table: &dyn Fn(&str) -> String,
) -> Vec<Vec<Option<String>>> {
    let set_of = |step: &crate::plan::Step| -> Option<(usize, u32)> {
        (step.action == StepAction::StartDml)
            .then(|| project.statement(step.loc).statement_set)
            .flatten()
            .map(|s| (step.loc.file, s))
    };
    let mut last_wave: BTreeMap<(usize, u32), usize> = BTreeMap::new();
    for (w, wave) in plan.steps.iter().enumerate() {
        for set in wave.steps.iter().filter_map(set_of) {
            last_wave.insert(set, w);
        }
    }
    let mut n_dml: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (w, wave) in plan.steps.iter().enumerate() {
        let mut names = Vec::new();
        for step in &wave.steps {
            if let Some(set) = set_of(step) {
                let first_here = wave
                    .steps
                    .iter()
                    .filter(|s| set_of(s) == Some(set))
                    .map(|s| s.loc)
                    .min_by_key(|l| l.stmt);
                if last_wave[&set] != w || first_here != Some(step.loc) {
                    names.push(None);
                    continue;
                }
            }
            if step.action == StepAction::ReplaceDml {
                let fingerprint = project.statement(step.loc).fingerprint;
                names.push(Some(in_place_statement_name(
                    prefix,
                    &table(&step.table),
                    fingerprint,
                )));
                continue;
            }
            let n = match step.action {
                StepAction::StartDml => {
                    let n = n_dml.entry(step.table.clone()).or_default();
                    *n += 1;
                    *n
                }
                _ => 1,
            };
            names.push(Some(statement_name(
                prefix,
                kind_of(step.action),
                &table(&step.table),
                n,
            )));
        }
        out.push(names);
    }
    out
}

/// The plan's statements, wave by wave, green DDLs before green DMLs in
/// each wave, named by [`step_names`]. The project must be rewritten: each
/// green table is defined under its green name.
pub fn deploy_waves(
    plan: &Plan,
    project: &Project,
    env: &Environment,
    env_name: &str,
    sources: &dyn Sources,
) -> Result<Vec<DeployWave>, DeployError> {
    let pending: Vec<String> = plan
        .impacted
        .iter()
        .filter(|i| project.table(&i.green).is_none())
        .map(|i| i.green.clone())
        .collect();
    if !pending.is_empty() {
        return Err(DeployError::NotRewritten(format!(
            "no table named {}",
            pending.join(", ")
        )));
    }
    for step in plan.steps.iter().flat_map(|w| &w.steps) {
        project
            .table(&step.table)
            .ok_or_else(|| DeployError::MissingTable(step.table.clone()))?;
    }
    let base_props = env.statement_properties();
    let names = step_names(plan, project, env.prefix(env_name), &|t| t.to_string());
    let mut out = Vec::new();
    for (wave, names) in plan.steps.iter().zip(names) {
        let mut ddl: Vec<DeployStatement> = Vec::new();
        let mut dml: Vec<DeployStatement> = Vec::new();
        for (step, name) in wave.steps.iter().zip(names) {
            let Some(name) = name else { continue };
            let r = statement_text(project, step.loc, &step.table, sources)?;
            let mut properties = base_props.clone();
            properties.extend(r.properties);
            let in_place = step.action == StepAction::ReplaceDml;
            let st = DeployStatement {
                name,
                table: step.table.clone(),
                action: step.action,
                sql: r.sql,
                properties,
                source: r.source,
                runs: step.action.runs(),
                replaces: in_place.then(|| step.table.clone()),
            };
            if step.action.is_dml() {
                dml.push(st);
            } else {
                ddl.push(st);
            }
        }
        ddl.extend(dml);
        out.push(DeployWave {
            index: wave.index,
            statements: ddl,
        });
    }
    Ok(out)
}

/// The statements that give the tables upgraded in place their blue SQL
/// back (a rollback): each table's DML at the base, read from `sources`
/// (the files at the base), named like an in-place upgrade. Each replaces
/// the in-place statement of the same table in `waves`.
pub fn rollback_statements(
    plan: &Plan,
    base: &Project,
    env: &Environment,
    env_name: &str,
    sources: &dyn Sources,
) -> Result<Vec<DeployStatement>, DeployError> {
    let prefix = env.prefix(env_name);
    let mut out = Vec::new();
    for i in plan
        .impacted
        .iter()
        .filter(|i| i.strategy == crate::version::Strategy::InPlace)
    {
        let blue = i.blue.as_deref().unwrap_or(&i.green);
        let t = base
            .table(blue)
            .ok_or_else(|| DeployError::MissingTable(blue.to_string()))?;
        let [loc] = t.dml[..] else {
            return Err(DeployError::MissingTable(blue.to_string()));
        };
        let r = statement_text(base, loc, blue, sources)?;
        let mut properties = env.statement_properties();
        properties.extend(r.properties);
        out.push(DeployStatement {
            name: in_place_statement_name(prefix, &i.green, base.statement(loc).fingerprint),
            table: i.green.clone(),
            action: StepAction::ReplaceDml,
            sql: r.sql,
            properties,
            source: format!("{} (at {})", r.source, plan.base),
            runs: true,
            replaces: Some(i.green.clone()),
        });
    }
    Ok(out)
}

/// What to do with a statement given the one of the same name, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Nothing there: create it.
    Create,
    /// Already RUNNING (or COMPLETED for a DDL) with identical SQL.
    Skip,
    /// Same SQL, still starting: wait for it.
    Wait,
    /// Same SQL but FAILED, STOPPED or COMPLETED when it should run:
    /// delete and create again.
    Replace,
}

/// Whitespace-insensitive equality of two statements' SQL, outside string
/// literals and ignoring a trailing `;`.
pub fn same_sql(a: &str, b: &str) -> bool {
    normalize_sql(a) == normalize_sql(b)
}

pub(crate) fn normalize_sql(s: &str) -> String {
    let s = s.trim().trim_end_matches(';').trim();
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut space = false;
    for c in s.chars() {
        if in_str {
            out.push(c);
            if c == '\'' {
                in_str = false;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c == '\'' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

/// What to do with `want` given the statement of the same name on the target
/// (None: there is none). Fails when that statement has other SQL.
pub fn decide(
    want: &DeployStatement,
    existing: Option<&RemoteStatement>,
) -> Result<Decision, DeployError> {
    let Some(e) = existing else {
        return Ok(Decision::Create);
    };
    if let Some(sql) = &e.sql
        && !same_sql(sql, &want.sql)
    {
        return Err(DeployError::DifferentSql {
            name: want.name.clone(),
        });
    }
    Ok(match &e.phase {
        Phase::Running | Phase::Degraded if want.runs && !e.stopped => Decision::Skip,
        Phase::Completed if !want.runs => Decision::Skip,
        Phase::Pending => Decision::Wait,
        _ => Decision::Replace,
    })
}

/// CFU (or slots) the release needs on top of what runs now: the plan's
/// green figure when capacity is configured, else one per running green
/// statement.
pub fn needed_capacity(plan: &Plan, waves: &[DeployWave]) -> f64 {
    match &plan.capacity {
        Some(c) => c.green_cfu,
        None => waves
            .iter()
            .flat_map(|w| &w.statements)
            .filter(|s| s.runs)
            .count() as f64,
    }
}

/// Ok when `needed` fits in the pool's free capacity, else a
/// [`DeployError::Capacity`] naming the figures.
pub fn check_capacity(pool: &PoolCapacity, needed: f64) -> Result<(), DeployError> {
    if needed <= pool.free() + 1e-9 {
        return Ok(());
    }
    let f = crate::plan::fmt_cfu;
    Err(DeployError::Capacity {
        needed: f(needed),
        free: f(pool.free()),
        current: f(pool.current),
        max: f(pool.max),
        unit: pool.unit.to_string(),
    })
}

/// A duration that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a number with an optional unit, or too large.
    #[error("`{0}` is not a duration (e.g. 7d, 12h, 30m, 45s)")]
    NotADuration(String),
    /// A number followed by a unit other than s, m, h, d or w.
    #[error("`{text}`: unknown unit `{unit}` (use s, m, h, d or w)")]
    UnknownUnit {
        /// The duration as given (an excerpt).
        text: String,
        /// The unit as given (an excerpt).
        unit: String,
    },
}

/// Parses `7d`, `12h`, `30m`, `45s` (or a bare number of seconds).
pub fn parse_duration(s: &str) -> Result<u64, DurationError> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let shown = crate::paths::excerpt(s, 40);
    let n: u64 = num
        .parse()
        .map_err(|_| DurationError::NotADuration(shown.clone()))?;
    let k = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(DurationError::UnknownUnit {
                text: shown,
                unit: crate::paths::excerpt(unit, 20),
            });
        }
    };
    n.checked_mul(k).ok_or(DurationError::NotADuration(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(sql: &str, runs: bool) -> DeployStatement {
        DeployStatement {
            name: "n".into(),
            table: "t".into(),
            action: if runs {
                StepAction::StartDml
            } else {
                StepAction::CreateTable
            },
            sql: sql.into(),
            properties: BTreeMap::new(),
            source: String::new(),
            runs,
            replaces: None,
        }
    }

    fn remote(sql: &str, phase: Phase) -> RemoteStatement {
        RemoteStatement {
            name: "n".into(),
            sql: Some(sql.into()),
            phase,
            detail: String::new(),
            stopped: false,
            created_at: None,
        }
    }

    #[test]
    fn names_are_valid_and_differ_between_blue_and_green() {
        let blue = statement_name("prod", "dml", "int_orders_enriched", 1);
        let green = statement_name("prod", "dml", "int_orders_enriched_v2", 1);
        assert_eq!(blue, "prod-dml-int-orders-enriched");
        assert_eq!(green, "prod-dml-int-orders-enriched-v2");
        assert_eq!(statement_name("p", "dml", "T__x", 2), "p-dml-t-x-2");
        let long = statement_name("p", "dml", &"a".repeat(200), 1);
        assert_eq!(long.len(), 100);
        assert_ne!(long, statement_name("p", "dml", &"a".repeat(201), 1));
    }

    #[test]
    fn decisions() {
        let want = st("INSERT INTO t\nSELECT 1", true);
        assert_eq!(decide(&want, None).unwrap(), Decision::Create);
        let same = remote("INSERT  INTO t SELECT 1;", Phase::Running);
        assert_eq!(decide(&want, Some(&same)).unwrap(), Decision::Skip);
        let other = remote("INSERT INTO t SELECT 2", Phase::Running);
        assert!(matches!(
            decide(&want, Some(&other)),
            Err(DeployError::DifferentSql { .. })
        ));
        let failed = remote("INSERT INTO t SELECT 1", Phase::Failed);
        assert_eq!(decide(&want, Some(&failed)).unwrap(), Decision::Replace);
        let pending = remote("INSERT INTO t SELECT 1", Phase::Pending);
        assert_eq!(decide(&want, Some(&pending)).unwrap(), Decision::Wait);
        let ddl = st("CREATE TABLE t (a INT)", false);
        let done = remote("CREATE TABLE t (a INT)", Phase::Completed);
        assert_eq!(decide(&ddl, Some(&done)).unwrap(), Decision::Skip);
        assert!(!same_sql("SELECT 'a  b'", "SELECT 'a b'"));
    }

    #[test]
    fn capacity() {
        let pool = PoolCapacity {
            max: 10.0,
            current: 8.0,
            unit: "CFU",
        };
        assert!(check_capacity(&pool, 2.0).is_ok());
        let e = check_capacity(&pool, 3.0).unwrap_err().to_string();
        assert_eq!(
            e,
            "not enough capacity: the release needs 3 CFU, the pool has 2 free (8 used of 10)"
        );
    }

    #[test]
    fn statement_sets_one_after_the_other_are_told_apart() {
        let text = "SET 'x' = 'y';\nEXECUTE STATEMENT SET BEGIN\n  INSERT INTO a SELECT 1;\n  INSERT INTO b SELECT 2;\nEND;\nEXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO c SELECT 3;\nEND;\n";
        let stmts = crate::sql::analyze(text).unwrap();
        assert_eq!(set_members(&stmts, 1), Some((1, 2)));
        assert_eq!(set_members(&stmts, 2), Some((1, 2)));
        assert_eq!(set_members(&stmts, 3), Some((3, 3)));
        assert_eq!(
            statement_set_text(text, stmts[3].start, stmts[3].end).as_deref(),
            Some("EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO c SELECT 3;\nEND")
        );
    }

    #[test]
    fn both_statement_set_forms_deploy_as_one_execute_statement() {
        let text = "EXECUTE STATEMENT SET BEGIN\n  INSERT INTO a SELECT 1;\nEND;\n-- the SQL client's form\nBEGIN STATEMENT SET;\n  INSERT INTO b SELECT 2;\n  INSERT INTO c SELECT 3;\nEND;\n";
        let stmts = crate::sql::analyze(text).unwrap();
        let set = |i: usize| {
            let (first, last) = set_members(&stmts, i).unwrap();
            statement_set_text(text, stmts[first].start, stmts[last].end)
        };
        assert_eq!(
            set(0).as_deref(),
            Some("EXECUTE STATEMENT SET BEGIN\n  INSERT INTO a SELECT 1;\nEND")
        );
        assert_eq!(
            set(2).as_deref(),
            Some(
                "EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO b SELECT 2;\n  INSERT INTO c SELECT 3;\nEND"
            )
        );
    }

    #[test]
    fn sets_and_durations() {
        assert_eq!(
            parse_set("SET 'sql.state-ttl' = '7 d'"),
            Some(("sql.state-ttl".into(), "7 d".into()))
        );
        assert_eq!(parse_set("INSERT INTO x SELECT 1"), None);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert_eq!(parse_duration("0s").unwrap(), 0);
        assert!(parse_duration("7 days").is_err());
    }
}
