//! Blue against green (pure): the validation queries, their verdicts and
//! the report (markdown and JSON); synthetic test records from a DDL.
use serde::Serialize;

use super::config::ValidateSettings;
use super::ddl::{Schema, type_root};

/// A blue/green pair to compare (blue None: a new table, green alone).
#[derive(Debug, Clone)]
pub struct Pair {
    /// The blue table (None: a new table).
    pub blue: Option<String>,
    /// The green table.
    pub green: String,
    /// Green's schema (its DDL), when it has a column list.
    pub schema: Option<Schema>,
}

impl Pair {
    /// Green, then blue when there is one.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.green.as_str()).chain(self.blue.as_deref())
    }
}

/// The blue/green pairs of a plan, each with green's schema from its
/// `CREATE TABLE` among the deployed statements.
pub fn pairs_of(plan: &crate::plan::Plan, waves: &[super::DeployWave]) -> Vec<Pair> {
    let schema_of = |green: &str| {
        waves
            .iter()
            .flat_map(|w| &w.statements)
            .find(|s| s.table == green && s.action == crate::plan::StepAction::CreateTable)
            .and_then(|s| super::ddl::schema_of(&s.sql))
    };
    // A table upgraded in place has no twin: see `in_place_check`.
    plan.impacted
        .iter()
        .filter(|i| i.strategy == crate::version::Strategy::BlueGreen)
        .map(|i| Pair {
            blue: i.blue.clone(),
            green: i.green.clone(),
            schema: schema_of(&i.green),
        })
        .collect()
}

/// The check of a table upgraded in place: passed, nothing to compare
/// (its new statement started from the old one's offsets, and its records
/// before the switch came from the old logic).
pub fn in_place_check(i: &crate::version::Impacted) -> Check {
    Check {
        table: i.green.clone(),
        check: "in_place".into(),
        blue: None,
        green: Value::Null,
        threshold: "-".into(),
        passed: true,
        detail: "upgraded in place from the old statement's offsets: no twin to compare; records before the switch came from the old logic".into(),
    }
}

/// Whether a figure is one `await` compares: the count and the latest
/// event time.
pub fn is_readiness_figure(figure: &str) -> bool {
    figure == "count" || figure.starts_with("latest:")
}

/// One query to run: `id` names the figure it yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The pair's green table (for blue's figure too).
    pub table: String,
    /// `count`, `duplicates`, `sum:<col>`, `latest:<col>`.
    pub figure: String,
    /// `blue` or `green`.
    pub side: &'static str,
    /// The `SELECT` that yields the figure as a single value.
    pub sql: String,
}

/// `name` as a backquoted SQL identifier (backquotes inside doubled).
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The event-time column of a pair: configured, else the watermark's.
fn event_time(p: &Pair, s: &ValidateSettings) -> Option<String> {
    s.event_time
        .get(crate::sql::version_stem(&p.green))
        .or_else(|| s.event_time.get(&p.green))
        .cloned()
        .or_else(|| p.schema.as_ref().and_then(|x| x.watermark.clone()))
}

fn aggregates<'a>(p: &Pair, s: &'a ValidateSettings) -> &'a [String] {
    s.aggregates
        .get(crate::sql::version_stem(&p.green))
        .or_else(|| s.aggregates.get(&p.green))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The queries of a pair; `bounded` wraps a quoted table for a bounded read.
pub fn queries(p: &Pair, s: &ValidateSettings, bounded: &dyn Fn(&str) -> String) -> Vec<Query> {
    let mut out = Vec::new();
    let sides: Vec<(&'static str, &str)> = std::iter::once(("green", p.green.as_str()))
        .chain(p.blue.as_deref().map(|b| ("blue", b)))
        .collect();
    for (side, t) in &sides {
        let from = bounded(&quote(t));
        out.push(Query {
            table: p.green.clone(),
            figure: "count".into(),
            side,
            sql: format!("SELECT COUNT(*) AS n FROM {from}"),
        });
        for c in aggregates(p, s) {
            out.push(Query {
                table: p.green.clone(),
                figure: format!("sum:{c}"),
                side,
                sql: format!("SELECT CAST(SUM({}) AS DOUBLE) AS s FROM {from}", quote(c)),
            });
        }
        if let Some(c) = event_time(p, s) {
            out.push(Query {
                table: p.green.clone(),
                figure: format!("latest:{c}"),
                side,
                sql: format!("SELECT CAST(MAX({}) AS STRING) AS t FROM {from}", quote(&c)),
            });
        }
    }
    if let Some(pk) = p
        .schema
        .as_ref()
        .map(|x| &x.primary_key)
        .filter(|k| !k.is_empty())
    {
        let cols: Vec<String> = pk.iter().map(|c| quote(c)).collect();
        let cols = cols.join(", ");
        out.push(Query {
            table: p.green.clone(),
            figure: "duplicates".into(),
            side: "green",
            sql: format!(
                "SELECT COUNT(*) AS n FROM (SELECT {cols} FROM {} GROUP BY {cols} HAVING COUNT(*) > 1) AS d",
                bounded(&quote(&p.green))
            ),
        });
    }
    out
}

/// A figure's value as a query returned it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A number, or a string that parses as one.
    Number(f64),
    /// Any other value, as text (e.g. a timestamp).
    Text(String),
    /// SQL NULL, or no row.
    Null,
}

