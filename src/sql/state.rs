//! Whether a statement keeps state, and why (pure, token-level): the one
//! owner of "is this statement stateless".
//!
//! Each construct that keeps state is found with its position
//! ([`StateUse`]); [`StateReason`] is the coarse reason the reports show. On
//! a `CREATE TABLE`, the table being an upsert (or changelog) sink is found
//! the same way: a statement writing such a table cannot carry its offsets
//! over to a new statement (Confluent refuses upsert sinks).
use serde::Serialize;
use sqlparser::keywords::Keyword;

use super::lex::{Tok, TokKind};

/// A reason a streaming statement keeps state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateReason {
    /// A regular join (both sides kept in state).
    Join,
    /// `FOR SYSTEM_TIME AS OF`: the versioned side is kept in state.
    TemporalJoin,
    /// GROUP BY or an aggregate function.
    Aggregation,
    /// A window TVF (TUMBLE, HOP, CUMULATE, SESSION).
    Window,
    /// `ROW_NUMBER() OVER` (deduplication or top-N).
    Deduplication,
    /// Another OVER aggregation.
    OverWindow,
    /// `MATCH_RECOGNIZE`.
    MatchRecognize,
    /// `SELECT DISTINCT`.
    Distinct,
}

impl StateReason {
    /// The reason as reports print it (`temporal join`).
    pub fn as_str(self) -> &'static str {
        match self {
            StateReason::Join => "join",
            StateReason::TemporalJoin => "temporal join",
            StateReason::Aggregation => "aggregation",
            StateReason::Window => "window",
            StateReason::Deduplication => "ROW_NUMBER dedup",
            StateReason::OverWindow => "OVER window",
            StateReason::MatchRecognize => "MATCH_RECOGNIZE",
            StateReason::Distinct => "DISTINCT",
        }
    }
}

/// A construct that makes a statement keep state, or (on a `CREATE TABLE`)
/// makes its table an upsert sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Construct {
    /// `JOIN ... ON` (regular join).
    Join,
    /// `FROM a, b`: a regular join written with a comma.
    CommaJoin,
    /// A join bounded in time (`ON a.ts BETWEEN b.ts - INTERVAL ...`).
    IntervalJoin,
    /// `IN (SELECT ...)`, `EXISTS (SELECT ...)` or a scalar subquery: a
    /// semi, anti or regular join.
    Subquery,
    /// `FOR SYSTEM_TIME AS OF`.
    TemporalJoin,
    /// `GROUP BY` or an aggregate function (`COUNT`, `SUM`, ...).
    Aggregation,
    /// A window TVF (`TUMBLE`, `HOP`, `CUMULATE`, `SESSION`).
    Window,
    /// `ROW_NUMBER() OVER` kept at `= 1`: deduplication.
    Deduplication,
    /// `ROW_NUMBER() OVER` kept at `<= N`: Top-N.
    TopN,
    /// `LAG`/`LEAD ... OVER`.
    LagLead,
    /// Another `OVER` aggregation.
    OverWindow,
    /// `MATCH_RECOGNIZE`.
    MatchRecognize,
    /// `SELECT DISTINCT`.
    Distinct,
    /// The table is written as an upsert or changelog stream (a primary
    /// key, `'changelog.mode' = 'upsert'|'retract'`, `upsert-kafka`, a
    /// changelog format).
    UpsertSink,
}

impl Construct {
    /// The coarse reason the reports show; None for a sink property.
    pub fn reason(self) -> Option<StateReason> {
        Some(match self {
            Construct::Join
            | Construct::CommaJoin
            | Construct::IntervalJoin
            | Construct::Subquery => StateReason::Join,
            Construct::TemporalJoin => StateReason::TemporalJoin,
            Construct::Aggregation => StateReason::Aggregation,
            Construct::Window => StateReason::Window,
            Construct::Deduplication | Construct::TopN => StateReason::Deduplication,
            Construct::LagLead | Construct::OverWindow => StateReason::OverWindow,
            Construct::MatchRecognize => StateReason::MatchRecognize,
            Construct::Distinct => StateReason::Distinct,
            Construct::UpsertSink => return None,
        })
    }

