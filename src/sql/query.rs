//! Table references of a query, by recursive descent over tokens.
//!
//! The token range of a query is walked clause by clause. A parenthesized
//! group is a subquery when it starts with `SELECT`, `WITH` or `VALUES`, a
//! nested join when it stands where a table is expected, and an expression
//! otherwise (where `FROM` belongs to `EXTRACT`, `TRIM`, `SUBSTRING` and is
//! never a table). CTE names are in scope after their own definition, inside
//! the query that declares them. Qualified column references (`t.col`) are
//! resolved per query block against its tables and aliases, so that renaming
//! an un-aliased table also renames the qualifiers that depend on it.
//!
//! The walk also refuses what Flink's parser refuses where a wrong word would
//! otherwise drop a table silently: a word that is not a keyword right after
//! an operand (`SELECT a FORM t`, `WHERE x = 1 GROPU BY y`), anything but
//! `,`, a join, `ON`/`USING` or a clause keyword after a table (`FROM a JION
//! b`), and a join keyword not followed by `JOIN` (`LEFT JION b`).
use sqlparser::keywords::Keyword;

use super::error::SqlError;
use super::lex::{Tok, TokKind};
use super::model::{NamePart, RefRole, TableName, TableRef};

/// How deep parentheses (subqueries, expressions) may nest. Real queries
/// stay far below; the limit keeps the recursive walk within a thread's
/// stack on any input.
pub const MAX_DEPTH: usize = 100;

/// A table name has at most catalog, database and table.
pub const MAX_NAME_PARTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    /// Before the first clause of a query term.
    None,
    Select,
    From,
    /// The condition after `ON`.
    On,
    Values,
    /// WHERE, GROUP BY, HAVING, WINDOW, QUALIFY, ORDER BY, LIMIT, ...
    Other,
}

/// The token before the current one, for the adjacency rule: a word that is
/// not a keyword may not follow an operand (except as an alias where one is
/// allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// An operator, a keyword that may be followed by a name, a clause start.
    Glue,
    /// The first and last token of an operand (a name chain, a literal, a
    /// parenthesized group).
    Operand(usize, usize),
}

/// Where a select item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// Inside the expression of an item.
    Expr,
    /// After an alias (index of the alias word; whether `AS` introduced it).
    Alias(usize, bool),
    /// After a bare `*` (its index).
    Star(usize),
}

struct Block {
    parent: Option<usize>,
    factors: Vec<Factor>,
    /// Token indexes of the first word of `x.y` chains seen in this block.
    candidates: Vec<usize>,
}

struct Factor {
    /// The name columns are qualified with: the alias, else the table name.
    visible: String,
    /// For an un-aliased table, the index of its reference.
    table_ref: Option<usize>,
}

/// What [`QueryAnalyzer::factor`] found.
struct FactorEnd {
    next: usize,
    /// An alias written without `AS` (its index).
    implicit_alias: Option<usize>,
}

/// Analyses the token ranges of one statement.
pub(super) struct QueryAnalyzer<'t> {
    src: &'t str,
    toks: &'t [Tok],
    /// For each `(` the index of its `)`.
    close: &'t [u32],
    ctes: Vec<String>,
    blocks: Vec<Block>,
    pub refs: Vec<TableRef>,
}

/// Keywords that end a table factor: never an alias.
const FACTOR_END: KwSet = KwSet::of(&[
    Keyword::ON,
    Keyword::USING,
    Keyword::WHERE,
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::WINDOW,
    Keyword::ORDER,
    Keyword::LIMIT,
    Keyword::OFFSET,
    Keyword::FETCH,
    Keyword::UNION,
    Keyword::INTERSECT,
    Keyword::EXCEPT,
    Keyword::MINUS,
    Keyword::JOIN,
    Keyword::INNER,
    Keyword::LEFT,
    Keyword::RIGHT,
    Keyword::FULL,
    Keyword::CROSS,
    Keyword::NATURAL,
    Keyword::OUTER,
    Keyword::LATERAL,
    Keyword::MATCH_RECOGNIZE,
    Keyword::FOR,
    Keyword::QUALIFY,
    Keyword::SELECT,
    Keyword::FROM,
    Keyword::WITH,
    Keyword::AS,
    Keyword::TABLESAMPLE,
    Keyword::ANTI,
    Keyword::SEMI,
]);

/// Keywords that start a clause of a query block after FROM.
const CLAUSE_START: KwSet = KwSet::of(&[
    Keyword::WHERE,
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::WINDOW,
    Keyword::ORDER,
    Keyword::LIMIT,
    Keyword::OFFSET,
    Keyword::FETCH,
    Keyword::QUALIFY,
]);

const SET_OPERATORS: KwSet = KwSet::of(&[
    Keyword::UNION,
    Keyword::INTERSECT,
    Keyword::EXCEPT,
    Keyword::MINUS,
]);

/// Keywords that start a join: `[NATURAL] [INNER|LEFT|RIGHT|FULL [OUTER]|CROSS] JOIN`.
const JOIN_START: KwSet = KwSet::of(&[
    Keyword::JOIN,
    Keyword::INNER,
    Keyword::LEFT,
    Keyword::RIGHT,
    Keyword::FULL,
    Keyword::CROSS,
    Keyword::NATURAL,
]);

/// Keywords after which a name may follow in Flink's expressions (and
/// clause keywords): any other keyword ends an operand, like a name does
/// (many column names are keywords: `name`, `value`, `type`).
const GLUE: KwSet = KwSet::of(&[
    Keyword::SELECT,
    Keyword::DISTINCT,
    Keyword::ALL,
    Keyword::AS,
    Keyword::AND,
    Keyword::OR,
    Keyword::NOT,
    Keyword::IS,
    Keyword::IN,
    Keyword::BETWEEN,
    Keyword::SYMMETRIC,
    Keyword::ASYMMETRIC,
    Keyword::LIKE,
    Keyword::ILIKE,
    Keyword::RLIKE,
    Keyword::SIMILAR,
    Keyword::TO,
    Keyword::ESCAPE,
    Keyword::CASE,
    Keyword::WHEN,
    Keyword::THEN,
    Keyword::ELSE,
    Keyword::ON,
    Keyword::BY,
    Keyword::FROM,
    Keyword::FOR,
    Keyword::OVER,
    Keyword::PARTITION,
    Keyword::ORDER,
    Keyword::GROUP,
    Keyword::WHERE,
    Keyword::HAVING,
    Keyword::QUALIFY,
    Keyword::WINDOW,
    Keyword::USING,
    Keyword::JOIN,
    Keyword::LATERAL,
    Keyword::TABLE,
    Keyword::WITH,
    Keyword::UNION,
    Keyword::INTERSECT,
    Keyword::EXCEPT,
    Keyword::MINUS,
    Keyword::VALUES,
    Keyword::LIMIT,
    Keyword::OFFSET,
    Keyword::FETCH,
    Keyword::LEADING,
    Keyword::TRAILING,
    Keyword::BOTH,
    Keyword::FILTER,
    Keyword::WITHIN,
    Keyword::KEY,
    Keyword::VALUE,
    Keyword::PLACING,
    Keyword::RETURNING,
    Keyword::DEFAULT,
    Keyword::EXISTS,
    Keyword::ANY,
    Keyword::SOME,
    Keyword::OF,
    Keyword::AT,
    Keyword::UNNEST,
    Keyword::COLLATE,
    Keyword::INTERVAL,
    Keyword::SYSTEM_TIME,
    Keyword::MATCH_RECOGNIZE,
    Keyword::ROWS,
    Keyword::RANGE,
    Keyword::PRECEDING,
    Keyword::FOLLOWING,
]);

