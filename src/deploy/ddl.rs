//! The schema of a `CREATE TABLE`: physical columns and their types, the
//! primary key and the watermark column (pure, from the SQL tokens).
use serde::Serialize;

use crate::sql::{TokKind, tokenize};

/// A physical column of a `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// The type as written, e.g. `DECIMAL(12, 2)`.
    pub ty: String,
    /// Whether it is declared `NOT NULL`.
    pub not_null: bool,
}

/// The schema of a `CREATE TABLE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Physical columns (computed and metadata columns left out).
    pub columns: Vec<Column>,
    /// The primary key's columns, in order (empty: none declared).
    pub primary_key: Vec<String>,
    /// The column of the `WATERMARK FOR` clause (None: no watermark).
    pub watermark: Option<String>,
}

/// The schema of a `CREATE TABLE name (...)`; None when the statement has
/// no column list (CTAS, LIKE only, views).
pub fn schema_of(sql: &str) -> Option<Schema> {
    let toks = tokenize(sql).ok()?;
    if !toks.first()?.is_word_ci("CREATE") {
        return None;
    }
    let open = toks.iter().position(|t| t.kind == TokKind::LParen)?;
    // `CREATE TABLE x AS SELECT (...)` has AS before the first parenthesis.
    if toks[..open]
        .iter()
        .any(|t| t.is_word_ci("AS") || t.is_word_ci("VIEW"))
    {
        return None;
    }
    let mut depth = 0usize;
    // `ARRAY<ROW<a STRING, b INT>>`: commas inside angle brackets.
    let mut angle = 0i32;
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut start = open + 1;
    let mut close = None;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            TokKind::LParen => depth += 1,
            TokKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    items.push((start, i));
                    close = Some(i);
                    break;
                }
            }
            TokKind::Other => {
                let text = &sql[t.start..t.end];
                if text.chars().all(|c| c == '<' || c == '>') {
                    for c in text.chars() {
                        angle += if c == '<' { 1 } else { -1 };
                    }
                    angle = angle.max(0);
                }
            }
            TokKind::Comma if depth == 1 && angle == 0 => {
                items.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    close?;
    let mut schema = Schema::default();
    let names = |lo: usize, hi: usize| -> Vec<String> {
        toks[lo..hi]
            .iter()
            .filter_map(|t| t.word().map(|(v, _)| v.to_string()))
            .collect()
    };
    for (lo, hi) in items {
        if lo >= hi {
            continue;
        }
        let first = &toks[lo];
        let mut k = lo;
        if first.is_word_ci("CONSTRAINT") {
            k = lo + 2;
        }
        if toks.get(k).is_some_and(|t| t.is_word_ci("PRIMARY")) {
            let o = (k..hi).find(|&i| toks[i].kind == TokKind::LParen);
            let c = (k..hi).find(|&i| toks[i].kind == TokKind::RParen);
            if let (Some(o), Some(c)) = (o, c) {
                schema.primary_key = names(o + 1, c);
            }
            continue;
        }
        if first.is_word_ci("WATERMARK") {
            schema.watermark = toks.get(lo + 2).and_then(|t| t.word()).map(|w| w.0.into());
            continue;
        }
        if first.is_word_ci("LIKE") || first.is_word_ci("PERIOD") {
            continue;
        }
        let Some((name, _)) = first.word() else {
            continue;
        };
        let rest = &toks[lo + 1..hi];
        if rest
            .first()
            .is_some_and(|t| t.is_word_ci("AS") && t.word().is_some_and(|w| w.1.is_none()))
        {
            continue; // computed column
        }
        // The type ends at NOT NULL, NULL, COMMENT, METADATA, PRIMARY.
        let mut end = hi;
        let mut depth = 0;
        for (i, t) in toks.iter().enumerate().take(hi).skip(lo + 1) {
            match t.kind {
                TokKind::LParen => depth += 1,
                TokKind::RParen => depth -= 1,
                _ if depth == 0
                    && (t.is_word_ci("NOT")
                        || t.is_word_ci("NULL")
                        || t.is_word_ci("COMMENT")
                        || t.is_word_ci("METADATA")
                        || t.is_word_ci("PRIMARY")) =>
                {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if rest.iter().any(|t| t.is_word_ci("METADATA")) {
            continue;
        }
        if end <= lo + 1 {
            continue;
        }
        let ty = sql[toks[lo + 1].start..toks[end - 1].end].to_string();
        let not_null = rest
            .windows(2)
            .any(|w| w[0].is_word_ci("NOT") && w[1].is_word_ci("NULL"));
        if rest.iter().any(|t| t.is_word_ci("PRIMARY")) {
            schema.primary_key = vec![name.to_string()];
        }
        schema.columns.push(Column {
            name: name.to_string(),
            ty,
            not_null,
        });
    }
    Some(schema)
}

/// The `WITH ('k' = 'v', ...)` options of a `CREATE TABLE` (as `SHOW
/// CREATE TABLE` prints it), in order; None without a `WITH` clause.
pub fn options_of(sql: &str) -> Option<Vec<(String, String)>> {
    let toks = tokenize(sql).ok()?;
    let mut depth = 0usize;
    let mut open = None;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokKind::LParen => depth += 1,
            TokKind::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0
                && t.is_word_ci("WITH")
                && toks.get(i + 1).is_some_and(|n| n.kind == TokKind::LParen) =>
            {
                open = Some(i + 1);
            }
            _ => {}
        }
    }
    let open = open?;
    let lit = |i: usize| -> Option<String> {
        let t = toks.get(i)?;
        (t.kind == TokKind::Str).then(|| unquote(&sql[t.start..t.end]))
    };
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        match toks.get(i)?.kind {
            TokKind::RParen => return Some(out),
            TokKind::Comma => i += 1,
            _ => {
                let eq = toks.get(i + 1)?;
                if &sql[eq.start..eq.end] != "=" {
                    return None;
                }
                out.push((lit(i)?, lit(i + 2)?));
                i += 3;
            }
        }
    }
}