    /// The construct as reports print it (`comma join`).
    pub fn as_str(self) -> &'static str {
        match self {
            Construct::Join => "join",
            Construct::CommaJoin => "comma join",
            Construct::IntervalJoin => "interval join",
            Construct::Subquery => "subquery join",
            Construct::TemporalJoin => "temporal join",
            Construct::Aggregation => "aggregation",
            Construct::Window => "window TVF",
            Construct::Deduplication => "ROW_NUMBER dedup",
            Construct::TopN => "Top-N",
            Construct::LagLead => "LAG/LEAD",
            Construct::OverWindow => "OVER window",
            Construct::MatchRecognize => "MATCH_RECOGNIZE",
            Construct::Distinct => "DISTINCT",
            Construct::UpsertSink => "upsert sink",
        }
    }
}

impl std::fmt::Display for Construct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One construct of a statement and where it is (1-based, characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StateUse {
    /// What was found.
    pub construct: Construct,
    /// Its 1-based line.
    pub line: u32,
    /// Its 1-based column, in characters.
    pub col: u32,
}

const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "COLLECT",
    "LISTAGG",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "VAR_POP",
    "VAR_SAMP",
    "FIRST_VALUE",
    "LAST_VALUE",
    "ARRAY_AGG",
    "JSON_ARRAYAGG",
    "JSON_OBJECTAGG",
];
const WINDOWS: &[&str] = &["TUMBLE", "HOP", "CUMULATE", "SESSION"];
/// Formats that write a changelog (inserts, updates and deletes).
const CHANGELOG_FORMATS: &[&str] = &[
    "debezium-json",
    "debezium-avro-confluent",
    "debezium-avro-registry",
    "canal-json",
    "maxwell-json",
    "ogg-json",
];

/// The coarse reasons of some constructs, sorted, deduplicated.
pub(super) fn reasons(uses: &[StateUse]) -> Vec<StateReason> {
    let mut out: Vec<StateReason> = uses.iter().filter_map(|u| u.construct.reason()).collect();
    out.sort();
    out.dedup();
    out
}

/// The constructs of the statement `toks[lo..hi]` that keep state, the
/// first of each kind, in source order. `table_ddl`: the statement defines
/// a table, whose sink mode is looked at too.
pub(super) fn state_uses(
    src: &str,
    toks: &[Tok],
    lo: usize,
    hi: usize,
    table_ddl: bool,
) -> Vec<StateUse> {
    let mut scan = Scan {
        src,
        toks,
        lo,
        hi,
        out: Vec::new(),
    };
    scan.operators();
    if table_ddl {
        scan.sink();
    }
    scan.out.sort_by_key(|u| (u.line, u.col));
    scan.out
}

struct Scan<'a> {
    src: &'a str,
    toks: &'a [Tok],
    lo: usize,
    hi: usize,
    out: Vec<StateUse>,
}