/// A set of keywords, one bit each: membership is one load, not a scan.
struct KwSet([u64; 32]);

impl KwSet {
    const fn of(list: &[Keyword]) -> KwSet {
        let mut bits = [0u64; 32];
        let mut i = 0;
        while i < list.len() {
            let k = list[i] as usize;
            bits[k / 64] |= 1 << (k % 64);
            i += 1;
        }
        KwSet(bits)
    }

    fn has(&self, kw: Keyword) -> bool {
        let k = kw as usize;
        k < 32 * 64 && self.0[k / 64] & (1 << (k % 64)) != 0
    }
}

/// Words Flink treats as keywords in expressions that sqlparser does not know.
const FLINK_WORDS: &[&str] = &["CONDITIONAL", "UNCONDITIONAL", "DESCRIPTOR"];

impl<'t> QueryAnalyzer<'t> {
    /// `toks` is the statement's token list; parentheses must balance (see
    /// [`match_parens`]).
    pub(super) fn new(src: &'t str, toks: &'t [Tok], close: &'t [u32]) -> Self {
        QueryAnalyzer {
            src,
            toks,
            close,
            ctes: Vec::new(),
            blocks: Vec::new(),
            refs: Vec::new(),
        }
    }

    /// The index of the `)` matching the `(` at `i`.
    pub(super) fn close_of(&self, i: usize) -> usize {
        self.close[i] as usize
    }

    /// Records a reference outside any query (a `LIKE` source).
    pub(super) fn push_ref(&mut self, name: TableName, role: RefRole) {
        self.refs.push(TableRef { name, role });
    }

    /// Analyses `toks[lo..hi]` as a query expression and resolves qualifiers.
    pub(super) fn analyze_query(&mut self, lo: usize, hi: usize) -> Result<(), SqlError> {
        self.query(lo, hi, None)?;
        self.resolve_qualifiers();
        Ok(())
    }

    /// `t [[AS] alias] <expressions>` after `DELETE FROM` or `UPDATE`: the
    /// table is renamed with its table (a mention, not a lineage edge) and
    /// is in scope for the expressions, whose subqueries may qualify it.
    pub(super) fn analyze_on_table(&mut self, i: usize, hi: usize) -> Result<(), SqlError> {
        let block = self.new_block(None);
        let (name, mut next) = self.name(i, hi)?;
        let mut visible = name.key().to_string();
        self.refs.push(TableRef {
            name,
            role: RefRole::Mention,
        });
        let mut table_ref = Some(self.refs.len() - 1);
        if next < hi && self.toks[next].is_kw(Keyword::AS) {
            next += 1;
        }
        if next < hi && self.is_plain_word(next) {
            visible = self.toks[next]
                .word()
                .map(|(w, _)| w.to_string())
                .unwrap_or_default();
            table_ref = None;
            next += 1;
        }
        self.blocks[block]
            .factors
            .push(Factor { visible, table_ref });
        self.expr(next, hi, block, false)?;
        self.resolve_qualifiers();
        Ok(())
    }

    /// Whether a query starts at `i` (after any number of `(`).
    pub(super) fn starts_query(&self, mut i: usize, mut hi: usize) -> bool {
        while i < hi {
            let t = &self.toks[i];
            if t.kind != TokKind::LParen {
                return t.is_kw(Keyword::SELECT)
                    || t.is_kw(Keyword::WITH)
                    || t.is_kw(Keyword::VALUES);
            }
            hi = self.close_of(i);
            i += 1;
        }
        false
    }

    fn query(&mut self, lo: usize, hi: usize, parent: Option<usize>) -> Result<(), SqlError> {
        let mark = self.ctes.len();
        let mut i = lo;
        if i < hi && self.toks[i].is_kw(Keyword::WITH) {
            i = self.with_clause(i + 1, hi, parent)?;
        }
        if i >= hi {
            return Err(self.err_at(
                i.min(hi),
                "expected a query here",
                "write SELECT ... FROM ...",
            ));
        }
        let block = self.new_block(parent);
        self.clauses(i, hi, block, Clause::None, None)?;
        self.ctes.truncate(mark);
        Ok(())
    }

    /// `name [(cols)] AS (query) [, ...]`; returns the index after the list.
    fn with_clause(
        &mut self,
        mut i: usize,
        hi: usize,
        parent: Option<usize>,
    ) -> Result<usize, SqlError> {
        if i < hi && self.toks[i].is_kw(Keyword::RECURSIVE) {
            return Err(self.err_at(
                i,
                "WITH RECURSIVE is not supported by Flink SQL",
                "remove RECURSIVE",
            ));
        }
        loop {
            let name = match self.toks.get(i).filter(|_| i < hi).and_then(|t| t.word()) {
                Some((v, _)) => v.to_string(),
                None => {
                    return Err(self.err_at(
                        i,
                        "expected a CTE name after WITH",
                        "write WITH name AS (SELECT ...)",
                    ));
                }
            };
            i += 1;
            if i < hi && self.toks[i].kind == TokKind::LParen {
                i = self.close_of(i) + 1;
            }
            if !(i < hi && self.toks[i].is_kw(Keyword::AS)) {
                return Err(self.err_at(
                    i,
                    format!("expected AS after the CTE name `{name}`"),
                    "write WITH name AS (SELECT ...)",
                ));
            }
            i += 1;
            if !(i < hi && self.toks[i].kind == TokKind::LParen) {
                return Err(self.err_at(
                    i,
                    format!("expected ( after `{name} AS`"),
                    "put the CTE's query in parentheses",
                ));
            }
            let c = self.close_of(i);
            // The CTE's own name is not in scope in its body.
            self.query(i + 1, c, parent)?;
            self.ctes.push(name);
            i = c + 1;
            if i < hi && self.toks[i].kind == TokKind::Comma {
                i += 1;
            } else {
                return Ok(i);
            }
        }
    }

    fn new_block(&mut self, parent: Option<usize>) -> usize {
        self.blocks.push(Block {
            parent,
            factors: Vec::new(),
            candidates: Vec::new(),
        });
        self.blocks.len() - 1
    }

