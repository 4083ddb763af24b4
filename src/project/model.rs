//! The project model: tables, their DDL and DML statements, and what they read.
//!
//! A table is its qualified name ([`TableId`]): unqualified names resolve
//! against the current catalog and database of their file (`USE`, `SET
//! 'sql.current-*'`) or the project's defaults. Reports name each table by
//! the shortest name no other table shares (`Table::name`).
use std::collections::{BTreeSet, HashMap};

use super::layout::{TableKind, layout_of};
use super::load::SqlFile;
use super::names::{Settings, TableId, display_names};
use crate::error::{Error, FileError, Result};
use crate::sql::{RefRole, Statement, StatementKind, TableName};

/// Where a statement is: `files[file].statements[stmt]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: usize,
    pub stmt: usize,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The shortest name that tells it apart from every other table and
    /// external table of the project (usually its unqualified name).
    pub name: String,
    /// Its identity: catalog, database and name.
    pub id: TableId,
    pub kind: TableKind,
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
    Table(usize),
    External(String),
}

#[derive(Debug, Clone)]
pub struct Project {
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
        let mut ids: HashMap<TableId, usize> = HashMap::new();
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
                let id = settings.qualify(&stmt.scope, target);
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
                        let t = table_of(settings.qualify(&stmt.scope, target), file, &mut tables);
                        tables[t].dml.push(Loc { file: f, stmt: s });
                    }
                    StatementKind::Query => statement_warnings.push(FileError {
                        path: file.path.clone(),
                        line: stmt.line,
                        col: stmt.col,
                        message: "a query with no target is not part of the lineage".into(),
                        hint: "write it as INSERT INTO <table> SELECT ..., or move it to a tests/ folder".into(),
                    }),
                    _ => {}
                }
            }
        }
        let mut project = Project {
            files,
            tables,
            index: HashMap::new(),
            ids: HashMap::new(),
            aliases: HashMap::new(),
            external: BTreeSet::new(),
            external_ids: HashMap::new(),
            external_names: HashMap::new(),
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
        let mut map = HashMap::new();
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

    /// Two tables that may be one (`orders` and `lake.db.orders` when the
    /// current catalog and database are unknown), and references that may
    /// name a table or another one, are errors: greenlight never guesses.
    fn check_ambiguity(&self) -> Result<()> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::with_capacity(self.tables.len());
        for (i, t) in self.tables.iter().enumerate() {
            by_name.entry(t.id.table.as_str()).or_default().push(i);
        }
        let mut errors = Vec::new();
        for group in by_name.values().filter(|g| g.len() > 1) {
            for (k, &a) in group.iter().enumerate() {
                for &b in &group[k + 1..] {
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
                    // Only a name some table has can be ambiguous.
                    let Some(group) = by_name.get(r.name.key()) else {
                        continue;
                    };
                    let id = self.settings.qualify(&stmt.scope, &r.name);
                    if self.ids.contains_key(&id) {
                        continue;
                    }
                    let other = group
                        .iter()
                        .map(|&i| &self.tables[i])
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
        let mut external_ids: BTreeSet<TableId> = BTreeSet::new();
        let mut parents: Vec<BTreeSet<Node>> = vec![BTreeSet::new(); self.tables.len()];
        let mut likes: Vec<BTreeSet<Node>> = vec![BTreeSet::new(); self.tables.len()];
        let mut args = Vec::new();
        for (t, table) in self.tables.iter().enumerate() {
            for loc in table.ddl.iter().chain(table.dml.iter()) {
                let stmt = self.statement(*loc);
                for r in &stmt.refs {
                    let into = match r.role {
                        RefRole::Read => &mut parents[t],
                        RefRole::Like => &mut likes[t],
                        RefRole::TableArg { uncorrelated } => {
                            args.push((t, *loc, &r.name, uncorrelated));
                            continue;
                        }
                        _ => continue,
                    };
                    let id = self.settings.qualify(&stmt.scope, &r.name);
                    into.insert(match self.lookup(&id) {
                        Some(i) => Node::Table(i),
                        None => {
                            external_ids.insert(id.clone());
                            Node::External(id)
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
            let id = self.settings.qualify(&stmt.scope, name);
            let node = match self.lookup(&id) {
                Some(i) => Node::Table(i),
                None if uncorrelated || external_ids.contains(&id) => Node::External(id.clone()),
                None => continue,
            };
            if let Node::External(id) = &node {
                external_ids.insert(id.clone());
            }
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
        warnings.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        self.warnings = warnings;
        self.assign_names(external_ids.into_iter().collect())?;
        let name_of = |n: &Node, tables: &[Table], ext: &HashMap<TableId, String>| match n {
            Node::Table(i) => tables[*i].name.clone(),
            Node::External(id) => ext[id].clone(),
        };
        let resolved: Vec<(BTreeSet<String>, BTreeSet<String>)> = parents
            .iter()
            .zip(&likes)
            .map(|(p, l)| {
                (
                    p.iter()
                        .map(|n| name_of(n, &self.tables, &self.external_ids))
                        .collect(),
                    l.iter()
                        .map(|n| name_of(n, &self.tables, &self.external_ids))
                        .collect(),
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

    /// Gives every table and external table its display name.
    fn assign_names(&mut self, externals: Vec<TableId>) -> Result<()> {
        let all: Vec<&TableId> = self
            .tables
            .iter()
            .map(|t| &t.id)
            .chain(externals.iter())
            .collect();
        let names = display_names(&all).map_err(|(a, b)| {
            Error::from(crate::error::VersionError::Indistinct {
                first: all[a].at_level(3).to_string(),
                second: all[b].at_level(3).to_string(),
            })
        })?;
        let n = self.tables.len();
        for (t, name) in self.tables.iter_mut().zip(&names) {
            t.name = name.clone();
        }
        self.external_ids = externals
            .into_iter()
            .zip(names[n..].iter().cloned())
            .collect();
        self.external_names = self
            .external_ids
            .iter()
            .map(|(id, n)| (n.clone(), id.clone()))
            .collect();
        self.external = self.external_ids.values().cloned().collect();
        Ok(())
    }

    /// Sorts tables by name; parents refer to names, not indexes.
    fn sort_tables(&mut self) {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.index = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        self.reindex();
    }

    /// The table an identity names: the table itself, or a table renamed
    /// since the base that a reference still calls by its old name.
    fn lookup(&self, id: &TableId) -> Option<usize> {
        self.ids
            .get(id)
            .or_else(|| self.aliases.get(id).and_then(|t| self.ids.get(t)))
            .copied()
    }

    pub fn statement(&self, loc: Loc) -> &Statement {
        &self.files[loc.file].statements[loc.stmt]
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.index.get(name).map(|&i| &self.tables[i])
    }

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
        let id = self.settings.qualify(&stmt.scope, name);
        match self.lookup(&id) {
            Some(i) => Resolved::Table(i),
            None => Resolved::External(
                self.external_ids
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| id.full()),
            ),
        }
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

/// A resolved reference before display names exist.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Table(usize),
    External(TableId),
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