/// Reads the single value of a one-row result.
pub fn value_of(rows: &[Vec<serde_json::Value>]) -> Value {
    match rows.last().and_then(|r| r.first()) {
        None | Some(serde_json::Value::Null) => Value::Null,
        Some(serde_json::Value::Number(n)) => Value::Number(n.as_f64().unwrap_or(0.0)),
        Some(serde_json::Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(x) => Value::Number(x),
            Err(_) if s.eq_ignore_ascii_case("null") => Value::Null,
            Err(_) => Value::Text(s.clone()),
        },
        Some(other) => Value::Text(other.to_string()),
    }
}

impl Value {
    fn num(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            _ => None,
        }
    }
    fn time(&self) -> Option<i64> {
        match self {
            Value::Text(t) => crate::dates::parse_timestamp(t),
            _ => None,
        }
    }
}

/// One comparison of a pair and its verdict: a row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The green table.
    pub table: String,
    /// What is compared: `count`, `duplicates`, `sum(<col>)`, `freshness(<col>)`,
    /// `synthetic(<side>)` or `in_place`.
    pub check: String,
    /// Blue's figure (None: not compared with blue).
    pub blue: Option<Value>,
    /// Green's figure.
    pub green: Value,
    /// The bound the figures must meet, as shown (e.g. `<= 1.00%`).
    pub threshold: String,
    /// Whether the check passed.
    pub passed: bool,
    /// The result in words (e.g. `differ by 0.50%`).
    pub detail: String,
}

/// The result of `greenlight validate`: its checks and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The environment's name.
    pub environment: String,
    /// Whether every check passed.
    pub passed: bool,
    /// Every check, pair by pair.
    pub checks: Vec<Check>,
}

