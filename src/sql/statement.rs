//! Splits a SQL text into statements and analyses each one.
use std::hash::{Hash, Hasher};

use super::hash::FastHasher;

use sqlparser::keywords::Keyword;

use super::error::SqlError;
use super::lex::{Tok, TokKind, tokenize};
use super::model::{RefRole, Statement, StatementKind, TableName};
use super::query::{QueryAnalyzer, match_parens};

/// Analyses a whole SQL text: every statement, in source order.
pub fn analyze(src: &str) -> Result<Vec<Statement>, SqlError> {
    let toks = tokenize(src)?;
    let close = match_parens(&toks)?;
    let mut out = Vec::new();
    let mut settings = 0u64;
    let mut set_open: Option<usize> = None;
    let mut i = 0;
    while i < toks.len() {
        if toks[i].kind == TokKind::Semi {
            i += 1;
            continue;
        }
        if set_open.is_none() {
            if starts_with_words(&toks, i, &["EXECUTE", "STATEMENT", "SET", "BEGIN"]) {
                set_open = Some(i);
                i += 4;
                continue;
            }
            if starts_with_words(&toks, i, &["BEGIN", "STATEMENT", "SET"]) {
                set_open = Some(i);
                i += 3;
                continue;
            }
        } else if toks[i].is_kw(Keyword::END)
            && toks.get(i + 1).is_none_or(|t| t.kind == TokKind::Semi)
        {
            set_open = None;
            i += 1;
            continue;
        }
        let end = toks[i..]
            .iter()
            .position(|t| t.kind == TokKind::Semi)
            .map_or(toks.len(), |p| i + p);
        let mut stmt = statement(src, &toks, &close, i, end)?;
        if set_open.is_some() {
            if stmt.kind != StatementKind::Insert {
                return Err(SqlError::new(
                    stmt.line,
                    stmt.col,
                    format!(
                        "a statement set may only hold INSERT statements, found {}",
                        stmt.kind.as_str()
                    ),
                    "move this statement before EXECUTE STATEMENT SET BEGIN",
                ));
            }
            stmt.in_statement_set = true;
        }
        if stmt.kind == StatementKind::Config {
            settings = mix(settings, stmt.fingerprint);
        } else {
            stmt.fingerprint = mix(settings, stmt.fingerprint);
        }
        out.push(stmt);
        i = end + 1;
    }
    if let Some(o) = set_open {
        let t = &toks[o];
        return Err(SqlError::new(
            t.line,
            t.col,
            "statement set is never closed",
            "end it with END;",
        ));
    }
    Ok(out)
}

fn starts_with_words(toks: &[Tok], i: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(k, w)| toks.get(i + k).is_some_and(|t| t.is_word_ci(w)))
}

fn mix(a: u64, b: u64) -> u64 {
    let mut h = FastHasher::default();
    (a, b).hash(&mut h);
    h.finish()
}

/// Analyses `toks[lo..hi]`, one statement without its `;`.
fn statement(
    src: &str,
    toks: &[Tok],
    close: &[usize],
    lo: usize,
    hi: usize,
) -> Result<Statement, SqlError> {
    let mut a = QueryAnalyzer::new(toks, close);
    let first = &toks[lo];
    let (kind, target) = match first.keyword() {
        Keyword::CREATE => create(&mut a, toks, lo + 1, hi)?,
        Keyword::INSERT => (
            StatementKind::Insert,
            Some(insert(&mut a, toks, lo + 1, hi)?),
        ),
        Keyword::EXECUTE
            if toks.get(lo + 1).is_some_and(|t| t.is_kw(Keyword::INSERT)) && lo + 1 < hi =>
        {
            (
                StatementKind::Insert,
                Some(insert(&mut a, toks, lo + 2, hi)?),
            )
        }
        Keyword::DROP => drop_or_alter(&a, toks, lo + 1, hi, StatementKind::Drop)?,
        Keyword::ALTER => drop_or_alter(&a, toks, lo + 1, hi, StatementKind::Alter)?,
        Keyword::SET
        | Keyword::RESET
        | Keyword::USE
        | Keyword::ADD
        | Keyword::REMOVE
        | Keyword::LOAD
        | Keyword::UNLOAD
        | Keyword::SHOW
        | Keyword::DESCRIBE
        | Keyword::DESC => (StatementKind::Config, None),
        Keyword::EXPLAIN => (StatementKind::Ignored, None),
        Keyword::SELECT | Keyword::WITH | Keyword::VALUES => {
            a.analyze_query(lo, hi)?;
            (StatementKind::Query, None)
        }
        _ if first.kind == TokKind::LParen => {
            a.analyze_query(lo, hi)?;
            (StatementKind::Query, None)
        }
        _ => {
            return Err(a.err_at(
                lo,
                format!("statement not understood (it starts with `{}`)", first_text(first)),
                "greenlight reads CREATE, INSERT, EXECUTE STATEMENT SET, SET, DROP, ALTER and queries",
            ));
        }
    };
    let refs = a.refs;
    let fingerprint = fingerprint(src, toks, lo, hi, target.as_ref(), &refs);
    Ok(Statement {
        kind,
        target,
        refs,
        start: toks[lo].start,
        end: toks[hi - 1].end,
        line: first.line,
        col: first.col,
        fingerprint,
        in_statement_set: false,
        state: super::state::state_reasons(toks, lo, hi),
    })
}