    /// Walks the clauses of one query block. `expect` is the index of the
    /// token (FROM, JOIN, `,`) after which a table factor is due.
    fn clauses(
        &mut self,
        lo: usize,
        hi: usize,
        mut block: usize,
        mut clause: Clause,
        mut expect: Option<usize>,
    ) -> Result<(), SqlError> {
        let mut i = lo;
        let mut prev = Prev::Glue;
        let mut item = Item::Expr;
        while i < hi {
            if let Some(at) = expect.take() {
                let first = self.toks[at].is_kw(Keyword::FROM)
                    && self.blocks[block].parent.is_none()
                    && clause == Clause::From;
                let end = self.factor(i, hi, block, first)?;
                i = self.after_factor(i, end, hi)?;
                prev = Prev::Glue;
                continue;
            }
            let t = &self.toks[i];
            if clause == Clause::Select {
                self.check_item(item, i, hi)?;
            }
            match &t.kind {
                TokKind::LParen => {
                    if clause == Clause::None {
                        clause = Clause::Other;
                    }
                    let c = self.close_of(i);
                    i = self.group(i, block, true)?;
                    prev = Prev::Operand(c, c);
                    continue;
                }
                TokKind::Comma => {
                    match clause {
                        Clause::From | Clause::On => {
                            clause = Clause::From;
                            expect = Some(i);
                        }
                        Clause::Select => item = Item::Expr,
                        _ => {}
                    }
                    prev = Prev::Glue;
                }
                TokKind::Str | TokKind::Number => {
                    self.start_clause(clause, i)?;
                    prev = Prev::Operand(i, i);
                }
                TokKind::Other => {
                    self.start_clause(clause, i)?;
                    prev = self.other_token(i, clause, &mut item);
                }
                TokKind::Word { .. } => {
                    let kw = t.keyword();
                    match kw {
                        Keyword::SELECT => {
                            if clause != Clause::None {
                                return Err(self.unexpected(i, prev));
                            }
                            clause = Clause::Select;
                            item = Item::Expr;
                            prev = Prev::Glue;
                        }
                        Keyword::FROM if !self.is_distinct_from(i, lo) => {
                            if clause != Clause::Select {
                                return Err(self.unexpected(i, prev));
                            }
                            self.select_list_ends(i)?;
                            clause = Clause::From;
                            expect = Some(i);
                        }
                        // LEFT(s, n) and RIGHT(s, n) are also functions.
                        _ if JOIN_START.has(kw)
                            && (kw == Keyword::JOIN
                                || matches!(clause, Clause::From | Clause::On))
                            && !(matches!(kw, Keyword::LEFT | Keyword::RIGHT)
                                && self.is_lparen(i + 1, hi)) =>
                        {
                            let join = self.join_operator(i, hi)?;
                            clause = Clause::From;
                            expect = Some(join);
                            i = join + 1;
                            continue;
                        }
                        Keyword::ON if clause == Clause::From => {
                            clause = Clause::On;
                            prev = Prev::Glue;
                        }
                        Keyword::USING if clause == Clause::From => {
                            if !self.is_lparen(i + 1, hi) {
                                return Err(self.err_at(
                                    i + 1,
                                    "expected (columns) after USING",
                                    "write USING (col, ...)",
                                ));
                            }
                            let next = self.close_of(i + 1) + 1;
                            i = self.after_factor(i, FactorEnd::plain(next), hi)?;
                            continue;
                        }
                        _ if self.is_clause_start(i, hi) => {
                            if clause == Clause::None {
                                return Err(self.unexpected(i, prev));
                            }
                            clause = Clause::Other;
                            prev = Prev::Glue;
                        }
                        Keyword::VALUES => {
                            if clause != Clause::None {
                                return Err(self.unexpected(i, prev));
                            }
                            clause = Clause::Values;
                            prev = Prev::Glue;
                        }
                        _ if SET_OPERATORS.has(kw) => {
                            clause = Clause::None;
                            prev = Prev::Glue;
                            block = self.new_block(self.blocks[block].parent);
                            if self.toks.get(i + 1).is_some_and(|n| {
                                n.is_kw(Keyword::ALL) || n.is_kw(Keyword::DISTINCT)
                            }) && i + 1 < hi
                            {
                                i += 1;
                            }
                        }
                        Keyword::TABLE if self.is_name_start(i + 1, hi) => {
                            if clause == Clause::None {
                                clause = Clause::Other;
                            }
                            let (name, next) = self.name(i + 1, hi)?;
                            self.read(name);
                            prev = Prev::Operand(i + 1, next - 1);
                            i = next;
                            continue;
                        }
                        Keyword::AS if clause == Clause::Select => {
                            match self.toks.get(i + 1).filter(|_| i + 1 < hi) {
                                Some(n) if n.word().is_some() => {
                                    item = Item::Alias(i + 1, true);
                                    i += 2;
                                    continue;
                                }
                                _ => {
                                    return Err(self.err_at(
                                        i,
                                        "expected an alias after AS",
                                        "write expression AS name",
                                    ));
                                }
                            }
                        }
                        _ => {
                            self.start_clause(clause, i)?;
                            if let Prev::Operand(p, q) = prev
                                && self.is_plain_word(i)
                            {
                                if clause == Clause::Select {
                                    item = Item::Alias(i, false);
                                    i += 1;
                                    continue;
                                }
                                return Err(self.adjacent(p, q, i));
                            }
                            (prev, i) = self.word_operand(i, hi, block);
                            continue;
                        }
                    }
                }
                TokKind::Period => prev = Prev::Glue,
                TokKind::RParen | TokKind::Semi => {}
            }
            i += 1;
        }
        if let Some(at) = expect {
            let what = self.toks[at]
                .word()
                .map(|(w, _)| w.to_uppercase())
                .unwrap_or_else(|| ",".into());
            return Err(self.err_at(
                at,
                format!("expected a table after {what}"),
                "name a table, a subquery in parentheses or TABLE(...)",
            ));
        }
        if clause == Clause::None {
            return Err(self.err_at(
                hi.saturating_sub(1),
                "expected a query after this",
                "write SELECT ... FROM ...",
            ));
        }
        Ok(())
    }

    /// A query term must start with SELECT, VALUES, `(` or TABLE.
    fn start_clause(&self, clause: Clause, i: usize) -> Result<(), SqlError> {
        if clause != Clause::None {
            return Ok(());
        }
        let what = self.text(i);
        Err(self.err_at(
            i,
            format!("expected SELECT, VALUES or a subquery, found `{what}`"),
            format!("check the spelling of `{what}`"),
        ))
    }

    /// An operator or symbol; `*` right at the start of a select item is the
    /// star, `]` and `$rowtime` end an operand.
    fn other_token(&self, i: usize, clause: Clause, item: &mut Item) -> Prev {
        let text = &self.src[self.toks[i].start..self.toks[i].end];
        let item_start = i > 0 && {
            let p = &self.toks[i - 1];
            p.kind == TokKind::Comma
                || p.is_kw(Keyword::SELECT)
                || p.is_kw(Keyword::DISTINCT)
                || p.is_kw(Keyword::ALL)
        };
        if clause == Clause::Select && text == "*" && item_start {
            *item = Item::Star(i);
            return Prev::Operand(i, i);
        }
        if text == "]" || text.starts_with('$') {
            Prev::Operand(i, i)
        } else {
            Prev::Glue
        }
    }

    /// In a select list, after an alias or a bare `*` only `,`, FROM or a
    /// clause keyword may come.
    fn check_item(&self, item: Item, i: usize, hi: usize) -> Result<(), SqlError> {
        let t = &self.toks[i];
        let ends = t.kind == TokKind::Comma
            || (t.is_kw(Keyword::FROM))
            || self.is_clause_start(i, hi)
            || SET_OPERATORS.has(t.keyword())
            || i >= hi;
        if ends {
            return Ok(());
        }
        let found = self.text(i);
        match item {
            Item::Expr => Ok(()),
            Item::Alias(a, explicit) => {
                let alias = self.text(a);
                let hint = if explicit {
                    format!("check the spelling of `{found}`")
                } else {
                    format!("check the spelling of `{alias}` (FROM?)")
                };
                Err(self.err_at(
                    i,
                    format!(
                        "`{found}` is not understood after `{alias}`: a select item is `expression [AS alias]`, then `,` or FROM"
                    ),
                    hint,
                ))
            }
            Item::Star(_) => Err(self.err_at(
                i,
                format!("`{found}` is not understood after `*`: expected `,` or FROM"),
                format!("check the spelling of `{found}` (FROM?)"),
            )),
        }
    }

    /// The select list before the FROM at `i` ends with an item: Flink
    /// rejects `SELECT a, FROM t` and `SELECT FROM t`.
    fn select_list_ends(&self, i: usize) -> Result<(), SqlError> {
        let before = &self.toks[i - 1];
        if before.kind == TokKind::Comma {
            return Err(self.err_at(
                i - 1,
                "a `,` right before FROM: the select list ends with an empty item",
                "remove the `,` or add the missing column",
            ));
        }
        if before.is_kw(Keyword::SELECT) || before.is_kw(Keyword::DISTINCT) {
            return Err(self.err_at(
                i,
                "the select list is empty",
                "name the columns to select, or `*`",
            ));
        }
        Ok(())
    }

