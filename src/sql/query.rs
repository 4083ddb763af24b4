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
use sqlparser::keywords::Keyword;

use super::error::SqlError;
use super::lex::{Tok, TokKind};
use super::model::{NamePart, RefRole, TableName, TableRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    None,
    Select,
    From,
    Other,
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

/// Analyses the token ranges of one statement.
pub struct QueryAnalyzer<'t> {
    toks: &'t [Tok],
    /// For each `(` the index of its `)`.
    close: &'t [usize],
    ctes: Vec<String>,
    blocks: Vec<Block>,
    pub refs: Vec<TableRef>,
}

/// Keywords that end a table factor: never an alias.
const FACTOR_END: &[Keyword] = &[
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
];

impl<'t> QueryAnalyzer<'t> {
    /// `toks` is the statement's token list; parentheses must balance (see
    /// [`match_parens`]).
    pub fn new(toks: &'t [Tok], close: &'t [usize]) -> Self {
        QueryAnalyzer {
            toks,
            close,
            ctes: Vec::new(),
            blocks: Vec::new(),
            refs: Vec::new(),
        }
    }

    pub fn close_of(&self, i: usize) -> usize {
        self.close[i]
    }

    /// Records a reference outside any query (a `LIKE` source).
    pub fn push_ref(&mut self, name: TableName, role: RefRole) {
        self.refs.push(TableRef { name, role });
    }

    /// Analyses `toks[lo..hi]` as a query expression and resolves qualifiers.
    pub fn analyze_query(&mut self, lo: usize, hi: usize) -> Result<(), SqlError> {
        self.query(lo, hi, None)?;
        self.resolve_qualifiers();
        Ok(())
    }