fn unquote(lit: &str) -> String {
    let q = lit.chars().next().unwrap_or('\'');
    let inner = lit
        .strip_prefix(q)
        .and_then(|x| x.strip_suffix(q))
        .unwrap_or(lit);
    inner.replace(&format!("{q}{q}"), &q.to_string())
}

/// Options that make a table's scan bounded, for a validation query that
/// reads it in batch mode; None when the table is bounded as it is (or of a
/// connector whose bounds are not known here):
/// - `filesystem` with `source.monitor-interval`: without it, the files
///   there now are read once;
/// - `kafka` / `upsert-kafka` without `scan.bounded.mode`: read up to the
///   latest offsets (`scan.bounded.mode = latest-offset`).
pub fn bounded_options(ddl: &str) -> Option<Vec<(String, String)>> {
    let mut options = options_of(ddl)?;
    let connector = options
        .iter()
        .find(|(k, _)| k == "connector")
        .map(|(_, v)| v.to_ascii_lowercase())?;
    match connector.as_str() {
        "filesystem" => {
            let n = options.len();
            options.retain(|(k, _)| k != "source.monitor-interval");
            (options.len() < n).then_some(options)
        }
        "kafka" | "upsert-kafka" => {
            if options.iter().any(|(k, _)| k == "scan.bounded.mode") {
                return None;
            }
            options.push(("scan.bounded.mode".into(), "latest-offset".into()));
            Some(options)
        }
        _ => None,
    }
}