    /// `[NATURAL] [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] |
    /// CROSS] JOIN` from `i`; returns the index of `JOIN`.
    fn join_operator(&self, i: usize, hi: usize) -> Result<usize, SqlError> {
        let mut j = i;
        let kw = |j: usize| {
            self.toks
                .get(j)
                .filter(|_| j < hi)
                .map_or(Keyword::NoKeyword, |t| t.keyword())
        };
        if kw(j) == Keyword::NATURAL {
            j += 1;
        }
        match kw(j) {
            Keyword::LEFT | Keyword::RIGHT | Keyword::FULL => {
                j += 1;
                if kw(j) == Keyword::OUTER {
                    j += 1;
                }
            }
            Keyword::INNER | Keyword::CROSS => j += 1,
            _ => {}
        }
        if kw(j) == Keyword::JOIN {
            return Ok(j);
        }
        let before = self.text(j - 1).to_uppercase();
        let found = if j < hi {
            format!("`{}`", self.text(j))
        } else {
            "the end of the query".to_string()
        };
        Err(self.err_at(
            j.min(hi.saturating_sub(1)),
            format!("expected JOIN after {before}, found {found}"),
            "write LEFT [OUTER] JOIN, RIGHT [OUTER] JOIN, FULL [OUTER] JOIN, INNER JOIN or CROSS JOIN",
        ))
    }

    /// After a table factor (alias included) only `,`, a join, ON, USING, a
    /// clause keyword or the end may come. Returns the index to go on from.
    fn after_factor(&self, start: usize, end: FactorEnd, hi: usize) -> Result<usize, SqlError> {
        let mut i = end.next;
        if i < hi && self.toks[i].is_kw(Keyword::TABLESAMPLE) {
            // TABLESAMPLE method (n) [REPEATABLE (n)]
            i += 1;
            while i < hi && (self.toks[i].word().is_some() || self.is_lparen(i, hi)) {
                i = if self.is_lparen(i, hi) {
                    self.close_of(i) + 1
                } else {
                    i + 1
                };
            }
        }
        if i >= hi {
            return Ok(i);
        }
        let t = &self.toks[i];
        let kw = t.keyword();
        let ok = t.kind == TokKind::Comma
            || JOIN_START.has(kw)
            || kw == Keyword::ON
            || kw == Keyword::USING
            || self.is_clause_start(i, hi)
            || SET_OPERATORS.has(kw);
        if ok {
            return Ok(i);
        }
        let table = self.text_span(start, end.next);
        let found = self.text(i);
        let hint = match end.implicit_alias {
            Some(a) => format!(
                "check the spelling of `{}` and `{found}` (JOIN? WHERE?)",
                self.text(a)
            ),
            None => format!("check the spelling of `{found}`"),
        };
        Err(self.err_at(
            i,
            format!(
                "`{found}` is not understood after `{table}`: expected `,`, JOIN, ON, USING, WHERE, GROUP BY or the end of the query"
            ),
            hint,
        ))
    }

    /// One table factor at `i`. `first`: the first factor of a top-level
    /// FROM (nothing in scope a table-function argument could refer to).
    fn factor(
        &mut self,
        mut i: usize,
        hi: usize,
        block: usize,
        first: bool,
    ) -> Result<FactorEnd, SqlError> {
        let mut lateral = false;
        while i < hi && self.toks[i].is_kw(Keyword::LATERAL) {
            lateral = true;
            i += 1;
        }
        if i >= hi {
            return Err(self.err_at(i - 1, "expected TABLE(...) or a subquery after LATERAL", ""));
        }
        let t = &self.toks[i];
        let mut table_ref = None;
        let mut visible = None;
        let mut next = match &t.kind {
            TokKind::LParen => {
                let c = self.close_of(i);
                if self.starts_query(i + 1, c) {
                    self.query(i + 1, c, Some(block))?;
                } else {
                    // A parenthesized join: its tables belong to this block.
                    self.clauses(i + 1, c, block, Clause::From, Some(i))?;
                }
                c + 1
            }
            TokKind::Word { .. }
                if (t.is_kw(Keyword::TABLE) || t.is_kw(Keyword::UNNEST))
                    && self.is_lparen(i + 1, hi) =>
            {
                let c = self.close_of(i + 1);
                if t.is_kw(Keyword::TABLE) {
                    self.table_function(i + 2, c, block, first && !lateral)?;
                    c + 1
                } else {
                    self.expr(i + 2, c, block, true)?;
                    // UNNEST(..) WITH ORDINALITY
                    let ordinality = c + 2 < hi
                        && self.toks[c + 1].is_kw(Keyword::WITH)
                        && self.toks[c + 2].is_kw(Keyword::ORDINALITY);
                    if ordinality { c + 3 } else { c + 1 }
                }
            }
            // A process table function called directly (Flink 2):
            // `FROM f(input => TABLE t PARTITION BY k, ...)`.
            TokKind::Word { .. } if self.is_lparen(i + 1, hi) && !self.is_factor_end(i) => {
                let c = self.close_of(i + 1);
                self.table_function(i, c + 1, block, first && !lateral)?;
                c + 1
            }
            TokKind::Word { .. } if !self.is_factor_end(i) => {
                let (name, next) = self.name(i, hi)?;
                visible = Some(name.key().to_string());
                table_ref = self.read(name);
                next
            }
            _ => {
                return Err(self.err_at(
                    i,
                    format!(
                        "expected a table name, a subquery in parentheses or TABLE(...), found `{}`",
                        self.text(i)
                    ),
                    "check the FROM/JOIN clause",
                ));
            }
        };
        // FOR SYSTEM_TIME AS OF <expr>
        if next + 1 < hi
            && self.toks[next].is_kw(Keyword::FOR)
            && self.toks[next + 1].is_kw(Keyword::SYSTEM_TIME)
        {
            next = self.temporal_clause(next + 2, hi, block)?;
        }
        if next < hi && self.toks[next].is_kw(Keyword::MATCH_RECOGNIZE) {
            if !self.is_lparen(next + 1, hi) {
                return Err(self.err_at(next, "expected ( after MATCH_RECOGNIZE", ""));
            }
            let c = self.close_of(next + 1);
            self.expr(next + 2, c, block, false)?;
            next = c + 1;
            table_ref = None;
        }
        // Alias: [AS] name [(columns)]
        let mut alias = None;
        let mut implicit_alias = None;
        if next < hi && self.toks[next].is_kw(Keyword::AS) {
            match self
                .toks
                .get(next + 1)
                .filter(|_| next + 1 < hi)
                .and_then(|t| t.word())
            {
                Some((w, _)) => {
                    alias = Some(w.to_string());
                    next += 2;
                }
                None => {
                    return Err(self.err_at(next, "expected an alias after AS", ""));
                }
            }
        } else if next < hi && self.is_alias_word(next) {
            alias = self.toks[next].word().map(|(w, _)| w.to_string());
            implicit_alias = Some(next);
            next += 1;
        }
        if alias.is_some() && self.is_lparen(next, hi) {
            next = self.close_of(next) + 1;
        }
        if let Some(a) = alias {
            visible = Some(a);
            table_ref = None;
        }
        if let Some(visible) = visible {
            self.blocks[block]
                .factors
                .push(Factor { visible, table_ref });
        }
        Ok(FactorEnd {
            next,
            implicit_alias,
        })
    }