fn rel_diff(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

/// The verdicts of one pair from its figures (`(figure, side) -> value`).
pub fn verdicts(
    p: &Pair,
    s: &ValidateSettings,
    figure: &dyn Fn(&str, &str) -> Option<Value>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    if let Some(g) = figure("count", "green") {
        let b = figure("count", "blue");
        let (passed, detail) = match (b.as_ref().and_then(Value::num), g.num()) {
            (Some(b), Some(g)) => {
                let d = rel_diff(b, g);
                (
                    d <= s.count_tolerance + 1e-12,
                    format!("differ by {}", pct(d)),
                )
            }
            (None, Some(g)) if p.blue.is_none() => (true, format!("new table, {g} records")),
            _ => (false, "no count".into()),
        };
        out.push(Check {
            table: p.green.clone(),
            check: "count".into(),
            blue: b,
            green: g,
            threshold: format!("<= {}", pct(s.count_tolerance)),
            passed,
            detail,
        });
    }
    if let Some(g) = figure("duplicates", "green") {
        let n = g.num().unwrap_or(f64::NAN);
        let key = p
            .schema
            .as_ref()
            .map(|x| x.primary_key.join(", "))
            .unwrap_or_default();
        out.push(Check {
            table: p.green.clone(),
            check: "duplicates".into(),
            blue: None,
            green: g,
            threshold: "0".into(),
            passed: n == 0.0,
            detail: format!("keys ({key}) seen more than once"),
        });
    }
    for c in aggregates(p, s) {
        let f = format!("sum:{c}");
        let Some(g) = figure(&f, "green") else {
            continue;
        };
        let b = figure(&f, "blue");
        let (passed, detail) = match (b.as_ref(), &g) {
            (Some(Value::Null), Value::Null) => (true, "both empty".into()),
            (Some(b), g) => match (b.num(), g.num()) {
                (Some(b), Some(g)) => {
                    let d = rel_diff(b, g);
                    (
                        d <= s.aggregate_tolerance + 1e-12,
                        format!("differ by {}", pct(d)),
                    )
                }
                _ => (false, "one side has no value".into()),
            },
            (None, _) => (true, "new table".into()),
        };
        out.push(Check {
            table: p.green.clone(),
            check: format!("sum({c})"),
            blue: b,
            green: g,
            threshold: format!("<= {}", pct(s.aggregate_tolerance)),
            passed,
            detail,
        });
    }
    if let Some(c) = event_time(p, s)
        && p.blue.is_some()
    {
        let f = format!("latest:{c}");
        if let (Some(g), Some(b)) = (figure(&f, "green"), figure(&f, "blue")) {
            let (passed, detail) = match (b.time(), g.time()) {
                (Some(bt), Some(gt)) => {
                    let lag = (bt - gt) as f64;
                    (
                        lag <= s.max_lag_secs,
                        format!("green lags blue by {}s", lag.max(0.0)),
                    )
                }
                (None, None) if b == Value::Null && g == Value::Null => (true, "both empty".into()),
                (Some(_), None) if g == Value::Null => (false, "green has no records yet".into()),
                _ => (false, "cannot read the latest event time".into()),
            };
            out.push(Check {
                table: p.green.clone(),
                check: format!("freshness({c})"),
                blue: Some(b),
                green: g,
                threshold: format!("<= {}s", s.max_lag_secs),
                passed,
                detail,
            });
        }
    }
    out
}

fn show(v: &Value) -> String {
    match v {
        Value::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Value::Number(x) => format!("{x}"),
        Value::Text(t) => t.clone(),
        Value::Null => "null".into(),
    }
}

/// The report as markdown: a heading with the verdict and a table, one row per
/// check.
pub fn markdown(r: &Report) -> String {
    let mut s = format!(
        "## greenlight validate: {} {}\n\n| table | check | blue | green | threshold | result |\n|---|---|---|---|---|---|\n",
        r.environment,
        if r.passed { "passed" } else { "FAILED" }
    );
    for c in &r.checks {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} {} |\n",
            c.table,
            c.check,
            c.blue.as_ref().map(show).unwrap_or_else(|| "-".into()),
            show(&c.green),
            c.threshold,
            if c.passed { "pass" } else { "**FAIL**" },
            c.detail
        ));
    }
    s
}

/// A value of `ty` for synthetic record `i`; strings carry `marker`.
/// None when no literal can be made (a NOT NULL nested type).
pub fn synthetic_value(ty: &str, not_null: bool, marker: &str, i: usize) -> Option<String> {
    let n = i + 1;
    Some(match type_root(ty).as_str() {
        "STRING" | "VARCHAR" | "CHAR" => format!("'{marker}-{n}'"),
        "BOOLEAN" => "TRUE".into(),
        "TINYINT" | "SMALLINT" | "INT" | "INTEGER" | "BIGINT" | "DECIMAL" | "NUMERIC" | "DEC"
        | "FLOAT" | "DOUBLE" | "REAL" => format!("CAST({n} AS {ty})"),
        "DATE" => "CURRENT_DATE".into(),
        "TIME" => "CURRENT_TIME".into(),
        "TIMESTAMP" | "TIMESTAMP_LTZ" => format!("CAST(CURRENT_TIMESTAMP AS {ty})"),
        "BYTES" | "VARBINARY" | "BINARY" => format!("CAST('{marker}' AS {ty})"),
        _ if !not_null => format!("CAST(NULL AS {ty})"),
        _ => return None,
    })
}

/// `INSERT INTO t VALUES ...` with `n` records marked with `marker`.
pub fn synthetic_insert(table: &str, schema: &Schema, marker: &str, n: usize) -> Option<String> {
    let mut rows = Vec::new();
    for i in 0..n {
        let vals: Option<Vec<String>> = schema
            .columns
            .iter()
            .map(|c| synthetic_value(&c.ty, c.not_null, marker, i))
            .collect();
        rows.push(format!("({})", vals?.join(", ")));
    }
    let cols: Vec<String> = schema.columns.iter().map(|c| quote(&c.name)).collect();
    Some(format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote(table),
        cols.join(", "),
        rows.join(", ")
    ))
}