fn first_text(t: &Tok) -> String {
    t.word()
        .map(|(w, _)| w.to_string())
        .unwrap_or_else(|| "a symbol".into())
}

/// `CREATE [OR REPLACE|OR ALTER] [TEMPORARY] TABLE|VIEW|MATERIALIZED TABLE`.
fn create(
    a: &mut QueryAnalyzer<'_>,
    toks: &[Tok],
    mut i: usize,
    hi: usize,
) -> Result<(StatementKind, Option<TableName>), SqlError> {
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    if at(i).is_some_and(|t| t.is_kw(Keyword::OR)) {
        if !at(i + 1).is_some_and(|t| t.is_kw(Keyword::REPLACE) || t.is_kw(Keyword::ALTER)) {
            return Err(a.err_at(i + 1, "expected REPLACE or ALTER after CREATE OR", ""));
        }
        i += 2;
    }
    if at(i).is_some_and(|t| t.is_kw(Keyword::TEMPORARY) || t.is_kw(Keyword::TEMP)) {
        i += 1;
    }
    let kind = match at(i).map(|t| t.keyword()) {
        Some(Keyword::TABLE) => StatementKind::CreateTable,
        Some(Keyword::VIEW) => StatementKind::CreateView,
        Some(Keyword::MATERIALIZED) if at(i + 1).is_some_and(|t| t.is_kw(Keyword::TABLE)) => {
            i += 1;
            StatementKind::CreateMaterializedTable
        }
        Some(
            Keyword::FUNCTION
            | Keyword::CATALOG
            | Keyword::DATABASE
            | Keyword::SCHEMA
            | Keyword::SYSTEM,
        ) => return Ok((StatementKind::Ignored, None)),
        Some(_) if at(i).is_some_and(|t| t.is_word_ci("MODEL") || t.is_word_ci("CONNECTION")) => {
            return Ok((StatementKind::Ignored, None));
        }
        _ => {
            return Err(a.err_at(
                i.min(hi.saturating_sub(1)),
                "statement not understood: CREATE must be followed by TABLE, VIEW, MATERIALIZED TABLE, FUNCTION, CATALOG or DATABASE",
                "",
            ));
        }
    };
    i += 1;
    if at(i).is_some_and(|t| t.is_kw(Keyword::IF)) {
        if !(at(i + 1).is_some_and(|t| t.is_kw(Keyword::NOT))
            && at(i + 2).is_some_and(|t| t.is_kw(Keyword::EXISTS)))
        {
            return Err(a.err_at(i, "expected IF NOT EXISTS", ""));
        }
        i += 3;
    }
    let what = match kind {
        StatementKind::CreateView => "view",
        _ => "table",
    };
    let (name, mut i) = target_name(
        a,
        toks,
        i,
        hi,
        &format!("expected a {what} name after CREATE"),
    )?;
    let mut found_query = false;
    while i < hi {
        let t = &toks[i];
        match t.kind {
            TokKind::LParen => i = a.close_of(i) + 1,
            _ if t.is_kw(Keyword::AS) => {
                a.analyze_query(i + 1, hi)?;
                found_query = true;
                break;
            }
            _ if t.is_kw(Keyword::LIKE) && kind == StatementKind::CreateTable => {
                if !(i + 1 < hi && toks[i + 1].word().is_some()) {
                    return Err(a.err_at(i + 1, "expected a table name after LIKE", ""));
                }
                let (src, next) = a.name(i + 1, hi);
                a.push_ref(src, RefRole::Like);
                i = next;
            }
            _ => i += 1,
        }
    }
    let kind = match kind {
        StatementKind::CreateTable if found_query => StatementKind::Ctas,
        StatementKind::CreateView | StatementKind::CreateMaterializedTable if !found_query => {
            return Err(a.err_at(
                hi - 1,
                format!(
                    "expected AS followed by a query in this CREATE {}",
                    what.to_uppercase()
                ),
                "write ... AS SELECT ...",
            ));
        }
        k => k,
    };
    Ok((kind, Some(name)))
}