    /// The inside of `TABLE(...)` in FROM: `f(args)`. An argument that is a
    /// bare name (not `TABLE t`) is recorded as a table argument: Flink's
    /// own table functions take tables as `TABLE t`, vendors' may not.
    fn table_function(
        &mut self,
        lo: usize,
        hi: usize,
        block: usize,
        uncorrelated: bool,
    ) -> Result<(), SqlError> {
        let mut f = lo;
        while f + 2 < hi
            && self.toks[f].word().is_some()
            && self.toks[f + 1].kind == TokKind::Period
        {
            f += 2;
        }
        let call = f + 1 < hi && self.toks[f].word().is_some() && self.is_lparen(f + 1, hi);
        if !call || self.close_of(f + 1) + 1 != hi {
            return self.expr(lo, hi, block, true);
        }
        let (open, close) = (f + 1, self.close_of(f + 1));
        let mut start = open + 1;
        for k in open + 1..=close {
            let at_comma =
                k == close || (self.toks[k].kind == TokKind::Comma && self.depth_zero(open, k));
            if !at_comma {
                continue;
            }
            let mut a = start;
            // `name => value`
            if a + 1 < k
                && self.toks[a].word().is_some()
                && &self.src[self.toks[a + 1].start..self.toks[a + 1].end] == "=>"
            {
                a += 2;
            }
            match self.bare_name(a, k, uncorrelated) {
                Some(name) => self.refs.push(TableRef {
                    name,
                    role: RefRole::TableArg { uncorrelated },
                }),
                None => self.expr(a, k, block, true)?,
            }
            start = k + 1;
        }
        Ok(())
    }

    /// Whether `toks[k]` is directly inside the group opened at `open`.
    fn depth_zero(&self, open: usize, k: usize) -> bool {
        let mut j = open + 1;
        while j < k {
            if self.toks[j].kind == TokKind::LParen {
                let c = self.close_of(j);
                if c > k {
                    return false;
                }
                j = c + 1;
            } else {
                j += 1;
            }
        }
        true
    }

    /// `toks[lo..hi]` when it is exactly a name that may be a table: one
    /// word that is not a keyword, or (where no column is in scope) a
    /// dotted name.
    fn bare_name(&self, lo: usize, hi: usize, uncorrelated: bool) -> Option<TableName> {
        if lo >= hi || self.toks[lo].word().is_none() {
            return None;
        }
        let (name, next) = parse_name(self.toks, lo, hi);
        if next != hi || name.parts.len() > MAX_NAME_PARTS {
            return None;
        }
        let single = name.parts.len() == 1;
        if single && !self.is_plain_word(lo) {
            return None;
        }
        (single || uncorrelated).then_some(name)
    }

    /// After `FOR SYSTEM_TIME`: `AS OF operand [op operand]*`.
    fn temporal_clause(
        &mut self,
        mut i: usize,
        hi: usize,
        block: usize,
    ) -> Result<usize, SqlError> {
        if !(i + 1 < hi && self.toks[i].is_kw(Keyword::AS) && self.toks[i + 1].is_kw(Keyword::OF)) {
            return Err(self.err_at(
                i,
                "expected AS OF after FOR SYSTEM_TIME",
                "write FOR SYSTEM_TIME AS OF o.ts",
            ));
        }
        i += 2;
        loop {
            i = self.operand(i, hi, block)?;
            if i < hi && self.toks[i].kind == TokKind::Other && i + 1 < hi {
                i += 1;
                continue;
            }
            return Ok(i);
        }
    }

    /// A simple operand: a column chain, a function call, a literal or an
    /// `INTERVAL 'n' UNIT`.
    fn operand(&mut self, i: usize, hi: usize, block: usize) -> Result<usize, SqlError> {
        if i >= hi {
            return Err(self.err_at(i, "expected a time attribute after AS OF", ""));
        }
        let t = &self.toks[i];
        if t.is_kw(Keyword::INTERVAL) {
            let mut j = i + 1;
            while j < hi && matches!(self.toks[j].kind, TokKind::Str | TokKind::Number) {
                j += 1;
            }
            while j < hi && self.toks[j].word().is_some() && !self.is_factor_end(j) {
                j += 1;
            }
            return Ok(j);
        }
        match t.kind {
            TokKind::Str | TokKind::Number => Ok(i + 1),
            TokKind::LParen => {
                let c = self.close_of(i);
                self.expr(i + 1, c, block, true)?;
                Ok(c + 1)
            }
            TokKind::Word { .. } => {
                if t.is_kw(Keyword::TIMESTAMP)
                    && matches!(self.toks.get(i + 1).map(|t| &t.kind), Some(TokKind::Str))
                {
                    return Ok(i + 2);
                }
                let j = self.maybe_candidate(i, hi, block);
                if self.is_lparen(j, hi) {
                    let c = self.close_of(j);
                    self.expr(j + 1, c, block, true)?;
                    return Ok(c + 1);
                }
                Ok(j)
            }
            _ => Err(self.err_at(i, "expected a time attribute after AS OF", "")),
        }
    }

    /// The parenthesized group opening at `i` outside a table position: a
    /// subquery or an expression. Returns the index after its `)`.
    fn group(&mut self, i: usize, block: usize, strict: bool) -> Result<usize, SqlError> {
        let c = self.close_of(i);
        if self.starts_query(i + 1, c) {
            self.query(i + 1, c, Some(block))?;
        } else {
            let cast = i > 0
                && (self.toks[i - 1].is_word_ci("CAST") || self.toks[i - 1].is_word_ci("TRY_CAST"));
            let end = if cast {
                // `CAST(x AS type)`: the type is not an expression.
                (i + 1..c)
                    .find(|&k| self.toks[k].is_kw(Keyword::AS) && self.depth_zero(i, k))
                    .unwrap_or(c)
            } else {
                c
            };
            self.expr(i + 1, end, block, strict)?;
        }
        Ok(c + 1)
    }

    /// An expression group: subqueries, `TABLE t` arguments and column
    /// qualifiers matter here; with `strict`, a word that is not a keyword
    /// right after an operand is an error.
    fn expr(&mut self, lo: usize, hi: usize, block: usize, strict: bool) -> Result<(), SqlError> {
        let mut i = lo;
        let mut prev = Prev::Glue;
        while i < hi {
            let t = &self.toks[i];
            match t.kind {
                TokKind::LParen => {
                    let c = self.close_of(i);
                    i = self.group(i, block, strict)?;
                    prev = Prev::Operand(c, c);
                }
                TokKind::Word { .. }
                    if t.is_kw(Keyword::TABLE) && self.is_name_start(i + 1, hi) =>
                {
                    let (name, next) = self.name(i + 1, hi)?;
                    self.read(name);
                    prev = Prev::Operand(i + 1, next - 1);
                    i = next;
                }
                // `MODEL m`, an argument of ML_PREDICT, ML_EVALUATE and
                // other model functions (Flink 2.1, Confluent): a model,
                // not a table.
                TokKind::Word { .. }
                    if matches!(prev, Prev::Glue)
                        && t.is_word_ci("MODEL")
                        && i + 1 < hi
                        && self.is_plain_word(i + 1) =>
                {
                    let (_, next) = self.name(i + 1, hi)?;
                    prev = Prev::Operand(i + 1, next - 1);
                    i = next;
                }
                TokKind::Word { .. } if t.is_kw(Keyword::SELECT) => {
                    // A query not at the start of a group: `ARRAY(... SELECT)`
                    // is not Flink; refuse rather than guess.
                    return Err(self.err_at(
                        i,
                        "a SELECT inside an expression must be in its own parentheses",
                        "write (SELECT ...)",
                    ));
                }
                TokKind::Word { .. } => {
                    if let Prev::Operand(p, q) = prev
                        && strict
                        && self.is_plain_word(i)
                    {
                        return Err(self.adjacent(p, q, i));
                    }
                    (prev, i) = self.word_operand(i, hi, block);
                }
                TokKind::Str | TokKind::Number => {
                    prev = Prev::Operand(i, i);
                    i += 1;
                }
                TokKind::Other => {
                    let text = &self.src[t.start..t.end];
                    prev = if text == "]" || text.starts_with('$') {
                        Prev::Operand(i, i)
                    } else {
                        Prev::Glue
                    };
                    i += 1;
                }
                _ => {
                    prev = Prev::Glue;
                    i += 1;
                }
            }
        }
        Ok(())
    }