/// Counts the records of `table` holding `marker` in a string column;
/// None when it has no string column to trace.
pub fn marker_query(
    table: &str,
    schema: &Schema,
    marker: &str,
    bounded: &dyn Fn(&str) -> String,
) -> Option<String> {
    let conds: Vec<String> = schema
        .columns
        .iter()
        .filter(|c| matches!(type_root(&c.ty).as_str(), "STRING" | "VARCHAR" | "CHAR"))
        .map(|c| {
            format!(
                "LOWER({}) LIKE '%{}%'",
                quote(&c.name),
                marker.to_lowercase()
            )
        })
        .collect();
    if conds.is_empty() {
        return None;
    }
    Some(format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {}",
        bounded(&quote(table)),
        conds.join(" OR ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::ddl::schema_of;

    fn pair() -> Pair {
        Pair {
            blue: Some("fct_x".into()),
            green: "fct_x_v2".into(),
            schema: schema_of(
                "CREATE TABLE fct_x_v2 (id STRING NOT NULL, amount DECIMAL(10, 2), ts TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED, WATERMARK FOR ts AS ts)",
            ),
        }
    }

    #[test]
    fn queries_and_verdicts() {
        let mut s = ValidateSettings::default();
        s.aggregates.insert("fct_x".into(), vec!["amount".into()]);
        let q = queries(&pair(), &s, &|t| t.to_string());
        let sqls: Vec<String> = q
            .iter()
            .map(|q| format!("{} {}: {}", q.side, q.figure, q.sql))
            .collect();
        assert!(
            sqls.contains(&"green count: SELECT COUNT(*) AS n FROM `fct_x_v2`".to_string()),
            "{sqls:#?}"
        );
        assert!(sqls.contains(
            &"blue sum:amount: SELECT CAST(SUM(`amount`) AS DOUBLE) AS s FROM `fct_x`".to_string()
        ));
        assert!(sqls.contains(&"green duplicates: SELECT COUNT(*) AS n FROM (SELECT `id` FROM `fct_x_v2` GROUP BY `id` HAVING COUNT(*) > 1) AS d".to_string()));
        assert!(sqls.contains(
            &"blue latest:ts: SELECT CAST(MAX(`ts`) AS STRING) AS t FROM `fct_x`".to_string()
        ));
        let fig = |f: &str, side: &str| -> Option<Value> {
            Some(match (f, side) {
                ("count", "blue") => Value::Number(100.0),
                ("count", _) => Value::Number(99.0),
                ("duplicates", _) => Value::Number(0.0),
                ("sum:amount", _) => Value::Number(10.5),
                ("latest:ts", "blue") => Value::Text("2026-01-01 00:10:00.000".into()),
                ("latest:ts", _) => Value::Text("2026-01-01 00:00:00.000".into()),
                _ => return None,
            })
        };
        let checks = verdicts(&pair(), &s, &fig);
        let by = |n: &str| checks.iter().find(|c| c.check == n).unwrap();
        assert!(!by("count").passed);
        assert_eq!(by("count").detail, "differ by 1.00%");
        assert!(by("duplicates").passed);
        assert!(by("sum(amount)").passed);
        assert!(!by("freshness(ts)").passed);
        assert_eq!(by("freshness(ts)").detail, "green lags blue by 600s");
        let md = markdown(&Report {
            environment: "stage".into(),
            passed: false,
            checks,
        });
        assert!(
            md.contains("| `fct_x_v2` | count | 100 | 99 | <= 0.00% | **FAIL** differ by 1.00% |"),
            "{md}"
        );
    }

    #[test]
    fn synthetic_records() {
        let p = pair();
        let sql = synthetic_insert("src_x", p.schema.as_ref().unwrap(), "gl-t1", 2).unwrap();
        assert_eq!(
            sql,
            "INSERT INTO `src_x` (`id`, `amount`, `ts`) VALUES ('gl-t1-1', CAST(1 AS DECIMAL(10, 2)), CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3))), ('gl-t1-2', CAST(2 AS DECIMAL(10, 2)), CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)))"
        );
        assert_eq!(
            marker_query("fct_x", p.schema.as_ref().unwrap(), "GL-t1", &|t| t
                .to_string())
            .unwrap(),
            "SELECT COUNT(*) AS n FROM `fct_x` WHERE LOWER(`id`) LIKE '%gl-t1%'"
        );
    }
}
