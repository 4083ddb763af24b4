//! What the analysis of a SQL text returns.

/// One part of a possibly qualified name, with its exact source span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePart {
    /// The name without quotes.
    pub value: String,
    /// The quote character when the part was delimited (`` ` ``).
    pub quote: Option<char>,
    /// Byte span of the part in the source, quotes included.
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub col: u32,
}

/// A table name as written: `t`, `` `db`.`t` ``, `cat.db.t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    pub parts: Vec<NamePart>,
}

impl TableName {
    /// The last part: the table's own name, which identifies it.
    pub fn last(&self) -> &NamePart {
        self.parts.last().expect("a name has at least one part")
    }

    /// The identity used to resolve references: the unquoted last part.
    pub fn key(&self) -> &str {
        &self.last().value
    }

    /// The qualifier parts (catalog, database), unquoted.
    pub fn qualifier(&self) -> Vec<&str> {
        self.parts[..self.parts.len() - 1]
            .iter()
            .map(|p| p.value.as_str())
            .collect()
    }

    /// Parts joined by `.`, quotes removed.
    pub fn display(&self) -> String {
        let parts: Vec<&str> = self.parts.iter().map(|p| p.value.as_str()).collect();
        parts.join(".")
    }
}

/// How a statement uses a table it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefRole {
    /// Read by a query: FROM, JOIN, subquery, TVF argument, temporal join.
    Read,
    /// The source of `CREATE TABLE x LIKE y`.
    Like,
    /// `t.col` in an expression where `t` is an un-aliased table of the query;
    /// `of` is the index (in `Statement::refs`) of the reference it qualifies.
    Qualifier { of: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    pub name: TableName,
    pub role: RefRole,
}

impl TableRef {
    /// Whether this reference makes the table a parent (reads and LIKE).
    pub fn is_lineage(&self) -> bool {
        !matches!(self.role, RefRole::Qualifier { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// `CREATE TABLE` with a schema or `LIKE`, no query.
    CreateTable,
    /// `CREATE TABLE ... AS query`.
    Ctas,
    CreateView,
    CreateMaterializedTable,
    /// `INSERT INTO|OVERWRITE`, alone or inside a statement set.
    Insert,
    /// A query with no target.
    Query,
    /// `SET`, `RESET`, `USE`, and other session statements.
    Config,
    Drop,
    Alter,
    /// `CREATE FUNCTION|CATALOG|DATABASE` and the like: no table lineage.
    Ignored,
}

impl StatementKind {
    /// Statements that define a table (its DDL).
    pub fn defines_table(self) -> bool {
        matches!(
            self,
            StatementKind::CreateTable
                | StatementKind::Ctas
                | StatementKind::CreateView
                | StatementKind::CreateMaterializedTable
        )
    }

    /// Whether deploying the statement starts a job that keeps running:
    /// `INSERT`, CTAS and `CREATE MATERIALIZED TABLE ... AS`. The one owner
    /// of "does this statement run a job" (plan steps, capacity, promotion,
    /// rollback, cleanup and deploy all ask it).
    pub fn runs_continuously(self) -> bool {
        matches!(
            self,
            StatementKind::Insert | StatementKind::Ctas | StatementKind::CreateMaterializedTable
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::CreateTable => "create_table",
            StatementKind::Ctas => "ctas",
            StatementKind::CreateView => "create_view",
            StatementKind::CreateMaterializedTable => "create_materialized_table",
            StatementKind::Insert => "insert",
            StatementKind::Query => "query",
            StatementKind::Config => "config",
            StatementKind::Drop => "drop",
            StatementKind::Alter => "alter",
            StatementKind::Ignored => "ignored",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StatementKind::*;

    /// The runs-a-job rule for every statement kind.
    #[test]
    fn which_statements_run_a_job() {
        let runs = [Insert, Ctas, CreateMaterializedTable];
        let completes = [CreateTable, CreateView, Query, Config, Drop, Alter, Ignored];
        assert!(runs.iter().all(|k| k.runs_continuously()));
        assert!(completes.iter().all(|k| !k.runs_continuously()));
        // Every kind is in one list: a new kind must be classified here.
        for k in runs.iter().chain(&completes) {
            match k {
                CreateTable
                | Ctas
                | CreateView
                | CreateMaterializedTable
                | Insert
                | Query
                | Config
                | Drop
                | Alter
                | Ignored => {}
            }
        }
    }
}

/// One analysed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub kind: StatementKind,
    /// The table written, defined, dropped or altered.
    pub target: Option<TableName>,
    /// Tables named by the statement other than the target, in source order.
    pub refs: Vec<TableRef>,
    /// Byte span from the first token to the end of the last one (the `;`
    /// excluded).
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub col: u32,
    /// Hash of the statement's tokens without comments and whitespace, with
    /// keywords upper-cased and every table-name part replaced by a marker,
    /// folded with the session `SET`s before it in the file. Two statements
    /// with equal fingerprints and equal name sequences are the same SQL.
    pub fingerprint: u64,
    /// Whether it sits inside `EXECUTE STATEMENT SET BEGIN ... END`.
    pub in_statement_set: bool,
    /// Why the statement keeps state (empty: stateless).
    pub state: Vec<super::state::StateReason>,
}

impl Statement {
    /// Every renamable table-name occurrence with the reference it belongs
    /// to: the target first, then refs in source order.
    pub fn name_sequence(&self) -> impl Iterator<Item = &NamePart> {
        self.target
            .iter()
            .map(|t| t.last())
            .chain(self.refs.iter().map(|r| r.name.last()))
    }

    /// Tables this statement reads (lineage references only).
    pub fn reads(&self) -> impl Iterator<Item = &TableName> {
        self.refs.iter().filter(|r| r.is_lineage()).map(|r| &r.name)
    }
}