    /// The word at `i` as an operand (a name chain, see
    /// [`Self::maybe_candidate`]) or as glue, and the index after it.
    fn word_operand(&mut self, i: usize, hi: usize, block: usize) -> (Prev, usize) {
        let j = self.maybe_candidate(i, hi, block);
        let prev = if j == i + 1 && self.is_glue(i) {
            Prev::Glue
        } else {
            Prev::Operand(i, j - 1)
        };
        (prev, j)
    }

    /// If `toks[i]` starts a chain `x.y[.z]` (or `x.*`), records `x` as a
    /// qualifier candidate and returns the index after the chain; otherwise
    /// returns `i + 1`.
    fn maybe_candidate(&mut self, i: usize, hi: usize, block: usize) -> usize {
        let mut j = i + 1;
        while j + 1 < hi
            && self.toks[j].kind == TokKind::Period
            && (self.toks[j + 1].word().is_some() || self.toks[j + 1].kind == TokKind::Other)
        {
            j += 2;
        }
        if j > i + 1 {
            self.blocks[block].candidates.push(i);
        }
        j
    }

    /// Records a read of `name` unless it names a CTE in scope; returns the
    /// index of the reference.
    fn read(&mut self, name: TableName) -> Option<usize> {
        if name.parts.len() == 1 && self.ctes.iter().any(|c| c == name.key()) {
            return None;
        }
        self.refs.push(TableRef {
            name,
            role: RefRole::Read,
        });
        Some(self.refs.len() - 1)
    }

    fn is_lparen(&self, i: usize, hi: usize) -> bool {
        i < hi && self.toks[i].kind == TokKind::LParen
    }

    fn is_name_start(&self, i: usize, hi: usize) -> bool {
        i < hi && self.toks[i].word().is_some()
    }

    fn is_factor_end(&self, i: usize) -> bool {
        FACTOR_END.has(self.toks[i].keyword())
    }

    fn is_alias_word(&self, i: usize) -> bool {
        self.toks[i].word().is_some() && !self.is_factor_end(i)
    }

    /// A keyword starting a clause after FROM (GROUP and ORDER with BY:
    /// `WITHIN GROUP (...)` is not one).
    fn is_clause_start(&self, i: usize, hi: usize) -> bool {
        let kw = self.toks[i].keyword();
        CLAUSE_START.has(kw)
            && (!matches!(kw, Keyword::GROUP | Keyword::ORDER)
                || self
                    .toks
                    .get(i + 1)
                    .is_some_and(|n| i + 1 < hi && n.is_kw(Keyword::BY)))
    }

    /// A keyword after which a name may follow.
    fn is_glue(&self, i: usize) -> bool {
        GLUE.has(self.toks[i].keyword())
    }

    /// A word that is no keyword (of sqlparser's or Flink's), or a quoted
    /// name: what may not follow an operand.
    fn is_plain_word(&self, i: usize) -> bool {
        match &self.toks[i].kind {
            TokKind::Word { quote: Some(_), .. } => true,
            TokKind::Word {
                value,
                keyword: Keyword::NoKeyword,
                ..
            } => !FLINK_WORDS.iter().any(|w| value.eq_ignore_ascii_case(w)),
            _ => false,
        }
    }

    /// `IS [NOT] DISTINCT FROM` is a comparison, not a FROM clause.
    fn is_distinct_from(&self, i: usize, lo: usize) -> bool {
        i >= lo + 2
            && self.toks[i - 1].is_kw(Keyword::DISTINCT)
            && (self.toks[i - 2].is_kw(Keyword::IS)
                || (i >= lo + 3
                    && self.toks[i - 2].is_kw(Keyword::NOT)
                    && self.toks[i - 3].is_kw(Keyword::IS)))
    }

    /// A dotted name starting at `i` (which must be a word); at most three
    /// parts.
    pub(super) fn name(&self, i: usize, hi: usize) -> Result<(TableName, usize), SqlError> {
        let (name, next) = parse_name(self.toks, i, hi);
        if name.parts.len() > MAX_NAME_PARTS {
            return Err(self.err_at(
                i,
                format!(
                    "`{}` has {} parts: a table name is at most catalog.database.table",
                    name.display(),
                    name.parts.len()
                ),
                "remove the extra qualifiers",
            ));
        }
        Ok((name, next))
    }

    fn resolve_qualifiers(&mut self) {
        let mut found = Vec::new();
        for block in &self.blocks {
            for &c in &block.candidates {
                let Some((value, _)) = self.toks[c].word() else {
                    continue;
                };
                let mut b = Some(block);
                while let Some(bl) = b {
                    if let Some(f) = bl.factors.iter().find(|f| f.visible == value) {
                        if let Some(of) = f.table_ref {
                            found.push((c, of));
                        }
                        break;
                    }
                    b = bl.parent.map(|p| &self.blocks[p]);
                }
            }
        }
        for (c, of) in found {
            let name = TableName {
                parts: vec![name_part(&self.toks[c])],
            };
            self.refs.push(TableRef {
                name,
                role: RefRole::Qualifier { of },
            });
        }
    }

    /// The source text of token `i`, shortened for messages.
    fn text(&self, i: usize) -> String {
        match self.toks.get(i) {
            Some(t) => {
                let s = &self.src[t.start..t.end];
                if s.chars().count() > 40 {
                    let short: String = s.chars().take(37).collect();
                    format!("{short}...")
                } else {
                    s.to_string()
                }
            }
            None => "the end".into(),
        }
    }

    /// Words of `toks[lo..hi]` joined by spaces, for messages.
    fn text_span(&self, lo: usize, hi: usize) -> String {
        let words: Vec<String> = (lo..hi.min(lo + 6)).map(|k| self.text(k)).collect();
        let mut s = words.join(" ").replace(" . ", ".");
        if hi > lo + 6 {
            s.push_str(" ...");
        }
        s
    }

    fn unexpected(&self, i: usize, prev: Prev) -> SqlError {
        let found = self.text(i);
        match prev {
            Prev::Operand(p, q) => self.err_at(
                i,
                format!(
                    "`{found}` is not understood after `{}`",
                    self.text_span(p, q + 1)
                ),
                "check the statement's clauses: SELECT ... FROM ... WHERE ... GROUP BY ...",
            ),
            Prev::Glue => self.err_at(
                i,
                format!("`{found}` is not understood here"),
                "check the statement's clauses: SELECT ... FROM ... WHERE ... GROUP BY ...",
            ),
        }
    }

    /// A name right after an operand, where Flink expects an operator, `,`
    /// or a keyword.
    fn adjacent(&self, p: usize, q: usize, i: usize) -> SqlError {
        let found = self.text(i);
        let before = self.text_span(p, q + 1);
        self.err_at(
            i,
            format!(
                "`{found}` is not understood after `{before}`: expected an operator, `,` or a keyword"
            ),
            format!("check the spelling of `{found}`"),
        )
    }

