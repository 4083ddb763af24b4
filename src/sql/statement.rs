//! Splits a SQL text into statements and analyses each one.
use std::hash::{Hash, Hasher};

use super::hash::FastHasher;

use sqlparser::keywords::Keyword;

use super::annotate;
use super::error::SqlError;
use super::lex::{Tok, TokKind, tokenize};
use super::model::{
    Declared, RefRole, Scope, ScopeDatabase, Statement, StatementKind, TableName, TableRef,
};
use super::query::{QueryAnalyzer, match_parens};

/// The hint every statement-level error ends with: how to declare a
/// statement greenlight cannot read.
const DECLARE_HINT: &str = "if Flink accepts this statement, declare what it writes and reads in a comment before it: -- greenlight: writes <table> reads <table>, <table> (see docs/sql.md)";

/// One statement's token range `toks[lo..hi]`, its `;` excluded.
struct Range {
    lo: usize,
    hi: usize,
    /// The ordinal of the statement set it sits in.
    set: Option<u32>,
}

/// Analyses a whole SQL text: every statement, in source order.
pub fn analyze(src: &str) -> Result<Vec<Statement>, SqlError> {
    let toks = tokenize(src)?;
    let close = match_parens(&toks)?;
    let ranges = split(&toks)?;
    let annotations = annotate::find(src, &toks)?;
    let owner = if annotations.is_empty() {
        Vec::new()
    } else {
        assign(src, &toks, &ranges, &annotations)?
    };
    let mut out = Vec::with_capacity(ranges.len());
    let mut scope: Option<std::sync::Arc<Scope>> = None;
    let (mut settings, mut raw_settings) = (0u64, 0u64);
    let mut region_start = 0;
    for (k, r) in ranges.iter().enumerate() {
        let mut stmt = match owner.get(k).copied().flatten() {
            Some(a) => declared(src, &toks, r.lo, r.hi, &annotations[a]),
            None => statement(src, &toks, &close, r.lo, r.hi).map_err(with_declare_hint)?,
        };
        if let Some(set) = r.set {
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
            stmt.statement_set = Some(set);
        }
        let region_end = if k + 1 == ranges.len() {
            src.len()
        } else {
            stmt.end
        };
        stmt.text_hash = text_hash(src, region_start, region_end, &stmt);
        region_start = region_end;
        stmt.scope = scope.clone();
        if stmt.kind == StatementKind::Config {
            settings = mix(settings, stmt.fingerprint);
            raw_settings = mix(raw_settings, stmt.text_hash);
            let mut next = stmt.scope().clone();
            update_scope(&toks, r.lo, r.hi, src, &mut next);
            scope = (next != Scope::default()).then(|| std::sync::Arc::new(next));
        } else {
            stmt.fingerprint = mix(settings, stmt.fingerprint);
            stmt.text_hash = mix(raw_settings, stmt.text_hash);
        }
        out.push(stmt);
    }
    Ok(out)
}

fn with_declare_hint(mut e: SqlError) -> SqlError {
    e.hint = if e.hint.is_empty() {
        DECLARE_HINT.to_string()
    } else {
        format!("{}\n  hint: {DECLARE_HINT}", e.hint)
    };
    e
}

