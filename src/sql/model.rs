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
    /// Byte offset one past the part's last byte.
    pub end: usize,
    /// 1-based line of the part.
    pub line: u32,
    /// 1-based column of the part, in characters.
    pub col: u32,
}

/// A table name as written: `t`, `` `db`.`t` ``, `cat.db.t` (at most three
/// parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    /// The parts as written, outermost first (catalog, database, table).
    pub parts: Vec<NamePart>,
}

impl TableName {
    /// The last part: the table's own name.
    pub fn last(&self) -> &NamePart {
        self.parts.last().expect("a name has at least one part")
    }

    /// The unquoted last part.
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
    /// The source of `CREATE TABLE x LIKE y`: a schema dependency, not a
    /// data one.
    Like,
    /// `t.col` in an expression where `t` is an un-aliased table of the query;
    /// `of` is the index (in `Statement::refs`) of the reference it qualifies.
    Qualifier {
        /// Index in `Statement::refs` of the reference qualified.
        of: usize,
    },
    /// A bare name passed to a table function without `TABLE`
    /// (`TABLE(f(a))`): a table when it names one, else a column or a
    /// constant. The project decides, and says so in a warning.
    TableArg {
        /// Whether nothing in scope could make it a column (the first item
        /// of a top-level FROM, not LATERAL).
        uncorrelated: bool,
    },
    /// A name inside a statement whose lineage is declared by an annotation
    /// (`-- greenlight: ...`) equal to a declared table: renamed with it,
    /// not a lineage edge.
    Mention,
}

/// A table named by a statement, other than its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    /// The name as written.
    pub name: TableName,
    /// How the statement uses it.
    pub role: RefRole,
}

impl TableRef {
    /// Whether this reference makes the table a data parent (reads only).
    pub fn is_lineage(&self) -> bool {
        matches!(self.role, RefRole::Read)
    }
}

/// What a statement is, as far as lineage and deploy care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// `CREATE TABLE` with a schema or `LIKE`, no query.
    CreateTable,
    /// `CREATE TABLE ... AS query`.
    Ctas,
    /// `CREATE [TEMPORARY] VIEW ... AS query`.
    CreateView,
    /// `CREATE MATERIALIZED TABLE ... AS query`.
    CreateMaterializedTable,
    /// `CREATE MATERIALIZED TABLE` with no query: shift_left's DDL, whose
    /// DML lives in another file (or nowhere). It defines the table and
    /// runs no job of its own.
    CreateMaterializedTableSchema,
    /// `INSERT INTO|OVERWRITE`, alone or inside a statement set.
    Insert,
    /// A query with no target.
    Query,
    /// `SET`, `RESET`, `USE`, and other session statements.
    Config,
    /// `DROP TABLE|VIEW|MATERIALIZED TABLE`: its table is renamed with it.
    Drop,
    /// `ALTER TABLE|VIEW|MATERIALIZED TABLE`: its table is renamed with it.
    Alter,
    /// `DELETE`, `UPDATE`, `TRUNCATE TABLE`: batch statements that change a
    /// table's rows. Not part of the lineage, never deployed; the table and
    /// what their subqueries read are renamed with their tables.
    Batch,
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
                | StatementKind::CreateMaterializedTableSchema
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

    /// The kind's name in JSON and golden fixtures (`create_table`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::CreateTable => "create_table",
            StatementKind::Ctas => "ctas",
            StatementKind::CreateView => "create_view",
            StatementKind::CreateMaterializedTable
            | StatementKind::CreateMaterializedTableSchema => "create_materialized_table",
            StatementKind::Insert => "insert",
            StatementKind::Query => "query",
            StatementKind::Config => "config",
            StatementKind::Drop => "drop",
            StatementKind::Alter => "alter",
            StatementKind::Batch => "batch",
            StatementKind::Ignored => "ignored",
        }
    }
}

/// The current catalog and database as a file sets them before a statement
/// (`USE CATALOG`, `USE`, `SET 'sql.current-catalog'|'sql.current-database'`,
/// `RESET`). Unqualified names resolve against them; what the file does not
/// set comes from the project's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The catalog set in the file; None: the project's default.
    pub catalog: Option<String>,
    /// The database set in the file.
    pub database: ScopeDatabase,
}

/// The current database of a [`Scope`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum ScopeDatabase {
    /// Not set in the file: the project's default.
    #[default]
    Default,
    /// `USE CATALOG c` switched catalogs: the database is that catalog's
    /// default one (the project's default database when `c` is the default
    /// catalog, else unknown).
    OfCatalog,
    /// Set in the file.
    Named(String),
}