    pub(super) fn err_at(
        &self,
        i: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> SqlError {
        let t = self.toks.get(i).or_else(|| self.toks.last());
        let (line, col) = t.map(|t| (t.line, t.col)).unwrap_or((1, 1));
        SqlError::new(line, col, message, hint)
    }
}

impl FactorEnd {
    fn plain(next: usize) -> FactorEnd {
        FactorEnd {
            next,
            implicit_alias: None,
        }
    }
}

pub(super) fn name_part(t: &Tok) -> NamePart {
    let (value, quote) = t
        .word()
        .map(|(v, q)| (v.to_string(), q))
        .unwrap_or_default();
    NamePart {
        value,
        quote,
        start: t.start,
        end: t.end,
        line: t.line,
        col: t.col,
    }
}

/// A dotted name starting at word `i`; returns it and the index after it.
pub(super) fn parse_name(toks: &[Tok], i: usize, hi: usize) -> (TableName, usize) {
    let mut parts = vec![name_part(&toks[i])];
    let mut j = i + 1;
    while j + 1 < hi && toks[j].kind == TokKind::Period && toks[j + 1].word().is_some() {
        parts.push(name_part(&toks[j + 1]));
        j += 2;
    }
    (TableName { parts }, j)
}

/// Matches parentheses over a whole file: `close[i]` is the index of the `)`
/// matching the `(` at `i`. A `(` still open at a `;` or at the end, an
/// extra `)`, or parentheses nested deeper than [`MAX_DEPTH`] are errors.
pub(super) fn match_parens(toks: &[Tok]) -> Result<Vec<u32>, SqlError> {
    if toks.len() >= u32::MAX as usize {
        return Err(SqlError::new(
            1,
            1,
            "the text has more than 4 billion tokens",
            "split it into smaller files",
        ));
    }
    let mut close = vec![u32::MAX; toks.len()];
    let mut stack: Vec<usize> = Vec::new();
    let unclosed = |o: usize| {
        let t = &toks[o];
        SqlError::new(
            t.line,
            t.col,
            "unclosed (: no ) closes it before the end of the statement",
            "add the missing )",
        )
    };
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokKind::LParen => {
                if stack.len() == MAX_DEPTH {
                    return Err(SqlError::new(
                        t.line,
                        t.col,
                        format!(
                            "parentheses or subqueries nested more than {MAX_DEPTH} levels deep"
                        ),
                        format!(
                            "simplify the statement: greenlight reads at most {MAX_DEPTH} nested levels"
                        ),
                    ));
                }
                stack.push(i)
            }
            TokKind::RParen => match stack.pop() {
                Some(o) => close[o] = i as u32,
                None => {
                    return Err(SqlError::new(
                        t.line,
                        t.col,
                        "unbalanced ): no ( opens it",
                        "remove it or add the missing (",
                    ));
                }
            },
            TokKind::Semi => {
                if let Some(&o) = stack.last() {
                    return Err(unclosed(o));
                }
            }
            _ => {}
        }
    }
    match stack.last() {
        Some(&o) => Err(unclosed(o)),
        None => Ok(close),
    }
}

#[cfg(test)]
mod tests {
    use super::super::analyze;

    /// Valid Flink SQL with the syntax around operands that the strict
    /// checks must accept: special function forms, aliases without AS,
    /// keywords used as column names, types, windows, JSON, patterns.
    #[test]
    fn accepts_flink_syntax() {
        let ok = [
            "INSERT INTO t SELECT a name, b AS `type`, value_x v FROM s",
            "INSERT INTO t SELECT name, status, `value`, user, date FROM s",
            "INSERT INTO t SELECT COUNT(1) cnt, SUM(x) total FROM s GROUP BY k",
            "INSERT INTO t SELECT j IS JSON AS is_json, JSON_EXISTS(j, '$.id') AS e FROM s",
            "INSERT INTO t SELECT JSON_OBJECT(KEY 'a b' VALUE x, KEY 'c' VALUE y) AS o, JSON_ARRAY(x, y) FROM s",
            "INSERT INTO t SELECT JSON_OBJECTAGG(KEY k VALUE cnt) FROM (SELECT k, COUNT(1) cnt FROM s GROUP BY k) q WHERE cnt > 1",
            "INSERT INTO t SELECT JSON_VALUE(j, '$.a' RETURNING INT DEFAULT 0 ON EMPTY NULL ON ERROR) FROM s",
            "INSERT INTO t SELECT JSON_QUERY(j, '$.a' WITH CONDITIONAL ARRAY WRAPPER EMPTY ARRAY ON EMPTY) FROM s",
            "INSERT INTO t SELECT JSON_OBJECT('k' VALUE x ABSENT ON NULL) FROM s",
            "INSERT INTO t SELECT EXTRACT(DAY FROM ts), TRIM(BOTH ' ' FROM s), TRIM(LEADING c FROM s2), SUBSTRING(s FROM 1 FOR 2), POSITION('a' IN s), OVERLAY(s PLACING 'x' FROM 2 FOR 1) FROM src",
            "INSERT INTO t SELECT CAST(x AS DECIMAL(10, 2)), CAST(y AS TIMESTAMP(3) WITH LOCAL TIME ZONE), TRY_CAST(z AS ROW<a INT, b my_type>), CAST(w AS DOUBLE PRECISION) FROM s",
            "INSERT INTO t SELECT CASE status WHEN 'a' THEN 1 ELSE 0 END flag, CASE WHEN x IS NOT NULL THEN x END FROM s",
            "INSERT INTO t SELECT x FROM s WHERE a NOT BETWEEN SYMMETRIC 1 AND 2 AND b IS NOT DISTINCT FROM c AND d NOT LIKE 'x%' ESCAPE '!' AND e SIMILAR TO 'y'",
            "INSERT INTO t SELECT ts - INTERVAL '1' HOUR, INTERVAL '10' MINUTES, INTERVAL '1' DAY(3) TO SECOND(3), DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00' FROM s",
            "INSERT INTO t SELECT FLOOR(ts TO HOUR), CEIL(ts TO DAY), TIMESTAMPADD(MINUTE, 1, ts), TIMESTAMPDIFF(SECOND, a, b) FROM s",
            "INSERT INTO t SELECT LISTAGG(x, ',') WITHIN GROUP (ORDER BY y), COUNT(*) FILTER (WHERE z > 0) FROM s",
            "INSERT INTO t SELECT a, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC) AS rn, SUM(x) OVER w FROM s WINDOW w AS (PARTITION BY a ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)",
            "INSERT INTO t SELECT * FROM s ORDER BY a DESC NULLS LAST, b LIMIT 10",
            "INSERT INTO t SELECT arr[1] first_item, m['k'] mv, ARRAY[1, 2] a, MAP['a', 1] m, ROW(1, 'x') r FROM s",
            "INSERT INTO t SELECT $rowtime AS rt, e.payload.field pf FROM s AS e",
            "INSERT INTO t SELECT window_start, window_end, COUNT(*) FROM TABLE(HOP(DATA => TABLE s, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTES)) GROUP BY window_start, window_end",
            "INSERT INTO t SELECT * FROM TABLE(SESSION(TABLE s PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' MINUTES))",
            "INSERT INTO t SELECT * FROM s MATCH_RECOGNIZE (PARTITION BY user_id ORDER BY proc_time MEASURES LAST(P.type) AS pt, B.start_date AS d AFTER MATCH SKIP PAST LAST ROW PATTERN (P+ B) DEFINE P AS P.type IN ('a', 'b'), B AS B.type = 'c') AS mr",
            "INSERT INTO t SELECT o.id, r.rate FROM o LEFT JOIN r FOR SYSTEM_TIME AS OF o.proc_time AS r ON o.c = r.c",
            "INSERT INTO t SELECT a.id FROM a NATURAL JOIN b CROSS JOIN c FULL OUTER JOIN d ON d.id = a.id RIGHT JOIN e USING (id) INNER JOIN f ON TRUE",
            "INSERT INTO t SELECT t1.x, u.v FROM t1, LATERAL TABLE(split(t1.s)) AS u (v) LEFT JOIN LATERAL TABLE(parse(t1.y)) AS p (q) ON TRUE CROSS JOIN UNNEST(t1.arr) WITH ORDINALITY AS z (e, n)",
            "INSERT INTO t SELECT LEFT(s, 2), RIGHT(s, 1) FROM a JOIN b ON LEFT(a.k, 3) = RIGHT(b.k, 3)",
            "INSERT INTO t SELECT DISTINCT a FROM s WHERE EXISTS (SELECT 1 FROM u WHERE u.a = s.a) AND a IN (SELECT a FROM v) AND b = ANY (SELECT b FROM w)",
            "INSERT INTO t SELECT a FROM s GROUP BY GROUPING SETS ((a), (a, b)), ROLLUP (c), CUBE (d) HAVING COUNT(*) > 1",
            "INSERT INTO t (SELECT * FROM a) UNION ALL (SELECT * FROM b) UNION SELECT * FROM c",
            "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
            "INSERT INTO t SELECT * FROM (VALUES (1, 'x')) AS v (id, s)",
            "INSERT INTO t SELECT CURRENT_TIMESTAMP ts, LOCALTIMESTAMP, CURRENT_DATE d, PROCTIME() p, NULL AS n, TRUE b FROM s",
            "INSERT INTO t SELECT x FROM s WHERE y = 'a' 'b'",
            "INSERT INTO t SELECT * FROM s /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ AS x",
            "INSERT INTO t SELECT * FROM s OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY",
            "INSERT INTO t SELECT a FROM s QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1",
            "INSERT INTO t WITH c AS (select k, v, lag(v, 1) over (partition by k order by ts) prev from s) select *, case when v > prev then 'up' else '=' end as trend from c",
            "INSERT INTO t SELECT st, city FROM (SELECT DISTINCT st FROM p) States, LATERAL (SELECT city FROM p WHERE st = States.st ORDER BY pop DESC LIMIT 2)",
            "INSERT INTO t SELECT `id`, STR_TO_MAP('a:' || x || ';b:' || y, ';', ':') AS `m` FROM `s`",
            "INSERT INTO t SELECT *, CURRENT_WATERMARK(ts) AS wm FROM s WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)",
            "INSERT INTO t SELECT * FROM s, LATERAL TABLE(ML_PREDICT('model', text)) AS p (label)",
            "INSERT INTO t SELECT * FROM ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(text), MAP['async', 'true'])",
            "INSERT INTO t SELECT * FROM ML_PREDICT(TABLE s, MODEL `cat`.db.m, DESCRIPTOR(text))",
            "INSERT INTO t SELECT * FROM TABLE(ML_EVALUATE(TABLE s, MODEL m, DESCRIPTOR(label, text)))",
            "INSERT INTO t SELECT model, model.x FROM s WHERE model IN (1, 2)",
            "INSERT INTO t SELECT * FROM counting(input => TABLE s PARTITION BY user_id, threshold => 10)",
            "INSERT INTO t SELECT * FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR($rowtime), INTERVAL '1' MINUTE)) AS w",
            "CREATE TABLE t WITH ('connector' = 'kafka') AS SELECT * FROM s",
            "CREATE TABLE t (a INT, PRIMARY KEY (a) NOT ENFORCED) COMMENT 'c' PARTITIONED BY (a) DISTRIBUTED BY HASH(a) INTO 4 BUCKETS WITH ('k' = 'v') AS SELECT a FROM s",
            "CREATE TABLE t (a INT) DISTRIBUTED INTO 2 BUCKETS",
            "CREATE TABLE t (a INT) DISTRIBUTED BY (a)",
            "CREATE OR REPLACE TABLE t AS SELECT 1 AS a",
            "REPLACE TABLE t WITH ('k' = 'v') AS SELECT * FROM s",
            "CREATE MATERIALIZED TABLE m (PRIMARY KEY (a) NOT ENFORCED) PARTITIONED BY (ds) WITH ('format' = 'json') FRESHNESS = INTERVAL '3' MINUTE REFRESH_MODE = CONTINUOUS AS SELECT a, ds FROM s",
            "CREATE VIEW v (a, b) COMMENT 'x' AS SELECT a, b FROM s",
            "CREATE TABLE t WITH ('k' = 'v') LIKE s (INCLUDING ALL OVERWRITING OPTIONS)",
            "ALTER MATERIALIZED TABLE m SUSPEND",
            "ALTER TABLE t SET ('k' = 'v')",
        ];
        for sql in ok {
            if let Err(e) = analyze(sql) {
                panic!("{sql}\n  -> {e}");
            }
        }
    }