/// The statements' token ranges, `EXECUTE STATEMENT SET BEGIN ... END`
/// wrappers removed.
fn split(toks: &[Tok]) -> Result<Vec<Range>, SqlError> {
    let mut out = Vec::new();
    let mut set_open: Option<usize> = None;
    let mut sets: u32 = 0;
    let mut i = 0;
    while i < toks.len() {
        if toks[i].kind == TokKind::Semi {
            i += 1;
            continue;
        }
        if set_open.is_none() {
            if starts_with_words(toks, i, &["EXECUTE", "STATEMENT", "SET", "BEGIN"]) {
                set_open = Some(i);
                i += 4;
                continue;
            }
            if starts_with_words(toks, i, &["BEGIN", "STATEMENT", "SET"]) {
                set_open = Some(i);
                i += 3;
                continue;
            }
        } else if toks[i].is_kw(Keyword::END)
            && toks.get(i + 1).is_none_or(|t| t.kind == TokKind::Semi)
        {
            set_open = None;
            sets += 1;
            i += 1;
            continue;
        }
        let end = toks[i..]
            .iter()
            .position(|t| t.kind == TokKind::Semi)
            .map_or(toks.len(), |p| i + p);
        out.push(Range {
            lo: i,
            hi: end,
            set: set_open.map(|_| sets),
        });
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

/// The statement each annotation belongs to: the one it stands in or
/// before, or the one whose `;` ends on its line. Returns, per range, the
/// index of its annotation.
fn assign(
    src: &str,
    toks: &[Tok],
    ranges: &[Range],
    annotations: &[annotate::Annotation],
) -> Result<Vec<Option<usize>>, SqlError> {
    let mut owner = vec![None; ranges.len()];
    for (a, ann) in annotations.iter().enumerate() {
        let p = ann.at;
        // Ranges ending before the annotation; the next one may hold it.
        let next = ranges.partition_point(|r| toks[r.hi - 1].end <= p);
        let inside = ranges.get(next).is_some_and(|r| toks[r.lo].start <= p);
        let trailing = !inside && next > 0 && {
            let prev = &ranges[next - 1];
            let last = toks.get(prev.hi).unwrap_or(&toks[prev.hi - 1]);
            let after = ranges.get(next).map_or(src.len(), |r| toks[r.lo].start);
            last.end <= p
                && !src[last.end..p].contains('\n')
                && (next == ranges.len() || src[p..after].contains('\n'))
        };
        let k = if trailing {
            next - 1
        } else if next < ranges.len() {
            next
        } else {
            return Err(SqlError::new(
                ann.line,
                ann.col,
                "this greenlight annotation is beside no statement",
                "put it right before the statement it declares",
            ));
        };
        if let Some(other) = owner[k].replace(a) {
            let o: &annotate::Annotation = &annotations[other];
            return Err(SqlError::new(
                ann.line,
                ann.col,
                format!(
                    "a second greenlight annotation for one statement (the first is at {}:{})",
                    o.line, o.col
                ),
                "keep one annotation per statement",
            ));
        }
    }
    Ok(owner)
}

/// A statement whose lineage an annotation declares: not analysed; the
/// words of its text equal to a declared table are renamed with it.
fn declared(
    src: &str,
    toks: &[Tok],
    lo: usize,
    hi: usize,
    ann: &annotate::Annotation,
) -> Statement {
    let kind = match ann.verb {
        annotate::Verb::Writes => StatementKind::Insert,
        annotate::Verb::Creates if ann.reads.is_empty() => StatementKind::CreateTable,
        annotate::Verb::Creates => StatementKind::Ctas,
        annotate::Verb::Ignore => StatementKind::Ignored,
    };
    let target = ann.target.clone();
    let role = |role: RefRole| {
        move |name: &TableName| TableRef {
            name: name.clone(),
            role,
        }
    };
    let mut refs: Vec<TableRef> = ann.reads.iter().map(role(RefRole::Read)).collect();
    refs.extend(ann.like.iter().map(role(RefRole::Like)));
    refs.extend(
        annotate::mentions(toks, lo, hi, ann)
            .into_iter()
            .map(|name| TableRef {
                name,
                role: RefRole::Mention,
            }),
    );
    let fingerprint = fingerprint(src, toks, lo, hi, target.as_ref(), &refs);
    let state_uses = super::state::state_uses(src, toks, lo, hi, kind.defines_table());
    let first = &toks[lo];
    Statement {
        kind,
        target,
        refs,
        start: first.start,
        end: toks[hi - 1].end,
        line: first.line,
        col: first.col,
        fingerprint,
        text_hash: 0,
        in_statement_set: false,
        statement_set: None,
        state: super::state::reasons(&state_uses),
        state_uses,
        scope: None,
        declared: Some(Declared {
            line: ann.line,
            col: ann.col,
        }),
    }
}

/// `USE CATALOG c`, `USE [c.]d`, `SET 'sql.current-catalog'|'sql.current-database' = 'x'`,
/// `RESET ['key']`: the current catalog and database after the statement.
fn update_scope(toks: &[Tok], lo: usize, hi: usize, src: &str, scope: &mut Scope) {
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    let string = |i: usize| {
        at(i)
            .filter(|t| t.kind == TokKind::Str)
            .map(|t| unquote(&src[t.start..t.end]))
    };
    let first = &toks[lo];
    if first.is_kw(Keyword::USE) {
        if at(lo + 1).is_some_and(|t| t.is_kw(Keyword::CATALOG))
            && at(lo + 2).is_some_and(|t| t.word().is_some())
        {
            let (name, _) = super::query::parse_name(toks, lo + 2, hi);
            scope.catalog = Some(name.key().to_string());
            scope.database = ScopeDatabase::OfCatalog;
        } else if at(lo + 1).is_some_and(|t| t.word().is_some() && !t.is_word_ci("MODULES")) {
            let (name, _) = super::query::parse_name(toks, lo + 1, hi);
            let parts = name.qualifier();
            if let Some(c) = parts.last() {
                scope.catalog = Some(c.to_string());
            }
            scope.database = ScopeDatabase::Named(name.key().to_string());
        }
    } else if first.is_kw(Keyword::SET) {
        let is_eq = at(lo + 2).is_some_and(|t| &src[t.start..t.end] == "=");
        if let (Some(key), true, Some(value)) = (string(lo + 1), is_eq, string(lo + 3)) {
            match key.as_str() {
                "sql.current-catalog" => scope.catalog = Some(value),
                "sql.current-database" => scope.database = ScopeDatabase::Named(value),
                _ => {}
            }
        }
    } else if first.is_kw(Keyword::RESET) {
        match string(lo + 1).as_deref() {
            None if lo + 1 == hi => *scope = Scope::default(),
            Some("sql.current-catalog") => scope.catalog = None,
            Some("sql.current-database") => scope.database = ScopeDatabase::Default,
            _ => {}
        }
    }
}

/// A string literal's value: quotes removed, doubled quotes undone.
fn unquote(lit: &str) -> String {
    let q = lit.chars().next().unwrap_or('\'');
    let inner = lit
        .strip_prefix(q)
        .and_then(|s| s.strip_suffix(q))
        .unwrap_or(lit);
    let doubled: String = [q, q].iter().collect();
    inner.replace(&doubled, &q.to_string())
}

/// Hash of `src[lo..hi]` with the statement's table-name spans masked.
fn text_hash(src: &str, lo: usize, hi: usize, stmt: &Statement) -> u64 {
    // Names come almost always sorted (the target, then refs in source
    // order): then no need to collect them.
    let spans = || stmt.name_sequence().map(|p| (p.start, p.end));
    let sorted = spans().zip(spans().skip(1)).all(|(a, b)| a.0 <= b.0);
    if sorted {
        masked_hash(src, lo, hi, spans())
    } else {
        let mut v: Vec<(usize, usize)> = spans().collect();
        v.sort_unstable();
        masked_hash(src, lo, hi, v.into_iter())
    }
}

fn masked_hash(
    src: &str,
    lo: usize,
    hi: usize,
    spans: impl Iterator<Item = (usize, usize)>,
) -> u64 {
    let mut h = FastHasher::default();
    let mut at = lo;
    for (s, e) in spans {
        if s < at || e > hi {
            continue;
        }
        h.write(&src.as_bytes()[at..s]);
        0xffu8.hash(&mut h);
        at = e;
    }
    h.write(&src.as_bytes()[at..hi]);
    h.finish()
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
    close: &[u32],
    lo: usize,
    hi: usize,
) -> Result<Statement, SqlError> {
    let mut a = QueryAnalyzer::new(src, toks, close);
    let first = &toks[lo];
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    let (kind, target) = match first.keyword() {
        Keyword::CREATE => create(&mut a, toks, lo + 1, hi)?,
        // `REPLACE TABLE t ... AS query` (RTAS).
        Keyword::REPLACE if at(lo + 1).is_some_and(|t| t.is_kw(Keyword::TABLE)) => {
            create(&mut a, toks, lo + 1, hi)?
        }
        Keyword::INSERT => (
            StatementKind::Insert,
            Some(insert(&mut a, toks, lo + 1, hi)?),
        ),
        Keyword::EXECUTE if at(lo + 1).is_some_and(|t| t.is_kw(Keyword::INSERT)) => (
            StatementKind::Insert,
            Some(insert(&mut a, toks, lo + 2, hi)?),
        ),
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
        Keyword::EXPLAIN | Keyword::CALL | Keyword::CLEAR => (StatementKind::Ignored, None),
        // SQL client and job statements: `STOP JOB 'id'`, `HELP`, `QUIT`.
        _ if ["STOP", "HELP", "QUIT", "EXIT"]
            .iter()
            .any(|w| first.is_word_ci(w)) =>
        {
            (StatementKind::Ignored, None)
        }
        // `COMPILE AND EXECUTE PLAN 'file' FOR INSERT ...` runs the insert.
        _ if starts_with_words(toks, lo, &["COMPILE", "AND", "EXECUTE", "PLAN"]) => {
            let i = plan_for(&a, toks, lo + 4, hi)?;
            (StatementKind::Insert, Some(insert(&mut a, toks, i, hi)?))
        }
        // `COMPILE PLAN 'file' FOR INSERT ...` only writes the plan: no
        // lineage, but its names are renamed with their tables.
        _ if starts_with_words(toks, lo, &["COMPILE", "PLAN"]) => {
            let i = plan_for(&a, toks, lo + 2, hi)?;
            (StatementKind::Ignored, Some(insert(&mut a, toks, i, hi)?))
        }
        Keyword::ANALYZE => {
            table_after(&mut a, toks, lo + 1, hi, "ANALYZE")?;
            (StatementKind::Ignored, None)
        }
        Keyword::TRUNCATE => {
            table_after(&mut a, toks, lo + 1, hi, "TRUNCATE")?;
            (StatementKind::Batch, None)
        }
        Keyword::DELETE | Keyword::UPDATE => {
            delete_or_update(&mut a, toks, lo, hi)?;
            (StatementKind::Batch, None)
        }
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
                "greenlight reads CREATE, INSERT, EXECUTE, SET, DROP, ALTER, queries and the SQL client's statements",
            ));
        }
    };
    if !matches!(
        kind,
        StatementKind::Insert
            | StatementKind::Query
            | StatementKind::CreateTable
            | StatementKind::Ctas
            | StatementKind::CreateView
            | StatementKind::CreateMaterializedTable
            | StatementKind::CreateMaterializedTableSchema
    ) && !first.is_kw(Keyword::EXPLAIN)
        && !first.is_word_ci("COMPILE")
    {
        missing_semicolon(&a, toks, lo, hi, kind)?;
    }
    let refs = a.refs;
    let fingerprint = fingerprint(src, toks, lo, hi, target.as_ref(), &refs);
    let state_uses = super::state::state_uses(src, toks, lo, hi, kind.defines_table());
    Ok(Statement {
        kind,
        target,
        refs,
        start: toks[lo].start,
        end: toks[hi - 1].end,
        line: first.line,
        col: first.col,
        fingerprint,
        text_hash: 0,
        in_statement_set: false,
        statement_set: None,
        state: super::state::reasons(&state_uses),
        state_uses,
        scope: None,
        declared: None,
    })
}

