//! The project model: tables, their DDL and DML statements, and what they read.
//!
//! A table is its qualified name ([`TableId`]): unqualified names resolve
//! against the current catalog and database of their file (`USE`, `SET
//! 'sql.current-*'`) or the project's defaults. Reports name each table by
//! the shortest name no other table shares (`Table::name`).
use std::collections::BTreeSet;
use std::hash::BuildHasherDefault;

use super::layout::{TableKind, layout_of};
use super::load::SqlFile;
use super::names::{IdKey, IdParts, Settings, TableId, display_names};
use crate::error::{Error, FileError, Result};
use crate::sql::{FastHasher, RefRole, Statement, StatementKind, TableName};

/// Maps keyed by names within one run: a fast hasher.
type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Where a statement is: `files[file].statements[stmt]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// Index in the project's files.
    pub file: usize,
    /// Index in that file's statements.
    pub stmt: usize,
}

/// A table defined or written by the project.
#[derive(Debug, Clone)]
pub struct Table {
    /// The shortest name that tells it apart from every other table and
    /// external table of the project (usually its unqualified name).
    pub name: String,
    /// Its identity: catalog, database and name.
    pub id: TableId,
    /// From the folders of its DDL's file (else of the first file writing
    /// it), else from its name prefix.
    pub kind: TableKind,
    /// The shift_left product folder of that file; None outside a product.
    pub product: Option<String>,
    /// The defining statement (CREATE TABLE/VIEW/MATERIALIZED TABLE, CTAS).
    pub ddl: Option<Loc>,
    /// The statements that write it (INSERT).
    pub dml: Vec<Loc>,
    /// Names of the tables it reads data from (project or external), sorted.
    pub parents: BTreeSet<String>,
    /// Names of the tables its DDL copies the schema of (`LIKE`): a schema
    /// dependency, not a data one.
    pub like: BTreeSet<String>,
}

/// What a table reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A table of the project: its index in [`Project::tables`].
    Table(usize),
    /// An external table: its display name, else its full name.
    External(String),
}

/// The tables of a project, the statements that define and write them, and
/// what they read.
#[derive(Debug, Clone)]
pub struct Project {
    /// The analysed files, sorted by path.
    pub files: Vec<SqlFile>,
    /// Sorted by name.
    pub tables: Vec<Table>,
    /// Display name -> index.
    index: HashMap<String, usize>,
    /// Identity -> index.
    ids: HashMap<TableId, usize>,
    /// Earlier names of tables renamed since the base (`int_b` -> the id
    /// of `int_b_v5`): references that still use them resolve to the table.
    aliases: HashMap<TableId, TableId>,
    /// Names read but defined nowhere in the project.
    pub external: BTreeSet<String>,
    /// Identity -> display name of the external tables, and back.
    external_ids: HashMap<TableId, String>,
    external_names: HashMap<String, TableId>,
    /// Statements understood but outside the lineage (a query with no
    /// target) and table-function arguments read as tables.
    pub warnings: Vec<FileError>,
    /// The warnings of the statements themselves (queries with no target).
    statement_warnings: Vec<FileError>,
    settings: Settings,
}

impl Project {
    /// Builds the model from analysed files (sorted by path), with unknown
    /// default catalog and database.
    pub fn build(files: Vec<SqlFile>) -> Result<Project> {
        Project::build_with(files, &Settings::default())
    }

    /// Builds the model, resolving names with `settings`.
    pub fn build_with(mut files: Vec<SqlFile>, settings: &Settings) -> Result<Project> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut tables: Vec<Table> = Vec::new();
        let mut ids: HashMap<TableId, usize> = HashMap::default();
        let mut table_of = |id: TableId, file: &SqlFile, tables: &mut Vec<Table>| -> usize {
            if let Some(&i) = ids.get(&id) {
                return i;
            }
            let layout = layout_of(&file.path);
            tables.push(Table {
                name: String::new(),
                kind: layout
                    .kind
                    .unwrap_or_else(|| TableKind::from_prefix(&id.table)),
                id: id.clone(),
                product: layout.product,
                ddl: None,
                dml: Vec::new(),
                parents: BTreeSet::new(),
                like: BTreeSet::new(),
            });
            ids.insert(id, tables.len() - 1);
            tables.len() - 1
        };
        // Definitions first, so a table's kind and product come from its DDL.
        for (f, file) in files.iter().enumerate() {
            for (s, stmt) in file.statements.iter().enumerate() {
                let Some(target) = stmt.target.as_ref().filter(|_| stmt.kind.defines_table())
                else {
                    continue;
                };
                let id = settings.qualify(stmt.scope(), target);
                let t = table_of(id.clone(), file, &mut tables);
                let loc = Loc { file: f, stmt: s };
                if let Some(first) = tables[t].ddl {
                    return Err(Error::DuplicateTable {
                        name: id.full(),
                        first: position(&files, first),
                        second: position(&files, loc),
                    });
                }
                let layout = layout_of(&file.path);
                let table = &mut tables[t];
                table.ddl = Some(loc);
                table.kind = layout
                    .kind
                    .unwrap_or_else(|| TableKind::from_prefix(&id.table));
                table.product = layout.product;
            }
        }
        let mut statement_warnings = Vec::new();
        for (f, file) in files.iter().enumerate() {
            for (s, stmt) in file.statements.iter().enumerate() {
                match stmt.kind {
                    StatementKind::Insert => {
                        let target = stmt.target.as_ref().expect("an INSERT has a target");
                        let t = table_of(settings.qualify(stmt.scope(), target), file, &mut tables);
                        tables[t].dml.push(Loc { file: f, stmt: s });
                    }
                    StatementKind::Query => statement_warnings.push(FileError {
                        path: file.path.clone(),
                        line: stmt.line,
                        col: stmt.col,
                        message: "a query with no target is not part of the lineage".into(),
                        hint: "write it as INSERT INTO <table> SELECT ..., or move it to a tests/ folder".into(),
                    }),
                    StatementKind::Batch => statement_warnings.push(FileError {
                        path: file.path.clone(),
                        line: stmt.line,
                        col: stmt.col,
                        message: "a batch statement (DELETE, UPDATE, TRUNCATE) is not part of the lineage, and greenlight never deploys it".into(),
                        hint: "its table names are renamed with their tables; run it yourself, or move it out of the pipeline files".into(),
                    }),
                    _ => {}
                }
            }
        }
        let mut project = Project {
            files,
            tables,
            index: HashMap::default(),
            ids: HashMap::default(),
            aliases: HashMap::default(),
            external: BTreeSet::new(),
            external_ids: HashMap::default(),
            external_names: HashMap::default(),
            warnings: Vec::new(),
            statement_warnings,
            settings: settings.clone(),
        };
        project.reindex();
        project.check_ambiguity()?;
        project.resolve_parents()?;
        Ok(project)
    }

    /// How the project's names resolve and its files are read.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Makes references to an earlier name (`old` -> current table name)
    /// resolve to the table; parents and externals are resolved again.
    /// `old` is the table's name at the base (in the same catalog and
    /// database).
    pub fn set_aliases(&mut self, aliases: impl IntoIterator<Item = (String, String)>) {
        let mut map = HashMap::default();
        for (old, new) in aliases {
            let Some(&i) = self.index.get(&new) else {
                continue;
            };
            let id = &self.tables[i].id;
            let old_table = old
                .strip_prefix(&id.display_prefix(&id.at_level(3)))
                .or_else(|| old.strip_prefix(&id.display_prefix(&id.at_level(2))))
                .unwrap_or(&old);
            let old_id = id.renamed(old_table);
            if !self.ids.contains_key(&old_id) {
                map.insert(old_id, id.clone());
            }
        }
        if map.is_empty() && self.aliases.is_empty() {
            return;
        }
        self.aliases = map;
        // Aliases only turn external names into tables: nothing becomes
        // ambiguous, and two tables stay apart.
        self.resolve_parents()
            .expect("aliases keep the project's names apart");
    }

    fn reindex(&mut self) {
        self.ids = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
    }

    /// The table a name written in `stmt` resolves to (an alias included).
    fn find(&self, scope: &crate::sql::Scope, name: &TableName) -> Option<usize> {
        let (catalog, database) = self.settings.qualifiers(scope, name);
        let parts: IdParts<'_> = (catalog, database, name.key());
        let key: &dyn IdKey = &parts;
        self.ids.get(key).copied().or_else(|| {
            let alias = self.aliases.get(key)?;
            self.ids.get(alias).copied()
        })
    }

    /// Two tables that may be one (`orders` and `lake.db.orders` when the
    /// current catalog and database are unknown), and references that may
    /// name a table or another one, are errors: greenlight never guesses.
    fn check_ambiguity(&self) -> Result<()> {
        // Table parts, sorted: the tables sharing one are a run.
        let mut parts: Vec<(&str, usize)> = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.table.as_str(), i))
            .collect();
        parts.sort_unstable();
        let group = |name: &str| {
            let lo = parts.partition_point(|(p, _)| *p < name);
            let hi = lo + parts[lo..].partition_point(|(p, _)| *p == name);
            &parts[lo..hi]
        };
        let mut errors = Vec::new();
        for run in parts.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            for (k, &(_, a)) in run.iter().enumerate() {
                for &(_, b) in &run[k + 1..] {
                    let (ta, tb) = (&self.tables[a], &self.tables[b]);
                    if ta.id.may_equal(&tb.id) {
                        let (path, line, col) = self.defined_at(tb);
                        errors.push(FileError {
                            path,
                            line,
                            col,
                            message: format!(
                                "`{}` and `{}` ({}) may be one table: the current catalog and database are unknown",
                                tb.id.full(),
                                ta.id.full(),
                                self.defined_at_text(ta)
                            ),
                            hint: UNKNOWN_DEFAULTS_HINT.into(),
                        });
                    }
                }
            }
        }
        for table in &self.tables {
            for loc in table.ddl.iter().chain(table.dml.iter()) {
                let stmt = self.statement(*loc);
                for r in stmt.refs.iter().filter(|r| lineage_role(r.role)) {
                    // Only a name some table has, and that is not that
                    // table exactly, can be ambiguous.
                    let same_name = group(r.name.key());
                    if same_name.is_empty() || self.find(stmt.scope(), &r.name).is_some() {
                        continue;
                    }
                    let id = self.settings.qualify(stmt.scope(), &r.name);
                    let other = same_name
                        .iter()
                        .map(|&(_, i)| &self.tables[i])
                        .find(|t| t.id.may_equal(&id));
                    if let Some(other) = other {
                        let part = &r.name.parts[0];
                        errors.push(FileError {
                            path: self.path(*loc).to_string(),
                            line: part.line,
                            col: part.col,
                            message: format!(
                                "`{}` may be the table `{}` ({}) or another one: the current catalog and database are unknown",
                                r.name.display(),
                                other.id.full(),
                                self.defined_at_text(other)
                            ),
                            hint: UNKNOWN_DEFAULTS_HINT.into(),
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            errors.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
            errors.dedup();
            Err(Error::Files(errors))
        }
    }

    fn defined_at(&self, t: &Table) -> (String, u32, u32) {
        let loc = t
            .ddl
            .or(t.dml.first().copied())
            .expect("a table has a statement");
        let s = self.statement(loc);
        (self.path(loc).to_string(), s.line, s.col)
    }

    fn defined_at_text(&self, t: &Table) -> String {
        let (p, l, c) = self.defined_at(t);
        format!("{p}:{l}:{c}")
    }

    /// Resolves every table's references: data parents, LIKE sources,
    /// external tables, display names; table-function arguments that name
    /// tables become reads, with a warning.
    fn resolve_parents(&mut self) -> Result<()> {
        // External tables, interned: a node is a table or an external index.
        let mut ext = Externals::default();
        let mut parents: Vec<BTreeSet<Node>> = vec![BTreeSet::new(); self.tables.len()];
        let mut likes: Vec<BTreeSet<Node>> = vec![BTreeSet::new(); self.tables.len()];
        let mut args = Vec::new();
        let mut self_reads = Vec::new();
        for (t, table) in self.tables.iter().enumerate() {
            for loc in table.ddl.iter().chain(table.dml.iter()) {
                let stmt = self.statement(*loc);
                for r in &stmt.refs {
                    let into = match r.role {
                        // A table that reads itself (an upsert table joined
                        // with its own rows) is a feedback loop, not a cycle
                        // between tables: no edge, renamed with the table.
                        RefRole::Read if self.find(stmt.scope(), &r.name) == Some(t) => {
                            self_reads.push((*loc, r.name.last().clone()));
                            continue;
                        }
                        RefRole::Read => &mut parents[t],
                        RefRole::Like => &mut likes[t],
                        RefRole::TableArg { uncorrelated } => {
                            args.push((t, *loc, &r.name, uncorrelated));
                            continue;
                        }
                        _ => continue,
                    };
                    into.insert(match self.find(stmt.scope(), &r.name) {
                        Some(i) => Node::Table(i),
                        None => {
                            Node::External(ext.intern(self.settings.qualify(stmt.scope(), &r.name)))
                        }
                    });
                }
            }
        }
        // A bare name passed to a table function is a table when it names
        // one (or nothing else can be in scope): read, and said.
        let mut warnings = self.statement_warnings.clone();
        for (t, loc, name, uncorrelated) in args {
            let stmt = self.statement(loc);
            let id = self.settings.qualify(stmt.scope(), name);
            let node = match self.find(stmt.scope(), name) {
                Some(i) => Node::Table(i),
                None if uncorrelated || ext.index.contains_key(&id) => {
                    Node::External(ext.intern(id.clone()))
                }
                None => continue,
            };
            parents[t].insert(node);
            let part = &name.parts[0];
            warnings.push(FileError {
                path: self.path(loc).to_string(),
                line: part.line,
                col: part.col,
                message: format!(
                    "`{}` is passed to a table function without TABLE: greenlight reads it as the table `{}`",
                    name.display(),
                    id.full()
                ),
                hint: "write TABLE ".to_string()
                    + &name.display()
                    + " if the function takes the table; if it is a column, qualify it (alias.column)",
            });
        }
        for (loc, part) in self_reads {
            warnings.push(FileError {
                path: self.path(loc).to_string(),
                line: part.line,
                col: part.col,
                message: format!(
                    "`{}` reads itself: a feedback loop, renamed with the table",
                    part.value
                ),
                hint: "its green version reads its own green rows and starts without blue's".into(),
            });
        }
        warnings.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        self.warnings = warnings;
        let external_names = self.assign_names(ext.ids)?;
        let name_of = |n: &Node, tables: &[Table]| match n {
            Node::Table(i) => tables[*i].name.clone(),
            Node::External(e) => external_names[*e].clone(),
        };
        let resolved: Vec<(BTreeSet<String>, BTreeSet<String>)> = parents
            .iter()
            .zip(&likes)
            .map(|(p, l)| {
                (
                    p.iter().map(|n| name_of(n, &self.tables)).collect(),
                    l.iter().map(|n| name_of(n, &self.tables)).collect(),
                )
            })
            .collect();
        for (table, (p, l)) in self.tables.iter_mut().zip(resolved) {
            table.parents = p;
            table.like = l;
        }
        self.sort_tables();
        Ok(())
    }

    /// Gives every table and external table its display name; returns the
    /// externals' names, in the order of `externals`.
    fn assign_names(&mut self, externals: Vec<TableId>) -> Result<Vec<String>> {
        let all: Vec<&TableId> = self
            .tables
            .iter()
            .map(|t| &t.id)
            .chain(externals.iter())
            .collect();
        let mut names = display_names(&all).map_err(|(a, b)| {
            Error::from(crate::error::VersionError::Indistinct {
                first: all[a].at_level(3).to_string(),
                second: all[b].at_level(3).to_string(),
            })
        })?;
        let external_names = names.split_off(self.tables.len());
        for (t, name) in self.tables.iter_mut().zip(names) {
            t.name = name;
        }
        self.external = external_names.iter().cloned().collect();
        self.external_names = external_names
            .iter()
            .cloned()
            .zip(externals.iter().cloned())
            .collect();
        self.external_ids = externals
            .into_iter()
            .zip(external_names.iter().cloned())
            .collect();
        Ok(external_names)
    }

    /// Sorts tables by name (parents refer to names, not indexes); the
    /// identity index follows the moves.
    fn sort_tables(&mut self) {
        let mut order: Vec<usize> = (0..self.tables.len()).collect();
        order.sort_by(|&a, &b| self.tables[a].name.cmp(&self.tables[b].name));
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut old: Vec<Option<Table>> = std::mem::take(&mut self.tables)
            .into_iter()
            .map(Some)
            .collect();
        self.tables = order
            .iter()
            .map(|&i| old[i].take().expect("each table moves once"))
            .collect();
        if self.ids.len() == self.tables.len() {
            for i in self.ids.values_mut() {
                *i = new_index[*i];
            }
        } else {
            self.reindex();
        }
        self.index = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
    }

    /// The statement at `loc`.
    pub fn statement(&self, loc: Loc) -> &Statement {
        &self.files[loc.file].statements[loc.stmt]
    }

    /// The table with this display name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.index.get(name).map(|&i| &self.tables[i])
    }

    /// The index in [`Project::tables`] of the table with this display name.
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The table with this identity.
    pub fn table_by_id(&self, id: &TableId) -> Option<&Table> {
        self.ids.get(id).map(|&i| &self.tables[i])
    }

    /// The table parts of the earlier names references may still use
    /// ([`Project::set_aliases`]).
    pub fn alias_parts(&self) -> impl Iterator<Item = &str> {
        self.aliases.keys().map(|id| id.table.as_str())
    }

    /// The identities of the external tables.
    pub fn external_ids(&self) -> BTreeSet<&TableId> {
        self.external_ids.keys().collect()
    }

    /// The identity of a table or external table by its display name.
    pub fn id_of(&self, name: &str) -> Option<&TableId> {
        self.table(name)
            .map(|t| &t.id)
            .or_else(|| self.external_names.get(name))
    }

    /// The display name of an external table.
    pub fn external_name(&self, id: &TableId) -> Option<&str> {
        self.external_ids.get(id).map(String::as_str)
    }

    /// What a name written in statement `stmt` resolves to.
    pub fn resolve(&self, stmt: &Statement, name: &TableName) -> Resolved {
        if let Some(i) = self.find(stmt.scope(), name) {
            return Resolved::Table(i);
        }
        let id = self.settings.qualify(stmt.scope(), name);
        Resolved::External(
            self.external_ids
                .get(&id)
                .cloned()
                .unwrap_or_else(|| id.full()),
        )
    }

    /// `display` with the table part replaced by `table` (for a green name:
    /// `cat.db.orders` -> `cat.db.orders_v2`).
    pub fn with_table_part(&self, display: &str, table: &str) -> String {
        match self.table(display) {
            Some(t) => format!("{}{table}", t.id.display_prefix(display)),
            None => table.to_string(),
        }
    }

    /// The file holding a table's DML, else its DDL.
    pub fn statement_file(&self, table: &Table) -> Option<&str> {
        table
            .dml
            .first()
            .or(table.ddl.as_ref())
            .map(|l| self.files[l.file].path.as_str())
    }

    /// The path of the file holding the statement at `loc`.
    pub fn path(&self, loc: Loc) -> &str {
        &self.files[loc.file].path
    }

    /// Where `reader`'s statements first read the table or external name
    /// `name`, as `path:line:col`.
    pub fn read_position(&self, reader: &Table, name: &str) -> Option<String> {
        self.ref_position(reader, name, |r| {
            matches!(r, RefRole::Read | RefRole::TableArg { .. })
        })
    }

    /// Where `reader`'s DDL names `name` as its `LIKE` source.
    pub fn like_position(&self, reader: &Table, name: &str) -> Option<String> {
        self.ref_position(reader, name, |r| r == RefRole::Like)
    }

    fn ref_position(
        &self,
        reader: &Table,
        name: &str,
        role: impl Fn(RefRole) -> bool,
    ) -> Option<String> {
        for loc in reader.ddl.iter().chain(reader.dml.iter()) {
            let stmt = self.statement(*loc);
            for r in stmt.refs.iter().filter(|r| role(r.role)) {
                let resolved = match self.resolve(stmt, &r.name) {
                    Resolved::Table(i) => self.tables[i].name.as_str() == name,
                    Resolved::External(e) => e == name,
                };
                if resolved {
                    let part = &r.name.parts[0];
                    return Some(format!("{}:{}:{}", self.path(*loc), part.line, part.col));
                }
            }
        }
        None
    }
}

/// The external tables met while resolving, each once.
#[derive(Default)]
struct Externals {
    ids: Vec<TableId>,
    index: HashMap<TableId, usize>,
}

impl Externals {
    fn intern(&mut self, id: TableId) -> usize {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        self.ids.push(id.clone());
        self.index.insert(id, self.ids.len() - 1);
        self.ids.len() - 1
    }
}

/// A resolved reference before display names exist: a table, or an
/// external table's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Table(usize),
    External(usize),
}

/// References that make edges, checked for ambiguity.
fn lineage_role(role: RefRole) -> bool {
    matches!(role, RefRole::Read | RefRole::Like)
}

const UNKNOWN_DEFAULTS_HINT: &str = "set `default_catalog` and `default_database` in greenlight.yaml (where the statements run), add `USE CATALOG c;` / `USE db;` to the file, or qualify the name";

fn position(files: &[SqlFile], loc: Loc) -> String {
    let f = &files[loc.file];
    let s = &f.statements[loc.stmt];
    format!("{}:{}:{}", f.path, s.line, s.col)
}