    pub fn starts_query(&self, i: usize, hi: usize) -> bool {
        if i >= hi {
            return false;
        }
        let t = &self.toks[i];
        match t.kind {
            TokKind::LParen => self.starts_query(i + 1, self.close[i]),
            _ => t.is_kw(Keyword::SELECT) || t.is_kw(Keyword::WITH) || t.is_kw(Keyword::VALUES),
        }
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
                i = self.close[i] + 1;
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
            let c = self.close[i];
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
        while i < hi {
            if expect.is_some() {
                i = self.factor(i, hi, block)?;
                expect = None;
                continue;
            }
            let t = &self.toks[i];
            match t.kind {
                TokKind::LParen => {
                    i = self.group(i, block)?;
                    continue;
                }
                TokKind::Comma if clause == Clause::From => expect = Some(i),
                TokKind::Word { .. } => match t.keyword() {
                    Keyword::SELECT => clause = Clause::Select,
                    Keyword::FROM if !self.is_distinct_from(i, lo) => {
                        clause = Clause::From;
                        expect = Some(i);
                    }
                    Keyword::JOIN => {
                        clause = Clause::From;
                        expect = Some(i);
                    }
                    Keyword::WHERE
                    | Keyword::GROUP
                    | Keyword::HAVING
                    | Keyword::WINDOW
                    | Keyword::ORDER
                    | Keyword::LIMIT
                    | Keyword::OFFSET
                    | Keyword::FETCH
                    | Keyword::QUALIFY
                    | Keyword::VALUES => clause = Clause::Other,
                    Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT | Keyword::MINUS => {
                        clause = Clause::None;
                        block = self.new_block(self.blocks[block].parent);
                    }
                    Keyword::TABLE if self.is_name_start(i + 1, hi) => {
                        let (name, next) = self.name(i + 1, hi);
                        self.read(name);
                        i = next;
                        continue;
                    }
                    _ => {
                        i = self.maybe_candidate(i, hi, block);
                        continue;
                    }
                },
                _ => {}
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
        Ok(())
    }

    /// One table factor at `i`; returns the index after it (alias included).
    fn factor(&mut self, i: usize, hi: usize, block: usize) -> Result<usize, SqlError> {
        let t = &self.toks[i];
        let mut table_ref = None;
        let mut visible = None;
        let mut next = match &t.kind {
            TokKind::LParen => {
                let c = self.close[i];
                if self.starts_query(i + 1, c) {
                    self.query(i + 1, c, Some(block))?;
                } else {
                    // A parenthesized join: its tables belong to this block.
                    self.clauses(i + 1, c, block, Clause::From, Some(i))?;
                }
                c + 1
            }
            TokKind::Word { .. } if t.is_kw(Keyword::LATERAL) => {
                if i + 1 >= hi {
                    return Err(self.err_at(
                        i,
                        "expected TABLE(...) or a subquery after LATERAL",
                        "",
                    ));
                }
                return self.factor(i + 1, hi, block);
            }
            TokKind::Word { .. }
                if (t.is_kw(Keyword::TABLE) || t.is_kw(Keyword::UNNEST))
                    && self.is_lparen(i + 1, hi) =>
            {
                let c = self.close[i + 1];
                self.expr(i + 2, c, block)?;
                c + 1
            }
            TokKind::Word { .. } if self.is_lparen(i + 1, hi) => {
                let (w, _) = t.word().unwrap_or_default();
                return Err(self.err_at(
                    i,
                    format!(
                        "a function call `{w}(...)` where a table is expected is not understood"
                    ),
                    "Flink calls table functions as TABLE(f(...)) or LATERAL TABLE(f(...))",
                ));
            }
            TokKind::Word { .. } => {
                let (name, next) = self.name(i, hi);
                visible = Some(name.key().to_string());
                table_ref = self.read(name);
                next
            }
            _ => {
                return Err(self.err_at(
                    i,
                    "expected a table name, a subquery in parentheses or TABLE(...)",
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
            let c = self.close[next + 1];
            self.expr(next + 2, c, block)?;
            next = c + 1;
            table_ref = None;
        }
        // Alias: [AS] name [(columns)]
        let mut alias = None;
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
                None => return Err(self.err_at(next, "expected an alias after AS", "")),
            }
        } else if next < hi && self.is_alias_word(next) {
            alias = self.toks[next].word().map(|(w, _)| w.to_string());
            next += 1;
        }
        if alias.is_some() && self.is_lparen(next, hi) {
            next = self.close[next] + 1;
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
        Ok(next)
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
                let c = self.close[i];
                self.expr(i + 1, c, block)?;
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
                    let c = self.close[j];
                    self.expr(j + 1, c, block)?;
                    return Ok(c + 1);
                }
                Ok(j)
            }
            _ => Err(self.err_at(i, "expected a time attribute after AS OF", "")),
        }
    }

    /// The parenthesized group opening at `i` outside a table position: a
    /// subquery or an expression. Returns the index after its `)`.
    fn group(&mut self, i: usize, block: usize) -> Result<usize, SqlError> {
        let c = self.close[i];
        if self.starts_query(i + 1, c) {
            self.query(i + 1, c, Some(block))?;
        } else {
            self.expr(i + 1, c, block)?;
        }
        Ok(c + 1)
    }

    /// An expression group: only subqueries, `TABLE t` arguments and column
    /// qualifiers matter here.
    fn expr(&mut self, lo: usize, hi: usize, block: usize) -> Result<(), SqlError> {
        let mut i = lo;
        while i < hi {
            let t = &self.toks[i];
            match t.kind {
                TokKind::LParen => i = self.group(i, block)?,
                TokKind::Word { .. }
                    if t.is_kw(Keyword::TABLE) && self.is_name_start(i + 1, hi) =>
                {
                    let (name, next) = self.name(i + 1, hi);
                    self.read(name);
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
                TokKind::Word { .. } => i = self.maybe_candidate(i, hi, block),
                _ => i += 1,
            }
        }
        Ok(())
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
        FACTOR_END.contains(&self.toks[i].keyword())
    }

    fn is_alias_word(&self, i: usize) -> bool {
        self.toks[i].word().is_some() && !self.is_factor_end(i)
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

    /// A dotted name starting at `i` (which must be a word).
    pub fn name(&self, i: usize, hi: usize) -> (TableName, usize) {
        parse_name(self.toks, i, hi)
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

    pub fn err_at(
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

pub fn name_part(t: &Tok) -> NamePart {
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
pub fn parse_name(toks: &[Tok], i: usize, hi: usize) -> (TableName, usize) {
    let mut parts = vec![name_part(&toks[i])];
    let mut j = i + 1;
    while j + 1 < hi && toks[j].kind == TokKind::Period && toks[j + 1].word().is_some() {
        parts.push(name_part(&toks[j + 1]));
        j += 2;
    }
    (TableName { parts }, j)
}

/// Matches parentheses over a whole file: `close[i]` is the index of the `)`
/// matching the `(` at `i`. A `(` still open at a `;` or at the end, or an
/// extra `)`, is an error.
pub fn match_parens(toks: &[Tok]) -> Result<Vec<usize>, SqlError> {
    let mut close = vec![usize::MAX; toks.len()];
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
            TokKind::LParen => stack.push(i),
            TokKind::RParen => match stack.pop() {
                Some(o) => close[o] = i,
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