impl Schema {
    /// The physical column named `name` (exact match), if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The type's root, upper-cased: `DECIMAL(12, 2)` -> `DECIMAL`,
/// `TIMESTAMP_LTZ(3)` -> `TIMESTAMP_LTZ`, `ARRAY<ROW<..>>` -> `ARRAY`.
pub fn type_root(ty: &str) -> String {
    let t = ty.trim().to_ascii_uppercase();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ' '))
        .unwrap_or(t.len());
    let root = t[..end].trim();
    if root.starts_with("TIMESTAMP") && t.contains("LOCAL TIME ZONE") {
        return "TIMESTAMP_LTZ".into();
    }
    match root {
        "TIMESTAMP WITH LOCAL TIME ZONE" | "TIMESTAMP_LTZ" => "TIMESTAMP_LTZ".into(),
        r if r.starts_with("TIMESTAMP") && r.contains("LOCAL") => "TIMESTAMP_LTZ".into(),
        r if r.starts_with("TIMESTAMP") => "TIMESTAMP".into(),
        r if r.starts_with("DOUBLE") => "DOUBLE".into(),
        r if r.starts_with("CHARACTER VARYING") => "VARCHAR".into(),
        r => r.split(' ').next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_bounded_scans() {
        // As the real SQL Gateway's SHOW CREATE TABLE prints a table.
        let fs = "CREATE TABLE `e2e`.`shop`.`src` (\n  `a` VARCHAR(2147483647),\n  `ts` TIMESTAMP(3)\n)\nWITH (\n  'connector' = 'filesystem',\n  'format' = 'csv',\n  'path' = 'file:///tmp/it''s',\n  'source.monitor-interval' = '1s'\n)\n";
        assert_eq!(
            options_of(fs).unwrap(),
            [
                ("connector", "filesystem"),
                ("format", "csv"),
                ("path", "file:///tmp/it's"),
                ("source.monitor-interval", "1s"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        let b = bounded_options(fs).unwrap();
        assert!(b.iter().all(|(k, _)| k != "source.monitor-interval"));
        assert_eq!(b.len(), 3);
        // Bounded already: read as it is.
        let sink = fs.replace(",\n  'source.monitor-interval' = '1s'", "");
        assert_eq!(bounded_options(&sink), None);
        let kafka = "CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'topic' = 'x', 'scan.startup.mode' = 'earliest-offset')";
        let b = bounded_options(kafka).unwrap();
        assert_eq!(
            b.last().unwrap(),
            &("scan.bounded.mode".to_string(), "latest-offset".to_string())
        );
        let bounded_kafka = kafka.replace(")", ", 'scan.bounded.mode' = 'timestamp')");
        assert_eq!(bounded_options(&bounded_kafka), None);
        assert_eq!(
            bounded_options("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')"),
            None
        );
        assert_eq!(options_of("CREATE VIEW v AS SELECT 1"), None);
    }

    #[test]
    fn columns_key_and_watermark() {
        let s = schema_of(
            "CREATE TABLE IF NOT EXISTS src_orders (\n  order_id STRING NOT NULL,\n  total DECIMAL(12, 2),\n  tags ARRAY<ROW<a STRING, b INT>>,\n  ts TIMESTAMP_LTZ(3) NOT NULL,\n  part STRING METADATA FROM 'partition' VIRTUAL,\n  c AS total * 2,\n  PRIMARY KEY (order_id) NOT ENFORCED,\n  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n) WITH ('connector' = 'x')",
        )
        .unwrap();
        let names: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["order_id", "total", "tags", "ts"]);
        assert_eq!(s.columns[1].ty, "DECIMAL(12, 2)");
        assert_eq!(s.columns[2].ty, "ARRAY<ROW<a STRING, b INT>>");
        assert!(s.columns[0].not_null);
        assert_eq!(s.primary_key, ["order_id"]);
        assert_eq!(s.watermark.as_deref(), Some("ts"));
        assert_eq!(type_root("DECIMAL(12, 2)"), "DECIMAL");
        assert_eq!(type_root("timestamp_ltz(3)"), "TIMESTAMP_LTZ");
        assert_eq!(
            type_root("TIMESTAMP(3) WITH LOCAL TIME ZONE"),
            "TIMESTAMP_LTZ"
        );
        assert_eq!(type_root("TIMESTAMP(3)"), "TIMESTAMP");
        assert!(schema_of("CREATE TABLE t AS SELECT (1) FROM x").is_none());
        let k = schema_of("CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED, b INT)").unwrap();
        assert_eq!(k.primary_key, ["a"]);
    }
}