/// Where a statement's lineage was declared instead of analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    /// Position of the `greenlight:` annotation: its line.
    pub line: u32,
    /// Its column, in characters.
    pub col: u32,
}

/// One analysed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// What the statement is.
    pub kind: StatementKind,
    /// The table written, defined, dropped or altered.
    pub target: Option<TableName>,
    /// Tables named by the statement other than the target, in source order.
    pub refs: Vec<TableRef>,
    /// Byte span from the first token to the end of the last one (the `;`
    /// excluded).
    pub start: usize,
    /// Byte offset one past the statement's last token.
    pub end: usize,
    /// 1-based line of the first token.
    pub line: u32,
    /// 1-based column of the first token, in characters.
    pub col: u32,
    /// Hash of the statement's tokens without comments and whitespace, with
    /// keywords upper-cased and every table-name part replaced by a marker,
    /// folded with the session `SET`s before it in the file. Two statements
    /// with equal fingerprints and equal name sequences are the same SQL.
    pub fingerprint: u64,
    /// Hash of the statement's own text as written (its comments and
    /// whitespace included, from the end of the statement before it),
    /// table-name parts masked, folded like `fingerprint`: equal
    /// fingerprints with different texts are a cosmetic change.
    pub text_hash: u64,
    /// Whether it sits inside `EXECUTE STATEMENT SET BEGIN ... END`.
    pub in_statement_set: bool,
    /// Which statement set of its file it sits in (0 for the first),
    /// when it does: the statements of one set are one job.
    pub statement_set: Option<u32>,
    /// Why the statement keeps state (empty: stateless).
    pub state: Vec<super::state::StateReason>,
    /// The constructs behind `state`, with their positions (the first of
    /// each kind, in source order); on a table's DDL, also whether the
    /// table is an upsert sink.
    pub state_uses: Vec<super::state::StateUse>,
    /// The current catalog and database its unqualified names resolve in
    /// as the file sets them (None: not set, the project's defaults);
    /// shared by the statements between two changes. See [`Statement::scope`].
    pub scope: Option<std::sync::Arc<Scope>>,
    /// Set when its lineage comes from a `-- greenlight:` annotation.
    pub declared: Option<Declared>,
}

/// The scope of a file that sets none.
static DEFAULT_SCOPE: Scope = Scope {
    catalog: None,
    database: ScopeDatabase::Default,
};

impl Statement {
    /// The current catalog and database its unqualified names resolve in.
    pub fn scope(&self) -> &Scope {
        self.scope.as_deref().unwrap_or(&DEFAULT_SCOPE)
    }

    /// Every renamable table-name occurrence with the reference it belongs
    /// to: the target first, then refs in source order.
    pub fn name_sequence(&self) -> impl Iterator<Item = &NamePart> {
        self.target
            .iter()
            .map(|t| t.last())
            .chain(self.refs.iter().map(|r| r.name.last()))
    }

    /// Tables this statement reads (data lineage references only).
    pub fn reads(&self) -> impl Iterator<Item = &TableName> {
        self.refs.iter().filter(|r| r.is_lineage()).map(|r| &r.name)
    }

    /// The sources of `CREATE TABLE ... LIKE` (schema dependencies).
    pub fn likes(&self) -> impl Iterator<Item = &TableName> {
        self.refs
            .iter()
            .filter(|r| r.role == RefRole::Like)
            .map(|r| &r.name)
    }
}

#[cfg(test)]
mod tests {
    use super::StatementKind::*;

    /// The runs-a-job rule for every statement kind.
    #[test]
    fn which_statements_run_a_job() {
        let runs = [Insert, Ctas, CreateMaterializedTable];
        let completes = [
            CreateTable,
            CreateMaterializedTableSchema,
            CreateView,
            Query,
            Config,
            Drop,
            Alter,
            Batch,
            Ignored,
        ];
        assert!(runs.iter().all(|k| k.runs_continuously()));
        assert!(completes.iter().all(|k| !k.runs_continuously()));
        // Every kind is in one list: a new kind must be classified here.
        for k in runs.iter().chain(&completes) {
            match k {
                CreateTable
                | Ctas
                | CreateView
                | CreateMaterializedTable
                | CreateMaterializedTableSchema
                | Insert
                | Query
                | Config
                | Drop
                | Alter
                | Batch
                | Ignored => {}
            }
        }
    }
}