/// A statement that greenlight does not read to its end (a session
/// setting, `DROP`, `ALTER`, `CREATE FUNCTION`...) must not run into the next
/// one: a word that starts a statement at the start of a line, inside it,
/// means a `;` is missing, and everything up to the next `;` would be lost
/// from the lineage.
fn missing_semicolon(
    a: &QueryAnalyzer<'_>,
    toks: &[Tok],
    lo: usize,
    hi: usize,
    kind: StatementKind,
) -> Result<(), SqlError> {
    let starts = |i: usize| {
        let t = &toks[i];
        let clause_of_alter = kind == StatementKind::Alter
            && (t.is_kw(Keyword::DROP) || t.is_kw(Keyword::SET) || t.is_kw(Keyword::RESET));
        let keyword = [
            Keyword::INSERT,
            Keyword::EXECUTE,
            Keyword::BEGIN,
            Keyword::CREATE,
            Keyword::DROP,
            Keyword::ALTER,
            Keyword::SELECT,
            Keyword::SET,
            Keyword::RESET,
            Keyword::USE,
        ]
        .into_iter()
        .any(|k| t.is_kw(k));
        // `SET (...)` and `RESET (...)` are clauses (`ALTER DATABASE d SET (...)`).
        let options = toks.get(i + 1).is_some_and(|n| n.kind == TokKind::LParen);
        keyword && !clause_of_alter && !options && toks[i - 1].line < t.line
    };
    match (lo + 1..hi).find(|&i| starts(i)) {
        Some(i) => Err(a.err_at(
            i,
            format!(
                "`{}` starts a new statement: a `;` is missing before it",
                first_text(&toks[i])
            ),
            "end the statement before it with `;`",
        )),
        None => Ok(()),
    }
}