/// The name after `CREATE ... TABLE` or `INSERT INTO`: a word that is not a
/// keyword starting what comes after a name.
fn target_name(
    a: &QueryAnalyzer<'_>,
    toks: &[Tok],
    i: usize,
    hi: usize,
    message: &str,
) -> Result<(TableName, usize), SqlError> {
    let ok = i < hi
        && toks[i].word().is_some()
        && !matches!(
            toks[i].keyword(),
            Keyword::AS
                | Keyword::LIKE
                | Keyword::WITH
                | Keyword::SELECT
                | Keyword::VALUES
                | Keyword::PARTITION
        );
    if !ok {
        return Err(a.err_at(i, message, "name the table, e.g. `int_orders`"));
    }
    Ok(a.name(i, hi))
}

/// `INSERT INTO|OVERWRITE t [PARTITION (..)] [(cols)] query`.
fn insert(
    a: &mut QueryAnalyzer<'_>,
    toks: &[Tok],
    mut i: usize,
    hi: usize,
) -> Result<TableName, SqlError> {
    if !(i < hi && (toks[i].is_kw(Keyword::INTO) || toks[i].is_kw(Keyword::OVERWRITE))) {
        return Err(a.err_at(i, "expected INTO or OVERWRITE after INSERT", ""));
    }
    i += 1;
    let (name, mut i) = target_name(
        a,
        toks,
        i,
        hi,
        "expected the target table after INSERT INTO",
    )?;
    if i + 1 < hi && toks[i].is_kw(Keyword::PARTITION) && toks[i + 1].kind == TokKind::LParen {
        i = a.close_of(i + 1) + 1;
    }
    if i < hi && toks[i].kind == TokKind::LParen && !a.starts_query(i, hi) {
        i = a.close_of(i) + 1;
    }
    if i >= hi {
        return Err(a.err_at(
            i,
            format!(
                "expected a query or VALUES after INSERT INTO {}",
                name.display()
            ),
            "",
        ));
    }
    a.analyze_query(i, hi)?;
    Ok(name)
}

/// `DROP|ALTER [TEMPORARY] TABLE|VIEW|MATERIALIZED TABLE [IF EXISTS] name`.
fn drop_or_alter(
    a: &QueryAnalyzer<'_>,
    toks: &[Tok],
    mut i: usize,
    hi: usize,
    kind: StatementKind,
) -> Result<(StatementKind, Option<TableName>), SqlError> {
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    if at(i).is_some_and(|t| t.is_kw(Keyword::TEMPORARY) || t.is_kw(Keyword::TEMP)) {
        i += 1;
    }
    if at(i).is_some_and(|t| t.is_kw(Keyword::MATERIALIZED)) {
        i += 1;
    }
    match at(i).map(|t| t.keyword()) {
        Some(Keyword::TABLE | Keyword::VIEW) => i += 1,
        _ => return Ok((StatementKind::Ignored, None)),
    }
    if at(i).is_some_and(|t| t.is_kw(Keyword::IF))
        && at(i + 1).is_some_and(|t| t.is_kw(Keyword::EXISTS))
    {
        i += 2;
    }
    let (name, next) = target_name(a, toks, i, hi, "expected a table name")?;
    if kind == StatementKind::Alter
        && (next..hi).any(|k| {
            toks[k].is_kw(Keyword::RENAME) && toks.get(k + 1).is_some_and(|t| t.is_kw(Keyword::TO))
        })
    {
        return Err(a.err_at(
            next,
            format!(
                "ALTER TABLE {} RENAME TO changes a table's identity",
                name.display()
            ),
            "create the new table with its own DDL instead; greenlight versions tables by name",
        ));
    }
    Ok((kind, Some(name)))
}

/// Hash of the statement's tokens, table-name parts replaced by a marker.
fn fingerprint(
    src: &str,
    toks: &[Tok],
    lo: usize,
    hi: usize,
    target: Option<&TableName>,
    refs: &[super::model::TableRef],
) -> u64 {
    let mut names: Vec<usize> = target
        .iter()
        .map(|t| t.last().start)
        .chain(refs.iter().map(|r| r.name.last().start))
        .collect();
    names.sort_unstable();
    let mut h = FastHasher::default();
    for t in &toks[lo..hi] {
        if names.binary_search(&t.start).is_ok() {
            0u8.hash(&mut h);
            continue;
        }
        match &t.kind {
            TokKind::Word {
                value,
                quote,
                keyword,
            } => {
                if quote.is_none() && *keyword != Keyword::NoKeyword {
                    // A keyword is its upper-cased text: the variant says it.
                    4u8.hash(&mut h);
                    keyword.hash(&mut h);
                } else {
                    1u8.hash(&mut h);
                    value.hash(&mut h);
                }
            }
            TokKind::Str | TokKind::Number | TokKind::Other => {
                2u8.hash(&mut h);
                src[t.start..t.end].hash(&mut h);
            }
            k => {
                3u8.hash(&mut h);
                std::mem::discriminant(k).hash(&mut h);
            }
        }
    }
    h.finish()
}
