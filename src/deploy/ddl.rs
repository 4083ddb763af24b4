//! The schema of a `CREATE TABLE`: physical columns and their types, the
//! primary key and the watermark column (pure, from the SQL tokens).
use serde::Serialize;

use crate::sql::{TokKind, tokenize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// The type as written, e.g. `DECIMAL(12, 2)`.
    pub ty: String,
    pub not_null: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Physical columns (computed and metadata columns left out).
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
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

impl Schema {
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