fn first_text(t: &Tok) -> String {
    t.word()
        .map(|(w, _)| w.to_string())
        .unwrap_or_else(|| "a symbol".into())
}

/// `CREATE [OR REPLACE|OR ALTER] [TEMPORARY] TABLE|VIEW|MATERIALIZED TABLE`,
/// from the token after CREATE.
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
        StatementKind::CreateView => "VIEW",
        StatementKind::CreateMaterializedTable => "MATERIALIZED TABLE",
        _ => "TABLE",
    };
    let (name, i) = target_name(
        a,
        toks,
        i,
        hi,
        &format!("expected a {} name after CREATE", what.to_lowercase()),
    )?;
    let found_query = create_clauses(a, toks, i, hi, kind, &name)?;
    let kind = match kind {
        StatementKind::CreateTable if found_query => StatementKind::Ctas,
        StatementKind::CreateMaterializedTable if !found_query => {
            StatementKind::CreateMaterializedTableSchema
        }
        StatementKind::CreateView if !found_query => {
            return Err(a.err_at(
                hi - 1,
                "expected AS followed by a query in this CREATE VIEW",
                "write ... AS SELECT ...",
            ));
        }
        k => k,
    };
    Ok((kind, Some(name)))
}

/// The clauses after `CREATE ... name`: a schema or column list, COMMENT,
/// PARTITIONED BY, DISTRIBUTED BY/INTO, WITH (options), LIKE (tables),
/// `key = value` options (materialized tables: FRESHNESS, REFRESH_MODE)
/// and `AS query`. Returns whether a query was found. Anything else is an
/// error: a misspelt keyword must not drop a query or a LIKE.
fn create_clauses(
    a: &mut QueryAnalyzer<'_>,
    toks: &[Tok],
    mut i: usize,
    hi: usize,
    kind: StatementKind,
    name: &TableName,
) -> Result<bool, SqlError> {
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    let lparen = |i: usize| at(i).is_some_and(|t| t.kind == TokKind::LParen);
    let table = matches!(
        kind,
        StatementKind::CreateTable | StatementKind::CreateMaterializedTable
    );
    while i < hi {
        let t = &toks[i];
        if t.kind == TokKind::LParen {
            i = a.close_of(i) + 1;
            continue;
        }
        match t.keyword() {
            Keyword::AS => {
                if !a.starts_query(i + 1, hi) && !at(i + 1).is_some_and(|t| t.is_kw(Keyword::TABLE))
                {
                    let found =
                        at(i + 1).map_or("nothing".to_string(), |t| format!("`{}`", first_text(t)));
                    return Err(a.err_at(
                        (i + 1).min(hi - 1),
                        format!("expected a query after AS, found {found}"),
                        "write AS SELECT ..., AS WITH ... or AS VALUES ...",
                    ));
                }
                a.analyze_query(i + 1, hi)?;
                return Ok(true);
            }
            Keyword::LIKE if kind == StatementKind::CreateTable => {
                if at(i + 1).is_none_or(|t| t.word().is_none()) {
                    return Err(a.err_at(i + 1, "expected a table name after LIKE", ""));
                }
                let (src, next) = a.name(i + 1, hi)?;
                a.push_ref(src, RefRole::Like);
                i = next;
            }
            Keyword::COMMENT if at(i + 1).is_some_and(|t| t.kind == TokKind::Str) => i += 2,
            Keyword::PARTITIONED
                if table && at(i + 1).is_some_and(|t| t.is_kw(Keyword::BY)) && lparen(i + 2) =>
            {
                i = a.close_of(i + 2) + 1;
            }
            Keyword::WITH if table && lparen(i + 1) => i = a.close_of(i + 1) + 1,
            _ if table && t.is_word_ci("DISTRIBUTED") => {
                // DISTRIBUTED BY [HASH|RANGE|...] (cols) [INTO n BUCKETS] | DISTRIBUTED INTO n BUCKETS
                i += 1;
                if at(i).is_some_and(|t| t.is_kw(Keyword::BY)) {
                    i += 1;
                    if at(i).is_some_and(|t| t.word().is_some()) && lparen(i + 1) {
                        i += 1;
                    }
                    if !lparen(i) {
                        return Err(a.err_at(
                            i.min(hi - 1),
                            "expected (columns) after DISTRIBUTED BY",
                            "write DISTRIBUTED BY HASH(col) INTO n BUCKETS",
                        ));
                    }
                    i = a.close_of(i) + 1;
                }
                if at(i).is_some_and(|t| t.is_kw(Keyword::INTO)) {
                    if !(at(i + 1).is_some_and(|t| t.kind == TokKind::Number)
                        && at(i + 2).is_some_and(|t| t.is_word_ci("BUCKETS")))
                    {
                        return Err(a.err_at(
                            i,
                            "expected INTO n BUCKETS",
                            "write DISTRIBUTED BY HASH(col) INTO n BUCKETS",
                        ));
                    }
                    i += 3;
                }
            }
            _ if kind == StatementKind::CreateMaterializedTable
                && t.word().is_some()
                && at(i + 1).is_some_and(|t| t.kind == TokKind::Other) =>
            {
                // `FRESHNESS = INTERVAL '1' MINUTE`, `REFRESH_MODE = FULL`: up
                // to the next clause.
                i += 2;
                while i < hi && !starts_create_clause(toks, i, hi) {
                    i = if toks[i].kind == TokKind::LParen {
                        a.close_of(i) + 1
                    } else {
                        i + 1
                    };
                }
            }
            _ => {
                let found = first_text(t);
                let expected = match kind {
                    StatementKind::CreateView => "(columns), COMMENT or AS",
                    StatementKind::CreateMaterializedTable => {
                        "(constraints), COMMENT, PARTITIONED BY, DISTRIBUTED BY, WITH (...), FRESHNESS = ..., REFRESH_MODE = ... or AS"
                    }
                    _ => {
                        "(schema), COMMENT, PARTITIONED BY, DISTRIBUTED BY, WITH (...), LIKE or AS"
                    }
                };
                return Err(a.err_at(
                    i,
                    format!(
                        "`{found}` is not understood in CREATE of `{}`: expected {expected}",
                        name.display()
                    ),
                    format!("check the spelling of `{found}`"),
                ));
            }
        }
    }
    Ok(false)
}