impl Scan<'_> {
    fn at(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i).filter(|_| i < self.hi)
    }

    fn text(&self, t: &Tok) -> &str {
        self.src.get(t.start..t.end).unwrap_or("")
    }

    fn push(&mut self, construct: Construct, i: usize) {
        if self.out.iter().any(|u| u.construct == construct) {
            return;
        }
        let t = &self.toks[i];
        self.out.push(StateUse {
            construct,
            line: t.line,
            col: t.col,
        });
    }

    fn next_is_lparen(&self, i: usize) -> bool {
        self.at(i + 1).is_some_and(|t| t.kind == TokKind::LParen)
    }

    /// One pass over the tokens: joins, aggregations, windows, OVER.
    fn operators(&mut self) {
        let (lo, hi) = (self.lo, self.hi);
        let mut depth = 0usize;
        // Depths at which a FROM list is open (a comma there is a join).
        let mut from_lists: Vec<usize> = Vec::new();
        let toks = self.toks;
        for i in lo..hi {
            let t = &toks[i];
            match t.kind {
                TokKind::LParen => {
                    if self.at(i + 1).is_some_and(|n| n.is_kw(Keyword::SELECT))
                        && !self.derived_table(i, depth, &from_lists)
                    {
                        self.push(Construct::Subquery, i + 1);
                    }
                    depth += 1;
                    continue;
                }
                TokKind::RParen => {
                    depth = depth.saturating_sub(1);
                    from_lists.retain(|&d| d <= depth);
                    continue;
                }
                TokKind::Comma => {
                    let in_from = from_lists.last() == Some(&depth);
                    let lateral = self
                        .at(i + 1)
                        .is_some_and(|n| n.is_kw(Keyword::LATERAL) || n.is_kw(Keyword::UNNEST));
                    if in_from && !lateral {
                        let c = if self.interval_bound(i) {
                            Construct::IntervalJoin
                        } else {
                            Construct::CommaJoin
                        };
                        self.push(c, i + 1);
                    }
                    continue;
                }
                _ => {}
            }
            match t.keyword() {
                Keyword::FROM if i == lo || !toks[i - 1].is_kw(Keyword::DISTINCT) => {
                    from_lists.retain(|&d| d < depth);
                    from_lists.push(depth);
                }
                Keyword::WHERE
                | Keyword::GROUP
                | Keyword::HAVING
                | Keyword::ORDER
                | Keyword::LIMIT
                | Keyword::UNION
                | Keyword::EXCEPT
                | Keyword::INTERSECT
                | Keyword::WINDOW
                | Keyword::SELECT => from_lists.retain(|&d| d < depth),
                _ => {}
            }
            self.construct_at(i);
        }
    }

    /// The construct a token starts, if any.
    fn construct_at(&mut self, i: usize) {
        let toks = self.toks;
        let (lo, t) = (self.lo, &toks[i]);
        match t.keyword() {
            Keyword::JOIN => {
                // Joins with UNNEST or a LATERAL table function keep no state.
                let n = self.at(i + 1);
                let lateral =
                    n.is_some_and(|n| n.is_kw(Keyword::LATERAL) || n.is_kw(Keyword::UNNEST));
                if !lateral {
                    let c = if self.interval_bound(i) {
                        Construct::IntervalJoin
                    } else {
                        Construct::Join
                    };
                    self.push(c, i);
                }
            }
            Keyword::SYSTEM_TIME => self.push(Construct::TemporalJoin, i),
            Keyword::GROUP if self.at(i + 1).is_some_and(|n| n.is_kw(Keyword::BY)) => {
                self.push(Construct::Aggregation, i)
            }
            Keyword::MATCH_RECOGNIZE => self.push(Construct::MatchRecognize, i),
            Keyword::DISTINCT if i > lo && self.toks[i - 1].is_kw(Keyword::SELECT) => {
                self.push(Construct::Distinct, i)
            }
            Keyword::EXISTS if self.next_is_lparen(i) => {
                if self.at(i + 2).is_some_and(|n| n.is_kw(Keyword::SELECT)) {
                    self.push(Construct::Subquery, i);
                }
            }
            Keyword::OVER => self.over(i),
            _ => {
                let word = t.quote_free_word();
                let is = |list: &[&str]| {
                    word.is_some_and(|w| list.iter().any(|x| w.eq_ignore_ascii_case(x)))
                };
                if is(WINDOWS)
                    && self.next_is_lparen(i)
                    && i > lo
                    && self.toks[i - 1].kind == TokKind::LParen
                {
                    self.push(Construct::Window, i);
                } else if is(AGGREGATES)
                    && self.next_is_lparen(i)
                    && !over_follows(self.toks, i + 1, self.hi)
                {
                    self.push(Construct::Aggregation, i);
                }
            }
        }
    }

    /// `OVER` at `i`: what the function it applies to keeps.
    fn over(&mut self, i: usize) {
        let Some(f) = self.call_before(i) else {
            self.push(Construct::OverWindow, i);
            return;
        };
        let name = self.toks[f].quote_free_word().unwrap_or("");
        if name.eq_ignore_ascii_case("ROW_NUMBER") {
            let c = if self.top_n(i) {
                Construct::TopN
            } else {
                Construct::Deduplication
            };
            self.push(c, f);
        } else if name.eq_ignore_ascii_case("LAG") || name.eq_ignore_ascii_case("LEAD") {
            self.push(Construct::LagLead, f);
        } else {
            self.push(Construct::OverWindow, f);
        }
    }

    /// The function name token of the call that ends just before `i`.
    fn call_before(&self, i: usize) -> Option<usize> {
        if i == self.lo || self.toks[i - 1].kind != TokKind::RParen {
            return None;
        }
        let mut depth = 0usize;
        let mut k = i - 1;
        loop {
            match self.toks[k].kind {
                TokKind::RParen => depth += 1,
                TokKind::LParen => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            if k == self.lo {
                return None;
            }
            k -= 1;
        }
        (k > self.lo && self.toks[k - 1].word().is_some()).then(|| k - 1)
    }

    /// Whether the `ROW_NUMBER() OVER (...)` at `over` keeps more than one
    /// row per partition: its alias is compared with `<= N`, `< N` (N > 2)
    /// or `BETWEEN`, or `= N` (N > 1).
    fn top_n(&self, over: usize) -> bool {
        let Some(close) = self.close_of(over + 1) else {
            return false;
        };
        let mut a = close + 1;
        if self.at(a).is_some_and(|t| t.is_kw(Keyword::AS)) {
            a += 1;
        }
        let Some((alias, _)) = self.at(a).and_then(Tok::word) else {
            return false;
        };
        for k in self.lo..self.hi {
            let same = self.toks[k]
                .word()
                .is_some_and(|(w, _)| w.eq_ignore_ascii_case(alias));
            if !same || k == a {
                continue;
            }
            let (Some(op), Some(n)) = (self.at(k + 1), self.at(k + 2)) else {
                continue;
            };
            if op.is_kw(Keyword::BETWEEN) {
                return true;
            }
            let limit: Option<u64> = (n.kind == TokKind::Number)
                .then(|| self.text(n).parse().ok())
                .flatten();
            match (self.text(op), limit) {
                ("<=", Some(n)) | ("=", Some(n)) => return n > 1,
                ("<", Some(n)) => return n > 2,
                ("<=" | "<", None) => return true,
                _ => {}
            }
        }
        false
    }

    /// The index of the `)` closing the `(` at `open`.
    fn close_of(&self, open: usize) -> Option<usize> {
        if self.at(open)?.kind != TokKind::LParen {
            return None;
        }
        let mut depth = 0usize;
        for k in open..self.hi {
            match self.toks[k].kind {
                TokKind::LParen => depth += 1,
                TokKind::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Whether the `(` at `open` (followed by SELECT) opens a derived table
    /// or a CTE's body rather than a subquery in an expression.
    fn derived_table(&self, open: usize, depth: usize, from_lists: &[usize]) -> bool {
        if open == self.lo {
            return true;
        }
        let p = &self.toks[open - 1];
        match p.kind {
            TokKind::LParen | TokKind::RParen => true,
            TokKind::Comma => from_lists.last() == Some(&depth),
            TokKind::Word { quote: Some(_), .. } => true,
            TokKind::Word { .. } => matches!(
                p.keyword(),
                Keyword::FROM
                    | Keyword::JOIN
                    | Keyword::LATERAL
                    | Keyword::AS
                    | Keyword::UNION
                    | Keyword::ALL
                    | Keyword::EXCEPT
                    | Keyword::INTERSECT
                    | Keyword::DISTINCT
                    | Keyword::NoKeyword
            ),
            _ => false,
        }
    }

    /// Whether the join at `at` (a JOIN or a FROM-list comma) is bounded in
    /// time: an INTERVAL in its condition or its query's WHERE, outside a
    /// table function's arguments (a window TVF's size).
    fn interval_bound(&self, at: usize) -> bool {
        let mut depth = 0i64;
        let mut k = at + 1;
        while k < self.hi {
            let t = &self.toks[k];
            match t.kind {
                TokKind::LParen => depth += 1,
                TokKind::RParen => {
                    depth -= 1;
                    if depth < 0 {
                        return false;
                    }
                }
                TokKind::Semi => return false,
                _ => {}
            }
            if t.is_kw(Keyword::TABLE) && self.next_is_lparen(k) {
                k = self.close_of(k + 1).unwrap_or(self.hi);
            } else if t.is_kw(Keyword::INTERVAL) {
                return true;
            } else if depth == 0
                && matches!(
                    t.keyword(),
                    Keyword::GROUP
                        | Keyword::HAVING
                        | Keyword::ORDER
                        | Keyword::LIMIT
                        | Keyword::UNION
                        | Keyword::EXCEPT
                        | Keyword::INTERSECT
                )
            {
                return false;
            }
            k += 1;
        }
        false
    }

    /// A table DDL's sink mode: a primary key (Confluent writes a table with
    /// one as an upsert stream unless `'changelog.mode' = 'append'`), the
    /// changelog mode, an upsert connector or a changelog format.
    fn sink(&mut self) {
        let mut depth = 0usize;
        let mut key: Option<usize> = None;
        let mut mode: Option<(String, usize)> = None;
        let mut changelog: Option<usize> = None;
        let toks = self.toks;
        let mut i = self.lo;
        while i < self.hi {
            let t = &toks[i];
            match t.kind {
                TokKind::LParen => depth += 1,
                TokKind::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            // The query of a CTAS is not the sink's definition.
            if depth == 0 && t.is_kw(Keyword::AS) {
                break;
            }
            if depth == 1
                && t.is_kw(Keyword::PRIMARY)
                && self.at(i + 1).is_some_and(|n| n.is_kw(Keyword::KEY))
            {
                key.get_or_insert(i);
            }
            if depth == 1
                && t.kind == TokKind::Str
                && self.at(i + 1).is_some_and(|n| self.text(n) == "=")
                && let Some(v) = self.at(i + 2).filter(|v| v.kind == TokKind::Str)
            {
                let (k, v) = (unquote(self.text(t)), unquote(self.text(v)));
                match k.as_str() {
                    "changelog.mode" => mode = Some((v.to_ascii_lowercase(), i)),
                    "connector" if v.eq_ignore_ascii_case("upsert-kafka") => {
                        changelog.get_or_insert(i);
                    }
                    "format" | "value.format"
                        if CHANGELOG_FORMATS.iter().any(|f| v.eq_ignore_ascii_case(f)) =>
                    {
                        changelog.get_or_insert(i);
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        let at = match (&mode, changelog, key) {
            (Some((m, at)), _, _) if m != "append" => Some(*at),
            (Some(_), Some(c), _) => Some(c),
            (Some(_), None, _) => None,
            (None, Some(c), _) => Some(c),
            (None, None, k) => k,
        };
        if let Some(at) = at {
            self.push(Construct::UpsertSink, at);
        }
    }
}

/// A string literal's value (quotes removed, `''` unescaped).
fn unquote(text: &str) -> String {
    let inner = text
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(text);
    inner.replace("''", "'")
}

/// Whether `OVER` follows the call whose `(` is at `open`.
fn over_follows(toks: &[Tok], open: usize, hi: usize) -> bool {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().take(hi).skip(open) {
        match t.kind {
            TokKind::LParen => depth += 1,
            TokKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    return toks.get(k + 1).is_some_and(|n| n.is_kw(Keyword::OVER));
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::analyze;
    use super::StateReason::*;
    use super::*;

    fn reasons(sql: &str) -> Vec<StateReason> {
        analyze(sql).unwrap().pop().unwrap().state
    }

    fn uses(sql: &str) -> Vec<(Construct, u32, u32)> {
        analyze(sql)
            .unwrap()
            .pop()
            .unwrap()
            .state_uses
            .iter()
            .map(|u| (u.construct, u.line, u.col))
            .collect()
    }

    #[test]
    fn stateless_and_stateful_statements() {
        assert_eq!(
            reasons("INSERT INTO t SELECT a, UPPER(b) FROM s WHERE x IS DISTINCT FROM y"),
            vec![]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT a FROM s CROSS JOIN UNNEST(s.arr) AS u(x)"),
            vec![]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT a, COUNT(*) FROM s GROUP BY a"),
            vec![Aggregation]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT * FROM a JOIN b ON a.k = b.k"),
            vec![Join]
        );
        assert_eq!(
            reasons(
                "INSERT INTO t SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM s) WHERE rn = 1"
            ),
            vec![Deduplication]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT SUM(x) OVER w FROM s"),
            vec![OverWindow]
        );
        assert_eq!(
            reasons(
                "INSERT INTO t SELECT window_start, SUM(x) FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end"
            ),
            vec![Aggregation, Window]
        );
        assert_eq!(
            reasons(
                "INSERT INTO t SELECT o.id FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.c = r.c"
            ),
            vec![Join, TemporalJoin]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT DISTINCT a FROM s"),
            vec![Distinct]
        );
    }

    #[test]
    fn constructs_have_positions() {
        assert_eq!(
            uses("INSERT INTO t\nSELECT a, COUNT(*)\nFROM s\nGROUP BY a"),
            vec![(Construct::Aggregation, 2, 11)]
        );
        assert_eq!(
            uses("INSERT INTO t SELECT a.x FROM a, b WHERE a.k = b.k"),
            vec![(Construct::CommaJoin, 1, 34)]
        );
        assert_eq!(
            uses(
                "INSERT INTO t SELECT a.x FROM a JOIN b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts"
            ),
            vec![(Construct::IntervalJoin, 1, 33)]
        );
        assert_eq!(
            uses("INSERT INTO t SELECT x FROM s WHERE k IN (SELECT k FROM u)"),
            vec![(Construct::Subquery, 1, 43)]
        );
        assert_eq!(
            uses("INSERT INTO t SELECT x, LAG(x) OVER (ORDER BY ts) FROM s"),
            vec![(Construct::LagLead, 1, 25)]
        );
        assert_eq!(
            uses(
                "INSERT INTO t SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY c ORDER BY n DESC) AS r FROM s) WHERE r <= 3"
            ),
            vec![(Construct::TopN, 1, 40)]
        );
    }

    #[test]
    fn stateless_shapes_stay_stateless() {
        for sql in [
            "INSERT INTO t SELECT a FROM s, UNNEST(s.arr) AS u(x)",
            "INSERT INTO t SELECT a FROM s, LATERAL TABLE(split(s.b)) AS x(w)",
            "INSERT INTO t SELECT a FROM s LEFT JOIN LATERAL TABLE(split(s.b)) AS x(w) ON TRUE",
            "INSERT INTO t SELECT a, b FROM (SELECT a, b FROM s WHERE a > 0) WHERE b IN ('x', 'y')",
            "INSERT INTO t WITH c AS (SELECT a, b FROM s) SELECT a, b FROM c",
            "INSERT INTO t SELECT a FROM s UNION ALL SELECT a FROM u",
            "INSERT INTO t SELECT EXTRACT(YEAR FROM ts), TRIM(BOTH ' ' FROM b), SUBSTRING(c FROM 1 FOR 2) FROM s",
            "INSERT INTO t SELECT CAST(a AS INT), CASE WHEN b > 0 THEN 'p' ELSE 'n' END FROM s WHERE ts > TIMESTAMP '2024-01-01 00:00:00'",
        ] {
            assert_eq!(uses(sql), vec![], "{sql}");
        }
    }

    #[test]
    fn sink_modes() {
        let ddl = |s: &str| uses(s).iter().map(|u| u.0).collect::<Vec<_>>();
        assert_eq!(
            ddl("CREATE TABLE t (a INT, PRIMARY KEY (a) NOT ENFORCED)"),
            vec![Construct::UpsertSink]
        );
        assert_eq!(
            ddl(
                "CREATE TABLE t (a INT, PRIMARY KEY (a) NOT ENFORCED) WITH ('changelog.mode' = 'append')"
            ),
            vec![]
        );
        assert_eq!(
            ddl("CREATE TABLE t (a INT) WITH ('changelog.mode' = 'retract')"),
            vec![Construct::UpsertSink]
        );
        assert_eq!(
            ddl("CREATE TABLE t (a INT) WITH ('connector' = 'upsert-kafka')"),
            vec![Construct::UpsertSink]
        );
        assert_eq!(
            ddl("CREATE TABLE t (a INT) WITH ('value.format' = 'debezium-json')"),
            vec![Construct::UpsertSink]
        );
        assert_eq!(
            ddl("CREATE TABLE t (a INT) WITH ('connector' = 'kafka')"),
            vec![]
        );
        // A DML with a primary key in a string is not a sink.
        assert_eq!(ddl("INSERT INTO t SELECT 'PRIMARY KEY' FROM s"), vec![]);
    }
}