    /// Misspelt keywords where a clause must be are errors at their
    /// position, never a smaller graph.
    #[test]
    fn refuses_misspelt_clauses() {
        let bad = [
            ("INSERT INTO t SELECT a FORM s", "s"),
            ("INSERT INTO t SELECT name FORM s WHERE x", "s"),
            ("INSERT INTO t SELECT a AS b FORM s", "FORM"),
            ("INSERT INTO t SELECT * FRM s", "FRM"),
            ("INSERT INTO t SELECT arr[1] FORM s", "s"),
            ("INSERT INTO t SELECT $rowtime FORM s", "s"),
            ("INSERT INTO t SELECT f(x) FORM s", "s"),
            (
                "INSERT INTO t SELECT a FROM s LEFT JION u ON u.k = s.k",
                "JION",
            ),
            ("INSERT INTO t SELECT a FROM s JION u ON u.k = s.k", "u"),
            ("INSERT INTO t SELECT a FROM s AS x JION u", "JION"),
            (
                "INSERT INTO t SELECT a FROM s JOIN u ON u.k = s.k LFET JOIN w ON TRUE",
                "LFET",
            ),
            ("INSERT INTO t SELECT a FROM s WHRE a = 1", "a = 1"),
            (
                "INSERT INTO t SELECT a FROM s WHERE a = 1 GROPU BY a",
                "GROPU",
            ),
            (
                "INSERT INTO t SELECT a FROM s GROUP BY a HAVNG COUNT(*) > 1",
                "HAVNG",
            ),
            ("INSERT INTO t SELECT a FROM s ORDER BY a LIMT 1", "LIMT"),
            ("INSERT INTO t SELET a FROM s", "SELET"),
            ("INSERT INTO t SELECT a FROM WHERE x = 1", "WHERE"),
            ("INSERT INTO t SELECT a FROM s, WHERE x", "WHERE"),
            (
                "INSERT INTO t SELECT a FROM s UNION ALL SELET b FROM u",
                "SELET",
            ),
            ("INSERT INTO t SELECT COUNT(DISTINCT a b) FROM s", "b"),
            ("CREATE TABLE t WITH ('k' = 'v') SA SELECT * FROM s", "SA"),
            ("CREATE TABLE t (a INT) WTIH ('k' = 'v')", "WTIH"),
            ("CREATE TABLE t WITH ('k' = 'v') LIEK s", "LIEK"),
            ("CREATE VIEW v AS SELET * FROM s", "SELET"),
            ("ALTER VIEW v AS SELECT * FROM s", "AS"),
        ];
        for (sql, at) in bad {
            match analyze(sql) {
                Ok(s) => panic!("{sql}: accepted as {:?}", s.last().map(|s| s.refs.len())),
                Err(e) => {
                    let col = sql.find(at).expect("the word is in the SQL") + 1;
                    assert_eq!((e.line, e.col as usize), (1, col), "{sql}\n  -> {e}");
                    assert!(!e.hint.is_empty(), "{sql}: {e}");
                }
            }
        }
    }
}