/// Whether a clause of a CREATE statement starts at `i`.
fn starts_create_clause(toks: &[Tok], i: usize, hi: usize) -> bool {
    let t = &toks[i];
    matches!(
        t.keyword(),
        Keyword::AS | Keyword::COMMENT | Keyword::PARTITIONED | Keyword::WITH
    ) || t.is_word_ci("DISTRIBUTED")
        || (t.word().is_some()
            && toks
                .get(i + 1)
                .filter(|_| i + 1 < hi)
                .is_some_and(|n| n.kind == TokKind::Other && n.end - n.start == 1))
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
    a.name(i, hi)
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

/// After `COMPILE [AND EXECUTE] PLAN`: `'file' FOR`, and the index of the
/// INSERT that follows.
fn plan_for(a: &QueryAnalyzer<'_>, toks: &[Tok], i: usize, hi: usize) -> Result<usize, SqlError> {
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    if !at(i).is_some_and(|t| t.kind == TokKind::Str)
        || !at(i + 1).is_some_and(|t| t.is_kw(Keyword::FOR))
        || !at(i + 2).is_some_and(|t| t.is_kw(Keyword::INSERT))
    {
        return Err(a.err_at(
            i.min(hi - 1),
            "expected 'plan file' FOR INSERT INTO ... after COMPILE [AND EXECUTE] PLAN",
            "",
        ));
    }
    Ok(i + 3)
}

/// `TABLE name` after ANALYZE or TRUNCATE: the table, renamed with it (a
/// mention, not a lineage edge).
fn table_after(
    a: &mut QueryAnalyzer<'_>,
    toks: &[Tok],
    i: usize,
    hi: usize,
    what: &str,
) -> Result<(), SqlError> {
    if !(i < hi && toks[i].is_kw(Keyword::TABLE)) {
        return Err(a.err_at(i.min(hi - 1), format!("expected TABLE after {what}"), ""));
    }
    let (name, _) = target_name(a, toks, i + 1, hi, "expected a table name")?;
    a.push_ref(name, RefRole::Mention);
    Ok(())
}

/// `DELETE FROM t [WHERE ...]` and `UPDATE t SET ... [WHERE ...]` (batch
/// statements): the table and the tables their subqueries read, renamed
/// with their tables.
fn delete_or_update(
    a: &mut QueryAnalyzer<'_>,
    toks: &[Tok],
    lo: usize,
    hi: usize,
) -> Result<(), SqlError> {
    let mut i = lo + 1;
    if toks[lo].is_kw(Keyword::DELETE) {
        if !(i < hi && toks[i].is_kw(Keyword::FROM)) {
            return Err(a.err_at(i.min(hi - 1), "expected FROM after DELETE", ""));
        }
        i += 1;
    }
    target_name(a, toks, i, hi, "expected a table name")?;
    a.analyze_on_table(i, hi)
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
    if kind == StatementKind::Alter {
        let mut k = next;
        while k < hi {
            let t = &toks[k];
            if t.kind == TokKind::LParen {
                k = a.close_of(k) + 1;
                continue;
            }
            if t.is_kw(Keyword::RENAME) && at(k + 1).is_some_and(|t| t.is_kw(Keyword::TO)) {
                return Err(a.err_at(
                    next,
                    format!(
                        "ALTER TABLE {} RENAME TO changes a table's identity",
                        name.display()
                    ),
                    "create the new table with its own DDL instead; greenlight versions tables by name",
                ));
            }
            if t.is_kw(Keyword::AS) && a.starts_query(k + 1, hi) {
                return Err(a.err_at(
                    k,
                    format!(
                        "ALTER ... AS <query> changes the query of `{}`; greenlight reads a table's query from its CREATE statement",
                        name.display()
                    ),
                    "change the CREATE statement instead",
                ));
            }
            k += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::analyze;
    use crate::sql::MAX_DEPTH;

    /// Runs `f` on a thread with a small stack: deep input must give an
    /// error, never a stack overflow (which aborts the process).
    fn on_small_stack<T: Send + 'static>(
        stack: usize,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_is_an_error_with_its_position() {
        let cases = [
            format!(
                "INSERT INTO t SELECT {}1{}",
                "(".repeat(10_000),
                ")".repeat(10_000)
            ),
            format!(
                "INSERT INTO t {}SELECT 1{}",
                "(SELECT * FROM ".repeat(10_000),
                ")".repeat(10_000)
            ),
            format!(
                "INSERT INTO t\nSELECT * FROM {}s{}",
                "(SELECT * FROM ".repeat(10_000),
                ") AS x".repeat(10_000)
            ),
        ];
        for sql in cases {
            let e = on_small_stack(64 << 10, move || analyze(&sql).unwrap_err());
            assert!(
                e.message.contains(&format!("nested more than {MAX_DEPTH}")),
                "{e}"
            );
            assert!(e.col > 1 && !e.hint.is_empty(), "{e}");
        }
        let lateral = format!("INSERT INTO t SELECT * FROM {}s", "LATERAL ".repeat(10_000));
        on_small_stack(64 << 10, move || {
            let _ = analyze(&lateral);
        });
    }

    #[test]
    fn the_deepest_allowed_nesting_fits_a_small_stack() {
        let d = MAX_DEPTH - 1;
        let cases = [
            format!("INSERT INTO t SELECT {}1{}", "(".repeat(d), ")".repeat(d)),
            format!(
                "INSERT INTO t\nSELECT * FROM {}s{}",
                "(SELECT * FROM ".repeat(d),
                ") AS x".repeat(d)
            ),
            format!(
                "INSERT INTO t SELECT * FROM s WHERE a IN {}SELECT 1{}",
                "(SELECT a FROM s WHERE a IN ".repeat(d - 1) + "(",
                ")".repeat(d)
            ),
        ];
        // Half of the 2 MiB a rayon worker thread gets, in a debug build.
        for sql in cases {
            on_small_stack(1 << 20, move || analyze(&sql).map(drop).unwrap());
        }
    }
}
